package baseline

import (
	"io"
	"slices"

	"github.com/mcptt-conformance/mcptt-conformance/verdict"
	"gopkg.in/yaml.v3"
)

// header opens every written baseline.
const header = `Expected failures for mcptt-conformance --baseline (docs/baseline.md).
Every entry needs a reason: replace each ` + Placeholder + ` with why the failure is accepted
(the reports list an entry left so as unexplained). An entry may end on a date: add until: YYYY-MM-DD.`

// Write writes the baseline of a run: every requirement ID that has a row, and every
// fail row as an entry whose reason is the Placeholder. A message in its stable form
// carries the capture's name as a comment.
func Write(w io.Writer, rows []Row) error {
	var ids []*yaml.Node
	var seen []string
	for _, r := range rows {
		if !slices.Contains(seen, r.Result.Requirement) {
			seen = append(seen, r.Result.Requirement)
			ids = append(ids, str(r.Result.Requirement))
		}
	}
	known := &yaml.Node{Kind: yaml.SequenceNode}
	written := map[key]bool{}
	stable := StableMessages(rows)
	for i, r := range rows {
		k := key{r.Result.Requirement, r.Result.Client, stable[i]}
		if r.Result.Verdict != verdict.Fail || written[k] {
			continue
		}
		written[k] = true
		message := str(stable[i])
		if stable[i] != r.Result.Message {
			message.LineComment = "# " + r.Result.Message
		}
		entry := []*yaml.Node{str("requirement"), str(r.Result.Requirement), str("message"), message}
		if r.Result.Client != "" {
			entry = append(entry, str("client"), str(r.Result.Client))
		}
		entry = append(entry, str("detail"), str(r.Result.Detail), str("reason"), str(Placeholder))
		known.Content = append(known.Content, &yaml.Node{Kind: yaml.MappingNode, Content: entry})
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, HeadComment: header, Content: []*yaml.Node{
		str("requirements"), {Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: ids},
		str("known"), known,
	}}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
