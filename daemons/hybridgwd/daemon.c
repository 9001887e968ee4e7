/*
 * daemon.c - hybridgwd's state, signals and systemd integration.
 *
 * Signals arrive through sd-event (a signalfd), never in asynchronous handlers, so their
 * handlers may touch any state.  The systemd protocol: READY=1 once the control socket
 * listens, STOPPING=1 when a stop is requested, and WATCHDOG=1 from the event loop itself
 * (sd_event_set_watchdog) when the service has WatchdogSec=, so that a loop that hangs
 * stops the pings.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "coord.h"
#include "ctl_server.h"
#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "netconf.h"
#include "util.h"

#define USEC_PER_SEC 1000000ULL

struct hgwd {
	const struct hgwd_options *opts;
	sd_event *event;
	struct ctl_server *ctl;
	struct netconf *netconf;
	struct coord *coord;
	struct metrics_http *metrics; /* NULL: --metrics-listen none, or it could not listen */
	enum hgw_run_state state;
	uint64_t start_usec; /* CLOCK_MONOTONIC */
	uint64_t reloads;
};

static int on_stop_signal(sd_event_source *source, const struct signalfd_siginfo *si,
			  void *userdata)
{
	struct hgwd *d = userdata;

	log_notice("SIG%s received, shutting down", sigabbrev_np((int)si->ssi_signo));
	d->state = HGW_STATE_STOPPING;
	sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
	return sd_event_exit(sd_event_source_get_event(source), EXIT_SUCCESS);
}

static int on_reload_signal(sd_event_source *source, const struct signalfd_siginfo *si,
			    void *userdata)
{
	struct hgwd *d = userdata;

	(void)source;
	(void)si;
	d->reloads++;
	log_notice("SIGHUP received (reload request %llu): nothing to reload, the configuration "
		   "will be managed over NETCONF",
		   (unsigned long long)d->reloads);
	return 0;
}

static const struct {
	int signo;
	sd_event_signal_handler_t handler;
} signal_handlers[] = {
	{ SIGTERM, on_stop_signal },
	{ SIGINT, on_stop_signal },
	{ SIGHUP, on_reload_signal },
};

static int setup_signals(struct hgwd *d)
{
	sigset_t mask;
	size_t i;
	int r;

	/* A signalfd only sees blocked signals. */
	sigemptyset(&mask);
	for (i = 0; i < ARRAY_SIZE(signal_handlers); i++)
		sigaddset(&mask, signal_handlers[i].signo);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return log_err_errno(errno, "cannot block signals");
	for (i = 0; i < ARRAY_SIZE(signal_handlers); i++) {
		r = sd_event_add_signal(d->event, NULL, signal_handlers[i].signo,
					signal_handlers[i].handler, d);
		if (r < 0)
			return log_err_errno(r, "cannot handle SIG%s",
					     sigabbrev_np(signal_handlers[i].signo));
	}
	return 0;
}

static int setup_watchdog(struct hgwd *d)
{
	int r;

	/* Reads WATCHDOG_USEC: a no-op unless systemd (or a test) asks for pings. */
	r = sd_event_set_watchdog(d->event, true);
	if (r < 0)
		return log_err_errno(r, "cannot set up the systemd watchdog");
	if (r > 0)
		log_info("systemd watchdog enabled");
	return 0;
}

static int make_state_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0750) == 0) {
		/* Exactly 0750, whatever the umask: the socket's group may enter, others not. */
		if (chmod(dir, 0750) < 0)
			return log_err_errno(errno, "cannot set the mode of %s", dir);
		log_info("created state directory %s", dir);
		return 0;
	}
	if (errno != EEXIST)
		return log_err_errno(errno, "cannot create state directory %s", dir);
	if (stat(dir, &st) < 0)
		return log_err_errno(errno, "cannot use state directory %s", dir);
	if (!S_ISDIR(st.st_mode)) {
		log_err("state directory %s is not a directory", dir);
		return -ENOTDIR;
	}
	return 0;
}

static int fill_status(struct hgw_status *status, void *userdata)
{
	struct hgwd *d = userdata;
	uint64_t now;
	int r;

	r = sd_event_now(d->event, CLOCK_MONOTONIC, &now);
	if (r < 0)
		return r;
	*status = (struct hgw_status){
		.version = PACKAGE_VERSION,
		.pid = getpid(),
		.uptime_s = (now - d->start_usec) / USEC_PER_SEC,
		.config_dir = d->opts->config_dir,
		.state_dir = d->opts->state_dir,
		.reloads = d->reloads,
		.state = d->state,
	};
	return 0;
}

static int hgwd_setup(struct hgwd *d)
{
	char path[HGW_CTL_PATH_MAX];
	int r;

	r = make_state_dir(d->opts->state_dir);
	if (r < 0)
		return r;
	r = sd_event_default(&d->event);
	if (r < 0)
		return log_err_errno(r, "cannot create the event loop");
	r = sd_event_now(d->event, CLOCK_MONOTONIC, &d->start_usec);
	if (r < 0)
		return log_err_errno(r, "cannot read the monotonic clock");
	r = setup_signals(d);
	if (r < 0)
		return r;
	r = setup_watchdog(d);
	if (r < 0)
		return r;
	r = hgw_ctl_socket_path(path, sizeof(path), d->opts->state_dir);
	if (r < 0)
		return log_err_errno(r, "control socket path in %s", d->opts->state_dir);
	r = ctl_server_new(d->event, path, fill_status, d, &d->ctl);
	if (r < 0)
		return r;
	if (d->opts->config_only) {
		log_notice("--config-only: configurations are kept, nothing is applied");
		return netconf_new(d->event, d->opts, NULL, NULL, &d->netconf);
	}
	r = coord_new(d->event, d->opts, &d->coord);
	if (r < 0)
		return r;
	r = netconf_new(d->event, d->opts, coord_apply, d->coord, &d->netconf);
	if (r < 0)
		return r;
	coord_set_netconf(d->coord, d->netconf);
	netconf_set_state(d->netconf, coord_state, d->coord);
	netconf_set_action(d->netconf, coord_action, d->coord);
	return 0;
}

/* ---- metrics (metrics.h, metrics_http.h) */

static void copy_counters(struct metrics_counters *cnt, const struct coord_stats *st)
{
	cnt->commits = st->commits;
	cnt->commit_failures = st->failed;
	cnt->last_commit_us = st->last_commit_us;
	cnt->links_up = st->links_up;
	cnt->links_down = st->links_down;
	cnt->child_rekeys = st->child_rekeys;
	cnt->ike_rekeys = st->ike_rekeys;
	cnt->charon_repushes = st->charon_repushes;
}

/* metrics_collect_fn: running and state as an admin's <get> has them, and the counters. */
static int collect_metrics(void *data, char **body, size_t *len)
{
	struct hgwd *d = data;
	struct metrics_counters cnt = { .version = PACKAGE_VERSION,
					.config_only = d->opts->config_only };
	struct lyd_node *tree = NULL;
	FILE *out;
	int r;

	if (d->coord != NULL)
		copy_counters(&cnt, coord_stats(d->coord));
	r = netconf_operational(d->netconf, &tree);
	if (r < 0)
		return r;
	*body = NULL;
	*len = 0;
	out = open_memstream(body, len);
	if (out == NULL) {
		lyd_free_all(tree);
		return -errno;
	}
	r = metrics_render(tree, &cnt, out);
	if (fclose(out) != 0 && r == 0)
		r = -EIO;
	lyd_free_all(tree);
	if (r < 0) {
		free(*body);
		*body = NULL;
	}
	return r;
}

/* The endpoint is optional: when it cannot listen (logged), the daemon runs without it. */
static void setup_metrics(struct hgwd *d)
{
	const struct hgwd_options *o = d->opts;

	if (o->metrics_listen == NULL) {
		log_info("metrics: not served (--metrics-listen none)");
		return;
	}
	if (metrics_http_new(d->event, (const struct sockaddr *)&o->metrics_addr,
			     o->metrics_addrlen, collect_metrics, d, &d->metrics) < 0)
		return;
	log_notice("metrics: serving http://%s/metrics", metrics_http_address(d->metrics));
}

int hgwd_new(const struct hgwd_options *opts, struct hgwd **ret)
{
	struct hgwd *d;
	int r;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return log_err_errno(ENOMEM, "cannot start");
	d->opts = opts;
	d->state = HGW_STATE_STARTING;
	r = hgwd_setup(d);
	if (r < 0) {
		hgwd_free(d);
		return r;
	}
	setup_metrics(d);
	*ret = d;
	return 0;
}

int hgwd_run(struct hgwd *d)
{
	int r;

	d->state = HGW_STATE_RUNNING;
	r = sd_notifyf(0, "READY=1\nSTATUS=Listening on %s", ctl_server_path(d->ctl));
	if (r < 0)
		log_warn_errno(r, "cannot notify systemd of readiness");
	log_notice("hybridgwd %s running, config dir %s, state dir %s", PACKAGE_VERSION,
		   d->opts->config_dir, d->opts->state_dir);
	r = sd_event_loop(d->event);
	if (r < 0)
		return log_err_errno(r, "event loop failed");
	return r;
}

void hgwd_free(struct hgwd *d)
{
	if (d == NULL)
		return;
	metrics_http_free(d->metrics);
	netconf_free(d->netconf);
	coord_free(d->coord);
	ctl_server_free(d->ctl);
	sd_event_unref(d->event);
	free(d);
}
