/*
 * ctl_proto.h - the interim control channel between hybridgwctl and hybridgwd.
 *
 * INTERIM.  This channel exists so that the daemon skeleton can be observed, supervised and
 * tested before the NETCONF server lands.  When hybridgwd embeds libnetconf2, hybridgwctl
 * will speak NETCONF over the daemon's NETCONF unix socket, this socket becomes that one,
 * and the line protocol below is deleted.  Do not add requests to it: anything new belongs
 * in the YANG model.
 *
 * The exchange, one per connection, on the SOCK_STREAM unix socket HGW_CTL_SOCKET_NAME in
 * the daemon's state directory:
 *
 *	client: "status\n"                  at most HGW_CTL_REQUEST_MAX bytes, '\n' included
 *	server: "key=value\n" ... "\n"      then closes the connection
 *
 * A failed request is answered by the single line "error=<text>\n\n".  Keys are [a-z0-9_]+;
 * values are any bytes but control characters (so UTF-8 paths pass); numbers are decimal.
 * A reader ignores keys it does not know, so the daemon may add fields without breaking
 * older clients; a reader rejects everything else that deviates.
 *
 * Everything here is pure (buffers in, buffers or structs out, no I/O, no clock), so the
 * daemon and the client share one implementation that is unit-tested and fuzzed directly.
 */
#ifndef HGW_CTL_PROTO_H
#define HGW_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#define HGW_CTL_SOCKET_NAME "hybridgwd.sock"
/* Longest request line, '\n' included. */
#define HGW_CTL_REQUEST_MAX 64
/* Longest reply: two paths of PATH_MAX and a few numbers fit. */
#define HGW_CTL_REPLY_MAX 16384
/* Size of a buffer for a socket path: what fits in sockaddr_un.sun_path, NUL included. */
#define HGW_CTL_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

enum hgw_ctl_cmd {
	HGW_CTL_STATUS,
};

enum hgw_run_state {
	HGW_STATE_STARTING,
	HGW_STATE_RUNNING,
	HGW_STATE_STOPPING,
};

/*
 * The daemon's status.  The strings are borrowed: from the daemon's configuration when
 * encoding, from the reply buffer when parsed (see hgw_ctl_reply_parse()).
 */
struct hgw_status {
	const char *version;
	pid_t pid;
	uint64_t uptime_s;
	const char *config_dir;
	const char *state_dir;
	uint64_t reloads; /* SIGHUPs received */
	enum hgw_run_state state;
};

/* A parsed reply: error != NULL for an error reply, else status is complete. */
struct hgw_ctl_reply {
	const char *error;
	struct hgw_status status;
};

/* "starting", "running", "stopping"; NULL for a value outside the enum. */
const char *hgw_run_state_name(enum hgw_run_state state);

/*
 * "<state_dir>/hybridgwd.sock" into buf (trailing slashes of state_dir dropped).
 * Returns 0, -EINVAL for an empty state_dir, or -ENAMETOOLONG if the path does not fit in
 * buf or in a sockaddr_un.
 */
int hgw_ctl_socket_path(char *buf, size_t size, const char *state_dir);

/* Fill *sa for path.  Returns the address length to pass to bind/connect, or -ENAMETOOLONG. */
int hgw_ctl_sockaddr(struct sockaddr_un *sa, const char *path);

/*
 * The encoders work like snprintf: they write at most size bytes, NUL-terminated when
 * size > 0 (buf may be NULL when size is 0), and return the length of the complete output
 * without the NUL; output was cut if the return value is >= size.  A negative return is
 * -EINVAL: a value that cannot be sent (a control character, an empty string, pid <= 0,
 * an unknown state or command).
 */
ssize_t hgw_ctl_request_encode(char *buf, size_t size, enum hgw_ctl_cmd cmd);
ssize_t hgw_ctl_status_encode(char *buf, size_t size, const struct hgw_status *status);
ssize_t hgw_ctl_error_encode(char *buf, size_t size, const char *message);

/*
 * Parse the request bytes received so far (buf need not be NUL-terminated).
 * Returns
 *   0            a complete request, *cmd set;
 *   -EAGAIN      no '\n' yet, and nothing wrong so far: read more;
 *   -EMSGSIZE    no '\n' within HGW_CTL_REQUEST_MAX bytes;
 *   -EBADMSG     NUL or other control bytes, an empty line, or bytes after the '\n';
 *   -EOPNOTSUPP  a well-formed line that is not a known request.
 * On errors other than -EAGAIN, *why is set to a static, printable explanation that is
 * fit to send back as an error reply.
 */
int hgw_ctl_request_parse(const char *buf, size_t len, enum hgw_ctl_cmd *cmd, const char **why);

/*
 * Parse a complete reply of len bytes in buf.  Works in place: values are NUL-terminated
 * inside buf and the strings in *reply point into it, so buf must outlive *reply.
 * Returns 0, or -EBADMSG with *why set to a static explanation.
 */
int hgw_ctl_reply_parse(char *buf, size_t len, struct hgw_ctl_reply *reply, const char **why);

#endif
