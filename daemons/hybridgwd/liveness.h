/*
 * liveness.h - is a tunnel carrying packets?  An ICMP echo probe through each tunnel, for
 * the clouds whose VPN gateways speak no BFD and whose DPD takes 30-45 s.
 *
 * DOC: the probe.
 *
 *   Every interval an echo request goes to the peer's inside (APIPA) address, sent from
 *   ours, on a raw socket bound to the tunnel interface, so it can only leave through that
 *   tunnel; replies are taken from that interface only, matched on identifier and source.
 *   The tunnel is dead when no reply came for multiplier intervals, and alive again once
 *   replies have come for hold-down without a gap of that length: a tunnel that flaps
 *   stays out (no route storm).
 *
 *   A peer that never answered is never judged: the detector arms on the first reply
 *   (logged).  A cloud that filters ICMP to its inside address would otherwise be shut
 *   out for good; such a tunnel simply has no liveness detection.
 *
 *   A late tick (the loop was busy) first reads the replies waiting in the socket, so a
 *   stalled daemon does not take its own delay for a dead tunnel.
 *
 *   The state machine is pure (liveness_step) so it is unit-tested with a fake clock; the
 *   socket and the timer are a thin layer around it.
 */
#ifndef HGWD_LIVENESS_H
#define HGWD_LIVENESS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

enum liveness_state {
	LIVENESS_UNARMED,    /* no reply seen yet: no verdict */
	LIVENESS_UP,	     /* replies arrive */
	LIVENESS_DOWN,	     /* none for multiplier intervals */
	LIVENESS_RECOVERING, /* replies again, hold-down running */
};

struct liveness_sm {
	enum liveness_state state;
	uint64_t interval_us;
	unsigned multiplier;
	uint64_t hold_down_us;
	uint64_t last_rx;	   /* time of the last reply */
	uint64_t recovering_since; /* RECOVERING: first reply after DOWN */
};

enum liveness_input {
	LIVENESS_TICK,	/* a probe interval passed (now) */
	LIVENESS_REPLY, /* a reply arrived (now) */
};

/*
 * Feed one input at time now (µs, monotonic); returns the new state.  *changed says whether
 * the verdict (up / down) flipped: UNARMED -> UP is not a change, UP -> DOWN and
 * RECOVERING -> UP are.
 */
enum liveness_state liveness_step(struct liveness_sm *sm, enum liveness_input in, uint64_t now,
				  bool *changed);

/*
 * Whether buf (len bytes as a raw IPv4 ICMP socket delivers them: IP header, then ICMP)
 * received from `from` is the echo reply of probe ident from dst.  Reads only within len.
 */
bool liveness_is_reply(const void *buf, size_t len, uint16_t ident, struct in_addr from,
		       struct in_addr dst);

struct liveness;

/* alive: the verdict flipped to alive (true) or dead (false); at: when it was noticed. */
typedef void (*liveness_fn)(void *arg, bool alive, uint64_t at);

struct liveness_config {
	const char *ifname;
	struct in_addr src, dst;
	uint32_t interval_ms;
	unsigned multiplier;
	uint32_t hold_down_ms;
	uint16_t ident; /* echo identifier, unique per probe */
	/* the tunnel is dead already (a probe restarted by a commit): start DOWN, so that
	 * recovery goes through the hold-down and is reported */
	bool start_down;
};

int liveness_new(sd_event *event, const struct liveness_config *cfg, liveness_fn fn, void *arg,
		 struct liveness **out);
void liveness_free(struct liveness *l);
enum liveness_state liveness_get_state(const struct liveness *l);

struct liveness_stats {
	uint64_t sent, received, send_errors;
};
const struct liveness_stats *liveness_stats(const struct liveness *l);
const char *liveness_state_name(enum liveness_state s);

#endif
