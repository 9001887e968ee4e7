/*
 * nl.c - the command side of the kernel driver: links, tunnels, addresses, routes, and
 * the fibmatch lookup.  Every request goes over the command socket with an ACK and a
 * sequence number (libnl's auto-ACK and sequence check).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/ipvti.h>
#include <netlink/route/link/xfrmi.h>
#include <netlink/route/nexthop.h>

#include "log.h"
#include "nl/nl_internal.h"

int hgw_nl_errno(int nlerr)
{
	static const int map[][2] = {
		{ NLE_INTR, EINTR },
		{ NLE_AGAIN, EAGAIN },
		{ NLE_NOMEM, ENOMEM },
		{ NLE_EXIST, EEXIST },
		{ NLE_INVAL, EINVAL },
		{ NLE_RANGE, ERANGE },
		{ NLE_MSGSIZE, EMSGSIZE },
		{ NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_OBJ_NOTFOUND, ESRCH },
		{ NLE_NOADDR, EADDRNOTAVAIL },
		{ NLE_BUSY, EBUSY },
		{ NLE_NOACCESS, EACCES },
		{ NLE_PERM, EPERM },
		{ NLE_NODEV, ENODEV },
		{ NLE_SEQ_MISMATCH, EPROTO },
		{ NLE_DUMP_INTR, EINTR },
	};
	int e = nlerr < 0 ? -nlerr : nlerr;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (map[i][0] == e)
			return -map[i][1];
	}
	return -EIO;
}

static size_t addr_size(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static struct nl_addr *prefix_to_nl(const struct hgw_nl_prefix *p)
{
	struct nl_addr *a = nl_addr_build(p->family, p->addr, addr_size(p->family));

	if (a != NULL)
		nl_addr_set_prefixlen(a, p->len);
	return a;
}

static void prefix_from_nl(struct nl_addr *a, int family, struct hgw_nl_prefix *p)
{
	size_t len = a != NULL ? nl_addr_get_len(a) : 0;

	memset(p, 0, sizeof(*p));
	p->family = family;
	if (len > addr_size(family))
		len = addr_size(family);
	if (len > 0)
		memcpy(p->addr, nl_addr_get_binary_addr(a), len);
	p->len = a != NULL ? (uint8_t)nl_addr_get_prefixlen(a) : 0;
}

int hgw_nl_new(struct hgw_nl **out, sd_event *event, const struct hgw_nl_config *cfg,
	       const struct hgw_nl_ops *ops, void *userdata)
{
	struct hgw_nl *nl = calloc(1, sizeof(*nl));
	int r;

	if (nl == NULL)
		return -ENOMEM;
	nl->ops = ops;
	nl->userdata = userdata;
	nl->cmd = nl_socket_alloc();
	if (nl->cmd == NULL) {
		free(nl);
		return -ENOMEM;
	}
	r = nl_connect(nl->cmd, NETLINK_ROUTE);
	if (r < 0) {
		r = log_err_errno(hgw_nl_errno(r), "cannot open the netlink command socket");
		goto fail;
	}
	/* Requests are synchronous: no socket buffer of ours can overflow with replies. */
	nl_socket_set_buffer_size(nl->cmd, 1 << 20, 1 << 20);
	if (cfg == NULL || !cfg->no_events) {
		nl->event = sd_event_ref(event);
		r = hgw_nl_monitor_open(nl, cfg != NULL ? cfg->rcvbuf : 0);
		if (r < 0)
			goto fail;
	}
	*out = nl;
	return 0;
fail:
	hgw_nl_free(nl);
	return r;
}

void hgw_nl_free(struct hgw_nl *nl)
{
	if (nl == NULL)
		return;
	hgw_nl_monitor_close(nl);
	nl_socket_free(nl->cmd);
	sd_event_unref(nl->event);
	free(nl->links);
	free(nl->watches);
	free(nl->lls);
	free(nl->buf);
	free(nl);
}

const struct hgw_nl_stats *hgw_nl_stats(const struct hgw_nl *nl)
{
	return &nl->stats;
}

/* ---- the interfaces whose link-local is ours (hgw_nl_link_ipv6_ll) ---- */

static struct hgw_nl_ll *ll_find(struct hgw_nl *nl, const char *name)
{
	for (size_t i = 0; i < nl->n_lls; i++) {
		if (strcmp(nl->lls[i].name, name) == 0)
			return &nl->lls[i];
	}
	return NULL;
}

static int ll_remember(struct hgw_nl *nl, const char *name, const struct in6_addr *ll)
{
	struct hgw_nl_ll *o = ll_find(nl, name);

	if (o == NULL) {
		struct hgw_nl_ll *grown = realloc(nl->lls, (nl->n_lls + 1) * sizeof(*grown));

		if (grown == NULL)
			return -ENOMEM;
		nl->lls = grown;
		o = &nl->lls[nl->n_lls++];
		snprintf(o->name, sizeof(o->name), "%s", name);
	}
	o->addr = *ll;
	return 0;
}

static void ll_forget(struct hgw_nl *nl, const char *name)
{
	struct hgw_nl_ll *o = ll_find(nl, name);

	if (o != NULL)
		*o = nl->lls[--nl->n_lls];
}

/* ---- links ---- */

static int get_link(struct hgw_nl *nl, const char *name, struct rtnl_link **link)
{
	int r = rtnl_link_get_kernel(nl->cmd, 0, name, link);

	return r < 0 ? hgw_nl_errno(r) : 0;
}

int hgw_nl_ifindex(struct hgw_nl *nl, const char *name)
{
	struct rtnl_link *link;
	int r = get_link(nl, name, &link);

	if (r < 0)
		return r == -ESRCH ? -ENODEV : r;
	r = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return r;
}

void hgw_nl_ifname_of(struct hgw_nl *nl, int ifindex, char *buf)
{
	buf[0] = '\0';
	for (size_t i = 0; i < nl->n_links; i++) {
		if (nl->links[i].ifindex == ifindex) {
			memcpy(buf, nl->links[i].name, IFNAMSIZ);
			return;
		}
	}
	if (ifindex > 0 && if_indextoname((unsigned)ifindex, buf) == NULL)
		buf[0] = '\0';
}

/* Apply change (flags, MTU) to the link called name. */
static int link_change(struct hgw_nl *nl, const char *name, struct rtnl_link *change)
{
	struct rtnl_link *link;
	int r = get_link(nl, name, &link);

	if (r < 0)
		return r == -ESRCH ? -ENODEV : r;
	r = rtnl_link_change(nl->cmd, link, change, 0);
	rtnl_link_put(link);
	return r < 0 ? hgw_nl_errno(r) : 0;
}

int hgw_nl_link_set_up(struct hgw_nl *nl, const char *name, bool up)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int r;

	if (change == NULL)
		return -ENOMEM;
	if (up)
		rtnl_link_set_flags(change, IFF_UP);
	else
		rtnl_link_unset_flags(change, IFF_UP);
	r = link_change(nl, name, change);
	rtnl_link_put(change);
	/* the kernel deleted the link-local on down and makes none of ours on up */
	if (r == 0 && up)
		hgw_nl_ll_restore(nl, name);
	return r;
}

int hgw_nl_link_set_mtu(struct hgw_nl *nl, const char *name, unsigned mtu)
{
	struct rtnl_link *change = rtnl_link_alloc();
	int r;

	if (change == NULL)
		return -ENOMEM;
	rtnl_link_set_mtu(change, mtu);
	r = link_change(nl, name, change);
	rtnl_link_put(change);
	return r;
}

int hgw_nl_link_delete(struct hgw_nl *nl, const char *name)
{
	struct rtnl_link *link;
	int r = get_link(nl, name, &link);

	if (r == -ESRCH)
		ll_forget(nl, name);
	if (r < 0)
		return r == -ESRCH ? -ENODEV : r;
	r = rtnl_link_delete(nl->cmd, link);
	rtnl_link_put(link);
	if (r < 0)
		return hgw_nl_errno(r);
	ll_forget(nl, name);
	return 0;
}

/* ---- tunnels ---- */

/* net.<family>.conf.<ifname>.<key> in procfs (a dot in ifname is no separator there). */
static void conf_path(char *path, size_t size, const char *family, const char *ifname,
		      const char *key)
{
	snprintf(path, size, "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);
}

static int conf_write(const char *family, const char *ifname, const char *key, const char *value)
{
	char path[128];
	size_t len = strlen(value);
	int fd, r = 0;

	conf_path(path, sizeof(path), family, ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return log_err_errno(errno, "cannot open %s", path);
	if (write(fd, value, len) != (ssize_t)len)
		r = log_err_errno(errno, "cannot write %s", path);
	close(fd);
	return r;
}

/* The value's first line into buf (NUL-terminated); 0 or -errno (-ENOENT: no such entry). */
static int conf_read(const char *family, const char *ifname, const char *key, char *buf,
		     size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	conf_path(path, sizeof(path), family, ifname, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int set_disable_policy(const char *ifname)
{
	return conf_write("ipv4", ifname, "disable_policy", "1\n");
}

static struct rtnl_link *tunnel_build(struct hgw_nl *nl, const struct hgw_nl_tunnel *t, int *err)
{
	struct rtnl_link *link;
	int underlay = 0;

	*err = 0;
	if (t->underlay[0] != '\0') {
		underlay = hgw_nl_ifindex(nl, t->underlay);
		if (underlay < 0) {
			*err = underlay;
			return NULL;
		}
	}
	if (t->kind == HGW_NL_VTI) {
		link = rtnl_link_ipvti_alloc();
		if (link == NULL)
			goto nomem;
		/* IFLA_VTI_[IO]KEY are big-endian on the wire; libnl passes them through. */
		rtnl_link_ipvti_set_ikey(link, htonl(t->key));
		rtnl_link_ipvti_set_okey(link, htonl(t->key));
		rtnl_link_ipvti_set_local(link, t->local.s_addr);
		rtnl_link_ipvti_set_remote(link, t->remote.s_addr);
		if (underlay > 0)
			rtnl_link_ipvti_set_link(link, (uint32_t)underlay);
	} else {
		link = rtnl_link_xfrmi_alloc();
		if (link == NULL)
			goto nomem;
		rtnl_link_xfrmi_set_if_id(link, t->if_id);
		if (underlay > 0)
			rtnl_link_xfrmi_set_link(link, (uint32_t)underlay);
	}
	rtnl_link_set_name(link, t->name);
	if (t->mtu != 0)
		rtnl_link_set_mtu(link, t->mtu);
	return link;
nomem:
	*err = -ENOMEM;
	return NULL;
}

/* Whether the existing link is the tunnel t describes. */
static bool tunnel_matches(struct rtnl_link *link, const struct hgw_nl_tunnel *t)
{
	const char *type = rtnl_link_get_type(link);
	uint32_t v;

	if (t->kind == HGW_NL_VTI) {
		return type != NULL && strcmp(type, "vti") == 0 &&
		       rtnl_link_ipvti_get_ikey(link) == htonl(t->key) &&
		       rtnl_link_ipvti_get_okey(link) == htonl(t->key) &&
		       rtnl_link_ipvti_get_local(link) == t->local.s_addr &&
		       rtnl_link_ipvti_get_remote(link) == t->remote.s_addr;
	}
	return type != NULL && strcmp(type, "xfrm") == 0 &&
	       rtnl_link_xfrmi_get_if_id(link, &v) == 0 && v == t->if_id;
}

static int tunnel_adopt(struct hgw_nl *nl, struct rtnl_link *link, const struct hgw_nl_tunnel *t)
{
	if (!tunnel_matches(link, t)) {
		log_err("interface %s exists but is not the %s tunnel hybridgw expects; delete or "
			"rename it",
			t->name, t->kind == HGW_NL_VTI ? "VTI" : "XFRM");
		return -EEXIST;
	}
	if (t->mtu != 0 && rtnl_link_get_mtu(link) != t->mtu)
		return hgw_nl_link_set_mtu(nl, t->name, t->mtu);
	return 0;
}

int hgw_nl_tunnel_ensure(struct hgw_nl *nl, const struct hgw_nl_tunnel *t, bool *adopted)
{
	struct rtnl_link *link;
	int r = 0;

	*adopted = false;
	if (t->kind == HGW_NL_XFRMI && t->if_id == 0)
		return -EINVAL;
	r = get_link(nl, t->name, &link);
	if (r == 0) {
		r = tunnel_adopt(nl, link, t);
		rtnl_link_put(link);
		if (r < 0)
			return r;
		*adopted = true;
	} else {
		link = tunnel_build(nl, t, &r);
		if (link == NULL)
			return r;
		r = rtnl_link_add(nl->cmd, link, NLM_F_CREATE | NLM_F_EXCL);
		rtnl_link_put(link);
		if (r < 0)
			return hgw_nl_errno(r);
	}
	if (t->kind == HGW_NL_VTI)
		r = set_disable_policy(t->name);
	if (r == 0 && !IN6_IS_ADDR_UNSPECIFIED(&t->ll)) {
		r = hgw_nl_link_ipv6_ll(nl, t->name, &t->ll);
		if (r == -EAFNOSUPPORT) {
			log_notice("%s: the kernel has no IPv6 on it: no link-local", t->name);
			r = 0;
		}
	}
	/* what this call made, it takes away again */
	if (r < 0 && !*adopted)
		hgw_nl_link_delete(nl, t->name);
	return r;
}

/* Create and delete one test interface of a kind; false only for "unknown device type". */
static bool probe_kind(struct hgw_nl *nl, enum hgw_nl_tunnel_kind kind)
{
	struct hgw_nl_tunnel t = {
		.kind = kind,
		.key = 0x7ffffff0,
		.if_id = 0x7ffffff0,
	};
	struct rtnl_link *link;
	int r;

	snprintf(t.name, sizeof(t.name), "hgwprobe%c%u", kind == HGW_NL_VTI ? 'v' : 'x',
		 (unsigned)getpid() % 100000);
	inet_pton(AF_INET, "192.0.2.254", &t.remote);
	link = tunnel_build(nl, &t, &r);
	if (link == NULL)
		return false;
	r = rtnl_link_add(nl->cmd, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (r < 0)
		return hgw_nl_errno(r) != -EOPNOTSUPP;
	hgw_nl_link_delete(nl, t.name);
	return true;
}

const struct hgw_nl_caps *hgw_nl_caps(struct hgw_nl *nl)
{
	if (!nl->caps_probed) {
		nl->caps.vti = probe_kind(nl, HGW_NL_VTI);
		nl->caps.xfrmi = probe_kind(nl, HGW_NL_XFRMI);
		nl->caps_probed = true;
	}
	return &nl->caps;
}

/* ---- the IPv6 link-local ---- */

static bool is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* The IPv6 address of a, or NULL. */
static const uint8_t *addr6_of(struct rtnl_addr *a, int ifindex)
{
	struct nl_addr *l = rtnl_addr_get_local(a);

	if (rtnl_addr_get_ifindex(a) != ifindex || rtnl_addr_get_family(a) != AF_INET6 ||
	    l == NULL || nl_addr_get_len(l) != 16)
		return NULL;
	return nl_addr_get_binary_addr(l);
}

/*
 * Add local on ifindex with the IFA_F_* flags (NLM_F_REPLACE: adding what exists is no
 * error), or delete it.
 */
static int addr_request(struct hgw_nl *nl, int ifindex, const struct hgw_nl_prefix *local,
			unsigned flags, bool add)
{
	struct rtnl_addr *addr = rtnl_addr_alloc();
	struct nl_addr *a = prefix_to_nl(local);
	int r;

	if (addr == NULL || a == NULL) {
		r = -ENOMEM;
		goto out;
	}
	rtnl_addr_set_ifindex(addr, ifindex);
	rtnl_addr_set_family(addr, local->family);
	rtnl_addr_set_local(addr, a);
	rtnl_addr_set_prefixlen(addr, local->len);
	if (flags != 0)
		rtnl_addr_set_flags(addr, flags);
	if (add)
		r = rtnl_addr_add(nl->cmd, addr, NLM_F_CREATE | NLM_F_REPLACE);
	else
		r = rtnl_addr_delete(nl->cmd, addr, 0);
	r = r < 0 ? hgw_nl_errno(r) : 0;
out:
	nl_addr_put(a);
	rtnl_addr_put(addr);
	return r;
}

/* Add ll/plen with IFA_F_NODAD, or delete it. */
static int ll_request(struct hgw_nl *nl, int ifindex, const uint8_t *ll, unsigned plen, bool add)
{
	struct hgw_nl_prefix p = { .family = AF_INET6, .len = (uint8_t)plen };

	memcpy(p.addr, ll, sizeof(p.addr));
	/* no IFA_F_NOPREFIXROUTE: the fe80::/64 route comes with it */
	return addr_request(nl, ifindex, &p, add ? IFA_F_NODAD : 0, add);
}

/*
 * Give ifindex ll/64, valid at once, unless it has it so already (an entry of ll that is not
 * exactly that, say tentative or of another length, is deleted and added again).  prune:
 * then delete every other fe80::/10 address of it.  *writes counts the requests.
 */
static int ll_addrs(struct hgw_nl *nl, int ifindex, const struct in6_addr *ll, bool prune,
		    unsigned *writes)
{
	const unsigned bad = IFA_F_TENTATIVE | IFA_F_DADFAILED;
	struct nl_cache *cache;
	struct nl_object *o;
	bool have = false;
	int r = rtnl_addr_alloc_cache(nl->cmd, &cache);

	if (r < 0)
		return hgw_nl_errno(r);
	for (o = nl_cache_get_first(cache); o != NULL && r == 0; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		const uint8_t *b = addr6_of(a, ifindex);
		unsigned flags = rtnl_addr_get_flags(a);
		int plen = rtnl_addr_get_prefixlen(a);

		if (b == NULL || memcmp(b, ll->s6_addr, 16) != 0)
			continue;
		if (plen == 64 && (flags & IFA_F_NODAD) && !(flags & bad)) {
			have = true;
			continue;
		}
		r = ll_request(nl, ifindex, b, (unsigned)plen, false);
		*writes += 1;
	}
	if (r == 0 && !have) {
		r = ll_request(nl, ifindex, ll->s6_addr, 64, true);
		*writes += 1;
	}
	/* ours first, then the others: the link is never without one */
	for (o = nl_cache_get_first(cache); prune && o != NULL && r == 0;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		const uint8_t *b = addr6_of(a, ifindex);

		if (b == NULL || !is_link_local(b) || memcmp(b, ll->s6_addr, 16) == 0)
			continue;
		r = ll_request(nl, ifindex, b, (unsigned)rtnl_addr_get_prefixlen(a), false);
		/* gone meanwhile (the kernel's own, on a link going down) */
		if (r == -EADDRNOTAVAIL || r == -ESRCH)
			r = 0;
		*writes += 1;
	}
	nl_cache_free(cache);
	return r;
}

/* IFLA_INET6_ADDR_GEN_MODE = none, unless the kernel says so already. */
static int ll_gen_mode_none(struct hgw_nl *nl, const char *ifname, struct rtnl_link *link,
			    unsigned *writes)
{
	struct rtnl_link *change;
	uint8_t mode;
	int r;

	if (rtnl_link_inet6_get_addr_gen_mode(link, &mode) == 0 && mode == IN6_ADDR_GEN_MODE_NONE)
		return 0;
	change = rtnl_link_alloc();
	if (change == NULL)
		return -ENOMEM;
	r = rtnl_link_inet6_set_addr_gen_mode(change, IN6_ADDR_GEN_MODE_NONE);
	r = r < 0 ? hgw_nl_errno(r) : link_change(nl, ifname, change);
	rtnl_link_put(change);
	*writes += 1;
	return r;
}

int hgw_nl_link_ipv6_ll(struct hgw_nl *nl, const char *ifname, const struct in6_addr *ll)
{
	struct rtnl_link *link;
	unsigned writes = 0;
	char v[16];
	int r, ifindex;

	if (ll == NULL) {
		ll_forget(nl, ifname);
		return 0;
	}
	if (!is_link_local(ll->s6_addr))
		return -EINVAL;
	r = get_link(nl, ifname, &link);
	if (r < 0)
		return r == -ESRCH ? -ENODEV : r;
	ifindex = rtnl_link_get_ifindex(link);
	/* no IPv6 on it: no conf/<if> (IPv6 off in the kernel, MTU below 1280), or disabled */
	r = conf_read("ipv6", ifname, "disable_ipv6", v, sizeof(v));
	if (r == -ENOENT || (r == 0 && strcmp(v, "0") != 0))
		r = -EAFNOSUPPORT;
	if (r == 0)
		r = ll_gen_mode_none(nl, ifname, link, &writes);
	rtnl_link_put(link);
	if (r == 0 && (conf_read("ipv6", ifname, "keep_addr_on_down", v, sizeof(v)) < 0 ||
		       strcmp(v, "1") != 0)) {
		r = conf_write("ipv6", ifname, "keep_addr_on_down", "1\n");
		writes++;
	}
	if (r == 0)
		r = ll_addrs(nl, ifindex, ll, true, &writes);
	if (r == 0)
		r = ll_remember(nl, ifname, ll);
	if (r == 0 && writes > 0) {
		char buf[INET6_ADDRSTRLEN];

		log_debug("%s: IPv6 link-local %s (%u writes)", ifname,
			  inet_ntop(AF_INET6, ll, buf, sizeof(buf)), writes);
	}
	return r;
}

void hgw_nl_ll_restore(struct hgw_nl *nl, const char *name)
{
	const struct hgw_nl_ll *o = ll_find(nl, name);
	struct rtnl_link *link;
	unsigned writes = 0;
	char buf[INET6_ADDRSTRLEN];
	int r, ifindex;
	bool up;

	if (o == NULL)
		return;
	r = get_link(nl, name, &link);
	if (r < 0)
		return; /* gone: hgw_nl_tunnel_ensure() makes it again */
	ifindex = rtnl_link_get_ifindex(link);
	up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
	rtnl_link_put(link);
	if (!up)
		return;
	r = ll_addrs(nl, ifindex, &o->addr, false, &writes);
	inet_ntop(AF_INET6, &o->addr, buf, sizeof(buf));
	if (r < 0)
		log_warn_errno(r, "%s: cannot add its IPv6 link-local %s again", name, buf);
	else if (writes > 0)
		log_debug("%s: IPv6 link-local %s added again", name, buf);
}

void hgw_nl_ll_restore_all(struct hgw_nl *nl)
{
	/* by name: a restore does not change the table */
	for (size_t i = 0; i < nl->n_lls; i++)
		hgw_nl_ll_restore(nl, nl->lls[i].name);
}

/* ---- addresses ---- */

static int addr_op(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local,
		   bool add)
{
	int ifindex = hgw_nl_ifindex(nl, ifname);

	return ifindex < 0 ? ifindex : addr_request(nl, ifindex, local, 0, add);
}

int hgw_nl_addr_add(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local)
{
	return addr_op(nl, ifname, local, true);
}

int hgw_nl_addr_del(struct hgw_nl *nl, const char *ifname, const struct hgw_nl_prefix *local)
{
	return addr_op(nl, ifname, local, false);
}

int hgw_nl_peer_route_add(struct hgw_nl *nl, const char *ifname, struct in_addr peer)
{
	struct hgw_nl_route r = { .n_nh = 1 };

	r.dst.family = AF_INET;
	r.dst.len = 32;
	memcpy(r.dst.addr, &peer, 4);
	snprintf(r.nh[0].ifname, sizeof(r.nh[0].ifname), "%s", ifname);
	return hgw_nl_route_replace(nl, &r);
}

/* ---- routes ---- */

void hgw_nl_route_from_rtnl(struct hgw_nl *nl, struct rtnl_route *rt, struct hgw_nl_route *out)
{
	int family = rtnl_route_get_family(rt), n = rtnl_route_get_nnexthops(rt);

	memset(out, 0, sizeof(*out));
	prefix_from_nl(rtnl_route_get_dst(rt), family, &out->dst);
	out->table = rtnl_route_get_table(rt);
	out->metric = rtnl_route_get_priority(rt);
	out->protocol = rtnl_route_get_protocol(rt);
	for (int i = 0; i < n && out->n_nh < HGW_NL_MAX_NH; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, i);
		struct hgw_nl_nexthop *o = &out->nh[out->n_nh++];
		struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);

		o->ifindex = rtnl_route_nh_get_ifindex(nh);
		o->flags = rtnl_route_nh_get_flags(nh);
		/* libnl's weight is the kernel's rtnh_hops, the weight minus one */
		o->weight = (uint8_t)(rtnl_route_nh_get_weight(nh) + 1);
		if (gw != NULL && nl_addr_get_len(gw) == addr_size(nl_addr_get_family(gw))) {
			o->family = nl_addr_get_family(gw);
			memcpy(o->gw, nl_addr_get_binary_addr(gw), nl_addr_get_len(gw));
		}
		hgw_nl_ifname_of(nl, o->ifindex, o->ifname);
	}
	/* the kernel reports a single path's flags in rtm_flags */
	if (n == 1)
		out->nh[0].flags |= rtnl_route_get_flags(rt) & (RTNH_F_DEAD | RTNH_F_LINKDOWN);
}

struct list_ctx {
	struct hgw_nl *nl;
	const struct hgw_nl_prefix *dst;
	struct hgw_nl_route *routes;
	size_t n;
	int err;
};

static void list_one(struct nl_object *obj, void *arg)
{
	struct list_ctx *ctx = arg;
	struct rtnl_route *rt = (struct rtnl_route *)obj;
	struct hgw_nl_route r, *grown;
	struct hgw_nl_prefix dst;

	/* the cheap test first: a router's table is large, the routes of one prefix few */
	prefix_from_nl(rtnl_route_get_dst(rt), rtnl_route_get_family(rt), &dst);
	if (!hgw_nl_prefix_equal(&dst, ctx->dst) || ctx->err < 0)
		return;
	hgw_nl_route_from_rtnl(ctx->nl, rt, &r);
	grown = realloc(ctx->routes, (ctx->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		ctx->err = -ENOMEM;
		return;
	}
	ctx->routes = grown;
	ctx->routes[ctx->n++] = r;
}

static void route_sort_nh(struct hgw_nl_route *r)
{
	struct hgw_nl_view v = { .n_nh = r->n_nh };

	memcpy(v.nh, r->nh, r->n_nh * sizeof(r->nh[0]));
	hgw_nl_view_sort(&v);
	memcpy(r->nh, v.nh, r->n_nh * sizeof(r->nh[0]));
}

int hgw_nl_route_list(struct hgw_nl *nl, const struct hgw_nl_prefix *dst, struct hgw_nl_route **out,
		      size_t *n)
{
	struct list_ctx ctx = { .nl = nl, .dst = dst };
	struct nl_cache *cache;
	int r = rtnl_route_alloc_cache(nl->cmd, dst->family, 0, &cache);

	if (r < 0)
		return hgw_nl_errno(r);
	nl_cache_foreach(cache, list_one, &ctx);
	nl_cache_free(cache);
	if (ctx.err < 0) {
		free(ctx.routes);
		return ctx.err;
	}
	for (size_t i = 0; i < ctx.n; i++)
		route_sort_nh(&ctx.routes[i]);
	*out = ctx.routes;
	*n = ctx.n;
	return 0;
}

static uint32_t table_of(const struct hgw_nl_route *r)
{
	return r->table != 0 ? r->table : RT_TABLE_MAIN;
}

/* -EEXIST if a route of another protocol holds the key (table, prefix, metric). */
static int check_foreign(struct hgw_nl *nl, const struct hgw_nl_route *want)
{
	struct hgw_nl_route *routes;
	size_t n;
	int r = hgw_nl_route_list(nl, &want->dst, &routes, &n);
	char buf[HGW_NL_PREFIX_STRLEN];

	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (routes[i].table != table_of(want) || routes[i].metric != want->metric ||
		    routes[i].protocol == HGW_NL_RTPROT)
			continue;
		log_err("route %s metric %u in table %u belongs to protocol %u: not replacing it; "
			"use another metric",
			hgw_nl_prefix_format(&want->dst, buf, sizeof(buf)), want->metric,
			table_of(want), routes[i].protocol);
		r = -EEXIST;
	}
	free(routes);
	return r;
}

static int add_nexthop(struct hgw_nl *nl, struct rtnl_route *rt, const struct hgw_nl_nexthop *nh,
		       bool *has_gw)
{
	struct rtnl_nexthop *o = rtnl_route_nh_alloc();
	int ifindex = nh->ifindex;

	if (o == NULL)
		return -ENOMEM;
	if (ifindex == 0 && nh->ifname[0] != '\0')
		ifindex = hgw_nl_ifindex(nl, nh->ifname);
	if (ifindex < 0) {
		rtnl_route_nh_free(o);
		return ifindex;
	}
	if (ifindex > 0)
		rtnl_route_nh_set_ifindex(o, ifindex);
	if (nh->family != AF_UNSPEC) {
		struct nl_addr *gw = nl_addr_build(nh->family, nh->gw, addr_size(nh->family));

		if (gw == NULL) {
			rtnl_route_nh_free(o);
			return -ENOMEM;
		}
		rtnl_route_nh_set_gateway(o, gw);
		nl_addr_put(gw);
		*has_gw = true;
	}
	rtnl_route_nh_set_weight(o, nh->weight > 0 ? (uint8_t)(nh->weight - 1) : 0);
	rtnl_route_add_nexthop(rt, o);
	return 0;
}

/* Our route for r's key, with its nexthops if with_nh. */
static struct rtnl_route *route_build(struct hgw_nl *nl, const struct hgw_nl_route *r, bool with_nh,
				      int *err)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct nl_addr *dst = prefix_to_nl(&r->dst);
	bool has_gw = false;

	*err = -ENOMEM;
	if (rt == NULL || dst == NULL)
		goto fail;
	rtnl_route_set_family(rt, (uint8_t)r->dst.family);
	rtnl_route_set_dst(rt, dst);
	rtnl_route_set_table(rt, table_of(r));
	rtnl_route_set_protocol(rt, HGW_NL_RTPROT);
	rtnl_route_set_priority(rt, r->metric);
	rtnl_route_set_type(rt, RTN_UNICAST);
	for (size_t i = 0; with_nh && i < r->n_nh; i++) {
		*err = add_nexthop(nl, rt, &r->nh[i], &has_gw);
		if (*err < 0)
			goto fail;
	}
	if (with_nh)
		rtnl_route_set_scope(rt, has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	nl_addr_put(dst);
	*err = 0;
	return rt;
fail:
	nl_addr_put(dst);
	rtnl_route_put(rt);
	return NULL;
}

int hgw_nl_route_replace(struct hgw_nl *nl, const struct hgw_nl_route *r)
{
	struct rtnl_route *rt;
	int err;

	if (r->n_nh == 0 || r->n_nh > HGW_NL_MAX_NH)
		return -EINVAL;
	err = check_foreign(nl, r);
	if (err < 0)
		return err;
	rt = route_build(nl, r, true, &err);
	if (rt == NULL)
		return err;
	err = rtnl_route_add(nl->cmd, rt, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_route_put(rt);
	return err < 0 ? hgw_nl_errno(err) : 0;
}

int hgw_nl_route_delete(struct hgw_nl *nl, const struct hgw_nl_route *r)
{
	struct rtnl_route *rt;
	int err;

	rt = route_build(nl, r, false, &err);
	if (rt == NULL)
		return err;
	/* the kernel deletes only a route of the protocol given: ours */
	err = rtnl_route_delete(nl->cmd, rt, 0);
	rtnl_route_put(rt);
	return err < 0 ? hgw_nl_errno(err) : 0;
}

/* ---- the fibmatch lookup ---- */

struct lookup_ctx {
	struct hgw_nl *nl;
	struct hgw_nl_view *view;
	int err; /* the kernel's error, -errno */
	bool got;
};

static int lookup_valid(struct nl_msg *msg, void *arg)
{
	struct lookup_ctx *ctx = arg;
	struct rtnl_route *rt;
	struct hgw_nl_route r;

	if (nlmsg_hdr(msg)->nlmsg_type != RTM_NEWROUTE || ctx->got)
		return NL_SKIP;
	if (rtnl_route_parse(nlmsg_hdr(msg), &rt) < 0) {
		ctx->err = -EBADMSG;
		return NL_SKIP;
	}
	hgw_nl_route_from_rtnl(ctx->nl, rt, &r);
	rtnl_route_put(rt);
	ctx->view->present = true;
	ctx->view->match = r.dst;
	ctx->view->protocol = r.protocol;
	ctx->view->table = r.table;
	ctx->view->metric = r.metric;
	ctx->view->n_nh = r.n_nh;
	memcpy(ctx->view->nh, r.nh, r.n_nh * sizeof(r.nh[0]));
	hgw_nl_view_sort(ctx->view);
	ctx->got = true;
	return NL_OK;
}

static int lookup_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct lookup_ctx *ctx = arg;

	(void)who;
	ctx->err = e->error;
	return NL_STOP;
}

int hgw_nl_lookup(struct hgw_nl *nl, const struct hgw_nl_prefix *p, struct hgw_nl_view *view)
{
	struct lookup_ctx ctx = { .nl = nl, .view = view };
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)p->family,
		.rtm_dst_len = (uint8_t)(addr_size(p->family) * 8),
		.rtm_flags = RTM_F_FIB_MATCH,
	};
	struct nl_msg *msg;
	struct nl_cb *cb, *sock_cb;
	int r;

	memset(view, 0, sizeof(*view));
	view->prefix = *p;
	nl->stats.lookups++;
	msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	/* nl_socket_get_cb() hands out a reference of its own: without the put, the socket's
	 * callbacks outlive nl_socket_free() */
	sock_cb = nl_socket_get_cb(nl->cmd);
	cb = nl_cb_clone(sock_cb);
	nl_cb_put(sock_cb);
	if (msg == NULL || cb == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, (int)addr_size(p->family), p->addr) < 0) {
		r = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, lookup_valid, &ctx);
	nl_cb_err(cb, NL_CB_CUSTOM, lookup_error, &ctx);
	r = nl_send_auto(nl->cmd, msg);
	if (r < 0) {
		r = hgw_nl_errno(r);
		goto out;
	}
	/* the route (or the error), then the ACK: two datagrams */
	while (!ctx.got && ctx.err == 0 && (r = nl_recvmsgs(nl->cmd, cb)) >= 0)
		;
	if (ctx.got && ctx.err == 0)
		r = nl_wait_for_ack(nl->cmd);
	if (ctx.err == -ENETUNREACH || ctx.err == -EHOSTUNREACH || ctx.err == -ESRCH) {
		view->present = false; /* no route: a valid answer */
		r = 0;
	} else if (ctx.err < 0) {
		r = ctx.err;
	} else {
		r = r < 0 ? hgw_nl_errno(r) : 0;
	}
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return r;
}

const char *hgw_nl_nh_flags_str(unsigned flags, char *buf, size_t size)
{
	static const struct {
		unsigned flag;
		const char *name;
	} names[] = {
		{ RTNH_F_DEAD, "dead" },	 { RTNH_F_PERVASIVE, "pervasive" },
		{ RTNH_F_ONLINK, "onlink" },	 { RTNH_F_OFFLOAD, "offload" },
		{ RTNH_F_LINKDOWN, "linkdown" }, { RTNH_F_UNRESOLVED, "unresolved" },
		{ RTNH_F_TRAP, "trap" },
	};
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names) && off < size; i++) {
		if (flags & names[i].flag)
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off > 0 ? "," : "",
						names[i].name);
	}
	return buf;
}

const char *hgw_nl_ts_str(const struct timespec *ts, char *buf, size_t size)
{
	snprintf(buf, size, "%lld.%09ld", (long long)ts->tv_sec, ts->tv_nsec);
	return buf;
}
