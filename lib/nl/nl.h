/*
 * nl.h - the kernel driver: tunnel interfaces, addresses, routes, and a monitor that
 * reports what carries the watched prefixes, over rtnetlink with libnl-route-3.
 *
 * DOC: two sockets, as keepalived and BIRD do it.
 *
 *   commands  a blocking libnl socket.  Every request asks for an ACK and carries a
 *             sequence number; libnl checks that the ACK (or the error) belongs to it.
 *             Requests are short (one route, one link) and the kernel answers in
 *             microseconds, so they run on the loop's thread.  Dumps go here too.
 *   events    a non-blocking socket in the link, address and route multicast groups, with
 *             a receive buffer of the size the caller asks for, read on the sd-event loop.
 *             When the kernel drops notifications because that buffer was full, recvmsg()
 *             fails with ENOBUFS: the monitor then re-reads everything it reports (links,
 *             and each watched prefix) from the kernel, never patching its state from the
 *             notifications around the gap.
 *
 * Watching a prefix.  The monitor does not rebuild the routing table from notifications:
 * the kernel does not announce every change of a route's nexthops (IPv4 marks a nexthop
 * RTNH_F_DEAD or RTNH_F_LINKDOWN on link down without an RTM_NEWROUTE).  Instead, every
 * notification that can change what carries a watched prefix (a route overlapping it, any
 * link or address change) makes it ask the kernel: RTM_GETROUTE with RTM_F_FIB_MATCH, the
 * route the forwarding lookup for the prefix's first address matches, with all its
 * nexthops and their flags (`ip route get fibmatch`).  If the answer differs from the last
 * one, the watch callback gets the new view and the time of the notification that caused
 * it.
 *
 * Timestamps.  Netlink sockets do not deliver SO_TIMESTAMPNS control messages (measured on
 * the host's Linux 6.18: the option is accepted and no cmsg ever arrives).  The monitor asks
 * for them anyway and uses the kernel's time when it comes; otherwise the time is taken
 * right after recvmsg() returns, so it includes the loop's wake-up latency (ts.kernel says
 * which).
 *
 * Ownership: strings and structs passed in are copied before the call returns; views and
 * events passed to callbacks are borrowed for the duration of the call.  Callbacks must
 * not free the struct hgw_nl.
 */
#ifndef HGW_NL_H
#define HGW_NL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "nl/nl_types.h"

struct hgw_nl;

struct hgw_nl_ts {
	struct timespec real; /* CLOCK_REALTIME */
	struct timespec mono; /* CLOCK_MONOTONIC, for intervals */
	bool kernel;	      /* real came from the kernel (SO_TIMESTAMPNS) */
};

struct hgw_nl_link_event {
	int ifindex;
	const char *ifname;
	unsigned flags; /* IFF_UP, IFF_LOWER_UP, IFF_RUNNING ... */
	bool deleted;
};

struct hgw_nl_ops {
	/* What carries a watched prefix changed (or the first answer after watch/resync). */
	void (*view)(struct hgw_nl *nl, const struct hgw_nl_view *view, const struct hgw_nl_ts *ts,
		     void *userdata);
	/* A link appeared, changed or went away. */
	void (*link)(struct hgw_nl *nl, const struct hgw_nl_link_event *ev,
		     const struct hgw_nl_ts *ts, void *userdata);
	/* Notifications were lost (err = -ENOBUFS) and everything was read again. */
	void (*resync)(struct hgw_nl *nl, int err, void *userdata);
};

struct hgw_nl_config {
	int rcvbuf;	/* event socket receive buffer, bytes; 0: 4 MiB */
	bool no_events; /* no event socket (one-shot tools) */
};

/* What the running kernel can create, probed once at hgw_nl_new(). */
struct hgw_nl_caps {
	bool vti;
	bool xfrmi;
};

/* 0, -ENOMEM, or the error of socket(2)/bind(2).  event may be NULL with no_events. */
int hgw_nl_new(struct hgw_nl **out, sd_event *event, const struct hgw_nl_config *cfg,
	       const struct hgw_nl_ops *ops, void *userdata);
/* Accepts NULL. */
void hgw_nl_free(struct hgw_nl *nl);
/* Probes on the first call (creates and deletes a test interface of each kind). */
const struct hgw_nl_caps *hgw_nl_caps(struct hgw_nl *nl);
/* Counters: notifications read, lookups made, resyncs done. */
struct hgw_nl_stats {
	uint64_t messages;
	uint64_t lookups;
	uint64_t resyncs;
	uint64_t views;
};
const struct hgw_nl_stats *hgw_nl_stats(const struct hgw_nl *nl);

/* ---- links ---- */

/* ifindex of name, or -ENODEV. */
int hgw_nl_ifindex(struct hgw_nl *nl, const char *name);
int hgw_nl_link_set_up(struct hgw_nl *nl, const char *name, bool up);
int hgw_nl_link_set_mtu(struct hgw_nl *nl, const char *name, unsigned mtu);
int hgw_nl_link_delete(struct hgw_nl *nl, const char *name);

struct hgw_nl_tunnel {
	enum hgw_nl_tunnel_kind kind;
	char name[IFNAMSIZ];
	struct in_addr local, remote; /* VTI: outer addresses; 0.0.0.0 = any */
	uint32_t key;		      /* VTI: ikey = okey = the CHILD_SA's mark */
	uint32_t if_id;		      /* XFRM interface: the CHILD_SA's if_id, not 0 */
	char underlay[IFNAMSIZ];      /* XFRM interface: the device it sits on; "" = none */
	unsigned mtu;		      /* 0: leave the kernel's */
};

/*
 * Create the tunnel interface, or adopt an existing one of the same name when its kind and
 * parameters match (*adopted = true; nothing is changed then but MTU and disable_policy).
 * An interface of that name that does not match is -EEXIST: never reconfigured behind
 * someone's back.  For VTI, sets net.ipv4.conf.<name>.disable_policy = 1.  Leaves the
 * link down: hgw_nl_link_set_up() when the SA is there.  -EOPNOTSUPP if the kernel lacks
 * the kind.
 */
int hgw_nl_tunnel_ensure(struct hgw_nl *nl, const struct hgw_nl_tunnel *t, bool *adopted);

/* ---- addresses ---- */

/*
 * Inside addresses of a tunnel, the two ways clouds do it:
 *   AWS style:   local/30 on the interface; the peer is in the /30 (connected route).
 *   Azure style: local/plen on the interface and, because the peer's APIPA speaker is not
 *                in that subnet, a /32 host route to the peer through the interface in
 *                our protocol.  (peer.s_addr == 0: no host route.)
 * Adding what exists is not an error.
 */
int hgw_nl_addr_add(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local);
int hgw_nl_addr_del(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local);
int hgw_nl_peer_route_add(struct hgw_nl *nl, const char *ifname, struct in_addr peer);

/* ---- routes ---- */

struct hgw_nl_route {
	struct hgw_nl_prefix dst;
	uint32_t table;	  /* 0: main */
	uint32_t metric;  /* priority */
	uint8_t protocol; /* read: as the kernel says; written: always HGW_NL_RTPROT */
	size_t n_nh;
	struct hgw_nl_nexthop nh[HGW_NL_MAX_NH]; /* ifindex or ifname; gw optional */
};

/*
 * Install the route in our protocol, replacing our route of the same table, prefix and
 * metric.  -EEXIST when a route of another protocol (zebra's) holds that key: the kernel
 * would replace it.  -ENODEV for an unknown interface name.
 */
int hgw_nl_route_replace(struct hgw_nl *nl, const struct hgw_nl_route *r);
/* Delete our route of that table, prefix and metric; -ESRCH if there is none. */
int hgw_nl_route_delete(struct hgw_nl *nl, const struct hgw_nl_route *r);
/*
 * Every route of exactly that prefix in every table, any protocol (ours, zebra's and the
 * kernel's), nexthops sorted.  *out is malloc'ed (free()); 0 or -errno.
 */
int hgw_nl_route_list(struct hgw_nl *nl, const struct hgw_nl_prefix *dst, struct hgw_nl_route **out,
		      size_t *n);
/* What carries the prefix now (the kernel's fibmatch answer), without watching. */
int hgw_nl_lookup(struct hgw_nl *nl, const struct hgw_nl_prefix *p, struct hgw_nl_view *view);

/* ---- monitor ---- */

/* Watch a prefix: ops->view is called at once with the current view and on each change. */
int hgw_nl_watch(struct hgw_nl *nl, const struct hgw_nl_prefix *p);
int hgw_nl_unwatch(struct hgw_nl *nl, const struct hgw_nl_prefix *p);
/* The last view reported for a watched prefix, or NULL. */
const struct hgw_nl_view *hgw_nl_watched_view(struct hgw_nl *nl, const struct hgw_nl_prefix *p);
/* A link's IFF_* flags as the monitor last saw them (no syscall); -ENODEV if unknown. */
int hgw_nl_link_flags(struct hgw_nl *nl, const char *name, unsigned *flags);
/* Read everything again now, as after ENOBUFS (ops->resync gets err 0). */
int hgw_nl_resync(struct hgw_nl *nl);

/* Name of an RTNH_F_* flag set: "dead,linkdown", "" if none; into buf. */
const char *hgw_nl_nh_flags_str(unsigned flags, char *buf, size_t size);
/* ts as seconds since the epoch with nanoseconds: "1714567890.123456789". */
const char *hgw_nl_ts_str(const struct timespec *ts, char *buf, size_t size);

#endif
