/*
 * vici_client.c - see vici_client.h for the behaviour; this is how.
 *
 * Each connection (struct conn) is a queue of requests whose head is the one on the wire:
 * it is written as the socket allows, then its reply completes it and the next one starts.
 * Event registrations are requests too (EVENT_REGISTER -> EVENT_CONFIRM), queued at the
 * front when a connection comes up, so they always precede user commands.
 *
 * Any fault on either connection resets both: charon serves them from one process, and
 * half a client (commands without events) would let the caller miss a tunnel going down.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "vici/vici_client.h"

#define DEFAULT_TIMEOUT_USEC (10 * 1000000ULL)
#define DEFAULT_BACKOFF_MIN_USEC (100 * 1000ULL)
#define DEFAULT_BACKOFF_MAX_USEC (5 * 1000000ULL)
/* sd-event's default accuracy (0) is 250 ms: far too coarse for a first connect. */
#define TIMER_ACCURACY_USEC 1000
#define DUMP_MAX 2048

static const char *const command_events[] = { "list-sa", "list-conn" };
static const char *const tunnel_events[] = { "ike-updown", "ike-rekey", "child-updown",
					     "child-rekey" };

enum req_kind {
	REQ_COMMAND,
	REQ_REGISTER,
};

struct req {
	TAILQ_ENTRY(req) entry;
	struct conn *conn; /* where it is queued */
	enum req_kind kind;
	char name[VICI_NAME_MAX + 1]; /* command or event, for logs */
	uint8_t *frame;		      /* owned */
	size_t len;
	size_t sent;
	char stream_event[VICI_NAME_MAX + 1]; /* "" if none */
	struct vici_msg **stream;	      /* owned */
	size_t n_stream;
	sd_event_source *timer; /* commands only */
	vici_reply_fn cb;
	void *userdata;
};

TAILQ_HEAD(req_queue, req);

struct conn {
	struct vici_client *client;
	const char *what; /* "command" or "event" */
	int fd;
	sd_event_source *io;
	uint8_t *rbuf;
	size_t rlen;
	struct req_queue queue;
};

struct vici_client {
	sd_event *event;
	struct vici_client_ops ops;
	void *userdata;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t timeout_usec;
	uint64_t backoff_min, backoff_max, backoff;
	bool events;
	bool up;
	unsigned connects;
	unsigned pending_registrations;
	unsigned epoch; /* bumped by every reset, so a dispatch loop can notice one */
	sd_event_source *retry;
	struct conn cmd;
	struct conn evt;
};

static void client_reset(struct vici_client *c, int err);
static int conn_kick(struct conn *conn);

/* ---- requests ---- */

static void req_free(struct req *r)
{
	size_t i;

	if (r == NULL)
		return;
	sd_event_source_disable_unref(r->timer);
	vici_frame_free(r->frame, r->len);
	for (i = 0; i < r->n_stream; i++)
		vici_msg_free(r->stream[i]);
	free(r->stream);
	free(r);
}

/* Take r off its queue and call it back; the callback may queue more. */
static void req_complete(struct req *r, int err, const struct vici_msg *reply)
{
	TAILQ_REMOVE(&r->conn->queue, r, entry);
	if (r->cb != NULL)
		r->cb(err, reply, r->stream, r->n_stream, r->userdata);
	req_free(r);
}

static bool req_on_wire(const struct req *r)
{
	return r->sent > 0 && r == TAILQ_FIRST(&r->conn->queue);
}

static int on_req_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct req *r = userdata;

	(void)s;
	(void)usec;
	log_warn("vici: %s: no reply from charon in time", r->name);
	/* On the wire, its reply may still come and would be taken for the next one's. */
	if (req_on_wire(r))
		client_reset(r->conn->client, -ETIMEDOUT);
	else
		req_complete(r, -ETIMEDOUT, NULL);
	return 0;
}

static struct req *req_new(enum req_kind kind, const char *name, uint8_t *frame, size_t len)
{
	struct req *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		vici_frame_free(frame, len);
		return NULL;
	}
	r->kind = kind;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->frame = frame;
	r->len = len;
	return r;
}

/* ---- writing ---- */

static void log_request(const struct req *r)
{
	struct vici_packet pkt;
	char text[DUMP_MAX];

	if (log_get_level() < LOG_DEBUG)
		return;
	if (vici_packet_decode(r->frame + VICI_HEADER_LEN, r->len - VICI_HEADER_LEN, &pkt) < 0)
		return;
	vici_dump(pkt.msg, pkt.msg_len, text, sizeof(text));
	log_debug("vici: -> %s %s %s", vici_packet_type_name(pkt.type), pkt.name, text);
}

static int conn_update_events(struct conn *conn)
{
	struct req *head = TAILQ_FIRST(&conn->queue);
	uint32_t events = EPOLLIN;

	if (head != NULL && head->sent < head->len)
		events |= EPOLLOUT;
	return sd_event_source_set_io_events(conn->io, events);
}

/* Write as much of the head request as the socket takes. */
static int conn_kick(struct conn *conn)
{
	struct req *head = TAILQ_FIRST(&conn->queue);
	ssize_t n;

	if (conn->fd < 0 || head == NULL)
		return 0;
	if (head->sent == 0)
		log_request(head);
	while (head->sent < head->len) {
		n = send(conn->fd, head->frame + head->sent, head->len - head->sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -errno;
		head->sent += (size_t)n;
	}
	return conn_update_events(conn);
}

/* ---- reading ---- */

static void dispatch_tunnel_event(struct vici_client *c, const struct vici_packet *pkt)
{
	struct vici_event ev;
	struct vici_msg *m;
	int r;

	r = vici_msg_parse(pkt->msg, pkt->msg_len, &m);
	if (r < 0) {
		log_warn_errno(r, "vici: cannot parse %s event", pkt->name);
		return;
	}
	r = vici_parse_event(pkt->name, vici_msg_root(m), &ev);
	vici_msg_free(m);
	if (r == -ENOENT) {
		log_debug("vici: ignoring event %s", pkt->name);
		return;
	}
	if (r < 0) {
		log_warn_errno(r, "vici: malformed %s event from charon", pkt->name);
		return;
	}
	if (c->ops.event != NULL)
		c->ops.event(c, &ev, c->userdata);
	vici_event_clear(&ev);
}

/* An event on the command connection: part of the listing on the wire, if any. */
static int collect_stream(struct conn *conn, const struct vici_packet *pkt)
{
	struct req *head = TAILQ_FIRST(&conn->queue);
	struct vici_msg **grown, *m;
	int r;

	if (head == NULL || !req_on_wire(head) || strcmp(head->stream_event, pkt->name) != 0) {
		log_debug("vici: unexpected %s event on the command connection", pkt->name);
		return 0;
	}
	r = vici_msg_parse(pkt->msg, pkt->msg_len, &m);
	if (r < 0)
		return r;
	grown = realloc(head->stream, (head->n_stream + 1) * sizeof(*grown));
	if (grown == NULL) {
		vici_msg_free(m);
		return -ENOMEM;
	}
	head->stream = grown;
	head->stream[head->n_stream++] = m;
	return 0;
}

static void registration_done(struct vici_client *c)
{
	bool reconnect = c->connects > 0;

	if (--c->pending_registrations > 0)
		return;
	c->up = true;
	c->connects++;
	c->backoff = c->backoff_min;
	log_info("vici: connected to charon at %s%s", c->path, reconnect ? " again" : "");
	if (c->ops.up != NULL)
		c->ops.up(c, reconnect, c->userdata);
}

/* A reply to the head request. */
static int complete_head(struct conn *conn, const struct vici_packet *pkt)
{
	struct req *head = TAILQ_FIRST(&conn->queue);
	struct vici_client *c = conn->client;
	struct vici_msg *m = NULL;
	int r;

	if (head == NULL || !req_on_wire(head) || head->sent < head->len)
		return -EBADMSG;
	if (head->kind == REQ_REGISTER) {
		if (pkt->type != VICI_EVENT_CONFIRM) {
			log_err("vici: charon does not offer the %s event", head->name);
			return -EOPNOTSUPP;
		}
		req_complete(head, 0, NULL);
		registration_done(c);
		return 0;
	}
	if (pkt->type == VICI_CMD_UNKNOWN) {
		req_complete(head, -EOPNOTSUPP, NULL);
		return 0;
	}
	if (pkt->type != VICI_CMD_RESPONSE)
		return -EBADMSG;
	r = vici_msg_parse(pkt->msg, pkt->msg_len, &m);
	if (r < 0)
		return r;
	req_complete(head, 0, m);
	vici_msg_free(m);
	return 0;
}

static int handle_packet(struct conn *conn, const uint8_t *payload, size_t len)
{
	struct vici_packet pkt;
	int r;

	r = vici_packet_decode(payload, len, &pkt);
	if (r < 0)
		return r;
	switch (pkt.type) {
	case VICI_EVENT:
		if (conn == &conn->client->evt) {
			dispatch_tunnel_event(conn->client, &pkt);
			return 0;
		}
		return collect_stream(conn, &pkt);
	case VICI_CMD_RESPONSE:
	case VICI_CMD_UNKNOWN:
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
		return complete_head(conn, &pkt);
	case VICI_CMD_REQUEST:
	case VICI_EVENT_REGISTER:
	case VICI_EVENT_UNREGISTER:
		break;
	}
	return -EBADMSG;
}

/* Dispatch every complete frame in the buffer.  Stops if a callback reset the client. */
static int conn_process(struct conn *conn)
{
	struct vici_client *c = conn->client;
	unsigned epoch = c->epoch;
	size_t off = 0, flen;
	int r = 0;

	while (off < conn->rlen) {
		r = vici_frame_peek(conn->rbuf + off, conn->rlen - off, &flen);
		if (r == -EAGAIN) {
			r = 0;
			break;
		}
		if (r < 0)
			return r;
		r = handle_packet(conn, conn->rbuf + off + VICI_HEADER_LEN, flen - VICI_HEADER_LEN);
		if (c->epoch != epoch)
			return 0;
		if (r < 0)
			return r;
		off += flen;
	}
	memmove(conn->rbuf, conn->rbuf + off, conn->rlen - off);
	conn->rlen -= off;
	return conn_kick(conn);
}

/*
 * One recv into what is left of the buffer: 1 if bytes came, 0 if none for now, or -errno
 * (-ECONNRESET for EOF).  The buffer holds one largest frame, and complete frames are
 * dispatched after every read, so there is always room.
 */
static int conn_read_once(struct conn *conn)
{
	size_t room = VICI_HEADER_LEN + VICI_FRAME_MAX - conn->rlen;
	ssize_t n;

	if (room == 0)
		return -EMSGSIZE;
	do {
		n = recv(conn->fd, conn->rbuf + conn->rlen, room, MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	conn->rlen += (size_t)n;
	return 1;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct conn *conn = userdata;
	struct vici_client *c = conn->client;
	unsigned epoch = c->epoch;
	int r = 0, rr = 0;

	(void)s;
	(void)fd;
	if (revents & EPOLLOUT)
		r = conn_kick(conn);
	if (r == 0 && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		/* Frames that arrived before an EOF still count, hence process, then fail. */
		do {
			rr = conn_read_once(conn);
			r = conn_process(conn);
			if (c->epoch != epoch)
				return 0;
		} while (r == 0 && rr > 0);
		if (r == 0 && rr < 0)
			r = rr;
	}
	if (r < 0) {
		if (r == -ECONNRESET)
			log_warn("vici: charon closed the %s connection", conn->what);
		else
			log_warn_errno(r, "vici: %s connection to charon failed", conn->what);
		client_reset(c, r);
	}
	return 0;
}

/* ---- connecting ---- */

static void conn_close(struct conn *conn)
{
	struct req *r, *tmp;

	conn->io = sd_event_source_disable_unref(conn->io);
	if (conn->fd >= 0)
		close(conn->fd);
	conn->fd = -1;
	conn->rlen = 0;
	/* Registrations are redone on the next connect; commands wait for it. */
	for (r = TAILQ_FIRST(&conn->queue); r != NULL; r = tmp) {
		tmp = TAILQ_NEXT(r, entry);
		if (r->kind == REQ_REGISTER) {
			TAILQ_REMOVE(&conn->queue, r, entry);
			req_free(r);
		}
	}
}

static int conn_open(struct conn *conn)
{
	struct vici_client *c = conn->client;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	conn->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (conn->fd < 0)
		return -errno;
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	/* A unix stream connect completes or fails at once; EAGAIN (full backlog) is a retry. */
	if (connect(conn->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (conn->rbuf == NULL) {
		conn->rbuf = malloc(VICI_HEADER_LEN + VICI_FRAME_MAX);
		if (conn->rbuf == NULL)
			return -ENOMEM;
	}
	r = sd_event_add_io(c->event, &conn->io, conn->fd, EPOLLIN, on_io, conn);
	if (r < 0)
		return r;
	(void)sd_event_source_set_description(conn->io, "vici");
	return 0;
}

/* Queue the registrations in front of whatever waits. */
static int conn_register(struct conn *conn, const char *const *names, size_t n)
{
	struct vici_builder b;
	struct req *r;
	uint8_t *frame;
	size_t len, i;
	int err;

	for (i = n; i-- > 0;) {
		vici_builder_init(&b, VICI_EVENT_REGISTER, names[i]);
		err = vici_builder_finish(&b, &frame, &len);
		if (err < 0)
			return err;
		r = req_new(REQ_REGISTER, names[i], frame, len);
		if (r == NULL)
			return -ENOMEM;
		r->conn = conn;
		TAILQ_INSERT_HEAD(&conn->queue, r, entry);
		conn->client->pending_registrations++;
	}
	return conn_kick(conn);
}

static int client_connect(struct vici_client *c)
{
	int r;

	c->pending_registrations = 0;
	r = conn_open(&c->cmd);
	if (r == 0)
		r = conn_register(&c->cmd, command_events, ARRAY_SIZE(command_events));
	if (r == 0 && c->events) {
		r = conn_open(&c->evt);
		if (r == 0)
			r = conn_register(&c->evt, tunnel_events, ARRAY_SIZE(tunnel_events));
	}
	return r;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);

static void schedule_retry(struct vici_client *c)
{
	int r;

	r = sd_event_add_time_relative(c->event, &c->retry, CLOCK_MONOTONIC, c->backoff,
				       TIMER_ACCURACY_USEC, on_retry, c);
	if (r < 0)
		log_err_errno(r, "vici: cannot schedule a reconnect");
	c->backoff = c->backoff * 2 > c->backoff_max ? c->backoff_max : c->backoff * 2;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct vici_client *c = userdata;
	int r;

	(void)usec;
	c->retry = sd_event_source_disable_unref(s);
	r = client_connect(c);
	if (r < 0) {
		log_debug("vici: cannot connect to %s: %s", c->path, strerror(-r));
		conn_close(&c->cmd);
		conn_close(&c->evt);
		c->epoch++;
		schedule_retry(c);
	}
	return 0;
}

/* Drop both connections, fail what was on the wire, and try again later. */
static void client_reset(struct vici_client *c, int err)
{
	struct req *head = TAILQ_FIRST(&c->cmd.queue), *next;
	bool was_up = c->up;

	c->epoch++;
	c->up = false;
	if (head != NULL && head->kind == REQ_COMMAND && head->sent > 0)
		TAILQ_REMOVE(&c->cmd.queue, head, entry);
	else
		head = NULL;
	/* Closed first, so that callbacks below only queue for the next connection. */
	conn_close(&c->cmd);
	conn_close(&c->evt);
	next = TAILQ_FIRST(&c->cmd.queue);
	if (next != NULL)
		next->sent = 0; /* a half-sent request goes again from the start */
	if (c->retry == NULL)
		schedule_retry(c);
	if (head != NULL) {
		if (head->cb != NULL)
			head->cb(err == -ETIMEDOUT ? -ETIMEDOUT : -ECONNRESET, NULL, NULL, 0,
				 head->userdata);
		req_free(head);
	}
	if (was_up && c->ops.down != NULL)
		c->ops.down(c, err, c->userdata);
}

/* ---- public ---- */

static void conn_init(struct conn *conn, struct vici_client *c, const char *what)
{
	conn->client = c;
	conn->what = what;
	conn->fd = -1;
	TAILQ_INIT(&conn->queue);
}

int vici_client_new(struct vici_client **out, sd_event *event, const struct vici_client_config *cfg,
		    const struct vici_client_ops *ops, void *userdata)
{
	const char *path = cfg->socket_path ? cfg->socket_path : VICI_DEFAULT_SOCKET;
	struct vici_client *c;
	int r;

	if (event == NULL || path[0] == '\0')
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	if (strlen(path) >= sizeof(c->path)) {
		free(c);
		return -ENAMETOOLONG;
	}
	memcpy(c->path, path, strlen(path) + 1);
	c->event = sd_event_ref(event);
	if (ops != NULL)
		c->ops = *ops;
	c->userdata = userdata;
	c->timeout_usec = cfg->timeout_usec ? cfg->timeout_usec : DEFAULT_TIMEOUT_USEC;
	c->backoff_min = cfg->backoff_min_usec ? cfg->backoff_min_usec : DEFAULT_BACKOFF_MIN_USEC;
	c->backoff_max = cfg->backoff_max_usec ? cfg->backoff_max_usec : DEFAULT_BACKOFF_MAX_USEC;
	if (c->backoff_max < c->backoff_min)
		c->backoff_max = c->backoff_min;
	c->backoff = c->backoff_min;
	c->events = !cfg->no_events;
	conn_init(&c->cmd, c, "command");
	conn_init(&c->evt, c, "event");
	/* The first attempt runs on the loop, so that callbacks never run inside this call. */
	r = sd_event_add_time_relative(event, &c->retry, CLOCK_MONOTONIC, 0, TIMER_ACCURACY_USEC,
				       on_retry, c);
	if (r < 0) {
		vici_client_free(c);
		return r;
	}
	*out = c;
	return 0;
}

static void conn_free(struct conn *conn)
{
	struct req *r;

	conn_close(conn);
	while ((r = TAILQ_FIRST(&conn->queue)) != NULL) {
		TAILQ_REMOVE(&conn->queue, r, entry);
		req_free(r);
	}
	free(conn->rbuf);
}

void vici_client_free(struct vici_client *c)
{
	if (c == NULL)
		return;
	conn_free(&c->cmd);
	conn_free(&c->evt);
	sd_event_source_disable_unref(c->retry);
	sd_event_unref(c->event);
	free(c);
}

bool vici_client_is_up(const struct vici_client *c)
{
	return c->up;
}

unsigned vici_client_connects(const struct vici_client *c)
{
	return c->connects;
}

static bool stream_event_ok(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(command_events); i++) {
		if (strcmp(name, command_events[i]) == 0)
			return true;
	}
	return false;
}

int vici_client_submit(struct vici_client *c, uint8_t *frame, size_t len, const char *stream_event,
		       uint64_t timeout_usec, vici_reply_fn cb, void *userdata)
{
	struct vici_packet pkt;
	struct req *r;
	int err;

	if (len <= VICI_HEADER_LEN ||
	    vici_packet_decode(frame + VICI_HEADER_LEN, len - VICI_HEADER_LEN, &pkt) < 0 ||
	    pkt.type != VICI_CMD_REQUEST ||
	    (stream_event != NULL && !stream_event_ok(stream_event))) {
		vici_frame_free(frame, len);
		return -EINVAL;
	}
	r = req_new(REQ_COMMAND, pkt.name, frame, len);
	if (r == NULL)
		return -ENOMEM;
	if (stream_event != NULL)
		snprintf(r->stream_event, sizeof(r->stream_event), "%s", stream_event);
	r->cb = cb;
	r->userdata = userdata;
	r->conn = &c->cmd;
	/*
	 * From now: sd_event_add_time_relative() counts from the loop's cached time of its last
	 * wakeup, so a slow callback before this call would eat into the deadline.
	 */
	err = sd_event_add_time(c->event, &r->timer, CLOCK_MONOTONIC,
				hgw_now_usec() + (timeout_usec ? timeout_usec : c->timeout_usec), 0,
				on_req_timeout, r);
	if (err < 0) {
		req_free(r);
		return err;
	}
	TAILQ_INSERT_TAIL(&c->cmd.queue, r, entry);
	if (r == TAILQ_FIRST(&c->cmd.queue)) {
		err = conn_kick(&c->cmd);
		if (err < 0)
			client_reset(c, err);
	}
	return 0;
}

/* ---- typed calls ---- */

enum op_kind {
	OP_STATUS,
	OP_LIST_SAS,
	OP_LIST_CONNS,
};

struct op {
	enum op_kind kind;
	union {
		vici_status_fn status;
		vici_list_sas_fn list_sas;
		vici_list_conns_fn list_conns;
	} cb;
	void *userdata;
};

static void status_done(struct op *op, int err, const struct vici_msg *reply)
{
	char errmsg[512] = "";

	if (err == 0)
		err = vici_reply_status(vici_msg_root(reply), errmsg, sizeof(errmsg));
	op->cb.status(err, errmsg, op->userdata);
}

static void list_sas_done(struct op *op, int err, struct vici_msg *const *stream, size_t n)
{
	struct vici_ike_sa *sas = NULL;
	size_t i, done = 0;

	if (err == 0 && n > 0) {
		sas = calloc(n, sizeof(*sas));
		err = sas == NULL ? -ENOMEM : 0;
	}
	for (i = 0; err == 0 && i < n; i++) {
		err = vici_parse_list_sa(vici_msg_root(stream[i]), &sas[i]);
		done += err == 0;
	}
	if (err < 0)
		log_warn_errno(err, "vici: list-sas");
	op->cb.list_sas(err, err == 0 ? sas : NULL, err == 0 ? n : 0, op->userdata);
	vici_ike_sas_free(sas, done);
}

static void list_conns_done(struct op *op, int err, struct vici_msg *const *stream, size_t n)
{
	struct vici_conn_info *conns = NULL;
	size_t i, done = 0;

	if (err == 0 && n > 0) {
		conns = calloc(n, sizeof(*conns));
		err = conns == NULL ? -ENOMEM : 0;
	}
	for (i = 0; err == 0 && i < n; i++) {
		err = vici_parse_list_conn(vici_msg_root(stream[i]), &conns[i]);
		done += err == 0;
	}
	if (err < 0)
		log_warn_errno(err, "vici: list-conns");
	op->cb.list_conns(err, err == 0 ? conns : NULL, err == 0 ? n : 0, op->userdata);
	vici_conn_infos_free(conns, done);
}

static void op_reply(int err, const struct vici_msg *reply, struct vici_msg *const *stream,
		     size_t n_stream, void *userdata)
{
	struct op *op = userdata;

	switch (op->kind) {
	case OP_STATUS:
		status_done(op, err, reply);
		break;
	case OP_LIST_SAS:
		list_sas_done(op, err, stream, n_stream);
		break;
	case OP_LIST_CONNS:
		list_conns_done(op, err, stream, n_stream);
		break;
	}
	free(op);
}

/* Submit a request built by vici_sa; r is what building it returned. */
static int op_submit(struct vici_client *c, int r, uint8_t *frame, size_t len, struct op *op,
		     const char *stream_event)
{
	if (r < 0 || op == NULL) {
		if (r == 0)
			vici_frame_free(frame, len);
		free(op);
		return r < 0 ? r : -ENOMEM;
	}
	r = vici_client_submit(c, frame, len, stream_event, 0, op_reply, op);
	if (r < 0)
		free(op);
	return r;
}

static struct op *op_status(vici_status_fn cb, void *userdata)
{
	struct op *op = calloc(1, sizeof(*op));

	if (op != NULL) {
		op->kind = OP_STATUS;
		op->cb.status = cb;
		op->userdata = userdata;
	}
	return op;
}

int vici_client_load_conn(struct vici_client *c, const struct vici_conn_cfg *cfg, vici_status_fn cb,
			  void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_load_conn(cfg, &frame, &len);

	return op_submit(c, r, frame, len, op_status(cb, userdata), NULL);
}

int vici_client_unload_conn(struct vici_client *c, const char *name, vici_status_fn cb,
			    void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_unload_conn(name, &frame, &len);

	return op_submit(c, r, frame, len, op_status(cb, userdata), NULL);
}

int vici_client_load_shared(struct vici_client *c, const struct vici_shared *psk, vici_status_fn cb,
			    void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_load_shared(psk, &frame, &len);

	return op_submit(c, r, frame, len, op_status(cb, userdata), NULL);
}

int vici_client_unload_shared(struct vici_client *c, const char *id, vici_status_fn cb,
			      void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_unload_shared(id, &frame, &len);

	return op_submit(c, r, frame, len, op_status(cb, userdata), NULL);
}

int vici_client_initiate(struct vici_client *c, const char *ike, const char *child,
			 vici_status_fn cb, void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_initiate(ike, child, -1, &frame, &len);

	return op_submit(c, r, frame, len, op_status(cb, userdata), NULL);
}

int vici_client_terminate(struct vici_client *c, const char *ike, const char *child,
			  vici_status_fn cb, void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_terminate(ike, child, 0, -1, &frame, &len);

	return op_submit(c, r, frame, len, op_status(cb, userdata), NULL);
}

int vici_client_terminate_wait(struct vici_client *c, const char *ike, int timeout_ms,
			       vici_status_fn cb, void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_terminate(ike, NULL, 0, timeout_ms, &frame, &len);

	return op_submit(c, r, frame, len, op_status(cb, userdata), NULL);
}

int vici_client_list_sas(struct vici_client *c, const char *ike, vici_list_sas_fn cb,
			 void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_list_sas(ike, &frame, &len);
	struct op *op = calloc(1, sizeof(*op));

	if (op != NULL) {
		op->kind = OP_LIST_SAS;
		op->cb.list_sas = cb;
		op->userdata = userdata;
	}
	return op_submit(c, r, frame, len, op, "list-sa");
}

int vici_client_list_conns(struct vici_client *c, const char *ike, vici_list_conns_fn cb,
			   void *userdata)
{
	uint8_t *frame = NULL;
	size_t len = 0;
	int r = vici_req_list_conns(ike, &frame, &len);
	struct op *op = calloc(1, sizeof(*op));

	if (op != NULL) {
		op->kind = OP_LIST_CONNS;
		op->cb.list_conns = cb;
		op->userdata = userdata;
	}
	return op_submit(c, r, frame, len, op, "list-conn");
}
