/*
 * frr_vty.c - vty protocol codec and the blocking session (see frr_vty.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frr_vty.h"

ssize_t frr_vty_encode(char *buf, size_t size, const char *cmd)
{
	size_t i, n = strlen(cmd);

	if (n == 0)
		return -EINVAL;
	if (n > FRR_VTY_CMD_MAX)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
			return -EINVAL;
	}
	if (n + 1 <= size)
		memcpy(buf, cmd, n + 1);
	return (ssize_t)(n + 1);
}

void frr_vty_reply_init(struct frr_vty_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	reply->max = FRR_VTY_REPLY_MAX;
}

void frr_vty_reply_reset(struct frr_vty_reply *reply)
{
	reply->len = 0;
	reply->zeros = 0;
	reply->done = false;
	reply->status = 0;
	if (reply->text != NULL)
		reply->text[0] = '\0';
}

void frr_vty_reply_clear(struct frr_vty_reply *reply)
{
	size_t max = reply->max;

	free(reply->text);
	frr_vty_reply_init(reply);
	reply->max = max;
}

static int reserve(struct frr_vty_reply *reply, size_t more)
{
	size_t need = reply->len + more + 1, cap;
	char *t;

	if (reply->len + more > reply->max)
		return -EMSGSIZE;
	if (need <= reply->cap)
		return 0;
	cap = reply->cap ? reply->cap : 4096;
	while (cap < need)
		cap *= 2;
	t = realloc(reply->text, cap);
	if (t == NULL)
		return -ENOMEM;
	reply->text = t;
	reply->cap = cap;
	return 0;
}

ssize_t frr_vty_reply_feed(struct frr_vty_reply *reply, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i, text = 0;
	int r;

	if (reply->done)
		return 0;
	/*
	 * NULs only come as the terminator, and nothing but the status byte follows them, so
	 * the text of a chunk is a prefix of it.
	 */
	for (i = 0; i < len; i++) {
		if (reply->zeros == 3) {
			reply->status = p[i];
			reply->done = true;
			i++;
			break;
		}
		if (p[i] == 0) {
			reply->zeros++;
			continue;
		}
		if (reply->zeros > 0)
			return -EBADMSG;
		text = i + 1;
	}
	r = reserve(reply, text);
	if (r < 0)
		return r;
	memcpy(reply->text + reply->len, p, text);
	reply->len += text;
	reply->text[reply->len] = '\0';
	return (ssize_t)i;
}

/* ---- blocking session */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline.  0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int frr_vty_open(struct frr_vty *vty, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t status;
	int r;

	memset(vty, 0, sizeof(*vty));
	vty->fd = -1;
	vty->timeout_ms = timeout_ms;
	frr_vty_reply_init(&vty->reply);
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(vty->path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	strcpy(vty->path, path);
	vty->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (vty->fd < 0)
		return -errno;
	/* A unix stream connect completes or fails at once (EAGAIN: backlog full). */
	if (connect(vty->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		frr_vty_close(vty);
		return r;
	}
	r = frr_vty_cmd(vty, "enable", &status);
	if (r == 0 && status != FRR_VTY_SUCCESS)
		r = -EACCES;
	if (r < 0)
		frr_vty_close(vty);
	return r;
}

static int send_all(struct frr_vty *vty, const char *buf, size_t len, long long deadline)
{
	ssize_t n;
	int r;

	while (len > 0) {
		n = send(vty->fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		r = wait_fd(vty->fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

static int recv_reply(struct frr_vty *vty, long long deadline)
{
	char buf[65536];
	ssize_t n, used;
	int r;

	frr_vty_reply_reset(&vty->reply);
	while (!vty->reply.done) {
		n = recv(vty->fd, buf, sizeof(buf), 0);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			r = wait_fd(vty->fd, POLLIN, deadline);
			if (r < 0)
				return r;
			continue;
		}
		used = frr_vty_reply_feed(&vty->reply, buf, (size_t)n);
		if (used < 0)
			return (int)used;
		if (used != n)
			return -EPROTO;
	}
	return 0;
}

int frr_vty_cmd(struct frr_vty *vty, const char *cmd, uint8_t *status)
{
	long long deadline = now_ms() + vty->timeout_ms;
	char buf[FRR_VTY_CMD_MAX + 1];
	ssize_t n;
	int r;

	if (vty->fd < 0)
		return -ENOTCONN;
	n = frr_vty_encode(buf, sizeof(buf), cmd);
	if (n < 0)
		return (int)n;
	r = send_all(vty, buf, (size_t)n, deadline);
	if (r == 0)
		r = recv_reply(vty, deadline);
	if (r < 0) {
		frr_vty_close(vty);
		return r;
	}
	*status = vty->reply.status;
	return 0;
}

void frr_vty_close(struct frr_vty *vty)
{
	if (vty->fd >= 0)
		close(vty->fd);
	vty->fd = -1;
	frr_vty_reply_clear(&vty->reply);
}
