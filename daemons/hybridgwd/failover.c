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

void failover_cause_set(struct failover_cause causes[FAILOVER_CAUSE_KINDS],
			enum failover_cause_kind kind, const char *subject, uint64_t at_us,
			const char *text)
{
	/* DOWN and UP of the same thing are pairs: 0/1, 2/3 */
	struct failover_cause *opposite = &causes[(unsigned)kind ^ 1u];

	if (!strcmp(opposite->subject, subject))
		opposite->at_us = 0;
	snprintf(causes[kind].text, sizeof(causes[kind].text), "%s", text);
	snprintf(causes[kind].subject, sizeof(causes[kind].subject), "%s", subject);
	causes[kind].at_us = at_us;
}

bool failover_cause_fits(enum failover_cause_kind kind, const struct failover_path *from,
			 const struct failover_path *to)
{
	bool from_priv = from->cls == FAILOVER_PRIVATE, to_priv = to->cls == FAILOVER_PRIVATE;
	bool from_vpn = from->cls == FAILOVER_VPN, to_vpn = to->cls == FAILOVER_VPN;

	switch (kind) {
	case FAILOVER_CAUSE_PRIVATE_DOWN:
		return from_priv && !to_priv;
	case FAILOVER_CAUSE_PRIVATE_UP:
		return to_priv && !from_priv;
	case FAILOVER_CAUSE_TUNNEL_DOWN:
		return from_vpn && !to_priv && (!to_vpn || to->n_tunnels < from->n_tunnels);
	case FAILOVER_CAUSE_TUNNEL_UP:
		return to_vpn && !from_priv && (!from_vpn || to->n_tunnels > from->n_tunnels);
	case FAILOVER_CAUSE_KINDS:
		break;
	}
	return false;
}

const struct failover_event *
failover_record(struct failover_history *h, const char *prefix, const struct failover_path *from,
		const struct failover_path *to,
		const struct failover_cause causes[FAILOVER_CAUSE_KINDS], uint64_t switch_us,
		const struct timespec *when)
{
	struct failover_event *e = &h->v[h->next];
	const struct failover_cause *best = NULL;

	for (int k = 0; k < FAILOVER_CAUSE_KINDS; k++) {
		const struct failover_cause *c = &causes[k];

		if (c->at_us == 0 || c->at_us > switch_us ||
		    switch_us - c->at_us > FAILOVER_CAUSE_MAX_AGE_US ||
		    !failover_cause_fits((enum failover_cause_kind)k, from, to))
			continue;
		if (best == NULL || c->at_us > best->at_us)
			best = c;
	}
	memset(e, 0, sizeof(*e));
	e->seq = ++h->seq;
	e->when = *when;
	snprintf(e->prefix, sizeof(e->prefix), "%s", prefix);
	e->from = *from;
	e->to = *to;
	snprintf(e->cause, sizeof(e->cause), "%s", best != NULL ? best->text : "routing");
	e->cause_us = best != NULL ? best->at_us : 0;
	e->switch_us = switch_us;
	e->gap_us = best != NULL ? (int64_t)(switch_us - best->at_us) : -1;
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
