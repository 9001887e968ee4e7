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

	uint8_t *buf; /* one datagram from the event socket */
	size_t buf_size;
};

/* A libnl error (NLE_*, negative or not) as -errno. */
int hgw_nl_errno(int nlerr);
/* The kernel's route as our struct; dst of a default route is 0.0.0.0/0. */
void hgw_nl_route_from_rtnl(struct hgw_nl *nl, struct rtnl_route *rt, struct hgw_nl_route *out);
/* Interface name from the monitor's table, else from the kernel; "" if gone. */
void hgw_nl_ifname_of(struct hgw_nl *nl, int ifindex, char *buf);

int hgw_nl_monitor_open(struct hgw_nl *nl, int rcvbuf);
void hgw_nl_monitor_close(struct hgw_nl *nl);

#endif
