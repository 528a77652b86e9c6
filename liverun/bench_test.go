package liverun_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/liverun"
	"github.com/mcptt-conformance/mcptt-conformance/profile"
)

// BenchmarkLiveRun times a whole live run of fixtures/profiles/plain-register-tls.yaml
// (the reference client registering with digest, then logging off) over TCP and over
// TLS, on free ports: the wall time a TLS run adds (certificate issued at start-up,
// handshake, key log, the TLS records in run.pcapng). The budget is 0.2 s.
//
//	go test -run '^$' -bench LiveRun -benchtime 20x ./liverun
func BenchmarkLiveRun(b *testing.B) {
	root, _ := filepath.Abs("..")
	refclient := filepath.Join(b.TempDir(), "refclient")
	if out, err := exec.Command("go", "build", "-o", refclient, "../cmd/refclient").CombinedOutput(); err != nil {
		b.Fatalf("building the reference client: %v\n%s", err, out)
	}
	for _, transport := range []string{"tcp", "tls"} {
		b.Run(transport, func(b *testing.B) {
			p, err := profile.Load(filepath.Join(root, "fixtures/profiles/plain-register-tls.yaml"))
			if err != nil {
				b.Fatal(err)
			}
			free := 0
			p.Server.Listen, p.Server.TLS.Port, p.Client.Transport = "127.0.0.1:0", &free, transport
			p.Client.Exec = refclient + ` --server {host}:{port} --transport {transport} --ca {ca_file} --mode register
				--mcptt-id {mcptt_id} --client-id {client_id} --token {access_token} --user {username} --password {password} --logoff`
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				res, err := liverun.Run(context.Background(), liverun.Config{Profile: p, CaptureDir: filepath.Join(dir, "captures"), Dir: root})
				if err != nil {
					b.Fatal(err)
				}
				if msgs := res.Clients[0].Messages; len(msgs) != 4 || msgs[0].Transport != transport || res.ClientStatus != "exit status 0" {
					b.Fatalf("expected the client's 4 REGISTERs over %s, saw %d (%s)", transport, len(msgs), res.ClientStatus)
				}
			}
		})
	}
}
