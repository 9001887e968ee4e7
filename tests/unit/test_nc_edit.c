/*
 * test_nc_edit.c - the edit-config engine and the datastores: every operation, the
 * default-, error- and test-options, the RFC 6241 error tags, and the commit contract.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_nc_util.h"

#define NS "xmlns=\"" HGW_NC_NAMESPACE "\""
#define NC "xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\""
#define HGW(body) "<hybridgw " NS " " NC ">" body "</hybridgw>"

#define GLOBAL "<global><local-asn>65010</local-asn></global>"
#define UNDERLAY \
	"<underlay><address><name>wan0</name><address>198.18.0.1</address></address></underlay>"
#define CONN(name, ops, body) \
	"<connections><connection " ops "><name>" name "</name>" body "</connection></connections>"
#define AZURE_BODY                                                                       \
	"<profile>azure</profile><pre-shared-key>correct-horse-battery</pre-shared-key>" \
	"<ike><proposal><id>1</id><encryption>aes256</encryption>"                       \
	"<dh-group>modp2048</dh-group></proposal></ike>"                                 \
	"<esp><proposal><id>1</id><encryption>aes256gcm16</encryption></proposal></esp>" \
	"<gateway><name>in0</name><remote-address>203.0.113.10</remote-address>"         \
	"<local-address>wan0</local-address><bgp><peer-asn>65515</peer-asn>"             \
	"<peer-address>169.254.21.1</peer-address>"                                      \
	"<local-address>169.254.21.2</local-address></bgp></gateway>"
#define BASE HGW(GLOBAL UNDERLAY CONN("azure", "", AZURE_BODY))

#define AZ "/hybridgw:hybridgw/connections/connection[name='azure']"

struct fixture {
	struct ly_ctx *ctx;
	struct hgw_nc_ds *ds;
	struct hgw_nc_errors errs;
	char startup[64];
	int applied;	 /* calls of the apply callback */
	int apply_error; /* what it returns */
	const struct lyd_node *apply_from, *apply_to;
};

static int apply_cb(const struct lyd_node *from, const struct lyd_node *to,
		    struct hgw_nc_errors *errs, void *userdata)
{
	struct fixture *f = userdata;

	f->applied++;
	f->apply_from = from;
	f->apply_to = to;
	if (f->apply_error == -EIO)
		hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, "apply-failed", NULL,
				 "charon refused connection azure: no such proposal");
	return f->apply_error;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct hgw_nc_ds_options opts = { 0 };
	int fd;

	assert_non_null(f);
	f->ctx = test_nc_ctx();
	snprintf(f->startup, sizeof(f->startup), "/tmp/test_nc_edit.XXXXXX");
	fd = mkstemp(f->startup);
	assert_true(fd >= 0);
	close(fd);
	opts.ctx = f->ctx;
	opts.startup_path = f->startup;
	opts.apply = apply_cb;
	opts.userdata = f;
	assert_int_equal(hgw_nc_ds_new(&opts, &f->ds, &f->errs), 0);
	assert_int_equal(hgw_nc_copy_config_xml(f->ds, HGW_NC_RUNNING, BASE, &f->errs), 0);
	assert_int_equal(f->applied, 1);
	f->applied = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char tmp[80];

	hgw_nc_errors_clear(&f->errs);
	hgw_nc_ds_free(f->ds);
	ly_ctx_destroy(f->ctx);
	unlink(f->startup);
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->startup);
	unlink(tmp);
	free(f);
	return 0;
}

static int edit_opts(struct fixture *f, enum hgw_nc_datastore target, const char *xml,
		     const struct hgw_nc_edit_options *opts)
{
	hgw_nc_errors_clear(&f->errs);
	return hgw_nc_edit_config(f->ds, target, xml, opts, &f->errs);
}

static int edit(struct fixture *f, const char *xml)
{
	struct hgw_nc_edit_options opts = HGW_NC_EDIT_DEFAULTS;

	return edit_opts(f, HGW_NC_CANDIDATE, xml, &opts);
}

/* The value at xpath in a datastore, or NULL. */
static const char *value(struct fixture *f, enum hgw_nc_datastore ds, const char *xpath)
{
	const struct lyd_node *tree = hgw_nc_ds_tree(f->ds, ds);
	struct lyd_node *n = NULL;

	if (tree == NULL || lyd_find_path(tree, xpath, 0, &n) != LY_SUCCESS)
		return NULL;
	return lyd_get_value(n) != NULL ? lyd_get_value(n) : "";
}

static int exists(struct fixture *f, enum hgw_nc_datastore ds, const char *xpath)
{
	return value(f, ds, xpath) != NULL;
}

static void assert_error(struct fixture *f, enum hgw_nc_tag tag, const char *text)
{
	assert_true(test_nc_has_error(&f->errs, tag, text));
}

static void test_names(void **state)
{
	enum hgw_nc_op op;

	(void)state;
	assert_string_equal(hgw_nc_tag_name(HGW_NC_ERR_DATA_EXISTS), "data-exists");
	assert_string_equal(hgw_nc_tag_name(HGW_NC_ERR_MALFORMED_MESSAGE), "malformed-message");
	assert_null(hgw_nc_tag_name((enum hgw_nc_tag)99));
	assert_string_equal(hgw_nc_datastore_name(HGW_NC_CANDIDATE), "candidate");
	assert_null(hgw_nc_datastore_name((enum hgw_nc_datastore)3));
	assert_int_equal(hgw_nc_op_from_name("remove", &op), 0);
	assert_int_equal(op, HGW_NC_OP_REMOVE);
	assert_string_equal(hgw_nc_op_name(op), "remove");
	assert_int_equal(hgw_nc_op_from_name("Remove", &op), -EINVAL);
}

static void test_merge(void **state)
{
	struct fixture *f = *state;

	assert_false(hgw_nc_candidate_modified(f->ds));
	assert_int_equal(edit(f, HGW(CONN("azure", "", "<dpd><interval>30</interval></dpd>"))), 0);
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/dpd/interval"), "30");
	/* merge keeps what the edit does not name */
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/profile"), "azure");
	assert_true(hgw_nc_candidate_modified(f->ds));
	/* running is untouched until commit */
	assert_string_equal(value(f, HGW_NC_RUNNING, AZ "/dpd/interval"), "45");
	/* merging over a default value makes it explicit */
	assert_int_equal(edit(f, HGW(CONN("azure", "", "<enabled>true</enabled>"))), 0);
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/enabled"), "true");
}

static void test_create(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(edit(f, HGW(CONN("azure", "nc:operation=\"create\"", AZURE_BODY))),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_DATA_EXISTS, "already exist");
	assert_string_equal(f->errs.v[0].path, AZ);
	/* a default value that was never set does not exist (RFC 6243) */
	assert_int_equal(edit(f, HGW("<policy><maximum-paths nc:operation=\"create\">8"
				     "</maximum-paths></policy>")),
			 0);
	assert_int_equal(edit(f, HGW("<policy><maximum-paths nc:operation=\"create\">8"
				     "</maximum-paths></policy>")),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_DATA_EXISTS, NULL);
	assert_int_equal(edit(f, HGW(CONN("azure", "",
					  "<dpd><interval nc:operation=\"create\">"
					  "20</interval></dpd>"))),
			 0);
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/dpd/interval"), "20");
	assert_int_equal(edit(f, HGW("<underlay><address nc:operation=\"create\"><name>wan1</name>"
				     "<address>198.18.0.9</address></address></underlay>")),
			 0);
	assert_string_equal(value(f, HGW_NC_CANDIDATE,
				  "/hybridgw:hybridgw/underlay/address[name='wan1']/address"),
			    "198.18.0.9");
}

static void test_delete_remove(void **state)
{
	struct fixture *f = *state;
#define GW9(op) \
	HGW(CONN("azure", "", "<gateway nc:operation=\"" op "\"><name>in9</name></gateway>"))

	assert_int_equal(edit(f, GW9("delete")), -EINVAL);
	assert_error(f, HGW_NC_ERR_DATA_MISSING, "do not exist");
	assert_int_equal(edit(f, GW9("remove")), 0);
	/* a default value that was never set cannot be deleted */
	assert_int_equal(edit(f, HGW(CONN("azure", "",
					  "<dpd><interval nc:operation=\"delete\"/>"
					  "</dpd>"))),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_DATA_MISSING, NULL);
	assert_int_equal(edit(f, HGW(CONN("azure", "nc:operation=\"delete\"", ""))), 0);
	assert_false(exists(f, HGW_NC_CANDIDATE, AZ));
	assert_true(exists(f, HGW_NC_RUNNING, AZ));
}

static void test_replace(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(edit(f, HGW(CONN("azure", "",
					  "<ike nc:operation=\"replace\"><proposal><id>2</id>"
					  "<encryption>aes128</encryption><dh-group>ecp256"
					  "</dh-group></proposal></ike>"))),
			 0);
	assert_false(exists(f, HGW_NC_CANDIDATE, AZ "/ike/proposal[id='1']"));
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/ike/proposal[id='2']/dh-group"),
			    "ecp256");
}

static void test_default_operation(void **state)
{
	struct fixture *f = *state;
	struct hgw_nc_edit_options opts = HGW_NC_EDIT_DEFAULTS;

	/* none: a leaf without an operation changes nothing */
	opts.default_op = HGW_NC_OP_NONE;
	assert_int_equal(edit_opts(f, HGW_NC_CANDIDATE,
				   HGW(CONN("azure", "", "<dpd><interval>30</interval></dpd>")),
				   &opts),
			 0);
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/dpd/interval"), "45");
	/* none: an operation inside an entry that does not exist is data-missing */
	assert_int_equal(edit_opts(f, HGW_NC_CANDIDATE,
				   HGW(CONN("nosuch", "",
					    "<description nc:operation=\"merge\">x"
					    "</description>")),
				   &opts),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_DATA_MISSING, "must exist");
	assert_int_equal(edit_opts(f, HGW_NC_CANDIDATE,
				   HGW(CONN("azure", "",
					    "<description nc:operation=\"merge\">x"
					    "</description>")),
				   &opts),
			 0);
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/description"), "x");
	/* replace: the whole datastore becomes the edit */
	opts.default_op = HGW_NC_OP_REPLACE;
	assert_int_equal(edit_opts(f, HGW_NC_CANDIDATE, HGW(GLOBAL), &opts), 0);
	assert_false(exists(f, HGW_NC_CANDIDATE, AZ));
	assert_false(exists(f, HGW_NC_CANDIDATE, "/hybridgw:hybridgw/underlay/address"));
	assert_string_equal(value(f, HGW_NC_CANDIDATE, "/hybridgw:hybridgw/global/local-asn"),
			    "65010");
}

static void test_attribute_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(edit(f, HGW("<global nc:operation=\"frob\"/>")), -EINVAL);
	assert_error(f, HGW_NC_ERR_BAD_ATTRIBUTE, NULL);
	assert_int_equal(edit(f, HGW("<global nc:bogus=\"x\"/>")), -EINVAL);
	assert_error(f, HGW_NC_ERR_UNKNOWN_ATTRIBUTE, NULL);
	assert_int_equal(edit(f, HGW("<global xmlns:y=\"urn:ietf:params:xml:ns:yang:1\" "
				     "y:operation=\"delete\"/>")),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_UNKNOWN_ATTRIBUTE, "only \"operation\"");
	/* the content of a delete is not an edit */
	assert_int_equal(edit(f, HGW(CONN("azure", "nc:operation=\"delete\"",
					  "<description nc:operation=\"create\">x</description>"))),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_BAD_ATTRIBUTE, "inside create, replace");
	assert_false(hgw_nc_candidate_modified(f->ds));
}

static void test_element_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(edit(f, HGW("<bogus/>")), -EINVAL);
	assert_error(f, HGW_NC_ERR_UNKNOWN_ELEMENT, "bogus");
	assert_int_equal(edit(f, "<x xmlns=\"urn:example:nothing\"/>"), -EINVAL);
	assert_error(f, HGW_NC_ERR_UNKNOWN_NAMESPACE, "urn:example:nothing");
	assert_int_equal(edit(f, HGW("<global><local-asn>0</local-asn></global>")), -EINVAL);
	assert_error(f, HGW_NC_ERR_INVALID_VALUE, "range");
	assert_string_equal(f->errs.v[0].path, "/hybridgw:hybridgw/global/local-asn");
	assert_int_equal(edit(f, HGW("<connections><connection><profile>aws</profile>"
				     "</connection></connections>")),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_MISSING_ELEMENT, "key");
	assert_int_equal(edit(f, HGW("<routes/>")), -EINVAL);
	assert_int_equal(edit(f, "<hybridgw " NS "><global>"), -EINVAL);
	assert_error(f, HGW_NC_ERR_MALFORMED_MESSAGE, NULL);
	/* the pre-shared key is never echoed */
	assert_int_equal(edit(f, HGW(CONN("azure", "", "<pre-shared-key>s3cr</pre-shared-key>"))),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_INVALID_VALUE, "8 to 128");
	assert_null(strstr(f->errs.v[0].message, "s3cr"));
	assert_false(hgw_nc_candidate_modified(f->ds));
}

#define TWO_BAD_ONE_GOOD                                                   \
	HGW("<underlay><address nc:operation=\"create\"><name>wan0</name>" \
	    "<address>198.18.0.1</address></address>"                      \
	    "<address nc:operation=\"create\"><name>wan2</name>"           \
	    "<address>198.18.0.2</address></address>"                      \
	    "<address nc:operation=\"delete\"><name>wan7</name></address></underlay>")
#define WAN2 "/hybridgw:hybridgw/underlay/address[name='wan2']"

static void test_error_option(void **state)
{
	struct fixture *f = *state;
	struct hgw_nc_edit_options opts = HGW_NC_EDIT_DEFAULTS;

	assert_int_equal(edit_opts(f, HGW_NC_CANDIDATE, TWO_BAD_ONE_GOOD, &opts), -EINVAL);
	assert_int_equal(f->errs.n, 1);
	assert_false(exists(f, HGW_NC_CANDIDATE, WAN2));
	opts.error_option = HGW_NC_ROLLBACK_ON_ERROR;
	assert_int_equal(edit_opts(f, HGW_NC_CANDIDATE, TWO_BAD_ONE_GOOD, &opts), -EINVAL);
	assert_int_equal(f->errs.n, 1);
	assert_false(exists(f, HGW_NC_CANDIDATE, WAN2));
	opts.error_option = HGW_NC_CONTINUE_ON_ERROR;
	assert_int_equal(edit_opts(f, HGW_NC_CANDIDATE, TWO_BAD_ONE_GOOD, &opts), -EINVAL);
	assert_int_equal(f->errs.n, 2);
	assert_int_equal(f->errs.v[0].tag, HGW_NC_ERR_DATA_EXISTS);
	assert_int_equal(f->errs.v[1].tag, HGW_NC_ERR_DATA_MISSING);
	assert_true(exists(f, HGW_NC_CANDIDATE, WAN2));
}

static void test_test_option(void **state)
{
	struct fixture *f = *state;
	struct hgw_nc_edit_options opts = HGW_NC_EDIT_DEFAULTS;

	opts.test_option = HGW_NC_TEST_ONLY;
	assert_int_equal(
		edit_opts(f, HGW_NC_RUNNING, HGW("<underlay nc:operation=\"remove\"/>"), &opts),
		-EINVAL);
	assert_error(f, HGW_NC_ERR_DATA_MISSING, "wan0");
	assert_int_equal(edit_opts(f, HGW_NC_CANDIDATE,
				   HGW(CONN("azure", "", "<dpd><interval>30</interval></dpd>")),
				   &opts),
			 0);
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/dpd/interval"), "45");
	assert_false(hgw_nc_candidate_modified(f->ds));
	assert_int_equal(f->applied, 0);
}

static void test_edit_running(void **state)
{
	struct fixture *f = *state;
	struct hgw_nc_edit_options opts = HGW_NC_EDIT_DEFAULTS;

	/* an edit that breaks running is refused before apply sees it */
	assert_int_equal(
		edit_opts(f, HGW_NC_RUNNING,
			  HGW(CONN("azure", "", "<pre-shared-key nc:operation=\"delete\"/>")),
			  &opts),
		-EINVAL);
	assert_error(f, HGW_NC_ERR_DATA_MISSING, "pre-shared-key");
	assert_int_equal(f->applied, 0);
	assert_int_equal(edit_opts(f, HGW_NC_RUNNING,
				   HGW(CONN("azure", "", "<dpd><interval>30</interval></dpd>")),
				   &opts),
			 0);
	assert_int_equal(f->applied, 1);
	assert_string_equal(value(f, HGW_NC_RUNNING, AZ "/dpd/interval"), "30");
	/* an unmodified candidate follows running */
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/dpd/interval"), "30");
	assert_int_equal(edit_opts(f, HGW_NC_STARTUP, HGW(GLOBAL), &opts), -EINVAL);
	assert_error(f, HGW_NC_ERR_INVALID_VALUE, "startup");
}

static void test_commit(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(edit(f, HGW(CONN("azure", "", "<dpd><interval>30</interval></dpd>"))), 0);
	assert_int_equal(hgw_nc_commit(f->ds, &f->errs), 0);
	assert_int_equal(f->applied, 1);
	assert_non_null(f->apply_from);
	assert_non_null(f->apply_to);
	assert_string_equal(value(f, HGW_NC_RUNNING, AZ "/dpd/interval"), "30");
	assert_false(hgw_nc_candidate_modified(f->ds));
	assert_int_equal(lyd_compare_siblings(hgw_nc_ds_tree(f->ds, HGW_NC_RUNNING),
					      hgw_nc_ds_tree(f->ds, HGW_NC_CANDIDATE),
					      LYD_COMPARE_FULL_RECURSION),
			 LY_SUCCESS);
}

static void test_commit_apply_fails(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(edit(f, HGW(CONN("azure", "", "<dpd><interval>30</interval></dpd>"))), 0);
	/* the callback names the cause */
	f->apply_error = -EIO;
	assert_int_equal(hgw_nc_commit(f->ds, &f->errs), -EIO);
	assert_error(f, HGW_NC_ERR_OPERATION_FAILED, "charon refused connection azure");
	assert_string_equal(value(f, HGW_NC_RUNNING, AZ "/dpd/interval"), "45");
	assert_true(hgw_nc_candidate_modified(f->ds));
	/* the callback says nothing: the error still names what failed */
	hgw_nc_errors_clear(&f->errs);
	f->apply_error = -ETIMEDOUT;
	assert_int_equal(hgw_nc_commit(f->ds, &f->errs), -ETIMEDOUT);
	assert_error(f, HGW_NC_ERR_OPERATION_FAILED, "timed out");
	assert_error(f, HGW_NC_ERR_OPERATION_FAILED, "running is unchanged");
	assert_string_equal(value(f, HGW_NC_RUNNING, AZ "/dpd/interval"), "45");
	/* and once the system accepts it, it commits */
	hgw_nc_errors_clear(&f->errs);
	f->apply_error = 0;
	assert_int_equal(hgw_nc_commit(f->ds, &f->errs), 0);
	assert_string_equal(value(f, HGW_NC_RUNNING, AZ "/dpd/interval"), "30");
	assert_int_equal(f->applied, 3);
}

static void test_commit_invalid(void **state)
{
	struct fixture *f = *state;

	/* AWS without PFS: YANG accepts it, the C checks do not */
	assert_int_equal(edit(f, HGW(CONN("azure", "",
					  "<profile>aws</profile>"
					  "<esp><pfs-group>none</pfs-group></esp>"))),
			 0);
	assert_int_equal(hgw_nc_validate(f->ds, HGW_NC_CANDIDATE, &f->errs), -EINVAL);
	assert_error(f, HGW_NC_ERR_OPERATION_FAILED, "AWS requires PFS");
	assert_string_equal(f->errs.v[0].app_tag, "aws-pfs-required");
	hgw_nc_errors_clear(&f->errs);
	assert_int_equal(hgw_nc_commit(f->ds, &f->errs), -EINVAL);
	assert_error(f, HGW_NC_ERR_OPERATION_FAILED, "AWS requires PFS");
	assert_int_equal(f->applied, 0);
	assert_string_equal(value(f, HGW_NC_RUNNING, AZ "/profile"), "azure");
	assert_int_equal(hgw_nc_discard_changes(f->ds, &f->errs), 0);
	assert_false(hgw_nc_candidate_modified(f->ds));
	assert_string_equal(value(f, HGW_NC_CANDIDATE, AZ "/profile"), "azure");
	hgw_nc_errors_clear(&f->errs);
	assert_int_equal(hgw_nc_validate(f->ds, HGW_NC_CANDIDATE, &f->errs), 0);
	assert_int_equal(hgw_nc_validate_xml(f->ds, HGW(GLOBAL), &f->errs), 0);
	assert_int_equal(hgw_nc_validate_xml(f->ds, HGW(UNDERLAY CONN("a", "", "")), &f->errs),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_OPERATION_FAILED, "set /hybridgw/global/local-asn");
	assert_string_equal(f->errs.v[0].app_tag, "local-asn-missing");
}

static void test_copy_delete(void **state)
{
	struct fixture *f = *state;
	const struct lyd_node *t;

	assert_int_equal(hgw_nc_copy_config(f->ds, HGW_NC_RUNNING, HGW_NC_RUNNING, &f->errs),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_INVALID_VALUE, "both running");
	hgw_nc_errors_clear(&f->errs);
	assert_int_equal(hgw_nc_copy_config_xml(f->ds, HGW_NC_CANDIDATE,
						HGW("<global nc:operation=\"merge\"/>"), &f->errs),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_BAD_ATTRIBUTE, "edit-config");
	hgw_nc_errors_clear(&f->errs);
	assert_int_equal(hgw_nc_copy_config_xml(f->ds, HGW_NC_CANDIDATE, HGW(GLOBAL), &f->errs), 0);
	assert_true(hgw_nc_candidate_modified(f->ds));
	assert_false(exists(f, HGW_NC_CANDIDATE, AZ));
	/* startup: validated, written */
	assert_int_equal(hgw_nc_copy_config(f->ds, HGW_NC_STARTUP, HGW_NC_RUNNING, &f->errs), 0);
	t = hgw_nc_ds_tree(f->ds, HGW_NC_STARTUP);
	assert_non_null(t);
	assert_int_equal(hgw_nc_delete_config(f->ds, HGW_NC_RUNNING, &f->errs), -EINVAL);
	assert_error(f, HGW_NC_ERR_INVALID_VALUE, "running");
	hgw_nc_errors_clear(&f->errs);
	assert_int_equal(hgw_nc_delete_config(f->ds, HGW_NC_STARTUP, &f->errs), 0);
	assert_null(hgw_nc_ds_tree(f->ds, HGW_NC_STARTUP));
	/* copy of an empty startup into running empties it, through apply */
	assert_int_equal(hgw_nc_copy_config(f->ds, HGW_NC_RUNNING, HGW_NC_STARTUP, &f->errs), 0);
	assert_int_equal(f->applied, 1);
	assert_false(exists(f, HGW_NC_RUNNING, AZ));
}

static void test_valueless_delete(void **state)
{
	struct fixture *f = *state;

	/* <leaf nc:operation="delete"/>: no value, which most types refuse */
	assert_int_equal(edit(f, HGW(CONN("azure", "", "<description>x</description>"))), 0);
	assert_int_equal(edit(f, HGW(CONN("azure", "", "<description nc:operation=\"delete\"/>"))),
			 0);
	assert_false(exists(f, HGW_NC_CANDIDATE, AZ "/description"));
	assert_int_equal(
		edit(f, HGW(CONN("azure", "", "<pre-shared-key nc:operation=\"remove\"/>"))), 0);
	assert_false(exists(f, HGW_NC_CANDIDATE, AZ "/pre-shared-key"));
	assert_int_equal(
		edit(f, HGW(CONN("azure", "", "<pre-shared-key nc:operation=\"delete\"/>"))),
		-EINVAL);
	assert_error(f, HGW_NC_ERR_DATA_MISSING, NULL);
	/* but not inside a create, and not with another operation */
	assert_int_equal(edit(f, HGW(CONN("azure", "nc:operation=\"replace\"",
					  "<dpd><interval nc:operation=\"delete\"/></dpd>"))),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_BAD_ATTRIBUTE, NULL);
	assert_int_equal(edit(f, HGW(CONN("azure", "",
					  "<dpd><interval nc:operation=\"merge\"/>"
					  "</dpd>"))),
			 -EINVAL);
	assert_error(f, HGW_NC_ERR_INVALID_VALUE, "empty value");
}

static void test_autosave(void **state)
{
	struct fixture *f = *state;
	struct hgw_nc_ds_options opts = { 0 };
	struct hgw_nc_ds *ds = NULL;
	const char *xml = HGW(GLOBAL);

	opts.ctx = f->ctx;
	opts.startup_path = f->startup;
	opts.autosave = true;
	assert_int_equal(hgw_nc_ds_new(&opts, &ds, &f->errs), 0);
	assert_null(hgw_nc_ds_tree(ds, HGW_NC_STARTUP));
	assert_int_equal(
		hgw_nc_edit_config(ds, HGW_NC_CANDIDATE, xml, &HGW_NC_EDIT_DEFAULTS, &f->errs), 0);
	assert_int_equal(hgw_nc_commit(ds, &f->errs), 0);
	assert_non_null(hgw_nc_ds_tree(ds, HGW_NC_STARTUP));
	hgw_nc_ds_free(ds);
	/* a new instance starts from what was committed */
	assert_int_equal(hgw_nc_ds_new(&opts, &ds, &f->errs), 0);
	assert_int_equal(hgw_nc_copy_config(ds, HGW_NC_RUNNING, HGW_NC_STARTUP, &f->errs), 0);
	assert_non_null(hgw_nc_ds_tree(ds, HGW_NC_RUNNING));
	hgw_nc_ds_free(ds);
	/* an invalid startup file is refused, with the reason */
	{
		FILE *fp = fopen(f->startup, "w");

		assert_non_null(fp);
		fputs("<hybridgw " NS "><bogus/></hybridgw>", fp);
		fclose(fp);
	}
	assert_int_equal(hgw_nc_ds_new(&opts, &ds, &f->errs), -EINVAL);
	assert_null(ds);
	assert_error(f, HGW_NC_ERR_UNKNOWN_ELEMENT, "bogus");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_operation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attribute_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_element_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_test_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_apply_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_valueless_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autosave, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
