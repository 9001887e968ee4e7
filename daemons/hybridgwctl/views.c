/*
 * views.c - the views' dispatch and what they share (views.h, views_internal.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "views.h"
#include "views_internal.h"

/* In the order of enum ctl_view. */
static const struct view_def *const views[CTL_VIEW_COUNT] = {
	&view_connections,    &view_ike_sa,	      &view_ipsec_sa, &view_bgp_peers,
	&view_routes_learned, &view_routes_effective, &view_failover,
};

/* ---- the data tree ---- */

const struct lyd_node *yd_next(const struct lyd_node *node, const char *name)
{
	for (node = node->next; node != NULL; node = node->next)
		if (strcmp(LYD_NAME(node), name) == 0)
			return node;
	return NULL;
}

const struct lyd_node *yd_child(const struct lyd_node *parent, const char *name)
{
	const struct lyd_node *n = parent != NULL ? lyd_child(parent) : NULL;

	if (n == NULL || strcmp(LYD_NAME(n), name) == 0)
		return n;
	return yd_next(n, name);
}

const struct lyd_node *yd_find(const struct lyd_node *node, const char *path)
{
	char name[64];
	size_t len;

	while (node != NULL && *path != '\0') {
		len = strcspn(path, "/");
		if (len >= sizeof(name))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		node = yd_child(node, name);
		path += len + (path[len] == '/');
	}
	return node;
}

const char *yd_leaf(const struct lyd_node *node, const char *path)
{
	node = yd_find(node, path);
	return node != NULL ? lyd_get_value(node) : NULL;
}

const struct lyd_node *yd_top(const struct lyd_node *data, const char *path)
{
	const struct lyd_node *n;

	for (n = data != NULL ? lyd_first_sibling(data) : NULL; n != NULL; n = n->next)
		if (strcmp(LYD_NAME(n), "hybridgw") == 0)
			return yd_find(n, path);
	return NULL;
}

/* ---- JSON rows ---- */

struct json_object *new_object(struct vctx *v)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		v->err = -ENOMEM;
	return o;
}

struct json_object *new_array(struct vctx *v)
{
	struct json_object *a = json_object_new_array();

	if (a == NULL)
		v->err = -ENOMEM;
	return a;
}

void put(struct vctx *v, struct json_object *to, const char *key, struct json_object *val)
{
	int r;

	if (to == NULL) {
		json_object_put(val);
		return;
	}
	r = key != NULL ? json_object_object_add(to, key, val) : json_object_array_add(to, val);
	if (r != 0) {
		json_object_put(val);
		v->err = -ENOMEM;
	}
}

/* Adds val, or null when it is NULL although present says there was a value. */
static void put_value(struct vctx *v, struct json_object *obj, const char *key,
		      struct json_object *val, bool present)
{
	if (present && val == NULL)
		v->err = -ENOMEM;
	put(v, obj, key, val);
}

void put_str(struct vctx *v, struct json_object *obj, const char *key, const char *value)
{
	put_value(v, obj, key, value != NULL ? json_object_new_string(value) : NULL, value != NULL);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

void put_u64(struct vctx *v, struct json_object *obj, const char *key, const char *value)
{
	uint64_t n;
	bool ok = parse_u64(value, &n);

	put_value(v, obj, key, ok ? json_object_new_uint64(n) : NULL, ok);
}

void put_bool(struct vctx *v, struct json_object *obj, const char *key, const char *value)
{
	bool ok = value != NULL && (!strcmp(value, "true") || !strcmp(value, "false"));

	put_value(v, obj, key, ok ? json_object_new_boolean(!strcmp(value, "true")) : NULL, ok);
}

void put_age(struct vctx *v, struct json_object *obj, const char *key, const char *value)
{
	time_t t;
	bool ok = value != NULL && ly_time_str2time(value, &t, NULL) == LY_SUCCESS;
	int64_t age = ok && v->now > t ? (int64_t)(v->now - t) : 0;

	put_value(v, obj, key, ok ? json_object_new_int64(age) : NULL, ok);
}

void put_strings(struct vctx *v, struct json_object *obj, const char *key,
		 const struct lyd_node *parent, const char *name)
{
	struct json_object *a = new_array(v);
	const struct lyd_node *n;

	YD_FOREACH(parent, name, n)
	{
		put_str(v, a, NULL, lyd_get_value(n));
	}
	put_value(v, obj, key, a, true);
}

/* ---- cells ---- */

struct json_object *sub(struct json_object *obj, const char *key)
{
	struct json_object *val = NULL;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &val))
		return NULL;
	return val;
}

const char *cell_str(struct json_object *obj, const char *key)
{
	struct json_object *val = sub(obj, key);
	const char *s = val != NULL ? json_object_get_string(val) : NULL;

	return s != NULL && s[0] != '\0' ? s : "-";
}

bool is_true(struct json_object *obj, const char *key)
{
	struct json_object *val = sub(obj, key);

	return val != NULL && json_object_get_boolean(val);
}

const char *cell_yesno(struct json_object *obj, const char *key)
{
	if (sub(obj, key) == NULL)
		return "-";
	return is_true(obj, key) ? "yes" : "no";
}

const char *cell_duration(struct json_object *obj, const char *key, char *buf, size_t size)
{
	struct json_object *val = sub(obj, key);
	uint64_t s;

	if (val == NULL)
		return "-";
	s = json_object_get_uint64(val);
	if (s >= 86400)
		snprintf(buf, size, "%" PRIu64 "d%02uh%02um", s / 86400, (unsigned)(s / 3600 % 24),
			 (unsigned)(s / 60 % 60));
	else
		snprintf(buf, size, "%02u:%02u:%02u", (unsigned)(s / 3600), (unsigned)(s / 60 % 60),
			 (unsigned)(s % 60));
	return buf;
}

struct table *view_table(struct vctx *v, const struct table_column *cols, size_t ncols)
{
	struct table *t = table_new(cols, ncols);

	if (t == NULL)
		v->err = -ENOMEM;
	return t;
}

void view_table_done(struct vctx *v, struct table *t, FILE *out, const char *indent)
{
	if (t != NULL && table_print(t, out, indent) < 0)
		v->err = -ENOMEM;
	table_free(t);
}

/* ---- dispatch ---- */

const char *ctl_view_name(enum ctl_view view)
{
	return (unsigned)view < CTL_VIEW_COUNT ? views[view]->name : NULL;
}

const char *ctl_view_slug(enum ctl_view view)
{
	return (unsigned)view < CTL_VIEW_COUNT ? views[view]->slug : NULL;
}

const char *ctl_view_xpath(enum ctl_view view)
{
	return (unsigned)view < CTL_VIEW_COUNT ? views[view]->xpath : NULL;
}

int ctl_view_find(const char *const *words, size_t n)
{
	char name[64] = "";
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(name + len, sizeof(name) - len, "%s%s", i ? " " : "",
					words[i]);
		if (len >= sizeof(name))
			return -1;
	}
	for (i = 0; i < CTL_VIEW_COUNT; i++)
		if (strcmp(views[i]->name, name) == 0)
			return (int)i;
	return -1;
}

static int print_json(struct vctx *v, const struct view_def *def, struct json_object *rows,
		      FILE *out)
{
	struct json_object *doc = new_object(v);
	const char *text;

	put(v, doc, def->key, json_object_get(rows));
	text = v->err == 0 ?
		       json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE) :
		       NULL;
	if (text != NULL)
		fprintf(out, "%s\n", text);
	else
		v->err = -ENOMEM;
	json_object_put(doc);
	return v->err;
}

int ctl_view_print(enum ctl_view view, const struct lyd_node *data, time_t now, bool json,
		   FILE *out)
{
	struct vctx v = { .now = now };
	const struct view_def *def;
	struct json_object *rows;

	if ((unsigned)view >= CTL_VIEW_COUNT)
		return -EINVAL;
	def = views[view];
	rows = new_array(&v);
	if (rows != NULL)
		def->collect(&v, data, rows);
	if (v.err == 0 && json)
		print_json(&v, def, rows, out);
	else if (v.err == 0)
		def->text(&v, rows, out);
	json_object_put(rows);
	return v.err;
}
