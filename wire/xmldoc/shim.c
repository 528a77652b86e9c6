// The C half of the libxml2 shim; see libxml2.go.

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>
#include "shim.h"
#include "_cgo_export.h"

// libxml2 2.12 made the error argument of structured handlers const.
#if LIBXML_VERSION >= 21200
typedef const xmlError *xd_error;
#else
typedef xmlErrorPtr xd_error;
#endif

// xd_report passes err to Go unless it is a warning or the sink is full. It
// returns whether err was an error.
static int xd_report(xd_sink *sink, xd_error err) {
	if (err == NULL || err->level < XML_ERR_ERROR) {
		return 0;
	}
	sink->count++;
	if (sink->count <= sink->max) {
		xmldocReport(sink->handle, err->line, err->message);
	}
	return 1;
}

// Parser errors arrive with the parser context as user data (libxml2 passes
// ctxt->userData, which is the context itself); the sink rides in _private.
// The parser stops at the first error: libxml2 2.9 otherwise goes on after a
// fatal error, and some errors (a "--" inside a comment) copy the text parsed
// so far, which makes a long hostile body take quadratic time.
static void xd_parse_error(void *data, xd_error err) {
	xmlParserCtxtPtr ctxt = data;
	xd_sink *sink = ctxt->_private;
	if (sink->count == 0 && xd_report(sink, err)) {
		xmlStopParser(ctxt);
	}
}

static void xd_valid_error(void *data, xd_error err) {
	xd_report(data, err);
}

xmlDocPtr xd_read(const char *buf, int len, xd_sink *sink) {
	xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(buf, len);
	if (ctxt == NULL) {
		return NULL;
	}
	// No XML_PARSE_NOENT, XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR,
	// XML_PARSE_XINCLUDE or XML_PARSE_HUGE: nothing outside buf is read, and
	// libxml2's default depth and size limits apply. The encoding
	// declaration is ignored: the caller has checked that buf is UTF-8.
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
		XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
	ctxt->_private = sink;
	ctxt->sax->serror = (xmlStructuredErrorFunc)xd_parse_error;
	xmlParseDocument(ctxt);
	xmlDocPtr doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (doc != NULL && (sink->count > 0 || !ctxt->wellFormed || !ctxt->nsWellFormed)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

int xd_validate(uintptr_t schema, xmlDocPtr doc, xd_sink *sink) {
	xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt((xmlSchemaPtr)schema);
	if (vctxt == NULL) {
		return -1;
	}
	xmlSchemaSetValidStructuredErrors(vctxt,
		(xmlStructuredErrorFunc)xd_valid_error, sink);
	int rc = xmlSchemaValidateDoc(vctxt, doc);
	xmlSchemaFreeValidCtxt(vctxt);
	return rc;
}

void xd_root(xmlDocPtr doc, const char **ns, const char **name, int *line) {
	xmlNodePtr root = xmlDocGetRootElement(doc);
	*ns = NULL;
	*name = NULL;
	*line = 0;
	if (root == NULL) {
		return;
	}
	if (root->ns != NULL) {
		*ns = (const char *)root->ns->href;
	}
	*name = (const char *)root->name;
	*line = (int)xmlGetLineNo(root);
}
