package xmldoc

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lestrrat-go/libxml2/xsd"
)

// CheckWellFormed reports whether body is a well-formed UTF-8 XML document
// whose root element is in the namespace of k (MIME-02). It reports a
// document type declaration, an encoding other than UTF-8 (a foreign byte
// order mark, invalid UTF-8 bytes or a non-UTF-8 encoding declaration), the
// first well-formedness or namespace error libxml2 finds (the parser stops
// there), and a root element in another namespace. A body that passes
// returns nil.
func CheckWellFormed(k Kind, body []byte) []Problem {
	wellFormed, _ := (*Validator)(nil).check(k, body)
	return wellFormed
}

// Validator validates bodies against a compiled set of schemas: for each Kind, the
// root schema file the Kind names, read from the file system it was made from. It is
// safe for concurrent use, and lives as long as the process.
type Validator struct {
	compiled map[Kind]*xsd.Schema
}

// Validate validates body against the schema of k and returns every error, each
// with its line. A body that cannot be parsed returns the reasons instead; a valid
// body returns nil.
func (v *Validator) Validate(k Kind, body []byte) []Problem {
	_, schema := v.check(k, body)
	return schema
}

// Check returns what CheckWellFormed and Validate return, from one parse.
func (v *Validator) Check(k Kind, body []byte) (wellFormed, schema []Problem) {
	return v.check(k, body)
}

// check parses body once; a nil Validator checks well-formedness only.
func (v *Validator) check(k Kind, body []byte) (wellFormed, schema []Problem) {
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
	if v == nil {
		return problems, nil
	}
	return problems, doc.validate(v.compiled[k].Pointer(), "content valid against "+info.schema)
}

// NewValidator compiles the root schema of every Kind from fsys, which holds the
// schema files side by side (package schemas embeds the suite's). It writes them to a
// private temporary directory and compiles each root schema from there, so that the
// relative schemaLocation of every import resolves to a file of fsys and libxml2
// never looks for one on the network. The compiled schemas keep no reference to the
// files, so the directory is removed at once.
func NewValidator(fsys fs.FS) (*Validator, error) {
	dir, err := os.MkdirTemp("", "mcptt-schemas-")
	if err != nil {
		return nil, fmt.Errorf("creating a directory for the schemas: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, fsys); err != nil {
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
	return &Validator{compiled: compiled}, nil
}
