/*
 * ncclient.c - hybridgwctl's NETCONF session (ncclient.h).
 *
 * The socket is connected here (errno tells "not running" from "not allowed", which
 * nc_connect_unix() only logs) and handed to nc_connect_inout(); the session does not own
 * it, so ctl_nc_close() closes it after nc_session_free().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <nc_client.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ncclient.h"
#include "util.h"

#ifndef HGWCTL_YANG_DIR
#define HGWCTL_YANG_DIR "/usr/share/hybridgw/yang"
#endif

/* Where the notification modules the server announces are; optional. */
static const char *const extra_yang_dirs[] = {
	"/usr/share/yuma/modules/ietf-derived",
	"/usr/share/yuma/modules/netconfcentral",
};

struct ctl_nc {
	struct nc_session *session;
	int fd;
};

static bool debug;
/* The last error libnetconf2 reported, for messages about a failed session. */
static char last_error[512];

static void HGW_PRINTF(3, 4) set_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

static void nc_print(const struct nc_session *session, NC_VERB_LEVEL level, const char *msg)
{
	(void)session;
	if (level == NC_VERB_ERROR)
		snprintf(last_error, sizeof(last_error), "%s", msg);
	if (debug)
		fprintf(stderr, "libnetconf2: %s\n", msg);
}

static void ly_log(LY_LOG_LEVEL level, const char *msg, const char *path)
{
	(void)level;
	if (debug)
		fprintf(stderr, "libyang: %s%s%s\n", msg, path ? " at " : "", path ? path : "");
}

void ctl_nc_set_debug(bool on)
{
	debug = on;
}

/* libnetconf2 prints to stderr unless told otherwise: its complaints are not the user's. */
static void quiet_libraries(void)
{
	nc_set_print_clb_session(nc_print);
	ly_set_log_clb(ly_log, 1);
	nc_verbosity(debug ? NC_VERB_VERBOSE : NC_VERB_ERROR);
}

int ctl_nc_ctx_new(const char *yang_dir, struct ly_ctx **ctx, char *err, size_t size)
{
	const char *env = getenv("HYBRIDGWD_YANG_DIR");
	size_t i;

	quiet_libraries();
	if (yang_dir == NULL)
		yang_dir = env != NULL && env[0] != '\0' ? env : HGWCTL_YANG_DIR;
	*ctx = NULL;
	if (ly_ctx_new(NULL, LY_CTX_DISABLE_SEARCHDIR_CWD, ctx) != LY_SUCCESS) {
		set_err(err, size, "out of memory");
		return -ENOMEM;
	}
	if (ly_ctx_set_searchdir(*ctx, yang_dir) != LY_SUCCESS ||
	    ly_ctx_set_searchdir(*ctx, CTL_NC_IETF_YANG_DIR) != LY_SUCCESS ||
	    ly_ctx_load_module(*ctx, "hybridgw", NULL, NULL) == NULL) {
		set_err(err, size,
			"cannot load the YANG module hybridgw from %s (and its imports from %s): "
			"install hybridgw's yang/ and libyuma-base, or set HYBRIDGWD_YANG_DIR",
			yang_dir, CTL_NC_IETF_YANG_DIR);
		ly_ctx_destroy(*ctx);
		*ctx = NULL;
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(extra_yang_dirs); i++)
		ly_ctx_set_searchdir(*ctx, extra_yang_dirs[i]);
	return 0;
}

/* A connected unix stream socket, or -errno. */
static int connect_unix(const char *path)
{
	const struct timeval timeout = { .tv_sec = CTL_NC_CONNECT_TIMEOUT_SEC };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* SO_SNDTIMEO bounds connect() on a unix socket (a full listen backlog) */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		r = errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -errno;
		close(fd);
		return r;
	}
	return fd;
}

int ctl_nc_open(const char *path, struct ly_ctx *ctx, struct ctl_nc **ret, char *err, size_t size)
{
	struct ctl_nc *nc;
	int fd;

	*ret = NULL;
	quiet_libraries();
	fd = connect_unix(path);
	if (fd < 0) {
		set_err(err, size, "cannot connect to %s: %s", path, strerror(-fd));
		return fd;
	}
	nc = calloc(1, sizeof(*nc));
	if (nc == NULL) {
		close(fd);
		set_err(err, size, "out of memory");
		return -ENOMEM;
	}
	nc->fd = fd;
	last_error[0] = '\0';
	nc->session = nc_connect_inout(fd, fd, ctx);
	if (nc->session == NULL) {
		/* hybridgwd closes the session of a user without a role at the <hello> */
		set_err(err, size,
			"no NETCONF session on %s (%s): is your user in the daemon's netconf-users "
			"file, or root?",
			path, last_error[0] ? last_error : "no <hello>");
		ctl_nc_close(nc);
		return -EACCES;
	}
	*ret = nc;
	return 0;
}

void ctl_nc_close(struct ctl_nc *nc)
{
	if (nc == NULL)
		return;
	if (nc->session != NULL)
		nc_session_free(nc->session, NULL);
	close(nc->fd);
	free(nc);
}

/* The messages of the <rpc-error>s in a reply, one per line, into err. */
static void rpc_errors(const struct lyd_node *envp, char *err, size_t size)
{
	const struct lyd_node *e, *c;
	size_t len = 0;

	err[0] = '\0';
	for (e = envp != NULL ? lyd_child(envp) : NULL; e != NULL && len < size; e = e->next) {
		const char *msg = NULL, *tag = NULL, *path = NULL;

		if (strcmp(LYD_NAME(e), "rpc-error") != 0)
			continue;
		for (c = lyd_child(e); c != NULL; c = c->next) {
			if (!strcmp(LYD_NAME(c), "error-message"))
				msg = lyd_get_value(c);
			else if (!strcmp(LYD_NAME(c), "error-tag"))
				tag = lyd_get_value(c);
			else if (!strcmp(LYD_NAME(c), "error-path"))
				path = lyd_get_value(c);
		}
		if (msg == NULL || msg[0] == '\0')
			msg = tag != NULL ? tag : "an error without a message";
		len += (size_t)snprintf(err + len, size - len, "%s%s", len ? "\n" : "", msg);
		/* the node it is about, when the message does not name it */
		if (path != NULL && path[0] != '\0' && len < size)
			len += (size_t)snprintf(err + len, size - len, " (at %s)", path);
	}
	if (err[0] == '\0')
		snprintf(err, size, "an error reply without <rpc-error>");
}

static bool reply_is_error(const struct lyd_node *envp)
{
	const struct lyd_node *e;

	for (e = envp != NULL ? lyd_child(envp) : NULL; e != NULL; e = e->next)
		if (strcmp(LYD_NAME(e), "rpc-error") == 0)
			return true;
	return false;
}

/* The content of the reply's <data> (anyxml), as a tree of the session's context. */
static int reply_data(const struct lyd_node *op, struct lyd_node **data, char *err, size_t size)
{
	const struct lyd_node *n;
	const struct lyd_node_any *any = NULL;
	char *xml = NULL;
	LY_ERR e = LY_SUCCESS;

	*data = NULL;
	for (n = op != NULL ? lyd_child(op) : NULL; n != NULL; n = n->next)
		if (strcmp(LYD_NAME(n), "data") == 0 && n->schema != NULL &&
		    (n->schema->nodetype & LYS_ANYDATA))
			any = (const struct lyd_node_any *)n;
	if (any == NULL)
		return 0; /* <data/>: nothing selected */
	if (any->value_type == LYD_ANYDATA_DATATREE) {
		if (any->value.tree != NULL)
			e = lyd_dup_siblings(any->value.tree, NULL, LYD_DUP_RECURSIVE, data);
	} else if ((e = lyd_any_value_str(&any->node, &xml)) == LY_SUCCESS && xml != NULL) {
		e = lyd_parse_data_mem(LYD_CTX(op), xml, LYD_XML, LYD_PARSE_ONLY | LYD_PARSE_OPAQ,
				       0, data);
	}
	free(xml);
	if (e != LY_SUCCESS) {
		set_err(err, size, "cannot read the reply's data: %s", ly_errmsg(LYD_CTX(op)));
		return e == LY_EMEM ? -ENOMEM : -EPROTO;
	}
	return 0;
}

/* Send rpc (consumed), wait for its reply; *data (when asked) gets the reply's <data>. */
static int call(struct ctl_nc *nc, struct nc_rpc *rpc, int timeout_ms, struct lyd_node **data,
		char *err, size_t size)
{
	struct lyd_node *envp = NULL, *op = NULL;
	NC_MSG_TYPE msg;
	uint64_t id = 0;
	int r = 0;

	if (data != NULL)
		*data = NULL;
	if (rpc == NULL) {
		set_err(err, size, "out of memory");
		return -ENOMEM;
	}
	last_error[0] = '\0';
	msg = nc_send_rpc(nc->session, rpc, timeout_ms, &id);
	if (msg == NC_MSG_RPC) {
		/* one deadline for the reply, however many other messages come first */
		struct timespec t0, t;
		int left = timeout_ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			msg = nc_recv_reply(nc->session, rpc, id, left, &envp, &op);
			if (msg != NC_MSG_NOTIF && msg != NC_MSG_REPLY_ERR_MSGID)
				break;
			lyd_free_tree(envp);
			lyd_free_tree(op);
			envp = op = NULL;
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
						  (t.tv_nsec - t0.tv_nsec) / 1000000);
			if (left <= 0) {
				msg = NC_MSG_WOULDBLOCK;
				break;
			}
		}
	}
	if (msg == NC_MSG_WOULDBLOCK) {
		set_err(err, size, "hybridgwd did not answer within %d s", timeout_ms / 1000);
		r = -ETIMEDOUT;
	} else if (msg != NC_MSG_REPLY) {
		set_err(err, size, "the NETCONF session failed: %s",
			last_error[0] ? last_error : "no reply");
		r = -EPROTO;
	} else if (reply_is_error(envp)) {
		rpc_errors(envp, err, size);
		r = -EREMOTEIO;
	} else if (data != NULL) {
		r = reply_data(op, data, err, size);
	}
	lyd_free_tree(envp);
	lyd_free_tree(op);
	nc_rpc_free(rpc);
	return r;
}

int ctl_nc_get(struct ctl_nc *nc, const char *xpath, struct lyd_node **data, char *err, size_t size)
{
	return call(nc, nc_rpc_get(xpath, NC_WD_UNKNOWN, NC_PARAMTYPE_CONST), CTL_NC_TIMEOUT_MS,
		    data, err, size);
}

static NC_DATASTORE datastore(enum ctl_nc_ds ds)
{
	switch (ds) {
	case CTL_NC_CANDIDATE:
		return NC_DATASTORE_CANDIDATE;
	case CTL_NC_STARTUP:
		return NC_DATASTORE_STARTUP;
	case CTL_NC_RUNNING:
		break;
	}
	return NC_DATASTORE_RUNNING;
}

int ctl_nc_get_config(struct ctl_nc *nc, enum ctl_nc_ds ds, const char *xpath,
		      struct lyd_node **data, char *err, size_t size)
{
	return call(nc, nc_rpc_getconfig(datastore(ds), xpath, NC_WD_UNKNOWN, NC_PARAMTYPE_CONST),
		    CTL_NC_TIMEOUT_MS, data, err, size);
}

int ctl_nc_edit_candidate(struct ctl_nc *nc, const char *config, char *err, size_t size)
{
	return call(nc,
		    nc_rpc_edit(NC_DATASTORE_CANDIDATE, NC_RPC_EDIT_DFLTOP_MERGE,
				NC_RPC_EDIT_TESTOPT_TESTSET, NC_RPC_EDIT_ERROPT_ROLLBACK, config,
				NC_PARAMTYPE_CONST),
		    CTL_NC_TIMEOUT_MS, NULL, err, size);
}

int ctl_nc_commit(struct ctl_nc *nc, uint32_t confirm_timeout, const char *persist,
		  const char *persist_id, char *err, size_t size)
{
	return call(nc,
		    nc_rpc_commit(confirm_timeout > 0, confirm_timeout, persist, persist_id,
				  NC_PARAMTYPE_CONST),
		    CTL_NC_COMMIT_TIMEOUT_MS, NULL, err, size);
}

int ctl_nc_discard(struct ctl_nc *nc, char *err, size_t size)
{
	return call(nc, nc_rpc_discard(), CTL_NC_TIMEOUT_MS, NULL, err, size);
}

int ctl_nc_validate(struct ctl_nc *nc, char *err, size_t size)
{
	return call(nc, nc_rpc_validate(NC_DATASTORE_CANDIDATE, NULL, NC_PARAMTYPE_CONST),
		    CTL_NC_TIMEOUT_MS, NULL, err, size);
}
