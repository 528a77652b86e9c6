package baseline

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// captureName is the name a live run gives a request it captured (capture.Store):
// arrival number, method, transport, and the sender's host_port.
var captureName = regexp.MustCompile(`^(\d+)-([A-Z]+)-([a-z]+)-(.+)\.sip$`)

// separator joins the requests a run-level row names.
const separator = ", "

// StableMessages gives the message of every row in the form that still names the same
// request on the next run. A capture name becomes the method and the ordinal of the
// request among the requests of that method from the row's client in this run
// ("0003-REGISTER-udp-127.0.0.1_54321.sip", the client's second REGISTER, becomes
// "REGISTER#2"); the ordinal counts the requests that any row names, in arrival order.
// Any other message (a recorded request's file name, "run") is already stable and
// stays as it is. A row that names several requests gets each one's stable form.
func StableMessages(rows []Row) []string {
	type group struct{ client, method string }
	arrivals := map[group][]int{}
	for _, r := range rows {
		for _, name := range strings.Split(r.Result.Message, separator) {
			if m := captureName.FindStringSubmatch(name); m != nil {
				seq, _ := strconv.Atoi(m[1]) // the pattern allows digits only
				g := group{r.Result.Client, m[2]}
				arrivals[g] = append(arrivals[g], seq)
			}
		}
	}
	for g, seqs := range arrivals {
		slices.Sort(seqs)
		arrivals[g] = slices.Compact(seqs)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		names := strings.Split(r.Result.Message, separator)
		for j, name := range names {
			if m := captureName.FindStringSubmatch(name); m != nil {
				seq, _ := strconv.Atoi(m[1])
				seqs := arrivals[group{r.Result.Client, m[2]}]
				at, _ := slices.BinarySearch(seqs, seq) // every seq was collected above
				names[j] = fmt.Sprintf("%s#%d", m[2], at+1)
			}
		}
		out[i] = strings.Join(names, separator)
	}
	return out
}
