/*
 * liveness.c - the tunnel liveness probe (liveness.h).
 */
#include "config.h"

#include <errno.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "liveness.h"
#include "log.h"

#define USEC_PER_MSEC 1000ULL

enum liveness_state liveness_step(struct liveness_sm *sm, enum liveness_input in, uint64_t now,
				  bool *changed)
{
	uint64_t budget = sm->interval_us * sm->multiplier;
	bool silent = now > sm->last_rx && now - sm->last_rx > budget;

	*changed = false;
	switch (sm->state) {
	case LIVENESS_UNARMED:
		if (in == LIVENESS_REPLY) {
			sm->state = LIVENESS_UP;
			sm->last_rx = now;
		}
		break;
	case LIVENESS_UP:
		if (in == LIVENESS_REPLY) {
			sm->last_rx = now;
		} else if (silent) {
			sm->state = LIVENESS_DOWN;
			*changed = true;
		}
		break;
	case LIVENESS_DOWN:
		if (in == LIVENESS_REPLY) {
			sm->last_rx = now;
			sm->recovering_since = now;
			sm->state = LIVENESS_RECOVERING;
		}
		break;
	case LIVENESS_RECOVERING:
		if (in == LIVENESS_REPLY)
			sm->last_rx = now;
		else if (silent) {
			/* a gap during the hold-down: start it again at the next reply */
			sm->state = LIVENESS_DOWN;
			break;
		}
		if (now - sm->recovering_since >= sm->hold_down_us) {
			sm->state = LIVENESS_UP;
			*changed = true;
		}
		break;
	}
	return sm->state;
}

const char *liveness_state_name(enum liveness_state s)
{
	switch (s) {
	case LIVENESS_UNARMED:
		return "unarmed";
	case LIVENESS_UP:
		return "up";
	case LIVENESS_DOWN:
		return "down";
	case LIVENESS_RECOVERING:
		return "recovering";
	}
	return "?";
}

struct liveness {
	struct liveness_sm sm;
	struct liveness_config cfg;
	char ifname[IFNAMSIZ];
	int fd;
	uint16_t seq;
	sd_event_source *io, *timer;
	liveness_fn fn;
	void *arg;
	struct liveness_stats stats;
};

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void input(struct liveness *l, enum liveness_input in)
{
	uint64_t now = hgw_now_usec();
	enum liveness_state before = l->sm.state;
	bool changed;

	liveness_step(&l->sm, in, now, &changed);
	if (before == LIVENESS_UNARMED && l->sm.state == LIVENESS_UP)
		log_info("liveness %s: first reply, detection armed", l->ifname);
	if (changed)
		l->fn(l->arg, l->sm.state == LIVENESS_UP, now);
}

static void send_probe(struct liveness *l)
{
	struct {
		struct icmphdr h;
		uint64_t sent;
	} pkt = { 0 };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = l->cfg.dst };

	pkt.h.type = ICMP_ECHO;
	pkt.h.un.echo.id = htons(l->cfg.ident);
	pkt.h.un.echo.sequence = htons(++l->seq);
	pkt.sent = hgw_now_usec();
	pkt.h.checksum = csum(&pkt, sizeof(pkt));
	if (sendto(l->fd, &pkt, sizeof(pkt), MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) < 0)
		l->stats.send_errors++;
	else
		l->stats.sent++;
}

static void drain(struct liveness *l);

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct liveness *l = userdata;
	uint64_t now = hgw_now_usec();

	(void)usec;
	/* replies that arrived while the loop was busy count before the silence is judged */
	drain(l);
	input(l, LIVENESS_TICK);
	send_probe(l);
	return sd_event_source_set_time(s, now + l->sm.interval_us);
}

bool liveness_is_reply(const void *buf, size_t len, uint16_t ident, struct in_addr from,
		       struct in_addr dst)
{
	const uint8_t *b = buf;
	struct iphdr ip;
	struct icmphdr h;
	size_t hl;

	if (len < sizeof(ip))
		return false;
	memcpy(&ip, b, sizeof(ip));
	hl = (size_t)ip.ihl * 4;
	if (ip.version != 4 || hl < sizeof(ip) || len < hl + sizeof(h))
		return false;
	memcpy(&h, b + hl, sizeof(h));
	return h.type == ICMP_ECHOREPLY && ntohs(h.un.echo.id) == ident &&
	       from.s_addr == dst.s_addr && ip.saddr == dst.s_addr;
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	(void)s;
	(void)fd;
	(void)revents;
	drain(userdata);
	return 0;
}

static void drain(struct liveness *l)
{
	int fd = l->fd;
	uint8_t buf[512];

	for (;;) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &flen);

		if (n < 0)
			return;
		if (!liveness_is_reply(buf, (size_t)n, l->cfg.ident, from.sin_addr, l->cfg.dst))
			continue;
		l->stats.received++;
		input(l, LIVENESS_REPLY);
	}
}

int liveness_new(sd_event *event, const struct liveness_config *cfg, liveness_fn fn, void *arg,
		 struct liveness **out)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = cfg->src };
	struct icmp_filter filt = { .data = ~(1U << ICMP_ECHOREPLY) };
	struct liveness *l;
	int r;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->fd = -1;
	l->cfg = *cfg;
	snprintf(l->ifname, sizeof(l->ifname), "%s", cfg->ifname);
	l->cfg.ifname = l->ifname;
	l->fn = fn;
	l->arg = arg;
	l->sm = (struct liveness_sm){ .state = cfg->start_down ? LIVENESS_DOWN : LIVENESS_UNARMED,
				      .interval_us = cfg->interval_ms * USEC_PER_MSEC,
				      .multiplier = cfg->multiplier,
				      .hold_down_us = cfg->hold_down_ms * USEC_PER_MSEC,
				      .last_rx = hgw_now_usec() };
	l->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (l->fd < 0) {
		r = -errno;
		goto fail;
	}
	if (setsockopt(l->fd, SOL_SOCKET, SO_BINDTODEVICE, l->ifname, strlen(l->ifname) + 1) < 0 ||
	    setsockopt(l->fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt)) < 0 ||
	    bind(l->fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		r = -errno;
		goto fail;
	}
	r = sd_event_add_io(event, &l->io, l->fd, EPOLLIN, on_readable, l);
	if (r == 0)
		r = sd_event_add_time_relative(event, &l->timer, CLOCK_MONOTONIC, 0, 0, on_timer,
					       l);
	if (r == 0)
		r = sd_event_source_set_enabled(l->timer, SD_EVENT_ON);
	if (r < 0)
		goto fail;
	*out = l;
	return 0;
fail:
	liveness_free(l);
	return r;
}

void liveness_free(struct liveness *l)
{
	if (l == NULL)
		return;
	sd_event_source_disable_unref(l->io);
	sd_event_source_disable_unref(l->timer);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}

enum liveness_state liveness_get_state(const struct liveness *l)
{
	return l->sm.state;
}

const struct liveness_stats *liveness_stats(const struct liveness *l)
{
	return &l->stats;
}
