package xmldoc

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/lestrrat-go/libxml2/xsd"

	"github.com/mcptt-conformance/mcptt-conformance/schemas"
)

// CheckWellFormed reports whether body is a well-formed UTF-8 XML document
// whose root element is in the namespace of k (MIME-02). It reports a
// document type declaration, an encoding other than UTF-8 (a foreign byte
// order mark, invalid UTF-8 bytes or a non-UTF-8 encoding declaration), the
// first well-formedness or namespace error libxml2 finds (the parser stops
// there), and a root element in another namespace. A body that passes
// returns nil.
func CheckWellFormed(k Kind, body []byte) []Problem {
	wellFormed, _ := check(k, body, false)
	return wellFormed
}

// Validate validates body against the embedded schema of k and returns every
// error, each with its line. A body that cannot be parsed returns the reasons
// instead; a valid body returns nil. Validate is safe for concurrent use; the
// schemas are compiled on first use (see LoadSchemas).
func Validate(k Kind, body []byte) []Problem {
	_, schema := check(k, body, true)
	return schema
}

// Check returns what CheckWellFormed and Validate return, from one parse.
func Check(k Kind, body []byte) (wellFormed, schema []Problem) {
	return check(k, body, true)
}

func check(k Kind, body []byte, validate bool) (wellFormed, schema []Problem) {
	info, ok := kinds[k]
	if !ok {
		return unknownKind(k), unknownKind(k)
	}
	fatal, problems := screen(body)
	if fatal != nil {
		return append(problems, fatal...), fatal
	}
	doc, errs := readDocument(body)
	if errs != nil {
		return append(problems, errs...), errs
	}
	defer doc.free()
	space, local, line := doc.root()
	if space != info.namespace {
		saw := "no namespace"
		if space != "" {
			saw = fmt.Sprintf("namespace %q", space)
		}
		problems = append(problems, Problem{
			Expected: fmt.Sprintf("the root element in namespace %q (%s)", info.namespace, info.mediaType),
			Actual:   fmt.Sprintf("root element <%s> in %s", local, saw),
			Line:     line,
		})
	}
	if !validate {
		return problems, nil
	}
	compiled, err := loadSchemas()
	if err != nil {
		return problems, []Problem{{Expected: "the embedded schema " + info.schema + " to compile", Actual: err.Error()}}
	}
	return problems, doc.validate(compiled[k].Pointer(), "content valid against "+info.schema)
}

// LoadSchemas compiles the embedded schemas, once per process; Validate calls
// it. Calling it early, from one goroutine, surfaces a broken schema before
// any body is judged.
func LoadSchemas() error {
	_, err := loadSchemas()
	return err
}

var loadSchemas = sync.OnceValues(compileSchemas)

// compileSchemas writes the embedded schema files to a private temporary
// directory and compiles each root schema from there, so that the relative
// schemaLocation of every import resolves to an embedded file and libxml2
// never looks for one on the network. The compiled schemas keep no reference
// to the files, so the directory is removed at once. The schemas live as long
// as the process.
func compileSchemas() (map[Kind]*xsd.Schema, error) {
	dir, err := os.MkdirTemp("", "mcptt-schemas-")
	if err != nil {
		return nil, fmt.Errorf("creating a directory for the schemas: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, schemas.FS); err != nil {
		return nil, fmt.Errorf("writing the schemas: %w", err)
	}
	compiled := make(map[Kind]*xsd.Schema, len(kinds))
	for k, info := range kinds {
		s, err := xsd.ParseFromFile(filepath.Join(dir, info.schema))
		if err != nil {
			return nil, fmt.Errorf("compiling %s: %w", info.schema, err)
		}
		compiled[k] = s
	}
	return compiled, nil
}
