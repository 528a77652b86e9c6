package ims

import (
	"strings"
	"testing"
)

// sameWords must judge as the comparison it replaced: the values with their white
// space runs made single spaces, compared without regard to case.
func TestSameWords(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"2 REGISTER", "2 REGISTER"},
		{"2 REGISTER", "2  register"},
		{" 2\tREGISTER ", "2 REGISTER"},
		{"2 REGISTER", "3 REGISTER"},
		{"2 REGISTER", "2"},
		{"2", "2 REGISTER"},
		{"", ""},
		{"", "  "},
		{"a", ""},
		{"id@host", "ID@HOST"},
		{"x\u00a0y", "x y"},
		{"x\xffy", "x\xffy"},
		{"ǅ a", "ǆ A"},
	} {
		want := strings.EqualFold(strings.Join(strings.Fields(c.a), " "), strings.Join(strings.Fields(c.b), " "))
		if got := sameWords(c.a, c.b); got != want {
			t.Errorf("sameWords(%q, %q) = %v, want %v", c.a, c.b, got, want)
		}
	}
}
