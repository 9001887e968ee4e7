/*
 * test_nc_notif.c - the notification event trees: the model's three with their values
 * checked against its types, and netconf-config-change's edits, with and without the
 * edits of what the operator role may not read.
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

#include "nc/nc_notif.h"
#include "test_nc_util.h"

#define NS "xmlns=\"" HGW_NC_NAMESPACE "\""
#define BEFORE                                                      \
	"<hybridgw " NS "><connections><connection><name>az</name>" \
	"<pre-shared-key>correct-horse-battery</pre-shared-key>"    \
	"<description>old</description></connection></connections></hybridgw>"
#define AFTER                                                                  \
	"<hybridgw " NS "><connections><connection><name>az</name>"            \
	"<pre-shared-key>another-secret-key</pre-shared-key>"                  \
	"</connection><connection><name>aws</name></connection></connections>" \
	"<global><local-asn>65010</local-asn></global></hybridgw>"

struct fixture {
	struct ly_ctx *ctx;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->ctx = test_nc_ctx();
	assert_non_null(ly_ctx_load_module(f->ctx, "ietf-netconf-notifications", NULL, NULL));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ly_ctx_destroy(f->ctx);
	free(f);
	return 0;
}

static char *print(const struct lyd_node *event)
{
	char *xml = NULL;

	assert_int_equal(lyd_print_mem(&xml, event, LYD_XML, LYD_PRINT_SHRINK), LY_SUCCESS);
	return xml;
}

static void assert_event(struct lyd_node *event, const char *const *parts)
{
	char *xml = print(event);

	for (; *parts != NULL; parts++) {
		if (strstr(xml, *parts) == NULL)
			fail_msg("\"%s\" not in %s", *parts, xml);
	}
	free(xml);
	lyd_free_tree(event);
}

static void test_model_notifications(void **state)
{
	struct fixture *f = *state;
	struct lyd_node *ev = NULL;

	assert_int_equal(hgw_nc_notif_tunnel(f->ctx, "az", "in0", "down", "DPD timeout", &ev), 0);
	assert_event(ev, (const char *const[]){
				 "<tunnel-state-change " NS ">", "<connection>az</connection>",
				 "<state>down</state>", "<reason>DPD timeout</reason>", NULL });
	assert_int_equal(hgw_nc_notif_tunnel(f->ctx, "az", NULL, "up", NULL, &ev), 0);
	assert_event(ev, (const char *const[]){ "<state>up</state>", NULL });
	assert_int_equal(hgw_nc_notif_bgp_peer(f->ctx, "169.254.21.1", "tunnel", "az/in0",
					       "established", "idle", &ev),
			 0);
	assert_event(ev, (const char *const[]){ "<peer-address>169.254.21.1</peer-address>",
						"<old-state>established</old-state>",
						"<new-state>idle</new-state>", NULL });
	assert_int_equal(hgw_nc_notif_path_switch(f->ctx, "az/in0", "private0", "BFD down",
						  18446744073709551615ULL, &ev),
			 0);
	assert_event(ev, (const char *const[]){ "<duration>18446744073709551615</duration>",
						"<to-path>private0</to-path>", NULL });

	/* values the model refuses never make a notification */
	assert_int_equal(hgw_nc_notif_tunnel(f->ctx, "az", "in0", "sideways", NULL, &ev), -EINVAL);
	assert_null(ev);
	assert_int_equal(
		hgw_nc_notif_bgp_peer(f->ctx, "not-an-address", "tunnel", NULL, NULL, NULL, &ev),
		-EINVAL);
	assert_int_equal(hgw_nc_notif_bgp_peer(f->ctx, NULL, "wormhole", NULL, NULL, NULL, &ev),
			 -EINVAL);
	assert_null(ev);
}

static struct lyd_node *parse(struct ly_ctx *ctx, const char *xml)
{
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;

	assert_int_equal(hgw_nc_parse_config(ctx, xml, false, &tree, &errs), 0);
	return tree;
}

static void test_config_change(void **state)
{
	struct fixture *f = *state;
	struct lyd_node *before = parse(f->ctx, BEFORE), *after = parse(f->ctx, AFTER);
	struct lyd_node *ev = NULL;
	char *xml;

	assert_int_equal(hgw_nc_notif_config_change(f->ctx, before, after, "alice", 7, false, &ev),
			 0);
	xml = print(ev);
	assert_non_null(strstr(xml, "<username>alice</username><session-id>7</session-id>"));
	assert_non_null(strstr(xml, "connection[hgw:name='az']/hgw:pre-shared-key</target>"
				    "<operation>replace</operation>"));
	assert_non_null(strstr(xml, "connection[hgw:name='az']/hgw:description</target>"
				    "<operation>delete</operation>"));
	/* the topmost created node only, not everything below it */
	assert_non_null(strstr(xml, "connection[hgw:name='aws']</target>"
				    "<operation>create</operation>"));
	assert_non_null(strstr(xml, "/hgw:global</target><operation>create</operation>"));
	assert_null(strstr(xml, "local-asn"));
	/* paths, never values */
	assert_null(strstr(xml, "another-secret-key"));
	assert_null(strstr(xml, "correct-horse"));
	free(xml);
	lyd_free_tree(ev);

	assert_int_equal(hgw_nc_notif_config_change(f->ctx, before, after, NULL, 0, true, &ev), 0);
	xml = print(ev);
	assert_non_null(strstr(xml, "<changed-by><server/></changed-by>"));
	assert_null(strstr(xml, "pre-shared-key"));
	assert_non_null(strstr(xml, "description</target>"));
	free(xml);
	lyd_free_tree(ev);

	/* from and to empty */
	assert_int_equal(hgw_nc_notif_config_change(f->ctx, NULL, after, NULL, 0, false, &ev), 0);
	xml = print(ev);
	assert_non_null(strstr(xml, "/hgw:hybridgw</target><operation>create</operation>"));
	free(xml);
	lyd_free_tree(ev);
	lyd_free_all(before);
	lyd_free_all(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_notifications, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_change, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
