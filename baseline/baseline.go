// Package baseline holds expected-failure baselines: the file that `mcptt-conformance
// baseline reports/verdicts.json > known.yaml` writes and `--baseline known.yaml` reads,
// and the classification of a run's rows against it (docs/baseline.md).
//
// The file is YAML:
//
//	requirements: [7.2.1-01, 7.2.1-02, 7.2.1-03]
//	known:
//	  - requirement: 7.2.1-02
//	    message: REGISTER#1 # 0001-REGISTER-udp-127.0.0.1_54321.sip
//	    client: sip:alice@example.org
//	    detail: Contact has no g.3gpp.mcptt feature tag (...)
//	    reason: vendor ticket 4711, fixed in firmware 2.3
//	    until: 2027-03-31
//
// requirements lists every requirement ID that had a result in the run the baseline was
// written from; a row of any other requirement (one added to the catalogue since) is
// classified new. known lists the accepted failures. An entry names a failure by
// requirement, client (optional: the client's address of record when the run holds
// several clients) and message in its stable form (see StableMessages): a live
// capture's name carries an arrival number and the client's source port, which change
// from run to run, so the entry names the request by method and ordinal among that
// client's requests of that method ("REGISTER#2" is the client's second REGISTER).
// detail is what the run saw, for the reader; it is not matched. reason is required:
// Write fills it with Placeholder, which Read accepts and the reports show as a reason
// still to be given. until is an
// optional date (YYYY-MM-DD): from the day after it, Read refuses the entry, so that an
// accepted failure is looked at again.
package baseline

import (
	"time"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// Placeholder is the reason Write gives every entry, for a person to replace with why
// the failure is accepted; the reports list an entry still holding it as unexplained.
const Placeholder = "TODO"

// Baseline is a read baseline file.
type Baseline struct {
	// Requirements had results in the run the baseline was written from.
	Requirements []string
	// Known are the accepted failures.
	Known []Entry
}

// Entry is one accepted failure.
type Entry struct {
	Requirement string
	// Message is the request in its stable form (StableMessages), or "run" for a row
	// about the run as a whole.
	Message string
	Client  string
	Detail  string
	Reason  string
	// Until is the last day the entry holds; zero when it holds for good.
	Until time.Time
	// Line is where the entry starts in the file.
	Line int
}

// covers tells whether the baseline knew the requirement when it was written: it had
// results then, or a person has accepted a failure of it since.
func (b *Baseline) covers(id string) bool {
	for _, r := range b.Requirements {
		if r == id {
			return true
		}
	}
	for _, e := range b.Known {
		if e.Requirement == id {
			return true
		}
	}
	return false
}

// Row is one result row of reports/verdicts.json; its Result.Client is the client's
// address of record when the run holds several clients.
type Row struct {
	Result verdict.Result
}
