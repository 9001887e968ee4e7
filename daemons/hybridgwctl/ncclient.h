/*
 * ncclient.h - hybridgwctl's NETCONF session with hybridgwd on its unix socket
 * (<state_dir>/netconf.sock), through libnetconf2's client side; replies are libyang trees.
 *
 * Blocking, as befits a one-shot CLI, but every step has a deadline: the connect (unix
 * sockets block only while the listen backlog is full), the <hello> exchange
 * (libnetconf2's), and each RPC (CTL_NC_TIMEOUT_MS, commits CTL_NC_COMMIT_TIMEOUT_MS).
 *
 * The YANG context is ours (ctl_nc_ctx_new()): hybridgw.yang and the IETF modules from local
 * directories, handed to libnetconf2, which adds what the server announces from the same
 * directories and fetches the rest with <get-schema>.  Not nc_client_set_schema_searchpath():
 * libnetconf2 2.0.24 writes every module it fetches into that directory (it would litter the
 * installed yang/ directory), and it takes one directory only while hybridgw.yang and the
 * IETF modules live in two.
 *
 * Errors: functions return 0 or -errno and write a message for the operator into err:
 *   -ENOENT, -ECONNREFUSED  ctl_nc_open(): no daemon (no socket, or nobody listens on it);
 *   -EACCES                 not allowed to use the socket, or the server closed the session
 *                           at the <hello> (no NETCONF role for this user);
 *   -ETIMEDOUT              no answer in time;
 *   -EREMOTEIO              the server answered an <rpc-error>: err holds its message(s);
 *   -EPROTO                 the session failed (no <hello>, an unparsable reply, lost);
 *   -ENOMEM.
 */
#ifndef HGWCTL_NCCLIENT_H
#define HGWCTL_NCCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libyang/libyang.h>

#define CTL_NC_CONNECT_TIMEOUT_SEC 5
#define CTL_NC_TIMEOUT_MS 30000
/* A commit goes through charon, FRR and the kernel before the daemon answers. */
#define CTL_NC_COMMIT_TIMEOUT_MS 120000
/* Where the IETF modules are (Debian's libyuma-base), as hybridgwd has them. */
#define CTL_NC_IETF_YANG_DIR "/usr/share/yuma/modules/ietf"

enum ctl_nc_ds {
	CTL_NC_RUNNING,
	CTL_NC_CANDIDATE,
	CTL_NC_STARTUP,
};

struct ctl_nc;

/*
 * A YANG context with hybridgw.yang from yang_dir (NULL: $HYBRIDGWD_YANG_DIR, else the
 * installed directory) and the IETF modules.  The caller frees it with ly_ctx_destroy()
 * after every session and tree that uses it.  0, -ENOENT (modules not found), -ENOMEM.
 */
int ctl_nc_ctx_new(const char *yang_dir, struct ly_ctx **ctx, char *err, size_t size);

/* Open a session on the unix socket at path, with ctx (borrowed: it must outlive the session). */
int ctl_nc_open(const char *path, struct ly_ctx *ctx, struct ctl_nc **ret, char *err, size_t size);

/* <close-session> and close; accepts NULL. */
void ctl_nc_close(struct ctl_nc *nc);

/* libnetconf2's and libyang's own messages go to stderr (for debugging) when set. */
void ctl_nc_set_debug(bool on);

/*
 * <get> with an xpath filter (module names as prefixes; NULL: everything).  *data is the
 * content of <data> (the caller's, lyd_free_all()); NULL when the filter selected nothing.
 */
int ctl_nc_get(struct ctl_nc *nc, const char *xpath, struct lyd_node **data, char *err,
	       size_t size);

/* <get-config> of a datastore, filtered like ctl_nc_get(). */
int ctl_nc_get_config(struct ctl_nc *nc, enum ctl_nc_ds ds, const char *xpath,
		      struct lyd_node **data, char *err, size_t size);

/* <edit-config> of the candidate with config (XML, the content of <config>). */
int ctl_nc_edit_candidate(struct ctl_nc *nc, const char *config, char *err, size_t size);

/*
 * <commit>.  confirm_timeout > 0 makes it a confirmed commit with that many seconds, which
 * must be persistent (persist, a token) to outlive this session: the server rolls back a
 * confirmed commit without persist when its session ends.  persist_id (NULL: none) makes
 * it the confirming commit of a persistent confirmed commit.
 */
int ctl_nc_commit(struct ctl_nc *nc, uint32_t confirm_timeout, const char *persist,
		  const char *persist_id, char *err, size_t size);

/* <discard-changes> */
int ctl_nc_discard(struct ctl_nc *nc, char *err, size_t size);

/* <validate> of the candidate. */
int ctl_nc_validate(struct ctl_nc *nc, char *err, size_t size);

#endif
