package main

import (
	"testing"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/server"
)

// A small burst against the fake server: every REGISTER answered, each client's
// REGISTER captured once per transport share.
func TestLoadAgainstTheServer(t *testing.T) {
	store, err := capture.NewSpooledStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(store)
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := run(s.Addr("udp").String(), "mcptt.example.com", "urn:uuid:1", 40, 3, 7, 0); err != nil {
		t.Fatal(err)
	}
	if n := store.Count("REGISTER"); n != 40 {
		t.Errorf("expected 40 REGISTERs captured, saw %d", n)
	}
}

func TestShareCoversEveryRequestOnce(t *testing.T) {
	for _, c := range []struct{ n, workers int }{{10, 3}, {5000, 1250}, {3, 7}} {
		next := 0
		for i := range c.workers {
			first, last := share(c.n, c.workers, i)
			if first != next || last < first {
				t.Fatalf("%d over %d: worker %d gets [%d, %d), expected it to start at %d", c.n, c.workers, i, first, last, next)
			}
			next = last
		}
		if next != c.n {
			t.Errorf("%d over %d: the shares end at %d", c.n, c.workers, next)
		}
	}
}
