/*
 * nc_acm.h - who may do what over NETCONF: two roles, and the data one of them may not read.
 *
 * DOC: RFC 8341 in the small.  hybridgw has two fixed roles instead of NACM's rule lists:
 * admin may do everything; operator may read (get, get-config, validate, get-schema,
 * notifications) but never change anything, and never see a node marked
 * nacm:default-deny-all in the YANG model (the pre-shared keys).  Fixed roles are what
 * the product needs and cannot be misconfigured into leaking a key; the marks come from
 * the model, so a secret added to the YANG later is hidden without a code change.
 *
 * Users.  A NETCONF user is a unix user name (the unix socket's peer, SO_PEERCRED).  root
 * is always admin; anyone else needs a line "<user> <role>" in the users file
 * (<config_dir>/netconf-users).  The file decides who may read the keys, so it must be
 * as private as they are: owned by root (or the daemon's user) and mode 0600, or it is
 * refused, as ssh refuses a private key others can read: then only root has access (the
 * daemon still runs: a chmod mistake must not take routing down with it).
 *
 * Hiding.  A reply for the operator is built from a copy with every denied node removed
 * before any filter runs, so an xpath filter cannot test a key's value either.  Error
 * messages are checked against the secrets of the configuration, as a second line.
 */
#ifndef HGW_NC_ACM_H
#define HGW_NC_ACM_H

#include <stdbool.h>
#include <sys/types.h>

#include <libyang/libyang.h>

/* The users file, in the daemon's configuration directory. */
#define HGW_NC_USERS_FILE "netconf-users"

enum hgw_nc_role {
	HGW_NC_ROLE_NONE, /* no access: the session is refused */
	HGW_NC_ROLE_OPERATOR,
	HGW_NC_ROLE_ADMIN,
};

/* "none", "operator", "admin"; NULL outside the enum. */
const char *hgw_nc_role_name(enum hgw_nc_role role);

/*
 * The role of user in the text of a users file (NUL-terminated): lines "<user> <role>",
 * '#' starts a comment, blank lines are ignored; the first line naming user counts.
 * HGW_NC_ROLE_NONE if user is not listed.  -EINVAL for a line that is not "<user>
 * <role>" or names an unknown role; *bad_line (NULL-able) is then its number.
 */
int hgw_nc_users_find(const char *text, const char *user, enum hgw_nc_role *role,
		      unsigned *bad_line);

/*
 * Check the users file at path: 0 if it is missing or private (owned by root or the
 * effective uid, no group or other permission bits), -EPERM if not, -EINVAL if a line is
 * malformed, other -errno if it cannot be read.  Every refusal is logged with what to do.
 */
int hgw_nc_users_check(const char *path);

/*
 * The role of the unix user (uid, name) from the users file at path.  uid 0 is admin
 * whatever the file says.  A file that hgw_nc_users_check() refuses gives everyone else
 * HGW_NC_ROLE_NONE (and is logged).
 */
enum hgw_nc_role hgw_nc_role_of(const char *path, uid_t uid, const char *name);

/* Whether the schema node carries nacm:default-deny-all (itself, not its ancestors). */
bool hgw_nc_acm_denied(const struct lysc_node *schema);

/*
 * Remove from *tree (all siblings and their subtrees) every node the operator role may
 * not read.  *tree may become NULL.
 */
void hgw_nc_acm_strip(struct lyd_node **tree);

/* Whether text contains the value of a denied leaf in tree (NULL-able). */
bool hgw_nc_acm_mentions_secret(const struct lyd_node *tree, const char *text);

#endif
