/*
 * views_internal.h - what the view files share: reading the data tree, building the JSON
 * rows, and formatting cells from those rows.  Only views*.c include it.
 */
#ifndef HGWCTL_VIEWS_INTERNAL_H
#define HGWCTL_VIEWS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>
#include <libyang/libyang.h>

#include "table.h"

/* One rendering: its clock and its first failure. */
struct vctx {
	time_t now;
	int err; /* 0 or -ENOMEM */
};

/*
 * The data tree, by schema node name, so that opaque nodes (what a newer server sends and
 * this client's schema lacks) are walked over as well as typed ones.
 */
const struct lyd_node *yd_child(const struct lyd_node *parent, const char *name);
const struct lyd_node *yd_next(const struct lyd_node *node, const char *name);
/* A descendant by a relative path of names, "bgp/bgp-state"; NULL when absent. */
const struct lyd_node *yd_find(const struct lyd_node *node, const char *path);
/* The value of the leaf at path (canonical), or NULL. */
const char *yd_leaf(const struct lyd_node *node, const char *path);
/* /hybridgw/<path> in the data (all top-level siblings), or NULL. */
const struct lyd_node *yd_top(const struct lyd_node *data, const char *path);

#define YD_FOREACH(parent, name, it) \
	for ((it) = yd_child((parent), (name)); (it) != NULL; (it) = yd_next((it), (name)))

/*
 * JSON rows.  Every put_*() adds key to obj, as null when value is NULL (or does not parse
 * as its type); a failed allocation is remembered in v->err.
 */
struct json_object *new_object(struct vctx *v);
struct json_object *new_array(struct vctx *v);
/* Add val (owned) to an object under key, or to an array when key is NULL. */
void put(struct vctx *v, struct json_object *to, const char *key, struct json_object *val);
void put_str(struct vctx *v, struct json_object *obj, const char *key, const char *value);
void put_u64(struct vctx *v, struct json_object *obj, const char *key, const char *value);
void put_bool(struct vctx *v, struct json_object *obj, const char *key, const char *value);
/* Seconds from the date-and-time value to v->now (0 if in the future), or null. */
void put_age(struct vctx *v, struct json_object *obj, const char *key, const char *value);
/* The values of the leaf-list name under parent, as an array of strings. */
void put_strings(struct vctx *v, struct json_object *obj, const char *key,
		 const struct lyd_node *parent, const char *name);

/* Reading the rows back for text: "-" for null or an empty string. */
const char *cell_str(struct json_object *obj, const char *key);
/* "yes"/"no" for a boolean, "-" for null. */
const char *cell_yesno(struct json_object *obj, const char *key);
/* A duration in seconds, as 1d02h03m (a day or more) or 00:12:34; "-" for null. */
const char *cell_duration(struct json_object *obj, const char *key, char *buf, size_t size);
/* The object or array under key, or NULL. */
struct json_object *sub(struct json_object *obj, const char *key);
bool is_true(struct json_object *obj, const char *key);

/* A table for the view's rows, or NULL after setting v->err. */
struct table *view_table(struct vctx *v, const struct table_column *cols, size_t ncols);
/* Print and free the table; its error, if any, goes to v->err. */
void view_table_done(struct vctx *v, struct table *t, FILE *out, const char *indent);

/*
 * A view: collect() turns the data into rows (an array), text() prints them.  Each lives
 * in the file of its kind (views_tunnel.c, views_routing.c).
 */
struct view_def {
	const char *name;  /* after "show" */
	const char *slug;  /* for file names */
	const char *xpath; /* the <get> filter */
	const char *key;   /* of the rows' array in the JSON document */
	void (*collect)(struct vctx *v, const struct lyd_node *data, struct json_object *rows);
	void (*text)(struct vctx *v, struct json_object *rows, FILE *out);
};

extern const struct view_def view_connections, view_ike_sa, view_ipsec_sa;
extern const struct view_def view_bgp_peers, view_routes_learned, view_routes_effective,
	view_failover;

#endif
