/*
 * views.h - hybridgwctl's show views: the operator's tables, rendered from the data of one
 * NETCONF <get> (yang/hybridgw.yang, its configuration and its config false nodes).
 *
 * Pure: the input is a libyang data tree and the time to compute ages against (durations
 * from date-and-time leaves), the output goes to a FILE; no I/O of its own, no clock, so
 * tests/unit/test_ctl_views.c compares every view with golden files byte for byte.
 *
 * Each view first collects its facts as JSON rows (one object per row, every key present:
 * absent leaves are null, numbers are numbers, durations are seconds), then prints either
 * those rows (--json) or a text rendering of the same rows, so the two never disagree.
 * What is present is shown; an absent leaf is "-" in text; an empty view says so in one
 * line ("no tunnels configured").
 */
#ifndef HGWCTL_VIEWS_H
#define HGWCTL_VIEWS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <libyang/libyang.h>

enum ctl_view {
	CTL_VIEW_CONNECTIONS,
	CTL_VIEW_IKE_SA,
	CTL_VIEW_IPSEC_SA,
	CTL_VIEW_BGP_PEERS,
	CTL_VIEW_ROUTES_LEARNED,
	CTL_VIEW_ROUTES_EFFECTIVE,
	CTL_VIEW_FAILOVER,
	CTL_VIEW_COUNT,
};

/* The words after "show" that name the view ("bgp peers"); NULL when out of range. */
const char *ctl_view_name(enum ctl_view view);

/* The file-name form of the name ("bgp-peers"), for golden files. */
const char *ctl_view_slug(enum ctl_view view);

/*
 * The xpath of the view's <get> filter, with module names as prefixes (libyang's JSON form:
 * libnetconf2 prints it with XML prefixes bound in the request).
 */
const char *ctl_view_xpath(enum ctl_view view);

/* The view whose name is the n words, or -1. */
int ctl_view_find(const char *const *words, size_t n);

/*
 * Render the view of data (the content of <get>'s <data>, all top-level siblings; NULL: no
 * data) as text or as a JSON document.  now: the time ages are computed against.
 * 0, -EINVAL (no such view), -ENOMEM.
 */
int ctl_view_print(enum ctl_view view, const struct lyd_node *data, time_t now, bool json,
		   FILE *out);

#endif
