/*
 * daemon.h - hybridgwd's state and lifecycle.
 *
 * One sd-event loop in one thread owns everything.  hgwd_new() builds the daemon and
 * leaves it STARTING, with the control socket listening; hgwd_run() declares it RUNNING
 * (READY=1 to systemd) and runs the loop until SIGTERM or SIGINT; hgwd_free() tears down.
 *
 * Errors: functions return 0 or -errno, and a failure is logged once, by the function
 * that knows what failed and what the operator can do about it.
 */
#ifndef HGWD_DAEMON_H
#define HGWD_DAEMON_H

#include "options.h"

struct hgwd;

/* opts is borrowed and must outlive the daemon. */
int hgwd_new(const struct hgwd_options *opts, struct hgwd **ret);

/* Returns the exit status for main(), or -errno if the event loop itself failed. */
int hgwd_run(struct hgwd *daemon);

/* Closes and removes the control socket.  NULL is ok. */
void hgwd_free(struct hgwd *daemon);

#endif
