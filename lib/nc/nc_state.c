/*
 * nc_state.c - building state data a node at a time (nc.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "nc/nc.h"

struct lyd_node *hgw_nc_state_put(const struct ly_ctx *ctx, struct lyd_node **tree,
				  const char *path, const char *value, int *err)
{
	struct lyd_node *node = NULL;
	LY_ERR e;

	if (*tree == NULL)
		e = lyd_new_path(NULL, ctx, path, value, LYD_NEW_PATH_UPDATE, tree);
	else
		e = lyd_new_path(*tree, NULL, path, value, LYD_NEW_PATH_UPDATE, NULL);
	if (e != LY_SUCCESS && e != LY_EEXIST) {
		if (*err == 0)
			*err = e == LY_EMEM ? -ENOMEM : -EINVAL;
		return NULL;
	}
	/* only a container or list entry is wanted back (to hang nodes off); a leaf is not
	 * looked up again: a <get> sets thousands */
	if (value != NULL || lyd_find_path(*tree, path, 0, &node) != LY_SUCCESS)
		return NULL;
	return node;
}

const char *hgw_nc_date_and_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "1970-01-01T00:00:00Z");
	return buf;
}
