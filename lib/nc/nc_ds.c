/*
 * nc_ds.c - the running, candidate and startup datastores and the operations that change
 * them.  See nc.h for the semantics; every change of running goes through set_running().
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nc/nc.h"
#include "nc/nc_store.h"

struct hgw_nc_ds {
	struct ly_ctx *ctx;
	char *startup_path;
	hgw_nc_apply_fn apply;
	void *userdata;
	bool autosave;
	struct lyd_node *tree[3]; /* by enum hgw_nc_datastore; NULL is empty */
	bool candidate_modified;
};

static const char *const ds_names[] = {
	[HGW_NC_RUNNING] = "running",
	[HGW_NC_CANDIDATE] = "candidate",
	[HGW_NC_STARTUP] = "startup",
};

const char *hgw_nc_datastore_name(enum hgw_nc_datastore ds)
{
	if ((unsigned)ds >= ARRAY_SIZE(ds_names))
		return NULL;
	return ds_names[ds];
}

static int valid_ds(enum hgw_nc_datastore ds)
{
	return (unsigned)ds < ARRAY_SIZE(ds_names);
}

static int dup_tree(const struct lyd_node *tree, struct lyd_node **ret)
{
	*ret = NULL;
	if (tree == NULL)
		return 0;
	return lyd_dup_siblings(tree, NULL, LYD_DUP_RECURSIVE | LYD_DUP_WITH_FLAGS, ret) ==
			       LY_SUCCESS ?
		       0 :
		       -ENOMEM;
}

static int nomem(struct hgw_nc_errors *errs)
{
	hgw_nc_error_add(errs, HGW_NC_ERR_RESOURCE_DENIED, NULL, NULL, "Out of memory.");
	return -ENOMEM;
}

static int bad_target(struct hgw_nc_errors *errs, const char *op, enum hgw_nc_datastore ds)
{
	hgw_nc_error_add(errs, HGW_NC_ERR_INVALID_VALUE, NULL, NULL,
			 "%s is not supported on the %s datastore.", op,
			 valid_ds(ds) ? ds_names[ds] : "unknown");
	return -EINVAL;
}

int hgw_nc_ds_new(const struct hgw_nc_ds_options *opts, struct hgw_nc_ds **ret,
		  struct hgw_nc_errors *errs)
{
	struct hgw_nc_ds *ds;
	int r;

	*ret = NULL;
	ds = calloc(1, sizeof(*ds));
	if (ds == NULL || (ds->startup_path = strdup(opts->startup_path)) == NULL) {
		free(ds);
		return nomem(errs);
	}
	ds->ctx = opts->ctx;
	ds->apply = opts->apply;
	ds->userdata = opts->userdata;
	ds->autosave = opts->autosave;
	r = hgw_nc_store_load(ds->ctx, ds->startup_path, &ds->tree[HGW_NC_STARTUP], errs);
	if (r < 0) {
		hgw_nc_ds_free(ds);
		return r;
	}
	*ret = ds;
	return 0;
}

void hgw_nc_ds_free(struct hgw_nc_ds *ds)
{
	size_t i;

	if (ds == NULL)
		return;
	for (i = 0; i < ARRAY_SIZE(ds->tree); i++)
		lyd_free_all(ds->tree[i]);
	free(ds->startup_path);
	free(ds);
}

const struct lyd_node *hgw_nc_ds_tree(const struct hgw_nc_ds *ds, enum hgw_nc_datastore which)
{
	return valid_ds(which) ? ds->tree[which] : NULL;
}

bool hgw_nc_candidate_modified(const struct hgw_nc_ds *ds)
{
	return ds->candidate_modified;
}

/* Replace a datastore's tree with new (consumed). */
static void swap_tree(struct hgw_nc_ds *ds, enum hgw_nc_datastore which, struct lyd_node *new)
{
	lyd_free_all(ds->tree[which]);
	ds->tree[which] = new;
}

static int save_startup(struct hgw_nc_ds *ds, struct lyd_node *new, struct hgw_nc_errors *errs)
{
	int r = hgw_nc_store_save(new, ds->startup_path);

	if (r < 0) {
		lyd_free_all(new);
		hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, NULL, NULL,
				 "Cannot write the startup configuration %s: %s", ds->startup_path,
				 strerror(-r));
		return r;
	}
	swap_tree(ds, HGW_NC_STARTUP, new);
	return 0;
}

/*
 * The one way into running (the commit contract in nc.h).  new is consumed; on failure
 * running is untouched.
 */
static int set_running(struct hgw_nc_ds *ds, struct lyd_node *new, struct hgw_nc_errors *errs)
{
	struct lyd_node *copy;
	size_t before = errs != NULL ? errs->n : 0;
	int r;

	if ((r = hgw_nc_validate_tree(ds->ctx, &new, errs)) < 0)
		goto fail;
	if (ds->apply != NULL &&
	    (r = ds->apply(ds->tree[HGW_NC_RUNNING], new, errs, ds->userdata)) < 0) {
		if (errs != NULL && errs->n == before)
			hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, NULL, NULL,
					 "Applying the configuration failed (%s); running is "
					 "unchanged.",
					 strerror(-r));
		goto fail;
	}
	swap_tree(ds, HGW_NC_RUNNING, new);
	if (!ds->candidate_modified && dup_tree(new, &copy) == 0)
		swap_tree(ds, HGW_NC_CANDIDATE, copy);
	if (ds->autosave) {
		/* Running has changed: a failed save is the operator's to hear about, in the log.
		 */
		if (dup_tree(new, &copy) < 0 || hgw_nc_store_save(copy, ds->startup_path) < 0) {
			lyd_free_all(copy);
			log_warn("cannot save the running configuration to %s: it is not "
				 "persistent until the next successful commit",
				 ds->startup_path);
		} else {
			swap_tree(ds, HGW_NC_STARTUP, copy);
		}
	}
	return 0;
fail:
	lyd_free_all(new);
	return r;
}

/* Store new (consumed) as the target datastore's content, as each datastore requires. */
static int set_datastore(struct hgw_nc_ds *ds, enum hgw_nc_datastore target, struct lyd_node *new,
			 struct hgw_nc_errors *errs)
{
	int r;

	switch (target) {
	case HGW_NC_RUNNING:
		return set_running(ds, new, errs);
	case HGW_NC_CANDIDATE:
		swap_tree(ds, HGW_NC_CANDIDATE, new);
		ds->candidate_modified = true;
		return 0;
	case HGW_NC_STARTUP:
		if ((r = hgw_nc_validate_tree(ds->ctx, &new, errs)) < 0) {
			lyd_free_all(new);
			return r;
		}
		return save_startup(ds, new, errs);
	}
	lyd_free_all(new);
	return bad_target(errs, "This operation", target);
}

int hgw_nc_edit_config(struct hgw_nc_ds *ds, enum hgw_nc_datastore target, const char *xml,
		       const struct hgw_nc_edit_options *opts, struct hgw_nc_errors *errs)
{
	struct lyd_node *edit = NULL, *work = NULL;
	bool partial;
	int r;

	if (target != HGW_NC_RUNNING && target != HGW_NC_CANDIDATE)
		return bad_target(errs, "edit-config", target);
	if ((r = hgw_nc_parse_config(ds->ctx, xml, true, &edit, errs)) < 0)
		return r;
	if (dup_tree(ds->tree[target], &work) < 0) {
		lyd_free_all(edit);
		return nomem(errs);
	}
	r = hgw_nc_edit_tree(&work, edit, opts->default_op, opts->error_option, errs);
	lyd_free_all(edit);
	/* continue-on-error keeps what succeeded; the errors are reported all the same */
	partial = r == -EINVAL && opts->error_option == HGW_NC_CONTINUE_ON_ERROR;
	if (r < 0 && !partial) {
		lyd_free_all(work);
		return r == -ENOMEM ? nomem(errs) : r;
	}
	if (opts->test_option == HGW_NC_TEST_ONLY) {
		r = hgw_nc_validate_tree(ds->ctx, &work, errs);
		lyd_free_all(work);
	} else {
		r = set_datastore(ds, target, work, errs);
	}
	return r < 0 ? r : partial ? -EINVAL : 0;
}

int hgw_nc_copy_config(struct hgw_nc_ds *ds, enum hgw_nc_datastore target,
		       enum hgw_nc_datastore source, struct hgw_nc_errors *errs)
{
	struct lyd_node *copy;

	if (!valid_ds(source) || !valid_ds(target))
		return bad_target(errs, "copy-config", valid_ds(source) ? target : source);
	if (source == target) {
		hgw_nc_error_add(errs, HGW_NC_ERR_INVALID_VALUE, NULL, NULL,
				 "copy-config: source and target are both %s.", ds_names[source]);
		return -EINVAL;
	}
	if (dup_tree(ds->tree[source], &copy) < 0)
		return nomem(errs);
	return set_datastore(ds, target, copy, errs);
}

int hgw_nc_copy_config_xml(struct hgw_nc_ds *ds, enum hgw_nc_datastore target,
			   const char *source_xml, struct hgw_nc_errors *errs)
{
	struct lyd_node *tree;
	int r;

	if (!valid_ds(target))
		return bad_target(errs, "copy-config", target);
	if ((r = hgw_nc_parse_config(ds->ctx, source_xml, false, &tree, errs)) < 0)
		return r;
	return set_datastore(ds, target, tree, errs);
}

int hgw_nc_delete_config(struct hgw_nc_ds *ds, enum hgw_nc_datastore target,
			 struct hgw_nc_errors *errs)
{
	if (target != HGW_NC_STARTUP)
		return bad_target(errs, "delete-config", target);
	return save_startup(ds, NULL, errs);
}

int hgw_nc_validate(struct hgw_nc_ds *ds, enum hgw_nc_datastore source, struct hgw_nc_errors *errs)
{
	struct lyd_node *copy;
	int r;

	if (!valid_ds(source))
		return bad_target(errs, "validate", source);
	if (dup_tree(ds->tree[source], &copy) < 0)
		return nomem(errs);
	r = hgw_nc_validate_tree(ds->ctx, &copy, errs);
	lyd_free_all(copy);
	return r;
}

int hgw_nc_validate_xml(struct hgw_nc_ds *ds, const char *source_xml, struct hgw_nc_errors *errs)
{
	struct lyd_node *tree;
	int r;

	if ((r = hgw_nc_parse_config(ds->ctx, source_xml, false, &tree, errs)) < 0)
		return r;
	r = hgw_nc_validate_tree(ds->ctx, &tree, errs);
	lyd_free_all(tree);
	return r;
}

int hgw_nc_commit(struct hgw_nc_ds *ds, struct hgw_nc_errors *errs)
{
	struct lyd_node *copy;
	int r;

	if (dup_tree(ds->tree[HGW_NC_CANDIDATE], &copy) < 0)
		return nomem(errs);
	if ((r = set_running(ds, copy, errs)) < 0)
		return r;
	ds->candidate_modified = false;
	return hgw_nc_discard_changes(ds, errs);
}

int hgw_nc_replace_running(struct hgw_nc_ds *ds, const struct lyd_node *tree,
			   struct hgw_nc_errors *errs)
{
	struct lyd_node *copy;

	if (dup_tree(tree, &copy) < 0)
		return nomem(errs);
	return set_running(ds, copy, errs);
}

int hgw_nc_discard_changes(struct hgw_nc_ds *ds, struct hgw_nc_errors *errs)
{
	struct lyd_node *copy;

	if (dup_tree(ds->tree[HGW_NC_RUNNING], &copy) < 0)
		return nomem(errs);
	swap_tree(ds, HGW_NC_CANDIDATE, copy);
	ds->candidate_modified = false;
	return 0;
}
