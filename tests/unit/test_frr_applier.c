/*
 * test_frr_applier.c - struct frr_applier against a fake bgpd vty on a unix socket, served
 * on the same sd-event loop: an apply completes without blocking the loop, a rejected line
 * rolls back, a silent daemon times out, a second request waits and the newest wins, and a
 * daemon that makes a new socket gets the intent again.  Real FRR: tests/proto/frr_real.py.
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
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "frr_applier.h"
#include "frr_vty.h"

/*
 * A bgpd that keeps top-level lines: "no X" removes X, anything else is added; "show
 * running-config" prints them.  reject names a line it refuses; mute answers nothing.
 */
struct fake {
	sd_event *event;
	char dir[64], path[96];
	int lfd;
	sd_event_source *listen;
	sd_event_source *conns[8];
	int fds[8];
	char in[8][8192];
	size_t in_len[8];
	struct frr_conf running;
	const char *reject;
	bool mute;
	unsigned lines; /* configuration lines received */
};

static void fake_reply(int fd, const char *text, uint8_t status)
{
	size_t n = strlen(text);
	char end[4] = { 0, 0, 0, (char)status };

	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(write(fd, end, 4), 4);
}

static void fake_cmd(struct fake *f, int fd, const char *cmd)
{
	static const char *const plain[] = { "enable", "configure terminal", "end" };
	char *text;
	size_t i;
	long k;

	if (f->mute)
		return;
	for (i = 0; i < 3; i++) {
		if (strcmp(cmd, plain[i]) == 0) {
			fake_reply(fd, "", 0);
			return;
		}
	}
	if (strcmp(cmd, "show running-config") == 0) {
		text = frr_conf_to_string(&f->running);
		assert_non_null(text);
		fake_reply(fd, text, 0);
		free(text);
		return;
	}
	if (f->reject != NULL && strcmp(cmd, f->reject) == 0) {
		fake_reply(fd, "% Configuration failed.\n", 13);
		return;
	}
	f->lines++;
	if (strncmp(cmd, "no ", 3) == 0) {
		char line[FRR_VTY_CMD_MAX + 1];
		struct frr_entry e = { .daemon = FRR_BGPD, .text = line };

		snprintf(line, sizeof(line), "%s", cmd + 3);
		k = frr_conf_find(&f->running, &e);
		assert_true(k >= 0);
		free(f->running.v[k].text);
		memmove(&f->running.v[k], &f->running.v[k + 1],
			(f->running.n - (size_t)k - 1) * sizeof(f->running.v[0]));
		f->running.n--;
	} else {
		assert_int_equal(frr_conf_add(&f->running, FRR_BGPD, NULL, cmd), 0);
	}
	fake_reply(fd, "", 0);
}

static int fake_on_conn(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct fake *f = userdata;
	size_t i, k, start;
	ssize_t n;

	(void)revents;
	for (i = 0; f->fds[i] != fd; i++)
		;
	n = read(fd, f->in[i] + f->in_len[i], sizeof(f->in[i]) - f->in_len[i]);
	if (n <= 0) {
		f->conns[i] = sd_event_source_disable_unref(s);
		close(fd);
		f->fds[i] = -1;
		return 0;
	}
	f->in_len[i] += (size_t)n;
	start = 0;
	for (k = 0; k < f->in_len[i]; k++) {
		if (f->in[i][k] == '\0') {
			fake_cmd(f, fd, f->in[i] + start);
			start = k + 1;
		}
	}
	memmove(f->in[i], f->in[i] + start, f->in_len[i] - start);
	f->in_len[i] -= start;
	return 0;
}

static int fake_on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct fake *f = userdata;
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	size_t i;

	(void)s;
	(void)revents;
	assert_true(c >= 0);
	for (i = 0; f->fds[i] >= 0; i++)
		;
	f->fds[i] = c;
	f->in_len[i] = 0;
	assert_int_equal(sd_event_add_io(f->event, &f->conns[i], c, EPOLLIN, fake_on_conn, f), 0);
	return 0;
}

/* (Re)start the fake daemon: a new socket file, nothing configured. */
static void fake_start(struct fake *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	unlink(f->path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(sd_event_add_io(f->event, &f->listen, f->lfd, EPOLLIN, fake_on_accept, f),
			 0);
	frr_conf_clear(&f->running);
	frr_conf_init(&f->running);
}

static void fake_stop(struct fake *f)
{
	size_t i;

	f->listen = sd_event_source_disable_unref(f->listen);
	if (f->lfd >= 0)
		close(f->lfd);
	f->lfd = -1;
	for (i = 0; i < 8; i++) {
		f->conns[i] = sd_event_source_disable_unref(f->conns[i]);
		if (f->fds[i] >= 0)
			close(f->fds[i]);
		f->fds[i] = -1;
	}
	unlink(f->path);
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	size_t i;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/hgw-applier-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/bgpd.vty", f->dir);
	for (i = 0; i < 8; i++)
		f->fds[i] = -1;
	frr_conf_init(&f->running);
	assert_int_equal(sd_event_new(&f->event), 0);
	fake_start(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	fake_stop(f);
	rmdir(f->dir);
	frr_conf_clear(&f->running);
	sd_event_unref(f->event);
	free(f);
	return 0;
}

/* What each callback saw, in order. */
struct seen {
	sd_event *event;
	int n, until;
	int result[4];
	int queued[4];
	int rolled_back[4];
	char err[4][256];
	int restarts;
	unsigned ticks; /* of a timer that runs while an apply waits */
};

static void on_done(void *arg, int result, const char *err, const struct frr_apply_stats *st)
{
	struct seen *s = arg;

	assert_true(s->n < 4);
	s->result[s->n] = result;
	s->queued[s->n] = st->queued;
	s->rolled_back[s->n] = st->rolled_back;
	snprintf(s->err[s->n], sizeof(s->err[0]), "%s", err);
	if (++s->n == s->until)
		sd_event_exit(s->event, 0);
}

static void want_lines(struct frr_conf *c, const char *a, const char *b)
{
	frr_conf_init(c);
	assert_int_equal(frr_conf_add(c, FRR_BGPD, NULL, a), 0);
	if (b != NULL)
		assert_int_equal(frr_conf_add(c, FRR_BGPD, NULL, b), 0);
}

#define L1 "ip prefix-list HGW-T seq 5 permit 198.51.100.0/24"
#define L2 "ip prefix-list HGW-T seq 10 permit 203.0.113.0/24"
#define L3 "ip prefix-list HGW-U seq 5 permit 192.0.2.0/24"

static int too_long(sd_event_source *src, uint64_t usec, void *userdata)
{
	(void)src;
	(void)usec;
	return sd_event_exit(userdata, -ETIMEDOUT);
}

/* Until a callback ends it; a callback that never comes fails the test in 5 s. */
static void run_loop(struct fake *f)
{
	sd_event_source *guard;
	uint64_t now;

	assert_true(sd_event_now(f->event, CLOCK_MONOTONIC, &now) >= 0);
	assert_int_equal(sd_event_add_time(f->event, &guard, CLOCK_MONOTONIC, now + 5000000, 0,
					   too_long, f->event),
			 0);
	assert_int_equal(sd_event_loop(f->event), 0);
	sd_event_source_disable_unref(guard);
}

static void test_apply(void **state)
{
	struct fake *f = *state;
	struct seen s = { .event = f->event, .until = 1 };
	struct frr_applier *ap;
	struct frr_conf want;

	want_lines(&want, L1, L2);
	assert_int_equal(frr_applier_new(f->event, f->dir, 2000, &ap), 0);
	assert_int_equal(frr_applier_submit(ap, &want, on_done, &s), 0);
	assert_true(frr_applier_busy(ap));
	assert_int_equal(s.n, 0); /* reported from the loop, never from submit */
	run_loop(f);
	assert_int_equal(s.result[0], 0);
	assert_string_equal(s.err[0], "");
	assert_int_equal(f->running.n, 2);
	assert_int_equal(f->lines, 2);
	assert_false(frr_applier_busy(ap));
	frr_applier_free(ap);
	frr_conf_clear(&want);
}

static void test_rejected_rolls_back(void **state)
{
	struct fake *f = *state;
	struct seen s = { .event = f->event, .until = 2 };
	struct frr_applier *ap;
	struct frr_conf a, b;

	want_lines(&a, L1, NULL);
	want_lines(&b, L2, L3);
	assert_int_equal(frr_applier_new(f->event, f->dir, 2000, &ap), 0);
	assert_int_equal(frr_applier_submit(ap, &a, on_done, &s), 0);
	f->reject = L3;
	/* b waits for a, then is refused at L3 after L2 and L1's removal went in */
	assert_int_equal(frr_applier_submit(ap, &b, on_done, &s), 1);
	run_loop(f);
	assert_int_equal(s.result[0], 0);
	assert_int_equal(s.result[1], -EINVAL);
	assert_int_equal(s.queued[1], 1);
	assert_int_equal(s.rolled_back[1], 1);
	assert_non_null(strstr(s.err[1], "\"" L3 "\""));
	/* back to a */
	assert_int_equal(f->running.n, 1);
	assert_string_equal(f->running.v[0].text, L1);
	frr_applier_free(ap);
	frr_conf_clear(&a);
	frr_conf_clear(&b);
}

static void test_newest_wins(void **state)
{
	struct fake *f = *state;
	struct seen s = { .event = f->event, .until = 3 };
	struct frr_applier *ap;
	struct frr_conf a, b, c;

	want_lines(&a, L1, NULL);
	want_lines(&b, L2, NULL);
	want_lines(&c, L3, NULL);
	assert_int_equal(frr_applier_new(f->event, f->dir, 2000, &ap), 0);
	assert_int_equal(frr_applier_submit(ap, &a, on_done, &s), 0);
	assert_int_equal(frr_applier_submit(ap, &b, on_done, &s), 1);
	assert_int_equal(frr_applier_submit(ap, &c, on_done, &s), 1);
	/* b is answered at once: c replaced it */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.result[0], -ECANCELED);
	assert_int_equal(s.queued[0], 1);
	run_loop(f);
	assert_int_equal(s.result[1], 0); /* a */
	assert_int_equal(s.queued[1], 0);
	assert_int_equal(s.result[2], 0); /* c, after waiting */
	assert_int_equal(s.queued[2], 1);
	assert_int_equal(f->running.n, 1);
	assert_string_equal(f->running.v[0].text, L3);
	frr_applier_free(ap);
	frr_conf_clear(&a);
	frr_conf_clear(&b);
	frr_conf_clear(&c);
}

/* Every 20 ms from now (not from when it was due: a late loop does not catch up). */
static int on_tick(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct seen *s = userdata;
	uint64_t now = usec;

	s->ticks++;
	(void)sd_event_now(sd_event_source_get_event(src), CLOCK_MONOTONIC, &now);
	return sd_event_source_set_time(src, now + 20000);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A daemon that accepts and never answers: the deadline ends the apply, the loop runs on. */
static void test_timeout(void **state)
{
	struct fake *f = *state;
	struct seen s = { .event = f->event, .until = 1 };
	struct frr_applier *ap;
	sd_event_source *tick;
	struct frr_conf want;
	uint64_t now;
	long long t0;

	want_lines(&want, L1, NULL);
	f->mute = true;
	assert_true(sd_event_now(f->event, CLOCK_MONOTONIC, &now) >= 0);
	assert_int_equal(
		sd_event_add_time(f->event, &tick, CLOCK_MONOTONIC, now + 20000, 0, on_tick, &s),
		0);
	assert_int_equal(sd_event_source_set_enabled(tick, SD_EVENT_ON), 0);
	assert_int_equal(frr_applier_new(f->event, f->dir, 300, &ap), 0);
	t0 = mono_ms();
	assert_int_equal(frr_applier_submit(ap, &want, on_done, &s), 0);
	run_loop(f);
	assert_int_equal(s.result[0], -ETIMEDOUT);
	assert_true(mono_ms() - t0 >= 300);
	assert_true(mono_ms() - t0 < 5000);
	/*
	 * The loop ran while the apply waited: a 20 ms timer fired more than once.  Not a
	 * count of the 15 it could fire: a loaded machine (CI under sanitizers, 2 cores) runs
	 * the loop late, and one that blocked for the whole deadline fires it exactly once.
	 */
	assert_true(s.ticks >= 2);
	assert_non_null(strstr(s.err[0], "enable"));
	sd_event_source_disable_unref(tick);
	frr_applier_free(ap);
	frr_conf_clear(&want);
}

static void on_restart(void *arg, enum frr_daemon d)
{
	struct seen *s = arg;

	assert_int_equal(d, FRR_BGPD);
	s->restarts++;
}

static int restart_fake(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct fake *f = userdata;

	(void)src;
	(void)usec;
	fake_stop(f);
	fake_start(f);
	return 0;
}

/* The daemon comes back with an empty configuration: the watch puts the intent back. */
static void test_watch_reapplies(void **state)
{
	struct fake *f = *state;
	struct seen s = { .event = f->event, .until = 2 };
	struct frr_applier *ap;
	sd_event_source *later;
	struct frr_conf want;
	uint64_t now;

	want_lines(&want, L1, L2);
	assert_int_equal(frr_applier_new(f->event, f->dir, 2000, &ap), 0);
	assert_int_equal(frr_applier_submit(ap, &want, on_done, &s), 0);
	assert_int_equal(frr_applier_watch(ap, 50, true, on_restart, on_done, &s), 0);
	assert_true(sd_event_now(f->event, CLOCK_MONOTONIC, &now) >= 0);
	assert_int_equal(sd_event_add_time(f->event, &later, CLOCK_MONOTONIC, now + 200000, 0,
					   restart_fake, f),
			 0);
	run_loop(f);
	assert_int_equal(s.restarts, 1);
	assert_int_equal(s.result[0], 0);
	assert_int_equal(s.result[1], 0);
	assert_int_equal(f->running.n, 2);
	assert_int_equal(f->lines, 4);
	sd_event_source_disable_unref(later);
	frr_applier_free(ap);
	frr_conf_clear(&want);
}

static int start_fake(sd_event_source *src, uint64_t usec, void *userdata)
{
	(void)src;
	(void)usec;
	fake_start(userdata);
	return 0;
}

/* Not running at the first apply, there later: the watch retries until it is in. */
static void test_watch_retries(void **state)
{
	struct fake *f = *state;
	struct seen s = { .event = f->event, .until = 2 };
	struct frr_applier *ap;
	sd_event_source *later;
	struct frr_conf want;
	uint64_t now;

	fake_stop(f);
	want_lines(&want, L1, NULL);
	assert_int_equal(frr_applier_new(f->event, f->dir, 2000, &ap), 0);
	assert_int_equal(frr_applier_submit(ap, &want, on_done, &s), 0);
	assert_int_equal(frr_applier_watch(ap, 50, true, on_restart, on_done, &s), 0);
	assert_true(sd_event_now(f->event, CLOCK_MONOTONIC, &now) >= 0);
	assert_int_equal(sd_event_add_time(f->event, &later, CLOCK_MONOTONIC, now + 200000, 0,
					   start_fake, f),
			 0);
	run_loop(f);
	assert_int_equal(s.result[0], -ENOENT);
	assert_int_equal(s.result[1], 0);
	assert_int_equal(s.restarts, 0);
	assert_int_equal(f->running.n, 1);
	sd_event_source_disable_unref(later);
	frr_applier_free(ap);
	frr_conf_clear(&want);
}

/* The blocking form is the same run on a private loop. */
static void test_blocking_no_daemon(void **state)
{
	struct fake *f = *state;
	struct frr_apply_stats st;
	struct frr_client c;
	struct frr_conf want;

	fake_stop(f);
	want_lines(&want, L1, NULL);
	frr_client_init(&c, f->dir, 500);
	assert_int_equal(frr_apply(&c, &want, &st), -ENOENT);
	assert_non_null(strstr(c.err, "cannot reach bgpd"));
	frr_client_clear(&c);
	frr_conf_clear(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newest_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_reapplies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_no_daemon, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
