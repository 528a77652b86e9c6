package server

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// The named differences between the server's answer and the judge's well-formedness
// verdict under --strict (7.2.1-01, 7.2.2-15, 7A.2.1-01); any other is a test failure.
const (
	diffBareLF      = "bare LF line ends: the lenient reading the judge names (readingBareLF), refused by --strict; the server answers"
	diffMaxForwards = "no Max-Forwards: the judge fails it (RFC 3261 8.1.1); the server answers (RFC 3261 16.3 item 3)"
	diffNotARequest = "no request line, a response or an ACK: the server never answers; the judge fails what is not a request"
)

// The server answers 400 exactly when the judge's well-formedness check finds a problem,
// but for the named differences, over every SIP fixture, every fuzz corpus entry and
// hand-written broken requests.
func TestServerAnswers400ExactlyWhenTheJudgeFindsAProblem(t *testing.T) {
	inputs := append(repoInputs(t), handWritten()...)
	store, err := capture.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]int{}
	for _, in := range inputs {
		_, status := New(store).answer(&capture.Message{Raw: in.raw})
		diff, want := judged(in.raw)
		switch {
		case status == 500:
			t.Errorf("%s: gosip could not process a request the judge reads as well-formed (500)", in.name)
		case want == 0 && status != 0:
			t.Errorf("%s: %s, but the server answered %d", in.name, diffNotARequest, status)
		case want == 400 && status != 400:
			t.Errorf("%s: the judge finds %v, but the server answered %d, not 400", in.name, sipmsg.CheckRequest(mustParse(t, in.raw), ""), status)
		case want != 400 && status == 400:
			t.Errorf("%s: the judge finds the request well-formed (%s), but the server answered 400", in.name, orNone(diff))
		}
		if diff != "" {
			named[diff]++
		}
	}
	for _, d := range []string{diffBareLF, diffMaxForwards, diffNotARequest} {
		if named[d] == 0 {
			t.Errorf("no input exercised the named difference %q", d)
		}
		t.Logf("%d inputs: %s", named[d], d)
	}
	t.Logf("%d inputs in all", len(inputs))
}

// judged returns the named difference an input shows, if any, and the status the
// server should answer it with: 0 for none, 400, or -1 for anything but 400.
func judged(raw []byte) (diff string, status int) {
	msg, err := sipmsg.Parse(raw)
	if err != nil || !msg.IsRequest || msg.Method == "ACK" {
		return diffNotARequest, 0
	}
	probs := sipmsg.CheckRequest(msg, "")
	switch {
	case len(probs) == 1 && len(msg.Get("max-forwards")) == 0:
		return diffMaxForwards, -1
	case len(probs) > 0:
		return "", 400
	case msg.BareLF > 0:
		return diffBareLF, -1
	}
	return "", -1
}

func orNone(s string) string {
	if s == "" {
		return "no named difference"
	}
	return s
}

func mustParse(t *testing.T, raw []byte) *sipmsg.Message {
	m, err := sipmsg.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type input struct {
	name string
	raw  []byte
}

// repoInputs are every *.sip file of the repository and every entry of its Go fuzz
// corpora (testdata/fuzz/FuzzX/*).
func repoInputs(t *testing.T) []input {
	var ins []input
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			return err
		}
		isCorpus := filepath.Base(filepath.Dir(filepath.Dir(path))) == "fuzz"
		if !strings.HasSuffix(path, ".sip") && !isCorpus {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !isCorpus {
			ins = append(ins, input{path, b})
			return nil
		}
		values, err := corpusEntry(b)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		}
		for i, v := range values {
			ins = append(ins, input{path + "#" + strconv.Itoa(i), v})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) == 0 {
		t.Fatal("expected SIP fixtures and fuzz corpora in the repository, found none")
	}
	return ins
}

// corpusEntry decodes a Go fuzz corpus file: "go test fuzz v1", then one Go-quoted
// value per line, []byte("…") or string("…").
func corpusEntry(b []byte) ([][]byte, error) {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != "go test fuzz v1" {
		return nil, corpusError("a first line \"go test fuzz v1\"", lines[0])
	}
	var values [][]byte
	for _, l := range lines[1:] {
		var quoted string
		for _, prefix := range []string{"[]byte(", "string("} {
			if rest, ok := strings.CutPrefix(l, prefix); ok {
				quoted = strings.TrimSuffix(rest, ")")
			}
		}
		v, err := strconv.Unquote(quoted)
		if err != nil {
			return values, corpusError(`[]byte("…") or string("…")`, l)
		}
		values = append(values, []byte(v))
	}
	return values, nil
}

func corpusError(expected, saw string) error {
	return sipmsg.Problem{Expected: expected, Actual: strconv.Quote(saw)}
}

// handWritten are broken and borderline requests, and the inputs that exercise each
// named difference.
func handWritten() []input {
	ok := request("REGISTER", "SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1", "REGISTER")
	edit := func(old, new string) []byte { return []byte(strings.Replace(ok, old, new, 1)) }
	return []input{
		{"well-formed", []byte(ok)},
		{"bare LF", []byte(strings.ReplaceAll(ok, "\r\n", "\n"))},
		{"one bare LF", edit("Max-Forwards: 70\r\n", "Max-Forwards: 70\n")},
		{"no Max-Forwards", edit("Max-Forwards: 70\r\n", "")},
		{"garbage", []byte("\x00\xff not SIP \r\n\r\n")},
		{"a response", []byte("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n")},
		{"ACK without Via", []byte(strings.Replace(request("ACK", "x", "ACK"), "Via: x\r\n", "", 1))},
		{"no Via", edit("Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1\r\n", "")},
		{"no branch", edit(";branch=z9hG4bK-1", "")},
		{"branch without cookie", edit("z9hG4bK-1", "abc")},
		{"bad CSeq", edit("CSeq: 1 REGISTER", "CSeq: one REGISTER")},
		{"CSeq of another method", edit("CSeq: 1 REGISTER", "CSeq: 1 PUBLISH")},
		{"no Call-ID", edit("Call-ID: call-1\r\n", "")},
		{"two To", edit("To: <sip:alice@mcptt.example.com>\r\n", "To: <sip:alice@mcptt.example.com>\r\nTo: <sip:bob@mcptt.example.com>\r\n")},
		{"From without tag", edit(";tag=1", "")},
		{"Max-Forwards not a number", edit("Max-Forwards: 70", "Max-Forwards: seventy")},
		{"no Max-Forwards and no Call-ID", bytes.Replace(edit("Max-Forwards: 70\r\n", ""), []byte("Call-ID: call-1\r\n"), nil, 1)},
		{"NUL in a header", edit("Call-ID: call-1", "Call-ID: call\x00-1")},
		{"NUL header line", edit("Call-ID: call-1\r\n", "Call-ID: call-1\r\n\x00\r\n")},
		{"header line without colon", edit("Call-ID: call-1\r\n", "Call-ID: call-1\r\nnot a header\r\n")},
		{"lower-case version", edit("SIP/2.0\r\n", "sip/2.0\r\n")},
		{"two spaces in the request line", edit("REGISTER sip:", "REGISTER  sip:")},
		{"no empty line", []byte(strings.TrimSuffix(ok, "\r\n"))},
		{"wrong Content-Length", edit("Content-Length: 0", "Content-Length: 9")},
		{"folded Via", edit("Via: SIP/2.0/UDP 127.0.0.1:5071;", "Via: SIP/2.0/UDP\r\n 127.0.0.1:5071;")},
		{"compact names", edit("Call-ID:", "i:")},
		{"OPTIONS", []byte(request("OPTIONS", "SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1", "OPTIONS"))},
		{"INVITE", []byte(request("INVITE", "SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1", "INVITE"))},
	}
}
