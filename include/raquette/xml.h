/* xml.h - writing XML documents (QGIS projects and styles, the HTML
** report) with libxml2's xmlTextWriter: the only module that includes
** libxml2. Text and attribute values are escaped by the library; the
** document is built in memory and handed over as one string.
**
** Calls never fail on bad input: element names are the caller's
** constants. When memory runs out they end the process like rq_xmalloc.
*/
#ifndef RQ_XML_H
#define RQ_XML_H

#include "raquette/core.h"

typedef struct rq_xml rq_xml;

/* A new document. prologue (may be NULL) is written first, as it is: a
** doctype such as "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd'
** 'SYSTEM'>". indent: 1 to indent the elements (2 spaces). No XML
** declaration is written (HTML5 and QGIS need none). */
rq_xml *rq_xml_create(const char *prologue, int indent);
/* A new HTML document ("<!DOCTYPE html>" first): every element is closed
** by an end tag, never self-closed (<div/> opens a div in HTML); void
** elements (meta) go in through rq_xml_raw. */
rq_xml *rq_xml_create_html(void);
/* Frees x without producing the text. NULL is a no-op. */
void rq_xml_destroy(rq_xml *x);

/* Opens element name; rq_xml_end closes the innermost one open. */
void rq_xml_start(rq_xml *x, const char *name);
void rq_xml_end(rq_xml *x);
/* An attribute of the element just opened (before any content). */
void rq_xml_attr(rq_xml *x, const char *name, const char *fmt, ...) RQ_PRINTF(3, 4);
/* Escaped text content. */
void rq_xml_text(rq_xml *x, const char *fmt, ...) RQ_PRINTF(2, 3);
/* Markup written as it is (an inline SVG made elsewhere, a CSS block). */
void rq_xml_raw(rq_xml *x, const char *markup);
/* <name>text</name>, text escaped. */
void rq_xml_leaf(rq_xml *x, const char *name, const char *fmt, ...) RQ_PRINTF(3, 4);

/* Closes every element still open and returns the document (newly
** allocated, free()); *len_out (may be NULL) receives its length. Frees x. */
char *rq_xml_finish(rq_xml *x, size_t *len_out);

#endif /* RQ_XML_H */
