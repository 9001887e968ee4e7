/*
 * netconf.c - the NETCONF server on the unix socket; see netconf.h for the design.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "nc/nc_acm.h"
#include "nc/nc_notif.h"
#include "nc/nc_store.h"
#include "netconf.h"
#include "netconf_monitor.h"
#include "netconf_shield.h"
#include "util.h"

#define MAX_SESSIONS 16
/* A first configuration that could not be applied (charon or FRR not up) is retried. */
#define CONFIG_RETRY_USEC (5 * 1000000ULL)
#define HELLO_TIMEOUT_S 10
/* RPCs handled per readable event, so that one busy client cannot starve the loop. */
#define RPCS_PER_EVENT 8
/*
 * How long a notification may wait for a client's socket before that client misses it.
 * libnetconf2 writes synchronously, but to the shield's socketpair, whose buffer takes any
 * notification at once (netconf_shield.h): this bounds the loop's wait should it not.
 */
#define NOTIF_SEND_TIMEOUT_MS 50
/*
 * Output a subscriber may leave unread before it loses its session: during a failover
 * storm a client that stopped reading must cost memory only up to here.
 */
#define NOTIF_BACKLOG_MAX ((size_t)16 << 20)
/*
 * RFC 5277's notifications and nc-notifications are not in yuma's ietf/ directory, and
 * notifications imports yuma-ncx (for an extension) from netconfcentral/.
 */
#define IETF_DERIVED_YANG_DIR "/usr/share/yuma/modules/ietf-derived"
#define NETCONFCENTRAL_YANG_DIR "/usr/share/yuma/modules/netconfcentral"

struct client {
	struct netconf *nc;
	struct nc_session *session;
	struct nc_pollsession *ps;
	sd_event_source *source;  /* the socket: waiting for <hello>, then for RPCs */
	sd_event_source *timer;	  /* <hello> timeout */
	struct nc_shield *shield; /* between the client's socket and fd */
	int fd;			  /* libnetconf2's end of the shield */
	bool throttled;		  /* the client's output backlog is full: its RPCs wait */
	uint32_t sid;
	uid_t uid;
	enum hgw_nc_role role;
	bool subscribed; /* to the NETCONF stream */
	char user[64];
	pid_t pid;	      /* the peer process (SO_PEERCRED) */
	bool ssh;	      /* the peer is the SSH subsystem relay */
	char source_host[64]; /* over SSH: the client's address; "" otherwise */
	time_t login;	      /* when its <hello> was accepted */
	struct nc_mon_counters counters;
	struct client *next;
};

/*
 * A confirmed commit waiting for its confirmation (RFC 6241 8.4).  rollback is running as
 * it was before the first confirmed commit of the series (NULL: empty), which a timeout,
 * a cancel-commit or the loss of the issuing session restores.
 */
struct confirm {
	bool pending;
	struct lyd_node *rollback;
	uint32_t sid;	  /* the issuing session; 0 once persist made it outlive it */
	char *persist_id; /* NULL: without persist */
	sd_event_source *timer;
};

/*
 * A notification waiting to be sent.  Sending happens after the RPC being handled has
 * been answered (a commit's netconf-config-change must not write into the session whose
 * reply libnetconf2 is still producing), from a defer source of the loop.
 */
struct notif {
	struct lyd_node *tree[2]; /* [0] for admin, [1] for operator; NULL: nothing to send */
	char *eventtime;
	struct notif *next;
};

struct netconf {
	sd_event *event;
	hgw_nc_apply_fn apply; /* the coordinator's; NULL: accept every configuration */
	void *apply_data;
	netconf_state_fn state; /* the coordinator's; NULL: no state data */
	void *state_data;
	netconf_action_fn action; /* the coordinator's; NULL: the model's RPCs are refused */
	void *action_data;
	sd_event_source *listen_source;
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ly_ctx *ctx;
	struct hgw_nc_ds *ds;
	uint32_t lock_sid[3]; /* by enum hgw_nc_datastore; 0: unlocked */
	time_t lock_time[3];
	/* ietf-netconf-monitoring's statistics (netconf_monitor.h) */
	time_t start;
	uint32_t in_bad_hellos, in_sessions, dropped_sessions;
	struct nc_mon_counters totals;
	char users_path[4096];
	char running_path[4096];       /* <state_dir>/running.xml: survives a restart, not a boot */
	sd_event_source *config_retry; /* the first configuration could not be applied yet */
	struct confirm confirm;
	struct client *actor;	/* whose RPC is being handled; NULL: the server's own doing */
	struct notif *notifs;	/* queued, oldest first */
	sd_event_source *flush; /* defer source that sends them */
	sd_event_source *hook_source;
	int hook_fd;
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
	if (e->message != NULL) /* NULL only after scrub_errors() ran out of memory */
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

/*
 * libnetconf2's own messages (a session's transport failed, a message it could not parse)
 * go to our log, not to stderr.  They are about clients, not the daemon: info at most.  A
 * message may quote what a client sent, which may be a key not yet in any datastore, so
 * nothing from its first quote on is logged.
 */
static void on_lnc2_print(const struct nc_session *session, NC_VERB_LEVEL level, const char *msg)
{
	size_t n = strcspn(msg, "\"'");

	if (level > NC_VERB_WARNING)
		return;
	log_info("libnetconf2: session %u: %.*s%s",
		 session != NULL ? nc_session_get_id(session) : 0, (int)n, msg,
		 msg[n] != '\0' ? "... (the rest may quote client data: withheld)" : "");
}

/* Whether text quotes a secret of any datastore. */
static bool mentions_secret(const char *text)
{
	static const enum hgw_nc_datastore all[] = { HGW_NC_RUNNING, HGW_NC_CANDIDATE,
						     HGW_NC_STARTUP };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		if (hgw_nc_acm_mentions_secret(hgw_nc_ds_tree(server->ds, all[i]), text))
			return true;
	return false;
}

/*
 * The second line of defence (nc_acm.h): an error for a role that may not read the keys
 * loses any message or path that quotes one.
 */
static void scrub_errors(const struct client *c, struct hgw_nc_errors *errs)
{
	struct hgw_nc_error *e;
	size_t i;

	if (c->role == HGW_NC_ROLE_ADMIN)
		return;
	for (i = 0; i < errs->n; i++) {
		e = &errs->v[i];
		if (mentions_secret(e->path)) {
			free(e->path);
			e->path = NULL;
		}
		if (mentions_secret(e->message)) {
			free(e->message);
			e->message = strdup("The error concerns data your role may not read.");
		}
	}
}

static struct nc_server_reply *result_reply(const struct client *c, int r,
					    struct hgw_nc_errors *errs)
{
	if (r == 0 && errs->n == 0)
		return nc_server_reply_ok();
	scrub_errors(c, errs);
	return error_reply(errs, 0);
}

static struct nc_server_reply *fail(enum hgw_nc_tag tag, const char *msg)
{
	struct hgw_nc_errors errs = { 0 };

	hgw_nc_error_add(&errs, tag, NULL, NULL, "%s", msg);
	return error_reply(&errs, 0);
}

/* RFC 8341 3.4.4: an operation the role may not use is refused with access-denied. */
static struct nc_server_reply *denied(const struct lyd_node *rpc, const struct client *c)
{
	struct lyd_node *err = nc_err(server->ctx, NC_ERR_ACCESS_DENIED, NC_ERR_TYPE_PROT);
	char msg[160];

	snprintf(msg, sizeof(msg), "The %s role may not use %s.", hgw_nc_role_name(c->role),
		 LYD_NAME(rpc));
	log_info("NETCONF session %u of %s: %s denied (role %s)", c->sid, c->user, LYD_NAME(rpc),
		 hgw_nc_role_name(c->role));
	if (err == NULL)
		return fail(HGW_NC_ERR_ACCESS_DENIED, msg);
	nc_err_set_msg(err, msg, "en");
	return nc_server_reply_err(err);
}

/* <rpc-reply><data>tree</data></rpc-reply>; tree is consumed. */
/* RFC 6243: the <with-defaults> of <get> or <get-config>; explicit, the basic mode, if absent. */
static NC_WD_MODE wd_param(const struct lyd_node *rpc)
{
	static const struct {
		const char *name;
		NC_WD_MODE mode;
	} modes[] = {
		{ "report-all", NC_WD_ALL },
		{ "report-all-tagged", NC_WD_ALL_TAG },
		{ "trim", NC_WD_TRIM },
	};
	struct lyd_node *n = NULL;
	size_t i;

	if (lyd_find_path(rpc, "ietf-netconf-with-defaults:with-defaults", 0, &n) != LY_SUCCESS)
		return NC_WD_EXPLICIT;
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(lyd_get_value(n), modes[i].name))
			return modes[i].mode;
	return NC_WD_EXPLICIT;
}

/* libnetconf2 prints the reply in the with-defaults mode, from the nodes' default flags. */
static struct nc_server_reply *data_reply(const struct lyd_node *rpc, struct lyd_node *tree)
{
	struct lyd_node *out = NULL;

	if (lyd_dup_single(rpc, NULL, 0, &out) != LY_SUCCESS ||
	    lyd_new_any(out, NULL, "data", tree, 1, LYD_ANYDATA_DATATREE, 1, NULL) != LY_SUCCESS) {
		lyd_free_all(tree);
		lyd_free_tree(out);
		return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
	}
	return nc_server_reply_data(out, wd_param(rpc), NC_PARAMTYPE_FREE);
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
 * Notifications (RFC 5277: the NETCONF stream, no replay)
 */

static bool any_subscriber(void)
{
	const struct client *c;

	for (c = server->clients; c != NULL; c = c->next)
		if (c->subscribed)
			return true;
	return false;
}

static void notif_free(struct notif *n)
{
	if (n == NULL)
		return;
	lyd_free_tree(n->tree[0]);
	lyd_free_tree(n->tree[1]);
	free(n->eventtime);
	free(n);
}

static void client_free(struct client *c);

static void send_notif(const struct notif *n)
{
	struct nc_server_notif *msg;
	struct lyd_node *tree;
	struct client *c, *next;

	for (c = server->clients; c != NULL; c = next) {
		next = c->next;
		tree = n->tree[c->role == HGW_NC_ROLE_ADMIN ? 0 : 1];
		if (!c->subscribed || tree == NULL)
			continue;
		if (nc_shield_backlog(c->shield) > NOTIF_BACKLOG_MAX) {
			log_notice("NETCONF session %u of %s: %zu bytes of notifications unread, "
				   "session closed",
				   c->sid, c->user, nc_shield_backlog(c->shield));
			client_free(c); /* counted as dropped there */
			continue;
		}
		msg = nc_server_notif_new(tree, n->eventtime, NC_PARAMTYPE_CONST);
		if (msg == NULL)
			continue;
		if (nc_server_notif_send(c->session, msg, NOTIF_SEND_TIMEOUT_MS) == NC_MSG_NOTIF) {
			c->counters.out_notifications++;
			c->nc->totals.out_notifications++;
		} else {
			log_info("NETCONF session %u of %s missed a %s notification", c->sid,
				 c->user, LYD_NAME(tree));
		}
		nc_server_notif_free(msg);
	}
}

static int on_flush(sd_event_source *source, void *userdata)
{
	struct netconf *nc = userdata;
	struct notif *n;

	(void)source;
	while ((n = nc->notifs) != NULL) {
		nc->notifs = n->next;
		send_notif(n);
		notif_free(n);
	}
	return 0;
}

/*
 * Queue an event for the subscribers.  full is what admin sessions get; restricted what
 * operator sessions get (NULL: full without what they may not read).  Both are consumed.
 */
static int queue_notif(struct lyd_node *full, struct lyd_node *restricted)
{
	bool derive = restricted == NULL;
	struct timespec now;
	struct notif *n, **tail;

	if (full == NULL || !any_subscriber()) {
		lyd_free_tree(full);
		lyd_free_tree(restricted);
		return 0;
	}
	n = calloc(1, sizeof(*n));
	clock_gettime(CLOCK_REALTIME, &now);
	if (n == NULL || ly_time_ts2str(&now, &n->eventtime) != LY_SUCCESS ||
	    (derive && lyd_dup_single(full, NULL, LYD_DUP_RECURSIVE, &restricted) != LY_SUCCESS)) {
		if (n != NULL)
			free(n->eventtime);
		free(n);
		lyd_free_tree(full);
		lyd_free_tree(restricted);
		return -ENOMEM;
	}
	if (derive)
		hgw_nc_acm_strip(&restricted);
	n->tree[0] = full;
	n->tree[1] = restricted;
	for (tail = &server->notifs; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = n;
	return sd_event_source_set_enabled(server->flush, SD_EVENT_ONESHOT);
}

/* netconf-config-change, for admins with every edit, for operators without the keys'. */
static void notify_config_change(const struct lyd_node *from, const struct lyd_node *to)
{
	const struct client *by = server->actor;
	struct lyd_node *full = NULL, *restricted = NULL;
	const char *user = by != NULL ? by->user : NULL;
	uint32_t sid = by != NULL ? by->sid : 0;

	if (!any_subscriber())
		return;
	if (hgw_nc_notif_config_change(server->ctx, from, to, user, sid, false, &full) < 0 ||
	    hgw_nc_notif_config_change(server->ctx, from, to, user, sid, true, &restricted) < 0) {
		lyd_free_tree(full);
		log_warn("cannot build a netconf-config-change notification: subscribers miss it");
		return;
	}
	queue_notif(full, restricted);
}

/*
 * A notification of the model: r is what building it returned (-EINVAL: a value the
 * model refuses), event the tree (consumed).
 */
static int notify(int r, struct lyd_node *event, const char *what)
{
	if (r == 0 && (r = queue_notif(event, NULL)) == 0)
		return 0;
	log_warn("NETCONF %s notification not sent: %s", what,
		 r == -EINVAL ? "a value does not fit yang/hybridgw.yang" : strerror(-r));
	return r;
}

int netconf_notify_tunnel(struct netconf *nc, const char *connection, const char *gateway,
			  const char *state, const char *reason)
{
	struct lyd_node *event = NULL;
	int r;

	if (nc == NULL)
		return 0;
	r = hgw_nc_notif_tunnel(nc->ctx, connection, gateway, state, reason, &event);
	return notify(r, event, "tunnel-state-change");
}

int netconf_notify_bgp_peer(struct netconf *nc, const char *peer_address, const char *path_class,
			    const char *path, const char *old_state, const char *new_state)
{
	struct lyd_node *event = NULL;
	int r;

	if (nc == NULL)
		return 0;
	r = hgw_nc_notif_bgp_peer(nc->ctx, peer_address, path_class, path, old_state, new_state,
				  &event);
	return notify(r, event, "bgp-peer-state-change");
}

int netconf_notify_path_switch(struct netconf *nc, const char *from_path, const char *to_path,
			       const char *reason, uint64_t duration_us)
{
	struct lyd_node *event = NULL;
	int r;

	if (nc == NULL)
		return 0;
	r = hgw_nc_notif_path_switch(nc->ctx, from_path, to_path, reason, duration_us, &event);
	return notify(r, event, "path-switch");
}

/*
 * RPC handlers, one per operation
 */

typedef struct nc_server_reply *(*rpc_handler)(struct lyd_node *rpc, struct client *c);

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

/*
 * For report-all: only running is validated, so only it holds its default nodes; the
 * other datastores get theirs here, before a filter may select them.  Only hybridgw's:
 * the defaults of ietf-netconf-acm (which validation adds to running) would claim a NACM
 * configuration this server does not have.
 */
static int add_defaults(struct lyd_node **tree)
{
	const struct lys_module *hgw = ly_ctx_get_module_implemented(server->ctx, HGW_NC_MODULE);
	struct lyd_node *n, *next;

	LY_LIST_FOR_SAFE(*tree, next, n)
	{
		if ((n->flags & LYD_DEFAULT) && lyd_owner_module(n) != hgw) {
			if (n == *tree)
				*tree = next;
			lyd_free_tree(n);
		}
	}
	if (lyd_new_implicit_module(tree, hgw, LYD_IMPLICIT_NO_STATE, NULL) != LY_SUCCESS)
		return -ENOMEM;
	return 0;
}

/*
 * The xpath of a subtree filter (RFC 6241 6), NULL when it selects nothing; its content is
 * the anyxml's value, as libyang parsed it.
 */
static int subtree_xpath(const struct lyd_node *filter, char **xpath)
{
	const struct lyd_node_any *any = (const struct lyd_node_any *)filter;

	*xpath = NULL;
	if (any->value_type == LYD_ANYDATA_DATATREE)
		return hgw_nc_subtree_xpath(server->ctx, any->value.tree, xpath);
	if (any->value.str == NULL || strspn(any->value.str, " \t\r\n") == strlen(any->value.str))
		return 0;
	return -EOPNOTSUPP; /* libyang hands XML as a tree: not seen */
}

/* The tree filtered by the RPC's <filter> (tree is consumed). */
static struct nc_server_reply *filtered_reply(const struct lyd_node *rpc, struct lyd_node *tree)
{
	struct lyd_node *filter = NULL, *res;
	struct lyd_meta *type, *select;
	NC_WD_MODE wd = wd_param(rpc);
	char *xpath = NULL;
	int err;

	if ((wd == NC_WD_ALL || wd == NC_WD_ALL_TAG) && add_defaults(&tree) < 0) {
		lyd_free_all(tree);
		return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
	}
	if (lyd_find_path(rpc, "filter", 0, &filter) != LY_SUCCESS)
		return data_reply(rpc, tree);
	type = lyd_find_meta(filter->meta, NULL, "ietf-netconf:type");
	select = lyd_find_meta(filter->meta, NULL, "ietf-netconf:select");
	if (type == NULL || strcmp(lyd_get_meta_value(type), "xpath") != 0) {
		/* subtree, the default type */
		err = subtree_xpath(filter, &xpath);
		if (err < 0) {
			lyd_free_all(tree);
			if (err == -EINVAL)
				return fail(HGW_NC_ERR_INVALID_VALUE,
					    "A value in the subtree filter holds both ' and \".");
			if (err == -EOPNOTSUPP)
				return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED,
					    "This subtree filter cannot be read.");
			return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
		}
		res = xpath != NULL ? select_xpath(tree, xpath, &err) : NULL;
		free(xpath);
		lyd_free_all(tree);
		if (err < 0)
			return fail(HGW_NC_ERR_OPERATION_FAILED,
				    "Cannot apply the subtree filter.");
		return data_reply(rpc, res);
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

/* What the client's role may not read goes before any filter sees the tree. */
static void hide(const struct client *c, struct lyd_node **tree)
{
	if (c->role != HGW_NC_ROLE_ADMIN)
		hgw_nc_acm_strip(tree);
}

static struct nc_server_reply *dup_reply(const struct lyd_node *rpc, const struct lyd_node *tree,
					 const struct client *c)
{
	struct lyd_node *copy = NULL;

	if (tree != NULL && lyd_dup_siblings(tree, NULL, LYD_DUP_RECURSIVE | LYD_DUP_WITH_FLAGS,
					     &copy) != LY_SUCCESS)
		return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
	hide(c, &copy);
	return filtered_reply(rpc, copy);
}

static struct nc_server_reply *rpc_get_config(struct lyd_node *rpc, struct client *c)
{
	enum hgw_nc_datastore ds;

	if (datastore_param(rpc, "source", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported source datastore.");
	return dup_reply(rpc, hgw_nc_ds_tree(server->ds, ds), c);
}

/* Running and the daemon's state, as the admin role sees them. */
static int operational(struct netconf *nc, struct lyd_node **tree)
{
	const struct lyd_node *running = hgw_nc_ds_tree(nc->ds, HGW_NC_RUNNING);
	int r;

	*tree = NULL;
	if (running != NULL &&
	    lyd_dup_siblings(running, NULL, LYD_DUP_RECURSIVE | LYD_DUP_WITH_FLAGS, tree) !=
		    LY_SUCCESS)
		return -ENOMEM;
	if (nc->state == NULL)
		return 0;
	r = nc->state(nc->ctx, tree, nc->state_data);
	if (r < 0)
		log_warn_errno(r, "NETCONF: state data incomplete");
	return 0;
}

/* ietf-netconf-monitoring (RFC 6022): the server's own state, added to tree. */
static int monitoring(struct lyd_node **tree)
{
	struct nc_mon_session *sessions = calloc(server->nclients + 1, sizeof(*sessions));
	const char **caps = nc_server_get_cpblts(server->ctx);
	struct nc_mon m = {
		.start = server->start,
		.capabilities = caps,
		.sessions = sessions,
		.in_bad_hellos = server->in_bad_hellos,
		.in_sessions = server->in_sessions,
		.dropped_sessions = server->dropped_sessions,
		.totals = server->totals,
	};
	int r = -ENOMEM;

	if (sessions != NULL && caps != NULL) {
		for (const struct client *c = server->clients; c != NULL; c = c->next) {
			if (c->session == NULL)
				continue; /* no <hello> yet */
			sessions[m.n_sessions++] = (struct nc_mon_session){
				.sid = c->sid,
				.transport = netconf_monitor_transport(c->ssh),
				.username = c->user,
				.source_host = c->source_host[0] != '\0' ? c->source_host : NULL,
				.login = c->login,
				.counters = c->counters,
			};
		}
		for (int i = 0; i < NC_MON_DATASTORES; i++) {
			m.lock_sid[i] = server->lock_sid[i];
			m.lock_time[i] = server->lock_time[i];
		}
		r = netconf_monitor_state(server->ctx, &m, tree);
	}
	for (size_t i = 0; caps != NULL && caps[i] != NULL; i++)
		lydict_remove(server->ctx, caps[i]);
	free(caps);
	free(sessions);
	return r;
}

/* Running, the daemon's state, and the YANG library (YANG 1.1 modules are announced only there). */
static struct nc_server_reply *rpc_get(struct lyd_node *rpc, struct client *c)
{
	struct lyd_node *tree = NULL, *yanglib = NULL;

	if (operational(server, &tree) < 0 ||
	    ly_ctx_get_yanglib_data(server->ctx, &yanglib, "%u",
				    ly_ctx_get_change_count(server->ctx)) != LY_SUCCESS) {
		lyd_free_all(tree);
		return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
	}
	if (monitoring(&tree) < 0)
		log_warn("NETCONF: ietf-netconf-monitoring state incomplete");
	hide(c, &tree);
	lyd_insert_sibling(tree, yanglib, &tree);
	return filtered_reply(rpc, tree);
}

void netconf_set_state(struct netconf *nc, netconf_state_fn fn, void *userdata)
{
	if (nc == NULL)
		return;
	nc->state = fn;
	nc->state_data = userdata;
}

int netconf_operational(struct netconf *nc, struct lyd_node **tree)
{
	return operational(nc, tree);
}

static struct nc_server_reply *rpc_edit_config(struct lyd_node *rpc, struct client *c)
{
	struct hgw_nc_errors errs = { 0 };
	struct hgw_nc_edit_options opts;
	struct nc_server_reply *locked;
	enum hgw_nc_datastore ds;
	char *xml;
	int r;

	if (datastore_param(rpc, "target", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	if ((locked = check_lock(ds, c->sid)) != NULL)
		return locked;
	if (edit_options(rpc, &opts) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Invalid default-operation.");
	if (anyxml_param(rpc, "config", &xml) < 0)
		return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED,
			    "Only inline <config> is supported.");
	r = hgw_nc_edit_config(server->ds, ds, xml, &opts, &errs);
	free(xml);
	return result_reply(c, r, &errs);
}

static struct nc_server_reply *rpc_copy_config(struct lyd_node *rpc, struct client *c)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *locked;
	enum hgw_nc_datastore target, source;
	char *xml;
	int r;

	if (datastore_param(rpc, "target", &target) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	if ((locked = check_lock(target, c->sid)) != NULL)
		return locked;
	if (datastore_param(rpc, "source", &source) == 0) {
		r = hgw_nc_copy_config(server->ds, target, source, &errs);
	} else if (anyxml_param(rpc, "source/config", &xml) == 0) {
		r = hgw_nc_copy_config_xml(server->ds, target, xml, &errs);
		free(xml);
	} else {
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported source.");
	}
	return result_reply(c, r, &errs);
}

static struct nc_server_reply *rpc_delete_config(struct lyd_node *rpc, struct client *c)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *locked;
	enum hgw_nc_datastore ds;
	int r;

	if (datastore_param(rpc, "target", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	if ((locked = check_lock(ds, c->sid)) != NULL)
		return locked;
	r = hgw_nc_delete_config(server->ds, ds, &errs);
	return result_reply(c, r, &errs);
}

static struct nc_server_reply *rpc_validate(struct lyd_node *rpc, struct client *c)
{
	struct hgw_nc_errors errs = { 0 };
	enum hgw_nc_datastore ds;
	char *xml;
	int r;

	if (datastore_param(rpc, "source", &ds) == 0) {
		r = hgw_nc_validate(server->ds, ds, &errs);
	} else if (anyxml_param(rpc, "source/config", &xml) == 0) {
		r = hgw_nc_validate_xml(server->ds, xml, &errs);
		free(xml);
	} else {
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported source.");
	}
	return result_reply(c, r, &errs);
}

/*
 * Confirmed commit (RFC 6241 8.4, :confirmed-commit:1.1)
 */

static void confirm_clear(void)
{
	struct confirm *cc = &server->confirm;

	cc->timer = sd_event_source_disable_unref(cc->timer);
	lyd_free_all(cc->rollback);
	cc->rollback = NULL;
	free(cc->persist_id);
	cc->persist_id = NULL;
	cc->sid = 0;
	cc->pending = false;
}

/*
 * Running becomes what it was before the confirmed commit, through the apply callback as
 * any commit does: the system follows the configuration back.  If that fails, running
 * keeps the unconfirmed configuration and the series stays pending, so that the operator
 * can still confirm, or cancel once the cause is fixed.
 */
static int confirm_rollback(const char *why, struct hgw_nc_errors *errs)
{
	struct confirm *cc = &server->confirm;
	size_t before = errs->n, i;
	int r;

	r = hgw_nc_replace_running(server->ds, cc->rollback, errs);
	if (r < 0) {
		for (i = before; i < errs->n; i++)
			log_err("rolling back the confirmed commit (%s) failed: %s", why,
				errs->v[i].message);
		return r;
	}
	log_notice("confirmed commit %s: running rolled back to the configuration before it", why);
	confirm_clear();
	return 0;
}

/*
 * A rollback that nobody asked for failed: running keeps the unconfirmed configuration
 * and any admin session may now confirm or cancel the series (its own session may be
 * gone, and no timer is left to retry).
 */
static void orphan_confirm(void)
{
	server->confirm.sid = 0;
	free(server->confirm.persist_id);
	server->confirm.persist_id = NULL;
	log_err("running keeps the unconfirmed configuration: any admin session may confirm it "
		"(commit) or retry the rollback (cancel-commit)");
}

static int on_confirm_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct hgw_nc_errors errs = { 0 };

	(void)source;
	(void)usec;
	(void)userdata;
	server->confirm.timer = sd_event_source_disable_unref(server->confirm.timer);
	if (confirm_rollback("not confirmed in time", &errs) < 0)
		orphan_confirm();
	hgw_nc_errors_clear(&errs);
	return 0;
}

/*
 * Whether the client may confirm, extend or cancel the pending series: with persist only
 * by naming its persist-id (from any session), without only from the issuing session.
 * NULL if it may (or nothing is pending and no persist-id was given).
 */
static struct nc_server_reply *check_confirm_owner(const struct client *c, const char *persist_id)
{
	const struct confirm *cc = &server->confirm;
	char msg[128];

	if (!cc->pending)
		return persist_id == NULL ?
			       NULL :
			       fail(HGW_NC_ERR_INVALID_VALUE,
				    "No confirmed commit with that persist-id is pending.");
	if (cc->persist_id != NULL) {
		if (persist_id == NULL || strcmp(persist_id, cc->persist_id) != 0)
			return fail(HGW_NC_ERR_INVALID_VALUE,
				    "A confirmed commit with persist is pending: give its "
				    "persist-id to confirm or cancel it.");
		return NULL;
	}
	if (persist_id != NULL)
		return fail(
			HGW_NC_ERR_INVALID_VALUE,
			"The pending confirmed commit was given no persist: confirm or cancel it "
			"from its session, without persist-id.");
	if (cc->sid != 0 && cc->sid != c->sid) {
		snprintf(msg, sizeof(msg),
			 "Session %u has a confirmed commit pending: only it can confirm or cancel "
			 "it.",
			 cc->sid);
		return fail(HGW_NC_ERR_IN_USE, msg);
	}
	return NULL;
}

struct commit_params {
	bool confirmed;
	uint32_t timeout_s;
	const char *persist;
	const char *persist_id;
};

static int commit_params(const struct lyd_node *rpc, struct commit_params *p)
{
	const char *v;
	char *end;
	unsigned long t;

	p->confirmed = lyd_find_path(rpc, "confirmed", 0, NULL) == LY_SUCCESS;
	p->timeout_s = 600; /* RFC 6241 8.4.5.1 */
	p->persist = leaf_param(rpc, "persist");
	p->persist_id = leaf_param(rpc, "persist-id");
	if ((v = leaf_param(rpc, "confirm-timeout")) != NULL) {
		errno = 0;
		t = strtoul(v, &end, 10);
		if (errno != 0 || *end != '\0' || t == 0 || t > UINT32_MAX)
			return -EINVAL;
		p->timeout_s = (uint32_t)t;
	}
	return 0;
}

/* A confirmed commit, first of a series or follow-up: commit and (re)arm the timer. */
static struct nc_server_reply *confirmed_commit(struct client *c, const struct commit_params *p)
{
	struct confirm *cc = &server->confirm;
	const struct lyd_node *running = hgw_nc_ds_tree(server->ds, HGW_NC_RUNNING);
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *before = NULL;
	char *persist = NULL;
	int r;

	if ((p->persist != NULL && (persist = strdup(p->persist)) == NULL) ||
	    (!cc->pending && running != NULL &&
	     lyd_dup_siblings(running, NULL, LYD_DUP_RECURSIVE | LYD_DUP_WITH_FLAGS, &before) !=
		     LY_SUCCESS)) {
		free(persist);
		return fail(HGW_NC_ERR_RESOURCE_DENIED, "Out of memory.");
	}
	cc->timer = sd_event_source_disable_unref(cc->timer);
	r = sd_event_add_time_relative(server->event, &cc->timer, CLOCK_MONOTONIC,
				       p->timeout_s * 1000000ULL, 0, on_confirm_timeout, NULL);
	if (r == 0)
		r = hgw_nc_commit(server->ds, &errs);
	if (r < 0) {
		free(persist);
		lyd_free_all(before);
		if (!cc->pending)
			cc->timer = sd_event_source_disable_unref(cc->timer);
		/* a failed follow-up leaves the series as it was, with a fresh timeout */
		return result_reply(c, r, &errs);
	}
	if (!cc->pending) {
		cc->pending = true;
		cc->rollback = before;
	}
	cc->sid = persist != NULL ? 0 : c->sid;
	free(cc->persist_id);
	cc->persist_id = persist;
	log_info("confirmed commit by session %u of %s: rolled back unless confirmed within %u s%s",
		 c->sid, c->user, p->timeout_s, persist != NULL ? " (persist)" : "");
	return nc_server_reply_ok();
}

static struct nc_server_reply *rpc_commit(struct lyd_node *rpc, struct client *c)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *reply;
	struct commit_params p;
	int r;

	if ((reply = check_lock(HGW_NC_RUNNING, c->sid)) != NULL ||
	    (reply = check_lock(HGW_NC_CANDIDATE, c->sid)) != NULL)
		return reply;
	if (commit_params(rpc, &p) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Invalid confirm-timeout.");
	if ((reply = check_confirm_owner(c, p.persist_id)) != NULL)
		return reply;
	if (p.confirmed)
		return confirmed_commit(c, &p);
	r = hgw_nc_commit(server->ds, &errs);
	if (r == 0 && server->confirm.pending) {
		/* the confirming commit: what was committed stays */
		log_info("confirmed commit confirmed by session %u of %s", c->sid, c->user);
		confirm_clear();
	}
	return result_reply(c, r, &errs);
}

static struct nc_server_reply *rpc_cancel_commit(struct lyd_node *rpc, struct client *c)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *reply;
	char why[64];
	int r;

	if (!server->confirm.pending)
		return fail(HGW_NC_ERR_OPERATION_FAILED, "No confirmed commit is pending.");
	if ((reply = check_confirm_owner(c, leaf_param(rpc, "persist-id"))) != NULL)
		return reply;
	snprintf(why, sizeof(why), "cancelled by session %u", c->sid);
	r = confirm_rollback(why, &errs);
	return result_reply(c, r, &errs);
}

static struct nc_server_reply *rpc_discard_changes(struct lyd_node *rpc, struct client *c)
{
	struct hgw_nc_errors errs = { 0 };
	struct nc_server_reply *locked;

	(void)rpc;
	if ((locked = check_lock(HGW_NC_CANDIDATE, c->sid)) != NULL)
		return locked;
	return result_reply(c, hgw_nc_discard_changes(server->ds, &errs), &errs);
}

static struct nc_server_reply *rpc_lock(struct lyd_node *rpc, struct client *c)
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
	server->lock_sid[ds] = c->sid;
	server->lock_time[ds] = time(NULL);
	return nc_server_reply_ok();
}

static struct nc_server_reply *rpc_unlock(struct lyd_node *rpc, struct client *c)
{
	enum hgw_nc_datastore ds;

	if (datastore_param(rpc, "target", &ds) < 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Unsupported target datastore.");
	if (server->lock_sid[ds] != c->sid)
		return fail(HGW_NC_ERR_OPERATION_FAILED,
			    "This session does not hold the lock of that datastore.");
	server->lock_sid[ds] = 0;
	return nc_server_reply_ok();
}

static struct nc_server_reply *rpc_create_subscription(struct lyd_node *rpc, struct client *c)
{
	const char *stream = leaf_param(rpc, "stream");

	if (c->subscribed)
		return fail(HGW_NC_ERR_OPERATION_FAILED, "This session is already subscribed.");
	if (stream != NULL && strcmp(stream, "NETCONF") != 0)
		return fail(HGW_NC_ERR_INVALID_VALUE, "The only stream is NETCONF.");
	if (leaf_param(rpc, "startTime") != NULL || leaf_param(rpc, "stopTime") != NULL)
		return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED,
			    "Replay is not supported: subscribe without startTime and stopTime.");
	if (lyd_find_path(rpc, "filter", 0, NULL) == LY_SUCCESS)
		return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED,
			    "Filters on subscriptions are not implemented yet: subscribe without "
			    "one.");
	c->subscribed = true;
	nc_session_inc_notif_status(c->session);
	log_info("NETCONF session %u of %s subscribed to the NETCONF stream", c->sid, c->user);
	return nc_server_reply_ok();
}

/*
 * RFC 6022 3.1, instead of libnetconf2's own, which answers garbage with libyang 2.1.30
 * (NETCONF-FACTS.md): a module or submodule of the context, as YANG or YIN.
 */
static struct nc_server_reply *rpc_get_schema(struct lyd_node *rpc, struct client *c)
{
	const char *id = leaf_param(rpc, "identifier"), *version = leaf_param(rpc, "version");
	const char *format = leaf_param(rpc, "format");
	LYS_OUTFORMAT out = LYS_OUT_YANG;
	const struct lysp_submodule *sub = NULL;
	const struct lys_module *mod;
	struct lyd_node *reply = NULL;
	struct ly_out *o = NULL;
	char *text = NULL;
	LY_ERR err;

	(void)c;
	if (version != NULL && *version == '\0')
		version = NULL;
	if (format != NULL && strstr(format, "yin") != NULL)
		out = LYS_OUT_YIN;
	else if (format != NULL && strstr(format, "yang") == NULL)
		return fail(HGW_NC_ERR_INVALID_VALUE, "Only the yang and yin formats are served.");
	mod = version != NULL ? ly_ctx_get_module(server->ctx, id, version) :
				ly_ctx_get_module_latest(server->ctx, id);
	if (mod == NULL)
		sub = version != NULL ? ly_ctx_get_submodule(server->ctx, id, version) :
					ly_ctx_get_submodule_latest(server->ctx, id);
	if (mod == NULL && sub == NULL)
		return fail(HGW_NC_ERR_INVALID_VALUE, "No such schema on this server.");
	if (mod != NULL) {
		err = lys_print_mem(&text, mod, out, 0);
	} else {
		err = ly_out_new_memory(&text, 0, &o);
		if (err == LY_SUCCESS)
			err = lys_print_submodule(o, sub, out, 0, 0);
		ly_out_free(o, NULL, 0);
	}
	/* the text is the anyxml's value (escaped when printed), owned by the reply */
	if (err != LY_SUCCESS || text == NULL ||
	    lyd_dup_single(rpc, NULL, 0, &reply) != LY_SUCCESS ||
	    lyd_new_any(reply, NULL, "data", text, 1, LYD_ANYDATA_STRING, 1, NULL) != LY_SUCCESS) {
		free(text);
		lyd_free_tree(reply);
		return fail(HGW_NC_ERR_OPERATION_FAILED, "Cannot print the schema.");
	}
	return nc_server_reply_data(reply, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

/*
 * RFC 6241 7.9: the other session ends as if its transport had gone: its locks are
 * released, its candidate changes (when it held the candidate lock) discarded, and its
 * confirmed commit without persist rolled back.
 */
static struct nc_server_reply *rpc_kill_session(struct lyd_node *rpc, struct client *c)
{
	const char *v = leaf_param(rpc, "session-id");
	unsigned long sid = v != NULL ? strtoul(v, NULL, 10) : 0;
	struct client *victim;

	if (sid == c->sid)
		return fail(HGW_NC_ERR_INVALID_VALUE,
			    "A session cannot kill itself: use close-session.");
	for (victim = server->clients; victim != NULL; victim = victim->next)
		if (victim->session != NULL && victim->sid == sid)
			break;
	if (victim == NULL)
		return fail(HGW_NC_ERR_INVALID_VALUE, "No such session.");
	log_notice("NETCONF session %u of %s killed by session %u of %s", victim->sid, victim->user,
		   c->sid, c->user);
	client_free(victim);
	return nc_server_reply_ok();
}

static struct nc_server_reply *rpc_not_yet(struct lyd_node *rpc, struct client *c)
{
	char msg[160];

	(void)c;
	snprintf(msg, sizeof(msg), "%s is not implemented yet.", LYD_NAME(rpc));
	return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED, msg);
}

/* The model's RPCs: the daemon does them (netconf_set_action()). */
static struct nc_server_reply *rpc_action(struct lyd_node *rpc, struct client *c)
{
	char err[512] = "";
	int r;

	if (server->action == NULL) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "%s needs the coordinator (hybridgwd runs --config-only).", LYD_NAME(rpc));
		return fail(HGW_NC_ERR_OPERATION_NOT_SUPPORTED, msg);
	}
	log_notice("NETCONF session %u of %s: %s", c->sid, c->user, LYD_NAME(rpc));
	r = server->action(rpc, err, sizeof(err), server->action_data);
	if (r < 0)
		return fail(r == -EINVAL ? HGW_NC_ERR_INVALID_VALUE : HGW_NC_ERR_OPERATION_FAILED,
			    err[0] != '\0' ? err : strerror(-r));
	return nc_server_reply_ok();
}

void netconf_set_action(struct netconf *nc, netconf_action_fn fn, void *userdata)
{
	if (nc == NULL)
		return;
	nc->action = fn;
	nc->action_data = userdata;
}

/*
 * admin_only: what the operator role may not do.  Locks too: a read-only role that could
 * lock running or candidate could stop every admin from committing.
 */
static const struct {
	const char *module;
	const char *name;
	rpc_handler handler;
	bool admin_only;
} rpc_handlers[] = {
	{ "ietf-netconf", "get-config", rpc_get_config, false },
	{ "ietf-netconf", "get", rpc_get, false },
	{ "ietf-netconf", "edit-config", rpc_edit_config, true },
	{ "ietf-netconf", "copy-config", rpc_copy_config, true },
	{ "ietf-netconf", "delete-config", rpc_delete_config, true },
	{ "ietf-netconf", "validate", rpc_validate, false },
	{ "ietf-netconf", "commit", rpc_commit, true },
	{ "ietf-netconf", "discard-changes", rpc_discard_changes, true },
	{ "ietf-netconf", "lock", rpc_lock, true },
	{ "ietf-netconf", "unlock", rpc_unlock, true },
	{ "ietf-netconf", "kill-session", rpc_kill_session, true },
	{ "ietf-netconf", "cancel-commit", rpc_cancel_commit, true },
	{ "ietf-netconf-monitoring", "get-schema", rpc_get_schema, false },
	{ "notifications", "create-subscription", rpc_create_subscription, false },
	{ HGW_NC_MODULE, "reset-connection", rpc_action, true },
};

static struct nc_server_reply *on_rpc(struct lyd_node *rpc, struct nc_session *session)
{
	uint32_t sid = nc_session_get_id(session);
	struct client *c = nc_session_get_data(session);
	rpc_handler handler = rpc_not_yet;
	struct nc_server_reply *reply;
	uint64_t start = hgw_now_usec();
	bool admin_only = true; /* what is not in the table is not for the operator either */
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rpc_handlers); i++) {
		if (rpc->schema != NULL && !strcmp(rpc->schema->name, rpc_handlers[i].name) &&
		    !strcmp(rpc->schema->module->name, rpc_handlers[i].module)) {
			handler = rpc_handlers[i].handler;
			admin_only = rpc_handlers[i].admin_only;
		}
	}
	if (c == NULL)
		return fail(HGW_NC_ERR_OPERATION_FAILED, "Internal error: unknown session.");
	if (admin_only && c->role != HGW_NC_ROLE_ADMIN) {
		reply = denied(rpc, c);
	} else {
		server->actor = c;
		reply = handler(rpc, c);
		server->actor = NULL;
	}
	/* out-rpc-errors: on_client_io() counts what libnetconf2 says it sent */
	c->counters.in_rpcs++;
	server->totals.in_rpcs++;
	/* server-side latency: what a client library adds is not ours */
	log_debug("NETCONF session %u: %s handled in %llu us", sid, LYD_NAME(rpc),
		  (unsigned long long)(hgw_now_usec() - start));
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
		/* RFC 6241 8.4.1: a confirmed commit without persist dies with its session */
		if (server->confirm.pending && server->confirm.persist_id == NULL &&
		    server->confirm.sid == c->sid) {
			struct hgw_nc_errors errs = { 0 };

			if (confirm_rollback("not confirmed before its session ended", &errs) < 0)
				orphan_confirm();
			hgw_nc_errors_clear(&errs);
		}
		release_locks(c->sid);
		if (nc_session_get_term_reason(c->session) != NC_SESSION_TERM_CLOSED)
			c->nc->dropped_sessions++;
		if (c->shield != NULL && nc_shield_error(c->shield) != NULL)
			log_info("NETCONF session %u of %s closed: %s", c->sid, c->user,
				 nc_shield_error(c->shield));
		else
			log_info("NETCONF session %u of %s closed", c->sid, c->user);
		if (c->ps != NULL)
			nc_ps_del_session(c->ps, c->session);
		/* libnetconf2 leaves the descriptors of nc_accept_inout() to their owner */
		nc_session_free(c->session, NULL);
	}
	nc_ps_free(c->ps);
	sd_event_source_disable_unref(c->source);
	sd_event_source_disable_unref(c->timer);
	/* the last replies (<close-session>'s <ok/>) still go out */
	nc_shield_release(c->shield);
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
		/* a client that does not read its replies gets no more until it does */
		if (nc_shield_backlog(c->shield) > NC_SHIELD_BACKLOG_MAX) {
			c->throttled = true;
			sd_event_source_set_enabled(c->source, SD_EVENT_OFF);
			break;
		}
		r = nc_ps_poll(c->ps, 0, &s);
		/* libnetconf2 answered an RPC it could not parse itself: RFC 6022 counts it */
		if (r & NC_PSPOLL_BAD_RPC) {
			c->counters.in_bad_rpcs++;
			c->nc->totals.in_bad_rpcs++;
		}
		/* an <rpc-error> was sent, ours or libnetconf2's */
		if (r & (NC_PSPOLL_REPLY_ERROR | NC_PSPOLL_BAD_RPC)) {
			c->counters.out_rpc_errors++;
			c->nc->totals.out_rpc_errors++;
		}
		if (r & (NC_PSPOLL_SESSION_TERM | NC_PSPOLL_SESSION_ERROR | NC_PSPOLL_ERROR |
			 NC_PSPOLL_NOSESSIONS)) {
			client_free(c);
			return 0;
		}
		if (r & NC_PSPOLL_TIMEOUT)
			break;
	}
	/* what was read left room for the client's next messages */
	nc_shield_kick(c->shield);
	return 0;
}

static void on_drained(void *userdata)
{
	struct client *c = userdata;

	if (c->throttled && c->source != NULL) {
		c->throttled = false;
		sd_event_source_set_enabled(c->source, SD_EVENT_ON);
	}
}

static const struct nc_shield_ops shield_ops = { .drained = on_drained };

/* The peer's uid and user name; -errno if the kernel cannot tell. */
static int peer_name(int fd, uid_t *uid, pid_t *pid, char *buf, size_t size)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct passwd pw, *res = NULL;
	char pwbuf[1024];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		snprintf(buf, size, "unknown");
		return -errno;
	}
	*uid = cred.uid;
	*pid = cred.pid;
	if (getpwuid_r(cred.uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res != NULL)
		snprintf(buf, size, "%s", pw.pw_name);
	else
		snprintf(buf, size, "uid%u", (unsigned)cred.uid);
	return 0;
}

/*
 * Whether the peer is the SSH subsystem relay (daemons/netconf-ssh), and then the SSH
 * client's address from its SSH_CONNECTION ("client-ip client-port server-ip server-port"),
 * for ietf-netconf-monitoring and the log.  Best effort: /proc may say nothing.
 */
static void peer_transport(struct client *c)
{
	char path[64], exe[PATH_MAX], env[8192];
	const char *base;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/exe", (long)c->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	base = strrchr(exe, '/');
	c->ssh = !strcmp(base != NULL ? base + 1 : exe, "hybridgw-netconf");
	if (!c->ssh)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/environ", (long)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, env, sizeof(env) - 1);
	close(fd);
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(env + i) + 1) {
		env[n] = '\0';
		if (!strncmp(env + i, "SSH_CONNECTION=", 15)) {
			snprintf(c->source_host, sizeof(c->source_host), "%.*s",
				 (int)strcspn(env + i + 15, " "), env + i + 15);
			break;
		}
	}
}

static int on_hello_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct client *c = userdata;

	(void)source;
	(void)usec;
	log_info("NETCONF: no <hello> from a client of %s within %d s, dropped", c->user,
		 HELLO_TIMEOUT_S);
	c->nc->in_bad_hellos++;
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
		log_info("NETCONF: no valid <hello> from a client of %s%s%s", c->user,
			 nc_shield_error(c->shield) != NULL ? ": " : "",
			 nc_shield_error(c->shield) != NULL ? nc_shield_error(c->shield) : "");
		c->nc->in_bad_hellos++;
		c->session = NULL;
		client_free(c);
		return 0;
	}
	c->sid = nc_session_get_id(c->session);
	nc_session_set_data(c->session, c);
	c->ps = nc_ps_new();
	r = c->ps != NULL ? nc_ps_add_session(c->ps, c->session) : -ENOMEM;
	if (r == 0)
		r = sd_event_add_io(c->nc->event, &c->source, c->fd, EPOLLIN, on_client_io, c);
	if (r < 0) {
		client_free(c);
		return 0;
	}
	c->login = time(NULL);
	c->nc->in_sessions++;
	log_info("NETCONF session %u of %s opened%s%s", c->sid, c->user,
		 c->ssh ? " over SSH from " : "", c->ssh ? c->source_host : "");
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
	c->fd = cfd; /* until the shield stands in front of it */
	c->next = nc->clients;
	nc->clients = c;
	nc->nclients++;
	/* the file is read at each connection: a change needs no restart */
	if (peer_name(cfd, &c->uid, &c->pid, c->user, sizeof(c->user)) == 0) {
		c->role = hgw_nc_role_of(nc->users_path, c->uid, c->user);
		peer_transport(c);
	}
	if (c->role == HGW_NC_ROLE_NONE) {
		log_notice("NETCONF: %s (uid %u) has no role in %s: connection refused", c->user,
			   (unsigned)c->uid, nc->users_path);
		client_free(c);
		return 0;
	}
	c->fd = -1;
	r = nc_shield_new(nc->event, cfd, &shield_ops, c, &c->fd, &c->shield);
	if (r < 0) {
		log_err_errno(r, "NETCONF: cannot set up a session for %s", c->user);
		client_free(c);
		return 0;
	}
	/* readable once the client's <hello> is whole */
	r = sd_event_add_io(nc->event, &c->source, c->fd, EPOLLIN, on_client_hello, c);
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

/*
 * Test hook: with $HYBRIDGWD_NETCONF_TEST_HOOK set to a path, hybridgwd reads datagrams
 * there (0600, so root only) and calls the notification API as the coordinator will:
 *   tunnel <connection> <gateway> <state> <reason...>
 *   bgp <peer-address> <path-class> <path> <old-state> <new-state>
 *   path-switch <from> <to> <duration-us> <reason...>
 * "-" leaves an argument out.  Nothing else in the daemon depends on it.
 */
static const char *hook_arg(char **p)
{
	char *w = strsep(p, " ");

	return w == NULL || !strcmp(w, "-") ? NULL : w;
}

static int on_hook(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct netconf *nc = userdata;
	const char *a, *b, *c, *d, *e;
	char buf[512], *p = buf, *kind, *end;
	ssize_t n;

	(void)source;
	(void)revents;
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	kind = strsep(&p, " ");
	a = hook_arg(&p);
	b = hook_arg(&p);
	if (!strcmp(kind, "tunnel")) {
		c = hook_arg(&p);
		netconf_notify_tunnel(nc, a, b, c, p);
	} else if (!strcmp(kind, "bgp")) {
		c = hook_arg(&p);
		d = hook_arg(&p);
		e = hook_arg(&p);
		netconf_notify_bgp_peer(nc, a, b, c, d, e);
	} else if (!strcmp(kind, "path-switch") && (c = hook_arg(&p)) != NULL) {
		netconf_notify_path_switch(nc, a, b, p, strtoull(c, &end, 10));
	} else {
		log_warn("NETCONF test hook: unknown event \"%s\"", kind);
	}
	return 0;
}

static int listen_hook(struct netconf *nc, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return log_err_errno(ENAMETOOLONG, "NETCONF test hook %s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_err_errno(errno, "cannot create the NETCONF test hook");
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0) {
		close(fd);
		return log_err_errno(errno, "cannot bind the NETCONF test hook %s", path);
	}
	nc->hook_fd = fd;
	log_notice("NETCONF test hook listening on %s: notifications can be injected", path);
	return sd_event_add_io(nc->event, &nc->hook_source, fd, EPOLLIN, on_hook, nc);
}

/* Every change of running goes through the coordinator; only what it applied is announced. */
static int apply_config(const struct lyd_node *from, const struct lyd_node *to,
			struct hgw_nc_errors *errs, void *userdata)
{
	struct netconf *nc = userdata;
	int r = 0;

	if (nc->apply != NULL)
		r = nc->apply(from, to, errs, nc->apply_data);
	else
		log_info("configuration committed (no coordinator: nothing applied)");
	if (r < 0)
		return r;
	{
		const struct client *by = server != NULL ? server->actor : NULL;
		struct log_fields f = { .n = 0 };

		log_fields_add(&f, "HGW_EVENT=config-change");
		if (by != NULL) {
			log_fields_add(&f, "HGW_USER=%s", by->user);
			log_fields_add(&f, "HGW_SESSION=%u", by->sid);
			log_event(LOG_NOTICE, f.v,
				  "running configuration changed by session %u of %s", by->sid,
				  by->user);
		} else {
			log_event(LOG_NOTICE, f.v,
				  "running configuration changed by hybridgwd "
				  "(startup, restore or confirmed-commit rollback)");
		}
	}
	/* a configuration applied (by the retry or by a client) ends the retries */
	if (nc->config_retry != NULL)
		sd_event_source_set_enabled(nc->config_retry, SD_EVENT_OFF);
	/*
	 * What runs is kept in the state directory (a tmpfs: gone at boot, when startup
	 * rules), so that a daemon that crashed or was restarted adopts what it made instead
	 * of tearing it down to the startup configuration.
	 */
	if (nc->running_path[0] != '\0' && (r = hgw_nc_store_save(to, nc->running_path)) < 0)
		log_warn_errno(r,
			       "cannot keep the running configuration in %s: a restart of "
			       "hybridgwd will fall back to the startup configuration",
			       nc->running_path);
	notify_config_change(from, to);
	return 0;
}

/*
 * A restart (not a boot): running is what ran before, from the state directory.  0 when
 * restored; otherwise the startup configuration is used (logged why).
 */
static int restore_running(struct netconf *nc)
{
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;
	int r;

	if (access(nc->running_path, F_OK) < 0)
		return -ENOENT;
	r = hgw_nc_store_load(nc->ctx, nc->running_path, &tree, &errs);
	if (r < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_err("%s: %s", nc->running_path, errs.v[i].message);
		log_err("cannot read the running configuration %s: using the startup "
			"configuration",
			nc->running_path);
		hgw_nc_errors_clear(&errs);
		return -EBADMSG;
	}
	r = hgw_nc_replace_running(nc->ds, tree, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_err("%s: %s", nc->running_path, errs.v[i].message);
	hgw_nc_errors_clear(&errs);
	lyd_free_all(tree);
	if (r < 0)
		return -EAGAIN;
	log_notice("restarted: running configuration restored from %s", nc->running_path);
	return 0;
}

/*
 * Running from what ran before the restart, else from startup.  A configuration that
 * cannot be applied now (charon or FRR not up yet) is tried again every
 * CONFIG_RETRY_USEC; running.xml is never given up for startup because of that.
 */
static int start_config(struct netconf *nc)
{
	struct hgw_nc_errors errs = { 0 };
	int r = restore_running(nc);

	if (r == 0 || r == -EAGAIN)
		return r;
	r = hgw_nc_copy_config(nc->ds, HGW_NC_RUNNING, HGW_NC_STARTUP, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_err("startup: %s%s%s", errs.v[i].message, errs.v[i].path != NULL ? " at " : "",
			errs.v[i].path != NULL ? errs.v[i].path : "");
	hgw_nc_errors_clear(&errs);
	return r;
}

static int on_config_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct netconf *nc = userdata;

	if (start_config(nc) == 0) {
		log_notice("the configuration is applied now");
		return sd_event_source_set_enabled(s, SD_EVENT_OFF);
	}
	return sd_event_source_set_time(s, usec + CONFIG_RETRY_USEC);
}

static int load_startup(struct netconf *nc, const struct hgwd_options *opts)
{
	struct hgw_nc_ds_options dso = { .ctx = nc->ctx, .apply = apply_config, .userdata = nc };
	struct hgw_nc_errors errs = { 0 };
	char path[4096];
	size_t i;
	int r;

	snprintf(path, sizeof(path), "%s/startup.xml", opts->config_dir);
	snprintf(nc->running_path, sizeof(nc->running_path), "%s/running.xml", opts->state_dir);
	dso.startup_path = path;
	r = hgw_nc_ds_new(&dso, &nc->ds, &errs);
	for (i = 0; i < errs.n; i++)
		log_err("%s: %s%s%s", path, errs.v[i].message, errs.v[i].path != NULL ? " at " : "",
			errs.v[i].path != NULL ? errs.v[i].path : "");
	hgw_nc_errors_clear(&errs);
	if (r < 0) {
		log_err("cannot use the startup configuration %s: fix or remove it", path);
		return r;
	}
	if (start_config(nc) == 0)
		return 0;
	/* serve NETCONF meanwhile: the operator can look, and fix what is wrong */
	log_err("the configuration cannot be applied now (is charon or FRR down?): trying "
		"again every %llu s",
		(unsigned long long)(CONFIG_RETRY_USEC / 1000000));
	r = sd_event_add_time_relative(nc->event, &nc->config_retry, CLOCK_MONOTONIC,
				       CONFIG_RETRY_USEC, 0, on_config_retry, nc);
	if (r == 0)
		r = sd_event_source_set_enabled(nc->config_retry, SD_EVENT_ON);
	return r;
}

int netconf_new(sd_event *event, const struct hgwd_options *opts, hgw_nc_apply_fn apply,
		void *apply_data, struct netconf **ret)
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
	nc->hook_fd = -1;
	nc->apply = apply;
	nc->apply_data = apply_data;
	nc->event = sd_event_ref(event);
	nc->start = time(NULL);
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
	/* create-subscription and netconf-config-change are defined by these */
	ly_ctx_set_searchdir(nc->ctx, IETF_DERIVED_YANG_DIR);
	ly_ctx_set_searchdir(nc->ctx, NETCONFCENTRAL_YANG_DIR);
	if (ly_ctx_load_module(nc->ctx, "ietf-netconf-with-defaults", NULL, NULL) == NULL ||
	    ly_ctx_load_module(nc->ctx, "ietf-netconf-monitoring", NULL, NULL) == NULL ||
	    ly_ctx_load_module(nc->ctx, "ietf-netconf-notifications", NULL, NULL) == NULL ||
	    ly_ctx_load_module(nc->ctx, "notifications", NULL, NULL) == NULL ||
	    ly_ctx_load_module(nc->ctx, "nc-notifications", NULL, NULL) == NULL) {
		r = -ENOENT;
		log_err("cannot load ietf-netconf-with-defaults, -monitoring, -notifications, "
			"notifications and nc-notifications: apt-get install libyuma-base");
		goto fail;
	}
	r = sd_event_add_defer(event, &nc->flush, on_flush, nc);
	if (r < 0 || (r = sd_event_source_set_enabled(nc->flush, SD_EVENT_OFF)) < 0) {
		log_err_errno(-r, "cannot start the NETCONF server");
		goto fail;
	}
	if ((r = load_startup(nc, opts)) < 0)
		goto fail;
	snprintf(nc->users_path, sizeof(nc->users_path), "%s/%s", opts->config_dir,
		 HGW_NC_USERS_FILE);
	/* a bad file is logged and gives access to root only; it is read again at each login */
	hgw_nc_users_check(nc->users_path);
	/* libnetconf2 2.0.24's own get-schema answers garbage bytes: refuse it until ours
	 * exists.  Set before nc_server_init(), which leaves a callback that is set alone. */
	schema = (struct lysc_node *)(uintptr_t)lys_find_path(
		nc->ctx, NULL, "/ietf-netconf-monitoring:get-schema", 0);
	if (schema != NULL)
		nc_set_rpc_callback(schema, on_rpc);
	nc_set_print_clb_session(on_lnc2_print);
	nc_verbosity(NC_VERB_WARNING);
	if (nc_server_init(nc->ctx) != 0) {
		r = log_err_errno(ENOMEM, "cannot initialise libnetconf2");
		goto fail;
	}
	nc->initialized = true;
	/*
	 * also-supported is tested with & against the NC_WD_MODE values (1, 2, 3, 4), not bits:
	 * NC_WD_TRIM (3) alone advertises report-all,report-all-tagged,trim, which is what we
	 * serve (NETCONF-FACTS.md).
	 */
	nc_server_set_capab_withdefaults(NC_WD_EXPLICIT, NC_WD_TRIM);
	/* libnetconf2 does not derive these from the loaded modules (NETCONF-FACTS.md) */
	nc_server_set_capability("urn:ietf:params:netconf:capability:notification:1.0");
	nc_server_set_capability("urn:ietf:params:netconf:capability:interleave:1.0");
	nc_server_set_hello_timeout(HELLO_TIMEOUT_S);
	nc_set_global_rpc_clb(on_rpc);
	if ((r = listen_unix(nc)) < 0)
		goto fail;
	if (getenv("HYBRIDGWD_NETCONF_TEST_HOOK") != NULL &&
	    (r = listen_hook(nc, getenv("HYBRIDGWD_NETCONF_TEST_HOOK"))) < 0)
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
	sd_event_source_disable_unref(nc->config_retry);
	while (nc->clients != NULL)
		client_free(nc->clients);
	nc_shield_free_all();
	if (server == nc)
		confirm_clear();
	while (nc->notifs != NULL) {
		struct notif *n = nc->notifs;

		nc->notifs = n->next;
		notif_free(n);
	}
	sd_event_source_disable_unref(nc->flush);
	sd_event_source_disable_unref(nc->hook_source);
	if (nc->hook_fd >= 0) {
		close(nc->hook_fd);
		unlink(getenv("HYBRIDGWD_NETCONF_TEST_HOOK"));
	}
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
