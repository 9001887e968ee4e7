/*
 * nc_filter.c - RFC 6241 subtree filters as xpath; see hgw_nc_subtree_xpath() in nc.h.
 *
 * Each filter node is resolved against the schema (a node libyang parsed as data has its
 * schema node; an opaque one is looked up by its XML namespace and name); a node that
 * resolves to nothing selects nothing.  A containment node becomes a step of the path,
 * the content match nodes among its children become predicates of that step, and every
 * selection node, content match node (when it has other siblings) and containment child
 * adds one path to the union.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc/nc.h"

struct sbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);
	char *p;

	if (b->err < 0)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 128;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (p == NULL) {
			b->err = -ENOMEM;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* A copy of the first len bytes of the buffer (NULL when out of memory). */
static char *sb_head(const struct sbuf *b, size_t len)
{
	return b->err < 0 ? NULL : strndup(b->s != NULL ? b->s : "", len);
}

struct filter_state {
	const struct ly_ctx *ctx;
	struct sbuf out; /* the union */
	unsigned int n;	 /* paths in it */
};

#define DATA_NODES (LYS_CONTAINER | LYS_LIST | LYS_LEAF | LYS_LEAFLIST | LYS_ANYDATA | LYS_ANYXML)

/* The schema node a filter node stands for under parent (NULL: top level), or NULL. */
static const struct lysc_node *resolve(const struct ly_ctx *ctx, const struct lyd_node *n,
				       const struct lysc_node *parent)
{
	const struct lyd_node_opaq *o = (const struct lyd_node_opaq *)n;
	const struct lysc_node *s;
	const struct lys_module *mod;

	if (n->schema != NULL)
		return (n->schema->nodetype & DATA_NODES) ? n->schema : NULL;
	if (o->format != LY_VALUE_XML || o->name.module_ns == NULL)
		return NULL;
	mod = ly_ctx_get_module_implemented_ns(ctx, o->name.module_ns);
	if (mod == NULL)
		return NULL;
	s = lys_find_child(parent, mod, o->name.name, 0, 0, 0);
	return s != NULL && (s->nodetype & DATA_NODES) ? s : NULL;
}

/* The node's text, NULL when it has none but whitespace. */
static const char *text(const struct lyd_node *n)
{
	const char *v, *p;

	if (n->schema != NULL)
		v = (n->schema->nodetype & LYD_NODE_TERM) ? lyd_get_value(n) : NULL;
	else
		v = ((const struct lyd_node_opaq *)n)->value;
	if (v == NULL)
		return NULL;
	for (p = v; *p != '\0'; p++)
		if (strchr(" \t\r\n", *p) == NULL)
			return v;
	return NULL;
}

/* A content match node: no children, some text, and not a container or list. */
static int is_content_match(const struct lyd_node *n, const struct lysc_node *s)
{
	return lyd_child(n) == NULL && text(n) != NULL &&
	       (s == NULL || (s->nodetype & (LYS_LEAF | LYS_LEAFLIST)));
}

/* The step to s: prefixed by its module at the top and where the module changes. */
static void add_step(struct sbuf *b, const struct lysc_node *s, const struct lysc_node *parent)
{
	if (parent == NULL || parent->module != s->module) {
		sb_add(b, s->module->name);
		sb_add(b, ":");
	}
	sb_add(b, s->name);
}

/* An xpath literal of v: '...' or "..."; -EINVAL when v holds both quotes. */
static int add_literal(struct sbuf *b, const char *v)
{
	const char *q = strchr(v, '\'') == NULL ? "'" : "\"";

	if (strchr(v, q[0]) != NULL)
		return -EINVAL;
	sb_add(b, q);
	sb_add(b, v);
	sb_add(b, q);
	return 0;
}

static void emit(struct filter_state *st, const char *path)
{
	if (st->n++ > 0)
		sb_add(&st->out, " | ");
	sb_add(&st->out, path);
}

/* The paths of filter node n, whose parent in the data is parent at path prefix. */
static int filter_node(struct filter_state *st, const struct lyd_node *n,
		       const struct lysc_node *parent, const char *prefix)
{
	const struct lysc_node *s = resolve(st->ctx, n, parent), *cs;
	const struct lyd_node *c;
	struct sbuf path = { 0 };
	unsigned int others = 0;
	size_t base;
	int r = 0;

	if (s == NULL)
		return 0; /* nothing in the data has that name in that namespace */
	sb_add(&path, prefix);
	sb_add(&path, "/");
	add_step(&path, s, parent);
	if (s->nodetype & (LYS_LEAF | LYS_LEAFLIST)) {
		/* a selection node, or a content match with no siblings (top level) */
		if (text(n) != NULL) {
			sb_add(&path, "[.=");
			r = add_literal(&path, text(n));
			sb_add(&path, "]");
		}
		goto emit_path;
	}
	if (!(s->nodetype & (LYS_CONTAINER | LYS_LIST)) || lyd_child(n) == NULL)
		goto emit_path; /* a selection node: the whole subtree */
	/* the content matches are predicates: the instances that match them all */
	LY_LIST_FOR(lyd_child(n), c)
	{
		cs = resolve(st->ctx, c, s);
		if (!is_content_match(c, cs)) {
			others++;
			continue;
		}
		if (cs == NULL)
			goto out; /* no instance can match an unknown node */
		sb_add(&path, "[");
		add_step(&path, cs, s);
		sb_add(&path, "=");
		r = add_literal(&path, text(c));
		sb_add(&path, "]");
		if (r < 0)
			goto out;
	}
	if (others == 0)
		goto emit_path; /* only content matches: the matching instances whole */
	base = path.len;
	LY_LIST_FOR(lyd_child(n), c)
	{
		cs = resolve(st->ctx, c, s);
		if (cs == NULL)
			continue;
		if (is_content_match(c, cs)) {
			/* also in the reply; of a leaf-list, only the matching entry */
			path.len = base;
			if (path.s != NULL)
				path.s[base] = '\0';
			sb_add(&path, "/");
			add_step(&path, cs, s);
			if (cs->nodetype == LYS_LEAFLIST) {
				sb_add(&path, "[.=");
				r = add_literal(&path, text(c));
				sb_add(&path, "]");
			}
			if (r == 0 && path.err == 0)
				emit(st, path.s);
		} else {
			char *p = sb_head(&path, base);

			if (p == NULL) {
				r = -ENOMEM;
				goto out;
			}
			r = filter_node(st, c, s, p);
			free(p);
		}
		if (r < 0)
			goto out;
	}
	goto out;
emit_path:
	if (r == 0 && path.err == 0)
		emit(st, path.s);
out:
	if (r == 0)
		r = path.err;
	free(path.s);
	return r;
}

int hgw_nc_subtree_xpath(const struct ly_ctx *ctx, const struct lyd_node *filter, char **xpath)
{
	struct filter_state st = { .ctx = ctx };
	const struct lyd_node *n;
	int r = 0;

	*xpath = NULL;
	LY_LIST_FOR(filter, n)
	{
		r = filter_node(&st, n, NULL, "");
		if (r < 0)
			break;
	}
	if (r == 0)
		r = st.out.err;
	if (r < 0 || st.n == 0) {
		free(st.out.s);
		return r;
	}
	*xpath = st.out.s;
	return 0;
}
