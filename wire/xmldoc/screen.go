package xmldoc

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxBodySize is the largest body the package parses, 64 KiB. A whole SIP
// message over UDP stays below that, and the bodies judged here are a few
// KiB; the limit keeps the cost of a hostile body within milliseconds
// (libxml2 and encoding/xml are linear, but a 10 MB body still costs a
// second or more).
const MaxBodySize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// foreignBOMs are byte order marks of encodings other than UTF-8, longest first.
var foreignBOMs = []struct {
	mark []byte
	name string
}{
	{[]byte{0x00, 0x00, 0xFE, 0xFF}, "UTF-32BE"},
	{[]byte{0xFF, 0xFE, 0x00, 0x00}, "UTF-32LE"},
	{[]byte{0xFE, 0xFF}, "UTF-16BE"},
	{[]byte{0xFF, 0xFE}, "UTF-16LE"},
}

// screen inspects body before any parser sees it. fatal holds the problems
// that forbid parsing it at all: an empty or oversized body, an encoding
// other than UTF-8 and a document type declaration. decl holds a problem with the XML
// declaration's encoding name, which does not stop parsing: the body is
// parsed as UTF-8 whatever the declaration says.
func screen(body []byte) (fatal, decl []Problem) {
	if len(body) == 0 {
		return []Problem{{Expected: "an XML document", Actual: "an empty body"}}, nil
	}
	if len(body) > MaxBodySize {
		return []Problem{{Expected: fmt.Sprintf("a body of at most %d bytes (the suite's limit)", MaxBodySize), Actual: fmt.Sprintf("%d bytes", len(body))}}, nil
	}
	for _, b := range foreignBOMs {
		if bytes.HasPrefix(body, b.mark) {
			return []Problem{{Expected: "UTF-8 (no byte order mark, or the UTF-8 one)", Actual: "a " + b.name + " byte order mark", Line: 1}}, nil
		}
	}
	if !utf8.Valid(body) {
		i := invalidUTF8(body)
		return []Problem{{Expected: "UTF-8", Actual: fmt.Sprintf("byte 0x%02X at offset %d, which is not valid UTF-8", body[i], i), Line: lineAt(body, i)}}, nil
	}
	if i := bytes.IndexByte(body, 0); i >= 0 {
		return []Problem{{Expected: "UTF-8 text", Actual: fmt.Sprintf("a NUL byte at offset %d (UTF-16 or UTF-32 text?)", i), Line: lineAt(body, i)}}, nil
	}
	rest, decl := xmlDecl(bytes.TrimPrefix(body, utf8BOM))
	if p, found := markupDecl(body, len(body)-len(rest)); found {
		return []Problem{p}, decl
	}
	return nil, decl
}

// invalidUTF8 returns the offset of the first byte of body that is not part
// of a valid UTF-8 sequence.
func invalidUTF8(body []byte) int {
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(body)
}

// lineAt returns the 1-based line of offset i.
func lineAt(body []byte, i int) int {
	return bytes.Count(body[:i], []byte{'\n'}) + 1
}

// xmlDecl skips the XML declaration at the start of rest, if there is one,
// and checks its encoding name. It returns what follows the declaration.
func xmlDecl(rest []byte) ([]byte, []Problem) {
	if !bytes.HasPrefix(rest, []byte("<?xml")) || len(rest) < 6 || !isSpace(rest[5]) {
		return rest, nil
	}
	end := bytes.Index(rest, []byte("?>"))
	if end < 0 {
		return rest, nil // the parser reports the unterminated declaration
	}
	enc, ok := pseudoAttr(rest[5:end], "encoding")
	if ok && !strings.EqualFold(enc, "UTF-8") {
		return rest[end+2:], []Problem{{Expected: `encoding "UTF-8" (or none) in the XML declaration`, Actual: "encoding " + strconv.Quote(enc), Line: 1}}
	}
	return rest[end+2:], nil
}

// pseudoAttr returns the value of the pseudo-attribute name in the inside of
// an XML declaration.
func pseudoAttr(decl []byte, name string) (string, bool) {
	for len(decl) > 0 {
		decl = bytes.TrimLeft(decl, " \t\r\n")
		eq := bytes.IndexByte(decl, '=')
		if eq < 0 {
			return "", false
		}
		key := string(bytes.TrimRight(decl[:eq], " \t\r\n"))
		decl = bytes.TrimLeft(decl[eq+1:], " \t\r\n")
		if len(decl) == 0 || (decl[0] != '"' && decl[0] != '\'') {
			return "", false
		}
		end := bytes.IndexByte(decl[1:], decl[0])
		if end < 0 {
			return "", false
		}
		if key == name {
			return string(decl[1 : end+1]), true
		}
		decl = decl[end+2:]
	}
	return "", false
}

// markupDecl looks through the prolog that starts at offset i of body
// (comments, processing instructions and white space) for a document type
// declaration, or any other "<!" markup that is not a comment. Such a
// declaration could define entities or name external resources, so it is
// refused instead of parsed.
func markupDecl(body []byte, i int) (Problem, bool) {
	for i < len(body) {
		switch rest := body[i:]; {
		case isSpace(rest[0]):
			i++
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return Problem{}, false // the parser reports the open comment
			}
			i += 4 + end + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest[2:], []byte("?>"))
			if end < 0 {
				return Problem{}, false
			}
			i += 2 + end + 2
		case bytes.HasPrefix(rest, []byte("<!")):
			what := "a markup declaration"
			if len(rest) >= 9 && strings.EqualFold(string(rest[2:9]), "DOCTYPE") {
				what = "a document type declaration (<!DOCTYPE …>)"
			}
			return Problem{
				Expected: "no document type declaration (DTDs are refused unparsed: no external entities, no entity expansion)",
				Actual:   what,
				Line:     lineAt(body, i),
			}, true
		default:
			return Problem{}, false // the root element, or something the parser rejects
		}
	}
	return Problem{}, false
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }
