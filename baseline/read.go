package baseline

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// LineError is what is wrong with a baseline file, and where.
type LineError struct {
	Line    int
	Problem string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Problem) }

// dateLayout is how until is written.
const dateLayout = "2006-01-02"

// entryFields are the fields of an entry, in the order Write writes them.
var entryFields = []string{"requirement", "message", "client", "detail", "reason", "until"}

// Read reads a baseline file. knownIDs tells whether a requirement ID is in the
// catalogue; today is the day an entry's until is held against. Every problem is
// reported, each a *LineError naming its line: a file that is not YAML or not of the
// format, an unknown field, an unknown requirement ID, an entry without requirement,
// message or reason, a message written as a capture
// name instead of its stable form, the same failure twice, an until that is not a
// date or is past.
func Read(r io.Reader, knownIDs func(string) bool, today time.Time) (*Baseline, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the baseline: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("expected a YAML baseline: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, &LineError{1, "expected a mapping with requirements and known, saw an empty file"}
	}
	rd := reader{knownIDs: knownIDs, today: civil(today), seen: map[key]int{}}
	b := rd.file(doc.Content[0])
	if err := errors.Join(rd.errs...); err != nil {
		return nil, err
	}
	return b, nil
}

// reader gathers the problems of one file.
type reader struct {
	knownIDs func(string) bool
	today    time.Time
	seen     map[key]int // line of each entry's failure
	errs     []error
}

// key names one failure.
type key struct{ requirement, client, message string }

func (rd *reader) fail(n *yaml.Node, format string, a ...any) {
	rd.errs = append(rd.errs, &LineError{n.Line, fmt.Sprintf(format, a...)})
}

func (rd *reader) file(top *yaml.Node) *Baseline {
	b := &Baseline{}
	if top.Kind != yaml.MappingNode {
		rd.fail(top, "expected a mapping with requirements and known, saw %s", kind(top))
		return b
	}
	var requirements *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "requirements":
			requirements = v
			b.Requirements = rd.ids(v)
		case "known":
			b.Known = rd.entries(v)
		default:
			rd.fail(k, "expected the field requirements or known, saw %q", k.Value)
		}
	}
	if requirements == nil {
		rd.fail(top, "expected requirements, the requirement IDs of the run the baseline was written from, saw none")
	}
	return b
}

func (rd *reader) ids(n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode {
		rd.fail(n, "expected requirements to be a list of requirement IDs, saw %s", kind(n))
		return nil
	}
	var ids []string
	for _, id := range n.Content {
		if s, ok := rd.scalar(id, "a requirement ID"); ok {
			if !rd.knownIDs(s) {
				rd.fail(id, "expected a requirement ID of the catalogue, saw %q", s)
			}
			ids = append(ids, s)
		}
	}
	return ids
}

func (rd *reader) entries(n *yaml.Node) []Entry {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		rd.fail(n, "expected known to be a list of entries, saw %s", kind(n))
		return nil
	}
	var es []Entry
	for _, en := range n.Content {
		if e, ok := rd.entry(en); ok {
			es = append(es, e)
		}
	}
	return es
}

// entry reads one entry; ok is false when it is too broken to match anything.
func (rd *reader) entry(n *yaml.Node) (e Entry, ok bool) {
	e.Line = n.Line
	if n.Kind != yaml.MappingNode {
		rd.fail(n, "expected an entry with the fields %s, saw %s", strings.Join(entryFields, ", "), kind(n))
		return e, false
	}
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(entryFields, k.Value):
			rd.fail(k, "expected a field among %s, saw %q", strings.Join(entryFields, ", "), k.Value)
		case fields[k.Value] != nil:
			rd.fail(k, "expected %s once, saw it again (first at line %d)", k.Value, fields[k.Value].Line)
		default:
			fields[k.Value] = v
		}
	}
	text := func(field string) string {
		if v := fields[field]; v != nil {
			s, _ := rd.scalar(v, field+" text")
			return s
		}
		return ""
	}
	e.Requirement, e.Message, e.Client = text("requirement"), text("message"), text("client")
	e.Detail, e.Reason = text("detail"), text("reason")
	ok = true
	switch {
	case e.Requirement == "":
		rd.fail(n, "expected the entry's requirement, saw none")
		ok = false
	case !rd.knownIDs(e.Requirement):
		rd.fail(fields["requirement"], "expected a requirement ID of the catalogue, saw %q", e.Requirement)
	}
	switch {
	case e.Message == "":
		rd.fail(n, `expected the entry's message (such as REGISTER#1, a recorded file's name, or "run"), saw none`)
		ok = false
	case anyCaptureName(e.Message):
		rd.fail(fields["message"], "expected the message in its stable form such as REGISTER#1 (a capture's name changes from run to run), saw %q", e.Message)
	}
	switch reason := strings.TrimSpace(e.Reason); {
	case reason == "":
		rd.fail(n, "expected a reason why the failure is accepted, saw none")
	}
	if v := fields["until"]; v != nil {
		e.Until = rd.until(v)
	}
	if ok {
		k := key{e.Requirement, e.Client, e.Message}
		if first, dup := rd.seen[k]; dup {
			rd.fail(n, "expected each failure once, saw %s %s again (first at line %d)", e.Requirement, e.Message, first)
		} else {
			rd.seen[k] = n.Line
		}
	}
	return e, ok
}

func (rd *reader) until(n *yaml.Node) time.Time {
	s, ok := rd.scalar(n, "a date YYYY-MM-DD")
	if !ok {
		return time.Time{}
	}
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		rd.fail(n, "expected until to be a date YYYY-MM-DD, saw %q", s)
		return time.Time{}
	}
	if rd.today.After(d) {
		rd.fail(n, "expected until to be today (%s) or later, saw %s: the accepted failure has expired; look at it again", rd.today.Format(dateLayout), s)
	}
	return d
}

// scalar reads a single value; what names what was expected.
func (rd *reader) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		rd.fail(n, "expected %s, saw %s", what, kind(n))
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return n.Value, true
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// civil is the calendar day of t where t is, as midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func anyCaptureName(message string) bool {
	for _, name := range strings.Split(message, separator) {
		if captureName.MatchString(name) {
			return true
		}
	}
	return false
}
