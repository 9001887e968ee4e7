/*
 * nl_types.c - prefixes, views, interface names, notification classifier (pure).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl_types.h"

static size_t addr_size(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static void clear_host_bits(struct hgw_nl_prefix *p)
{
	size_t n = addr_size(p->family);

	for (size_t i = 0; i < n; i++) {
		unsigned keep = p->len > i * 8 ? p->len - i * 8 : 0;

		if (keep < 8)
			p->addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

int hgw_nl_prefix_parse(const char *s, struct hgw_nl_prefix *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	struct hgw_nl_prefix p = { 0 };
	unsigned long len;
	char *end;

	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p.addr) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, addr, p.addr) == 1)
		p.family = AF_INET6;
	else
		return -EINVAL;
	len = addr_size(p.family) * 8;
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || len > addr_size(p.family) * 8)
			return -EINVAL;
	}
	p.len = (uint8_t)len;
	struct hgw_nl_prefix masked = p;

	clear_host_bits(&masked);
	if (memcmp(masked.addr, p.addr, sizeof(p.addr)) != 0)
		return -EINVAL;
	*out = p;
	return 0;
}

char *hgw_nl_prefix_format(const struct hgw_nl_prefix *p, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (inet_ntop(p->family, p->addr, addr, sizeof(addr)) == NULL)
		snprintf(buf, size, "?/%u", p->len);
	else
		snprintf(buf, size, "%s/%u", addr, p->len);
	return buf;
}

bool hgw_nl_prefix_equal(const struct hgw_nl_prefix *a, const struct hgw_nl_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, addr_size(a->family)) == 0;
}

bool hgw_nl_prefix_overlap(const struct hgw_nl_prefix *a, const struct hgw_nl_prefix *b)
{
	struct hgw_nl_prefix x, y;

	if (a->family != b->family)
		return false;
	x = *a;
	y = *b;
	x.len = y.len = a->len < b->len ? a->len : b->len;
	clear_host_bits(&x);
	clear_host_bits(&y);
	return memcmp(x.addr, y.addr, addr_size(a->family)) == 0;
}

static int nh_cmp(const void *pa, const void *pb)
{
	const struct hgw_nl_nexthop *a = pa, *b = pb;

	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->gw, b->gw, sizeof(a->gw));
}

void hgw_nl_view_sort(struct hgw_nl_view *v)
{
	qsort(v->nh, v->n_nh, sizeof(v->nh[0]), nh_cmp);
}

static bool nh_equal(const struct hgw_nl_nexthop *a, const struct hgw_nl_nexthop *b)
{
	return nh_cmp(a, b) == 0 && a->flags == b->flags && a->weight == b->weight &&
	       strcmp(a->ifname, b->ifname) == 0;
}

bool hgw_nl_view_equal(const struct hgw_nl_view *a, const struct hgw_nl_view *b)
{
	if (a->present != b->present)
		return false;
	if (!a->present)
		return true;
	if (!hgw_nl_prefix_equal(&a->match, &b->match) || a->protocol != b->protocol ||
	    a->table != b->table || a->metric != b->metric || a->n_nh != b->n_nh)
		return false;
	for (size_t i = 0; i < a->n_nh; i++) {
		if (!nh_equal(&a->nh[i], &b->nh[i]))
			return false;
	}
	return true;
}

size_t hgw_nl_view_usable(const struct hgw_nl_view *v, bool ignore_linkdown)
{
	size_t n = 0;

	if (!v->present)
		return 0;
	for (size_t i = 0; i < v->n_nh; i++) {
		if (v->nh[i].flags & RTNH_F_DEAD)
			continue;
		if (ignore_linkdown && (v->nh[i].flags & RTNH_F_LINKDOWN))
			continue;
		n++;
	}
	return n;
}

/* FNV-1a, 32 bits: only to tell long names apart, not for security. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

int hgw_nl_ifname(enum hgw_nl_tunnel_kind kind, const char *conn, unsigned instance, char *buf,
		  size_t size)
{
	const char *pfx = kind == HGW_NL_VTI ? "hv-" : "hx-";
	char inst[4], part[IFNAMSIZ];
	size_t room, len = strlen(conn);
	bool plain = true;

	if (len == 0 || instance > HGW_NL_MAX_INSTANCE || size < IFNAMSIZ)
		return -EINVAL;
	snprintf(inst, sizeof(inst), "%u", instance);
	/* 15 = "hv-" + conn + "-" + instance */
	room = IFNAMSIZ - 1 - strlen(pfx) - 1 - strlen(inst);
	for (size_t i = 0; i < len; i++)
		plain = plain && name_char_ok(conn[i]);
	if (plain && len <= room) {
		snprintf(buf, size, "%s%s-%s", pfx, conn, inst);
		return 0;
	}
	/* first characters, '~', four hex digits */
	size_t keep = room - 5;

	if (keep > len)
		keep = len;
	for (size_t i = 0; i < keep; i++)
		part[i] = name_char_ok(conn[i]) ? conn[i] : '_';
	part[keep] = '\0';
	snprintf(buf, size, "%s%s~%04x-%s", pfx, part, (unsigned)(name_hash(conn) & 0xffff), inst);
	return 0;
}

int hgw_nl_ifname_parse(const char *name, enum hgw_nl_tunnel_kind *kind, unsigned *instance)
{
	size_t len = strnlen(name, IFNAMSIZ);
	const char *dash;
	unsigned long inst;
	char *end;

	if (len >= IFNAMSIZ || len < 6 || name[0] != 'h' || name[2] != '-')
		return -EINVAL;
	if (name[1] != 'v' && name[1] != 'x')
		return -EINVAL;
	dash = strrchr(name, '-');
	if (dash == name + 2 || dash[1] < '0' || dash[1] > '9')
		return -EINVAL;
	if (dash[1] == '0' && dash[2] != '\0')
		return -EINVAL;
	inst = strtoul(dash + 1, &end, 10);
	if (*end != '\0' || inst > HGW_NL_MAX_INSTANCE)
		return -EINVAL;
	for (const char *c = name + 3; c < dash; c++) {
		if (!name_char_ok(*c) && *c != '~')
			return -EINVAL;
	}
	*kind = name[1] == 'v' ? HGW_NL_VTI : HGW_NL_XFRMI;
	*instance = (unsigned)inst;
	return 0;
}

/* The route's table and destination from its attributes; the message is length-checked. */
static int classify_route(const struct nlmsghdr *h, struct hgw_nl_event_info *info)
{
	const struct rtmsg *rtm = NLMSG_DATA(h);
	size_t alen = addr_size(rtm->rtm_family);
	const struct rtattr *rta;
	/* signed, as RTA_OK/RTA_NEXT expect: the padding of the last attribute may take it
	 * below zero, and an unsigned count wraps and walks past the message (found by
	 * fuzz_nl_event) */
	int rest;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EBADMSG;
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return HGW_NL_EV_OTHER;
	if (rtm->rtm_dst_len > alen * 8)
		return -EBADMSG;
	info->dst.family = rtm->rtm_family;
	info->dst.len = rtm->rtm_dst_len;
	info->table = rtm->rtm_table;
	info->protocol = rtm->rtm_protocol;
	rest = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)));
	for (rta = RTM_RTA(rtm); RTA_OK(rta, rest); rta = RTA_NEXT(rta, rest)) {
		if (rta->rta_type == RTA_DST) {
			if (RTA_PAYLOAD(rta) != alen)
				return -EBADMSG;
			memcpy(info->dst.addr, RTA_DATA(rta), alen);
		} else if (rta->rta_type == RTA_TABLE) {
			if (RTA_PAYLOAD(rta) != sizeof(uint32_t))
				return -EBADMSG;
			memcpy(&info->table, RTA_DATA(rta), sizeof(uint32_t));
		}
	}
	clear_host_bits(&info->dst);
	return HGW_NL_EV_ROUTE;
}

int hgw_nl_event_classify(const void *buf, size_t len, struct hgw_nl_event_info *info)
{
	const struct nlmsghdr *h = buf;
	int kind;

	memset(info, 0, sizeof(*info));
	if (len < sizeof(*h) || h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len)
		return -EBADMSG;
	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		const struct ifinfomsg *ifi = NLMSG_DATA(h);

		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
			return -EBADMSG;
		info->ifindex = ifi->ifi_index;
		info->ifflags = ifi->ifi_flags;
		kind = HGW_NL_EV_LINK;
		break;
	}
	case RTM_NEWADDR:
	case RTM_DELADDR: {
		const struct ifaddrmsg *ifa = NLMSG_DATA(h);

		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
			return -EBADMSG;
		info->ifindex = (int)ifa->ifa_index;
		kind = HGW_NL_EV_ADDR;
		break;
	}
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		kind = classify_route(h, info);
		if (kind < 0)
			return kind;
		break;
	default:
		kind = HGW_NL_EV_OTHER;
		break;
	}
	info->kind = kind;
	return h->nlmsg_type;
}
