/*
 * test_nc_filter.c - RFC 6241 subtree filters turned into xpath (hgw_nc_subtree_xpath()):
 * the filter is parsed as libnetconf2 parses a <get>, the xpath compared, and some of them
 * evaluated on a configuration.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nc/nc_acm.h"
#include "test_nc_util.h"

#define NS "xmlns=\"" HGW_NC_NAMESPACE "\""
#define YL "xmlns=\"urn:ietf:params:xml:ns:yang:ietf-yang-library\""
#define TOP "/hybridgw:hybridgw"
#define CONN TOP "/connections/connection"
#define CONFIG                                                                            \
	"<hybridgw " NS "><connections>"                                                  \
	"<connection><name>az</name><pre-shared-key>key-of-azure</pre-shared-key>"        \
	"<description>first</description><traffic-selectors><local>198.18.0.0/16</local>" \
	"<local>198.19.0.0/16</local></traffic-selectors></connection>"                   \
	"<connection><name>aws</name><pre-shared-key>other-key-1234</pre-shared-key>"     \
	"<description>second</description></connection></connections></hybridgw>"

static struct ly_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	ctx = test_nc_ctx();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ly_ctx_destroy(ctx);
	return 0;
}

/* The xpath of the subtree filter content (XML), or NULL; r is the expected return. */
static char *convert(const char *content, int expect_r)
{
	char *rpc = NULL, *xpath = NULL;
	struct lyd_node *env = NULL, *op = NULL, *filter = NULL;
	const struct lyd_node_any *any;
	struct ly_in *in = NULL;

	assert_true(
		asprintf(&rpc,
			 "<rpc xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\" "
			 "message-id=\"1\"><get><filter type=\"subtree\">%s</filter></get></rpc>",
			 content) > 0);
	assert_int_equal(ly_in_new_memory(rpc, &in), LY_SUCCESS);
	if (lyd_parse_op(ctx, NULL, in, LYD_XML, LYD_TYPE_RPC_NETCONF, &env, &op) != LY_SUCCESS)
		fail_msg("cannot parse %s: %s", content, ly_errmsg(ctx));
	assert_int_equal(lyd_find_path(op, "filter", 0, &filter), LY_SUCCESS);
	any = (const struct lyd_node_any *)filter;
	assert_int_equal(any->value_type, LYD_ANYDATA_DATATREE);
	assert_int_equal(hgw_nc_subtree_xpath(ctx, any->value.tree, &xpath), expect_r);
	if (expect_r < 0)
		assert_null(xpath);
	lyd_free_all(env);
	lyd_free_all(op);
	ly_in_free(in, 0);
	free(rpc);
	return xpath;
}

static void check(const char *content, const char *expect)
{
	char *xpath = convert(content, 0);

	if (expect == NULL)
		assert_null(xpath);
	else if (xpath == NULL)
		fail_msg("%s: selects nothing, expected %s", content, expect);
	else
		assert_string_equal(xpath, expect);
	free(xpath);
}

/* How many nodes the filter's xpath finds in CONFIG (as the operator role sees it). */
static unsigned int count_as(const char *content, bool operator)
{
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;
	struct ly_set *set = NULL;
	char *xpath = convert(content, 0);
	unsigned int n;

	if (xpath == NULL)
		return 0;
	assert_int_equal(hgw_nc_parse_config(ctx, CONFIG, false, &tree, &errs), 0);
	if (operator)
		hgw_nc_acm_strip(&tree);
	assert_int_equal(lyd_find_xpath(tree, xpath, &set), LY_SUCCESS);
	n = set->count;
	ly_set_free(set, NULL);
	lyd_free_all(tree);
	hgw_nc_errors_clear(&errs);
	free(xpath);
	return n;
}

static unsigned int count(const char *content)
{
	return count_as(content, false);
}

/* The key is hidden before the filter runs: neither selected nor a match to probe. */
static void test_operator(void **state)
{
	const char *select = "<hybridgw " NS "><connections><connection><pre-shared-key/>"
			     "</connection></connections></hybridgw>";
	const char *probe = "<hybridgw " NS "><connections><connection><pre-shared-key>"
			    "key-of-azure</pre-shared-key><name/></connection></connections>"
			    "</hybridgw>";

	(void)state;
	assert_int_equal(count_as(select, false), 2);
	assert_int_equal(count_as(select, true), 0);
	assert_int_equal(count_as(probe, false), 2);
	assert_int_equal(count_as(probe, true), 0);
}

static void test_empty(void **state)
{
	(void)state;
	check("", NULL);
	check("\n  \n", NULL);
}

static void test_top_container(void **state)
{
	(void)state;
	check("<hybridgw " NS "/>", TOP);
	check("<hybridgw " NS ">\n  </hybridgw>", TOP);
}

static void test_containment(void **state)
{
	(void)state;
	check("<hybridgw " NS "><connections/></hybridgw>", TOP "/connections");
	check("<hybridgw " NS "><failover/></hybridgw>", TOP "/failover");
	check("<hybridgw " NS "><connections><connection/></connections></hybridgw>", CONN);
}

static void test_key_match(void **state)
{
	(void)state;
	check("<hybridgw " NS "><connections><connection><name>az</name></connection>"
	      "</connections></hybridgw>",
	      CONN "[name='az']");
	assert_int_equal(count("<hybridgw " NS "><connections><connection><name>az</name>"
			       "</connection></connections></hybridgw>"),
			 1);
}

static void test_selection_leaf(void **state)
{
	(void)state;
	check("<hybridgw " NS "><connections><connection><description/></connection>"
	      "</connections></hybridgw>",
	      CONN "/description");
	/* an empty value is a selection node even where the type refuses it */
	check("<hybridgw " NS "><connections><connection><name>az</name><pre-shared-key/>"
	      "</connection></connections></hybridgw>",
	      CONN "[name='az']/name | " CONN "[name='az']/pre-shared-key");
	assert_int_equal(count("<hybridgw " NS "><connections><connection><description/>"
			       "</connection></connections></hybridgw>"),
			 2);
}

static void test_multiple_content_matches(void **state)
{
	(void)state;
	check("<hybridgw " NS "><connections><connection><name>az</name>"
	      "<description>first</description><enabled/></connection></connections></hybridgw>",
	      CONN "[name='az'][description='first']/name | " CONN
		   "[name='az'][description='first']/description | " CONN
		   "[name='az'][description='first']/enabled");
	assert_int_equal(count("<hybridgw " NS "><connections><connection><name>az</name>"
			       "<description>second</description></connection></connections>"
			       "</hybridgw>"),
			 0);
	assert_int_equal(count("<hybridgw " NS "><connections><connection><name>aws</name>"
			       "<description>second</description></connection></connections>"
			       "</hybridgw>"),
			 1);
}

static void test_two_instances(void **state)
{
	(void)state;
	check("<hybridgw " NS "><connections><connection><name>az</name></connection>"
	      "<connection><name>aws</name><description/></connection></connections></hybridgw>",
	      CONN "[name='az'] | " CONN "[name='aws']/name | " CONN "[name='aws']/description");
}

static void test_nested_lists(void **state)
{
	(void)state;
	check("<hybridgw " NS "><connections><connection><name>az</name><ike><proposal>"
	      "<id>1</id></proposal></ike><gateway><name>gw1</name><tunnel/></gateway>"
	      "</connection></connections></hybridgw>",
	      CONN "[name='az']/name | " CONN "[name='az']/ike/proposal[id='1'] | " CONN
		   "[name='az']/gateway[name='gw1']/name | " CONN
		   "[name='az']/gateway[name='gw1']/tunnel");
}

static void test_leaf_list(void **state)
{
	(void)state;
	check("<hybridgw " NS "><connections><connection><name>az</name><traffic-selectors>"
	      "<local>198.18.0.0/16</local><remote/></traffic-selectors></connection>"
	      "</connections></hybridgw>",
	      CONN
	      "[name='az']/name | " CONN
	      "[name='az']/traffic-selectors[local='198.18.0.0/16']/local[.='198.18.0.0/16'] | " CONN
	      "[name='az']/traffic-selectors[local='198.18.0.0/16']/remote");
	/* only the matching entry of the leaf-list */
	assert_int_equal(count("<hybridgw " NS "><connections><connection><traffic-selectors>"
			       "<local>198.18.0.0/16</local><remote/></traffic-selectors>"
			       "</connection></connections></hybridgw>"),
			 1);
}

static void test_two_modules(void **state)
{
	(void)state;
	check("<hybridgw " NS "><failover/></hybridgw><modules-state " YL "/>",
	      TOP "/failover | /ietf-yang-library:modules-state");
	check("<yang-library " YL "><module-set><name/></module-set></yang-library>",
	      "/ietf-yang-library:yang-library/module-set/name");
}

static void test_unknown(void **state)
{
	(void)state;
	/* unknown namespace, unknown element: they select nothing */
	check("<hybridgw xmlns=\"urn:example:nothing\"/>", NULL);
	check("<nothing " NS "/>", NULL);
	check("<hybridgw " NS "><connections><nothing/></connections></hybridgw>", NULL);
	/* an unknown content match: no instance matches, its siblings are not selected */
	check("<hybridgw " NS "><connections><connection><nothing>x</nothing><name/>"
	      "</connection></connections></hybridgw>",
	      NULL);
	/* a known sibling still selects */
	check("<hybridgw " NS "><connections><nothing/><connection/></connections></hybridgw>",
	      CONN);
	/* a node of the wrong module under a known one */
	check("<hybridgw " NS "><connections " YL "/></hybridgw>", NULL);
}

static void test_quoting(void **state)
{
	char *xpath;

	(void)state;
	check("<hybridgw " NS "><connections><connection><description>it's</description>"
	      "</connection></connections></hybridgw>",
	      CONN "[description=\"it's\"]");
	check("<hybridgw " NS "><connections><connection><description>say \"hi\"</description>"
	      "</connection></connections></hybridgw>",
	      CONN "[description='say \"hi\"']");
	xpath = convert("<hybridgw " NS "><connections><connection><description>it's "
			"\"both\"</description></connection></connections></hybridgw>",
			-EINVAL);
	assert_null(xpath);
}

static void test_prefixed(void **state)
{
	(void)state;
	/* prefixes are the client's: only the namespace counts */
	check("<h:hybridgw xmlns:h=\"" HGW_NC_NAMESPACE "\"><h:connections><h:connection>"
	      "<h:name>az</h:name></h:connection></h:connections></h:hybridgw>",
	      CONN "[name='az']");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_top_container),
		cmocka_unit_test(test_containment),
		cmocka_unit_test(test_key_match),
		cmocka_unit_test(test_selection_leaf),
		cmocka_unit_test(test_multiple_content_matches),
		cmocka_unit_test(test_two_instances),
		cmocka_unit_test(test_nested_lists),
		cmocka_unit_test(test_leaf_list),
		cmocka_unit_test(test_two_modules),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_prefixed),
		cmocka_unit_test(test_operator),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
