/* report.h - rapport.html, the report for public authorities (src/report/):
** one self-contained French HTML file, maps drawn as inline SVG, printable
** on A4, and its PDF through headless Chromium.
**
** A report is made from an rq_report, which the history loads for a run
** (rq_store_report, store.h): the run as a snapshot with its geometries,
** its aggregates, the texts of its parameters and inputs, and the
** comparison with the previous run of the same name. `raquette run` loads
** it from the history it has just recorded into (an in-memory one with
** --no-history), `raquette report` from the history file: one loader, so
** that a report rebuilt later is the same report.
*/
#ifndef RQ_REPORT_H
#define RQ_REPORT_H

#include "raquette/compare.h"

/* One row of aggregates (method.md §5). */
typedef struct rq_report_agg {
    char *code, *name;
    size_t communes, communes_trou;
    long population, pop_rurale, pop_trou;
    double part_phase[RQ_NPHASES], part_parcours, acces;
} rq_report_agg;

/* What the snapshot of a gap zone lacks for a table. */
typedef struct rq_report_zone {
    char *missing;      /* "emergence|creation" */
    char *departements; /* "09|11" */
    char *communes;     /* member codes, "|"-separated */
} rq_report_zone;

/* A structure and the population it reaches (its reach covers at least
** the threshold of these communes). */
typedef struct rq_report_structure {
    const char *id, *category; /* borrowed from the snapshot */
    unsigned phases;
    size_t sites, communes;
    long population;
} rq_report_structure;

typedef struct rq_report {
    rq_snapshot run;
    rq_report_zone *zones; /* per run.gaps */
    rq_report_agg *deps;   /* by code */
    size_t n_deps;
    rq_report_agg area;              /* the whole study area */
    rq_report_structure *structures; /* per run.structures */
    char *params_json, *inputs_json; /* texts of the history */
    char *licence;
    char *tool_version, *method_version;
    /* The previous run of the same name, compared with this one. */
    int has_previous;
    rq_snapshot before;
    rq_comparison cmp;
} rq_report;

void rq_report_fini(rq_report *r);

/* The key figures, as run.json's chiffres_cles gives them too. */
typedef struct rq_report_figures {
    long population;
    long population_parcours;    /* communes with every phase covered */
    long population_rurale_trou; /* rural population in gap communes */
    size_t zones_trou;           /* overall gap zones */
    size_t communes_sans;        /* communes where no phase is covered */
    long population_sans;
    double part_sans[RQ_NPHASES]; /* share of the population without phase p */
} rq_report_figures;
void rq_report_figures_of(const rq_report *r, rq_report_figures *f);

/* The document (newly allocated). Geometries are read in g. */
char *rq_report_html(const rq_report *r, rq_geos *g, size_t *len_out, rq_err *err);

/* rapport.pdf from rapport.html through headless Chromium: RQ_ERR_IO with
** a message naming the command when it fails or is not installed. */
rq_status rq_report_pdf(const char *html_path, const char *pdf_path, rq_err *err) RQ_MUST_CHECK;
/* 1 when Chromium can be run; otherwise 0 and why (for --pdf, checked
** before the analysis starts). */
int rq_report_pdf_available(char *why, size_t sz);

#endif /* RQ_REPORT_H */
