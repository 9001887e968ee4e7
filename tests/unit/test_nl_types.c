/*
 * test_nl_types.c - the kernel driver's pure parts: prefixes, views, tunnel interface
 * names, and the notification classifier on hand-built messages.
 */
#include "config.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nl/nl_types.h"

static struct hgw_nl_prefix pfx(const char *s)
{
	struct hgw_nl_prefix p;

	assert_int_equal(hgw_nl_prefix_parse(s, &p), 0);
	return p;
}

static void test_prefix_parse(void **state)
{
	struct hgw_nl_prefix p;
	char buf[HGW_NL_PREFIX_STRLEN];

	(void)state;
	p = pfx("198.19.10.0/24");
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.len, 24);
	assert_string_equal(hgw_nl_prefix_format(&p, buf, sizeof(buf)), "198.19.10.0/24");
	p = pfx("169.254.21.2");
	assert_int_equal(p.len, 32);
	p = pfx("2001:db8::/32");
	assert_int_equal(p.family, AF_INET6);
	assert_string_equal(hgw_nl_prefix_format(&p, buf, sizeof(buf)), "2001:db8::/32");
	p = pfx("0.0.0.0/0");
	assert_int_equal(p.len, 0);

	/* host bits, lengths, junk */
	assert_int_equal(hgw_nl_prefix_parse("198.19.10.1/24", &p), -EINVAL);
	assert_int_equal(hgw_nl_prefix_parse("198.19.10.0/33", &p), -EINVAL);
	assert_int_equal(hgw_nl_prefix_parse("198.19.10.0/", &p), -EINVAL);
	assert_int_equal(hgw_nl_prefix_parse("198.19.10.0/-1", &p), -EINVAL);
	assert_int_equal(hgw_nl_prefix_parse("198.19.10.0/24x", &p), -EINVAL);
	assert_int_equal(hgw_nl_prefix_parse("/24", &p), -EINVAL);
	assert_int_equal(hgw_nl_prefix_parse("2001:db8::1/64", &p), -EINVAL);
	assert_int_equal(hgw_nl_prefix_parse("2001:db8::/129", &p), -EINVAL);
	assert_int_equal(hgw_nl_prefix_parse("example", &p), -EINVAL);
}

static void test_prefix_overlap(void **state)
{
	struct hgw_nl_prefix a = pfx("198.19.10.0/24"), b = pfx("198.19.10.128/25"),
			     c = pfx("198.19.11.0/24"), d = pfx("0.0.0.0/0"),
			     e = pfx("2001:db8::/32");

	(void)state;
	assert_true(hgw_nl_prefix_overlap(&a, &b));
	assert_true(hgw_nl_prefix_overlap(&b, &a));
	assert_false(hgw_nl_prefix_overlap(&a, &c));
	assert_true(hgw_nl_prefix_overlap(&a, &d));
	assert_false(hgw_nl_prefix_overlap(&a, &e));
	assert_true(hgw_nl_prefix_equal(&a, &a));
	assert_false(hgw_nl_prefix_equal(&a, &b));
}

static struct hgw_nl_nexthop nh(int ifindex, uint8_t last, unsigned flags)
{
	struct hgw_nl_nexthop n = { .family = AF_INET, .ifindex = ifindex, .weight = 1 };

	n.gw[0] = 169;
	n.gw[1] = 254;
	n.gw[2] = 21;
	n.gw[3] = last;
	n.flags = flags;
	return n;
}

static void test_view(void **state)
{
	struct hgw_nl_view a = { .present = true, .n_nh = 2 }, b;

	(void)state;
	a.match = pfx("198.19.10.0/24");
	a.nh[0] = nh(5, 6, 0);
	a.nh[1] = nh(4, 2, 0);
	b = a;
	b.nh[0] = a.nh[1];
	b.nh[1] = a.nh[0];
	assert_false(hgw_nl_view_equal(&a, &b));
	hgw_nl_view_sort(&a);
	hgw_nl_view_sort(&b);
	assert_true(hgw_nl_view_equal(&a, &b));
	assert_int_equal(a.nh[0].ifindex, 4);
	assert_int_equal(hgw_nl_view_usable(&a, false), 2);

	/* a nexthop's flags are part of the view */
	b.nh[1].flags = RTNH_F_LINKDOWN;
	assert_false(hgw_nl_view_equal(&a, &b));
	assert_int_equal(hgw_nl_view_usable(&b, false), 2);
	assert_int_equal(hgw_nl_view_usable(&b, true), 1);
	b.nh[1].flags |= RTNH_F_DEAD;
	assert_int_equal(hgw_nl_view_usable(&b, false), 1);

	/* absent views are equal whatever else they hold */
	a.present = b.present = false;
	assert_true(hgw_nl_view_equal(&a, &b));
	assert_int_equal(hgw_nl_view_usable(&a, false), 0);
}

static void test_ifname(void **state)
{
	enum hgw_nl_tunnel_kind kind;
	unsigned inst;
	char a[IFNAMSIZ], b[IFNAMSIZ];

	(void)state;
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "azure", 0, a, sizeof(a)), 0);
	assert_string_equal(a, "hv-azure-0");
	assert_int_equal(hgw_nl_ifname(HGW_NL_XFRMI, "aws_vpn1", 1, a, sizeof(a)), 0);
	assert_string_equal(a, "hx-aws_vpn1-1");
	/* exactly 15: "hv-" + 9 + "-" + 2 digits */
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "abcdefghi", 42, a, sizeof(a)), 0);
	assert_string_equal(a, "hv-abcdefghi-42");

	/* too long or odd characters: start, '~', hash; still distinct and <= 15 */
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "azure-westeurope-prod", 1, a, sizeof(a)), 0);
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "azure-westeurope-test", 1, b, sizeof(b)), 0);
	assert_true(strlen(a) <= IFNAMSIZ - 1);
	assert_true(strlen(b) <= IFNAMSIZ - 1);
	assert_memory_equal(a, "hv-azure~", 9);
	assert_string_not_equal(a, b);
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "a.b", 0, a, sizeof(a)), 0);
	assert_null(strchr(a, '.'));
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "a.b", 99, b, sizeof(b)), 0);
	assert_true(strlen(b) <= IFNAMSIZ - 1);

	/* deterministic: the same name again */
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "azure-westeurope-prod", 1, b, sizeof(b)), 0);
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "azure-westeurope-prod", 1, a, sizeof(a)), 0);
	assert_string_equal(a, b);

	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "", 0, a, sizeof(a)), -EINVAL);
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "x", 100, a, sizeof(a)), -EINVAL);
	assert_int_equal(hgw_nl_ifname(HGW_NL_VTI, "x", 1, a, 8), -EINVAL);

	/* parse what we make, refuse what we do not */
	assert_int_equal(hgw_nl_ifname_parse("hv-azure-0", &kind, &inst), 0);
	assert_int_equal(kind, HGW_NL_VTI);
	assert_int_equal(inst, 0);
	assert_int_equal(hgw_nl_ifname(HGW_NL_XFRMI, "azure-westeurope-prod", 7, a, sizeof(a)), 0);
	assert_int_equal(hgw_nl_ifname_parse(a, &kind, &inst), 0);
	assert_int_equal(kind, HGW_NL_XFRMI);
	assert_int_equal(inst, 7);
	assert_int_equal(hgw_nl_ifname_parse("vti-a0", &kind, &inst), -EINVAL);
	assert_int_equal(hgw_nl_ifname_parse("hv--0", &kind, &inst), -EINVAL);
	assert_int_equal(hgw_nl_ifname_parse("hv-a-01", &kind, &inst), -EINVAL);
	assert_int_equal(hgw_nl_ifname_parse("hv-a-100", &kind, &inst), -EINVAL);
	assert_int_equal(hgw_nl_ifname_parse("hq-a-1", &kind, &inst), -EINVAL);
	assert_int_equal(hgw_nl_ifname_parse("hv-a.b-1", &kind, &inst), -EINVAL);
	assert_int_equal(hgw_nl_ifname_parse("hv-a-", &kind, &inst), -EINVAL);
	assert_int_equal(hgw_nl_ifname_parse("hv-abcdefghij-1", &kind, &inst), 0);
	assert_int_equal(hgw_nl_ifname_parse("hv-abcdefghijk-1", &kind, &inst), -EINVAL);
}

/* A route notification: header, rtmsg, RTA_TABLE, RTA_DST (IPv4). */
struct route_msg {
	struct nlmsghdr h;
	struct rtmsg rtm;
	struct rtattr table_hdr;
	uint32_t table;
	struct rtattr dst_hdr;
	uint8_t dst[4];
};

static struct route_msg route_msg(uint16_t type)
{
	struct route_msg m;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = type;
	m.rtm.rtm_family = AF_INET;
	m.rtm.rtm_dst_len = 24;
	m.rtm.rtm_table = RT_TABLE_MAIN;
	m.rtm.rtm_protocol = HGW_NL_RTPROT;
	m.table_hdr.rta_len = RTA_LENGTH(4);
	m.table_hdr.rta_type = RTA_TABLE;
	m.table = 1000;
	m.dst_hdr.rta_len = RTA_LENGTH(4);
	m.dst_hdr.rta_type = RTA_DST;
	memcpy(m.dst, (uint8_t[]){ 198, 19, 10, 0 }, 4);
	return m;
}

static void test_classify(void **state)
{
	struct route_msg m = route_msg(RTM_NEWROUTE);
	struct hgw_nl_event_info info;
	struct hgw_nl_prefix want = pfx("198.19.10.0/24");
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} link = { { sizeof(link), RTM_NEWLINK, 0, 0, 0 }, { .ifi_index = 7, .ifi_flags = 1 } };

	(void)state;
	assert_int_equal(hgw_nl_event_classify(&m, sizeof(m), &info), RTM_NEWROUTE);
	assert_int_equal(info.kind, HGW_NL_EV_ROUTE);
	assert_true(hgw_nl_prefix_equal(&info.dst, &want));
	assert_int_equal(info.table, 1000);
	assert_int_equal(info.protocol, HGW_NL_RTPROT);

	assert_int_equal(hgw_nl_event_classify(&link, sizeof(link), &info), RTM_NEWLINK);
	assert_int_equal(info.kind, HGW_NL_EV_LINK);
	assert_int_equal(info.ifindex, 7);

	/* lengths that lie, attributes of the wrong size, impossible prefix lengths */
	assert_int_equal(hgw_nl_event_classify(&m, sizeof(m) - 1, &info), -EBADMSG);
	assert_int_equal(hgw_nl_event_classify(&m, 8, &info), -EBADMSG);
	m.h.nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(hgw_nl_event_classify(&m, sizeof(m), &info), -EBADMSG);
	m = route_msg(RTM_DELROUTE);
	m.dst_hdr.rta_len = RTA_LENGTH(3);
	assert_int_equal(hgw_nl_event_classify(&m, sizeof(m), &info), -EBADMSG);
	m = route_msg(RTM_DELROUTE);
	m.rtm.rtm_dst_len = 33;
	assert_int_equal(hgw_nl_event_classify(&m, sizeof(m), &info), -EBADMSG);
	link.h.nlmsg_len = NLMSG_LENGTH(2);
	assert_int_equal(hgw_nl_event_classify(&link, sizeof(link), &info), -EBADMSG);

	/* host bits in a notification's destination are cleared, not trusted */
	m = route_msg(RTM_NEWROUTE);
	m.dst[3] = 9;
	assert_int_equal(hgw_nl_event_classify(&m, sizeof(m), &info), RTM_NEWROUTE);
	assert_true(hgw_nl_prefix_equal(&info.dst, &want));

	/* other families and types are "other" */
	m.rtm.rtm_family = AF_UNSPEC;
	assert_int_equal(hgw_nl_event_classify(&m, sizeof(m), &info), RTM_NEWROUTE);
	assert_int_equal(info.kind, HGW_NL_EV_OTHER);
	m.h.nlmsg_type = RTM_NEWNEIGH;
	assert_int_equal(hgw_nl_event_classify(&m, sizeof(m), &info), RTM_NEWNEIGH);
	assert_int_equal(info.kind, HGW_NL_EV_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_parse), cmocka_unit_test(test_prefix_overlap),
		cmocka_unit_test(test_view),	     cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
