/*
 * nl_xfrm.c - SAs and policies from NETLINK_XFRM (nl_xfrm.h): a pure parser of the
 * kernel's messages, and a dump that wipes what it received.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "nl/nl_xfrm.h"
#include "util.h"

/* ---- the pure parser ---- */

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static void copy_addr(uint8_t *dst, const xfrm_address_t *a, int family)
{
	memset(dst, 0, 16);
	memcpy(dst, a, addr_len(family));
}

static void prefix_of(struct hgw_nl_prefix *p, const xfrm_address_t *a, int family, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = len;
	memcpy(p->addr, a, addr_len(family));
}

static void selector_from(struct hgw_nl_xfrm_selector *o, const struct xfrm_selector *s)
{
	prefix_of(&o->src, &s->saddr, s->family, s->prefixlen_s);
	prefix_of(&o->dst, &s->daddr, s->family, s->prefixlen_d);
	o->sport = ntohs(s->sport);
	o->dport = ntohs(s->dport);
	o->proto = s->proto;
	o->ifindex = s->ifindex;
}

static void lifetime_from(struct hgw_nl_xfrm_lifetime *o, const struct xfrm_lifetime_cfg *l)
{
	o->soft_bytes = l->soft_byte_limit;
	o->hard_bytes = l->hard_byte_limit;
	o->soft_packets = l->soft_packet_limit;
	o->hard_packets = l->hard_packet_limit;
	o->soft_add_s = l->soft_add_expires_seconds;
	o->hard_add_s = l->hard_add_expires_seconds;
	o->soft_use_s = l->soft_use_expires_seconds;
	o->hard_use_s = l->hard_use_expires_seconds;
}

/* The three kernel algorithm structs start alike: name, then key length; never the key. */
static void alg_set(struct hgw_nl_xfrm_alg *o, const char *name, uint32_t key_bits,
		    uint32_t icv_bits)
{
	memcpy(o->name, name, sizeof(o->name));
	o->name[sizeof(o->name) - 1] = '\0';
	o->key_bits = key_bits;
	o->icv_bits = icv_bits;
}

static int alg_from(struct hgw_nl_xfrm_alg *o, const void *data, size_t len)
{
	const struct xfrm_algo *a = data;

	if (len < sizeof(*a))
		return -EBADMSG;
	alg_set(o, a->alg_name, a->alg_key_len, o->icv_bits);
	return 0;
}

static int aead_from(struct hgw_nl_xfrm_alg *o, const void *data, size_t len)
{
	const struct xfrm_algo_aead *a = data;

	if (len < sizeof(*a))
		return -EBADMSG;
	alg_set(o, a->alg_name, a->alg_key_len, a->alg_icv_len);
	return 0;
}

static int auth_trunc_from(struct hgw_nl_xfrm_alg *o, const void *data, size_t len)
{
	const struct xfrm_algo_auth *a = data;

	if (len < sizeof(*a))
		return -EBADMSG;
	alg_set(o, a->alg_name, a->alg_key_len, a->alg_trunc_len);
	return 0;
}

/* A fixed-size attribute into dst; shorter than that is a broken message. */
static int attr_copy(void *dst, size_t size, const void *data, size_t len)
{
	if (len < size)
		return -EBADMSG;
	memcpy(dst, data, size);
	return 0;
}

static int sa_attr(struct hgw_nl_xfrm_sa *o, unsigned type, const void *data, size_t len)
{
	struct xfrm_mark mark;
	struct xfrm_encap_tmpl encap;
	struct xfrm_replay_state rs;
	struct xfrm_replay_state_esn esn;
	int r = 0;

	switch (type) {
	case XFRMA_ALG_CRYPT:
		return alg_from(&o->enc, data, len);
	case XFRMA_ALG_AUTH:
		/* the truncated form, when present, says more: keep it */
		return o->auth.icv_bits != 0 ? 0 : alg_from(&o->auth, data, len);
	case XFRMA_ALG_AUTH_TRUNC:
		return auth_trunc_from(&o->auth, data, len);
	case XFRMA_ALG_AEAD:
		return aead_from(&o->aead, data, len);
	case XFRMA_ALG_COMP:
		return alg_from(&o->comp, data, len);
	case XFRMA_MARK:
		r = attr_copy(&mark, sizeof(mark), data, len);
		o->mark = r == 0 ? mark.v : 0;
		o->mark_mask = r == 0 ? mark.m : 0;
		return r;
	case XFRMA_IF_ID:
		return attr_copy(&o->if_id, sizeof(o->if_id), data, len);
	case XFRMA_ENCAP:
		r = attr_copy(&encap, sizeof(encap), data, len);
		o->encap_sport = r == 0 ? ntohs(encap.encap_sport) : 0;
		o->encap_dport = r == 0 ? ntohs(encap.encap_dport) : 0;
		return r;
	case XFRMA_REPLAY_VAL:
		r = attr_copy(&rs, sizeof(rs), data, len);
		if (r == 0 && !o->esn) {
			o->oseq = rs.oseq;
			o->seq = rs.seq;
		}
		return r;
	case XFRMA_REPLAY_ESN_VAL:
		r = attr_copy(&esn, sizeof(esn), data, len);
		if (r == 0) {
			o->esn = true;
			o->oseq = esn.oseq;
			o->seq = esn.seq;
			o->replay_window = esn.replay_window;
		}
		return r;
	default:
		return 0;
	}
}

/*
 * Walk the attributes after the fixed part of an XFRM message.  The kernel aligns
 * attributes to 4 bytes (NLA_ALIGN); a length below the header or past the end is a broken
 * message.
 */
typedef int (*attr_fn)(void *out, unsigned type, const void *data, size_t len);

static int walk_attrs(const uint8_t *p, size_t len, attr_fn fn, void *out)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t alen = a->nla_len, step;
		int r;

		if (alen < NLA_HDRLEN || alen > len)
			return -EBADMSG;
		r = fn(out, a->nla_type & NLA_TYPE_MASK, p + NLA_HDRLEN, alen - NLA_HDRLEN);
		if (r < 0)
			return r;
		step = NLA_ALIGN(alen);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

static int sa_attr_cb(void *out, unsigned type, const void *data, size_t len)
{
	return sa_attr(out, type, data, len);
}

/* The message's payload after its fixed part of size fixed, or NULL if it is too short. */
static const uint8_t *payload(const void *buf, size_t len, uint16_t type, size_t fixed,
			      size_t *attr_len, int *err)
{
	const struct nlmsghdr *h = buf;

	*err = -EBADMSG;
	if (len < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
		return NULL;
	if (h->nlmsg_type != type) {
		*err = -ENOMSG;
		return NULL;
	}
	if (h->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(fixed))
		return NULL;
	*err = 0;
	*attr_len = h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(fixed);
	return (const uint8_t *)buf + NLMSG_HDRLEN + NLMSG_ALIGN(fixed);
}

int hgw_nl_xfrm_sa_parse(const void *buf, size_t len, struct hgw_nl_xfrm_sa *out)
{
	struct xfrm_usersa_info info;
	const uint8_t *attrs;
	size_t alen;
	int r;

	memset(out, 0, sizeof(*out));
	attrs = payload(buf, len, XFRM_MSG_NEWSA, sizeof(info), &alen, &r);
	if (attrs == NULL)
		return r;
	memcpy(&info, (const uint8_t *)buf + NLMSG_HDRLEN, sizeof(info));
	if (info.family != AF_INET && info.family != AF_INET6)
		return -EBADMSG;
	out->family = info.family;
	copy_addr(out->src, &info.saddr, info.family);
	copy_addr(out->dst, &info.id.daddr, info.family);
	out->spi = ntohl(info.id.spi);
	out->proto = info.id.proto;
	out->mode = info.mode;
	out->reqid = info.reqid;
	out->replay_window = info.replay_window;
	out->fail_replay_window = info.stats.replay_window;
	out->fail_replay = info.stats.replay;
	out->fail_integrity = info.stats.integrity_failed;
	out->bytes = info.curlft.bytes;
	out->packets = info.curlft.packets;
	out->add_time = info.curlft.add_time;
	out->use_time = info.curlft.use_time;
	lifetime_from(&out->lft, &info.lft);
	if (info.sel.family == AF_INET || info.sel.family == AF_INET6)
		selector_from(&out->sel, &info.sel);
	return walk_attrs(attrs, alen, sa_attr_cb, out);
}

static int policy_tmpls(struct hgw_nl_xfrm_policy *o, const void *data, size_t len)
{
	const struct xfrm_user_tmpl *t = data;
	size_t n = len / sizeof(*t);

	if (len % sizeof(*t) != 0)
		return -EBADMSG;
	o->n_tmpl = 0;
	for (size_t i = 0; i < n && i < HGW_NL_XFRM_MAX_TMPL; i++) {
		struct xfrm_user_tmpl u;
		struct hgw_nl_xfrm_tmpl *x = &o->tmpl[o->n_tmpl++];

		memcpy(&u, &t[i], sizeof(u));
		x->family = u.family;
		copy_addr(x->src, &u.saddr, u.family == AF_INET6 ? AF_INET6 : AF_INET);
		copy_addr(x->dst, &u.id.daddr, u.family == AF_INET6 ? AF_INET6 : AF_INET);
		x->spi = ntohl(u.id.spi);
		x->proto = u.id.proto;
		x->mode = u.mode;
		x->reqid = u.reqid;
		x->optional = u.optional != 0;
	}
	return 0;
}

static int policy_attr_cb(void *out, unsigned type, const void *data, size_t len)
{
	struct hgw_nl_xfrm_policy *o = out;
	struct xfrm_mark mark;
	int r;

	switch (type) {
	case XFRMA_TMPL:
		return policy_tmpls(o, data, len);
	case XFRMA_MARK:
		r = attr_copy(&mark, sizeof(mark), data, len);
		o->mark = r == 0 ? mark.v : 0;
		o->mark_mask = r == 0 ? mark.m : 0;
		return r;
	case XFRMA_IF_ID:
		return attr_copy(&o->if_id, sizeof(o->if_id), data, len);
	default:
		return 0;
	}
}

int hgw_nl_xfrm_policy_parse(const void *buf, size_t len, struct hgw_nl_xfrm_policy *out)
{
	struct xfrm_userpolicy_info info;
	const uint8_t *attrs;
	size_t alen;
	int r;

	memset(out, 0, sizeof(*out));
	attrs = payload(buf, len, XFRM_MSG_NEWPOLICY, sizeof(info), &alen, &r);
	if (attrs == NULL)
		return r;
	memcpy(&info, (const uint8_t *)buf + NLMSG_HDRLEN, sizeof(info));
	/* a socket policy's selector may be AF_UNSPEC; keep 0 then */
	if (info.sel.family == AF_INET || info.sel.family == AF_INET6)
		selector_from(&out->sel, &info.sel);
	out->dir = info.dir;
	out->action = info.action;
	out->priority = info.priority;
	out->index = info.index;
	return walk_attrs(attrs, alen, policy_attr_cb, out);
}

const char *hgw_nl_xfrm_proto_str(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_COMP:
		return "comp";
	default:
		snprintf(buf, size, "%u", proto);
		return buf;
	}
}

const char *hgw_nl_xfrm_mode_str(uint8_t mode)
{
	static const char *const names[] = {
		[XFRM_MODE_TRANSPORT] = "transport",
		[XFRM_MODE_TUNNEL] = "tunnel",
		[XFRM_MODE_ROUTEOPTIMIZATION] = "ro",
		[XFRM_MODE_IN_TRIGGER] = "in_trigger",
		[XFRM_MODE_BEET] = "beet",
	};

	return mode < ARRAY_SIZE(names) && names[mode] != NULL ? names[mode] : "unknown";
}

const char *hgw_nl_xfrm_dir_str(uint8_t dir)
{
	static const char *const names[] = {
		[XFRM_POLICY_IN] = "in",
		[XFRM_POLICY_OUT] = "out",
		[XFRM_POLICY_FWD] = "fwd",
	};

	return dir < ARRAY_SIZE(names) ? names[dir] : "unknown";
}

/* ---- the dump ---- */

/* Big enough for any datagram of a dump: the kernel fills at most a page-sized skb (or
 * 32 KiB) per recvmsg, and MSG_TRUNC tells if not. */
#define DUMP_BUF 65536

typedef int (*msg_fn)(const struct nlmsghdr *h, void *ctx);

static int dump_send(int fd, uint16_t type, uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		/* the kernel reads no filter from an empty payload for either dump */
	} req = {
		.h = {
			.nlmsg_len = NLMSG_LENGTH(0),
			.nlmsg_type = type,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = seq,
		},
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* One datagram's messages to fn; 1 when NLMSG_DONE was among them. */
static int dump_datagram(uint8_t *buf, size_t n, uint32_t seq, msg_fn fn, void *ctx)
{
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		int r;

		if (h->nlmsg_seq != seq)
			continue; /* not the answer to our request */
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			return -EINTR;
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			return e->error < 0 ? e->error : -EPROTO;
		}
		r = fn(h, ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

static int dump(uint16_t type, msg_fn fn, void *ctx)
{
	uint8_t *buf = malloc(DUMP_BUF);
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	/* any number will do on a socket of our own; it only has to match the answers */
	uint32_t seq = (uint32_t)getpid() ^ 0x5eed;
	int fd = -1, r = 0;

	if (buf == NULL)
		return -ENOMEM;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		r = -errno;
		goto out;
	}
	r = dump_send(fd, type, seq);
	while (r == 0) {
		ssize_t n = recv(fd, buf, DUMP_BUF, MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		r = (size_t)n > DUMP_BUF ? -EMSGSIZE : dump_datagram(buf, (size_t)n, seq, fn, ctx);
	}
	r = r > 0 ? 0 : r;
out:
	if (fd >= 0)
		close(fd);
	/* the SA dump carried the keys: nothing of it stays in freed memory */
	explicit_bzero(buf, DUMP_BUF);
	free(buf);
	return r;
}

struct collect {
	void *items;
	size_t n, size;
	int (*parse)(const void *buf, size_t len, void *out);
};

static int collect_one(const struct nlmsghdr *h, void *arg)
{
	struct collect *c = arg;
	uint8_t *grown = realloc(c->items, (c->n + 1) * c->size);
	int r;

	if (grown == NULL)
		return -ENOMEM;
	c->items = grown;
	r = c->parse(h, h->nlmsg_len, grown + c->n * c->size);
	if (r == -ENOMSG)
		return 0;
	if (r < 0)
		return log_err_errno(r, "unreadable XFRM message of type %u", h->nlmsg_type);
	c->n++;
	return 0;
}

static int parse_sa(const void *buf, size_t len, void *out)
{
	return hgw_nl_xfrm_sa_parse(buf, len, out);
}

static int parse_policy(const void *buf, size_t len, void *out)
{
	return hgw_nl_xfrm_policy_parse(buf, len, out);
}

static int list(uint16_t type, int (*parse)(const void *, size_t, void *), size_t size, void **out,
		size_t *n)
{
	struct collect c = { .size = size, .parse = parse };
	int r;

	/* the kernel restarts a dump that a change interrupted: so do we, a few times */
	for (int tries = 0; tries < 3; tries++) {
		c.n = 0;
		r = dump(type, collect_one, &c);
		if (r != -EINTR)
			break;
	}
	if (r < 0 || c.n == 0) {
		free(c.items);
		c.items = NULL;
		c.n = 0;
	}
	*out = c.items;
	*n = c.n;
	return r;
}

int hgw_nl_xfrm_sa_list(struct hgw_nl *nl, struct hgw_nl_xfrm_sa **out, size_t *n)
{
	(void)nl; /* a socket per call: status views ask seldom, and it needs no state */
	return list(XFRM_MSG_GETSA, parse_sa, sizeof(**out), (void **)out, n);
}

int hgw_nl_xfrm_policy_list(struct hgw_nl *nl, struct hgw_nl_xfrm_policy **out, size_t *n)
{
	(void)nl;
	return list(XFRM_MSG_GETPOLICY, parse_policy, sizeof(**out), (void **)out, n);
}
