/*
 * nc_store.h - the startup datastore as a file, replaced crash-safely.
 *
 * The file is the XML of the configuration without default values, mode 0600 (it holds
 * pre-shared keys).  A missing file and an empty file are both the empty configuration,
 * so that "delete startup" is an empty file and a fresh install needs none.
 *
 * Saving is two steps, so that a crash (or kill -9) at any point leaves either the old
 * file or the new one, never a torn one:
 *	hgw_nc_store_prepare()  writes <path>.tmp and fsyncs it;
 *	hgw_nc_store_publish()  renames it over <path> and fsyncs the directory.
 * hgw_nc_store_save() does both.  A <path>.tmp left by a crash is simply overwritten by
 * the next save; it is never read.
 */
#ifndef HGW_NC_STORE_H
#define HGW_NC_STORE_H

#include <libyang/libyang.h>

#include "nc/nc_err.h"

/* Largest startup file accepted. */
#define HGW_NC_STORE_MAX (64 * 1024 * 1024)

/*
 * Read, parse and validate path into *ret (NULL for the empty configuration).  -EINVAL
 * with errors for a file that does not validate, -errno if it cannot be read (with an
 * operation-failed error naming the file).
 */
int hgw_nc_store_load(struct ly_ctx *ctx, const char *path, struct lyd_node **ret,
		      struct hgw_nc_errors *errs);

/* tree: NULL for the empty configuration.  Returns 0 or -errno. */
int hgw_nc_store_prepare(const struct lyd_node *tree, const char *path);
int hgw_nc_store_publish(const char *path);
int hgw_nc_store_save(const struct lyd_node *tree, const char *path);

#endif
