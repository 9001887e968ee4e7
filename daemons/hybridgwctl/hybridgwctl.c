/*
 * hybridgwctl - the operator's command line for hybridgwd.
 *
 * `status` asks the interim control socket (lib/ctl_proto.h); everything else is NETCONF on
 * the daemon's unix socket <state_dir>/netconf.sock: each `show` view is one <get> with an
 * xpath filter, rendered by views.c; the `config` commands edit the candidate and commit it
 * (cmd_config.c).  The session is the user's: hybridgwd gives root the admin role and other
 * users the role its netconf-users file names.
 *
 * Exit status: 0 ok, 1 an error (answered by the daemon, or in talking to it), 2 a usage
 * error, 3 hybridgwd is not running.  Scripts can tell "down" from "broken".
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "ctl.h"
#include "ctl_proto.h"
#include "ncclient.h"
#include "print.h"
#include "util.h"
#include "views.h"

/* The NETCONF socket's name in the state directory (HGWD_NETCONF_SOCKET_NAME). */
#define NETCONF_SOCKET_NAME "netconf.sock"

/* Long options without a letter. */
enum {
	OPT_CANDIDATE = 256,
	OPT_CONFIRM,
};

struct command {
	const char *name;
	int (*run)(const struct ctl_options *o, char **args, int nargs);
};

static const struct option long_options[] = {
	{ "state-dir", required_argument, NULL, 's' },
	{ "socket", required_argument, NULL, 'S' },
	{ "netconf-socket", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "candidate", no_argument, NULL, OPT_CANDIDATE },
	{ "confirm", required_argument, NULL, OPT_CONFIRM },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hybridgwctl [OPTION]... COMMAND [ARGUMENT]...\n"
		"Query and configure hybridgwd, the hybridgw routing gateway daemon.\n"
		"\n"
		"Commands:\n"
		"  status                      the daemon's state (control socket)\n"
		"  show connections            tunnels: state, liveness, BGP session, uptime\n"
		"  show ike-sa                 IKE SAs and their CHILD SAs\n"
		"  show ipsec-sa               CHILD SAs: traffic, charon's and the kernel's counters\n"
		"  show bgp peers              BGP sessions of tunnels and private paths\n"
		"  show routes learned         BGP's routes, best and multipath\n"
		"  show routes effective       what the kernel forwards the watched prefixes over\n"
		"  show failover               the path switches, newest first\n"
		"  config show [--candidate] [PATH]\n"
		"                              the running (or candidate) configuration, as XML\n"
		"  config set PATH VALUE       set a leaf in the candidate\n"
		"  config delete PATH          delete a node from the candidate\n"
		"  config diff                 what a commit would change (candidate vs running)\n"
		"  config commit [--confirm SECONDS]\n"
		"                              apply the candidate; with --confirm, roll back\n"
		"                              after SECONDS unless 'config confirm' follows\n"
		"  config confirm              confirm a commit made with --confirm\n"
		"  config discard              drop the candidate's changes\n"
		"PATH names a node of yang/hybridgw.yang below /hybridgw, e.g.\n"
		"  /connections/connection[name=azure]/gateway[name=in0]/bgp/peer-address\n"
		"\n"
		"Options:\n"
		"  -s, --state-dir DIR         the daemon's state directory (default %s)\n"
		"  -S, --socket PATH           the control socket for status (default DIR/%s)\n"
		"  -n, --netconf-socket PATH   the NETCONF socket (default DIR/%s)\n"
		"  -j, --json                  print JSON instead of text\n"
		"  -V, --version               print the version and exit\n"
		"  -h, --help                  print this help and exit\n"
		"\n"
		"Environment: HYBRIDGWD_YANG_DIR, where yang/hybridgw.yang is (as for hybridgwd);\n"
		"HYBRIDGWCTL_DEBUG=1 prints libnetconf2's and libyang's messages.\n"
		"\n"
		"Exit status: 0 ok, 1 error, 2 usage error, 3 hybridgwd is not running.\n",
		HGW_STATE_DIR, HGW_CTL_SOCKET_NAME, NETCONF_SOCKET_NAME);
}

noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'hybridgwctl --help' for more information.\n");
	exit(EXIT_USAGE);
}

/* The long name of the option with letter val, or NULL. */
static const char *long_name(int val)
{
	const struct option *o;

	for (o = long_options; o->name != NULL; o++) {
		if (o->val == val)
			return o->name;
	}
	return NULL;
}

/* getopt's complaints, reworded; see hybridgwd's options.c for the rules of optopt. */
static noreturn void bad_option(int c, char *argv[])
{
	const char *name = optopt != 0 ? long_name(optopt) : NULL;

	if (c == ':' && name != NULL && optopt < 256)
		usage_error("option -%c/--%s needs an argument", optopt, name);
	if (c == ':' && name != NULL)
		usage_error("option --%s needs an argument", name);
	if (name != NULL)
		usage_error("option --%s takes no argument", name);
	if (optopt != 0)
		usage_error("unknown option '-%c'", optopt);
	usage_error("unknown option '%s'", argv[optind - 1]);
}

static uint32_t parse_seconds(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v == 0 || v > UINT32_MAX)
		usage_error("--confirm: '%s' is not a number of seconds (1-%u)", s, UINT32_MAX);
	return (uint32_t)v;
}

/* Options may come anywhere on the line ("show connections --json"); exits for --help,
 * --version and usage errors. */
static void parse_options(struct ctl_options *o, int argc, char *argv[])
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:S:n:jVh", long_options, NULL)) != -1) {
		switch (c) {
		case 's':
			o->state_dir = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'n':
			o->netconf_socket = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_CANDIDATE:
			o->candidate = true;
			break;
		case OPT_CONFIRM:
			o->confirm = parse_seconds(optarg);
			break;
		case 'V':
			printf("hybridgwctl %s\n", PACKAGE_VERSION);
			exit(EXIT_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			bad_option(c, argv);
		}
	}
	if (o->state_dir != NULL && o->socket != NULL)
		usage_error("--state-dir and --socket exclude each other");
	if (o->state_dir != NULL && o->netconf_socket != NULL)
		usage_error("--state-dir and --netconf-socket exclude each other");
	if (optind >= argc)
		usage_error("no command given");
}

/* How to start the daemon that is not running, for messages. */
static void start_hint(const struct ctl_options *o, char *buf, size_t size)
{
	if (o->state_dir != NULL)
		snprintf(buf, size, "'hybridgwd --state-dir %s'", o->state_dir);
	else
		snprintf(buf, size, "'systemctl start hybridgwd'");
}

/* Explain a failed exchange and return the exit status that goes with it. */
static int exchange_failed(const struct ctl_options *o, const char *path, ssize_t err)
{
	char how[HGW_CTL_PATH_MAX + 32];

	start_hint(o, how, sizeof(how));
	switch (err) {
	case -ENOENT:
		warnx("hybridgwd is not running (no socket at %s): start it with %s", path, how);
		return EXIT_NOT_RUNNING;
	case -ECONNREFUSED:
		warnx("hybridgwd is not running (nothing listens on %s): start it with %s", path,
		      how);
		return EXIT_NOT_RUNNING;
	case -EACCES:
		warnx("not allowed to use %s: run as root or as a member of its group", path);
		return EXIT_ERROR;
	case -ETIMEDOUT:
		warnx("hybridgwd did not answer on %s within %d s", path, CTL_CLIENT_TIMEOUT_SEC);
		return EXIT_ERROR;
	case -EMSGSIZE:
		warnx("the reply on %s is too long: is that really hybridgwd?", path);
		return EXIT_ERROR;
	default:
		warnx("cannot talk to hybridgwd on %s: %s", path, strerror((int)-err));
		return EXIT_ERROR;
	}
}

/* --socket, else the socket in --state-dir or in the default state directory. */
static void socket_path(const struct ctl_options *o, char *path, size_t size)
{
	const char *dir = o->state_dir != NULL ? o->state_dir : HGW_STATE_DIR;

	if (o->socket == NULL) {
		if (hgw_ctl_socket_path(path, size, dir) < 0)
			usage_error("--state-dir: empty, or too long for a socket path");
		return;
	}
	if (strlen(o->socket) >= size)
		usage_error("--socket: path too long (at most %zu bytes)", size - 1);
	snprintf(path, size, "%s", o->socket);
}

static int cmd_status(const struct ctl_options *o, char **args, int nargs)
{
	char path[HGW_CTL_PATH_MAX], reply[HGW_CTL_REPLY_MAX];
	struct hgw_ctl_reply parsed;
	const char *why;
	ssize_t len;

	(void)args;
	if (nargs > 0)
		usage_error("unexpected argument '%s'", args[0]);
	socket_path(o, path, sizeof(path));
	len = ctl_client_exchange(path, HGW_CTL_STATUS, reply, sizeof(reply));
	if (len < 0)
		return exchange_failed(o, path, len);
	if (hgw_ctl_reply_parse(reply, (size_t)len, &parsed, &why) < 0) {
		warnx("malformed reply from %s: %s", path, why);
		return EXIT_ERROR;
	}
	if (parsed.error != NULL) {
		warnx("hybridgwd: %s", parsed.error);
		return EXIT_ERROR;
	}
	if (!o->json) {
		print_status_text(stdout, &parsed.status);
		return EXIT_OK;
	}
	if (print_status_json(stdout, &parsed.status) < 0) {
		warnx("out of memory");
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* --netconf-socket, else netconf.sock in --state-dir or in the default state directory. */
static void netconf_path(const struct ctl_options *o, char *path, size_t size)
{
	const char *dir = o->state_dir != NULL ? o->state_dir : HGW_STATE_DIR;
	int n;

	if (o->netconf_socket != NULL)
		n = snprintf(path, size, "%s", o->netconf_socket);
	else
		n = snprintf(path, size, "%s/%s", dir, NETCONF_SOCKET_NAME);
	if (n < 0 || (size_t)n >= size || path[0] == '\0')
		usage_error("the NETCONF socket path is empty or too long (at most %zu bytes)",
			    size - 1);
}

int ctl_session_open(const struct ctl_options *o, struct ctl_session *s)
{
	char path[HGW_CTL_PATH_MAX], err[1024], how[HGW_CTL_PATH_MAX + 32];
	int r;

	memset(s, 0, sizeof(*s));
	netconf_path(o, path, sizeof(path));
	r = ctl_nc_ctx_new(NULL, &s->ctx, err, sizeof(err));
	if (r < 0) {
		warnx("%s", err);
		return EXIT_ERROR;
	}
	r = ctl_nc_open(path, s->ctx, &s->nc, err, sizeof(err));
	if (r == 0)
		return EXIT_OK;
	start_hint(o, how, sizeof(how));
	if (r == -ENOENT)
		warnx("hybridgwd is not running (no socket at %s): start it with %s", path, how);
	else if (r == -ECONNREFUSED)
		warnx("hybridgwd is not running (nothing listens on %s): start it with %s", path,
		      how);
	else if (r == -EACCES && strncmp(err, "cannot connect", 14) == 0)
		warnx("not allowed to use %s: run as root or as a member of its group", path);
	else
		warnx("%s", err);
	ly_ctx_destroy(s->ctx);
	s->ctx = NULL;
	return r == -ENOENT || r == -ECONNREFUSED ? EXIT_NOT_RUNNING : EXIT_ERROR;
}

void ctl_session_close(struct ctl_session *s)
{
	ctl_nc_close(s->nc);
	ly_ctx_destroy(s->ctx);
	memset(s, 0, sizeof(*s));
}

int ctl_rpc_failed(int r, const char *err)
{
	if (r == -EREMOTEIO)
		warnx("hybridgwd: %s", err);
	else
		warnx("%s", err);
	return EXIT_ERROR;
}

static noreturn void unknown_view(char **args, int nargs)
{
	char views[256] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < CTL_VIEW_COUNT; i++)
		len += (size_t)snprintf(views + len, sizeof(views) - len, "%s'%s'", i ? ", " : "",
					ctl_view_name((enum ctl_view)i));
	if (nargs == 0)
		usage_error("show what? one of %s", views);
	usage_error("unknown view '%s%s%s': one of %s", args[0], nargs > 1 ? " " : "",
		    nargs > 1 ? args[1] : "", views);
}

static int cmd_show(const struct ctl_options *o, char **args, int nargs)
{
	int view = ctl_view_find((const char *const *)args, (size_t)nargs), r, status;
	struct lyd_node *data = NULL;
	struct ctl_session s;
	char err[1024];

	if (view < 0)
		unknown_view(args, nargs);
	status = ctl_session_open(o, &s);
	if (status != EXIT_OK)
		return status;
	r = ctl_nc_get(s.nc, ctl_view_xpath((enum ctl_view)view), &data, err, sizeof(err));
	if (r < 0) {
		status = ctl_rpc_failed(r, err);
	} else if (ctl_view_print((enum ctl_view)view, data, time(NULL), o->json, stdout) < 0) {
		warnx("out of memory");
		status = EXIT_ERROR;
	}
	lyd_free_all(data);
	ctl_session_close(&s);
	return status;
}

static const struct command commands[] = {
	{ "status", cmd_status },
	{ "show", cmd_show },
	{ "config", ctl_cmd_config },
};

int main(int argc, char *argv[])
{
	struct ctl_options opts = { 0 };
	const struct command *cmd = NULL;
	const char *dbg = getenv("HYBRIDGWCTL_DEBUG");
	size_t i;
	int status;

	/* a daemon that goes away mid-write must be an error, not a signal */
	signal(SIGPIPE, SIG_IGN);
	ctl_nc_set_debug(dbg != NULL && dbg[0] != '\0' && strcmp(dbg, "0") != 0);
	parse_options(&opts, argc, argv);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		usage_error("unknown command '%s'", argv[optind]);
	status = cmd->run(&opts, argv + optind + 1, argc - optind - 1);
	/* A full disk or a closed pipe must not look like success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn("cannot write the output");
		return EXIT_ERROR;
	}
	return status;
}
