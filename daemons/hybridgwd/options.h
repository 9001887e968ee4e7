/*
 * options.h - hybridgwd's command line, parsed into a struct so that it can be tested
 * without starting a daemon.
 */
#ifndef HGWD_OPTIONS_H
#define HGWD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

enum hgwd_action {
	HGWD_RUN,
	HGWD_SHOW_HELP,
	HGWD_SHOW_VERSION,
};

/* The strings point into argv or to the compiled-in defaults. */
struct hgwd_options {
	enum hgwd_action action;
	bool foreground;
	bool config_only; /* NETCONF and datastores only: no coordinator */
	int log_level;	  /* LOG_INFO, raised by each -v up to LOG_DEBUG */
	const char *config_dir;
	const char *state_dir;
	const char *vici_socket; /* charon's VICI socket */
	const char *frr_rundir;	 /* FRR's vty sockets: /run/frr, or /run/frr/<ns> with -N */
	/* metrics: the HTTP endpoint's address as given (NULL: none) and parsed */
	const char *metrics_listen;
	struct sockaddr_storage metrics_addr;
	socklen_t metrics_addrlen;
};

#define HGWD_DEFAULT_VICI_SOCKET "/run/charon.vici"
#define HGWD_DEFAULT_FRR_RUNDIR "/run/frr"
/* Loopback only unless told otherwise: the endpoint has no authentication. */
#define HGWD_DEFAULT_METRICS_LISTEN "127.0.0.1:9474"
/* Replaces the default (not a --metrics-listen given): make check sets it to "none". */
#define HGWD_METRICS_LISTEN_ENV "HYBRIDGWD_METRICS_LISTEN"

/*
 * Parse argv (resets getopt, so it may be called more than once).  Returns 0, or -EINVAL
 * with a one-line explanation for the user in err.  Directories must be absolute: the
 * daemon changes to / when it detaches, and the state directory must leave room for the
 * socket name within a sockaddr_un.
 */
int hgwd_options_parse(struct hgwd_options *opts, int argc, char *argv[], char *err,
		       size_t errsize);

/*
 * An endpoint "A.B.C.D:PORT" or "[IPv6]:PORT" (numeric only, port 0-65535; 0: the kernel
 * picks one) into *addr.  0 or -EINVAL.
 */
int hgwd_parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len);

void hgwd_usage(FILE *out);

#endif
