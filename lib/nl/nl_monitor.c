/*
 * nl_monitor.c - the event socket on the sd-event loop: links, addresses and routes as
 * they change, the watched prefixes looked up again when they may have changed, and a
 * full re-read when notifications were lost.  See nl.h for the design.
 */
#include "config.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "log.h"
#include "nl/nl_internal.h"

/* One datagram from the kernel: a notification is one message, a few KiB at most. */
#define MON_BUF_SIZE (64 * 1024)
#define DEFAULT_RCVBUF (4 * 1024 * 1024)

static void ts_now(struct hgw_nl_ts *ts)
{
	clock_gettime(CLOCK_REALTIME, &ts->real);
	clock_gettime(CLOCK_MONOTONIC, &ts->mono);
	ts->kernel = false;
}

/* ---- the link table ---- */

static struct hgw_nl_link *link_find(struct hgw_nl *nl, int ifindex)
{
	for (size_t i = 0; i < nl->n_links; i++) {
		if (nl->links[i].ifindex == ifindex)
			return &nl->links[i];
	}
	return NULL;
}

static int link_set(struct hgw_nl *nl, int ifindex, const char *name, unsigned flags)
{
	struct hgw_nl_link *l = link_find(nl, ifindex);

	if (l == NULL) {
		struct hgw_nl_link *grown = realloc(nl->links, (nl->n_links + 1) * sizeof(*grown));

		if (grown == NULL)
			return -ENOMEM;
		nl->links = grown;
		l = &nl->links[nl->n_links++];
		l->ifindex = ifindex;
	}
	l->flags = flags;
	snprintf(l->name, sizeof(l->name), "%s", name);
	return 0;
}

int hgw_nl_link_flags(struct hgw_nl *nl, const char *name, unsigned *flags)
{
	for (size_t i = 0; i < nl->n_links; i++) {
		if (strcmp(nl->links[i].name, name) == 0) {
			*flags = nl->links[i].flags;
			return 0;
		}
	}
	return -ENODEV;
}

static void link_remove(struct hgw_nl *nl, int ifindex)
{
	struct hgw_nl_link *l = link_find(nl, ifindex);

	if (l != NULL)
		*l = nl->links[--nl->n_links];
}

static void report_link(struct hgw_nl *nl, const struct hgw_nl_link *l, bool deleted,
			const struct hgw_nl_ts *ts)
{
	struct hgw_nl_link_event ev = {
		.ifindex = l->ifindex,
		.ifname = l->name,
		.flags = l->flags,
		.deleted = deleted,
	};

	if (nl->ops != NULL && nl->ops->link != NULL)
		nl->ops->link(nl, &ev, ts, nl->userdata);
}

struct dump_ctx {
	struct hgw_nl_link *links;
	size_t n;
	int err;
};

static void dump_one(struct nl_object *obj, void *arg)
{
	struct rtnl_link *link = (struct rtnl_link *)obj;
	struct dump_ctx *ctx = arg;
	struct hgw_nl_link *grown = realloc(ctx->links, (ctx->n + 1) * sizeof(*grown));
	const char *name = rtnl_link_get_name(link);

	if (grown == NULL) {
		ctx->err = -ENOMEM;
		return;
	}
	ctx->links = grown;
	grown[ctx->n].ifindex = rtnl_link_get_ifindex(link);
	grown[ctx->n].flags = rtnl_link_get_flags(link);
	snprintf(grown[ctx->n].name, IFNAMSIZ, "%s", name != NULL ? name : "");
	ctx->n++;
}

/* Replace the link table with a fresh dump; report what differs. */
static int links_reload(struct hgw_nl *nl, const struct hgw_nl_ts *ts)
{
	struct dump_ctx ctx = { 0 };
	struct nl_cache *cache;
	int r = rtnl_link_alloc_cache(nl->cmd, AF_UNSPEC, &cache);

	if (r < 0)
		return log_err_errno(hgw_nl_errno(r), "cannot dump the links");
	nl_cache_foreach(cache, dump_one, &ctx);
	nl_cache_free(cache);
	if (ctx.err < 0) {
		free(ctx.links);
		return ctx.err;
	}
	for (size_t i = 0; i < nl->n_links; i++) {
		bool found = false;

		for (size_t j = 0; j < ctx.n && !found; j++)
			found = ctx.links[j].ifindex == nl->links[i].ifindex;
		if (!found)
			report_link(nl, &nl->links[i], true, ts);
	}
	for (size_t j = 0; j < ctx.n; j++) {
		const struct hgw_nl_link *old = link_find(nl, ctx.links[j].ifindex);

		if (old == NULL || old->flags != ctx.links[j].flags ||
		    strcmp(old->name, ctx.links[j].name) != 0)
			report_link(nl, &ctx.links[j], false, ts);
	}
	free(nl->links);
	nl->links = ctx.links;
	nl->n_links = ctx.n;
	return 0;
}

/* ---- watches ---- */

static struct hgw_nl_watch *watch_find(struct hgw_nl *nl, const struct hgw_nl_prefix *p)
{
	for (size_t i = 0; i < nl->n_watches; i++) {
		if (hgw_nl_prefix_equal(&nl->watches[i].prefix, p))
			return &nl->watches[i];
	}
	return NULL;
}

/* Ask the kernel what carries w's prefix; report it if it changed. */
static int watch_refresh(struct hgw_nl *nl, struct hgw_nl_watch *w, const struct hgw_nl_ts *ts)
{
	struct hgw_nl_view v;
	int r = hgw_nl_lookup(nl, &w->prefix, &v);

	w->dirty = false;
	if (r < 0) {
		char buf[HGW_NL_PREFIX_STRLEN];

		return log_warn_errno(r, "cannot look up %s",
				      hgw_nl_prefix_format(&w->prefix, buf, sizeof(buf)));
	}
	if (w->reported && hgw_nl_view_equal(&v, &w->view))
		return 0;
	w->view = v;
	w->reported = true;
	nl->stats.views++;
	if (nl->ops != NULL && nl->ops->view != NULL)
		nl->ops->view(nl, &w->view, ts, nl->userdata);
	return 0;
}

int hgw_nl_watch(struct hgw_nl *nl, const struct hgw_nl_prefix *p)
{
	struct hgw_nl_watch *w = watch_find(nl, p), *grown;
	struct hgw_nl_ts ts;

	if (w != NULL)
		return 0;
	grown = realloc(nl->watches, (nl->n_watches + 1) * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	nl->watches = grown;
	w = &nl->watches[nl->n_watches++];
	memset(w, 0, sizeof(*w));
	w->prefix = *p;
	ts_now(&ts);
	return watch_refresh(nl, w, &ts);
}

int hgw_nl_unwatch(struct hgw_nl *nl, const struct hgw_nl_prefix *p)
{
	struct hgw_nl_watch *w = watch_find(nl, p);

	if (w == NULL)
		return -ENOENT;
	*w = nl->watches[--nl->n_watches];
	return 0;
}

const struct hgw_nl_view *hgw_nl_watched_view(struct hgw_nl *nl, const struct hgw_nl_prefix *p)
{
	struct hgw_nl_watch *w = watch_find(nl, p);

	return w != NULL && w->reported ? &w->view : NULL;
}

static int resync(struct hgw_nl *nl, int why)
{
	struct hgw_nl_ts ts;
	int r;

	ts_now(&ts);
	nl->stats.resyncs++;
	r = links_reload(nl, &ts);
	/* a link may have gone down and up in the gap, losing its link-local */
	hgw_nl_ll_restore_all(nl);
	for (size_t i = 0; i < nl->n_watches; i++) {
		int q = watch_refresh(nl, &nl->watches[i], &ts);

		r = r < 0 ? r : q;
	}
	if (nl->ops != NULL && nl->ops->resync != NULL)
		nl->ops->resync(nl, why, nl->userdata);
	return r;
}

int hgw_nl_resync(struct hgw_nl *nl)
{
	return resync(nl, 0);
}

/* ---- notifications ---- */

/* A link notification: keep the table, report, and say whether watches may be affected. */
static bool on_link(struct hgw_nl *nl, struct nlmsghdr *h, const struct hgw_nl_event_info *info,
		    const struct hgw_nl_ts *ts)
{
	struct nlattr *name = nlmsg_find_attr(h, sizeof(struct ifinfomsg), IFLA_IFNAME);
	struct hgw_nl_link *old = link_find(nl, info->ifindex), l = { .ifindex = info->ifindex };
	bool changed = old == NULL || old->flags != info->ifflags;

	if (h->nlmsg_type == RTM_DELLINK) {
		if (old != NULL) {
			l = *old;
			link_remove(nl, info->ifindex);
			report_link(nl, &l, true, ts);
		}
		return true;
	}
	l.flags = info->ifflags;
	if (name != NULL)
		nla_strlcpy(l.name, name, sizeof(l.name));
	else if (old != NULL)
		memcpy(l.name, old->name, sizeof(l.name));
	changed = changed || strcmp(l.name, old->name) != 0;
	if (link_set(nl, l.ifindex, l.name, l.flags) < 0)
		return true;
	/* up by someone else's hand (ours adds it at once): the kernel made no link-local */
	if (changed && (l.flags & IFF_UP))
		hgw_nl_ll_restore(nl, l.name);
	if (changed)
		report_link(nl, &l, false, ts);
	return changed;
}

/* An IPv6 address deleted: if it was the link-local of ours on a link that is up (a flush),
 * add it again.  On a link going down the kernel deletes it too; the restore then finds
 * the link down and leaves it. */
static void on_addr(struct hgw_nl *nl, struct nlmsghdr *h, const struct hgw_nl_event_info *info)
{
	const struct ifaddrmsg *ifa = nlmsg_data(h);
	const struct hgw_nl_link *l;

	if (h->nlmsg_type != RTM_DELADDR || ifa->ifa_family != AF_INET6 || nl->n_lls == 0)
		return;
	l = link_find(nl, info->ifindex);
	if (l != NULL)
		hgw_nl_ll_restore(nl, l->name);
}

/* Mark the watches one notification may affect. */
static void on_message(struct hgw_nl *nl, struct nlmsghdr *h, size_t len,
		       const struct hgw_nl_ts *ts)
{
	struct hgw_nl_event_info info;
	bool all = false;

	nl->stats.messages++;
	if (hgw_nl_event_classify(h, len, &info) < 0) {
		log_warn("malformed netlink notification (type %u, %u bytes); reading everything "
			 "again",
			 h->nlmsg_type, h->nlmsg_len);
		resync(nl, -EBADMSG);
		return;
	}
	switch (info.kind) {
	case HGW_NL_EV_LINK:
		all = on_link(nl, h, &info, ts);
		break;
	case HGW_NL_EV_ADDR:
		on_addr(nl, h, &info);
		all = true;
		break;
	case HGW_NL_EV_ROUTE:
		for (size_t i = 0; i < nl->n_watches; i++) {
			if (hgw_nl_prefix_overlap(&nl->watches[i].prefix, &info.dst))
				nl->watches[i].dirty = true;
		}
		break;
	case HGW_NL_EV_OTHER:
		break;
	}
	for (size_t i = 0; all && i < nl->n_watches; i++)
		nl->watches[i].dirty = true;
}

static void on_datagram(struct hgw_nl *nl, size_t len, const struct hgw_nl_ts *ts)
{
	struct nlmsghdr *h = (struct nlmsghdr *)nl->buf;
	int rest = (int)len;

	for (; nlmsg_ok(h, rest); h = nlmsg_next(h, &rest)) {
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_NOOP)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_OVERRUN) {
			resync(nl, -EBADMSG);
			return;
		}
		on_message(nl, h, (size_t)rest, ts);
	}
	for (size_t i = 0; i < nl->n_watches; i++) {
		if (nl->watches[i].dirty)
			watch_refresh(nl, &nl->watches[i], ts);
	}
}

static void take_kernel_ts(struct msghdr *mh, struct hgw_nl_ts *ts)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			memcpy(&ts->real, CMSG_DATA(c), sizeof(ts->real));
			ts->kernel = true;
		}
	}
}

/* Read until the socket is empty; 1 if notifications were lost on the way. */
static int drain(struct hgw_nl *nl)
{
	int fd = nl_socket_get_fd(nl->mon), lost = 0;

	for (;;) {
		char ctrl[CMSG_SPACE(sizeof(struct timespec))];
		struct sockaddr_nl from;
		struct iovec iov = { .iov_base = nl->buf, .iov_len = nl->buf_size };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctrl,
			.msg_controllen = sizeof(ctrl),
		};
		struct hgw_nl_ts ts;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				lost = 1;
				continue;
			}
			if (errno != EAGAIN)
				log_warn_errno(errno, "netlink event socket");
			return lost;
		}
		ts_now(&ts);
		take_kernel_ts(&mh, &ts);
		if (from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC)) {
			/* not from the kernel, or cut: only the kernel talks here, in full */
			lost = lost || (mh.msg_flags & MSG_TRUNC);
			continue;
		}
		on_datagram(nl, (size_t)n, &ts);
	}
}

static int on_mon_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct hgw_nl *nl = userdata;

	(void)source;
	(void)fd;
	(void)revents;
	if (drain(nl)) {
		log_notice("netlink notifications were lost (receive buffer full); reading links "
			   "and watched routes again");
		resync(nl, -ENOBUFS);
	}
	return 0;
}

int hgw_nl_monitor_open(struct hgw_nl *nl, int rcvbuf)
{
	int one = 1, r, fd;
	struct hgw_nl_ts ts;

	nl->buf_size = MON_BUF_SIZE;
	nl->buf = malloc(nl->buf_size);
	nl->mon = nl_socket_alloc();
	if (nl->buf == NULL || nl->mon == NULL)
		return -ENOMEM;
	nl_socket_disable_seq_check(nl->mon);
	r = nl_connect(nl->mon, NETLINK_ROUTE);
	if (r >= 0)
		r = nl_socket_add_memberships(nl->mon, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
					      RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_IFADDR,
					      RTNLGRP_IPV6_ROUTE, 0);
	if (r >= 0)
		r = nl_socket_set_nonblocking(nl->mon);
	if (r < 0)
		return log_err_errno(hgw_nl_errno(r), "cannot open the netlink event socket");
	fd = nl_socket_get_fd(nl->mon);
	/* SO_RCVBUF is capped at net.core.rmem_max; root may go past it */
	rcvbuf = rcvbuf > 0 ? rcvbuf : DEFAULT_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		return log_err_errno(errno, "cannot size the netlink event socket's buffer");
	/* Accepted, but netlink sends no timestamp (nl.h); kept for kernels that do. */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	r = sd_event_add_io(nl->event, &nl->io, fd, EPOLLIN, on_mon_io, nl);
	if (r < 0)
		return log_err_errno(r, "cannot watch the netlink event socket");
	/* subscribed first, then dumped: nothing falls between the two */
	ts_now(&ts);
	return links_reload(nl, &ts);
}

void hgw_nl_monitor_close(struct hgw_nl *nl)
{
	nl->io = sd_event_source_disable_unref(nl->io);
	nl_socket_free(nl->mon);
	nl->mon = NULL;
}
