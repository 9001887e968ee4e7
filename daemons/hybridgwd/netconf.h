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
 * Not yet (issue 6, later steps): SSH, NACM roles (the PSK is readable by anyone who may
 * open the socket), confirmed-commit, notifications, ietf-netconf-monitoring, subtree
 * filters, with-defaults other than explicit, kill-session, state data in <get>.
 * The <hello> exchange (nc_accept_inout()) runs only once the client's hello has started
 * to arrive, so a client that connects and stays silent holds nothing up; it is dropped
 * after a timeout.  Known limit: a client that sends half a message and stops holds the
 * loop for libnetconf2's read timeout (moving reads off the loop is the SSH step's job).
 *
 * libnetconf2's server state is process-global (callbacks carry no user data), so there is
 * at most one netconf server per process.
 */
#ifndef HGWD_NETCONF_H
#define HGWD_NETCONF_H

#include <systemd/sd-event.h>

#include "options.h"

#define HGWD_NETCONF_SOCKET_NAME "netconf.sock"

struct netconf;

/*
 * Load the YANG modules (from $HYBRIDGWD_YANG_DIR, else the installed directory), the
 * startup configuration <config_dir>/startup.xml into running, and listen.  Failures are
 * logged here.  -ENOENT means the YANG modules are not installed.
 */
int netconf_new(sd_event *event, const struct hgwd_options *opts, struct netconf **ret);

/* Close every session, stop listening, remove the socket.  NULL is ok. */
void netconf_free(struct netconf *nc);

#endif
