/*
 * netconf.h - the NETCONF server of hybridgwd, on the event loop.
 *
 * The daemon owns the listening unix socket <state_dir>/netconf.sock (0660) and the sockets
 * of its clients; each is an sd-event I/O source, so nothing polls while nothing happens.
 * libnetconf2 (2.0.24) is used as a codec and RPC dispatcher on transports it does not own:
 * an accepted connection is handed to nc_accept_inout() with the peer's user name (from
 * SO_PEERCRED) and gets a pollsession of its own, which is polled with timeout 0 only when
 * its socket is readable.  This avoids the spike's traps: no nc_ps_poll() holding a lock
 * for its timeout, no polling for accept, no idle CPU.
 *
 * The datastores and the semantics of every operation are lib/nc's; this file parses the
 * RPCs, keeps the locks (per session, released when the session ends; the candidate is
 * discarded when its lock holder goes), and turns lib/nc's errors into <rpc-error>s.
 *
 * Access: two roles (lib/nc/nc_acm.h).  root is admin; other users get the role the
 * users file <config_dir>/netconf-users gives them, read at each connection; without one
 * the connection is closed.  The operator role reads everything but the keys
 * (nacm:default-deny-all) and changes nothing (access-denied).
 *
 * Confirmed commit 1.1 (RFC 6241 8.4): the timer is an sd-event source; the rollback,
 * on timeout, cancel-commit or the loss of the issuing session (without persist), goes
 * through the same apply callback as a commit.
 *
 * Notifications (RFC 5277): the NETCONF stream, without replay or filters; RFC 6470's
 * netconf-config-change on every change of running (commits and rollbacks), and the
 * model's own, which the coordinator raises through the netconf_notify_*() API.  A slow
 * subscriber can hold the loop for up to a second per notification (known limit).
 *
 * kill-session (admin only) ends the other session as a lost transport would.
 *
 * with-defaults (RFC 6243): basic mode explicit, also report-all, report-all-tagged, trim.
 *
 * State data: <get> asks the daemon (netconf_set_state()) at each request.
 *
 * SSH: OpenSSH runs daemons/netconf-ssh/hybridgw-netconf as the "netconf" subsystem, which
 * relays the channel to this socket as the logged-in user (docs/NETCONF.md).
 *
 * ietf-netconf-monitoring: /netconf-state in <get> (netconf_monitor.h).
 *
 * Slow clients: libnetconf2 never gets a client's socket, only one end of a socketpair
 * behind the shield (netconf_shield.h), which hands it whole messages and takes its
 * replies at once.  A client that stalls in the middle of a message, or stops reading,
 * holds only itself: its RPCs wait while more than NC_SHIELD_BACKLOG_MAX of its replies
 * are unread, and a subscriber with more than 16 MiB of unread notifications loses its
 * session.  The <hello> exchange (nc_accept_inout()) runs once the client's hello is
 * whole; a client that sends none within 10 s is dropped.
 *
 * libnetconf2's server state is process-global (callbacks carry no user data), so there is
 * at most one netconf server per process.
 */
#ifndef HGWD_NETCONF_H
#define HGWD_NETCONF_H

#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "nc/nc.h"
#include "options.h"

#define HGWD_NETCONF_SOCKET_NAME "netconf.sock"

struct netconf;

/*
 * Load the YANG modules (from $HYBRIDGWD_YANG_DIR, else the installed directory), the
 * startup configuration <config_dir>/startup.xml into running (through apply, which every
 * later change of running goes through too; NULL accepts everything), and listen.  Failures are
 * logged here.  -ENOENT means the YANG modules are not installed.
 */
int netconf_new(sd_event *event, const struct hgwd_options *opts, hgw_nc_apply_fn apply,
		void *apply_data, struct netconf **ret);

/*
 * State data (the model's config false nodes), pulled from the daemon at each <get>.  The
 * callback adds them to *tree, a copy of running (so the config list entries that state
 * hangs off are there; it may add entries of its own).  It runs on the loop, may block
 * briefly (it asks charon, FRR and the kernel), and leaves out what it cannot get.
 * 0 or -errno; on error <get> answers with running alone.
 */
typedef int (*netconf_state_fn)(const struct ly_ctx *ctx, struct lyd_node **tree, void *userdata);
void netconf_set_state(struct netconf *nc, netconf_state_fn fn, void *userdata);

/*
 * The model's own RPCs (reset-connection), handled by the daemon: rpc is the request with
 * its input; on failure the callback writes what went wrong to err (for the rpc-error) and
 * returns -errno.  Without a handler they are answered operation-not-supported.
 */
typedef int (*netconf_action_fn)(const struct lyd_node *rpc, char *err, size_t size,
				 void *userdata);
void netconf_set_action(struct netconf *nc, netconf_action_fn fn, void *userdata);

/*
 * Running with the state, as an admin's <get> sees it (without the YANG library), for
 * the daemon's own readers (metrics).  *tree is the caller's (lyd_free_all); it is NULL
 * when running is empty and there is no state.  0, -ENOMEM.
 */
int netconf_operational(struct netconf *nc, struct lyd_node **tree);

/* Close every session, stop listening, remove the socket.  NULL is ok. */
void netconf_free(struct netconf *nc);

/*
 * The notifications of yang/hybridgw.yang, for the coordinator to call from the event loop
 * when it sees the event.  Each goes to every session subscribed to the NETCONF stream
 * (create-subscription), after the RPC being handled, if any, has been answered; what the
 * operator role may not read is left out of its copy.  String arguments are borrowed and
 * may be NULL (left out); enumerations take the model's names (state "up", "down", ...;
 * path_class "tunnel", "private" or "local").  Returns 0 (also when nobody is subscribed, and
 * for nc NULL), -EINVAL when a value does not fit the model (logged), -ENOMEM.
 */
int netconf_notify_tunnel(struct netconf *nc, const char *connection, const char *gateway,
			  const char *state, const char *reason);
int netconf_notify_bgp_peer(struct netconf *nc, const char *peer_address, const char *path_class,
			    const char *path, const char *old_state, const char *new_state);
/* duration_us: from noticing the failure to the new routes being in the kernel. */
int netconf_notify_path_switch(struct netconf *nc, const char *from_path, const char *to_path,
			       const char *reason, uint64_t duration_us);

#endif
