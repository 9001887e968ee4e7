/*
 * nc_acm.c - roles from the users file, and hiding nacm:default-deny-all data; see nc_acm.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libyang/plugins_exts.h>

#include "log.h"
#include "nc/nc_acm.h"

/* A users file is a handful of lines; anything bigger is not one. */
#define USERS_FILE_MAX (64 * 1024)

static const char *const role_names[] = {
	[HGW_NC_ROLE_NONE] = "none",
	[HGW_NC_ROLE_OPERATOR] = "operator",
	[HGW_NC_ROLE_ADMIN] = "admin",
};

const char *hgw_nc_role_name(enum hgw_nc_role role)
{
	return (size_t)role < ARRAY_SIZE(role_names) ? role_names[role] : NULL;
}

static int role_from_name(const char *name, size_t len, enum hgw_nc_role *role)
{
	if (len == strlen("admin") && !strncmp(name, "admin", len))
		*role = HGW_NC_ROLE_ADMIN;
	else if (len == strlen("operator") && !strncmp(name, "operator", len))
		*role = HGW_NC_ROLE_OPERATOR;
	else
		return -EINVAL;
	return 0;
}

/* The next whitespace-separated word of [*p, end): its start and length; 0 at the end. */
static size_t next_word(const char **p, const char *end, const char **word)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	*word = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\r')
		s++;
	*p = s;
	return (size_t)(s - *word);
}

int hgw_nc_users_find(const char *text, const char *user, enum hgw_nc_role *role,
		      unsigned *bad_line)
{
	const char *line = text, *end, *p, *u, *r, *extra;
	size_t ulen, rlen;
	unsigned n = 0;
	bool found = false;
	enum hgw_nc_role found_role = HGW_NC_ROLE_NONE, this_role;

	/* the whole file is checked even after a match: a typo must not hide behind it */
	for (; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		n++;
		end = strchrnul(line, '\n');
		p = memchr(line, '#', (size_t)(end - line));
		p = p != NULL ? p : end;
		r = line;
		ulen = next_word(&r, p, &u);
		if (ulen == 0)
			continue;
		rlen = next_word(&r, p, &extra);
		if (rlen == 0 || role_from_name(extra, rlen, &this_role) < 0 ||
		    next_word(&r, p, &extra) != 0) {
			if (bad_line != NULL)
				*bad_line = n;
			return -EINVAL;
		}
		if (!found && ulen == strlen(user) && !strncmp(u, user, ulen)) {
			found = true;
			found_role = this_role;
		}
	}
	*role = found_role;
	return 0;
}

/* The file's text if it is private; -ENOENT if missing.  Refusals are logged. */
static int read_users(const char *path, char **ret)
{
	struct stat st;
	ssize_t n;
	char *buf;
	int fd, r;

	*ret = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP)
		return log_err_errno(ELOOP,
				     "%s is a symbolic link, which is not followed: only "
				     "root has NETCONF access",
				     path);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : log_err_errno(errno, "cannot open %s", path);
	if (fstat(fd, &st) < 0) {
		r = log_err_errno(errno, "cannot stat %s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 077) != 0) {
		log_err("%s decides who may read the pre-shared keys but others may read or "
			"change it (mode %04o, owner uid %u): chown root %s; chmod 600 %s.  Until "
			"then only root has NETCONF access",
			path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, path, path);
		r = -EPERM;
		goto out;
	}
	if (st.st_size > USERS_FILE_MAX) {
		log_err("%s is larger than %d bytes: not a users file", path, USERS_FILE_MAX);
		r = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	n = read(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		r = log_err_errno(errno, "cannot read %s", path);
		free(buf);
		goto out;
	}
	buf[n] = '\0';
	*ret = buf;
	r = 0;
out:
	close(fd);
	return r;
}

static int lookup(const char *path, const char *user, enum hgw_nc_role *role)
{
	unsigned line = 0;
	char *text;
	int r;

	*role = HGW_NC_ROLE_NONE;
	r = read_users(path, &text);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = hgw_nc_users_find(text, user, role, &line);
	free(text);
	if (r < 0)
		log_err("%s:%u: expected \"<user> admin\" or \"<user> operator\"; until this is "
			"fixed only root has NETCONF access",
			path, line);
	return r;
}

int hgw_nc_users_check(const char *path)
{
	enum hgw_nc_role role;

	return lookup(path, "", &role);
}

enum hgw_nc_role hgw_nc_role_of(const char *path, uid_t uid, const char *name)
{
	enum hgw_nc_role role;

	if (uid == 0)
		return HGW_NC_ROLE_ADMIN;
	if (lookup(path, name, &role) < 0)
		return HGW_NC_ROLE_NONE;
	return role;
}

bool hgw_nc_acm_denied(const struct lysc_node *schema)
{
	LY_ARRAY_COUNT_TYPE i;

	if (schema == NULL)
		return false;
	LY_ARRAY_FOR(schema->exts, i)
	{
		const struct lysc_ext *def = schema->exts[i].def;

		if (def != NULL && !strcmp(def->name, "default-deny-all") &&
		    !strcmp(def->module->name, "ietf-netconf-acm"))
			return true;
	}
	return false;
}

void hgw_nc_acm_strip(struct lyd_node **tree)
{
	struct lyd_node *top, *elem;
	struct ly_set *set = NULL;
	uint32_t i;

	if (*tree == NULL || ly_set_new(&set) != LY_SUCCESS)
		return;
	LY_LIST_FOR(*tree, top)
	{
		LYD_TREE_DFS_BEGIN(top, elem)
		{
			if (hgw_nc_acm_denied(elem->schema)) {
				ly_set_add(set, elem, 1, NULL);
				/* its subtree goes with it: do not collect it twice */
				LYD_TREE_DFS_continue = 1;
			}
			LYD_TREE_DFS_END(top, elem);
		}
	}
	for (i = 0; i < set->count; i++) {
		if (set->dnodes[i] == *tree)
			*tree = (*tree)->next;
		lyd_free_tree(set->dnodes[i]);
	}
	ly_set_free(set, NULL);
}

bool hgw_nc_acm_mentions_secret(const struct lyd_node *tree, const char *text)
{
	/* libyang's DFS macros take non-const nodes; nothing here writes through them */
	struct lyd_node *first = (struct lyd_node *)(uintptr_t)tree, *top, *elem;
	const char *value;

	if (text == NULL)
		return false;
	LY_LIST_FOR(first, top)
	{
		LYD_TREE_DFS_BEGIN(top, elem)
		{
			if (hgw_nc_acm_denied(elem->schema) &&
			    (value = lyd_get_value(elem)) != NULL && *value != '\0' &&
			    strstr(text, value) != NULL)
				return true;
			LYD_TREE_DFS_END(top, elem);
		}
	}
	return false;
}
