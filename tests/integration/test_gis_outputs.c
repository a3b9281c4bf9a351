/* test_gis_outputs.c - the files for GIS analysts and spreadsheets, opened
** by the clients their users have:
**
**  - the orientation directory (annuaire.csv, structures_couverture.csv,
**    recouvrements.csv) on tests/fixtures/cover, every row worked out by
**    hand (the fixture's geometry is in test_indicators.c);
**  - the same directory on the real Occitanie data against coverage ratios
**    computed independently by SpatiaLite (GDAL's SQLite dialect) from the
**    GeoPackage's communes and sites: which communes of Haute-Garonne the
**    regional incubator's Toulouse site covers;
**  - the workbook read back by GDAL: codes are text, counts integers,
**    shares reals;
**  - the French CSV dialect read by LibreOffice itself (soffice --convert-to
**    xlsx with French import options): columns split, decimal commas read as
**    numbers equal to the standard CSV's, accents intact;
**  - the GeoPackage, the project and the CSVs loaded in QGIS's own engine
**    (tests/qgis/check_outputs.py);
**  - each site's reach in the GeoPackage (layer portees) on
**    tests/fixtures/mini, its area worked out by hand.
*/
#include "rq_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;

static int
setup(void **state)
{
    (void)state;
    (void)rq_test_geodata("occitanie");
    dir = rq_test_tmpdir();
    char cmd[8192];
    /* SOURCE_DATE_EPOCH: one date whatever the day, for the project's title. */
    const char *bin = getenv("RQ_BINARY"), *src = getenv("RQ_SOURCE_DIR");
    const char *fix = getenv("RQ_FIXTURES");
    snprintf(cmd, sizeof cmd,
             "export SOURCE_DATE_EPOCH=1764633600; set -e; "
             "'%s' run -q --out '%s' '%s/config/occitanie.ini'; "
             "sed 's/^csv_format = standard$/csv_format = fr/' '%s/config/occitanie.ini' "
             "> '%s/fr.ini'; grep -q '^csv_format = fr$' '%s/fr.ini'; "
             "'%s' run -q --out '%s' --name occitanie_fr '%s/fr.ini'; "
             "'%s' run -q --out '%s' '%s/cover/cover.ini'; "
             "'%s' run -q --no-history --out '%s' '%s/mini/mini.ini'",
             bin, dir, src, src, dir, dir, bin, dir, dir, bin, dir, fix, bin, dir, fix);
    return rq_test_setup_run(cmd);
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    rq_test_run(cmd, NULL);
    free(dir);
    return 0;
}

static char *
slurp(const char *run, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", dir, run, file);
    return rq_test_slurp(path);
}

/* ---- The directory on the hand-made fixture ------------------------------ */

static void
test_directory_by_hand(void **state)
{
    (void)state;
    /* A: INC covers it whole, DLA-1's disc 78.4 % of it; B: CAE's whole
    ** zone, its site 10 km from B's centre (19.5 min at 1.3 x / 40 km/h);
    ** C: TL-C half of it (0.5 >= 0.5, inclusive); D: DLA-2's disc. */
    char *t = slurp("cover", "annuaire.csv");
    assert_string_equal(t,
                        "code_insee,commune,phase,structure_id,categorie,site_id,site,site_commune,"
                        "distance_km,temps_min\n"
                        "99001,A,emergence,INC,incubateur,INC-A,Incubateur,99001,0.000,0.0\n"
                        "99001,A,creation,INC,incubateur,INC-A,Incubateur,99001,0.000,0.0\n"
                        "99001,A,consolidation,DLA,dla,DLA-1,DLA site A,99001,0.000,0.0\n"
                        "99001,A,developpement,DLA,dla,DLA-1,DLA site A,99001,0.000,0.0\n"
                        "99002,B,creation,CAE,cae,CAE-A,CAE pour B,99001,10.000,19.5\n"
                        "99002,B,consolidation,CAE,cae,CAE-A,CAE pour B,99001,10.000,19.5\n"
                        "99003,C,emergence,TL,tiers_lieu,TL-C,Tiers-lieu de C,99003,0.000,0.0\n"
                        "99004,D,consolidation,DLA,dla,DLA-2,DLA site D,99004,0.000,0.0\n"
                        "99004,D,developpement,DLA,dla,DLA-2,DLA site D,99004,0.000,0.0\n");
    free(t);
    t = slurp("cover", "structures_couverture.csv");
    assert_non_null(
        strstr(t, "\nINC,incubateur,emergence|creation,1,1,1000,1,1000,1,1000,0,0,0,0\n"));
    assert_non_null(strstr(t, "\nCAE,cae,creation|consolidation,1,1,2000,0,0,1,2000,1,2000,0,0\n"));
    assert_non_null(
        strstr(t, "\nDLA,dla,consolidation|developpement,2,2,1100,0,0,0,0,2,1100,2,1100\n"));
    assert_non_null(strstr(t, "\nTL,tiers_lieu,emergence,1,1,500,1,500,0,0,0,0,0,0\n"));
    free(t);
    /* Only INC and DLA share a commune (A, 1,000 inhabitants), in no phase. */
    t = slurp("cover", "recouvrements.csv");
    assert_string_equal(strchr(t, '\n') + 1, "INC,incubateur,emergence|creation,DLA,dla,"
                                             "consolidation|developpement,1,1000,0,\n");
    free(t);
}

/* ---- The directory on Occitanie, against SpatiaLite ---------------------- */

static void
test_directory_against_spatialite(void **state)
{
    (void)state;
    /* The share of each commune of département 31 inside the 40 km disc
    ** (16 segments a quarter) around the incubator's Toulouse site, read
    ** from the GeoPackage and computed by SpatiaLite. Its Montpellier site
    ** is 200 km away, and its zone is the whole région: the structure
    ** covers a commune of 31 exactly when this share is >= 0.5. */
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "ogrinfo -q -dialect sqlite -sql \"SELECT c.code_insee AS code, "
             "coalesce(ST_Area(ST_Intersection(c.geom, ST_Buffer(s.geom, 40000, 16))), 0) / "
             "ST_Area(c.geom) "
             "AS share FROM communes c, sites s WHERE s.site_id = 'INC-REG-31' AND "
             "c.departement = '31' ORDER BY c.code_insee\" '%s/occitanie/occitanie.gpkg' | "
             "awk -F' = ' '/code \\(String\\)/ {c = $2} /share \\(/ {print c, ($2 >= 0.5)}'",
             dir);
    char *shares = rq_test_shell(cmd);
    char *annuaire = slurp("occitanie", "annuaire.csv");
    size_t n = 0, covered = 0, mismatches = 0;
    for (char *line = strtok(shares, "\n"); line; line = strtok(NULL, "\n")) {
        char code[16];
        int in;
        if (sscanf(line, "%15s %d", code, &in) != 2)
            continue;
        char row[128];
        snprintf(row, sizeof row, "\n%s,", code);
        /* The commune's rows of phase creation naming INC-REG. */
        int listed = 0;
        for (const char *p = strstr(annuaire, row); p && strncmp(p, row, strlen(row)) == 0;) {
            const char *eol = strchr(p + 1, '\n');
            size_t len = eol ? (size_t)(eol - p) : strlen(p);
            char buf[512];
            snprintf(buf, sizeof buf, "%.*s", (int)len, p);
            if (strstr(buf, ",creation,INC-REG,incubateur,INC-REG-31,"))
                listed = 1;
            p = eol;
        }
        if (listed != in) {
            mismatches++;
            fprintf(stderr, "commune %s: SpatiaLite says %d, annuaire.csv %d\n", code, in, listed);
        }
        n++;
        covered += (size_t)in;
    }
    free(shares);
    free(annuaire);
    assert_int_equal(mismatches, 0);
    assert_true(n > 500);                      /* Haute-Garonne has 586 communes */
    assert_true(covered > 100 && covered < n); /* a real frontier, not all or none */
}

/* ---- The workbook ---------------------------------------------------------- */

static void
test_workbook_types(void **state)
{
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "ogrinfo -so '%s/occitanie/occitanie.xlsx' communes", dir);
    char *t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "Feature Count: 4446"));
    assert_non_null(strstr(t, "code_insee: String"));
    assert_non_null(strstr(t, "departement: String"));
    assert_non_null(strstr(t, "population: Integer"));
    assert_non_null(strstr(t, "couv_cae: Real"));
    assert_non_null(strstr(t, "acces_e2sfca: Real"));
    free(t);
    /* Ariège's codes keep their zero; Montpellier's figures are numbers. */
    snprintf(cmd, sizeof cmd,
             "ogrinfo -q '%s/occitanie/occitanie.xlsx' -sql \"SELECT code_insee, population FROM "
             "communes WHERE code_insee IN ('09001', '34172')\"",
             dir);
    t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "code_insee (String) = 09001"));
    assert_non_null(strstr(t, "code_insee (String) = 34172"));
    free(t);
    snprintf(cmd, sizeof cmd, "ogrinfo -so '%s/occitanie/occitanie.xlsx' agregats_departements",
             dir);
    t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "Feature Count: 13"));
    assert_non_null(strstr(t, "part_phase_emergence: Real"));
    free(t);
}

/* ---- French spreadsheets --------------------------------------------------- */

/* The fields of the features as ogrinfo prints them, "name = value", empty
** ones left out (a spreadsheet has no empty string, only an empty cell). */
static void
field_lines(const char *file, const char *layer, char **out)
{
    char cmd[8400];
    snprintf(cmd, sizeof cmd,
             "ogrinfo -q '%s' '%s' | grep ' = ' | grep -v ' = $' | grep -v ' = (null)$' | "
             "sed 's/ ([A-Za-z0-9]*) = / = /'",
             file, layer);
    *out = rq_test_shell(cmd);
}

static void
test_french_csv_in_libreoffice(void **state)
{
    (void)state;
    char cmd[8192];
    /* LibreOffice with the options of its French import dialog: ';', '"',
    ** UTF-8 (76), from line 1, French locale (1036) for the decimal comma. */
    snprintf(cmd, sizeof cmd,
             "cd '%s/occitanie_fr' && head -c 3 communes.csv | od -An -tx1 && "
             "HOME='%s' soffice --headless --infilter='CSV:59,34,76,1,,1036' --convert-to xlsx "
             "--outdir '%s/lo' communes.csv agregats_departements.csv >/dev/null 2>&1 && "
             "ls '%s/lo'",
             dir, dir, dir, dir);
    char *t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "ef bb bf")); /* the byte order mark */
    assert_non_null(strstr(t, "communes.xlsx"));
    assert_non_null(strstr(t, "agregats_departements.xlsx"));
    free(t);
    char path[4096];
    snprintf(path, sizeof path, "%s/occitanie_fr/communes.csv", dir);
    t = rq_test_slurp(path);
    assert_non_null(strstr(t, "code_insee;nom;departement;"));
    /* Aigues-Juntes: 7.6896 km2 (communes.csv of the standard run). */
    assert_non_null(strstr(t, "\n09001;Aigues-Juntes;09;200067940;59;\"7,6896\";"));
    free(t);
    /* What LibreOffice read equals, value for value, what the standard CSV
    ** holds (both read through GDAL): numbers as numbers, names whole. */
    static const char *const files[] = {"communes", "agregats_departements"};
    for (size_t f = 0; f < 2; f++) {
        char *lo = NULL, *std = NULL;
        snprintf(path, sizeof path, "%s/lo/%s.xlsx", dir, files[f]);
        field_lines(path, files[f], &lo);
        snprintf(path, sizeof path, "%s/occitanie/%s.csv", dir, files[f]);
        field_lines(path, files[f], &std);
        char *sl = NULL, *ss = NULL;
        char *a = strtok_r(lo, "\n", &sl), *b = strtok_r(std, "\n", &ss);
        size_t n = 0, numbers = 0;
        for (; a && b; a = strtok_r(NULL, "\n", &sl), b = strtok_r(NULL, "\n", &ss), n++) {
            const char *va = strstr(a, " = "), *vb = strstr(b, " = ");
            assert_non_null(va);
            assert_non_null(vb);
            char *ea, *eb;
            double da = strtod(va + 3, &ea), db = strtod(vb + 3, &eb);
            if (*ea == '\0' && *eb == '\0' && ea != va + 3) {
                if (fabs(da - db) > 1e-9 * fmax(1.0, fabs(db)))
                    fail_msg("LibreOffice read %s, the standard CSV holds %s", a, b);
                numbers++;
            } else if (strcmp(a, b) != 0) {
                fail_msg("LibreOffice read %s, the standard CSV holds %s", a, b);
            }
        }
        assert_null(a);
        assert_null(b);
        assert_true(numbers > n / 2); /* the decimals were read as numbers */
        if (f == 0)
            assert_true(n > 4446 * 25);
        free(lo);
        free(std);
    }
    /* Accents survive: the byte order mark tells the encoding. */
    snprintf(cmd, sizeof cmd, "ogrinfo -q '%s/lo/communes.xlsx' communes | grep 'nom.*Albi'", dir);
    t = rq_test_shell(cmd);
    assert_non_null(strstr(t, "= Albiès"));
    free(t);
}

/* ---- QGIS ------------------------------------------------------------------- */

static void
test_qgis_opens_everything(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "QT_QPA_PLATFORM=offscreen /usr/bin/python3 '%s/tests/qgis/check_outputs.py' "
             "'%s/occitanie' occitanie '%s/occitanie.png' 2>&1 | grep -v '^ok '",
             getenv("RQ_SOURCE_DIR"), dir, dir);
    char *out = NULL;
    int st = rq_test_run(cmd, &out);
    if (st != 0 || !strstr(out, "0 failure(s)"))
        fail_msg("QGIS checks failed:\n%s", out);
    free(out);
    /* The French dialect through the delimited-text provider. */
    snprintf(cmd, sizeof cmd,
             "QT_QPA_PLATFORM=offscreen /usr/bin/python3 '%s/tests/qgis/check_outputs.py' "
             "'%s/occitanie_fr' occitanie_fr 2>&1 | grep -v '^ok '",
             getenv("RQ_SOURCE_DIR"), dir);
    st = rq_test_run(cmd, &out);
    if (st != 0 || !strstr(out, "0 failure(s)"))
        fail_msg("QGIS checks of the French CSV failed:\n%s", out);
    free(out);
}

/* ---- Each site's reach on the mini fixture, by hand ---------------------- */

/* The région's communes with a boundary are Alpha (700-710 km E,
** 6300-6310 km N, Lambert-93) and Beta, which absorbs its former commune
** Gamma (710-730 km): 300 km² (Delta has no row in the COG, Zeta no
** boundary). S1-A (40 km, zone the région) and S2-C (30 km, zone Alpha and
** Gamma, hence Beta, placed at Beta's point (720, 6305)) reach the whole
** zone: every corner is within 21 km. S2-B (12 km, same zone and point)
** covers, between y = -5 and 5 km about its centre, x from 720 -
** sqrt(144 - y²) (>= 708, inside Alpha) to 730 (sqrt >= 10.9): 100 +
** (5 sqrt(119) + 144 asin(5/12)) = 216.43 km² for a circle; the disc's
** 64 sides, 14.5 m inside the circle at most along 25 km of arc, take
** less than 0.4 km² off. */
static void
test_reaches_by_hand(void **state)
{
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "ogrinfo -q -dialect sqlite -sql \"SELECT site_id, ST_Area(geom) AS a FROM "
             "portees ORDER BY site_id\" '%s/mini/mini.gpkg'",
             dir);
    char *t = rq_test_shell(cmd);
    static const struct {
        const char *site;
        double km2, tol;
    } want[] = {{"S1-A", 300.0, 1e-9}, {"S2-B", 216.43, 0.4}, {"S2-C", 300.0, 1e-9}};
    const char *p = t;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char id[64];
        snprintf(id, sizeof id, "site_id (String) = %s\n", want[i].site);
        p = strstr(p, id);
        if (!p)
            fail_msg("no reach for %s in:\n%s", want[i].site, t);
        const char *a = strstr(p, "a (Real) = ");
        assert_non_null(a);
        double km2 = strtod(a + strlen("a (Real) = "), NULL) / 1e6;
        if (fabs(km2 - want[i].km2) > want[i].tol)
            fail_msg("%s: %.6f km², expected %.2f ± %g", want[i].site, km2, want[i].km2,
                     want[i].tol);
    }
    free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directory_by_hand),
        cmocka_unit_test(test_directory_against_spatialite),
        cmocka_unit_test(test_workbook_types),
        cmocka_unit_test(test_french_csv_in_libreoffice),
        cmocka_unit_test(test_qgis_opens_everything),
        cmocka_unit_test(test_reaches_by_hand),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
