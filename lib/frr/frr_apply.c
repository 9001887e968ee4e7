/*
 * frr_apply.c - delta, batch, read-back and rollback over the vty sockets (see
 * frr_apply.h), as a state machine on an sd-event loop (frr_run.h).
 *
 * A run walks phases: APPLY (per daemon in apply_order: connect, enable, read the running
 * configuration, send the delta), VERIFY (read back every touched daemon), and on a
 * rejected line or a mismatch ROLLBACK (touched daemons in reverse: read, delta back to
 * the snapshot, read back).  Each reply moves it one step; one command is in flight per
 * run, because a configure session must stop at the first rejected line.  The blocking
 * frr_apply() runs the same machine on a private loop.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frr_apply.h"
#include "frr_run.h"
#include "frr_vty.h"
#include "log.h"
#include "util.h"

/* bfdd first: bgpd names its profiles. */
static const enum frr_daemon apply_order[] = { FRR_BFDD, FRR_BGPD, FRR_ZEBRA };

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int set_err(struct frr_client *c, int r, const char *fmt, ...) HGW_PRINTF(3, 4);

static int set_err(struct frr_client *c, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return r;
}

/* FRR's message without its trailing newlines, for an error text. */
static const char *trimmed(char *text)
{
	size_t n = strlen(text);

	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		text[--n] = '\0';
	while (*text == '\n')
		text++;
	return text;
}

void frr_client_init(struct frr_client *client, const char *rundir, int timeout_ms)
{
	memset(client, 0, sizeof(*client));
	snprintf(client->rundir, sizeof(client->rundir), "%s", rundir);
	client->timeout_ms = timeout_ms;
	frr_conf_init(&client->applied);
}

void frr_client_clear(struct frr_client *client)
{
	frr_conf_clear(&client->applied);
}

static void vty_path(const struct frr_client *c, enum frr_daemon d, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.vty", c->rundir, frr_daemon_name(d));
}

static int vty_open(struct frr_client *c, struct frr_vty *vty, enum frr_daemon d)
{
	char path[160];

	vty_path(c, d, path, sizeof(path));
	return frr_vty_open(vty, path, c->timeout_ms);
}

/* The daemon answered cmd with an error status: -EINVAL, naming the line. */
static int rejected(struct frr_client *c, enum frr_daemon d, const char *cmd, uint8_t status,
		    char *text)
{
	return set_err(c, -EINVAL, "%s rejected \"%s\" (status %u): %s", frr_daemon_name(d), cmd,
		       status, text != NULL ? trimmed(text) : "");
}

static int run(struct frr_client *c, struct frr_vty *vty, enum frr_daemon d, const char *cmd)
{
	uint8_t status;
	int r = frr_vty_cmd(vty, cmd, &status);

	if (r < 0)
		return set_err(c, r, "%s: \"%s\": %s", frr_daemon_name(d), cmd, strerror(-r));
	if (status != FRR_VTY_SUCCESS)
		return rejected(c, d, cmd, status, vty->reply.text);
	return 0;
}

/* The owned part of a running configuration; claims are the applied and the new one. */
static int parse_owned(struct frr_client *c, enum frr_daemon d, const struct frr_conf *want,
		       const struct frr_vty_reply *reply, struct frr_conf *out)
{
	const struct frr_conf *claims[2] = { &c->applied, want };
	int r;

	frr_conf_clear(out);
	frr_conf_init(out);
	r = frr_conf_parse_owned(reply->text != NULL ? reply->text : "", reply->len, d, claims, 2,
				 out);
	if (r < 0)
		return set_err(c, r, "%s: cannot read its running configuration: %s",
			       frr_daemon_name(d), strerror(-r));
	return 0;
}

/* got against want for one daemon: 0, or -EPROTO naming the first differing line. */
static int compare(struct frr_client *c, enum frr_daemon d, const struct frr_conf *got,
		   const struct frr_conf *want)
{
	const struct frr_entry *missing, *extra;

	if (frr_conf_same(got, want, d, &missing, &extra))
		return 0;
	if (missing != NULL)
		return set_err(c, -EPROTO, "%s: after the apply, \"%s\"%s%s is missing",
			       frr_daemon_name(d), missing->text, missing->ctx[0] ? " under " : "",
			       missing->ctx[0] ? missing->ctx[0] : "");
	return set_err(c, -EPROTO, "%s: after the apply, \"%s\"%s%s is there but was not wanted",
		       frr_daemon_name(d), extra->text, extra->ctx[0] ? " under " : "",
		       extra->ctx[0] ? extra->ctx[0] : "");
}

static unsigned long want_asn(const struct frr_conf *want)
{
	unsigned long asn;
	size_t i;

	for (i = 0; i < want->n; i++) {
		if (want->v[i].ctx[0] != NULL &&
		    sscanf(want->v[i].ctx[0], "router bgp %lu", &asn) == 1)
			return asn;
	}
	return 0;
}

static bool has_lines(const struct frr_conf *conf, enum frr_daemon d)
{
	size_t i;

	for (i = 0; i < conf->n; i++) {
		if (conf->v[i].daemon == d)
			return true;
	}
	return false;
}

int frr_conf_copy(struct frr_conf *dst, const struct frr_conf *src)
{
	struct frr_conf tmp;
	size_t i;
	int r = 0;

	frr_conf_init(&tmp);
	for (i = 0; r == 0 && i < src->n; i++)
		r = frr_conf_add(&tmp, src->v[i].daemon, (const char *const *)src->v[i].ctx,
				 src->v[i].text);
	if (r < 0) {
		frr_conf_clear(&tmp);
		return r;
	}
	frr_conf_clear(dst);
	*dst = tmp;
	return 0;
}

/* ---- the run: one apply on the loop */

enum phase {
	PH_APPLY,
	PH_VERIFY,
	PH_ROLLBACK,
};

enum step {
	ST_ENABLE,
	ST_READ,
	ST_CONF, /* configure terminal, then each line of the batch */
	ST_END,
	ST_CHECK,
	ST_COUNT,
};

/* One non-blocking vty socket; one command in flight. */
struct conn {
	struct frr_run *run;
	enum frr_daemon daemon;
	int fd;
	sd_event_source *io;
	struct frr_vty_reply reply;
	char out[FRR_VTY_CMD_MAX + 1]; /* the encoded command: also its text for messages */
	size_t out_len, out_off;
};

struct frr_run {
	sd_event *event;
	struct frr_client *client;
	struct frr_conf want;
	struct conn conn[FRR_DAEMON_COUNT];
	struct frr_conf before[FRR_DAEMON_COUNT]; /* snapshot of the owned part */
	struct frr_conf now;			  /* rollback: what is there */
	bool touched[FRR_DAEMON_COUNT];
	struct frr_batch batch;
	size_t line;
	enum phase phase;
	enum step step;
	size_t idx; /* position in apply_order (reversed in ROLLBACK) */
	enum frr_daemon d;
	int pending;  /* a line was rejected; the session is being ended */
	int error;    /* what started the rollback */
	int rb_error; /* the rollback failed somewhere */
	char first_err[sizeof(((struct frr_client *)0)->err)];
	sd_event_source *timer, *start;
	struct frr_apply_stats stats;
	long long t0, t_send;
	frr_run_done_fn done;
	void *arg;
};

static void step_apply(struct frr_run *run);
static void step_verify(struct frr_run *run);
static void step_rollback(struct frr_run *run);
static void fail(struct frr_run *run, int r);

static void conn_close(struct conn *c)
{
	c->io = sd_event_source_disable_unref(c->io);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	frr_vty_reply_clear(&c->reply);
}

static void close_all(struct frr_run *run)
{
	size_t i;

	for (i = 0; i < FRR_DAEMON_COUNT; i++)
		conn_close(&run->conn[i]);
	if (run->timer != NULL)
		sd_event_source_set_enabled(run->timer, SD_EVENT_OFF);
}

/* Last: done may free the run. */
static void finish(struct frr_run *run, int r)
{
	if (r == 0)
		r = frr_conf_copy(&run->client->applied, &run->want);
	close_all(run);
	run->stats.total_us = now_us() - run->t0;
	run->done(run->arg, r, &run->stats);
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct frr_run *run = userdata;
	struct conn *c = &run->conn[run->d];

	(void)s;
	(void)usec;
	conn_close(c);
	if (run->pending != 0 && run->step == ST_END) {
		fail(run, run->pending);
		return 0;
	}
	fail(run, set_err(run->client, -ETIMEDOUT, "%s: \"%s\": %s", frr_daemon_name(c->daemon),
			  c->out, strerror(ETIMEDOUT)));
	return 0;
}

/*
 * The deadline counts from the moment the command is queued, read from the clock: the
 * loop's cached time is that of its last wake-up, which may be long past after a slow
 * handler.
 */
static int arm_timer(struct frr_run *run)
{
	uint64_t at = (uint64_t)(now_us() + (long long)run->client->timeout_ms * 1000);
	int r;

	if (run->timer == NULL)
		return sd_event_add_time(run->event, &run->timer, CLOCK_MONOTONIC, at, 0,
					 on_timeout, run);
	r = sd_event_source_set_time(run->timer, at);
	if (r >= 0)
		r = sd_event_source_set_enabled(run->timer, SD_EVENT_ONESHOT);
	return r;
}

static void conn_failed(struct conn *c, int r)
{
	struct frr_run *run = c->run;

	conn_close(c);
	/* The session was being ended after a rejected line: that line is the news. */
	if (run->pending != 0 && run->step == ST_END) {
		fail(run, run->pending);
		return;
	}
	fail(run, set_err(run->client, r, "%s: \"%s\": %s", frr_daemon_name(c->daemon), c->out,
			  strerror(-r)));
}

static void (*const on_reply[ST_COUNT])(struct frr_run *run, struct conn *c);

static int conn_read(struct conn *c)
{
	char buf[65536];
	ssize_t n, used;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	used = frr_vty_reply_feed(&c->reply, buf, (size_t)n);
	if (used < 0)
		return (int)used;
	/* Bytes beyond the reply answer no command of ours. */
	if (used != n || (c->out_off < c->out_len && c->reply.done))
		return -EPROTO;
	return c->reply.done ? 1 : 0;
}

static int conn_write(struct conn *c)
{
	ssize_t n;

	n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	c->out_off += (size_t)n;
	if (c->out_off == c->out_len)
		return sd_event_source_set_io_events(c->io, EPOLLIN);
	return 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct conn *c = userdata;
	struct frr_run *run = c->run;
	int r = 0;

	(void)s;
	(void)fd;
	if ((revents & EPOLLOUT) && c->out_off < c->out_len)
		r = conn_write(c);
	if (r >= 0 && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		r = conn_read(c);
	if (r < 0) {
		conn_failed(c, r);
		return 0;
	}
	if (r == 1) {
		sd_event_source_set_enabled(run->timer, SD_EVENT_OFF);
		on_reply[run->step](run, c);
	}
	return 0;
}

/* Queue cmd on the current daemon's socket; its reply goes to on_reply[step]. */
static void send_step(struct frr_run *run, const char *cmd, enum step step)
{
	struct conn *c = &run->conn[run->d];
	ssize_t n;
	int r;

	run->step = step;
	n = frr_vty_encode(c->out, sizeof(c->out), cmd);
	if (n < 0) {
		fail(run, set_err(run->client, (int)n, "%s: cannot send \"%s\": %s",
				  frr_daemon_name(run->d), cmd, strerror((int)-n)));
		return;
	}
	c->out_len = (size_t)n;
	c->out_off = 0;
	frr_vty_reply_reset(&c->reply);
	r = sd_event_source_set_io_events(c->io, EPOLLIN | EPOLLOUT);
	if (r >= 0)
		r = arm_timer(run);
	if (r < 0)
		conn_failed(c, r);
}

/* Connect and say "enable".  A unix stream connect completes or fails at once. */
static int conn_open(struct frr_run *run, enum frr_daemon d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct conn *c = &run->conn[d];
	int r;

	vty_path(run->client, d, sa.sun_path, sizeof(sa.sun_path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		conn_close(c);
		return r;
	}
	r = sd_event_add_io(run->event, &c->io, c->fd, EPOLLIN, on_io, c);
	if (r < 0) {
		conn_close(c);
		return r;
	}
	run->d = d;
	send_step(run, "enable", ST_ENABLE);
	return 0;
}

static void reply_enable(struct frr_run *run, struct conn *c)
{
	if (c->reply.status != FRR_VTY_SUCCESS) {
		fail(run, set_err(run->client, -EACCES, "%s refused \"enable\"",
				  frr_daemon_name(run->d)));
		return;
	}
	send_step(run, "show running-config", run->phase == PH_VERIFY ? ST_CHECK : ST_READ);
}

static void begin_batch(struct frr_run *run)
{
	run->line = 0;
	run->t_send = now_us();
	send_step(run, "configure terminal", ST_CONF);
}

/* APPLY: snapshot and delta to want; ROLLBACK: delta from what is there to the snapshot. */
static void reply_read(struct frr_run *run, struct conn *c)
{
	struct frr_client *cl = run->client;
	bool apply = run->phase == PH_APPLY;
	struct frr_conf *got = apply ? &run->before[run->d] : &run->now;
	unsigned long asn, wanted;
	int r;

	if (c->reply.status != FRR_VTY_SUCCESS) {
		fail(run, rejected(cl, run->d, c->out, c->reply.status, c->reply.text));
		return;
	}
	r = parse_owned(cl, run->d, &run->want, &c->reply, got);
	if (r < 0) {
		fail(run, r);
		return;
	}
	asn = frr_conf_running_asn(c->reply.text, c->reply.len);
	wanted = want_asn(&run->want);
	if (apply && run->d == FRR_BGPD && asn != 0 && wanted != 0 && asn != wanted) {
		fail(run, set_err(cl, -EEXIST,
				  "bgpd runs router bgp %lu, the intent wants %lu: remove the "
				  "other instance or change the intent's asn",
				  asn, wanted));
		return;
	}
	frr_batch_clear(&run->batch);
	frr_batch_init(&run->batch);
	r = apply ? frr_delta(got, &run->want, run->d, &run->batch) :
		    frr_delta(got, &run->before[run->d], run->d, &run->batch);
	if (r < 0) {
		fail(run, r);
		return;
	}
	if (run->batch.n > 0) {
		run->touched[run->d] |= apply;
		begin_batch(run);
	} else if (apply) {
		run->idx++;
		step_apply(run);
	} else {
		send_step(run, "show running-config", ST_CHECK);
	}
}

/* One configure session stops at the first rejected line and is always ended. */
static void reply_conf(struct frr_run *run, struct conn *c)
{
	if (c->reply.status != FRR_VTY_SUCCESS) {
		run->pending =
			rejected(run->client, run->d, c->out, c->reply.status, c->reply.text);
		send_step(run, "end", ST_END);
		return;
	}
	if (run->line < run->batch.n) {
		send_step(run, run->batch.lines[run->line++], ST_CONF);
		return;
	}
	send_step(run, "end", ST_END);
}

static void reply_end(struct frr_run *run, struct conn *c)
{
	int r = run->pending;

	(void)c;
	if (run->phase == PH_APPLY) {
		run->stats.sent[run->d] = run->batch.n;
		run->stats.send_us += now_us() - run->t_send;
	}
	run->pending = 0;
	if (r != 0) {
		fail(run, r);
	} else if (run->phase == PH_APPLY) {
		run->idx++;
		step_apply(run);
	} else {
		send_step(run, "show running-config", ST_CHECK);
	}
}

/* Read-back: the owned part must be want (VERIFY) or the snapshot (ROLLBACK). */
static void reply_check(struct frr_run *run, struct conn *c)
{
	struct frr_client *cl = run->client;
	const struct frr_conf *want = run->phase == PH_VERIFY ? &run->want : &run->before[run->d];
	struct frr_conf got;
	int r;

	if (c->reply.status != FRR_VTY_SUCCESS) {
		fail(run, rejected(cl, run->d, c->out, c->reply.status, c->reply.text));
		return;
	}
	frr_conf_init(&got);
	r = parse_owned(cl, run->d, &run->want, &c->reply, &got);
	if (r == 0)
		r = compare(cl, run->d, &got, want);
	frr_conf_clear(&got);
	if (r < 0) {
		fail(run, r);
		return;
	}
	run->idx++;
	if (run->phase == PH_VERIFY)
		step_verify(run);
	else
		step_rollback(run);
}

static void (*const on_reply[ST_COUNT])(struct frr_run *run, struct conn *c) = {
	[ST_ENABLE] = reply_enable, [ST_READ] = reply_read,   [ST_CONF] = reply_conf,
	[ST_END] = reply_end,	    [ST_CHECK] = reply_check,
};

static void step_apply(struct frr_run *run)
{
	struct frr_client *c = run->client;
	enum frr_daemon d;
	int r;

	for (; run->idx < ARRAY_SIZE(apply_order); run->idx++) {
		d = apply_order[run->idx];
		r = conn_open(run, d);
		if (r == 0)
			return;
		if (has_lines(&run->want, d) || has_lines(&c->applied, d)) {
			fail(run, set_err(c, r, "cannot reach %s in %s: %s", frr_daemon_name(d),
					  c->rundir, strerror(-r)));
			return;
		}
		/* not running, and nothing of ours to put there */
	}
	run->phase = PH_VERIFY;
	run->idx = 0;
	step_verify(run);
}

static void step_verify(struct frr_run *run)
{
	for (; run->idx < ARRAY_SIZE(apply_order); run->idx++) {
		if (run->touched[apply_order[run->idx]]) {
			run->d = apply_order[run->idx];
			send_step(run, "show running-config", ST_CHECK);
			return;
		}
	}
	finish(run, 0);
}

/* Back to the snapshot on every touched daemon, last applied first. */
static void step_rollback(struct frr_run *run)
{
	struct frr_client *c = run->client;
	enum frr_daemon d;

	for (; run->idx < ARRAY_SIZE(apply_order); run->idx++) {
		d = apply_order[ARRAY_SIZE(apply_order) - 1 - run->idx];
		if (!run->touched[d])
			continue;
		run->d = d;
		if (run->conn[d].fd >= 0) {
			send_step(run, "show running-config", ST_READ);
			return;
		}
		if (conn_open(run, d) == 0)
			return;
		run->rb_error = -EIO;
	}
	if (run->rb_error < 0)
		log_err("frr: rollback incomplete (%s) after: %s", c->err, run->first_err);
	memcpy(c->err, run->first_err, sizeof(c->err));
	run->stats.rolled_back = run->rb_error == 0;
	finish(run, run->error);
}

/*
 * A step failed.  A rejected line or a mismatch starts the rollback; a failure during the
 * rollback moves it to the next daemon; anything else (transport) ends the run.
 */
static void fail(struct frr_run *run, int r)
{
	if (run->phase == PH_ROLLBACK) {
		run->rb_error = -EIO;
		run->pending = 0;
		run->idx++;
		step_rollback(run);
		return;
	}
	if (r != -EINVAL && r != -EPROTO) {
		finish(run, r);
		return;
	}
	memcpy(run->first_err, run->client->err, sizeof(run->first_err));
	run->error = r;
	run->phase = PH_ROLLBACK;
	run->idx = 0;
	step_rollback(run);
}

static int on_start(sd_event_source *s, void *userdata)
{
	struct frr_run *run = userdata;

	(void)s;
	run->start = sd_event_source_disable_unref(run->start);
	step_apply(run);
	return 0;
}

void frr_run_free(struct frr_run *run)
{
	size_t i;

	if (run == NULL)
		return;
	close_all(run);
	sd_event_source_disable_unref(run->timer);
	sd_event_source_disable_unref(run->start);
	for (i = 0; i < FRR_DAEMON_COUNT; i++)
		frr_conf_clear(&run->before[i]);
	frr_conf_clear(&run->now);
	frr_conf_clear(&run->want);
	frr_batch_clear(&run->batch);
	sd_event_unref(run->event);
	free(run);
}

int frr_run_start(sd_event *event, struct frr_client *client, const struct frr_conf *want,
		  frr_run_done_fn done, void *arg, struct frr_run **out)
{
	struct frr_run *run = calloc(1, sizeof(*run));
	size_t i;
	int r;

	if (run == NULL)
		return -ENOMEM;
	run->event = sd_event_ref(event);
	run->client = client;
	run->done = done;
	run->arg = arg;
	run->t0 = now_us();
	for (i = 0; i < FRR_DAEMON_COUNT; i++) {
		run->conn[i].run = run;
		run->conn[i].daemon = (enum frr_daemon)i;
		run->conn[i].fd = -1;
		frr_vty_reply_init(&run->conn[i].reply);
		frr_conf_init(&run->before[i]);
	}
	frr_conf_init(&run->now);
	frr_conf_init(&run->want);
	frr_batch_init(&run->batch);
	client->err[0] = '\0';
	/* Started from the loop, so done never runs inside the caller's call. */
	r = frr_conf_copy(&run->want, want);
	if (r == 0)
		r = sd_event_add_defer(event, &run->start, on_start, run);
	if (r < 0) {
		frr_run_free(run);
		return r;
	}
	*out = run;
	return 0;
}

/* ---- the blocking form: the same run on a private loop */

struct wait {
	bool done;
	int result;
	struct frr_apply_stats *stats;
};

static void wait_done(void *arg, int result, const struct frr_apply_stats *stats)
{
	struct wait *w = arg;

	w->done = true;
	w->result = result;
	if (w->stats != NULL)
		*w->stats = *stats;
}

int frr_apply(struct frr_client *client, const struct frr_conf *want, struct frr_apply_stats *stats)
{
	struct wait w = { .stats = stats };
	struct frr_run *run = NULL;
	sd_event *e = NULL;
	int r;

	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	r = sd_event_new(&e);
	if (r >= 0)
		r = frr_run_start(e, client, want, wait_done, &w, &run);
	/* Every command has a deadline, so the loop ends. */
	while (r >= 0 && !w.done)
		r = sd_event_run(e, UINT64_MAX);
	frr_run_free(run);
	sd_event_unref(e);
	if (r < 0)
		return set_err(client, r, "frr: event loop: %s", strerror(-r));
	return w.result;
}

int frr_show(struct frr_client *client, enum frr_daemon daemon, const char *cmd, char **out,
	     size_t *len)
{
	struct frr_vty vty;
	int r;

	*out = NULL;
	*len = 0;
	r = vty_open(client, &vty, daemon);
	if (r < 0)
		return set_err(client, r, "cannot reach %s in %s: %s", frr_daemon_name(daemon),
			       client->rundir, strerror(-r));
	r = run(client, &vty, daemon, cmd);
	if (r == 0) {
		*out = vty.reply.text;
		*len = vty.reply.len;
		vty.reply.text = NULL;
		if (*out == NULL)
			*out = strdup("");
		if (*out == NULL)
			r = -ENOMEM;
	}
	frr_vty_close(&vty);
	return r;
}

int frr_read_owned(struct frr_client *client, enum frr_daemon daemon, struct frr_conf *out)
{
	struct frr_vty vty;
	int r;

	r = vty_open(client, &vty, daemon);
	if (r < 0)
		return set_err(client, r, "cannot reach %s in %s: %s", frr_daemon_name(daemon),
			       client->rundir, strerror(-r));
	r = run(client, &vty, daemon, "show running-config");
	if (r == 0)
		r = parse_owned(client, daemon, &client->applied, &vty.reply, out);
	frr_vty_close(&vty);
	return r;
}
