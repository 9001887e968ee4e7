/*
 * options.c - hybridgwd's command line.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "ctl_proto.h"
#include "options.h"
#include "util.h"

static const struct option long_options[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "config-dir", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 's' },
	{ "vici-socket", required_argument, NULL, 'S' },
	{ "frr-rundir", required_argument, NULL, 'F' },
	{ "config-only", no_argument, NULL, 'n' },
	{ "metrics-listen", required_argument, NULL, 'm' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* '+': stop at the first non-option; ':': report a missing argument as ':', not '?'. */
static const char short_options[] = "+:fc:s:S:F:nm:vVh";

void hgwd_usage(FILE *out)
{
	fprintf(out,
		"Usage: hybridgwd [OPTION]...\n"
		"BGP-over-IPsec routing gateway daemon.\n"
		"\n"
		"  -f, --foreground      stay in the foreground and log to stderr (for systemd)\n"
		"  -c, --config-dir DIR  configuration directory (default %s)\n"
		"  -s, --state-dir DIR   runtime directory for %s (default %s)\n"
		"  -S, --vici-socket PATH  charon's VICI socket (default %s)\n"
		"  -F, --frr-rundir DIR  where FRR's daemons keep their vty sockets (default %s)\n"
		"  -n, --config-only     serve NETCONF and keep the datastores, but drive neither\n"
		"                        charon, FRR nor the kernel (to try configurations)\n"
		"  -m, --metrics-listen ADDR:PORT\n"
		"                        serve Prometheus metrics on http://ADDR:PORT/metrics\n"
		"                        ([IPv6]:PORT for IPv6; none or off: no metrics; default\n"
		"                        $%s, else %s)\n"
		"  -v, --verbose         log debug messages too\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n"
		"\n"
		"SIGTERM or SIGINT stop the daemon; SIGHUP requests a reload.\n",
		HGW_CONFIG_DIR, HGW_CTL_SOCKET_NAME, HGW_STATE_DIR, HGWD_DEFAULT_VICI_SOCKET,
		HGWD_DEFAULT_FRR_RUNDIR, HGWD_METRICS_LISTEN_ENV, HGWD_DEFAULT_METRICS_LISTEN);
}

static int HGW_PRINTF(3, 4) usage_error(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int check_dir(const char *option, const char *dir, char *err, size_t size)
{
	const char *c;

	if (dir[0] != '/')
		return usage_error(err, size, "%s must be an absolute path, not '%s'", option, dir);
	for (c = dir; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return usage_error(err, size, "%s contains control characters", option);
	}
	return 0;
}

static int check_state_dir(const char *dir, char *err, size_t size)
{
	char path[HGW_CTL_PATH_MAX];
	int r;

	r = check_dir("--state-dir", dir, err, size);
	if (r < 0)
		return r;
	if (hgw_ctl_socket_path(path, sizeof(path), dir) < 0)
		return usage_error(err, size,
				   "--state-dir is too long: the socket path must fit in %zu bytes",
				   HGW_CTL_PATH_MAX - 1);
	return 0;
}

static int parse_port(const char *text, in_port_t *port)
{
	unsigned long v;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535)
		return -EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

int hgwd_parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
	char host[INET6_ADDRSTRLEN];
	const char *colon;
	size_t n;

	memset(addr, 0, sizeof(*addr));
	if (text[0] == '[') {
		colon = strstr(text, "]:");
		n = colon != NULL ? (size_t)(colon - text - 1) : 0;
		if (n == 0 || n >= sizeof(host))
			return -EINVAL;
		memcpy(host, text + 1, n);
		host[n] = '\0';
		in6->sin6_family = AF_INET6;
		*len = sizeof(*in6);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return -EINVAL;
		return parse_port(colon + 2, &in6->sin6_port);
	}
	colon = strrchr(text, ':');
	n = colon != NULL ? (size_t)(colon - text) : 0;
	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = '\0';
	in->sin_family = AF_INET;
	*len = sizeof(*in);
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return -EINVAL;
	return parse_port(colon + 1, &in->sin_port);
}

/* --metrics-listen, else $HYBRIDGWD_METRICS_LISTEN, else the default; none/off: NULL. */
static int check_metrics(struct hgwd_options *opts, bool given, char *err, size_t size)
{
	const char *env = getenv(HGWD_METRICS_LISTEN_ENV);
	const char *from = "--metrics-listen";

	if (!given && env != NULL) {
		opts->metrics_listen = env;
		from = "$" HGWD_METRICS_LISTEN_ENV;
	}
	if (strcmp(opts->metrics_listen, "none") == 0 || strcmp(opts->metrics_listen, "off") == 0) {
		opts->metrics_listen = NULL;
		return 0;
	}
	if (hgwd_parse_listen(opts->metrics_listen, &opts->metrics_addr, &opts->metrics_addrlen) <
	    0)
		return usage_error(err, size,
				   "%s must be ADDRESS:PORT or [IPv6-ADDRESS]:PORT (numeric), or "
				   "none: not '%s'",
				   from, opts->metrics_listen);
	return 0;
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

/*
 * getopt's complaints, reworded.  optopt is the option letter, or 0 for an unknown long
 * option; only then is argv[optind - 1] reliably the offending word.
 */
static int bad_option(int c, char *argv[], char *err, size_t size)
{
	const char *name = optopt != 0 ? long_name(optopt) : NULL;

	if (c == ':' && name != NULL)
		return usage_error(err, size, "option -%c/--%s needs an argument", optopt, name);
	if (name != NULL) /* a known option: its long form was given a value it does not take */
		return usage_error(err, size, "option --%s takes no argument", name);
	if (optopt != 0)
		return usage_error(err, size, "unknown option '-%c'", optopt);
	return usage_error(err, size, "unknown option '%s'", argv[optind - 1]);
}

int hgwd_options_parse(struct hgwd_options *opts, int argc, char *argv[], char *err, size_t errsize)
{
	bool metrics_given = false;
	int c, r;

	*opts = (struct hgwd_options){
		.action = HGWD_RUN,
		.log_level = LOG_INFO,
		.config_dir = HGW_CONFIG_DIR,
		.state_dir = HGW_STATE_DIR,
		.vici_socket = HGWD_DEFAULT_VICI_SOCKET,
		.frr_rundir = HGWD_DEFAULT_FRR_RUNDIR,
		.metrics_listen = HGWD_DEFAULT_METRICS_LISTEN,
	};
	optind = 0; /* glibc: full reinitialisation */
	opterr = 0; /* our messages, not getopt's */
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			opts->foreground = true;
			break;
		case 'c':
			opts->config_dir = optarg;
			break;
		case 's':
			opts->state_dir = optarg;
			break;
		case 'S':
			opts->vici_socket = optarg;
			break;
		case 'F':
			opts->frr_rundir = optarg;
			break;
		case 'n':
			opts->config_only = true;
			break;
		case 'm':
			opts->metrics_listen = optarg;
			metrics_given = true;
			break;
		case 'v':
			if (opts->log_level < LOG_DEBUG)
				opts->log_level++;
			break;
		case 'V':
			opts->action = HGWD_SHOW_VERSION;
			return 0;
		case 'h':
			opts->action = HGWD_SHOW_HELP;
			return 0;
		default:
			return bad_option(c, argv, err, errsize);
		}
	}
	if (optind < argc)
		return usage_error(err, errsize, "unexpected argument '%s'", argv[optind]);
	r = check_dir("--config-dir", opts->config_dir, err, errsize);
	if (r == 0)
		r = check_dir("--vici-socket", opts->vici_socket, err, errsize);
	if (r == 0)
		r = check_dir("--frr-rundir", opts->frr_rundir, err, errsize);
	if (r == 0)
		r = check_metrics(opts, metrics_given, err, errsize);
	if (r < 0)
		return r;
	return check_state_dir(opts->state_dir, err, errsize);
}
