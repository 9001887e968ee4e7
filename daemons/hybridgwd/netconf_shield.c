/*
 * netconf_shield.c - a NETCONF client's socket kept away from libnetconf2; see
 * netconf_shield.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "framing.h"
#include "log.h"
#include "netconf_shield.h"

/* Whole messages libnetconf2 may have unread before the client is read no more. */
#define IN_LIMIT ((size_t)1 << 20)
/* Bytes read from the client at once, and from libnetconf2 towards it. */
#define CHUNK (64 * 1024)
/*
 * Both ends' send buffers (SO_SNDBUFFORCE; the kernel only charges what is queued).  What
 * libnetconf2 writes must always fit: a full buffer would block it, and the loop with it.
 * The backlog check keeps a client's unread output under NC_SHIELD_BACKLOG_MAX plus one
 * reply plus the notifications sent meanwhile, far from this.
 */
#define SOCKBUF (256 << 20)
/* An incomplete message from the client may go this long without a byte. */
#define MESSAGE_TIMEOUT_USEC (30 * 1000000ULL)
/* How long the last replies may wait for a client after its session ended. */
#define LINGER_USEC (10 * 1000000ULL)

struct nc_shield {
	sd_event *event;
	int client; /* the client's socket; -1 once it is gone */
	int mine;   /* our end of the pair */
	int inner;  /* libnetconf2's end, ours to look at until released */
	sd_event_source *client_src;
	sd_event_source *mine_src;
	sd_event_source *timer; /* the incomplete message's deadline; after release, linger */
	struct nc_shield_ops ops;
	void *userdata;
	bool released;
	bool client_eof; /* nothing more comes from the client (EOF, error, or we stopped it) */
	bool shut;	 /* libnetconf2 got its EOF */
	bool inner_eof;	 /* libnetconf2's end is closed */
	bool over;	 /* the backlog went over NC_SHIELD_BACKLOG_MAX */
	const char *error;
	/* from the client: in[start, ready) whole messages not passed on, [ready, end) the current
	 */
	char *in;
	size_t in_cap, in_start, in_ready, in_end;
	struct framer fr;
	/* towards the client: out[start, end) read from libnetconf2, not yet written */
	size_t out_start, out_end;
	char out[CHUNK];
	struct nc_shield *next;
};

static struct nc_shield *shields;

static void shield_free(struct nc_shield *s)
{
	struct nc_shield **p;

	for (p = &shields; *p != NULL; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	sd_event_source_disable_unref(s->client_src);
	sd_event_source_disable_unref(s->mine_src);
	sd_event_source_disable_unref(s->timer);
	if (s->client >= 0)
		close(s->client);
	close(s->mine);
	sd_event_unref(s->event);
	free(s->in);
	free(s);
}

/* Bytes queued for reading on fd (a stream socket), 0 if it cannot say. */
static size_t queued(int fd)
{
	int n = 0;

	if (fd < 0 || ioctl(fd, SIOCINQ, &n) < 0 || n < 0)
		return 0;
	return (size_t)n;
}

size_t nc_shield_backlog(struct nc_shield *s)
{
	size_t n = queued(s->mine) + (s->out_end - s->out_start);

	if (n > NC_SHIELD_BACKLOG_MAX)
		s->over = true;
	return n;
}

const char *nc_shield_error(const struct nc_shield *s)
{
	return s->error;
}

/* The client said all it will say: what it sent whole still goes to libnetconf2. */
static void client_done(struct nc_shield *s, const char *error)
{
	if (error != NULL && s->error == NULL)
		s->error = error;
	s->client_eof = true;
	/* a message cut short is dropped: libnetconf2 must never see half of one */
	s->in_end = s->in_ready;
	s->timer = sd_event_source_disable_unref(s->timer);
}

/* The client cannot be written to any more: it is gone. */
static void client_gone(struct nc_shield *s)
{
	client_done(s, NULL);
	s->in_start = s->in_ready = s->in_end = 0;
	s->out_start = s->out_end = 0;
	sd_event_source_disable_unref(s->client_src);
	s->client_src = NULL;
	close(s->client);
	s->client = -1;
}

static int on_message_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct nc_shield *s = userdata;

	(void)source;
	(void)usec;
	client_done(s, "an incomplete message got no byte for 30 s");
	nc_shield_kick(s);
	return 0;
}

/* An incomplete message is on its way: (re)start its clock from now. */
static void message_clock(struct nc_shield *s)
{
	uint64_t now;

	if (s->client_eof || s->in_end == s->in_ready) {
		s->timer = sd_event_source_disable_unref(s->timer);
		return;
	}
	if (sd_event_now(s->event, CLOCK_MONOTONIC, &now) < 0)
		return;
	if (s->timer != NULL) {
		sd_event_source_set_time(s->timer, now + MESSAGE_TIMEOUT_USEC);
		sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
	} else {
		sd_event_add_time(s->event, &s->timer, CLOCK_MONOTONIC, now + MESSAGE_TIMEOUT_USEC,
				  0, on_message_timeout, s);
	}
}

/* Read what the client has and cut it into messages. */
static void read_client(struct nc_shield *s)
{
	size_t pos, want;
	const char *why;
	ssize_t n;
	char *p;

	if (s->in_start > 0) {
		memmove(s->in, s->in + s->in_start, s->in_end - s->in_start);
		s->in_ready -= s->in_start;
		s->in_end -= s->in_start;
		s->in_start = 0;
	}
	if (s->in_cap - s->in_end < CHUNK) {
		want = s->in_cap * 2 > s->in_end + CHUNK ? s->in_cap * 2 : s->in_end + CHUNK;
		p = realloc(s->in, want);
		if (p == NULL) {
			client_done(s, "out of memory for the client's message");
			return;
		}
		s->in = p;
		s->in_cap = want;
	}
	n = recv(s->client, s->in + s->in_end, CHUNK, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_done(s, n < 0 || s->in_end > s->in_ready ?
				       "the client closed in the middle of a message" :
				       NULL);
		return;
	}
	pos = s->in_end;
	s->in_end += (size_t)n;
	why = frame_feed(&s->fr, s->in, pos, s->in_end, &s->in_ready);
	if (why != NULL) {
		client_done(s, why); /* keeps the whole messages before */
		return;
	}
	message_clock(s);
}

/* send() what fd takes of buf[0, len): the bytes taken, 0 if it would block, or -errno. */
static ssize_t send_some(int fd, const char *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n >= 0 ? n : errno == EAGAIN ? 0 : -errno;
}

/* Pass whole messages on while libnetconf2 keeps up; its EOF after the last. */
static void forward(struct nc_shield *s)
{
	ssize_t n;

	while (s->in_start < s->in_ready && !s->released && queued(s->inner) < IN_LIMIT) {
		n = send_some(s->mine, s->in + s->in_start, s->in_ready - s->in_start);
		if (n < 0)
			client_gone(s);
		if (n <= 0)
			return;
		s->in_start += (size_t)n;
	}
	if (s->client_eof && s->in_start == s->in_ready && !s->shut) {
		shutdown(s->mine, SHUT_WR);
		s->shut = true;
	}
}

/* Write what libnetconf2 wrote to the client, as much as it takes. */
static void write_client(struct nc_shield *s)
{
	ssize_t n;

	for (;;) {
		if (s->out_start == s->out_end && !s->inner_eof) {
			s->out_start = s->out_end = 0;
			n = recv(s->mine, s->out, sizeof(s->out), MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n <= 0) {
				s->inner_eof = true;
				break;
			}
			s->out_end = (size_t)n;
		}
		if (s->out_start == s->out_end)
			break;
		if (s->client < 0) { /* nobody to write to: drop it */
			s->out_start = s->out_end;
			continue;
		}
		n = send_some(s->client, s->out + s->out_start, s->out_end - s->out_start);
		if (n < 0)
			client_gone(s);
		if (n <= 0)
			break;
		s->out_start += (size_t)n;
	}
	if (s->over && nc_shield_backlog(s) <= NC_SHIELD_BACKLOG_MAX) {
		s->over = false;
		if (!s->released && s->ops.drained != NULL)
			s->ops.drained(s->userdata);
	}
}

static void io_events(sd_event_source *src, uint32_t events)
{
	if (src == NULL)
		return;
	/* never 0 with the source on: epoll reports a hang-up regardless, over and over */
	if (events == 0) {
		sd_event_source_set_enabled(src, SD_EVENT_OFF);
		return;
	}
	sd_event_source_set_io_events(src, events);
	sd_event_source_set_enabled(src, SD_EVENT_ON);
}

/* Whether the shield has done all it can: then it goes. */
static bool finished(const struct nc_shield *s)
{
	return s->released && s->inner_eof && (s->client < 0 || s->out_start == s->out_end);
}

/* After anything happened: move what can move, then wait for what is needed next. */
static void step(struct nc_shield *s)
{
	bool want_in;

	forward(s);
	write_client(s);
	forward(s);
	if (finished(s)) {
		shield_free(s);
		return;
	}
	want_in = !s->client_eof && !s->released && s->in_ready - s->in_start < IN_LIMIT;
	io_events(s->client_src,
		  (want_in ? EPOLLIN : 0) | (s->out_start < s->out_end ? EPOLLOUT : 0));
	io_events(s->mine_src, s->out_start == s->out_end && !s->inner_eof ? EPOLLIN : 0);
}

static int on_client(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct nc_shield *s = userdata;

	(void)source;
	(void)fd;
	if ((revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !s->client_eof)
		read_client(s);
	else if ((revents & (EPOLLHUP | EPOLLERR)) && s->out_start == s->out_end)
		client_gone(s); /* nothing to read or write any more */
	step(s);
	return 0;
}

static int on_mine(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	(void)source;
	(void)fd;
	(void)revents;
	step(userdata);
	return 0;
}

static int on_linger(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct nc_shield *s = userdata;

	(void)source;
	(void)usec;
	log_info("NETCONF: a client did not take its last %zu bytes within %llu s: dropped",
		 nc_shield_backlog(s), LINGER_USEC / 1000000ULL);
	shield_free(s);
	return 0;
}

void nc_shield_kick(struct nc_shield *s)
{
	if (s != NULL)
		step(s);
}

void nc_shield_release(struct nc_shield *s)
{
	if (s == NULL)
		return;
	s->released = true;
	s->ops.drained = NULL;
	s->inner = -1;
	client_done(s, NULL); /* also stops the message clock */
	/* runs from the server's call, before it closes its end: no freeing here */
	if (sd_event_add_time_relative(s->event, &s->timer, CLOCK_MONOTONIC, LINGER_USEC, 0,
				       on_linger, s) < 0)
		log_warn("NETCONF: no linger timer for a closed session's last replies");
	io_events(s->client_src, s->out_start < s->out_end ? EPOLLOUT : 0);
	io_events(s->mine_src, s->out_start == s->out_end ? EPOLLIN : 0);
}

void nc_shield_free_all(void)
{
	while (shields != NULL)
		shield_free(shields);
}

int nc_shield_new(sd_event *event, int client, const struct nc_shield_ops *ops, void *userdata,
		  int *inner, struct nc_shield **out)
{
	struct nc_shield *s;
	int pair[2], size = SOCKBUF, r;

	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		close(client);
		return -ENOMEM;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		r = -errno;
		free(s);
		close(client);
		return r;
	}
	/*
	 * Without CAP_NET_ADMIN, SO_SNDBUFFORCE fails and net.core.wmem_max caps the buffer:
	 * a reply over it would block the loop until the client read it.
	 */
	for (int i = 0; i < 2; i++)
		if (setsockopt(pair[i], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0 &&
		    setsockopt(pair[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) == 0 && i == 0)
			log_warn("NETCONF: no CAP_NET_ADMIN for large session buffers: a client "
				 "that stops reading a large reply can hold the daemon");
	s->event = sd_event_ref(event);
	s->client = client;
	s->mine = pair[1];
	s->inner = pair[0];
	s->ops = *ops;
	s->userdata = userdata;
	s->next = shields;
	shields = s;
	r = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK) < 0 ? -errno : 0;
	if (r == 0)
		r = sd_event_add_io(event, &s->client_src, client, EPOLLIN, on_client, s);
	if (r == 0)
		r = sd_event_add_io(event, &s->mine_src, s->mine, EPOLLIN, on_mine, s);
	if (r < 0) {
		close(pair[0]);
		shield_free(s);
		return r;
	}
	*inner = pair[0];
	*out = s;
	return 0;
}
