/*
 * nc_edit.c - <edit-config> as tree surgery: the "operation" attributes of an edit tree
 * applied to a configuration tree (RFC 6241, section 7.2).
 *
 * libyang merges trees but knows nothing of create/delete/remove/replace, so the edit is
 * walked here, sibling by sibling, against the matching node of the target:
 *
 *	operation  target has the node        target lacks it
 *	merge      merge into it (recurse)    create it, then merge
 *	replace    replace it                 create it
 *	create     data-exists                create it
 *	delete     delete it                  data-missing
 *	remove     delete it                  nothing
 *	none       recurse                    data-missing for a list entry or presence
 *	                                      container (RFC 6241: no corresponding level);
 *	                                      a non-presence container always exists
 *
 * A leaf whose value is its schema default and was not set explicitly does not exist
 * for create and delete (RFC 6243, explicit basic-mode).  Inside a create, replace,
 * delete or remove, nested nodes are content, so a different nested operation is a
 * bad-attribute; any operation may appear inside merge and none.  Attributes other than
 * "operation" are unknown-attribute.  List keys identify entries and are never edited.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nc/nc.h"

struct edit {
	enum hgw_nc_error_option error_option;
	struct hgw_nc_errors *errs;
	int failed;
};

static const char *const op_names[] = {
	[HGW_NC_OP_MERGE] = "merge",   [HGW_NC_OP_REPLACE] = "replace",
	[HGW_NC_OP_CREATE] = "create", [HGW_NC_OP_DELETE] = "delete",
	[HGW_NC_OP_REMOVE] = "remove", [HGW_NC_OP_NONE] = "none",
};

const char *hgw_nc_op_name(enum hgw_nc_op op)
{
	if ((unsigned)op >= ARRAY_SIZE(op_names))
		return NULL;
	return op_names[op];
}

int hgw_nc_op_from_name(const char *name, enum hgw_nc_op *op)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		if (name != NULL && !strcmp(name, op_names[i])) {
			*op = (enum hgw_nc_op)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Record an error about node e; returns -EINVAL, or -ENOMEM. */
static int edit_error(struct edit *ed, const struct lyd_node *e, enum hgw_nc_tag tag,
		      const char *msg)
{
	char *path = lyd_path(e, LYD_PATH_STD, NULL, 0);
	int r;

	r = hgw_nc_error_add(ed->errs, tag, NULL, path, "%s", msg);
	free(path);
	ed->failed = 1;
	return r < 0 ? r : -EINVAL;
}

static int is_operation_meta(const struct lyd_meta *m)
{
	return !strcmp(m->name, "operation") &&
	       !strcmp(m->annotation->module->name, "ietf-netconf");
}

static int nested_op_error(struct edit *ed, const struct lyd_node *e)
{
	return edit_error(ed, e, HGW_NC_ERR_BAD_ATTRIBUTE,
			  "A different operation inside create, replace, delete or remove: the "
			  "content of those is data, not edits.");
}

/* Opaque nodes carry attributes, not metadata: the only one they may have is operation. */
static int opaque_op(struct edit *ed, const struct lyd_node *e, enum hgw_nc_op inherited,
		     enum hgw_nc_op *op)
{
	const struct lyd_attr *a;
	enum hgw_nc_op own = inherited;

	for (a = ((const struct lyd_node_opaq *)e)->attr; a != NULL; a = a->next)
		if (!strcmp(a->name.name, "operation"))
			hgw_nc_op_from_name(a->value, &own);
	if (own != inherited && inherited != HGW_NC_OP_MERGE && inherited != HGW_NC_OP_NONE)
		return nested_op_error(ed, e);
	*op = own;
	return 0;
}

/*
 * The effective operation of e, given the inherited one.  Only merge and none may be
 * overridden below.  Leaves *op alone and returns -EINVAL on a bad attribute.
 */
static int node_op(struct edit *ed, const struct lyd_node *e, enum hgw_nc_op inherited,
		   enum hgw_nc_op *op)
{
	const struct lyd_meta *m;
	enum hgw_nc_op own = inherited;
	int have = 0;

	if (e->schema == NULL) /* a valueless delete or remove: see edit_opaque() */
		return opaque_op(ed, e, inherited, op);
	for (m = e->meta; m != NULL; m = m->next) {
		if (!is_operation_meta(m))
			return edit_error(ed, e, HGW_NC_ERR_UNKNOWN_ATTRIBUTE,
					  "Unknown attribute: only \"operation\" is allowed.");
		if (hgw_nc_op_from_name(lyd_get_meta_value(m), &own) < 0 || own == HGW_NC_OP_NONE)
			return edit_error(ed, e, HGW_NC_ERR_BAD_ATTRIBUTE,
					  "Invalid value of the \"operation\" attribute.");
		have = 1;
	}
	if (have && own != inherited && inherited != HGW_NC_OP_MERGE && inherited != HGW_NC_OP_NONE)
		return nested_op_error(ed, e);
	*op = own;
	return 0;
}

/* Every node below e must agree with op (see node_op()). */
static int check_content(struct edit *ed, const struct lyd_node *e, enum hgw_nc_op op)
{
	const struct lyd_node *c;
	enum hgw_nc_op own;
	int r;

	LY_LIST_FOR(lyd_child(e), c)
	{
		if ((r = node_op(ed, c, op, &own)) < 0 || (r = check_content(ed, c, op)) < 0)
			return r;
	}
	return 0;
}

static struct lyd_node *first_child(struct lyd_node *parent, struct lyd_node **top)
{
	return parent != NULL ? lyd_child(parent) : *top;
}

static struct lyd_node *find_match(struct lyd_node *parent, struct lyd_node **top,
				   const struct lyd_node *e)
{
	struct lyd_node *first = first_child(parent, top), *m = NULL;
	LY_ERR lr;

	if (first == NULL)
		return NULL;
	/* lyd_find_sibling_first() compares values: right for list keys and leaf-list
	 * values, wrong for a leaf, whose instance is the same whatever its value. */
	if (e->schema->nodetype & (LYS_LIST | LYS_LEAFLIST))
		lr = lyd_find_sibling_first(first, e, &m);
	else
		lr = lyd_find_sibling_val(first, e->schema, NULL, 0, &m);
	return lr == LY_SUCCESS ? m : NULL;
}

static void unlink_free(struct lyd_node **top, struct lyd_node *m)
{
	if (top != NULL && *top == m)
		*top = m->next;
	lyd_free_tree(m);
}

static int insert_copy(struct lyd_node *parent, struct lyd_node **top, const struct lyd_node *e,
		       int recursive, struct lyd_node **ret)
{
	struct lyd_node *dup = NULL;
	LY_ERR lr;

	lr = lyd_dup_single(e, NULL, LYD_DUP_NO_META | (recursive ? LYD_DUP_RECURSIVE : 0), &dup);
	if (lr != LY_SUCCESS)
		return -ENOMEM;
	if (parent != NULL)
		lr = lyd_insert_child(parent, dup);
	else
		lr = lyd_insert_sibling(*top, dup, top);
	if (lr != LY_SUCCESS) {
		lyd_free_tree(dup);
		return -ENOMEM;
	}
	if (ret != NULL)
		*ret = dup;
	return 0;
}

static int edit_siblings(struct edit *ed, struct lyd_node *parent, struct lyd_node **top,
			 const struct lyd_node *efirst, enum hgw_nc_op inherited);

static int edit_merge(struct edit *ed, struct lyd_node *parent, struct lyd_node **top,
		      const struct lyd_node *e, struct lyd_node *m, enum hgw_nc_op op)
{
	LY_ERR lr;

	if (e->schema->nodetype == LYS_LEAF) {
		if (op == HGW_NC_OP_NONE)
			return 0;
		if (m == NULL)
			return insert_copy(parent, top, e, 0, NULL);
		lr = lyd_change_term(m, lyd_get_value(e));
		return lr == LY_SUCCESS || lr == LY_EEXIST || lr == LY_ENOT ? 0 : -ENOMEM;
	}
	if (e->schema->nodetype & (LYS_LEAFLIST | LYD_NODE_ANY)) {
		if (op == HGW_NC_OP_NONE || m != NULL)
			return 0;
		return insert_copy(parent, top, e, 1, NULL);
	}
	/* container or list entry */
	if (m == NULL) {
		if (op == HGW_NC_OP_NONE &&
		    (e->schema->nodetype == LYS_LIST || (e->schema->flags & LYS_PRESENCE)))
			return edit_error(ed, e, HGW_NC_ERR_DATA_MISSING,
					  "With default-operation none, this entry must exist "
					  "before anything inside it is edited.");
		if (insert_copy(parent, top, e, 0, &m) < 0)
			return -ENOMEM;
	}
	return edit_siblings(ed, m, NULL, lyd_child(e), op);
}

/*
 * A leaf named without a value for delete or remove, which libyang could only parse as an
 * opaque node (see nc_yang.c); anything else opaque is an unknown element.
 */
static int edit_opaque(struct edit *ed, struct lyd_node *parent, struct lyd_node **top,
		       const struct lyd_node *e, enum hgw_nc_op inherited)
{
	const struct lyd_node_opaq *o = (const struct lyd_node_opaq *)e;
	const struct lysc_node *schema = NULL;
	struct lyd_node *first = first_child(parent, top), *m = NULL;
	enum hgw_nc_op op;
	int r;

	if ((r = opaque_op(ed, e, inherited, &op)) < 0)
		return r;
	if (lyd_parent(e) != NULL && lyd_parent(e)->schema != NULL)
		schema = lys_find_child(lyd_parent(e)->schema, lyd_parent(e)->schema->module,
					o->name.name, 0, LYS_LEAF, 0);
	if (schema == NULL || (op != HGW_NC_OP_DELETE && op != HGW_NC_OP_REMOVE))
		return edit_error(ed, e, HGW_NC_ERR_UNKNOWN_ELEMENT, "Unknown element.");
	if (first != NULL)
		lyd_find_sibling_val(first, schema, NULL, 0, &m);
	if (m != NULL && !(m->flags & LYD_DEFAULT)) {
		unlink_free(top, m);
		return 0;
	}
	if (op == HGW_NC_OP_REMOVE)
		return 0;
	return edit_error(ed, lyd_parent(e), HGW_NC_ERR_DATA_MISSING,
			  "Data to delete do not exist: use remove to delete whether or not "
			  "they exist.");
}

static int edit_one(struct edit *ed, struct lyd_node *parent, struct lyd_node **top,
		    const struct lyd_node *e, enum hgw_nc_op inherited)
{
	struct lyd_node *m;
	enum hgw_nc_op op;
	int r;

	if (e->schema == NULL)
		return edit_opaque(ed, parent, top, e, inherited);
	if ((r = node_op(ed, e, inherited, &op)) < 0)
		return r;
	if (lysc_is_key(e->schema))
		return 0;
	if (op != HGW_NC_OP_MERGE && op != HGW_NC_OP_NONE && (r = check_content(ed, e, op)) < 0)
		return r;
	m = find_match(parent, top, e);
	if (m != NULL && (m->flags & LYD_DEFAULT) &&
	    (op == HGW_NC_OP_CREATE || op == HGW_NC_OP_DELETE)) {
		unlink_free(top, m);
		m = NULL;
	}
	switch (op) {
	case HGW_NC_OP_CREATE:
		if (m != NULL)
			return edit_error(ed, e, HGW_NC_ERR_DATA_EXISTS,
					  "Data to create already exist: use merge or replace to "
					  "change them.");
		return insert_copy(parent, top, e, 1, NULL);
	case HGW_NC_OP_DELETE:
		if (m == NULL)
			return edit_error(ed, e, HGW_NC_ERR_DATA_MISSING,
					  "Data to delete do not exist: use remove to delete "
					  "whether or not they exist.");
		unlink_free(top, m);
		return 0;
	case HGW_NC_OP_REMOVE:
		if (m != NULL)
			unlink_free(top, m);
		return 0;
	case HGW_NC_OP_REPLACE:
		if (m != NULL)
			unlink_free(top, m);
		return insert_copy(parent, top, e, 1, NULL);
	case HGW_NC_OP_MERGE:
	case HGW_NC_OP_NONE:
		break;
	}
	return edit_merge(ed, parent, top, e, m, op);
}

/*
 * parent is the target node whose children are edited, or NULL for the top level, where
 * *top is the first top-level node.  Returns -EINVAL on the first error except under
 * continue-on-error, -ENOMEM always.
 */
static int edit_siblings(struct edit *ed, struct lyd_node *parent, struct lyd_node **top,
			 const struct lyd_node *efirst, enum hgw_nc_op inherited)
{
	const struct lyd_node *e;
	int r;

	LY_LIST_FOR(efirst, e)
	{
		r = edit_one(ed, parent, top, e, inherited);
		if (r == -EINVAL && ed->error_option == HGW_NC_CONTINUE_ON_ERROR)
			continue;
		if (r < 0)
			return r;
	}
	return 0;
}

int hgw_nc_edit_tree(struct lyd_node **target, const struct lyd_node *edit,
		     enum hgw_nc_op default_op, enum hgw_nc_error_option error_option,
		     struct hgw_nc_errors *errs)
{
	struct edit ed = { .error_option = error_option, .errs = errs };
	int r;

	if (default_op != HGW_NC_OP_MERGE && default_op != HGW_NC_OP_REPLACE &&
	    default_op != HGW_NC_OP_NONE)
		return -EINVAL;
	/*
	 * default-operation replace: "the configuration data in the <config> parameter
	 * completely replaces the configuration in the target datastore" (RFC 6241), top-level
	 * nodes the edit does not name included.  Operations inside still apply.
	 */
	if (default_op == HGW_NC_OP_REPLACE) {
		lyd_free_all(*target);
		*target = NULL;
		default_op = HGW_NC_OP_MERGE;
	}
	r = edit_siblings(&ed, NULL, target, edit, default_op);
	if (r == 0 && ed.failed)
		r = -EINVAL;
	return r;
}
