package e2e_test

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/client"
	"github.com/mcptt-conformance/mcptt-conformance/pcapng"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/recorded/recordedtest"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// A live run leaves run.pcapng, which tshark dissects with every captured request in
// it; the suite over that run.pcapng, and over the run's captures/ folder, gives the
// live run's verdicts request by request, and its exit status.
func TestCaptureRoundTrip(t *testing.T) {
	for _, tt := range []struct{ profile, args string }{
		{"fixtures/profiles/plain-register.yaml", "--transport udp"},
		{"fixtures/profiles/plain-register.yaml", "--transport tcp"},
		{"fixtures/profiles/plain-publish.yaml", "--transport tcp"},
		{"fixtures/profiles/plain-publish.yaml", "--transport udp"},
		{"fixtures/profiles/plain-publish-rejected.yaml", "--transport udp"},
		{"fixtures/profiles/plain-migration.yaml", "--transport tcp"},
		{"fixtures/profiles/plain-register.yaml", "--break 7.2.1-04 --transport tcp"},
		{"fixtures/profiles/plain-publish-rejected.yaml", "--break 7.2.2-16 --transport tcp"},
		{"fixtures/profiles/plain-register.yaml", "--break MIME-03 --transport udp"},
	} {
		t.Run(filepath.Base(tt.profile)+"/"+tt.args, func(t *testing.T) {
			t.Parallel()
			live := runSuite(t, tt.profile, "-client-args="+tt.args)
			pcap := filepath.Join(live.dir, "run.pcapng")
			if ts := tshark(t); ts != "" {
				if got, want := tsharkRequests(t, ts, pcap, serverPorts(t, live.dir)), capturedRequests(t, live.dir); !slices.Equal(got, want) {
					t.Errorf("tshark: expected the captured requests %q in run.pcapng, saw %q", want, got)
				}
			}
			want := perRequest(t, live)
			for _, src := range []string{pcap, filepath.Join(live.dir, "captures")} {
				// -write-captures: the verdicts are compared request by request, through
				// the capture index the pcap run writes on request.
				off := runSuite(t, tt.profile, "-capture="+src, "-write-captures")
				if got := perRequest(t, off); !slices.Equal(got, want) {
					t.Errorf("-capture=%s: expected the live verdicts\n  %s\nsaw\n  %s", filepath.Base(src), strings.Join(want, "\n  "), strings.Join(got, "\n  "))
				}
				if off.exit != live.exit {
					t.Errorf("-capture=%s: expected exit status %d as live, saw %d", filepath.Base(src), live.exit, off.exit)
				}
			}
		})
	}
}

// tshark returns the tshark command, or "" (skipping its checks) when it is missing
// outside CI; under CI a missing tshark fails the test.
func tshark(t *testing.T) string {
	path, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("tshark (Debian package tshark) is missing; make deps installs it")
		}
		t.Log("tshark (Debian package tshark) is not installed: run.pcapng is not dissected; run make deps")
	}
	return path
}

// tsharkRequests lists "METHOD Call-ID" for every SIP request tshark dissects in path.
func tsharkRequests(t *testing.T, tshark, path string, ports []string) []string {
	args := []string{"-r", path, "-Y", "sip.Method", "-T", "fields", "-E", "separator=/s", "-e", "sip.Method", "-e", "sip.Call-ID"}
	for _, p := range ports {
		// The server's port is a free one, which tshark may take for another protocol's.
		args = append(args, "-d", "tcp.port=="+p+",sip", "-d", "udp.port=="+p+",sip")
	}
	cmd := exec.Command(tshark, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v\n%s", path, err, stderr.String())
	}
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(out)), " ", "|"))
}

// capturedRequests lists "METHOD|Call-ID" for every request in a reports folder's
// captures/, in capture order.
func capturedRequests(t *testing.T, dir string) []string {
	var out []string
	for _, m := range captureIndex(t, dir) {
		raw, err := os.ReadFile(filepath.Join(dir, "captures", m.Name))
		if err != nil {
			t.Fatal(err)
		}
		if sm, err := sipmsg.Parse(raw); err == nil && sm.IsRequest {
			id, _ := sm.First("call-id")
			out = append(out, sm.Method+"|"+id.Value)
		}
	}
	return out
}

// serverPorts are the ports the live run received on, from its captures' index.
func serverPorts(t *testing.T, dir string) []string {
	var ports []string
	for _, m := range captureIndex(t, dir) {
		if _, p, err := net.SplitHostPort(m.Local); err == nil && !slices.Contains(ports, p) && m.Transport != "tls" {
			ports = append(ports, p)
		}
	}
	return ports
}

func captureIndex(t *testing.T, dir string) []capture.Message {
	b, err := os.ReadFile(filepath.Join(dir, "captures", "index.json"))
	if err != nil {
		t.Fatalf("captures/index.json: %v", err)
	}
	var index []capture.Message
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	return index
}

// perRequest lists every result as "requirement verdict #seq…", the message names
// replaced by the captures' sequence numbers, so that a live run and a capture run of
// the same traffic compare, sorted.
func perRequest(t *testing.T, o outcome) []string {
	seq := map[string]string{}
	for _, m := range captureIndex(t, o.dir) {
		seq[m.Name] = "#" + strconv.Itoa(m.Seq)
	}
	var out []string
	for _, r := range o.Results {
		names := strings.Split(r.Message, ", ")
		for i, n := range names {
			if s, ok := seq[n]; ok {
				names[i] = s
			}
		}
		out = append(out, r.Requirement+" "+string(r.Verdict)+" "+strings.Join(names, ","))
	}
	slices.Sort(out)
	return out
}

// twoClients writes a pcapng in which alice registers conformantly over UDP and bob, over
// TCP, leaves +g.3gpp.mcptt out of his Contact.
func twoClients(t *testing.T) string {
	p, err := profile.Load(filepath.Join(root, "fixtures/profiles/plain-register.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pkts []pcapng.Packet
	for _, c := range []struct{ aor, transport, local, brk string }{
		{"sip:alice@mcptt.example.com", "udp", "192.0.2.7:5070", ""},
		{"sip:bob@mcptt.example.com", "tcp", "192.0.2.8:40001", "7.2.1-02"},
	} {
		cfg := client.Config{Server: "198.51.100.1:5060", Transport: c.transport, Mode: client.ModeRegister,
			MCPTTID: c.aor, ClientID: p.Identity.ClientID, Token: p.Identity.AccessToken, Break: c.brk, Timeout: time.Second}
		flow, err := recordedtest.Flow(cfg, c.local, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), []recordedtest.Exchange{{Kind: client.Register, Status: 200}})
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, flow...)
	}
	path := filepath.Join(t.TempDir(), "lab capture.pcapng")
	if err := pcapng.WriteFile(path, pkts); err != nil {
		t.Fatal(err)
	}
	return path
}

// A capture with two clients: without -client each is judged on its own and every row
// names its client; -client judges one.
func TestCaptureClients(t *testing.T) {
	const profile = "fixtures/profiles/plain-register.yaml"
	pcap := twoClients(t)
	t.Run("both", func(t *testing.T) {
		o := runSuite(t, profile, "-capture="+pcap)
		if got := o.failed(); !slices.Equal(got, []string{"7.2.1-02"}) || o.exit == 0 {
			t.Fatalf("expected only 7.2.1-02 to fail and a non-zero exit, saw %v exit %d\n%s", got, o.exit, o.describe())
		}
		for _, r := range o.Results {
			if r.Message == "run" {
				continue
			}
			if !strings.HasPrefix(r.Detail, "client sip:alice@") && !strings.HasPrefix(r.Detail, "client sip:bob@") {
				t.Errorf("expected the detail to name the client, saw %s", r)
			}
			if r.Verdict == verdict.Fail && !strings.HasPrefix(r.Detail, "client sip:bob@") {
				t.Errorf("expected only bob's REGISTER to fail, saw %s", r)
			}
			if !strings.HasPrefix(r.Message, "lab_capture.pcapng#frame-") {
				t.Errorf("expected the message to name the frame, saw %q", r.Message)
			}
		}
	})
	t.Run("alice", func(t *testing.T) {
		conformant(t, runSuite(t, profile, "-capture="+pcap, "-client=sip:alice@mcptt.example.com"))
	})
	// -shard i/n splits the clients by a hash of the address of record (alice falls in
	// 1/2, bob in 2/2): each shard judges its clients' requests as the whole run does,
	// and together they judge every request once. A capture file writes no captures/.
	t.Run("shards", func(t *testing.T) {
		frameRows := func(o outcome) []string {
			var rows []string
			for _, r := range o.Results {
				if r.Message != "run" {
					rows = append(rows, r.Requirement+" "+string(r.Verdict)+" "+r.Message)
				}
			}
			slices.Sort(rows)
			return rows
		}
		whole := runSuite(t, profile, "-capture="+pcap)
		first, second := runSuite(t, profile, "-capture="+pcap, "-shard=1/2"), runSuite(t, profile, "-capture="+pcap, "-shard=2/2")
		conformant(t, first)
		if got := second.failed(); !slices.Equal(got, []string{"7.2.1-02"}) {
			t.Errorf("shard 2/2: expected bob's 7.2.1-02 to fail only, saw %v", got)
		}
		union := slices.Sorted(slices.Values(append(frameRows(first), frameRows(second)...)))
		if want := frameRows(whole); !slices.Equal(union, want) {
			t.Errorf("expected the shards' rows to be the whole run's\n  %s\nsaw\n  %s", strings.Join(want, "\n  "), strings.Join(union, "\n  "))
		}
		if _, err := os.Stat(filepath.Join(whole.dir, "captures", "index.json")); err == nil {
			t.Errorf("expected no captures/ for a pcapng without -write-captures")
		}
	})
	t.Run("bob by address", func(t *testing.T) {
		o := runSuite(t, profile, "-capture="+pcap, "-client=192.0.2.8")
		if got := o.failed(); !slices.Equal(got, []string{"7.2.1-02"}) {
			t.Fatalf("expected only 7.2.1-02 to fail, saw %v", got)
		}
	})
}

// One raw request file is a run of one request, named by its file; its bytes are in
// captures/ for the report's links.
func TestCaptureSingleFile(t *testing.T) {
	const profile = "fixtures/profiles/plain-publish.yaml"
	live := runSuite(t, profile)
	var file string
	for _, m := range captureIndex(t, live.dir) {
		if m.Method == "PUBLISH" {
			file = filepath.Join(live.dir, "captures", m.Name)
		}
	}
	o := runSuite(t, profile, "-capture="+file)
	if o.exit != 0 || o.verdicts()["7.2.2-15"] != verdict.Pass {
		t.Fatalf("expected the PUBLISH to pass 7.2.2-15 and exit 0, saw exit %d\n%s", o.exit, o.describe("7.2.2-15"))
	}
	for _, r := range o.Results {
		if r.Requirement == "7.2.2-15" && r.Message != filepath.Base(file) {
			t.Errorf("expected 7.2.2-15 about %s, saw %q", filepath.Base(file), r.Message)
		}
	}
	if b, err := os.ReadFile(filepath.Join(o.dir, "captures", filepath.Base(file))); err != nil || len(b) == 0 {
		t.Errorf("expected the request's bytes in captures/: %v", err)
	}
}

// A capture cut short is judged up to the cut, with a note naming the damage, and the
// same exit status rules.
func TestCaptureDamaged(t *testing.T) {
	const profile = "fixtures/profiles/plain-register.yaml"
	live := runSuite(t, profile, "-client-args=--transport tcp")
	b, err := os.ReadFile(filepath.Join(live.dir, "run.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcapng")
	if err := os.WriteFile(cut, b[:len(b)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	o := runSuite(t, profile, "-capture="+cut)
	if o.verdicts()["7.2.1-01"] != verdict.Pass {
		t.Errorf("expected the REGISTERs before the cut judged, saw 7.2.1-01 %s\n%s", o.verdicts()["7.2.1-01"], o.describe())
	}
	html, err := os.ReadFile(filepath.Join(o.dir, "report.html"))
	if err != nil || !strings.Contains(string(html), "truncated capture") {
		t.Errorf("expected report.html to note the truncated capture (%v)", err)
	}
}
