/*
 * netconf_shield.h - what stands between a NETCONF client's socket and libnetconf2.
 *
 * libnetconf2 reads and writes a session's descriptor synchronously: once a message has
 * begun to arrive it reads until the message is whole, and it writes a reply until all of
 * it is taken.  On the daemon's one event loop, a local client that sent half a message
 * and stopped, or that stopped reading its replies, would hold everyone: every other
 * session, the coordinator, failover.  So libnetconf2 never gets the client's socket.  It
 * gets one end of a socketpair, and the shield moves the bytes between the other end and
 * the client, on the loop, without blocking:
 *
 *   client -> daemon  the stream is cut into NETCONF messages (RFC 6242 framing, the same
 *                     parser as the SSH relay's, daemons/netconf-ssh/framing.h) and only
 *                     whole messages are passed on, so libnetconf2 never waits for a byte.
 *                     An incomplete message that gets no byte for 30 s closes the session,
 *                     as do bad framing and a message over 64 MiB.  At most IN_LIMIT bytes
 *                     wait unread by libnetconf2; past that, the client is not read (its
 *                     kernel buffer fills and it blocks, not us).
 *   daemon -> client  libnetconf2's end has a send buffer far larger than a reply, so its
 *                     writes return at once; the shield writes to the client as the client
 *                     takes it.  nc_shield_backlog() says how much waits: the server stops
 *                     handling a client's RPCs while its backlog is over
 *                     NC_SHIELD_BACKLOG_MAX (ops.drained says when to go on), and a
 *                     subscriber that does not read loses its session rather than hold
 *                     notifications for everyone.
 *
 * Ends.  The client's EOF is passed on (after its last whole message) as EOF on
 * libnetconf2's end; the server then ends the session and closes its end, and the shield
 * writes out what is left for the client (at most LINGER seconds) and frees itself.
 */
#ifndef HGWD_NETCONF_SHIELD_H
#define HGWD_NETCONF_SHIELD_H

#include <stddef.h>

#include <systemd/sd-event.h>

/* Output a client may leave unread before the server stops handling its RPCs. */
#define NC_SHIELD_BACKLOG_MAX ((size_t)4 << 20)

struct nc_shield;

struct nc_shield_ops {
	/* The backlog fell back under NC_SHIELD_BACKLOG_MAX. */
	void (*drained)(void *userdata);
};

/*
 * Stand between the connected client socket `client` (taken over: the shield closes it)
 * and libnetconf2, whose descriptor is returned in *inner (the caller's to close).
 * 0 or -errno (client is closed then).
 */
int nc_shield_new(sd_event *event, int client, const struct nc_shield_ops *ops, void *userdata,
		  int *inner, struct nc_shield **out);
/* libnetconf2 has read from *inner: more of the client's messages may go in now. */
void nc_shield_kick(struct nc_shield *s);
/* Bytes of output the client has not taken yet. */
size_t nc_shield_backlog(struct nc_shield *s);
/* Why the shield ended the client's side ("bad framing ..."), or NULL. */
const char *nc_shield_error(const struct nc_shield *s);
/*
 * The session is over (call before closing *inner): no more callbacks; what is left for
 * the client is written out, and then the shield frees itself.  Accepts NULL.
 */
void nc_shield_release(struct nc_shield *s);
/* Free every shield, released or not, at once (the server's end). */
void nc_shield_free_all(void);

#endif
