/*
 * hgw-vici - drive charon through lib/vici from the command line.
 *
 *	hgw-vici [--socket PATH] [--timeout SEC] [-v] COMMAND [ARGS]
 *
 *	load-conn FILE|KEY=VALUE...   a route-based conn (keys below; a FILE has one per line);
 *	                              a time or keyingtries given is sent, 0 included, and
 *	                              one not given is left to charon
 *	unload-conn NAME
 *	load-psk id=ID secret=PSK|secret-file=PATH [owners=ID,ID]
 *	unload-psk ID
 *	initiate IKE CHILD            returns at once; watch `events` for the outcome
 *	terminate IKE
 *	list-sas [--json] [IKE]
 *	list-conns [--json] [IKE]
 *	events [--count N] [--for SEC] one line per event and per (re)connect, until killed
 *
 * For the protocol test, the lab and the benchmarks: lines are KEY=VALUE words that a
 * script can split.  Exit status 0 on success, 1 when charon said no or went away, 2 on
 * usage errors.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "log.h"
#include "vici/vici_client.h"

#define LINE_MAX_LEN 1024

struct tool {
	sd_event *event;
	struct vici_client *client;
	int status;
	bool json;
	long count; /* events: stop after this many tunnel events; 0 = never */
	long seen;
};

static struct tool tool = { .status = 1 };

static void done(int status)
{
	tool.status = status;
	sd_event_exit(tool.event, status);
}

static void status_cb(int err, const char *errmsg, void *userdata)
{
	const char *what = userdata;

	if (err == 0) {
		printf("%s: ok\n", what);
		done(0);
		return;
	}
	fprintf(stderr, "%s: failed: %s%s%s\n", what, err == -EREMOTEIO ? "charon: " : "",
		err == -EREMOTEIO ? errmsg : strerror(-err), "");
	done(1);
}

/* ---- load-conn: KEY=VALUE into struct vici_conn_cfg ---- */

enum cfg_kind {
	CK_STR,
	CK_U32, /* 0 is charon's default: a plain number */
	CK_OPT, /* struct vici_opt: a key given is sent, even as 0 */
};

struct cfg_key {
	const char *key;
	enum cfg_kind kind;
	size_t off;
};

#define CSTR(k, m)                                           \
	{                                                    \
		k, CK_STR, offsetof(struct vici_conn_cfg, m) \
	}
#define CU32(k, m)                                           \
	{                                                    \
		k, CK_U32, offsetof(struct vici_conn_cfg, m) \
	}
#define COPT(k, m)                                           \
	{                                                    \
		k, CK_OPT, offsetof(struct vici_conn_cfg, m) \
	}

static const struct cfg_key cfg_keys[] = {
	CSTR("name", name),
	CSTR("child", child),
	CU32("version", version),
	CSTR("local_addrs", local_addrs),
	CSTR("remote_addrs", remote_addrs),
	CSTR("local_id", local_id),
	CSTR("remote_id", remote_id),
	CSTR("proposals", ike_proposals),
	CSTR("esp_proposals", esp_proposals),
	COPT("rekey_time", rekey_time),
	COPT("reauth_time", reauth_time),
	COPT("over_time", over_time),
	COPT("rand_time", rand_time),
	COPT("dpd_delay", dpd_delay),
	COPT("dpd_timeout", dpd_timeout),
	COPT("keyingtries", keyingtries),
	CSTR("unique", unique),
	COPT("child_rekey_time", child_rekey_time),
	COPT("child_life_time", child_life_time),
	COPT("child_rand_time", child_rand_time),
	CSTR("start_action", start_action),
	CSTR("close_action", close_action),
	CSTR("dpd_action", dpd_action),
	CU32("if_id_in", if_id_in),
	CU32("if_id_out", if_id_out),
	CU32("mark_in", mark_in),
	CU32("mark_out", mark_out),
	CSTR("local_ts", local_ts),
	CSTR("remote_ts", remote_ts),
};

/* word is KEY=VALUE and stays alive (argv or a strdup'd line). */
static int cfg_set(struct vici_conn_cfg *cfg, char *word)
{
	char *eq = strchr(word, '='), *end;
	unsigned long v;
	size_t i;

	if (eq == NULL)
		return -EINVAL;
	*eq = '\0';
	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++) {
		if (strcmp(word, cfg_keys[i].key) != 0)
			continue;
		if (cfg_keys[i].kind == CK_STR) {
			memcpy((char *)cfg + cfg_keys[i].off, &(const char *){ eq + 1 },
			       sizeof(const char *));
			return 0;
		}
		errno = 0;
		v = strtoul(eq + 1, &end, 0);
		if (errno != 0 || *end != '\0' || end == eq + 1 || v > UINT32_MAX)
			return -EINVAL;
		if (strcmp(word, "version") == 0)
			cfg->version = (unsigned)v;
		else if (cfg_keys[i].kind == CK_OPT)
			memcpy((char *)cfg + cfg_keys[i].off, &VICI_OPT((uint32_t)v),
			       sizeof(struct vici_opt));
		else
			*(uint32_t *)(void *)((char *)cfg + cfg_keys[i].off) = (uint32_t)v;
		return 0;
	}
	fprintf(stderr, "hgw-vici: unknown key %s\n", word);
	return -EINVAL;
}

/* A file of KEY=VALUE lines ('#' comments); the lines are kept for the cfg's strings. */
static int cfg_load_file(struct vici_conn_cfg *cfg, const char *path)
{
	char line[LINE_MAX_LEN], *p, *copy;
	FILE *f = fopen(path, "r");
	int r = 0;

	if (f == NULL)
		return -errno;
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		copy = strdup(p); /* lives until exit, like argv */
		r = copy == NULL ? -ENOMEM : cfg_set(cfg, copy);
	}
	fclose(f);
	return r;
}

static int cmd_load_conn(int argc, char **argv)
{
	static struct vici_conn_cfg cfg;
	bool file;
	int i, r = 0;

	if (argc < 2)
		return -EINVAL;
	file = argc == 2 && strchr(argv[1], '=') == NULL;
	if (file)
		r = cfg_load_file(&cfg, argv[1]);
	for (i = 1; r == 0 && !file && i < argc; i++)
		r = cfg_set(&cfg, argv[i]);
	if (r < 0)
		return r;
	return vici_client_load_conn(tool.client, &cfg, status_cb, argv[0]);
}

static int read_secret_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int cmd_load_psk(int argc, char **argv)
{
	static char secret[1024];
	struct vici_shared psk = { 0 };
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "id=", 3) == 0) {
			psk.id = argv[i] + 3;
		} else if (strncmp(argv[i], "secret=", 7) == 0) {
			psk.secret = argv[i] + 7;
		} else if (strncmp(argv[i], "secret-file=", 12) == 0) {
			r = read_secret_file(argv[i] + 12, secret, sizeof(secret));
			if (r < 0)
				return r;
			psk.secret = secret;
		} else if (strncmp(argv[i], "owners=", 7) == 0) {
			psk.owners = argv[i] + 7;
		} else {
			return -EINVAL;
		}
	}
	return vici_client_load_shared(tool.client, &psk, status_cb, argv[0]);
}

/* ---- listings ---- */

static void json_str(const char *key, const char *s, const char *sep)
{
	printf("\"%s\":\"", key);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	printf("\"%s", sep);
}

static void print_child_text(const char *prefix, const struct vici_child_sa *c)
{
	printf("%sname=%s uniqueid=%" PRIu32 " reqid=%" PRIu32 " state=%s mode=%s protocol=%s "
	       "spi-in=%08" PRIx32 " spi-out=%08" PRIx32 " encr-alg=%s encr-keysize=%" PRIu32
	       " integ-alg=%s dh-group=%s bytes-in=%" PRIu64 " packets-in=%" PRIu64
	       " bytes-out=%" PRIu64 " packets-out=%" PRIu64 " install-time=%" PRId64
	       " rekey-time=%" PRId64 " life-time=%" PRId64 " if-id-in=%" PRIx32
	       " if-id-out=%" PRIx32 " mark-in=%" PRIx32 " mark-out=%" PRIx32
	       " local-ts=%s remote-ts=%s",
	       prefix, c->name, c->uniqueid, c->reqid, c->state, c->mode, c->protocol, c->spi_in,
	       c->spi_out, c->encr_alg, c->encr_keysize, c->integ_alg[0] ? c->integ_alg : "-",
	       c->dh_group[0] ? c->dh_group : "-", c->bytes_in, c->packets_in, c->bytes_out,
	       c->packets_out, c->install_time, c->rekey_time, c->life_time, c->if_id_in,
	       c->if_id_out, c->mark_in, c->mark_out, c->local_ts, c->remote_ts);
}

static void print_ike_text(const char *prefix, const struct vici_ike_sa *sa)
{
	printf("%sike=%s uniqueid=%" PRIu32 " version=%u state=%s role=%s local-host=%s "
	       "local-id=%s remote-host=%s remote-id=%s initiator-spi=%016" PRIx64
	       " responder-spi=%016" PRIx64 " encr-alg=%s encr-keysize=%" PRIu32
	       " integ-alg=%s prf-alg=%s dh-group=%s established=%" PRId64 " rekey-time=%" PRId64
	       " reauth-time=%" PRId64 " children=%zu",
	       prefix, sa->name, sa->uniqueid, sa->version, sa->state,
	       sa->initiator ? "initiator" : "responder", sa->local_host, sa->local_id,
	       sa->remote_host, sa->remote_id, sa->initiator_spi, sa->responder_spi, sa->encr_alg,
	       sa->encr_keysize, sa->integ_alg[0] ? sa->integ_alg : "-", sa->prf_alg, sa->dh_group,
	       sa->established, sa->rekey_time, sa->reauth_time, sa->n_children);
}

static void print_child_json(const struct vici_child_sa *c, const char *sep)
{
	printf("{");
	json_str("name", c->name, ",");
	json_str("state", c->state, ",");
	json_str("mode", c->mode, ",");
	json_str("protocol", c->protocol, ",");
	printf("\"uniqueid\":%" PRIu32 ",\"reqid\":%" PRIu32 ",\"spi-in\":\"%08" PRIx32
	       "\",\"spi-out\":\"%08" PRIx32 "\",",
	       c->uniqueid, c->reqid, c->spi_in, c->spi_out);
	json_str("encr-alg", c->encr_alg, ",");
	json_str("integ-alg", c->integ_alg, ",");
	json_str("dh-group", c->dh_group, ",");
	printf("\"encr-keysize\":%" PRIu32 ",\"bytes-in\":%" PRIu64 ",\"packets-in\":%" PRIu64
	       ",\"bytes-out\":%" PRIu64 ",\"packets-out\":%" PRIu64 ",\"install-time\":%" PRId64
	       ",\"rekey-time\":%" PRId64 ",\"life-time\":%" PRId64 ",\"if-id-in\":%" PRIu32
	       ",\"if-id-out\":%" PRIu32 ",\"mark-in\":%" PRIu32 ",\"mark-out\":%" PRIu32 ",",
	       c->encr_keysize, c->bytes_in, c->packets_in, c->bytes_out, c->packets_out,
	       c->install_time, c->rekey_time, c->life_time, c->if_id_in, c->if_id_out, c->mark_in,
	       c->mark_out);
	json_str("local-ts", c->local_ts, ",");
	json_str("remote-ts", c->remote_ts, "");
	printf("}%s", sep);
}

static void print_ike_json(const struct vici_ike_sa *sa, const char *sep)
{
	size_t i;

	printf("{");
	json_str("name", sa->name, ",");
	json_str("state", sa->state, ",");
	printf("\"uniqueid\":%" PRIu32 ",\"version\":%u,\"initiator\":%s,", sa->uniqueid,
	       sa->version, sa->initiator ? "true" : "false");
	json_str("local-host", sa->local_host, ",");
	json_str("local-id", sa->local_id, ",");
	json_str("remote-host", sa->remote_host, ",");
	json_str("remote-id", sa->remote_id, ",");
	json_str("encr-alg", sa->encr_alg, ",");
	json_str("integ-alg", sa->integ_alg, ",");
	json_str("prf-alg", sa->prf_alg, ",");
	json_str("dh-group", sa->dh_group, ",");
	printf("\"encr-keysize\":%" PRIu32 ",\"initiator-spi\":\"%016" PRIx64
	       "\",\"responder-spi\":\"%016" PRIx64 "\",\"established\":%" PRId64
	       ",\"rekey-time\":%" PRId64 ",\"reauth-time\":%" PRId64 ",\"children\":[",
	       sa->encr_keysize, sa->initiator_spi, sa->responder_spi, sa->established,
	       sa->rekey_time, sa->reauth_time);
	for (i = 0; i < sa->n_children; i++)
		print_child_json(&sa->children[i], i + 1 < sa->n_children ? "," : "");
	printf("]}%s", sep);
}

static void list_sas_cb(int err, const struct vici_ike_sa *sas, size_t n, void *userdata)
{
	size_t i, j;

	(void)userdata;
	if (err < 0) {
		fprintf(stderr, "list-sas: failed: %s\n", strerror(-err));
		done(1);
		return;
	}
	if (tool.json)
		printf("[");
	for (i = 0; i < n; i++) {
		if (tool.json) {
			print_ike_json(&sas[i], i + 1 < n ? "," : "");
			continue;
		}
		print_ike_text("", &sas[i]);
		printf("\n");
		for (j = 0; j < sas[i].n_children; j++) {
			printf("  ike=%s ", sas[i].name);
			print_child_text("child ", &sas[i].children[j]);
			printf("\n");
		}
	}
	if (tool.json)
		printf("]\n");
	done(0);
}

static void list_conns_cb(int err, const struct vici_conn_info *conns, size_t n, void *userdata)
{
	const struct vici_conn_info *c;
	size_t i, j;

	(void)userdata;
	if (err < 0) {
		fprintf(stderr, "list-conns: failed: %s\n", strerror(-err));
		done(1);
		return;
	}
	if (tool.json)
		printf("[");
	for (i = 0; i < n; i++) {
		c = &conns[i];
		if (tool.json) {
			printf("{");
			json_str("name", c->name, ",");
			json_str("version", c->version, ",");
			json_str("local_addrs", c->local_addrs, ",");
			json_str("remote_addrs", c->remote_addrs, ",");
			json_str("local_id", c->local_id, ",");
			json_str("remote_id", c->remote_id, ",");
			json_str("local_auth", c->local_auth, ",");
			json_str("unique", c->unique, ",");
			printf("\"rekey_time\":%" PRIu64 ",\"reauth_time\":%" PRIu64
			       ",\"dpd_delay\":%" PRIu64 ",\"children\":[",
			       c->rekey_time, c->reauth_time, c->dpd_delay);
			for (j = 0; j < c->n_children; j++) {
				printf("{");
				json_str("name", c->children[j].name, ",");
				json_str("mode", c->children[j].mode, ",");
				json_str("local-ts", c->children[j].local_ts, ",");
				json_str("remote-ts", c->children[j].remote_ts, ",");
				json_str("dpd_action", c->children[j].dpd_action, ",");
				json_str("close_action", c->children[j].close_action, ",");
				printf("\"rekey_time\":%" PRIu64 "}%s", c->children[j].rekey_time,
				       j + 1 < c->n_children ? "," : "");
			}
			printf("]}%s", i + 1 < n ? "," : "");
			continue;
		}
		printf("conn=%s version=%s local_addrs=%s remote_addrs=%s local_id=%s remote_id=%s "
		       "unique=%s rekey_time=%" PRIu64 " dpd_delay=%" PRIu64 "\n",
		       c->name, c->version, c->local_addrs, c->remote_addrs, c->local_id,
		       c->remote_id, c->unique, c->rekey_time, c->dpd_delay);
		for (j = 0; j < c->n_children; j++)
			printf("  conn=%s child=%s mode=%s local-ts=%s remote-ts=%s dpd_action=%s "
			       "close_action=%s rekey_time=%" PRIu64 "\n",
			       c->name, c->children[j].name, c->children[j].mode,
			       c->children[j].local_ts, c->children[j].remote_ts,
			       c->children[j].dpd_action, c->children[j].close_action,
			       c->children[j].rekey_time);
	}
	if (tool.json)
		printf("]\n");
	done(0);
}

/* ---- events ---- */

static void print_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("t=%lld.%03ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
}

static void on_up(struct vici_client *c, bool reconnect, void *userdata)
{
	(void)userdata;
	print_time();
	printf("connected connects=%u reconnect=%d\n", vici_client_connects(c), reconnect);
	fflush(stdout);
}

static void on_down(struct vici_client *c, int err, void *userdata)
{
	(void)c;
	(void)userdata;
	print_time();
	printf("disconnected err=%s\n", strerror(-err));
	fflush(stdout);
}

static void on_event(struct vici_client *c, const struct vici_event *ev, void *userdata)
{
	(void)c;
	(void)userdata;
	print_time();
	printf("event=%s up=%d ", vici_event_kind_name(ev->kind), ev->up);
	print_ike_text("", &ev->ike);
	if (ev->kind == VICI_EV_IKE_REKEY)
		printf(" new-uniqueid=%" PRIu32 " new-initiator-spi=%016" PRIx64,
		       ev->ike_new.uniqueid, ev->ike_new.initiator_spi);
	if (ev->kind == VICI_EV_CHILD_UPDOWN || ev->kind == VICI_EV_CHILD_REKEY)
		print_child_text(" child=1 ", &ev->child);
	if (ev->kind == VICI_EV_CHILD_REKEY)
		printf(" new-spi-in=%08" PRIx32 " new-spi-out=%08" PRIx32, ev->child_new.spi_in,
		       ev->child_new.spi_out);
	printf("\n");
	fflush(stdout);
	if (tool.count > 0 && ++tool.seen >= tool.count)
		done(0);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	(void)userdata;
	done(tool.count > 0 ? 1 : 0);
	return 0;
}

/* ---- main ---- */

static noreturn void usage(void)
{
	fprintf(stderr,
		"usage: hgw-vici [--socket PATH] [--timeout SEC] [-v] COMMAND [ARGS]\n"
		"  load-conn FILE|KEY=VALUE...    unload-conn NAME\n"
		"  load-psk id=ID secret=PSK|secret-file=PATH [owners=ID,...]    unload-psk ID\n"
		"  initiate IKE CHILD    terminate IKE\n"
		"  list-sas [--json] [IKE]    list-conns [--json] [IKE]\n"
		"  events [--count N] [--for SEC]\n");
	exit(2);
}

/* Options after the command: --json, --count N, --for SEC; the rest stays in argv. */
static int sub_options(int *argc, char **argv, double *for_sec)
{
	int i, j = 1;

	for (i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			tool.json = true;
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < *argc)
			tool.count = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--for") == 0 && i + 1 < *argc)
			*for_sec = strtod(argv[++i], NULL);
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return 0;
}

static int run_command(int argc, char **argv)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "load-conn") == 0)
		return cmd_load_conn(argc, argv);
	if (strcmp(cmd, "unload-conn") == 0 && argc == 2)
		return vici_client_unload_conn(tool.client, argv[1], status_cb, argv[0]);
	if (strcmp(cmd, "load-psk") == 0)
		return cmd_load_psk(argc, argv);
	if (strcmp(cmd, "unload-psk") == 0 && argc == 2)
		return vici_client_unload_shared(tool.client, argv[1], status_cb, argv[0]);
	if (strcmp(cmd, "initiate") == 0 && argc == 3)
		return vici_client_initiate(tool.client, argv[1], argv[2], status_cb, argv[0]);
	if (strcmp(cmd, "terminate") == 0 && argc == 2)
		return vici_client_terminate(tool.client, argv[1], NULL, status_cb, argv[0]);
	if (strcmp(cmd, "list-sas") == 0 && argc <= 2)
		return vici_client_list_sas(tool.client, argc == 2 ? argv[1] : NULL, list_sas_cb,
					    NULL);
	if (strcmp(cmd, "list-conns") == 0 && argc <= 2)
		return vici_client_list_conns(tool.client, argc == 2 ? argv[1] : NULL,
					      list_conns_cb, NULL);
	if (strcmp(cmd, "events") == 0 && argc == 1)
		return 0;
	return -EINVAL;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vici_client_config cfg = { .socket_path = getenv("HGW_VICI_SOCKET") };
	struct vici_client_ops ops = { .up = on_up, .down = on_down, .event = on_event };
	double timeout = 10, for_sec = 0;
	bool events;
	int opt, r;

	log_init("hgw-vici", LOG_TARGET_STDERR, LOG_WARNING);
	while ((opt = getopt_long(argc, argv, "+s:t:vh", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			cfg.socket_path = optarg;
			break;
		case 't':
			timeout = strtod(optarg, NULL);
			break;
		case 'v':
			log_set_level(log_get_level() + 1);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || timeout <= 0)
		usage();
	sub_options(&argc, argv, &for_sec);
	events = strcmp(argv[0], "events") == 0;
	cfg.timeout_usec = (uint64_t)(timeout * 1e6);
	cfg.no_events = !events;
	r = sd_event_default(&tool.event);
	if (r < 0)
		fatal_errno(r, "sd_event_default");
	r = vici_client_new(&tool.client, tool.event, &cfg, events ? &ops : NULL, NULL);
	if (r < 0)
		fatal_errno(r, "cannot create the VICI client");
	r = run_command(argc, argv);
	if (r == -EINVAL)
		usage();
	if (r < 0)
		fatal_errno(r, "%s", argv[0]);
	if (events && for_sec > 0)
		sd_event_add_time_relative(tool.event, NULL, CLOCK_MONOTONIC,
					   (uint64_t)(for_sec * 1e6), 0, on_deadline, NULL);
	sd_event_loop(tool.event);
	vici_client_free(tool.client);
	sd_event_unref(tool.event);
	fflush(stdout);
	return tool.status;
}
