/* test_store.c - the history database (src/store/): created whole and
** recognised, foreign or damaged files refused, runs recorded, listed,
** found and read back as snapshots, transactions rolled back. The file is
** inspected with the sqlite3 command-line tool, as an analyst would.
*/
#include "rq_test.h"

#include "raquette/store.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;

static int
setup(void **state)
{
    (void)state;
    dir = rq_test_tmpdir();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    return rq_test_teardown_dir(&dir);
}

static char *
sql(const char *db, const char *query)
{
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "sqlite3 -batch '%s' \"%s\"", db, query);
    if (rq_test_run(cmd, &out) != 0)
        fail_msg("sqlite3 failed: %s\n%s", query, out);
    return out;
}

static void
assert_sql(const char *db, const char *query, const char *expected)
{
    char *out = sql(db, query);
    if (strcmp(out, expected) != 0)
        fail_msg("%s: got \"%s\", expected \"%s\"", query, out, expected);
    free(out);
}

static long long
add_run(rq_store *s, const char *name, const char *crs, rq_err *err, rq_status *rc)
{
    rq_store_run r = {0};
    r.name = (char *)name;
    r.date = (char *)"2026-12-02";
    r.vintage = (char *)"2026";
    r.crs = (char *)crs;
    r.threshold = 0.5;
    r.required = (char *)"emergence|creation|consolidation";
    r.params = (char *)"{}";
    r.communes = 2;
    r.population = 1500;
    long long id = 0;
    *rc = rq_store_add_run(s, &r, &id, err);
    return id;
}

/* Rows through a sink, as the layers write them. */
static void
insert(rq_store *s, long long id, const char *table, const rq_field_def *f, size_t n,
       rq_out_geom gtype, const char *const *rows, size_t n_rows, const char *wkb_hex)
{
    rq_err err = {0};
    rq_store_ins *ins = rq_store_ins_open(s, table, f, n, gtype, id, &err);
    if (!ins)
        fail_msg("%s", err.msg);
    rq_sink k = rq_store_ins_sink(ins);
    rq_status rc = RQ_OK;
    for (size_t r = 0; r < n_rows && rc == RQ_OK; r++) {
        char **v = rq_strsplit(rows[r], ';', NULL);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(v[i], "-") == 0)
                rq_sink_null(&k, i);
            else if (f[i].type == RQ_FT_STRING)
                rq_sink_string(&k, i, v[i]);
            else if (f[i].type == RQ_FT_INT)
                rq_sink_int(&k, i, atol(v[i]));
            else
                rq_sink_real(&k, i, atof(v[i]));
        }
        rq_strv_free(v);
        if (wkb_hex) {
            unsigned char wkb[256];
            size_t len = strlen(wkb_hex) / 2;
            for (size_t i = 0; i < len; i++)
                sscanf(wkb_hex + 2 * i, "%2hhx", &wkb[i]);
            rc = k.set_geometry_wkb(k.h, wkb, len, &err);
        }
        if (rc == RQ_OK)
            rc = k.add(k.h, &err);
    }
    assert_int_equal(rq_store_ins_close(ins, rc, &err), RQ_OK);
}

/* WKB (little endian) of the square [0, 1000] x [0, 1000] and of the point
** (500, 250), written by hand. */
static const char SQUARE[] = "01030000000100000005000000"
                             "00000000000000000000000000000000"
                             "0000000000408f400000000000000000"
                             "0000000000408f400000000000408f40"
                             "00000000000000000000000000408f40"
                             "00000000000000000000000000000000";
static const char POINT[] = "0101000000"
                            "0000000000407f40"
                            "0000000000406f40";

static const rq_field_def communes_f[] = {
    {"code_insee", RQ_FT_STRING, 0, NULL},
    {"nom", RQ_FT_STRING, 0, NULL},
    {"departement", RQ_FT_STRING, 0, NULL},
    {"epci", RQ_FT_STRING, 0, NULL},
    {"population", RQ_FT_INT, 0, NULL},
    {"superficie_km2", RQ_FT_REAL, 4, NULL},
    {"rural", RQ_FT_INT, 0, NULL},
    {"trou", RQ_FT_INT, 0, NULL},
    {"phase_emergence", RQ_FT_INT, 0, NULL},
    {"phase_creation", RQ_FT_INT, 0, NULL},
    {"phase_consolidation", RQ_FT_INT, 0, NULL},
    {"phase_developpement", RQ_FT_INT, 0, NULL},
    {"acces_e2sfca", RQ_FT_REAL, 4, NULL},
};
static const rq_field_def sites_f[] = {
    {"site_id", RQ_FT_STRING, 0, NULL},    {"structure_id", RQ_FT_STRING, 0, NULL},
    {"nom", RQ_FT_STRING, 0, NULL},        {"categorie", RQ_FT_STRING, 0, NULL},
    {"phases", RQ_FT_STRING, 0, NULL},     {"zone_type", RQ_FT_STRING, 0, NULL},
    {"zone_codes", RQ_FT_STRING, 0, NULL}, {"commune_code", RQ_FT_STRING, 0, NULL},
    {"capacite", RQ_FT_REAL, 2, NULL},     {"rayon_km", RQ_FT_REAL, 3, NULL},
};
static const rq_field_def gaps_f[] = {
    {"id", RQ_FT_STRING, 0, NULL},           {"phase", RQ_FT_STRING, 0, NULL},
    {"population", RQ_FT_INT, 0, NULL},      {"nb_communes", RQ_FT_INT, 0, NULL},
    {"superficie_km2", RQ_FT_REAL, 4, NULL},
};
static const rq_field_def covers_f[] = {{"code_insee", RQ_FT_STRING, 0, NULL},
                                        {"structure_id", RQ_FT_STRING, 0, NULL},
                                        {"part", RQ_FT_REAL, 6, NULL}};
static const rq_field_def redirects_f[] = {{"code", RQ_FT_STRING, 0, NULL},
                                           {"code_actuel", RQ_FT_STRING, 0, NULL},
                                           {"regle", RQ_FT_STRING, 0, NULL}};

static void
record(rq_store *s, long long id)
{
    static const char *const communes[] = {"99002;Beta;99;200000001;500;1.0;1;1;0;1;1;0;-",
                                           "99001;Alpha;99;200000001;1000;1.0;0;0;1;1;1;1;2.5"};
    static const char *const sites[] = {"S-2;B;Site 2;cae;creation;region;76;99002;-;30",
                                        "S-1;A;Site 1;incubateur;emergence|creation;epci;"
                                        "200000001;99001;12.5;40",
                                        "S-3;A;Site 3;incubateur;emergence|creation;epci;"
                                        "200000001;99001;3;40"};
    static const char *const gaps[] = {"T001;toutes;500;1;1.0", "EM001;emergence;500;1;1.0"};
    static const char *const covers[] = {"99001;A;1.0", "99002;B;0.25", "99001;B;0.5"};
    static const char *const redirects[] = {"99003;99001;deleguee"};
    insert(s, id, "communes", communes_f, NELEM(communes_f), RQ_OUT_POLYGON, communes, 2, SQUARE);
    insert(s, id, "sites", sites_f, NELEM(sites_f), RQ_OUT_POINT, sites, 3, POINT);
    insert(s, id, "trous", gaps_f, NELEM(gaps_f), RQ_OUT_POLYGON, gaps, 2, SQUARE);
    insert(s, id, "couvertures", covers_f, 3, RQ_OUT_NOGEOM, covers, 3, NULL);
    insert(s, id, "codes_redirections", redirects_f, 3, RQ_OUT_NOGEOM, redirects, 1, NULL);
}

static void
test_create_record_read(void **state)
{
    (void)state;
    char *db = rq_xasprintf("%s/h.sqlite", dir);
    rq_err err = {0};
    rq_status rc;
    rq_store *s = rq_store_open(db, 1, &err);
    if (!s)
        fail_msg("%s", err.msg);
    /* Created whole: ours, schema 1, SpatiaLite's metadata, no run. */
    assert_sql(db, "PRAGMA application_id; PRAGMA user_version;", "1381061957\n1\n");
    assert_sql(db,
               "SELECT count(*) FROM runs; SELECT count(*) FROM sqlite_master WHERE name = "
               "'geometry_columns';",
               "0\n1\n");
    assert_int_equal(rq_store_begin(s, &err), RQ_OK);
    long long id = add_run(s, "occitanie", "EPSG:2154", &err, &rc);
    assert_int_equal(rc, RQ_OK);
    assert_int_equal(id, 1);
    record(s, id);
    assert_int_equal(rq_store_commit(s, &err), RQ_OK);
    /* The geometries in EPSG:2154 with spatial indexes, multi as promised. */
    assert_sql(db,
               "SELECT f_table_name, geometry_type, srid, spatial_index_enabled FROM "
               "geometry_columns ORDER BY f_table_name;",
               "communes|6|2154|1\nsites|1|2154|1\ntrous|6|2154|1\n");
    assert_sql(db, "SELECT count(*) FROM communes WHERE run_id = 1 AND acces_e2sfca IS NULL;",
               "1\n");

    rq_snapshot snap;
    assert_int_equal(rq_store_snapshot(s, id, &snap, &err), RQ_OK);
    assert_string_equal(snap.name, "occitanie");
    assert_string_equal(snap.vintage, "2026");
    assert_int_equal(snap.required, 7);
    assert_close(snap.threshold, 0.5, 0);
    assert_int_equal(snap.n_communes, 2);
    assert_string_equal(snap.communes[0].code, "99001"); /* sorted */
    assert_int_equal(snap.communes[0].phases, 15);
    assert_close(snap.communes[0].acces, 2.5, 0);
    assert_int_equal(snap.communes[1].phases, 6);
    assert_true(isnan(snap.communes[1].acces));
    assert_int_equal(snap.communes[1].trou, 1);
    assert_int_equal(snap.communes[0].geom.len, strlen(SQUARE) / 2 + 9); /* as MultiPolygon */
    /* Two structures from three sites, with the fields of their sites. */
    assert_int_equal(snap.n_structures, 2);
    assert_string_equal(snap.structures[0].id, "A");
    assert_int_equal(snap.structures[0].phases, 3);
    assert_string_equal(snap.structures[0].zone_type, "epci");
    assert_int_equal(snap.n_sites, 3);
    assert_string_equal(snap.sites[1].site_id, "S-2");
    assert_true(snap.sites[1].capacity_missing);
    assert_close(snap.sites[0].x, 500, 0);
    assert_close(snap.sites[0].y, 250, 0);
    assert_close(snap.sites[0].capacity, 12.5, 0);
    assert_int_equal(snap.n_gaps, 2);
    assert_int_equal(snap.gaps[0].phase, -1);
    assert_int_equal(snap.gaps[1].phase, 0);
    assert_int_equal(snap.n_redirects, 1);
    assert_string_equal(snap.redirects[0].to, "99001");
    /* Covers sorted by commune then structure, linked by index. */
    assert_int_equal(snap.n_covers, 3);
    assert_int_equal(snap.covers[0].commune, 0);
    assert_int_equal(snap.covers[0].structure, 0);
    assert_int_equal(snap.covers[1].structure, 1);
    assert_close(snap.covers[2].ratio, 0.25, 0);
    rq_snapshot_fini(&snap);

    /* A second run of the same name; one that is rolled back leaves nothing. */
    assert_int_equal(rq_store_begin(s, &err), RQ_OK);
    assert_int_equal(add_run(s, "occitanie", "EPSG:2154", &err, &rc), 2);
    assert_int_equal(rq_store_commit(s, &err), RQ_OK);
    assert_int_equal(rq_store_begin(s, &err), RQ_OK);
    add_run(s, "occitanie", "EPSG:2154", &err, &rc);
    record(s, 3);
    rq_store_rollback(s);
    assert_sql(db, "SELECT count(*) FROM runs; SELECT count(*) FROM communes;", "2\n2\n");
    long long found = 0;
    assert_int_equal(rq_store_previous(s, "occitanie", 2, &found, &err), RQ_OK);
    assert_int_equal(found, 1);
    assert_int_equal(rq_store_previous(s, "occitanie", 1, &found, &err), RQ_OK);
    assert_int_equal(found, 0);
    assert_int_equal(rq_store_find(s, "occitanie", &found, &err), RQ_OK);
    assert_int_equal(found, 2);
    assert_int_equal(rq_store_find(s, "1", &found, &err), RQ_OK);
    assert_int_equal(found, 1);
    assert_int_equal(rq_store_find(s, "france", &found, &err), RQ_ERR_INPUT);
    assert_non_null(strstr(err.msg, "no run 'france'"));
    assert_non_null(strstr(err.msg, "1 (occitanie, 2026-12-02), 2 (occitanie"));

    /* Another CRS is refused: the history keeps one SRID. */
    assert_int_equal(rq_store_begin(s, &err), RQ_OK);
    add_run(s, "guyane", "EPSG:2972", &err, &rc);
    assert_int_equal(rc, RQ_ERR_INPUT);
    assert_non_null(strstr(err.msg, "keeps its geometries in EPSG:2154"));
    rq_store_rollback(s);
    rq_store_close(s);
    rq_err_fini(&err);
    free(db);
}

/* Files that are not a history of this schema: refused, left untouched. */
static void
test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *name, *make, *message;
    } cases[] = {
        /* The command makes the file $F. */
        {"text.sqlite", "printf 'not a database at all, just text\\n' > \"$F\"",
         "damaged or is not an SQLite database"},
        {"foreign.sqlite", "sqlite3 \"$F\" 'CREATE TABLE t (x)'", "not a raquette history"},
        {"newer.sqlite",
         "sqlite3 \"$F\" 'PRAGMA application_id = 1381061957; PRAGMA user_version = 7; CREATE "
         "TABLE t (x)'",
         "schema 7, and this raquette reads and writes schema 1 only; use the newer"},
        {"older.sqlite",
         "sqlite3 \"$F\" 'PRAGMA application_id = 1381061957; PRAGMA user_version = 0; CREATE "
         "TABLE t (x)'",
         "no upgrade exists from it"},
        {"folder.sqlite", "mkdir \"$F\"", "must be a regular file"},
        {"missing.sqlite", "true", "cannot open the history database"},
    };
    for (size_t i = 0; i < NELEM(cases); i++) {
        char *path = rq_xasprintf("%s/%s", dir, cases[i].name);
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "F='%s'; %s", path, cases[i].make);
        assert_int_equal(rq_test_run(cmd, NULL), 0);
        snprintf(cmd, sizeof cmd, "ls -l --time-style=full-iso '%s' 2>&1; md5sum '%s' 2>&1", path,
                 path);
        char *before = NULL, *after = NULL;
        rq_test_run(cmd, &before);
        rq_err err = {0};
        rq_store *s = rq_store_open(path, 0, &err);
        assert_null(s);
        assert_int_equal(err.code, RQ_ERR_INPUT);
        if (!strstr(err.msg, cases[i].message) || !strstr(err.msg, path))
            fail_msg("%s: %s", cases[i].name, err.msg);
        rq_test_run(cmd, &after);
        assert_string_equal(before, after);
        free(before);
        free(after);
        rq_err_fini(&err);
        free(path);
    }
}

/* The folder's listing and the md5 of every file in it, to see that a
** refused save leaves it as it was. */
static char *
folder_state(const char *folder)
{
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "cd '%s' && ls -l --time-style=full-iso && md5sum *", folder);
    assert_int_equal(rq_test_run(cmd, &out), 0);
    return out;
}

static void
assert_folder_holds(const char *folder, const char *names)
{
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "ls -A '%s'", folder);
    assert_int_equal(rq_test_run(cmd, &out), 0);
    assert_string_equal(out, names);
    free(out);
}

struct limited_save {
    const rq_store *m;
    const char *path;
};

/* Run under a file size limit: 0 when saving failed as an I/O error naming
** the path (not its temporary file) and left no file there. */
static int
save_fails(void *arg)
{
    const struct limited_save *a = arg;
    rq_err err = {0};
    int saved = -1;
    rq_status rc = rq_store_save_new(a->m, a->path, &saved, &err);
    char *named = rq_xasprintf("%s: ", a->path);
    int st = rc != RQ_ERR_IO                                         ? 11
             : saved != 0                                            ? 12
             : strncmp(err.msg, named, strlen(named)) != 0           ? 13
             : !strstr(err.msg, "cannot write the history database") ? 14
             : rq_test_exists(a->path)                               ? 15
                                                                     : 0;
    if (st)
        fprintf(stderr, "status %d: %s\n", (int)rc, err.msg);
    free(named);
    return st;
}

/* A history recorded in memory, saved as a new file (a history's first
** run): the whole run is in it; the file has the mode of a file created the
** usual way and nothing is left beside it. Where a file already stands
** (another run made the history meanwhile) nothing is written; a folder
** that does not exist, or a file size limit met halfway, is an I/O error
** naming the path, and leaves nothing behind. */
static void
test_save_new(void **state)
{
    (void)state;
    char *folder = rq_xasprintf("%s/save", dir);
    assert_int_equal(mkdir(folder, 0755), 0);
    char *db = rq_xasprintf("%s/h.sqlite", folder);
    rq_err err = {0};
    rq_status rc;
    rq_store *m = rq_store_open_memory(&err);
    assert_non_null(m);
    assert_int_equal(rq_store_begin(m, &err), RQ_OK);
    long long id = add_run(m, "occitanie", "EPSG:2154", &err, &rc);
    assert_int_equal(rc, RQ_OK);
    record(m, id);
    assert_int_equal(rq_store_commit(m, &err), RQ_OK);

    int saved = -1;
    if (rq_store_save_new(m, db, &saved, &err) != RQ_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(saved, 1);
    assert_sql(db, "PRAGMA application_id; PRAGMA user_version; PRAGMA integrity_check;",
               "1381061957\n1\nok\n");
    /* The rows of record(), and the spatial index of each geometry (one
     * entry per row, the square's box [0, 1000]). */
    assert_sql(db,
               "SELECT id, nom, communes, population FROM runs; SELECT group_concat(code_insee) "
               "FROM communes WHERE run_id = 1; SELECT count(*) FROM sites; SELECT count(*) FROM "
               "couvertures; SELECT code_actuel FROM codes_redirections;",
               "1|occitanie|2|1500\n99002,99001\n3\n3\n99001\n");
    assert_sql(db,
               "SELECT count(*), min(xmin), max(xmax), max(ymax) FROM idx_communes_geom; "
               "SELECT count(*) FROM idx_sites_geom;",
               "2|0.0|1000.0|1000.0\n3\n");
    struct stat st;
    assert_int_equal(stat(db, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
    assert_folder_holds(folder, "h.sqlite\n");

    /* Another run made it meanwhile: left byte for byte. */
    char *before = folder_state(folder);
    saved = -1;
    assert_int_equal(rq_store_save_new(m, db, &saved, &err), RQ_OK);
    assert_int_equal(saved, 0);
    char *after = folder_state(folder);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* No such folder. */
    char *nowhere = rq_xasprintf("%s/missing/h.sqlite", folder);
    assert_int_equal(rq_store_save_new(m, nowhere, &saved, &err), RQ_ERR_IO);
    if (!strstr(err.msg, nowhere) || !strstr(err.msg, "No such file or directory"))
        fail_msg("%s", err.msg);

    /* A file size limit of 16 KiB, under the file's size: the copy fails
     * on its way, and neither the history nor its temporary file stays. */
    assert_true(st.st_size > 16 * 1024);
    char *limited = rq_xasprintf("%s/limited.sqlite", folder);
    rq_test_under_fsize_limit(16 * 1024, save_fails, &(struct limited_save){m, limited});
    assert_folder_holds(folder, "h.sqlite\n");

    rq_store_close(m);
    rq_err_fini(&err);
    free(limited);
    free(nowhere);
    free(db);
    free(folder);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_record_read),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_save_new),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
