/* figures.c - the key figures of a report, and the French wording every
** part of it shares: percentages, dates, names of the study area, of the
** départements and of the phases.
*/
#include "report_internal.h"

#include "raquette/writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
rq_report_figures_of(const rq_report *r, rq_report_figures *f)
{
    const rq_snapshot *s = &r->run;
    long without[RQ_NPHASES] = {0};
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < s->n_communes; i++) {
        const rq_snap_commune *c = &s->communes[i];
        f->population += c->population;
        if (c->phases == (1u << RQ_NPHASES) - 1)
            f->population_parcours += c->population;
        if (c->trou)
            f->population_rurale_trou += c->population;
        if (c->phases == 0) {
            f->communes_sans++;
            f->population_sans += c->population;
        }
        for (int p = 0; p < RQ_NPHASES; p++)
            if (!(c->phases & (1u << p)))
                without[p] += c->population;
    }
    for (size_t i = 0; i < s->n_gaps; i++)
        f->zones_trou += s->gaps[i].phase < 0;
    for (int p = 0; p < RQ_NPHASES; p++)
        f->part_sans[p] = f->population > 0 ? (double)without[p] / (double)f->population : 0;
}

#define NNBSP "\xe2\x80\xaf" /* U+202F NARROW NO-BREAK SPACE */

/* text with its spaces turned into narrow no-break spaces, into buf; a
** buffer too small cuts between characters, never inside one. */
static char *
unbreakable(const char *text, char *buf, size_t sz)
{
    size_t at = 0;
    if (!sz)
        return buf;
    for (const char *p = text; *p; p++) {
        size_t len = *p == ' ' ? 3 : 1;
        if (at + len >= sz)
            break;
        memcpy(buf + at, *p == ' ' ? NNBSP : p, len);
        at += len;
    }
    buf[at] = '\0';
    return buf;
}

char *
rq_fr_int(long v, char *buf, size_t sz)
{
    char n[48];
    return unbreakable(rq_fmt_int_fr(v, n, sizeof n), buf, sz);
}

char *
rq_fr_real(double v, int decimals, char *buf, size_t sz)
{
    char n[64];
    return unbreakable(rq_fmt_real_fr(v, decimals, n, sizeof n), buf, sz);
}

char *
rq_fr_percent(double share, char *buf, size_t sz)
{
    char n[64], t[80];
    rq_fmt_real_fr(100.0 * share, 1, n, sizeof n);
    snprintf(t, sizeof t, "%s %%", n);
    return unbreakable(t, buf, sz);
}

const rq_fr_noun *
rq_fr_rows(const rq_report *r)
{
    static const rq_fr_noun communes = {"commune", "communes", "Communes"};
    static const rq_fr_noun mailles = {"maille", "mailles", "Mailles"};
    return r->run.units ? &mailles : &communes;
}

void
rq_fr_date(const char *iso, char *buf, size_t sz)
{
    static const char *const months[] = {"janvier",   "février", "mars",     "avril",
                                         "mai",       "juin",    "juillet",  "août",
                                         "septembre", "octobre", "novembre", "décembre"};
    int y = 0, m = 0, d = 0;
    if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
        snprintf(buf, sz, "%d%s %s %d", d, d == 1 ? "er" : "", months[m - 1], y);
    else
        snprintf(buf, sz, "%s", iso ? iso : "");
}

/* Names of the régions of metropolitan France (COG 2016 onwards). */
static const struct {
    const char *code, *name;
} regions[] = {
    {"11", "Île-de-France"},
    {"24", "Centre-Val de Loire"},
    {"27", "Bourgogne-Franche-Comté"},
    {"28", "Normandie"},
    {"32", "Hauts-de-France"},
    {"44", "Grand Est"},
    {"52", "Pays de la Loire"},
    {"53", "Bretagne"},
    {"75", "Nouvelle-Aquitaine"},
    {"76", "Occitanie"},
    {"84", "Auvergne-Rhône-Alpes"},
    {"93", "Provence-Alpes-Côte d'Azur"},
    {"94", "Corse"},
};

char *
rq_area_label(const rq_report *r)
{
    rq_json *root = rq_json_parse(r->params_json);
    const rq_json *p = rq_json_get(root, "parametres");
    rq_buf b = {0};
    if (rq_json_str(rq_json_get(p, "region"))) {
        rq_buf_add(&b, "France métropolitaine");
    } else {
        const rq_json *list = rq_json_get(p, "regions");
        int deps = !list;
        if (deps)
            list = rq_json_get(p, "departements");
        for (size_t i = 0; i < rq_json_len(list); i++) {
            const char *code = rq_json_str(rq_json_at(list, i));
            const char *name = NULL;
            for (size_t k = 0; !deps && code && k < sizeof regions / sizeof regions[0]; k++)
                if (strcmp(regions[k].code, code) == 0)
                    name = regions[k].name;
            if (deps && code && *rq_dep_label(r, code))
                name = rq_dep_label(r, code);
            rq_buf_join(&b, i + 1 == rq_json_len(list) && i ? " et " : ", ",
                        name   ? name
                        : code ? code
                               : "?");
        }
    }
    rq_json_free(root);
    return rq_buf_take(&b);
}

const char *
rq_dep_label(const rq_report *r, const char *code)
{
    for (size_t i = 0; i < r->n_deps; i++)
        if (strcmp(r->deps[i].code, code) == 0)
            return r->deps[i].name;
    return "";
}

char *
rq_phase_words(const char *list)
{
    rq_buf b = {0};
    size_t n = 0;
    char **v = rq_strsplit(list ? list : "", '|', &n);
    for (size_t i = 0; i < n; i++) {
        int p = rq_phase_index(v[i]);
        rq_buf_join(&b, ", ", p >= 0 ? rq_phase_labels[p] : v[i]);
    }
    rq_strv_free(v);
    return rq_buf_take(&b);
}

int
rq_report_is_demo(const rq_report *r)
{
    rq_json *in = rq_json_parse(r->inputs_json);
    const rq_json *arr = rq_json_get(in, "entrees");
    int demo = 0;
    for (size_t i = 0; i < rq_json_len(arr); i++) {
        const rq_json *o = rq_json_at(arr, i);
        const char *role = rq_json_str(rq_json_get(o, "role"));
        const char *path = rq_json_str(rq_json_get(o, "chemin"));
        if (role && path && strcmp(role, "structures") == 0) {
            const char *base = strrchr(path, '/');
            demo = strstr(base ? base : path, "demo") != NULL;
        }
    }
    rq_json_free(in);
    return demo;
}

char *
rq_category_label(const char *category, char *buf, size_t sz)
{
    rq_strlcpy(buf, category ? category : "", sz);
    for (char *p = buf; *p; p++)
        if (*p == '_')
            *p = ' ';
    return buf;
}
