package kmscli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/kms"
)

func TestInitIssue(t *testing.T) {
	dir := t.TempDir()
	now := func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) }
	var out, errOut bytes.Buffer
	if code := Main([]string{"init", "-dir", dir, "-uri", "kms.example.com"}, &out, &errOut, now); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut.String())
	}
	if code := Main([]string{"init", "-dir", dir}, &out, &errOut, now); code != 1 {
		t.Errorf("second init over an existing KMS: exit %d, want 1", code)
	}
	if code := Main([]string{"issue", "-dir", dir, "-mdsi", "sip:mdsi@example.com", "-client", "sip:bob@example.com"}, &out, &errOut, now); code != 0 {
		t.Fatalf("issue: exit %d: %s", code, errOut.String())
	}
	kf, err := kms.ReadKeyFile(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if kf.KeyPeriodNo == nil || *kf.KeyPeriodNo != 1534 {
		t.Errorf("key period = %v, want 1534 (2026-01-15)", kf.KeyPeriodNo)
	}
	if err := kf.ValidateRSK(1534); err != nil {
		t.Errorf("RSK: %v", err)
	}
	ck, err := kms.ReadClientKeys(filepath.Join(dir, "client-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ck.UserKey(); err != nil {
		t.Errorf("client SSK/PVT: %v", err)
	}
	if !strings.Contains(ck.TestOnly, "TEST-ONLY") || !strings.Contains(kf.TestOnly, "TEST-ONLY") {
		t.Error("files do not say the keys are test-only")
	}
	if code := Main([]string{"issue", "-dir", dir, "-mdsi", "m", "-client", "c", "-period-no", "7", "-keys", filepath.Join(dir, "k7.json")}, &out, &errOut, now); code != 0 {
		t.Fatalf("issue -period-no: exit %d: %s", code, errOut.String())
	}
	if kf, err := kms.ReadKeyFile(filepath.Join(dir, "k7.json")); err != nil || *kf.KeyPeriodNo != 7 {
		t.Errorf("k7.json: %v, %v", kf, err)
	}
}

func TestUsageErrors(t *testing.T) {
	now := time.Now
	tests := []struct {
		args []string
		want int
	}{
		{nil, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"init"}, 2},
		{[]string{"issue", "-dir", "x"}, 2},
		{[]string{"--help"}, 0},
		{[]string{"issue", "-dir", t.TempDir(), "-mdsi", "m", "-client", "c"}, 1},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if code := Main(tt.args, &out, &errOut, now); code != tt.want {
			t.Errorf("%v: exit %d, want %d", tt.args, code, tt.want)
		}
	}
}
