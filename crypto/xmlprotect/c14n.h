// The C half of the canonicalisation shim; see c14n.go.

#include <libxml/tree.h>

// xp_read parses len bytes of buf without network access, DTD loading or
// entity substitution, reporting nothing. It returns NULL when buf is not
// well-formed. The caller frees the document with xmlFreeDoc.
xmlDocPtr xp_read(const char *buf, int len);

// xp_c14n canonicalises doc with libxml2's xmlC14NExecute in mode (an
// xmlC14NMode), with or without comments, using prefixes (a NULL-terminated
// list, or NULL) as the exclusive mode's InclusiveNamespaces PrefixList.
// When name is not NULL only the subtree of the index-th element (0-based,
// document order) with namespace name ns and local name name is
// canonicalised, with the namespaces it inherits, as XML-DSig does for
// SignedInfo. It returns the length of the output in *out (free it with
// xmlFree), or -1 when the element is missing or libxml2 fails.
int xp_c14n(xmlDocPtr doc, const char *ns, const char *name, int index,
	int mode, int comments, char **prefixes, unsigned char **out);
