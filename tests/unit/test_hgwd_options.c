/*
 * test_hgwd_options.c - hybridgwd's command line: defaults, every option, and the messages
 * a user gets for mistakes.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "options.h"
#include "util.h"

#define MAX_ARGS 16

/* getopt wants writable strings; keep copies alive until the next parse. */
static char *args[MAX_ARGS + 1];
static char err[256];

static void free_args(void)
{
	size_t i;

	for (i = 0; i < MAX_ARGS; i++) {
		free(args[i]);
		args[i] = NULL;
	}
}

/* parse("hybridgwd", "-f", ..., NULL) */
static int parse(struct hgwd_options *opts, ...)
{
	const char *arg;
	va_list ap;
	int argc = 0;

	free_args();
	va_start(ap, opts);
	while ((arg = va_arg(ap, const char *)) != NULL) {
		assert_true(argc < MAX_ARGS);
		args[argc] = strdup(arg);
		assert_non_null(args[argc]);
		argc++;
	}
	va_end(ap);
	err[0] = '\0';
	return hgwd_options_parse(opts, argc, args, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	free_args();
	return 0;
}

static void test_defaults(void **state)
{
	struct hgwd_options o;

	(void)state;
	assert_int_equal(parse(&o, "hybridgwd", NULL), 0);
	assert_int_equal(o.action, HGWD_RUN);
	assert_false(o.foreground);
	assert_int_equal(o.log_level, LOG_INFO);
	assert_string_equal(o.config_dir, HGW_CONFIG_DIR);
	assert_string_equal(o.state_dir, HGW_STATE_DIR);
	assert_string_equal(o.metrics_listen, HGWD_DEFAULT_METRICS_LISTEN);
}

static void test_metrics_listen(void **state)
{
	const struct sockaddr_in *in;
	const struct sockaddr_in6 *in6;
	struct hgwd_options o;
	char text[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(parse(&o, "hybridgwd", NULL), 0);
	in = (const struct sockaddr_in *)&o.metrics_addr;
	assert_int_equal(in->sin_family, AF_INET);
	assert_int_equal(o.metrics_addrlen, sizeof(*in));
	assert_int_equal(ntohs(in->sin_port), 9474);
	assert_int_equal(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);

	assert_int_equal(parse(&o, "hybridgwd", "--metrics-listen", "192.0.2.1:80", NULL), 0);
	assert_string_equal(o.metrics_listen, "192.0.2.1:80");
	assert_int_equal(ntohs(in->sin_port), 80);
	assert_string_equal(inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)), "192.0.2.1");

	assert_int_equal(parse(&o, "hybridgwd", "-m[2001:db8::1]:0", NULL), 0);
	in6 = (const struct sockaddr_in6 *)&o.metrics_addr;
	assert_int_equal(in6->sin6_family, AF_INET6);
	assert_int_equal(o.metrics_addrlen, sizeof(*in6));
	assert_int_equal(ntohs(in6->sin6_port), 0);
	assert_string_equal(inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)),
			    "2001:db8::1");

	assert_int_equal(parse(&o, "hybridgwd", "--metrics-listen=[::]:65535", NULL), 0);
	assert_int_equal(ntohs(in6->sin6_port), 65535);

	assert_int_equal(parse(&o, "hybridgwd", "--metrics-listen", "none", NULL), 0);
	assert_null(o.metrics_listen);
	assert_int_equal(parse(&o, "hybridgwd", "-m", "off", NULL), 0);
	assert_null(o.metrics_listen);

	/* the environment replaces the default, not an option given */
	assert_int_equal(setenv(HGWD_METRICS_LISTEN_ENV, "off", 1), 0);
	assert_int_equal(parse(&o, "hybridgwd", NULL), 0);
	assert_null(o.metrics_listen);
	assert_int_equal(parse(&o, "hybridgwd", "-m", "127.0.0.1:1", NULL), 0);
	assert_string_equal(o.metrics_listen, "127.0.0.1:1");
	assert_int_equal(setenv(HGWD_METRICS_LISTEN_ENV, "localhost:1", 1), 0);
	assert_int_equal(parse(&o, "hybridgwd", NULL), -EINVAL);
	assert_non_null(strstr(err, "$HYBRIDGWD_METRICS_LISTEN must be ADDRESS:PORT"));
	assert_int_equal(unsetenv(HGWD_METRICS_LISTEN_ENV), 0);
}

static void test_long_options(void **state)
{
	struct hgwd_options o;

	(void)state;
	assert_int_equal(parse(&o, "hybridgwd", "--foreground", "--verbose", "--config-dir",
			       "/srv/gw/etc", "--state-dir=/srv/gw/run", NULL),
			 0);
	assert_int_equal(o.action, HGWD_RUN);
	assert_true(o.foreground);
	assert_int_equal(o.log_level, LOG_DEBUG);
	assert_string_equal(o.config_dir, "/srv/gw/etc");
	assert_string_equal(o.state_dir, "/srv/gw/run");
}

static void test_short_options(void **state)
{
	struct hgwd_options o;

	(void)state;
	assert_int_equal(parse(&o, "hybridgwd", "-fvvv", "-c", "/a", "-s/b", NULL), 0);
	assert_true(o.foreground);
	assert_int_equal(o.log_level, LOG_DEBUG); /* more -v than levels: capped */
	assert_string_equal(o.config_dir, "/a");
	assert_string_equal(o.state_dir, "/b");
}

static void test_help_and_version(void **state)
{
	struct hgwd_options o;

	(void)state;
	assert_int_equal(parse(&o, "hybridgwd", "--help", NULL), 0);
	assert_int_equal(o.action, HGWD_SHOW_HELP);
	assert_int_equal(parse(&o, "hybridgwd", "-V", NULL), 0);
	assert_int_equal(o.action, HGWD_SHOW_VERSION);
	/* --help wins over what follows it, as in GNU tools. */
	assert_int_equal(parse(&o, "hybridgwd", "-h", "--no-such-option", NULL), 0);
	assert_int_equal(o.action, HGWD_SHOW_HELP);
}

static void test_errors(void **state)
{
	char long_dir[200];
	static const struct {
		const char *args[4];
		const char *message;
	} cases[] = {
		{ { "--bogus" }, "unknown option '--bogus'" },
		{ { "-x" }, "unknown option '-x'" },
		{ { "-fx" }, "unknown option '-x'" },
		{ { "--state-dir" }, "option -s/--state-dir needs an argument" },
		{ { "-c" }, "option -c/--config-dir needs an argument" },
		{ { "--foreground=yes" }, "option --foreground takes no argument" },
		{ { "--foreground", "-xf" }, "unknown option '-x'" },
		{ { "-:" }, "unknown option '-:'" },
		{ { "start" }, "unexpected argument 'start'" },
		{ { "-f", "--", "start" }, "unexpected argument 'start'" },
		{ { "--state-dir", "run/hybridgw" }, "--state-dir must be an absolute path" },
		{ { "--config-dir", "" }, "--config-dir must be an absolute path" },
		{ { "--config-dir", "/etc/a\nb" }, "--config-dir contains control characters" },
		{ { "--metrics-listen" }, "option -m/--metrics-listen needs an argument" },
		{ { "-m", "9474" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "localhost:9474" }, "not 'localhost:9474'" },
		{ { "-m", "127.0.0.1" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "127.0.0.1:" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "127.0.0.1:65536" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "127.0.0.1:-1" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "127.0.0.1:+80" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "127.0.0.1:80x" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", ":9474" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "::1:9474" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "[::1]9474" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "[]:9474" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "[fe80::1%eth0]:9474" }, "--metrics-listen must be ADDRESS:PORT" },
		{ { "-m", "[198.51.100.1]:9474" }, "--metrics-listen must be ADDRESS:PORT" },
	};
	struct hgwd_options o;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(&o, "hybridgwd", cases[i].args[0], cases[i].args[1],
				       cases[i].args[2], cases[i].args[3], NULL),
				 -EINVAL);
		if (strstr(err, cases[i].message) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, cases[i].message);
	}

	/* The socket path must fit in a sockaddr_un. */
	memset(long_dir, 'd', sizeof(long_dir) - 1);
	long_dir[0] = '/';
	long_dir[sizeof(long_dir) - 1] = '\0';
	assert_int_equal(parse(&o, "hybridgwd", "--state-dir", long_dir, NULL), -EINVAL);
	assert_non_null(strstr(err, "--state-dir is too long"));
}

static void test_reparse(void **state)
{
	struct hgwd_options o;

	(void)state;
	/* getopt keeps global state: a second parse must start from scratch. */
	assert_int_equal(parse(&o, "hybridgwd", "-f", "--bogus", NULL), -EINVAL);
	assert_int_equal(parse(&o, "hybridgwd", "-v", NULL), 0);
	assert_false(o.foreground);
	assert_int_equal(o.log_level, LOG_DEBUG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_metrics_listen, teardown),
		cmocka_unit_test_teardown(test_long_options, teardown),
		cmocka_unit_test_teardown(test_short_options, teardown),
		cmocka_unit_test_teardown(test_help_and_version, teardown),
		cmocka_unit_test_teardown(test_errors, teardown),
		cmocka_unit_test_teardown(test_reparse, teardown),
	};

	/* make check sets it for the daemons it starts; these tests set it themselves */
	unsetenv(HGWD_METRICS_LISTEN_ENV);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
