/*
 * nl_mss.c - TCP MSS clamping in nf_tables over netlink; see nl_mss.h.
 *
 * The messages are built with libnl's nl_msg and attribute helpers, then laid end to end
 * between NFNL_MSG_BATCH_BEGIN and _END and sent in one datagram: nf_tables takes a batch
 * as one transaction.  Every message inside asks for an ACK; the kernel answers each once
 * (an error or 0), which is how the replies are matched, by sequence number.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nl/nl_mss.h"

/* nf_tables' chain of ours: mangle priority, before the filter chains. */
#define CHAIN_PRIORITY (-150)
/* libnftnl's rule comment in the user data: type 0, length, text with its NUL. */
#define UDATA_COMMENT 0
#define UDATA_PREFIX "hgw-mss "
#define TCP_MAXSEG_KIND 2
#define TCPHDR_FLAGS_OFFSET 13
#define TCP_SYN 0x02
#define TCP_RST 0x04
/* How long to wait for the kernel's answers (it answers in microseconds). */
#define REPLY_TIMEOUT_S 2
/* Messages in the largest batch: 4 (tables, chain) + 2 per interface. */
#define MAX_RULES 4096

struct hgw_nl_mss {
	struct nl_sock *sk;
	uint32_t seq;
};

int hgw_nl_mss_new(struct hgw_nl_mss **out)
{
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	struct hgw_nl_mss *m;
	int r;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	m->sk = nl_socket_alloc();
	if (m->sk == NULL) {
		free(m);
		return -ENOMEM;
	}
	r = nl_connect(m->sk, NETLINK_NETFILTER);
	if (r < 0) {
		nl_socket_free(m->sk);
		free(m);
		return -EPROTONOSUPPORT; /* no nfnetlink in the kernel */
	}
	/* never wait forever on the loop's thread */
	setsockopt(nl_socket_get_fd(m->sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	m->seq = (uint32_t)time(NULL);
	*out = m;
	return 0;
}

void hgw_nl_mss_free(struct hgw_nl_mss *m)
{
	if (m == NULL)
		return;
	nl_socket_free(m->sk);
	free(m);
}

/* ---- building ---- */

/* A batch under construction: messages end to end, and their sequence numbers. */
struct batch {
	char *buf;
	size_t len, cap;
	uint32_t *seqs;
	unsigned n;	 /* messages that ask for an ACK */
	int msg_type[8]; /* the first messages' types, to tell which one failed */
	int err;
};

static struct nl_msg *msg_new(struct hgw_nl_mss *m, int type, uint8_t family, uint16_t res_id,
			      int flags)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nfgenmsg *g;

	if (msg == NULL)
		return NULL;
	if (nlmsg_put(msg, NL_AUTO_PORT, ++m->seq, type, sizeof(*g), NLM_F_REQUEST | flags) ==
	    NULL) {
		nlmsg_free(msg);
		return NULL;
	}
	g = nlmsg_data(nlmsg_hdr(msg));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	return msg;
}

static struct nl_msg *nft_msg(struct hgw_nl_mss *m, int nft_type, int flags)
{
	return msg_new(m, (NFNL_SUBSYS_NFTABLES << 8) | nft_type, NFPROTO_INET, 0, flags);
}

/* Append msg (freed) to the batch; acked: it carries NLM_F_ACK. */
static void batch_add(struct batch *b, struct nl_msg *msg, int nft_type, bool acked)
{
	struct nlmsghdr *h;
	size_t len;

	if (msg == NULL) {
		b->err = b->err != 0 ? b->err : -ENOMEM;
		return;
	}
	h = nlmsg_hdr(msg);
	len = NLMSG_ALIGN(h->nlmsg_len);
	if (b->err == 0 && b->len + len > b->cap) {
		size_t cap = (b->len + len) * 2;
		char *p = realloc(b->buf, cap);

		if (p == NULL)
			b->err = -ENOMEM;
		else {
			b->buf = p;
			b->cap = cap;
		}
	}
	if (b->err == 0 && acked) {
		uint32_t *s = realloc(b->seqs, (b->n + 1) * sizeof(*s));

		if (s == NULL)
			b->err = -ENOMEM;
		else {
			b->seqs = s;
			if (b->n < sizeof(b->msg_type) / sizeof(b->msg_type[0]))
				b->msg_type[b->n] = nft_type;
			b->seqs[b->n++] = h->nlmsg_seq;
		}
	}
	if (b->err == 0) {
		memset(b->buf + b->len, 0, len);
		memcpy(b->buf + b->len, h, h->nlmsg_len);
		b->len += len;
	}
	nlmsg_free(msg);
}

static void put_be32(struct nl_msg *msg, int attr, uint32_t v)
{
	nla_put_u32(msg, attr, htonl(v));
}

/* NFTA_*_DATA: a nested NFTA_DATA_VALUE. */
static void put_data(struct nl_msg *msg, int attr, const void *v, size_t len)
{
	struct nlattr *nest = nla_nest_start(msg, attr);

	nla_put(msg, NFTA_DATA_VALUE, (int)len, v);
	nla_nest_end(msg, nest);
}

/* One expression of a rule: NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { ... } }. */
static struct nlattr *expr_start(struct nl_msg *msg, const char *name, struct nlattr **data)
{
	struct nlattr *elem = nla_nest_start(msg, NFTA_LIST_ELEM);

	nla_put_string(msg, NFTA_EXPR_NAME, name);
	*data = nla_nest_start(msg, NFTA_EXPR_DATA);
	return elem;
}

static void expr_end(struct nl_msg *msg, struct nlattr *elem, struct nlattr *data)
{
	nla_nest_end(msg, data);
	nla_nest_end(msg, elem);
}

static void expr_meta(struct nl_msg *msg, uint32_t key)
{
	struct nlattr *d, *e = expr_start(msg, "meta", &d);

	put_be32(msg, NFTA_META_KEY, key);
	put_be32(msg, NFTA_META_DREG, NFT_REG_1);
	expr_end(msg, e, d);
}

static void expr_cmp_eq(struct nl_msg *msg, const void *v, size_t len)
{
	struct nlattr *d, *e = expr_start(msg, "cmp", &d);

	put_be32(msg, NFTA_CMP_SREG, NFT_REG_1);
	put_be32(msg, NFTA_CMP_OP, NFT_CMP_EQ);
	put_data(msg, NFTA_CMP_DATA, v, len);
	expr_end(msg, e, d);
}

/* The rule "<dir>ifname IF meta l4proto tcp tcp flags & (syn|rst) == syn" + MSS write. */
static struct nl_msg *rule_msg(struct hgw_nl_mss *m, const struct hgw_nl_mss_rule *r, bool in)
{
	struct nl_msg *msg = nft_msg(m, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK);
	char name[IFNAMSIZ] = { 0 }, udata[2 + 64];
	uint8_t tcp = IPPROTO_TCP, mask = TCP_SYN | TCP_RST, zero = 0, syn = TCP_SYN;
	uint16_t mss = htons(r->mss);
	struct nlattr *list, *d, *e;
	int n;

	if (msg == NULL)
		return NULL;
	nla_put_string(msg, NFTA_RULE_TABLE, HGW_NL_MSS_TABLE);
	nla_put_string(msg, NFTA_RULE_CHAIN, HGW_NL_MSS_CHAIN);
	list = nla_nest_start(msg, NFTA_RULE_EXPRESSIONS);
	/* the name as the kernel loads it: IFNAMSIZ bytes, zero-padded (exact match) */
	memcpy(name, r->ifname, strnlen(r->ifname, IFNAMSIZ - 1));
	expr_meta(msg, in ? NFT_META_IIFNAME : NFT_META_OIFNAME);
	expr_cmp_eq(msg, name, sizeof(name));
	expr_meta(msg, NFT_META_L4PROTO);
	expr_cmp_eq(msg, &tcp, 1);
	e = expr_start(msg, "payload", &d);
	put_be32(msg, NFTA_PAYLOAD_DREG, NFT_REG_1);
	put_be32(msg, NFTA_PAYLOAD_BASE, NFT_PAYLOAD_TRANSPORT_HEADER);
	put_be32(msg, NFTA_PAYLOAD_OFFSET, TCPHDR_FLAGS_OFFSET);
	put_be32(msg, NFTA_PAYLOAD_LEN, 1);
	expr_end(msg, e, d);
	e = expr_start(msg, "bitwise", &d);
	put_be32(msg, NFTA_BITWISE_SREG, NFT_REG_1);
	put_be32(msg, NFTA_BITWISE_DREG, NFT_REG_1);
	put_be32(msg, NFTA_BITWISE_LEN, 1);
	put_data(msg, NFTA_BITWISE_MASK, &mask, 1);
	put_data(msg, NFTA_BITWISE_XOR, &zero, 1);
	expr_end(msg, e, d);
	expr_cmp_eq(msg, &syn, 1);
	e = expr_start(msg, "immediate", &d);
	put_be32(msg, NFTA_IMMEDIATE_DREG, NFT_REG_1);
	put_data(msg, NFTA_IMMEDIATE_DATA, &mss, sizeof(mss));
	expr_end(msg, e, d);
	e = expr_start(msg, "exthdr", &d);
	put_be32(msg, NFTA_EXTHDR_SREG, NFT_REG_1);
	nla_put_u8(msg, NFTA_EXTHDR_TYPE, TCP_MAXSEG_KIND);
	put_be32(msg, NFTA_EXTHDR_OFFSET, 2);
	put_be32(msg, NFTA_EXTHDR_LEN, 2);
	put_be32(msg, NFTA_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT);
	expr_end(msg, e, d);
	nla_nest_end(msg, list);
	/* what the rule means, as a comment `nft list ruleset` shows */
	n = snprintf(udata + 2, sizeof(udata) - 2, UDATA_PREFIX "%s %u %s", r->ifname,
		     (unsigned)r->mss, in ? "in" : "out");
	udata[0] = UDATA_COMMENT;
	udata[1] = (char)(n + 1);
	nla_put(msg, NFTA_RULE_USERDATA, n + 3, udata);
	return msg;
}

static struct nl_msg *table_msg(struct hgw_nl_mss *m, int type, int flags)
{
	struct nl_msg *msg = nft_msg(m, type, flags | NLM_F_ACK);

	if (msg != NULL)
		nla_put_string(msg, NFTA_TABLE_NAME, HGW_NL_MSS_TABLE);
	return msg;
}

static struct nl_msg *chain_msg(struct hgw_nl_mss *m)
{
	struct nl_msg *msg = nft_msg(m, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_ACK);
	struct nlattr *hook;

	if (msg == NULL)
		return NULL;
	nla_put_string(msg, NFTA_CHAIN_TABLE, HGW_NL_MSS_TABLE);
	nla_put_string(msg, NFTA_CHAIN_NAME, HGW_NL_MSS_CHAIN);
	hook = nla_nest_start(msg, NFTA_CHAIN_HOOK);
	put_be32(msg, NFTA_HOOK_HOOKNUM, NF_INET_FORWARD);
	put_be32(msg, NFTA_HOOK_PRIORITY, (uint32_t)CHAIN_PRIORITY);
	nla_nest_end(msg, hook);
	put_be32(msg, NFTA_CHAIN_POLICY, NF_ACCEPT);
	nla_put_string(msg, NFTA_CHAIN_TYPE, "filter");
	return msg;
}

/* ---- talking ---- */

static bool seq_known(const uint32_t *seqs, unsigned n, uint32_t seq)
{
	for (unsigned i = 0; i < n; i++)
		if (seqs[i] == seq)
			return true;
	return false;
}

/*
 * Send buf and read one answer per sequence number in seqs[0, n) (ACK or error; dumps:
 * their messages, handed to each(), until NLMSG_DONE).  The first error, -errno; *failed
 * says the index of the message it answers.
 */
static int talk(struct hgw_nl_mss *m, void *buf, size_t len, const uint32_t *seqs, unsigned n,
		unsigned *failed, int (*each)(struct nlmsghdr *h, void *arg), void *arg)
{
	unsigned answered = 0;
	bool done = each == NULL;
	int first = 0;

	if (nl_sendto(m->sk, buf, len) < 0)
		return -errno != 0 ? -errno : -EIO;
	while (answered < n || !done) {
		struct sockaddr_nl peer;
		unsigned char *data = NULL;
		struct nlmsghdr *h;
		int got = nl_recv(m->sk, &peer, &data, NULL);

		if (got <= 0) {
			free(data);
			if (got == -NLE_AGAIN || got == 0)
				return first != 0 ? first : -ETIMEDOUT;
			return first != 0 ? first : -EIO;
		}
		for (h = (struct nlmsghdr *)data; nlmsg_ok(h, got); h = nlmsg_next(h, &got)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				continue;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = nlmsg_data(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					continue;
				/*
				 * An error for no message of ours that asked for an ACK: the batch
				 * itself was refused (no nf_tables: EOPNOTSUPP on its BEGIN), and
				 * nothing else will come.
				 */
				if (e->error != 0 && each == NULL &&
				    !seq_known(seqs, n, e->msg.nlmsg_seq)) {
					free(data);
					return first != 0 ? first : e->error;
				}
				for (unsigned i = 0; i < n; i++) {
					if (seqs[i] != e->msg.nlmsg_seq)
						continue;
					answered++;
					if (e->error != 0 && first == 0) {
						first = e->error;
						*failed = i;
					}
				}
				/* a dump that fails ends with its error */
				if (each != NULL && e->error != 0) {
					if (first == 0)
						first = e->error;
					done = true;
				}
				continue;
			}
			if (each != NULL)
				each(h, arg);
		}
		free(data);
	}
	return first;
}

static bool valid_rules(const struct hgw_nl_mss_rule *rules, size_t n)
{
	if (n > MAX_RULES)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t len = strnlen(rules[i].ifname, IFNAMSIZ);

		if (len == 0 || len >= IFNAMSIZ || rules[i].mss < HGW_NL_MSS_MIN ||
		    rules[i].mss > HGW_NL_MSS_MAX)
			return false;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(rules[i].ifname, rules[j].ifname))
				return false;
	}
	return true;
}

int hgw_nl_mss_apply(struct hgw_nl_mss *m, const struct hgw_nl_mss_rule *rules, size_t n)
{
	struct batch b = { 0 };
	unsigned failed = 0;
	int r;

	if (!valid_rules(rules, n))
		return -EINVAL;
	batch_add(&b, msg_new(m, NFNL_MSG_BATCH_BEGIN, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, 0), -1,
		  false);
	/* add (a no-op if it exists), then delete: the table is gone whether it was or not */
	batch_add(&b, table_msg(m, NFT_MSG_NEWTABLE, NLM_F_CREATE), NFT_MSG_NEWTABLE, true);
	batch_add(&b, table_msg(m, NFT_MSG_DELTABLE, 0), NFT_MSG_DELTABLE, true);
	if (n > 0) {
		batch_add(&b, table_msg(m, NFT_MSG_NEWTABLE, NLM_F_CREATE), NFT_MSG_NEWTABLE, true);
		batch_add(&b, chain_msg(m), NFT_MSG_NEWCHAIN, true);
		for (size_t i = 0; i < n; i++) {
			batch_add(&b, rule_msg(m, &rules[i], false), NFT_MSG_NEWRULE, true);
			batch_add(&b, rule_msg(m, &rules[i], true), NFT_MSG_NEWRULE, true);
		}
	}
	batch_add(&b, msg_new(m, NFNL_MSG_BATCH_END, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, 0), -1,
		  false);
	r = b.err != 0 ? b.err : talk(m, b.buf, b.len, b.seqs, b.n, &failed, NULL, NULL);
	/*
	 * No nf_tables: the subsystem answers EOPNOTSUPP.  nf_tables without the inet family:
	 * the table may be made, but no inet chain type exists (ENOENT on the chain) or the
	 * family is refused (EAFNOSUPPORT).
	 */
	if (r == -EAFNOSUPPORT || r == -EPROTONOSUPPORT ||
	    (r == -ENOENT && failed < 8 && b.msg_type[failed] == NFT_MSG_NEWCHAIN))
		r = -EOPNOTSUPP;
	free(b.buf);
	free(b.seqs);
	return r;
}

/* ---- reading back ---- */

int hgw_nl_mss_parse_rule(const void *msg, size_t len, struct hgw_nl_mss_rule *out, int *in)
{
	static struct nla_policy policy[NFTA_RULE_MAX + 1] = {
		[NFTA_RULE_TABLE] = { .type = NLA_STRING },
		[NFTA_RULE_CHAIN] = { .type = NLA_STRING },
		[NFTA_RULE_USERDATA] = { .type = NLA_UNSPEC },
	};
	struct nlattr *tb[NFTA_RULE_MAX + 1];
	/* libnl's parser takes no const; it does not write */
	struct nlmsghdr *h = (struct nlmsghdr *)(uintptr_t)msg;
	char text[64], name[IFNAMSIZ], dir[4], extra;
	const unsigned char *u;
	unsigned mss;
	int ulen;

	if (len < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
		return -EINVAL;
	if (h->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE))
		return 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)) ||
	    nlmsg_parse(h, sizeof(struct nfgenmsg), tb, NFTA_RULE_MAX, policy) < 0)
		return -EINVAL;
	if (tb[NFTA_RULE_TABLE] == NULL || tb[NFTA_RULE_CHAIN] == NULL ||
	    strcmp(nla_get_string(tb[NFTA_RULE_TABLE]), HGW_NL_MSS_TABLE) != 0 ||
	    strcmp(nla_get_string(tb[NFTA_RULE_CHAIN]), HGW_NL_MSS_CHAIN) != 0)
		return 0;
	if (tb[NFTA_RULE_USERDATA] == NULL)
		return -EINVAL; /* a rule in our chain that we did not write */
	u = nla_data(tb[NFTA_RULE_USERDATA]);
	ulen = nla_len(tb[NFTA_RULE_USERDATA]);
	/* type, length, then the text with its NUL, all inside the attribute */
	if (ulen < 3 || u[0] != UDATA_COMMENT || u[1] < 1 || u[1] > ulen - 2 ||
	    (size_t)u[1] > sizeof(text) || u[2 + u[1] - 1] != '\0')
		return -EINVAL;
	memcpy(text, u + 2, u[1]);
	if (sscanf(text, UDATA_PREFIX "%15s %u %3s%c", name, &mss, dir, &extra) != 3 ||
	    mss < HGW_NL_MSS_MIN || mss > HGW_NL_MSS_MAX ||
	    (strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0))
		return -EINVAL;
	snprintf(out->ifname, sizeof(out->ifname), "%s", name);
	out->mss = (uint16_t)mss;
	*in = !strcmp(dir, "in");
	return 1;
}

/* The rules of our chain as the dump gives them. */
struct listing {
	struct hgw_nl_mss_rule *v;
	int *in;
	size_t n;
	int err;
};

static int rule_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hgw_nl_mss_rule *)a)->ifname,
		      ((const struct hgw_nl_mss_rule *)b)->ifname);
}

static int on_rule(struct nlmsghdr *h, void *arg)
{
	struct listing *l = arg;
	struct hgw_nl_mss_rule r;
	int in;

	if (l->err != 0 || hgw_nl_mss_parse_rule(h, h->nlmsg_len, &r, &in) != 1)
		return 0;
	if (l->n % 64 == 0) {
		struct hgw_nl_mss_rule *v = realloc(l->v, (l->n + 64) * sizeof(*v));
		int *d = v != NULL ? realloc(l->in, (l->n + 64) * sizeof(*d)) : NULL;

		if (v != NULL)
			l->v = v;
		if (d == NULL) {
			l->err = -ENOMEM;
			return 0;
		}
		l->in = d;
	}
	l->v[l->n] = r;
	l->in[l->n++] = in;
	return 0;
}

int hgw_nl_mss_list(struct hgw_nl_mss *m, struct hgw_nl_mss_rule **out, size_t *n)
{
	struct nl_msg *msg = nft_msg(m, NFT_MSG_GETRULE, NLM_F_DUMP);
	struct listing l = { 0 };
	struct hgw_nl_mss_rule *v = NULL;
	unsigned failed = 0;
	size_t k = 0;
	int r;

	*out = NULL;
	*n = 0;
	if (msg == NULL)
		return -ENOMEM;
	/* the kernel dumps the rules of this table only */
	nla_put_string(msg, NFTA_RULE_TABLE, HGW_NL_MSS_TABLE);
	r = talk(m, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, NULL, 0, &failed, on_rule, &l);
	nlmsg_free(msg);
	if (r == -ENOENT) /* no table */
		r = 0;
	if (r == 0)
		r = l.err;
	/* an interface counts when its out and in rules agree */
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		if (l.in[i])
			continue;
		for (size_t j = 0; j < l.n; j++) {
			if (l.in[j] && l.v[j].mss == l.v[i].mss &&
			    !strcmp(l.v[j].ifname, l.v[i].ifname)) {
				if (v == NULL && (v = calloc(l.n, sizeof(*v))) == NULL)
					r = -ENOMEM;
				else
					v[k++] = l.v[i];
				break;
			}
		}
	}
	free(l.v);
	free(l.in);
	if (r < 0) {
		free(v);
		return r;
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), rule_cmp);
	*out = v;
	*n = k;
	return 0;
}
