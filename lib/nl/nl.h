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
/* Up: then the link-local of hgw_nl_link_ipv6_ll() is added again (a failure is logged). */
int hgw_nl_link_set_up(struct hgw_nl *nl, const char *name, bool up);
int hgw_nl_link_set_mtu(struct hgw_nl *nl, const char *name, unsigned mtu);
/* Also forgets the link's link-local (hgw_nl_link_ipv6_ll). */
int hgw_nl_link_delete(struct hgw_nl *nl, const char *name);

/*
 * Make the interface's IPv6 link-local address ours and keep it across down/up (the bug of
 * VyOS T5769).
 *
 * Why: on admin down the kernel deletes every IPv6 link-local address of the interface,
 * and hybridgwd sets a tunnel link down on purpose (its routes leave the FIB at once) and
 * up again on every failover.  net.ipv6.conf.<if>.keep_addr_on_down = 1 does not keep it:
 * it keeps static global addresses only, never a link-local one (measured on Linux 6.1 in
 * UML and 6.18 on the host; tests/proto/nl_host.py, tests/lab/scenarios/test_nl.py).  What
 * the kernel makes by itself on up depends on the kind: a VTI with a local address gets
 * fe80::5efe:<local IPv4> (the same on every VTI of that address), a VTI with local any
 * none at all (both measured in UML), an XFRM interface (ARPHRD_NONE) a random one, new
 * each time the interface is made (the kernel turns EUI-64 into random for it; neither
 * kernel here has XFRM interfaces).  None is stable, and none says which tunnel it is.
 *
 * So the driver owns it:
 *   - IFLA_INET6_ADDR_GEN_MODE = none: the kernel makes no link-local of its own (on a new
 *     tunnel, still down, it never makes one at all);
 *   - net.ipv6.conf.<if>.keep_addr_on_down = 1, for the other IPv6 addresses a tunnel
 *     may carry (it does nothing for the link-local, see above);
 *   - ll/64 with IFA_F_NODAD (usable at once, never tentative) and its fe80::/64 prefix
 *     route; every other fe80::/10 address on the interface is deleted: one link-local;
 *   - the driver remembers the interface and adds ll again whenever it finds the link up
 *     without it: in hgw_nl_link_set_up(up) right after the kernel's answer (the daemon's
 *     own down/up), and in the monitor on a link notification showing it up (someone's
 *     `ip link set up`), on the deletion of an IPv6 address of it (a flush), and on resync.
 * Every step reads first and writes only what differs: calling it again, or on adopt after
 * a restart, sends no request and causes no notification.
 *
 * ll == NULL: forget the interface (ll is not added again on up); the kernel is left as it
 * is.  0; -EINVAL if ll is not in fe80::/10; -ENODEV; -EAFNOSUPPORT if the interface has no
 * IPv6 (none in the kernel, or disable_ipv6 = 1).
 */
int hgw_nl_link_ipv6_ll(struct hgw_nl *nl, const char *ifname, const struct in6_addr *ll);

struct hgw_nl_tunnel {
	enum hgw_nl_tunnel_kind kind;
	char name[IFNAMSIZ];
	struct in_addr local, remote; /* VTI: outer addresses; 0.0.0.0 = any */
	uint32_t key;		      /* VTI: ikey = okey = the CHILD_SA's mark */
	uint32_t if_id;		      /* XFRM interface: the CHILD_SA's if_id, not 0 */
	char underlay[IFNAMSIZ];      /* XFRM interface: the device it sits on; "" = none */
	unsigned mtu;		      /* 0: leave the kernel's */
	struct in6_addr ll;	      /* IPv6 link-local (hgw_nl_link_ipv6_ll); :: = not managed */
};

/*
 * Create the tunnel interface, or adopt an existing one of the same name when its kind and
 * parameters match (*adopted = true; nothing is changed then but MTU, disable_policy and
 * the link-local).  An interface of that name that does not match is -EEXIST: never
 * reconfigured behind someone's back.  For VTI, sets net.ipv4.conf.<name>.disable_policy =
 * 1.  With t->ll set, hgw_nl_link_ipv6_ll() (on a new interface before it is ever up; on an
 * adopted one writing only what differs); a kernel without IPv6 for it is logged and not an
 * error.  On failure an interface this call made is deleted again.  Leaves the link down:
 * hgw_nl_link_set_up() when the SA is there.  -EOPNOTSUPP if the kernel lacks the kind.
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
