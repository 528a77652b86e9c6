package schemas

import (
	"encoding/xml"
	"io/fs"
	"strings"
	"testing"
)

// schemaDoc is what these tests read of a schema file.
type schemaDoc struct {
	TargetNamespace string `xml:"targetNamespace,attr"`
	Imports         []struct {
		Namespace      string `xml:"namespace,attr"`
		SchemaLocation string `xml:"schemaLocation,attr"`
	} `xml:"http://www.w3.org/2001/XMLSchema import"`
	Includes []struct {
		SchemaLocation string `xml:"schemaLocation,attr"`
	} `xml:"http://www.w3.org/2001/XMLSchema include"`
}

func readSchemas(t *testing.T) map[string]schemaDoc {
	t.Helper()
	names, err := fs.Glob(FS, "*.xsd")
	if err != nil || len(names) == 0 {
		t.Fatalf("no schema files embedded: %v", err)
	}
	docs := make(map[string]schemaDoc, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatal(err)
		}
		var d schemaDoc
		if err := xml.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs[name] = d
	}
	return docs
}

// TestImportsResolveLocally checks that every import and include names an
// embedded file by a plain relative name (never a URL, so libxml2 has no
// reason to go to the network), and that the file it names has the imported
// namespace as its target.
func TestImportsResolveLocally(t *testing.T) {
	docs := readSchemas(t)
	for name, d := range docs {
		locations := map[string]string{} // schemaLocation -> expected target namespace
		for _, imp := range d.Imports {
			if imp.SchemaLocation == "" {
				t.Errorf("%s: import of %q has no schemaLocation", name, imp.Namespace)
				continue
			}
			locations[imp.SchemaLocation] = imp.Namespace
		}
		for _, inc := range d.Includes {
			locations[inc.SchemaLocation] = d.TargetNamespace
		}
		for loc, ns := range locations {
			if strings.Contains(loc, ":") || strings.Contains(loc, "/") {
				t.Errorf("%s: schemaLocation %q is not a plain file name of this package", name, loc)
				continue
			}
			target, ok := docs[loc]
			if !ok {
				t.Errorf("%s: schemaLocation %q is not embedded", name, loc)
				continue
			}
			if target.TargetNamespace != ns {
				t.Errorf("%s: %s has target namespace %q, want %q", name, loc, target.TargetNamespace, ns)
			}
		}
	}
}

func TestRootSchemas(t *testing.T) {
	docs := readSchemas(t)
	for file, ns := range map[string]string{
		"mcptt-info.xsd":   "urn:3gpp:ns:mcpttInfo:1.0",
		"poc-settings.xsd": "urn:oma:params:xml:ns:poc:poc-settings",
		"mcptt-signed.xsd": "urn:3gpp:ns:mcpttSignedDoc:1.0",
	} {
		d, ok := docs[file]
		if !ok {
			t.Errorf("root schema %s is not embedded", file)
			continue
		}
		if d.TargetNamespace != ns {
			t.Errorf("%s: target namespace %q, want %q", file, d.TargetNamespace, ns)
		}
	}
}

// TestOwnWork checks that every file says where it came from: written for
// this project, not copied.
func TestOwnWork(t *testing.T) {
	for name := range readSchemas(t) {
		b, _ := fs.ReadFile(FS, name)
		text := strings.ToLower(strings.Join(strings.Fields(string(b)), " "))
		if !strings.Contains(text, "written for mcptt-conformance") && !strings.Contains(text, "written for this project") {
			t.Errorf("%s: the header comment does not say the file was written for this project", name)
		}
	}
}
