/* compare.c - what changed between two runs, commune by commune, and which
** changes of the directory explain it (compare.h).
**
** 1. Communes are matched through the newer run's commune table: each code
**    of the other run goes to the current commune it belongs to
**    (rq_cmp_map_code). A commune of the newer run that several former
**    communes merged into is compared with the union of those parts.
** 2. Each side's values are read as recorded when a commune stands alone,
**    and computed for a union (compare.h says how), so that a commune that
**    did not change is never reported because of rounding.
** 3. A phase a commune gained is blamed on the changes (compare_causes.c) of
**    the structures that cover it for that phase in the later run; a phase
**    it lost, on those of the structures that covered it before. A change of
**    status that no change of a structure explains goes to the analysis-wide
**    causes (parameters, boundaries), to the commune's rurality, or is filed
**    as unexplained: the comparison never hides one.
**
** Nothing here grows with the product of the two runs' sizes: codes are
** matched by binary search, covers read by commune from sorted arrays.
*/
#include "compare_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const rq_evolution_names[RQ_N_EVO] = {"inchangee", "entree_trou", "sortie_trou",
                                                  "gain",      "perte",       "gain_et_perte",
                                                  "nouvelle",  "disparue"};

static int
cmp_redirect_key(const void *key, const void *elem)
{
    return strcmp(key, ((const rq_snap_redirect *)elem)->code);
}

static const rq_snap_redirect *
redirect_of(const rq_snapshot *ref, const char *code)
{
    return ref->n_redirects ? bsearch(code, ref->redirects, ref->n_redirects,
                                      sizeof *ref->redirects, cmp_redirect_key)
                            : NULL;
}

const char *
rq_cmp_map_code(const rq_cmp_ctx *c, const char *code)
{
    long j = rq_snapshot_commune(c->ref, code);
    if (j >= 0)
        return c->ref->communes[j].code;
    const rq_snap_redirect *r = redirect_of(c->ref, code);
    return r ? r->to : NULL;
}

const char *
rq_cmp_map_commune(const rq_cmp_ctx *c, const char *code)
{
    if (!c->ref->units)
        return rq_cmp_map_code(c, code);
    const rq_snap_redirect *r = redirect_of(c->ref, code);
    return r ? r->to : code;
}

/* ---- One side of a commune ------------------------------------------------ */

/* A structure's share of a commune (or of a union of parts). */
struct share {
    size_t structure;
    double ratio;
};

/* What one run says of a commune or of the union of its parts. */
struct side {
    long population;
    unsigned phases;
    int rural, trou;
    double acces;
    struct share *shares; /* sorted by structure */
    size_t n_shares;
};

static int
cmp_share(const void *a, const void *b)
{
    const struct share *x = a, *y = b;
    return (x->structure > y->structure) - (x->structure < y->structure);
}

/* First cover of commune i in s (covers are sorted by commune). */
static size_t
first_cover(const rq_snapshot *s, size_t i)
{
    size_t lo = 0, hi = s->n_covers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->covers[mid].commune < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The area-weighted shares of the union of communes parts[0..n) of s. */
static void
union_shares(const rq_snapshot *s, const size_t *parts, size_t n, struct side *out)
{
    double area = 0;
    size_t cap = 0;
    for (size_t k = 0; k < n; k++)
        area += s->communes[parts[k]].area_km2;
    for (size_t k = 0; k < n; k++) {
        double w = n == 1 || area <= 0 ? 1.0 : s->communes[parts[k]].area_km2 / area;
        for (size_t q = first_cover(s, parts[k]);
             q < s->n_covers && s->covers[q].commune == parts[k]; q++) {
            rq_grow((void **)&out->shares, &cap, out->n_shares + 1, sizeof *out->shares);
            out->shares[out->n_shares++] =
                (struct share){s->covers[q].structure, s->covers[q].ratio * w};
        }
    }
    if (out->n_shares > 1)
        qsort(out->shares, out->n_shares, sizeof *out->shares, cmp_share);
    size_t m = 0; /* add up the shares of one structure */
    for (size_t i = 0; i < out->n_shares; i++) {
        if (m && out->shares[m - 1].structure == out->shares[i].structure)
            out->shares[m - 1].ratio += out->shares[i].ratio;
        else
            out->shares[m++] = out->shares[i];
    }
    out->n_shares = m;
}

/* Fills one side for the communes parts[0..n) of s (n >= 1). */
static void
side_of(const rq_snapshot *s, const size_t *parts, size_t n, struct side *out)
{
    memset(out, 0, sizeof *out);
    union_shares(s, parts, n, out);
    if (n == 1) {
        const rq_snap_commune *c = &s->communes[parts[0]];
        out->population = c->population;
        out->phases = c->phases;
        out->rural = c->rural;
        out->trou = c->trou;
        out->acces = c->acces;
        return;
    }
    /* A union: method.md §3 on the shares, rurality of the most populous
    ** part (the first in code order on a tie), population-weighted access. */
    double weighted = 0, weight = 0;
    long best = -1;
    for (size_t k = 0; k < n; k++) {
        const rq_snap_commune *c = &s->communes[parts[k]];
        out->population += c->population;
        if (c->population > best) {
            best = c->population;
            out->rural = c->rural;
        }
        if (isfinite(c->acces)) {
            weighted += c->acces * (double)c->population;
            weight += (double)c->population;
        }
    }
    out->acces = weight > 0 ? weighted / weight : NAN;
    for (size_t i = 0; i < out->n_shares; i++)
        if (out->shares[i].ratio >= s->threshold)
            out->phases |= s->structures[out->shares[i].structure].phases;
    out->trou = out->rural && (s->required & ~out->phases) != 0;
}

/* ---- Rows ------------------------------------------------------------------- */

static rq_evolution
evolution_of(const rq_cmp_commune *r)
{
    if (!r->trou_a && r->trou_b)
        return RQ_EVO_GAP_ENTERED;
    if (r->trou_a && !r->trou_b)
        return RQ_EVO_GAP_LEFT;
    unsigned gained = r->phases_b & ~r->phases_a, lost = r->phases_a & ~r->phases_b;
    if (gained && lost)
        return RQ_EVO_MIXED;
    return gained ? RQ_EVO_GAIN : lost ? RQ_EVO_LOSS : RQ_EVO_UNCHANGED;
}

/* Blames the change of phase p of row on the structures of side s that
** cover it for p; returns the causes found. */
static size_t
blame_phase(rq_cmp_ctx *c, size_t row, const rq_snapshot *s, const struct side *sd, int p)
{
    size_t found = 0;
    for (size_t i = 0; i < sd->n_shares; i++) {
        const rq_snap_structure *t = &s->structures[sd->shares[i].structure];
        if (sd->shares[i].ratio >= s->threshold && (t->phases & (1u << p)))
            found += rq_cmp_blame_structure(c, row, t->id);
    }
    return found;
}

/* Links row to the causes of its change of status (see the header). */
static void
attribute(rq_cmp_ctx *c, size_t row, const struct side *sa, const struct side *sb)
{
    const rq_comparison *cmp = c->cmp;
    unsigned changed = sa->phases ^ sb->phases;
    int unexplained = 0;
    for (int p = 0; p < RQ_NPHASES; p++) {
        if (!(changed & (1u << p)))
            continue;
        int gained = (sb->phases >> p) & 1u;
        if (blame_phase(c, row, gained ? cmp->b : cmp->a, gained ? sb : sa, p))
            continue;
        size_t globals = 0;
        for (int k = 0; k < 2; k++)
            if (c->global[k] >= 0) {
                rq_cmp_blame(c, row, (size_t)c->global[k]);
                globals++;
            }
        unexplained |= globals == 0;
    }
    if (sa->trou != sb->trou && sa->rural != sb->rural) {
        if (c->rurality < 0)
            c->rurality = (long)rq_cmp_cause_add(c, RQ_CAUSE_RURALITY, "", "", "",
                                                 "ruralité de la commune modifiée");
        rq_cmp_blame(c, row, (size_t)c->rurality);
    }
    if (unexplained) {
        if (c->unexplained < 0)
            c->unexplained = (long)rq_cmp_cause_add(
                c, RQ_CAUSE_UNEXPLAINED, "", "", "",
                "changement qu'aucune modification de l'annuaire ni de l'analyse n'explique");
        rq_cmp_blame(c, row, (size_t)c->unexplained);
    }
}

static char *
codes_of(const rq_snapshot *s, const size_t *parts, size_t n)
{
    rq_buf b = {0};
    for (size_t k = 0; k < n; k++)
        rq_buf_join(&b, "|", s->communes[parts[k]].code);
    return rq_buf_take(&b);
}

/* The values of a commune that only one run knows: run b when in_b (a
** new commune), else run a (a commune gone). */
static void
lone_row(rq_cmp_commune *r, const rq_snap_commune *sc, int in_b)
{
    r->codes_before = rq_xstrdup(in_b ? "" : sc->code);
    r->acces_a = r->acces_b = NAN;
    if (in_b) {
        r->population_b = sc->population;
        r->phases_b = sc->phases;
        r->trou_b = sc->trou;
        r->acces_b = sc->acces;
        r->evolution = RQ_EVO_NEW;
    } else {
        r->population_a = sc->population;
        r->phases_a = sc->phases;
        r->trou_a = sc->trou;
        r->acces_a = sc->acces;
        r->evolution = RQ_EVO_GONE;
    }
}

/* The row of ref commune j, compared with its parts in old. */
static void
commune_row(rq_cmp_ctx *c, size_t j)
{
    rq_comparison *cmp = c->cmp;
    size_t row = cmp->n_communes++;
    rq_cmp_commune *r = &cmp->communes[row];
    const rq_snap_commune *rc = &c->ref->communes[j];
    const size_t *parts = c->parts + c->part_start[j];
    size_t n = c->part_start[j + 1] - c->part_start[j];
    r->code = rq_xstrdup(rc->code);
    r->name = rq_xstrdup(rc->name);
    r->geom = &rc->geom;
    if (n == 0) { /* in ref only */
        lone_row(r, rc, c->ref_is_b);
        return;
    }
    struct side sr, so;
    side_of(c->ref, &j, 1, &sr);
    side_of(c->old, parts, n, &so);
    const struct side *sa = c->ref_is_b ? &so : &sr, *sb = c->ref_is_b ? &sr : &so;
    r->codes_before =
        codes_of(c->ref_is_b ? c->old : c->ref, c->ref_is_b ? parts : &j, c->ref_is_b ? n : 1);
    r->merged = n > 1;
    cmp->n_merged += r->merged;
    cmp->n_recoded += n == 1 && strcmp(c->old->communes[parts[0]].code, rc->code) != 0;
    r->population_a = sa->population;
    r->population_b = sb->population;
    r->phases_a = sa->phases;
    r->phases_b = sb->phases;
    r->trou_a = sa->trou;
    r->trou_b = sb->trou;
    r->acces_a = sa->acces;
    r->acces_b = sb->acces;
    r->evolution = evolution_of(r);
    if (r->evolution != RQ_EVO_UNCHANGED)
        attribute(c, row, sa, sb);
    free(sr.shares);
    free(so.shares);
}

/* A commune of old that ref does not know. */
static void
gone_row(rq_cmp_ctx *c, size_t i)
{
    rq_comparison *cmp = c->cmp;
    rq_cmp_commune *r = &cmp->communes[cmp->n_communes++];
    const rq_snap_commune *oc = &c->old->communes[i];
    r->code = rq_xstrdup(oc->code);
    r->name = rq_xstrdup(oc->name);
    r->geom = &oc->geom;
    lone_row(r, oc, !c->ref_is_b);
}

/* Sends every commune of old to its commune of ref, grouped by ref. */
static void
match_communes(rq_cmp_ctx *c)
{
    const rq_snapshot *ref = c->ref, *old = c->old;
    c->old_to_ref = rq_xcalloc(old->n_communes + 1, sizeof *c->old_to_ref);
    c->part_start = rq_xcalloc(ref->n_communes + 2, sizeof *c->part_start);
    c->parts = rq_xcalloc(old->n_communes + 1, sizeof *c->parts);
    for (size_t i = 0; i < old->n_communes; i++) {
        const char *to = rq_cmp_map_code(c, old->communes[i].code);
        c->old_to_ref[i] = to ? rq_snapshot_commune(ref, to) : -1;
        if (c->old_to_ref[i] >= 0)
            c->part_start[c->old_to_ref[i] + 1]++;
    }
    for (size_t j = 0; j < ref->n_communes; j++)
        c->part_start[j + 1] += c->part_start[j];
    size_t *fill = rq_xcalloc(ref->n_communes + 1, sizeof *fill);
    for (size_t i = 0; i < old->n_communes; i++) /* ascending: parts stay in code order */
        if (c->old_to_ref[i] >= 0) {
            size_t j = (size_t)c->old_to_ref[i];
            c->parts[c->part_start[j] + fill[j]++] = i;
        }
    free(fill);
}

rq_status
rq_compare(rq_geos *g, const rq_snapshot *a, const rq_snapshot *b, rq_comparison *cmp, rq_err *err)
{
    memset(cmp, 0, sizeof *cmp);
    cmp->a = a;
    cmp->b = b;
    const char *va = a->vintage ? a->vintage : "", *vb = b->vintage ? b->vintage : "";
    cmp->across_vintages = strcmp(va, vb) != 0;
    rq_cmp_ctx c = {.cmp = cmp, .global = {-1, -1}, .rurality = -1, .unexplained = -1};
    c.ref_is_b = strcmp(va, vb) <= 0;
    c.ref = c.ref_is_b ? b : a;
    c.old = c.ref_is_b ? a : b;
    match_communes(&c);
    rq_cmp_causes(&c);
    cmp->communes = rq_xcalloc(c.ref->n_communes + c.old->n_communes + 1, sizeof *cmp->communes);
    for (size_t j = 0; j < c.ref->n_communes; j++)
        commune_row(&c, j);
    for (size_t i = 0; i < c.old->n_communes; i++)
        if (c.old_to_ref[i] < 0)
            gone_row(&c, i);
    for (size_t i = 0; i < cmp->n_communes; i++) {
        const rq_cmp_commune *r = &cmp->communes[i];
        cmp->n_evo[r->evolution]++;
        cmp->pop_evo[r->evolution] += r->population_b ? r->population_b : r->population_a;
    }
    for (size_t k = 0; k < cmp->n_causes; k++) {
        rq_cause *cause = &cmp->causes[k];
        for (size_t i = 0; i < cause->n_communes; i++) {
            const rq_cmp_commune *r = &cmp->communes[cause->communes[i]];
            cause->population += r->population_b ? r->population_b : r->population_a;
        }
    }
    rq_status rc = rq_cmp_zones(g, &c, err);
    free(c.old_to_ref);
    free(c.part_start);
    free(c.parts);
    free(c.keys);
    if (rc != RQ_OK)
        rq_comparison_fini(cmp);
    return rc;
}

void
rq_comparison_fini(rq_comparison *cmp)
{
    for (size_t i = 0; i < cmp->n_communes; i++) {
        rq_cmp_commune *r = &cmp->communes[i];
        free(r->code);
        free(r->name);
        free(r->codes_before);
        free(r->causes);
    }
    for (size_t i = 0; i < cmp->n_zones; i++) {
        free(cmp->zones[i].id_b);
        free(cmp->zones[i].ids_a);
    }
    for (size_t i = 0; i < cmp->n_causes; i++) {
        rq_cause *k = &cmp->causes[i];
        free(k->structure_id);
        free(k->site_id);
        free(k->category);
        free(k->detail);
        free(k->communes);
    }
    free(cmp->communes);
    free(cmp->zones);
    free(cmp->causes);
    memset(cmp, 0, sizeof *cmp);
}
