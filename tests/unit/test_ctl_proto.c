/*
 * test_ctl_proto.c - the interim control protocol: byte-exact encodings, and everything
 * the parsers must refuse.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_proto.h"
#include "util.h"

static const struct hgw_status sample = {
	.version = "0.1.0",
	.pid = 42,
	.uptime_s = 7,
	.config_dir = "/etc/hybridgw",
	.state_dir = "/run/hybridgw",
	.reloads = 1,
	.state = HGW_STATE_RUNNING,
};

#define L_VERSION "version=0.1.0\n"
#define L_PID "pid=42\n"
#define L_UPTIME "uptime_s=7\n"
#define L_CONFIG "config_dir=/etc/hybridgw\n"
#define L_STATE "state_dir=/run/hybridgw\n"
#define L_RELOADS "reloads=1\n"
#define L_RUNNING "state=running\n"
#define SAMPLE_REPLY L_VERSION L_PID L_UPTIME L_CONFIG L_STATE L_RELOADS L_RUNNING "\n"

/* A string literal with its exact length, embedded NULs included. */
#define BYTES(s) s, sizeof(s) - 1

static void test_run_state_names(void **state)
{
	(void)state;
	assert_string_equal(hgw_run_state_name(HGW_STATE_STARTING), "starting");
	assert_string_equal(hgw_run_state_name(HGW_STATE_RUNNING), "running");
	assert_string_equal(hgw_run_state_name(HGW_STATE_STOPPING), "stopping");
	assert_null(hgw_run_state_name((enum hgw_run_state)3));
	assert_null(hgw_run_state_name((enum hgw_run_state)(-1)));
}

static void test_socket_path(void **state)
{
	char path[HGW_CTL_PATH_MAX], dir[HGW_CTL_PATH_MAX + 8];
	size_t room = HGW_CTL_PATH_MAX - 1 - strlen("/" HGW_CTL_SOCKET_NAME);

	(void)state;
	assert_int_equal(hgw_ctl_socket_path(path, sizeof(path), "/run/hybridgw"), 0);
	assert_string_equal(path, "/run/hybridgw/hybridgwd.sock");
	assert_int_equal(hgw_ctl_socket_path(path, sizeof(path), "/run/hybridgw///"), 0);
	assert_string_equal(path, "/run/hybridgw/hybridgwd.sock");
	assert_int_equal(hgw_ctl_socket_path(path, sizeof(path), "/"), 0);
	assert_string_equal(path, "/hybridgwd.sock");
	assert_int_equal(hgw_ctl_socket_path(path, sizeof(path), ""), -EINVAL);
	assert_int_equal(hgw_ctl_socket_path(path, 10, "/run/hybridgw"), -ENAMETOOLONG);

	/* The longest directory that still fits in sun_path, and one byte more. */
	memset(dir, 'd', room);
	dir[0] = '/';
	dir[room] = '\0';
	assert_int_equal(hgw_ctl_socket_path(path, sizeof(path), dir), 0);
	assert_int_equal(strlen(path), HGW_CTL_PATH_MAX - 1);
	dir[room] = 'd';
	dir[room + 1] = '\0';
	assert_int_equal(hgw_ctl_socket_path(path, sizeof(path), dir), -ENAMETOOLONG);
}

static void test_sockaddr(void **state)
{
	char path[HGW_CTL_PATH_MAX + 1];
	struct sockaddr_un sa;

	(void)state;
	assert_int_equal(hgw_ctl_sockaddr(&sa, "/run/x.sock"),
			 offsetof(struct sockaddr_un, sun_path) + strlen("/run/x.sock") + 1);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_string_equal(sa.sun_path, "/run/x.sock");
	assert_int_equal(hgw_ctl_sockaddr(&sa, ""), -ENAMETOOLONG);
	memset(path, 'p', HGW_CTL_PATH_MAX);
	path[HGW_CTL_PATH_MAX] = '\0';
	assert_int_equal(hgw_ctl_sockaddr(&sa, path), -ENAMETOOLONG);
}

static void test_request_encode(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(hgw_ctl_request_encode(buf, sizeof(buf), HGW_CTL_STATUS), 7);
	assert_string_equal(buf, "status\n");
	/* snprintf semantics */
	assert_int_equal(hgw_ctl_request_encode(NULL, 0, HGW_CTL_STATUS), 7);
	assert_int_equal(hgw_ctl_request_encode(buf, 4, HGW_CTL_STATUS), 7);
	assert_string_equal(buf, "sta");
	assert_int_equal(hgw_ctl_request_encode(buf, sizeof(buf), (enum hgw_ctl_cmd)1), -EINVAL);
}

static void test_request_parse_ok(void **state)
{
	enum hgw_ctl_cmd cmd = (enum hgw_ctl_cmd)99;
	const char *why = NULL;

	(void)state;
	assert_int_equal(hgw_ctl_request_parse(BYTES("status\n"), &cmd, &why), 0);
	assert_int_equal(cmd, HGW_CTL_STATUS);
	assert_null(why);
}

static void test_request_parse_incomplete(void **state)
{
	static const char *const partial[] = { "", "s", "statu", "status" };
	char longest[HGW_CTL_REQUEST_MAX - 1];
	enum hgw_ctl_cmd cmd;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(partial); i++)
		assert_int_equal(hgw_ctl_request_parse(partial[i], strlen(partial[i]), &cmd, &why),
				 -EAGAIN);
	/* One byte short of the limit, no newline yet: still waiting. */
	memset(longest, 'a', sizeof(longest));
	assert_int_equal(hgw_ctl_request_parse(longest, sizeof(longest), &cmd, &why), -EAGAIN);
}

static void test_request_parse_rejects(void **state)
{
	static const struct {
		const char *input;
		size_t len;
		int err;
		const char *why;
	} cases[] = {
		{ BYTES("bogus\n"), -EOPNOTSUPP, "unknown request" },
		{ BYTES("STATUS\n"), -EOPNOTSUPP, "unknown request" },
		{ BYTES("status \n"), -EOPNOTSUPP, "unknown request" },
		{ BYTES(" status\n"), -EOPNOTSUPP, "unknown request" },
		{ BYTES("\xc3\xa9\n"), -EOPNOTSUPP, "unknown request" },
		{ BYTES("\n"), -EBADMSG, "empty request" },
		{ BYTES("status\r\n"), -EBADMSG, "control character" },
		{ BYTES("sta\0tus\n"), -EBADMSG, "NUL" },
		{ BYTES("\0"), -EBADMSG, "NUL" },
		{ BYTES("stat\x1b[2J"), -EBADMSG, "control character" },
		{ BYTES("\x7f"), -EBADMSG, "control character" },
		{ BYTES("status\nstatus\n"), -EBADMSG, "one request per connection" },
		{ BYTES("status\n\0"), -EBADMSG, "one request per connection" },
	};
	enum hgw_ctl_cmd cmd;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		why = NULL;
		assert_int_equal(hgw_ctl_request_parse(cases[i].input, cases[i].len, &cmd, &why),
				 cases[i].err);
		assert_non_null(why);
		assert_non_null(strstr(why, cases[i].why));
	}
}

static void test_request_parse_overlong(void **state)
{
	char buf[HGW_CTL_REQUEST_MAX + 2];
	enum hgw_ctl_cmd cmd;
	const char *why = NULL;

	(void)state;
	/* The limit without a newline: give up rather than read on. */
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(hgw_ctl_request_parse(buf, HGW_CTL_REQUEST_MAX, &cmd, &why), -EMSGSIZE);
	assert_non_null(strstr(why, "too long"));
	/* A line of exactly the limit, newline included, is judged on its content... */
	buf[HGW_CTL_REQUEST_MAX - 1] = '\n';
	assert_int_equal(hgw_ctl_request_parse(buf, HGW_CTL_REQUEST_MAX, &cmd, &why), -EOPNOTSUPP);
	/* ...one byte more is too long, even when the newline has arrived. */
	buf[HGW_CTL_REQUEST_MAX - 1] = 'a';
	buf[HGW_CTL_REQUEST_MAX] = '\n';
	assert_int_equal(hgw_ctl_request_parse(buf, HGW_CTL_REQUEST_MAX + 1, &cmd, &why),
			 -EMSGSIZE);
}

#define EXTREME_REPLY                     \
	"version=0.1.0\n"                 \
	"pid=2147483647\n"                \
	"uptime_s=18446744073709551615\n" \
	"config_dir=/etc/h\xc3\xa9 dir\n" \
	"state_dir=/run/hybridgw\n"       \
	"reloads=0\n"                     \
	"state=stopping\n"                \
	"\n"

static void test_status_encode_exact(void **state)
{
	char buf[HGW_CTL_REPLY_MAX];
	struct hgw_status st = sample;

	(void)state;
	assert_int_equal(hgw_ctl_status_encode(buf, sizeof(buf), &st), strlen(SAMPLE_REPLY));
	assert_string_equal(buf, SAMPLE_REPLY);

	st.pid = 2147483647;
	st.uptime_s = UINT64_MAX;
	st.reloads = 0;
	st.state = HGW_STATE_STOPPING;
	st.config_dir = "/etc/h\xc3\xa9 dir";
	assert_int_equal(hgw_ctl_status_encode(buf, sizeof(buf), &st), strlen(EXTREME_REPLY));
	assert_string_equal(buf, EXTREME_REPLY);
}

static void test_status_encode_truncates(void **state)
{
	const size_t full = strlen(SAMPLE_REPLY);
	char buf[sizeof(SAMPLE_REPLY) + 1];
	size_t size;

	(void)state;
	assert_int_equal(hgw_ctl_status_encode(NULL, 0, &sample), full);
	for (size = 1; size <= sizeof(buf); size++) {
		memset(buf, 'X', sizeof(buf));
		assert_int_equal(hgw_ctl_status_encode(buf, size, &sample), full);
		assert_int_equal(strlen(buf), size - 1 < full ? size - 1 : full);
		assert_memory_equal(buf, SAMPLE_REPLY, strlen(buf));
		if (size < sizeof(buf))
			assert_int_equal(buf[size], 'X'); /* never writes past size */
	}
}

static void test_status_encode_rejects(void **state)
{
	char buf[HGW_CTL_REPLY_MAX];
	struct hgw_status st;

	(void)state;
	st = sample;
	st.version = "";
	assert_int_equal(hgw_ctl_status_encode(buf, sizeof(buf), &st), -EINVAL);
	st = sample;
	st.config_dir = "/etc/evil\nstate=running";
	assert_int_equal(hgw_ctl_status_encode(buf, sizeof(buf), &st), -EINVAL);
	st = sample;
	st.state_dir = NULL;
	assert_int_equal(hgw_ctl_status_encode(buf, sizeof(buf), &st), -EINVAL);
	st = sample;
	st.pid = 0;
	assert_int_equal(hgw_ctl_status_encode(buf, sizeof(buf), &st), -EINVAL);
	st = sample;
	st.state = (enum hgw_run_state)9;
	assert_int_equal(hgw_ctl_status_encode(buf, sizeof(buf), &st), -EINVAL);
}

static void test_error_encode(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(hgw_ctl_error_encode(buf, sizeof(buf), "request line too long"), 29);
	assert_string_equal(buf, "error=request line too long\n\n");
	assert_int_equal(hgw_ctl_error_encode(buf, sizeof(buf), ""), -EINVAL);
	assert_int_equal(hgw_ctl_error_encode(buf, sizeof(buf), "two\nlines"), -EINVAL);
}

/* Parse a copy, as the parser works in place. */
static int parse_copy(const char *reply, size_t len, struct hgw_ctl_reply *out, char *store,
		      const char **why)
{
	memcpy(store, reply, len);
	return hgw_ctl_reply_parse(store, len, out, why);
}

static void test_reply_roundtrip(void **state)
{
	char buf[HGW_CTL_REPLY_MAX];
	struct hgw_ctl_reply reply;
	const char *why = NULL;
	ssize_t n;

	(void)state;
	n = hgw_ctl_status_encode(buf, sizeof(buf), &sample);
	assert_true(n > 0);
	assert_int_equal(hgw_ctl_reply_parse(buf, (size_t)n, &reply, &why), 0);
	assert_null(reply.error);
	assert_string_equal(reply.status.version, sample.version);
	assert_int_equal(reply.status.pid, sample.pid);
	assert_int_equal(reply.status.uptime_s, sample.uptime_s);
	assert_string_equal(reply.status.config_dir, sample.config_dir);
	assert_string_equal(reply.status.state_dir, sample.state_dir);
	assert_int_equal(reply.status.reloads, sample.reloads);
	assert_int_equal(reply.status.state, sample.state);
}

static void test_reply_error(void **state)
{
	char store[64];
	struct hgw_ctl_reply reply;
	const char *why;

	(void)state;
	assert_int_equal(parse_copy(BYTES("error=unknown request\n\n"), &reply, store, &why), 0);
	assert_string_equal(reply.error, "unknown request");
}

static void test_reply_tolerates(void **state)
{
	static const struct {
		const char *input;
		size_t len;
	} cases[] = {
		/* fields from a newer daemon, in any position */
		{ BYTES("future=1\n" L_VERSION L_PID L_UPTIME L_CONFIG L_STATE L_RELOADS L_RUNNING
			"\n") },
		{ BYTES(L_VERSION L_PID L_UPTIME L_CONFIG L_STATE L_RELOADS L_RUNNING
			"x_2=a=b\n\n") },
		/* any order */
		{ BYTES(L_RUNNING L_RELOADS L_STATE L_CONFIG L_UPTIME L_PID L_VERSION "\n") },
		/* values with '=', blanks and UTF-8 */
		{ BYTES("version=1.0 =x\n" L_PID L_UPTIME
			"config_dir=/etc/\xc3\xa9t\xc3\xa9\n" L_STATE L_RELOADS L_RUNNING "\n") },
		{ BYTES(L_VERSION L_PID
			"uptime_s=18446744073709551615\n" L_CONFIG L_STATE L_RELOADS L_RUNNING
			"\n") },
	};
	char store[512];
	struct hgw_ctl_reply reply;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		why = NULL;
		assert_int_equal(parse_copy(cases[i].input, cases[i].len, &reply, store, &why), 0);
		assert_null(why);
		assert_null(reply.error);
	}
}

static void test_reply_rejects(void **state)
{
	static const struct {
		const char *input;
		size_t len;
		const char *why;
	} cases[] = {
		{ BYTES(""), "truncated" },
		{ BYTES(L_VERSION L_PID), "truncated" },
		{ BYTES(L_VERSION L_PID "uptime_s=7"), "truncated" },
		{ BYTES(SAMPLE_REPLY "x"), "data after" },
		{ BYTES(SAMPLE_REPLY "\n"), "data after" },
		{ BYTES("\n"), "lacks a required field" },
		{ BYTES(L_VERSION L_PID L_UPTIME L_CONFIG L_STATE L_RUNNING "\n"),
		  "lacks a required field" },
		{ BYTES(L_PID SAMPLE_REPLY), "duplicate" },
		{ BYTES(L_VERSION "pid=0\n"), "invalid pid" },
		{ BYTES(L_VERSION "pid=-1\n"), "invalid pid" },
		{ BYTES(L_VERSION "pid=2147483648\n"), "invalid pid" },
		{ BYTES(L_VERSION "pid= 42\n"), "invalid pid" },
		{ BYTES(L_VERSION "pid=42a\n"), "invalid pid" },
		{ BYTES("uptime_s=18446744073709551616\n"), "invalid number" },
		{ BYTES("reloads=\n"), "invalid number" },
		{ BYTES("reloads=+1\n"), "invalid number" },
		{ BYTES("state=dead\n"), "unknown daemon state" },
		{ BYTES("version=\n"), "empty value" },
		{ BYTES("Version=0.1.0\n"), "malformed key" },
		{ BYTES("ver sion=0.1.0\n"), "malformed key" },
		{ BYTES("version\n"), "malformed line" },
		{ BYTES("=0.1.0\n"), "malformed line" },
		{ BYTES("version=0.1\0.0\n"), "control character" },
		{ BYTES("version=0.1.0\r\n"), "control character" },
		{ BYTES("vers\0ion=0.1.0\n"), "malformed key" },
		{ BYTES("error=x\n" L_PID "\n"), "more than one line" },
		{ BYTES("error=x\nerror=y\n\n"), "more than one line" },
		{ BYTES(L_PID "error=x\n\n"), "error line inside" },
		{ BYTES("error=\n\n"), "empty error" },
	};
	char store[512];
	struct hgw_ctl_reply reply;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		why = NULL;
		assert_int_equal(parse_copy(cases[i].input, cases[i].len, &reply, store, &why),
				 -EBADMSG);
		assert_non_null(why);
		if (strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, why, cases[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_state_names),
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_request_encode),
		cmocka_unit_test(test_request_parse_ok),
		cmocka_unit_test(test_request_parse_incomplete),
		cmocka_unit_test(test_request_parse_rejects),
		cmocka_unit_test(test_request_parse_overlong),
		cmocka_unit_test(test_status_encode_exact),
		cmocka_unit_test(test_status_encode_truncates),
		cmocka_unit_test(test_status_encode_rejects),
		cmocka_unit_test(test_error_encode),
		cmocka_unit_test(test_reply_roundtrip),
		cmocka_unit_test(test_reply_error),
		cmocka_unit_test(test_reply_tolerates),
		cmocka_unit_test(test_reply_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
