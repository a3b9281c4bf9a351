/* outputs.c - the outputs stage (method.md §6): communes.geojson,
** communes.csv, trous.geojson, sites.geojson, agregats_*.csv and run.json,
** written into a temporary folder and renamed into place only when every
** file is complete.
**
** Field names are the French names of method.md; their units and precision
** are listed in docs/outputs.md, which must change with this file.
*/
#include "raquette/analysis.h"

#include "raquette/crs.h"
#include "raquette/gaps.h"
#include "raquette/io.h"
#include "raquette/writer.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* GeoJSON is RFC 7946, lon/lat on WGS 84. Geometries are reprojected here,
** with PROJ, rather than by GDAL's writer: a batch of coordinates through
** one transformation costs a third of what the driver's per-feature
** reprojection does (see docs/performance.md). */
#define RQ_GEOJSON_SRS "EPSG:4326"

/* Decimals of each kind of number (docs/outputs.md, "Number formats"). */
enum { D_SHARE = 4, D_KM2 = 4, D_DENS = 2, D_KM = 3, D_MIN = 1, D_ACCES = 4 };

/* ---- A growable list of field definitions ------------------------------- */

struct fields {
    rq_field_def *v;
    char **owned; /* names built at run time (couv_<k>...) */
    size_t n, cap, n_owned, cap_owned;
};

static size_t
field(struct fields *f, const char *name, rq_field_type t, int decimals)
{
    rq_grow((void **)&f->v, &f->cap, f->n + 1, sizeof *f->v);
    f->v[f->n] = (rq_field_def){name, t, decimals};
    return f->n++;
}

/* A field named prefix + arg + suffix ("couv_" "cae" ""). */
static size_t
fieldf(struct fields *f, rq_field_type t, int decimals, const char *prefix, const char *arg,
       const char *suffix)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s%s%s", prefix, arg, suffix);
    rq_grow((void **)&f->owned, &f->cap_owned, f->n_owned + 1, sizeof *f->owned);
    f->owned[f->n_owned] = rq_xstrdup(buf);
    return field(f, f->owned[f->n_owned++], t, decimals);
}

static void
fields_fini(struct fields *f)
{
    for (size_t i = 0; i < f->n_owned; i++)
        free(f->owned[i]);
    free(f->owned);
    free(f->v);
}

/* "emergence|creation" for the phases set in mask, in phase order. */
static void
phase_list(unsigned mask, char *buf, size_t sz)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int p = 0; p < RQ_NPHASES; p++)
        if (mask & (1u << p))
            len += (size_t)snprintf(buf + len, len < sz ? sz - len : 0, "%s%s", len ? "|" : "",
                                    rq_phase_names[p]);
}

/* Closes w (writing its file) after rc == RQ_OK, else drops it; returns
** the status of the whole writing. */
static rq_status
finish(rq_writer *w, rq_status rc, rq_err *err)
{
    if (rc == RQ_OK)
        return rq_writer_close(w, err);
    rq_writer_abort(w);
    return rc;
}

/* ---- communes.geojson / communes.csv -------------------------------------- */

struct commune_cols {
    size_t code, nom, dep, epci, pop, sup, dens;
    size_t couv, nb, dist, temps; /* first of n_categories each */
    size_t phase, nb_phases, parcours, acces, rural, trou, manq, nb_manq, zone, zone_p;
};

static void
commune_fields(const rq_config *cfg, struct fields *f, struct commune_cols *c)
{
    c->code = field(f, "code_insee", RQ_FT_STRING, 0);
    c->nom = field(f, "nom", RQ_FT_STRING, 0);
    c->dep = field(f, "departement", RQ_FT_STRING, 0);
    c->epci = field(f, "epci", RQ_FT_STRING, 0);
    c->pop = field(f, "population", RQ_FT_INT, 0);
    c->sup = field(f, "superficie_km2", RQ_FT_REAL, D_KM2);
    c->dens = field(f, "densite_hab_km2", RQ_FT_REAL, D_DENS);
    c->couv = f->n;
    for (size_t k = 0; k < cfg->n_categories; k++)
        fieldf(f, RQ_FT_REAL, D_SHARE, "couv_", cfg->categories[k].name, "");
    c->nb = f->n;
    for (size_t k = 0; k < cfg->n_categories; k++)
        fieldf(f, RQ_FT_INT, 0, "nb_", cfg->categories[k].name, "");
    c->dist = f->n;
    for (size_t k = 0; k < cfg->n_categories; k++)
        fieldf(f, RQ_FT_REAL, D_KM, "dist_", cfg->categories[k].name, "_km");
    c->temps = f->n;
    for (size_t k = 0; k < cfg->n_categories; k++)
        fieldf(f, RQ_FT_REAL, D_MIN, "temps_", cfg->categories[k].name, "_min");
    c->phase = f->n;
    for (int p = 0; p < RQ_NPHASES; p++)
        fieldf(f, RQ_FT_INT, 0, "phase_", rq_phase_names[p], "");
    c->nb_phases = field(f, "nb_phases", RQ_FT_INT, 0);
    c->parcours = field(f, "parcours_complet", RQ_FT_INT, 0);
    c->acces = field(f, "acces_e2sfca", RQ_FT_REAL, D_ACCES);
    c->rural = field(f, "rural", RQ_FT_INT, 0);
    c->trou = field(f, "trou", RQ_FT_INT, 0);
    c->manq = field(f, "phases_manquantes", RQ_FT_STRING, 0);
    c->nb_manq = field(f, "nb_phases_manquantes", RQ_FT_INT, 0);
    c->zone = field(f, "zone_trou", RQ_FT_STRING, 0);
    c->zone_p = f->n;
    for (int p = 0; p < RQ_NPHASES; p++)
        if (cfg->required[p])
            fieldf(f, RQ_FT_STRING, 0, "zone_trou_", rq_phase_names[p], "");
}

static void
commune_values(const rq_dataset *ds, const rq_results *res, const rq_commune_ind *ind,
               const struct commune_cols *c, rq_writer *w)
{
    const rq_config *cfg = ds->cfg;
    const rq_commune *cm = &ds->communes[ind->commune];
    char buf[128];
    rq_writer_set_string(w, c->code, cm->code);
    rq_writer_set_string(w, c->nom, cm->name);
    rq_writer_set_string(w, c->dep, cm->dep);
    rq_writer_set_string(w, c->epci, cm->epci);
    rq_writer_set_int(w, c->pop, cm->population);
    rq_writer_set_real(w, c->sup, cm->area_km2);
    rq_writer_set_real(w, c->dens, cm->area_km2 > 0 ? (double)cm->population / cm->area_km2 : NAN);
    for (size_t k = 0; k < cfg->n_categories; k++) {
        rq_writer_set_real(w, c->couv + k, ind->couv[k]);
        rq_writer_set_int(w, c->nb + k, ind->nb[k]);
        rq_writer_set_real(w, c->dist + k, ind->dist_km[k]);
        rq_writer_set_real(w, c->temps + k, ind->temps_min[k]);
    }
    for (int p = 0; p < RQ_NPHASES; p++)
        rq_writer_set_int(w, c->phase + (size_t)p, ind->phase[p]);
    rq_writer_set_int(w, c->nb_phases, ind->nb_phases);
    rq_writer_set_int(w, c->parcours, ind->parcours_complet);
    rq_writer_set_real(w, c->acces, ind->acces_e2sfca);
    rq_writer_set_int(w, c->rural, ind->rural);
    rq_writer_set_int(w, c->trou, ind->trou);
    phase_list(ind->missing, buf, sizeof buf);
    rq_writer_set_string(w, c->manq, buf);
    rq_writer_set_int(w, c->nb_manq, ind->nb_phases_manquantes);
    rq_writer_set_string(w, c->zone, ind->zone_trou >= 0 ? res->gaps[ind->zone_trou].id : NULL);
    size_t col = c->zone_p;
    for (int p = 0; p < RQ_NPHASES; p++)
        if (cfg->required[p])
            rq_writer_set_string(w, col++,
                                 ind->zone_trou_p[p] >= 0 ? res->gaps[ind->zone_trou_p[p]].id
                                                          : NULL);
}

/* What one thread needs to write geometries: its GEOS context and its
** transformation from the metric CRS to lon/lat. */
struct geo_out {
    rq_geos *g;
    rq_xform *xf;
};

static int
to_lonlat(double *x, double *y, void *ud)
{
    return rq_xform_point(ud, x, y);
}

static rq_status
geo_out_init(struct geo_out *o, rq_geos *g, const char *metric_crs, rq_err *err)
{
    o->g = g;
    o->xf = rq_xform_create(metric_crs, RQ_GEOJSON_SRS, err);
    return o->xf ? RQ_OK : err->code;
}

static void
geo_out_fini(struct geo_out *o)
{
    rq_xform_destroy(o->xf);
    o->xf = NULL;
}

/* WKB of geom (metric CRS) in lon/lat, newly allocated; NULL with err. */
static unsigned char *
lonlat_wkb(const struct geo_out *o, const rq_geom *geom, size_t *len, rq_err *err)
{
    rq_geom *ll = rq_geom_transform(o->g, geom, to_lonlat, o->xf, err);
    if (!ll) {
        if (!err->code)
            rq_err_set(err, RQ_ERR_PROJ, "cannot reproject a geometry to %s", RQ_GEOJSON_SRS);
        return NULL;
    }
    unsigned char *wkb = rq_geom_to_wkb(o->g, ll, len);
    rq_geom_destroy(o->g, ll);
    if (!wkb)
        rq_err_set(err, RQ_ERR_GEOS, "cannot convert a geometry to WKB: %s",
                   rq_geos_last_error(o->g));
    return wkb;
}

/* Sets the writer's geometry to geom (metric CRS) in lon/lat. */
static rq_status
set_geometry(rq_writer *w, const struct geo_out *o, const rq_geom *geom, rq_err *err)
{
    size_t len = 0;
    unsigned char *wkb = lonlat_wkb(o, geom, &len, err);
    if (!wkb)
        return err->code;
    rq_status rc = rq_writer_set_geometry_wkb(w, wkb, len, err);
    free(wkb);
    return rc;
}

/* ---- The communes' geometries, handed from one thread to another --------
**
** communes.geojson is written by a thread that only calls GDAL; the
** calling thread reprojects the communes and hands over their WKB one by
** one, so that GDAL's writer (the longest task of the stage) starts at
** once and never does the GEOS and PROJ work itself. */
struct geom_feed {
    unsigned char **wkb;
    size_t *len;
    size_t n;
    size_t ready;   /* wkb[0 .. ready) are set; guarded by lock */
    int failed;     /* the producer stopped; guarded by lock */
    pthread_mutex_t lock;
    pthread_cond_t more;
};

static void
feed_init(struct geom_feed *f, size_t n)
{
    memset(f, 0, sizeof *f);
    f->n = n;
    f->wkb = rq_xcalloc(n + 1, sizeof *f->wkb);
    f->len = rq_xcalloc(n + 1, sizeof *f->len);
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->more, NULL);
}

static void
feed_fini(struct geom_feed *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->wkb[i]);
    free(f->wkb);
    free(f->len);
    pthread_cond_destroy(&f->more);
    pthread_mutex_destroy(&f->lock);
}

/* Produces every commune's lon/lat WKB, in res->ind order. */
static rq_status
feed_produce(struct geom_feed *f, const rq_dataset *ds, const rq_results *res,
             const struct geo_out *o, rq_err *err)
{
    rq_status rc = RQ_OK;
    for (size_t a = 0; a < f->n && rc == RQ_OK; a++) {
        size_t len = 0;
        unsigned char *wkb = lonlat_wkb(o, ds->communes[res->ind[a].commune].geom, &len, err);
        pthread_mutex_lock(&f->lock);
        if (wkb) {
            f->wkb[a] = wkb;
            f->len[a] = len;
            f->ready = a + 1;
        } else {
            f->failed = 1;
            rc = err->code ? err->code : RQ_ERR_GEOS;
        }
        pthread_cond_signal(&f->more);
        pthread_mutex_unlock(&f->lock);
    }
    return rc;
}

/* Tells the consumer that nothing more will come. */
static void
feed_abort(struct geom_feed *f)
{
    pthread_mutex_lock(&f->lock);
    f->failed = 1;
    pthread_cond_signal(&f->more);
    pthread_mutex_unlock(&f->lock);
}

/* Waits for item a; NULL when the producer failed before making it. */
static const unsigned char *
feed_take(struct geom_feed *f, size_t a, size_t *len)
{
    const unsigned char *wkb = NULL;
    pthread_mutex_lock(&f->lock);
    while (f->ready <= a && !f->failed)
        pthread_cond_wait(&f->more, &f->lock);
    if (f->ready > a) {
        wkb = f->wkb[a];
        *len = f->len[a];
    }
    pthread_mutex_unlock(&f->lock);
    return wkb;
}

/* Writes communes.geojson, with the geometries of feed, when feed is
** given, else communes.csv. */
static rq_status
write_communes(const rq_dataset *ds, const rq_results *res, const char *path,
               struct geom_feed *feed, rq_err *err)
{
    int geojson = feed != NULL;
    struct fields f = {0};
    struct commune_cols c;
    commune_fields(ds->cfg, &f, &c);
    rq_status rc = RQ_OK;
    rq_writer *w = rq_writer_open(path, geojson ? RQ_OUT_GEOJSON : RQ_OUT_CSV, "communes", f.v,
                                  f.n, geojson ? RQ_OUT_POLYGON : RQ_OUT_NOGEOM,
                                  geojson ? RQ_GEOJSON_SRS : NULL, err);
    if (!w) {
        rc = err->code ? err->code : RQ_ERR_GDAL;
        goto cleanup;
    }
    for (size_t a = 0; a < res->n_ind && rc == RQ_OK; a++) {
        commune_values(ds, res, &res->ind[a], &c, w);
        if (geojson) {
            size_t len = 0;
            const unsigned char *wkb = feed_take(feed, a, &len);
            rc = wkb ? rq_writer_set_geometry_wkb(w, wkb, len, err)
                     : rq_err_set(err, RQ_ERR_INTERNAL, "%s: no geometry for feature %zu", path,
                                  a + 1);
        }
        if (rc == RQ_OK)
            rc = rq_writer_add(w, err);
    }
    if (rc == RQ_OK) {
        rc = rq_writer_close(w, err);
        w = NULL;
    }
cleanup:
    if (w)
        rq_writer_abort(w);
    fields_fini(&f);
    return rc;
}

/* ---- trous.geojson ------------------------------------------------------------ */

static rq_status
write_gaps(const rq_dataset *ds, const rq_results *res, const char *path,
           const struct geo_out *o, rq_err *err)
{
    static const rq_field_def defs[] = {
        {"id", RQ_FT_STRING, 0},          {"phase", RQ_FT_STRING, 0},
        {"nb_communes", RQ_FT_INT, 0},    {"population", RQ_FT_INT, 0},
        {"superficie_km2", RQ_FT_REAL, D_KM2}, {"phases_manquantes", RQ_FT_STRING, 0},
        {"departements", RQ_FT_STRING, 0}, {"communes", RQ_FT_STRING, 0},
    };
    rq_status rc = RQ_OK;
    rq_writer *w = rq_writer_open(path, RQ_OUT_GEOJSON, "trous", defs,
                                  sizeof defs / sizeof defs[0], RQ_OUT_POLYGON, RQ_GEOJSON_SRS,
                                  err);
    if (!w)
        return err->code ? err->code : RQ_ERR_GDAL;
    for (size_t i = 0; i < res->n_gaps && rc == RQ_OK; i++) {
        const rq_gap_zone *z = &res->gaps[i];
        char miss[128];
        phase_list(z->missing, miss, sizeof miss);
        /* The member codes, for a join without a spatial query. */
        size_t len = 0;
        char *codes = rq_xcalloc(z->n_communes * 8 + 1, 1);
        for (size_t j = 0; j < z->n_communes; j++)
            len += (size_t)sprintf(codes + len, "%s%.6s", j ? "|" : "",
                                   ds->communes[z->communes[j]].code);
        rq_writer_set_string(w, 0, z->id);
        rq_writer_set_string(w, 1, z->phase < 0 ? "toutes" : rq_phase_names[z->phase]);
        rq_writer_set_int(w, 2, (long)z->n_communes);
        rq_writer_set_int(w, 3, z->population);
        rq_writer_set_real(w, 4, z->area_km2);
        rq_writer_set_string(w, 5, miss);
        rq_writer_set_string(w, 6, z->departements);
        rq_writer_set_string(w, 7, codes);
        free(codes);
        rc = set_geometry(w, o, z->geom, err);
        if (rc == RQ_OK)
            rc = rq_writer_add(w, err);
    }
    return finish(w, rc, err);
}

/* ---- sites.geojson ----------------------------------------------------------- */

static rq_status
write_sites(const rq_dataset *ds, const char *path, const struct geo_out *o, rq_err *err)
{
    static const rq_field_def defs[] = {
        {"site_id", RQ_FT_STRING, 0},      {"structure_id", RQ_FT_STRING, 0},
        {"nom", RQ_FT_STRING, 0},          {"categorie", RQ_FT_STRING, 0},
        {"phases", RQ_FT_STRING, 0},       {"zone_type", RQ_FT_STRING, 0},
        {"zone_codes", RQ_FT_STRING, 0},   {"site_type", RQ_FT_STRING, 0},
        {"commune_code", RQ_FT_STRING, 0}, {"capacite", RQ_FT_REAL, 2},
        {"rayon_km", RQ_FT_REAL, 3},       {"itinerant", RQ_FT_INT, 0},
        {"localisation", RQ_FT_STRING, 0}, {"dans_zone_etude", RQ_FT_INT, 0},
    };
    rq_status rc = RQ_OK;
    rq_writer *w = rq_writer_open(path, RQ_OUT_GEOJSON, "sites", defs,
                                  sizeof defs / sizeof defs[0], RQ_OUT_POINT, RQ_GEOJSON_SRS, err);
    if (!w)
        return err->code ? err->code : RQ_ERR_GDAL;
    for (size_t i = 0; i < ds->n_sites && rc == RQ_OK; i++) {
        const rq_site *s = &ds->sites[i];
        const rq_zone *z = &ds->zones[s->zone];
        char phases[128], ztype[16];
        const char *colon = strchr(z->key, ':');
        size_t tl = colon ? (size_t)(colon - z->key) : 0;
        rq_strlcpy(ztype, z->key, tl + 1 < sizeof ztype ? tl + 1 : sizeof ztype);
        phase_list(s->phases, phases, sizeof phases);
        rq_writer_set_string(w, 0, s->site_id);
        rq_writer_set_string(w, 1, s->structure_id);
        rq_writer_set_string(w, 2, s->name);
        rq_writer_set_string(w, 3, ds->cfg->categories[s->category].name);
        rq_writer_set_string(w, 4, phases);
        rq_writer_set_string(w, 5, ztype);
        rq_writer_set_string(w, 6, colon ? colon + 1 : "");
        rq_writer_set_string(w, 7, s->site_type);
        rq_writer_set_string(w, 8, s->commune_code);
        if (s->capacity_missing)
            rq_writer_set_null(w, 9);
        else
            rq_writer_set_real(w, 9, s->capacity);
        rq_writer_set_real(w, 10, s->radius_km);
        rq_writer_set_int(w, 11, s->itinerant);
        rq_writer_set_string(w, 12, s->by_coords ? "coordonnees" : "commune");
        rq_writer_set_int(w, 13, s->in_area);
        rq_geom *pt = rq_geom_point(o->g, s->x, s->y);
        rc = set_geometry(w, o, pt, err);
        rq_geom_destroy(o->g, pt);
        if (rc == RQ_OK)
            rc = rq_writer_add(w, err);
    }
    return finish(w, rc, err);
}

/* ---- agregats_*.csv ----------------------------------------------------------- */

static rq_status
write_aggregates(const rq_aggregate *v, size_t n, const char *path, rq_err *err)
{
    static const rq_field_def defs[] = {
        {"code", RQ_FT_STRING, 0},
        {"nom", RQ_FT_STRING, 0},
        {"communes", RQ_FT_INT, 0},
        {"population", RQ_FT_INT, 0},
        {"part_phase_emergence", RQ_FT_REAL, D_SHARE},
        {"part_phase_creation", RQ_FT_REAL, D_SHARE},
        {"part_phase_consolidation", RQ_FT_REAL, D_SHARE},
        {"part_phase_developpement", RQ_FT_REAL, D_SHARE},
        {"part_parcours_complet", RQ_FT_REAL, D_SHARE},
        {"population_rurale", RQ_FT_INT, 0},
        {"communes_trou", RQ_FT_INT, 0},
        {"population_trou", RQ_FT_INT, 0},
        {"acces_e2sfca_moyen", RQ_FT_REAL, D_ACCES},
    };
    rq_status rc = RQ_OK;
    rq_writer *w = rq_writer_open(path, RQ_OUT_CSV, "agregats", defs,
                                  sizeof defs / sizeof defs[0], RQ_OUT_NOGEOM, NULL, err);
    if (!w)
        return err->code ? err->code : RQ_ERR_GDAL;
    for (size_t i = 0; i < n && rc == RQ_OK; i++) {
        const rq_aggregate *g = &v[i];
        rq_writer_set_string(w, 0, g->code);
        rq_writer_set_string(w, 1, g->name);
        rq_writer_set_int(w, 2, (long)g->communes);
        rq_writer_set_int(w, 3, g->population);
        for (int p = 0; p < 4; p++)
            rq_writer_set_real(w, 4 + (size_t)p, g->part_phase[p]);
        rq_writer_set_real(w, 8, g->part_parcours);
        rq_writer_set_int(w, 9, g->pop_rurale);
        rq_writer_set_int(w, 10, (long)g->communes_trou);
        rq_writer_set_int(w, 11, g->pop_trou);
        rq_writer_set_real(w, 12, g->acces_moyen);
        rc = rq_writer_add(w, err);
    }
    return finish(w, rc, err);
}

/* ---- Driver -------------------------------------------------------------------- */

/* communes.geojson is the largest file by far (GDAL's GeoJSON writer is
** most of the stage), so a second thread writes it while the calling
** thread feeds it the geometries, makes the gap zones' polygons and writes
** the other files. The thread only calls GDAL: it never touches a GEOS
** object. */
struct communes_job {
    const rq_dataset *ds;
    const rq_results *res;
    struct geom_feed *feed;
    char *path;
    rq_status rc;
    rq_err err;
};

static void *
communes_geojson_thread(void *arg)
{
    struct communes_job *j = arg;
    double t0 = rq_now();
    rq_err_clear(&j->err);
    j->rc = write_communes(j->ds, j->res, j->path, j->feed, &j->err);
    rq_log(RQ_LOG_DEBUG, "wrote communes.geojson in %.3f s", rq_now() - t0);
    return NULL;
}

/* The other files, in order; stops at the first failure. */
static rq_status
write_others(const rq_dataset *ds, const rq_results *res, const rq_outdir *od, rq_progress *pr,
             rq_err *err)
{
    static const char *const names[] = {"communes.csv",          "trous.geojson",
                                        "sites.geojson",         "agregats_departements.csv",
                                        "agregats_epci.csv",     "agregats_zone_etude.csv"};
    const size_t nf = sizeof names / sizeof names[0];
    struct geo_out o;
    rq_status rc = geo_out_init(&o, ds->geos, ds->cfg->crs, err);
    for (size_t i = 0; i < nf && rc == RQ_OK; i++) {
        char *path = rq_outdir_file(od, names[i]);
        double t0 = rq_now();
        switch (i) {
        case 0:
            rc = write_communes(ds, res, path, NULL, err);
            break;
        case 1:
            rc = write_gaps(ds, res, path, &o, err);
            break;
        case 2:
            rc = write_sites(ds, path, &o, err);
            break;
        case 3:
            rc = write_aggregates(res->agg_dep, res->n_agg_dep, path, err);
            break;
        case 4:
            rc = write_aggregates(res->agg_epci, res->n_agg_epci, path, err);
            break;
        default:
            rc = write_aggregates(&res->agg_area, 1, path, err);
        }
        rq_log(RQ_LOG_DEBUG, "wrote %s in %.3f s", names[i], rq_now() - t0);
        free(path);
        rq_progress_update((double)(i + 1) / (double)(nf + 2), NULL, pr);
    }
    geo_out_fini(&o);
    return rc;
}

/* Messages about files of the temporary folder name the folder the user
** asked for: the temporary one is gone once the run is aborted. */
static void
name_target(rq_err *err, const char *tmp, const char *target)
{
    size_t lt = strlen(tmp);
    char *at = strstr(err->msg, tmp);
    if (!at || lt == 0)
        return;
    char rest[sizeof err->msg];
    rq_strlcpy(rest, at + lt, sizeof rest);
    size_t head = (size_t)(at - err->msg);
    snprintf(at, sizeof err->msg - head, "%s%s", target, rest);
}

rq_status
rq_outputs_write(const rq_dataset *ds, rq_results *res, const rq_run_meta *meta, rq_outdir *od,
                 int quiet, rq_err *err)
{
    rq_progress pr;
    rq_status rc = RQ_OK;
    pthread_t th;
    struct geom_feed feed;
    struct geo_out o = {ds->geos, NULL};
    rq_union_plan *plan = NULL;

    rq_progress_begin(&pr, "outputs", quiet);
    feed_init(&feed, res->n_ind);
    struct communes_job job = {ds, res, &feed, rq_outdir_file(od, "communes.geojson"), RQ_OK,
                               {0, "", NULL}};
    int threaded = pthread_create(&th, NULL, communes_geojson_thread, &job) == 0;
    rc = geo_out_init(&o, ds->geos, ds->cfg->crs, err);
    double t0 = rq_now();
    if (rc == RQ_OK)
        rc = feed_produce(&feed, ds, res, &o, err);
    else
        feed_abort(&feed);
    rq_log(RQ_LOG_DEBUG, "reprojected the communes in %.3f s", rq_now() - t0);
    if (!threaded) /* no thread to be had: write it here */
        communes_geojson_thread(&job);
    if (rc == RQ_OK)
        plan = rq_gaps_union_plan(ds, res->gaps, res->n_gaps, err);
    t0 = rq_now();
    if (plan)
        rc = rq_gaps_union_run(plan, err);
    else if (rc == RQ_OK)
        rc = err->code ? err->code : RQ_ERR_GEOS;
    rq_log(RQ_LOG_DEBUG, "made the gap zones' polygons in %.3f s", rq_now() - t0);
    if (rc == RQ_OK)
        rc = write_others(ds, res, od, &pr, err);
    if (threaded)
        pthread_join(th, NULL);
    geo_out_fini(&o);
    feed_fini(&feed);
    free(job.path);
    /* A failure here may have stopped the writer (no more geometries): it
    ** is the one to report. */
    if (rc == RQ_OK && job.rc != RQ_OK) {
        rc = job.rc;
        rq_err_move(err, &job.err);
    }
    if (rc == RQ_OK) {
        char *path = rq_outdir_file(od, "run.json");
        double t = rq_progress_end(&pr, 1);
        if (res->n_timings < sizeof res->timings / sizeof res->timings[0])
            res->timings[res->n_timings++] = (rq_timing){"outputs", t};
        rc = rq_runjson_write(ds, res, meta, path, err);
        free(path);
    } else {
        rq_progress_end(&pr, 0);
    }
    if (rc == RQ_OK) {
        char *marker = rq_xasprintf(
            "This folder holds the outputs of a raquette run (raquette %s, run %s).\n"
            "The next run of the same name replaces it as a whole: keep no file of your own "
            "in it.\n",
            RQ_VERSION, meta->run_name);
        rc = rq_outdir_commit(od, marker, err);
        free(marker);
    }
    if (rc != RQ_OK)
        name_target(err, rq_outdir_path(od), rq_outdir_target(od));
    return rc;
}
