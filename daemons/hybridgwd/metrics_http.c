/*
 * metrics_http.c - GET /metrics on libmicrohttpd, driven by sd-event (metrics_http.h).
 *
 * DOC: MHD without threads.
 *
 *   MHD_USE_EPOLL without MHD_USE_INTERNAL_POLLING_THREAD: MHD keeps an epoll set of its
 *   listening socket and connections, and the daemon watches that set's descriptor.  When
 *   it is readable, MHD_run() accepts, reads, answers and writes without blocking.  After
 *   every run, MHD_get_timeout() says when MHD must run again even without I/O (idle
 *   connections to time out, data it already holds); a one-shot timer covers that.
 *
 *   The listening socket is made here rather than by MHD: bind errors then carry the
 *   address and errno, and port 0 works (the log says which port the kernel chose).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "util.h"

#define METRICS_PATH "/metrics"
/* Prometheus scrapes over one connection; a few spare for curl and a second server. */
#define MAX_CONNECTIONS 8
/* Idle seconds before a connection is closed: above Prometheus' default 10 s timeout. */
#define IDLE_TIMEOUT_S 15
/* Per connection: the request headers; the body is a buffer of its own. */
#define CONNECTION_MEMORY (16 * 1024)
#define BACKLOG 16

struct metrics_http {
	sd_event *event;
	struct MHD_Daemon *mhd;
	sd_event_source *io;
	sd_event_source *timer;
	metrics_collect_fn collect;
	void *data;
	char address[INET6_ADDRSTRLEN + 8]; /* "[addr]:port" */
};

static void format_address(const struct sockaddr *sa, char *buf, size_t size)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6 && inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host)))
		snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
	else if (sa->sa_family == AF_INET && inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host)))
		snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
	else
		snprintf(buf, size, "(address family %d)", sa->sa_family);
}

/* A non-blocking listening socket on addr; its address (with the real port) in m. */
static int listen_on(struct metrics_http *m, const struct sockaddr *addr, socklen_t addrlen)
{
	struct sockaddr_storage bound;
	socklen_t len = sizeof(bound);
	int fd, one = 1, r;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a restarted daemon must not wait for the old connections' TIME_WAIT */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, addr, addrlen) < 0 || listen(fd, BACKLOG) < 0 ||
	    getsockname(fd, (struct sockaddr *)&bound, &len) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	format_address((struct sockaddr *)&bound, m->address, sizeof(m->address));
	return fd;
}

static void HGW_PRINTF(2, 0) on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char text[LOG_LINE_MAX];
	size_t n;

	(void)cls;
	vsnprintf(text, sizeof(text), fmt, ap);
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	/* what MHD reports is about one client (a bad request, the connection limit) */
	log_info("metrics: %s", text);
}

/* ---- requests */

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
					       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	r = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "text/plain; charset=utf-8");
	if (r == MHD_YES && status == MHD_HTTP_METHOD_NOT_ALLOWED)
		r = MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (r == MHD_YES)
		r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result reply_metrics(struct metrics_http *m, struct MHD_Connection *conn)
{
	struct MHD_Response *resp;
	char *body = NULL;
	size_t len = 0;
	uint64_t t0 = hgw_now_usec();
	enum MHD_Result r;
	int e;

	e = m->collect(m->data, &body, &len);
	if (e < 0) {
		free(body);
		log_warn_errno(e, "metrics: cannot collect the metrics");
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "cannot collect the metrics: see hybridgwd's log\n");
	}
	resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	r = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, METRICS_CONTENT_TYPE);
	if (r == MHD_YES)
		r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	log_debug("metrics: %zu bytes collected in %llu us", len,
		  (unsigned long long)(hgw_now_usec() - t0));
	return r;
}

/*
 * MHD calls this when the headers are in (*con_cls still NULL), then for each piece of a
 * request body, then once more with nothing left: the answer goes there, so that the
 * connection can be kept alive.  A method we do not serve is answered at once: MHD then
 * discards its body and closes the connection.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	static int started;

	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = &started;
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					  "method not allowed: GET " METRICS_PATH "\n");
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* a GET with a body: ignored */
		return MHD_YES;
	}
	if (strcmp(url, METRICS_PATH) != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND,
				  "not found: the metrics are at " METRICS_PATH "\n");
	return reply_metrics(cls, conn);
}

/* ---- the event loop */

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* Arm the timer for MHD's next deadline, or disarm it. */
static int rearm(struct metrics_http *m)
{
	MHD_UNSIGNED_LONG_LONG ms;
	uint64_t now;
	int r;

	if (MHD_get_timeout(m->mhd, &ms) != MHD_YES)
		return m->timer != NULL ? sd_event_source_set_enabled(m->timer, SD_EVENT_OFF) : 0;
	r = sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	if (r < 0)
		return r;
	if (ms > UINT32_MAX)
		ms = UINT32_MAX;
	now += (uint64_t)ms * 1000;
	/* accuracy 1 us: 0 would be sd-event's default of 250 ms, too late for data MHD holds */
	if (m->timer == NULL)
		return sd_event_add_time(m->event, &m->timer, CLOCK_MONOTONIC, now, 1, on_timer, m);
	r = sd_event_source_set_time(m->timer, now);
	if (r < 0)
		return r;
	return sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
}

static int run(struct metrics_http *m)
{
	int r;

	MHD_run(m->mhd);
	r = rearm(m);
	if (r < 0)
		log_warn_errno(r, "metrics: cannot set the HTTP timer");
	return 0;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	(void)s;
	(void)fd;
	(void)revents;
	return run(userdata);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	return run(userdata);
}

/* ---- life */

static int start(struct metrics_http *m, int fd)
{
	const union MHD_DaemonInfo *info;
	int r;

	/* the logger first, so that MHD's complaints about the other options reach it */
	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, m,
				  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, m,
				  MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  (size_t)CONNECTION_MEMORY, MHD_OPTION_END);
	if (m->mhd == NULL) {
		/*
		 * MHD closes a socket it was given on some of its failure paths and not on
		 * others.  Single-threaded, and MHD has closed whatever it opened, so a
		 * descriptor with this number that is still open is still ours.
		 */
		if (fcntl(fd, F_GETFD) >= 0)
			close(fd);
		return -EINVAL;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL)
		return -EINVAL;
	r = sd_event_add_io(m->event, &m->io, info->epoll_fd, EPOLLIN, on_io, m);
	if (r < 0)
		return r;
	return rearm(m);
}

int metrics_http_new(sd_event *event, const struct sockaddr *addr, socklen_t addrlen,
		     metrics_collect_fn collect, void *data, struct metrics_http **ret)
{
	struct metrics_http *m;
	char want[sizeof(m->address)];
	int fd, r;

	format_address(addr, want, sizeof(want));
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return log_err_errno(ENOMEM, "metrics: cannot serve on %s", want);
	m->event = sd_event_ref(event);
	m->collect = collect;
	m->data = data;
	fd = listen_on(m, addr, addrlen);
	if (fd < 0) {
		log_err("metrics: cannot listen on %s: %s; hybridgwd runs without metrics "
			"(--metrics-listen chooses another address, or none)",
			want, strerror(-fd));
		metrics_http_free(m);
		return fd;
	}
	r = start(m, fd);
	if (r < 0) {
		log_err_errno(r, "metrics: cannot serve HTTP on %s; hybridgwd runs without metrics",
			      m->address);
		metrics_http_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

const char *metrics_http_address(const struct metrics_http *m)
{
	return m->address;
}

void metrics_http_free(struct metrics_http *m)
{
	if (m == NULL)
		return;
	/* sources first: sd-event must let go of MHD's epoll descriptor before MHD closes it */
	sd_event_source_disable_unref(m->io);
	sd_event_source_disable_unref(m->timer);
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd); /* closes the connections and the listening socket */
	sd_event_unref(m->event);
	free(m);
}
