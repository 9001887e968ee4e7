/*
 * nc_notif.c - notification event trees; see nc_notif.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc/nc.h"
#include "nc/nc_acm.h"
#include "nc/nc_notif.h"

/* A leaf of the event, left out when value is NULL. */
static int add_leaf(struct lyd_node *event, const char *name, const char *value)
{
	if (value == NULL)
		return 0;
	return lyd_new_term(event, NULL, name, value, 0, NULL) == LY_SUCCESS ? 0 : -EINVAL;
}

static int new_event(struct ly_ctx *ctx, const char *module, const char *name,
		     struct lyd_node **ret)
{
	const struct lys_module *mod = ly_ctx_get_module_implemented(ctx, module);

	*ret = NULL;
	if (mod == NULL)
		return -ENOENT;
	return lyd_new_inner(NULL, mod, name, 0, ret) == LY_SUCCESS ? 0 : -ENOMEM;
}

/* Leaves in pairs name, value, ending with NULL. */
static int build(struct ly_ctx *ctx, const char *name, struct lyd_node **ret, ...)
{
	const char *leaf, *value;
	va_list ap;
	int r;

	if ((r = new_event(ctx, HGW_NC_MODULE, name, ret)) < 0)
		return r;
	va_start(ap, ret);
	while (r == 0 && (leaf = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		r = add_leaf(*ret, leaf, value);
	}
	va_end(ap);
	if (r < 0) {
		lyd_free_tree(*ret);
		*ret = NULL;
	}
	return r;
}

int hgw_nc_notif_tunnel(struct ly_ctx *ctx, const char *connection, const char *gateway,
			const char *state, const char *reason, struct lyd_node **ret)
{
	return build(ctx, "tunnel-state-change", ret, "connection", connection, "gateway", gateway,
		     "state", state, "reason", reason, NULL);
}

int hgw_nc_notif_bgp_peer(struct ly_ctx *ctx, const char *peer_address, const char *path_class,
			  const char *path, const char *old_state, const char *new_state,
			  struct lyd_node **ret)
{
	return build(ctx, "bgp-peer-state-change", ret, "peer-address", peer_address, "path-class",
		     path_class, "path", path, "old-state", old_state, "new-state", new_state,
		     NULL);
}

int hgw_nc_notif_path_switch(struct ly_ctx *ctx, const char *from_path, const char *to_path,
			     const char *reason, uint64_t duration_us, struct lyd_node **ret)
{
	char duration[24];

	snprintf(duration, sizeof(duration), "%" PRIu64, duration_us);
	return build(ctx, "path-switch", ret, "from-path", from_path, "to-path", to_path, "reason",
		     reason, "duration", duration, NULL);
}

/* Whether the node or an ancestor is hidden from the operator role. */
static bool under_denied(const struct lyd_node *node)
{
	for (; node != NULL; node = lyd_parent(node))
		if (hgw_nc_acm_denied(node->schema))
			return true;
	return false;
}

static int add_edit(struct lyd_node *event, const struct lyd_node *node, const char *op)
{
	struct lyd_node *edit = NULL;
	char *target = lyd_path(node, LYD_PATH_STD, NULL, 0);
	int r = -ENOMEM;

	/* the target is a path, never a value: key predicates are the only data in it */
	if (target != NULL && lyd_new_list(event, NULL, "edit", 0, &edit) == LY_SUCCESS &&
	    lyd_new_term(edit, NULL, "target", target, 0, NULL) == LY_SUCCESS &&
	    lyd_new_term(edit, NULL, "operation", op, 0, NULL) == LY_SUCCESS)
		r = 0;
	free(target);
	return r;
}

/* One edit per topmost changed node of a libyang diff (yang:operation is not "none"). */
static int add_edits(struct lyd_node *event, struct lyd_node *diff, bool hide_denied)
{
	struct lyd_node *top, *elem;
	struct lyd_meta *meta;
	const char *op;
	int r = 0;

	LY_LIST_FOR(diff, top)
	{
		LYD_TREE_DFS_BEGIN(top, elem)
		{
			meta = lyd_find_meta(elem->meta, NULL, "yang:operation");
			op = meta != NULL ? lyd_get_meta_value(meta) : "none";
			if (strcmp(op, "none") != 0) {
				if (!hide_denied || !under_denied(elem))
					r = r < 0 ? r : add_edit(event, elem, op);
				LYD_TREE_DFS_continue = 1;
			}
			LYD_TREE_DFS_END(top, elem);
		}
	}
	return r;
}

int hgw_nc_notif_config_change(struct ly_ctx *ctx, const struct lyd_node *from,
			       const struct lyd_node *to, const char *user, uint32_t sid,
			       bool hide_denied, struct lyd_node **ret)
{
	struct lyd_node *by = NULL, *diff = NULL;
	char sid_str[16];
	int r;

	if ((r = new_event(ctx, "ietf-netconf-notifications", "netconf-config-change", ret)) < 0)
		return r;
	snprintf(sid_str, sizeof(sid_str), "%" PRIu32, sid);
	if (lyd_new_inner(*ret, NULL, "changed-by", 0, &by) != LY_SUCCESS ||
	    (user == NULL && lyd_new_term(by, NULL, "server", "", 0, NULL) != LY_SUCCESS) ||
	    (user != NULL &&
	     (lyd_new_term(by, NULL, "username", user, 0, NULL) != LY_SUCCESS ||
	      lyd_new_term(by, NULL, "session-id", sid_str, 0, NULL) != LY_SUCCESS)) ||
	    lyd_new_term(*ret, NULL, "datastore", "running", 0, NULL) != LY_SUCCESS ||
	    lyd_diff_siblings(from, to, 0, &diff) != LY_SUCCESS) {
		r = -ENOMEM;
		goto fail;
	}
	r = add_edits(*ret, diff, hide_denied);
	lyd_free_all(diff);
	if (r < 0)
		goto fail;
	return 0;
fail:
	lyd_free_tree(*ret);
	*ret = NULL;
	return r;
}
