/*
 * log.c - see log.h for where messages go and why.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* The code location would always be this file: not worth a journal field. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "log.h"

static struct {
	const char *ident;
	enum log_target target;
	int level;
	bool stderr_is_journal; /* stderr is systemd's journal stream */
	bool syslog_open;
} logger = {
	.ident = "hybridgw",
	.target = LOG_TARGET_STDERR,
	.level = LOG_INFO,
};

/* The levels we emit; log_set_level() keeps the threshold within them. */
static const char *const level_names[] = {
	[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

const char *log_level_name(int level)
{
	if (level < 0 || (size_t)level >= ARRAY_SIZE(level_names) || level_names[level] == NULL)
		return "unknown";
	return level_names[level];
}

/*
 * systemd exports JOURNAL_STREAM=<device>:<inode> of the stream it connected to the
 * journal.  A child whose stderr was redirected inherits the variable but not the stream,
 * hence the comparison with what stderr really is.
 */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_set_target(enum log_target target)
{
	logger.target = target;
	logger.stderr_is_journal = target == LOG_TARGET_STDERR && stderr_is_journal();
}

void log_set_level(int level)
{
	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	logger.level = level;
}

int log_get_level(void)
{
	return logger.level;
}

void log_init(const char *ident, enum log_target target, int level)
{
	logger.ident = ident;
	log_set_level(level);
	log_set_target(target);
}

static int errno_abs(int err)
{
	if (err == INT_MIN)
		return EINVAL;
	return err < 0 ? -err : err;
}

/* Replace control characters: a message must stay one line, whatever it quotes. */
static void sanitize(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

/* fmt, then ": <strerror>" if err != 0, into buf (size > 3), cut with "..." if too long. */
static void HGW_PRINTF(4, 0)
	format_text(char *buf, size_t size, int err, const char *fmt, va_list ap)
{
	size_t len = 0;
	int n;

	n = vsnprintf(buf, size, fmt, ap);
	if (n < 0)
		buf[0] = '\0';
	else
		len = (size_t)n;
	if (err != 0 && len < size) {
		n = snprintf(buf + len, size - len, ": %s", strerror(errno_abs(err)));
		if (n > 0)
			len += (size_t)n;
	}
	if (len >= size)
		memcpy(buf + size - 4, "...", 4);
	sanitize(buf);
}

static void format_timestamp(char *buf, size_t size)
{
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", now.tv_nsec / 1000000);
}

/* One write(2) per line, so that lines of concurrent writers do not interleave. */
static void write_stderr(int level, const char *text)
{
	char line[LOG_LINE_MAX + 128];
	char stamp[40];
	size_t off = 0;
	ssize_t w;
	int n;

	if (logger.stderr_is_journal) {
		n = snprintf(line, sizeof(line), "<%d>%s\n", level, text);
	} else {
		format_timestamp(stamp, sizeof(stamp));
		n = snprintf(line, sizeof(line), "%s %s[%ld]: %s: %s\n", stamp, logger.ident,
			     (long)getpid(), log_level_name(level), text);
	}
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* Best effort: there is nowhere to report that logging failed. */
	while (off < (size_t)n) {
		w = write(STDERR_FILENO, line + off, (size_t)n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void write_journal(int level, const char *text)
{
	if (sd_journal_print(level, "%s", text) >= 0)
		return;
	/* No journald (a container, a non-systemd host): syslog is the next best thing. */
	if (!logger.syslog_open) {
		openlog(logger.ident, LOG_PID, LOG_DAEMON);
		logger.syslog_open = true;
	}
	syslog(level, "%s", text);
}

static void HGW_PRINTF(3, 0) log_emitv(int level, int err, const char *fmt, va_list ap)
{
	char text[LOG_LINE_MAX + 1];
	int saved_errno = errno;

	if (level > logger.level)
		return;
	format_text(text, sizeof(text), err, fmt, ap);
	switch (logger.target) {
	case LOG_TARGET_STDERR:
		write_stderr(level, text);
		break;
	case LOG_TARGET_JOURNAL:
		write_journal(level, text);
		break;
	}
	errno = saved_errno;
}

bool log_field_valid(const char *field)
{
	const char *eq = field != NULL ? strchr(field, '=') : NULL;

	if (eq == NULL || eq == field || field[0] == '_' || eq - field > 64)
		return false;
	for (const char *k = field; k < eq; k++)
		if (!((*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

void log_fields_add(struct log_fields *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n >= LOG_FIELDS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(f->buf[f->n], sizeof(f->buf[f->n]), fmt, ap);
	va_end(ap);
	f->v[f->n] = f->buf[f->n];
	f->v[++f->n] = NULL;
}

#define LOG_EVENT_FIELDS_MAX 16

/* The native journal protocol: 0, or -errno (no journald: the caller writes a line). */
static int send_journal(int level, const char *text, const char *const *fields)
{
	char msg[LOG_LINE_MAX + 16], prio[16], ident[64];
	struct iovec iov[3 + LOG_EVENT_FIELDS_MAX];
	size_t n = 0;

	snprintf(msg, sizeof(msg), "MESSAGE=%s", text);
	snprintf(prio, sizeof(prio), "PRIORITY=%d", level);
	snprintf(ident, sizeof(ident), "SYSLOG_IDENTIFIER=%s", logger.ident);
	iov[n++] = (struct iovec){ .iov_base = msg, .iov_len = strlen(msg) };
	iov[n++] = (struct iovec){ .iov_base = prio, .iov_len = strlen(prio) };
	iov[n++] = (struct iovec){ .iov_base = ident, .iov_len = strlen(ident) };
	for (size_t i = 0; fields != NULL && fields[i] != NULL && n < ARRAY_SIZE(iov); i++)
		if (log_field_valid(fields[i]))
			iov[n++] = (struct iovec){ .iov_base = (void *)(uintptr_t)fields[i],
						   .iov_len = strlen(fields[i]) };
	return sd_journal_sendv(iov, (int)n);
}

void log_event(int level, const char *const *fields, const char *fmt, ...)
{
	char text[LOG_LINE_MAX + 1];
	int saved_errno = errno;
	va_list ap;

	if (level > logger.level)
		return;
	va_start(ap, fmt);
	format_text(text, sizeof(text), 0, fmt, ap);
	va_end(ap);
	if ((logger.target == LOG_TARGET_JOURNAL || logger.stderr_is_journal) &&
	    send_journal(level, text, fields) >= 0) {
		errno = saved_errno;
		return;
	}
	if (logger.target == LOG_TARGET_JOURNAL)
		write_journal(level, text);
	else
		write_stderr(level, text);
	errno = saved_errno;
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_ERR, 0, fmt, ap);
	va_end(ap);
}

int log_err_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_ERR, err, fmt, ap);
	va_end(ap);
	return -errno_abs(err);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

int log_warn_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_WARNING, err, fmt, ap);
	va_end(ap);
	return -errno_abs(err);
}

void log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_NOTICE, 0, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_ERR, 0, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

void fatal_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emitv(LOG_ERR, err, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}
