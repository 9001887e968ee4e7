/*
 * frr_intent_json.c - an intent from JSON, for the test tool and the golden tests (the
 * daemon compiles intents from YANG).  Strict: unknown members, wrong types and values out
 * of range are errors that name the member.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "frr_intent.h"
#include "util.h"

struct jctx {
	char *err;
	size_t err_size;
	int r;
};

static void jfail(struct jctx *j, const char *fmt, ...) HGW_PRINTF(2, 3);

static void jfail(struct jctx *j, const char *fmt, ...)
{
	va_list ap;

	if (j->r != 0)
		return;
	va_start(ap, fmt);
	if (j->err_size > 0)
		vsnprintf(j->err, j->err_size, fmt, ap);
	va_end(ap);
	j->r = -EINVAL;
}

int frr_addr_parse(struct frr_addr *addr, const char *s)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, &addr->u.v4) == 1) {
		addr->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &addr->u.v6) == 1) {
		addr->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

/* Are the bits after len zero? */
static bool host_bits_zero(const struct frr_addr *a, unsigned len)
{
	const unsigned char *b = (const unsigned char *)&a->u;
	unsigned bytes = a->family == AF_INET ? 4 : 16, i;

	for (i = len / 8; i < bytes; i++) {
		unsigned char mask = i == len / 8 ? (unsigned char)(0xff >> (len % 8)) : 0xff;

		if (b[i] & mask)
			return false;
	}
	return true;
}

int frr_prefix_parse(struct frr_prefix *prefix, const char *s)
{
	char a[INET6_ADDRSTRLEN + 1], rest[8];
	unsigned len, le = 0, max;
	int n;

	memset(prefix, 0, sizeof(*prefix));
	n = sscanf(s, "%46[0-9a-fA-F.:]/%3u le %3u%7s", a, &len, &le, rest);
	if (n != 2 && n != 3)
		return -EINVAL;
	if (n == 2 && strchr(s, ' ') != NULL)
		return -EINVAL;
	if (frr_addr_parse(&prefix->addr, a) < 0)
		return -EINVAL;
	max = prefix->addr.family == AF_INET ? 32 : 128;
	if (len > max || (n == 3 && (le < len || le > max)) || !host_bits_zero(&prefix->addr, len))
		return -EINVAL;
	prefix->len = (uint8_t)len;
	prefix->le = (uint8_t)le;
	return 0;
}

/* Members of obj that are not in allowed[] are errors. */
static void only_keys(struct jctx *j, json_object *obj, const char *what,
		      const char *const *allowed, size_t n)
{
	size_t i;

	json_object_object_foreach(obj, key, val)
	{
		(void)val;
		for (i = 0; i < n; i++) {
			if (strcmp(key, allowed[i]) == 0)
				break;
		}
		if (i == n)
			jfail(j, "%s: unknown member \"%s\"", what, key);
	}
}

static json_object *member(struct jctx *j, json_object *obj, const char *key, json_type type,
			   const char *what)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return NULL;
	if (!json_object_is_type(v, type)) {
		jfail(j, "%s: \"%s\" has the wrong type", what, key);
		return NULL;
	}
	return v;
}

static uint32_t get_u32(struct jctx *j, json_object *obj, const char *key, uint32_t max,
			const char *what)
{
	json_object *v = member(j, obj, key, json_type_int, what);
	int64_t x;

	if (v == NULL)
		return 0;
	x = json_object_get_int64(v);
	if (x < 0 || (uint64_t)x > max) {
		jfail(j, "%s: \"%s\" must be 0-%u", what, key, max);
		return 0;
	}
	return (uint32_t)x;
}

static bool get_bool(struct jctx *j, json_object *obj, const char *key, bool dflt, const char *what)
{
	json_object *v = member(j, obj, key, json_type_boolean, what);

	return v != NULL ? json_object_get_boolean(v) : dflt;
}

static void get_str(struct jctx *j, json_object *obj, const char *key, char *buf, size_t size,
		    const char *what)
{
	json_object *v = member(j, obj, key, json_type_string, what);

	buf[0] = '\0';
	if (v == NULL)
		return;
	if ((size_t)json_object_get_string_len(v) >= size) {
		jfail(j, "%s: \"%s\" is longer than %zu bytes", what, key, size - 1);
		return;
	}
	snprintf(buf, size, "%s", json_object_get_string(v));
}

static void get_prefixes(struct jctx *j, json_object *obj, const char *key,
			 struct frr_prefix_set *set, const char *what)
{
	json_object *arr = member(j, obj, key, json_type_array, what);
	size_t i, n;

	if (arr == NULL)
		return;
	n = json_object_array_length(arr);
	set->v = calloc(n > 0 ? n : 1, sizeof(*set->v));
	if (set->v == NULL) {
		jfail(j, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(p, json_type_string) ||
		    frr_prefix_parse(&set->v[i], json_object_get_string(p)) < 0) {
			jfail(j,
			      "%s: %s[%zu] is not a prefix (\"198.18.0.0/24\", optionally "
			      "\" le 32\")",
			      what, key, i);
			return;
		}
		set->n++;
	}
}

static void get_asns(struct jctx *j, json_object *obj, const char *key, uint32_t *v, size_t *n,
		     const char *what)
{
	json_object *arr = member(j, obj, key, json_type_array, what);
	size_t i, len;

	if (arr == NULL)
		return;
	len = json_object_array_length(arr);
	if (len > FRR_DENY_ASNS_MAX) {
		jfail(j, "%s: at most %d ASNs in \"%s\"", what, FRR_DENY_ASNS_MAX, key);
		return;
	}
	for (i = 0; i < len; i++) {
		json_object *a = json_object_array_get_idx(arr, i);
		int64_t x = json_object_is_type(a, json_type_int) ? json_object_get_int64(a) : 0;

		if (x <= 0 || x > UINT32_MAX) {
			jfail(j, "%s: %s[%zu] is not an ASN", what, key, i);
			return;
		}
		v[(*n)++] = (uint32_t)x;
	}
}

static void get_timers(struct jctx *j, json_object *obj, struct frr_timers *t, const char *what)
{
	t->keepalive = (uint16_t)get_u32(j, obj, "keepalive", 65535, what);
	t->hold = (uint16_t)get_u32(j, obj, "hold", 65535, what);
	t->connect = (uint16_t)get_u32(j, obj, "connect", 65535, what);
}

/* Call fn for each element of the array member key, into a calloc'ed array. */
static void *get_array(struct jctx *j, json_object *obj, const char *key, size_t elem,
		       size_t *count, void (*fn)(struct jctx *, json_object *, void *))
{
	json_object *arr = member(j, obj, key, json_type_array, "intent");
	size_t i, n;
	char *v;

	*count = 0;
	if (arr == NULL)
		return NULL;
	n = json_object_array_length(arr);
	v = calloc(n > 0 ? n : 1, elem);
	if (v == NULL) {
		jfail(j, "out of memory");
		return NULL;
	}
	for (i = 0; i < n && j->r == 0; i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(o, json_type_object)) {
			jfail(j, "%s[%zu] is not an object", key, i);
			break;
		}
		fn(j, o, v + i * elem);
		(*count)++;
	}
	return v;
}

static void get_profile(struct jctx *j, json_object *o, void *out)
{
	static const char *const keys[] = {
		"name", "detect_multiplier", "receive_ms", "transmit_ms", "passive",
	};
	struct frr_bfd_profile *p = out;

	only_keys(j, o, "bfd profile", keys, ARRAY_SIZE(keys));
	get_str(j, o, "name", p->name, sizeof(p->name), "bfd profile");
	p->detect_multiplier = get_u32(j, o, "detect_multiplier", 255, p->name);
	p->receive_ms = get_u32(j, o, "receive_ms", 60000, p->name);
	p->transmit_ms = get_u32(j, o, "transmit_ms", 60000, p->name);
	p->passive = get_bool(j, o, "passive", false, p->name);
}

static void get_class(struct jctx *j, json_object *o, void *out)
{
	static const char *const keys[] = {
		"name",	      "remote_as",    "keepalive",     "hold",	     "connect",
		"bfd",	      "bfd_profile",  "weight",	       "local_pref", "prepend",
		"max_prefix", "deny_in_asns", "deny_out_asns", "accept",     "advertise",
	};
	struct frr_path_class *c = out;

	only_keys(j, o, "class", keys, ARRAY_SIZE(keys));
	get_str(j, o, "name", c->name, sizeof(c->name), "class");
	c->remote_as = get_u32(j, o, "remote_as", UINT32_MAX, c->name);
	get_timers(j, o, &c->timers, c->name);
	c->bfd = get_bool(j, o, "bfd", false, c->name);
	get_str(j, o, "bfd_profile", c->bfd_profile, sizeof(c->bfd_profile), c->name);
	c->weight = get_u32(j, o, "weight", 65535, c->name);
	c->local_pref = get_u32(j, o, "local_pref", UINT32_MAX, c->name);
	c->prepend = (uint8_t)get_u32(j, o, "prepend", 10, c->name);
	c->max_prefix = get_u32(j, o, "max_prefix", UINT32_MAX, c->name);
	get_asns(j, o, "deny_in_asns", c->deny_in_asns, &c->n_deny_in_asns, c->name);
	get_asns(j, o, "deny_out_asns", c->deny_out_asns, &c->n_deny_out_asns, c->name);
	get_prefixes(j, o, "accept", &c->accept, c->name);
	get_prefixes(j, o, "advertise", &c->advertise, c->name);
}

static void get_neighbor(struct jctx *j, json_object *o, void *out)
{
	static const char *const keys[] = {
		"address",   "class",	"remote_as", "description", "update_source",
		"interface", "passive", "shutdown",  "hop_check",   "multihop_ttl",
		"keepalive", "hold",	"connect",   "ipv4",	    "ipv6",
	};
	struct frr_neighbor *nb = out;
	char addr[INET6_ADDRSTRLEN + 1], hop[32];

	only_keys(j, o, "neighbor", keys, ARRAY_SIZE(keys));
	get_str(j, o, "address", addr, sizeof(addr), "neighbor");
	if (frr_addr_parse(&nb->addr, addr) < 0) {
		jfail(j, "neighbor: \"address\" \"%s\" is not an IPv4 or IPv6 address", addr);
		return;
	}
	get_str(j, o, "class", nb->path_class, sizeof(nb->path_class), addr);
	nb->remote_as = get_u32(j, o, "remote_as", UINT32_MAX, addr);
	get_str(j, o, "description", nb->description, sizeof(nb->description), addr);
	get_str(j, o, "update_source", nb->update_source, sizeof(nb->update_source), addr);
	get_str(j, o, "interface", nb->interface, sizeof(nb->interface), addr);
	nb->passive = get_bool(j, o, "passive", false, addr);
	nb->shutdown = get_bool(j, o, "shutdown", false, addr);
	get_str(j, o, "hop_check", hop, sizeof(hop), addr);
	if (hop[0] == '\0' || strcmp(hop, "connected") == 0)
		nb->hop_check = FRR_HOP_CONNECTED;
	else if (strcmp(hop, "disable-connected-check") == 0)
		nb->hop_check = FRR_HOP_DISABLE_CHECK;
	else if (strcmp(hop, "multihop") == 0)
		nb->hop_check = FRR_HOP_MULTIHOP;
	else
		jfail(j, "%s: \"hop_check\" must be connected, disable-connected-check or multihop",
		      addr);
	nb->multihop_ttl = (uint8_t)get_u32(j, o, "multihop_ttl", 255, addr);
	get_timers(j, o, &nb->timers, addr);
	nb->ipv4 = get_bool(j, o, "ipv4", nb->addr.family == AF_INET, addr);
	nb->ipv6 = get_bool(j, o, "ipv6", nb->addr.family == AF_INET6, addr);
}

static void get_bmp(struct jctx *j, json_object *root, struct frr_bmp_target *b)
{
	static const char *const keys[] = {
		"name", "address",  "port",	 "pre_policy", "post_policy",
		"ipv6", "stats_ms", "min_retry", "max_retry",
	};
	char addr[INET6_ADDRSTRLEN + 1];
	json_object *o;

	if (!json_object_object_get_ex(root, "bmp", &o))
		return;
	if (!json_object_is_type(o, json_type_object)) {
		jfail(j, "intent: \"bmp\" must be an object");
		return;
	}
	only_keys(j, o, "bmp", keys, ARRAY_SIZE(keys));
	get_str(j, o, "name", b->name, sizeof(b->name), "bmp");
	get_str(j, o, "address", addr, sizeof(addr), "bmp");
	if (frr_addr_parse(&b->addr, addr) < 0)
		jfail(j, "bmp: \"address\" \"%s\" is not an IPv4 or IPv6 address", addr);
	b->port = (uint16_t)get_u32(j, o, "port", 65535, "bmp");
	b->pre_policy = get_bool(j, o, "pre_policy", true, "bmp");
	b->post_policy = get_bool(j, o, "post_policy", false, "bmp");
	b->ipv6 = get_bool(j, o, "ipv6", false, "bmp");
	b->stats_ms = get_u32(j, o, "stats_ms", 86400000, "bmp");
	b->min_retry_ms = get_u32(j, o, "min_retry", 86400000, "bmp");
	b->max_retry_ms = get_u32(j, o, "max_retry", 86400000, "bmp");
}

static void get_intent(struct jctx *j, json_object *root, struct frr_intent *in)
{
	static const char *const keys[] = {
		"asn",	    "router_id",    "maximum_paths", "multipath_relax",
		"networks", "bfd_profiles", "classes",	     "neighbors",
		"bmp",
	};
	char id[INET_ADDRSTRLEN + 1];

	only_keys(j, root, "intent", keys, ARRAY_SIZE(keys));
	in->asn = get_u32(j, root, "asn", UINT32_MAX, "intent");
	get_str(j, root, "router_id", id, sizeof(id), "intent");
	if (id[0] != '\0' && inet_pton(AF_INET, id, &in->router_id) != 1)
		jfail(j, "intent: \"router_id\" \"%s\" is not an IPv4 address", id);
	in->maximum_paths = (uint16_t)get_u32(j, root, "maximum_paths", 128, "intent");
	in->multipath_relax = get_bool(j, root, "multipath_relax", false, "intent");
	get_prefixes(j, root, "networks", &in->networks, "intent");
	in->bfd_profiles = get_array(j, root, "bfd_profiles", sizeof(*in->bfd_profiles),
				     &in->n_bfd_profiles, get_profile);
	in->classes =
		get_array(j, root, "classes", sizeof(*in->classes), &in->n_classes, get_class);
	in->neighbors = get_array(j, root, "neighbors", sizeof(*in->neighbors), &in->n_neighbors,
				  get_neighbor);
	get_bmp(j, root, &in->bmp);
}

int frr_intent_from_json(struct frr_intent *intent, const char *text, char *err, size_t err_size)
{
	struct jctx j = { .err = err, .err_size = err_size };
	enum json_tokener_error jerr;
	json_object *root;

	memset(intent, 0, sizeof(*intent));
	if (err_size > 0)
		err[0] = '\0';
	root = json_tokener_parse_verbose(text, &jerr);
	if (root == NULL) {
		jfail(&j, "not JSON: %s", json_tokener_error_desc(jerr));
		return j.r;
	}
	if (!json_object_is_type(root, json_type_object))
		jfail(&j, "the intent must be a JSON object");
	else
		get_intent(&j, root, intent);
	json_object_put(root);
	if (j.r != 0)
		frr_intent_free(intent);
	return j.r;
}

void frr_intent_free(struct frr_intent *intent)
{
	size_t i;

	if (intent == NULL)
		return;
	for (i = 0; i < intent->n_classes; i++) {
		free(intent->classes[i].accept.v);
		free(intent->classes[i].advertise.v);
	}
	free(intent->classes);
	free(intent->bfd_profiles);
	free(intent->neighbors);
	free(intent->networks.v);
	memset(intent, 0, sizeof(*intent));
}
