/*
 * test_nc_util.h - what the lib/nc tests share: a context on the source tree's YANG, and
 * assertions on collected NETCONF errors.
 */
#ifndef HGW_TEST_NC_UTIL_H
#define HGW_TEST_NC_UTIL_H

#include <stdio.h>
#include <string.h>

#include "nc/nc.h"

static inline struct ly_ctx *test_nc_ctx(void)
{
	struct ly_ctx *ctx = NULL;

	if (hgw_nc_ctx_new(HGW_TEST_YANG_DIR, NULL, &ctx) < 0) {
		fprintf(stderr, "cannot build the YANG context from %s\n", HGW_TEST_YANG_DIR);
		abort();
	}
	return ctx;
}

static inline void test_nc_print_errors(const struct hgw_nc_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "  rpc-error %s [%s] %s: %s\n", hgw_nc_tag_name(errs->v[i].tag),
			errs->v[i].app_tag != NULL ? errs->v[i].app_tag : "-",
			errs->v[i].path != NULL ? errs->v[i].path : "-", errs->v[i].message);
}

/* Whether some error has tag and a message containing text (NULL: any). */
static inline int test_nc_has_error(const struct hgw_nc_errors *errs, enum hgw_nc_tag tag,
				    const char *text)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		if (errs->v[i].tag == tag &&
		    (text == NULL || strstr(errs->v[i].message, text) != NULL))
			return 1;
	test_nc_print_errors(errs);
	return 0;
}

#endif
