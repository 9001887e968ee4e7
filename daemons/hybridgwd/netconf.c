/*
 * netconf.c - the NETCONF server on the unix socket; see netconf.h for the design.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <nc_server.h>

#include "log.h"
#include "nc/nc.h"
#include "netconf.h"
#include "util.h"

#define MAX_SESSIONS 16
#define HELLO_TIMEOUT_S 10
/* RPCs handled per readable event, so that one busy client cannot starve the loop. */
#define RPCS_PER_EVENT 8

struct client {
	struct netconf *nc;
	struct nc_session *session;
	struct nc_pollsession *ps;
	sd_event_source *source; /* the socket: waiting for <hello>, then for RPCs */
	sd_event_source *timer;	 /* <hello> timeout */
	int fd;
	uint32_t sid;
	char user[64];
	struct client *next;
};

struct netconf {
	sd_event *event;
	sd_event_source *listen_source;
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ly_ctx *ctx;
	struct hgw_nc_ds *ds;
	uint32_t lock_sid[3]; /* by enum hgw_nc_datastore; 0: unlocked */
	struct client *clients;
	unsigned nclients;
	bool initialized; /* nc_server_init() done */
};

/* libnetconf2's RPC callback has no user data: the one server of this process. */
static struct netconf *server;

/*
 * Replies
 */

static NC_ERR_TYPE error_type(enum hgw_nc_tag tag)
{
	switch (tag) {
	case HGW_NC_ERR_IN_USE:
	case HGW_NC_ERR_LOCK_DENIED:
		return NC_ERR_TYPE_PROT;
	case HGW_NC_ERR_MALFORMED_MESSAGE:
		return NC_ERR_TYPE_RPC;
	case HGW_NC_ERR_INVALID_VALUE:
	case HGW_NC_ERR_TOO_BIG:
	case HGW_NC_ERR_MISSING_ATTRIBUTE:
	case HGW_NC_ERR_BAD_ATTRIBUTE:
	case HGW_NC_ERR_UNKNOWN_ATTRIBUTE:
	case HGW_NC_ERR_MISSING_ELEMENT:
	case HGW_NC_ERR_BAD_ELEMENT:
	case HGW_NC_ERR_UNKNOWN_ELEMENT:
	case HGW_NC_ERR_UNKNOWN_NAMESPACE:
	case HGW_NC_ERR_ACCESS_DENIED:
	case HGW_NC_ERR_RESOURCE_DENIED:
	case HGW_NC_ERR_ROLLBACK_FAILED:
	case HGW_NC_ERR_DATA_EXISTS:
	case HGW_NC_ERR_DATA_MISSING:
	case HGW_NC_ERR_OPERATION_NOT_SUPPORTED:
	case HGW_NC_ERR_OPERATION_FAILED:
		break;
	}
	return NC_ERR_TYPE_APP;
}

/* One lib/nc error as a libnetconf2 error tree (nc_err()'s arguments depend on the tag). */
static struct lyd_node *to_nc_err(const struct hgw_nc_error *e, uint32_t sid)
{
	NC_ERR_TYPE type = error_type(e->tag);
	struct lyd_node *err = NULL;

	switch (e->tag) {
	case HGW_NC_ERR_IN_USE:
		err = nc_err(server->ctx, NC_ERR_IN_USE, type);
		break;
	case HGW_NC_ERR_INVALID_VALUE:
		err = nc_err(server->ctx, NC_ERR_INVALID_VALUE, type);
		break;
	case HGW_NC_ERR_TOO_BIG:
		err = nc_err(server->ctx, NC_ERR_TOO_BIG, type);
		break;
	case HGW_NC_ERR_MISSING_ATTRIBUTE:
		err = nc_err(server->ctx, NC_ERR_MISSING_ATTR, type, "operation", "config");
		break;
	case HGW_NC_ERR_BAD_ATTRIBUTE:
		err = nc_err(server->ctx, NC_ERR_BAD_ATTR, type, "operation", "config");
		break;
	case HGW_NC_ERR_UNKNOWN_ATTRIBUTE:
		err = nc_err(server->ctx, NC_ERR_UNKNOWN_ATTR, type, "unknown", "config");
		break;
	case HGW_NC_ERR_MISSING_ELEMENT:
		err = nc_err(server->ctx, NC_ERR_MISSING_ELEM, type, "config");
		break;
	case HGW_NC_ERR_BAD_ELEMENT:
		err = nc_err(server->ctx, NC_ERR_BAD_ELEM, type, "config");
		break;
	case HGW_NC_ERR_UNKNOWN_ELEMENT:
		err = nc_err(server->ctx, NC_ERR_UNKNOWN_ELEM, type, "config");
		break;
	case HGW_NC_ERR_UNKNOWN_NAMESPACE:
		err = nc_err(server->ctx, NC_ERR_UNKNOWN_NS, type, "config", "unknown");
		break;
	case HGW_NC_ERR_ACCESS_DENIED:
		err = nc_err(server->ctx, NC_ERR_ACCESS_DENIED, type);
		break;
	case HGW_NC_ERR_LOCK_DENIED:
		err = nc_err(server->ctx, NC_ERR_LOCK_DENIED, sid);
		break;
	case HGW_NC_ERR_RESOURCE_DENIED:
		err = nc_err(server->ctx, NC_ERR_RES_DENIED, type);
		break;
	case HGW_NC_ERR_ROLLBACK_FAILED:
		err = nc_err(server->ctx, NC_ERR_ROLLBACK_FAILED, type);
		break;
	case HGW_NC_ERR_DATA_EXISTS:
		err = nc_err(server->ctx, NC_ERR_DATA_EXISTS);
		break;
	case HGW_NC_ERR_DATA_MISSING:
		err = nc_err(server->ctx, NC_ERR_DATA_MISSING);
		break;
	case HGW_NC_ERR_OPERATION_NOT_SUPPORTED:
		err = nc_err(server->ctx, NC_ERR_OP_NOT_SUPPORTED, type);
		break;
	case HGW_NC_ERR_OPERATION_FAILED:
		err = nc_err(server->ctx, NC_ERR_OP_FAILED, type);
		break;
	case HGW_NC_ERR_MALFORMED_MESSAGE:
		err = nc_err(server->ctx, NC_ERR_MALFORMED_MSG);
		break;
	}
	if (err == NULL)
		return NULL;
	nc_err_set_msg(err, e->message, "en");
	if (e->app_tag != NULL)
		nc_err_set_app_tag(err, e->app_tag);
	if (e->path != NULL)
		nc_err_set_path(err, e->path);
	return err;
}

/* The errors as one reply; clears errs. */
static struct nc_server_reply *error_reply(struct hgw_nc_errors *errs, uint32_t sid)
{
	struct nc_server_reply *reply = NULL;
	struct lyd_node *err;
	size_t i;

	if (errs->n == 0)
		hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, NULL, NULL, "Internal error.");
	for (i = 0; i < errs->n; i++) {
		err = to_nc_err(&errs->v[i], sid);
		if (err == NULL)
			continue;
		if (reply == NULL)
			reply = nc_server_reply_err(err);
		else
			nc_server_reply_add_err(reply, err);
	}
	hgw_nc_errors_clear(errs);
	return reply;
}

static struct nc_server_reply *result_reply(int r, struct hgw_nc_errors *errs)
{
	if (r == 0 && errs->n == 0)
		return nc_server_reply_ok();
	return error_reply(errs, 0);
}

static struct nc_server_reply *fail(enum hgw_nc_tag tag, const char *msg)
{
	struct hgw_nc_errors errs = { 0 };

	hgw_nc_error_add(&errs, tag, NULL, NULL, "%s", msg);
	return error_reply(&errs, 0);
}

/* <rpc-reply><data>tree</data></rpc-reply>; tree is consumed. */
static struct nc_server_reply *data_reply(const struct lyd_node *rpc, struct lyd_node *tree)
{
	struct lyd_node *out = NULL;

	if (lyd_dup_single(rpc, NULL, 0, &out) != LY_SUCCESS ||
	    lyd_new_any(out, NULL, "data", tree, 1, LYD_ANYDATA_DATATREE, 1, NULL) != LY_SUCCESS) {
		lyd_free_all(tree);
		lyd_free_tree(out);
		return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
	}
	return nc_server_reply_data(out, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

/*
 * RPC parameters
 */

/* The datastore named by <target> or <source>: -EINVAL if absent or another kind. */
static int datastore_param(const struct lyd_node *rpc, const char *param, enum hgw_nc_datastore *ds)
{
	static const char *const names[] = { "running", "candidate", "startup" };
	struct lyd_node *p = NULL, *c;
	size_t i;

	if (lyd_find_path(rpc, param, 0, &p) != LY_SUCCESS || (c = lyd_child(p)) == NULL)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (c->schema != NULL && !strcmp(c->schema->name, names[i])) {
			*ds = (enum hgw_nc_datastore)i;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * The XML of an anyxml parameter (<config>), "" if empty.  Printed with
 * LYD_PRINT_KEEPEMPTYCONT: lyd_any_value_str() drops empty containers such as
 * <underlay nc:operation="remove"/>.
 */
static int anyxml_param(const struct lyd_node *rpc, const char *path, char **xml)
{
	const struct lyd_node_any *any;
	struct lyd_node *n = NULL;

	*xml = NULL;
	if (lyd_find_path(rpc, path, 0, &n) != LY_SUCCESS)
		return -ENOENT;
	any = (const struct lyd_node_any *)n;
	if (any->value_type == LYD_ANYDATA_DATATREE) {
		if (any->value.tree != NULL &&
		    lyd_print_mem(xml, any->value.tree, LYD_XML,
				  LYD_PRINT_WITHSIBLINGS | LYD_PRINT_KEEPEMPTYCONT) != LY_SUCCESS)
			return -ENOMEM;
	} else if (lyd_any_value_str(n, xml) != LY_SUCCESS) {
		return -ENOMEM;
	}
	if (*xml == NULL)
		*xml = strdup("");
	return *xml != NULL ? 0 : -ENOMEM;
}

static const char *leaf_param(const struct lyd_node *rpc, const char *name)
{
	struct lyd_node *n = NULL;

	if (lyd_find_path(rpc, name, 0, &n) != LY_SUCCESS)
		return NULL;
	return lyd_get_value(n);
}

static int edit_options(const struct lyd_node *rpc, struct hgw_nc_edit_options *opts)
{
	const char *v;
	enum hgw_nc_op op;

	*opts = HGW_NC_EDIT_DEFAULTS;
	if ((v = leaf_param(rpc, "default-operation")) != NULL) {
		if (hgw_nc_op_from_name(v, &op) < 0)
			return -EINVAL;
		opts->default_op = op;
	}
	if ((v = leaf_param(rpc, "error-option")) != NULL)
		opts->error_option = !strcmp(v, "continue-on-error") ? HGW_NC_CONTINUE_ON_ERROR :
				     !strcmp(v, "rollback-on-error") ? HGW_NC_ROLLBACK_ON_ERROR :
								       HGW_NC_STOP_ON_ERROR;
	if ((v = leaf_param(rpc, "test-option")) != NULL)
		opts->test_option = !strcmp(v, "test-only") ? HGW_NC_TEST_ONLY :
				    !strcmp(v, "set")	    ? HGW_NC_SET :
							      HGW_NC_TEST_THEN_SET;
	return 0;
}

/*
 * Locks (RFC 6241, 7.5 and 7.6)
 */

/* in-use when another session holds the lock of ds. */
static struct nc_server_reply *check_lock(enum hgw_nc_datastore ds, uint32_t sid)
{
	char msg[96];

	if (server->lock_sid[ds] == 0 || server->lock_sid[ds] == sid)
		return NULL;
	snprintf(msg, sizeof(msg), "The %s datastore is locked by session %u.",
		 hgw_nc_datastore_name(ds), server->lock_sid[ds]);
	return fail(HGW_NC_ERR_IN_USE, msg);
}

static void release_locks(uint32_t sid)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(server->lock_sid); i++) {
		if (server->lock_sid[i] != sid)
			continue;
		server->lock_sid[i] = 0;
		/* RFC 6241 8.3.5.2: the candidate of a lock holder that goes is discarded */
		if (i == HGW_NC_CANDIDATE)
			hgw_nc_discard_changes(server->ds, NULL);
		log_info("NETCONF session %u ended holding the %s lock: released", sid,
			 hgw_nc_datastore_name((enum hgw_nc_datastore)i));
	}
}

/*
 * RPC handlers, one per operation
 */

typedef struct nc_server_reply *(*rpc_handler)(struct lyd_node *rpc, uint32_t sid);

static struct lyd_node *select_xpath(const struct lyd_node *tree, const char *xpath, int *err)
{
	struct lyd_node *res = NULL, *dup, *top;
	struct ly_set *set = NULL;
	uint32_t i;

	*err = 0;
	if (tree == NULL)
		return NULL;
	if (lyd_find_xpath(tree, xpath, &set) != LY_SUCCESS) {
		*err = -EINVAL;
		return NULL;
	}
	for (i = 0; i < set->count; i++) {
		if (lyd_dup_single(set->dnodes[i], NULL,
				   LYD_DUP_RECURSIVE | LYD_DUP_WITH_PARENTS | LYD_DUP_WITH_FLAGS,
				   &dup) != LY_SUCCESS)
			continue;
		for (top = dup; lyd_parent(top) != NULL; top = lyd_parent(top))
			;
		lyd_merge_siblings(&res, top, LYD_MERGE_DESTRUCT | LYD_MERGE_WITH_FLAGS);
	}
	ly_set_free(set, NULL);
	return res;
}

/* The tree filtered by the RPC's <filter> (tree is consumed). */
static struct nc_server_reply *filtered_reply(const struct lyd_node *rpc, struct lyd_node *tree)
{
	struct lyd_node *filter = NULL, *res;
	struct lyd_meta *type, *select;
	int err;

	if (lyd_find_path(rpc, "filter", 0, &filter) != LY_SUCCESS)
		return data_reply(rpc, tree);
	type = lyd_find_meta(filter->meta, NULL, "ietf-netconf:type");
	select = lyd_find_meta(filter->meta, NULL, "ietf-netconf:select");
	if (type == NULL || strcmp(lyd_get_meta_value(type), "xpath") != 0) {
		lyd_free_all(tree);
		return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED,
			    "Subtree filters are not implemented yet: use an xpath filter.");
	}
	if (select == NULL) {
		lyd_free_all(tree);
		return fail(HGW_NC_ERR_MISSING_ATTRIBUTE, "An xpath filter needs a select.");
	}
	res = select_xpath(tree, lyd_get_meta_value(select), &err);
	lyd_free_all(tree);
	if (err < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Invalid xpath in the filter.");
	return data_reply(rpc, res);
}

static struct nc_server_reply *dup_reply(const struct lyd_node *rpc, const struct lyd_node *tree)
{
	struct lyd_node *copy = NULL;

	if (tree != NULL && lyd_dup_siblings(tree, NULL, LYD_DUP_RECURSIVE | LYD_DUP_WITH_FLAGS,
					     &copy) != LY_SUCCESS)
		return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
	return filtered_reply(rpc, copy);
}

static struct nc_server_reply *rpc_get_config(struct lyd_node *rpc, uint32_t sid)
{
	enum hgw_nc_datastore ds;

	(void)sid;
	if (datastore_param(rpc, "source", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported source datastore.");
	return dup_reply(rpc, hgw_nc_ds_tree(server->ds, ds));
}

/* Running and the YANG library (YANG 1.1 modules are announced only there). */
static struct nc_server_reply *rpc_get(struct lyd_node *rpc, uint32_t sid)
{
	const struct lyd_node *running = hgw_nc_ds_tree(server->ds, HGW_NC_RUNNING);
	struct lyd_node *tree = NULL, *yanglib = NULL;

	(void)sid;
	if ((running != NULL &&
	     lyd_dup_siblings(running, NULL, LYD_DUP_RECURSIVE | LYD_DUP_WITH_FLAGS, &tree) !=
		     LY_SUCCESS) ||
	    ly_ctx_get_yanglib_data(server->ctx, &yanglib, "%u",
				    ly_ctx_get_change_count(server->ctx)) != LY_SUCCESS) {
		lyd_free_all(tree);
		return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
	}
	lyd_insert_sibling(tree, yanglib, &tree);
	return filtered_reply(rpc, tree);
}

static struct nc_server_reply *rpc_edit_config(struct lyd_node *rpc, uint32_t sid)
{
	struct hgw_nc_errors errs = { 0 };
	struct hgw_nc_edit_options opts;
	struct nc_server_reply *locked;
	enum hgw_nc_datastore ds;
	char *xml;
	int r;

	if (datastore_param(rpc, "target", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	if ((locked = check_lock(ds, sid)) != NULL)
		return locked;
	if (edit_options(rpc, &opts) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Invalid default-operation.");
	if (anyxml_param(rpc, "config", &xml) < 0)
		return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED,
			    "Only inline <config> is supported.");
	r = hgw_nc_edit_config(server->ds, ds, xml, &opts, &errs);
	free(xml);
	return result_reply(r, &errs);
}

static struct nc_server_reply *rpc_copy_config(struct lyd_node *rpc, uint32_t sid)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *locked;
	enum hgw_nc_datastore target, source;
	char *xml;
	int r;

	if (datastore_param(rpc, "target", &target) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	if ((locked = check_lock(target, sid)) != NULL)
		return locked;
	if (datastore_param(rpc, "source", &source) == 0) {
		r = hgw_nc_copy_config(server->ds, target, source, &errs);
	} else if (anyxml_param(rpc, "source/config", &xml) == 0) {
		r = hgw_nc_copy_config_xml(server->ds, target, xml, &errs);
		free(xml);
	} else {
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported source.");
	}
	return result_reply(r, &errs);
}

static struct nc_server_reply *rpc_delete_config(struct lyd_node *rpc, uint32_t sid)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *locked;
	enum hgw_nc_datastore ds;
	int r;

	if (datastore_param(rpc, "target", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	if ((locked = check_lock(ds, sid)) != NULL)
		return locked;
	r = hgw_nc_delete_config(server->ds, ds, &errs);
	return result_reply(r, &errs);
}

static struct nc_server_reply *rpc_validate(struct lyd_node *rpc, uint32_t sid)
{
	struct hgw_nc_errors errs = { 0 };
	enum hgw_nc_datastore ds;
	char *xml;
	int r;

	(void)sid;
	if (datastore_param(rpc, "source", &ds) == 0) {
		r = hgw_nc_validate(server->ds, ds, &errs);
	} else if (anyxml_param(rpc, "source/config", &xml) == 0) {
		r = hgw_nc_validate_xml(server->ds, xml, &errs);
		free(xml);
	} else {
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported source.");
	}
	return result_reply(r, &errs);
}

static struct nc_server_reply *rpc_commit(struct lyd_node *rpc, uint32_t sid)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *locked;
	int r;

	/* <confirmed/> and <persist-id> cannot arrive: the confirmed-commit feature is off */
	(void)rpc;
	if ((locked = check_lock(HGW_NC_RUNNING, sid)) != NULL ||
	    (locked = check_lock(HGW_NC_CANDIDATE, sid)) != NULL)
		return locked;
	r = hgw_nc_commit(server->ds, &errs);
	return result_reply(r, &errs);
}

static struct nc_server_reply *rpc_discard_changes(struct lyd_node *rpc, uint32_t sid)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *locked;

	(void)rpc;
	if ((locked = check_lock(HGW_NC_CANDIDATE, sid)) != NULL)
		return locked;
	return result_reply(hgw_nc_discard_changes(server->ds, &errs), &errs);
}

static struct nc_server_reply *rpc_lock(struct lyd_node *rpc, uint32_t sid)
{
	struct hgw_nc_errors errs = { 0 };
	enum hgw_nc_datastore ds;
	uint32_t holder;

	if (datastore_param(rpc, "target", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	holder = server->lock_sid[ds];
	if (holder != 0) {
		hgw_nc_error_add(&errs, HGW_NC_ERR_LOCK_DENIED, NULL, NULL,
				 "The %s datastore is already locked by session %u.",
				 hgw_nc_datastore_name(ds), holder);
		return error_reply(&errs, holder);
	}
	if (ds == HGW_NC_CANDIDATE && hgw_nc_candidate_modified(server->ds)) {
		hgw_nc_error_add(&errs, HGW_NC_ERR_LOCK_DENIED, NULL, NULL,
				 "The candidate has uncommitted changes: commit or discard them "
				 "first.");
		return error_reply(&errs, 0);
	}
	server->lock_sid[ds] = sid;
	return nc_server_reply_ok();
}

static struct nc_server_reply *rpc_unlock(struct lyd_node *rpc, uint32_t sid)
{
	enum hgw_nc_datastore ds;

	if (datastore_param(rpc, "target", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	if (server->lock_sid[ds] != sid)
		return fail(HGW_NC_ERR_OPERATION_FAILED,
			    "This session does not hold the lock of that datastore.");
	server->lock_sid[ds] = 0;
	return nc_server_reply_ok();
}

static struct nc_server_reply *rpc_not_yet(struct lyd_node *rpc, uint32_t sid)
{
	char msg[160];

	(void)sid;
	snprintf(msg, sizeof(msg), "%s is not implemented yet.", LYD_NAME(rpc));
	return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED, msg);
}

static const struct {
	const char *module;
	const char *name;
	rpc_handler handler;
} rpc_handlers[] = {
	{ "ietf-netconf", "get-config", rpc_get_config },
	{ "ietf-netconf", "get", rpc_get },
	{ "ietf-netconf", "edit-config", rpc_edit_config },
	{ "ietf-netconf", "copy-config", rpc_copy_config },
	{ "ietf-netconf", "delete-config", rpc_delete_config },
	{ "ietf-netconf", "validate", rpc_validate },
	{ "ietf-netconf", "commit", rpc_commit },
	{ "ietf-netconf", "discard-changes", rpc_discard_changes },
	{ "ietf-netconf", "lock", rpc_lock },
	{ "ietf-netconf", "unlock", rpc_unlock },
	{ "ietf-netconf", "kill-session", rpc_not_yet },
	{ "ietf-netconf", "cancel-commit", rpc_not_yet },
	{ HGW_NC_MODULE, "reset-connection", rpc_not_yet },
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct nc_server_reply *on_rpc(struct lyd_node *rpc, struct nc_session *session)
{
	uint32_t sid = nc_session_get_id(session);
	rpc_handler handler = rpc_not_yet;
	struct nc_server_reply *reply;
	uint64_t start = now_usec();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rpc_handlers); i++)
		if (rpc->schema != NULL && !strcmp(rpc->schema->name, rpc_handlers[i].name) &&
		    !strcmp(rpc->schema->module->name, rpc_handlers[i].module))
			handler = rpc_handlers[i].handler;
	reply = handler(rpc, sid);
	/* server-side latency: what a client library adds is not ours */
	log_debug("NETCONF session %u: %s handled in %llu us", sid, LYD_NAME(rpc),
		  (unsigned long long)(now_usec() - start));
	return reply;
}

/*
 * Sessions
 */

static void client_free(struct client *c)
{
	struct client **p;

	if (c == NULL)
		return;
	for (p = &c->nc->clients; *p != NULL; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			c->nc->nclients--;
			break;
		}
	}
	if (c->session != NULL) {
		release_locks(c->sid);
		log_info("NETCONF session %u of %s closed", c->sid, c->user);
		if (c->ps != NULL)
			nc_ps_del_session(c->ps, c->session);
		/* libnetconf2 leaves the descriptors of nc_accept_inout() to their owner */
		nc_session_free(c->session, NULL);
	}
	nc_ps_free(c->ps);
	sd_event_source_disable_unref(c->source);
	sd_event_source_disable_unref(c->timer);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static int on_client_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct client *c = userdata;
	struct nc_session *s = NULL;
	int i, r;

	(void)source;
	(void)fd;
	(void)revents;
	for (i = 0; i < RPCS_PER_EVENT; i++) {
		r = nc_ps_poll(c->ps, 0, &s);
		if (r & (NC_PSPOLL_SESSION_TERM | NC_PSPOLL_SESSION_ERROR | NC_PSPOLL_ERROR |
			 NC_PSPOLL_NOSESSIONS)) {
			client_free(c);
			return 0;
		}
		if (r & NC_PSPOLL_TIMEOUT)
			break;
	}
	return 0;
}

static void peer_name(int fd, char *buf, size_t size)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct passwd pw, *res = NULL;
	char pwbuf[1024];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		snprintf(buf, size, "unknown");
		return;
	}
	if (getpwuid_r(cred.uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res != NULL)
		snprintf(buf, size, "%s", pw.pw_name);
	else
		snprintf(buf, size, "uid%u", (unsigned)cred.uid);
}

static int on_hello_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct client *c = userdata;

	(void)source;
	(void)usec;
	log_info("NETCONF: no <hello> from a client of %s within %d s, dropped", c->user,
		 HELLO_TIMEOUT_S);
	client_free(c);
	return 0;
}

/*
 * The client's <hello> has started to arrive: only now does nc_accept_inout() run (it
 * sends ours and reads theirs), so a silent client never holds up the loop.  RFC 6241 8.1
 * has both peers send <hello> at once; a client that waits for ours first is dropped by
 * the timer.
 */
static int on_client_hello(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct client *c = userdata;
	int r;

	(void)source;
	(void)fd;
	(void)revents;
	c->timer = sd_event_source_disable_unref(c->timer);
	c->source = sd_event_source_disable_unref(c->source);
	if (nc_accept_inout(c->fd, c->fd, c->user, &c->session) != NC_MSG_HELLO) {
		log_info("NETCONF: no valid <hello> from a client of %s", c->user);
		c->session = NULL;
		client_free(c);
		return 0;
	}
	c->sid = nc_session_get_id(c->session);
	c->ps = nc_ps_new();
	r = c->ps != NULL ? nc_ps_add_session(c->ps, c->session) : -ENOMEM;
	if (r == 0)
		r = sd_event_add_io(c->nc->event, &c->source, c->fd, EPOLLIN, on_client_io, c);
	if (r < 0) {
		client_free(c);
		return 0;
	}
	log_info("NETCONF session %u of %s opened", c->sid, c->user);
	/* an RPC may have come with the hello */
	return on_client_io(c->source, c->fd, EPOLLIN, c);
}

static int on_accept(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct netconf *nc = userdata;
	struct client *c;
	int cfd, r;

	(void)source;
	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	if (nc->nclients >= MAX_SESSIONS) {
		log_warn("NETCONF: %u sessions already, refusing another", nc->nclients);
		close(cfd);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(cfd);
		return 0;
	}
	c->nc = nc;
	c->fd = cfd;
	c->next = nc->clients;
	nc->clients = c;
	nc->nclients++;
	peer_name(cfd, c->user, sizeof(c->user));
	r = sd_event_add_io(nc->event, &c->source, cfd, EPOLLIN, on_client_hello, c);
	if (r == 0)
		r = sd_event_add_time_relative(nc->event, &c->timer, CLOCK_MONOTONIC,
					       HELLO_TIMEOUT_S * 1000000ULL, 0, on_hello_timeout,
					       c);
	if (r < 0)
		client_free(c);
	return 0;
}

/*
 * Setup
 */

static int listen_unix(struct netconf *nc)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", nc->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_err_errno(errno, "cannot create the NETCONF socket");
	/* the control socket's liveness check already refused to start next to a live daemon */
	unlink(nc->path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(nc->path, 0660) < 0 ||
	    listen(fd, 16) < 0) {
		close(fd);
		return log_err_errno(errno, "cannot listen on %s", nc->path);
	}
	nc->listen_fd = fd;
	return sd_event_add_io(nc->event, &nc->listen_source, fd, EPOLLIN, on_accept, nc);
}

/* The daemon has no coordinator yet (issue 7): every valid configuration is accepted. */
static int apply_config(const struct lyd_node *from, const struct lyd_node *to,
			struct hgw_nc_errors *errs, void *userdata)
{
	(void)from;
	(void)to;
	(void)errs;
	(void)userdata;
	log_info("configuration committed (no coordinator yet: nothing applied)");
	return 0;
}

static int load_startup(struct netconf *nc, const struct hgwd_options *opts)
{
	struct hgw_nc_ds_options dso = { .ctx = nc->ctx, .apply = apply_config };
	struct hgw_nc_errors errs = { 0 };
	char path[4096];
	size_t i;
	int r;

	snprintf(path, sizeof(path), "%s/startup.xml", opts->config_dir);
	dso.startup_path = path;
	r = hgw_nc_ds_new(&dso, &nc->ds, &errs);
	if (r == 0)
		r = hgw_nc_copy_config(nc->ds, HGW_NC_RUNNING, HGW_NC_STARTUP, &errs);
	for (i = 0; i < errs.n; i++)
		log_err("%s: %s%s%s", path, errs.v[i].message, errs.v[i].path != NULL ? " at " : "",
			errs.v[i].path != NULL ? errs.v[i].path : "");
	hgw_nc_errors_clear(&errs);
	if (r < 0)
		log_err("cannot use the startup configuration %s: fix or remove it", path);
	return r;
}

int netconf_new(sd_event *event, const struct hgwd_options *opts, struct netconf **ret)
{
	const char *yang_dir = getenv("HYBRIDGWD_YANG_DIR");
	struct lysc_node *schema;
	struct netconf *nc;
	int r;

	*ret = NULL;
	if (server != NULL)
		return -EBUSY;
	nc = calloc(1, sizeof(*nc));
	if (nc == NULL)
		return log_err_errno(ENOMEM, "cannot start the NETCONF server");
	nc->listen_fd = -1;
	nc->event = sd_event_ref(event);
	server = nc;
	if (snprintf(nc->path, sizeof(nc->path), "%s/%s", opts->state_dir,
		     HGWD_NETCONF_SOCKET_NAME) >= (int)sizeof(nc->path)) {
		r = log_err_errno(ENAMETOOLONG, "NETCONF socket path in %s", opts->state_dir);
		goto fail;
	}
	r = hgw_nc_ctx_new(yang_dir, NULL, &nc->ctx);
	if (r < 0) {
		log_err("cannot load the YANG modules: install hybridgw's yang/ or set "
			"HYBRIDGWD_YANG_DIR");
		goto fail;
	}
	if (ly_ctx_load_module(nc->ctx, "ietf-netconf-with-defaults", NULL, NULL) == NULL ||
	    ly_ctx_load_module(nc->ctx, "ietf-netconf-monitoring", NULL, NULL) == NULL) {
		r = -ENOENT;
		log_err("cannot load ietf-netconf-with-defaults and -monitoring: apt-get install "
			"libyuma-base");
		goto fail;
	}
	if ((r = load_startup(nc, opts)) < 0)
		goto fail;
	/* libnetconf2 2.0.24's own get-schema answers garbage bytes: refuse it until ours
	 * exists.  Set before nc_server_init(), which leaves a callback that is set alone. */
	schema = (struct lysc_node *)(uintptr_t)lys_find_path(
		nc->ctx, NULL, "/ietf-netconf-monitoring:get-schema", 0);
	if (schema != NULL)
		nc_set_rpc_callback(schema, on_rpc);
	if (nc_server_init(nc->ctx) != 0) {
		r = log_err_errno(ENOMEM, "cannot initialise libnetconf2");
		goto fail;
	}
	nc->initialized = true;
	nc_server_set_capab_withdefaults(NC_WD_EXPLICIT, 0);
	nc_server_set_hello_timeout(HELLO_TIMEOUT_S);
	nc_set_global_rpc_clb(on_rpc);
	if ((r = listen_unix(nc)) < 0)
		goto fail;
	log_info("NETCONF listening on %s", nc->path);
	*ret = nc;
	return 0;
fail:
	netconf_free(nc);
	return r;
}

void netconf_free(struct netconf *nc)
{
	if (nc == NULL)
		return;
	while (nc->clients != NULL)
		client_free(nc->clients);
	sd_event_source_disable_unref(nc->listen_source);
	if (nc->listen_fd >= 0) {
		close(nc->listen_fd);
		unlink(nc->path);
	}
	hgw_nc_ds_free(nc->ds);
	if (nc->initialized)
		nc_server_destroy();
	if (nc->ctx != NULL)
		ly_ctx_destroy(nc->ctx);
	sd_event_unref(nc->event);
	if (server == nc)
		server = NULL;
	free(nc);
}
