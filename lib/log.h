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
