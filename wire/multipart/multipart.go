// Package multipart splits SIP message bodies (RFC 2046 multipart, as RFC 5621 uses it
// for SIP) into their parts, keeping each part's bytes exactly as received (binary
// application/mikey parts included) and the byte offset of each, and reports every
// framing fault instead of stopping at the first.
package multipart

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/mcptt-conformance/mcptt-conformance/wire/sipmsg"
)

// Part is one body part, or the whole body when it is not multipart.
type Part struct {
	Header    textproto.MIMEHeader
	MediaType string            // lower-case type/subtype without parameters; "text/plain" when the part has no Content-Type (RFC 2046 5.1)
	Params    map[string]string // Content-Type parameters, names lower-case
	HasType   bool              // the part carried its own Content-Type
	ContentID string            // without <>
	Encoding  string            // Content-Transfer-Encoding, lower-case, "" when absent
	Body      []byte            // the part's bytes exactly as received
	Offset    int               // byte offset of Body within the message body
	// Path names the part by its place in the body: "2" is the second part of the
	// top-level multipart, "2.1" the first part of a multipart that is the second; ""
	// is a body that is not multipart.
	Path string
}

// Name is how a report names the part: "part 2.1", or "the body" for a body that is not
// multipart.
func (p Part) Name() string {
	if p.Path == "" {
		return "the body"
	}
	return "part " + p.Path
}

// Encoded reports whether the part declares a Content-Transfer-Encoding that Content
// undoes (RFC 2045 6: base64 or quoted-printable); the identity encodings 7bit, 8bit and
// binary are not.
func (p Part) Encoded() bool { return p.Encoding == "base64" || p.Encoding == "quoted-printable" }

// Content is the part's content with its Content-Transfer-Encoding undone (RFC 2045
// 6.7, 6.8): Body itself for an identity encoding, an error for an encoding RFC 2045
// does not define or content that does not decode.
func (p Part) Content() ([]byte, error) {
	switch p.Encoding {
	case "", "7bit", "8bit", "binary":
		return p.Body, nil
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, p.Body)
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil {
			return nil, fmt.Errorf("Content-Transfer-Encoding base64 that does not decode: %v", err)
		}
		return out[:n], nil
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(p.Body)))
		if err != nil {
			return nil, fmt.Errorf("Content-Transfer-Encoding quoted-printable that does not decode: %v", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("Content-Transfer-Encoding %q, which RFC 2045 6.1 does not define", p.Encoding)
}

// MaxNesting bounds how deep Split enters multiparts inside multiparts (RFC 2046 5.1
// sets no limit; a real request nests one or two levels, hostile input more).
const MaxNesting = 8

// Body is a message body split into parts.
type Body struct {
	MediaType string // of the whole body, lower-case, without parameters
	Multipart bool
	Boundary  string
	// Parts holds one Part for a non-multipart body and none for an empty one. A part
	// that is itself multipart is entered (to MaxNesting levels): its own parts stand in
	// its place, named by Path.
	Parts []Part
	// Problems are framing faults. Their Line counts from the first line of the body
	// (1); the message line is BodyLine+Line-1 (see LineOf).
	Problems []sipmsg.Problem
}

// Split splits body according to its Content-Type value. It never panics; a broken
// multipart body still yields the parts that could be read, and a Problem for each fault:
// a Content-Type that does not parse, a multipart subtype other than mixed (RFC 5621), a
// missing or invalid boundary, no delimiter, no closing delimiter, no part, a part
// without Content-Type or with unreadable headers, multiparts nested deeper than
// MaxNesting. The faults of a nested multipart are the same, with lines of the whole
// body.
func Split(contentType string, body []byte) Body {
	return split(contentType, body, 0)
}

func split(contentType string, body []byte, depth int) Body {
	var b Body
	problem := func(offset int, expected, actual string) {
		b.Problems = append(b.Problems, sipmsg.Problem{Expected: expected, Actual: actual, Line: LineOf(1, body, offset)})
	}
	mediaType, params, ok := parseType(contentType)
	if !ok {
		problem(0, "a Content-Type of type/subtype with valid parameters (RFC 2045 5.1)", fmt.Sprintf("%q", contentType))
	}
	b.MediaType = mediaType
	if !strings.HasPrefix(mediaType, "multipart/") {
		if len(body) > 0 {
			if strings.TrimSpace(contentType) == "" {
				problem(0, "a Content-Type for a non-empty body (RFC 3261 20.15)", "none")
			}
			b.Parts = []Part{{
				Header:    textproto.MIMEHeader{"Content-Type": {contentType}},
				MediaType: mediaType, Params: params, HasType: contentType != "", Body: body,
			}}
		}
		return b
	}
	b.Multipart, b.Boundary = true, params["boundary"]
	if mediaType != "multipart/mixed" {
		problem(0, "multipart/mixed (RFC 5621)", mediaType)
	}
	switch {
	case !ok:
		return b // the boundary is lost with the parameters
	case b.Boundary == "":
		problem(0, "a boundary parameter in Content-Type "+mediaType, fmt.Sprintf("%q", contentType))
		return b
	case !validBoundary(b.Boundary):
		problem(0, "a boundary of 1 to 70 characters from the RFC 2046 bchars set, not ending in a space", fmt.Sprintf("%q", b.Boundary))
	}
	b.split(body, problem)
	for i := range b.Parts {
		b.Parts[i].Path = strconv.Itoa(i + 1)
	}
	b.enter(body, depth, problem)
	return b
}

// enter replaces each part that is itself multipart by its own parts, their offsets,
// paths and problem lines made those of body. A multipart deeper than MaxNesting is a
// problem and stays one part.
func (b *Body) enter(body []byte, depth int, problem func(int, string, string)) {
	if !slices.ContainsFunc(b.Parts, func(p Part) bool { return strings.HasPrefix(p.MediaType, "multipart/") }) {
		return
	}
	var flat []Part
	for _, p := range b.Parts {
		if !strings.HasPrefix(p.MediaType, "multipart/") {
			flat = append(flat, p)
			continue
		}
		if depth+1 >= MaxNesting {
			problem(p.Offset, fmt.Sprintf("multipart bodies nested at most %d deep", MaxNesting), "part "+p.Path+" nested deeper")
			flat = append(flat, p)
			continue
		}
		inner := split(p.Header.Get("Content-Type"), p.Body, depth+1)
		for _, ip := range inner.Parts {
			ip.Offset += p.Offset
			ip.Path = p.Path + "." + ip.Path
			flat = append(flat, ip)
		}
		for _, ip := range inner.Problems {
			ip.Line = LineOf(1, body, p.Offset) + ip.Line - 1
			b.Problems = append(b.Problems, ip)
		}
	}
	b.Parts = flat
}

// parseType reads a Content-Type value. When the parameters do not parse it still
// returns the media type.
func parseType(contentType string) (string, map[string]string, bool) {
	if strings.TrimSpace(contentType) == "" {
		return "", nil, true
	}
	if mediaType, ok := plainType(contentType); ok {
		return mediaType, map[string]string{}, true
	}
	if mediaType, name, value, ok := oneParamType(contentType); ok {
		return mediaType, map[string]string{name: value}, true
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t, _, _ := strings.Cut(contentType, ";")
		return strings.ToLower(strings.TrimSpace(t)), params, false
	}
	return mediaType, params, true
}

// plainType reads a Content-Type value that is type/subtype alone, two RFC 2045 tokens
// of ASCII, as mime.ParseMediaType does (FuzzPlainType holds it to that) but without
// its parameter map of the general case; false for any other value.
func plainType(contentType string) (string, bool) {
	t := strings.TrimSpace(contentType)
	typ, sub, ok := strings.Cut(t, "/")
	if !ok || !isToken(typ) || !isToken(sub) {
		return "", false
	}
	return strings.ToLower(t), true
}

// oneParamType reads a Content-Type value that is type/subtype and one parameter,
// ";name=value" with optional spaces after the ";", the value a token or a quoted
// string of printable ASCII without escapes, as mime.ParseMediaType does
// (FuzzOneParamType holds it to that) but without its general parser: the name
// lower-case, the value without its quotes. False for any other value (an RFC 2231
// name with "*" included).
func oneParamType(contentType string) (mediaType, name, value string, ok bool) {
	t, param, ok := strings.Cut(strings.TrimSpace(contentType), ";")
	if !ok {
		return "", "", "", false
	}
	if mediaType, ok = plainType(t); !ok || t != strings.TrimRight(t, " \t") {
		return "", "", "", false
	}
	name, value, ok = strings.Cut(strings.TrimLeft(param, " "), "=")
	if !ok || !isToken(name) || strings.Contains(name, "*") {
		return "", "", "", false
	}
	if q, found := strings.CutPrefix(value, `"`); found {
		value, found = strings.CutSuffix(q, `"`)
		if !found || strings.ContainsAny(value, `"\`) || !printable(value) {
			return "", "", "", false
		}
	} else if !isToken(value) {
		return "", "", "", false
	}
	return mediaType, strings.ToLower(name), value, true
}

// printable reports whether s is printable ASCII and spaces.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// isToken reports whether s is an RFC 2045 5.1 token: ASCII, no space, control or
// tspecial.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return s != ""
}

// tokenChars holds the bytes an RFC 2045 5.1 token is made of.
var tokenChars = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !strings.ContainsRune(`()<>@,;:\"/[]?=`, c)
	}
	return t
}()

func validBoundary(b string) bool {
	if len(b) > 70 || strings.HasSuffix(b, " ") {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("'()+_,-./:=? ", c) >= 0) {
			return false
		}
	}
	return true
}

// split cuts body at its delimiter lines. A delimiter line is "--boundary" at the start
// of the body or of a line, then optional spaces or tabs, then CRLF or LF; a close
// delimiter has "--" after the boundary. The line end before a delimiter belongs to it,
// not to the part before.
func (b *Body) split(body []byte, problem func(int, string, string)) {
	line := []byte("\n--" + b.Boundary)
	at, start, closed := nextDelimiter(body, 0, line)
	if at < 0 {
		problem(0, "a delimiter line --"+b.Boundary, "none in the body")
		return
	}
	for !closed {
		if start < 0 {
			problem(len(body), "a closing delimiter --"+b.Boundary+"--", "the end of the body")
			return
		}
		next, after, isClose := nextDelimiter(body, start, line)
		end := next
		if next < 0 {
			problem(len(body), "a closing delimiter --"+b.Boundary+"--", "the end of the body")
			end = len(body)
		} else if next > start && body[next-1] == '\n' {
			end = next - 1
			if end > start && body[end-1] == '\r' {
				end--
			}
		}
		b.addPart(body, start, end, problem)
		if next < 0 {
			return
		}
		start, closed = after, isClose
	}
	if len(b.Parts) == 0 {
		problem(at, "at least one body part", "a closing delimiter only")
	}
}

// nextDelimiter finds the first delimiter line at or after from. It returns its offset
// (or -1), the offset of the line after it (-1 when the body ends inside the delimiter
// line), and whether it is the close delimiter. line is "\n--boundary": it looks for
// the line end and dash together, rarer in a body than the dash alone
// (FuzzNextDelimiter holds it to a scan of every offset).
func nextDelimiter(body []byte, from int, line []byte) (at, next int, isClose bool) {
	dash := line[1:]
	for from <= len(body) {
		if from == 0 && bytes.HasPrefix(body, dash) {
			at = 0
		} else {
			lo := max(from-1, 0)
			i := bytes.Index(body[lo:], line)
			if i < 0 {
				return -1, -1, false
			}
			at = lo + i + 1
		}
		from = at + 1
		if next, isClose, ok := delimiterEnd(body, at, dash); ok {
			return at, next, isClose
		}
	}
	return -1, -1, false
}

// delimiterEnd reads what follows dash at the start of a line at offset at: "--" for
// the close delimiter, then optional spaces or tabs, then the line end or the end of
// the body. It returns the offset of the line after it (-1 at the end of the body) and
// whether it is the close delimiter; false when other bytes follow.
func delimiterEnd(body []byte, at int, dash []byte) (next int, isClose, ok bool) {
	rest := body[at+len(dash):]
	isClose = bytes.HasPrefix(rest, []byte("--"))
	if isClose {
		rest = rest[2:]
	}
	rest = bytes.TrimLeft(rest, " \t")
	switch {
	case len(rest) == 0:
		return -1, isClose, true
	case rest[0] == '\n':
		return len(body) - len(rest) + 1, isClose, true
	case rest[0] == '\r' && (len(rest) == 1 || rest[1] == '\n'):
		return min(len(body), len(body)-len(rest)+2), isClose, true
	}
	return 0, false, false
}

// addPart reads the part in body[start:end]: its header lines up to an empty line, then
// its content. A part with no empty line is all headers when they read as headers, and
// all content otherwise.
func (b *Body) addPart(body []byte, start, end int, problem func(int, string, string)) {
	raw := body[start:end]
	p := Part{Offset: start}
	headerLen, bodyAt := headerEnd(raw)
	var headerErr error
	if h, ok := plainHeader(raw[:headerLen]); ok && bodyAt > headerLen {
		p.Header = h
	} else {
		p.Header, headerErr = mimeHeader(raw[:headerLen])
		switch {
		case headerErr == nil:
		case headerLen == len(raw):
			bodyAt = 0
			problem(start, "the part's header lines, then an empty line", "no empty line")
		default:
			problem(start, "part header lines of the form Name: value", headerErr.Error())
		}
	}
	p.Body, p.Offset = raw[bodyAt:], start+bodyAt
	p.ContentID = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(first(p.Header, "Content-Id")), "<"), ">")
	p.Encoding = strings.ToLower(strings.TrimSpace(first(p.Header, "Content-Transfer-Encoding")))
	contentType := first(p.Header, "Content-Type")
	p.HasType = contentType != ""
	p.MediaType = "text/plain"
	if p.HasType {
		var ok bool
		if p.MediaType, p.Params, ok = parseType(contentType); !ok {
			problem(start, "a part Content-Type of type/subtype with valid parameters", fmt.Sprintf("%q", contentType))
		}
	} else if headerErr == nil {
		problem(start, "a Content-Type in every body part (RFC 5621)", fmt.Sprintf("part %d without one", len(b.Parts)+1))
	}
	b.Parts = append(b.Parts, p)
}

// first is h.Get(key) for a key already in canonical form (textproto.CanonicalMIMEHeaderKey).
func first(h textproto.MIMEHeader, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// headerEnd finds the end of a part's header lines: the part's first empty line (LF or
// CRLF) ends them. It returns the length of the header lines, each with its line end,
// and where the content starts after the empty line; both are len(raw) when the part
// has no empty line, and 0 and the empty line's length when it starts with one.
func headerEnd(raw []byte) (headerLen, bodyAt int) {
	switch {
	case bytes.HasPrefix(raw, []byte("\r\n")):
		return 0, 2
	case bytes.HasPrefix(raw, []byte("\n")):
		return 0, 1
	}
	bodyAt = sipmsg.HeaderEnd(raw)
	switch {
	case bodyAt < 0:
		return len(raw), len(raw)
	case raw[bodyAt-2] == '\r': // LF CRLF
		return bodyAt - 2, bodyAt
	default: // LF LF
		return bodyAt - 1, bodyAt
	}
}

// mimeHeader reads header lines with net/textproto (RFC 5322 2.2 folding included),
// giving its errors: the header returned holds the lines read before an error.
func mimeHeader(lines []byte) (textproto.MIMEHeader, error) {
	if len(lines) == 0 {
		return textproto.MIMEHeader{}, nil
	}
	header := append(lines[:len(lines):len(lines)], "\r\n"...)
	h, err := textproto.NewReader(bufio.NewReaderSize(bytes.NewReader(header), len(header))).ReadMIMEHeader()
	if h == nil {
		h = textproto.MIMEHeader{}
	}
	return h, err
}

// plainHeader reads header lines that are plain, as nearly every part's are: each line
// ends in LF or CRLF and is Name: value, the name letters, digits and hyphens, the value
// printable ASCII, spaces and tabs, no line folded. It gives what mimeHeader gives for
// them (FuzzPlainHeader holds it to that), without its reader and copy; false for lines
// that are not plain, which mimeHeader reads.
func plainHeader(lines []byte) (textproto.MIMEHeader, bool) {
	n := bytes.Count(lines, []byte("\n"))
	if n == 0 || lines[len(lines)-1] != '\n' {
		return nil, false
	}
	h := make(textproto.MIMEHeader, n)
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n')
		line := lines[:i]
		lines = lines[i+1:]
		line = bytes.TrimSuffix(line, []byte("\r"))
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !plainName(line[:colon]) || !plainValue(line[colon+1:]) {
			return nil, false
		}
		key := canonicalName(line[:colon])
		h[key] = append(h[key], string(bytes.Trim(line[colon+1:], " \t")))
	}
	return h, true
}

func plainName(name []byte) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func plainValue(value []byte) bool {
	for _, c := range value {
		if (c < ' ' || c > '~') && c != '\t' {
			return false
		}
	}
	return true
}

// canonicalName is textproto.CanonicalMIMEHeaderKey of a plain name, without a copy for
// the names parts usually carry (RFC 2045 and RFC 5621 field names).
func canonicalName(name []byte) string {
	switch string(name) {
	case "Content-Type":
		return "Content-Type"
	case "Content-ID", "Content-Id":
		return "Content-Id"
	case "Content-Transfer-Encoding":
		return "Content-Transfer-Encoding"
	case "Content-Disposition":
		return "Content-Disposition"
	}
	return textproto.CanonicalMIMEHeaderKey(string(name))
}

// Find returns the parts of that media type (case-insensitive, parameters ignored), in
// body order. The slice may share b.Parts: it is for reading.
func (b Body) Find(mediaType string) []Part {
	want, _, _ := strings.Cut(mediaType, ";")
	want = strings.TrimSpace(want)
	match := func(p Part) bool { return strings.EqualFold(p.MediaType, want) }
	i := slices.IndexFunc(b.Parts, match)
	if i < 0 {
		return nil
	}
	j := i + 1
	for j < len(b.Parts) && match(b.Parts[j]) {
		j++
	}
	if !slices.ContainsFunc(b.Parts[j:], match) {
		return b.Parts[i:j:j] // one run of parts: no copy
	}
	ps := slices.Clone(b.Parts[i:j])
	for _, p := range b.Parts[j:] {
		if match(p) {
			ps = append(ps, p)
		}
	}
	return ps
}

// LineOf returns the SIP message line number of a byte offset in body, given the message
// line on which the body starts (sipmsg.Message.BodyLine).
func LineOf(msgBodyLine int, body []byte, offset int) int {
	offset = max(0, min(offset, len(body)))
	return msgBodyLine + bytes.Count(body[:offset], []byte{'\n'})
}
