/*
 * test_vici_client.c - the VICI client (lib/vici/vici_client.c) against a scripted fake
 * charon: the faults a real charon does not produce on demand.
 *
 * The fake is a unix socket server on the test's own sd-event loop, so client and server
 * run in one thread and every interleaving is the one the test wrote.  It confirms every
 * event registration and hands each command to the test's script (fake.on_cmd), which
 * answers, stays silent, streams events, sends garbage or hangs up.  Commands are recorded
 * as "name#N", N counting the command connections the fake has seen, so a test can say on
 * which connection, and in which order, a command arrived.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "util.h"
#include "vici/vici_client.h"

#define MAX_CONNS 16
#define MAX_SEEN 32
#define WAIT_USEC (5 * 1000000ULL)
/* Enough list-sa events of about 1.3 KiB to pass VICI_FRAME_MAX in total. */
#define BIG_LISTING 500

struct fake;

struct fconn {
	struct fake *f;
	int fd;
	unsigned cmd_gen; /* > 0: the command connection, the cmd_gen-th one */
	sd_event_source *io;
	uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_len, out_cap;
	bool hangup; /* close once the frames at hand are handled */
};

typedef void (*fake_cmd_fn)(struct fake *f, struct fconn *fc, const char *cmd);

struct fake {
	sd_event *event;
	char dir[64];
	char path[108];
	int lfd;
	sd_event_source *listen;
	struct fconn *conns[MAX_CONNS];
	unsigned cmd_gens;
	struct fconn *evt; /* the newest event connection */
	fake_cmd_fn on_cmd;
	char seen[MAX_SEEN][VICI_NAME_MAX + 16];
	unsigned n_seen;
	size_t stream_bytes; /* bytes of the last streamed listing */
};

/* ---- the fake charon ---- */

static void fconn_close(struct fconn *fc)
{
	struct fake *f = fc->f;
	unsigned i;

	for (i = 0; i < MAX_CONNS; i++) {
		if (f->conns[i] == fc)
			f->conns[i] = NULL;
	}
	if (f->evt == fc)
		f->evt = NULL;
	sd_event_source_disable_unref(fc->io);
	close(fc->fd);
	free(fc->in);
	free(fc->out);
	free(fc);
}

static void fconn_flush(struct fconn *fc)
{
	ssize_t n;

	while (fc->out_len > 0) {
		n = send(fc->fd, fc->out, fc->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			break;
		memmove(fc->out, fc->out + n, fc->out_len - (size_t)n);
		fc->out_len -= (size_t)n;
	}
	assert_int_equal(
		sd_event_source_set_io_events(fc->io, fc->out_len ? EPOLLIN | EPOLLOUT : EPOLLIN),
		0);
}

/* Raw bytes, in order after whatever is queued. */
static void fconn_send(struct fconn *fc, const void *buf, size_t len)
{
	if (fc->out_len + len > fc->out_cap) {
		fc->out_cap = (fc->out_len + len) * 2;
		fc->out = realloc(fc->out, fc->out_cap);
		assert_non_null(fc->out);
	}
	memcpy(fc->out + fc->out_len, buf, len);
	fc->out_len += len;
	fconn_flush(fc);
}

/* Returns the frame's length. */
static size_t fconn_send_built(struct fconn *fc, struct vici_builder *b)
{
	uint8_t *frame;
	size_t len;

	assert_int_equal(vici_builder_finish(b, &frame, &len), 0);
	fconn_send(fc, frame, len);
	vici_frame_free(frame, len);
	return len;
}

static void fconn_send_bare(struct fconn *fc, enum vici_packet_type type, const char *name)
{
	struct vici_builder b;

	vici_builder_init(&b, type, name);
	fconn_send_built(fc, &b);
}

static void fake_reply_ok(struct fconn *fc)
{
	struct vici_builder b;

	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_add_str(&b, "success", "yes");
	fconn_send_built(fc, &b);
}

static void fake_packet(struct fconn *fc, const struct vici_packet *pkt)
{
	struct fake *f = fc->f;

	switch (pkt->type) {
	case VICI_EVENT_REGISTER:
		/* The client registers the listings on its command connection only. */
		if (strcmp(pkt->name, "list-sa") == 0)
			fc->cmd_gen = ++f->cmd_gens;
		if (strcmp(pkt->name, "ike-updown") == 0)
			f->evt = fc;
		fconn_send_bare(fc, VICI_EVENT_CONFIRM, NULL);
		return;
	case VICI_CMD_REQUEST:
		assert_true(f->n_seen < MAX_SEEN);
		snprintf(f->seen[f->n_seen++], sizeof(f->seen[0]), "%s#%u", pkt->name, fc->cmd_gen);
		f->on_cmd(f, fc, pkt->name);
		return;
	case VICI_CMD_RESPONSE:
	case VICI_CMD_UNKNOWN:
	case VICI_EVENT_UNREGISTER:
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
	case VICI_EVENT:
		break;
	}
	fail_msg("the client sent a %s", vici_packet_type_name(pkt->type));
}

static int fake_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct fconn *fc = userdata;
	struct vici_packet pkt;
	size_t flen;
	ssize_t n;

	(void)s;
	if (revents & EPOLLOUT)
		fconn_flush(fc);
	if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;
	n = recv(fd, fc->in + fc->in_len, VICI_HEADER_LEN + VICI_FRAME_MAX - fc->in_len,
		 MSG_DONTWAIT);
	if (n <= 0) {
		fconn_close(fc);
		return 0;
	}
	fc->in_len += (size_t)n;
	/* Every frame at hand: epoll only wakes us again for new bytes. */
	while (!fc->hangup && vici_frame_peek(fc->in, fc->in_len, &flen) == 0) {
		assert_int_equal(
			vici_packet_decode(fc->in + VICI_HEADER_LEN, flen - VICI_HEADER_LEN, &pkt),
			0);
		fake_packet(fc, &pkt);
		memmove(fc->in, fc->in + flen, fc->in_len - flen);
		fc->in_len -= flen;
	}
	if (fc->hangup)
		fconn_close(fc);
	return 0;
}

static int fake_on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct fake *f = userdata;
	struct fconn *fc;
	unsigned i;

	(void)s;
	(void)revents;
	fc = calloc(1, sizeof(*fc));
	assert_non_null(fc);
	fc->f = f;
	fc->fd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_true(fc->fd >= 0);
	fc->in = malloc(VICI_HEADER_LEN + VICI_FRAME_MAX);
	assert_non_null(fc->in);
	assert_int_equal(sd_event_add_io(f->event, &fc->io, fc->fd, EPOLLIN, fake_on_io, fc), 0);
	for (i = 0; i < MAX_CONNS && f->conns[i] != NULL; i++)
		;
	assert_true(i < MAX_CONNS);
	f->conns[i] = fc;
	return 0;
}

static void fake_listen(struct fake *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 16), 0);
	assert_int_equal(sd_event_add_io(f->event, &f->listen, f->lfd, EPOLLIN, fake_on_accept, f),
			 0);
}

/* charon stops: no listener, every connection closed. */
static void fake_stop(struct fake *f)
{
	unsigned i;

	f->listen = sd_event_source_disable_unref(f->listen);
	if (f->lfd >= 0)
		close(f->lfd);
	f->lfd = -1;
	unlink(f->path);
	for (i = 0; i < MAX_CONNS; i++) {
		if (f->conns[i] != NULL)
			fconn_close(f->conns[i]);
	}
}

static struct fconn *fake_cmd_conn(struct fake *f)
{
	unsigned i;

	for (i = 0; i < MAX_CONNS; i++) {
		if (f->conns[i] != NULL && f->conns[i]->cmd_gen == f->cmd_gens)
			return f->conns[i];
	}
	return NULL;
}

/* The default script: every command succeeds. */
static void script_ok(struct fake *f, struct fconn *fc, const char *cmd)
{
	(void)f;
	(void)cmd;
	fake_reply_ok(fc);
}

/* ---- the client under test ---- */

struct result {
	bool done;
	int err;
	size_t n_stream;
	bool success; /* the reply said success = yes */
	unsigned order;
	uint64_t at; /* CLOCK_MONOTONIC, usec */
};

struct t {
	sd_event *event;
	struct fake fake;
	struct vici_client *client;
	unsigned ups, downs, events, completed;
	bool last_reconnect;
	int last_down_err;
	struct vici_event last_event;
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Run the loop until cond holds; fail after WAIT_USEC. */
#define RUN_UNTIL(t, cond)                                                 \
	do {                                                               \
		uint64_t end_ = now_usec() + WAIT_USEC;                    \
		while (!(cond) && now_usec() < end_)                       \
			assert_true(sd_event_run((t)->event, 10000) >= 0); \
		assert_true(cond);                                         \
	} while (0)

/* Run the loop for a while, whatever happens. */
static void run_for(struct t *t, uint64_t usec)
{
	uint64_t end = now_usec() + usec;

	while (now_usec() < end)
		assert_true(sd_event_run(t->event, 10000) >= 0);
}

static void on_up(struct vici_client *c, bool reconnect, void *userdata)
{
	struct t *t = userdata;

	(void)c;
	t->ups++;
	t->last_reconnect = reconnect;
}

static void on_down(struct vici_client *c, int err, void *userdata)
{
	struct t *t = userdata;

	(void)c;
	t->downs++;
	t->last_down_err = err;
}

static void on_event(struct vici_client *c, const struct vici_event *ev, void *userdata)
{
	struct t *t = userdata;

	(void)c;
	t->events++;
	t->last_event = *ev;
	t->last_event.ike.children = NULL; /* borrowed; the test keeps the copy in .child */
	t->last_event.ike.n_children = 0;
}

static const struct vici_client_ops ops = { .up = on_up, .down = on_down, .event = on_event };

static struct t *T;

static void reply_cb(int err, const struct vici_msg *reply, struct vici_msg *const *stream,
		     size_t n_stream, void *userdata)
{
	struct result *res = userdata;

	(void)stream;
	res->done = true;
	res->err = err;
	res->n_stream = n_stream;
	res->success = reply != NULL && vici_reply_status(vici_msg_root(reply), NULL, 0) == 0;
	res->order = ++T->completed;
	res->at = now_usec();
}

static void submit(struct t *t, const char *cmd, const char *stream_event, uint64_t timeout_usec,
		   struct result *res)
{
	uint8_t *frame;
	size_t len;

	assert_int_equal(vici_req_simple(cmd, &frame, &len), 0);
	assert_int_equal(vici_client_submit(t->client, frame, len, stream_event, timeout_usec,
					    reply_cb, res),
			 0);
}

static int setup(void **state)
{
	struct vici_client_config cfg = {
		.timeout_usec = 2000000,
		.backoff_min_usec = 5000,
		.backoff_max_usec = 50000,
	};
	struct t *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	T = t;
	assert_int_equal(sd_event_new(&t->event), 0);
	t->fake.event = t->event;
	t->fake.on_cmd = script_ok;
	snprintf(t->fake.dir, sizeof(t->fake.dir), "/tmp/hgw-test-vici.XXXXXX");
	assert_non_null(mkdtemp(t->fake.dir));
	snprintf(t->fake.path, sizeof(t->fake.path), "%s/charon.vici", t->fake.dir);
	fake_listen(&t->fake);
	cfg.socket_path = t->fake.path;
	assert_int_equal(vici_client_new(&t->client, t->event, &cfg, &ops, t), 0);
	RUN_UNTIL(t, t->ups == 1 && t->fake.evt != NULL);
	assert_false(t->last_reconnect);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	vici_client_free(t->client);
	fake_stop(&t->fake);
	rmdir(t->fake.dir);
	sd_event_unref(t->event);
	free(t);
	return 0;
}

/* ---- scripts and tests ---- */

static void script_slow(struct fake *f, struct fconn *fc, const char *cmd)
{
	(void)f;
	if (strcmp(cmd, "slow") != 0)
		fake_reply_ok(fc);
}

/*
 * A command whose deadline passes on the wire: its reply may still come and would be taken
 * for the next command's, so the connection is reset, and the command queued behind it goes
 * out on the new connection only.
 */
static void test_timeout_on_wire(void **state)
{
	struct t *t = *state;
	struct result slow = { 0 }, next = { 0 };
	uint64_t start = now_usec();

	t->fake.on_cmd = script_slow;
	submit(t, "slow", NULL, 200000, &slow);
	submit(t, "next", NULL, 0, &next);
	/* up comes once the event connection is registered too, maybe after next's reply */
	RUN_UNTIL(t, slow.done && next.done && t->ups == 2);
	assert_int_equal(slow.err, -ETIMEDOUT);
	assert_true(slow.at - start >= 200000);
	assert_int_equal(next.err, 0);
	assert_true(next.success);
	assert_true(slow.order < next.order);
	assert_int_equal(t->downs, 1);
	assert_int_equal(t->last_down_err, -ETIMEDOUT);
	assert_int_equal(t->ups, 2);
	assert_true(t->last_reconnect);
	assert_int_equal(vici_client_connects(t->client), 2);
	assert_int_equal(t->fake.n_seen, 2);
	assert_string_equal(t->fake.seen[0], "slow#1");
	assert_string_equal(t->fake.seen[1], "next#2");
}

static void script_unknown(struct fake *f, struct fconn *fc, const char *cmd)
{
	(void)f;
	if (strcmp(cmd, "no-such-command") == 0)
		fconn_send_bare(fc, VICI_CMD_UNKNOWN, NULL);
	else
		fake_reply_ok(fc);
}

/* CMD_UNKNOWN is an answer, not a fault: -EOPNOTSUPP, and the connection stays. */
static void test_cmd_unknown(void **state)
{
	struct t *t = *state;
	struct result unknown = { 0 }, next = { 0 };

	t->fake.on_cmd = script_unknown;
	submit(t, "no-such-command", NULL, 0, &unknown);
	submit(t, "version", NULL, 0, &next);
	RUN_UNTIL(t, unknown.done && next.done);
	assert_int_equal(unknown.err, -EOPNOTSUPP);
	assert_int_equal(next.err, 0);
	assert_true(next.success);
	assert_int_equal(t->downs, 0);
	assert_int_equal(vici_client_connects(t->client), 1);
	assert_string_equal(t->fake.seen[1], "version#1");
}

static void script_malformed(struct fake *f, struct fconn *fc, const char *cmd)
{
	/* CMD_RESPONSE whose key/value names 5 bytes that are not there */
	static const uint8_t bad[] = { 0, 0, 0, 3, VICI_CMD_RESPONSE, VICI_KEY_VALUE, 5 };

	(void)f;
	if (strcmp(cmd, "bad") == 0)
		fconn_send(fc, bad, sizeof(bad));
	else
		fake_reply_ok(fc);
}

/*
 * A malformed frame: the stream cannot be trusted any more.  The command on the wire fails,
 * ops->down says why, the client reconnects and says so with reconnect = true, and the
 * command queued behind goes out on the new connection.  A fault on the event connection
 * resets both as well.
 */
static void test_malformed_frame(void **state)
{
	/* a packet type charon does not have */
	static const uint8_t junk[] = { 0, 0, 0, 1, 42 };
	struct t *t = *state;
	struct result bad = { 0 }, after = { 0 };

	t->fake.on_cmd = script_malformed;
	submit(t, "bad", NULL, 0, &bad);
	submit(t, "after", NULL, 0, &after);
	RUN_UNTIL(t, bad.done && after.done && t->ups == 2);
	assert_int_equal(bad.err, -ECONNRESET);
	assert_int_equal(after.err, 0);
	assert_int_equal(t->downs, 1);
	assert_int_equal(t->last_down_err, -EBADMSG);
	assert_int_equal(t->ups, 2);
	assert_true(t->last_reconnect);
	assert_string_equal(t->fake.seen[0], "bad#1");
	assert_string_equal(t->fake.seen[1], "after#2");

	RUN_UNTIL(t, t->fake.evt != NULL);
	fconn_send(t->fake.evt, junk, sizeof(junk));
	RUN_UNTIL(t, t->ups == 3);
	assert_int_equal(t->downs, 2);
	assert_int_equal(t->last_down_err, -EBADMSG);
	assert_true(t->last_reconnect);
	assert_int_equal(vici_client_connects(t->client), 3);
}

/*
 * A list-sa event the way charon 5.9 lays one out: an IKE_SA with two CHILD_SAs (padded to
 * about 1.3 KiB with keys the reader ignores).  Returns the frame's length.
 */
static size_t send_list_sa(struct fconn *fc, unsigned i)
{
	static const char pad[] = "aes256gcm16-prfsha384-ecp384/aes256gcm16/aes256gcm16/x";
	struct vici_builder b;
	char name[32];
	unsigned c;

	vici_builder_init(&b, VICI_EVENT, "list-sa");
	snprintf(name, sizeof(name), "ike-%u", i);
	vici_begin_section(&b, name);
	vici_add_fmt(&b, "uniqueid", "%u", i);
	vici_add_str(&b, "version", "2");
	vici_add_str(&b, "state", "ESTABLISHED");
	vici_add_str(&b, "local-host", "198.18.0.1");
	vici_add_str(&b, "remote-host", "198.18.0.6");
	vici_add_str(&b, "initiator", "yes");
	vici_add_fmt(&b, "initiator-spi", "%016x", i);
	vici_add_str(&b, "encr-alg", "AES_GCM_16");
	vici_add_str(&b, "comment", pad);
	vici_begin_section(&b, "child-sas");
	for (c = 0; c < 2; c++) {
		snprintf(name, sizeof(name), "c-%u", 2 * i + c);
		vici_begin_section(&b, name);
		vici_add_fmt(&b, "name", "child-%u", c);
		vici_add_fmt(&b, "uniqueid", "%u", 2 * i + c);
		vici_add_str(&b, "state", "INSTALLED");
		vici_add_str(&b, "mode", "TUNNEL");
		vici_add_str(&b, "protocol", "ESP");
		vici_add_fmt(&b, "spi-in", "%08x", 0xc0000000u + 2 * i + c);
		vici_add_fmt(&b, "spi-out", "%08x", 0x0c000000u + 2 * i + c);
		vici_add_str(&b, "encr-alg", "AES_GCM_16");
		vici_add_str(&b, "encr-keysize", "256");
		vici_add_fmt(&b, "bytes-in", "%u", 1000 * i);
		vici_add_str(&b, "install-time", "12");
		vici_add_str(&b, "rekey-time", "3000");
		vici_add_str(&b, "life-time", "3300");
		vici_add_str(&b, "comment", pad);
		vici_add_str(&b, "comment2", pad);
		vici_add_str(&b, "comment3", pad);
		vici_add_str(&b, "comment4", pad);
		vici_add_str(&b, "comment5", pad);
		vici_begin_list(&b, "local-ts");
		vici_add_item_str(&b, "0.0.0.0/0");
		vici_end_list(&b);
		vici_begin_list(&b, "remote-ts");
		vici_add_item_str(&b, "0.0.0.0/0");
		vici_end_list(&b);
		vici_end_section(&b);
	}
	vici_end_section(&b);
	vici_end_section(&b);
	return fconn_send_built(fc, &b);
}

static void script_big_listing(struct fake *f, struct fconn *fc, const char *cmd)
{
	unsigned i;

	assert_string_equal(cmd, "list-sas");
	for (i = 0; i < BIG_LISTING; i++)
		f->stream_bytes += send_list_sa(fc, i);
	fake_reply_ok(fc);
}

struct listing {
	bool done;
	int err;
	size_t n;
	size_t good; /* SAs whose names, ids and SPIs are the ones sent, in order */
};

static void list_sas_cb(int err, const struct vici_ike_sa *sas, size_t n, void *userdata)
{
	struct listing *l = userdata;
	const struct vici_child_sa *c;
	char name[32];
	size_t i;
	unsigned k;
	bool ok;

	l->done = true;
	l->err = err;
	l->n = n;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "ike-%zu", i);
		ok = strcmp(sas[i].name, name) == 0 && sas[i].uniqueid == i &&
		     sas[i].n_children == 2;
		for (k = 0; ok && k < 2; k++) {
			c = &sas[i].children[k];
			snprintf(name, sizeof(name), "child-%u", k);
			ok = strcmp(c->name, name) == 0 && c->spi_in == 0xc0000000u + 2 * i + k &&
			     c->spi_out == 0x0c000000u + 2 * i + k && c->bytes_in == 1000 * i;
		}
		l->good += ok;
	}
}

/* A listing streamed as many events, larger in total than one frame may be. */
static void test_big_listing(void **state)
{
	struct t *t = *state;
	struct listing l = { 0 };

	t->fake.on_cmd = script_big_listing;
	assert_int_equal(vici_client_list_sas(t->client, NULL, list_sas_cb, &l), 0);
	RUN_UNTIL(t, l.done);
	assert_int_equal(l.err, 0);
	assert_int_equal(l.n, BIG_LISTING);
	assert_int_equal(l.good, BIG_LISTING);
	assert_true(t->fake.stream_bytes > VICI_FRAME_MAX);
	assert_int_equal(t->downs, 0);
}

/* A CMD_RESPONSE of exactly the largest payload: success=yes, then padding. */
static void send_max_reply(struct fconn *fc)
{
	static char pad[VICI_VALUE_MAX];
	/* the type byte, then "success"="yes": KEY_VALUE, 7, "success", 0 3, "yes" */
	size_t rem = VICI_FRAME_MAX - 1 - (1 + 1 + 7 + 2 + 3), chunk;
	struct vici_builder b;
	char key[8];
	unsigned i;

	memset(pad, 'p', sizeof(pad));
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_add_str(&b, "success", "yes");
	/* each pad key/value "pNN" costs 7 bytes besides its value; never leave less than 7 */
	for (i = 0; rem > 0; i++) {
		chunk = rem - 7 > VICI_VALUE_MAX ? VICI_VALUE_MAX : rem - 7;
		if (rem - 7 - chunk > 0 && rem - 7 - chunk < 7)
			chunk -= 7;
		snprintf(key, sizeof(key), "p%02u", i);
		vici_add_kv(&b, key, pad, chunk);
		rem -= 7 + chunk;
	}
	assert_int_equal(fconn_send_built(fc, &b), VICI_HEADER_LEN + VICI_FRAME_MAX);
}

static void script_sizes(struct fake *f, struct fconn *fc, const char *cmd)
{
	/* a length one above the limit; nothing has to follow for it to be refused */
	static const uint8_t huge[] = { (VICI_FRAME_MAX + 1) >> 24,
					((VICI_FRAME_MAX + 1) >> 16) & 0xff,
					((VICI_FRAME_MAX + 1) >> 8) & 0xff,
					(VICI_FRAME_MAX + 1) & 0xff, VICI_CMD_RESPONSE };

	(void)f;
	if (strcmp(cmd, "max") == 0)
		send_max_reply(fc);
	else if (strcmp(cmd, "huge") == 0)
		fconn_send(fc, huge, sizeof(huge));
	else
		fake_reply_ok(fc);
}

/* The frame size limit: a frame at it is read, one a byte above it resets the connection. */
static void test_frame_size_limit(void **state)
{
	struct t *t = *state;
	struct result max = { 0 }, huge = { 0 }, after = { 0 };

	t->fake.on_cmd = script_sizes;
	submit(t, "max", NULL, 0, &max);
	RUN_UNTIL(t, max.done);
	assert_int_equal(max.err, 0);
	assert_true(max.success);
	assert_int_equal(t->downs, 0);

	submit(t, "huge", NULL, 0, &huge);
	submit(t, "after", NULL, 0, &after);
	RUN_UNTIL(t, huge.done && after.done);
	assert_int_equal(huge.err, -ECONNRESET);
	assert_int_equal(t->downs, 1);
	assert_int_equal(t->last_down_err, -EMSGSIZE);
	assert_int_equal(after.err, 0);
	assert_string_equal(t->fake.seen[2], "after#2");
}

static void send_child_updown(struct fconn *fc)
{
	struct vici_builder b;

	vici_builder_init(&b, VICI_EVENT, "child-updown");
	vici_add_str(&b, "up", "yes");
	vici_begin_section(&b, "a0");
	vici_add_str(&b, "uniqueid", "1");
	vici_add_str(&b, "version", "2");
	vici_add_str(&b, "state", "ESTABLISHED");
	vici_begin_section(&b, "child-sas");
	vici_begin_section(&b, "a0-2");
	vici_add_str(&b, "name", "a0");
	vici_add_str(&b, "uniqueid", "2");
	vici_add_str(&b, "state", "INSTALLED");
	vici_add_str(&b, "spi-in", "c1a0c1a0");
	vici_add_str(&b, "spi-out", "0b0b0b0b");
	vici_end_section(&b);
	vici_end_section(&b);
	vici_end_section(&b);
	fconn_send_built(fc, &b);
}

static void script_interleaved(struct fake *f, struct fconn *fc, const char *cmd)
{
	if (strcmp(cmd, "list-sas") == 0) {
		send_list_sa(fc, 0);
		/* not the stream asked for, and a tunnel event on the wrong connection */
		fconn_send_bare(fc, VICI_EVENT, "list-conn");
		send_child_updown(fc);
		/* the tunnel event where it belongs, between two parts of the listing */
		send_child_updown(f->evt);
		send_list_sa(fc, 1);
	} else if (strcmp(cmd, "version") == 0) {
		/* a listing event while no listing is on the wire */
		send_list_sa(fc, 7);
	}
	fake_reply_ok(fc);
}

/*
 * Events on the command connection, between or before replies: only the listing the command
 * asked for is collected, the rest is dropped, and nothing is taken for a reply.
 */
static void test_events_interleaved(void **state)
{
	struct t *t = *state;
	struct listing l = { 0 };
	struct result version = { 0 }, listing = { 0 };

	t->fake.on_cmd = script_interleaved;
	/* unasked, with nothing on the wire */
	send_list_sa(fake_cmd_conn(&t->fake), 9);
	run_for(t, 50000);
	assert_int_equal(vici_client_list_sas(t->client, NULL, list_sas_cb, &l), 0);
	submit(t, "version", NULL, 0, &version);
	submit(t, "list-sas", "list-sa", 0, &listing);
	RUN_UNTIL(t, l.done && version.done && listing.done);
	assert_int_equal(l.err, 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.good, 2);
	assert_int_equal(version.err, 0);
	assert_true(version.success);
	assert_int_equal(version.n_stream, 0);
	assert_int_equal(listing.err, 0);
	assert_int_equal(listing.n_stream, 2);
	/* one child-updown per listing, from the event connection only */
	RUN_UNTIL(t, t->events == 2);
	run_for(t, 50000);
	assert_int_equal(t->events, 2);
	assert_int_equal(t->last_event.kind, VICI_EV_CHILD_UPDOWN);
	assert_true(t->last_event.up);
	assert_int_equal(t->last_event.child.spi_in, 0xc1a0c1a0);
	assert_int_equal(t->downs, 0);
	assert_int_equal(vici_client_connects(t->client), 1);
}

static void script_hangup(struct fake *f, struct fconn *fc, const char *cmd)
{
	(void)f;
	if (strcmp(cmd, "a") == 0)
		fc->hangup = true;
	else
		fake_reply_ok(fc);
}

/*
 * Queued commands keep their order across a reconnect; while charon is away they wait, and
 * fail at their own deadline if it does not come back in time.
 */
static void test_queue_across_reconnect(void **state)
{
	struct t *t = *state;
	struct result a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 }, g = { 0 };
	uint64_t start;
	unsigned seen;

	t->fake.on_cmd = script_hangup;
	submit(t, "a", NULL, 0, &a);
	submit(t, "b", NULL, 0, &b);
	submit(t, "c", NULL, 0, &c);
	RUN_UNTIL(t, a.done && b.done && c.done && t->ups == 2);
	assert_int_equal(a.err, -ECONNRESET);
	assert_int_equal(b.err, 0);
	assert_int_equal(c.err, 0);
	assert_true(a.order < b.order && b.order < c.order);
	assert_int_equal(t->fake.n_seen, 3);
	assert_string_equal(t->fake.seen[0], "a#1");
	assert_string_equal(t->fake.seen[1], "b#2");
	assert_string_equal(t->fake.seen[2], "c#2");
	assert_int_equal(t->last_down_err, -ECONNRESET);
	assert_true(t->last_reconnect);

	/* charon gone: commands wait, each until its own deadline */
	fake_stop(&t->fake);
	RUN_UNTIL(t, t->downs == 2);
	seen = t->fake.n_seen;
	start = now_usec();
	submit(t, "d", NULL, 150000, &d);
	submit(t, "e", NULL, 400000, &e);
	RUN_UNTIL(t, d.done && e.done);
	assert_int_equal(d.err, -ETIMEDOUT);
	assert_int_equal(e.err, -ETIMEDOUT);
	assert_true(d.at - start >= 150000);
	assert_true(e.at - start >= 400000);
	assert_true(d.order < e.order);
	assert_int_equal(t->fake.n_seen, seen);

	/* and back: the next command goes to the new charon */
	fake_listen(&t->fake);
	submit(t, "g", NULL, 0, &g);
	RUN_UNTIL(t, g.done && t->ups == 3);
	assert_int_equal(g.err, 0);
	assert_int_equal(t->ups, 3);
	assert_string_equal(t->fake.seen[seen], "g#3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timeout_on_wire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_size_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_interleaved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_across_reconnect, setup, teardown),
	};

	log_init("test_vici_client", LOG_TARGET_STDERR, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
