package run

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is part Index (1 to Of) of a run split by client across Of independent jobs,
// so that a capture set too large for one machine is judged on several: a client
// belongs to the shard its address of record hashes to (FNV-1a, 64 bits, of the
// lower-cased address of record, modulo Of), the same on every machine and every run.
// The zero Shard is the whole run.
type Shard struct{ Index, Of int }

// ParseShard reads "i/n" (1 ≤ i ≤ n); "" is the whole run.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: expected i/n with 1 ≤ i ≤ n, e.g. 2/3", s)
	}
	return Shard{i, n}, nil
}

func (s Shard) String() string {
	if s.Of == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Of)
}

// Holds reports whether the client with address of record id belongs to the shard.
func (s Shard) Holds(id string) bool {
	if s.Of <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(id)))
	return h.Sum64()%uint64(s.Of) == uint64(s.Index-1)
}

// Clients are the clients of cs the shard holds, with a note saying how many of how
// many that is ("" for the whole run).
func (s Shard) Clients(cs []*Client) (held []*Client, note string) {
	if s.Of == 0 {
		return cs, ""
	}
	for _, c := range cs {
		if s.Holds(c.ID) {
			held = append(held, c)
		}
	}
	return held, fmt.Sprintf("shard %s (-shard): %d of the %d client(s) judged, those whose address of record hashes to this shard (FNV-1a of the lower-cased address of record, modulo %d); the other shards judge the rest", s, len(held), len(cs), s.Of)
}
