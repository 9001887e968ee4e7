/*
 * test_nc_store.c - the startup file: what loads as the empty configuration, what is
 * refused, what is written, and that a kill -9 at any moment of a save leaves the old or
 * the new file, never a torn one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "nc/nc_store.h"
#include "test_nc_util.h"

#define NS "xmlns=\"" HGW_NC_NAMESPACE "\""
#define CONFIG_OLD "<hybridgw " NS "><global><local-asn>65010</local-asn></global></hybridgw>"
#define CONFIG_NEW                                                                    \
	"<hybridgw " NS "><global><local-asn>65020</local-asn></global>"              \
	"<underlay><address><name>wan0</name><address>198.18.0.1</address></address>" \
	"</underlay></hybridgw>"

struct fixture {
	struct ly_ctx *ctx;
	char dir[64];
	char path[128];
	char tmp[160];
	struct lyd_node *old, *new;
	char *old_xml, *new_xml; /* what a save of each writes */
};

static void write_file(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static char *read_all(const char *path)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = calloc(1, (size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	return buf;
}

static struct lyd_node *parse_valid(struct ly_ctx *ctx, const char *xml)
{
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;

	assert_int_equal(hgw_nc_parse_config(ctx, xml, false, &tree, &errs), 0);
	assert_int_equal(hgw_nc_validate_tree(ctx, &tree, &errs), 0);
	return tree;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ctx = test_nc_ctx();
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_nc_store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/startup.xml", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s.tmp", f->path);
	f->old = parse_valid(f->ctx, CONFIG_OLD);
	f->new = parse_valid(f->ctx, CONFIG_NEW);
	assert_int_equal(hgw_nc_store_save(f->new, f->path), 0);
	f->new_xml = read_all(f->path);
	assert_int_equal(hgw_nc_store_save(f->old, f->path), 0);
	f->old_xml = read_all(f->path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	unlink(f->tmp);
	rmdir(f->dir);
	lyd_free_all(f->old);
	lyd_free_all(f->new);
	free(f->old_xml);
	free(f->new_xml);
	ly_ctx_destroy(f->ctx);
	free(f);
	return 0;
}

static void assert_loads_empty(struct fixture *f)
{
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = (struct lyd_node *)1;

	assert_int_equal(hgw_nc_store_load(f->ctx, f->path, &tree, &errs), 0);
	assert_null(tree);
	assert_int_equal(errs.n, 0);
}

static void test_empty(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	assert_loads_empty(f);
	write_file(f->path, "");
	assert_loads_empty(f);
	write_file(f->path, " \n\t\n");
	assert_loads_empty(f);
	/* and an empty configuration saves as an empty file */
	assert_int_equal(hgw_nc_store_save(NULL, f->path), 0);
	free(read_all(f->path));
	assert_loads_empty(f);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;
	struct stat st;

	assert_int_equal(hgw_nc_store_save(f->new, f->path), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(access(f->tmp, F_OK), -1);
	/* defaults are not written, so that a new default applies to an old file */
	assert_null(strstr(f->new_xml, "tunnel-interface-kind"));
	assert_non_null(strstr(f->new_xml, "65020"));
	assert_int_equal(hgw_nc_store_load(f->ctx, f->path, &tree, &errs), 0);
	assert_int_equal(lyd_compare_siblings(tree, f->new, LYD_COMPARE_FULL_RECURSION),
			 LY_SUCCESS);
	lyd_free_all(tree);
}

static void test_invalid(void **state)
{
	struct fixture *f = *state;
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;

	write_file(f->path, "<hybridgw " NS "><global><local-asn>x</local-asn></global>");
	assert_int_equal(hgw_nc_store_load(f->ctx, f->path, &tree, &errs), -EINVAL);
	assert_null(tree);
	assert_true(errs.n > 0);
	hgw_nc_errors_clear(&errs);
	/* valid XML, invalid configuration */
	write_file(f->path, "<hybridgw " NS "><underlay><address><name>w</name></address>"
			    "</underlay></hybridgw>");
	assert_int_equal(hgw_nc_store_load(f->ctx, f->path, &tree, &errs), -EINVAL);
	assert_true(test_nc_has_error(&errs, HGW_NC_ERR_DATA_MISSING, "address"));
	hgw_nc_errors_clear(&errs);
	/* an unreadable file is an error, not the empty configuration (root reads anyway) */
	write_file(f->path, "");
	assert_int_equal(chmod(f->path, 0), 0);
	if (geteuid() != 0) {
		assert_int_equal(hgw_nc_store_load(f->ctx, f->path, &tree, &errs), -EACCES);
		assert_true(test_nc_has_error(&errs, HGW_NC_ERR_OPERATION_FAILED, "startup.xml"));
		hgw_nc_errors_clear(&errs);
	}
	assert_int_equal(chmod(f->path, 0600), 0);
}

/* Run step in a child and kill -9 it when it returns (or at any moment it reaches). */
static void child_killed_after(struct fixture *f, int publish)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (hgw_nc_store_prepare(f->new, f->path) < 0)
			_exit(1);
		if (publish && hgw_nc_store_publish(f->path) < 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void assert_file_is(struct fixture *f, const char *expected)
{
	char *content = read_all(f->path);

	assert_string_equal(content, expected);
	free(content);
}

static void test_kill_between_write_and_rename(void **state)
{
	struct fixture *f = *state;
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;

	/* killed after the new file is written and synced, before the rename: the old one */
	child_killed_after(f, 0);
	assert_int_equal(access(f->tmp, F_OK), 0);
	assert_file_is(f, f->old_xml);
	assert_int_equal(hgw_nc_store_load(f->ctx, f->path, &tree, &errs), 0);
	assert_int_equal(lyd_compare_siblings(tree, f->old, LYD_COMPARE_FULL_RECURSION),
			 LY_SUCCESS);
	lyd_free_all(tree);
	/* the next save is not disturbed by the leftover */
	assert_int_equal(hgw_nc_store_save(f->new, f->path), 0);
	assert_file_is(f, f->new_xml);
	assert_int_equal(hgw_nc_store_save(f->old, f->path), 0);
	/* killed right after the rename: the new one */
	child_killed_after(f, 1);
	assert_file_is(f, f->new_xml);
}

/* A child that saves old and new alternately until killed at a random moment. */
static void test_kill_at_random(void **state)
{
	struct fixture *f = *state;
	int i, status, olds = 0, news = 0;
	char *content;
	pid_t pid;

	srand((unsigned)time(NULL));
	for (i = 0; i < 50; i++) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			for (;;) {
				hgw_nc_store_save(f->new, f->path);
				hgw_nc_store_save(f->old, f->path);
			}
		}
		usleep((useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		content = read_all(f->path);
		if (!strcmp(content, f->old_xml))
			olds++;
		else if (!strcmp(content, f->new_xml))
			news++;
		else
			fail_msg("torn startup file after kill -9: \"%s\"", content);
		free(content);
	}
	assert_int_equal(olds + news, 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_between_write_and_rename, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kill_at_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
