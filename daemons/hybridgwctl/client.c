/*
 * client.c - blocking I/O is right for a one-shot CLI, as long as every step has a
 * deadline: on a unix socket, SO_SNDTIMEO bounds connect() (a daemon whose listen backlog
 * is full) and send(), SO_RCVTIMEO every recv().
 */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

/* A timed-out socket call fails with EAGAIN; say what it means. */
static int socket_error(void)
{
	return errno == EAGAIN ? -ETIMEDOUT : -errno; /* EWOULDBLOCK == EAGAIN on Linux */
}

static int connect_socket(const char *path)
{
	const struct timeval timeout = { .tv_sec = CTL_CLIENT_TIMEOUT_SEC };
	struct sockaddr_un sa;
	int fd, salen, r;

	salen = hgw_ctl_sockaddr(&sa, path);
	if (salen < 0)
		return salen;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, (socklen_t)salen) < 0) {
		r = socket_error();
		close(fd);
		return r;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return socket_error();
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until end of file into buf, keeping room for a NUL. */
static ssize_t recv_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	char extra;

	for (;;) {
		if (len + 1 < size)
			n = recv(fd, buf + len, size - 1 - len, 0);
		else
			n = recv(fd, &extra, 1, 0); /* full: only end of file is acceptable */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return socket_error();
		if (n == 0)
			break;
		if (len + 1 >= size)
			return -EMSGSIZE;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

ssize_t ctl_client_exchange(const char *path, enum hgw_ctl_cmd cmd, char *buf, size_t size)
{
	char request[HGW_CTL_REQUEST_MAX];
	ssize_t n, len;
	int fd, r;

	if (size == 0)
		return -EMSGSIZE;
	n = hgw_ctl_request_encode(request, sizeof(request), cmd);
	if (n < 0 || (size_t)n >= sizeof(request))
		return -EINVAL;
	fd = connect_socket(path);
	if (fd < 0)
		return fd;
	r = send_all(fd, request, (size_t)n);
	len = r < 0 ? r : recv_all(fd, buf, size);
	close(fd);
	return len;
}
