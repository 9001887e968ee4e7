/*
 * frr_state.h - typed state from FRR's JSON show commands.  Pure: bytes in, structs out.
 *
 *	frr_parse_bgp_summary     bgpd  "show bgp summary json"
 *	frr_parse_bgp_neighbors   bgpd  "show bgp neighbors json"
 *	frr_parse_bgp_table       bgpd  "show bgp ipv4 unicast json" (and ipv6)
 *	frr_parse_rib             zebra "show ip route json" (and ipv6)
 *	frr_parse_bfd_peers       bfdd  "show bfd peers json"
 *
 * The input is whatever the daemon sent, so everything is checked: the JSON must be
 * complete and strict, the members we use must have the right type and fit their
 * fields, numbers their range.  Members we do not use are ignored (FRR adds some in every
 * release).  Each parser returns 0, -EBADMSG for input it refuses, or -ENOMEM; on error
 * the output is empty.  Results own their arrays; the _free functions accept NULL and
 * zeroed structs.  Text fields are NUL-terminated and have no control characters.
 */
#ifndef HGW_FRR_STATE_H
#define HGW_FRR_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRR_STATE_NAME 64   /* peer keys (an address or an interface), group names */
#define FRR_STATE_ADDR 48   /* an address */
#define FRR_STATE_PREFIX 52 /* an address with /len */
#define FRR_STATE_WORD 32   /* states, protocols, reasons in one word */
#define FRR_STATE_TEXT 160  /* AS paths, reset reasons */

struct frr_peer_summary {
	char peer[FRR_STATE_NAME];
	char afi[FRR_STATE_WORD]; /* "ipv4Unicast", "ipv6Unicast" */
	uint32_t remote_as;
	uint32_t local_as;
	char state[FRR_STATE_WORD]; /* "Established", "Active", "Idle", ... */
	bool established;
	uint64_t uptime_ms;
	uint32_t pfx_rcvd;
	uint32_t pfx_sent;
};

struct frr_bgp_summary {
	uint32_t local_as;
	char router_id[FRR_STATE_ADDR];
	struct frr_peer_summary *peers;
	size_t n;
};

struct frr_neighbor_state {
	char peer[FRR_STATE_NAME];
	uint32_t remote_as;
	uint32_t local_as;
	char state[FRR_STATE_WORD];
	bool established;
	uint64_t uptime_ms; /* in the current state */
	char peer_group[FRR_STATE_NAME];
	char description[FRR_STATE_TEXT];
	uint32_t hold_ms;      /* negotiated */
	uint32_t keepalive_ms; /* negotiated */
	uint32_t configured_hold_ms;
	uint32_t configured_keepalive_ms;
	uint32_t connect_retry_s;
	char last_reset[FRR_STATE_TEXT];
	bool has_bfd;
	char bfd_status[FRR_STATE_WORD]; /* "Up", "Down", "Unknown" */
	uint64_t msgs_sent, msgs_rcvd;	 /* BGP messages, all types */
	uint32_t accepted_v4, sent_v4;
	uint32_t accepted_v6, sent_v6;
};

struct frr_bgp_neighbors {
	struct frr_neighbor_state *v;
	size_t n;
};

struct frr_bgp_path {
	char prefix[FRR_STATE_PREFIX];
	char peer[FRR_STATE_NAME];     /* "(unspec)" for a local route */
	char next_hop[FRR_STATE_ADDR]; /* the first next hop */
	char as_path[FRR_STATE_TEXT];  /* "65515 12076"; "" for a local route */
	char origin[FRR_STATE_WORD];
	char from[FRR_STATE_WORD]; /* "external", "internal" */
	uint32_t weight;
	uint32_t local_pref; /* valid if has_local_pref */
	bool has_local_pref;
	uint32_t metric;
	bool valid;
	bool best;
	bool multipath;
};

struct frr_bgp_table {
	uint32_t local_as;
	char router_id[FRR_STATE_ADDR];
	uint32_t default_local_pref;
	struct frr_bgp_path *v;
	size_t n;
};

struct frr_nexthop {
	char ip[FRR_STATE_ADDR]; /* "" when directly connected */
	char ifname[FRR_STATE_NAME];
	bool active;
	bool fib;
};

struct frr_route {
	char prefix[FRR_STATE_PREFIX];
	char protocol[FRR_STATE_WORD];
	bool selected;
	bool installed;
	uint32_t distance;
	uint32_t metric;
	struct frr_nexthop *nh;
	size_t n_nh;
};

struct frr_rib {
	struct frr_route *v;
	size_t n;
};

struct frr_bfd_peer {
	char peer[FRR_STATE_ADDR];
	char local[FRR_STATE_ADDR];
	char ifname[FRR_STATE_NAME];
	char status[FRR_STATE_WORD]; /* "up", "down", "init", "shutdown" */
	char diagnostic[FRR_STATE_WORD];
	bool up;
	bool multihop;
	uint64_t uptime_s; /* in the current status */
	uint32_t detect_multiplier;
	uint32_t receive_ms;
	uint32_t transmit_ms;
};

struct frr_bfd_peers {
	struct frr_bfd_peer *v;
	size_t n;
};

int frr_parse_bgp_summary(const char *buf, size_t len, struct frr_bgp_summary *out);
int frr_parse_bgp_neighbors(const char *buf, size_t len, struct frr_bgp_neighbors *out);
int frr_parse_bgp_table(const char *buf, size_t len, struct frr_bgp_table *out);
int frr_parse_rib(const char *buf, size_t len, struct frr_rib *out);
int frr_parse_bfd_peers(const char *buf, size_t len, struct frr_bfd_peers *out);

void frr_bgp_summary_free(struct frr_bgp_summary *s);
void frr_bgp_neighbors_free(struct frr_bgp_neighbors *s);
void frr_bgp_table_free(struct frr_bgp_table *s);
void frr_rib_free(struct frr_rib *s);
void frr_bfd_peers_free(struct frr_bfd_peers *s);

/*
 * The parsed state as our own JSON (for the test tool and the tests), malloc'ed, or NULL
 * on ENOMEM.
 */
char *frr_bgp_summary_json(const struct frr_bgp_summary *s);
char *frr_bgp_neighbors_json(const struct frr_bgp_neighbors *s);
char *frr_bgp_table_json(const struct frr_bgp_table *s);
char *frr_rib_json(const struct frr_rib *s);
char *frr_bfd_peers_json(const struct frr_bfd_peers *s);

#endif
