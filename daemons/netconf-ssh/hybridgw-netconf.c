/*
 * hybridgw-netconf - the RFC 6242 "netconf" SSH subsystem: OpenSSH's sshd runs it as the
 * logged-in user, and it joins its stdin/stdout (the SSH channel) to hybridgwd's NETCONF
 * unix socket.  The bytes pass unchanged, but towards the daemon only whole NETCONF
 * messages: hybridgwd's libnetconf2 blocks its event loop from a message's first byte to
 * its last, so a client that sent half a message and stopped would freeze the daemon for
 * everyone.  The relay cuts the client's stream into messages (RFC 6242 framing, see
 * frame_scan()), holds each until it is whole (64 MiB at most), and closes the session on
 * bad framing or on an incomplete message that gets no byte for 30 s (--message-timeout):
 * the clock runs per byte, not per message, so a big message on a slow link still passes,
 * while the daemon is never held by a slow one (the relay holds it).  hybridgwd sees
 * the SSH user's uid through SO_PEERCRED and gives the session that user's role.  OpenSSH
 * does all of SSH (host keys, users, keys, passwords): there is no SSH code and no secret
 * here.
 *
 * One process, no threads: poll() on both directions, each with a buffer of its own, so a
 * peer that does not read never stops the other direction from draining.  All three
 * descriptors are non-blocking (stdin/stdout get their flags back at exit): a blocking
 * write to the daemon while the daemon blocks writing to us would deadlock.  After a read,
 * the write is tried at once, so a message costs one poll() per hop.  splice() would save
 * a copy, but only where sshd hands us pipes, and NETCONF messages are small.
 *
 * Ends: EOF from the SSH side is passed on as shutdown(SHUT_WR), and the replies are still
 * read until the daemon closes; when the daemon closes, what it sent is written out and the
 * program exits (sshd then closes the channel).  SIGPIPE is ignored: a closed peer is an
 * error to handle, not a death.
 *
 * Telling why a session could not start: sshd throws away what a subsystem writes to
 * stderr (OpenSSH session.c: CHAN_EXTENDED_IGNORE), so such a message goes to stderr (for
 * a person running this by hand), to syslog (for the router's operator), and, as an XML
 * comment, to stdout, where nothing of NETCONF has been or will be sent: a NETCONF client
 * shows what it got before the channel closed, `ssh -s netconf` prints it.
 *
 * Exit status: 0 the session ended (either side closed it), 1 an I/O error, 2 a usage error,
 * 3 hybridgwd is not running (as for hybridgwctl), 4 hybridgwd refused the user (no access
 * to its socket, or it closed the connection before its <hello>: no role), 5 the session was
 * closed for the client's framing: bad framing, a message over 64 MiB, or an incomplete
 * message that got no byte for --message-timeout seconds (default 30).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "framing.h"
#include "util.h"

/* hybridgwd's HGWD_NETCONF_SOCKET_NAME (daemons/hybridgwd/netconf.h). */
#define NETCONF_SOCKET_NAME "netconf.sock"

#define EXIT_IO 1
#define EXIT_USAGE 2
#define EXIT_NOT_RUNNING 3
#define EXIT_REFUSED 4
#define EXIT_PROTOCOL 5

/* Large enough for most NETCONF messages in one read; a bigger one just takes more. */
#define BUF_SIZE (64 * 1024)

/*
 * The daemon -> client direction: bytes read from `from`, not yet written to `to`.  The
 * daemon is always read (the buffer grows to DOWN_MAX): a daemon whose socket fills up
 * blocks in its write, and with it its one event loop, so a client that does not read its
 * replies must cost the relay memory, never the daemon time.  Past DOWN_MAX, or when the
 * client takes nothing for message_timeout seconds, the session is closed.
 */
#define DOWN_MAX ((size_t)64 << 20)
struct flow {
	int from, to;
	bool to_socket; /* send(MSG_NOSIGNAL), not write() */
	bool eof;	/* `from` said EOF */
	bool closed;	/* `to` takes no more: read no more */
	size_t start;	/* data[start, end) is pending */
	size_t end;
	size_t total; /* bytes read so far */
	char *data;
	size_t cap;
	double last; /* when the client last took bytes, or bytes started to wait for it */
};

/* Seconds an incomplete message from the client may go without a byte (--message-timeout). */
#define MESSAGE_TIMEOUT 30

static const char prog[] = "hybridgw-netconf";

/*
 * SSH channel (stdin) -> daemon: whole messages only.  data[start, ready) is whole messages
 * not yet written, data[ready, end) the message being received (all scanned by `fr`).  It
 * grows to what a message needs (MAX_MESSAGE at most), and stdin is read only while less
 * than BUF_SIZE of whole messages wait for the daemon.
 */
struct inbound {
	bool eof;    /* stdin said EOF */
	bool closed; /* the daemon takes no more: read no more */
	char *data;
	size_t cap, start, ready, end;
	struct framer fr;
};

static struct inbound up;
static struct flow down; /* daemon -> SSH channel (stdout) */
static int message_timeout = MESSAGE_TIMEOUT;

static int stdio_flags[2] = { -1, -1 };

/* An error during the session: stderr (sshd drops it, but a person may run this) and syslog. */
static void HGW_PRINTF(1, 2) say(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog, msg);
	syslog(LOG_ERR, "uid %u: %s", (unsigned)getuid(), msg);
}

/* Write all of buf to fd, blocking or not; errors are ignored (there is nobody to tell). */
static void write_all(int fd, const char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EAGAIN && poll(&p, 1, 1000) > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * The session cannot start: say why where the client will see it, as an XML comment on
 * stdout (nothing else was or will be written there), then exit.
 */
static noreturn void HGW_PRINTF(2, 3) no_session(int status, const char *fmt, ...)
{
	char msg[512], comment[1100];
	size_t i, n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog, msg);
	syslog(status == EXIT_IO ? LOG_ERR : LOG_WARNING, "uid %u: %s", (unsigned)getuid(), msg);
	/* "--" may not appear inside an XML comment */
	n = (size_t)snprintf(comment, sizeof(comment), "<!-- %s: ", prog);
	for (i = 0; msg[i] != '\0' && n < sizeof(comment) - 8; i++) {
		comment[n++] = msg[i];
		if (msg[i] == '-' && msg[i + 1] == '-')
			comment[n++] = ' ';
	}
	memcpy(comment + n, " -->\n", 5);
	write_all(STDOUT_FILENO, comment, n + 5);
	exit(status);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [--socket PATH | --state-dir DIR] [--message-timeout SECONDS]\n"
		"The NETCONF-over-SSH subsystem (RFC 6242) of hybridgw: sshd runs it for the\n"
		"logged-in user, and it relays the SSH channel, on stdin and stdout, to\n"
		"hybridgwd's NETCONF socket.  In sshd_config:\n"
		"  Subsystem netconf %s/%s\n"
		"hybridgwd gives the session the role of the user (root: admin; others: see\n"
		"netconf-users in hybridgwd's configuration directory).\n"
		"\n"
		"Options:\n"
		"  -S, --socket PATH     hybridgwd's NETCONF socket (default DIR/%s)\n"
		"  -s, --state-dir DIR   hybridgwd's state directory (default %s)\n"
		"  -t, --message-timeout SECONDS\n"
		"                        close the session when a message has begun and no\n"
		"                        byte of it came for SECONDS (default %d)\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n"
		"\n"
		"Only whole NETCONF messages go to hybridgwd (it would wait for the rest of one);\n"
		"bad framing, a message over 64 MiB or a stalled one closes the session.\n"
		"Errors go to stderr and syslog; one that keeps the session from starting also\n"
		"goes to the client, as an XML comment (sshd drops a subsystem's stderr).\n"
		"\n"
		"Exit status: 0 the session ended, 1 I/O error, 2 usage error, 3 hybridgwd is not\n"
		"running, 4 hybridgwd refused the user, 5 the client broke NETCONF's framing, sent\n"
		"a message over 64 MiB or stalled in one.\n",
		prog, HGW_PKGLIBEXECDIR, prog, NETCONF_SOCKET_NAME, HGW_STATE_DIR, MESSAGE_TIMEOUT);
}

static noreturn void HGW_PRINTF(1, 2) usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	exit(EXIT_USAGE);
}

/* The socket's path from the options; exits for --help, --version and usage errors. */
static void parse_options(int argc, char *argv[], struct sockaddr_un *sa)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "message-timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *socket = NULL, *dir = NULL;
	char *end;
	long t;
	int c, n;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":S:s:t:Vh", options, NULL)) != -1) {
		switch (c) {
		case 'S':
			socket = optarg;
			break;
		case 's':
			dir = optarg;
			break;
		case 't':
			errno = 0;
			t = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || t < 1 || t > 86400)
				usage_error("--message-timeout takes 1 to 86400 seconds, not '%s'",
					    optarg);
			message_timeout = (int)t;
			break;
		case 'V':
			printf("%s %s\n", prog, PACKAGE_VERSION);
			exit(EXIT_SUCCESS);
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (socket != NULL && dir != NULL)
		usage_error("--socket and --state-dir exclude each other");
	if (socket != NULL)
		n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", socket);
	else
		n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s",
			     dir != NULL ? dir : HGW_STATE_DIR, NETCONF_SOCKET_NAME);
	if (n <= 0 || (size_t)n >= sizeof(sa->sun_path) || sa->sun_path[0] == '\0')
		usage_error("the socket path is empty or too long (at most %zu bytes)",
			    sizeof(sa->sun_path) - 1);
}

/* The daemon's socket, non-blocking once connected, or exit with what went wrong. */
static int connect_daemon(const struct sockaddr_un *sa)
{
	int fd, e;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		no_session(EXIT_IO, "cannot create a socket: %s", strerror(errno));
	while (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		e = errno;
		if (e == EINTR)
			continue;
		if (e == ENOENT || e == ECONNREFUSED)
			no_session(EXIT_NOT_RUNNING,
				   "hybridgwd is not running: cannot connect to %s (%s)",
				   sa->sun_path, strerror(e));
		if (e == EACCES || e == EPERM)
			no_session(EXIT_REFUSED,
				   "uid %u may not use %s (%s): hybridgwd's socket is for root and "
				   "the members of its group",
				   (unsigned)getuid(), sa->sun_path, strerror(e));
		no_session(EXIT_IO, "cannot connect to %s: %s", sa->sun_path, strerror(e));
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		no_session(EXIT_IO, "cannot make the socket non-blocking: %s", strerror(errno));
	return fd;
}

static void restore_stdio(void)
{
	int fd;

	for (fd = 0; fd < 2; fd++) {
		if (stdio_flags[fd] >= 0)
			(void)fcntl(fd, F_SETFL, stdio_flags[fd]);
	}
}

static void stdio_nonblocking(void)
{
	int fd, flags;

	for (fd = 0; fd < 2; fd++) {
		flags = fcntl(fd, F_GETFL);
		if (flags < 0) {
			say("%s is not open: sshd runs this program with the SSH channel on "
			    "stdin and stdout",
			    fd == 0 ? "stdin" : "stdout");
			exit(EXIT_USAGE);
		}
		stdio_flags[fd] = flags;
		if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
			say("cannot make %s non-blocking: %s", fd == 0 ? "stdin" : "stdout",
			    strerror(errno));
			exit(EXIT_IO);
		}
	}
	atexit(restore_stdio);
}

static bool is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static double now_s(void);

static bool flow_pending(const struct flow *f)
{
	return f->start < f->end;
}

static bool flow_room(const struct flow *f)
{
	return !f->eof && !f->closed;
}

/*
 * Read what `from` has.  0 (also for nothing yet), or -errno.  EOF (and, from the daemon,
 * ECONNRESET, which the kernel reports after the last byte when the daemon closed with our
 * request unread) sets f->eof.
 */
static int flow_read(struct flow *f)
{
	ssize_t n;

	if (f->start > 0) {
		memmove(f->data, f->data + f->start, f->end - f->start);
		f->end -= f->start;
		f->start = 0;
	}
	if (f->cap - f->end < BUF_SIZE) {
		size_t want = f->cap * 2 > f->end + BUF_SIZE ? f->cap * 2 : f->end + BUF_SIZE;
		char *grown;

		if (want > DOWN_MAX)
			return -ENOBUFS; /* the client does not read its replies */
		grown = realloc(f->data, want);
		if (grown == NULL)
			return -ENOMEM;
		f->data = grown;
		f->cap = want;
	}
	do
		n = read(f->from, f->data + f->end, f->cap - f->end);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		if (f->start == f->end)
			f->last = now_s(); /* bytes start to wait for the client */
		f->end += (size_t)n;
		f->total += (size_t)n;
		return 0;
	}
	if (n == 0 || errno == ECONNRESET) {
		f->eof = true;
		return 0;
	}
	return errno == EAGAIN ? 0 : -errno;
}

/* Write what is pending, as much as `to` takes.  0 or -errno (EPIPE: the reader is gone). */
static int flow_write(struct flow *f)
{
	ssize_t n;

	while (f->start < f->end) {
		if (f->to_socket)
			n = send(f->to, f->data + f->start, f->end - f->start, MSG_NOSIGNAL);
		else
			n = write(f->to, f->data + f->start, f->end - f->start);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		f->start += (size_t)n;
		f->last = now_s();
	}
	f->start = f->end = 0;
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double up_last; /* when an incomplete message last made progress (or could not) */

static bool up_pending(void)
{
	return up.start < up.ready;
}

/* stdin is read while the daemon keeps up: less than BUF_SIZE of whole messages waiting */
static bool up_room(void)
{
	/* nor while replies wait for the client: it is not reading them */
	return !up.eof && !up.closed && up.ready - up.start < BUF_SIZE &&
	       down.end - down.start < BUF_SIZE;
}

static void up_free(void)
{
	free(up.data);
	up.data = NULL;
	free(down.data);
	down.data = NULL;
}

/*
 * Read what stdin has and cut it into messages.  -1 to go on, else the exit status (a read
 * error, or the client broke the framing: the session is closed).
 */
static int up_read(void)
{
	size_t pos, want;
	const char *why;
	ssize_t n;
	char *p;

	if (up.start > 0) {
		memmove(up.data, up.data + up.start, up.end - up.start);
		up.ready -= up.start;
		up.end -= up.start;
		up.start = 0;
	}
	if (up.cap - up.end < BUF_SIZE) {
		want = up.cap * 2 > up.end + BUF_SIZE ? up.cap * 2 : up.end + BUF_SIZE;
		p = realloc(up.data, want);
		if (p == NULL) {
			say("out of memory for a message of %zu bytes", up.end - up.ready);
			return EXIT_IO;
		}
		up.data = p;
		up.cap = want;
	}
	do
		n = read(STDIN_FILENO, up.data + up.end, BUF_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return -1;
		say("cannot read the SSH channel: %s", strerror(errno));
		return EXIT_IO;
	}
	if (n == 0) {
		up.eof = true;
		if (up.fr.started)
			say("the client closed its side in the middle of a message: its %zu bytes "
			    "are dropped",
			    up.end - up.ready);
		up.end = up.ready;
		return -1;
	}
	pos = up.end;
	up.end += (size_t)n;
	up_last = now_s();
	why = frame_feed(&up.fr, up.data, pos, up.end, &up.ready);
	if (why != NULL) {
		say("closing the session: %s (after %lu whole messages)", why, up.fr.messages);
		return EXIT_PROTOCOL;
	}
	return -1;
}

/* Write whole messages to the daemon, as much as it takes.  0 or -errno. */
static int up_write(int sock)
{
	ssize_t n;

	while (up.start < up.ready) {
		n = send(sock, up.data + up.start, up.ready - up.start, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		up.start += (size_t)n;
	}
	return 0;
}

/*
 * One pass over both directions after poll(): read what is ready, write what is pending.
 * -1 to go on, else the exit status.
 */
static int relay_step(const struct pollfd *p, int sock, const char *path)
{
	int r;

	if (p[0].revents != 0 && up_room()) {
		r = up_read();
		if (r >= 0)
			return r;
	}
	if (up_pending() && (r = up_write(sock)) < 0) {
		if (r != -EPIPE && r != -ECONNRESET) {
			say("cannot write to %s: %s", path, strerror(-r));
			return EXIT_IO;
		}
		/* the daemon stopped reading: drop the rest, still take its last words */
		up.closed = true;
		up.start = up.ready = up.end = 0;
	}
	if ((p[2].revents & (POLLIN | POLLHUP | POLLERR)) && flow_room(&down)) {
		r = flow_read(&down);
		if (r == -ENOBUFS) {
			say("closing the session: the client does not read its replies (%zu MiB "
			    "waiting)",
			    (down.end - down.start) >> 20);
			return EXIT_PROTOCOL;
		}
		if (r < 0) {
			say("cannot read from %s: %s", path, strerror(-r));
			return EXIT_IO;
		}
	}
	if (flow_pending(&down) && (r = flow_write(&down)) < 0) {
		/* EPIPE: the client is gone, and with it anyone to tell */
		if (r == -EPIPE)
			return EXIT_SUCCESS;
		say("cannot write to the SSH channel: %s", strerror(-r));
		return EXIT_IO;
	}
	return -1;
}

/* The daemon closed before its <hello>, although the client had not left. */
static noreturn void refused(const char *path)
{
	no_session(EXIT_REFUSED,
		   "hybridgwd closed the connection on %s before its <hello>: uid %u has no "
		   "NETCONF role (see netconf-users in hybridgwd's configuration directory), or "
		   "hybridgwd refused the session; its log says which",
		   path, (unsigned)getuid());
}

/* The relay, until the daemon closes.  Returns the exit status. */
static int relay(int sock, const char *path)
{
	bool shut = false;
	double left;
	int rc, timeout;

	down.from = sock;
	down.to = STDOUT_FILENO;
	down.to_socket = is_socket(STDOUT_FILENO);
	atexit(up_free);
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = STDOUT_FILENO, .events = POLLOUT },
			{ .fd = sock, .events = 0 },
		};

		if (down.eof && !flow_pending(&down)) {
			if (down.total == 0 && !up.eof)
				refused(path);
			return EXIT_SUCCESS;
		}
		/* the client is done and all it sent is with the daemon: say so, keep reading */
		if ((up.eof || up.closed) && !up_pending() && !shut) {
			(void)shutdown(sock, SHUT_WR);
			shut = true;
		}
		/*
		 * An incomplete message: the client has message_timeout seconds for each next
		 * byte.  The clock stops while stdin is not read (the daemon is behind).
		 */
		timeout = -1;
		if (!up_room())
			up_last = now_s();
		else if (up.fr.started) {
			left = up_last + message_timeout - now_s();
			if (left <= 0) {
				say("closing the session: an incomplete message (%zu bytes) got no byte "
				    "for %d s",
				    up.end - up.ready, message_timeout);
				return EXIT_PROTOCOL;
			}
			timeout = (int)(left * 1000) + 1;
		}
		/* replies the client does not take: it has message_timeout seconds for each */
		if (flow_pending(&down)) {
			left = down.last + message_timeout - now_s();
			if (left <= 0) {
				say("closing the session: the client took no reply byte for %d s "
				    "(%zu bytes waiting)",
				    message_timeout, down.end - down.start);
				return EXIT_PROTOCOL;
			}
			if (timeout < 0 || (int)(left * 1000) + 1 < timeout)
				timeout = (int)(left * 1000) + 1;
		}
		/* a descriptor with nothing to wait for is left out, or its POLLHUP would spin */
		if (!up_room())
			p[0].fd = -1;
		if (!flow_pending(&down))
			p[1].fd = -1;
		if (flow_room(&down))
			p[2].events |= POLLIN;
		if (up_pending())
			p[2].events |= POLLOUT;
		if (p[2].events == 0)
			p[2].fd = -1;
		if (poll(p, 3, timeout) < 0) {
			if (errno == EINTR)
				continue;
			say("poll: %s", strerror(errno));
			return EXIT_IO;
		}
		rc = relay_step(p, sock, path);
		if (rc >= 0)
			return rc;
	}
}

int main(int argc, char *argv[])
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sock, rc;

	parse_options(argc, argv, &sa);
	openlog(prog, LOG_PID, LOG_DAEMON);
	signal(SIGPIPE, SIG_IGN);
	sock = connect_daemon(&sa);
	stdio_nonblocking();
	rc = relay(sock, sa.sun_path);
	close(sock);
	return rc;
}
