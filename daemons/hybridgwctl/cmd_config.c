/*
 * cmd_config.c - hybridgwctl's config commands: edit the candidate datastore over NETCONF and
 * commit it, as any NETCONF client would (the CLI only edits the tree; hybridgwd validates
 * and applies).
 *
 * A PATH is a data path of yang/hybridgw.yang below /hybridgw, with list keys in brackets
 * and values unquoted ("/connections/connection[name=azure]/gateway[name=in0]/bgp/
 * peer-address"); it becomes a libyang path ("/hybridgw:hybridgw/connections/connection
 * [name='azure']/...") and the edit is built with lyd_new_path() and sent as <edit-config>
 * (merge; delete for `config delete`) of the candidate.  A value that does not fit its
 * type is sent as it is (an opaque node), so that the server says what is wrong, with its
 * own messages (which never repeat a pre-shared key).
 *
 * The candidate is shared and survives the session (nobody locks it), so `config set`,
 * `config diff` and `config commit` may be separate invocations.  A commit with --confirm
 * is persistent (persist "hybridgwctl"): a confirmed commit without persist would be rolled
 * back as soon as this short session ends; `config confirm` sends the matching persist-id.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgpath.h"
#include "ctl.h"

/* The persist token of hybridgwctl's confirmed commits. */
#define PERSIST_ID "hybridgwctl"
#define TOP CTL_CONFIG_TOP
#define NC_BASE_NS "urn:ietf:params:xml:ns:netconf:base:1.0"

/* The libyang path of the user's PATH, or a usage error. */
static void lpath(const char *path, char *out, size_t size)
{
	int r = ctl_config_path(path, out, size);

	if (r == -ENAMETOOLONG)
		usage_error("path too long: '%s'", path);
	if (r < 0)
		usage_error(
			"'%s' is not a path: write it like "
			"/connections/connection[name=azure]/gateway[name=in0]/bgp/peer-address",
			path);
}

/* Send the edit (the tree of top) to the candidate. */
static int edit(struct ctl_session *s, const struct lyd_node *top)
{
	char *xml = NULL, err[2048];
	int r;

	if (lyd_print_mem(&xml, top, LYD_XML, LYD_PRINT_WITHSIBLINGS | LYD_PRINT_SHRINK) !=
		    LY_SUCCESS ||
	    xml == NULL) {
		warnx("cannot build the edit: %s", ly_errmsg(s->ctx));
		return EXIT_ERROR;
	}
	r = ctl_nc_edit_candidate(s->nc, xml, err, sizeof(err));
	free(xml);
	return r < 0 ? ctl_rpc_failed(r, err) : EXIT_OK;
}

/*
 * path as parent + "/" + name, for a last step without a predicate (a leaf); -EINVAL when
 * the last step has one.  Slashes inside predicates ('198.19.30.0/24') do not count.
 */
static int split_last(const char *path, char *parent, size_t psize, char *name, size_t nsize)
{
	const char *p, *last = NULL;
	char quote = 0;
	int depth = 0;

	for (p = path; *p != '\0'; p++) {
		if (quote != 0)
			quote = *p == quote ? 0 : quote;
		else if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		else if (*p == '/' && depth == 0)
			last = p;
	}
	if (last == NULL || last == path || strchr(last, '[') != NULL ||
	    (size_t)(last - path) >= psize || strlen(last + 1) >= nsize)
		return -EINVAL;
	snprintf(parent, psize, "%.*s", (int)(last - path), path);
	snprintf(name, nsize, "%s", last + 1);
	return 0;
}

/*
 * The leaf at path (types: LYS_LEAF, and LYS_LEAFLIST too) as an opaque node under its
 * typed parent, with value (NULL: none).  For what libyang would refuse and the server must
 * judge: a value its type does not take, a leaf to delete (which has no value).  libyang
 * 2.1.30's LYD_NEW_PATH_OPAQ would drop the value, and prints the attribute of an opaque node
 * of the JSON form without its namespace: hence an opaque node of the XML form.
 */
static int opaque_leaf(struct ctl_session *s, const char *path, const char *value, uint16_t types,
		       struct lyd_node **top, struct lyd_node **node)
{
	char parent[1024], name[128];
	const struct lysc_node *leaf;
	struct lyd_node *p = NULL;

	*top = *node = NULL;
	if (split_last(path, parent, sizeof(parent), name, sizeof(name)) < 0 ||
	    lyd_new_path2(NULL, s->ctx, parent, NULL, 0, 0, 0, top, &p) != LY_SUCCESS ||
	    p == NULL || p->schema == NULL ||
	    (leaf = lys_find_child(p->schema, p->schema->module, name, 0, types, 0)) == NULL ||
	    lyd_new_opaq2(p, NULL, name, value != NULL ? value : "", NULL, leaf->module->ns,
			  node) != LY_SUCCESS) {
		lyd_free_all(*top);
		*top = *node = NULL;
		return -EINVAL;
	}
	return 0;
}

/* The edit's tree for path with value (NULL: none); the target node in *node. */
static int build(struct ctl_session *s, const char *path, const char *user, const char *value,
		 struct lyd_node **top, struct lyd_node **node)
{
	char msg[512];

	*top = *node = NULL;
	if (lyd_new_path2(NULL, s->ctx, path, value, 0, 0, 0, top, node) == LY_SUCCESS &&
	    *node != NULL)
		return EXIT_OK;
	snprintf(msg, sizeof(msg), "%s",
		 ly_errmsg(s->ctx) ? ly_errmsg(s->ctx) : "not in the model");
	lyd_free_all(*top);
	/* a value that does not fit its leaf goes to the server, whose message says why */
	if (value != NULL && opaque_leaf(s, path, value, LYS_LEAF | LYS_LEAFLIST, top, node) == 0)
		return EXIT_OK;
	warnx("%s: %s", user, msg);
	return EXIT_ERROR;
}

static int config_set(struct ctl_session *s, const char *user, const char *path, const char *value)
{
	struct lyd_node *top, *node;
	int status;

	if ((status = build(s, path, user, value, &top, &node)) != EXIT_OK)
		return status;
	if (node->schema != NULL && !(node->schema->nodetype & (LYS_LEAF | LYS_LEAFLIST))) {
		warnx("%s is not a leaf: config set takes the path of a leaf and its value", user);
		status = EXIT_ERROR;
	} else if (node->schema != NULL && (node->schema->flags & LYS_CONFIG_R)) {
		warnx("%s is state data, which is not configured", user);
		status = EXIT_ERROR;
	} else {
		status = edit(s, top);
	}
	lyd_free_all(top);
	return status;
}

static int config_delete(struct ctl_session *s, const char *user, const char *path)
{
	struct lyd_node *top, *node;
	LY_ERR e;
	int status;

	/* a leaf is deleted without a value (<leaf nc:operation="delete"/>) */
	if (opaque_leaf(s, path, NULL, LYS_LEAF, &top, &node) < 0 &&
	    (status = build(s, path, user, NULL, &top, &node)) != EXIT_OK)
		return status;
	if (node->schema != NULL)
		e = lyd_new_meta(s->ctx, node, NULL, "ietf-netconf:operation", "delete", 0, NULL);
	else
		e = lyd_new_attr2(node, NC_BASE_NS, "nc:operation", "delete", NULL);
	status = e == LY_SUCCESS ? edit(s, top) : EXIT_ERROR;
	if (e != LY_SUCCESS)
		warnx("cannot build the edit: %s", ly_errmsg(s->ctx));
	lyd_free_all(top);
	return status;
}

static int get_config(struct ctl_session *s, enum ctl_nc_ds ds, const char *xpath,
		      struct lyd_node **data)
{
	char err[2048];
	int r = ctl_nc_get_config(s->nc, ds, xpath, data, err, sizeof(err));

	return r < 0 ? ctl_rpc_failed(r, err) : EXIT_OK;
}

static int config_show(const struct ctl_options *o, struct ctl_session *s, const char *user,
		       const char *path)
{
	const char *ds = o->candidate ? "candidate" : "running";
	struct lyd_node *data = NULL;
	int status;

	status = get_config(s, o->candidate ? CTL_NC_CANDIDATE : CTL_NC_RUNNING, path, &data);
	if (status != EXIT_OK)
		return status;
	if (data == NULL && o->json)
		printf("{}\n");
	else if (data == NULL)
		printf("<!-- the %s configuration has nothing%s%s -->\n", ds, user ? " at " : "",
		       user ? user : "");
	else if (lyd_print_file(stdout, data, o->json ? LYD_JSON : LYD_XML,
				LYD_PRINT_WITHSIBLINGS) != LY_SUCCESS)
		status = EXIT_ERROR;
	lyd_free_all(data);
	return status;
}

/* ---- config diff ---- */

static const char *diff_op(const struct lyd_node *n, const char *inherited)
{
	const struct lyd_meta *m = lyd_find_meta(n->meta, NULL, "yang:operation");

	return m != NULL ? lyd_get_meta_value(m) : inherited;
}

/* Keys (nacm:default-deny-all) are never printed. */
static bool secret(const struct lyd_node *n)
{
	LY_ARRAY_COUNT_TYPE i;

	if (n->schema == NULL)
		return false;
	LY_ARRAY_FOR(n->schema->exts, i)
	{
		if (!strcmp(n->schema->exts[i].def->name, "default-deny-all") &&
		    !strcmp(n->schema->exts[i].def->module->name, "ietf-netconf-acm"))
			return true;
	}
	return false;
}

static void diff_leaf(const struct lyd_node *n, const char *op, FILE *out)
{
	const struct lyd_meta *orig = lyd_find_meta(n->meta, NULL, "yang:orig-value");
	const char *value = secret(n) ? "(secret)" : lyd_get_value(n);
	char *path = lyd_path(n, LYD_PATH_STD, NULL, 0);

	if (!strcmp(op, "create"))
		fprintf(out, "+ %s = %s\n", ctl_config_user_path(path), value);
	else if (!strcmp(op, "delete"))
		fprintf(out, "- %s = %s\n", ctl_config_user_path(path), value);
	else if (!strcmp(op, "replace"))
		fprintf(out, "~ %s: %s -> %s\n", ctl_config_user_path(path),
			secret(n) ? "(secret)" :
			orig	  ? lyd_get_meta_value(orig) :
				    "?",
			value);
	free(path);
}

/* Every leaf that a create, delete or replace touches, in document order. */
static void diff_print(const struct lyd_node *n, const char *op, FILE *out, size_t *changes)
{
	for (; n != NULL; n = n->next) {
		const char *mine = diff_op(n, op);

		if (n->schema != NULL && (n->schema->nodetype & LYD_NODE_TERM)) {
			if (strcmp(mine, "none") != 0) {
				diff_leaf(n, mine, out);
				(*changes)++;
			}
			continue;
		}
		diff_print(lyd_child(n), mine, out, changes);
	}
}

static int config_diff(struct ctl_session *s)
{
	struct lyd_node *running = NULL, *candidate = NULL, *diff = NULL;
	size_t changes = 0;
	int status;

	status = get_config(s, CTL_NC_RUNNING, NULL, &running);
	if (status == EXIT_OK)
		status = get_config(s, CTL_NC_CANDIDATE, NULL, &candidate);
	if (status == EXIT_OK && lyd_diff_siblings(running, candidate, 0, &diff) != LY_SUCCESS) {
		warnx("cannot compare the configurations: %s", ly_errmsg(s->ctx));
		status = EXIT_ERROR;
	}
	if (status == EXIT_OK) {
		diff_print(diff, "none", stdout, &changes);
		if (changes == 0)
			printf("no changes: the candidate is the running configuration\n");
	}
	lyd_free_all(diff);
	lyd_free_all(running);
	lyd_free_all(candidate);
	return status;
}

/* ---- commit, confirm, discard ---- */

static int config_commit(const struct ctl_options *o, struct ctl_session *s)
{
	char err[2048];
	int r;

	r = ctl_nc_commit(s->nc, o->confirm, o->confirm ? PERSIST_ID : NULL, NULL, err,
			  sizeof(err));
	if (r < 0)
		return ctl_rpc_failed(r, err);
	if (o->confirm)
		printf("committed; it is rolled back in %u s unless confirmed with "
		       "'hybridgwctl config confirm'\n",
		       o->confirm);
	else
		printf("committed\n");
	return EXIT_OK;
}

static int config_confirm(struct ctl_session *s)
{
	char err[2048];
	int r = ctl_nc_commit(s->nc, 0, NULL, PERSIST_ID, err, sizeof(err));

	if (r < 0)
		return ctl_rpc_failed(r, err);
	printf("confirmed\n");
	return EXIT_OK;
}

static int config_discard(struct ctl_session *s)
{
	char err[2048];
	int r = ctl_nc_discard(s->nc, err, sizeof(err));

	if (r < 0)
		return ctl_rpc_failed(r, err);
	printf("candidate discarded: it is the running configuration again\n");
	return EXIT_OK;
}

/* ---- dispatch ---- */

enum subcmd {
	SET,
	DELETE,
	SHOW,
	DIFF,
	COMMIT,
	CONFIRM,
	DISCARD
};

static const struct {
	const char *name;
	enum subcmd cmd;
	int min_args, max_args;
} subcommands[] = {
	{ "set", SET, 2, 2 },	      { "delete", DELETE, 1, 1 }, { "show", SHOW, 0, 1 },
	{ "diff", DIFF, 0, 0 },	      { "commit", COMMIT, 0, 0 }, { "confirm", CONFIRM, 0, 0 },
	{ "discard", DISCARD, 0, 0 },
};

/* args[0] is the PATH, if any, path its libyang form (NULL without). */
static int run(enum subcmd cmd, const struct ctl_options *o, struct ctl_session *s, char **args,
	       const char *path)
{
	switch (cmd) {
	case SET:
		return config_set(s, args[0], path, args[1]);
	case DELETE:
		return config_delete(s, args[0], path);
	case SHOW:
		return config_show(o, s, args[0], path);
	case DIFF:
		return config_diff(s);
	case COMMIT:
		return config_commit(o, s);
	case CONFIRM:
		return config_confirm(s);
	case DISCARD:
		return config_discard(s);
	}
	return EXIT_ERROR;
}

int ctl_cmd_config(const struct ctl_options *o, char **args, int nargs)
{
	char path[1024] = "";
	struct ctl_session s;
	size_t i;
	int status;

	if (nargs == 0)
		usage_error("config what? set, delete, show, diff, commit, confirm or discard");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (!strcmp(subcommands[i].name, args[0]))
			break;
	if (i == ARRAY_SIZE(subcommands))
		usage_error("unknown config command '%s'", args[0]);
	if (nargs - 1 < subcommands[i].min_args)
		usage_error("config %s: missing argument", args[0]);
	if (nargs - 1 > subcommands[i].max_args)
		usage_error("config %s: unexpected argument '%s'", args[0],
			    args[1 + subcommands[i].max_args]);
	if (o->confirm && subcommands[i].cmd != COMMIT)
		usage_error("--confirm goes with 'config commit' only");
	if (o->candidate && subcommands[i].cmd != SHOW)
		usage_error("--candidate goes with 'config show' only");
	/* a bad PATH is a usage error, whether the daemon runs or not */
	if (subcommands[i].max_args > 0 && nargs > 1)
		lpath(args[1], path, sizeof(path));
	if (subcommands[i].cmd == DELETE && !strcmp(path, TOP))
		usage_error("refusing to delete the whole configuration: name what to delete");
	status = ctl_session_open(o, &s);
	if (status != EXIT_OK)
		return status;
	/* argv ends in NULL: args[1] is NULL without a PATH */
	status = run(subcommands[i].cmd, o, &s, args + 1, nargs > 1 ? path : NULL);
	ctl_session_close(&s);
	return status;
}
