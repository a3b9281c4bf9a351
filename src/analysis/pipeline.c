/* pipeline.c - runs the stages in order (see pipeline.h). */
#include "raquette/pipeline.h"

rq_status
rq_pipeline_prepare(rq_dataset *ds, rq_err *err)
{
    rq_status rc;
    rq_bnd_read *rd = rq_boundaries_read_begin(ds->cfg);
    if ((rc = rq_load_cog(ds, err)) != RQ_OK || (rc = rq_load_passage(ds, err)) != RQ_OK ||
        (rc = rq_load_epci(ds, err)) != RQ_OK || (rc = rq_load_departements(ds, err)) != RQ_OK) {
        rq_boundaries_read_discard(rd);
        return rc;
    }
    if ((rc = rq_harmonise_boundaries(ds, rd, err)) != RQ_OK ||
        (rc = rq_harmonise_density(ds, err)) != RQ_OK)
        return rc;
    rq_classify_rurality(ds);
    if ((rc = rq_units_load(ds, err)) != RQ_OK)
        return rc;
    return rq_locate_sites(ds, err);
}
