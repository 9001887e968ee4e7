/*
 * nc_err.c - the list of NETCONF errors of one operation.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc/nc_err.h"

static const char *const tag_names[] = {
	[HGW_NC_ERR_IN_USE] = "in-use",
	[HGW_NC_ERR_INVALID_VALUE] = "invalid-value",
	[HGW_NC_ERR_TOO_BIG] = "too-big",
	[HGW_NC_ERR_MISSING_ATTRIBUTE] = "missing-attribute",
	[HGW_NC_ERR_BAD_ATTRIBUTE] = "bad-attribute",
	[HGW_NC_ERR_UNKNOWN_ATTRIBUTE] = "unknown-attribute",
	[HGW_NC_ERR_MISSING_ELEMENT] = "missing-element",
	[HGW_NC_ERR_BAD_ELEMENT] = "bad-element",
	[HGW_NC_ERR_UNKNOWN_ELEMENT] = "unknown-element",
	[HGW_NC_ERR_UNKNOWN_NAMESPACE] = "unknown-namespace",
	[HGW_NC_ERR_ACCESS_DENIED] = "access-denied",
	[HGW_NC_ERR_LOCK_DENIED] = "lock-denied",
	[HGW_NC_ERR_RESOURCE_DENIED] = "resource-denied",
	[HGW_NC_ERR_ROLLBACK_FAILED] = "rollback-failed",
	[HGW_NC_ERR_DATA_EXISTS] = "data-exists",
	[HGW_NC_ERR_DATA_MISSING] = "data-missing",
	[HGW_NC_ERR_OPERATION_NOT_SUPPORTED] = "operation-not-supported",
	[HGW_NC_ERR_OPERATION_FAILED] = "operation-failed",
	[HGW_NC_ERR_MALFORMED_MESSAGE] = "malformed-message",
};

const char *hgw_nc_tag_name(enum hgw_nc_tag tag)
{
	if ((unsigned)tag >= ARRAY_SIZE(tag_names))
		return NULL;
	return tag_names[tag];
}

/* In place: whitespace runs to one space, none at either end. */
static void squeeze_spaces(char *s)
{
	const char *in;
	char *out = s;
	int pending = 0;

	for (in = s; *in != '\0'; in++) {
		if (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r') {
			pending = out != s;
			continue;
		}
		if (pending)
			*out++ = ' ';
		pending = 0;
		*out++ = *in;
	}
	*out = '\0';
}

static int dup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (s == NULL)
		return 0;
	*ret = strdup(s);
	return *ret != NULL ? 0 : -ENOMEM;
}

int hgw_nc_error_add(struct hgw_nc_errors *errs, enum hgw_nc_tag tag, const char *app_tag,
		     const char *path, const char *fmt, ...)
{
	struct hgw_nc_error *v, e = { .tag = tag };
	va_list ap;
	int r;

	if (errs == NULL)
		return 0;
	va_start(ap, fmt);
	r = vasprintf(&e.message, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	squeeze_spaces(e.message);
	if (dup_or_null(app_tag, &e.app_tag) < 0 || dup_or_null(path, &e.path) < 0)
		goto nomem;
	v = reallocarray(errs->v, errs->n + 1, sizeof(*v));
	if (v == NULL)
		goto nomem;
	v[errs->n++] = e;
	errs->v = v;
	return 0;
nomem:
	free(e.message);
	free(e.app_tag);
	free(e.path);
	return -ENOMEM;
}

void hgw_nc_errors_clear(struct hgw_nc_errors *errs)
{
	size_t i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++) {
		free(errs->v[i].app_tag);
		free(errs->v[i].path);
		free(errs->v[i].message);
	}
	free(errs->v);
	errs->v = NULL;
	errs->n = 0;
}
