/*
 * nl_adopt.c - the inventory of what is ours in the kernel, and writes that happen only
 * when the kernel differs (nl_adopt.h).
 */
#include "config.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "log.h"
#include "nl/nl_adopt.h"
#include "nl/nl_internal.h"

static int grow(void **items, size_t n, size_t size)
{
	void *p = realloc(*items, (n + 1) * size);

	if (p == NULL)
		return -ENOMEM;
	*items = p;
	return 0;
}

struct adopt_ctx {
	struct hgw_nl *nl;
	struct hgw_nl_owned *out;
	int err;
};

static void adopt_link(struct nl_object *obj, void *arg)
{
	struct adopt_ctx *ctx = arg;
	struct rtnl_link *link = (struct rtnl_link *)obj;
	const char *name = rtnl_link_get_name(link), *type = rtnl_link_get_type(link);
	struct hgw_nl_owned_link *o;
	enum hgw_nl_tunnel_kind kind;
	unsigned instance;

	if (ctx->err < 0 || name == NULL || hgw_nl_ifname_parse(name, &kind, &instance) < 0)
		return;
	ctx->err = grow((void **)&ctx->out->links, ctx->out->n_links, sizeof(*o));
	if (ctx->err < 0)
		return;
	o = &ctx->out->links[ctx->out->n_links++];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	snprintf(o->type, sizeof(o->type), "%s", type != NULL ? type : "");
	o->ifindex = rtnl_link_get_ifindex(link);
	o->kind = kind;
	o->instance = instance;
	o->kind_matches = strcmp(o->type, kind == HGW_NL_VTI ? "vti" : "xfrm") == 0;
	o->flags = rtnl_link_get_flags(link);
	o->mtu = rtnl_link_get_mtu(link);
}

static const struct hgw_nl_owned_link *owned_link(const struct hgw_nl_owned *o, int ifindex)
{
	for (size_t i = 0; i < o->n_links; i++) {
		if (o->links[i].ifindex == ifindex)
			return &o->links[i];
	}
	return NULL;
}

static void adopt_addr(struct nl_object *obj, void *arg)
{
	struct adopt_ctx *ctx = arg;
	struct rtnl_addr *addr = (struct rtnl_addr *)obj;
	const struct hgw_nl_owned_link *link = owned_link(ctx->out, rtnl_addr_get_ifindex(addr));
	struct nl_addr *local = rtnl_addr_get_local(addr);
	struct hgw_nl_owned_addr *o;
	size_t len;

	if (ctx->err < 0 || link == NULL || local == NULL)
		return;
	len = nl_addr_get_len(local);
	if (len != 4 && len != 16)
		return;
	/* a link-local is ours only with IFA_F_NODAD (hgw_nl_link_ipv6_ll); the kernel's own,
	 * made on link up, never has it */
	if (len == 16 && ((const uint8_t *)nl_addr_get_binary_addr(local))[0] == 0xfe &&
	    (((const uint8_t *)nl_addr_get_binary_addr(local))[1] & 0xc0) == 0x80 &&
	    !(rtnl_addr_get_flags(addr) & IFA_F_NODAD))
		return;
	ctx->err = grow((void **)&ctx->out->addrs, ctx->out->n_addrs, sizeof(*o));
	if (ctx->err < 0)
		return;
	o = &ctx->out->addrs[ctx->out->n_addrs++];
	memset(o, 0, sizeof(*o));
	o->ifindex = link->ifindex;
	memcpy(o->ifname, link->name, IFNAMSIZ);
	o->local.family = nl_addr_get_family(local);
	o->local.len = (uint8_t)rtnl_addr_get_prefixlen(addr);
	memcpy(o->local.addr, nl_addr_get_binary_addr(local), len);
}

static void adopt_route(struct nl_object *obj, void *arg)
{
	struct adopt_ctx *ctx = arg;
	struct rtnl_route *rt = (struct rtnl_route *)obj;
	struct hgw_nl_route *o;

	if (ctx->err < 0 || rtnl_route_get_protocol(rt) != HGW_NL_RTPROT)
		return;
	ctx->err = grow((void **)&ctx->out->routes, ctx->out->n_routes, sizeof(*o));
	if (ctx->err < 0)
		return;
	o = &ctx->out->routes[ctx->out->n_routes++];
	hgw_nl_route_from_rtnl(ctx->nl, rt, o);
}

static int dump_each(struct hgw_nl *nl, int (*alloc)(struct nl_sock *, struct nl_cache **),
		     void (*fn)(struct nl_object *, void *), struct adopt_ctx *ctx)
{
	struct nl_cache *cache;
	int r = alloc(nl->cmd, &cache);

	if (r < 0)
		return hgw_nl_errno(r);
	nl_cache_foreach(cache, fn, ctx);
	nl_cache_free(cache);
	return ctx->err;
}

static int link_cache(struct nl_sock *sk, struct nl_cache **c)
{
	return rtnl_link_alloc_cache(sk, AF_UNSPEC, c);
}

static int route_cache(struct nl_sock *sk, struct nl_cache **c)
{
	return rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, c);
}

int hgw_nl_adopt(struct hgw_nl *nl, struct hgw_nl_owned *out)
{
	struct adopt_ctx ctx = { .nl = nl, .out = out };
	int r;

	memset(out, 0, sizeof(*out));
	/* links first: addresses are ours only on our links */
	r = dump_each(nl, link_cache, adopt_link, &ctx);
	if (r == 0)
		r = dump_each(nl, rtnl_addr_alloc_cache, adopt_addr, &ctx);
	if (r == 0)
		r = dump_each(nl, route_cache, adopt_route, &ctx);
	if (r < 0) {
		hgw_nl_owned_free(out);
		memset(out, 0, sizeof(*out));
		return r;
	}
	for (size_t i = 0; i < out->n_routes; i++) {
		struct hgw_nl_view v = { .n_nh = out->routes[i].n_nh };

		memcpy(v.nh, out->routes[i].nh, v.n_nh * sizeof(v.nh[0]));
		hgw_nl_view_sort(&v);
		memcpy(out->routes[i].nh, v.nh, v.n_nh * sizeof(v.nh[0]));
	}
	return 0;
}

void hgw_nl_owned_free(struct hgw_nl_owned *o)
{
	if (o == NULL)
		return;
	free(o->links);
	free(o->addrs);
	free(o->routes);
}

/* The intent's nexthops as the kernel would report them: ifindex resolved, sorted. */
static int intent_nexthops(struct hgw_nl *nl, const struct hgw_nl_route *r, struct hgw_nl_view *v)
{
	memset(v, 0, sizeof(*v));
	v->n_nh = r->n_nh;
	for (size_t i = 0; i < r->n_nh; i++) {
		struct hgw_nl_nexthop *nh = &v->nh[i];

		*nh = r->nh[i];
		if (nh->ifindex == 0 && nh->ifname[0] != '\0')
			nh->ifindex = hgw_nl_ifindex(nl, nh->ifname);
		if (nh->ifindex < 0)
			return nh->ifindex;
		if (nh->weight == 0)
			nh->weight = 1;
	}
	hgw_nl_view_sort(v);
	return 0;
}

static bool same_nexthops(const struct hgw_nl_view *want, const struct hgw_nl_route *have)
{
	if (want->n_nh != have->n_nh)
		return false;
	for (size_t i = 0; i < want->n_nh; i++) {
		const struct hgw_nl_nexthop *a = &want->nh[i], *b = &have->nh[i];

		/* flags are the kernel's (dead, linkdown): not part of the intent */
		if (a->ifindex != b->ifindex || a->family != b->family || a->weight != b->weight ||
		    memcmp(a->gw, b->gw, sizeof(a->gw)) != 0)
			return false;
	}
	return true;
}

int hgw_nl_route_ensure(struct hgw_nl *nl, const struct hgw_nl_route *r, bool *changed)
{
	struct hgw_nl_route *routes;
	struct hgw_nl_view want;
	uint32_t table = r->table != 0 ? r->table : RT_TABLE_MAIN;
	bool same = false;
	size_t n;
	int err;

	*changed = false;
	err = intent_nexthops(nl, r, &want);
	if (err == 0)
		err = hgw_nl_route_list(nl, &r->dst, &routes, &n);
	if (err < 0)
		return err;
	for (size_t i = 0; i < n && !same; i++) {
		same = routes[i].protocol == HGW_NL_RTPROT && routes[i].table == table &&
		       routes[i].metric == r->metric && same_nexthops(&want, &routes[i]);
	}
	free(routes);
	if (same)
		return 0;
	err = hgw_nl_route_replace(nl, r);
	*changed = err == 0;
	return err;
}

int hgw_nl_addr_ensure(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local,
		       bool *changed)
{
	struct nl_cache *cache;
	int ifindex = hgw_nl_ifindex(nl, ifname), r, found = 0;

	*changed = false;
	if (ifindex < 0)
		return ifindex;
	r = rtnl_addr_alloc_cache(nl->cmd, &cache);
	if (r < 0)
		return hgw_nl_errno(r);
	for (struct nl_object *o = nl_cache_get_first(cache); o != NULL; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *l = rtnl_addr_get_local(a);

		if (rtnl_addr_get_ifindex(a) != ifindex || l == NULL ||
		    nl_addr_get_family(l) != local->family ||
		    rtnl_addr_get_prefixlen(a) != local->len ||
		    memcmp(nl_addr_get_binary_addr(l), local->addr, nl_addr_get_len(l)) != 0)
			continue;
		found = 1;
		break;
	}
	nl_cache_free(cache);
	if (found)
		return 0;
	r = hgw_nl_addr_add(nl, ifname, local);
	*changed = r == 0;
	return r;
}
