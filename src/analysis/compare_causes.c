/* compare_causes.c - the changes between two runs that can explain a
** commune's change of status: structures and sites added or removed, sites
** moved, structures whose phases, zone, category, radius or capacity
** changed, and the analysis-wide changes (parameters, boundaries).
**
** Structures and sites are matched by id (the directory's own keys), both
** lists sorted, in one merge pass. Across commune vintages, a site's
** commune and a zone's communes are compared through the newer commune
** table (rq_cmp_map_code), and the members of a zone by EPCI or by
** département are recomputed on both sides, since the perimeter of an EPCI
** may change from one year's table to the next while its code does not.
*/
#include "compare_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rq_cause_names[RQ_N_CAUSES] = {
    "structure_ajoutee", "structure_supprimee", "site_ajoute",         "site_supprime",
    "site_deplace",      "phases_modifiees",    "zone_modifiee",       "categorie_modifiee",
    "rayon_modifie",     "capacite_modifiee",   "parametres_modifies", "contours_modifies",
    "ruralite_modifiee", "inexplique"};

/* A site moved when it is more than this far from where it was (metres):
** positions come from the same file, so any real move is far larger. */
#define RQ_MOVE_M 1.0

size_t
rq_cmp_cause_add(rq_cmp_ctx *c, rq_cause_type type, const char *structure_id, const char *site_id,
                 const char *category, const char *detail)
{
    rq_comparison *cmp = c->cmp;
    size_t cap = cmp->n_causes; /* grown one at a time: a few dozen causes */
    cmp->causes = rq_xreallocarray(cmp->causes, cap + 1, sizeof *cmp->causes);
    rq_cause *k = &cmp->causes[cmp->n_causes];
    memset(k, 0, sizeof *k);
    snprintf(k->id, sizeof k->id, "C%02zu", cmp->n_causes + 1);
    k->type = type;
    k->structure_id = rq_xstrdup(structure_id);
    k->site_id = rq_xstrdup(site_id);
    k->category = rq_xstrdup(category);
    k->detail = rq_xstrdup(detail);
    if (*structure_id) {
        rq_grow((void **)&c->keys, &c->cap_keys, c->n_keys + 1, sizeof *c->keys);
        c->keys[c->n_keys++] = (rq_cause_key){k->structure_id, cmp->n_causes};
    }
    return cmp->n_causes++;
}

void
rq_cmp_blame(rq_cmp_ctx *c, size_t row, size_t cause)
{
    rq_cmp_commune *r = &c->cmp->communes[row];
    for (size_t i = 0; i < r->n_causes; i++)
        if (r->causes[i] == cause)
            return;
    rq_grow((void **)&r->causes, &r->cap, r->n_causes + 1, sizeof *r->causes);
    r->causes[r->n_causes++] = cause;
    rq_cause *k = &c->cmp->causes[cause];
    rq_grow((void **)&k->communes, &k->cap, k->n_communes + 1, sizeof *k->communes);
    k->communes[k->n_communes++] = row;
}

static int
cmp_key(const void *a, const void *b)
{
    const rq_cause_key *x = a, *y = b;
    int d = strcmp(x->structure_id, y->structure_id);
    return d ? d : (x->cause > y->cause) - (x->cause < y->cause);
}

size_t
rq_cmp_blame_structure(rq_cmp_ctx *c, size_t row, const char *structure_id)
{
    size_t lo = 0, hi = c->n_keys, found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->keys[mid].structure_id, structure_id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < c->n_keys && strcmp(c->keys[lo].structure_id, structure_id) == 0; lo++, found++)
        rq_cmp_blame(c, row, c->keys[lo].cause);
    return found;
}

/* ---- Zones ---------------------------------------------------------------- */

/* The communes of ref (indices, sorted) in a zone of side s: for "epci" and
** "departement", the communes of s whose field is one of codes; for
** "communes", the codes; each sent to its commune of ref. */
static size_t *
zone_members(const rq_cmp_ctx *c, const rq_snapshot *s, const char *type, const char *codes,
             size_t *n_out)
{
    size_t n_codes = 0, n = 0;
    char **list = rq_strsplit(codes, '|', &n_codes);
    size_t *out = rq_xcalloc(s->n_communes + n_codes + 1, sizeof *out);
    int by_epci = strcmp(type, "epci") == 0, by_dep = strcmp(type, "departement") == 0;
    if (by_epci || by_dep) {
        qsort(list, n_codes, sizeof *list, rq_cmp_strp);
        for (size_t i = 0; i < s->n_communes; i++) {
            const char *key = by_epci ? s->communes[i].epci : s->communes[i].dep;
            if (key && bsearch(&key, list, n_codes, sizeof *list, rq_cmp_strp)) {
                const char *to = rq_cmp_map_code(c, s->communes[i].code);
                long j = to ? rq_snapshot_commune(c->ref, to) : -1;
                if (j >= 0)
                    out[n++] = (size_t)j;
            }
        }
    } else {
        for (size_t i = 0; i < n_codes; i++) {
            const char *to = rq_cmp_map_code(c, list[i]);
            long j = to ? rq_snapshot_commune(c->ref, to) : -1;
            if (j >= 0)
                out[n++] = (size_t)j;
        }
    }
    rq_strv_free(list);
    if (n > 1)
        qsort(out, n, sizeof *out, rq_cmp_size);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || out[m - 1] != out[i])
            out[m++] = out[i];
    *n_out = m;
    return out;
}

/* The codes of a zone of type communes as current communes of the newer
** table, sorted, each once. For runs on study units, whose rows are units
** and not communes (method.md §1.4). */
static char **
zone_communes(const rq_cmp_ctx *c, const char *codes, size_t *n_out)
{
    size_t n = 0, m = 0;
    char **list = rq_strsplit(codes, '|', &n);
    for (size_t i = 0; i < n; i++) {
        char *to = rq_xstrdup(rq_cmp_map_commune(c, list[i]));
        free(list[i]);
        list[i] = to;
    }
    if (n > 1)
        qsort(list, n, sizeof *list, rq_cmp_strp);
    for (size_t i = 0; i < n; i++) {
        if (m && strcmp(list[m - 1], list[i]) == 0)
            free(list[i]);
        else
            list[m++] = list[i];
    }
    list[m] = NULL;
    *n_out = m;
    return list;
}

/* How many members b's zone has that a's has not (*added) and the other
** way round (*removed): row indices of ref, or, for a zone of type
** communes in runs on study units, commune codes. */
static void
zone_diff(const rq_cmp_ctx *c, const rq_snap_structure *sa, const rq_snap_structure *sb,
          size_t *added, size_t *removed)
{
    size_t na = 0, nb = 0, i = 0, j = 0;
    *added = *removed = 0;
    if (c->ref->units && strcmp(sa->zone_type, "communes") == 0) {
        char **ca = zone_communes(c, sa->zone_codes, &na);
        char **cb = zone_communes(c, sb->zone_codes, &nb);
        while (i < na || j < nb) {
            int d = i >= na ? 1 : j >= nb ? -1 : strcmp(ca[i], cb[j]);
            if (d < 0)
                ++*removed, i++;
            else if (d > 0)
                ++*added, j++;
            else
                i++, j++;
        }
        rq_strv_free(ca);
        rq_strv_free(cb);
        return;
    }
    size_t *ma = zone_members(c, c->cmp->a, sa->zone_type, sa->zone_codes, &na);
    size_t *mb = zone_members(c, c->cmp->b, sb->zone_type, sb->zone_codes, &nb);
    while (i < na || j < nb) {
        if (j >= nb || (i < na && ma[i] < mb[j]))
            ++*removed, i++;
        else if (i >= na || mb[j] < ma[i])
            ++*added, j++;
        else
            i++, j++;
    }
    free(ma);
    free(mb);
}

/* The change of a structure's zone between a and b, in French; NULL when
** its zone holds the same communes. */
static char *
zone_change(const rq_cmp_ctx *c, const rq_snap_structure *sa, const rq_snap_structure *sb)
{
    if (strcmp(sa->zone_type, sb->zone_type) != 0)
        return rq_xasprintf("zone %s %s → %s %s", sa->zone_type, sa->zone_codes, sb->zone_type,
                            sb->zone_codes);
    int by_members = strcmp(sa->zone_type, "communes") == 0 ||
                     (c->cmp->across_vintages && (strcmp(sa->zone_type, "epci") == 0 ||
                                                  strcmp(sa->zone_type, "departement") == 0));
    if (!by_members)
        return strcmp(sa->zone_codes, sb->zone_codes) == 0
                   ? NULL
                   : rq_xasprintf("zone %s %s → %s", sa->zone_type, sa->zone_codes, sb->zone_codes);
    size_t added = 0, removed = 0;
    zone_diff(c, sa, sb, &added, &removed);
    if (!added && !removed)
        return NULL;
    return rq_xasprintf("zone %s %s → %s : %zu commune%s en plus, %zu en moins", sa->zone_type,
                        sa->zone_codes, sb->zone_codes, added, added > 1 ? "s" : "", removed);
}

/* ---- Structures and sites ------------------------------------------------------ */

/* The sites of one run ordered by structure then site id, read in step
** with the structures (visited in id order): one pass over each run. */
typedef struct site_cursor {
    const rq_snap_site **order;
    size_t n, at;
} site_cursor;

static int
cmp_site_order(const void *x, const void *y)
{
    const rq_snap_site *a = *(const rq_snap_site *const *)x;
    const rq_snap_site *b = *(const rq_snap_site *const *)y;
    int d = strcmp(a->structure_id, b->structure_id);
    return d ? d : strcmp(a->site_id, b->site_id);
}

static void
cursor_init(site_cursor *k, const rq_snapshot *s)
{
    k->n = s->n_sites;
    k->at = 0;
    k->order = rq_xcalloc(s->n_sites + 1, sizeof *k->order);
    for (size_t i = 0; i < s->n_sites; i++)
        k->order[i] = &s->sites[i];
    if (s->n_sites > 1)
        qsort(k->order, s->n_sites, sizeof *k->order, cmp_site_order);
}

/* The sites of structure id: order[*begin .. return value). */
static size_t
cursor_run(site_cursor *k, const char *id, size_t *begin)
{
    while (k->at < k->n && strcmp(k->order[k->at]->structure_id, id) < 0)
        k->at++;
    *begin = k->at;
    while (k->at < k->n && strcmp(k->order[k->at]->structure_id, id) == 0)
        k->at++;
    return k->at;
}

static char *
site_list(site_cursor *k, const char *structure_id)
{
    rq_buf b = {0};
    size_t begin, end = cursor_run(k, structure_id, &begin);
    for (size_t i = begin; i < end; i++)
        rq_buf_join(&b, ", ", k->order[i]->site_id);
    return rq_buf_take(&b);
}

static void
cause_f(rq_cmp_ctx *c, rq_cause_type type, const char *structure_id, const char *site_id,
        const char *category, char *detail_take)
{
    rq_cmp_cause_add(c, type, structure_id, site_id, category, detail_take);
    free(detail_take);
}

/* "Toulouse (31555)" when the run's rows are communes; "31555" when they
** are study units, keyed by their own ids. */
static const char *
commune_label(const rq_snapshot *s, const char *code, char *buf, size_t sz)
{
    long i = s->units ? -1 : rq_snapshot_commune(s, code);
    if (i >= 0)
        snprintf(buf, sz, "%s (%s)", s->communes[i].name, code);
    else if (s->units)
        snprintf(buf, sz, "la commune %s", code);
    else
        snprintf(buf, sz, "? (%s)", code);
    return buf;
}

/* The changes of one site present in both runs. */
static void
site_changes(rq_cmp_ctx *c, const rq_snap_site *sa, const rq_snap_site *sb, const char *category)
{
    const char *ca = rq_cmp_map_commune(c, sa->commune_code);
    double moved_km = hypot(sb->x - sa->x, sb->y - sa->y) / 1000.0;
    if (moved_km * 1000.0 > RQ_MOVE_M || !ca || strcmp(ca, sb->commune_code) != 0) {
        char km[32], from[160], to[160];
        cause_f(c, RQ_CAUSE_SITE_MOVED, sb->structure_id, sb->site_id, category,
                rq_xasprintf("de %s à %s, %s km",
                             commune_label(c->cmp->a, sa->commune_code, from, sizeof from),
                             commune_label(c->cmp->b, sb->commune_code, to, sizeof to),
                             rq_fmt_real_fr(moved_km, 1, km, sizeof km)));
    }
    if (fabs(sa->radius_km - sb->radius_km) > 1e-9)
        cause_f(c, RQ_CAUSE_RADIUS, sb->structure_id, sb->site_id, category,
                rq_xasprintf("rayon %g → %g km", sa->radius_km, sb->radius_km));
    if (sa->capacity_missing != sb->capacity_missing || fabs(sa->capacity - sb->capacity) > 1e-9) {
        char x[32], y[32];
        cause_f(c, RQ_CAUSE_CAPACITY, sb->structure_id, sb->site_id, category,
                rq_xasprintf("capacité %s → %s",
                             sa->capacity_missing ? "non renseignée"
                                                  : rq_fmt_real_fr(sa->capacity, 1, x, sizeof x),
                             sb->capacity_missing ? "non renseignée"
                                                  : rq_fmt_real_fr(sb->capacity, 1, y, sizeof y)));
    }
}

/* The sites of structure id in both runs, merged by site id. */
static void
sites_of_structure(rq_cmp_ctx *c, site_cursor *ka, site_cursor *kb, const char *id,
                   const char *category)
{
    size_t i, j, end_a = cursor_run(ka, id, &i), end_b = cursor_run(kb, id, &j);
    while (i < end_a || j < end_b) {
        const rq_snap_site *sa = i < end_a ? ka->order[i] : NULL;
        const rq_snap_site *sb = j < end_b ? kb->order[j] : NULL;
        int d = !sa ? 1 : !sb ? -1 : strcmp(sa->site_id, sb->site_id);
        if (d < 0)
            cause_f(c, RQ_CAUSE_SITE_REMOVED, id, sa->site_id, category,
                    rq_xasprintf("site %s (%s) supprimé", sa->site_id, sa->name));
        else if (d > 0)
            cause_f(c, RQ_CAUSE_SITE_ADDED, id, sb->site_id, category,
                    rq_xasprintf("site %s (%s) ajouté", sb->site_id, sb->name));
        else
            site_changes(c, sa, sb, category);
        i += d <= 0;
        j += d >= 0;
    }
}

static void
structure_changes(rq_cmp_ctx *c, site_cursor *ka, site_cursor *kb, const rq_snap_structure *sa,
                  const rq_snap_structure *sb)
{
    char pa[128], pb[128];
    if (sa->phases != sb->phases) {
        rq_phase_list(sa->phases, pa, sizeof pa);
        rq_phase_list(sb->phases, pb, sizeof pb);
        cause_f(c, RQ_CAUSE_PHASES, sb->id, "", sb->category,
                rq_xasprintf("phases %s → %s", pa, pb));
    }
    if (strcmp(sa->category, sb->category) != 0)
        cause_f(c, RQ_CAUSE_CATEGORY, sb->id, "", sb->category,
                rq_xasprintf("catégorie %s → %s", sa->category, sb->category));
    char *zone = zone_change(c, sa, sb);
    if (zone)
        cause_f(c, RQ_CAUSE_ZONE, sb->id, "", sb->category, zone);
    sites_of_structure(c, ka, kb, sb->id, sb->category);
}

void
rq_cmp_causes(rq_cmp_ctx *c)
{
    const rq_snapshot *a = c->cmp->a, *b = c->cmp->b;
    site_cursor ka, kb;
    cursor_init(&ka, a);
    cursor_init(&kb, b);
    size_t i = 0, j = 0;
    while (i < a->n_structures || j < b->n_structures) {
        int d = i >= a->n_structures   ? 1
                : j >= b->n_structures ? -1
                                       : strcmp(a->structures[i].id, b->structures[j].id);
        if (d < 0) {
            const rq_snap_structure *t = &a->structures[i];
            char *sites = site_list(&ka, t->id);
            cause_f(c, RQ_CAUSE_STRUCTURE_REMOVED, t->id, "", t->category,
                    rq_xasprintf("structure %s supprimée (sites %s)", t->id, sites));
            free(sites);
        } else if (d > 0) {
            const rq_snap_structure *t = &b->structures[j];
            char *sites = site_list(&kb, t->id);
            cause_f(c, RQ_CAUSE_STRUCTURE_ADDED, t->id, "", t->category,
                    rq_xasprintf("structure %s ajoutée (sites %s)", t->id, sites));
            free(sites);
        } else {
            structure_changes(c, &ka, &kb, &a->structures[i], &b->structures[j]);
        }
        i += d <= 0;
        j += d >= 0;
    }
    free(ka.order);
    free(kb.order);
    if (strcmp(a->params ? a->params : "", b->params ? b->params : "") != 0)
        c->global[0] = (long)rq_cmp_cause_add(c, RQ_CAUSE_PARAMETERS, "", "", "",
                                              "paramètres de l'analyse modifiés");
    if (a->boundaries_sha && b->boundaries_sha && *a->boundaries_sha && *b->boundaries_sha &&
        strcmp(a->boundaries_sha, b->boundaries_sha) != 0)
        c->global[1] = (long)rq_cmp_cause_add(c, RQ_CAUSE_BOUNDARIES, "", "", "",
                                              "contours des communes modifiés");
    if (c->n_keys > 1)
        qsort(c->keys, c->n_keys, sizeof *c->keys, cmp_key);
}
