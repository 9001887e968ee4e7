/*
 * nc_internal.h - what the files of lib/nc share and nobody else needs.
 */
#ifndef HGW_NC_INTERNAL_H
#define HGW_NC_INTERNAL_H

#include <libyang/libyang.h>

#include "nc/nc_err.h"

/* Where a libyang error happened, which decides its error-tag. */
enum hgw_nc_ly_stage {
	HGW_NC_LY_PARSE,
	HGW_NC_LY_VALIDATE,
};

/*
 * Move the errors libyang stored for ctx into errs, mapped to RFC 6241 / RFC 7950 error
 * tags; if libyang stored none, add one operation-failed error saying what failed.
 * Returns -EINVAL, or -ENOMEM.
 */
int hgw_nc_ly_errors(struct ly_ctx *ctx, enum hgw_nc_ly_stage stage, const char *what,
		     struct hgw_nc_errors *errs);

#endif
