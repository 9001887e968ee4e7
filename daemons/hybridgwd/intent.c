/*
 * intent.c - compile a hybridgw configuration tree into an intent, and diff two intents.
 * The design is in intent.h.  Only the compile half reads libyang; the diff is pure.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "intent.h"

/* ---- reading the tree ---- */

struct cc {
	const struct lyd_node *top; /* /hybridgw:hybridgw */
	const struct hgw_intent *prev;
	const struct hgw_intent_opts *opts;
	struct hgw_intent *out;
	char *err;
	size_t err_size;
};

static int __attribute__((format(printf, 2, 3))) cc_fail(struct cc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->err_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct lyd_node *leaf_node(const struct lyd_node *node, const char *path)
{
	struct lyd_node *leaf = NULL;

	if (lyd_find_path(node, path, 0, &leaf) != LY_SUCCESS)
		return NULL;
	return leaf;
}

/* The value of the leaf at path below node, or NULL. */
static const char *leaf_value(const struct lyd_node *node, const char *path)
{
	const struct lyd_node *leaf = leaf_node(node, path);

	return leaf != NULL ? lyd_get_value(leaf) : NULL;
}

/* Whether the leaf is absent or libyang put it there as the model's default. */
static bool leaf_defaulted(const struct lyd_node *node, const char *path)
{
	const struct lyd_node *leaf = leaf_node(node, path);

	return leaf == NULL || (leaf->flags & LYD_DEFAULT);
}

/* A number leaf; the tree is validated, so a missing or bad one yields def. */
static uint32_t leaf_u32(const struct lyd_node *node, const char *path, uint32_t def)
{
	const char *s = leaf_value(node, path);
	unsigned long v;
	char *end;

	if (s == NULL)
		return def;
	errno = 0;
	v = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && v <= UINT32_MAX ? (uint32_t)v : def;
}

/* Copy a leaf into a fixed buffer ("" when absent); -E2BIG rather than a cut value. */
static int leaf_copy(const struct lyd_node *node, const char *path, char *buf, size_t size)
{
	const char *s = leaf_value(node, path);

	if (s == NULL)
		s = "";
	return (size_t)snprintf(buf, size, "%s", s) < size ? 0 : -E2BIG;
}

static int __attribute__((format(printf, 3, 4)))
append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size - len ? 0 : -E2BIG;
}

/* Whether the leaf at path has that value (false when absent). */
static bool leaf_is(const struct lyd_node *node, const char *path, const char *value)
{
	const char *s = leaf_value(node, path);

	return s != NULL && !strcmp(s, value);
}

static const struct lyd_node *find_top(const struct lyd_node *tree)
{
	const struct lyd_node *n;

	for (n = tree != NULL ? lyd_first_sibling(tree) : NULL; n != NULL; n = n->next)
		if (!strcmp(LYD_NAME(n), "hybridgw") &&
		    !strcmp(n->schema->module->name, "hybridgw"))
			return n;
	return NULL;
}

static const char *node_name(const struct lyd_node *node)
{
	const char *s = leaf_value(node, "name");

	return s != NULL ? s : "";
}

/* ---- cloud profiles ---- */

/*
 * What differs per cloud, from docs/FIELD-FACTS.md.  default_hold replaces YANG's default
 * hold time (180 s) only when the operator left it unset.
 */
static const struct profile {
	const char *name;
	enum hgw_intent_profile id;
	uint16_t default_hold; /* 0: YANG's default stands */
	enum frr_hop_check hop_check;
	uint8_t inside_plen;
	bool peer_route;
	unsigned mtu; /* 0: the kernel's */
	uint16_t mss; /* TCP MSS clamp when tcp-mss is unset; 0: none */
} profiles[] = {
	/*
	 * Azure: 60/180 fixed (YANG enforces 180).  The APIPA speaker is not on a subnet we
	 * share, so our address is a /32, the peer gets a host route through the tunnel, and
	 * the eBGP session needs disable-connected-check.
	 */
	{ "azure", HGW_PROFILE_AZURE, 0, FRR_HOP_DISABLE_CHECK, 32, true, 0, 1350 },
	/* AWS: one /30 per tunnel (connected), hold 30 s in AWS's sample, MTU 1436, MSS 1387. */
	{ "aws", HGW_PROFILE_AWS, 30, FRR_HOP_CONNECTED, 30, false, 1436, 1387 },
	/* Any peer: assume nothing about its subnet, as for Azure; no clamping by default. */
	{ "generic", HGW_PROFILE_GENERIC, 0, FRR_HOP_DISABLE_CHECK, 32, true, 0, 0 },
};

static const struct profile *profile_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (!strcmp(profiles[i].name, name))
			return &profiles[i];
	return NULL;
}

/* ---- proposals ---- */

struct proposal {
	uint32_t id;
	char s[64];
};

static int proposal_cmp(const void *a, const void *b)
{
	const struct proposal *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* "aes256-sha256-modp2048"; with an AEAD the PRF is named: "aes256gcm16-prfsha256-ecp384". */
static void ike_proposal(const struct lyd_node *p, const char *pfs, char *buf, size_t size)
{
	const char *integ = leaf_value(p, "integrity"), *prf = leaf_value(p, "prf");

	(void)pfs;
	snprintf(buf, size, "%s%s%s%s%s-%s", leaf_value(p, "encryption"), integ ? "-" : "",
		 integ ? integ : "", prf ? "-prf" : "", prf ? prf : "", leaf_value(p, "dh-group"));
}

/* "aes128-sha1-modp2048": a DH group in an ESP proposal is the PFS group. */
static void esp_proposal(const struct lyd_node *p, const char *pfs, char *buf, size_t size)
{
	const char *integ = leaf_value(p, "integrity");
	bool has_pfs = pfs != NULL && strcmp(pfs, "none") != 0;

	snprintf(buf, size, "%s%s%s%s%s", leaf_value(p, "encryption"), integ ? "-" : "",
		 integ ? integ : "", has_pfs ? "-" : "", has_pfs ? pfs : "");
}

typedef void (*proposal_fn)(const struct lyd_node *p, const char *pfs, char *buf, size_t size);

/* The proposals under xpath, in order of their id, as one comma-separated charon string. */
static int proposals(const struct lyd_node *conn, const char *xpath, proposal_fn fmt, char *buf,
		     size_t size)
{
	const char *pfs = leaf_value(conn, "esp/pfs-group");
	struct ly_set *set = NULL;
	struct proposal *v;
	int r = 0;

	if (lyd_find_xpath(conn, xpath, &set) != LY_SUCCESS)
		return -ENOMEM;
	v = calloc(set->count + 1, sizeof(*v));
	if (v == NULL) {
		ly_set_free(set, NULL);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < set->count; i++) {
		v[i].id = leaf_u32(set->dnodes[i], "id", 0);
		fmt(set->dnodes[i], pfs, v[i].s, sizeof(v[i].s));
	}
	qsort(v, set->count, sizeof(*v), proposal_cmp);
	buf[0] = '\0';
	for (uint32_t i = 0; i < set->count && r == 0; i++)
		r = append(buf, size, "%s%s", i > 0 ? "," : "", v[i].s);
	free(v);
	ly_set_free(set, NULL);
	return r;
}

/* A leaf-list of prefixes as "a,b,c" ("" when empty). */
static int join_leaflist(const struct lyd_node *conn, const char *xpath, char *buf, size_t size)
{
	struct ly_set *set = NULL;
	int r = 0;

	if (lyd_find_xpath(conn, xpath, &set) != LY_SUCCESS)
		return -ENOMEM;
	buf[0] = '\0';
	for (uint32_t i = 0; i < set->count && r == 0; i++)
		r = append(buf, size, "%s%s", i > 0 ? "," : "", lyd_get_value(set->dnodes[i]));
	ly_set_free(set, NULL);
	return r;
}

/* ---- one tunnel: a gateway of a connection ---- */

/* Lifetimes: rekey at lifetime - margin; the hard end stays at lifetime. */
static int lifetimes(struct cc *c, const struct lyd_node *conn, struct hgw_intent_tunnel *t)
{
	uint32_t ike = leaf_u32(conn, "ike/lifetime", 28800);
	uint32_t ike_m = leaf_u32(conn, "ike/rekey-margin", 540);
	uint32_t esp = leaf_u32(conn, "esp/lifetime", 3600);
	uint32_t esp_m = leaf_u32(conn, "esp/rekey-margin", 540);
	struct vici_conn_cfg *cfg = &t->charon.cfg;

	if (ike_m >= ike || esp_m >= esp)
		return cc_fail(c,
			       "connection '%s': rekey-margin must be shorter than lifetime "
			       "(ike %u/%u s, esp %u/%u s): lower the margin or raise the lifetime",
			       t->conn, ike_m, ike, esp_m, esp);
	cfg->rekey_time = VICI_OPT(ike - ike_m);
	cfg->over_time = VICI_OPT(ike_m);
	/* IKEv2 reauthentication is break-before-make: it would flap the tunnel; rekey only. */
	cfg->reauth_time = VICI_OPT(0);
	cfg->child_rekey_time = VICI_OPT(esp - esp_m);
	cfg->child_life_time = VICI_OPT(esp);
	return 0;
}

/* The charon connection, but for the pointers and the numbers (finish_tunnel). */
static int fill_charon(struct cc *c, const struct lyd_node *conn, const struct lyd_node *gw,
		       const char *underlay, struct hgw_intent_tunnel *t)
{
	struct hgw_intent_charon *ch = &t->charon;
	const char *remote = leaf_value(gw, "remote-address");
	int r;

	snprintf(ch->name, sizeof(ch->name), "hgw/%s/%s", t->conn, t->gw);
	snprintf(ch->local_addrs, sizeof(ch->local_addrs), "%s", underlay);
	snprintf(ch->remote_addrs, sizeof(ch->remote_addrs), "%s", remote);
	/* Azure and AWS identify both ends by their public addresses. */
	snprintf(ch->local_id, sizeof(ch->local_id), "%s", underlay);
	snprintf(ch->remote_id, sizeof(ch->remote_id), "%s", remote);
	r = proposals(conn, "ike/proposal", ike_proposal, ch->ike_proposals,
		      sizeof(ch->ike_proposals));
	if (r == 0)
		r = proposals(conn, "esp/proposal", esp_proposal, ch->esp_proposals,
			      sizeof(ch->esp_proposals));
	if (r == 0 && leaf_is(conn, "mode", "policy-based"))
		r = join_leaflist(conn, "traffic-selectors/local", ch->local_ts,
				  sizeof(ch->local_ts));
	if (r == 0 && leaf_is(conn, "mode", "policy-based"))
		r = join_leaflist(conn, "traffic-selectors/remote", ch->remote_ts,
				  sizeof(ch->remote_ts));
	if (r == -E2BIG)
		return cc_fail(c, "connection '%s': too many proposals or selectors", t->conn);
	if (r < 0)
		return r;
	ch->cfg.version = leaf_u32(conn, "ike-version", 2);
	ch->cfg.dpd_delay = VICI_OPT(leaf_u32(conn, "dpd/interval", 45));
	/* Always on: retry forever, start at load, start again when the peer closes. */
	ch->cfg.keyingtries = VICI_OPT(0);
	ch->cfg.unique = "replace";
	ch->cfg.start_action = "start";
	ch->cfg.close_action = "start";
	ch->cfg.dpd_action = leaf_is(conn, "dpd/action", "clear") ? "clear" : "restart";
	ch->mobike = false;
	return lifetimes(c, conn, t);
}

static void fill_secret(const struct lyd_node *conn, struct hgw_intent_tunnel *t)
{
	struct hgw_intent_secret *s = &t->secret;

	snprintf(s->id, sizeof(s->id), "hgw/%s/%s", t->conn, t->gw);
	snprintf(s->psk, sizeof(s->psk), "%s", leaf_value(conn, "pre-shared-key"));
	/* One key per remote identity: another tunnel's key never matches this peer. */
	snprintf(s->owners, sizeof(s->owners), "%s", t->charon.remote_id);
}

static int parse_v4(const char *s, struct in_addr *a)
{
	return s != NULL && inet_pton(AF_INET, s, a) == 1 ? 0 : -EINVAL;
}

/* The BGP session over the tunnel and the inside addresses it runs on. */
static int fill_bgp(struct cc *c, const struct lyd_node *gw, const struct profile *p,
		    struct hgw_intent_tunnel *t)
{
	struct frr_neighbor *nb = &t->neighbor;
	const struct lyd_node *bgp = leaf_node(gw, "bgp");
	uint32_t hold = leaf_u32(bgp, "hold-time", 180);

	if (p->default_hold != 0 && leaf_defaulted(bgp, "hold-time"))
		hold = p->default_hold;
	if (hold == 0)
		return cc_fail(c,
			       "connection '%s' gateway '%s': hold-time 0 is not supported: "
			       "set it to 3 or more",
			       t->conn, t->gw);
	if (frr_addr_parse(&nb->addr, leaf_value(bgp, "peer-address")) < 0 ||
	    parse_v4(leaf_value(bgp, "local-address"), &t->iface.inside_local) < 0)
		return -EINVAL;
	snprintf(nb->path_class, sizeof(nb->path_class), "VPN");
	nb->remote_as = leaf_u32(bgp, "peer-asn", 0);
	snprintf(nb->description, sizeof(nb->description), "%s/%s", t->conn, t->gw);
	snprintf(nb->update_source, sizeof(nb->update_source), "%s",
		 leaf_value(bgp, "local-address"));
	/* The cloud's APIPA speakers only listen: we connect. */
	nb->passive = false;
	nb->hop_check = p->hop_check;
	/*
	 * Keepalive a third of the hold time (Azure: 60/180).  Connect retry 10 s instead of
	 * FRR's 120 s: the coordinator kicks the session when the CHILD_SA comes up, and this
	 * bounds the wait when that kick is lost.
	 */
	nb->timers = (struct frr_timers){ .keepalive = (uint16_t)(hold / 3),
					  .hold = (uint16_t)hold,
					  .connect = 10 };
	nb->ipv4 = true;
	t->bgp = true;
	t->iface.present = true;
	t->iface.inside_plen = p->inside_plen;
	if (p->peer_route)
		t->iface.peer_route = nb->addr.u.v4;
	return 0;
}

static int fill_iface(struct cc *c, const struct lyd_node *gw, const char *underlay,
		      const struct profile *p, struct hgw_intent_tunnel *t)
{
	struct hgw_nl_tunnel *nl = &t->iface.nl;
	const char *mss = leaf_value(lyd_parent(gw), "tcp-mss");

	nl->kind = c->out->global.ifkind;
	nl->mtu = p->mtu;
	/* tcp-mss: a number, "off", or unset for the profile's */
	if (mss == NULL)
		t->iface.mss = p->mss;
	else
		t->iface.mss = (uint16_t)leaf_u32(lyd_parent(gw), "tcp-mss", 0);
	/*
	 * The IPv6 link-local, ours so that it survives the link's down/up (nl.h): fe80:: and
	 * the inside IPv4 address as its last 32 bits, fe80::a9fe:1501 for 169.254.21.1;
	 * deterministic, unique per link, and it says which tunnel it is.
	 */
	nl->ll.s6_addr[0] = 0xfe;
	nl->ll.s6_addr[1] = 0x80;
	memcpy(&nl->ll.s6_addr[12], &t->iface.inside_local, 4);
	if (nl->kind != HGW_NL_VTI)
		return 0;
	/* A VTI is bound to the outer addresses; an XFRM interface only to its if_id. */
	if (parse_v4(underlay, &nl->local) < 0 ||
	    parse_v4(leaf_value(gw, "remote-address"), &nl->remote) < 0)
		return cc_fail(c,
			       "connection '%s' gateway '%s': a VTI needs IPv4 outer addresses: "
			       "set global/tunnel-interface-kind to xfrm",
			       t->conn, t->gw);
	return 0;
}

static int fill_tunnel(struct cc *c, const struct lyd_node *gw, struct hgw_intent_tunnel *t)
{
	const struct lyd_node *conn = lyd_parent(gw);
	const struct profile *p = profile_find(leaf_value(conn, "profile"));
	const char *ul_name = leaf_value(gw, "local-address");
	char path[128];
	const char *underlay;
	int r;

	snprintf(t->conn, sizeof(t->conn), "%s", node_name(conn));
	snprintf(t->gw, sizeof(t->gw), "%s", node_name(gw));
	snprintf(path, sizeof(path), "underlay/address[name='%s']/address", ul_name);
	underlay = leaf_value(c->top, path);
	if (p == NULL || underlay == NULL)
		return cc_fail(c, "connection '%s' gateway '%s': unknown profile or underlay",
			       t->conn, t->gw);
	t->profile = p->id;
	r = fill_charon(c, conn, gw, underlay, t);
	if (r == 0)
		fill_secret(conn, t);
	if (r == 0 && !leaf_is(conn, "mode", "policy-based"))
		r = fill_bgp(c, gw, p, t);
	if (r == 0)
		r = leaf_copy(conn, "bfd-profile", t->bfd_profile, sizeof(t->bfd_profile));
	if (r == 0 && t->iface.present)
		r = fill_iface(c, gw, underlay, p, t);
	return r;
}

static int tunnel_cmp(const void *a, const void *b)
{
	const struct hgw_intent_tunnel *x = a, *y = b;
	int r = strcmp(x->conn, y->conn);

	return r != 0 ? r : strcmp(x->gw, y->gw);
}

/* ---- numbering ---- */

static uint32_t tunnel_id(const struct hgw_intent_tunnel *t)
{
	return t->iface.nl.kind == HGW_NL_VTI ? t->iface.nl.key : t->iface.nl.if_id;
}

static void set_tunnel_id(struct hgw_intent_tunnel *t, uint32_t id)
{
	t->iface.nl.key = t->iface.nl.kind == HGW_NL_VTI ? id : 0;
	t->iface.nl.if_id = t->iface.nl.kind == HGW_NL_VTI ? 0 : id;
}

/* FNV-1a of "<conn>\0<gw>" folded into the id range. */
static uint32_t id_hash(const struct hgw_intent_tunnel *t)
{
	uint32_t h = 2166136261u;
	const char *parts[] = { t->conn, t->gw };

	for (size_t i = 0; i < 2; i++) {
		for (const char *s = parts[i]; *s != '\0'; s++)
			h = (h ^ (uint8_t)*s) * 16777619u;
		h *= 16777619u; /* the separator: "a"+"bc" differs from "ab"+"c" */
	}
	return HGW_INTENT_ID_MIN + h % (HGW_INTENT_ID_MAX - HGW_INTENT_ID_MIN + 1);
}

/* Linear in the tunnels numbered so far; a thousand connections take milliseconds. */
static bool id_taken(const struct hgw_intent *in, uint32_t id)
{
	for (size_t i = 0; i < in->n_tunnels; i++)
		if (in->tunnels[i].iface.present && tunnel_id(&in->tunnels[i]) == id)
			return true;
	return false;
}

static const struct hgw_intent_tunnel *prev_tunnel(struct cc *c, const struct hgw_intent_tunnel *t)
{
	const struct hgw_intent_tunnel *p;

	if (c->prev == NULL)
		return NULL;
	p = hgw_intent_tunnel_find(c->prev, t->conn, t->gw);
	return p != NULL && p->iface.present ? p : NULL;
}

static void assign_ids(struct cc *c)
{
	struct hgw_intent *in = c->out;
	const struct hgw_intent_tunnel *p;

	/* The previous numbers first: prev's ids are distinct, so they never clash. */
	for (size_t i = 0; i < in->n_tunnels; i++)
		if (in->tunnels[i].iface.present && (p = prev_tunnel(c, &in->tunnels[i])) != NULL)
			set_tunnel_id(&in->tunnels[i], tunnel_id(p));
	for (size_t i = 0; i < in->n_tunnels; i++) {
		struct hgw_intent_tunnel *t = &in->tunnels[i];
		uint32_t id;

		if (!t->iface.present || tunnel_id(t) != 0)
			continue;
		for (id = id_hash(t); id_taken(in, id);)
			id = id == HGW_INTENT_ID_MAX ? HGW_INTENT_ID_MIN : id + 1;
		set_tunnel_id(t, id);
	}
}

/* The number that ends a gateway name ("in0", "t2"), or -1. */
static int name_digits(const char *name)
{
	size_t len = strlen(name), i = len;

	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == len || len - i > 2)
		return -1;
	return atoi(name + i);
}

enum {
	INST_UNSET = -1
};

/* Instances of the tunnels [lo, hi) of one connection: previous, name digits, lowest free. */
static void assign_instances_conn(struct cc *c, size_t lo, size_t hi)
{
	bool used[HGW_NL_MAX_INSTANCE + 1] = { false };
	int inst[HGW_NL_MAX_INSTANCE + 1];
	const struct hgw_intent_tunnel *p;
	struct hgw_intent_tunnel *v = c->out->tunnels;

	for (size_t i = lo; i < hi; i++) {
		inst[i - lo] = INST_UNSET;
		if ((p = prev_tunnel(c, &v[i])) != NULL && !used[p->iface.instance])
			used[inst[i - lo] = (int)p->iface.instance] = true;
	}
	for (size_t i = lo; i < hi; i++) {
		int d = name_digits(v[i].gw);

		if (inst[i - lo] == INST_UNSET && d >= 0 && !used[d])
			used[inst[i - lo] = d] = true;
	}
	for (size_t i = lo; i < hi; i++) {
		int d = 0;

		while (inst[i - lo] == INST_UNSET && used[d])
			d++;
		if (inst[i - lo] == INST_UNSET)
			used[inst[i - lo] = d] = true;
		v[i].iface.instance = (unsigned)inst[i - lo];
	}
}

static void assign_instances(struct cc *c)
{
	struct hgw_intent *in = c->out;
	size_t lo = 0;

	/* A connection has at most 4 gateways (YANG), far below the 100 instances. */
	for (size_t i = 1; i <= in->n_tunnels; i++) {
		if (i < in->n_tunnels && !strcmp(in->tunnels[i].conn, in->tunnels[lo].conn))
			continue;
		assign_instances_conn(c, lo, i);
		lo = i;
	}
}

/* Point the charon and secret structs at their own strings, and give them the numbers. */
static void link_tunnel(struct hgw_intent_tunnel *t)
{
	struct hgw_intent_charon *ch = &t->charon;
	struct vici_conn_cfg *cfg = &ch->cfg;

	cfg->name = ch->name;
	cfg->child = ch->name;
	cfg->local_addrs = ch->local_addrs;
	cfg->remote_addrs = ch->remote_addrs;
	cfg->local_id = ch->local_id;
	cfg->remote_id = ch->remote_id;
	cfg->ike_proposals = ch->ike_proposals;
	cfg->esp_proposals = ch->esp_proposals;
	cfg->local_ts = ch->local_ts[0] != '\0' ? ch->local_ts : NULL;
	cfg->remote_ts = ch->remote_ts[0] != '\0' ? ch->remote_ts : NULL;
	cfg->if_id_in = cfg->if_id_out = t->iface.nl.if_id;
	cfg->mark_in = cfg->mark_out = t->iface.nl.key;
	t->secret.shared = (struct vici_shared){ .id = t->secret.id,
						 .secret = t->secret.psk,
						 .owners = t->secret.owners };
}

static int ifname_cmp(const void *a, const void *b)
{
	const struct hgw_intent_tunnel *const *x = a, *const *y = b;

	return strcmp((*x)->iface.nl.name, (*y)->iface.nl.name);
}

/* Names and a check that two connections do not map to one interface name. */
static int name_interfaces(struct cc *c)
{
	struct hgw_intent *in = c->out;
	const struct hgw_intent_tunnel **v;
	size_t n = 0;
	int r = 0;

	v = calloc(in->n_tunnels + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < in->n_tunnels && r == 0; i++) {
		struct hgw_intent_tunnel *t = &in->tunnels[i];

		if (!t->iface.present)
			continue;
		r = hgw_nl_ifname(t->iface.nl.kind, t->conn, t->iface.instance, t->iface.nl.name,
				  sizeof(t->iface.nl.name));
		v[n++] = t;
	}
	qsort(v, n, sizeof(*v), ifname_cmp);
	for (size_t i = 1; i < n && r == 0; i++)
		if (!strcmp(v[i - 1]->iface.nl.name, v[i]->iface.nl.name))
			r = cc_fail(
				c, "connections '%s' and '%s' both map to interface %s: rename one",
				v[i - 1]->conn, v[i]->conn, v[i]->iface.nl.name);
	free(v);
	return r;
}

static int compile_tunnels(struct cc *c)
{
	struct hgw_intent *in = c->out;
	struct ly_set *set = NULL;
	int r = 0;

	if (lyd_find_xpath(c->top, "connections/connection[enabled='true']/gateway", &set) !=
	    LY_SUCCESS)
		return -ENOMEM;
	in->tunnels = calloc(set->count + 1, sizeof(*in->tunnels));
	if (in->tunnels == NULL)
		r = -ENOMEM;
	for (uint32_t i = 0; r == 0 && i < set->count; i++, in->n_tunnels++)
		r = fill_tunnel(c, set->dnodes[i], &in->tunnels[i]);
	ly_set_free(set, NULL);
	if (r < 0)
		return r;
	qsort(in->tunnels, in->n_tunnels, sizeof(*in->tunnels), tunnel_cmp);
	assign_ids(c);
	assign_instances(c);
	for (size_t i = 0; i < in->n_tunnels; i++)
		link_tunnel(&in->tunnels[i]);
	return name_interfaces(c);
}

/* ---- private paths, policy, failover, global ---- */

static int fill_private(const struct lyd_node *pp, struct hgw_intent_private *p)
{
	struct frr_neighbor *nb = &p->neighbor;

	snprintf(p->name, sizeof(p->name), "%s", node_name(pp));
	if (leaf_copy(pp, "interface", p->interface, sizeof(p->interface)) < 0 ||
	    leaf_copy(pp, "bfd-profile", p->bfd_profile, sizeof(p->bfd_profile)) < 0 ||
	    frr_addr_parse(&nb->addr, leaf_value(pp, "neighbor-address")) < 0)
		return -EINVAL;
	snprintf(nb->path_class, sizeof(nb->path_class), "PRIVATE");
	nb->remote_as = leaf_u32(pp, "peer-asn", 0);
	snprintf(nb->description, sizeof(nb->description), "%s", p->name);
	/* The circuit's neighbor is on a connected subnet; timers: the model has none yet. */
	nb->hop_check = FRR_HOP_CONNECTED;
	nb->ipv4 = nb->addr.family == AF_INET;
	nb->ipv6 = nb->addr.family == AF_INET6;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	/* Every named struct here starts with its name. */
	return strcmp((const char *)a, (const char *)b);
}

/*
 * The list entries at xpath into a new array of n elements of size each, filled by fn
 * and sorted with cmp (NULL: as libyang has them, which is by key for these lists).
 */
typedef int (*fill_fn)(const struct lyd_node *node, void *elem);

static int compile_list(const struct lyd_node *ctx, const char *xpath, size_t size, fill_fn fn,
			int (*cmp)(const void *, const void *), void **v, size_t *n)
{
	struct ly_set *set = NULL;
	int r = 0;

	if (lyd_find_xpath(ctx, xpath, &set) != LY_SUCCESS)
		return -ENOMEM;
	*v = calloc(set->count + 1, size);
	if (*v == NULL)
		r = -ENOMEM;
	for (uint32_t i = 0; r == 0 && i < set->count; i++, (*n)++)
		r = fn(set->dnodes[i], (char *)*v + i * size);
	ly_set_free(set, NULL);
	if (r == 0 && cmp != NULL)
		qsort(*v, *n, size, cmp);
	return r;
}

static int fill_private_fn(const struct lyd_node *node, void *elem)
{
	return fill_private(node, elem);
}

static int seq_cmp(const void *a, const void *b)
{
	/* Both entry kinds start with their seq. */
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int fill_prefix_entry(const struct lyd_node *node, void *elem)
{
	struct hgw_intent_prefix_entry *e = elem;
	const char *action = leaf_value(node, "action");

	e->seq = leaf_u32(node, "seq", 0);
	e->deny = action != NULL && !strcmp(action, "deny");
	e->ge = (uint8_t)leaf_u32(node, "ge", 0);
	if (frr_prefix_parse(&e->prefix, leaf_value(node, "prefix")) < 0)
		return -EINVAL;
	e->prefix.le = (uint8_t)leaf_u32(node, "le", 0);
	return 0;
}

static int fill_prefix_list(const struct lyd_node *node, void *elem)
{
	struct hgw_intent_prefix_list *l = elem;

	snprintf(l->name, sizeof(l->name), "%s", node_name(node));
	return compile_list(node, "entry", sizeof(*l->v), fill_prefix_entry, seq_cmp,
			    (void **)&l->v, &l->n);
}

static int fill_aspath_entry(const struct lyd_node *node, void *elem)
{
	struct hgw_intent_aspath_entry *e = elem;
	const char *action = leaf_value(node, "action");

	e->seq = leaf_u32(node, "seq", 0);
	e->deny = action != NULL && !strcmp(action, "deny");
	return leaf_copy(node, "regex", e->regex, sizeof(e->regex));
}

static int fill_aspath_filter(const struct lyd_node *node, void *elem)
{
	struct hgw_intent_aspath_filter *f = elem;

	snprintf(f->name, sizeof(f->name), "%s", node_name(node));
	return compile_list(node, "entry", sizeof(*f->v), fill_aspath_entry, seq_cmp,
			    (void **)&f->v, &f->n);
}

static int fill_peer_policy(const struct lyd_node *node, void *elem)
{
	struct hgw_intent_peer_policy *p = elem;
	const char *key = leaf_value(node, "connection");

	p->private_path = key == NULL;
	snprintf(p->peer, sizeof(p->peer), "%s",
		 key != NULL ? key : leaf_value(node, "private-path"));
	p->prepend = (uint8_t)leaf_u32(node, "as-path-prepend", 0);
	p->max_prefix = leaf_u32(node, "max-prefix", 0);
	if (leaf_copy(node, "import-prefix-list", p->import_prefix_list,
		      sizeof(p->import_prefix_list)) < 0 ||
	    leaf_copy(node, "export-prefix-list", p->export_prefix_list,
		      sizeof(p->export_prefix_list)) < 0)
		return -EINVAL;
	return leaf_copy(node, "import-as-path-filter", p->import_as_path_filter,
			 sizeof(p->import_as_path_filter));
}

static int peer_cmp(const void *a, const void *b)
{
	const struct hgw_intent_peer_policy *x = a, *y = b;

	if (x->private_path != y->private_path)
		return x->private_path ? 1 : -1;
	return strcmp(x->peer, y->peer);
}

static int fill_prefix(const struct lyd_node *node, void *elem)
{
	return frr_prefix_parse(elem, lyd_get_value(node));
}

static int prefix_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct frr_prefix));
}

static int compile_policy(struct cc *c)
{
	struct hgw_intent_policy *p = &c->out->policy;
	const char *pref = leaf_value(c->top, "policy/preferred-path");
	int r;

	p->prefer_private = pref == NULL || !strcmp(pref, "private");
	p->maximum_paths = (uint8_t)leaf_u32(c->top, "policy/maximum-paths", 4);
	r = compile_list(c->top, "policy/prefix-list", sizeof(*p->prefix_lists), fill_prefix_list,
			 name_cmp, (void **)&p->prefix_lists, &p->n_prefix_lists);
	if (r == 0)
		r = compile_list(c->top, "policy/as-path-filter", sizeof(*p->as_path_filters),
				 fill_aspath_filter, name_cmp, (void **)&p->as_path_filters,
				 &p->n_as_path_filters);
	if (r == 0)
		r = compile_list(c->top, "policy/connection-policy | policy/private-path-policy",
				 sizeof(*p->peers), fill_peer_policy, peer_cmp, (void **)&p->peers,
				 &p->n_peers);
	if (r == 0)
		r = compile_list(c->top, "policy/originate", sizeof(*p->originate), fill_prefix,
				 prefix_cmp, (void **)&p->originate, &p->n_originate);
	return r;
}

static int fill_bfd_profile(const struct lyd_node *node, void *elem)
{
	struct frr_bfd_profile *b = elem;

	snprintf(b->name, sizeof(b->name), "%s", node_name(node));
	b->detect_multiplier = leaf_u32(node, "detect-multiplier", 3);
	b->receive_ms = leaf_u32(node, "receive-interval", 300);
	b->transmit_ms = leaf_u32(node, "transmit-interval", 300);
	return 0;
}

static int compile_failover(struct cc *c)
{
	struct hgw_intent_failover *f = &c->out->failover;
	int r;

	f->probe_interval_ms = leaf_u32(c->top, "failover/tunnel-liveness/probe-interval", 1000);
	f->probe_multiplier = (uint8_t)leaf_u32(c->top, "failover/tunnel-liveness/multiplier", 3);
	f->hold_down_s = leaf_u32(c->top, "failover/hold-down", 10);
	r = compile_list(c->top, "failover/bfd-profile", sizeof(*f->bfd_profiles), fill_bfd_profile,
			 name_cmp, (void **)&f->bfd_profiles, &f->n_bfd_profiles);
	if (r == 0)
		r = compile_list(c->top, "failover/watch-prefix", sizeof(*f->watch), fill_prefix,
				 prefix_cmp, (void **)&f->watch, &f->n_watch);
	return r;
}

static const struct {
	const char *name;
	enum hgw_intent_ifkind kind;
} ifkinds[] = {
	{ "auto", HGW_IFKIND_AUTO },
	{ "xfrm", HGW_IFKIND_XFRM },
	{ "vti", HGW_IFKIND_VTI },
};

static void compile_global(struct cc *c)
{
	struct hgw_intent_global *g = &c->out->global;
	const char *kind = leaf_value(c->top, "global/tunnel-interface-kind");

	g->local_asn = leaf_u32(c->top, "global/local-asn", 0);
	if (parse_v4(leaf_value(c->top, "global/router-id"), &g->router_id) < 0)
		g->router_id.s_addr = 0;
	g->ifkind_cfg = HGW_IFKIND_AUTO;
	for (size_t i = 0; kind != NULL && i < sizeof(ifkinds) / sizeof(ifkinds[0]); i++)
		if (!strcmp(ifkinds[i].name, kind))
			g->ifkind_cfg = ifkinds[i].kind;
	g->ifkind = g->ifkind_cfg == HGW_IFKIND_VTI  ? HGW_NL_VTI :
		    g->ifkind_cfg == HGW_IFKIND_XFRM ? HGW_NL_XFRMI :
						       c->opts->auto_kind;
}

static const struct hgw_intent_opts default_opts = { .auto_kind = HGW_NL_XFRMI };

int hgw_intent_compile(const struct lyd_node *tree, const struct hgw_intent *prev,
		       const struct hgw_intent_opts *opts, struct hgw_intent *out, char *err,
		       size_t err_size)
{
	struct cc c = { .top = find_top(tree),
			.prev = prev,
			.opts = opts != NULL ? opts : &default_opts,
			.out = out,
			.err = err,
			.err_size = err_size };
	int r;

	memset(out, 0, sizeof(*out));
	if (err_size > 0)
		err[0] = '\0';
	if (c.top == NULL) {
		/* The empty configuration still has YANG's defaults for the singletons. */
		out->policy =
			(struct hgw_intent_policy){ .prefer_private = true, .maximum_paths = 4 };
		out->failover = (struct hgw_intent_failover){ .probe_interval_ms = 1000,
							      .probe_multiplier = 3,
							      .hold_down_s = 10 };
		out->global.ifkind = c.opts->auto_kind;
		return 0;
	}
	compile_global(&c);
	r = compile_tunnels(&c);
	if (r == 0)
		r = compile_list(c.top, "private-paths/private-path", sizeof(*out->privates),
				 fill_private_fn, name_cmp, (void **)&out->privates,
				 &out->n_privates);
	if (r == 0)
		r = compile_policy(&c);
	if (r == 0)
		r = compile_failover(&c);
	if (r < 0) {
		if (err_size > 0 && err[0] == '\0')
			snprintf(err, err_size, "cannot compile the configuration: %s",
				 strerror(-r));
		hgw_intent_free(out);
	}
	return r;
}

void hgw_intent_free(struct hgw_intent *intent)
{
	if (intent == NULL)
		return;
	for (size_t i = 0; i < intent->n_tunnels; i++)
		explicit_bzero(intent->tunnels[i].secret.psk,
			       sizeof(intent->tunnels[i].secret.psk));
	free(intent->tunnels);
	free(intent->privates);
	for (size_t i = 0; i < intent->policy.n_prefix_lists; i++)
		free(intent->policy.prefix_lists[i].v);
	free(intent->policy.prefix_lists);
	for (size_t i = 0; i < intent->policy.n_as_path_filters; i++)
		free(intent->policy.as_path_filters[i].v);
	free(intent->policy.as_path_filters);
	free(intent->policy.peers);
	free(intent->policy.originate);
	free(intent->failover.bfd_profiles);
	free(intent->failover.watch);
	memset(intent, 0, sizeof(*intent));
}

const struct hgw_intent_tunnel *hgw_intent_tunnel_find(const struct hgw_intent *intent,
						       const char *conn, const char *gw)
{
	struct hgw_intent_tunnel key = { 0 };

	if (intent->n_tunnels == 0)
		return NULL;
	snprintf(key.conn, sizeof(key.conn), "%s", conn);
	snprintf(key.gw, sizeof(key.gw), "%s", gw);
	return bsearch(&key, intent->tunnels, intent->n_tunnels, sizeof(key), tunnel_cmp);
}

const struct hgw_intent_private *hgw_intent_private_find(const struct hgw_intent *intent,
							 const char *name)
{
	if (intent->n_privates == 0)
		return NULL;
	return bsearch(name, intent->privates, intent->n_privates, sizeof(*intent->privates),
		       name_cmp);
}

/* ---- diff ---- */

/*
 * A compared field: bytes at off (every intent is calloc'ed and filled with snprintf or
 * field by field, so unused bytes are zero and memcmp is exact), a const char * (F_STR)
 * or a struct vici_opt (F_OPT).  recreate: a change cannot be made in place.
 */
enum field_type {
	F_MEM,
	F_STR,
	F_OPT, /* struct vici_opt: set by assignment, so its padding is not ours to compare */
};

struct field {
	const char *name;
	size_t off, size;
	enum field_type type;
	bool recreate;
};

#define FM(st, m, re)                                                \
	{                                                            \
#m, offsetof(st, m), sizeof(((st *)0)->m), F_MEM, re \
	}
#define FS(st, m, re)                                                \
	{                                                            \
#m, offsetof(st, m), sizeof(const char *), F_STR, re \
	}
#define FO(st, m, re)                                                   \
	{                                                               \
#m, offsetof(st, m), sizeof(struct vici_opt), F_OPT, re \
	}
#define T struct hgw_intent_tunnel

/* The kernel: what the link is bound to is fixed at creation; addresses and MTU are not. */
static const struct field iface_fields[] = {
	FM(T, iface.nl.kind, true),
	FM(T, iface.nl.name, true),
	FM(T, iface.nl.local, true),
	FM(T, iface.nl.remote, true),
	FM(T, iface.nl.key, true),
	FM(T, iface.nl.if_id, true),
	FM(T, iface.nl.underlay, true),
	FM(T, iface.nl.mtu, false),
	FM(T, iface.nl.ll, false),
	FM(T, iface.mss, false),
	/* a new inside address: the interface is made again rather than carrying both */
	FM(T, iface.inside_local, true),
	FM(T, iface.inside_plen, true),
	FM(T, iface.peer_route, true),
};

/*
 * charon: load-conn replaces a config in place and the SAs pick up proposals, lifetimes
 * and DPD at their next rekey; who the peer is and how SAs bind to the interface only
 * take effect on a new IKE_SA, so those re-initiate.
 */
static const struct field conn_fields[] = {
	FM(T, charon.name, true),
	FM(T, charon.local_addrs, true),
	FM(T, charon.remote_addrs, true),
	FM(T, charon.local_id, true),
	FM(T, charon.remote_id, true),
	FM(T, charon.cfg.version, true),
	FM(T, charon.local_ts, true),
	FM(T, charon.remote_ts, true),
	FM(T, charon.mobike, true),
	FM(T, charon.cfg.if_id_in, true),
	FM(T, charon.cfg.if_id_out, true),
	FM(T, charon.cfg.mark_in, true),
	FM(T, charon.cfg.mark_out, true),
	FM(T, charon.ike_proposals, false),
	FM(T, charon.esp_proposals, false),
	FO(T, charon.cfg.rekey_time, false),
	FO(T, charon.cfg.reauth_time, false),
	FO(T, charon.cfg.over_time, false),
	FO(T, charon.cfg.rand_time, false),
	FO(T, charon.cfg.dpd_delay, false),
	FO(T, charon.cfg.dpd_timeout, false),
	FO(T, charon.cfg.keyingtries, false),
	FO(T, charon.cfg.child_rekey_time, false),
	FO(T, charon.cfg.child_life_time, false),
	FO(T, charon.cfg.child_rand_time, false),
	FS(T, charon.cfg.unique, false),
	FS(T, charon.cfg.start_action, false),
	FS(T, charon.cfg.close_action, false),
	FS(T, charon.cfg.dpd_action, false),
};

/* load-shared replaces a key; the IKE_SA up now stays, the next authentication uses it. */
static const struct field secret_fields[] = {
	FM(T, secret.id, true),
	FM(T, secret.psk, false),
	FM(T, secret.owners, false),
};

/* bgpd: a new address, ASN or source is a new session; timers and the rest are not. */
static const struct field neighbor_fields[] = {
	FM(T, neighbor.addr, true),	     FM(T, neighbor.remote_as, true),
	FM(T, neighbor.update_source, true), FM(T, neighbor.interface, true),
	FM(T, neighbor.path_class, false),   FM(T, neighbor.description, false),
	FM(T, neighbor.passive, false),	     FM(T, neighbor.hop_check, false),
	FM(T, neighbor.multihop_ttl, false), FM(T, neighbor.timers, false),
	FM(T, neighbor.ipv4, false),	     FM(T, neighbor.ipv6, false),
};

#undef T
#define P struct hgw_intent_private

static const struct field private_fields[] = {
	FM(P, interface, true),
	FM(P, neighbor.addr, true),
	FM(P, neighbor.remote_as, true),
	FM(P, neighbor.update_source, true),
	FM(P, bfd_profile, false),
	FM(P, neighbor.path_class, false),
	FM(P, neighbor.description, false),
	FM(P, neighbor.hop_check, false),
	FM(P, neighbor.multihop_ttl, false),
	FM(P, neighbor.timers, false),
	FM(P, neighbor.passive, false),
	FM(P, neighbor.ipv4, false),
	FM(P, neighbor.ipv6, false),
};

#undef P
#define G struct hgw_intent_global

/* A new local ASN is a new BGP instance in bgpd (see also the neighbors). */
static const struct field global_fields[] = {
	FM(G, local_asn, true),
	FM(G, router_id, false),
	FM(G, ifkind_cfg, false),
	FM(G, ifkind, false),
};

#undef G
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static bool field_equal(const struct field *f, const void *a, const void *b)
{
	const char *x = (const char *)a + f->off, *y = (const char *)b + f->off;
	const struct vici_opt *ox = (const void *)x, *oy = (const void *)y;

	if (f->type == F_MEM)
		return memcmp(x, y, f->size) == 0;
	if (f->type == F_OPT)
		return ox->set == oy->set && (!ox->set || ox->value == oy->value);
	x = *(const char *const *)x;
	y = *(const char *const *)y;
	return x == y || (x != NULL && y != NULL && !strcmp(x, y));
}

/* KEEP or CHANGE; item->field is the first recreating field that differs, else the first. */
static void compare_fields(const struct field *fields, size_t n, const void *a, const void *b,
			   struct hgw_diff_item *item)
{
	item->op = HGW_DIFF_KEEP;
	for (size_t i = 0; i < n; i++) {
		if (field_equal(&fields[i], a, b))
			continue;
		if (item->op == HGW_DIFF_KEEP || (fields[i].recreate && !item->recreate))
			item->field = fields[i].name;
		item->op = HGW_DIFF_CHANGE;
		item->recreate |= fields[i].recreate;
	}
}

static int push(struct hgw_diff *d, const struct hgw_diff_item *item)
{
	/* The capacity is implicit: 16, doubled whenever n reaches a power of two above it. */
	if (d->n == 0 || (d->n >= 16 && (d->n & (d->n - 1)) == 0)) {
		size_t cap = d->n == 0 ? 16 : 2 * d->n;
		struct hgw_diff_item *v = realloc(d->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		d->v = v;
	}
	d->v[d->n++] = *item;
	return 0;
}

/* One object of a tunnel: present() says whether the tunnel has it. */
struct tunnel_obj {
	enum hgw_diff_obj obj;
	bool (*present)(const struct hgw_intent_tunnel *t);
	const struct field *fields;
	size_t n_fields;
};

static bool has_iface(const struct hgw_intent_tunnel *t)
{
	return t->iface.present;
}

static bool always(const struct hgw_intent_tunnel *t)
{
	(void)t;
	return true;
}

static bool has_bgp(const struct hgw_intent_tunnel *t)
{
	return t->bgp;
}

static const struct tunnel_obj tunnel_objs[] = {
	{ HGW_OBJ_IFACE, has_iface, iface_fields, NFIELDS(iface_fields) },
	{ HGW_OBJ_CONN, always, conn_fields, NFIELDS(conn_fields) },
	{ HGW_OBJ_SECRET, always, secret_fields, NFIELDS(secret_fields) },
	{ HGW_OBJ_NEIGHBOR, has_bgp, neighbor_fields, NFIELDS(neighbor_fields) },
};

struct pair {
	const void *a, *b; /* NULL: absent on that side */
	size_t ai, bi;
	const char *key;
};

/* ADD, REMOVE, or compare: the shape every keyed object shares. */
static void diff_pair(const struct pair *p, bool pa, bool pb, const struct field *fields, size_t n,
		      struct hgw_diff_item *item)
{
	snprintf(item->key, sizeof(item->key), "%s", p->key);
	item->from_idx = pa ? p->ai : HGW_DIFF_NONE;
	item->to_idx = pb ? p->bi : HGW_DIFF_NONE;
	if (!pa)
		item->op = HGW_DIFF_ADD;
	else if (!pb)
		item->op = HGW_DIFF_REMOVE;
	else
		compare_fields(fields, n, p->a, p->b, item);
}

static int diff_tunnel(struct hgw_diff *d, const struct pair *p, bool asn_changed)
{
	const struct hgw_intent_tunnel *a = p->a, *b = p->b;
	int r = 0;

	for (size_t i = 0; i < NFIELDS(tunnel_objs) && r == 0; i++) {
		const struct tunnel_obj *o = &tunnel_objs[i];
		bool pa = a != NULL && o->present(a), pb = b != NULL && o->present(b);
		struct hgw_diff_item item = { .obj = o->obj };

		if (!pa && !pb)
			continue;
		diff_pair(p, pa, pb, o->fields, o->n_fields, &item);
		/* Sessions of the old BGP instance go with it. */
		if (o->obj == HGW_OBJ_NEIGHBOR && asn_changed && item.op <= HGW_DIFF_CHANGE) {
			item.op = HGW_DIFF_CHANGE;
			item.recreate = true;
			item.field = "global.local_asn";
		}
		r = push(d, &item);
	}
	return r;
}

static const struct hgw_intent empty_intent;

static int diff_tunnels(struct hgw_diff *d, const struct hgw_intent *x, const struct hgw_intent *y,
			bool asn_changed)
{
	size_t i = 0, j = 0;
	int r = 0;

	while (r == 0 && (i < x->n_tunnels || j < y->n_tunnels)) {
		const struct hgw_intent_tunnel *a = i < x->n_tunnels ? &x->tunnels[i] : NULL;
		const struct hgw_intent_tunnel *b = j < y->n_tunnels ? &y->tunnels[j] : NULL;
		int c = a == NULL ? 1 : b == NULL ? -1 : tunnel_cmp(a, b);
		char key[HGW_INTENT_KEY_MAX + 1];
		struct pair p = { c <= 0 ? a : NULL, c >= 0 ? b : NULL, i, j, key };

		snprintf(key, sizeof(key), "%s/%s", c <= 0 ? a->conn : b->conn,
			 c <= 0 ? a->gw : b->gw);
		r = diff_tunnel(d, &p, asn_changed);
		i += c <= 0;
		j += c >= 0;
	}
	return r;
}

static int diff_privates(struct hgw_diff *d, const struct hgw_intent *x, const struct hgw_intent *y,
			 bool asn_changed)
{
	size_t i = 0, j = 0;
	int r = 0;

	while (r == 0 && (i < x->n_privates || j < y->n_privates)) {
		const struct hgw_intent_private *a = i < x->n_privates ? &x->privates[i] : NULL;
		const struct hgw_intent_private *b = j < y->n_privates ? &y->privates[j] : NULL;
		int c = a == NULL ? 1 : b == NULL ? -1 : strcmp(a->name, b->name);
		struct pair p = { c <= 0 ? a : NULL, c >= 0 ? b : NULL, i, j,
				  c <= 0 ? a->name : b->name };
		struct hgw_diff_item item = { .obj = HGW_OBJ_PRIVATE };

		diff_pair(&p, p.a != NULL, p.b != NULL, private_fields, NFIELDS(private_fields),
			  &item);
		if (asn_changed && item.op <= HGW_DIFF_CHANGE) {
			item.op = HGW_DIFF_CHANGE;
			item.recreate = true;
			item.field = "global.local_asn";
		}
		r = push(d, &item);
		i += c <= 0;
		j += c >= 0;
	}
	return r;
}

static bool prefix_lists_equal(const struct hgw_intent_prefix_list *a,
			       const struct hgw_intent_prefix_list *b)
{
	return !strcmp(a->name, b->name) && a->n == b->n &&
	       (a->n == 0 || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

static bool aspath_filters_equal(const struct hgw_intent_aspath_filter *a,
				 const struct hgw_intent_aspath_filter *b)
{
	return !strcmp(a->name, b->name) && a->n == b->n &&
	       (a->n == 0 || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

static bool policy_equal(const struct hgw_intent_policy *a, const struct hgw_intent_policy *b)
{
	if (a->prefer_private != b->prefer_private || a->maximum_paths != b->maximum_paths ||
	    a->n_prefix_lists != b->n_prefix_lists ||
	    a->n_as_path_filters != b->n_as_path_filters || a->n_peers != b->n_peers)
		return false;
	for (size_t i = 0; i < a->n_prefix_lists; i++)
		if (!prefix_lists_equal(&a->prefix_lists[i], &b->prefix_lists[i]))
			return false;
	for (size_t i = 0; i < a->n_as_path_filters; i++)
		if (!aspath_filters_equal(&a->as_path_filters[i], &b->as_path_filters[i]))
			return false;
	if (a->n_originate != b->n_originate ||
	    (a->n_originate > 0 &&
	     memcmp(a->originate, b->originate, a->n_originate * sizeof(*a->originate))))
		return false;
	return a->n_peers == 0 || !memcmp(a->peers, b->peers, a->n_peers * sizeof(*a->peers));
}

static bool failover_equal(const struct hgw_intent_failover *a, const struct hgw_intent_failover *b)
{
	return a->probe_interval_ms == b->probe_interval_ms &&
	       a->probe_multiplier == b->probe_multiplier && a->hold_down_s == b->hold_down_s &&
	       a->n_bfd_profiles == b->n_bfd_profiles &&
	       (a->n_bfd_profiles == 0 || !memcmp(a->bfd_profiles, b->bfd_profiles,
						  a->n_bfd_profiles * sizeof(*a->bfd_profiles))) &&
	       a->n_watch == b->n_watch &&
	       (a->n_watch == 0 || !memcmp(a->watch, b->watch, a->n_watch * sizeof(*a->watch)));
}

/* The singletons: global, policy, failover; each one item, changed in place but global. */
static int diff_singletons(struct hgw_diff *d, const struct hgw_intent *x,
			   const struct hgw_intent *y)
{
	struct hgw_diff_item g = { .obj = HGW_OBJ_GLOBAL,
				   .from_idx = HGW_DIFF_NONE,
				   .to_idx = HGW_DIFF_NONE };
	struct hgw_diff_item p = g, f = g;
	int r;

	compare_fields(global_fields, NFIELDS(global_fields), &x->global, &y->global, &g);
	p.obj = HGW_OBJ_POLICY;
	p.op = policy_equal(&x->policy, &y->policy) ? HGW_DIFF_KEEP : HGW_DIFF_CHANGE;
	p.field = p.op == HGW_DIFF_CHANGE ? "policy" : NULL;
	f.obj = HGW_OBJ_FAILOVER;
	f.op = failover_equal(&x->failover, &y->failover) ? HGW_DIFF_KEEP : HGW_DIFF_CHANGE;
	f.field = f.op == HGW_DIFF_CHANGE ? "failover" : NULL;
	r = push(d, &g);
	if (r == 0)
		r = push(d, &p);
	return r == 0 ? push(d, &f) : r;
}

int hgw_intent_diff(const struct hgw_intent *from, const struct hgw_intent *to,
		    struct hgw_diff *out)
{
	const struct hgw_intent *x = from != NULL ? from : &empty_intent;
	const struct hgw_intent *y = to != NULL ? to : &empty_intent;
	bool asn_changed = x->global.local_asn != y->global.local_asn;
	int r;

	memset(out, 0, sizeof(*out));
	r = diff_singletons(out, x, y);
	if (r == 0)
		r = diff_tunnels(out, x, y, asn_changed);
	if (r == 0)
		r = diff_privates(out, x, y, asn_changed);
	if (r < 0)
		hgw_diff_free(out);
	return r;
}

void hgw_diff_free(struct hgw_diff *diff)
{
	if (diff == NULL)
		return;
	free(diff->v);
	diff->v = NULL;
	diff->n = 0;
}

static const char *const op_names[] = { "keep", "change", "add", "remove" };
static const char *const obj_names[] = { "global",   "iface",	"conn",	  "secret",
					 "neighbor", "private", "policy", "failover" };

const char *hgw_diff_op_name(enum hgw_diff_op op)
{
	return (size_t)op < NFIELDS(op_names) ? op_names[op] : NULL;
}

const char *hgw_diff_obj_name(enum hgw_diff_obj obj)
{
	return (size_t)obj < NFIELDS(obj_names) ? obj_names[obj] : NULL;
}
