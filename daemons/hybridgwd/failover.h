/*
 * failover.h - the failover detector's pure half: which class of path carries a watched
 * prefix in the kernel now, and a bounded history of the switches between classes.
 *
 * DOC: what is timed.
 *
 *   The coordinator watches each failover/watch-prefix with lib/nl's monitor (the kernel's
 *   own forwarding lookup, re-asked on every link, address and route notification) and
 *   classifies the answer: private (a nexthop through a private path's interface), vpn
 *   with the number of tunnels in the ECMP set, or none.  Separately it remembers the last
 *   failure and recovery of each kind it saw itself: a carrier change on a private path's
 *   interface, a tunnel's liveness verdict, a CHILD_SA going or coming.  When the class
 *   changes, the event records the newest cause that can explain that switch, when the
 *   cause was seen, when the kernel switched, and the gap between them.  A cause older than
 * FAILOVER_CAUSE_MAX_AGE_US is not this switch's (a BGP or BFD session loss, which the daemon does
 * not observe yet): the cause is then "routing" and the gap unknown.
 */
#ifndef HGWD_FAILOVER_H
#define HGWD_FAILOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "nl/nl_types.h"

#define FAILOVER_HISTORY 64
#define FAILOVER_CAUSE_MAX_AGE_US (10 * 1000000ULL)
#define FAILOVER_TEXT_MAX 96

enum failover_class {
	FAILOVER_NONE,
	FAILOVER_PRIVATE,
	FAILOVER_VPN,
	FAILOVER_OTHER, /* a route through something that is neither */
};

struct failover_path {
	enum failover_class cls;
	unsigned n_tunnels; /* FAILOVER_VPN: ECMP width */
};

/* "private", "vpn x2", "none", "other" into buf. */
const char *failover_path_str(const struct failover_path *p, char *buf, size_t size);
bool failover_path_equal(const struct failover_path *a, const struct failover_path *b);

/*
 * Classify a view: its usable nexthops (not dead, not linkdown) by interface name.
 * private_ifs and tunnel_ifs are arrays of names.
 */
struct failover_path failover_classify(const struct hgw_nl_view *v, const char *const *private_ifs,
				       size_t n_private, const char *const *tunnel_ifs,
				       size_t n_tunnel);

/*
 * What the daemon saw itself that can move a watched prefix, and the last time of each
 * kind.  A switch is attributed to the newest cause that can explain it (a tunnel coming up
 * does not move traffic back to the private path) and is at most FAILOVER_CAUSE_MAX_AGE_US
 * old; none: "routing", gap unknown.
 */
enum failover_cause_kind {
	FAILOVER_CAUSE_PRIVATE_DOWN, /* carrier lost on a private path's interface */
	FAILOVER_CAUSE_PRIVATE_UP,   /* carrier back */
	FAILOVER_CAUSE_TUNNEL_DOWN,  /* a CHILD_SA gone, a liveness verdict dead */
	FAILOVER_CAUSE_TUNNEL_UP,    /* a CHILD_SA installed, a tunnel alive again */
	FAILOVER_CAUSE_KINDS,
};

struct failover_cause {
	char text[FAILOVER_TEXT_MAX];
	char subject[FAILOVER_TEXT_MAX]; /* the interface or tunnel it happened to */
	uint64_t at_us;			 /* CLOCK_MONOTONIC; 0: never seen */
};

/*
 * Remember a cause of this kind.  The opposite kind's last cause is forgotten when it was
 * about the same subject: a circuit whose carrier came back no longer explains a switch
 * away from it (the demo showed a BGP shutdown blamed on a carrier loss 3.9 s earlier that
 * had been repaired meanwhile).
 */
void failover_cause_set(struct failover_cause causes[FAILOVER_CAUSE_KINDS],
			enum failover_cause_kind kind, const char *subject, uint64_t at_us,
			const char *text);

/* Whether a cause of this kind can explain the switch from -> to. */
bool failover_cause_fits(enum failover_cause_kind kind, const struct failover_path *from,
			 const struct failover_path *to);

struct failover_event {
	uint64_t seq;
	struct timespec when; /* CLOCK_REALTIME of the switch */
	char prefix[HGW_NL_PREFIX_STRLEN];
	struct failover_path from, to;
	char cause[FAILOVER_TEXT_MAX];
	uint64_t cause_us;  /* CLOCK_MONOTONIC, 0: unknown */
	uint64_t switch_us; /* CLOCK_MONOTONIC */
	int64_t gap_us;	    /* switch - cause; -1: unknown */
};

struct failover_history {
	struct failover_event v[FAILOVER_HISTORY]; /* ring */
	size_t n;				   /* valid entries, <= FAILOVER_HISTORY */
	size_t next;				   /* where the next one goes */
	uint64_t seq;				   /* of the last one */
};

/*
 * Record a switch at switch_us; causes is indexed by enum failover_cause_kind (the last
 * cause seen of each).  Returns the stored event.
 */
const struct failover_event *
failover_record(struct failover_history *h, const char *prefix, const struct failover_path *from,
		const struct failover_path *to,
		const struct failover_cause causes[FAILOVER_CAUSE_KINDS], uint64_t switch_us,
		const struct timespec *when);
/* The i-th newest event (0: the last), or NULL. */
const struct failover_event *failover_get(const struct failover_history *h, size_t i);

#endif
