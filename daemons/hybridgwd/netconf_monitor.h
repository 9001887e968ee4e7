/*
 * netconf_monitor.h - ietf-netconf-monitoring (RFC 6022) state: what the server is, who is
 * connected, what is locked, how many RPCs went right and wrong.  netconf.c keeps the
 * counters and hands them here at each <get>; this file only builds the tree (libyang), so
 * it is unit-tested without a server.
 *
 * Transports: a session whose peer process is the SSH subsystem (hybridgw-netconf) is
 * netconf-ssh, with the SSH client's address as source-host; any other local client
 * (hybridgwctl, a script on the router) is hybridgw:unix-socket.
 */
#ifndef HGWD_NETCONF_MONITOR_H
#define HGWD_NETCONF_MONITOR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libyang/libyang.h>

struct nc_mon_counters {
	uint32_t in_rpcs;
	uint32_t in_bad_rpcs;
	uint32_t out_rpc_errors;
	uint32_t out_notifications;
};

struct nc_mon_session {
	uint32_t sid;
	const char *transport; /* an identity, with its module: "hybridgw:unix-socket" */
	const char *username;
	const char *source_host; /* NULL: none (a local client) */
	time_t login;
	struct nc_mon_counters counters;
};

/* Datastores, in this order. */
enum {
	NC_MON_RUNNING,
	NC_MON_CANDIDATE,
	NC_MON_STARTUP,
	NC_MON_DATASTORES
};

struct nc_mon {
	time_t start;
	const char *const *capabilities; /* NULL-terminated */
	const struct nc_mon_session *sessions;
	size_t n_sessions;
	uint32_t lock_sid[NC_MON_DATASTORES]; /* 0: not locked */
	time_t lock_time[NC_MON_DATASTORES];
	uint32_t in_bad_hellos;
	uint32_t in_sessions;
	uint32_t dropped_sessions;
	struct nc_mon_counters totals;
};

/*
 * Add /ietf-netconf-monitoring:netconf-state for m to *tree (NULL: a new tree): capabilities,
 * datastores with their global locks, the schemas of ctx's implemented modules (format
 * yang, location NETCONF: get-schema serves them), sessions and statistics.
 * 0, -EINVAL (a value the model refuses), -ENOMEM.
 */
int netconf_monitor_state(const struct ly_ctx *ctx, const struct nc_mon *m, struct lyd_node **tree);

/* "hybridgw:unix-socket" or, for the SSH subsystem relay, "ietf-netconf-monitoring:netconf-ssh". */
const char *netconf_monitor_transport(int ssh);

#endif
