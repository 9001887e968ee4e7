/*
 * nc_check.c - the checks of a configuration that YANG cannot express, or cannot explain.
 *
 * Each check is one function over one connection of a tree that passed YANG validation,
 * in a table.  A failure is an operation-failed error with an error-app-tag of its own,
 * the connection's path, and a message that says what breaks and what to change: these
 * are the mistakes that do not fail at commit but an hour later, at the first rekey.
 *
 *   aws-pfs-required      AWS requires PFS for phase 2.
 *   azure-gcm-pfs         Azure does not do PFS with AES-GCM ESP proposals.
 *   aws-inside-cidr       AWS inside addresses: the two host addresses of one /30, AWS's
 *                         first.  (YANG's regular expressions cannot do address arithmetic.)
 *   apipa-not-unique      Every BGP address of every tunnel is unique on the router.  YANG
 *                         can say it (a must with count() over all tunnels), but libyang
 *                         evaluates that per address over all addresses: with 1,000
 *                         connections a commit took 56 s instead of 0.3 s.  Sorted here.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc/nc.h"

/* The value of the leaf at path below node, or NULL. */
static const char *leaf_value(const struct lyd_node *node, const char *path)
{
	struct lyd_node *leaf = NULL;

	if (lyd_find_path(node, path, 0, &leaf) != LY_SUCCESS)
		return NULL;
	return lyd_get_value(leaf);
}

static int fail(const struct lyd_node *node, struct hgw_nc_errors *errs, const char *app_tag,
		const char *msg)
{
	char *path = lyd_path(node, LYD_PATH_STD, NULL, 0);
	int r;

	r = hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, app_tag, path, "%s", msg);
	free(path);
	return r < 0 ? r : -EINVAL;
}

static int is_gcm(const char *encryption)
{
	return encryption != NULL && strstr(encryption, "gcm") != NULL;
}

static int check_aws_pfs(const struct lyd_node *conn, const char *profile,
			 struct hgw_nc_errors *errs)
{
	const char *pfs = leaf_value(conn, "esp/pfs-group");

	if (strcmp(profile, "aws") != 0 || pfs == NULL || strcmp(pfs, "none") != 0)
		return 0;
	return fail(conn, errs, "aws-pfs-required",
		    "AWS requires PFS for phase 2: without it the tunnels come up and die at "
		    "the first CHILD_SA rekey. Set esp/pfs-group, e.g. to modp2048.");
}

static int check_azure_gcm_pfs(const struct lyd_node *conn, const char *profile,
			       struct hgw_nc_errors *errs)
{
	const char *pfs = leaf_value(conn, "esp/pfs-group");
	struct ly_set *set = NULL;
	int gcm = 0;
	uint32_t i;

	if (strcmp(profile, "azure") != 0 || pfs == NULL || !strcmp(pfs, "none"))
		return 0;
	if (lyd_find_xpath(conn, "esp/proposal/encryption", &set) != LY_SUCCESS)
		return -ENOMEM;
	for (i = 0; i < set->count; i++)
		gcm |= is_gcm(lyd_get_value(set->dnodes[i]));
	ly_set_free(set, NULL);
	if (!gcm)
		return 0;
	return fail(conn, errs, "azure-gcm-pfs",
		    "Azure does not support PFS with AES-GCM ESP proposals: the tunnels come "
		    "up and die at the first CHILD_SA rekey. Set esp/pfs-group to none, or use "
		    "only non-GCM ESP proposals (e.g. aes256 with sha256).");
}

static int ipv4(const char *s, uint32_t *ret)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ret = ntohl(a.s_addr);
	return 0;
}

static int check_aws_inside(const struct lyd_node *conn, const char *profile,
			    struct hgw_nc_errors *errs)
{
	struct ly_set *set = NULL;
	uint32_t i, peer, local;
	int r = 0;

	if (strcmp(profile, "aws") != 0)
		return 0;
	if (lyd_find_xpath(conn, "gateway/bgp", &set) != LY_SUCCESS)
		return -ENOMEM;
	for (i = 0; i < set->count && r == 0; i++) {
		if (ipv4(leaf_value(set->dnodes[i], "peer-address"), &peer) < 0 ||
		    ipv4(leaf_value(set->dnodes[i], "local-address"), &local) < 0)
			continue;
		if ((peer & ~3u) != (local & ~3u))
			r = fail(set->dnodes[i], errs, "aws-inside-cidr",
				 "AWS gives each tunnel one /30 of inside addresses: peer-address "
				 "and local-address must be in the same /30. Copy both from the "
				 "AWS configuration of this tunnel.");
		else if ((peer & 3u) == 2 && (local & 3u) == 1)
			r = fail(set->dnodes[i], errs, "aws-inside-cidr",
				 "AWS takes the first host address of the /30 and the customer "
				 "gateway the second: swap peer-address and local-address.");
		else if ((peer & 3u) != 1 || (local & 3u) != 2)
			r = fail(set->dnodes[i], errs, "aws-inside-cidr",
				 "Inside addresses must be the two host addresses of the /30 "
				 "(.1 for AWS, .2 for us), not its network or broadcast address.");
	}
	ly_set_free(set, NULL);
	return r;
}

struct apipa {
	uint32_t addr;
	const struct lyd_node *leaf;
};

static int apipa_cmp(const void *a, const void *b)
{
	const struct apipa *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* "connection 'az' gateway 'in0'" for the error message. */
static void describe_tunnel(const struct lyd_node *leaf, char *buf, size_t size)
{
	const struct lyd_node *gw = lyd_parent(lyd_parent(leaf));
	const struct lyd_node *conn = gw != NULL ? lyd_parent(gw) : NULL;
	const char *c = conn != NULL ? leaf_value(conn, "name") : NULL;
	const char *g = gw != NULL ? leaf_value(gw, "name") : NULL;

	snprintf(buf, size, "connection '%s' gateway '%s'", c != NULL ? c : "?",
		 g != NULL ? g : "?");
}

static int check_apipa_unique(const struct lyd_node *tree, struct hgw_nc_errors *errs)
{
	struct ly_set *set = NULL;
	struct apipa *v;
	char a[96], b[96], *path;
	uint32_t i, n = 0;
	int r = 0;

	if (lyd_find_xpath(tree,
			   "/hybridgw:hybridgw/connections/connection/gateway/bgp/peer-address | "
			   "/hybridgw:hybridgw/connections/connection/gateway/bgp/local-address",
			   &set) != LY_SUCCESS)
		return -ENOMEM;
	v = calloc(set->count + 1, sizeof(*v));
	if (v == NULL) {
		ly_set_free(set, NULL);
		return -ENOMEM;
	}
	for (i = 0; i < set->count; i++)
		if (ipv4(lyd_get_value(set->dnodes[i]), &v[n].addr) == 0)
			v[n++].leaf = set->dnodes[i];
	qsort(v, n, sizeof(*v), apipa_cmp);
	for (i = 1; i < n && r == 0; i++) {
		if (v[i].addr != v[i - 1].addr)
			continue;
		describe_tunnel(v[i - 1].leaf, a, sizeof(a));
		describe_tunnel(v[i].leaf, b, sizeof(b));
		path = lyd_path(v[i].leaf, LYD_PATH_STD, NULL, 0);
		r = hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, "apipa-not-unique", path,
				     "APIPA address %s is used by %s and by %s: every tunnel BGP "
				     "address must be unique on the router; give one of them "
				     "another address.",
				     lyd_get_value(v[i].leaf), a, b);
		free(path);
		r = r < 0 ? r : -EINVAL;
	}
	free(v);
	ly_set_free(set, NULL);
	return r;
}

typedef int (*check_fn)(const struct lyd_node *conn, const char *profile,
			struct hgw_nc_errors *errs);

static const check_fn connection_checks[] = {
	check_aws_pfs,
	check_azure_gcm_pfs,
	check_aws_inside,
};

int hgw_nc_check(const struct lyd_node *tree, struct hgw_nc_errors *errs)
{
	struct ly_set *set = NULL;
	const char *profile;
	uint32_t i;
	size_t c;
	int r, ret = 0;

	if (tree == NULL)
		return 0;
	if (lyd_find_xpath(tree, "/hybridgw:hybridgw/connections/connection", &set) != LY_SUCCESS)
		return -ENOMEM;
	for (i = 0; i < set->count; i++) {
		profile = leaf_value(set->dnodes[i], "profile");
		for (c = 0; profile != NULL && c < ARRAY_SIZE(connection_checks); c++) {
			r = connection_checks[c](set->dnodes[i], profile, errs);
			if (r == -ENOMEM) {
				ly_set_free(set, NULL);
				return r;
			}
			if (r < 0)
				ret = r;
		}
	}
	ly_set_free(set, NULL);
	r = check_apipa_unique(tree, errs);
	return r == -ENOMEM || ret == 0 ? r : ret;
}
