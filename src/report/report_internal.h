/* report_internal.h - what the files of the report share (html.c: the
** document; figures.c: key figures and French wording; shapes.c: the
** simplified geometries every map draws; maps.c: the maps as SVG; pdf.c:
** Chromium). Not a public header.
*/
#ifndef RQ_REPORT_INTERNAL_H
#define RQ_REPORT_INTERNAL_H

#include "raquette/report.h"
#include "raquette/xml.h"

/* ---- The frame of a map: metric coordinates to SVG pixels ---------------- */

typedef struct rq_frame {
    double minx, miny, maxx, maxy; /* metric extent drawn */
    double width, height;          /* the SVG's size in px, margins included */
    double margin;                 /* px around the extent */
    double scale;                  /* px per metre */
} rq_frame;

/* A frame of width px showing the extent, with margin px on each side; the
** height follows the extent's proportions (the metric CRS is a conformal
** projection: Lambert-93 in France, so a map keeps its shapes). */
void rq_frame_init(rq_frame *f, double minx, double miny, double maxx, double maxy, double width,
                   double margin);
/* The pixel of metric point (x, y): y grows downwards in SVG. */
void rq_frame_project(const rq_frame *f, double x, double y, double *px, double *py);
/* A scale bar: a round length (1, 2 or 5 times a power of ten metres), the
** largest not above a fifth of the drawn width; its length in px. */
void rq_frame_scalebar(const rq_frame *f, double *metres, double *px);
/* "50 km", "500 m". */
void rq_scalebar_label(double metres, char *buf, size_t sz);

/* ---- Shapes: every map's geometries, simplified once ---------------------- */

typedef struct rq_shapes {
    rq_frame frame;
    char **commune_path; /* per run.communes: SVG path data, NULL when none
                         ** (all NULL when the maps dissolve, below) */
    /* Kept for a run on study units (run.units), else NULL: each row's
    ** polygon as recorded (valid, unsimplified), for rq_shapes_class_paths.
    ** The maps of such a run draw each class as one shape, the union of its
    ** rows: one shape per 1 km cell would weigh tens of megabytes (78 MB for
    ** France), and a cell is hardly larger than a pixel. */
    rq_geos *g; /* borrowed */
    rq_geom **polys;
    size_t n_rows;
    char *area_path;         /* the study area's outline */
    char **dep_path;         /* per report deps */
    double *dep_lx, *dep_ly; /* where a département's name goes, px */
    char **zone_path;        /* per run.gaps with phase -1, else NULL */
    double *zone_lx, *zone_ly;
} rq_shapes;

rq_status rq_shapes_make(const rq_report *r, rq_geos *g, double width, rq_shapes *s,
                         rq_err *err) RQ_MUST_CHECK;
void rq_shapes_fini(const rq_report *r, rq_shapes *s);
/* With kept polygons: the path data of each class of a map, paths[c + 1]
** for class c in -1..top (class_of[i] of each row), newly allocated, ""
** for a class without rows. The rows of a class are united first, then the
** classes simplified together as a coverage, so that neighbouring classes
** keep sharing their edges. */
rq_status rq_shapes_class_paths(const rq_shapes *s, const int *class_of, int top, char **paths,
                                rq_err *err) RQ_MUST_CHECK;

/* ---- Maps ------------------------------------------------------------------ */

/* The shapes every map refers to (<defs>), in a hidden SVG placed once. */
void rq_map_defs(rq_xml *x, const rq_report *r, const rq_shapes *s);
/* The maps; each is a <figure> with its title, text alternative, legend,
** scale bar and north arrow. */
void rq_map_phases(rq_xml *x, const rq_report *r, const rq_shapes *s);
void rq_map_zones(rq_xml *x, const rq_report *r, const rq_shapes *s);
void rq_map_sites(rq_xml *x, const rq_report *r, const rq_shapes *s);
void rq_map_access(rq_xml *x, const rq_report *r, const rq_shapes *s);
void rq_map_changes(rq_xml *x, const rq_report *r, const rq_shapes *s);

/* ---- Tables (tables.c) ------------------------------------------------------ */

void rq_table_departements(rq_xml *x, const rq_report *r);
void rq_table_zones(rq_xml *x, const rq_report *r);
void rq_table_structures(rq_xml *x, const rq_report *r);
void rq_table_causes(rq_xml *x, const rq_report *r);
/* A table with its caption and column headers, opened up to <tbody>;
** rq_table_end closes it. */
void rq_table_start(rq_xml *x, const char *caption, const char *const *heads, size_t n);
void rq_table_end(rq_xml *x);
/* A row header cell (the row's name), scope="row" for screen readers. */
void rq_th_row(rq_xml *x, const char *text);

/* The method in plain words, the parameters and the sources (method.c). */
void rq_method_section(rq_xml *x, const rq_report *r);

/* ---- French wording (figures.c) -------------------------------------------- */

/* Numbers as the report prints them: French format, the groups of digits
** and the percent sign held together by narrow no-break spaces (U+202F),
** so that "1 301 533" never breaks across lines. "41,3 %". */
char *rq_fr_int(long v, char *buf, size_t sz);
char *rq_fr_real(double v, int decimals, char *buf, size_t sz);
char *rq_fr_percent(double share, char *buf, size_t sz);
/* The study area as readers name it: "Occitanie", "France métropolitaine",
** "départements 09, 11" (newly allocated). */
char *rq_area_label(const rq_report *r);
/* The noun of the report's rows: "commune", or "maille" for a run on study
** units (method.md §1.4), the word of INSEE for the units of a division
** (maille communale, maille IRIS, maille de 1 km). Both are feminine and
** begin with a consonant: the words around them need not change. */
typedef struct rq_fr_noun {
    const char *one;  /* "commune", "maille" */
    const char *many; /* "communes", "mailles" */
    const char *Many; /* "Communes", "Mailles" */
} rq_fr_noun;
const rq_fr_noun *rq_fr_rows(const rq_report *r);
/* "2 décembre 2026" for "2026-12-02". */
void rq_fr_date(const char *iso, char *buf, size_t sz);
/* The name of département code in the report, "" when unknown. */
const char *rq_dep_label(const rq_report *r, const char *code);
/* "émergence, création" for a list "emergence|creation". */
char *rq_phase_words(const char *list);
/* A category as readers write it: "fabrique initiatives". */
char *rq_category_label(const char *category, char *buf, size_t sz);
/* 1 when the structures file is the illustrative demo directory. */
int rq_report_is_demo(const rq_report *r);

#endif /* RQ_REPORT_INTERNAL_H */
