/*
 * ctl.h - what hybridgwctl's command files share: options, exit statuses, the NETCONF
 * session of one invocation.
 */
#ifndef HGWCTL_CTL_H
#define HGWCTL_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include <libyang/libyang.h>

#include "ncclient.h"
#include "util.h"

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_RUNNING = 3,
};

struct ctl_options {
	const char *state_dir;	    /* NULL unless given */
	const char *socket;	    /* the control socket; NULL unless given */
	const char *netconf_socket; /* NULL unless given */
	bool json;
	bool candidate;	  /* config show --candidate */
	uint32_t confirm; /* config commit --confirm SECONDS; 0: not given */
};

struct ctl_session {
	struct ly_ctx *ctx;
	struct ctl_nc *nc;
};

/* Print the message and the hint to --help, exit 2. */
noreturn void HGW_PRINTF(1, 2) usage_error(const char *fmt, ...);

/* Open the NETCONF session; on failure the message is printed and the exit status returned. */
int ctl_session_open(const struct ctl_options *o, struct ctl_session *s);
void ctl_session_close(struct ctl_session *s);

/* Print a failed RPC's message (r and err from ncclient.h); returns EXIT_ERROR. */
int ctl_rpc_failed(int r, const char *err);

/* The config commands (cmd_config.c). */
int ctl_cmd_config(const struct ctl_options *o, char **args, int nargs);

#endif
