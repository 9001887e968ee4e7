/*
 * nc_yang.c - the YANG context, parsing <config> content, validation, and libyang's
 * errors as NETCONF errors.
 *
 * libyang 2.1.30 reports every problem as an ly_err_item with a validation code, a
 * message, a "Data location "..." / Schema location "..." text and, for must, unique,
 * min/max-elements and leafref, an error-app-tag.  The error-tag follows from where the
 * error happened: while parsing, the client sent something the schema does not have
 * (unknown-*) or a value the type refuses (invalid-value); while validating, the
 * configuration as a whole breaks a constraint (operation-failed, RFC 7950 section 15),
 * or lacks something (data-missing).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nc/nc.h"
#include "nc/nc_internal.h"

#ifndef HGW_NC_YANG_DIR
#define HGW_NC_YANG_DIR "/usr/share/hybridgw/yang"
#endif
#ifndef HGW_NC_IETF_YANG_DIR
#define HGW_NC_IETF_YANG_DIR "/usr/share/yuma/modules/ietf"
#endif

/*
 * The NETCONF capabilities hybridgwd implements, as ietf-netconf features (libnetconf2
 * advertises what is enabled; confirmed-commit also adds <confirmed/>, confirm-timeout,
 * persist and persist-id to <commit>, and <cancel-commit>).
 */
static const char *nc_features[] = {
	"writable-running",
	"candidate",
	"confirmed-commit",
	"rollback-on-error",
	"validate",
	"startup",
	"xpath",
	NULL,
};

int hgw_nc_ctx_new(const char *yang_dir, const char *ietf_dir, struct ly_ctx **ret)
{
	struct ly_ctx *ctx = NULL;
	char *dirs = NULL;
	const char *missing = NULL;

	*ret = NULL;
	if (asprintf(&dirs, "%s:%s", yang_dir != NULL ? yang_dir : HGW_NC_YANG_DIR,
		     ietf_dir != NULL ? ietf_dir : HGW_NC_IETF_YANG_DIR) < 0)
		return -ENOMEM;
	ly_log_options(LY_LOSTORE_LAST);
	if (ly_ctx_new(dirs, LY_CTX_DISABLE_SEARCHDIR_CWD, &ctx) != LY_SUCCESS) {
		free(dirs);
		return -ENOMEM;
	}
	free(dirs);
	if (ly_ctx_load_module(ctx, "ietf-netconf", NULL, nc_features) == NULL)
		missing = "ietf-netconf (apt-get install libyuma-base)";
	else if (ly_ctx_load_module(ctx, "ietf-netconf-acm", NULL, NULL) == NULL)
		missing = "ietf-netconf-acm (apt-get install libyuma-base)";
	else if (ly_ctx_load_module(ctx, HGW_NC_MODULE, NULL, NULL) == NULL)
		missing = HGW_NC_MODULE;
	if (missing != NULL) {
		log_err("cannot load YANG module %s: %s", missing,
			ly_errmsg(ctx) != NULL ? ly_errmsg(ctx) : "not found");
		ly_ctx_destroy(ctx);
		return -ENOENT;
	}
	ly_log_options(LY_LOSTORE);
	*ret = ctx;
	return 0;
}

/* The quoted path in "Data location "/a/b", line number 1." or NULL; free() it. */
static char *location_path(const char *loc)
{
	const char *start, *end;

	if (loc == NULL || (start = strchr(loc, '"')) == NULL)
		return NULL;
	start++;
	end = strchr(start, '"');
	return end != NULL ? strndup(start, end - start) : NULL;
}

static int starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * libyang reports an unknown value of the "operation" attribute as an invalid enumeration
 * value located at the element's parent, a container or list; a bad leaf value is located
 * at the leaf.  That tells the two apart.
 */
static int located_at_inner_node(const struct ly_ctx *ctx, const char *path)
{
	struct ly_set *set = NULL;
	int inner = 0;

	if (path == NULL)
		return 0;
	if (lys_find_xpath(ctx, NULL, path, 0, &set) == LY_SUCCESS && set->count > 0)
		inner = (set->snodes[0]->nodetype & (LYS_CONTAINER | LYS_LIST)) != 0;
	ly_set_free(set, NULL);
	return inner;
}

static enum hgw_nc_tag parse_tag(const struct ly_ctx *ctx, const struct ly_err_item *e,
				 const char *path)
{
	switch (e->vecode) {
	case LYVE_REFERENCE:
		if (strstr(e->msg, "No module with namespace") != NULL)
			return HGW_NC_ERR_UNKNOWN_NAMESPACE;
		if (strstr(e->msg, "Annotation definition") != NULL)
			return HGW_NC_ERR_UNKNOWN_ATTRIBUTE;
		return HGW_NC_ERR_UNKNOWN_ELEMENT;
	case LYVE_SYNTAX:
	case LYVE_SYNTAX_XML:
		return HGW_NC_ERR_MALFORMED_MESSAGE;
	case LYVE_DATA:
		if (strstr(e->msg, "missing its key") != NULL)
			return HGW_NC_ERR_MISSING_ELEMENT;
		if (starts_with(e->msg, "Invalid enumeration value") &&
		    located_at_inner_node(ctx, path))
			return HGW_NC_ERR_BAD_ATTRIBUTE;
		return HGW_NC_ERR_INVALID_VALUE;
	case LYVE_SUCCESS:
	case LYVE_SYNTAX_YANG:
	case LYVE_SYNTAX_YIN:
	case LYVE_XPATH:
	case LYVE_SEMANTICS:
	case LYVE_SYNTAX_JSON:
	case LYVE_OTHER:
		break;
	}
	return HGW_NC_ERR_OPERATION_FAILED;
}

static enum hgw_nc_tag validate_tag(const struct ly_err_item *e)
{
	if (starts_with(e->msg, "Mandatory node") ||
	    (e->apptag != NULL &&
	     (!strcmp(e->apptag, "instance-required") || !strcmp(e->apptag, "missing-choice"))))
		return HGW_NC_ERR_DATA_MISSING;
	return HGW_NC_ERR_OPERATION_FAILED;
}

int hgw_nc_ly_errors(struct ly_ctx *ctx, enum hgw_nc_ly_stage stage, const char *what,
		     struct hgw_nc_errors *errs)
{
	const struct ly_err_item *e;
	enum hgw_nc_tag tag;
	size_t before = errs != NULL ? errs->n : 0;
	char *path;
	int r = 0;

	for (e = ly_err_first(ctx); e != NULL && r == 0; e = e->next) {
		if (e->level != LY_LLERR || e->msg == NULL)
			continue;
		path = location_path(e->path);
		tag = stage == HGW_NC_LY_PARSE ? parse_tag(ctx, e, path) : validate_tag(e);
		r = hgw_nc_error_add(errs, tag, e->apptag, path, "%s", e->msg);
		free(path);
	}
	ly_err_clean(ctx, NULL);
	if (r == 0 && errs != NULL && errs->n == before)
		r = hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, NULL, NULL, "%s failed",
				     what);
	return r < 0 ? r : -EINVAL;
}

static int is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* Data (not edits) must not carry "operation" attributes: say so rather than ignore it. */
static int refuse_operations(struct lyd_node *tree, struct hgw_nc_errors *errs)
{
	struct lyd_node *top, *n;
	char *path;
	int r = 0;

	LY_LIST_FOR(tree, top)
	{
		LYD_TREE_DFS_BEGIN(top, n)
		{
			if (r == 0 && n->meta != NULL) {
				path = lyd_path(n, LYD_PATH_STD, NULL, 0);
				r = hgw_nc_error_add(errs, HGW_NC_ERR_BAD_ATTRIBUTE, NULL, path,
						     "Attribute \"%s\" is only allowed in "
						     "<edit-config>.",
						     n->meta->name);
				free(path);
				r = r < 0 ? r : -EINVAL;
			}
			LYD_TREE_DFS_END(top, n);
		}
	}
	return r;
}

/*
 * <x nc:operation="delete"/> names a leaf without a value, which libyang's strict parser
 * refuses for most types (uint16, a string with a length).  Parsed with LYD_PARSE_OPAQ,
 * such a leaf becomes an opaque node; the edit engine accepts exactly that kind of opaque
 * node (nc_edit.c), so an edit whose only problems are those is accepted.
 */
static int is_valueless_delete(const struct lyd_node *n)
{
	const struct lyd_node_opaq *o = (const struct lyd_node_opaq *)n;
	const struct lyd_attr *a;

	if (n->schema != NULL)
		return 1;
	if (o->child != NULL || o->value[strspn(o->value, " \t\r\n")] != '\0')
		return 0;
	for (a = o->attr; a != NULL; a = a->next)
		if (!strcmp(a->name.name, "operation") &&
		    (!strcmp(a->value, "delete") || !strcmp(a->value, "remove")))
			return 1;
	return 0;
}

static struct lyd_node *parse_opaque_deletes(struct ly_ctx *ctx, const char *xml)
{
	struct lyd_node *tree = NULL, *top, *n;
	int ok = 1;

	if (lyd_parse_data_mem(ctx, xml, LYD_XML,
			       LYD_PARSE_ONLY | LYD_PARSE_OPAQ | LYD_PARSE_NO_STATE, 0,
			       &tree) != LY_SUCCESS) {
		lyd_free_all(tree);
		return NULL;
	}
	LY_LIST_FOR(tree, top)
	{
		LYD_TREE_DFS_BEGIN(top, n)
		{
			/* only below a schema node, and not below another opaque node */
			if (!is_valueless_delete(n) || (n->schema == NULL && lyd_parent(n) == NULL))
				ok = 0;
			LYD_TREE_DFS_END(top, n);
		}
	}
	if (!ok) {
		lyd_free_all(tree);
		return NULL;
	}
	return tree;
}

int hgw_nc_parse_config(struct ly_ctx *ctx, const char *xml, bool edit, struct lyd_node **ret,
			struct hgw_nc_errors *errs)
{
	struct lyd_node *tree = NULL;
	int r;

	*ret = NULL;
	if (is_blank(xml))
		return 0;
	ly_err_clean(ctx, NULL);
	if (lyd_parse_data_mem(ctx, xml, LYD_XML,
			       LYD_PARSE_ONLY | LYD_PARSE_STRICT | LYD_PARSE_NO_STATE, 0,
			       &tree) != LY_SUCCESS) {
		lyd_free_all(tree);
		tree = edit ? parse_opaque_deletes(ctx, xml) : NULL;
		if (tree == NULL)
			return hgw_nc_ly_errors(ctx, HGW_NC_LY_PARSE, "parsing <config>", errs);
		ly_err_clean(ctx, NULL);
	}
	if (!edit && (r = refuse_operations(tree, errs)) < 0) {
		lyd_free_all(tree);
		return r;
	}
	*ret = tree;
	return 0;
}

int hgw_nc_validate_tree(struct ly_ctx *ctx, struct lyd_node **tree, struct hgw_nc_errors *errs)
{
	ly_err_clean(ctx, NULL);
	if (lyd_validate_all(tree, ctx, LYD_VALIDATE_NO_STATE, NULL) != LY_SUCCESS)
		return hgw_nc_ly_errors(ctx, HGW_NC_LY_VALIDATE, "validation", errs);
	return hgw_nc_check(*tree, errs);
}
