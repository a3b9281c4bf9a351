/* table.h - a table as raquette writes it: its fields, and a sink that
** receives its rows one by one. The output files (writer.h) and the history
** database (store.h) are both sinks, so that a layer fills each row once,
** in one function, whatever receives it (src/outputs/layers.c).
*/
#ifndef RQ_TABLE_H
#define RQ_TABLE_H

#include "raquette/core.h"

typedef enum { RQ_FT_STRING, RQ_FT_INT, RQ_FT_REAL } rq_field_type;

typedef struct rq_field_def {
    const char *name; /* used verbatim as the column / property name */
    rq_field_type type;
    int decimals;    /* RQ_FT_REAL only: fixed number of decimals, 0..15 */
    const char *doc; /* meaning and unit, for the data dictionary of a
                     ** GeoPackage; NULL: none */
} rq_field_def;

/* RQ_OUT_POLYGON makes a MultiPolygon layer: every polygon is written as a
** MultiPolygon so that readers see one geometry type. */
typedef enum { RQ_OUT_NOGEOM, RQ_OUT_POINT, RQ_OUT_POLYGON } rq_out_geom;

/* Where rows go. The setters fill the current row (every field starts
** null; a setter whose type does not match the field is a bug); geometry
** takes ISO WKB; add ends the row and starts a fresh one. */
typedef struct rq_sink {
    void *h;
    void (*set_string)(void *h, size_t field, const char *v); /* NULL or "": null */
    void (*set_int)(void *h, size_t field, long v);
    void (*set_real)(void *h, size_t field, double v); /* non-finite: null */
    void (*set_null)(void *h, size_t field);
    rq_status (*set_geometry_wkb)(void *h, const unsigned char *wkb, size_t len, rq_err *err);
    rq_status (*add)(void *h, rq_err *err);
} rq_sink;

static inline void
rq_sink_string(const rq_sink *s, size_t field, const char *v)
{
    s->set_string(s->h, field, v);
}

static inline void
rq_sink_int(const rq_sink *s, size_t field, long v)
{
    s->set_int(s->h, field, v);
}

static inline void
rq_sink_real(const rq_sink *s, size_t field, double v)
{
    s->set_real(s->h, field, v);
}

static inline void
rq_sink_null(const rq_sink *s, size_t field)
{
    s->set_null(s->h, field);
}

#endif /* RQ_TABLE_H */
