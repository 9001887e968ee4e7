/*
 * hybridgwctl - query hybridgwd.
 *
 * Today it asks for the daemon's status over the interim control socket (lib/ctl_proto.h);
 * when the daemon serves NETCONF, it will become a NETCONF client on that socket, with the
 * same command line.
 *
 * Exit status: 0 ok, 1 an error (answered by the daemon, or in talking to it), 2 a usage
 * error, 3 hybridgwd is not running.  Scripts can tell "down" from "broken".
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>

#include "client.h"
#include "ctl_proto.h"
#include "print.h"
#include "util.h"

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_RUNNING = 3,
};

struct ctl_options {
	const char *state_dir; /* NULL unless given */
	const char *socket;    /* NULL unless given */
	bool json;
	const char *command;
};

static const struct {
	const char *name;
	enum hgw_ctl_cmd cmd;
} commands[] = {
	{ "status", HGW_CTL_STATUS },
};

static const struct option long_options[] = {
	{ "state-dir", required_argument, NULL, 's' },
	{ "socket", required_argument, NULL, 'S' },
	{ "json", no_argument, NULL, 'j' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hybridgwctl [OPTION]... COMMAND\n"
		"Query hybridgwd, the hybridgw routing gateway daemon.\n"
		"\n"
		"Commands:\n"
		"  status                show the daemon's state\n"
		"\n"
		"Options:\n"
		"  -s, --state-dir DIR   the daemon's state directory (default %s)\n"
		"  -S, --socket PATH     the daemon's control socket (default DIR/%s)\n"
		"  -j, --json            print JSON instead of text\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n"
		"\n"
		"Exit status: 0 ok, 1 error, 2 usage error, 3 hybridgwd is not running.\n",
		HGW_STATE_DIR, HGW_CTL_SOCKET_NAME);
}

static noreturn void HGW_PRINTF(1, 2) usage_error(const char *fmt, ...)
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

	if (c == ':' && name != NULL)
		usage_error("option -%c/--%s needs an argument", optopt, name);
	if (name != NULL)
		usage_error("option --%s takes no argument", name);
	if (optopt != 0)
		usage_error("unknown option '-%c'", optopt);
	usage_error("unknown option '%s'", argv[optind - 1]);
}

/* Exits for --help, --version and usage errors. */
static void parse_options(struct ctl_options *o, int argc, char *argv[])
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:S:jVh", long_options, NULL)) != -1) {
		switch (c) {
		case 's':
			o->state_dir = optarg;
			break;
		case 'S':
			o->socket = optarg;
			break;
		case 'j':
			o->json = true;
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
	if (optind >= argc)
		usage_error("no command given");
	o->command = argv[optind];
	if (optind + 1 < argc)
		usage_error("unexpected argument '%s'", argv[optind + 1]);
}

static enum hgw_ctl_cmd find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].cmd;
	}
	usage_error("unknown command '%s'", name);
}

/* Explain a failed exchange and return the exit status that goes with it. */
static int exchange_failed(const struct ctl_options *o, const char *path, ssize_t err)
{
	char how[HGW_CTL_PATH_MAX + 32] = "'systemctl start hybridgwd'";

	if (o->state_dir != NULL)
		snprintf(how, sizeof(how), "'hybridgwd --state-dir %s'", o->state_dir);
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

static int print_reply(const struct ctl_options *o, const struct hgw_status *status)
{
	if (!o->json) {
		print_status_text(stdout, status);
		return EXIT_OK;
	}
	if (print_status_json(stdout, status) < 0) {
		warnx("out of memory");
		return EXIT_ERROR;
	}
	return EXIT_OK;
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

static int run(const struct ctl_options *o, enum hgw_ctl_cmd cmd)
{
	char path[HGW_CTL_PATH_MAX], reply[HGW_CTL_REPLY_MAX];
	struct hgw_ctl_reply parsed;
	const char *why;
	ssize_t len;

	socket_path(o, path, sizeof(path));
	len = ctl_client_exchange(path, cmd, reply, sizeof(reply));
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
	return print_reply(o, &parsed.status);
}

int main(int argc, char *argv[])
{
	struct ctl_options opts = { 0 };
	enum hgw_ctl_cmd cmd;
	int status;

	parse_options(&opts, argc, argv);
	cmd = find_command(opts.command);
	status = run(&opts, cmd);
	/* A full disk or a closed pipe must not look like success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn("cannot write the output");
		return EXIT_ERROR;
	}
	return status;
}
