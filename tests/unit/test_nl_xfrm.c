/*
 * test_nl_xfrm.c - the XFRM message parser (lib/nl/nl_xfrm.c) on hand-built SAs and
 * policies: every field lands where nl_xfrm.h says, keys never reach the struct, and a
 * broken message is refused.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nl/nl_xfrm.h"

/* A recognisable key: if any 8 bytes of it show up in a parsed struct, the parser leaked. */
static const uint8_t KEY[36] = { 0xde, 0xad, 0xbe, 0xef, 0x4b, 0x45, 0x59, 0x21, 0x01,
				 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
				 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13,
				 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c };

struct msg {
	uint8_t buf[2048];
	size_t len;
};

static void *put_attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(a->nla_len);
	((struct nlmsghdr *)m->buf)->nlmsg_len = (uint32_t)m->len;
	return a;
}

static void sa_msg(struct msg *m)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	struct xfrm_usersa_info info = { 0 };
	uint8_t aead[sizeof(struct xfrm_algo_aead) + sizeof(KEY)];
	struct xfrm_algo_aead *alg = (struct xfrm_algo_aead *)aead;
	struct xfrm_mark mark = { .v = 12, .m = 0xffffffff };
	uint32_t if_id = 7;
	struct xfrm_replay_state rs = { .oseq = 41, .seq = 40 };
	struct xfrm_encap_tmpl encap = { .encap_sport = htons(4500), .encap_dport = htons(4500) };

	memset(m, 0, sizeof(*m));
	h->nlmsg_type = XFRM_MSG_NEWSA;
	info.family = AF_INET;
	inet_pton(AF_INET, "198.18.0.1", &info.saddr);
	inet_pton(AF_INET, "198.18.0.10", &info.id.daddr);
	info.id.spi = htonl(0xc1a0f00d);
	info.id.proto = IPPROTO_ESP;
	info.mode = XFRM_MODE_TUNNEL;
	info.reqid = 3;
	info.replay_window = 32;
	info.stats.replay_window = 1;
	info.stats.replay = 2;
	info.stats.integrity_failed = 5;
	info.curlft.bytes = 123456;
	info.curlft.packets = 789;
	info.curlft.add_time = 1700000000;
	info.lft.hard_add_expires_seconds = 3600;
	info.lft.soft_add_expires_seconds = 3000;
	info.lft.hard_byte_limit = UINT64_MAX;
	info.sel.family = AF_INET;
	memcpy(m->buf + NLMSG_HDRLEN, &info, sizeof(info));
	m->len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(info));
	h->nlmsg_len = (uint32_t)m->len;

	memset(aead, 0, sizeof(aead));
	strcpy(alg->alg_name, "rfc4106(gcm(aes))");
	alg->alg_key_len = sizeof(KEY) * 8;
	alg->alg_icv_len = 128;
	memcpy(alg->alg_key, KEY, sizeof(KEY));
	put_attr(m, XFRMA_ALG_AEAD, aead, sizeof(aead));
	put_attr(m, XFRMA_MARK, &mark, sizeof(mark));
	put_attr(m, XFRMA_IF_ID, &if_id, sizeof(if_id));
	put_attr(m, XFRMA_REPLAY_VAL, &rs, sizeof(rs));
	put_attr(m, XFRMA_ENCAP, &encap, sizeof(encap));
}

static bool has_key_bytes(const void *p, size_t len)
{
	for (size_t i = 0; i + 8 <= sizeof(KEY); i++) {
		if (memmem(p, len, KEY + i, 8) != NULL)
			return true;
	}
	return false;
}

static void test_sa(void **state)
{
	struct msg m;
	struct hgw_nl_xfrm_sa sa;
	char ip[INET_ADDRSTRLEN];

	(void)state;
	sa_msg(&m);
	assert_int_equal(hgw_nl_xfrm_sa_parse(m.buf, m.len, &sa), 0);
	assert_int_equal(sa.family, AF_INET);
	assert_string_equal(inet_ntop(AF_INET, sa.dst, ip, sizeof(ip)), "198.18.0.10");
	assert_int_equal(sa.spi, 0xc1a0f00d);
	assert_int_equal(sa.proto, IPPROTO_ESP);
	assert_string_equal(hgw_nl_xfrm_mode_str(sa.mode), "tunnel");
	assert_int_equal(sa.reqid, 3);
	assert_int_equal(sa.mark, 12);
	assert_int_equal(sa.mark_mask, 0xffffffff);
	assert_int_equal(sa.if_id, 7);
	assert_string_equal(sa.aead.name, "rfc4106(gcm(aes))");
	assert_int_equal(sa.aead.key_bits, 288);
	assert_int_equal(sa.aead.icv_bits, 128);
	assert_string_equal(sa.enc.name, "");
	assert_int_equal(sa.replay_window, 32);
	assert_int_equal(sa.oseq, 41);
	assert_int_equal(sa.seq, 40);
	assert_int_equal(sa.fail_replay_window, 1);
	assert_int_equal(sa.fail_replay, 2);
	assert_int_equal(sa.fail_integrity, 5);
	assert_int_equal(sa.bytes, 123456);
	assert_int_equal(sa.packets, 789);
	assert_int_equal(sa.add_time, 1700000000);
	assert_int_equal(sa.lft.hard_add_s, 3600);
	assert_int_equal(sa.lft.soft_add_s, 3000);
	assert_true(sa.lft.hard_bytes == UINT64_MAX);
	assert_int_equal(sa.encap_dport, 4500);
	assert_false(has_key_bytes(&sa, sizeof(sa)));
}

static void test_sa_broken(void **state)
{
	struct msg m;
	struct hgw_nl_xfrm_sa sa;
	struct nlmsghdr *h = (struct nlmsghdr *)m.buf;

	(void)state;
	sa_msg(&m);
	/* shorter than it says */
	assert_int_equal(hgw_nl_xfrm_sa_parse(m.buf, m.len - 1, &sa), -EBADMSG);
	/* shorter than its fixed part */
	h->nlmsg_len = NLMSG_HDRLEN + 8;
	assert_int_equal(hgw_nl_xfrm_sa_parse(m.buf, m.len, &sa), -EBADMSG);
	/* an attribute shorter than its type */
	sa_msg(&m);
	size_t at = m.len;
	uint16_t two = 2;

	put_attr(&m, XFRMA_MARK, &two, sizeof(two));
	assert_int_equal(hgw_nl_xfrm_sa_parse(m.buf, m.len, &sa), -EBADMSG);
	/* an attribute longer than the message */
	((struct nlattr *)(m.buf + at))->nla_len = 200;
	assert_int_equal(hgw_nl_xfrm_sa_parse(m.buf, m.len, &sa), -EBADMSG);
	/* another message type */
	sa_msg(&m);
	h->nlmsg_type = XFRM_MSG_NEWPOLICY;
	assert_int_equal(hgw_nl_xfrm_sa_parse(m.buf, m.len, &sa), -ENOMSG);
}

static void test_policy(void **state)
{
	struct msg m;
	struct nlmsghdr *h = (struct nlmsghdr *)m.buf;
	struct xfrm_userpolicy_info info = { 0 };
	struct xfrm_user_tmpl t[2] = { 0 };
	struct xfrm_mark mark = { .v = 11, .m = 0xffffffff };
	struct hgw_nl_xfrm_policy p;
	char buf[HGW_NL_PREFIX_STRLEN];

	(void)state;
	memset(&m, 0, sizeof(m));
	h->nlmsg_type = XFRM_MSG_NEWPOLICY;
	info.sel.family = AF_INET;
	inet_pton(AF_INET, "198.18.1.0", &info.sel.saddr);
	info.sel.prefixlen_s = 24;
	info.sel.prefixlen_d = 0;
	info.sel.dport = htons(179);
	info.dir = XFRM_POLICY_OUT;
	info.priority = 100;
	info.index = 9;
	memcpy(m.buf + NLMSG_HDRLEN, &info, sizeof(info));
	m.len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(info));
	h->nlmsg_len = (uint32_t)m.len;
	for (int i = 0; i < 2; i++) {
		t[i].family = AF_INET;
		t[i].id.proto = IPPROTO_ESP;
		t[i].mode = XFRM_MODE_TUNNEL;
		t[i].reqid = 7 + (uint32_t)i;
		inet_pton(AF_INET, "198.18.0.6", &t[i].id.daddr);
	}
	put_attr(&m, XFRMA_TMPL, t, sizeof(t));
	put_attr(&m, XFRMA_MARK, &mark, sizeof(mark));
	assert_int_equal(hgw_nl_xfrm_policy_parse(m.buf, m.len, &p), 0);
	assert_string_equal(hgw_nl_prefix_format(&p.sel.src, buf, sizeof(buf)), "198.18.1.0/24");
	assert_string_equal(hgw_nl_prefix_format(&p.sel.dst, buf, sizeof(buf)), "0.0.0.0/0");
	assert_int_equal(p.sel.dport, 179);
	assert_string_equal(hgw_nl_xfrm_dir_str(p.dir), "out");
	assert_int_equal(p.priority, 100);
	assert_int_equal(p.mark, 11);
	assert_int_equal(p.n_tmpl, 2);
	assert_int_equal(p.tmpl[1].reqid, 8);
	assert_int_equal(p.tmpl[0].proto, IPPROTO_ESP);

	/* a template array that is not a whole number of templates */
	m.len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(info));
	put_attr(&m, XFRMA_TMPL, t, sizeof(t[0]) + 4);
	assert_int_equal(hgw_nl_xfrm_policy_parse(m.buf, m.len, &p), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa),
		cmocka_unit_test(test_sa_broken),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
