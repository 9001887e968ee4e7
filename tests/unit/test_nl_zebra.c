/*
 * test_nl_zebra.c - the FRR #13288 guard (lib/nl/nl_zebra.c): does zebra's RIB, as `show ip
 * route json` prints it, hold the connected route of a tunnel interface's address?
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nl/nl_zebra.h"

/* FRR 8.4's shape, trimmed: a connected /30 on vti-a1, a BGP route, a connected /30 on
 * another interface. */
static const char RIB[] =
	"{\"169.254.21.4/30\":[{\"prefix\":\"169.254.21.4/30\",\"prefixLen\":30,"
	"\"protocol\":\"connected\",\"selected\":true,\"installed\":true,\"nexthops\":[{"
	"\"fib\":true,\"directlyConnected\":true,\"interfaceIndex\":7,\"interfaceName\":"
	"\"vti-a1\",\"active\":true}]}],"
	"\"198.19.10.0/24\":[{\"prefix\":\"198.19.10.0/24\",\"protocol\":\"bgp\",\"nexthops\":[{"
	"\"ip\":\"169.254.21.6\",\"interfaceName\":\"vti-a1\"}]}],"
	"\"169.254.21.0/30\":[{\"prefix\":\"169.254.21.0/30\",\"protocol\":\"connected\","
	"\"nexthops\":[{\"directlyConnected\":true,\"interfaceName\":\"er0\"}]}],"
	"\"169.254.22.1/32\":[{\"prefix\":\"169.254.22.1/32\",\"protocol\":\"connected\","
	"\"nexthops\":[{\"interfaceName\":\"hv-azure-1\"}]}]}";

static struct hgw_nl_prefix addr(const char *a, uint8_t len)
{
	struct hgw_nl_prefix p;

	assert_int_equal(hgw_nl_prefix_parse(a, &p), 0);
	p.len = len;
	return p;
}

static void test_connected(void **state)
{
	struct hgw_nl_prefix a1 = addr("169.254.21.5", 30);
	struct hgw_nl_prefix host = addr("169.254.22.1", 32);

	(void)state;
	/* the address has host bits: its subnet is what zebra lists */
	assert_int_equal(hgw_nl_zebra_has_connected(RIB, "vti-a1", &a1), 1);
	/* the same subnet through another interface is not ours */
	assert_int_equal(hgw_nl_zebra_has_connected(RIB, "vti-a0", &a1), 0);
	/* a subnet zebra has through another interface only */
	struct hgw_nl_prefix a0 = addr("169.254.21.1", 30);

	assert_int_equal(hgw_nl_zebra_has_connected(RIB, "vti-a0", &a0), 0);
	assert_int_equal(hgw_nl_zebra_has_connected(RIB, "er0", &a0), 1);
	/* Azure style with a /32 local address */
	assert_int_equal(hgw_nl_zebra_has_connected(RIB, "hv-azure-1", &host), 1);
}

static void test_missed(void **state)
{
	/* #13288: the interface is known, its address is not, so no connected route; a BGP
	 * route through the interface does not count */
	static const char missed[] =
		"{\"198.19.10.0/24\":[{\"protocol\":\"bgp\",\"nexthops\":[{\"ip\":"
		"\"169.254.21.6\",\"interfaceName\":\"vti-a1\"}]}],\"169.254.21.4/30\":["
		"{\"protocol\":\"kernel\",\"nexthops\":[{\"interfaceName\":\"vti-a1\"}]}]}";
	struct hgw_nl_prefix a1 = addr("169.254.21.5", 30);

	(void)state;
	assert_int_equal(hgw_nl_zebra_has_connected(missed, "vti-a1", &a1), 0);
	assert_int_equal(hgw_nl_zebra_has_connected("{}", "vti-a1", &a1), 0);
}

static void test_malformed(void **state)
{
	struct hgw_nl_prefix a1 = addr("169.254.21.5", 30);

	(void)state;
	assert_int_equal(hgw_nl_zebra_has_connected("", "vti-a1", &a1), -EBADMSG);
	assert_int_equal(hgw_nl_zebra_has_connected("[1,2]", "vti-a1", &a1), -EBADMSG);
	assert_int_equal(hgw_nl_zebra_has_connected("{\"169.254.21.4/30\":", "vti-a1", &a1),
			 -EBADMSG);
	/* wrong types inside are "not there", never a crash */
	assert_int_equal(
		hgw_nl_zebra_has_connected("{\"169.254.21.4/30\":{\"a\":1}}", "vti-a1", &a1), 0);
	assert_int_equal(hgw_nl_zebra_has_connected("{\"169.254.21.4/30\":[7,{\"protocol\":"
						    "\"connected\",\"nexthops\":[3,{"
						    "\"interfaceName\":5}]}]}",
						    "vti-a1", &a1),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connected),
		cmocka_unit_test(test_missed),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
