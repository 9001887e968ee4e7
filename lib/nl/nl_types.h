/*
 * nl_types.h - the pure half of the kernel driver: prefixes, nexthop sets ("views"),
 * tunnel interface names and the protocol number of our routes.  No sockets, no libnl, no
 * clock, so all of it is unit-tested and fuzzed as is.
 *
 * Protocol number.  Routes hybridgw installs carry rtm_protocol HGW_NL_RTPROT (240).
 * Taken by others: the kernel's and iproute2's /etc/iproute2/rt_protos (0-4, 8-18, 42, 99,
 * 186-189, 192), FRR 8.4's rt_protos.d/frr.conf (186-197).  240 is far from both and from
 * the numbers FRR may add next to its own.  The kernel deletes a route only if the
 * protocol of the request matches (when one is given), so a delete in our protocol never
 * removes zebra's route; a replace matches on table, prefix, tos and metric only, so the
 * driver checks the protocol of the route it would replace first (nl.h).
 *
 * Interface names.  A tunnel interface says which connection and which remote instance
 * (the cloud's gateway instance 0, 1, ...) it belongs to, within IFNAMSIZ - 1 = 15 bytes:
 *
 *	hv-<conn>-<inst>    VTI              hv-azure-0, hv-azure-1
 *	hx-<conn>-<inst>    XFRM interface   hx-aws_vpn1-0
 *
 * <conn> is the connection name when it is made of [A-Za-z0-9_] and fits; otherwise its
 * first characters (anything else mapped to '_') plus '~' and four hex digits of a hash of
 * the whole name, so two long names with the same start still differ.  No '.': sysctl(8)
 * reads a dot in net.ipv4.conf.<if>.disable_policy as a separator.  The instance is 0-99.
 * A name is recognised as ours by hgw_nl_ifname_parse(); the connection it belongs to is
 * found by generating the name again, never by reading <conn> back.
 */
#ifndef HGW_NL_TYPES_H
#define HGW_NL_TYPES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HGW_NL_RTPROT 240
/* Nexthops kept per route; ECMP over tunnels needs a handful. */
#define HGW_NL_MAX_NH 32
#define HGW_NL_MAX_INSTANCE 99

enum hgw_nl_tunnel_kind {
	HGW_NL_VTI,
	HGW_NL_XFRMI,
};

struct hgw_nl_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t addr[16]; /* network byte order, host bits zero */
};

/* Longest "ffff:...:ffff/128" plus NUL. */
#define HGW_NL_PREFIX_STRLEN 44

struct hgw_nl_nexthop {
	int family; /* of gw; AF_UNSPEC for a device route */
	uint8_t gw[16];
	int ifindex;
	char ifname[IFNAMSIZ]; /* "" if unknown */
	unsigned flags;	       /* RTNH_F_* as the kernel reported them */
	uint8_t weight;	       /* rtnh_hops + 1; 1 for a single path */
};

/*
 * What carries a prefix now: the route the kernel's lookup matched (match may be shorter
 * than the prefix watched: a covering route) and its nexthops in a canonical order.
 * present = false: no route at all (the lookup failed).
 */
struct hgw_nl_view {
	struct hgw_nl_prefix prefix;
	bool present;
	struct hgw_nl_prefix match;
	uint8_t protocol;
	uint32_t table;
	uint32_t metric;
	size_t n_nh;
	struct hgw_nl_nexthop nh[HGW_NL_MAX_NH];
};

/*
 * "198.19.10.0/24", "2001:db8::/32"; an address without a length is a host prefix.  Host
 * bits must be zero (the kernel refuses them too).  0, -EINVAL.
 */
int hgw_nl_prefix_parse(const char *s, struct hgw_nl_prefix *out);
/* Into buf of at least HGW_NL_PREFIX_STRLEN bytes; returns buf. */
char *hgw_nl_prefix_format(const struct hgw_nl_prefix *p, char *buf, size_t size);
bool hgw_nl_prefix_equal(const struct hgw_nl_prefix *a, const struct hgw_nl_prefix *b);
/* Whether the two prefixes share an address (one contains the other). */
bool hgw_nl_prefix_overlap(const struct hgw_nl_prefix *a, const struct hgw_nl_prefix *b);

/* Sort the nexthops into the canonical order (ifindex, then gateway). */
void hgw_nl_view_sort(struct hgw_nl_view *v);
/* Whether two views say the same: route, metric, protocol, nexthops and their flags. */
bool hgw_nl_view_equal(const struct hgw_nl_view *a, const struct hgw_nl_view *b);
/* Nexthops the kernel forwards over: not RTNH_F_DEAD, and not RTNH_F_LINKDOWN when
 * ignore_linkdown (the sysctl ignore_routes_with_linkdown of the nexthop's device). */
size_t hgw_nl_view_usable(const struct hgw_nl_view *v, bool ignore_linkdown);

/*
 * The interface name for a connection and instance into buf (at least IFNAMSIZ bytes).
 * 0; -EINVAL for an empty connection name or an instance above HGW_NL_MAX_INSTANCE.
 */
int hgw_nl_ifname(enum hgw_nl_tunnel_kind kind, const char *conn, unsigned instance, char *buf,
		  size_t size);
/* Whether name is one of ours; if so its kind and instance.  0 or -EINVAL. */
int hgw_nl_ifname_parse(const char *name, enum hgw_nl_tunnel_kind *kind, unsigned *instance);

/*
 * What a netlink notification is about, from its header and fixed part only (the monitor
 * uses it to decide whether the watched prefixes must be looked up again).  buf holds one
 * message.  For routes, *dst is its destination.  Returns the message type (RTM_NEWLINK
 * ...) or -EBADMSG when the message is shorter than it says or than its fixed part.
 */
enum hgw_nl_event_kind {
	HGW_NL_EV_OTHER,
	HGW_NL_EV_LINK,
	HGW_NL_EV_ADDR,
	HGW_NL_EV_ROUTE,
};
struct hgw_nl_event_info {
	enum hgw_nl_event_kind kind;
	int ifindex;		  /* links and addresses */
	unsigned ifflags;	  /* links */
	struct hgw_nl_prefix dst; /* routes */
	uint32_t table;		  /* routes */
	uint8_t protocol;	  /* routes */
};
int hgw_nl_event_classify(const void *buf, size_t len, struct hgw_nl_event_info *info);

#endif
