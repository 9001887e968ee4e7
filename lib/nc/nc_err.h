/*
 * nc_err.h - the errors of NETCONF operations, as RFC 6241 names them.
 *
 * The datastore code collects errors here; the NETCONF server turns each into an
 * <rpc-error> (error-tag, error-type, error-app-tag, error-path, error-message).  Kept free
 * of libyang and libnetconf2 so that anything may report an error.
 *
 * path is a libyang data path ("/hybridgw:hybridgw/connections/connection[name='az']"),
 * or NULL; the server rewrites it with XML prefixes.  Messages are single-line.
 */
#ifndef HGW_NC_ERR_H
#define HGW_NC_ERR_H

#include <stddef.h>

#include "util.h"

/* RFC 6241, Appendix A. */
enum hgw_nc_tag {
	HGW_NC_ERR_IN_USE,
	HGW_NC_ERR_INVALID_VALUE,
	HGW_NC_ERR_TOO_BIG,
	HGW_NC_ERR_MISSING_ATTRIBUTE,
	HGW_NC_ERR_BAD_ATTRIBUTE,
	HGW_NC_ERR_UNKNOWN_ATTRIBUTE,
	HGW_NC_ERR_MISSING_ELEMENT,
	HGW_NC_ERR_BAD_ELEMENT,
	HGW_NC_ERR_UNKNOWN_ELEMENT,
	HGW_NC_ERR_UNKNOWN_NAMESPACE,
	HGW_NC_ERR_ACCESS_DENIED,
	HGW_NC_ERR_LOCK_DENIED,
	HGW_NC_ERR_RESOURCE_DENIED,
	HGW_NC_ERR_ROLLBACK_FAILED,
	HGW_NC_ERR_DATA_EXISTS,
	HGW_NC_ERR_DATA_MISSING,
	HGW_NC_ERR_OPERATION_NOT_SUPPORTED,
	HGW_NC_ERR_OPERATION_FAILED,
	HGW_NC_ERR_MALFORMED_MESSAGE,
};

struct hgw_nc_error {
	enum hgw_nc_tag tag;
	char *app_tag; /* NULL: none */
	char *path;    /* NULL: none */
	char *message;
};

/* A growing list; zero-initialise it, hgw_nc_errors_clear() it. */
struct hgw_nc_errors {
	struct hgw_nc_error *v;
	size_t n;
};

/* "in-use", "invalid-value", ...; NULL outside the enum. */
const char *hgw_nc_tag_name(enum hgw_nc_tag tag);

/*
 * Append an error; app_tag and path may be NULL.  Runs of whitespace in the message
 * (YANG folds error-message strings over lines) become one space.  Returns 0 or -ENOMEM;
 * errs may be NULL (the error is dropped, 0 is returned).
 */
int hgw_nc_error_add(struct hgw_nc_errors *errs, enum hgw_nc_tag tag, const char *app_tag,
		     const char *path, const char *fmt, ...) HGW_PRINTF(5, 6);

/* Free every error and empty the list.  NULL is ok. */
void hgw_nc_errors_clear(struct hgw_nc_errors *errs);

#endif
