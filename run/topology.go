package run

import (
	"fmt"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/capture"
	"github.com/mcptt-conformance/mcptt-conformance/wire/ims"
	"github.com/mcptt-conformance/mcptt-conformance/wire/multipart"
	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// maxTopologyNames bounds how many REGISTERs a topology note names.
const maxTopologyNames = 10

// TopologyNotes are the notes of a run behind an IMS core (profile server.behind_ims):
// the REGISTERs that arrived directly rather than as third-party REGISTERs from the
// S-CSCF (TS 24.229 5.4.1.7), an unexpected topology; they are judged all the same.
func TopologyNotes(msgs []*capture.Message) []string {
	var direct []string
	for _, m := range msgs {
		if m.RetransmissionOf != 0 || m.Method != "REGISTER" {
			continue
		}
		sm, err := sipmsg.Parse(m.Raw)
		if err != nil {
			continue
		}
		ct, _ := sm.First("content-type")
		if ims.IsThirdParty(sm, multipart.Split(ct.Value, sm.Body)) {
			continue
		}
		direct = append(direct, m.Name)
	}
	if len(direct) == 0 {
		return nil
	}
	names := direct
	if len(names) > maxTopologyNames {
		names = append(names[:maxTopologyNames:maxTopologyNames], fmt.Sprintf("and %d more", len(direct)-maxTopologyNames))
	}
	return []string{fmt.Sprintf("unexpected topology: the profile puts the suite behind an IMS core (server.behind_ims: true), but %d REGISTER(s) arrived directly, not as third-party REGISTERs from the S-CSCF; judged all the same: %s",
		len(direct), strings.Join(names, ", "))}
}
