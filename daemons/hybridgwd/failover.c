/*
 * failover.c - path classes and the switch history (failover.h).
 */
#include "config.h"

#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "failover.h"

const char *failover_path_str(const struct failover_path *p, char *buf, size_t size)
{
	switch (p->cls) {
	case FAILOVER_NONE:
		snprintf(buf, size, "none");
		break;
	case FAILOVER_PRIVATE:
		snprintf(buf, size, "private");
		break;
	case FAILOVER_VPN:
		snprintf(buf, size, "vpn x%u", p->n_tunnels);
		break;
	case FAILOVER_OTHER:
		snprintf(buf, size, "other");
		break;
	}
	return buf;
}

bool failover_path_equal(const struct failover_path *a, const struct failover_path *b)
{
	return a->cls == b->cls && (a->cls != FAILOVER_VPN || a->n_tunnels == b->n_tunnels);
}

static bool in_list(const char *name, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != NULL && !strcmp(v[i], name))
			return true;
	return false;
}

struct failover_path failover_classify(const struct hgw_nl_view *v, const char *const *private_ifs,
				       size_t n_private, const char *const *tunnel_ifs,
				       size_t n_tunnel)
{
	struct failover_path p = { .cls = FAILOVER_NONE };
	bool priv = false, other = false;
	unsigned tunnels = 0;

	if (v == NULL || !v->present)
		return p;
	for (size_t i = 0; i < v->n_nh; i++) {
		const struct hgw_nl_nexthop *nh = &v->nh[i];

		if (nh->flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN))
			continue;
		if (in_list(nh->ifname, private_ifs, n_private))
			priv = true;
		else if (in_list(nh->ifname, tunnel_ifs, n_tunnel))
			tunnels++;
		else
			other = true;
	}
	/* A mix counts as its best member: the private path carries the traffic it hashes. */
	if (priv)
		p.cls = FAILOVER_PRIVATE;
	else if (tunnels > 0) {
		p.cls = FAILOVER_VPN;
		p.n_tunnels = tunnels;
	} else if (other)
		p.cls = FAILOVER_OTHER;
	return p;
}

const struct failover_event *failover_record(struct failover_history *h, const char *prefix,
					     const struct failover_path *from,
					     const struct failover_path *to, const char *cause,
					     uint64_t cause_us, uint64_t switch_us,
					     const struct timespec *when)
{
	struct failover_event *e = &h->v[h->next];
	bool known = cause_us != 0 && cause_us <= switch_us &&
		     switch_us - cause_us <= FAILOVER_CAUSE_MAX_AGE_US;

	memset(e, 0, sizeof(*e));
	e->seq = ++h->seq;
	e->when = *when;
	snprintf(e->prefix, sizeof(e->prefix), "%s", prefix);
	e->from = *from;
	e->to = *to;
	snprintf(e->cause, sizeof(e->cause), "%s", known ? cause : "routing");
	e->cause_us = known ? cause_us : 0;
	e->switch_us = switch_us;
	e->gap_us = known ? (int64_t)(switch_us - cause_us) : -1;
	h->next = (h->next + 1) % FAILOVER_HISTORY;
	if (h->n < FAILOVER_HISTORY)
		h->n++;
	return e;
}

const struct failover_event *failover_get(const struct failover_history *h, size_t i)
{
	if (i >= h->n)
		return NULL;
	return &h->v[(h->next + FAILOVER_HISTORY - 1 - i) % FAILOVER_HISTORY];
}
