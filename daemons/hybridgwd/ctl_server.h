/*
 * ctl_server.h - serves the interim control socket (see lib/ctl_proto.h) on the event loop.
 *
 * Each client gets one request and one reply, read and written without blocking; a client
 * that has not finished within a few seconds is dropped, and so is any client beyond a
 * small limit, so that a stuck or hostile local peer cannot stall or exhaust the daemon.
 * Access control is the file mode: the socket is created 0660 in a 0750 directory.
 */
#ifndef HGWD_CTL_SERVER_H
#define HGWD_CTL_SERVER_H

#include <systemd/sd-event.h>

#include "ctl_proto.h"

struct ctl_server;

/* Fills *status for a "status" request; the strings must stay valid until it returns. */
typedef int (*ctl_status_fn)(struct hgw_status *status, void *userdata);

/*
 * Listen on path and serve it on event (which gets referenced).  A socket left behind by a
 * daemon that died is replaced; if a daemon is listening there, this fails with
 * -EADDRINUSE.  Failures are logged here, with what to do about them.
 */
int ctl_server_new(sd_event *event, const char *path, ctl_status_fn status_fn, void *userdata,
		   struct ctl_server **ret);

/* Drop all clients, stop listening and remove the socket (if it is still ours).  NULL is ok. */
void ctl_server_free(struct ctl_server *server);

const char *ctl_server_path(const struct ctl_server *server);

#endif
