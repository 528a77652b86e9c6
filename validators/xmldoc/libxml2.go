package xmldoc

// The libxml2 shim. lestrrat-go/libxml2 compiles the schemas, but its
// document validation keeps at most 32 errors and drops their line numbers,
// and its parser reports only the last error, without a line. So documents
// are parsed and validated here, through structured error handlers that hand
// every error, with its line, to a Go collector reached by a cgo.Handle.

/*
#cgo pkg-config: libxml-2.0
#include <stdlib.h>
#include <libxml/parser.h>
#include "shim.h"
*/
import "C"

import (
	"runtime/cgo"
	"strconv"
	"strings"
	"unsafe"
)

func init() {
	// Initialise libxml2 once, from one goroutine, before any concurrent use.
	C.xmlInitParser()
}

// maxReported bounds the problems one document can produce, so a hostile
// body cannot make the report grow without limit. Far above what a real
// body produces, and far above lestrrat-go/libxml2's own 32.
const maxReported = 1000

// libxml2's error levels (xmlErrorLevel).
const levelError = 2

// collector gathers the errors libxml2 reports for one document.
type collector struct {
	expected string // what a Problem says was expected
	problems []Problem
	dropped  int // errors beyond maxReported
}

//export xmldocReport
func xmldocReport(h C.uintptr_t, line, level C.int, msg *C.char) {
	c := cgo.Handle(h).Value().(*collector)
	if int(level) < levelError {
		return // warnings do not make a document ill-formed or invalid
	}
	if len(c.problems) >= maxReported {
		c.dropped++
		return
	}
	c.problems = append(c.problems, libxmlProblem(c.expected, C.GoString(msg), int(line)))
}

// result returns the collected problems, with a last one counting the
// errors left out.
func (c *collector) result() []Problem {
	if c.dropped > 0 {
		c.problems = append(c.problems, Problem{
			Expected: c.expected,
			Actual:   strconv.Itoa(c.dropped) + " more errors, not listed",
		})
	}
	return c.problems
}

// libxmlProblem turns one libxml2 message into a Problem. A message ending
// in ". Expected is ( … )." gives its own, sharper, Expected.
func libxmlProblem(expected, msg string, line int) Problem {
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, ". Expected is "); i >= 0 {
		return Problem{
			Expected: strings.TrimSuffix(msg[i+len(". Expected is "):], ".") + " (" + expected + ")",
			Actual:   msg[:i],
			Line:     line,
		}
	}
	return Problem{Expected: expected, Actual: strings.TrimSuffix(msg, "."), Line: line}
}

// document is a parsed libxml2 document; free it with free.
type document struct{ ptr *C.xmlDoc }

func (d document) free() { C.xmlFreeDoc(d.ptr) }

// readDocument parses body, which screen has accepted, with libxml2. It
// returns the document, or every well-formedness error.
func readDocument(body []byte) (document, []Problem) {
	c := &collector{expected: "well-formed XML"}
	h := cgo.NewHandle(c)
	defer h.Delete()
	doc := C.xd_read((*C.char)(unsafe.Pointer(&body[0])), C.int(len(body)), C.uintptr_t(h))
	if doc == nil || len(c.problems) > 0 {
		if doc != nil {
			C.xmlFreeDoc(doc)
		}
		if len(c.problems) == 0 {
			c.problems = []Problem{{Expected: c.expected, Actual: "a document libxml2 could not parse"}}
		}
		return document{}, c.result()
	}
	return document{doc}, nil
}

// root returns the namespace name, local name and line of d's root element.
func (d document) root() (space, local string, line int) {
	var ns, name *C.char
	var l C.int
	C.xd_root(d.ptr, &ns, &name, &l)
	if ns != nil {
		space = C.GoString(ns)
	}
	if name != nil {
		local = C.GoString(name)
	}
	return space, local, int(l)
}

// validate validates d against the compiled schema at schemaPtr (an
// xmlSchemaPtr) and returns every error; expected names the schema.
func (d document) validate(schemaPtr uintptr, expected string) []Problem {
	c := &collector{expected: expected}
	h := cgo.NewHandle(c)
	defer h.Delete()
	rc := C.xd_validate(C.uintptr_t(schemaPtr), d.ptr, C.uintptr_t(h))
	if rc != 0 && len(c.problems) == 0 {
		c.problems = []Problem{{Expected: expected, Actual: "libxml2 validation failed with code " + strconv.Itoa(int(rc)) + " and no message"}}
	}
	return c.result()
}
