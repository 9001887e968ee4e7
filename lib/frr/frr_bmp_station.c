/*
 * frr_bmp_station.c - the BMP station (see frr_bmp_station.h).
 *
 * One listening socket, any number of connections (bgpd makes one per "bmp connect",
 * and a new one after each reconnect).  Each connection keeps a receive buffer that
 * holds at most one message plus one read: bytes are appended, whole messages are cut
 * off the front and dispatched, the rest is moved down.  Nothing is ever written to bgpd.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frr_bmp_station.h"
#include "util.h"

#define READ_CHUNK 65536
#define BUF_SIZE (FRR_BMP_MSG_MAX + READ_CHUNK)

struct conn {
	struct frr_bmp_station *st;
	struct conn *next;
	sd_event_source *io;
	int fd;
	uint8_t *buf;
	size_t len;
};

struct frr_bmp_station {
	sd_event *event;
	sd_event_source *io;
	int fd;
	uint16_t port;
	const struct frr_bmp_station_ops *ops;
	void *arg;
	struct conn *conns;
	unsigned n_conns;
};

static void conn_free(struct conn *c)
{
	struct conn **pp;

	for (pp = &c->st->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			c->st->n_conns--;
			break;
		}
	}
	sd_event_source_disable_unref(c->io);
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

static void conn_end(struct conn *c, int error)
{
	const struct frr_bmp_station_ops *ops = c->st->ops;
	void *arg = c->st->arg;

	conn_free(c);
	if (ops->closed != NULL)
		ops->closed(arg, error);
}

static void routes(struct frr_bmp_station *st, const struct frr_bmp_msg *msg)
{
	const struct frr_bmp_update *u = &msg->u.update;
	struct frr_bmp_nlri lists[] = { u->withdrawn, u->mp_unreach, u->nlri, u->mp_reach };
	struct frr_bmp_prefix p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		/* withdrawals first: an UPDATE may withdraw and announce the same prefix */
		bool announced = i >= 2;

		while (frr_bmp_nlri_next(&lists[i], &p) > 0)
			st->ops->route(st->arg, &msg->peer, &p, announced, u);
	}
}

static void dispatch(struct frr_bmp_station *st, const struct frr_bmp_msg *msg, const uint8_t *raw,
		     size_t len)
{
	const struct frr_bmp_station_ops *ops = st->ops;

	if (ops->message != NULL)
		ops->message(st->arg, msg, raw, len);
	if (msg->type == FRR_BMP_PEER_UP && ops->peer_up != NULL)
		ops->peer_up(st->arg, msg);
	else if (msg->type == FRR_BMP_PEER_DOWN && ops->peer_down != NULL)
		ops->peer_down(st->arg, msg);
	else if (msg->type == FRR_BMP_ROUTE_MONITORING && ops->route != NULL)
		routes(st, msg);
}

/* Dispatch every whole message in the buffer.  0, or -EBADMSG. */
static int drain(struct conn *c)
{
	struct frr_bmp_msg msg;
	size_t pos = 0;

	for (;;) {
		ssize_t n = frr_bmp_msg_len(c->buf + pos, c->len - pos);

		if (n < 0)
			return (int)n;
		if (n == 0 || (size_t)n > c->len - pos)
			break;
		/* a type we do not know is skipped: newer bgpd versions may send more */
		if (frr_bmp_decode(c->buf + pos, (size_t)n, &msg) == 0)
			dispatch(c->st, &msg, c->buf + pos, (size_t)n);
		else if (msg.type <= FRR_BMP_ROUTE_MIRRORING)
			return -EBADMSG;
		pos += (size_t)n;
	}
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
	return 0;
}

static int on_conn_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct conn *c = userdata;
	ssize_t n;
	int r;

	(void)s;
	(void)revents;
	n = recv(fd, c->buf + c->len, BUF_SIZE - c->len, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		conn_end(c, -errno);
		return 0;
	}
	if (n == 0) {
		conn_end(c, 0);
		return 0;
	}
	c->len += (size_t)n;
	r = drain(c);
	if (r < 0)
		conn_end(c, r);
	return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct frr_bmp_station *st = userdata;
	struct conn *c;
	int cfd, r;

	(void)s;
	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->buf = malloc(BUF_SIZE)) == NULL) {
		free(c);
		close(cfd);
		return 0;
	}
	c->st = st;
	c->fd = cfd;
	c->next = st->conns;
	st->conns = c;
	st->n_conns++;
	r = sd_event_add_io(st->event, &c->io, cfd, EPOLLIN, on_conn_io, c);
	if (r < 0) {
		conn_free(c);
		return 0;
	}
	(void)sd_event_source_set_description(c->io, "bmp-conn");
	return 0;
}

static int listen_on(const char *addr, uint16_t port, uint16_t *bound)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* bgpd retries every min-retry ms: a restarted station must get its port back at once */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*bound = ntohs(ss.ss_family == AF_INET ? sin->sin_port : sin6->sin6_port);
	return fd;
}

int frr_bmp_station_new(sd_event *event, const char *addr, uint16_t port,
			const struct frr_bmp_station_ops *ops, void *arg,
			struct frr_bmp_station **out)
{
	struct frr_bmp_station *st = calloc(1, sizeof(*st));
	int r;

	if (st == NULL)
		return -ENOMEM;
	st->ops = ops;
	st->arg = arg;
	st->event = sd_event_ref(event);
	st->fd = listen_on(addr, port, &st->port);
	if (st->fd < 0) {
		r = st->fd;
		goto fail;
	}
	r = sd_event_add_io(event, &st->io, st->fd, EPOLLIN, on_accept, st);
	if (r < 0)
		goto fail;
	(void)sd_event_source_set_description(st->io, "bmp-listen");
	*out = st;
	return 0;
fail:
	frr_bmp_station_free(st);
	return r;
}

uint16_t frr_bmp_station_port(const struct frr_bmp_station *st)
{
	return st->port;
}

unsigned frr_bmp_station_connections(const struct frr_bmp_station *st)
{
	return st->n_conns;
}

void frr_bmp_station_free(struct frr_bmp_station *st)
{
	if (st == NULL)
		return;
	while (st->conns != NULL)
		conn_free(st->conns);
	sd_event_source_disable_unref(st->io);
	if (st->fd >= 0)
		close(st->fd);
	sd_event_unref(st->event);
	free(st);
}
