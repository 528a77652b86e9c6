package xmlprotect

// The canonicalisation shim. XML-DSig canonicalises SignedInfo as a node set
// (the element, its descendants and the namespaces it inherits), which
// lestrrat-go/libxml2's serializer cannot do: it canonicalises whole
// documents only, without an InclusiveNamespaces PrefixList. So SignedInfo is
// canonicalised here with libxml2's xmlC14NExecute and a visibility callback
// that keeps one subtree.

/*
#cgo pkg-config: libxml-2.0
#include <stdlib.h>
#include <libxml/parser.h>
#include <libxml/globals.h>
#include "c14n.h"

static void xp_free(unsigned char *p) { xmlFree(p); }
*/
import "C"

import (
	"errors"
	"unsafe"
)

func init() {
	// Initialise libxml2 once, from one goroutine, before any concurrent use.
	C.xmlInitParser()
}

// Canonicalisation algorithms of XML-DSig, by URI.
const (
	C14N10          = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	C14N10Comments  = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	C14N11          = "http://www.w3.org/2006/12/xml-c14n11"
	C14N11Comments  = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
	ExcC14N         = "http://www.w3.org/2001/10/xml-exc-c14n#"
	ExcC14NComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
)

// libxml2's xmlC14NMode values.
const (
	libxmlC14N10    = 0
	libxmlExcC14N10 = 1
	libxmlC14N11    = 2
)

// c14nMethod is a canonicalisation algorithm as libxml2 runs it.
type c14nMethod struct {
	mode     C.int
	comments bool
}

var c14nMethods = map[string]c14nMethod{
	C14N10:          {libxmlC14N10, false},
	C14N10Comments:  {libxmlC14N10, true},
	C14N11:          {libxmlC14N11, false},
	C14N11Comments:  {libxmlC14N11, true},
	ExcC14N:         {libxmlExcC14N10, false},
	ExcC14NComments: {libxmlExcC14N10, true},
}

// c14nDoc is a document parsed by libxml2 for canonicalisation; free it with
// free.
type c14nDoc struct{ ptr *C.xmlDoc }

// parseC14N parses body, which xmldoc.Parse has accepted (so it has no
// document type declaration), with libxml2.
func parseC14N(body []byte) (c14nDoc, error) {
	if len(body) == 0 {
		return c14nDoc{}, errors.New("empty document")
	}
	doc := C.xp_read((*C.char)(unsafe.Pointer(&body[0])), C.int(len(body)))
	if doc == nil {
		return c14nDoc{}, errors.New("libxml2 could not parse the document")
	}
	return c14nDoc{doc}, nil
}

func (d c14nDoc) free() { C.xmlFreeDoc(d.ptr) }

// subtree names the index-th element {space}local in document order.
type subtree struct {
	space, local string
	index        int
}

// canonical returns the canonical form of the whole document (sub nil) or of
// one subtree, by the algorithm m, with prefixes as the exclusive
// algorithm's InclusiveNamespaces PrefixList.
func (d c14nDoc) canonical(sub *subtree, m c14nMethod, prefixes []string) ([]byte, error) {
	var ns, name *C.char
	index := C.int(0)
	if sub != nil {
		ns, name = C.CString(sub.space), C.CString(sub.local)
		defer C.free(unsafe.Pointer(ns))
		defer C.free(unsafe.Pointer(name))
		index = C.int(sub.index)
	}
	var list **C.char
	if m.mode == libxmlExcC14N10 && len(prefixes) > 0 {
		cs := make([]*C.char, len(prefixes)+1)
		for i, p := range prefixes {
			cs[i] = C.CString(p)
			defer C.free(unsafe.Pointer(cs[i]))
		}
		array := (**C.char)(C.malloc(C.size_t(len(cs)) * C.size_t(unsafe.Sizeof(cs[0]))))
		defer C.free(unsafe.Pointer(array))
		copy(unsafe.Slice(array, len(cs)), cs)
		list = array
	}
	comments := C.int(0)
	if m.comments {
		comments = 1
	}
	var out *C.uchar
	n := C.xp_c14n(d.ptr, ns, name, index, m.mode, comments, list, &out)
	if n < 0 {
		return nil, errors.New("libxml2 could not canonicalise the " + describe(sub))
	}
	defer C.xp_free(out)
	return C.GoBytes(unsafe.Pointer(out), n), nil
}

func describe(sub *subtree) string {
	if sub == nil {
		return "document"
	}
	return sub.local + " element"
}
