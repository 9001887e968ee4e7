/*
 * fuzz_nc_edit.c - the edit-config input path: the <config> XML a client sends, parsed,
 * applied to candidate with the options the first byte selects, then candidate validated
 * (YANG and the C checks) and discarded.  Running holds the Azure example throughout.
 *
 * Input: byte 0 selects the options (bits 0-1 default-operation, 2-3 error-option, 4-5
 * test-option; 3 is the default each time), the rest is the XML.
 *
 * Invariants: every call returns 0 or -EINVAL (-ENOMEM aside); a failure comes with at
 * least one error, each with a tag and a message; success comes with none (except under
 * continue-on-error); a failed edit under stop- or rollback-on-error and any test-only
 * edit leave candidate equal to running; discard-changes makes them equal again.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "nc/nc.h"

#define BASE_CONFIG                                                                      \
	"<hybridgw xmlns=\"" HGW_NC_NAMESPACE "\">"                                      \
	"<global><local-asn>65010</local-asn></global>"                                  \
	"<underlay><address><name>wan0</name><address>198.18.0.1</address></address>"    \
	"</underlay><connections><connection><name>azure</name><profile>azure</profile>" \
	"<pre-shared-key>correct-horse-battery</pre-shared-key>"                         \
	"<ike><proposal><id>1</id><encryption>aes256</encryption>"                       \
	"<dh-group>modp2048</dh-group></proposal></ike>"                                 \
	"<esp><proposal><id>1</id><encryption>aes256gcm16</encryption></proposal></esp>" \
	"<gateway><name>in0</name><remote-address>203.0.113.10</remote-address>"         \
	"<local-address>wan0</local-address><bgp><peer-asn>65515</peer-asn>"             \
	"<peer-address>169.254.21.1</peer-address><local-address>169.254.21.2"           \
	"</local-address></bgp></gateway></connection></connections></hybridgw>"

static struct ly_ctx *ctx;
static struct hgw_nc_ds *ds;

static void setup(void)
{
	struct hgw_nc_ds_options opts = { .startup_path = "/nonexistent/hybridgw-fuzz.xml" };
	struct hgw_nc_errors errs = { 0 };

	if (hgw_nc_ctx_new(HGW_TEST_YANG_DIR, NULL, &ctx) < 0)
		abort();
	opts.ctx = ctx;
	if (hgw_nc_ds_new(&opts, &ds, &errs) < 0 ||
	    hgw_nc_copy_config_xml(ds, HGW_NC_RUNNING, BASE_CONFIG, &errs) < 0)
		abort();
}

static int same_trees(const struct lyd_node *a, const struct lyd_node *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return lyd_compare_siblings(a, b, LYD_COMPARE_FULL_RECURSION) == LY_SUCCESS;
}

static void check_errors(int r, const struct hgw_nc_errors *errs, int partial_ok)
{
	size_t i;

	if (r != 0 && r != -EINVAL && r != -ENOMEM)
		abort();
	if (r == 0 && errs->n != 0 && !partial_ok)
		abort();
	if (r == -EINVAL && errs->n == 0)
		abort();
	for (i = 0; i < errs->n; i++)
		if (hgw_nc_tag_name(errs->v[i].tag) == NULL || errs->v[i].message == NULL ||
		    errs->v[i].message[0] == '\0')
			abort();
}

static const enum hgw_nc_op default_ops[] = { HGW_NC_OP_MERGE, HGW_NC_OP_REPLACE, HGW_NC_OP_NONE,
					      HGW_NC_OP_MERGE };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hgw_nc_edit_options opts = HGW_NC_EDIT_DEFAULTS;
	struct hgw_nc_errors errs = { 0 };
	char *xml;
	int r, keeps;

	if (ds == NULL)
		setup();
	if (size < 1)
		return 0;
	opts.default_op = default_ops[data[0] & 3];
	if (((data[0] >> 2) & 3) != 3)
		opts.error_option = (enum hgw_nc_error_option)((data[0] >> 2) & 3);
	if (((data[0] >> 4) & 3) != 3)
		opts.test_option = (enum hgw_nc_test_option)((data[0] >> 4) & 3);
	xml = strndup((const char *)data + 1, size - 1);
	if (xml == NULL)
		return 0;

	r = hgw_nc_edit_config(ds, HGW_NC_CANDIDATE, xml, &opts, &errs);
	check_errors(r, &errs, opts.error_option == HGW_NC_CONTINUE_ON_ERROR);
	keeps = opts.test_option == HGW_NC_TEST_ONLY ||
		(r < 0 && opts.error_option != HGW_NC_CONTINUE_ON_ERROR);
	if (keeps &&
	    !same_trees(hgw_nc_ds_tree(ds, HGW_NC_CANDIDATE), hgw_nc_ds_tree(ds, HGW_NC_RUNNING)))
		abort();
	hgw_nc_errors_clear(&errs);

	r = hgw_nc_validate(ds, HGW_NC_CANDIDATE, &errs);
	check_errors(r, &errs, 0);
	hgw_nc_errors_clear(&errs);

	if (hgw_nc_discard_changes(ds, &errs) < 0 ||
	    !same_trees(hgw_nc_ds_tree(ds, HGW_NC_CANDIDATE), hgw_nc_ds_tree(ds, HGW_NC_RUNNING)))
		abort();
	free(xml);
	return 0;
}
