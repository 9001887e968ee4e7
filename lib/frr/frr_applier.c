/*
 * frr_applier.c - one apply at a time on the loop, a queue of one, and the restart watch
 * (see frr_applier.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "frr_applier.h"
#include "frr_run.h"
#include "log.h"
#include "util.h"

/* What tells one socket file from its successor. */
struct vty_id {
	bool present;
	dev_t dev;
	ino_t ino;
	struct timespec ctim;
};

/* A submitted apply: the intent and whom to tell. */
struct request {
	struct frr_conf want;
	frr_applier_done_fn done;
	void *arg;
	bool queued;
};

struct frr_applier {
	sd_event *event;
	struct frr_client client;
	struct frr_run *run;
	struct request cur, next;
	bool has_next;
	struct frr_conf intent; /* the newest submitted, for re-pushes */
	bool has_intent;
	sd_event_source *watch;
	uint64_t interval_us;
	struct vty_id ids[FRR_DAEMON_COUNT];
	bool seen[FRR_DAEMON_COUNT];
	bool reapply;
	bool unreachable; /* the last apply failed on the transport: retry on the next tick */
	frr_applier_restart_fn restarted;
	frr_applier_done_fn watch_done;
	void *watch_arg;
};

int frr_applier_new(sd_event *event, const char *rundir, int timeout_ms, struct frr_applier **out)
{
	struct frr_applier *ap = calloc(1, sizeof(*ap));

	if (ap == NULL)
		return -ENOMEM;
	ap->event = sd_event_ref(event);
	frr_client_init(&ap->client, rundir, timeout_ms);
	frr_conf_init(&ap->cur.want);
	frr_conf_init(&ap->next.want);
	frr_conf_init(&ap->intent);
	*out = ap;
	return 0;
}

void frr_applier_free(struct frr_applier *ap)
{
	if (ap == NULL)
		return;
	frr_run_free(ap->run);
	sd_event_source_disable_unref(ap->watch);
	frr_conf_clear(&ap->cur.want);
	frr_conf_clear(&ap->next.want);
	frr_conf_clear(&ap->intent);
	frr_client_clear(&ap->client);
	sd_event_unref(ap->event);
	free(ap);
}

int frr_applier_set_applied(struct frr_applier *ap, const struct frr_conf *applied)
{
	return frr_conf_copy(&ap->client.applied, applied);
}

bool frr_applier_busy(const struct frr_applier *ap)
{
	return ap->run != NULL;
}

static void run_done(void *arg, int result, const struct frr_apply_stats *stats);

/* Start cur; on failure to start, it is answered at once. */
static int start(struct frr_applier *ap)
{
	return frr_run_start(ap->event, &ap->client, &ap->cur.want, run_done, ap, &ap->run);
}

static void run_done(void *arg, int result, const struct frr_apply_stats *stats)
{
	struct frr_applier *ap = arg;
	struct frr_apply_stats st = *stats;
	struct request done = ap->cur;
	char err[sizeof(ap->client.err)];
	int r;

	st.queued = done.queued;
	memcpy(err, ap->client.err, sizeof(err));
	/* What FRR refused stays refused; a daemon that was not there may come back. */
	ap->unreachable = result < 0 && result != -EINVAL && result != -EPROTO &&
			  result != -EEXIST && result != -ECANCELED;
	frr_run_free(ap->run);
	ap->run = NULL;
	ap->cur = ap->next;
	memset(&ap->next, 0, sizeof(ap->next));
	frr_conf_init(&ap->next.want);
	if (ap->has_next) {
		ap->has_next = false;
		r = start(ap);
		if (r < 0) {
			log_err("frr: cannot start the waiting apply: %s", strerror(-r));
			if (ap->cur.done != NULL)
				ap->cur.done(ap->cur.arg, r, "cannot start the apply", &st);
		}
	}
	if (done.done != NULL)
		done.done(done.arg, result, result == 0 ? "" : err, &st);
	frr_conf_clear(&done.want);
}

int frr_applier_submit(struct frr_applier *ap, const struct frr_conf *want,
		       frr_applier_done_fn done, void *arg)
{
	struct request req = { .done = done, .arg = arg, .queued = ap->run != NULL };
	struct request old;
	struct frr_apply_stats none = { 0 };
	int r;

	frr_conf_init(&req.want);
	r = frr_conf_copy(&req.want, want);
	if (r == 0)
		r = frr_conf_copy(&ap->intent, want);
	if (r < 0) {
		frr_conf_clear(&req.want);
		return r;
	}
	ap->has_intent = true;
	if (ap->run != NULL) {
		old = ap->next;
		ap->next = req;
		/* The newest intent wins: the one it replaces never runs. */
		if (ap->has_next && old.done != NULL) {
			none.queued = 1;
			old.done(old.arg, -ECANCELED, "replaced by a newer apply", &none);
		}
		frr_conf_clear(&old.want);
		ap->has_next = true;
		return 1;
	}
	frr_conf_clear(&ap->cur.want);
	ap->cur = req;
	r = start(ap);
	if (r < 0) {
		frr_conf_clear(&ap->cur.want);
		frr_conf_init(&ap->cur.want);
		ap->cur.done = NULL;
	}
	return r;
}

static void vty_id_read(const struct frr_applier *ap, enum frr_daemon d, struct vty_id *id)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s.vty", ap->client.rundir, frr_daemon_name(d));
	memset(id, 0, sizeof(*id));
	if (stat(path, &st) < 0)
		return;
	id->present = true;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->ctim = st.st_ctim;
}

static bool vty_id_same(const struct vty_id *a, const struct vty_id *b)
{
	return a->present == b->present && a->dev == b->dev && a->ino == b->ino &&
	       a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec;
}

/* Seen before, now a different file (or back after being gone): a new daemon. */
static bool restarted(struct frr_applier *ap, enum frr_daemon d)
{
	struct vty_id id;
	bool news;

	vty_id_read(ap, d, &id);
	news = ap->seen[d] && id.present && !vty_id_same(&id, &ap->ids[d]);
	if (id.present)
		ap->seen[d] = true;
	ap->ids[d] = id;
	return news;
}

static int on_watch(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct frr_applier *ap = userdata;
	bool again = false;
	int d, r;

	(void)usec;
	for (d = 0; d < FRR_DAEMON_COUNT; d++) {
		if (!restarted(ap, (enum frr_daemon)d))
			continue;
		log_info("frr: %s restarted in %s", frr_daemon_name((enum frr_daemon)d),
			 ap->client.rundir);
		if (ap->restarted != NULL)
			ap->restarted(ap->watch_arg, (enum frr_daemon)d);
		again = true;
	}
	/* A daemon that refused connections but now has its socket gets the intent too. */
	if (ap->unreachable && ap->run == NULL)
		again = true;
	if (again && ap->reapply && ap->has_intent) {
		r = frr_applier_submit(ap, &ap->intent, ap->watch_done, ap->watch_arg);
		if (r < 0)
			log_err("frr: cannot re-apply after a restart: %s", strerror(-r));
	}
	/* From the clock, not from this wake-up: a late tick does not shorten the next. */
	r = sd_event_source_set_time(s, hgw_now_usec() + ap->interval_us);
	if (r >= 0)
		r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return r;
}

int frr_applier_watch(struct frr_applier *ap, unsigned interval_ms, bool reapply,
		      frr_applier_restart_fn restarted_fn, frr_applier_done_fn done, void *arg)
{
	int d;

	ap->watch = sd_event_source_disable_unref(ap->watch);
	ap->interval_us = (uint64_t)interval_ms * 1000;
	ap->reapply = reapply;
	ap->restarted = restarted_fn;
	ap->watch_done = done;
	ap->watch_arg = arg;
	if (interval_ms == 0)
		return 0;
	/* What runs now is the baseline; only a change from it is a restart. */
	for (d = 0; d < FRR_DAEMON_COUNT; d++) {
		ap->seen[d] = false;
		(void)restarted(ap, (enum frr_daemon)d);
	}
	return sd_event_add_time(ap->event, &ap->watch, CLOCK_MONOTONIC,
				 hgw_now_usec() + ap->interval_us, 0, on_watch, ap);
}
