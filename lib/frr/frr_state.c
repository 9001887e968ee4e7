/*
 * frr_state.c - FRR's JSON show output to typed structs (see frr_state.h).
 *
 * Each struct is described once by a table of fields (JSON member path, type, offset);
 * the same table drives the parser and the JSON writer, so a new field is one line.
 * A path "peerBfdInfo.status" descends into nested objects.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "frr_state.h"
#include "util.h"

/* Deeper nesting than FRR ever prints is refused, not recursed into. */
#define JSON_DEPTH 16

enum ftype {
	F_STR,
	F_U32,
	F_U64,
	F_BOOL,
};

struct field {
	const char *path;
	enum ftype type;
	size_t offset;
	size_t size; /* F_STR: the array's size */
	bool required;
};

#define STR(path, st, m, req)                                           \
	{                                                               \
		path, F_STR, offsetof(st, m), sizeof(((st *)0)->m), req \
	}
#define U32(path, st, m, req)                        \
	{                                            \
		path, F_U32, offsetof(st, m), 0, req \
	}
#define U64(path, st, m, req)                        \
	{                                            \
		path, F_U64, offsetof(st, m), 0, req \
	}
#define BOOL(path, st, m, req)                        \
	{                                             \
		path, F_BOOL, offsetof(st, m), 0, req \
	}

static const struct field summary_peer_fields[] = {
	STR("peer", struct frr_peer_summary, peer, true),
	STR("afi", struct frr_peer_summary, afi, true),
	U32("remoteAs", struct frr_peer_summary, remote_as, true),
	U32("localAs", struct frr_peer_summary, local_as, false),
	STR("state", struct frr_peer_summary, state, true),
	BOOL("established", struct frr_peer_summary, established, false),
	U64("peerUptimeMsec", struct frr_peer_summary, uptime_ms, false),
	U32("pfxRcd", struct frr_peer_summary, pfx_rcvd, false),
	U32("pfxSnt", struct frr_peer_summary, pfx_sent, false),
};

static const struct field neighbor_fields[] = {
	STR("peer", struct frr_neighbor_state, peer, true),
	U32("remoteAs", struct frr_neighbor_state, remote_as, true),
	U32("localAs", struct frr_neighbor_state, local_as, true),
	STR("bgpState", struct frr_neighbor_state, state, true),
	BOOL("established", struct frr_neighbor_state, established, false),
	U64("bgpTimerUpMsec", struct frr_neighbor_state, uptime_ms, false),
	STR("peerGroup", struct frr_neighbor_state, peer_group, false),
	STR("nbrDesc", struct frr_neighbor_state, description, false),
	U32("bgpTimerHoldTimeMsecs", struct frr_neighbor_state, hold_ms, false),
	U32("bgpTimerKeepAliveIntervalMsecs", struct frr_neighbor_state, keepalive_ms, false),
	U32("bgpTimerConfiguredHoldTimeMsecs", struct frr_neighbor_state, configured_hold_ms,
	    false),
	U32("bgpTimerConfiguredKeepAliveIntervalMsecs", struct frr_neighbor_state,
	    configured_keepalive_ms, false),
	U32("connectRetryTimer", struct frr_neighbor_state, connect_retry_s, false),
	STR("lastResetDueTo", struct frr_neighbor_state, last_reset, false),
	STR("peerBfdInfo.status", struct frr_neighbor_state, bfd_status, false),
	U64("messageStats.totalSent", struct frr_neighbor_state, msgs_sent, false),
	U64("messageStats.totalRecv", struct frr_neighbor_state, msgs_rcvd, false),
	U32("addressFamilyInfo.ipv4Unicast.acceptedPrefixCounter", struct frr_neighbor_state,
	    accepted_v4, false),
	U32("addressFamilyInfo.ipv4Unicast.sentPrefixCounter", struct frr_neighbor_state, sent_v4,
	    false),
	U32("addressFamilyInfo.ipv6Unicast.acceptedPrefixCounter", struct frr_neighbor_state,
	    accepted_v6, false),
	U32("addressFamilyInfo.ipv6Unicast.sentPrefixCounter", struct frr_neighbor_state, sent_v6,
	    false),
};

static const struct field path_fields[] = {
	STR("network", struct frr_bgp_path, prefix, true),
	STR("peerId", struct frr_bgp_path, peer, true),
	STR("nexthops.0.ip", struct frr_bgp_path, next_hop, false),
	STR("path", struct frr_bgp_path, as_path, true),
	STR("origin", struct frr_bgp_path, origin, false),
	STR("pathFrom", struct frr_bgp_path, from, false),
	U32("weight", struct frr_bgp_path, weight, false),
	U32("locPrf", struct frr_bgp_path, local_pref, false),
	BOOL("hasLocPrf", struct frr_bgp_path, has_local_pref, false),
	U32("metric", struct frr_bgp_path, metric, false),
	BOOL("valid", struct frr_bgp_path, valid, false),
	BOOL("bestpath", struct frr_bgp_path, best, false),
	BOOL("multipath", struct frr_bgp_path, multipath, false),
};

static const struct field route_fields[] = {
	STR("prefix", struct frr_route, prefix, true),
	STR("protocol", struct frr_route, protocol, true),
	BOOL("selected", struct frr_route, selected, false),
	BOOL("installed", struct frr_route, installed, false),
	U32("distance", struct frr_route, distance, false),
	U32("metric", struct frr_route, metric, false),
};

static const struct field nexthop_fields[] = {
	STR("ip", struct frr_nexthop, ip, false),
	STR("interfaceName", struct frr_nexthop, ifname, false),
	BOOL("active", struct frr_nexthop, active, false),
	BOOL("fib", struct frr_nexthop, fib, false),
};

static const struct field bfd_fields[] = {
	STR("peer", struct frr_bfd_peer, peer, true),
	STR("local", struct frr_bfd_peer, local, false),
	STR("interface", struct frr_bfd_peer, ifname, false),
	STR("status", struct frr_bfd_peer, status, true),
	STR("diagnostic", struct frr_bfd_peer, diagnostic, false),
	BOOL("up", struct frr_bfd_peer, up, false),
	BOOL("multihop", struct frr_bfd_peer, multihop, false),
	U64("uptime", struct frr_bfd_peer, uptime_s, false),
	U32("detect-multiplier", struct frr_bfd_peer, detect_multiplier, false),
	U32("receive-interval", struct frr_bfd_peer, receive_ms, false),
	U32("transmit-interval", struct frr_bfd_peer, transmit_ms, false),
};

/* ---- JSON in */

static json_object *parse_json(const char *buf, size_t len)
{
	struct json_tokener *tok;
	json_object *obj;
	size_t used;

	if (len == 0 || len > INT_MAX)
		return NULL;
	tok = json_tokener_new_ex(JSON_DEPTH);
	if (tok == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	used = json_tokener_get_parse_end(tok);
	if (obj != NULL && json_tokener_get_error(tok) != json_tokener_success)
		obj = NULL; /* cannot happen: a returned object is complete */
	json_tokener_free(tok);
	if (obj == NULL)
		return NULL;
	/* Only white space may follow the value. */
	for (; used < len; used++) {
		if (strchr(" \t\r\n", buf[used]) == NULL || buf[used] == '\0') {
			json_object_put(obj);
			return NULL;
		}
	}
	return obj;
}

/* Member path of obj ("a.b", "list.0.x"); NULL if absent. */
static json_object *lookup(json_object *obj, const char *path)
{
	char part[128];
	const char *p = path;
	size_t n;

	while (obj != NULL && *p != '\0') {
		n = strcspn(p, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		p += n + (p[n] == '.');
		if (json_object_is_type(obj, json_type_array)) {
			char *end;
			unsigned long i = strtoul(part, &end, 10);

			if (*end != '\0' || i >= json_object_array_length(obj))
				return NULL;
			obj = json_object_array_get_idx(obj, i);
		} else if (json_object_is_type(obj, json_type_object)) {
			if (!json_object_object_get_ex(obj, part, &obj))
				return NULL;
		} else {
			return NULL;
		}
	}
	return obj;
}

static int set_str(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	if (n >= size)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -EBADMSG;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int get_field(json_object *obj, const struct field *f, void *base)
{
	json_object *v = lookup(obj, f->path);
	char *p = (char *)base + f->offset;
	int64_t x;

	if (v == NULL)
		return f->required ? -EBADMSG : 0;
	switch (f->type) {
	case F_STR:
		if (!json_object_is_type(v, json_type_string))
			return -EBADMSG;
		return set_str(p, f->size, json_object_get_string(v),
			       (size_t)json_object_get_string_len(v));
	case F_U32:
	case F_U64:
		if (!json_object_is_type(v, json_type_int))
			return -EBADMSG;
		errno = 0;
		x = json_object_get_int64(v);
		if (x < 0 || errno != 0 || (f->type == F_U32 && x > UINT32_MAX))
			return -EBADMSG;
		if (f->type == F_U32)
			*(uint32_t *)(void *)p = (uint32_t)x;
		else
			*(uint64_t *)(void *)p = (uint64_t)x;
		return 0;
	case F_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return -EBADMSG;
		*(bool *)p = json_object_get_boolean(v);
		return 0;
	}
	return -EBADMSG;
}

static int get_fields(json_object *obj, const struct field *fields, size_t n, void *base)
{
	size_t i;
	int r;

	if (!json_object_is_type(obj, json_type_object))
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		r = get_field(obj, &fields[i], base);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Set a string member of obj (the key an object is filed under, "peer" or "afi"). */
static int put_key(json_object *obj, const char *key, const char *value)
{
	json_object *s = json_object_new_string(value);

	if (s == NULL)
		return -ENOMEM;
	if (json_object_object_add(obj, key, s) < 0) {
		json_object_put(s);
		return -ENOMEM;
	}
	return 0;
}

/* Grow a calloc'ed array by one zeroed element; returns it or NULL. */
static void *grow(void **v, size_t *n, size_t elem)
{
	char *p = reallocarray(*v, *n + 1, elem);

	if (p == NULL)
		return NULL;
	*v = p;
	memset(p + *n * elem, 0, elem);
	return p + (*n)++ * elem;
}

/* ---- show bgp summary json */

static int summary_af(json_object *af, const char *afi, struct frr_bgp_summary *out)
{
	json_object *peers, *as, *rid;
	int r;

	if (!json_object_is_type(af, json_type_object))
		return -EBADMSG;
	if (json_object_object_get_ex(af, "as", &as)) {
		if (!json_object_is_type(as, json_type_int) || json_object_get_int64(as) < 0 ||
		    json_object_get_int64(as) > UINT32_MAX)
			return -EBADMSG;
		out->local_as = (uint32_t)json_object_get_int64(as);
	}
	if (json_object_object_get_ex(af, "routerId", &rid)) {
		if (!json_object_is_type(rid, json_type_string))
			return -EBADMSG;
		r = set_str(out->router_id, sizeof(out->router_id), json_object_get_string(rid),
			    (size_t)json_object_get_string_len(rid));
		if (r < 0)
			return r;
	}
	if (!json_object_object_get_ex(af, "peers", &peers))
		return 0;
	if (!json_object_is_type(peers, json_type_object))
		return -EBADMSG;
	json_object_object_foreach(peers, key, val)
	{
		struct frr_peer_summary *p;

		if (!json_object_is_type(val, json_type_object))
			return -EBADMSG;
		if (put_key(val, "peer", key) < 0 || put_key(val, "afi", afi) < 0)
			return -ENOMEM;
		p = grow((void **)&out->peers, &out->n, sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		r = get_fields(val, summary_peer_fields, ARRAY_SIZE(summary_peer_fields), p);
		if (r < 0)
			return r;
		p->established = strcmp(p->state, "Established") == 0;
	}
	return 0;
}

int frr_parse_bgp_summary(const char *buf, size_t len, struct frr_bgp_summary *out)
{
	json_object *root = parse_json(buf, len);
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EBADMSG;
	}
	json_object_object_foreach(root, key, val)
	{
		if (r == 0 && (strcmp(key, "ipv4Unicast") == 0 || strcmp(key, "ipv6Unicast") == 0))
			r = summary_af(val, key, out);
	}
	json_object_put(root);
	if (r < 0)
		frr_bgp_summary_free(out);
	return r;
}

/* ---- show bgp neighbors json */

int frr_parse_bgp_neighbors(const char *buf, size_t len, struct frr_bgp_neighbors *out)
{
	json_object *root = parse_json(buf, len);
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EBADMSG;
	}
	json_object_object_foreach(root, key, val)
	{
		struct frr_neighbor_state *nb;

		if (r < 0)
			break;
		/* "show bgp neighbors X json" for an unknown X: {"bgpNoSuchNeighbor":true} */
		if (strcmp(key, "bgpNoSuchNeighbor") == 0) {
			if (!json_object_is_type(val, json_type_boolean))
				r = -EBADMSG;
			continue;
		}
		if (!json_object_is_type(val, json_type_object)) {
			r = -EBADMSG;
			break;
		}
		nb = grow((void **)&out->v, &out->n, sizeof(*nb));
		if (nb == NULL || put_key(val, "peer", key) < 0) {
			r = -ENOMEM;
			break;
		}
		r = get_fields(val, neighbor_fields, ARRAY_SIZE(neighbor_fields), nb);
		nb->established = strcmp(nb->state, "Established") == 0;
		nb->has_bfd = nb->bfd_status[0] != '\0';
	}
	json_object_put(root);
	if (r < 0)
		frr_bgp_neighbors_free(out);
	return r;
}

/* ---- show bgp ipv4 unicast json */

static int table_header(json_object *root, struct frr_bgp_table *out)
{
	static const struct field header_fields[] = {
		U32("localAS", struct frr_bgp_table, local_as, false),
		STR("routerId", struct frr_bgp_table, router_id, false),
		U32("defaultLocPrf", struct frr_bgp_table, default_local_pref, false),
	};

	return get_fields(root, header_fields, ARRAY_SIZE(header_fields), out);
}

static int table_paths(json_object *paths, struct frr_bgp_table *out)
{
	size_t i, n;
	int r;

	if (!json_object_is_type(paths, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(paths);
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(paths, i);
		struct frr_bgp_path *path = grow((void **)&out->v, &out->n, sizeof(*path));
		json_object *lp;

		if (path == NULL)
			return -ENOMEM;
		r = get_fields(p, path_fields, ARRAY_SIZE(path_fields), path);
		if (r < 0)
			return r;
		path->has_local_pref = json_object_object_get_ex(p, "locPrf", &lp);
	}
	return 0;
}

int frr_parse_bgp_table(const char *buf, size_t len, struct frr_bgp_table *out)
{
	json_object *root = parse_json(buf, len), *routes;
	int r;

	memset(out, 0, sizeof(*out));
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EBADMSG;
	}
	r = table_header(root, out);
	if (r == 0 && json_object_object_get_ex(root, "routes", &routes)) {
		if (json_object_is_type(routes, json_type_object)) {
			json_object_object_foreach(routes, key, val)
			{
				(void)key;
				if (r == 0)
					r = table_paths(val, out);
			}
		} else {
			r = -EBADMSG;
		}
	}
	json_object_put(root);
	if (r < 0)
		frr_bgp_table_free(out);
	return r;
}

/* ---- show ip route json */

static int rib_route(json_object *obj, struct frr_rib *out)
{
	struct frr_route *rt = grow((void **)&out->v, &out->n, sizeof(*rt));
	json_object *nhs;
	size_t i, n;
	int r;

	if (rt == NULL)
		return -ENOMEM;
	r = get_fields(obj, route_fields, ARRAY_SIZE(route_fields), rt);
	if (r < 0 || !json_object_object_get_ex(obj, "nexthops", &nhs))
		return r;
	if (!json_object_is_type(nhs, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(nhs);
	for (i = 0; i < n; i++) {
		struct frr_nexthop *nh = grow((void **)&rt->nh, &rt->n_nh, sizeof(*nh));

		if (nh == NULL)
			return -ENOMEM;
		r = get_fields(json_object_array_get_idx(nhs, i), nexthop_fields,
			       ARRAY_SIZE(nexthop_fields), nh);
		if (r < 0)
			return r;
	}
	return 0;
}

int frr_parse_rib(const char *buf, size_t len, struct frr_rib *out)
{
	json_object *root = parse_json(buf, len);
	size_t i, n;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EBADMSG;
	}
	json_object_object_foreach(root, key, val)
	{
		(void)key;
		if (r < 0)
			break;
		if (!json_object_is_type(val, json_type_array)) {
			r = -EBADMSG;
			break;
		}
		n = json_object_array_length(val);
		for (i = 0; r == 0 && i < n; i++)
			r = rib_route(json_object_array_get_idx(val, i), out);
	}
	json_object_put(root);
	if (r < 0)
		frr_rib_free(out);
	return r;
}

/* ---- show bfd peers json */

int frr_parse_bfd_peers(const char *buf, size_t len, struct frr_bfd_peers *out)
{
	json_object *root = parse_json(buf, len);
	size_t i, n;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (root == NULL || !json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return -EBADMSG;
	}
	n = json_object_array_length(root);
	for (i = 0; r == 0 && i < n; i++) {
		struct frr_bfd_peer *p = grow((void **)&out->v, &out->n, sizeof(*p));

		if (p == NULL) {
			r = -ENOMEM;
			break;
		}
		r = get_fields(json_object_array_get_idx(root, i), bfd_fields,
			       ARRAY_SIZE(bfd_fields), p);
		p->up = strcmp(p->status, "up") == 0;
	}
	json_object_put(root);
	if (r < 0)
		frr_bfd_peers_free(out);
	return r;
}

/* ---- freeing */

void frr_bgp_summary_free(struct frr_bgp_summary *s)
{
	if (s == NULL)
		return;
	free(s->peers);
	memset(s, 0, sizeof(*s));
}

void frr_bgp_neighbors_free(struct frr_bgp_neighbors *s)
{
	if (s == NULL)
		return;
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void frr_bgp_table_free(struct frr_bgp_table *s)
{
	if (s == NULL)
		return;
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void frr_rib_free(struct frr_rib *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].nh);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void frr_bfd_peers_free(struct frr_bfd_peers *s)
{
	if (s == NULL)
		return;
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- JSON out: the field names are the struct members' */

static const char *out_name(const char *path)
{
	static const struct {
		const char *path, *name;
	} names[] = {
		{ "remoteAs", "remote_as" },
		{ "localAs", "local_as" },
		{ "peerUptimeMsec", "uptime_ms" },
		{ "pfxRcd", "pfx_rcvd" },
		{ "pfxSnt", "pfx_sent" },
		{ "bgpState", "state" },
		{ "bgpTimerUpMsec", "uptime_ms" },
		{ "peerGroup", "peer_group" },
		{ "nbrDesc", "description" },
		{ "bgpTimerHoldTimeMsecs", "hold_ms" },
		{ "bgpTimerKeepAliveIntervalMsecs", "keepalive_ms" },
		{ "bgpTimerConfiguredHoldTimeMsecs", "configured_hold_ms" },
		{ "bgpTimerConfiguredKeepAliveIntervalMsecs", "configured_keepalive_ms" },
		{ "connectRetryTimer", "connect_retry_s" },
		{ "lastResetDueTo", "last_reset" },
		{ "peerBfdInfo.status", "bfd_status" },
		{ "messageStats.totalSent", "msgs_sent" },
		{ "messageStats.totalRecv", "msgs_rcvd" },
		{ "addressFamilyInfo.ipv4Unicast.acceptedPrefixCounter", "accepted_v4" },
		{ "addressFamilyInfo.ipv4Unicast.sentPrefixCounter", "sent_v4" },
		{ "addressFamilyInfo.ipv6Unicast.acceptedPrefixCounter", "accepted_v6" },
		{ "addressFamilyInfo.ipv6Unicast.sentPrefixCounter", "sent_v6" },
		{ "network", "prefix" },
		{ "peerId", "peer" },
		{ "nexthops.0.ip", "next_hop" },
		{ "path", "as_path" },
		{ "pathFrom", "from" },
		{ "locPrf", "local_pref" },
		{ "hasLocPrf", "has_local_pref" },
		{ "bestpath", "best" },
		{ "interfaceName", "ifname" },
		{ "interface", "ifname" },
		{ "uptime", "uptime_s" },
		{ "detect-multiplier", "detect_multiplier" },
		{ "receive-interval", "receive_ms" },
		{ "transmit-interval", "transmit_ms" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(names[i].path, path) == 0)
			return names[i].name;
	}
	return path;
}

static json_object *put_fields(const struct field *fields, size_t n, const void *base)
{
	json_object *obj = json_object_new_object();
	size_t i;

	for (i = 0; obj != NULL && i < n; i++) {
		const char *p = (const char *)base + fields[i].offset;
		json_object *v = NULL;

		switch (fields[i].type) {
		case F_STR:
			v = json_object_new_string(p);
			break;
		case F_U32:
			v = json_object_new_int64(*(const uint32_t *)(const void *)p);
			break;
		case F_U64:
			v = json_object_new_uint64(*(const uint64_t *)(const void *)p);
			break;
		case F_BOOL:
			v = json_object_new_boolean(*(const bool *)p);
			break;
		}
		if (v == NULL || json_object_object_add(obj, out_name(fields[i].path), v) < 0) {
			json_object_put(v);
			json_object_put(obj);
			obj = NULL;
		}
	}
	return obj;
}

static char *finish(json_object *root)
{
	char *s = NULL;

	if (root != NULL) {
		const char *t = json_object_to_json_string_ext(
			root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

		s = t != NULL ? strdup(t) : NULL;
		json_object_put(root);
	}
	return s;
}

/* An array of elements described by fields. */
static json_object *put_array(const struct field *fields, size_t nf, const void *v, size_t n,
			      size_t elem)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; arr != NULL && i < n; i++) {
		json_object *o = put_fields(fields, nf, (const char *)v + i * elem);

		if (o == NULL || json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			json_object_put(arr);
			arr = NULL;
		}
	}
	return arr;
}

char *frr_bgp_summary_json(const struct frr_bgp_summary *s)
{
	return finish(put_array(summary_peer_fields, ARRAY_SIZE(summary_peer_fields), s->peers,
				s->n, sizeof(*s->peers)));
}

char *frr_bgp_neighbors_json(const struct frr_bgp_neighbors *s)
{
	return finish(
		put_array(neighbor_fields, ARRAY_SIZE(neighbor_fields), s->v, s->n, sizeof(*s->v)));
}

char *frr_bgp_table_json(const struct frr_bgp_table *s)
{
	return finish(put_array(path_fields, ARRAY_SIZE(path_fields), s->v, s->n, sizeof(*s->v)));
}

char *frr_rib_json(const struct frr_rib *s)
{
	json_object *arr =
		put_array(route_fields, ARRAY_SIZE(route_fields), s->v, s->n, sizeof(*s->v));
	size_t i;

	for (i = 0; arr != NULL && i < s->n; i++) {
		json_object *nh = put_array(nexthop_fields, ARRAY_SIZE(nexthop_fields), s->v[i].nh,
					    s->v[i].n_nh, sizeof(*s->v[i].nh));

		if (nh == NULL ||
		    json_object_object_add(json_object_array_get_idx(arr, i), "nexthops", nh) < 0) {
			json_object_put(nh);
			json_object_put(arr);
			arr = NULL;
		}
	}
	return finish(arr);
}

char *frr_bfd_peers_json(const struct frr_bfd_peers *s)
{
	return finish(put_array(bfd_fields, ARRAY_SIZE(bfd_fields), s->v, s->n, sizeof(*s->v)));
}
