// The C half of the canonicalisation shim; see c14n.go.

#include <string.h>
#include <libxml/parser.h>
#include <libxml/c14n.h>
#include <libxml/xmlsave.h>
#include "c14n.h"

xmlDocPtr xp_read(const char *buf, int len) {
	// No XML_PARSE_NOENT, XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR or
	// XML_PARSE_XINCLUDE: nothing outside buf is read. The caller has
	// refused a document type declaration and checked that buf is UTF-8.
	return xmlReadMemory(buf, len, NULL, "UTF-8",
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

// find returns the index-th element (document order) under cur, cur
// included, named {ns}name, counting down *index.
static xmlNodePtr find(xmlNodePtr cur, const char *ns, const char *name, int *index) {
	for (; cur != NULL; cur = cur->next) {
		if (cur->type != XML_ELEMENT_NODE) {
			continue;
		}
		if (strcmp((const char *)cur->name, name) == 0 && cur->ns != NULL &&
			strcmp((const char *)cur->ns->href, ns) == 0) {
			if (*index == 0) {
				return cur;
			}
			(*index)--;
		}
		xmlNodePtr found = find(cur->children, ns, name, index);
		if (found != NULL) {
			return found;
		}
	}
	return NULL;
}

// in_subtree is the visibility callback: a node is in the node set when it
// is the apex or a descendant of it; a namespace or attribute node when its
// element is.
static int in_subtree(void *apex, xmlNodePtr node, xmlNodePtr parent) {
	if (node == NULL) {
		return 0;
	}
	xmlNodePtr n = node;
	// xmlNs and xmlNode both keep their type second, after one pointer.
	if (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE) {
		n = parent;
	}
	for (; n != NULL; n = n->parent) {
		if (n == (xmlNodePtr)apex) {
			return 1;
		}
	}
	return 0;
}

int xp_c14n(xmlDocPtr doc, const char *ns, const char *name, int index,
	int mode, int comments, char **prefixes, unsigned char **out) {
	xmlC14NIsVisibleCallback visible = NULL;
	xmlNodePtr apex = NULL;
	*out = NULL;
	if (name != NULL) {
		apex = find(doc->children, ns, name, &index);
		if (apex == NULL) {
			return -1;
		}
		visible = in_subtree;
	}
	xmlOutputBufferPtr buf = xmlAllocOutputBuffer(NULL);
	if (buf == NULL) {
		return -1;
	}
	int rc = xmlC14NExecute(doc, visible, apex, mode, (xmlChar **)prefixes, comments, buf);
	int n = -1;
	if (rc >= 0 && xmlOutputBufferGetContent(buf) != NULL) {
		n = (int)xmlOutputBufferGetSize(buf);
		*out = xmlMalloc(n + 1);
		if (*out == NULL) {
			n = -1;
		} else {
			memcpy(*out, xmlOutputBufferGetContent(buf), n);
		}
	}
	xmlOutputBufferClose(buf);
	return n;
}
