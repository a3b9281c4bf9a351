/* json.c - small JSON documents (run.json) over json-c.
**
** json-c provides the value tree (objects keep their keys in insertion
** order, replacing a key keeps its place). The text is produced here rather
** than by json_object_to_json_string_ext: json-c's pretty printer writes
** empty containers as "[\n  ]" and its layout has changed between releases,
** while run.json must be byte-stable. Doubles are stored with their final
** text (json_object_new_double_s), formatted independently of the locale.
*/
#include "raquette/writer.h"

#include <cpl_string.h>
#include <json-c/json_object.h>
#include <json-c/json_object_iterator.h>
#include <json-c/json_tokener.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DECIMALS 17

/* rq_json is an opaque name for a json_object: only this file converts. */
static struct json_object *
jo(const rq_json *j)
{
    return (struct json_object *)(uintptr_t)j;
}

static rq_json *
rj(struct json_object *o)
{
    return (rq_json *)o;
}

/* json-c returns NULL only when memory runs out: same policy as rq_xmalloc
** (rq_out_of_memory: a message, the fatal cleanup, exit status 1). */
static struct json_object *
must(struct json_object *o)
{
    if (!o)
        rq_out_of_memory(0);
    return o;
}

static void
put(rq_json *obj, const char *key, struct json_object *v)
{
    if (!json_object_is_type(jo(obj), json_type_object)) {
        fputs("raquette: BUG: rq_json_set_* on a non-object\n", stderr);
        abort();
    }
    if (json_object_object_add(jo(obj), key, v) != 0)
        rq_out_of_memory(0);
}

static void
push(rq_json *arr, struct json_object *v)
{
    if (!json_object_is_type(jo(arr), json_type_array)) {
        fputs("raquette: BUG: rq_json_append_* on a non-array\n", stderr);
        abort();
    }
    if (json_object_array_add(jo(arr), v) != 0)
        rq_out_of_memory(0);
}

/* Same rounding as the layer writer (half away from zero on v*10^d), then
** "%.<d>f" of the result, which is exactly that decimal. Non-finite -> null. */
static struct json_object *
new_double(double v, int decimals)
{
    char buf[400];
    int d = decimals < 0 ? 0 : decimals > MAX_DECIMALS ? MAX_DECIMALS : decimals;
    double s = pow(10.0, d);
    /* As the layer writer: no rounding where v * s could overflow. */
    double r = isfinite(v) && fabs(v) < 9007199254740992.0 / s ? round(v * s) / s : v;
    if (!isfinite(r))
        return NULL;
    if (r == 0.0)
        r = 0.0; /* no "-0.00" */
    CPLsnprintf(buf, sizeof buf, "%.*f", d, r);
    return must(json_object_new_double_s(r, buf));
}

static struct json_object *
new_string(const char *v)
{
    return v ? must(json_object_new_string(v)) : NULL;
}

rq_json *
rq_json_object(void)
{
    return rj(must(json_object_new_object()));
}

void
rq_json_free(rq_json *j)
{
    if (j)
        json_object_put(jo(j));
}

void
rq_json_set_string(rq_json *obj, const char *key, const char *v)
{
    put(obj, key, new_string(v));
}

void
rq_json_set_int(rq_json *obj, const char *key, long long v)
{
    put(obj, key, must(json_object_new_int64((int64_t)v)));
}

void
rq_json_set_double(rq_json *obj, const char *key, double v, int decimals)
{
    put(obj, key, new_double(v, decimals));
}

void
rq_json_set_bool(rq_json *obj, const char *key, int v)
{
    put(obj, key, must(json_object_new_boolean(v != 0)));
}

void
rq_json_set_null(rq_json *obj, const char *key)
{
    put(obj, key, NULL);
}

rq_json *
rq_json_set_object(rq_json *obj, const char *key)
{
    struct json_object *o = must(json_object_new_object());
    put(obj, key, o);
    return rj(o);
}

rq_json *
rq_json_set_array(rq_json *obj, const char *key)
{
    struct json_object *o = must(json_object_new_array());
    put(obj, key, o);
    return rj(o);
}

void
rq_json_append_string(rq_json *arr, const char *v)
{
    push(arr, new_string(v));
}

void
rq_json_append_int(rq_json *arr, long long v)
{
    push(arr, must(json_object_new_int64((int64_t)v)));
}

void
rq_json_append_double(rq_json *arr, double v, int decimals)
{
    push(arr, new_double(v, decimals));
}

rq_json *
rq_json_append_object(rq_json *arr)
{
    struct json_object *o = must(json_object_new_object());
    push(arr, o);
    return rj(o);
}

rq_json *
rq_json_append_array(rq_json *arr)
{
    struct json_object *o = must(json_object_new_array());
    push(arr, o);
    return rj(o);
}

/* RFC 8259 string: escapes quote, backslash and control characters; every
** other byte (UTF-8 included, and "/") is written as is. */
static void
emit_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '\b':
            fputs("\\b", f);
            break;
        case '\f':
            fputs("\\f", f);
            break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", (unsigned)*p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void
indent(FILE *f, int level)
{
    for (int i = 0; i < level; i++)
        fputs("  ", f);
}

static void
emit(FILE *f, struct json_object *o, int level)
{
    switch (json_object_get_type(o)) {
    case json_type_object: {
        struct json_object_iterator it = json_object_iter_begin(o);
        struct json_object_iterator end = json_object_iter_end(o);
        if (json_object_iter_equal(&it, &end)) {
            fputs("{}", f);
            break;
        }
        fputs("{\n", f);
        for (int first = 1; !json_object_iter_equal(&it, &end);
             json_object_iter_next(&it), first = 0) {
            fputs(first ? "" : ",\n", f);
            indent(f, level + 1);
            emit_string(f, json_object_iter_peek_name(&it));
            fputs(": ", f);
            emit(f, json_object_iter_peek_value(&it), level + 1);
        }
        fputc('\n', f);
        indent(f, level);
        fputc('}', f);
        break;
    }
    case json_type_array: {
        size_t n = json_object_array_length(o);
        if (n == 0) {
            fputs("[]", f);
            break;
        }
        fputs("[\n", f);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ",\n" : "", f);
            indent(f, level + 1);
            emit(f, json_object_array_get_idx(o, i), level + 1);
        }
        fputc('\n', f);
        indent(f, level);
        fputc(']', f);
        break;
    }
    case json_type_string:
        emit_string(f, json_object_get_string(o));
        break;
    case json_type_null:
        fputs("null", f);
        break;
    default: /* numbers and booleans: json-c's text (ours for doubles) */
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), f);
        break;
    }
}

char *
rq_json_to_string(const rq_json *j)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        rq_out_of_memory(0);
    emit(f, jo(j), 0);
    fputc('\n', f);
    if (fclose(f) != 0 || !buf)
        rq_out_of_memory(0);
    return buf;
}

rq_status
rq_io_write_json(const char *path, const rq_json *root, rq_err *err)
{
    char *text = rq_json_to_string(root);
    rq_status rc = rq_io_write_file(path, text, strlen(text), err);
    free(text);
    return rc;
}

/* ---- Reading ------------------------------------------------------------ */

rq_json *
rq_json_parse(const char *text)
{
    return text ? rj(json_tokener_parse(text)) : NULL;
}

const rq_json *
rq_json_get(const rq_json *obj, const char *key)
{
    struct json_object *v = NULL;
    if (!obj || !json_object_is_type(jo(obj), json_type_object) ||
        !json_object_object_get_ex(jo(obj), key, &v))
        return NULL;
    return rj(v);
}

const char *
rq_json_str(const rq_json *v)
{
    return v && json_object_is_type(jo(v), json_type_string) ? json_object_get_string(jo(v))
                                                            : NULL;
}

double
rq_json_num(const rq_json *v)
{
    if (!v || !(json_object_is_type(jo(v), json_type_double) ||
                json_object_is_type(jo(v), json_type_int)))
        return NAN;
    return json_object_get_double(jo(v));
}

int
rq_json_true(const rq_json *v)
{
    return v && json_object_is_type(jo(v), json_type_boolean) && json_object_get_boolean(jo(v));
}

size_t
rq_json_len(const rq_json *arr)
{
    return arr && json_object_is_type(jo(arr), json_type_array)
               ? json_object_array_length(jo(arr))
               : 0;
}

const rq_json *
rq_json_at(const rq_json *arr, size_t i)
{
    return i < rq_json_len(arr) ? rj(json_object_array_get_idx(jo(arr), i)) : NULL;
}

void
rq_json_each(const rq_json *obj, void (*fn)(const char *key, const rq_json *v, void *ud),
             void *ud)
{
    if (!obj || !json_object_is_type(jo(obj), json_type_object))
        return;
    struct json_object_iterator it = json_object_iter_begin(jo(obj));
    struct json_object_iterator end = json_object_iter_end(jo(obj));
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
        fn(json_object_iter_peek_name(&it), rj(json_object_iter_peek_value(&it)), ud);
}
