/*
 * detach.h - run hybridgwd as a classic daemon when it is not started by systemd.
 *
 * Unlike a plain double fork, the invoking process only exits once the daemon is ready
 * (status 0) or has died during startup (status 1), and startup errors still go to the
 * invoker's stderr.  So `hybridgwd && hybridgwctl status` works, and a daemon that cannot
 * start says why on the terminal.
 */
#ifndef HGWD_DETACH_H
#define HGWD_DETACH_H

/*
 * Fork into the background.  Returns 0 in the daemon, with *ready_fd set; the invoking
 * process never returns from this call.  -errno (logged) if the first fork fails.
 */
int hgwd_detach(int *ready_fd);

/* Point stdin, stdout and stderr at /dev/null, then release the invoker with status 0. */
int hgwd_detach_ready(int ready_fd);

#endif
