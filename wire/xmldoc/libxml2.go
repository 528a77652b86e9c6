package xmldoc

// The libxml2 shim. lestrrat-go/libxml2 compiles the schemas, but its
// document validation keeps at most 32 errors and drops their line numbers,
// and its parser reports only the last error, without a line. So documents
// are parsed and validated here, through structured error handlers that hand
// each error, with its line, to a Go collector reached by a cgo.Handle.

/*
#cgo pkg-config: libxml-2.0
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

// collector gathers the errors libxml2 reports for one document.
type collector struct {
	expected string // what a Problem says was expected
	problems []Problem
}

//export xmldocReport
func xmldocReport(h C.uintptr_t, line C.int, msg *C.char) {
	c := cgo.Handle(h).Value().(*collector)
	c.problems = append(c.problems, libxmlProblem(c.expected, C.GoString(msg), int(line)))
}

// run calls f with a sink that feeds c, and returns what f returns along
// with the collected problems.
func (c *collector) run(f func(*C.xd_sink) C.int) (C.int, []Problem) {
	h := cgo.NewHandle(c)
	defer h.Delete()
	sink := C.xd_sink{handle: C.uintptr_t(h), max: maxReported}
	rc := f(&sink)
	if more := int(sink.count) - maxReported; more > 0 {
		c.problems = append(c.problems, Problem{Expected: c.expected, Actual: strconv.Itoa(more) + " more errors, not listed"})
	}
	return rc, c.problems
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
// returns the document, or the first well-formedness error.
func readDocument(body []byte) (document, []Problem) {
	var doc *C.xmlDoc
	c := &collector{expected: "well-formed XML"}
	_, problems := c.run(func(sink *C.xd_sink) C.int {
		doc = C.xd_read((*C.char)(unsafe.Pointer(&body[0])), C.int(len(body)), sink)
		return 0
	})
	if doc == nil {
		if len(problems) == 0 {
			problems = []Problem{{Expected: c.expected, Actual: "a body libxml2 could not parse"}}
		}
		return document{}, problems
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
	rc, problems := c.run(func(sink *C.xd_sink) C.int {
		return C.xd_validate(C.uintptr_t(schemaPtr), d.ptr, sink)
	})
	if rc != 0 && len(problems) == 0 {
		problems = []Problem{{Expected: expected, Actual: "libxml2 validation failed with code " + strconv.Itoa(int(rc)) + " and no message"}}
	}
	return problems
}
