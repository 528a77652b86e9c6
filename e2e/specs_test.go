package e2e_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mcptt-conformance/mcptt-conformance/validators"
)

// The suite's specs are the catalogue: every requirement has exactly one spec, named
// "<ID> <Title>", labelled with its ID and (on its Describe) with clause:<its clause>,
// and no spec is labelled with an ID the catalogue lacks. A dry run's JSON report lists
// every spec without playing the server.
func TestSpecsAreTheCatalogue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "specs.json")
	cmd := exec.Command(suite, "-ginkgo.dry-run", "-ginkgo.no-color", "-ginkgo.json-report="+path, "-reports="+t.TempDir())
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("expected the dry run to succeed, saw %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rs []types.Report
	if err := json.Unmarshal(b, &rs); err != nil || len(rs) != 1 {
		t.Fatalf("expected one suite in the JSON report, saw %d (%v)", len(rs), err)
	}
	report := rs[0]
	specs := map[string]int{}
	its := 0
	for _, s := range report.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		its++
		if len(s.LeafNodeLabels) != 1 {
			t.Errorf("spec %q: expected one label, its requirement ID; saw %q", s.LeafNodeText, s.LeafNodeLabels)
			continue
		}
		id := s.LeafNodeLabels[0]
		req, ok := validators.Lookup(id)
		if !ok {
			t.Errorf("spec %q: labelled %s, which is not in the catalogue", s.LeafNodeText, id)
			continue
		}
		specs[id]++
		if want := req.ID + " " + req.Title; s.LeafNodeText != want {
			t.Errorf("spec %s: expected the name %q, saw %q", id, want, s.LeafNodeText)
		}
		var clauses []string
		for _, labels := range s.ContainerHierarchyLabels {
			for _, l := range labels {
				if strings.HasPrefix(l, "clause:") {
					clauses = append(clauses, l)
				}
			}
		}
		if len(clauses) != 1 || clauses[0] != "clause:"+req.Clause {
			t.Errorf("spec %s: expected the label clause:%s, saw %q", id, req.Clause, clauses)
		}
	}
	for _, req := range validators.Catalogue() {
		if specs[req.ID] != 1 {
			t.Errorf("requirement %s: expected exactly one spec, saw %d", req.ID, specs[req.ID])
		}
	}
	if n := len(validators.Catalogue()); its != n || report.PreRunStats.TotalSpecs != n || report.PreRunStats.SpecsThatWillRun != n {
		t.Errorf("expected the dry run to list all %d requirements' specs, saw %d reported of %d in the suite (%d to run)", n, its, report.PreRunStats.TotalSpecs, report.PreRunStats.SpecsThatWillRun)
	}
}
