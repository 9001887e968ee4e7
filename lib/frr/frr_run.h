/*
 * frr_run.h - one apply as a state machine on an sd-event loop (private to lib/frr).
 *
 * The steps of frr_apply.h (snapshot, delta, one configure session per daemon, read-back,
 * rollback) driven over non-blocking vty sockets with the pure codec of frr_vty.h.  Both
 * the blocking frr_apply() (on a private loop) and struct frr_applier (on the daemon's
 * loop) run applies through this, so there is one implementation of the steps.
 *
 * Ownership: the run copies want; it borrows client (applied, err, rundir, timeout_ms) and
 * the loop until done is called or the run is freed.  done is called once, from the loop,
 * never from frr_run_start(); the run may be freed inside done.
 */
#ifndef HGW_FRR_RUN_H
#define HGW_FRR_RUN_H

#include <systemd/sd-event.h>

#include "frr_apply.h"

struct frr_run;

typedef void (*frr_run_done_fn)(void *arg, int result, const struct frr_apply_stats *stats);

int frr_run_start(sd_event *event, struct frr_client *client, const struct frr_conf *want,
		  frr_run_done_fn done, void *arg, struct frr_run **out);
/* Abandon a run (its sockets are closed, done is not called); NULL is fine. */
void frr_run_free(struct frr_run *run);

/* A copy of src into dst (dst's old entries freed only on success).  0 or -ENOMEM. */
int frr_conf_copy(struct frr_conf *dst, const struct frr_conf *src);

#endif
