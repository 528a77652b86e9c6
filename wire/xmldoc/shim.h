// The C half of the libxml2 shim; see libxml2.go.

#ifndef XMLDOC_SHIM_H
#define XMLDOC_SHIM_H

#include <stdint.h>
#include <libxml/tree.h>

// xd_sink receives the errors of one parse or validation.
typedef struct {
	uintptr_t handle; // a cgo.Handle of the Go collector
	int max;          // errors passed to Go; the rest are only counted
	int count;        // errors (level XML_ERR_ERROR or above) seen
} xd_sink;

// xd_read parses len bytes of buf as a UTF-8 XML document, without network
// access, DTD loading or entity substitution. It stops at the first error,
// which it reports to sink. It returns the document, or NULL when the input
// is not well-formed. The caller frees the document with xmlFreeDoc.
xmlDocPtr xd_read(const char *buf, int len, xd_sink *sink);

// xd_validate validates doc against the compiled schema (an xmlSchemaPtr) and
// reports every error to sink. It returns 0 when doc is valid, a positive
// libxml2 error code when not, and -1 on an internal error.
int xd_validate(uintptr_t schema, xmlDocPtr doc, xd_sink *sink);

// xd_root returns the root element's namespace name (NULL when it has none),
// local name and line. The strings belong to doc.
void xd_root(xmlDocPtr doc, const char **ns, const char **name, int *line);

#endif
