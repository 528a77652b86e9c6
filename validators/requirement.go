package validators

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mcptt-conformance/mcptt-conformance/profile"
	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
)

// MCPTTICSI is the IMS communication service identifier of MCPTT (TS 24.379 7.2.1).
const MCPTTICSI = "urn:urn-7:3gpp-service.ims.icsi.mcptt"

// Requirement is one row of the catalogue, as data: its ID, its clause, a short title,
// the text of the statement it checks, the declared options under which it applies,
// what it is judged over, and its check.
type Requirement struct {
	ID     string
	Clause string
	Title  string
	Text   string
	// Applies says under which declared options the requirement applies; the zero
	// value applies to every run.
	Applies Applies
	// Over is what the requirement is judged over: each request of a kind, or the run.
	Over Scope
	// Check judges one request of Over (every scope but TheRun).
	Check func(*judgement, *Run, *Request)
	// CheckRun judges the run as a whole (Over is TheRun).
	CheckRun func(*judgement, *Run)
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
	return q.judge(r)
}

// judge is the one driver of every requirement: a requirement whose options the
// profile does not declare does not apply, with the reason; otherwise the check sees
// each request of the scope, or the run; a scope with no request is the scope's
// verdict for nothing seen; rows that found nothing to judge give way to those that
// did.
func (q Requirement) judge(r *Run) []verdict.Result {
	if why := q.Applies.to(r.Profile); why != "" {
		return notApplicable(why)
	}
	var j judgement
	if q.Over == TheRun {
		q.CheckRun(&j, r)
		return j
	}
	r.each(q.Over, q.ID, func(req *Request) {
		if why := q.Over.voidFor(req); why != "" {
			j.notApplicable(req, why)
			return
		}
		q.Check(&j, r, req)
	})
	if len(j) == 0 {
		return q.Over.nothingSeen(r)
	}
	return dropNotApplicable(j)
}

// dropNotApplicable keeps the rows that judged something; when none did, one row says so.
func dropNotApplicable(j judgement) []verdict.Result {
	if !slices.ContainsFunc(j, func(r verdict.Result) bool { return r.Verdict == verdict.NotApplicable }) {
		return j
	}
	var kept []verdict.Result
	for _, r := range j {
		if r.Verdict != verdict.NotApplicable {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		var names []string
		for _, r := range j {
			names = append(names, r.Message)
		}
		return only(verdict.NotApplicable, strings.Join(names, ", "), j[0].Detail)
	}
	return kept
}

// Applies is the part of the client's declared options a requirement depends on.
type Applies struct {
	// Authz is the way of service authorisation the requirement is about; the zero
	// value is either.
	Authz      profile.Authorisation
	Migration  migration
	Protection protection
	// Continuity: the requirement applies only when the client declares MCPTT
	// service continuity support.
	Continuity bool
}

// to tells whether a requirement applies to the profile's declared options: "" when
// it does, or every reason it does not. Each reason is a whole explanation, a constant
// for the options a valid profile can declare, so that a requirement that does not
// apply for one reason costs no allocation, and one for several reasons costs one.
func (a Applies) to(p *profile.Profile) string {
	var why [4]string
	n := 0
	for _, reason := range [...]string{a.authzReason(p), a.Migration.reason(p.Migration), a.Protection.reason(p), a.continuityReason(p)} {
		if reason == "" {
			continue
		}
		if n > 0 {
			reason = strings.TrimPrefix(reason, notApplies)
		}
		why[n] = reason
		n++
	}
	return strings.Join(why[:n], "; ")
}

// notApplies starts every explanation of a requirement that does not apply.
const notApplies = "does not apply: "

func (a Applies) authzReason(p *profile.Profile) string {
	switch {
	case a.Authz == "" || a.Authz == p.Authz:
		return ""
	case a.Authz == profile.ByRegister && p.Authz == profile.ByPublish:
		return notApplies + "the profile declares service authorisation by PUBLISH, not REGISTER"
	case a.Authz == profile.ByPublish && p.Authz == profile.ByRegister:
		return notApplies + "the profile declares service authorisation by REGISTER, not PUBLISH"
	}
	return notApplies + "the profile declares service authorisation by " + p.Authz.Method() + ", not " + a.Authz.Method()
}

func (a Applies) continuityReason(p *profile.Profile) string {
	if !a.Continuity || p.Continuity {
		return ""
	}
	return notApplies + "the profile declares no MCPTT service continuity support (continuity: false)"
}

// migration is the part of a condition about migration service authorisation (7A.2.1).
type migration int

const (
	eitherMigration migration = iota
	noMigration               // a service authorisation run (7.2.1, 7.2.2)
	migrationOnly             // a migration run (7A.2.1)
)

func (m migration) reason(declared bool) string {
	switch {
	case m == noMigration && declared:
		return notApplies + "the run is a migration registration, judged under 7A.2.1"
	case m == migrationOnly && !declared:
		return notApplies + "the run is not a migration registration (7A.2.1)"
	}
	return ""
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

func (pr protection) reason(p *profile.Profile) string {
	switch {
	case pr.holds(p.Confidentiality, p.Integrity):
		return ""
	case p.Confidentiality && p.Integrity:
		return notApplies + "confidentiality protection is on and integrity protection is on"
	case p.Confidentiality:
		return notApplies + "confidentiality protection is on and integrity protection is off"
	case p.Integrity:
		return notApplies + "confidentiality protection is off and integrity protection is on"
	}
	return notApplies + "confidentiality protection is off and integrity protection is off"
}

// Scope is what a requirement is judged over.
type Scope int

// The scopes.
const (
	// EachRegistration: each REGISTER that registers (not a log-off, not a
	// de-registration).
	EachRegistration Scope = iota
	// EachRegisterReceived: every REGISTER, log-offs and de-registrations included,
	// those that cannot be read as SIP, and the bytes of no recognisable method that
	// wellFormednessRequirement gives to the requirement: what well-formedness is judged over.
	EachRegisterReceived
	// EachLogoff: each re-REGISTER that logs off from MCPTT (7.2.1 NOTE 1).
	EachLogoff
	// EachPublish: each PUBLISH.
	EachPublish
	// EachServicePublish: each PUBLISH of the service settings; a refresh or a
	// removal (RFC 3903 4.3, 4.5) carries none, so it is not applicable to them, with
	// the reason.
	EachServicePublish
	// EachPublishReceived: every PUBLISH, those that cannot be read as SIP, and the
	// bytes wellFormednessRequirement gives to the requirement.
	EachPublishReceived
	// EachBodied: every readable REGISTER and PUBLISH, with or without a body.
	EachBodied
	// TheRun: the run as a whole (Requirement.CheckRun).
	TheRun
)

// each visits the requests of a scope in arrival order; id is the requirement, for
// the bytes wellFormednessRequirement gives it.
func (r *Run) each(s Scope, id string, visit func(*Request)) {
	switch s {
	case EachRegisterReceived:
		r.eachReceived("REGISTER", id, visit)
	case EachPublishReceived:
		r.eachReceived("PUBLISH", id, visit)
	default:
		for _, q := range r.Requests {
			if s.holds(q) {
				visit(q)
			}
		}
	}
}

// holds tells whether a request is in a scope that takes readable requests only (a
// third-party REGISTER is in none: the REGISTER it carries is).
func (s Scope) holds(q *Request) bool {
	if q.SIP == nil || q.Embedded != nil {
		return false
	}
	switch s {
	case EachRegistration:
		return q.SIP.Method == "REGISTER" && q.Kind == Registration
	case EachLogoff:
		return q.SIP.Method == "REGISTER" && q.Kind == Logoff
	case EachPublish, EachServicePublish:
		return q.SIP.Method == "PUBLISH"
	}
	return s == EachBodied
}

// voidFor is why a request of the scope is not one the requirement judges: a refresh
// or removal PUBLISH under EachServicePublish; "" for the rest.
func (s Scope) voidFor(q *Request) string {
	if s != EachServicePublish {
		return ""
	}
	switch q.Publication {
	case Refresh:
		return notApplies + "a refresh PUBLISH (SIP-If-Match, no body, RFC 3903 4.3) carries no service settings"
	case Removal:
		return notApplies + "a removal PUBLISH (SIP-If-Match, Expires 0, RFC 3903 4.5) carries no service settings"
	}
	return ""
}

// eachReceived visits what well-formedness under requirement id is judged over: the
// captures that start like a request of method but cannot be read as SIP, the bytes of
// no recognisable method that wellFormednessRequirement gives to id, then every readable request
// of method.
func (r *Run) eachReceived(method, id string, visit func(*Request)) {
	for _, q := range r.Requests {
		if q.SIP == nil && q.Capture.Method == method {
			visit(q)
		}
	}
	for _, q := range r.Requests {
		if m := q.Capture.Method; q.SIP == nil && m != "REGISTER" && m != "PUBLISH" && wellFormednessRequirement(r.Profile, m) == id {
			visit(q)
		}
	}
	for _, q := range r.Requests {
		if q.SIP != nil && q.SIP.Method == method {
			visit(q)
		}
	}
}

// nothingSeen is the verdict of a requirement that applies but whose scope holds no
// request: inconclusive, except that a log-off the profile does not declare and
// the run does not hold leaves 7.2.1 NOTE 1 not applicable.
func (s Scope) nothingSeen(r *Run) []verdict.Result {
	switch s {
	case EachLogoff:
		if !r.Profile.Logoff {
			return notApplicable("does not apply: the profile declares no log-off during the run (logoff: false) and none was seen")
		}
		return []verdict.Result{{Verdict: verdict.Inconclusive, Message: "run",
			Detail:   "the profile declares a log-off during the run, but no re-REGISTER without the MCPTT tags followed an accepted registration",
			Expected: "a re-REGISTER that logs off from MCPTT (logoff: true)", Actual: "none after an accepted registration"}}
	case EachPublish, EachServicePublish, EachPublishReceived:
		return noneArrived("PUBLISH")
	case EachBodied:
		return noneArrived("readable REGISTER or PUBLISH")
	}
	return noneArrived("REGISTER")
}

// judgement builds the rows of one requirement.
type judgement []verdict.Result

// problem is one specific fault: what was expected, what was seen instead, and the
// line of the request it is on (0 when none). Its fields are those of sipmsg.Problem
// and xmldoc.Problem, so that either converts to it.
type problem struct {
	Expected, Actual string
	Line             int
}

func (p problem) String() string { return "expected " + p.Expected + ", saw " + p.Actual }

func (j *judgement) add(res verdict.Result, line int) {
	if line > 0 {
		res.Evidence = map[string]any{"line": line}
	}
	*j = append(*j, res)
}

// inParts names, in the evidence of the last row, the body parts it is about by their
// path (multipart.Part.Path: "2.1" is the first part of the multipart that is part 2).
func (j *judgement) inParts(parts ...multipart.Part) {
	last := &(*j)[len(*j)-1]
	if last.Evidence == nil {
		last.Evidence = map[string]any{}
	}
	var paths []string
	for _, p := range parts {
		paths = append(paths, p.Name())
	}
	last.Evidence["parts"] = paths
}

func (j *judgement) pass(q *Request, detail string) {
	j.add(verdict.Result{Verdict: verdict.Pass, Message: q.Name(), Detail: detail}, 0)
}

// passf is a pass row whose detail is formatted.
func (j *judgement) passf(q *Request, format string, a ...any) { j.pass(q, fmt.Sprintf(format, a...)) }

// fail is a fail row whose detail is "expected …, saw …".
func (j *judgement) fail(q *Request, line int, expected, actual string) {
	p := problem{Expected: expected, Actual: actual, Line: line}
	j.failWith(q, p, p.String())
}

// failWith is a fail row for a problem with a detail that says more: several
// problems, or where in the request they are.
func (j *judgement) failWith(q *Request, p problem, detail string) {
	j.add(verdict.Result{Verdict: verdict.Fail, Message: q.Name(), Detail: detail, Expected: p.Expected, Actual: p.Actual}, p.Line)
}

func (j *judgement) inconclusive(q *Request, format string, a ...any) {
	j.add(verdict.Result{Verdict: verdict.Inconclusive, Message: q.Name(), Detail: fmt.Sprintf(format, a...)}, 0)
}

func (j *judgement) notApplicable(q *Request, why string) {
	j.add(verdict.Result{Verdict: verdict.NotApplicable, Message: q.Name(), Detail: why}, 0)
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
	readingTagsSplit       = "the MCPTT ICSI and +g.3gpp.mcptt on different contacts of one REGISTER (7.2.1 asks for both in the Contact header field; RFC 3840 9 has feature tags describe the contact they are on)"
	readingXMLEncoded      = "an XML body part under a Content-Transfer-Encoding, decoded (RFC 2045 6; SIP sends bodies as binary, RFC 3261 7.4)"
)

// lenient passes a reading that facts.md section 0 accepts as lenient, naming it and
// what was seen; under --strict it fails.
func (j *judgement) lenient(r *Run, q *Request, line int, reading, seen string) {
	if r.Strict {
		j.failWith(q, problem{Expected: "the preferred reading, not the lenient one (--strict): " + reading, Actual: seen, Line: line},
			fmt.Sprintf("%s: %s (a lenient reading, refused by --strict)", reading, seen))
		return
	}
	j.pass(q, reading+": "+seen+" (accepted as a lenient reading; --strict refuses it)")
}

// only returns a single run-level row.
func only(v verdict.Verdict, message, detail string) []verdict.Result {
	return []verdict.Result{{Verdict: v, Message: message, Detail: detail}}
}

func notApplicable(why string) []verdict.Result { return only(verdict.NotApplicable, "run", why) }

// noneArrived is the verdict of a requirement whose condition holds but whose request
// never came.
func noneArrived(what string) []verdict.Result {
	return []verdict.Result{{Verdict: verdict.Inconclusive, Message: "run",
		Detail:   fmt.Sprintf("no %s arrived during the run, so nothing could be judged", what),
		Expected: "a " + what + " to judge", Actual: "none arrived during the run"}}
}
