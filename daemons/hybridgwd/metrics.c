/*
 * metrics.c - the operational tree as Prometheus metrics (metrics.h).
 *
 * DOC: how it renders.
 *
 *   One pass over the tree collects samples into a table of families (the order of the
 *   exposition); each sample is its label text, already escaped, and its value, already
 *   formatted.  Then every family is sorted by labels and written.  The tree is walked with
 *   plain child lookups by schema name, not XPath: the renderer needs nothing but a parent's
 *   named children, and a missing node is simply a metric left out.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libyang/libyang.h>

#include "metrics.h"

#define VALUE_MAX 48 /* a uint64, a timestamp with nanoseconds, or a duration */

enum family {
	F_BUILD_INFO,
	F_CONFIG_ONLY,
	F_COMMITS,
	F_COMMIT_FAILURES,
	F_LAST_COMMIT,
	F_LINK_TRANSITIONS,
	F_REKEYS,
	F_REPUSHES,
	F_TUNNEL_UP,
	F_TUNNEL_STATE,
	F_TUNNEL_LIVENESS,
	F_TUNNEL_UP_SINCE,
	F_TUNNEL_CHILD_SAS,
	F_IKE_SA_ESTABLISHED,
	F_SA_BYTES,
	F_SA_PACKETS,
	F_SA_REPLAY_DROPS,
	F_SA_INTEGRITY_FAILURES,
	F_BGP_UP,
	F_BGP_STATE,
	F_BGP_STATE_DURATION,
	F_BGP_PREFIXES_RECEIVED,
	F_BGP_PREFIXES_SENT,
	F_BGP_MESSAGES_RECEIVED,
	F_BGP_MESSAGES_SENT,
	F_BGP_BFD_UP,
	F_BGP_LEARNED_PATHS,
	F_BGP_SELECTED_PATHS,
	F_PRIVATE_CARRIER,
	F_ROUTE_PATH,
	F_ROUTE_ECMP_WIDTH,
	F_FAILOVER_EVENTS,
	F_FAILOVER_LAST_GAP,
	F_FAILOVER_LAST_SWITCH,
	F_COUNT,
};

struct family_info {
	const char *name;
	const char *type;
	const char *help;
};

/* The exposition, in this order.  docs/METRICS.md says the same in more words. */
static const struct family_info families[F_COUNT] = {
	[F_BUILD_INFO] = { "hybridgw_build_info", "gauge", "hybridgwd's version, always 1." },
	[F_CONFIG_ONLY] = { "hybridgw_config_only", "gauge",
			    "1 when hybridgwd runs with --config-only (no coordinator: nothing is "
			    "applied, the daemon counters stay 0)." },
	[F_COMMITS] = { "hybridgw_commits_total", "counter",
			"Transactions (commits, rollbacks, the startup load) applied to charon, "
			"FRR and the kernel." },
	[F_COMMIT_FAILURES] = { "hybridgw_commit_failures_total", "counter",
				"Transactions that failed and were undone." },
	[F_LAST_COMMIT] = { "hybridgw_last_commit_duration_seconds", "gauge",
			    "How long the last successful transaction took." },
	[F_LINK_TRANSITIONS] = { "hybridgw_tunnel_link_transitions_total", "counter",
				 "Tunnel links set up or down by hybridgwd as CHILD_SAs came and "
				 "went, all tunnels." },
	[F_REKEYS] = { "hybridgw_rekeys_total", "counter",
		       "Rekeys charon reported, all tunnels, by SA kind (child, ike)." },
	[F_REPUSHES] = { "hybridgw_charon_repushes_total", "counter",
			 "Times the whole configuration was loaded into charon again after "
			 "charon restarted." },
	[F_TUNNEL_UP] = { "hybridgw_tunnel_up", "gauge",
			  "1 when the tunnel (a gateway of a connection) is up: CHILD_SA installed "
			  "and link up; 0 otherwise, also when its state is not known." },
	[F_TUNNEL_STATE] = { "hybridgw_tunnel_state", "gauge",
			     "The tunnel's state: 1 for the current one of down, connecting, up, "
			     "dead." },
	[F_TUNNEL_LIVENESS] = { "hybridgw_tunnel_liveness", "gauge",
				"The liveness probe's verdict: 1 for the current one of off, "
				"unarmed, alive, dead, recovering." },
	[F_TUNNEL_UP_SINCE] = { "hybridgw_tunnel_up_since_timestamp_seconds", "gauge",
				"When the tunnel's link last came up (Unix time)." },
	[F_TUNNEL_CHILD_SAS] = { "hybridgw_tunnel_child_sas", "gauge",
				 "CHILD_SAs of the tunnel (2 during a rekey)." },
	[F_IKE_SA_ESTABLISHED] = { "hybridgw_tunnel_ike_sa_established", "gauge",
				   "1 when the tunnel's IKE_SA is ESTABLISHED." },
	[F_SA_BYTES] = { "hybridgw_sa_bytes_total", "counter",
			 "Bytes through a CHILD_SA, by direction, as charon or the kernel (XFRM) "
			 "counts them." },
	[F_SA_PACKETS] = { "hybridgw_sa_packets_total", "counter",
			   "Packets through a CHILD_SA, by direction, as charon or the kernel "
			   "(XFRM) counts them." },
	[F_SA_REPLAY_DROPS] = { "hybridgw_sa_replay_drops_total", "counter",
				"Packets the kernel dropped as replayed or outside the replay "
				"window." },
	[F_SA_INTEGRITY_FAILURES] = { "hybridgw_sa_integrity_failures_total", "counter",
				      "Packets the kernel dropped for a failed integrity check." },
	[F_BGP_UP] = { "hybridgw_bgp_peer_up", "gauge",
		       "1 when the BGP session is established; 0 otherwise, also when its state "
		       "is not known." },
	[F_BGP_STATE] = { "hybridgw_bgp_peer_state", "gauge",
			  "The BGP session's FSM state: 1 for the current one of idle, connect, "
			  "active, opensent, openconfirm, established." },
	[F_BGP_STATE_DURATION] = { "hybridgw_bgp_peer_state_duration_seconds", "gauge",
				   "How long the BGP session has been in its state." },
	[F_BGP_PREFIXES_RECEIVED] = { "hybridgw_bgp_prefixes_received", "gauge",
				      "Prefixes accepted from the peer." },
	[F_BGP_PREFIXES_SENT] = { "hybridgw_bgp_prefixes_sent", "gauge",
				  "Prefixes announced to the peer." },
	[F_BGP_MESSAGES_RECEIVED] = { "hybridgw_bgp_messages_received_total", "counter",
				      "BGP messages received from the peer." },
	[F_BGP_MESSAGES_SENT] = { "hybridgw_bgp_messages_sent_total", "counter",
				  "BGP messages sent to the peer." },
	[F_BGP_BFD_UP] = { "hybridgw_bgp_bfd_up", "gauge",
			   "1 when the BFD session of the peering is up, 0 when down; left out "
			   "without BFD or while unknown." },
	[F_BGP_LEARNED_PATHS] = { "hybridgw_bgp_learned_paths", "gauge",
				  "Paths in BGP's IPv4 unicast table, by where they came from." },
	[F_BGP_SELECTED_PATHS] = { "hybridgw_bgp_selected_paths", "gauge",
				   "Of those, the paths BGP uses (best or multipath)." },
	[F_PRIVATE_CARRIER] = { "hybridgw_private_path_carrier", "gauge",
				"1 when the private path's interface has carrier." },
	[F_ROUTE_PATH] = { "hybridgw_route_path", "gauge",
			   "The class of path the kernel forwards a watched prefix over: 1 for "
			   "the current one of private, vpn, none, other." },
	[F_ROUTE_ECMP_WIDTH] = { "hybridgw_route_ecmp_width", "gauge",
				 "Usable tunnels in the ECMP set of a watched prefix (0 unless the "
				 "path is vpn)." },
	[F_FAILOVER_EVENTS] = { "hybridgw_failover_events_total", "counter",
				"Path switches of the watched prefixes since hybridgwd started." },
	[F_FAILOVER_LAST_GAP] = { "hybridgw_failover_last_gap_seconds", "gauge",
				  "The last switch of a watched prefix: from noticing the failure "
				  "to the new route in the kernel; left out when the cause was not "
				  "seen." },
	[F_FAILOVER_LAST_SWITCH] = { "hybridgw_failover_last_switch_timestamp_seconds", "gauge",
				     "When a watched prefix last switched paths (Unix time)." },
};

/* The model's enumerations, for the state sets. */
static const char *const tunnel_states[] = { "down", "connecting", "up", "dead", NULL };
static const char *const liveness_states[] = {
	"off", "unarmed", "alive", "dead", "recovering", NULL,
};
static const char *const bgp_states[] = {
	"idle", "connect", "active", "opensent", "openconfirm", "established", NULL,
};
static const char *const route_paths[] = { "private", "vpn", "none", "other", NULL };

struct sample {
	char *labels; /* escaped, without braces; "" for none */
	char value[VALUE_MAX];
};

struct samples {
	struct sample *v;
	size_t n, cap;
};

struct render {
	struct samples fam[F_COUNT];
	int err; /* sticky: the first failure */
};

/* Label text under construction: name="value" pairs, comma-separated. */
struct labels {
	char *s;
	size_t n, cap;
	int err;
};

static void labels_put(struct labels *l, const char *text, size_t len)
{
	size_t cap;
	char *s;

	if (l->err != 0)
		return;
	if (l->n + len + 1 > l->cap) {
		cap = l->cap != 0 ? l->cap : 64;
		while (l->n + len + 1 > cap)
			cap *= 2;
		s = realloc(l->s, cap);
		if (s == NULL) {
			l->err = -ENOMEM;
			return;
		}
		l->s = s;
		l->cap = cap;
	}
	memcpy(l->s + l->n, text, len);
	l->n += len;
	l->s[l->n] = '\0';
}

/* A label value: backslash, double quote and newline escaped. */
static void labels_put_escaped(struct labels *l, const char *text)
{
	const char *c;

	for (c = text; *c != '\0'; c++) {
		if (*c == '\\')
			labels_put(l, "\\\\", 2);
		else if (*c == '\n')
			labels_put(l, "\\n", 2);
		else if (*c == '"')
			labels_put(l, "\\\"", 2);
		else
			labels_put(l, c, 1);
	}
}

/* Start from base (label text, may be NULL or ""). */
static void labels_init(struct labels *l, const char *base)
{
	*l = (struct labels){ 0 };
	labels_put(l, "", 0);
	if (base != NULL)
		labels_put(l, base, strlen(base));
}

/* Add name="value"; a NULL value leaves the label out. */
static void labels_add(struct labels *l, const char *name, const char *value)
{
	if (value == NULL)
		return;
	if (l->n > 0)
		labels_put(l, ",", 1);
	labels_put(l, name, strlen(name));
	labels_put(l, "=\"", 2);
	labels_put_escaped(l, value);
	labels_put(l, "\"", 1);
}

/* Append a sample to family f; takes l's text (also on failure). */
static void add(struct render *r, enum family f, struct labels *l, const char *value)
{
	struct samples *s = &r->fam[f];
	struct sample *v;
	size_t cap;

	if (r->err == 0 && l->err != 0)
		r->err = l->err;
	if (r->err != 0 || value == NULL) {
		free(l->s);
		return;
	}
	if (s->n == s->cap) {
		cap = s->cap != 0 ? 2 * s->cap : 8;
		v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL) {
			r->err = -ENOMEM;
			free(l->s);
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].labels = l->s;
	snprintf(s->v[s->n].value, sizeof(s->v[s->n].value), "%s", value);
	s->n++;
}

/* A sample with base's labels and, when name is not NULL, one more. */
static void add1(struct render *r, enum family f, const char *base, const char *name,
		 const char *label, const char *value)
{
	struct labels l;

	labels_init(&l, base);
	if (name != NULL)
		labels_add(&l, name, label);
	add(r, f, &l, value);
}

/* One sample per known value (1 for current, 0 for the others), plus current if unknown. */
static void add_stateset(struct render *r, enum family f, const char *base, const char *name,
			 const char *const *values, const char *current)
{
	bool known = false;
	size_t i;

	if (current == NULL)
		return;
	for (i = 0; values[i] != NULL; i++) {
		known = known || strcmp(values[i], current) == 0;
		add1(r, f, base, name, values[i], strcmp(values[i], current) == 0 ? "1" : "0");
	}
	if (!known)
		add1(r, f, base, name, current, "1");
}

/* ---- values */

/* A counter or gauge as the tree has it (decimal digits), or NULL. */
static const char *number(const char *text)
{
	size_t n;

	if (text == NULL)
		return NULL;
	n = strspn(text, "0123456789");
	return n > 0 && n < VALUE_MAX && text[n] == '\0' ? text : NULL;
}

static const char *boolean(bool b)
{
	return b ? "1" : "0";
}

/* Microseconds as seconds, without trailing zeros: 412000 -> "0.412". */
static const char *seconds_us(uint64_t us, char *buf, size_t size)
{
	size_t n;

	snprintf(buf, size, "%" PRIu64 ".%06" PRIu64, us / 1000000, us % 1000000);
	n = strlen(buf);
	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return buf;
}

/*
 * yang:date-and-time (RFC 3339, "2024-05-01T12:00:00.25+02:00") as Unix time in seconds,
 * the fraction kept as written (up to nanoseconds, trailing zeros dropped), or NULL.
 */
static const char *unix_time(const char *text, char *buf, size_t size)
{
	struct tm tm = { 0 };
	const char *p, *frac = "";
	int n = 0, oh = 0, om = 0, k = 0;
	size_t flen = 0;
	long offset = 0;
	time_t t;

	if (text == NULL ||
	    sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
		return NULL;
	p = text + n;
	if (*p == '.') {
		frac = p + 1;
		flen = strspn(frac, "0123456789");
		p = frac + flen;
		while (flen > 0 && frac[flen - 1] == '0')
			flen--;
		if (flen > 9)
			flen = 9;
	}
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) == 2 && k == 5 &&
	    p[6] == '\0')
		offset = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
	else if (strcmp(p, "Z") != 0)
		return NULL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1 || t - offset < 0)
		return NULL;
	snprintf(buf, size, "%lld%s%.*s", (long long)(t - offset), flen > 0 ? "." : "", (int)flen,
		 frac);
	return buf;
}

/* ---- the tree */

static bool named(const struct lyd_node *node, const char *name)
{
	return node->schema != NULL && strcmp(node->schema->name, name) == 0;
}

/* The first of node's children named name, or NULL. */
static const struct lyd_node *child(const struct lyd_node *node, const char *name)
{
	const struct lyd_node *c;

	if (node == NULL)
		return NULL;
	for (c = lyd_child(node); c != NULL; c = c->next) {
		if (named(c, name))
			return c;
	}
	return NULL;
}

/* The next sibling after node with node's name, or NULL. */
static const struct lyd_node *next_same(const struct lyd_node *node)
{
	const struct lyd_node *c;

	for (c = node->next; c != NULL; c = c->next) {
		if (c->schema == node->schema)
			return c;
	}
	return NULL;
}

/* The value of the leaf at path ("a/b/leaf") below node, or NULL. */
static const char *leaf(const struct lyd_node *node, const char *path)
{
	char name[64];
	const char *slash;
	size_t len;

	while (node != NULL && (slash = strchr(path, '/')) != NULL) {
		len = (size_t)(slash - path);
		if (len >= sizeof(name))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		node = child(node, name);
		path = slash + 1;
	}
	node = child(node, path);
	if (node == NULL || !(node->schema->nodetype & LYD_NODE_TERM))
		return NULL;
	return lyd_get_value(node);
}

static bool leaf_is(const struct lyd_node *node, const char *path, const char *value)
{
	const char *v = leaf(node, path);

	return v != NULL && strcmp(v, value) == 0;
}

static size_t count_children(const struct lyd_node *node, const char *name)
{
	const struct lyd_node *c;
	size_t n = 0;

	for (c = child(node, name); c != NULL; c = next_same(c))
		n++;
	return n;
}

/* ---- the daemon */

static const char *u64(uint64_t v, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64, v);
	return buf;
}

static void render_daemon(struct render *r, const struct metrics_counters *cnt)
{
	char buf[VALUE_MAX];

	if (cnt->version != NULL)
		add1(r, F_BUILD_INFO, NULL, "version", cnt->version, "1");
	add1(r, F_CONFIG_ONLY, NULL, NULL, NULL, boolean(cnt->config_only));
	add1(r, F_COMMITS, NULL, NULL, NULL, u64(cnt->commits, buf, sizeof(buf)));
	add1(r, F_COMMIT_FAILURES, NULL, NULL, NULL, u64(cnt->commit_failures, buf, sizeof(buf)));
	if (cnt->commits > 0)
		add1(r, F_LAST_COMMIT, NULL, NULL, NULL,
		     seconds_us(cnt->last_commit_us, buf, sizeof(buf)));
	add1(r, F_LINK_TRANSITIONS, NULL, "to", "up", u64(cnt->links_up, buf, sizeof(buf)));
	add1(r, F_LINK_TRANSITIONS, NULL, "to", "down", u64(cnt->links_down, buf, sizeof(buf)));
	add1(r, F_REKEYS, NULL, "sa", "child", u64(cnt->child_rekeys, buf, sizeof(buf)));
	add1(r, F_REKEYS, NULL, "sa", "ike", u64(cnt->ike_rekeys, buf, sizeof(buf)));
	add1(r, F_REPUSHES, NULL, NULL, NULL, u64(cnt->charon_repushes, buf, sizeof(buf)));
}

/* ---- BGP sessions: labels path_class, path, peer */

static void render_bgp(struct render *r, const char *path_class, const char *path, const char *peer,
		       const struct lyd_node *st)
{
	struct labels base;
	const char *state = leaf(st, "state");
	const char *bfd = leaf(st, "bfd-state");

	labels_init(&base, NULL);
	labels_add(&base, "path_class", path_class);
	labels_add(&base, "path", path);
	labels_add(&base, "peer", peer);
	if (base.err != 0) {
		r->err = r->err != 0 ? r->err : base.err;
		free(base.s);
		return;
	}
	add1(r, F_BGP_UP, base.s, NULL, NULL,
	     boolean(state != NULL && strcmp(state, "established") == 0));
	add_stateset(r, F_BGP_STATE, base.s, "state", bgp_states, state);
	add1(r, F_BGP_STATE_DURATION, base.s, NULL, NULL, number(leaf(st, "state-duration")));
	add1(r, F_BGP_PREFIXES_RECEIVED, base.s, NULL, NULL, number(leaf(st, "prefixes-received")));
	add1(r, F_BGP_PREFIXES_SENT, base.s, NULL, NULL, number(leaf(st, "prefixes-sent")));
	add1(r, F_BGP_MESSAGES_RECEIVED, base.s, NULL, NULL, number(leaf(st, "messages-received")));
	add1(r, F_BGP_MESSAGES_SENT, base.s, NULL, NULL, number(leaf(st, "messages-sent")));
	if (bfd != NULL && (strcmp(bfd, "up") == 0 || strcmp(bfd, "down") == 0))
		add1(r, F_BGP_BFD_UP, base.s, NULL, NULL, boolean(strcmp(bfd, "up") == 0));
	free(base.s);
}

/* ---- tunnels: labels connection, gateway (interface on the tunnel's own families) */

static void render_sa_dir(struct render *r, const char *base, const char *dir,
			  const struct lyd_node *charon, const char *bytes, const char *packets,
			  const struct lyd_node *kernel)
{
	struct labels l;

	labels_init(&l, base);
	labels_add(&l, "direction", dir);
	labels_add(&l, "source", "charon");
	add(r, F_SA_BYTES, &l, number(leaf(charon, bytes)));
	labels_init(&l, base);
	labels_add(&l, "direction", dir);
	labels_add(&l, "source", "charon");
	add(r, F_SA_PACKETS, &l, number(leaf(charon, packets)));
	if (kernel == NULL)
		return;
	labels_init(&l, base);
	labels_add(&l, "direction", dir);
	labels_add(&l, "source", "kernel");
	add(r, F_SA_BYTES, &l, number(leaf(kernel, "bytes")));
	labels_init(&l, base);
	labels_add(&l, "direction", dir);
	labels_add(&l, "source", "kernel");
	add(r, F_SA_PACKETS, &l, number(leaf(kernel, "packets")));
	add1(r, F_SA_REPLAY_DROPS, base, "direction", dir, number(leaf(kernel, "replay-drops")));
	add1(r, F_SA_INTEGRITY_FAILURES, base, "direction", dir,
	     number(leaf(kernel, "integrity-failures")));
}

static void render_child_sa(struct render *r, const char *base, const struct lyd_node *sa)
{
	const struct lyd_node *kernel = child(sa, "kernel");
	struct labels l;

	labels_init(&l, base);
	labels_add(&l, "child_sa", leaf(sa, "unique-id"));
	if (l.err == 0) {
		render_sa_dir(r, l.s, "in", sa, "bytes-in", "packets-in", child(kernel, "inbound"));
		render_sa_dir(r, l.s, "out", sa, "bytes-out", "packets-out",
			      child(kernel, "outbound"));
	} else if (r->err == 0) {
		r->err = l.err;
	}
	free(l.s);
}

static void render_tunnel(struct render *r, const char *base, const struct lyd_node *tun)
{
	const struct lyd_node *sa;
	struct labels l;
	char buf[VALUE_MAX];
	const char *ike = leaf(tun, "ike-sa/state");

	labels_init(&l, base);
	labels_add(&l, "interface", leaf(tun, "interface"));
	if (l.err != 0) {
		r->err = r->err != 0 ? r->err : l.err;
		free(l.s);
		return;
	}
	add1(r, F_TUNNEL_UP, l.s, NULL, NULL, boolean(leaf_is(tun, "state", "up")));
	add_stateset(r, F_TUNNEL_STATE, l.s, "state", tunnel_states, leaf(tun, "state"));
	add_stateset(r, F_TUNNEL_LIVENESS, l.s, "state", liveness_states, leaf(tun, "liveness"));
	add1(r, F_TUNNEL_UP_SINCE, l.s, NULL, NULL,
	     unix_time(leaf(tun, "up-since"), buf, sizeof(buf)));
	if (tun != NULL) {
		snprintf(buf, sizeof(buf), "%zu", count_children(tun, "child-sa"));
		add1(r, F_TUNNEL_CHILD_SAS, l.s, NULL, NULL, buf);
	}
	if (ike != NULL)
		add1(r, F_IKE_SA_ESTABLISHED, l.s, NULL, NULL,
		     boolean(strcmp(ike, "ESTABLISHED") == 0));
	free(l.s);
	for (sa = child(tun, "child-sa"); sa != NULL; sa = next_same(sa))
		render_child_sa(r, base, sa);
}

static void render_gateway(struct render *r, const char *conn, const struct lyd_node *gw)
{
	const struct lyd_node *bgp = child(gw, "bgp");
	const char *name = leaf(gw, "name");
	char path[128];
	struct labels l;

	labels_init(&l, NULL);
	labels_add(&l, "connection", conn);
	labels_add(&l, "gateway", name);
	if (l.err == 0)
		render_tunnel(r, l.s, child(gw, "tunnel"));
	else if (r->err == 0)
		r->err = l.err;
	free(l.s);
	if (bgp != NULL) {
		/* the model's path of a tunnel (routes/learned/path, notifications) */
		snprintf(path, sizeof(path), "%s/%s", conn != NULL ? conn : "",
			 name != NULL ? name : "");
		render_bgp(r, "tunnel", path, leaf(bgp, "peer-address"), child(bgp, "bgp-state"));
	}
}

static void render_connections(struct render *r, const struct lyd_node *top)
{
	const struct lyd_node *conn, *gw;

	for (conn = child(child(top, "connections"), "connection"); conn != NULL;
	     conn = next_same(conn)) {
		for (gw = child(conn, "gateway"); gw != NULL; gw = next_same(gw))
			render_gateway(r, leaf(conn, "name"), gw);
	}
}

/* ---- private paths: labels private_path, interface; BGP as above */

static void render_private_paths(struct render *r, const struct lyd_node *top)
{
	const struct lyd_node *pp;
	const char *carrier, *name;
	struct labels l;

	for (pp = child(child(top, "private-paths"), "private-path"); pp != NULL;
	     pp = next_same(pp)) {
		name = leaf(pp, "name");
		carrier = leaf(pp, "carrier");
		if (carrier != NULL) {
			labels_init(&l, NULL);
			labels_add(&l, "private_path", name);
			labels_add(&l, "interface", leaf(pp, "interface"));
			add(r, F_PRIVATE_CARRIER, &l, boolean(strcmp(carrier, "true") == 0));
		}
		render_bgp(r, "private", name, leaf(pp, "neighbor-address"),
			   child(pp, "bgp-state"));
	}
}

/* ---- routes: the watched prefixes' forwarding, BGP's table by origin */

static void render_effective(struct render *r, const struct lyd_node *routes)
{
	const struct lyd_node *e;
	const char *path, *width;
	struct labels l;

	for (e = child(routes, "effective"); e != NULL; e = next_same(e)) {
		path = leaf(e, "path");
		width = number(leaf(e, "ecmp-width"));
		labels_init(&l, NULL);
		labels_add(&l, "prefix", leaf(e, "prefix"));
		if (l.err != 0) {
			r->err = r->err != 0 ? r->err : l.err;
			free(l.s);
			return;
		}
		add_stateset(r, F_ROUTE_PATH, l.s, "path", route_paths, path);
		if (width != NULL || path != NULL)
			add1(r, F_ROUTE_ECMP_WIDTH, l.s, NULL, NULL, width != NULL ? width : "0");
		free(l.s);
	}
}

struct origin {
	const char *path_class, *path; /* borrowed from the tree */
	uint64_t learned, selected;
};

static bool same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void render_learned(struct render *r, const struct lyd_node *routes)
{
	struct origin *v = NULL, *o;
	const struct lyd_node *e;
	const char *cls, *path;
	size_t n = 0, i;
	struct labels l;
	char buf[VALUE_MAX];

	for (e = child(routes, "learned"); e != NULL; e = next_same(e)) {
		cls = leaf(e, "path-class");
		path = leaf(e, "path");
		for (i = 0; i < n; i++) {
			if (same(v[i].path_class, cls) && same(v[i].path, path))
				break;
		}
		if (i == n) {
			o = realloc(v, (n + 1) * sizeof(*v));
			if (o == NULL) {
				r->err = -ENOMEM;
				break;
			}
			v = o;
			v[n++] = (struct origin){ .path_class = cls, .path = path };
		}
		v[i].learned++;
		if (leaf_is(e, "best", "true") || leaf_is(e, "multipath", "true"))
			v[i].selected++;
	}
	for (i = 0; i < n; i++) {
		labels_init(&l, NULL);
		labels_add(&l, "path_class", v[i].path_class);
		labels_add(&l, "path", v[i].path);
		add(r, F_BGP_LEARNED_PATHS, &l, u64(v[i].learned, buf, sizeof(buf)));
		labels_init(&l, NULL);
		labels_add(&l, "path_class", v[i].path_class);
		labels_add(&l, "path", v[i].path);
		add(r, F_BGP_SELECTED_PATHS, &l, u64(v[i].selected, buf, sizeof(buf)));
	}
	free(v);
}

/* ---- failover: the history's newest event per prefix */

struct last_switch {
	const char *prefix;
	uint64_t seq;
	const struct lyd_node *event;
};

static uint64_t seq_of(const struct lyd_node *event)
{
	const char *s = number(leaf(event, "seq"));

	return s != NULL ? strtoull(s, NULL, 10) : 0;
}

static void render_last_switch(struct render *r, const struct last_switch *ls)
{
	const char *gap = number(leaf(ls->event, "duration"));
	char buf[VALUE_MAX];

	add1(r, F_FAILOVER_LAST_SWITCH, NULL, "prefix", ls->prefix,
	     unix_time(leaf(ls->event, "time"), buf, sizeof(buf)));
	if (gap != NULL)
		add1(r, F_FAILOVER_LAST_GAP, NULL, "prefix", ls->prefix,
		     seconds_us(strtoull(gap, NULL, 10), buf, sizeof(buf)));
}

static void render_failover(struct render *r, const struct lyd_node *top)
{
	const struct lyd_node *fo = child(top, "failover"), *e;
	struct last_switch *v = NULL, *o;
	size_t n = 0, i;
	uint64_t total = 0, seq;
	const char *prefix;
	char buf[VALUE_MAX];

	for (e = child(child(fo, "events"), "event"); e != NULL; e = next_same(e)) {
		seq = seq_of(e);
		total = seq > total ? seq : total;
		prefix = leaf(e, "prefix");
		if (prefix == NULL)
			continue;
		for (i = 0; i < n; i++) {
			if (strcmp(v[i].prefix, prefix) == 0)
				break;
		}
		if (i == n) {
			o = realloc(v, (n + 1) * sizeof(*v));
			if (o == NULL) {
				r->err = -ENOMEM;
				break;
			}
			v = o;
			v[n++] = (struct last_switch){ .prefix = prefix };
		}
		if (v[i].event == NULL || seq > v[i].seq) {
			v[i].seq = seq;
			v[i].event = e;
		}
	}
	/* seq numbers the switches since the daemon started; the list keeps the recent ones */
	if (total > 0 || child(fo, "watch-prefix") != NULL)
		add1(r, F_FAILOVER_EVENTS, NULL, NULL, NULL, u64(total, buf, sizeof(buf)));
	for (i = 0; i < n; i++)
		render_last_switch(r, &v[i]);
	free(v);
}

/* ---- output */

static int compare_samples(const void *a, const void *b)
{
	return strcmp(((const struct sample *)a)->labels, ((const struct sample *)b)->labels);
}

/* HELP text: backslash and newline escaped (quotes are not, in HELP). */
static void write_help(FILE *out, const char *text)
{
	const char *c;

	for (c = text; *c != '\0'; c++) {
		if (*c == '\\')
			fputs("\\\\", out);
		else if (*c == '\n')
			fputs("\\n", out);
		else
			fputc(*c, out);
	}
}

static void write_family(FILE *out, const struct family_info *fi, struct samples *s)
{
	size_t i;

	qsort(s->v, s->n, sizeof(*s->v), compare_samples);
	fprintf(out, "# HELP %s ", fi->name);
	write_help(out, fi->help);
	fprintf(out, "\n# TYPE %s %s\n", fi->name, fi->type);
	for (i = 0; i < s->n; i++) {
		/* two entries with the same labels would make the scrape invalid: keep one */
		if (i > 0 && strcmp(s->v[i].labels, s->v[i - 1].labels) == 0)
			continue;
		if (s->v[i].labels[0] != '\0')
			fprintf(out, "%s{%s} %s\n", fi->name, s->v[i].labels, s->v[i].value);
		else
			fprintf(out, "%s %s\n", fi->name, s->v[i].value);
	}
}

static const struct lyd_node *find_top(const struct lyd_node *tree)
{
	const struct lyd_node *n;

	for (n = tree; n != NULL; n = n->next) {
		if (named(n, "hybridgw") && strcmp(n->schema->module->name, "hybridgw") == 0)
			return n;
	}
	return NULL;
}

int metrics_render(const struct lyd_node *tree, const struct metrics_counters *cnt, FILE *out)
{
	struct render r = { 0 };
	const struct lyd_node *top = find_top(tree);
	size_t f, i;

	render_daemon(&r, cnt);
	if (top != NULL) {
		render_connections(&r, top);
		render_private_paths(&r, top);
		render_effective(&r, child(top, "routes"));
		render_learned(&r, child(top, "routes"));
		render_failover(&r, top);
	}
	for (f = 0; f < F_COUNT; f++) {
		if (r.err == 0 && r.fam[f].n > 0)
			write_family(out, &families[f], &r.fam[f]);
		for (i = 0; i < r.fam[f].n; i++)
			free(r.fam[f].v[i].labels);
		free(r.fam[f].v);
	}
	if (r.err != 0)
		return r.err;
	return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
