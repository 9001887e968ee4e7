/*
 * test_nc_examples.c - every example configuration through the daemon's own validation
 * (lib/nc: YANG, then the checks in C), one cmocka test per file.
 *
 * valid-*.xml must validate; invalid-*.xml must fail with an error whose message contains
 * the text of its "expect-error:" header line, whether YANG or C finds it.  The pre-shared
 * key of the examples must never appear in an error.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/test_nc_util.h"

static struct ly_ctx *ctx;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

/* The text after "expect-error: " up to " -->", or NULL. */
static char *expected_error(const char *xml)
{
	const char *start = strstr(xml, "expect-error: "), *end;

	if (start == NULL)
		return NULL;
	start += strlen("expect-error: ");
	end = strstr(start, " -->");
	return end != NULL ? strndup(start, end - start) : NULL;
}

static void test_example(void **state)
{
	const char *name = *state;
	struct hgw_nc_errors errs = { 0 };
	struct lyd_node *tree = NULL;
	char path[4096], *xml, *expect;
	size_t i;
	int r;

	snprintf(path, sizeof(path), "%s/%s", HGW_TEST_EXAMPLES_DIR, name);
	xml = slurp(path);
	expect = expected_error(xml);
	r = hgw_nc_parse_config(ctx, xml, false, &tree, &errs);
	if (r == 0)
		r = hgw_nc_validate_tree(ctx, &tree, &errs);
	if (!strncmp(name, "valid-", 6)) {
		if (r != 0)
			test_nc_print_errors(&errs);
		assert_int_equal(r, 0);
		assert_int_equal(errs.n, 0);
	} else {
		assert_non_null(expect);
		assert_int_equal(r, -EINVAL);
		assert_true(errs.n > 0);
		for (i = 0; i < errs.n; i++)
			if (strstr(errs.v[i].message, expect) != NULL)
				break;
		if (i == errs.n)
			test_nc_print_errors(&errs);
		assert_true(i < errs.n);
		for (i = 0; i < errs.n; i++) {
			assert_null(strstr(errs.v[i].message, "correct-horse-battery"));
			assert_null(strstr(errs.v[i].message, "another-long-secret"));
			assert_null(strstr(errs.v[i].message, "short"));
		}
	}
	lyd_free_all(tree);
	hgw_nc_errors_clear(&errs);
	free(expect);
	free(xml);
}

static int is_example(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 4 && !strcmp(d->d_name + len - 4, ".xml");
}

int main(void)
{
	struct CMUnitTest *tests;
	struct dirent **names;
	int i, n, r;

	ctx = test_nc_ctx();
	n = scandir(HGW_TEST_EXAMPLES_DIR, &names, is_example, alphasort);
	if (n <= 0) {
		fprintf(stderr, "no examples in %s\n", HGW_TEST_EXAMPLES_DIR);
		return 1;
	}
	tests = calloc((size_t)n, sizeof(*tests));
	if (tests == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		tests[i].name = names[i]->d_name;
		tests[i].test_func = test_example;
		tests[i].initial_state = names[i]->d_name;
	}
	r = _cmocka_run_group_tests("examples", tests, (size_t)n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	ly_ctx_destroy(ctx);
	return r;
}
