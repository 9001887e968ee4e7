/*
 * views_routing.c - the routing views: show bgp peers, show routes learned, show routes
 * effective, show failover.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "util.h"
#include "views_internal.h"

static size_t count(struct json_object *a)
{
	return a != NULL ? json_object_array_length(a) : 0;
}

static const char *or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

/* ---- show bgp peers ---- */

/* The peering's state (bgp-state) and what names it. */
static void bgp_row(struct vctx *v, struct json_object *rows, const char *neighbor, const char *asn,
		    const char *cls, const char *path, const struct lyd_node *st)
{
	struct json_object *row = new_object(v);

	put_str(v, row, "neighbor", neighbor);
	put_u64(v, row, "asn", asn);
	put_str(v, row, "state", yd_leaf(st, "state"));
	put_u64(v, row, "state_duration_s", yd_leaf(st, "state-duration"));
	put_str(v, row, "established_since", yd_leaf(st, "established-since"));
	put_u64(v, row, "prefixes_received", yd_leaf(st, "prefixes-received"));
	put_u64(v, row, "prefixes_sent", yd_leaf(st, "prefixes-sent"));
	put_u64(v, row, "messages_sent", yd_leaf(st, "messages-sent"));
	put_u64(v, row, "messages_received", yd_leaf(st, "messages-received"));
	put_str(v, row, "path_class", cls);
	put_str(v, row, "path", path);
	put_str(v, row, "bfd_state", yd_leaf(st, "bfd-state"));
	put_str(v, row, "last_reset", yd_leaf(st, "last-reset"));
	put(v, rows, NULL, row);
}

static void bgp_collect(struct vctx *v, const struct lyd_node *data, struct json_object *rows)
{
	const struct lyd_node *conn, *gw, *bgp, *pp;
	char path[64];

	YD_FOREACH(yd_top(data, "connections"), "connection", conn)
	{
		YD_FOREACH(conn, "gateway", gw)
		{
			if ((bgp = yd_child(gw, "bgp")) == NULL)
				continue; /* policy-based: no BGP */
			snprintf(path, sizeof(path), "%s/%s", or_dash(yd_leaf(conn, "name")),
				 or_dash(yd_leaf(gw, "name")));
			bgp_row(v, rows, yd_leaf(bgp, "peer-address"), yd_leaf(bgp, "peer-asn"),
				"tunnel", path, yd_child(bgp, "bgp-state"));
		}
	}
	YD_FOREACH(yd_top(data, "private-paths"), "private-path", pp)
	{
		bgp_row(v, rows, yd_leaf(pp, "neighbor-address"), yd_leaf(pp, "peer-asn"),
			"private", yd_leaf(pp, "name"), yd_child(pp, "bgp-state"));
	}
}

static void bgp_text(struct vctx *v, struct json_object *rows, FILE *out)
{
	static const struct table_column cols[] = {
		{ "Neighbor", false },	    { "ASN", true },
		{ "State", false },	    { "ConnectedDuration", false },
		{ "RoutesReceived", true }, { "RoutesSent", true },
		{ "MessagesSent", true },   { "MessagesReceived", true },
		{ "Class", false },	    { "Path", false },
		{ "BFD", false },
	};
	struct table *t;
	char dur[32];
	size_t i;

	if (count(rows) == 0) {
		fputs("no BGP peers configured\n", out);
		return;
	}
	if ((t = view_table(v, cols, ARRAY_SIZE(cols))) == NULL)
		return;
	for (i = 0; i < count(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);

		table_row(t);
		table_cell(t, "%s", cell_str(r, "neighbor"));
		table_cell(t, "%s", cell_str(r, "asn"));
		table_cell(t, "%s", cell_str(r, "state"));
		table_cell(t, "%s", cell_duration(r, "state_duration_s", dur, sizeof(dur)));
		table_cell(t, "%s", cell_str(r, "prefixes_received"));
		table_cell(t, "%s", cell_str(r, "prefixes_sent"));
		table_cell(t, "%s", cell_str(r, "messages_sent"));
		table_cell(t, "%s", cell_str(r, "messages_received"));
		table_cell(t, "%s", cell_str(r, "path_class"));
		table_cell(t, "%s", cell_str(r, "path"));
		table_cell(t, "%s", cell_str(r, "bfd_state"));
	}
	view_table_done(v, t, out, "");
}

const struct view_def view_bgp_peers = {
	.name = "bgp peers",
	.slug = "bgp-peers",
	.xpath = "/hybridgw:hybridgw/connections/connection/gateway/bgp"
		 " | /hybridgw:hybridgw/private-paths/private-path",
	.key = "bgp_peers",
	.collect = bgp_collect,
	.text = bgp_text,
};

/* ---- show routes learned ---- */

static void learned_collect(struct vctx *v, const struct lyd_node *data, struct json_object *rows)
{
	const struct lyd_node *l;
	struct json_object *row;

	YD_FOREACH(yd_top(data, "routes"), "learned", l)
	{
		row = new_object(v);
		put_str(v, row, "prefix", yd_leaf(l, "prefix"));
		put_str(v, row, "peer", yd_leaf(l, "peer"));
		put_str(v, row, "path_class", yd_leaf(l, "path-class"));
		put_str(v, row, "path", yd_leaf(l, "path"));
		put_str(v, row, "origin", yd_leaf(l, "origin"));
		put_str(v, row, "as_path", yd_leaf(l, "as-path"));
		put_str(v, row, "next_hop", yd_leaf(l, "next-hop"));
		put_u64(v, row, "local_pref", yd_leaf(l, "local-pref"));
		put_u64(v, row, "weight", yd_leaf(l, "weight"));
		put_u64(v, row, "med", yd_leaf(l, "med"));
		put_bool(v, row, "best", yd_leaf(l, "best"));
		put_bool(v, row, "multipath", yd_leaf(l, "multipath"));
		put(v, rows, NULL, row);
	}
}

/* bgpd's status codes: "*>" best, "*=" multipath, "*" another valid path */
static const char *flags(struct json_object *r)
{
	if (is_true(r, "best"))
		return "*>";
	return is_true(r, "multipath") ? "*=" : "*";
}

/* "tunnel azure/in0", "private er", "local" */
static const char *learned_path(struct json_object *r, char *buf, size_t size)
{
	if (sub(r, "path") == NULL)
		return cell_str(r, "path_class");
	snprintf(buf, size, "%s %s", cell_str(r, "path_class"), cell_str(r, "path"));
	return buf;
}

static void learned_text(struct vctx *v, struct json_object *rows, FILE *out)
{
	static const struct table_column cols[] = {
		{ "", false },	       { "Network", false },	{ "NextHop", false },
		{ "Origin", false },   { "SourcePeer", false }, { "AsPath", false },
		{ "LocalPref", true }, { "Weight", true },	{ "Path", false },
	};
	struct table *t;
	char path[96];
	size_t i;

	if (count(rows) == 0) {
		fputs("no learned routes\n", out);
		return;
	}
	fputs("Flags: *> best, *= multipath (installed with the best), * valid\n\n", out);
	if ((t = view_table(v, cols, ARRAY_SIZE(cols))) == NULL)
		return;
	for (i = 0; i < count(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);

		table_row(t);
		table_cell(t, "%s", flags(r));
		table_cell(t, "%s", cell_str(r, "prefix"));
		table_cell(t, "%s", cell_str(r, "next_hop"));
		table_cell(t, "%s", cell_str(r, "origin"));
		table_cell(t, "%s", cell_str(r, "peer"));
		table_cell(t, "%s", cell_str(r, "as_path"));
		table_cell(t, "%s", cell_str(r, "local_pref"));
		table_cell(t, "%s", cell_str(r, "weight"));
		table_cell(t, "%s", learned_path(r, path, sizeof(path)));
	}
	view_table_done(v, t, out, "");
}

const struct view_def view_routes_learned = {
	.name = "routes learned",
	.slug = "routes-learned",
	.xpath = "/hybridgw:hybridgw/routes/learned",
	.key = "learned_routes",
	.collect = learned_collect,
	.text = learned_text,
};

/* ---- show routes effective ---- */

static void effective_nexthops(struct vctx *v, const struct lyd_node *e, struct json_object *row)
{
	struct json_object *a = new_array(v), *nh;
	const struct lyd_node *n;

	YD_FOREACH(e, "nexthop", n)
	{
		nh = new_object(v);
		put_str(v, nh, "address", yd_leaf(n, "address"));
		put_str(v, nh, "interface", yd_leaf(n, "interface"));
		put_bool(v, nh, "usable", yd_leaf(n, "usable"));
		put(v, a, NULL, nh);
	}
	put(v, row, "nexthops", a);
}

static const struct lyd_node *effective_find(const struct lyd_node *routes, const char *prefix)
{
	const struct lyd_node *e;

	YD_FOREACH(routes, "effective", e)
	{
		if (prefix != NULL && !strcmp(or_dash(yd_leaf(e, "prefix")), prefix))
			return e;
	}
	return NULL;
}

static void effective_row(struct vctx *v, struct json_object *rows, const char *prefix,
			  const struct lyd_node *e)
{
	struct json_object *row = new_object(v);

	put_str(v, row, "prefix", prefix);
	put_str(v, row, "path", yd_leaf(e, "path"));
	put_u64(v, row, "ecmp_width", yd_leaf(e, "ecmp-width"));
	put_str(v, row, "route", yd_leaf(e, "route"));
	put_u64(v, row, "protocol", yd_leaf(e, "protocol"));
	put_u64(v, row, "metric", yd_leaf(e, "metric"));
	effective_nexthops(v, e, row);
	put(v, rows, NULL, row);
}

/*
 * One row per watched prefix: the kernel's forwarding when the daemon reports it, the
 * prefix alone when it does not (no state yet); then any reported prefix no longer watched.
 */
static void effective_collect(struct vctx *v, const struct lyd_node *data, struct json_object *rows)
{
	const struct lyd_node *routes = yd_top(data, "routes"), *w, *e;
	const char *p;

	YD_FOREACH(yd_top(data, "failover"), "watch-prefix", w)
	{
		p = lyd_get_value(w);
		effective_row(v, rows, p, effective_find(routes, p));
	}
	YD_FOREACH(routes, "effective", e)
	{
		bool watched = false;

		p = yd_leaf(e, "prefix");
		YD_FOREACH(yd_top(data, "failover"), "watch-prefix", w)
		{
			watched = watched || (p != NULL && !strcmp(lyd_get_value(w), p));
		}
		if (!watched)
			effective_row(v, rows, p, e);
	}
}

/* iproute2's names of the route protocols a watched prefix is likely to have */
static const char *protocol_name(struct json_object *r, char *buf, size_t size)
{
	static const struct {
		uint64_t proto;
		const char *name;
	} names[] = {
		{ 2, "kernel" }, { 3, "boot" },	  { 4, "static" },   { 11, "zebra" },
		{ 186, "bgp" },	 { 188, "ospf" }, { 196, "static" }, { 240, "hybridgw" },
	};
	struct json_object *p = sub(r, "protocol");
	uint64_t n;
	size_t i;

	if (p == NULL)
		return "-";
	n = json_object_get_uint64(p);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].proto == n)
			return names[i].name;
	snprintf(buf, size, "%" PRIu64, n);
	return buf;
}

/* "vpn x2" */
static const char *path_class(struct json_object *r, const char *cls_key, const char *width_key,
			      char *buf, size_t size)
{
	if (sub(r, width_key) == NULL)
		return cell_str(r, cls_key);
	snprintf(buf, size, "%s x%s", cell_str(r, cls_key), cell_str(r, width_key));
	return buf;
}

static void effective_text(struct vctx *v, struct json_object *rows, FILE *out)
{
	static const struct table_column cols[] = {
		{ "Prefix", false },	{ "Path", false },   { "Route", false },
		{ "Protocol", false },	{ "Metric", true },  { "NextHop", false },
		{ "Interface", false }, { "Usable", false },
	};
	char cls[32], proto[24];
	struct table *t;
	size_t i, k;

	if (count(rows) == 0) {
		fputs("no watched prefixes (failover/watch-prefix)\n", out);
		return;
	}
	if ((t = view_table(v, cols, ARRAY_SIZE(cols))) == NULL)
		return;
	for (i = 0; i < count(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i),
				   *nhs = sub(r, "nexthops");

		table_row(t);
		table_cell(t, "%s", cell_str(r, "prefix"));
		table_cell(t, "%s", path_class(r, "path", "ecmp_width", cls, sizeof(cls)));
		table_cell(t, "%s", cell_str(r, "route"));
		table_cell(t, "%s", protocol_name(r, proto, sizeof(proto)));
		table_cell(t, "%s", cell_str(r, "metric"));
		for (k = 0; k < count(nhs); k++) {
			struct json_object *nh = json_object_array_get_idx(nhs, k);

			if (k > 0) { /* further next hops on lines of their own */
				table_row(t);
				for (int c = 0; c < 5; c++)
					table_cell(t, "%s", "");
			}
			table_cell(t, "%s", cell_str(nh, "address"));
			table_cell(t, "%s", cell_str(nh, "interface"));
			table_cell(t, "%s", cell_yesno(nh, "usable"));
		}
		if (count(nhs) == 0) {
			table_cell(t, "-");
			table_cell(t, "-");
			table_cell(t, "-");
		}
	}
	view_table_done(v, t, out, "");
}

const struct view_def view_routes_effective = {
	.name = "routes effective",
	.slug = "routes-effective",
	.xpath = "/hybridgw:hybridgw/routes/effective | /hybridgw:hybridgw/failover/watch-prefix",
	.key = "effective_routes",
	.collect = effective_collect,
	.text = effective_text,
};

/* ---- show failover ---- */

static int newest_first(const void *a, const void *b)
{
	uint64_t x = json_object_get_uint64(sub(*(struct json_object *const *)a, "seq"));
	uint64_t y = json_object_get_uint64(sub(*(struct json_object *const *)b, "seq"));

	return x < y ? 1 : x > y ? -1 : 0;
}

static void failover_collect(struct vctx *v, const struct lyd_node *data, struct json_object *rows)
{
	const struct lyd_node *ev;
	struct json_object *row;

	YD_FOREACH(yd_top(data, "failover/events"), "event", ev)
	{
		row = new_object(v);
		put_u64(v, row, "seq", yd_leaf(ev, "seq"));
		put_str(v, row, "time", yd_leaf(ev, "time"));
		put_str(v, row, "prefix", yd_leaf(ev, "prefix"));
		put_str(v, row, "from", yd_leaf(ev, "from-path"));
		put_str(v, row, "to", yd_leaf(ev, "to-path"));
		put_str(v, row, "reason", yd_leaf(ev, "reason"));
		put_u64(v, row, "duration_us", yd_leaf(ev, "duration"));
		put(v, rows, NULL, row);
	}
	json_object_array_sort(rows, newest_first);
}

/* The gap in milliseconds, one decimal: "412.7"; "unknown" when the cause was not seen. */
static const char *gap_ms(struct json_object *r, char *buf, size_t size)
{
	struct json_object *d = sub(r, "duration_us");
	uint64_t tenths;

	if (d == NULL)
		return "unknown";
	tenths = (json_object_get_uint64(d) + 50) / 100;
	snprintf(buf, size, "%" PRIu64 ".%u", tenths / 10, (unsigned)(tenths % 10));
	return buf;
}

static void failover_text(struct vctx *v, struct json_object *rows, FILE *out)
{
	static const struct table_column cols[] = {
		{ "Seq", true },     { "Time", false },	  { "Prefix", false },
		{ "Switch", false }, { "Reason", false }, { "Gap (ms)", true },
	};
	struct table *t;
	char gap[32];
	size_t i;

	if (count(rows) == 0) {
		fputs("no failover events\n", out);
		return;
	}
	if ((t = view_table(v, cols, ARRAY_SIZE(cols))) == NULL)
		return;
	for (i = 0; i < count(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);

		table_row(t);
		table_cell(t, "%s", cell_str(r, "seq"));
		table_cell(t, "%s", cell_str(r, "time"));
		table_cell(t, "%s", cell_str(r, "prefix"));
		table_cell(t, "%s -> %s", cell_str(r, "from"), cell_str(r, "to"));
		table_cell(t, "%s", cell_str(r, "reason"));
		table_cell(t, "%s", gap_ms(r, gap, sizeof(gap)));
	}
	view_table_done(v, t, out, "");
}

const struct view_def view_failover = {
	.name = "failover",
	.slug = "failover",
	.xpath = "/hybridgw:hybridgw/failover/events",
	.key = "failover_events",
	.collect = failover_collect,
	.text = failover_text,
};
