/*
 * hgw-nl - the kernel driver (lib/nl) from the command line, for the host test, the lab
 * and benchmarks.  Not installed.
 *
 *	hgw-nl [OPTIONS] COMMAND [ARGS]
 *
 *	caps                                  which tunnel kinds the kernel can create
 *	ifname vti|xfrm CONN INSTANCE         the interface name of a tunnel
 *	vti-add NAME local A remote B key K [dev UNDERLAY] [mtu M] [ll FE80::X]
 *	xfrmi-add NAME if-id N [dev UNDERLAY] [mtu M] [ll FE80::X]
 *	                                      create, or adopt when it matches
 *	ll-set IF FE80::X [down-up | watch SEC]
 *	                                      make FE80::X/64 IF's one IPv6 link-local, kept
 *	                                      across down/up; down-up: then set IF down and
 *	                                      up through the driver; watch: then run the
 *	                                      monitor for SEC s (repairs others' down/up)
 *	link-set IF up|down|mtu M
 *	link-del IF
 *	addr-add IF A/LEN | addr-del IF A/LEN
 *	peer-route IF PEER                    Azure style: PEER/32 through IF, our protocol
 *	route-replace PREFIX [metric N] [table N] NEXTHOP...
 *	        NEXTHOP: via GW [dev IF] [weight W] | dev IF [weight W]
 *	route-delete PREFIX [metric N] [table N]  our route only
 *	route-show PREFIX                     every route of exactly PREFIX, any protocol
 *	lookup PREFIX                         what carries PREFIX now (fibmatch)
 *	watch PREFIX...                       one line per change, until --for or --count
 *	down-time IF PREFIX                   set IF down, time until PREFIX's view changes
 *	adopt                                 as a restarted daemon: list our interfaces (by
 *	                                      name), their addresses and our routes (protocol
 *	                                      240), then re-assert each through the ensure calls;
 *	                                      "writes" counts what had to be written
 *	zebra-check IF A/LEN RIB.json [reassert]
 *	                                      FRR #13288 guard: does zebra's `show ip route json`
 *	                                      have A's connected route via IF; reassert: if not,
 *	                                      delete and add the address again
 *	xfrm-sa [--json]                      the kernel's SAs (never their keys)
 *	xfrm-policy [--json]                  the kernel's policies
 *	mss-apply [IF:MSS...]                 TCP MSS clamping on exactly these interfaces,
 *	                                      one nf_tables transaction (none: remove it all)
 *	mss-list                              what clamping is installed, one line each
 *
 *	--for SEC        watch, down-time: stop after SEC seconds (default: watch forever,
 *	                 down-time 5 s)
 *	--count N        watch: stop after N view changes (the first views not counted)
 *	--rcvbuf BYTES   the event socket's receive buffer
 *	--stall-ms MS    watch: print "ready", then sleep MS before reading (to overflow it)
 *	--json           xfrm-sa, xfrm-policy: JSON instead of one text line each
 *	-v               debug logging
 *
 * Output: one JSON object per line (xfrm-*: text unless --json); "ts" is CLOCK_REALTIME in seconds,
 *"tsk" says whether the kernel stamped it.  Exit 0 done, 1 failed (message on stderr), 2 usage.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "log.h"
#include "nl/nl.h"
#include "nl/nl_adopt.h"
#include "nl/nl_mss.h"
#include "nl/nl_xfrm.h"
#include "nl/nl_zebra.h"
#include "util.h"

/* <linux/if.h> has it, but clashes with <net/if.h> */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

struct tool {
	sd_event *event;
	struct hgw_nl *nl;
	double for_s;
	long count;
	long changes;
	int rcvbuf;
	long stall_ms;
	bool json;
	/* down-time */
	bool timing;
	struct hgw_nl_prefix timed;
	struct timespec t_request, t_acked;
	struct timespec t_request_real; /* to compare with other monitors' wall-clock stamps */
	int status;
};

static struct tool tool = { .status = 1 };

static noreturn void usage(void)
{
	fprintf(stderr, "usage: hgw-nl [--for SEC] [--count N] [--rcvbuf BYTES] [--stall-ms MS] "
			"[-v] COMMAND [ARGS]  (see the header of hgw-nl.c)\n");
	exit(2);
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void print_nexthops(const struct hgw_nl_nexthop *nh, size_t n)
{
	char gw[INET6_ADDRSTRLEN], flags[96];

	printf("\"nexthops\":[");
	for (size_t i = 0; i < n; i++) {
		if (nh[i].family == AF_UNSPEC)
			gw[0] = '\0';
		else
			inet_ntop(nh[i].family, nh[i].gw, gw, sizeof(gw));
		printf("%s{\"gw\":\"%s\",\"dev\":\"%s\",\"ifindex\":%d,\"weight\":%u,"
		       "\"flags\":\"%s\"}",
		       i > 0 ? "," : "", gw, nh[i].ifname, nh[i].ifindex, nh[i].weight,
		       hgw_nl_nh_flags_str(nh[i].flags, flags, sizeof(flags)));
	}
	printf("]");
}

static void print_view(const char *event, const struct hgw_nl_view *v, const struct hgw_nl_ts *ts)
{
	char p[HGW_NL_PREFIX_STRLEN], m[HGW_NL_PREFIX_STRLEN], t[32];

	printf("{\"event\":\"%s\",\"prefix\":\"%s\",\"present\":%s", event,
	       hgw_nl_prefix_format(&v->prefix, p, sizeof(p)), v->present ? "true" : "false");
	if (ts != NULL)
		printf(",\"ts\":%s,\"tsk\":%s", hgw_nl_ts_str(&ts->real, t, sizeof(t)),
		       ts->kernel ? "true" : "false");
	if (v->present) {
		printf(",\"match\":\"%s\",\"protocol\":%u,\"table\":%" PRIu32 ",\"metric\":%" PRIu32
		       ",\"usable\":%zu,",
		       hgw_nl_prefix_format(&v->match, m, sizeof(m)), v->protocol, v->table,
		       v->metric, hgw_nl_view_usable(v, false));
		print_nexthops(v->nh, v->n_nh);
	}
	printf("}\n");
	fflush(stdout);
}

static void print_route(const struct hgw_nl_route *r)
{
	char p[HGW_NL_PREFIX_STRLEN];

	printf("{\"event\":\"route\",\"prefix\":\"%s\",\"protocol\":%u,\"table\":%" PRIu32
	       ",\"metric\":%" PRIu32 ",",
	       hgw_nl_prefix_format(&r->dst, p, sizeof(p)), r->protocol, r->table, r->metric);
	print_nexthops(r->nh, r->n_nh);
	printf("}\n");
}

static void on_view(struct hgw_nl *nl, const struct hgw_nl_view *view, const struct hgw_nl_ts *ts,
		    void *userdata)
{
	char rq[32], ev[32];

	(void)nl;
	(void)userdata;
	print_view("view", view, ts);
	if (tool.timing && hgw_nl_prefix_equal(&view->prefix, &tool.timed) &&
	    tool.t_request.tv_sec != 0) {
		printf("{\"event\":\"down-time\",\"request_to_ack_ms\":%.3f,"
		       "\"request_to_event_ms\":%.3f,\"usable\":%zu,\"tsk\":%s,"
		       "\"request_ts\":%s,\"event_ts\":%s}\n",
		       ms_between(&tool.t_request, &tool.t_acked),
		       ms_between(&tool.t_request, &ts->mono), hgw_nl_view_usable(view, false),
		       ts->kernel ? "true" : "false",
		       hgw_nl_ts_str(&tool.t_request_real, rq, sizeof(rq)),
		       hgw_nl_ts_str(&ts->real, ev, sizeof(ev)));
		tool.status = 0;
		sd_event_exit(tool.event, 0);
		return;
	}
	if (tool.count > 0 && tool.t_request.tv_sec == 0 && ++tool.changes >= tool.count) {
		tool.status = 0;
		sd_event_exit(tool.event, 0);
	}
}

static void on_link(struct hgw_nl *nl, const struct hgw_nl_link_event *ev,
		    const struct hgw_nl_ts *ts, void *userdata)
{
	char t[32];

	(void)nl;
	(void)userdata;
	printf("{\"event\":\"link\",\"dev\":\"%s\",\"ifindex\":%d,\"up\":%s,\"lower_up\":%s,"
	       "\"deleted\":%s,\"ts\":%s}\n",
	       ev->ifname, ev->ifindex, ev->flags & IFF_UP ? "true" : "false",
	       ev->flags & IFF_LOWER_UP ? "true" : "false", ev->deleted ? "true" : "false",
	       hgw_nl_ts_str(&ts->real, t, sizeof(t)));
	fflush(stdout);
}

static void on_resync(struct hgw_nl *nl, int err, void *userdata)
{
	(void)nl;
	(void)userdata;
	printf("{\"event\":\"resync\",\"reason\":\"%s\"}\n", err == -ENOBUFS ? "ENOBUFS" :
							     err == 0	     ? "request" :
									       "other");
	fflush(stdout);
}

static const struct hgw_nl_ops ops = {
	.view = on_view,
	.link = on_link,
	.resync = on_resync,
};

static int fail(int r, const char *what)
{
	fprintf(stderr, "hgw-nl: %s: %s\n", what, strerror(-r));
	return 1;
}

static struct hgw_nl_prefix arg_prefix(const char *s)
{
	struct hgw_nl_prefix p;

	if (hgw_nl_prefix_parse(s, &p) < 0) {
		fprintf(stderr, "hgw-nl: not a prefix: %s\n", s);
		exit(2);
	}
	return p;
}

static unsigned long arg_num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || end == s || v > max) {
		fprintf(stderr, "hgw-nl: not a number up to %lu: %s\n", max, s);
		exit(2);
	}
	return v;
}

static struct in_addr arg_in4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "hgw-nl: not an IPv4 address: %s\n", s);
		exit(2);
	}
	return a;
}

static void arg_ifname(char *dst, const char *s)
{
	if (strlen(s) >= IFNAMSIZ) {
		fprintf(stderr, "hgw-nl: interface name longer than %d: %s\n", IFNAMSIZ - 1, s);
		exit(2);
	}
	snprintf(dst, IFNAMSIZ, "%s", s);
}

/* "KEY VALUE" pairs of the tunnel commands */
static int cmd_tunnel(enum hgw_nl_tunnel_kind kind, int argc, char **argv)
{
	struct hgw_nl_tunnel t = { .kind = kind };
	bool adopted;
	int r;

	if (argc < 1 || argc % 2 != 1)
		usage();
	arg_ifname(t.name, argv[0]);
	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "local") == 0)
			t.local = arg_in4(argv[i + 1]);
		else if (strcmp(argv[i], "remote") == 0)
			t.remote = arg_in4(argv[i + 1]);
		else if (strcmp(argv[i], "key") == 0)
			t.key = (uint32_t)arg_num(argv[i + 1], UINT32_MAX);
		else if (strcmp(argv[i], "if-id") == 0)
			t.if_id = (uint32_t)arg_num(argv[i + 1], UINT32_MAX);
		else if (strcmp(argv[i], "dev") == 0)
			arg_ifname(t.underlay, argv[i + 1]);
		else if (strcmp(argv[i], "mtu") == 0)
			t.mtu = (unsigned)arg_num(argv[i + 1], 65535);
		else if (strcmp(argv[i], "ll") == 0 && inet_pton(AF_INET6, argv[i + 1], &t.ll) == 1)
			continue; /* the IPv6 link-local (hgw_nl_link_ipv6_ll) */
		else
			usage();
	}
	r = hgw_nl_tunnel_ensure(tool.nl, &t, &adopted);
	if (r < 0)
		return fail(r, t.name);
	printf("{\"event\":\"tunnel\",\"dev\":\"%s\",\"adopted\":%s}\n", t.name,
	       adopted ? "true" : "false");
	return 0;
}

static int cmd_route_replace(int argc, char **argv)
{
	struct hgw_nl_route r = { 0 };
	struct hgw_nl_nexthop *nh = NULL;
	int err;

	if (argc < 1)
		usage();
	r.dst = arg_prefix(argv[0]);
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "metric") == 0) {
			r.metric = (uint32_t)arg_num(argv[i + 1], UINT32_MAX);
		} else if (strcmp(argv[i], "table") == 0) {
			r.table = (uint32_t)arg_num(argv[i + 1], UINT32_MAX);
		} else if (strcmp(argv[i], "via") == 0 ||
			   (strcmp(argv[i], "dev") == 0 && (nh == NULL || nh->ifname[0] != '\0'))) {
			if (r.n_nh == HGW_NL_MAX_NH)
				usage();
			nh = &r.nh[r.n_nh++];
			nh->weight = 1;
			if (strcmp(argv[i], "dev") == 0) {
				arg_ifname(nh->ifname, argv[i + 1]);
				continue;
			}
			nh->family = strchr(argv[i + 1], ':') != NULL ? AF_INET6 : AF_INET;
			if (inet_pton(nh->family, argv[i + 1], nh->gw) != 1)
				usage();
		} else if (strcmp(argv[i], "dev") == 0) {
			arg_ifname(nh->ifname, argv[i + 1]);
		} else if (strcmp(argv[i], "weight") == 0 && nh != NULL) {
			nh->weight = (uint8_t)arg_num(argv[i + 1], 256);
		} else {
			usage();
		}
	}
	err = hgw_nl_route_replace(tool.nl, &r);
	return err < 0 ? fail(err, "route-replace") : 0;
}

static int cmd_route_delete(int argc, char **argv)
{
	struct hgw_nl_route r = { 0 };
	int err;

	if (argc < 1 || argc % 2 != 1)
		usage();
	r.dst = arg_prefix(argv[0]);
	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "metric") == 0)
			r.metric = (uint32_t)arg_num(argv[i + 1], UINT32_MAX);
		else if (strcmp(argv[i], "table") == 0)
			r.table = (uint32_t)arg_num(argv[i + 1], UINT32_MAX);
		else
			usage();
	}
	err = hgw_nl_route_delete(tool.nl, &r);
	return err < 0 ? fail(err, "route-delete") : 0;
}

static int cmd_route_show(const char *prefix)
{
	struct hgw_nl_prefix p = arg_prefix(prefix);
	struct hgw_nl_route *routes;
	struct hgw_nl_view v;
	size_t n;
	int r = hgw_nl_route_list(tool.nl, &p, &routes, &n);

	if (r < 0)
		return fail(r, "route-show");
	for (size_t i = 0; i < n; i++)
		print_route(&routes[i]);
	free(routes);
	r = hgw_nl_lookup(tool.nl, &p, &v);
	if (r < 0)
		return fail(r, "lookup");
	print_view("lookup", &v, NULL);
	return 0;
}

static int cmd_link_set(int argc, char **argv)
{
	int r;

	if (argc == 2 && (strcmp(argv[1], "up") == 0 || strcmp(argv[1], "down") == 0))
		r = hgw_nl_link_set_up(tool.nl, argv[0], strcmp(argv[1], "up") == 0);
	else if (argc == 3 && strcmp(argv[1], "mtu") == 0)
		r = hgw_nl_link_set_mtu(tool.nl, argv[0], (unsigned)arg_num(argv[2], 65535));
	else
		usage();
	return r < 0 ? fail(r, argv[0]) : 0;
}

static int cmd_addr(bool add, int argc, char **argv)
{
	struct hgw_nl_prefix p;
	int r;

	if (argc != 2)
		usage();
	/* an interface address has host bits: parse the address, then the length */
	char *slash = strchr(argv[1], '/');
	unsigned long len = slash != NULL ? arg_num(slash + 1, 128) : 32;

	if (slash != NULL)
		*slash = '\0';
	p = arg_prefix(argv[1]);
	if (len > p.len)
		usage();
	p.len = (uint8_t)len;
	r = add ? hgw_nl_addr_add(tool.nl, argv[0], &p) : hgw_nl_addr_del(tool.nl, argv[0], &p);
	return r < 0 ? fail(r, argv[0]) : 0;
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	(void)userdata;
	/* watch ends well when its time is up; down-time fails */
	tool.status = tool.timing ? 1 : 0;
	if (tool.timing)
		fprintf(stderr, "hgw-nl: no change of the view before the deadline\n");
	sd_event_exit(tool.event, 0);
	return 0;
}

static int run_loop(double for_s)
{
	if (for_s > 0)
		sd_event_add_time_relative(tool.event, NULL, CLOCK_MONOTONIC,
					   (uint64_t)(for_s * 1e6), 1000, on_deadline, NULL);
	sd_event_loop(tool.event);
	return tool.status;
}

static int cmd_watch(int argc, char **argv)
{
	struct hgw_nl_prefix p;
	int r;

	if (argc < 1)
		usage();
	for (int i = 0; i < argc; i++) {
		p = arg_prefix(argv[i]);
		r = hgw_nl_watch(tool.nl, &p);
		if (r < 0)
			return fail(r, argv[i]);
	}
	printf("{\"event\":\"ready\"}\n");
	fflush(stdout);
	if (tool.stall_ms > 0)
		usleep((useconds_t)tool.stall_ms * 1000);
	tool.status = 0;
	r = run_loop(tool.for_s);
	for (int i = 0; i < argc; i++) {
		p = arg_prefix(argv[i]);
		print_view("final", hgw_nl_watched_view(tool.nl, &p), NULL);
	}
	const struct hgw_nl_stats *st = hgw_nl_stats(tool.nl);

	printf("{\"event\":\"stats\",\"messages\":%" PRIu64 ",\"lookups\":%" PRIu64
	       ",\"resyncs\":%" PRIu64 ",\"views\":%" PRIu64 "}\n",
	       st->messages, st->lookups, st->resyncs, st->views);
	return r;
}

static int cmd_down_time(int argc, char **argv)
{
	int r;

	if (argc != 2)
		usage();
	tool.timed = arg_prefix(argv[1]);
	r = hgw_nl_watch(tool.nl, &tool.timed);
	if (r < 0)
		return fail(r, argv[1]);
	tool.timing = true;
	clock_gettime(CLOCK_REALTIME, &tool.t_request_real);
	clock_gettime(CLOCK_MONOTONIC, &tool.t_request);
	r = hgw_nl_link_set_up(tool.nl, argv[0], false);
	clock_gettime(CLOCK_MONOTONIC, &tool.t_acked);
	if (r < 0)
		return fail(r, argv[0]);
	return run_loop(tool.for_s > 0 ? tool.for_s : 5);
}

static const char *addr_str(int family, const uint8_t *a, char *buf)
{
	return inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, INET6_ADDRSTRLEN);
}

/* One algorithm as JSON members: name and sizes; the SA's keys never reach this tool. */
static void print_alg(const char *what, const struct hgw_nl_xfrm_alg *a)
{
	if (a->name[0] == '\0')
		return;
	printf(",\"%s\":{\"name\":\"%s\",\"key_bits\":%u", what, a->name, a->key_bits);
	if (a->icv_bits != 0)
		printf(",\"icv_bits\":%u", a->icv_bits);
	printf("}");
}

static void print_sel_json(const struct hgw_nl_xfrm_selector *s)
{
	char src[HGW_NL_PREFIX_STRLEN], dst[HGW_NL_PREFIX_STRLEN];

	if (s->src.family == 0) {
		printf("\"sel\":null");
		return;
	}
	printf("\"sel\":{\"src\":\"%s\",\"dst\":\"%s\",\"proto\":%u,\"sport\":%u,\"dport\":%u,"
	       "\"ifindex\":%d}",
	       hgw_nl_prefix_format(&s->src, src, sizeof(src)),
	       hgw_nl_prefix_format(&s->dst, dst, sizeof(dst)), s->proto, s->sport, s->dport,
	       s->ifindex);
}

static void print_sa_json(const struct hgw_nl_xfrm_sa *sa)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], proto[8];
	const struct hgw_nl_xfrm_lifetime *l = &sa->lft;

	printf("{\"event\":\"xfrm-sa\",\"src\":\"%s\",\"dst\":\"%s\",\"spi\":\"0x%08" PRIx32
	       "\",\"proto\":\"%s\",\"mode\":\"%s\",\"reqid\":%" PRIu32 ",\"mark\":%" PRIu32
	       ",\"mark_mask\":%" PRIu32 ",\"if_id\":%" PRIu32,
	       addr_str(sa->family, sa->src, src), addr_str(sa->family, sa->dst, dst), sa->spi,
	       hgw_nl_xfrm_proto_str(sa->proto, proto, sizeof(proto)),
	       hgw_nl_xfrm_mode_str(sa->mode), sa->reqid, sa->mark, sa->mark_mask, sa->if_id);
	print_alg("enc", &sa->enc);
	print_alg("auth", &sa->auth);
	print_alg("aead", &sa->aead);
	print_alg("comp", &sa->comp);
	if (sa->encap_dport != 0)
		printf(",\"encap\":{\"sport\":%u,\"dport\":%u}", sa->encap_sport, sa->encap_dport);
	printf(",\"replay_window\":%" PRIu32 ",\"esn\":%s,\"oseq\":%" PRIu32 ",\"seq\":%" PRIu32
	       ",\"fail_replay_window\":%" PRIu32 ",\"fail_replay\":%" PRIu32
	       ",\"fail_integrity\":%" PRIu32,
	       sa->replay_window, sa->esn ? "true" : "false", sa->oseq, sa->seq,
	       sa->fail_replay_window, sa->fail_replay, sa->fail_integrity);
	printf(",\"bytes\":%" PRIu64 ",\"packets\":%" PRIu64 ",\"add_time\":%" PRIu64
	       ",\"use_time\":%" PRIu64,
	       sa->bytes, sa->packets, sa->add_time, sa->use_time);
	printf(",\"lifetime\":{\"soft_bytes\":%" PRIu64 ",\"hard_bytes\":%" PRIu64
	       ",\"soft_packets\":%" PRIu64 ",\"hard_packets\":%" PRIu64 ",\"soft_add_s\":%" PRIu64
	       ",\"hard_add_s\":%" PRIu64 ",\"soft_use_s\":%" PRIu64 ",\"hard_use_s\":%" PRIu64
	       "},",
	       l->soft_bytes, l->hard_bytes, l->soft_packets, l->hard_packets, l->soft_add_s,
	       l->hard_add_s, l->soft_use_s, l->hard_use_s);
	print_sel_json(&sa->sel);
	printf("}\n");
}

static void print_sa_text(const struct hgw_nl_xfrm_sa *sa)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], proto[8];
	const struct hgw_nl_xfrm_alg *alg = sa->aead.name[0] != '\0' ? &sa->aead : &sa->enc;

	printf("%s > %s %s spi 0x%08" PRIx32 " %s reqid %" PRIu32 " mark 0x%" PRIx32 "/0x%" PRIx32
	       " if_id %" PRIu32 " %s%s%s replay %" PRIu32 " fail %" PRIu32 "/%" PRIu32 "/%" PRIu32
	       " bytes %" PRIu64 " packets %" PRIu64 "\n",
	       addr_str(sa->family, sa->src, src), addr_str(sa->family, sa->dst, dst),
	       hgw_nl_xfrm_proto_str(sa->proto, proto, sizeof(proto)), sa->spi,
	       hgw_nl_xfrm_mode_str(sa->mode), sa->reqid, sa->mark, sa->mark_mask, sa->if_id,
	       alg->name, sa->auth.name[0] != '\0' ? "+" : "", sa->auth.name, sa->replay_window,
	       sa->fail_replay_window, sa->fail_replay, sa->fail_integrity, sa->bytes, sa->packets);
}

static void print_policy_json(const struct hgw_nl_xfrm_policy *p)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], proto[8];

	printf("{\"event\":\"xfrm-policy\",\"dir\":\"%s\",\"action\":\"%s\",\"priority\":%" PRIu32
	       ",\"index\":%" PRIu32 ",\"mark\":%" PRIu32 ",\"mark_mask\":%" PRIu32
	       ",\"if_id\":%" PRIu32 ",",
	       hgw_nl_xfrm_dir_str(p->dir), p->action == 0 ? "allow" : "block", p->priority,
	       p->index, p->mark, p->mark_mask, p->if_id);
	print_sel_json(&p->sel);
	printf(",\"tmpl\":[");
	for (size_t i = 0; i < p->n_tmpl; i++) {
		const struct hgw_nl_xfrm_tmpl *t = &p->tmpl[i];

		printf("%s{\"src\":\"%s\",\"dst\":\"%s\",\"spi\":\"0x%08" PRIx32
		       "\",\"proto\":\"%s\",\"mode\":\"%s\",\"reqid\":%" PRIu32 ",\"optional\":%s}",
		       i > 0 ? "," : "", addr_str(t->family, t->src, src),
		       addr_str(t->family, t->dst, dst), t->spi,
		       hgw_nl_xfrm_proto_str(t->proto, proto, sizeof(proto)),
		       hgw_nl_xfrm_mode_str(t->mode), t->reqid, t->optional ? "true" : "false");
	}
	printf("]}\n");
}

static void print_policy_text(const struct hgw_nl_xfrm_policy *p)
{
	char src[HGW_NL_PREFIX_STRLEN], dst[HGW_NL_PREFIX_STRLEN], proto[8];

	printf("%s > %s dir %s priority %" PRIu32 " mark 0x%" PRIx32 "/0x%" PRIx32
	       " if_id %" PRIu32,
	       p->sel.src.family != 0 ? hgw_nl_prefix_format(&p->sel.src, src, sizeof(src)) : "-",
	       p->sel.dst.family != 0 ? hgw_nl_prefix_format(&p->sel.dst, dst, sizeof(dst)) : "-",
	       hgw_nl_xfrm_dir_str(p->dir), p->priority, p->mark, p->mark_mask, p->if_id);
	for (size_t i = 0; i < p->n_tmpl; i++)
		printf(" tmpl %s reqid %" PRIu32 " %s",
		       hgw_nl_xfrm_proto_str(p->tmpl[i].proto, proto, sizeof(proto)),
		       p->tmpl[i].reqid, hgw_nl_xfrm_mode_str(p->tmpl[i].mode));
	printf("\n");
}

/* Re-assert what was found: with the intent equal to the kernel, nothing may be written. */
static int reassert(const struct hgw_nl_owned *o, unsigned *writes)
{
	bool changed;
	int r;

	for (size_t i = 0; i < o->n_addrs; i++) {
		r = hgw_nl_addr_ensure(tool.nl, o->addrs[i].ifname, &o->addrs[i].local, &changed);
		if (r < 0)
			return fail(r, o->addrs[i].ifname);
		*writes += changed;
	}
	for (size_t i = 0; i < o->n_routes; i++) {
		struct hgw_nl_route want = o->routes[i];

		for (size_t k = 0; k < want.n_nh; k++)
			want.nh[k].flags = 0;
		r = hgw_nl_route_ensure(tool.nl, &want, &changed);
		if (r < 0)
			return fail(r, "route-ensure");
		*writes += changed;
	}
	return 0;
}

static int cmd_adopt(void)
{
	struct hgw_nl_owned o;
	char ip[INET6_ADDRSTRLEN];
	unsigned writes = 0;
	int r = hgw_nl_adopt(tool.nl, &o);

	if (r < 0)
		return fail(r, "adopt");
	for (size_t i = 0; i < o.n_links; i++)
		printf("{\"event\":\"owned-link\",\"dev\":\"%s\",\"ifindex\":%d,\"kind\":\"%s\","
		       "\"instance\":%u,\"type\":\"%s\",\"kind_matches\":%s,\"up\":%s,\"mtu\":%u}\n",
		       o.links[i].name, o.links[i].ifindex,
		       o.links[i].kind == HGW_NL_VTI ? "vti" : "xfrm", o.links[i].instance,
		       o.links[i].type, o.links[i].kind_matches ? "true" : "false",
		       o.links[i].flags & IFF_UP ? "true" : "false", o.links[i].mtu);
	for (size_t i = 0; i < o.n_addrs; i++)
		printf("{\"event\":\"owned-addr\",\"dev\":\"%s\",\"addr\":\"%s/%u\"}\n",
		       o.addrs[i].ifname,
		       inet_ntop(o.addrs[i].local.family, o.addrs[i].local.addr, ip, sizeof(ip)),
		       o.addrs[i].local.len);
	for (size_t i = 0; i < o.n_routes; i++)
		print_route(&o.routes[i]);
	r = reassert(&o, &writes);
	if (r == 0)
		printf("{\"event\":\"adopted\",\"links\":%zu,\"addrs\":%zu,\"routes\":%zu,"
		       "\"writes\":%u}\n",
		       o.n_links, o.n_addrs, o.n_routes, writes);
	hgw_nl_owned_free(&o);
	return r;
}

static char *read_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char *buf = NULL;
	size_t size = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > size) {
			char *grown = realloc(buf, size = n + 65536);

			if (grown == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		size_t got = fread(buf + n, 1, size - n - 1, f);

		n += got;
		if (got == 0)
			break;
	}
	if (buf != NULL)
		buf[n] = '\0';
	if (f != stdin)
		fclose(f);
	return buf;
}

static int cmd_zebra_check(int argc, char **argv)
{
	struct hgw_nl_prefix local;
	char *rib, *slash;
	bool reassert = argc == 4 && strcmp(argv[3], "reassert") == 0;
	int has, r = 0;

	if (argc != 3 && !reassert)
		usage();
	slash = strchr(argv[1], '/');
	if (slash == NULL)
		usage();
	*slash = '\0';
	local = arg_prefix(argv[1]);
	local.len = (uint8_t)arg_num(slash + 1, local.family == AF_INET6 ? 128 : 32);
	rib = read_file(argv[2]);
	if (rib == NULL)
		return fail(-errno, argv[2]);
	has = hgw_nl_zebra_has_connected(rib, argv[0], &local);
	free(rib);
	if (has < 0)
		return fail(has, "zebra RIB");
	if (!has && reassert)
		r = hgw_nl_addr_reassert(tool.nl, argv[0], &local);
	if (r < 0)
		return fail(r, argv[0]);
	printf("{\"event\":\"zebra-check\",\"dev\":\"%s\",\"connected\":%s,\"reasserted\":%s}\n",
	       argv[0], has ? "true" : "false", !has && reassert ? "true" : "false");
	return 0;
}

static int cmd_xfrm_sa(void)
{
	struct hgw_nl_xfrm_sa *sas;
	size_t n;
	int r = hgw_nl_xfrm_sa_list(tool.nl, &sas, &n);

	if (r < 0)
		return fail(r, "xfrm-sa");
	for (size_t i = 0; i < n; i++) {
		if (tool.json)
			print_sa_json(&sas[i]);
		else
			print_sa_text(&sas[i]);
	}
	free(sas);
	return 0;
}

static int cmd_xfrm_policy(void)
{
	struct hgw_nl_xfrm_policy *ps;
	size_t n;
	int r = hgw_nl_xfrm_policy_list(tool.nl, &ps, &n);

	if (r < 0)
		return fail(r, "xfrm-policy");
	for (size_t i = 0; i < n; i++) {
		if (tool.json)
			print_policy_json(&ps[i]);
		else
			print_policy_text(&ps[i]);
	}
	free(ps);
	return 0;
}

/* ll-set IF FE80::X [down-up | watch SEC] */
static int cmd_ll_set(int argc, char **argv)
{
	struct hgw_nl_config cfg = { 0 };
	struct hgw_nl *nl = tool.nl, *mon = NULL;
	struct in6_addr ll;
	double watch_s = 0;
	bool down_up = argc == 3 && strcmp(argv[2], "down-up") == 0;
	int r;

	if (argc < 2 || inet_pton(AF_INET6, argv[1], &ll) != 1)
		usage();
	if (argc == 4 && strcmp(argv[2], "watch") == 0)
		watch_s = (double)arg_num(argv[3], 3600);
	else if (argc != 2 && !down_up)
		usage();
	if (watch_s > 0) {
		/* the tool's handle has no event socket: the monitor gets one of its own */
		r = hgw_nl_new(&mon, tool.event, &cfg, NULL, NULL);
		if (r < 0)
			return fail(r, "netlink");
		nl = mon;
	}
	r = hgw_nl_link_ipv6_ll(nl, argv[0], &ll);
	if (r == 0 && down_up) {
		/* the daemon's failover: the kernel deletes the link-local, the driver adds it */
		r = hgw_nl_link_set_up(nl, argv[0], false);
		if (r == 0)
			r = hgw_nl_link_set_up(nl, argv[0], true);
	}
	if (r < 0) {
		hgw_nl_free(mon);
		return fail(r, argv[0]);
	}
	printf("{\"event\":\"ll\",\"dev\":\"%s\",\"ll\":\"%s\"}\n", argv[0], argv[1]);
	fflush(stdout);
	if (watch_s > 0) {
		printf("{\"event\":\"ready\"}\n");
		fflush(stdout);
		tool.status = 0;
		r = run_loop(watch_s);
	}
	hgw_nl_free(mon);
	return r;
}

/* mss-apply [IF:MSS...] */
static int cmd_mss_apply(int argc, char **argv)
{
	struct hgw_nl_mss_rule *v = calloc((size_t)argc + 1, sizeof(*v));
	struct hgw_nl_mss *m = NULL;
	int r;

	if (v == NULL)
		return fail(-ENOMEM, "mss-apply");
	for (int i = 0; i < argc; i++) {
		const char *colon = strrchr(argv[i], ':');

		if (colon == NULL || (size_t)(colon - argv[i]) >= IFNAMSIZ)
			usage();
		snprintf(v[i].ifname, sizeof(v[i].ifname), "%.*s", (int)(colon - argv[i]), argv[i]);
		v[i].mss = (uint16_t)arg_num(colon + 1, 65535);
	}
	r = hgw_nl_mss_new(&m);
	if (r == 0)
		r = hgw_nl_mss_apply(m, v, (size_t)argc);
	hgw_nl_mss_free(m);
	free(v);
	return r < 0 ? fail(r, "mss-apply") : 0;
}

static int cmd_mss_list(void)
{
	struct hgw_nl_mss_rule *v = NULL;
	struct hgw_nl_mss *m = NULL;
	size_t n = 0;
	int r = hgw_nl_mss_new(&m);

	if (r == 0)
		r = hgw_nl_mss_list(m, &v, &n);
	hgw_nl_mss_free(m);
	if (r < 0)
		return fail(r, "mss-list");
	for (size_t i = 0; i < n; i++)
		printf("{\"event\":\"mss\",\"dev\":\"%s\",\"mss\":%u}\n", v[i].ifname,
		       (unsigned)v[i].mss);
	free(v);
	return 0;
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[0];

	argc--;
	argv++;
	if (strcmp(cmd, "caps") == 0) {
		const struct hgw_nl_caps *c = hgw_nl_caps(tool.nl);

		printf("{\"vti\":%s,\"xfrmi\":%s}\n", c->vti ? "true" : "false",
		       c->xfrmi ? "true" : "false");
		return 0;
	}
	if (strcmp(cmd, "vti-add") == 0)
		return cmd_tunnel(HGW_NL_VTI, argc, argv);
	if (strcmp(cmd, "xfrmi-add") == 0)
		return cmd_tunnel(HGW_NL_XFRMI, argc, argv);
	if (strcmp(cmd, "link-set") == 0)
		return cmd_link_set(argc, argv);
	if (strcmp(cmd, "link-del") == 0 && argc == 1) {
		int r = hgw_nl_link_delete(tool.nl, argv[0]);

		return r < 0 ? fail(r, argv[0]) : 0;
	}
	if (strcmp(cmd, "addr-add") == 0 || strcmp(cmd, "addr-del") == 0)
		return cmd_addr(strcmp(cmd, "addr-add") == 0, argc, argv);
	if (strcmp(cmd, "peer-route") == 0 && argc == 2) {
		int r = hgw_nl_peer_route_add(tool.nl, argv[0], arg_in4(argv[1]));

		return r < 0 ? fail(r, "peer-route") : 0;
	}
	if (strcmp(cmd, "route-replace") == 0)
		return cmd_route_replace(argc, argv);
	if (strcmp(cmd, "route-delete") == 0)
		return cmd_route_delete(argc, argv);
	if (strcmp(cmd, "route-show") == 0 && argc == 1)
		return cmd_route_show(argv[0]);
	if (strcmp(cmd, "lookup") == 0 && argc == 1) {
		struct hgw_nl_prefix p = arg_prefix(argv[0]);
		struct hgw_nl_view v;
		int r = hgw_nl_lookup(tool.nl, &p, &v);

		if (r < 0)
			return fail(r, "lookup");
		print_view("lookup", &v, NULL);
		return 0;
	}
	if (strcmp(cmd, "watch") == 0)
		return cmd_watch(argc, argv);
	if (strcmp(cmd, "down-time") == 0)
		return cmd_down_time(argc, argv);
	if (strcmp(cmd, "ll-set") == 0)
		return cmd_ll_set(argc, argv);
	if (strcmp(cmd, "mss-apply") == 0)
		return cmd_mss_apply(argc, argv);
	if (strcmp(cmd, "mss-list") == 0 && argc == 0)
		return cmd_mss_list();
	if (strncmp(cmd, "xfrm-", 5) == 0 && argc == 1 && strcmp(argv[0], "--json") == 0) {
		tool.json = true; /* "xfrm-sa --json" reads better than "--json xfrm-sa" */
		argc--;
	}
	if (strcmp(cmd, "zebra-check") == 0)
		return cmd_zebra_check(argc, argv);
	if (strcmp(cmd, "adopt") == 0 && argc == 0)
		return cmd_adopt();
	if (strcmp(cmd, "xfrm-sa") == 0 && argc == 0)
		return cmd_xfrm_sa();
	if (strcmp(cmd, "xfrm-policy") == 0 && argc == 0)
		return cmd_xfrm_policy();
	usage();
}

static int cmd_ifname(int argc, char **argv)
{
	char name[IFNAMSIZ];
	int r;

	if (argc != 4 || (strcmp(argv[1], "vti") != 0 && strcmp(argv[1], "xfrm") != 0))
		usage();
	r = hgw_nl_ifname(strcmp(argv[1], "vti") == 0 ? HGW_NL_VTI : HGW_NL_XFRMI, argv[2],
			  (unsigned)arg_num(argv[3], HGW_NL_MAX_INSTANCE), name, sizeof(name));
	if (r < 0)
		return fail(r, "ifname");
	printf("%s\n", name);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "rcvbuf", required_argument, NULL, 'b' },
		{ "stall-ms", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct hgw_nl_config cfg = { 0 };
	int c, r, level = LOG_NOTICE;
	bool events;

	while ((c = getopt_long(argc, argv, "+v", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			tool.for_s = strtod(optarg, NULL);
			break;
		case 'c':
			tool.count = (long)arg_num(optarg, 1000000);
			break;
		case 'b':
			cfg.rcvbuf = (int)arg_num(optarg, 1 << 30);
			break;
		case 's':
			tool.stall_ms = (long)arg_num(optarg, 600000);
			break;
		case 'j':
			tool.json = true;
			break;
		case 'v':
			level = LOG_DEBUG;
			break;
		default:
			usage();
		}
	}
	log_init("hgw-nl", LOG_TARGET_STDERR, level);
	if (optind >= argc)
		usage();
	if (strcmp(argv[optind], "ifname") == 0)
		return cmd_ifname(argc - optind, argv + optind);
	/* adopt opens the event socket too: a restarted daemon has its monitor running */
	events = strcmp(argv[optind], "watch") == 0 || strcmp(argv[optind], "down-time") == 0 ||
		 strcmp(argv[optind], "adopt") == 0;
	cfg.no_events = !events;
	r = sd_event_default(&tool.event);
	if (r < 0)
		fatal_errno(r, "sd_event_default");
	r = hgw_nl_new(&tool.nl, tool.event, &cfg, &ops, NULL);
	if (r < 0)
		return fail(r, "netlink");
	r = run(argc - optind, argv + optind);
	hgw_nl_free(tool.nl);
	sd_event_unref(tool.event);
	return r;
}
