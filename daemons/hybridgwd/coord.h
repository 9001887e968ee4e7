/*
 * coord.h - the coordinator: one NETCONF commit becomes one transaction across charon, FRR
 * and the kernel; afterwards it keeps the tunnels' links in step with their SAs.
 *
 * DOC: the transaction (coord_apply, the NETCONF apply callback).
 *
 *   prepare  compile the tree into an intent (intent.h), diff it against the running one,
 *            render FRR's configuration for it.  A failure here changes nothing.
 *   apply    1. FRR: lib/frr's delta apply (one batch per daemon, read back; it restores
 *               its own part by itself when a line is refused).
 *            2. removals, for every tunnel object REMOVEd or re-created: charon
 *               terminate + unload-conn, unload-shared, then the interface.
 *            3. additions and in-place changes: interface (create or adopt, inside
 *               address), secret, connection.  charon initiates a loaded connection
 *               itself (start_action = start), and only when it has no SA of that name,
 *               so neither a commit nor a restart of hybridgwd makes duplicate IKE_SAs.
 *            KEEP objects are not touched: a commit on one connection leaves every other
 *            tunnel and BGP session alone.
 *   abort    on any failure in 2 or 3: the diff run backwards with the old intent as the
 *            target, and FRR's old rendering applied; the client gets the first error.
 *
 *   The commit is synchronous for the NETCONF client: the transaction runs charon's
 *   requests on a private event loop (a second VICI connection with a deadline per
 *   command) and FRR's apply on lib/frr's private loop, so the daemon's loop waits for
 *   it (measured: a few tens of ms; bounded by the per-command deadlines).
 *
 * DOC: tunnel life, on the daemon's loop.
 *
 *   The event connection to charon reports CHILD_SAs.  A tunnel's link is up while at
 *   least one CHILD_SA of its connection is installed: child-updown up adds the SA and
 *   sets the link up (then the peer's host route, a kick to BGP so it connects now rather
 *   than at its connect timer, and a check that zebra saw the inside address, FRR
 *   #13288); child-rekey swaps the old SA for the new one and never touches the link;
 *   child-updown down removes it and the last one takes the link down, so the kernel drops
 *   the tunnel's nexthops at once.  When charon reconnects after a restart (it comes back
 *   empty), every secret and connection is loaded again.  Every few seconds (and after
 *   every commit and reconnect) a list-sas resynchronises the SA sets, which is also what
 *   a restarted hybridgwd does first: links follow the SAs it finds, nothing is re-created
 *   that exists.  A listing is a snapshot that races the events, and charon leaves out an
 *   IKE_SA that is busy (a rekey in flight), so it is trusted only for tunnels that had no
 *   event while it was in flight, counts REKEYING/REKEYED SAs as installed, and takes a
 *   link down only when two listings in a row show no CHILD_SA (found in CI: one link went
 *   down for a listing taken during a rekey).
 */
#ifndef HGWD_COORD_H
#define HGWD_COORD_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "nc/nc.h"
#include "options.h"

struct coord;
struct netconf;

int coord_new(sd_event *event, const struct hgwd_options *opts, struct coord **out);
void coord_free(struct coord *c);

/* Where tunnel and path notifications go (NULL: nowhere). */
void coord_set_netconf(struct coord *c, struct netconf *nc);

/* The NETCONF apply callback (hgw_nc_apply_fn); userdata is the struct coord. */
int coord_apply(const struct lyd_node *from, const struct lyd_node *to, struct hgw_nc_errors *errs,
		void *userdata);

/*
 * The state data of yang/hybridgw.yang (netconf_state_fn; userdata is the struct coord):
 * tunnels (charon's IKE and CHILD SAs, the kernel's XFRM counters, link and liveness),
 * BGP sessions and learned routes (bgpd), private paths' carrier, the kernel's forwarding
 * of the watched prefixes, the failover history.  Blocks the loop while charon, FRR and
 * the kernel answer (each with a deadline); what one of them does not answer is left out.
 */
int coord_state(const struct ly_ctx *ctx, struct lyd_node **tree, void *userdata);

/*
 * The model's RPCs (netconf_action_fn; userdata is the struct coord).  reset-connection:
 * scope tunnel terminates the IKE_SAs of the connection's tunnels (all, or one gateway)
 * and initiates new ones, the links following the events as always; scope bgp hard-resets
 * their BGP sessions.  Other tunnels are not touched.
 */
int coord_action(const struct lyd_node *rpc, char *err, size_t size, void *userdata);

struct coord_stats {
	uint64_t commits; /* transactions that succeeded */
	uint64_t failed;  /* transactions that failed (and were undone) */
	uint64_t last_commit_us;
	uint64_t links_up, links_down;
	uint64_t child_rekeys, ike_rekeys; /* seen in charon's events, all tunnels */
	uint64_t charon_repushes;
};
const struct coord_stats *coord_stats(const struct coord *c);

#endif
