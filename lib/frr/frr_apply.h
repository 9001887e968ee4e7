/*
 * frr_apply.h - apply a rendered configuration to running FRR daemons: delta, one batch
 * per daemon over its vty socket, read-back, and rollback.
 *
 *	1. read each daemon's running configuration and pick out what hybridgw owns
 *	   (claims: the configuration last applied through this handle and the new one);
 *	2. send the delta (frr_delta) inside one "configure terminal" session per daemon,
 *	   bfdd before bgpd (bgpd names the BFD profiles), nothing at all when nothing
 *	   owned differs;
 *	3. read the running configurations back; the owned part must equal the rendering;
 *	4. on a rejected line or a read-back that differs, send each touched daemon the
 *	   delta back to the owned configuration read in step 1, and report the line.
 *
 * Because step 1 reads what is really there, a daemon that restarted and lost its
 * configuration gets everything owned again on the next apply.
 *
 * frr_apply() BLOCKS the calling thread, with a per-command timeout: it runs the steps on
 * a private sd-event loop until they end.  hybridgwd's coordinator uses it for commits
 * (a NETCONF commit answers only once FRR has the configuration) and re-pushes, so there
 * is one writer; struct frr_applier (frr_applier.h) runs the same steps (frr_run.h) on a
 * loop without blocking, and its restart watch tells the coordinator when to re-push.
 */
#ifndef HGW_FRR_APPLY_H
#define HGW_FRR_APPLY_H

#include <stddef.h>

#include "frr_conf.h"

struct frr_client {
	char rundir[96]; /* "/run/frr/NS" or "/run/frr" */
	int timeout_ms;	 /* per vty command */
	struct frr_conf applied;
	char err[1024]; /* the last failure, for the operator */
};

struct frr_apply_stats {
	size_t sent[FRR_DAEMON_COUNT]; /* delta lines sent, context commands included */
	long long total_us;	       /* the whole apply, read-back included */
	long long send_us;	       /* sending the batches */
	int rolled_back;	       /* 1: the previous owned configuration was restored */
	int queued;		       /* 1: waited for an earlier apply (frr_applier) */
};

void frr_client_init(struct frr_client *client, const char *rundir, int timeout_ms);
void frr_client_clear(struct frr_client *client);

/*
 * Make the owned configuration equal to want (a rendering).  Returns 0, or
 *   -EINVAL     a daemon rejected a line; client->err names the daemon, the line and
 *               FRR's message; the previous owned configuration was restored;
 *   -EPROTO     the read-back differs from want (err names the first differing line);
 *               restored as well;
 *   -EEXIST     bgpd runs another ASN than want's router bgp;
 *   -errno      the vty failed (-ENOENT: the daemon is not running, -ETIMEDOUT).
 * stats may be NULL.
 */
int frr_apply(struct frr_client *client, const struct frr_conf *want,
	      struct frr_apply_stats *stats);

/*
 * Run one show command on a daemon; *out is malloc'ed output (the caller frees).
 * 0, -EINVAL if the daemon answered with an error status (message in client->err), -errno.
 */
int frr_show(struct frr_client *client, enum frr_daemon daemon, const char *cmd, char **out,
	     size_t *len);

/* The owned part of a daemon's running configuration now (claims: applied).  0 or -errno. */
int frr_read_owned(struct frr_client *client, enum frr_daemon daemon, struct frr_conf *out);

#endif
