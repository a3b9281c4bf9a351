/* rq_test_config.c - the fixture of the configuration tests (see
** rq_test_config.h). */
#include "rq_test_config.h"
#include "rq_test.h"

#include <stdlib.h>
#include <string.h>

void
rq_test_touch(const char *dir, const char *name)
{
    char *p = rq_test_path(dir, name);
    rq_test_write_file(p, "x\n");
    free(p);
}

int
rq_test_cfgdir_setup(void **state)
{
    rq_test_cfgdir *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = rq_test_tmpdir();
    rq_test_touch(fx->dir, "communes.geojson");
    rq_test_touch(fx->dir, "cog.csv");
    rq_test_touch(fx->dir, "epci.csv");
    rq_test_touch(fx->dir, "structures.csv");
    *state = fx;
    return 0;
}

int
rq_test_cfgdir_teardown(void **state)
{
    rq_test_cfgdir *fx = *state;
    rq_test_rm_rf(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

int
rq_test_config_is_zeroed(const rq_config *cfg)
{
    static const rq_config zero;
    return memcmp(cfg, &zero, sizeof zero) == 0;
}

void
rq_test_config_fails(const rq_test_cfgdir *fx, const char *text, rq_err *err)
{
    rq_config cfg;
    rq_err_clear(err);
    rq_status rc = rq_config_load_string(text, "t.ini", fx->dir, &cfg, err);
    if (rc != RQ_ERR_INPUT)
        fail_msg("expected RQ_ERR_INPUT, got %d: %s", (int)rc, err->msg);
    assert_int_equal(err->code, RQ_ERR_INPUT);
    assert_true(rq_test_config_is_zeroed(&cfg));
    rq_config_fini(&cfg); /* harmless on an emptied config */
}

void
rq_test_config_ok(const rq_test_cfgdir *fx, const char *text, rq_config *cfg)
{
    rq_err err = {0};
    rq_err_clear(&err);
    rq_status rc = rq_config_load_string(text, "t.ini", fx->dir, cfg, &err);
    if (rc != RQ_OK)
        fail_msg("load failed (%d): %s", (int)rc, err.msg);
}

rq_test_env
rq_test_env_save(const char *name)
{
    rq_test_env s = {name, NULL};
    const char *v = getenv(name);
    if (v)
        s.value = strdup(v);
    return s;
}

void
rq_test_env_restore(rq_test_env *s)
{
    if (s->value)
        setenv(s->name, s->value, 1);
    else
        unsetenv(s->name);
    free(s->value);
    s->value = NULL;
}
