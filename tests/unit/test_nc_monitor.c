/*
 * test_nc_monitor.c - the ietf-netconf-monitoring tree (daemons/hybridgwd/netconf_monitor.c)
 * from fixed counters, checked node by node and validated against the model.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "netconf_monitor.h"
#include "test_nc_util.h"

static struct ly_ctx *ctx;

static const char *value(const struct lyd_node *tree, const char *path)
{
	struct lyd_node *n = NULL;

	if (lyd_find_path(tree, path, 0, &n) != LY_SUCCESS)
		return NULL;
	return lyd_get_value(n);
}

#define NCM "/ietf-netconf-monitoring:netconf-state"

static void test_state(void **state)
{
	static const char *const caps[] = { "urn:ietf:params:netconf:base:1.0",
					    "urn:ietf:params:netconf:base:1.1",
					    "urn:ietf:params:netconf:capability:candidate:1.0",
					    NULL };
	const struct nc_mon_session sessions[] = {
		{ .sid = 1,
		  .transport = netconf_monitor_transport(0),
		  .username = "root",
		  .login = 1795000000,
		  .counters = { .in_rpcs = 7, .out_rpc_errors = 1 } },
		{ .sid = 4,
		  .transport = netconf_monitor_transport(1),
		  .username = "noc",
		  .source_host = "198.51.100.7",
		  .login = 1795000100,
		  .counters = { .in_rpcs = 2, .out_notifications = 3 } },
	};
	struct nc_mon m = {
		.start = 1794999000,
		.capabilities = caps,
		.sessions = sessions,
		.n_sessions = 2,
		.lock_sid = { [NC_MON_CANDIDATE] = 4 },
		.lock_time = { [NC_MON_CANDIDATE] = 1795000200 },
		.in_bad_hellos = 1,
		.in_sessions = 5,
		.dropped_sessions = 2,
		.totals = { .in_rpcs = 30,
			    .in_bad_rpcs = 1,
			    .out_rpc_errors = 3,
			    .out_notifications = 9 },
	};
	struct lyd_node *tree = NULL, *set = NULL;
	struct ly_set *caps_found = NULL;

	(void)state;
	assert_int_equal(netconf_monitor_state(ctx, &m, &tree), 0);
	assert_non_null(tree);
	assert_int_equal(lyd_validate_all(&tree, ctx, LYD_VALIDATE_PRESENT, NULL), LY_SUCCESS);
	assert_int_equal(lyd_find_xpath(tree, NCM "/capabilities/capability", &caps_found),
			 LY_SUCCESS);
	assert_int_equal(caps_found->count, 3);
	ly_set_free(caps_found, NULL);
	assert_string_equal(value(tree,
				  NCM "/datastores/datastore[name='candidate']/locks/global-lock/"
				      "locked-by-session"),
			    "4");
	assert_string_equal(
		value(tree,
		      NCM "/datastores/datastore[name='candidate']/locks/global-lock/locked-time"),
		"2026-11-18T11:10:00+00:00");
	assert_null(value(tree, NCM "/datastores/datastore[name='running']/locks/global-lock/"
				    "locked-by-session"));
	assert_string_equal(value(tree, NCM "/sessions/session[session-id='4']/transport"),
			    "ietf-netconf-monitoring:netconf-ssh");
	assert_string_equal(value(tree, NCM "/sessions/session[session-id='1']/transport"),
			    "hybridgw:unix-socket");
	assert_string_equal(value(tree, NCM "/sessions/session[session-id='4']/source-host"),
			    "198.51.100.7");
	assert_null(value(tree, NCM "/sessions/session[session-id='1']/source-host"));
	assert_string_equal(value(tree, NCM "/sessions/session[session-id='1']/out-rpc-errors"),
			    "1");
	assert_string_equal(value(tree, NCM "/statistics/in-sessions"), "5");
	assert_string_equal(value(tree, NCM "/statistics/out-notifications"), "9");
	assert_string_equal(value(tree, NCM "/statistics/netconf-start-time"),
			    "2026-11-18T10:50:00+00:00");
	/* get-schema can serve every listed module: hybridgw is among them, with its revision */
	assert_non_null(value(tree, NCM "/schemas/schema[identifier='hybridgw'][version='2026-11-"
					"23'][format='ietf-netconf-monitoring:yang']/namespace"));
	(void)set;
	lyd_free_all(tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state),
	};
	int r;

	ctx = test_nc_ctx();
	assert_non_null(ly_ctx_load_module(ctx, "ietf-netconf-monitoring", NULL, NULL));
	r = cmocka_run_group_tests(tests, NULL, NULL);
	ly_ctx_destroy(ctx);
	return r;
}
