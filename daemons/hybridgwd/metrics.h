/*
 * metrics.h - the daemon's state as Prometheus metrics (text exposition format 0.0.4).
 *
 * A pure renderer: it reads the operational tree of yang/hybridgw.yang (running plus the
 * config false nodes, as an admin's <get> sees it) and a few counters the model does not
 * carry, and writes the exposition.  No clock, no sockets: the HTTP endpoint
 * (metrics_http.h) and the glue in daemon.c do the I/O.  docs/METRICS.md lists the metrics.
 *
 * DOC: conventions.
 *
 *   Every name starts with hybridgw_; counters end in _total; units are in the names
 *   (_bytes, _seconds, _timestamp_seconds: Unix time).  An enumeration (tunnel state,
 *   liveness, BGP state, path class) is a state set: one gauge per value, 1 for the
 *   current one, so that a series never changes its labels.  A value the tree does not
 *   have is left out, never rendered as 0 (absent() can alert on it).  Families come in a
 *   fixed order and the samples of a family are sorted by their labels, so the output
 *   depends on the tree's content only, not on the order of its list entries.  A family
 *   without samples is left out altogether, HELP and TYPE included.
 */
#ifndef HGWD_METRICS_H
#define HGWD_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lyd_node;

/* What the daemon counts beside the model (the coordinator's struct coord_stats). */
struct metrics_counters {
	const char *version; /* hybridgw_build_info; NULL: left out */
	bool config_only;    /* no coordinator: the counters below are all zero */
	uint64_t commits, commit_failures;
	uint64_t last_commit_us; /* of the last successful commit; left out before the first */
	uint64_t links_up, links_down;
	uint64_t child_rekeys, ike_rekeys;
	uint64_t charon_repushes;
};

/*
 * Write the exposition of tree (a sibling list holding the hybridgw container; NULL or
 * without it: the daemon-level metrics only) and cnt to out.  Both are borrowed.
 * 0, -ENOMEM, or -EIO when out fails.
 */
int metrics_render(const struct lyd_node *tree, const struct metrics_counters *cnt, FILE *out);

/* The exposition's media type, for the HTTP Content-Type header. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
