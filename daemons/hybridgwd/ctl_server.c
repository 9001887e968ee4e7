/*
 * ctl_server.c - the control socket on sd-event.
 *
 * Startup, under flock(2) on the socket's directory: probe an existing socket file with
 * connect().  If a daemon answers, refuse to start; if nobody does, the file is stale and
 * is removed.  Then bind and listen.  The lock makes probe, unlink and bind one step with
 * respect to a second daemon starting at the same moment.  Shutdown takes the lock too and
 * removes the socket only if it is still the inode this daemon created, so a daemon that
 * is stopping cannot delete the socket of the one that replaced it.
 *
 * A client is a small state machine driven by its io source: read until the parser has a
 * complete request, encode the reply, write it out, close.  Its timer closes it if that
 * takes longer than CTL_CLIENT_TIMEOUT_USEC.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_server.h"
#include "log.h"

/* The CLI makes one short connection at a time: these limits are generous for it and
 * still keep a misbehaving local peer from tying up file descriptors. */
#define CTL_MAX_CLIENTS 16
#define CTL_LISTEN_BACKLOG 16
/* A client sends its request right after connecting; three seconds is slack for a loaded
 * machine, not for a slow peer. */
#define CTL_CLIENT_TIMEOUT_USEC (3 * 1000000ULL)
#define CTL_ERROR_REPLY_MAX 256

struct ctl_client {
	LIST_ENTRY(ctl_client) entry;
	struct ctl_server *server;
	int fd;
	sd_event_source *io;
	sd_event_source *timer;
	size_t req_len;
	char req[HGW_CTL_REQUEST_MAX];
	char *reply; /* owned; NULL while the request is being read */
	size_t reply_len;
	size_t reply_off;
};

struct ctl_server {
	sd_event *event;
	int fd; /* listening socket, -1 if we never got that far */
	sd_event_source *listen_io;
	dev_t dev; /* the socket file we created */
	ino_t ino;
	ctl_status_fn status_fn;
	void *userdata;
	LIST_HEAD(, ctl_client) clients;
	unsigned nclients;
	bool saturated; /* CTL_MAX_CLIENTS reached, warned once */
	char path[HGW_CTL_PATH_MAX];
};

typedef int (*request_handler)(struct ctl_client *client);

static int handle_status(struct ctl_client *client);

static const request_handler request_handlers[] = {
	[HGW_CTL_STATUS] = handle_status,
};

const char *ctl_server_path(const struct ctl_server *server)
{
	return server->path;
}

/*
 * Closing a unix stream socket with unread input resets the connection, and the peer may
 * then get ECONNRESET instead of the rest of our reply: a client whose request was too
 * long would not learn why.  So drop what it has queued (within reason) before closing.
 */
static void drain_input(int fd)
{
	char buf[1024];
	int i;

	for (i = 0; i < 64; i++) {
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			return;
	}
}

static void client_free(struct ctl_client *c)
{
	LIST_REMOVE(c, entry);
	c->server->nclients--;
	c->server->saturated = false;
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->timer);
	drain_input(c->fd);
	close(c->fd);
	free(c->reply);
	free(c);
}

/* Returns 1 when the whole reply is out, 0 to wait for the socket, or -errno. */
static int client_write(struct ctl_client *c)
{
	ssize_t n;

	while (c->reply_off < c->reply_len) {
		n = send(c->fd, c->reply + c->reply_off, c->reply_len - c->reply_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) {
			log_debug("control client went away before its reply was sent");
			return -errno;
		}
		c->reply_off += (size_t)n;
	}
	return 1;
}

static int client_reply(struct ctl_client *c, const char *reply, size_t len)
{
	int r;

	c->reply = malloc(len);
	if (c->reply == NULL)
		return -ENOMEM;
	memcpy(c->reply, reply, len);
	c->reply_len = len;
	r = sd_event_source_set_io_events(c->io, EPOLLOUT);
	if (r < 0)
		return r;
	return client_write(c);
}

static int client_reply_error(struct ctl_client *c, const char *message)
{
	char buf[CTL_ERROR_REPLY_MAX];
	ssize_t n;

	n = hgw_ctl_error_encode(buf, sizeof(buf), message);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EPROTO;
	return client_reply(c, buf, (size_t)n);
}

static int handle_status(struct ctl_client *c)
{
	struct ctl_server *s = c->server;
	char buf[HGW_CTL_REPLY_MAX];
	struct hgw_status status;
	ssize_t n;

	if (s->status_fn(&status, s->userdata) < 0)
		return client_reply_error(c, "cannot collect the status");
	n = hgw_ctl_status_encode(buf, sizeof(buf), &status);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		log_err("cannot encode the status reply");
		return client_reply_error(c, "internal error: cannot encode the status");
	}
	return client_reply(c, buf, (size_t)n);
}

/* Returns 1 when done, 0 to wait for more, or -errno. */
static int client_read(struct ctl_client *c)
{
	enum hgw_ctl_cmd cmd;
	const char *why;
	ssize_t n;
	int r;

	n = recv(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0 && c->req_len == 0) {
		log_debug("control client hung up without a request");
		return -ECONNRESET;
	}
	if (n == 0) /* it shut down its sending side: the request will stay incomplete */
		return client_reply_error(c, "request not terminated by a newline");
	c->req_len += (size_t)n;
	r = hgw_ctl_request_parse(c->req, c->req_len, &cmd, &why);
	if (r == -EAGAIN)
		return 0;
	if (r < 0) {
		log_debug("control client sent a bad request: %s", why);
		return client_reply_error(c, why);
	}
	return request_handlers[cmd](c);
}

static int on_client_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct ctl_client *c = userdata;
	int r;

	(void)source;
	(void)fd;
	(void)revents;
	r = c->reply == NULL ? client_read(c) : client_write(c);
	if (r != 0)
		client_free(c);
	return 0;
}

static int on_client_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
	(void)source;
	(void)usec;
	log_debug("control client timed out");
	client_free(userdata);
	return 0;
}

static int client_new(struct ctl_server *s, int fd)
{
	struct ctl_client *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return -ENOMEM;
	}
	c->server = s;
	c->fd = fd;
	LIST_INSERT_HEAD(&s->clients, c, entry);
	s->nclients++;
	r = sd_event_add_io(s->event, &c->io, fd, EPOLLIN, on_client_io, c);
	if (r >= 0)
		r = sd_event_add_time_relative(s->event, &c->timer, CLOCK_MONOTONIC,
					       CTL_CLIENT_TIMEOUT_USEC, 0, on_client_timeout, c);
	if (r < 0) {
		client_free(c);
		return r;
	}
	return 0;
}

static int on_accept(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct ctl_server *s = userdata;
	int client_fd, r;

	(void)source;
	(void)revents;
	client_fd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (client_fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn_errno(errno, "cannot accept a client on %s", s->path);
		return 0;
	}
	if (s->nclients >= CTL_MAX_CLIENTS) {
		/* Once per episode: a local peer must not be able to flood the log. */
		if (!s->saturated)
			log_warn("dropping control clients: %u are connected already", s->nclients);
		s->saturated = true;
		close(client_fd);
		return 0;
	}
	r = client_new(s, client_fd);
	if (r < 0)
		log_warn_errno(r, "cannot serve a control client");
	return 0;
}

/* Lock the directory that holds path; returns the fd to close to unlock, or -errno. */
static int lock_socket_dir(const char *path)
{
	char dir[HGW_CTL_PATH_MAX];
	char *slash;
	int fd, r;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir ? 1 : 0] = '\0'; /* "/x" -> "/", "/a/x" -> "/a" */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
	}
	return fd;
}

/* 0 if nobody listens on path (a stale socket there is removed), else a logged -errno. */
static int probe_socket(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, salen, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : log_err_errno(errno, "cannot check %s", path);
	if (!S_ISSOCK(st.st_mode)) {
		log_err("%s exists and is not a socket: remove it, or use another --state-dir",
			path);
		return -EEXIST;
	}
	salen = hgw_ctl_sockaddr(&sa, path);
	if (salen < 0)
		return log_err_errno(salen, "bad control socket path %s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_err_errno(errno, "cannot create a socket");
	r = connect(fd, (struct sockaddr *)&sa, (socklen_t)salen) < 0 ? -errno : 0;
	close(fd);
	/* -EAGAIN: the listen backlog is full, which also means somebody listens. */
	if (r == 0 || r == -EAGAIN) {
		log_err("another hybridgwd is already running (it listens on %s): stop it first, "
			"or give this one another --state-dir",
			path);
		return -EADDRINUSE;
	}
	if (r != -ECONNREFUSED)
		return log_err_errno(r, "cannot check whether a daemon listens on %s", path);
	log_notice("removing stale socket %s: the daemon that created it is gone", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return log_err_errno(errno, "cannot remove stale socket %s", path);
	return 0;
}

static int listen_socket(struct ctl_server *s)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_umask;
	int fd, salen, r;

	salen = hgw_ctl_sockaddr(&sa, s->path);
	if (salen < 0)
		return log_err_errno(salen, "bad control socket path %s", s->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_err_errno(errno, "cannot create the control socket");
	/* Born 0660: never a moment with wider permissions.  The daemon is single-threaded,
	 * so nothing else sees this umask. */
	old_umask = umask(0117);
	r = bind(fd, (struct sockaddr *)&sa, (socklen_t)salen);
	umask(old_umask);
	if (r < 0) {
		r = log_err_errno(errno, "cannot bind the control socket %s", s->path);
		close(fd);
		return r;
	}
	if (lstat(s->path, &st) < 0 || listen(fd, CTL_LISTEN_BACKLOG) < 0) {
		r = log_err_errno(errno, "cannot listen on %s", s->path);
		unlink(s->path);
		close(fd);
		return r;
	}
	s->fd = fd;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

static int open_listener(struct ctl_server *s)
{
	int lock_fd, r;

	lock_fd = lock_socket_dir(s->path);
	if (lock_fd < 0)
		return log_err_errno(lock_fd, "cannot lock the directory of %s", s->path);
	r = probe_socket(s->path);
	if (r == 0)
		r = listen_socket(s);
	close(lock_fd);
	return r;
}

static void remove_socket(struct ctl_server *s)
{
	struct stat st;
	int lock_fd;

	/* If locking fails, removing our own socket unlocked still beats leaving it. */
	lock_fd = lock_socket_dir(s->path);
	if (lstat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino &&
	    unlink(s->path) < 0)
		log_warn_errno(errno, "cannot remove %s", s->path);
	if (lock_fd >= 0)
		close(lock_fd);
}

int ctl_server_new(sd_event *event, const char *path, ctl_status_fn status_fn, void *userdata,
		   struct ctl_server **ret)
{
	struct ctl_server *s;
	int r;

	if (strlen(path) >= HGW_CTL_PATH_MAX)
		return log_err_errno(ENAMETOOLONG, "control socket path %s", path);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return log_err_errno(ENOMEM, "cannot set up the control socket");
	s->event = sd_event_ref(event);
	s->fd = -1;
	s->status_fn = status_fn;
	s->userdata = userdata;
	LIST_INIT(&s->clients);
	memcpy(s->path, path, strlen(path) + 1);

	r = open_listener(s);
	if (r >= 0) {
		r = sd_event_add_io(event, &s->listen_io, s->fd, EPOLLIN, on_accept, s);
		if (r < 0)
			log_err_errno(r, "cannot watch the control socket");
	}
	if (r < 0) {
		ctl_server_free(s);
		return r;
	}
	log_info("control socket listening on %s", path);
	*ret = s;
	return 0;
}

void ctl_server_free(struct ctl_server *s)
{
	if (s == NULL)
		return;
	while (!LIST_EMPTY(&s->clients))
		client_free(LIST_FIRST(&s->clients));
	sd_event_source_disable_unref(s->listen_io);
	if (s->fd >= 0) {
		remove_socket(s);
		close(s->fd);
	}
	sd_event_unref(s->event);
	free(s);
}
