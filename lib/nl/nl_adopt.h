/*
 * nl_adopt.h - what a restarted user of the driver finds of its own in the kernel, and
 * "ensure" writes that touch the kernel only when it differs, so that adopting costs no
 * flap and no lost packet.
 *
 * DOC: adopt by reading, then write only differences.
 *
 *   Ours is recognised by name and protocol, never by a state file: tunnel interfaces by
 *   the naming scheme (hgw_nl_ifname_parse: hv-/hx-<conn>-<inst>), their addresses by the
 *   interface they sit on, routes by protocol HGW_NL_RTPROT in any table.  hgw_nl_adopt()
 *   only dumps; it sends no request that changes anything.
 *
 *   Why the ensure calls exist: re-asserting the intent with the plain calls after a
 *   restart removes nothing, but the kernel announces an address added again with
 *   NLM_F_REPLACE (RTM_NEWADDR; zebra and BIRD read it as a change), while it drops an IPv4
 *   route replace identical to the route it has silently (both measured on Linux 6.18,
 *   tests/proto/nl_host.py).  So the daemon compares first: the ensure calls read the
 *   kernel's entry and write only when it differs from the intent, which also saves the
 *   replace's check for a foreign route.
 *
 *   Kernel-made IPv6 link-local addresses (fe80::/10) are not listed: they are not ours.
 *   The one hgw_nl_link_ipv6_ll() adds is, and is told apart by IFA_F_NODAD, which the
 *   kernel never sets on a link-local of its own making.
 */
#ifndef HGW_NL_ADOPT_H
#define HGW_NL_ADOPT_H

#include <stdbool.h>
#include <stddef.h>

#include "nl/nl.h"

struct hgw_nl_owned_link {
	char name[IFNAMSIZ];
	int ifindex;
	enum hgw_nl_tunnel_kind kind; /* what the name says */
	unsigned instance;
	char type[16];	   /* what the kernel says: "vti", "xfrm" ("" if it does not say) */
	bool kind_matches; /* type is the kind the name says */
	unsigned flags;	   /* IFF_UP ... */
	unsigned mtu;
};

struct hgw_nl_owned_addr {
	int ifindex;
	char ifname[IFNAMSIZ];
	struct hgw_nl_prefix local; /* the address with its prefix length (host bits kept) */
};

struct hgw_nl_owned {
	struct hgw_nl_owned_link *links;
	size_t n_links;
	struct hgw_nl_owned_addr *addrs; /* on the links above only */
	size_t n_addrs;
	struct hgw_nl_route *routes; /* protocol HGW_NL_RTPROT, every table, nexthops sorted */
	size_t n_routes;
};

/* Fill *out (zeroed first) from three dumps.  0 or -errno; on error *out is empty. */
int hgw_nl_adopt(struct hgw_nl *nl, struct hgw_nl_owned *out);
/* Frees the arrays, not o.  Accepts NULL. */
void hgw_nl_owned_free(struct hgw_nl_owned *o);

/*
 * hgw_nl_route_replace() unless our route of that table, prefix and metric already has
 * exactly these nexthops (gateway, interface, weight).  *changed says whether it wrote.
 */
int hgw_nl_route_ensure(struct hgw_nl *nl, const struct hgw_nl_route *r, bool *changed);
/* hgw_nl_addr_add() unless the interface has that address with that length. */
int hgw_nl_addr_ensure(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local,
		       bool *changed);

#endif
