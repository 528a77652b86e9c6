package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// evidenceJSON is a value as one line of JSON, with <, > and & left as they are, as
// verdicts.json writes it: its bytes are those of encoding/json's Encoder with
// SetEscapeHTML(false), written by hand for plain values (see appendPlain) and by
// encoding/json for any other (FuzzEvidenceJSON holds the two equal).
func evidenceJSON(ev any) ([]byte, error) {
	if b, ok := appendPlain(nil, ev, 0); ok {
		return b, nil
	}
	return encodingJSON(ev)
}

// encodingJSON is evidenceJSON's encoding of a value that is not plain: encoding/json's.
func encodingJSON(ev any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// plainDepth is how deeply appendPlain follows nested maps and slices; deeper values
// (a map that holds itself among them) are left to encoding/json, which reports a cycle.
const plainDepth = 64

// appendPlain appends v as encoding/json writes it without escaping HTML, and reports
// whether v is plain: nil, a string, a bool, an integer, a finite float64, a valid
// json.Number, or a map with string keys or a slice of those (map[string]any, []any,
// []string, []int, map[string]string, map[string]int). Plain values are also those
// whose JSON is already what reading it back (numbers as json.Number) and writing it
// again gives, so that the walk of redactor.result would change nothing in them but
// the secrets. A struct (written in field order), a Marshaler, a NaN or any other value
// is not plain: b is then to be dropped.
func appendPlain(b []byte, v any, depth int) ([]byte, bool) {
	if depth > plainDepth {
		return b, false
	}
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendJSONString(b, v), true
	case bool:
		return strconv.AppendBool(b, v), true
	case int:
		return strconv.AppendInt(b, int64(v), 10), true
	case int8:
		return strconv.AppendInt(b, int64(v), 10), true
	case int16:
		return strconv.AppendInt(b, int64(v), 10), true
	case int32:
		return strconv.AppendInt(b, int64(v), 10), true
	case int64:
		return strconv.AppendInt(b, v, 10), true
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint8:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint16:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), true
	case uint64:
		return strconv.AppendUint(b, v, 10), true
	case float64:
		return appendFloat(b, v)
	case json.Number:
		if v == "" {
			return append(b, '0'), true
		}
		if !validNumber(string(v)) {
			return b, false
		}
		return append(b, v...), true
	case []any:
		return appendSlice(b, v, depth)
	case []string:
		return appendSlice(b, v, depth)
	case []int:
		return appendSlice(b, v, depth)
	case map[string]any:
		return appendMap(b, v, depth)
	case map[string]string:
		return appendMap(b, v, depth)
	case map[string]int:
		return appendMap(b, v, depth)
	}
	return b, false
}

// appendSlice appends a slice as a JSON array (null when it is nil).
func appendSlice[E any](b []byte, s []E, depth int) ([]byte, bool) {
	if s == nil {
		return append(b, "null"...), true
	}
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendPlain(b, e, depth+1); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

// appendMap appends a map as a JSON object, its keys in order (null when it is nil).
func appendMap[E any](b []byte, m map[string]E, depth int) ([]byte, bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	var few [8]string // most evidence has a few keys
	keys := few[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = appendPlain(b, m[k], depth+1); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendFloat appends a finite float64 as encoding/json writes it: the shortest
// decimal that reads back as the same number, in exponent form only below 1e-6 and
// from 1e21 on (ECMAScript's Number to String), with a one-digit exponent under ten
// written without its leading zero.
func appendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1] // e-07 → e-7
		b = b[:n-1]
	}
	return b, true
}

// validNumber reports whether s is a number in JSON's grammar (RFC 8259 section 6):
// an optional minus, an integer part without leading zeros, an optional fraction and
// an optional exponent.
func validNumber(s string) bool {
	digits := func(i int) int { // the index past the digits from i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}
