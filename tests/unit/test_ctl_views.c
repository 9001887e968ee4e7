/*
 * test_ctl_views.c - golden files for hybridgwctl's show views (daemons/hybridgwctl/views.h),
 * and the pure parts around them.
 *
 * The input is golden/ctl/state-azure-aa.xml, the <get> data of the lab's router (its header
 * says what it shows).  It is first parsed strictly against yang/hybridgw.yang and
 * validated (with a placeholder pre-shared key: the fixture has none), so a fixture that no
 * longer fits the model fails here, not in the views.  Every view is then rendered at
 * 2026-11-23T12:00:00Z, as text and as JSON, in three cases, and compared byte for byte:
 *
 *	golden/ctl/<view>.txt, <view>.json                  the fixture
 *	golden/ctl/config-only-<view>.txt, ...json          its configuration alone (no state:
 *	                                                    what hybridgwd --config-only serves)
 *	golden/ctl/empty-<view>.txt                         no data at all
 *
 * HGW_GOLDEN_UPDATE=1 rewrites the expected files from the current output (review the diff
 * before committing it):
 *	HGW_GOLDEN_UPDATE=1 make check TESTS=tests/unit/test_ctl_views
 * yanglint checks the fixture too (as <get> data: it has no pre-shared key):
 *	yanglint -p /usr/share/yuma/modules/ietf -t get yang/hybridgw.yang \
 *		tests/unit/golden/ctl/state-azure-aa.xml
 *
 * Also: each view's xpath filter compiles against the model, and rendering the subset the
 * server returns for that filter gives the same output as rendering everything (the filter
 * selects all a view reads); the config PATH syntax (cfgpath.h).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "golden.h"
#include <libyang/libyang.h>

#include "cfgpath.h"
#include "util.h"
#include "views.h"

#ifndef HGW_TEST_YANG_DIR
#define HGW_TEST_YANG_DIR "yang"
#endif
#ifndef HGW_TEST_CTL_GOLDEN_DIR
#define HGW_TEST_CTL_GOLDEN_DIR "tests/unit/golden/ctl"
#endif
#define IETF_YANG_DIR "/usr/share/yuma/modules/ietf"
#define FIXTURE HGW_TEST_CTL_GOLDEN_DIR "/state-azure-aa.xml"

/* 2026-11-23T12:00:00Z, the fixture's "now" */
static const time_t NOW = 1795435200;

static struct ly_ctx *ctx;
static struct lyd_node *fixture;

static struct ly_ctx *new_ctx(void)
{
	struct ly_ctx *c = NULL;

	assert_int_equal(
		ly_ctx_new(HGW_TEST_YANG_DIR ":" IETF_YANG_DIR, LY_CTX_DISABLE_SEARCHDIR_CWD, &c),
		LY_SUCCESS);
	if (ly_ctx_load_module(c, "hybridgw", NULL, NULL) == NULL)
		fail_msg("cannot load hybridgw from %s: %s", HGW_TEST_YANG_DIR, ly_errmsg(c));
	return c;
}

static int setup(void **state)
{
	(void)state;
	ctx = new_ctx();
	/* strict: an element the model does not have, or a bad value, is an error */
	if (lyd_parse_data_path(ctx, FIXTURE, LYD_XML, LYD_PARSE_ONLY | LYD_PARSE_STRICT, 0,
				&fixture) != LY_SUCCESS) {
		print_error("%s does not parse against yang/hybridgw.yang: %s (%s)\n", FIXTURE,
			    ly_errmsg(ctx), ly_errpath(ctx) ? ly_errpath(ctx) : "");
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lyd_free_all(fixture);
	ly_ctx_destroy(ctx);
	return 0;
}

/* The view of data as text or JSON. */
static char *render(enum ctl_view view, const struct lyd_node *data, time_t now, bool json)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&buf, &size);

	assert_non_null(m);
	assert_int_equal(ctl_view_print(view, data, now, json, m), 0);
	assert_int_equal(fclose(m), 0);
	return buf;
}

/* Compare got with golden/ctl/name; on HGW_GOLDEN_UPDATE, write it.  0 when equal. */
static int check_golden(const char *name, const char *got)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", HGW_TEST_CTL_GOLDEN_DIR, name);
	return golden_check(path, got);
}

/* Every view of data against golden/ctl/<prefix><view>.txt (and .json if json). */
static void golden_case(const char *prefix, const struct lyd_node *data, bool json)
{
	char name[128], *got;
	int failures = 0, v;

	for (v = 0; v < CTL_VIEW_COUNT; v++) {
		snprintf(name, sizeof(name), "%s%s.txt", prefix, ctl_view_slug((enum ctl_view)v));
		got = render((enum ctl_view)v, data, NOW, false);
		failures += check_golden(name, got);
		free(got);
		if (!json)
			continue;
		snprintf(name, sizeof(name), "%s%s.json", prefix, ctl_view_slug((enum ctl_view)v));
		got = render((enum ctl_view)v, data, NOW, true);
		failures += check_golden(name, got);
		free(got);
	}
	assert_int_equal(failures, 0);
}

/* The fixture validates as a datastore with state, once it has the key it must not hold. */
static void test_fixture_valid(void **state)
{
	struct lyd_node *copy = NULL, *conn;
	struct ly_set *set = NULL;
	uint32_t i;

	(void)state;
	assert_int_equal(lyd_dup_siblings(fixture, NULL, LYD_DUP_RECURSIVE, &copy), LY_SUCCESS);
	assert_int_equal(lyd_find_xpath(copy, "/hybridgw:hybridgw/connections/connection", &set),
			 LY_SUCCESS);
	assert_true(set->count > 0);
	for (i = 0; i < set->count; i++) {
		conn = set->dnodes[i];
		assert_int_equal(lyd_new_term(conn, NULL, "pre-shared-key", "placeholder-not-a-key",
					      0, NULL),
				 LY_SUCCESS);
	}
	ly_set_free(set, NULL);
	if (lyd_validate_all(&copy, ctx, LYD_VALIDATE_PRESENT, NULL) != LY_SUCCESS)
		fail_msg("%s does not validate: %s (%s)", FIXTURE, ly_errmsg(ctx),
			 ly_errpath(ctx) ? ly_errpath(ctx) : "");
	lyd_free_all(copy);
}

static void test_golden_state(void **state)
{
	(void)state;
	golden_case("", fixture, true);
}

/* Free every config false node: what a daemon without a state provider answers. */
static void strip_state(struct lyd_node **tree)
{
	struct lyd_node *top, *n;
	struct ly_set *set = NULL;

	LY_LIST_FOR(*tree, top)
	{
		LYD_TREE_DFS_BEGIN(top, n)
		{
			if (n->schema != NULL && (n->schema->flags & LYS_CONFIG_R)) {
				if (set == NULL)
					assert_int_equal(ly_set_new(&set), LY_SUCCESS);
				assert_int_equal(ly_set_add(set, n, 1, NULL), LY_SUCCESS);
				LYD_TREE_DFS_continue = 1;
			}
			LYD_TREE_DFS_END(top, n);
		}
	}
	for (uint32_t i = 0; set != NULL && i < set->count; i++)
		lyd_free_tree(set->dnodes[i]);
	ly_set_free(set, NULL);
}

static void test_golden_config_only(void **state)
{
	struct lyd_node *copy = NULL;

	(void)state;
	assert_int_equal(lyd_dup_siblings(fixture, NULL, LYD_DUP_RECURSIVE, &copy), LY_SUCCESS);
	strip_state(&copy);
	assert_int_not_equal(lyd_find_path(copy, "/hybridgw:hybridgw/routes", 0, NULL), LY_SUCCESS);
	golden_case("config-only-", copy, true);
	lyd_free_all(copy);
}

static void test_golden_empty(void **state)
{
	(void)state;
	golden_case("empty-", NULL, false);
}

/* Golden files catch a change: a day later, the uptimes differ. */
static void test_golden_detects_change(void **state)
{
	char *now = render(CTL_VIEW_CONNECTIONS, fixture, NOW, false);
	char *later = render(CTL_VIEW_CONNECTIONS, fixture, NOW + 86400, false);

	(void)state;
	assert_string_not_equal(now, later);
	free(now);
	free(later);
}

/*
 * What hybridgwd answers to a <get> with an xpath filter (daemons/hybridgwd/netconf.c
 * select_xpath()): every selected node with its subtree and its ancestors (list keys
 * included), merged.
 */
static struct lyd_node *select_xpath(const struct lyd_node *tree, const char *xpath)
{
	struct lyd_node *res = NULL, *dup, *top;
	struct ly_set *set = NULL;
	uint32_t i;

	if (lyd_find_xpath(tree, xpath, &set) != LY_SUCCESS)
		fail_msg("xpath %s: %s", xpath, ly_errmsg(ctx));
	for (i = 0; i < set->count; i++) {
		assert_int_equal(lyd_dup_single(set->dnodes[i], NULL,
						LYD_DUP_RECURSIVE | LYD_DUP_WITH_PARENTS, &dup),
				 LY_SUCCESS);
		for (top = dup; lyd_parent(top) != NULL; top = lyd_parent(top))
			;
		assert_int_equal(lyd_merge_siblings(&res, top, LYD_MERGE_DESTRUCT), LY_SUCCESS);
	}
	ly_set_free(set, NULL);
	return res;
}

static void test_filters(void **state)
{
	int v;

	(void)state;
	for (v = 0; v < CTL_VIEW_COUNT; v++) {
		const char *xpath = ctl_view_xpath((enum ctl_view)v);
		struct lyd_node *subset;
		struct ly_set *set = NULL;
		char *all, *part;

		/* the filter names nodes of the model */
		if (lys_find_xpath(ctx, NULL, xpath, 0, &set) != LY_SUCCESS || set->count == 0)
			fail_msg("view %s: xpath %s does not fit the model: %s",
				 ctl_view_name((enum ctl_view)v), xpath, ly_errmsg(ctx));
		ly_set_free(set, NULL);
		/* and selects everything the view shows */
		subset = select_xpath(fixture, xpath);
		assert_non_null(subset);
		for (int json = 0; json < 2; json++) {
			all = render((enum ctl_view)v, fixture, NOW, json);
			part = render((enum ctl_view)v, subset, NOW, json);
			if (strcmp(all, part) != 0)
				fail_msg("view %s: the filtered data renders\n%s\ninstead of\n%s",
					 ctl_view_name((enum ctl_view)v), part, all);
			free(all);
			free(part);
		}
		lyd_free_all(subset);
	}
}

static void test_view_names(void **state)
{
	static const char *const bgp[] = { "bgp", "peers" }, *const learned[] = { "routes",
										  "learned" };
	static const char *const bad[] = { "routes" }, *const ike[] = { "ike-sa" };
	static const char *const extra[] = { "ike-sa", "x" };

	(void)state;
	assert_int_equal(ctl_view_find(bgp, 2), CTL_VIEW_BGP_PEERS);
	assert_int_equal(ctl_view_find(learned, 2), CTL_VIEW_ROUTES_LEARNED);
	assert_int_equal(ctl_view_find(ike, 1), CTL_VIEW_IKE_SA);
	assert_int_equal(ctl_view_find(bad, 1), -1);
	assert_int_equal(ctl_view_find(extra, 2), -1);
	assert_int_equal(ctl_view_find(NULL, 0), -1);
	assert_null(ctl_view_name(CTL_VIEW_COUNT));
	assert_int_equal(ctl_view_print(CTL_VIEW_COUNT, fixture, NOW, false, stdout), -EINVAL);
}

static void path_ok(const char *in, const char *want)
{
	char out[512];

	assert_int_equal(ctl_config_path(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_config_path(void **state)
{
	char buf[256], small[24];

	(void)state;
	path_ok("/connections/connection[name=azure]/gateway[name=in0]/bgp/peer-address",
		"/hybridgw:hybridgw/connections/connection[name='azure']/gateway[name='in0']/bgp/"
		"peer-address");
	path_ok("/hybridgw/global/local-asn", "/hybridgw:hybridgw/global/local-asn");
	path_ok("/hybridgw:hybridgw/global", "/hybridgw:hybridgw/global");
	path_ok("/", "/hybridgw:hybridgw");
	path_ok("/hybridgw", "/hybridgw:hybridgw");
	path_ok("/policy/originate[.=198.19.30.0/24]",
		"/hybridgw:hybridgw/policy/originate[.='198.19.30.0/24']");
	path_ok("/connections/connection[name='azure']/description",
		"/hybridgw:hybridgw/connections/connection[name='azure']/description");
	path_ok("/policy/as-path-filter[name=a]/entry[seq=10]/regex",
		"/hybridgw:hybridgw/policy/as-path-filter[name='a']/entry[seq='10']/regex");
	path_ok("/x[k=it's]", "/hybridgw:hybridgw/x[k=\"it's\"]");
	assert_int_equal(ctl_config_path("global/local-asn", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ctl_config_path("/global//local-asn", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ctl_config_path("/global/", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ctl_config_path("/a[name=x", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ctl_config_path("/a[=x]", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ctl_config_path("/a]", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ctl_config_path("/a[k='x]", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ctl_config_path("/a[k=it's\"]", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ctl_config_path("/connections/connection", small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_string_equal(ctl_config_user_path("/hybridgw:hybridgw/global/local-asn"),
			    "/global/local-asn");
	assert_string_equal(ctl_config_user_path("/hybridgw:hybridgw"), "/hybridgw:hybridgw");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_valid),
		cmocka_unit_test(test_golden_state),
		cmocka_unit_test(test_golden_config_only),
		cmocka_unit_test(test_golden_empty),
		cmocka_unit_test(test_golden_detects_change),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_view_names),
		cmocka_unit_test(test_config_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
