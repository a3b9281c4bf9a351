/* xml.c - XML documents through libxml2's xmlTextWriter (see xml.h).
**
** Why libxml2: QGIS projects, styles and the report are XML (XHTML-style
** HTML for the report), and escaping text and attributes right is the
** whole difficulty: the library does it, and indents. Every libxml2 call
** that fails here can only have run out of memory (the names are the
** caller's constants), so failures end the process like rq_xmalloc.
*/
#include "raquette/xml.h"

#include <libxml/xmlwriter.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct rq_xml {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    int html; /* end tags always written out */
};

static void
check(int r)
{
    if (r < 0)
        rq_out_of_memory(0);
}

static const xmlChar *
X(const char *s)
{
    return (const xmlChar *)s;
}

rq_xml *
rq_xml_create(const char *prologue, int indent)
{
    rq_xml *x = rq_xcalloc(1, sizeof *x);
    x->buf = xmlBufferCreate();
    x->w = x->buf ? xmlNewTextWriterMemory(x->buf, 0) : NULL;
    if (!x->w)
        rq_out_of_memory(0);
    if (indent) {
        check(xmlTextWriterSetIndent(x->w, 1));
        check(xmlTextWriterSetIndentString(x->w, X("  ")));
    }
    if (prologue) {
        check(xmlTextWriterWriteRaw(x->w, X(prologue)));
        check(xmlTextWriterWriteRaw(x->w, X("\n")));
    }
    return x;
}

rq_xml *
rq_xml_create_html(void)
{
    rq_xml *x = rq_xml_create("<!DOCTYPE html>", 0);
    x->html = 1;
    return x;
}

void
rq_xml_destroy(rq_xml *x)
{
    if (!x)
        return;
    if (x->w)
        xmlFreeTextWriter(x->w);
    if (x->buf)
        xmlBufferFree(x->buf);
    free(x);
}

void
rq_xml_start(rq_xml *x, const char *name)
{
    check(xmlTextWriterStartElement(x->w, X(name)));
}

void
rq_xml_end(rq_xml *x)
{
    check(x->html ? xmlTextWriterFullEndElement(x->w) : xmlTextWriterEndElement(x->w));
}

void
rq_xml_attr(rq_xml *x, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check(xmlTextWriterWriteVFormatAttribute(x->w, X(name), fmt, ap));
    va_end(ap);
}

void
rq_xml_text(rq_xml *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check(xmlTextWriterWriteVFormatString(x->w, fmt, ap));
    va_end(ap);
}

void
rq_xml_raw(rq_xml *x, const char *markup)
{
    check(xmlTextWriterWriteRaw(x->w, X(markup)));
}

void
rq_xml_leaf(rq_xml *x, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check(xmlTextWriterWriteVFormatElement(x->w, X(name), fmt, ap));
    va_end(ap);
}

char *
rq_xml_finish(rq_xml *x, size_t *len_out)
{
    check(xmlTextWriterEndDocument(x->w));
    xmlFreeTextWriter(x->w); /* flushes into buf */
    x->w = NULL;
    size_t len = (size_t)xmlBufferLength(x->buf);
    char *text = rq_xmalloc(len + 1);
    memcpy(text, xmlBufferContent(x->buf), len);
    text[len] = '\0';
    if (len_out)
        *len_out = len;
    rq_xml_destroy(x);
    return text;
}
