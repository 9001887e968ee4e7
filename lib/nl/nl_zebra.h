/*
 * nl_zebra.h - the guard against FRR #13288: zebra 8.4 can miss an address added right
 * after its interface appeared, and then has no connected route for the tunnel's inside
 * subnet, so BGP to the peer's APIPA address never resolves its nexthop.
 *
 * DOC: check, then re-assert.
 *
 *   The check is a pure function: the kernel's view of the tunnel interface's addresses
 *   (what the driver added, or hgw_nl_adopt() found) against zebra's RIB as `show ip route
 *   json` prints it (the daemon passes what it read from zebra's vty).  Zebra has an
 *   address when its RIB holds a "connected" route for the address's subnet through that
 *   interface.  Run it once the tunnel link is up: zebra drops connected routes of a link
 *   that is down, and that is not the bug.
 *
 *   The repair deletes the address and adds it again (hgw_nl_addr_reassert()), which zebra
 *   sees as two fresh notifications about an interface it now knows.  The trade-off: for
 *   the moment between the two the subnet is gone from the kernel, and the kernel also
 *   flushes every route whose gateway was reachable only through it (BGP's routes via the
 *   peer's APIPA address).  So the guard belongs before a tunnel is counted ready, when
 *   nothing is routed over it yet; after that, a missing connected route is reported, not
 *   repaired behind the routes' back.  (Re-adding the same address with NLM_F_REPLACE is
 *   announced too (RTM_NEWADDR, measured in tests/proto/nl_host.py) and flushes nothing,
 *   but whether zebra 8.4 takes the address from that second announcement is not yet
 *   tested against a real zebra: delete + add is what is known to work.)
 */
#ifndef HGW_NL_ZEBRA_H
#define HGW_NL_ZEBRA_H

#include <stdbool.h>
#include <stddef.h>

#include "nl/nl_types.h"

struct hgw_nl;

/*
 * Whether zebra's RIB (rib_json: `show ip route json`, or `show ipv6 route json`) has the
 * connected route of the interface address local (address with prefix length, host bits
 * kept) through ifname.  1 yes, 0 no, -EBADMSG when rib_json is not a JSON object.
 */
int hgw_nl_zebra_has_connected(const char *rib_json, const char *ifname,
			       const struct hgw_nl_prefix *local);

/* Delete the address from ifname and add it again (see the trade-off above).  0 or -errno. */
int hgw_nl_addr_reassert(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local);

#endif
