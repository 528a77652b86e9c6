package xmldoc

import "testing"

// Value takes the white-space rule from the element's schema type (XML Schema Part 2,
// 4.3.6): xs:string keeps every character, the collapsing types do not.
func TestValueByType(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"xs:string keeps surrounding newlines", "<mcpttString xmlns='urn:3gpp:ns:mcpttInfo:1.0'>\n tok \n</mcpttString>", "\n tok \n"},
		{"xs:string keeps CDATA as written", "<mcpttString xmlns='urn:3gpp:ns:mcpttInfo:1.0'><![CDATA[ a ]]></mcpttString>", " a "},
		{"xs:anyURI collapses", "<mcpttURI xmlns='urn:3gpp:ns:mcpttInfo:1.0'>\n  urn:uuid:1\t\n</mcpttURI>", "urn:uuid:1"},
		{"xs:boolean collapses", "<multiplex-support xmlns='urn:3gpp:mcsSettings:1.0'> true </multiplex-support>", "true"},
		{"xs:nonNegativeInteger collapses", "<user-profile-index xmlns='urn:3gpp:ns:mcpttInfo:1.0'>\r\n3 </user-profile-index>", "3"},
		{"collapse keeps single inner spaces", "<mcpttURI xmlns='urn:3gpp:ns:mcpttInfo:1.0'>a b</mcpttURI>", "a b"},
		{"collapse joins inner runs", "<mcpttURI xmlns='urn:3gpp:ns:mcpttInfo:1.0'> a \t\n b </mcpttURI>", "a b"},
		{"collapse keeps a no-break space as data", "<mcpttURI xmlns='urn:3gpp:ns:mcpttInfo:1.0'>a\u00a0b</mcpttURI>", "a\u00a0b"},
		{"a string enumeration keeps its spaces", "<answer-mode xmlns='urn:oma:params:xml:ns:poc:poc-settings'> automatic</answer-mode>", " automatic"},
		{"same local name in another namespace keeps its spaces", "<mcpttURI xmlns='urn:example'> x </mcpttURI>", " x "},
	}
	for _, tt := range tests {
		e, err := Parse([]byte(tt.body))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := e.Value(); got != tt.want {
			t.Errorf("%s: Value() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
