package validators

import (
	"fmt"
	"strings"
	"sync"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// MCPTTICSI is the IMS communication service identifier of MCPTT (TS 24.379 7.2.1).
const MCPTTICSI = "urn:urn-7:3gpp-service.ims.icsi.mcptt"

// Requirement is one row of the catalogue: its ID, its clause, a short title, the text of
// the statement it checks, and the check.
type Requirement struct {
	ID     string
	Clause string
	Title  string
	Text   string
	Check  func(*Run) []verdict.Result
}

// Catalogue lists every requirement in the order of requirements.md. The slice is
// shared: callers must not change it.
func Catalogue() []Requirement { return catalogue() }

var catalogue = sync.OnceValue(func() []Requirement {
	var all []Requirement
	for _, c := range [][]Requirement{clause721, clause722, clause7A21, clauseMIME} {
		all = append(all, c...)
	}
	return all
})

// Lookup finds a requirement by ID.
func Lookup(id string) (Requirement, bool) {
	for _, r := range catalogue() {
		if r.ID == id {
			return r, true
		}
	}
	return Requirement{}, false
}

// Judge runs one requirement over a run. A check that panics on hostile input gives an
// error verdict naming the panic instead of stopping the run.
func (q Requirement) Judge(r *Run) (rs []verdict.Result) {
	defer func() {
		if p := recover(); p != nil {
			rs = []verdict.Result{{Verdict: verdict.Error, Message: "run",
				Detail: fmt.Sprintf("the check itself failed (a suite defect, please report it): %v", p)}}
		}
		for i := range rs {
			rs[i].Requirement, rs[i].Clause = q.ID, q.Clause
		}
	}()
	return q.Check(r)
}

// judgement builds the rows of one requirement.
type judgement []verdict.Result

func (j *judgement) add(v verdict.Verdict, message, detail string, line int) {
	res := verdict.Result{Verdict: v, Message: message, Detail: detail}
	if line > 0 {
		res.Evidence = map[string]any{"line": line}
	}
	*j = append(*j, res)
}

func (j *judgement) pass(q *Request, format string, a ...any) {
	j.add(verdict.Pass, q.Name(), fmt.Sprintf(format, a...), 0)
}

func (j *judgement) fail(q *Request, line int, format string, a ...any) {
	j.add(verdict.Fail, q.Name(), fmt.Sprintf(format, a...), line)
}

func (j *judgement) inconclusive(q *Request, format string, a ...any) {
	j.add(verdict.Inconclusive, q.Name(), fmt.Sprintf(format, a...), 0)
}

// The lenient readings of facts.md section 0 that the checks accept and --strict
// refuses, one named constant each, so that a reading changes in one place when the
// primary text is read. (The XML protection readings are xmlprotect.Reading values;
// the ECCSI signature coverage is mikey.CoverageWithoutHeader.)
const (
	readingBooleanValue    = "the g.3gpp.mcptt boolean written out as a value"
	readingICSIUnencoded   = "g.3gpp.icsi-ref holds the MCPTT ICSI but not percent-encoded (RFC 3840 tag-value syntax has no ':')"
	readingPublishHeaders  = "a 7.2.1A header rule known only from secondary sources is not followed"
	readingNoContentLength = "no Content-Length over UDP: the body runs to the end of the datagram (RFC 3261 18.3)"
	readingMIKEYBase64     = "the application/mikey body is base64 text rather than raw binary"
	readingBareLF          = "a line of the start line or header section ends in a bare LF (RFC 3261 7 writes CRLF; 7.5 asks receivers to be robust)"
)

// lenient passes a reading that facts.md section 0 accepts as lenient, naming it and
// what was seen; under --strict it fails.
func (j *judgement) lenient(r *Run, q *Request, line int, reading, seen string) {
	if r.Strict {
		j.fail(q, line, "%s: %s (a lenient reading, refused by --strict)", reading, seen)
		return
	}
	j.pass(q, "%s: %s (accepted as a lenient reading; --strict refuses it)", reading, seen)
}

// only returns a single run-level row.
func only(v verdict.Verdict, message, detail string) []verdict.Result {
	return []verdict.Result{{Verdict: v, Message: message, Detail: detail}}
}

func notApplicable(why string) []verdict.Result { return only(verdict.NotApplicable, "run", why) }

func notTested(why string) []verdict.Result { return only(verdict.NotTested, "run", why) }

// noneArrived is the verdict of a requirement whose condition holds but whose request
// never came.
func noneArrived(what string) []verdict.Result {
	return only(verdict.Inconclusive, "run", fmt.Sprintf("no %s arrived during the run, so nothing could be judged", what))
}

// protection is the part of a condition about confidentiality and integrity.
type protection int

const (
	anyProtection protection = iota
	plaintext                // !conf, !integ
	protected                // conf or integ
	confOn                   // conf
	confOff                  // !conf
	integOn                  // integ
	integOnly                // !conf, integ
)

func (pr protection) holds(conf, integ bool) bool {
	switch pr {
	case plaintext:
		return !conf && !integ
	case protected:
		return conf || integ
	case confOn:
		return conf
	case confOff:
		return !conf
	case integOn:
		return integ
	case integOnly:
		return !conf && integ
	}
	return true
}

// condition tells whether the declared options make a requirement apply: "" when they
// do, or the reason they do not. authz "" and migration nil mean "either".
func (r *Run) condition(authz string, migration *bool, pr protection) string {
	p := r.Profile
	key := conditionKey{authz, migration != nil, migration != nil && *migration, pr,
		p.Authz, p.Migration, p.Confidentiality, p.Integrity}
	if why, ok := explanations.Load(key); ok {
		return why.(string)
	}
	why := r.explain(authz, migration, pr)
	explanations.Store(key, why)
	return why
}

// conditionKey is a condition and the declared options it depends on.
type conditionKey struct {
	authz                  string
	hasMigration, migrates bool
	pr                     protection

	declaredAuthz                                  string
	declaredMigration, declaredConf, declaredInteg bool
}

// explanations caches each condition's explanation: there are a few dozen of them, and
// every run of every request asks for them.
var explanations sync.Map

func (r *Run) explain(authz string, migration *bool, pr protection) string {
	p := r.Profile
	var why []string
	if authz != "" && p.Authz != authz {
		why = append(why, "the profile declares service authorisation by "+strings.ToUpper(p.Authz)+", not "+strings.ToUpper(authz))
	}
	if migration != nil && *migration != p.Migration {
		why = append(why, "migration is "+onOff(p.Migration))
	}
	if !pr.holds(p.Confidentiality, p.Integrity) {
		why = append(why, "confidentiality protection is "+onOff(p.Confidentiality)+" and integrity protection is "+onOff(p.Integrity))
	}
	if len(why) == 0 {
		return ""
	}
	return "does not apply: " + strings.Join(why, "; ")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

var (
	yes = func() *bool { b := true; return &b }()
	no  = func() *bool { b := false; return &b }()
)
