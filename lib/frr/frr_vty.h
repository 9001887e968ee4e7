/*
 * frr_vty.h - FRR's vty protocol on a daemon's unix socket (/run/frr[/NS]/<daemon>.vty),
 * the one vtysh speaks.
 *
 *	client: command bytes, one NUL
 *	daemon: output text, three NULs, one status byte (0 success, 1 warning, 2 and up
 *	        errors: 2 unknown command, 4 incomplete, 13 configuration failed, ...)
 *
 * A session starts in view mode; "enable" first.  Commands are strict: the daemon does not
 * fall back to parent nodes for a command that fails in the current one, as vtysh -f does.
 *
 * Two layers.  The codec (frr_vty_encode, struct frr_vty_reply) is pure and
 * incremental, so the daemon's sd-event loop can drive a non-blocking socket with it:
 * queue encoded commands, feed whatever arrives, take a reply when complete.  The session
 * (struct frr_vty) is a BLOCKING client with a per-command timeout, built on the codec,
 * for the test tool, the protocol tests and the benchmark; hybridgwd must not use it.
 */
#ifndef HGW_FRR_VTY_H
#define HGW_FRR_VTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest command, bytes without the NUL. */
#define FRR_VTY_CMD_MAX 4096
/* Longest reply accepted (a full BGP table in JSON is large). */
#define FRR_VTY_REPLY_MAX (256u * 1024 * 1024)

enum frr_vty_status {
	FRR_VTY_SUCCESS = 0,
	FRR_VTY_WARNING = 1,
};

/*
 * The command plus its NUL into buf (snprintf-like: returns the encoded length, NUL
 * included; nothing written past size).  -EINVAL for an empty command or one holding a
 * control character (a newline would smuggle a second command), -EMSGSIZE if longer than
 * FRR_VTY_CMD_MAX.
 */
ssize_t frr_vty_encode(char *buf, size_t size, const char *cmd);

/* One reply being received.  Owns text (malloc'ed, NUL-terminated), freed by _clear. */
struct frr_vty_reply {
	char *text;
	size_t len; /* of the output, terminating NULs not included */
	size_t cap;
	size_t max;	/* FRR_VTY_REPLY_MAX unless set lower */
	unsigned zeros; /* NULs seen in a row */
	bool done;
	uint8_t status;
};

void frr_vty_reply_init(struct frr_vty_reply *reply);
/* Forget the reply (keep the buffer) to receive the next one. */
void frr_vty_reply_reset(struct frr_vty_reply *reply);
void frr_vty_reply_clear(struct frr_vty_reply *reply);

/*
 * Feed received bytes.  Returns how many were consumed (fewer than len only when the
 * reply completed: the rest belongs to a reply to a command not sent, which is a protocol
 * error for the caller), or -EBADMSG for a NUL inside the output, -EMSGSIZE beyond max,
 * -ENOMEM.  reply->done tells when the reply is complete.
 */
ssize_t frr_vty_reply_feed(struct frr_vty_reply *reply, const void *buf, size_t len);

/* ---- blocking session (tests and tools only) */

struct frr_vty {
	int fd;
	int timeout_ms; /* per command */
	struct frr_vty_reply reply;
	char path[108];
};

/* Connect to the socket at path and send "enable".  0 or -errno (-ETIMEDOUT). */
int frr_vty_open(struct frr_vty *vty, const char *path, int timeout_ms);
/*
 * Run one command.  On 0, *status is the daemon's status byte and vty->reply.text its
 * output (valid until the next command).  -errno for a transport failure, after which
 * the session is closed.
 */
int frr_vty_cmd(struct frr_vty *vty, const char *cmd, uint8_t *status);
/* Close; fine on a closed or never opened session (fd -1 or 0-initialised with fd -1). */
void frr_vty_close(struct frr_vty *vty);

#endif
