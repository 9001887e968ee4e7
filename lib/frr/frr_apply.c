/*
 * frr_apply.c - delta, batch, read-back and rollback over the vty sockets (see
 * frr_apply.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frr_apply.h"
#include "frr_vty.h"
#include "log.h"
#include "util.h"

/* bfdd first: bgpd names its profiles. */
static const enum frr_daemon apply_order[] = { FRR_BFDD, FRR_BGPD, FRR_ZEBRA };

struct apply {
	struct frr_client *client;
	const struct frr_conf *want;
	struct frr_vty vty[FRR_DAEMON_COUNT];
	struct frr_conf before[FRR_DAEMON_COUNT];
	bool present[FRR_DAEMON_COUNT];
	bool touched[FRR_DAEMON_COUNT];
	struct frr_apply_stats *stats;
};

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

static int vty_open(struct frr_client *c, struct frr_vty *vty, enum frr_daemon d)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s.vty", c->rundir, frr_daemon_name(d));
	return frr_vty_open(vty, path, c->timeout_ms);
}

static int run(struct frr_client *c, struct frr_vty *vty, enum frr_daemon d, const char *cmd)
{
	uint8_t status;
	int r = frr_vty_cmd(vty, cmd, &status);

	if (r < 0)
		return set_err(c, r, "%s: \"%s\": %s", frr_daemon_name(d), cmd, strerror(-r));
	if (status != FRR_VTY_SUCCESS)
		return set_err(c, -EINVAL, "%s rejected \"%s\" (status %u): %s", frr_daemon_name(d),
			       cmd, status, trimmed(vty->reply.text));
	return 0;
}

static int read_owned(struct frr_client *c, struct frr_vty *vty, enum frr_daemon d,
		      const struct frr_conf *want, struct frr_conf *out, unsigned long *asn)
{
	const struct frr_conf *claims[2] = { &c->applied, want };
	int r = run(c, vty, d, "show running-config");

	if (r < 0)
		return r;
	if (asn != NULL)
		*asn = frr_conf_running_asn(vty->reply.text, vty->reply.len);
	r = frr_conf_parse_owned(vty->reply.text, vty->reply.len, d, claims, 2, out);
	if (r < 0)
		return set_err(c, r, "%s: cannot read its running configuration: %s",
			       frr_daemon_name(d), strerror(-r));
	return 0;
}

/* One configure session; stops at the first rejected line, always ends the session. */
static int send_batch(struct frr_client *c, struct frr_vty *vty, enum frr_daemon d,
		      const struct frr_batch *batch)
{
	uint8_t status;
	size_t i;
	int r;

	r = run(c, vty, d, "configure terminal");
	for (i = 0; r == 0 && i < batch->n; i++)
		r = run(c, vty, d, batch->lines[i]);
	if (vty->fd >= 0)
		frr_vty_cmd(vty, "end", &status);
	return r;
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

/* Connect, snapshot the owned part, send the delta. */
static int apply_daemon(struct apply *a, enum frr_daemon d)
{
	struct frr_client *c = a->client;
	struct frr_batch batch;
	unsigned long asn = 0, wanted;
	long long t;
	int r;

	r = vty_open(c, &a->vty[d], d);
	if (r < 0) {
		if (!has_lines(a->want, d) && !has_lines(&c->applied, d))
			return 0; /* not running, and nothing of ours to put there */
		return set_err(c, r, "cannot reach %s in %s: %s", frr_daemon_name(d), c->rundir,
			       strerror(-r));
	}
	a->present[d] = true;
	r = read_owned(c, &a->vty[d], d, a->want, &a->before[d], &asn);
	if (r < 0)
		return r;
	wanted = want_asn(a->want);
	if (d == FRR_BGPD && asn != 0 && wanted != 0 && asn != wanted)
		return set_err(c, -EEXIST,
			       "bgpd runs router bgp %lu, the intent wants %lu: remove the other "
			       "instance or change the intent's asn",
			       asn, wanted);
	frr_batch_init(&batch);
	r = frr_delta(&a->before[d], a->want, d, &batch);
	if (r == 0 && batch.n > 0) {
		a->touched[d] = true;
		t = now_us();
		r = send_batch(c, &a->vty[d], d, &batch);
		if (a->stats != NULL) {
			a->stats->sent[d] = batch.n;
			a->stats->send_us += now_us() - t;
		}
	}
	frr_batch_clear(&batch);
	return r;
}

static int verify(struct apply *a, enum frr_daemon d, const struct frr_conf *want)
{
	struct frr_client *c = a->client;
	const struct frr_entry *missing, *extra;
	struct frr_conf got;
	int r;

	frr_conf_init(&got);
	r = read_owned(c, &a->vty[d], d, a->want, &got, NULL);
	if (r == 0 && !frr_conf_same(&got, want, d, &missing, &extra)) {
		r = -EPROTO;
		if (missing != NULL)
			set_err(c, r, "%s: after the apply, \"%s\"%s%s is missing",
				frr_daemon_name(d), missing->text, missing->ctx[0] ? " under " : "",
				missing->ctx[0] ? missing->ctx[0] : "");
		else
			set_err(c, r, "%s: after the apply, \"%s\"%s%s is there but was not wanted",
				frr_daemon_name(d), extra->text, extra->ctx[0] ? " under " : "",
				extra->ctx[0] ? extra->ctx[0] : "");
	}
	frr_conf_clear(&got);
	return r;
}

/* Back to the snapshot on every daemon that was touched.  The first error stays in err. */
static void rollback(struct apply *a)
{
	struct frr_client *c = a->client;
	char first[sizeof(c->err)];
	struct frr_batch batch;
	struct frr_conf now;
	size_t i;
	int r = 0;

	memcpy(first, c->err, sizeof(first));
	for (i = ARRAY_SIZE(apply_order); i-- > 0;) {
		enum frr_daemon d = apply_order[i];

		if (!a->touched[d])
			continue;
		if (a->vty[d].fd < 0 && vty_open(c, &a->vty[d], d) < 0) {
			r = -EIO;
			continue;
		}
		frr_conf_init(&now);
		frr_batch_init(&batch);
		if (read_owned(c, &a->vty[d], d, a->want, &now, NULL) < 0 ||
		    frr_delta(&now, &a->before[d], d, &batch) < 0 ||
		    (batch.n > 0 && send_batch(c, &a->vty[d], d, &batch) < 0) ||
		    verify(a, d, &a->before[d]) < 0)
			r = -EIO;
		frr_batch_clear(&batch);
		frr_conf_clear(&now);
	}
	if (r < 0)
		log_err("frr: rollback incomplete (%s) after: %s", c->err, first);
	memcpy(c->err, first, sizeof(first));
	if (a->stats != NULL)
		a->stats->rolled_back = r == 0;
}

static int copy_conf(struct frr_conf *dst, const struct frr_conf *src)
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

int frr_apply(struct frr_client *client, const struct frr_conf *want, struct frr_apply_stats *stats)
{
	struct apply a = { .client = client, .want = want, .stats = stats };
	long long t0 = now_us();
	size_t i;
	int r = 0;

	client->err[0] = '\0';
	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	for (i = 0; i < FRR_DAEMON_COUNT; i++) {
		a.vty[i].fd = -1;
		frr_vty_reply_init(&a.vty[i].reply);
		frr_conf_init(&a.before[i]);
	}
	for (i = 0; r == 0 && i < ARRAY_SIZE(apply_order); i++)
		r = apply_daemon(&a, apply_order[i]);
	for (i = 0; r == 0 && i < ARRAY_SIZE(apply_order); i++) {
		if (a.touched[apply_order[i]])
			r = verify(&a, apply_order[i], want);
	}
	if (r == -EINVAL || r == -EPROTO)
		rollback(&a);
	else if (r == 0)
		r = copy_conf(&client->applied, want);
	for (i = 0; i < FRR_DAEMON_COUNT; i++) {
		frr_vty_close(&a.vty[i]);
		frr_conf_clear(&a.before[i]);
	}
	if (stats != NULL)
		stats->total_us = now_us() - t0;
	return r;
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
	r = read_owned(client, &vty, daemon, &client->applied, out, NULL);
	frr_vty_close(&vty);
	return r;
}
