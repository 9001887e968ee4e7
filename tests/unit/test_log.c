/*
 * test_log.c - log levels, line formats and the journal-stream detection, checked on what
 * really reaches stderr (a temporary file standing in for it).
 */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

struct capture {
	FILE *file;
	int saved_stderr;
	char text[4 * LOG_LINE_MAX];
};

static struct capture cap;

/* From here on, stderr goes to a fresh temporary file. */
static void capture_begin(void)
{
	fflush(stderr);
	cap.file = tmpfile();
	assert_non_null(cap.file);
	cap.saved_stderr = dup(STDERR_FILENO);
	assert_true(cap.saved_stderr >= 0);
	assert_true(dup2(fileno(cap.file), STDERR_FILENO) >= 0);
}

/* Restore stderr (so that failing assertions are seen) and return what was written. */
static const char *capture_end(void)
{
	size_t n;

	assert_true(dup2(cap.saved_stderr, STDERR_FILENO) >= 0);
	close(cap.saved_stderr);
	rewind(cap.file);
	n = fread(cap.text, 1, sizeof(cap.text) - 1, cap.file);
	cap.text[n] = '\0';
	fclose(cap.file);
	return cap.text;
}

static int setup(void **state)
{
	(void)state;
	unsetenv("JOURNAL_STREAM");
	log_init("test", LOG_TARGET_STDERR, LOG_INFO);
	return 0;
}

static void assert_matches(const char *text, const char *pattern)
{
	regex_t re;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, text, 0, NULL, 0) != 0) {
		regfree(&re);
		fail_msg("\"%s\" does not match /%s/", text, pattern);
	}
	regfree(&re);
}

static void test_level_names(void **state)
{
	(void)state;
	assert_string_equal(log_level_name(LOG_ERR), "error");
	assert_string_equal(log_level_name(LOG_WARNING), "warning");
	assert_string_equal(log_level_name(LOG_NOTICE), "notice");
	assert_string_equal(log_level_name(LOG_INFO), "info");
	assert_string_equal(log_level_name(LOG_DEBUG), "debug");
	assert_string_equal(log_level_name(LOG_CRIT), "unknown");
	assert_string_equal(log_level_name(-1), "unknown");
	assert_string_equal(log_level_name(8), "unknown");
}

static void test_line_format(void **state)
{
	char pattern[256];
	const char *out;

	(void)state;
	capture_begin();
	log_warn("peer %s sent %d bytes", "192.0.2.1", 42);
	out = capture_end();
	snprintf(pattern, sizeof(pattern),
		 "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
		 "test\\[%ld\\]: warning: peer 192\\.0\\.2\\.1 sent 42 bytes\n$",
		 (long)getpid());
	assert_matches(out, pattern);
}

static void test_threshold(void **state)
{
	const char *out;

	(void)state;
	capture_begin();
	log_debug("hidden at the default level");
	log_info("shown");
	log_set_level(LOG_DEBUG);
	log_debug("now shown");
	log_set_level(LOG_WARNING);
	log_notice("hidden");
	log_info("hidden");
	log_warn("warned");
	log_err("failed");
	out = capture_end();
	assert_null(strstr(out, "hidden"));
	assert_non_null(strstr(out, "info: shown\n"));
	assert_non_null(strstr(out, "debug: now shown\n"));
	assert_non_null(strstr(out, "warning: warned\n"));
	assert_non_null(strstr(out, "error: failed\n"));
}

static void test_level_clamped(void **state)
{
	const char *out;

	(void)state;
	/* Errors cannot be silenced; there is nothing more verbose than debug. */
	log_set_level(LOG_EMERG);
	assert_int_equal(log_get_level(), LOG_ERR);
	capture_begin();
	log_err("still shown");
	out = capture_end();
	assert_non_null(strstr(out, "error: still shown\n"));
	log_set_level(LOG_DEBUG + 5);
	assert_int_equal(log_get_level(), LOG_DEBUG);
}

static void test_errno_variants(void **state)
{
	const char *out;
	int r1, r2, r3;

	(void)state;
	errno = EBUSY;
	capture_begin();
	r1 = log_warn_errno(ENOENT, "open %s", "/etc/hybridgw");
	r2 = log_err_errno(-EACCES, "bind");
	r3 = log_warn_errno(EINVAL, "x");
	out = capture_end();
	assert_int_equal(errno, EBUSY); /* logging never changes errno */
	assert_int_equal(r1, -ENOENT);
	assert_int_equal(r2, -EACCES);
	assert_int_equal(r3, -EINVAL);
	assert_non_null(strstr(out, "warning: open /etc/hybridgw: No such file or directory\n"));
	assert_non_null(strstr(out, "error: bind: Permission denied\n"));
}

static void test_control_characters(void **state)
{
	const char *out;

	(void)state;
	capture_begin();
	log_info("peer said \"%s\"", "a\nerror: forged\r\tb\x7f\x1b[0m");
	out = capture_end();
	assert_non_null(strstr(out, "info: peer said \"a?error: forged??b??[0m\"\n"));
	assert_non_null(strchr(out, '\n'));
	assert_string_equal(strchr(out, '\n'), "\n"); /* one line */
}

static void test_truncation(void **state)
{
	char big[3 * LOG_LINE_MAX];
	const char *out, *text;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	capture_begin();
	log_info("%s", big);
	out = capture_end();
	text = strstr(out, "info: ");
	assert_non_null(text);
	text += strlen("info: ");
	assert_int_equal(strlen(text), LOG_LINE_MAX + 1); /* the text and its newline */
	assert_string_equal(text + LOG_LINE_MAX - 3, "...\n");
}

/* Like systemd: JOURNAL_STREAM=<dev>:<ino> of the stream that is connected to journald. */
static void set_journal_stream(FILE *file)
{
	struct stat st;
	char value[64];

	assert_int_equal(fstat(fileno(file), &st), 0);
	snprintf(value, sizeof(value), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", value, 1), 0);
}

static void test_journal_stream(void **state)
{
	const char *out;

	(void)state;
	capture_begin();
	set_journal_stream(cap.file);
	log_init("test", LOG_TARGET_STDERR, LOG_INFO);
	log_warn("to the journal");
	log_info("as %s", "info");
	out = capture_end();
	assert_string_equal(out, "<4>to the journal\n<6>as info\n");
}

static void test_journal_stream_elsewhere(void **state)
{
	FILE *other = tmpfile();
	const char *out;

	(void)state;
	assert_non_null(other);
	/* stderr was redirected away from the journal: the variable alone means nothing. */
	set_journal_stream(other);
	capture_begin();
	log_init("test", LOG_TARGET_STDERR, LOG_INFO);
	log_warn("to a file");
	out = capture_end();
	fclose(other);
	assert_null(strstr(out, "<4>"));
	assert_non_null(strstr(out, "test["));
	assert_non_null(strstr(out, "warning: to a file\n"));
}

/* Journal field names: what journald takes, nothing else. */
static void test_field_valid(void **state)
{
	(void)state;
	assert_true(log_field_valid("HGW_EVENT=tunnel-down"));
	assert_true(log_field_valid("HGW_GAP_USEC=0"));
	assert_true(log_field_valid("HGW_REASON="));
	assert_false(log_field_valid("_PID=1")); /* trusted fields are journald's */
	assert_false(log_field_valid("hgw_event=x"));
	assert_false(log_field_valid("HGW-EVENT=x"));
	assert_false(log_field_valid("=x"));
	assert_false(log_field_valid("HGW_EVENT"));
	assert_false(log_field_valid(NULL));
}

/* Outside the journal an event is the line any message of its level would be. */
static void test_event_line(void **state)
{
	const char *fields[] = { "HGW_EVENT=path-switch", "bad field=1", NULL };
	char pattern[256];
	const char *out;

	(void)state;
	capture_begin();
	log_event(LOG_NOTICE, fields, "path switch %s", "198.19.10.0/24");
	log_event(LOG_DEBUG, fields, "below the threshold");
	out = capture_end();
	snprintf(pattern, sizeof(pattern),
		 "^[0-9T:.-]+Z test\\[%ld\\]: notice: path switch 198\\.19\\.10\\.0/24\n$",
		 (long)getpid());
	assert_matches(out, pattern);
}

/*
 * In the journal, the fields travel as the entry's own (journald's native protocol).  No
 * journald on the test machine: a child process gets a private /run (a mount namespace, so
 * nothing is left on the host), binds journald's socket itself and reads the datagram.
 */
static int journal_child(void)
{
	const char *fields[] = { "HGW_EVENT=path-switch", "HGW_GAP_USEC=1500", "bad field=1",
				 NULL };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t n;
	int fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0 ||
	    mkdir("/run/systemd", 0755) < 0 || mkdir("/run/systemd/journal", 0755) < 0)
		return 77;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/run/systemd/journal/socket");
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 77;
	log_init("test", LOG_TARGET_JOURNAL, LOG_INFO);
	log_event(LOG_NOTICE, fields, "path switch %s", "198.19.10.0/24");
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	if (!strstr(buf, "MESSAGE=path switch 198.19.10.0/24\n") || !strstr(buf, "PRIORITY=5\n") ||
	    !strstr(buf, "SYSLOG_IDENTIFIER=test\n") || !strstr(buf, "HGW_EVENT=path-switch\n") ||
	    !strstr(buf, "HGW_GAP_USEC=1500\n") || strstr(buf, "bad field")) {
		fprintf(stderr, "journal entry: %s\n", buf);
		return 1;
	}
	return 0;
}

static void test_event_journal(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(journal_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_level_names, setup),
		cmocka_unit_test_setup(test_line_format, setup),
		cmocka_unit_test_setup(test_threshold, setup),
		cmocka_unit_test_setup(test_level_clamped, setup),
		cmocka_unit_test_setup(test_errno_variants, setup),
		cmocka_unit_test_setup(test_control_characters, setup),
		cmocka_unit_test_setup(test_truncation, setup),
		cmocka_unit_test_setup(test_journal_stream, setup),
		cmocka_unit_test_setup(test_journal_stream_elsewhere, setup),
		cmocka_unit_test_setup(test_field_valid, setup),
		cmocka_unit_test_setup(test_event_line, setup),
		cmocka_unit_test_setup(test_event_journal, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
