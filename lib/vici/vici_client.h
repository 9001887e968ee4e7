/*
 * vici_client.h - a non-blocking VICI client for charon on an sd-event loop.
 *
 * Why our own: libvici blocks in vici_submit(), delivers events on libstrongswan's threads
 * and links GPLv2 code; Debian ships no header for it and no davici.  This client never
 * blocks the loop and calls back on the loop's thread only.
 *
 * Two unix stream connections to the same socket:
 *   commands  one request in flight at a time (VICI has no sequence numbers), the rest
 *             queued in order.  "list-sa" and "list-conn" are registered on it once per
 *             connect, so streamed listings arrive here and are collected until the
 *             command's reply.
 *   events    registered for ike-updown, ike-rekey, child-updown and child-rekey; each is
 *             decoded (vici_sa.h) and handed to ops->event.
 *
 * Every command has a deadline.  A command that times out while on the wire leaves the
 * stream out of step (its reply may still come), so the connection is reset.  When charon
 * goes away (EOF, error, malformed frame), the command on the wire fails with -ECONNRESET,
 * queued commands wait for the next connection (within their deadline), ops->down is
 * called, and the client reconnects with exponential backoff.  Once both connections are
 * up and all registrations confirmed, ops->up is called with reconnect = true if it was up
 * before: charon may have restarted empty, and the caller re-pushes its state.
 *
 * Ownership: the client keeps a reference on the sd_event.  Strings and structs passed to
 * the calls are copied before they return.  Results passed to callbacks are borrowed for
 * the duration of the callback.  Callbacks may submit commands; they must not free the
 * client.  vici_client_free() drops pending commands without calling their callbacks.
 */
#ifndef HGW_VICI_CLIENT_H
#define HGW_VICI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "vici/vici_codec.h"
#include "vici/vici_sa.h"

#define VICI_DEFAULT_SOCKET "/run/charon.vici"

struct vici_client;

struct vici_client_ops {
	/* Connected and registered.  reconnect: this is not the first time. */
	void (*up)(struct vici_client *c, bool reconnect, void *userdata);
	/* Lost charon; err is why (-ECONNRESET for EOF, -ETIMEDOUT, -EBADMSG, ...). */
	void (*down)(struct vici_client *c, int err, void *userdata);
	/* A tunnel event, borrowed for the call. */
	void (*event)(struct vici_client *c, const struct vici_event *ev, void *userdata);
};

struct vici_client_config {
	const char *socket_path;   /* NULL: VICI_DEFAULT_SOCKET */
	uint64_t timeout_usec;	   /* default deadline of a command; 0: 10 s */
	uint64_t backoff_min_usec; /* first reconnect delay; 0: 100 ms */
	uint64_t backoff_max_usec; /* cap of the doubling; 0: 5 s */
	bool no_events;		   /* do not open the event connection (one-shot tools) */
};

/* Starts connecting at once (on the loop).  0, -EINVAL, -ENAMETOOLONG, -ENOMEM. */
int vici_client_new(struct vici_client **out, sd_event *event, const struct vici_client_config *cfg,
		    const struct vici_client_ops *ops, void *userdata);
/* Accepts NULL. */
void vici_client_free(struct vici_client *c);
bool vici_client_is_up(const struct vici_client *c);
/* How many times both connections came up (1 after the first connect). */
unsigned vici_client_connects(const struct vici_client *c);

/*
 * The generic call.  frame (from vici_codec/vici_sa) is taken over in all cases.  If
 * stream_event is not NULL, events of that name received on the command connection while
 * this command is on the wire are collected (it must be "list-sa" or "list-conn").
 * timeout_usec 0 uses the configured default.  The callback gets err = 0 and the reply
 * (and the collected messages), or a negative error: -ETIMEDOUT, -ECONNRESET,
 * -EOPNOTSUPP (charon does not know the command), -EBADMSG.
 */
typedef void (*vici_reply_fn)(int err, const struct vici_msg *reply, struct vici_msg *const *stream,
			      size_t n_stream, void *userdata);
int vici_client_submit(struct vici_client *c, uint8_t *frame, size_t len, const char *stream_event,
		       uint64_t timeout_usec, vici_reply_fn cb, void *userdata);

/*
 * Typed calls.  The status callback gets 0, -EREMOTEIO with charon's errmsg, or one of the
 * errors above (errmsg "" then).  They return 0 once queued, or an error from building
 * the request (nothing is called back then).
 */
typedef void (*vici_status_fn)(int err, const char *errmsg, void *userdata);
typedef void (*vici_list_sas_fn)(int err, const struct vici_ike_sa *sas, size_t n, void *userdata);
typedef void (*vici_list_conns_fn)(int err, const struct vici_conn_info *conns, size_t n,
				   void *userdata);

int vici_client_load_conn(struct vici_client *c, const struct vici_conn_cfg *cfg, vici_status_fn cb,
			  void *userdata);
int vici_client_unload_conn(struct vici_client *c, const char *name, vici_status_fn cb,
			    void *userdata);
int vici_client_load_shared(struct vici_client *c, const struct vici_shared *psk, vici_status_fn cb,
			    void *userdata);
int vici_client_unload_shared(struct vici_client *c, const char *id, vici_status_fn cb,
			      void *userdata);
/* Never waits for the SA: charon answers at once (timeout -1); the outcome is an event. */
int vici_client_initiate(struct vici_client *c, const char *ike, const char *child,
			 vici_status_fn cb, void *userdata);
int vici_client_terminate(struct vici_client *c, const char *ike, const char *child,
			  vici_status_fn cb, void *userdata);
/*
 * The same, but charon answers only once the SAs are gone or timeout_ms passed (then with
 * an error: the deletion goes on).  Either way they are being deleted when cb runs, so an
 * initiate sent after it cannot reuse them.
 */
int vici_client_terminate_wait(struct vici_client *c, const char *ike, int timeout_ms,
			       vici_status_fn cb, void *userdata);
int vici_client_list_sas(struct vici_client *c, const char *ike, vici_list_sas_fn cb,
			 void *userdata);
int vici_client_list_conns(struct vici_client *c, const char *ike, vici_list_conns_fn cb,
			   void *userdata);

#endif
