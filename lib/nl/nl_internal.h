/*
 * nl_internal.h - what nl.c (commands) and nl_monitor.c (events, watches) share.
 */
#ifndef HGW_NL_INTERNAL_H
#define HGW_NL_INTERNAL_H

#include <netlink/netlink.h>
#include <netlink/route/route.h>

#include "nl/nl.h"

struct hgw_nl_link {
	int ifindex;
	unsigned flags;
	char name[IFNAMSIZ];
};

/* An interface whose IPv6 link-local is ours (hgw_nl_link_ipv6_ll), by name. */
struct hgw_nl_ll {
	char name[IFNAMSIZ];
	struct in6_addr addr;
};

struct hgw_nl_watch {
	struct hgw_nl_prefix prefix;
	struct hgw_nl_view view;
	bool reported; /* view has been passed to ops->view */
	bool dirty;    /* look it up again after the current datagram */
};

struct hgw_nl {
	struct nl_sock *cmd;
	struct nl_sock *mon;
	sd_event *event;
	sd_event_source *io;
	const struct hgw_nl_ops *ops;
	void *userdata;

	struct hgw_nl_caps caps;
	bool caps_probed;
	struct hgw_nl_stats stats;

	struct hgw_nl_link *links; /* the monitor's view of the links, by ifindex */
	size_t n_links;
	struct hgw_nl_watch *watches;
	size_t n_watches;
	struct hgw_nl_ll *lls;
	size_t n_lls;

	uint8_t *buf; /* one datagram from the event socket */
	size_t buf_size;
};

/* A libnl error (NLE_*, negative or not) as -errno. */
int hgw_nl_errno(int nlerr);
/* The kernel's route as our struct; dst of a default route is 0.0.0.0/0. */
void hgw_nl_route_from_rtnl(struct hgw_nl *nl, struct rtnl_route *rt, struct hgw_nl_route *out);
/* Interface name from the monitor's table, else from the kernel; "" if gone. */
void hgw_nl_ifname_of(struct hgw_nl *nl, int ifindex, char *buf);

/*
 * If name is an interface of hgw_nl_link_ipv6_ll() and up without its link-local, add it
 * (reads first; the kernel's flags, not the monitor's, say whether it is up).  Failures are
 * logged.
 */
void hgw_nl_ll_restore(struct hgw_nl *nl, const char *name);
/* The same for every interface of hgw_nl_link_ipv6_ll() (after a resync). */
void hgw_nl_ll_restore_all(struct hgw_nl *nl);

int hgw_nl_monitor_open(struct hgw_nl *nl, int rcvbuf);
void hgw_nl_monitor_close(struct hgw_nl *nl);

#endif
