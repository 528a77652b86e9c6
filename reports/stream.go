package reports

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
)

// ListedRows is the number of rows up to which a run keeps every row in every report
// (today's full tables); past it, junit.xml and report.html list every fail, error and
// inconclusive row and give the other rows as counts per requirement and client, while
// verdicts.json still holds every row.
const ListedRows = 2000

// Stream writes the reports of a run whose rows are handed over as they are judged:
// every row is spooled to disk under the reports folder, once, as verdicts.json
// writes it (a file per requirement, copied into verdicts.json at Close), and only
// the counts per requirement and client and the rows the reports list are held in
// memory: every fail, error and inconclusive row, the first row of each other
// verdict per requirement and client, and every row while the run has at most
// ListedRows rows or when it has a baseline (which classifies every row).
type Stream struct {
	dir, spool string
	red        redactor
	keepAll    bool              // a baseline classifies every row: keep them all
	clauses    map[string]string // the clause of each requirement NewStream's cases name

	mu      sync.Mutex
	files   map[string]*spoolFile // per requirement
	order   []string              // requirements in order of their first row
	kept    map[string][]verdict.Result
	counts  map[string]map[string]tally // requirement → client → rows per verdict
	clients []string
	known   map[string]bool
	n       int
	err     error
	summary Summary // set by Close
}

// Summary is what a closed Stream's reports say of the run as a whole, for the
// console: rows per verdict, the outcome, and the lines of its baseline's
// classification (none without a baseline).
type Summary struct {
	Counts        map[verdict.Verdict]int
	Outcome       verdict.Outcome
	BaselineLines []string
}

// Summary is the run's summary, once Close has written the reports.
func (s *Stream) Summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.summary
}

// tally counts rows per verdict.
type tally map[verdict.Verdict]int

// spoolFile holds one requirement's rows as verdicts.json writes them (see rowWriter),
// in the order they came; mu serialises the writes to it.
type spoolFile struct {
	mu sync.Mutex
	f  *os.File
	w  *bufio.Writer
}

// NewStream starts the reports of run r in dir (created if needed). r's Secrets are
// redacted from every row as it is added, and a row without a clause takes the clause
// of its requirement's case in r.Cases (or, when no case names it, the part of its ID
// before the last '-'); the rest of r is read at Close.
func NewStream(dir string, r Run) (*Stream, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("reports folder: %w", err)
	}
	spool, err := os.MkdirTemp(dir, ".rows-")
	if err != nil {
		return nil, fmt.Errorf("reports spool: %w", err)
	}
	clauses := map[string]string{}
	for _, c := range r.Cases {
		clauses[c.ID] = c.clauseOf()
	}
	return &Stream{dir: dir, spool: spool, red: newRedactor(r.Secrets, r.ShowSecrets), keepAll: r.Baseline != nil,
		clauses: clauses, files: map[string]*spoolFile{}, kept: map[string][]verdict.Result{},
		counts: map[string]map[string]tally{}, known: map[string]bool{}}, nil
}

// Add hands rows of any requirement and client, in any order, to the reports. It is
// safe for concurrent use: each row is redacted and encoded in the caller's goroutine,
// and only the spooling of the encoded rows, one write per requirement, and their
// counts are serialised. An unknown verdict word becomes an error row that names it.
func (s *Stream) Add(rs ...verdict.Result) error {
	b := batches.Get().(*batch)
	defer batches.Put(b)
	defer b.reset()
	for _, res := range rs {
		res, ev := s.red.row(knownVerdict(res))
		if err := b.add(s.withClause(res), ev); err != nil {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.err = cmp.Or(s.err, err)
			return s.err
		}
		if b.size >= batchBytes {
			if err := s.commit(b); err != nil {
				return err
			}
			b.reset()
		}
	}
	if len(b.rows) == 0 {
		return nil
	}
	return s.commit(b)
}

// withClause is res with the clause of its requirement, when it has none.
func (s *Stream) withClause(res verdict.Result) verdict.Result {
	if res.Clause == "" {
		res.Clause = cmp.Or(s.clauses[res.Requirement], Case{ID: res.Requirement}.clauseOf())
	}
	return res
}

// batchBytes bounds the encoded rows one Add holds before it spools them, so that a
// call with a great many rows takes the lock a few times rather than holding them all
// twice, as results and as bytes.
const batchBytes = 1 << 20

// batch is the rows of one Add, redacted and encoded, grouped per requirement in the
// order their rows came; batches are reused through a pool.
type batch struct {
	rw   rowWriter
	rows []verdict.Result
	reqs []batchReq
	size int // the bytes of every requirement's rows
}

// batchReq is one requirement's rows in a batch, encoded one after the other, and
// the requirement's spool once the batch is admitted.
type batchReq struct {
	id    string
	bytes []byte
	spool *spoolFile
}

var batches = sync.Pool{New: func() any { return new(batch) }}

// add encodes a redacted row, whose evidence is ev as JSON, into the batch.
func (b *batch) add(res verdict.Result, ev []byte) error {
	i := slices.IndexFunc(b.reqs, func(r batchReq) bool { return r.id == res.Requirement })
	if i < 0 {
		i = len(b.reqs)
		b.reqs = slices.Grow(b.reqs, 1)[:i+1] // a reused batch keeps the slot's buffer
		b.reqs[i].id = res.Requirement
	}
	row, err := b.rw.appendRow(b.reqs[i].bytes, res, ev, "")
	if err != nil {
		return fmt.Errorf("reports spool: %w", err)
	}
	b.size += len(row) - len(b.reqs[i].bytes)
	b.reqs[i].bytes = row
	b.rows = append(b.rows, res)
	return nil
}

// reset empties a batch, keeping its buffers for the next rows.
func (b *batch) reset() {
	clear(b.rows) // the results' strings and evidence are not kept alive
	b.rows = b.rows[:0]
	for i := range b.reqs {
		b.reqs[i].bytes, b.reqs[i].spool = b.reqs[i].bytes[:0], nil
	}
	b.reqs = b.reqs[:0]
	b.size = 0
}

// commit counts a batch's rows under s.mu and then spools them, each requirement's
// under its spool's own lock, so that Adds writing to different requirements do not
// wait on each other.
func (s *Stream) commit(b *batch) error {
	s.mu.Lock()
	err := s.admit(b)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := b.write(); err != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.err = cmp.Or(s.err, err)
		return s.err
	}
	return nil
}

// add spools a redacted row, whose evidence is ev as JSON, and counts it; s.mu is held.
func (s *Stream) add(res verdict.Result, ev []byte) error {
	var b batch
	err := b.add(s.withClause(res), ev)
	if err == nil {
		if err = s.admit(&b); err != nil {
			return err
		}
		err = b.write()
	}
	if err != nil {
		s.err = cmp.Or(s.err, err)
		return s.err
	}
	return nil
}

// admit counts a batch's rows and finds the spool of each of its requirements, which
// it creates for a requirement's first row; s.mu is held.
func (s *Stream) admit(b *batch) error {
	if s.err != nil {
		return s.err
	}
	for i, r := range b.reqs {
		sf, ok := s.files[r.id]
		if !ok {
			f, err := os.CreateTemp(s.spool, "req-")
			if err != nil {
				s.err = fmt.Errorf("reports spool: %w", err)
				return s.err
			}
			sf = &spoolFile{f: f, w: bufio.NewWriter(f)}
			s.files[r.id] = sf
			s.order = append(s.order, r.id)
			s.counts[r.id] = map[string]tally{}
		}
		b.reqs[i].spool = sf
	}
	for _, res := range b.rows {
		s.count(res)
	}
	return nil
}

// write appends each requirement's rows of an admitted batch to its spool.
func (b *batch) write() error {
	for _, r := range b.reqs {
		r.spool.mu.Lock()
		_, err := r.spool.w.Write(r.bytes)
		r.spool.mu.Unlock()
		if err != nil {
			return fmt.Errorf("reports spool: %w", err)
		}
	}
	return nil
}

// count counts a spooled row and keeps it when the reports list it; s.mu is held.
func (s *Stream) count(res verdict.Result) {
	if !s.known[res.Client] {
		s.known[res.Client] = true
		s.clients = append(s.clients, res.Client)
	}
	t := s.counts[res.Requirement][res.Client]
	if t == nil {
		t = tally{}
		s.counts[res.Requirement][res.Client] = t
	}
	t[res.Verdict]++
	s.n++
	if s.keepAll || s.n <= ListedRows || finding(res.Verdict) || t[res.Verdict] == 1 {
		s.kept[res.Requirement] = append(s.kept[res.Requirement], res)
	}
	if s.n == ListedRows+1 && !s.keepAll {
		for id, rows := range s.kept {
			first := map[string]map[verdict.Verdict]bool{}
			s.kept[id] = slices.DeleteFunc(rows, func(r verdict.Result) bool {
				if finding(r.Verdict) {
					return false
				}
				if first[r.Client] == nil {
					first[r.Client] = map[verdict.Verdict]bool{}
				}
				seen := first[r.Client][r.Verdict]
				first[r.Client][r.Verdict] = true
				return seen
			})
		}
	}
}

// finding reports whether a row is one every report lists: a fail, an error or an
// inconclusive.
func finding(v verdict.Verdict) bool {
	return v == verdict.Fail || v == verdict.Error || v == verdict.Inconclusive
}

// Close writes junit.xml, verdicts.json and report.html from the rows added and r's
// metadata (r.Cases name the requirements in report order, with their verdicts and
// suite errors; their Results are not read), then removes the spool. A requirement
// that has rows but no case in r comes after r's cases. Each file is written under a
// temporary name and renamed when complete; an error in one does not stop the others.
func (s *Stream) Close(r Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer os.RemoveAll(s.spool)
	if s.err != nil {
		return s.err
	}
	cases := slices.Clone(r.Cases)
	in := map[string]bool{}
	for _, c := range cases {
		in[c.ID] = true
	}
	for _, id := range s.order {
		if !in[id] {
			cases = append(cases, Case{ID: id})
		}
	}
	red := newRedactor(r.Secrets, r.ShowSecrets)
	for _, c := range cases {
		worst, n := s.worst(c.ID)
		hasError := slices.ContainsFunc(s.kept[c.ID], func(res verdict.Result) bool {
			return res.Verdict == verdict.Error && res.Detail == red.str(c.Error)
		})
		if res, ok := c.verdictRow(worst, n, hasError); ok {
			if err := s.add(red.row(res)); err != nil {
				return err
			}
		}
	}
	for _, sf := range s.files {
		sf.mu.Lock() // an Add still writing its rows finishes first
		err := sf.w.Flush()
		sf.mu.Unlock()
		if err != nil {
			return fmt.Errorf("reports spool: %w", err)
		}
	}
	defer func() {
		for _, sf := range s.files {
			sf.f.Close()
		}
	}()
	v := view{p: prepareMeta(r), counts: s.counts, total: tally{}, clients: s.clients, rawOf: r.RawOf, red: red}
	v.p.Cases = make([]Case, len(cases))
	for i, c := range cases {
		worst, _ := s.worst(c.ID)
		v.p.Cases[i] = prepareCase(red, c, s.kept[c.ID], worst)
	}
	for _, byClient := range s.counts {
		for _, t := range byClient {
			for vd, n := range t {
				v.total[vd] += n
			}
		}
	}
	s.summary = Summary{Counts: map[verdict.Verdict]int{}}
	if r.Baseline != nil {
		classified := Run{Cases: v.p.Cases, Baseline: r.Baseline, Awaited: r.Awaited, Arrived: r.Arrived}
		v.g = classified.gate()
		s.summary.BaselineLines = classified.BaselineLines()
	} else {
		v.g = gate{Outcome: outcomeOf(v.total, r.Awaited, r.Arrived)}
	}
	s.summary.Outcome = v.g.Outcome
	for _, vd := range verdict.All {
		s.summary.Counts[vd] = v.total[vd]
	}
	v.links = newLinker(v.p)
	rows := v.listedRows // a baseline keeps every row, each with its class
	if r.Baseline == nil {
		rows = func(w io.Writer) (bool, error) { return s.copySpools(w, v.p.Cases) }
	}
	return errors.Join(
		writeFile(s.dir, "junit.xml", func(w io.Writer) error { return writeJUnit(w, v) }),
		writeFile(s.dir, "verdicts.json", func(w io.Writer) error { return writeJSON(w, v, rows) }),
		writeFile(s.dir, "report.html", func(w io.Writer) error { return writeHTML(w, v) }),
	)
}

// copySpools writes the spooled rows of the cases, in case order, as verdicts.json's
// results (the first without the comma that would separate it from a row before), and
// reports whether there was any.
func (s *Stream) copySpools(w io.Writer, cases []Case) (bool, error) {
	wrote := false
	for _, c := range cases {
		sf, ok := s.files[c.ID]
		if !ok {
			continue
		}
		from := int64(0)
		if !wrote {
			from = 1
		}
		if _, err := sf.f.Seek(from, io.SeekStart); err != nil {
			return wrote, fmt.Errorf("reports spool: %w", err)
		}
		if _, err := io.Copy(w, sf.f); err != nil {
			return true, fmt.Errorf("reports spool: %w", err)
		}
		wrote = true
	}
	return wrote, nil
}

// worst is the worst verdict of a requirement's rows, and their number.
func (s *Stream) worst(id string) (verdict.Verdict, int) {
	var vs []verdict.Verdict
	n := 0
	for _, t := range s.counts[id] {
		for vd, k := range t {
			vs = append(vs, vd)
			n += k
		}
	}
	return verdict.Worst(vs...), n
}

// outcomeOf is verdict.OutcomeOf over rows counted per verdict: it depends only on
// which verdicts occur, so one row of each stands for them all.
func outcomeOf(t tally, awaited, arrived verdict.Requests) verdict.Outcome {
	var rows []verdict.Result
	for _, v := range verdict.All {
		if t[v] > 0 {
			rows = append(rows, verdict.Result{Verdict: v})
		}
	}
	return verdict.OutcomeOf(rows, awaited, arrived)
}

// writeFile writes dir/name through a temporary file, renamed when write succeeds.
func writeFile(dir, name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(dir, "."+name+"-")
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<16)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
