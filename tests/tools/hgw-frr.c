/*
 * hgw-frr.c - the FRR driver from the command line, for the protocol tests, the lab and
 * the benchmark.  Not installed.
 *
 *	hgw-frr render INTENT.json            the rendered configuration (frr.conf form)
 *	hgw-frr delta OLD.json NEW.json       the vty lines from OLD's rendering to NEW's
 *	hgw-frr [-d RUNDIR] [-p PREV.json] apply [--async] INTENT.json
 *	                                       apply; prints {"result": ..., timings};
 *	                                       --async: through struct frr_applier on an
 *	                                       event loop instead of blocking frr_apply()
 *	hgw-frr [-d RUNDIR] [-p PREV.json] watch INTENT.json [INTERVAL_MS]
 *	                                       apply, then watch the vty sockets and apply
 *	                                       again when a daemon restarts; one JSON line
 *	                                       per event; ends on SIGTERM
 *	hgw-frr [-d RUNDIR] owned bgpd|bfdd    the owned part of the running configuration
 *	hgw-frr [-d RUNDIR] show summary|neighbors|bgp4|bgp6|rib4|rib6|bfd
 *	                                       parsed state as JSON
 *	hgw-frr [-d RUNDIR] raw DAEMON COMMAND FRR's own output, for capturing test input
 *	hgw-frr bmp ADDRESS PORT [CAPTURE_DIR]
 *	                                       a BMP station: one JSON line per event with
 *	                                       its wall-clock time; each raw message saved
 *	                                       to CAPTURE_DIR (fuzz seeds); ends on SIGTERM
 *
 * RUNDIR is FRR's socket directory, /run/frr/NS for an instance started with -N NS
 * (default /run/frr).  -p names the intent applied before: the tool keeps no state, and
 * the router-level lines hybridgw claims (network statements, router-id, maximum-paths)
 * are recognised as its own through the previous and the new rendering.
 *
 * Intent files are JSON; members (all optional but asn when there is BGP):
 *	asn, router_id, maximum_paths, multipath_relax, networks: ["P", ...],
 *	bfd_profiles: [{name, detect_multiplier, receive_ms, transmit_ms, passive}],
 *	classes: [{name, remote_as, keepalive, hold, connect, bfd, bfd_profile, weight,
 *	           local_pref, prepend, max_prefix, deny_in_asns: [N], deny_out_asns: [N],
 *	           accept: ["P[ le N]"], advertise: ["P"]}],
 *	neighbors: [{address, class, remote_as, description, update_source, interface,
 *	             passive, shutdown, hop_check: connected|disable-connected-check|multihop,
 *	             multihop_ttl, keepalive, hold, connect, ipv4, ipv6}]
 *
 * Exit status: 0 done, 1 failed (message on stderr), 2 usage.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frr_applier.h"
#include "frr_apply.h"
#include "frr_bmp_station.h"
#include "frr_conf.h"
#include "frr_state.h"
#include "log.h"
#include "util.h"

#define TIMEOUT_MS 30000

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = fopen(path, "r"), *m;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	m = open_memstream(&buf, &size);
	if (m == NULL) {
		fclose(f);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Load and render an intent file into conf. */
static int render_file(const char *path, struct frr_conf *conf)
{
	struct frr_intent intent;
	char err[256];
	char *text = read_file(path);
	int r;

	if (text == NULL) {
		fprintf(stderr, "hgw-frr: %s: %s\n", path, strerror(errno));
		return -1;
	}
	r = frr_intent_from_json(&intent, text, err, sizeof(err));
	free(text);
	if (r == 0) {
		r = frr_render(&intent, conf, err, sizeof(err));
		frr_intent_free(&intent);
	}
	if (r < 0) {
		fprintf(stderr, "hgw-frr: %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static int cmd_render(int argc, char **argv)
{
	struct frr_conf conf;
	int r;

	if (argc != 2)
		return 2;
	frr_conf_init(&conf);
	r = render_file(argv[1], &conf);
	if (r == 0)
		r = frr_conf_write(&conf, stdout);
	frr_conf_clear(&conf);
	return r == 0 ? 0 : 1;
}

static int cmd_delta(int argc, char **argv)
{
	static const enum frr_daemon order[] = { FRR_BFDD, FRR_BGPD };
	struct frr_conf old, new;
	struct frr_batch batch;
	size_t i, k;
	int r;

	if (argc != 3)
		return 2;
	frr_conf_init(&old);
	frr_conf_init(&new);
	r = render_file(argv[1], &old);
	if (r == 0)
		r = render_file(argv[2], &new);
	for (i = 0; r == 0 && i < ARRAY_SIZE(order); i++) {
		frr_batch_init(&batch);
		r = frr_delta(&old, &new, order[i], &batch);
		if (batch.n > 0)
			printf("# %s\n", frr_daemon_name(order[i]));
		for (k = 0; k < batch.n; k++)
			printf("%s\n", batch.lines[k]);
		frr_batch_clear(&batch);
	}
	frr_conf_clear(&old);
	frr_conf_clear(&new);
	return r == 0 ? 0 : 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_result(const char *event, int r, const char *err,
			 const struct frr_apply_stats *st)
{
	printf("{%s%s%s\"result\": \"%s\", \"error\": %d, \"sent_bgpd\": %zu, \"sent_bfdd\": %zu, "
	       "\"send_us\": %lld, \"total_us\": %lld, \"rolled_back\": %s, \"queued\": %s, "
	       "\"t\": %.6f}\n",
	       event ? "\"event\": \"" : "", event ? event : "", event ? "\", " : "",
	       r == 0 ? "ok" : "failed", -r, st->sent[FRR_BGPD], st->sent[FRR_BFDD], st->send_us,
	       st->total_us, st->rolled_back ? "true" : "false", st->queued ? "true" : "false",
	       now_s());
	fflush(stdout);
	if (r < 0)
		fprintf(stderr, "hgw-frr: apply: %s\n", err);
}

/* ---- apply --async and watch: struct frr_applier on an event loop */

struct async_tool {
	sd_event *event;
	bool done;
	int result;
	bool exit_on_done;
};

static void on_async_done(void *arg, int result, const char *err, const struct frr_apply_stats *st)
{
	struct async_tool *t = arg;

	t->done = true;
	t->result = result;
	print_result(t->exit_on_done ? NULL : "applied", result, err, st);
	if (t->exit_on_done)
		sd_event_exit(t->event, 0);
}

static void on_restarted(void *arg, enum frr_daemon d)
{
	(void)arg;
	printf("{\"event\": \"restarted\", \"daemon\": \"%s\", \"t\": %.6f}\n", frr_daemon_name(d),
	       now_s());
	fflush(stdout);
}

/* The applier on a loop: apply want, then (watch) re-apply on restarts until SIGTERM. */
static int run_applier(struct frr_client *c, const struct frr_conf *want, bool watch,
		       unsigned interval_ms)
{
	struct async_tool t = { .exit_on_done = !watch };
	struct frr_applier *ap = NULL;
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_new(&t.event);
	if (r >= 0)
		r = sd_event_add_signal(t.event, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(t.event, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = frr_applier_new(t.event, c->rundir, c->timeout_ms, &ap);
	if (r >= 0)
		r = frr_applier_set_applied(ap, &c->applied);
	if (r >= 0)
		r = frr_applier_submit(ap, want, on_async_done, &t);
	if (r >= 0 && watch)
		r = frr_applier_watch(ap, interval_ms, true, on_restarted, on_async_done, &t);
	if (r >= 0)
		r = sd_event_loop(t.event);
	if (r < 0)
		fprintf(stderr, "hgw-frr: applier: %s\n", strerror(-r));
	frr_applier_free(ap);
	sd_event_unref(t.event);
	if (r < 0)
		return 1;
	return watch || t.result == 0 ? 0 : 1;
}

static int cmd_apply(struct frr_client *c, const char *prev, int argc, char **argv)
{
	struct frr_apply_stats st;
	struct frr_conf want;
	bool async = argc == 3 && strcmp(argv[1], "--async") == 0;
	int r;

	if (argc != 2 && !async)
		return 2;
	frr_conf_init(&want);
	if ((prev != NULL && render_file(prev, &c->applied) < 0) ||
	    render_file(argv[argc - 1], &want) < 0) {
		frr_conf_clear(&want);
		return 1;
	}
	if (async) {
		r = run_applier(c, &want, false, 0);
		frr_conf_clear(&want);
		return r;
	}
	r = frr_apply(c, &want, &st);
	print_result(NULL, r, c->err, &st);
	frr_conf_clear(&want);
	return r == 0 ? 0 : 1;
}

static int cmd_watch(struct frr_client *c, const char *prev, int argc, char **argv)
{
	struct frr_conf want;
	int r;

	if (argc != 2 && argc != 3)
		return 2;
	frr_conf_init(&want);
	if ((prev != NULL && render_file(prev, &c->applied) < 0) ||
	    render_file(argv[1], &want) < 0) {
		frr_conf_clear(&want);
		return 1;
	}
	r = run_applier(c, &want, true, argc == 3 ? (unsigned)atoi(argv[2]) : 1000);
	frr_conf_clear(&want);
	return r;
}

static int daemon_by_name(const char *name)
{
	int d;

	for (d = 0; d < FRR_DAEMON_COUNT; d++) {
		if (strcmp(frr_daemon_name((enum frr_daemon)d), name) == 0)
			return d;
	}
	return -1;
}

static int cmd_owned(struct frr_client *c, int argc, char **argv)
{
	struct frr_conf conf;
	int d, r;

	if (argc != 2 || (d = daemon_by_name(argv[1])) < 0)
		return 2;
	frr_conf_init(&conf);
	r = frr_read_owned(c, (enum frr_daemon)d, &conf);
	if (r == 0)
		frr_conf_write(&conf, stdout);
	else
		fprintf(stderr, "hgw-frr: %s\n", c->err);
	frr_conf_clear(&conf);
	return r == 0 ? 0 : 1;
}

static int cmd_raw(struct frr_client *c, int argc, char **argv)
{
	char *out;
	size_t len;
	int d, r;

	if (argc != 3 || (d = daemon_by_name(argv[1])) < 0)
		return 2;
	r = frr_show(c, (enum frr_daemon)d, argv[2], &out, &len);
	if (r < 0) {
		fprintf(stderr, "hgw-frr: %s\n", c->err);
		return 1;
	}
	fwrite(out, 1, len, stdout);
	free(out);
	return 0;
}

/* One "show" view: the command, the daemon, and the parse-print-free of its type. */
struct view {
	const char *name;
	enum frr_daemon daemon;
	const char *cmd;
	char *(*print)(const char *buf, size_t len, int *r);
};

#define VIEW_PRINTER(fn, type, parse, json, release)         \
	static char *fn(const char *buf, size_t len, int *r) \
	{                                                    \
		type s;                                      \
		char *out = NULL;                            \
                                                             \
		*r = parse(buf, len, &s);                    \
		if (*r == 0) {                               \
			out = json(&s);                      \
			release(&s);                         \
		}                                            \
		return out;                                  \
	}

VIEW_PRINTER(print_summary, struct frr_bgp_summary, frr_parse_bgp_summary, frr_bgp_summary_json,
	     frr_bgp_summary_free)
VIEW_PRINTER(print_neighbors, struct frr_bgp_neighbors, frr_parse_bgp_neighbors,
	     frr_bgp_neighbors_json, frr_bgp_neighbors_free)
VIEW_PRINTER(print_table, struct frr_bgp_table, frr_parse_bgp_table, frr_bgp_table_json,
	     frr_bgp_table_free)
VIEW_PRINTER(print_rib, struct frr_rib, frr_parse_rib, frr_rib_json, frr_rib_free)
VIEW_PRINTER(print_bfd, struct frr_bfd_peers, frr_parse_bfd_peers, frr_bfd_peers_json,
	     frr_bfd_peers_free)

static const struct view views[] = {
	{ "summary", FRR_BGPD, "show bgp summary json", print_summary },
	{ "neighbors", FRR_BGPD, "show bgp neighbors json", print_neighbors },
	{ "bgp4", FRR_BGPD, "show bgp ipv4 unicast json", print_table },
	{ "bgp6", FRR_BGPD, "show bgp ipv6 unicast json", print_table },
	{ "rib4", FRR_ZEBRA, "show ip route json", print_rib },
	{ "rib6", FRR_ZEBRA, "show ipv6 route json", print_rib },
	{ "bfd", FRR_BFDD, "show bfd peers json", print_bfd },
};

static int cmd_show(struct frr_client *c, int argc, char **argv)
{
	char *out, *json;
	size_t i, len;
	int r;

	if (argc != 2)
		return 2;
	for (i = 0; i < ARRAY_SIZE(views) && strcmp(views[i].name, argv[1]) != 0; i++)
		;
	if (i == ARRAY_SIZE(views))
		return 2;
	r = frr_show(c, views[i].daemon, views[i].cmd, &out, &len);
	if (r < 0) {
		fprintf(stderr, "hgw-frr: %s\n", c->err);
		return 1;
	}
	json = views[i].print(out, len, &r);
	free(out);
	if (json == NULL) {
		fprintf(stderr, "hgw-frr: %s: cannot parse %s's answer to \"%s\": %s\n", argv[1],
			frr_daemon_name(views[i].daemon), views[i].cmd, strerror(r ? -r : ENOMEM));
		return 1;
	}
	printf("%s\n", json);
	free(json);
	return 0;
}

/* ---- bmp: the station, printing what it sees */

struct bmp_tool {
	const char *capture;
	unsigned n_saved;
};

static const char *addr_s(const struct frr_addr *a, char *buf, size_t size)
{
	return inet_ntop(a->family, &a->u, buf, (socklen_t)size) ? buf : "?";
}

static void bmp_save(struct bmp_tool *t, const struct frr_bmp_msg *msg, const uint8_t *raw,
		     size_t len)
{
	char path[4096];
	FILE *f;

	if (t->capture == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s-%04u", t->capture, frr_bmp_type_name(msg->type),
		 t->n_saved++);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fwrite(raw, 1, len, f);
	fclose(f);
}

static void on_bmp_message(void *arg, const struct frr_bmp_msg *msg, const uint8_t *raw, size_t len)
{
	bmp_save(arg, msg, raw, len);
	if (msg->type == FRR_BMP_ROUTE_MONITORING || msg->type == FRR_BMP_PEER_UP ||
	    msg->type == FRR_BMP_PEER_DOWN)
		return;
	printf("{\"t\": %.6f, \"event\": \"%s\", \"len\": %u}\n", now_s(),
	       frr_bmp_type_name(msg->type), msg->len);
	fflush(stdout);
}

static void on_bmp_peer_up(void *arg, const struct frr_bmp_msg *msg)
{
	const struct frr_bmp_peer_up *up = &msg->u.up;
	char a[INET6_ADDRSTRLEN], l[INET6_ADDRSTRLEN];

	(void)arg;
	printf("{\"t\": %.6f, \"event\": \"peer-up\", \"peer\": \"%s\", \"asn\": %u, "
	       "\"post_policy\": %s, \"local\": \"%s\", \"hold_sent\": %u, \"hold_received\": %u, "
	       "\"as4\": %s}\n",
	       now_s(), addr_s(&msg->peer.addr, a, sizeof(a)), msg->peer.asn,
	       msg->peer.flags & FRR_BMP_PEER_L ? "true" : "false",
	       addr_s(&up->local, l, sizeof(l)), up->sent.hold, up->received.hold,
	       up->received.as4 ? "true" : "false");
	fflush(stdout);
}

static void on_bmp_peer_down(void *arg, const struct frr_bmp_msg *msg)
{
	const struct frr_bmp_peer_down *d = &msg->u.down;
	char a[INET6_ADDRSTRLEN];

	(void)arg;
	printf("{\"t\": %.6f, \"event\": \"peer-down\", \"peer\": \"%s\", \"reason\": %u, "
	       "\"code\": %u, \"subcode\": %u, \"fsm_event\": %u}\n",
	       now_s(), addr_s(&msg->peer.addr, a, sizeof(a)), d->reason, d->code, d->subcode,
	       d->fsm_event);
	fflush(stdout);
}

static void on_bmp_route(void *arg, const struct frr_bmp_peer *peer, const struct frr_bmp_prefix *p,
			 bool announced, const struct frr_bmp_update *u)
{
	char a[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN], nh[INET6_ADDRSTRLEN], path[512];
	const struct frr_addr *hop = p->addr.family == AF_INET6 ? &u->mp_next_hop : &u->next_hop;

	(void)arg;
	frr_bmp_as_path_str(u, path, sizeof(path));
	printf("{\"t\": %.6f, \"event\": \"route\", \"peer\": \"%s\", \"prefix\": \"%s/%u\", "
	       "\"announced\": %s, \"post_policy\": %s, \"as_path\": \"%s\", \"next_hop\": \"%s\"}\n",
	       now_s(), addr_s(&peer->addr, a, sizeof(a)), addr_s(&p->addr, pfx, sizeof(pfx)),
	       p->len, announced ? "true" : "false",
	       peer->flags & FRR_BMP_PEER_L ? "true" : "false", path,
	       announced && hop->family != 0 ? addr_s(hop, nh, sizeof(nh)) : "");
	fflush(stdout);
}

static void on_bmp_closed(void *arg, int error)
{
	(void)arg;
	printf("{\"t\": %.6f, \"event\": \"closed\", \"error\": %d}\n", now_s(), -error);
	fflush(stdout);
}

static const struct frr_bmp_station_ops bmp_ops = {
	.message = on_bmp_message,
	.peer_up = on_bmp_peer_up,
	.peer_down = on_bmp_peer_down,
	.route = on_bmp_route,
	.closed = on_bmp_closed,
};

static int cmd_bmp(int argc, char **argv)
{
	struct bmp_tool tool = { .capture = argc > 3 ? argv[3] : NULL };
	struct frr_bmp_station *st = NULL;
	sigset_t mask;
	sd_event *e = NULL;
	int r;

	if (argc != 3 && argc != 4)
		return 2;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_default(&e);
	if (r >= 0)
		r = sd_event_add_signal(e, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(e, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = frr_bmp_station_new(e, argv[1], (uint16_t)atoi(argv[2]), &bmp_ops, &tool, &st);
	if (r >= 0) {
		printf("{\"t\": %.6f, \"event\": \"listening\", \"port\": %u}\n", now_s(),
		       frr_bmp_station_port(st));
		fflush(stdout);
		r = sd_event_loop(e);
	}
	if (r < 0)
		fprintf(stderr, "hgw-frr: bmp: %s\n", strerror(-r));
	frr_bmp_station_free(st);
	sd_event_unref(e);
	return r < 0 ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: hgw-frr render INTENT | delta OLD NEW |\n"
			"       hgw-frr [-d RUNDIR] [-p PREV] apply [--async] INTENT |\n"
			"       hgw-frr [-d RUNDIR] [-p PREV] watch INTENT [INTERVAL_MS] |\n"
			"       hgw-frr [-d RUNDIR] owned DAEMON | show VIEW | raw DAEMON CMD |\n"
			"       hgw-frr bmp ADDRESS PORT [CAPTURE_DIR]\n");
}

int main(int argc, char **argv)
{
	const char *rundir = "/run/frr", *prev = NULL;
	struct frr_client client;
	int opt, r = 2;

	log_init("hgw-frr", LOG_TARGET_STDERR, LOG_WARNING);
	while ((opt = getopt(argc, argv, "+d:p:h")) != -1) {
		switch (opt) {
		case 'd':
			rundir = optarg;
			break;
		case 'p':
			prev = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage();
		return 2;
	}
	frr_client_init(&client, rundir, TIMEOUT_MS);
	if (strcmp(argv[0], "render") == 0)
		r = cmd_render(argc, argv);
	else if (strcmp(argv[0], "delta") == 0)
		r = cmd_delta(argc, argv);
	else if (strcmp(argv[0], "apply") == 0)
		r = cmd_apply(&client, prev, argc, argv);
	else if (strcmp(argv[0], "watch") == 0)
		r = cmd_watch(&client, prev, argc, argv);
	else if (strcmp(argv[0], "owned") == 0)
		r = cmd_owned(&client, argc, argv);
	else if (strcmp(argv[0], "show") == 0)
		r = cmd_show(&client, argc, argv);
	else if (strcmp(argv[0], "raw") == 0)
		r = cmd_raw(&client, argc, argv);
	else if (strcmp(argv[0], "bmp") == 0)
		r = cmd_bmp(argc, argv);
	frr_client_clear(&client);
	if (r == 2)
		usage();
	return r;
}
