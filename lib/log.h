/*
 * log.h - printf-checked logging for the hybridgw programs.
 *
 * Levels are the syslog priorities (LOG_ERR .. LOG_DEBUG from <syslog.h>), so they map
 * one to one onto the journal's PRIORITY= field and onto the "<N>" line prefixes that
 * journald parses on a service's stderr.  A message is emitted when its level is at most
 * the threshold set with log_init() / log_set_level(); errors are always emitted.
 *
 * Where messages go:
 *
 *   LOG_TARGET_STDERR   for a daemon in the foreground.  Each message is one write(2) of
 *                       "2024-05-01T12:00:00.123Z hybridgwd[42]: warning: text\n" (UTC).
 *                       When stderr is the stream systemd connected to the journal
 *                       (JOURNAL_STREAM names stderr's device:inode), the line is just
 *                       "<4>text\n": the journal adds time, pid and identifier itself, and
 *                       the prefix keeps the priority.  This is the Type=notify service case.
 *   LOG_TARGET_JOURNAL  for a detached daemon: sd_journal_print(); where journald is not
 *                       running, syslog(3) instead.
 *
 * Control characters in a message are replaced by '?', so text received from a peer
 * cannot forge log lines.  Messages longer than LOG_LINE_MAX are cut and end in "...".
 *
 * The *_errno variants take an error number, positive (errno) or negative (-errno, as the
 * sd-* functions and our own functions return it), append ": <strerror>" and return the
 * negative error, so that a caller can write
 *
 *	return log_err_errno(r, "cannot listen on %s", path);
 *
 * Logging never changes errno.  Single-threaded use only, like the daemon itself.
 */
#ifndef HGW_LOG_H
#define HGW_LOG_H

#include <stdbool.h>
#include <stdnoreturn.h>
#include <syslog.h>

#include "util.h"

/* Longest message text, without the stderr prefix. */
#define LOG_LINE_MAX 1024

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_JOURNAL,
};

/*
 * ident names the program in stderr lines and in syslog; it is not copied and must stay
 * valid (a string literal).  level is the threshold, LOG_ERR .. LOG_DEBUG.
 */
void log_init(const char *ident, enum log_target target, int level);
void log_set_target(enum log_target target);
void log_set_level(int level);
int log_get_level(void);

/* "error", "warning", "notice", "info", "debug" for LOG_ERR .. LOG_DEBUG; else "unknown". */
const char *log_level_name(int level);

/*
 * An event that matters to an operator (a tunnel or BGP session up or down, a path switch,
 * a change of the running configuration), with structured fields for the journal.  fields
 * is a NULL-terminated list of "KEY=value" strings, KEY of [A-Z0-9_] not starting with '_'
 * (others are left out; values are passed as they are, newlines included).  In the journal
 * (either target) the entry carries MESSAGE=, PRIORITY=, SYSLOG_IDENTIFIER= and the fields,
 * so that `journalctl HGW_EVENT=path-switch` finds them; elsewhere it is the same line
 * log_notice() & co. would write (the fields' values are in the text already).
 */
void log_event(int level, const char *const *fields, const char *fmt, ...) HGW_PRINTF(3, 4);

/* Fields for log_event(), built in place: log_fields_add(&f, "HGW_PEER=%s", addr). */
#define LOG_FIELDS_MAX 8
#define LOG_FIELD_MAX 192
struct log_fields {
	char buf[LOG_FIELDS_MAX][LOG_FIELD_MAX];
	const char *v[LOG_FIELDS_MAX + 1]; /* NULL-terminated: what log_event() takes */
	unsigned n;
};
void log_fields_add(struct log_fields *f, const char *fmt, ...) HGW_PRINTF(2, 3);

/* Whether "KEY=value" is a field the journal takes (see log_event()). */
bool log_field_valid(const char *field);

void log_err(const char *fmt, ...) HGW_PRINTF(1, 2);
int log_err_errno(int err, const char *fmt, ...) HGW_PRINTF(2, 3);
void log_warn(const char *fmt, ...) HGW_PRINTF(1, 2);
int log_warn_errno(int err, const char *fmt, ...) HGW_PRINTF(2, 3);
void log_notice(const char *fmt, ...) HGW_PRINTF(1, 2);
void log_info(const char *fmt, ...) HGW_PRINTF(1, 2);
void log_debug(const char *fmt, ...) HGW_PRINTF(1, 2);

/* Log at error level and exit(EXIT_FAILURE): only for startup and broken invariants. */
noreturn void fatal(const char *fmt, ...) HGW_PRINTF(1, 2);
noreturn void fatal_errno(int err, const char *fmt, ...) HGW_PRINTF(2, 3);

#endif
