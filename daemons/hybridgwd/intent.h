/*
 * intent.h - what the running configuration asks of charon, FRR and the kernel, as plain
 * structs (compile), and which of those objects a commit changes (diff).
 *
 * DOC: a commit hands the validated new tree to the coordinator (nc.h, the apply
 * callback).  hgw_intent_compile() turns it into a struct hgw_intent: no libyang type
 * survives the call, so everything after it (diff, the drivers, the tests) is pure.  Per
 * gateway instance of every enabled connection there is one hgw_intent_tunnel holding the
 * tunnel interface (hgw_nl_tunnel), the charon connection (a filled vici_conn_cfg), its
 * secret (a filled vici_shared) and the BGP neighbor (a filled frr_neighbor); then the
 * private paths, the policy, the BFD and liveness settings.  A disabled connection
 * compiles to nothing: its tunnels and sessions go, and come back with the same numbers.
 *
 * Numbering.  A tunnel needs a kernel-wide number: the if_id of an XFRM interface or the
 * key (= charon's mark) of a VTI, and an instance 0-99 for its interface name
 * (hgw_nl_ifname).  Both are derived from the config alone, so a restarted daemon computes
 * the numbers of the interfaces it adopts: the id is FNV-1a of "<conn>\0<gw>" folded into
 * [HGW_INTENT_ID_MIN, HGW_INTENT_ID_MAX], the instance the digits that end the gateway
 * name ("in0" -> 0, "t2" -> 2), else the lowest free.  A collision moves the later tunnel
 * (sorted by connection, then gateway) to the next free number.  Given the previous intent
 * (prev), every tunnel that exists in it keeps its numbers first, so adding or removing a
 * connection never renumbers another, even after a collision.
 *
 * Diff.  hgw_intent_diff() pairs the objects of two intents by key (connection/gateway,
 * private path name; policy, failover and global are singletons) and gives each one KEEP,
 * CHANGE, ADD or REMOVE.  A CHANGE says whether the object can be changed in place
 * (recreate = false: a BGP timer, a proposal that takes effect at the next rekey, a PSK)
 * or must be removed and made again (recreate = true: a VTI's outer address, an if_id, a
 * charon peer address, a BGP peer's address or ASN).  The rules are tables of fields in
 * intent.c, one per object kind.
 *
 * How the next step (the transaction) will use it, in OpenBGPD merge_config terms with
 * FRR northbound's phases:
 *   prepare  for every ADD and CHANGE: build the VICI frames (vici_req_load_conn/_shared),
 *            render FRR's delta for the new intent (frr_render), check the interface names
 *            are free or ours (hgw_nl adopt).  Nothing has changed yet; a failure here is
 *            the client's error and nothing needs undoing.
 *   apply    in a safe order: REMOVE and recreating CHANGE first in reverse dependency
 *            order (BGP neighbor, then charon terminate/unload-conn, unload-shared, link
 *            delete), then ADD and the re-creations in dependency order (interface,
 *            secret, connection, initiate; BGP neighbors and policy as one vty batch),
 *            then the in-place CHANGEs.  KEEP objects are never touched: that is what makes
 *            a commit on one connection leave every other tunnel and session alone.
 *   verify   read back (list-conns, FRR read-back, link dump).
 *   abort    the same diff run backwards: hgw_intent_diff(to, from) applied with the old
 *            intent, which the caller still owns, as the target.
 * Confirmed-commit rollback is an ordinary commit of the old tree through the same path.
 *
 * Secrets.  The PSK is copied into the intent (the transaction needs it) and nowhere else:
 * nothing here logs, and a diff item names the field that changed, never its value.
 * hgw_intent_free() wipes it.
 *
 * Errors: 0 or -errno.  -EINVAL is a configuration this module cannot compile (with a
 * message for the operator in err), -ENOMEM is the system.
 */
#ifndef HGW_INTENT_H
#define HGW_INTENT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frr/frr_intent.h"
#include "nl/nl.h"
#include "vici/vici_sa.h"

struct lyd_node;

/* The YANG "name" typedef: 1..15 of [A-Za-z0-9_-]. */
#define HGW_INTENT_NAME_MAX 15
/* Longest list of proposals or traffic selectors as one charon string. */
#define HGW_INTENT_LIST_MAX 512
#define HGW_INTENT_PSK_MAX 128
#define HGW_INTENT_ADDR_MAX INET6_ADDRSTRLEN
/* "hgw/<conn>/<gw>": charon names, FRR descriptions and diff keys. */
#define HGW_INTENT_KEY_MAX (4 + 2 * HGW_INTENT_NAME_MAX + 1)

/*
 * The range of if_ids and VTI keys.  Not below 0x10000: hand-made tunnels and other
 * software use small numbers (1, 42, 100), and an interface of theirs with our number
 * would receive our traffic.  Not above 2^31 - 1: some tools print marks as signed.
 */
#define HGW_INTENT_ID_MIN 0x10000u
#define HGW_INTENT_ID_MAX 0x7fffffffu

enum hgw_intent_profile {
	HGW_PROFILE_AZURE,
	HGW_PROFILE_AWS,
	HGW_PROFILE_GENERIC,
};

enum hgw_intent_ifkind {
	HGW_IFKIND_AUTO,
	HGW_IFKIND_XFRM,
	HGW_IFKIND_VTI,
};

struct hgw_intent_global {
	uint32_t local_asn;		   /* 0: none (the empty configuration) */
	struct in_addr router_id;	   /* 0.0.0.0: bgpd chooses */
	enum hgw_intent_ifkind ifkind_cfg; /* as configured */
	enum hgw_nl_tunnel_kind ifkind;	   /* what it resolved to */
};

/* The kernel side of one tunnel: the interface and its inside (APIPA) addresses. */
struct hgw_intent_iface {
	bool present; /* route-based; policy-based connections have no interface */
	unsigned instance;
	struct hgw_nl_tunnel nl; /* name, kind, VTI outer addresses, key or if_id, mtu, ll */
	uint16_t mss;		 /* clamp TCP MSS through it (nl_mss.h); 0: no clamping */
	struct in_addr inside_local;
	uint8_t inside_plen;
	struct in_addr peer_route; /* /32 to the peer through the interface; 0: connected */
};

/* The charon connection.  cfg's strings point into this struct: never copy it by value. */
struct hgw_intent_charon {
	char name[HGW_INTENT_KEY_MAX + 1]; /* IKE and CHILD config name */
	char local_addrs[HGW_INTENT_ADDR_MAX];
	char remote_addrs[HGW_INTENT_ADDR_MAX];
	char local_id[HGW_INTENT_ADDR_MAX];
	char remote_id[HGW_INTENT_ADDR_MAX];
	char ike_proposals[HGW_INTENT_LIST_MAX];
	char esp_proposals[HGW_INTENT_LIST_MAX];
	char local_ts[HGW_INTENT_LIST_MAX];  /* "" = 0.0.0.0/0 */
	char remote_ts[HGW_INTENT_LIST_MAX]; /* "" = 0.0.0.0/0 */
	/* Always false.  struct vici_conn_cfg cannot send it yet (charon's default is yes). */
	bool mobike;
	struct vici_conn_cfg cfg;
};

/* The PSK of one tunnel; shared's strings point into this struct. */
struct hgw_intent_secret {
	char id[HGW_INTENT_KEY_MAX + 1];
	char psk[HGW_INTENT_PSK_MAX + 1];
	char owners[HGW_INTENT_ADDR_MAX];
	struct vici_shared shared;
};

struct hgw_intent_tunnel {
	char conn[HGW_INTENT_NAME_MAX + 1];
	char gw[HGW_INTENT_NAME_MAX + 1];
	enum hgw_intent_profile profile;
	struct hgw_intent_iface iface;
	struct hgw_intent_charon charon;
	struct hgw_intent_secret secret;
	bool bgp; /* route-based: neighbor is filled */
	struct frr_neighbor neighbor;
	char bfd_profile[HGW_INTENT_NAME_MAX + 1]; /* the connection's; "": no BFD */
};

struct hgw_intent_private {
	char name[HGW_INTENT_NAME_MAX + 1];
	char interface[HGW_INTENT_NAME_MAX + 1];
	char bfd_profile[HGW_INTENT_NAME_MAX + 1]; /* "": no BFD */
	struct frr_neighbor neighbor;
};

struct hgw_intent_prefix_entry {
	uint32_t seq;
	bool deny;
	struct frr_prefix prefix; /* prefix.le as configured; 0: not set */
	uint8_t ge;		  /* 0: not set */
};

struct hgw_intent_prefix_list {
	char name[HGW_INTENT_NAME_MAX + 1];
	struct hgw_intent_prefix_entry *v; /* by seq */
	size_t n;
};

struct hgw_intent_aspath_entry {
	uint32_t seq;
	bool deny;
	char regex[257];
};

struct hgw_intent_aspath_filter {
	char name[HGW_INTENT_NAME_MAX + 1];
	struct hgw_intent_aspath_entry *v; /* by seq */
	size_t n;
};

/* The policy of a connection's sessions, or of a private path's. */
struct hgw_intent_peer_policy {
	bool private_path; /* peer names a private path, else a connection */
	char peer[HGW_INTENT_NAME_MAX + 1];
	char import_prefix_list[HGW_INTENT_NAME_MAX + 1]; /* "": none */
	char export_prefix_list[HGW_INTENT_NAME_MAX + 1];
	char import_as_path_filter[HGW_INTENT_NAME_MAX + 1];
	uint8_t prepend;
	uint32_t max_prefix; /* 0: no limit */
};

struct hgw_intent_policy {
	bool prefer_private;
	uint8_t maximum_paths;
	struct hgw_intent_prefix_list *prefix_lists; /* by name */
	size_t n_prefix_lists;
	struct hgw_intent_aspath_filter *as_path_filters; /* by name */
	size_t n_as_path_filters;
	struct hgw_intent_peer_policy *peers; /* connections, then private paths, by name */
	size_t n_peers;
	struct frr_prefix *originate; /* as configured, sorted */
	size_t n_originate;
};

struct hgw_intent_failover {
	struct frr_bfd_profile *bfd_profiles; /* by name */
	size_t n_bfd_profiles;
	uint32_t probe_interval_ms;
	uint8_t probe_multiplier;
	uint32_t hold_down_s;
	struct frr_prefix *watch; /* failover/watch-prefix, sorted */
	size_t n_watch;
};

struct hgw_intent {
	struct hgw_intent_global global;
	struct hgw_intent_tunnel *tunnels; /* by connection, then gateway; never moved */
	size_t n_tunnels;
	struct hgw_intent_private *privates; /* by name */
	size_t n_privates;
	struct hgw_intent_policy policy;
	struct hgw_intent_failover failover;
};

struct hgw_intent_opts {
	/* What tunnel-interface-kind "auto" means on this kernel (the caller probes it). */
	enum hgw_nl_tunnel_kind auto_kind;
};

/*
 * Compile tree (a validated configuration with defaults, as the apply callback gets it;
 * NULL: the empty configuration) into *out.  prev (NULL-able: none) is the running
 * intent, whose numbers are kept.  On error *out owns nothing and err says what to change.
 */
int hgw_intent_compile(const struct lyd_node *tree, const struct hgw_intent *prev,
		       const struct hgw_intent_opts *opts, struct hgw_intent *out, char *err,
		       size_t err_size);

/* Free what compile allocated and wipe the PSKs; *intent is zeroed.  NULL is fine. */
void hgw_intent_free(struct hgw_intent *intent);

/*
 * What FRR must run for this intent, into *out (zeroed first): one path class per
 * connection ("V-<conn>") and per private path ("P-<name>") carrying that peer's policy
 * (import list -> accept, export list -> advertise, prepend, max-prefix) and the path
 * preference as local-preference (preferred 200, the other 100); every tunnel's and
 * private path's neighbor in its class; BFD profiles; originated networks; maximum-paths.
 * What lib/frr cannot say yet (deny entries and ge in prefix lists used by a peer, AS-path
 * filters) is -EINVAL with a message in err rather than a silently different policy.
 * bmp (NULL-able) is copied in.  Free with hgw_intent_frr_free().
 */
int hgw_intent_frr(const struct hgw_intent *intent, const struct frr_bmp_target *bmp,
		   struct frr_intent *out, char *err, size_t err_size);
void hgw_intent_frr_free(struct frr_intent *fi);

/* The tunnel or private path of that key, or NULL. */
const struct hgw_intent_tunnel *hgw_intent_tunnel_find(const struct hgw_intent *intent,
						       const char *conn, const char *gw);
const struct hgw_intent_private *hgw_intent_private_find(const struct hgw_intent *intent,
							 const char *name);

enum hgw_diff_op {
	HGW_DIFF_KEEP,
	HGW_DIFF_CHANGE,
	HGW_DIFF_ADD,
	HGW_DIFF_REMOVE,
};

enum hgw_diff_obj {
	HGW_OBJ_GLOBAL,
	HGW_OBJ_IFACE,
	HGW_OBJ_CONN,
	HGW_OBJ_SECRET,
	HGW_OBJ_NEIGHBOR,
	HGW_OBJ_PRIVATE,
	HGW_OBJ_POLICY,
	HGW_OBJ_FAILOVER,
};

#define HGW_DIFF_NONE ((size_t)-1)

struct hgw_diff_item {
	enum hgw_diff_obj obj;
	enum hgw_diff_op op;
	bool recreate;	   /* CHANGE: remove and make again */
	const char *field; /* CHANGE: the first field that differs (a name, never a value) */
	char key[HGW_INTENT_KEY_MAX + 1]; /* "azure/in0", "er", "" for singletons */
	size_t from_idx; /* into from's tunnels or privates; HGW_DIFF_NONE: ADD or singleton */
	size_t to_idx;	 /* into to's; HGW_DIFF_NONE: REMOVE or singleton */
};

struct hgw_diff {
	struct hgw_diff_item *v;
	size_t n;
};

/*
 * One item per object of either intent (KEEP included), tunnels by key, each tunnel's
 * objects in the order iface, conn, secret, neighbor.  from or to NULL: the empty intent.
 * 0 or -ENOMEM.  Free with hgw_diff_free().
 */
int hgw_intent_diff(const struct hgw_intent *from, const struct hgw_intent *to,
		    struct hgw_diff *out);
void hgw_diff_free(struct hgw_diff *diff);

/* "keep", "change", ...; "iface", "conn", ...; NULL outside the enums. */
const char *hgw_diff_op_name(enum hgw_diff_op op);
const char *hgw_diff_obj_name(enum hgw_diff_obj obj);

#endif
