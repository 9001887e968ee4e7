/*
 * client.h - one exchange with hybridgwd over the control socket, with deadlines.
 */
#ifndef HGWCTL_CLIENT_H
#define HGWCTL_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "ctl_proto.h"

/* Bounds the connect, the send and every read. */
#define CTL_CLIENT_TIMEOUT_SEC 5

/*
 * Connect to path, send cmd and read the reply until the daemon closes the connection.
 * Returns the reply length, with the reply NUL-terminated in buf, or -errno:
 *   -ENOENT, -ECONNREFUSED  no daemon (no socket, or a stale one nobody listens on);
 *   -ETIMEDOUT              the daemon did not accept or answer in time;
 *   -EMSGSIZE               the reply does not fit in size - 1 bytes;
 *   others                  from the system (-EACCES: not allowed to use the socket).
 */
ssize_t ctl_client_exchange(const char *path, enum hgw_ctl_cmd cmd, char *buf, size_t size);

#endif
