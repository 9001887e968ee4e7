/*
 * golden.h - golden-file comparison for the cmocka tests (header-only: each test is its
 * own program).  Include after <cmocka.h>.
 *
 * golden_check(path, got): 0 when the file holds exactly got; otherwise prints what was
 * got and returns 1.  With HGW_GOLDEN_UPDATE set in the environment it writes got to the
 * file instead (review the diff before committing it).
 */
#ifndef HGW_TEST_GOLDEN_H
#define HGW_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file, NUL-terminated (free()), or NULL if it cannot be opened. */
static inline char *golden_read(const char *path)
{
	char *buf = NULL, chunk[4096];
	size_t size = 0, n;
	FILE *f = fopen(path, "r"), *m;

	if (f == NULL)
		return NULL;
	m = open_memstream(&buf, &size);
	assert_non_null(m);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	assert_int_equal(fclose(m), 0);
	return buf;
}

static inline int golden_check(const char *path, const char *got)
{
	char *want;
	FILE *f;
	int r;

	if (getenv("HGW_GOLDEN_UPDATE") != NULL) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		assert_int_equal(fclose(f), 0);
		return 0;
	}
	want = golden_read(path);
	if (want == NULL) {
		print_error("%s: missing (HGW_GOLDEN_UPDATE=1 writes it); got:\n%s", path, got);
		return 1;
	}
	r = strcmp(want, got) != 0;
	if (r)
		print_error("%s differs; got:\n%s", path, got);
	free(want);
	return r;
}

#endif
