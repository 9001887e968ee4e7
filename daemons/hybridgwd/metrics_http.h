/*
 * metrics_http.h - the Prometheus endpoint of hybridgwd: GET /metrics over HTTP, on the
 * daemon's event loop.
 *
 * libmicrohttpd (0.9.75) runs without threads of its own: started with MHD_USE_EPOLL and
 * no internal polling thread, its epoll descriptor is an sd-event I/O source and its
 * timeout an sd-event timer, and MHD_run() is called from those.  The listening socket is
 * ours (so that a bind failure says which address and why); MHD closes it.
 *
 * GET (and HEAD) /metrics answers 200 with the body the collect callback renders at that
 * moment; another path is 404, another method 405, a failed collect 500.  Few connections
 * at once and a short idle timeout: a slow or silent client costs a socket, never the loop
 * (MHD reads and writes only what the socket takes).  The collect callback itself runs on
 * the loop and may block it briefly (it asks charon, FRR and the kernel).
 *
 * Only this file includes microhttpd.h.
 */
#ifndef HGWD_METRICS_HTTP_H
#define HGWD_METRICS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#include <systemd/sd-event.h>

/*
 * The exposition now: *body (malloc'd, gets owned by the endpoint) of *len bytes.
 * 0 or -errno (the client gets a 500).
 */
typedef int (*metrics_collect_fn)(void *data, char **body, size_t *len);

struct metrics_http;

/*
 * Listen on addr (borrowed) and serve.  A failure (the address is in use, not local, ...)
 * is logged here, naming the address; the caller may carry on without metrics.
 * 0 or -errno.
 */
int metrics_http_new(sd_event *event, const struct sockaddr *addr, socklen_t addrlen,
		     metrics_collect_fn collect, void *data, struct metrics_http **ret);

/* "127.0.0.1:9474", "[::1]:9474": where it listens (the port the kernel chose for port 0). */
const char *metrics_http_address(const struct metrics_http *m);

/* Stop listening, close every connection.  NULL is ok. */
void metrics_http_free(struct metrics_http *m);

#endif
