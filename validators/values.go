package validators

import "strings"

// sameValue tells whether a value read from a body is the value the profile declares.
// A urn:uuid: URN compares as the UUID it names (RFC 4122 3: the hex digits are
// case-insensitive on input, and so is the "urn:uuid:" prefix, RFC 8141 3); any other
// value compares exactly, as its schema type reads it (xmldoc.Element.Value).
func sameValue(got, want string) bool {
	if got == want {
		return true
	}
	g, ok := uuidOf(got)
	if !ok {
		return false
	}
	w, ok := uuidOf(want)
	return ok && g == w
}

// uuidOf returns the UUID of a urn:uuid: URN in lower case, or false when s is not one
// (RFC 4122 3: 8-4-4-4-12 hex digits).
func uuidOf(s string) (string, bool) {
	const prefix = "urn:uuid:"
	if len(s) != len(prefix)+36 || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	u := s[len(prefix):]
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return "", false
			}
		case !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
			return "", false
		}
	}
	return strings.ToLower(u), true
}
