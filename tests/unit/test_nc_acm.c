/*
 * test_nc_acm.c - the two roles: the users file (its syntax, and that a file others may
 * read gives nobody but root access), and the hiding of nacm:default-deny-all data.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "nc/nc_acm.h"
#include "test_nc_util.h"

#define KEY "correct-horse-battery-staple"
#define NS "xmlns=\"" HGW_NC_NAMESPACE "\""
#define CONFIG                                                                        \
	"<hybridgw " NS "><connections>"                                              \
	"<connection><name>az</name><pre-shared-key>" KEY "</pre-shared-key>"         \
	"<description>first</description></connection>"                               \
	"<connection><name>aws</name><pre-shared-key>other-key-1234</pre-shared-key>" \
	"</connection></connections></hybridgw>"

static enum hgw_nc_role find(const char *text, const char *user, int expect_r)
{
	enum hgw_nc_role role = HGW_NC_ROLE_ADMIN;
	unsigned line = 0;

	assert_int_equal(hgw_nc_users_find(text, user, &role, &line), expect_r);
	return role;
}

static void test_users_syntax(void **state)
{
	const char *text = "# who may use NETCONF\n"
			   "\n"
			   "alice admin\n"
			   "  bob\toperator   # read-only\r\n"
			   "alice operator\n"
			   "carol operator";
	enum hgw_nc_role role;
	unsigned line = 0;

	(void)state;
	assert_int_equal(find(text, "alice", 0), HGW_NC_ROLE_ADMIN); /* the first line counts */
	assert_int_equal(find(text, "bob", 0), HGW_NC_ROLE_OPERATOR);
	assert_int_equal(find(text, "carol", 0), HGW_NC_ROLE_OPERATOR);
	assert_int_equal(find(text, "bo", 0), HGW_NC_ROLE_NONE);
	assert_int_equal(find(text, "", 0), HGW_NC_ROLE_NONE);
	assert_int_equal(find("", "alice", 0), HGW_NC_ROLE_NONE);

	/* a typo anywhere is an error, even after the line that matches */
	assert_int_equal(hgw_nc_users_find("alice admin\nbob oprator\n", "alice", &role, &line),
			 -EINVAL);
	assert_int_equal(line, 2);
	assert_int_equal(hgw_nc_users_find("alice\n", "alice", &role, &line), -EINVAL);
	assert_int_equal(hgw_nc_users_find("alice admin extra\n", "x", &role, &line), -EINVAL);
	assert_int_equal(hgw_nc_users_find("alice Admin\n", "alice", &role, &line), -EINVAL);
	assert_string_equal(hgw_nc_role_name(HGW_NC_ROLE_OPERATOR), "operator");
	assert_null(hgw_nc_role_name((enum hgw_nc_role)7));
}

static void write_users(const char *path, const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_users_file(void **state)
{
	char dir[] = "/tmp/test_nc_acm.XXXXXX", path[64], link[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, HGW_NC_USERS_FILE);
	snprintf(link, sizeof(link), "%s/link", dir);

	/* missing: only root */
	assert_int_equal(hgw_nc_users_check(path), 0);
	assert_int_equal(hgw_nc_role_of(path, 0, "root"), HGW_NC_ROLE_ADMIN);
	assert_int_equal(hgw_nc_role_of(path, 1000, "bob"), HGW_NC_ROLE_NONE);

	write_users(path, "bob operator\nroot operator\n", 0600);
	assert_int_equal(hgw_nc_users_check(path), 0);
	assert_int_equal(hgw_nc_role_of(path, 1000, "bob"), HGW_NC_ROLE_OPERATOR);
	/* uid 0 is admin whatever the file says */
	assert_int_equal(hgw_nc_role_of(path, 0, "root"), HGW_NC_ROLE_ADMIN);
	assert_int_equal(hgw_nc_role_of(path, 1001, "eve"), HGW_NC_ROLE_NONE);

	/* readable or writable by anyone else: refused, root only */
	write_users(path, "bob operator\n", 0640);
	assert_int_equal(hgw_nc_users_check(path), -EPERM);
	assert_int_equal(hgw_nc_role_of(path, 1000, "bob"), HGW_NC_ROLE_NONE);
	assert_int_equal(hgw_nc_role_of(path, 0, "root"), HGW_NC_ROLE_ADMIN);
	write_users(path, "bob operator\n", 0604);
	assert_int_equal(hgw_nc_users_check(path), -EPERM);
	write_users(path, "bob operator\n", 0620);
	assert_int_equal(hgw_nc_users_check(path), -EPERM);

	/* malformed: refused */
	write_users(path, "bob reader\n", 0600);
	assert_int_equal(hgw_nc_users_check(path), -EINVAL);
	assert_int_equal(hgw_nc_role_of(path, 1000, "bob"), HGW_NC_ROLE_NONE);

	/* a symbolic link is not followed: it could point anywhere */
	write_users(path, "bob operator\n", 0600);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(hgw_nc_role_of(link, 1000, "bob"), HGW_NC_ROLE_NONE);

	unlink(link);
	unlink(path);
	rmdir(dir);
}

static struct lyd_node *parse(struct ly_ctx *ctx)
{
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;

	assert_int_equal(hgw_nc_parse_config(ctx, CONFIG, false, &tree, &errs), 0);
	assert_non_null(tree);
	return tree;
}

static void test_strip(void **state)
{
	struct ly_ctx *ctx = test_nc_ctx();
	struct lyd_node *tree = parse(ctx), *leaf = NULL;
	char *xml = NULL;

	(void)state;
	assert_true(hgw_nc_acm_mentions_secret(tree, "a message quoting " KEY "."));
	assert_true(hgw_nc_acm_mentions_secret(tree, "other-key-1234"));
	assert_false(hgw_nc_acm_mentions_secret(tree, "first"));
	assert_false(hgw_nc_acm_mentions_secret(tree, NULL));
	assert_false(hgw_nc_acm_mentions_secret(NULL, KEY));

	assert_int_equal(
		lyd_find_path(tree, "connections/connection[name='az']/pre-shared-key", 0, &leaf),
		LY_SUCCESS);
	assert_true(hgw_nc_acm_denied(leaf->schema));
	assert_int_equal(
		lyd_find_path(tree, "connections/connection[name='az']/description", 0, &leaf),
		LY_SUCCESS);
	assert_false(hgw_nc_acm_denied(leaf->schema));
	assert_false(hgw_nc_acm_denied(NULL));

	hgw_nc_acm_strip(&tree);
	assert_non_null(tree);
	assert_int_equal(lyd_print_mem(&xml, tree, LYD_XML, LYD_PRINT_WITHSIBLINGS), LY_SUCCESS);
	assert_null(strstr(xml, "pre-shared-key"));
	assert_null(strstr(xml, KEY));
	assert_null(strstr(xml, "other-key"));
	assert_non_null(strstr(xml, "<name>aws</name>"));
	assert_non_null(strstr(xml, "<description>first</description>"));
	assert_false(hgw_nc_acm_mentions_secret(tree, KEY));
	free(xml);

	hgw_nc_acm_strip(&tree); /* nothing left to strip */
	assert_non_null(tree);
	lyd_free_all(tree);
	tree = NULL;
	hgw_nc_acm_strip(&tree);
	assert_null(tree);
	ly_ctx_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_users_syntax),
		cmocka_unit_test(test_users_file),
		cmocka_unit_test(test_strip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
