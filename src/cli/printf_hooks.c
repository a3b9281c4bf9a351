/* printf_hooks.c - refuses glibc's printf extension hooks in the raquette
** executable, so that libquadmath cannot slow down every printf of the
** process.
**
** GDAL needs armadillo, which needs LAPACK and ARPACK, which need
** libgfortran, which needs libquadmath. libquadmath's constructor registers
** a printf modifier ('Q'), a type and specifiers for %f, %e, %g and %a
** (register_printf_type, register_printf_modifier,
** register_printf_specifier), so that printf("%Qf") can print a
** __float128. From then on glibc sends every printf of the process through
** its slow positional path (printf_positional): GDAL's number formatting in
** every GeoJSON, CSV, workbook and GeoPackage, SQLite's, raquette's own.
** glibc offers no way to take a hook back.
**
** The executable defines the three functions and exports them
** (CMakeLists.txt: --export-dynamic-symbol): the dynamic linker binds
** libquadmath's calls to these, which refuse with -1, as the functions'
** contract allows, and libquadmath's constructor gives up at the first
** refusal. Nothing in the process prints a __float128 with printf
** (libquadmath's own quadmath_snprintf needs no hook). On France this is
** 3 to 4 % of the run's CPU (docs/performance.md, seventh session);
** tests/integration/test_run_occitanie.c checks the binding with
** LD_DEBUG=bindings.
**
** Only the executable: the tests link rqcore without it, and printf there
** behaves the same, only slower. */
#include <printf.h>
#include <wchar.h>

int
register_printf_type(printf_va_arg_function *fct)
{
    (void)fct;
    return -1;
}

int
register_printf_modifier(const wchar_t *str)
{
    (void)str;
    return -1;
}

int
register_printf_specifier(int spec, printf_function *render, printf_arginfo_size_function *arginfo)
{
    (void)spec;
    (void)render;
    (void)arginfo;
    return -1;
}
