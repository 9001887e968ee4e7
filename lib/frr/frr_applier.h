/*
 * frr_applier.h - apply configurations to FRR from an sd-event loop, one at a time, and
 * put them back when a daemon restarts.
 *
 * The steps are those of frr_apply() (frr_apply.h: snapshot, delta, one configure session
 * per daemon, bfdd before bgpd, read-back, rollback of the owned part), over non-blocking
 * vty sockets: nothing here blocks the loop.  Each vty command has a deadline of
 * timeout_ms from the moment it is sent.
 *
 * One apply runs at a time.  A request submitted while one runs waits; only the newest
 * waiting request is kept (the newest intent wins), the one it replaces is answered with
 * -ECANCELED from inside the submit that replaces it (every other answer comes from the
 * loop).  A request that waited says so (stats->queued).
 *
 * Restarts: with frr_applier_watch(), every interval the applier stat()s the vty socket
 * of bgpd, bfdd and zebra.  A socket that was seen and now has another identity (inode or
 * change time: the daemon made a new one), or that disappears and comes back, is a
 * restart: the restarted callback is told, and with reapply the applier submits the
 * newest intent again itself.  A restarted daemon has lost what was applied, and the
 * apply reads what is really there, so the re-push sends everything owned.
 *
 * Ownership: the applier holds a reference to the loop; submit copies want; callbacks get
 * err and stats valid during the call only.  frr_applier_free() abandons a running apply
 * without calling back (its daemon keeps whatever part was sent); NULL is fine.  The
 * applier must not be freed from inside its own callbacks.
 */
#ifndef HGW_FRR_APPLIER_H
#define HGW_FRR_APPLIER_H

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "frr_apply.h"

struct frr_applier;

/*
 * An apply ended: result as frr_apply() returns it (-ECANCELED: replaced by a newer
 * request before it started), err the operator's message ("" on success).
 */
typedef void (*frr_applier_done_fn)(void *arg, int result, const char *err,
				    const struct frr_apply_stats *stats);
typedef void (*frr_applier_restart_fn)(void *arg, enum frr_daemon daemon);

/* rundir and timeout_ms as in frr_client_init(). */
int frr_applier_new(sd_event *event, const char *rundir, int timeout_ms, struct frr_applier **out);
void frr_applier_free(struct frr_applier *ap);

/*
 * The configuration applied earlier (by another process, before a restart of hybridgwd):
 * its router-level lines count as owned in the first apply.  0 or -ENOMEM.
 */
int frr_applier_set_applied(struct frr_applier *ap, const struct frr_conf *applied);

/*
 * Apply want (a rendering); done (may be NULL) is called from the loop when it ends.
 * Returns 0 started, 1 waiting for the running apply, or -errno (nothing submitted).
 */
int frr_applier_submit(struct frr_applier *ap, const struct frr_conf *want,
		       frr_applier_done_fn done, void *arg);

bool frr_applier_busy(const struct frr_applier *ap);

/*
 * Watch the daemons' vty sockets every interval_ms (0 stops watching).  restarted may be
 * NULL; with reapply, the newest submitted intent is submitted again on a restart and its
 * result goes to done (may be NULL).  0 or -errno.
 */
int frr_applier_watch(struct frr_applier *ap, unsigned interval_ms, bool reapply,
		      frr_applier_restart_fn restarted, frr_applier_done_fn done, void *arg);

#endif
