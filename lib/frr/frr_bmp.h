/*
 * frr_bmp.h - a strict decoder for the BGP Monitoring Protocol (RFC 7854), what bgpd's
 * bmp module (bgpd -M bmp) sends to hybridgwd's BMP station.
 *
 * Pure and allocation-free: frr_bmp_decode() checks one whole message against every
 * length and type rule it knows, and fills a struct frr_bmp_msg whose pointers point into
 * the caller's buffer (valid while that buffer is).  Prefix lists are left packed and
 * walked with frr_bmp_nlri_next(); the decoder has already walked them once, so that
 * walk cannot fail.  Anything malformed is -EBADMSG, never a partial result: the station
 * drops the connection and bgpd reconnects and replays its tables.
 *
 * Decoded: the common header, the per-peer header, peer up (both OPENs: version, ASN
 * with the 4-octet AS capability, hold time, BGP identifier), peer down (the reason and,
 * with it, the NOTIFICATION's code/subcode or the FSM event), route monitoring (the BGP
 * UPDATE: withdrawn routes, ORIGIN, AS_PATH in 2- or 4-octet form, NEXT_HOP, MED,
 * LOCAL_PREF, MP_REACH_NLRI and MP_UNREACH_NLRI for IPv4/IPv6 unicast, NLRI), statistics
 * reports, initiation and termination.  Route mirroring is accepted and not looked into.
 */
#ifndef HGW_FRR_BMP_H
#define HGW_FRR_BMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "frr_intent.h"

#define FRR_BMP_VERSION 3
#define FRR_BMP_COMMON_LEN 6
#define FRR_BMP_PEER_LEN 42
/*
 * Largest message accepted: a peer up holds two OPENs and a route monitoring message one
 * UPDATE, each at most 65535 bytes with RFC 8654's extended messages.
 */
#define FRR_BMP_MSG_MAX (4u * 65536)
/* Statistics kept from one report; the count in the report may be higher. */
#define FRR_BMP_STATS_MAX 16

enum frr_bmp_type {
	FRR_BMP_ROUTE_MONITORING = 0,
	FRR_BMP_STATS_REPORT = 1,
	FRR_BMP_PEER_DOWN = 2,
	FRR_BMP_PEER_UP = 3,
	FRR_BMP_INITIATION = 4,
	FRR_BMP_TERMINATION = 5,
	FRR_BMP_ROUTE_MIRRORING = 6,
};

/* Per-peer header flags. */
#define FRR_BMP_PEER_V 0x80 /* the peer address is IPv6 */
#define FRR_BMP_PEER_L 0x40 /* post-policy Adj-RIB-In */
#define FRR_BMP_PEER_A 0x20 /* AS_PATH in the legacy 2-octet form */

struct frr_bmp_peer {
	uint8_t type; /* 0 global, 1 RD instance, 2 local instance */
	uint8_t flags;
	uint64_t distinguisher;
	struct frr_addr addr;
	uint32_t asn;
	uint32_t bgp_id; /* network order */
	uint32_t ts_sec;
	uint32_t ts_usec;
};

struct frr_bmp_open {
	uint8_t version;
	uint32_t asn; /* the 4-octet AS capability's when present, else My AS */
	uint16_t hold;
	uint32_t bgp_id; /* network order */
	bool as4;	 /* the 4-octet AS capability was sent */
};

struct frr_bmp_peer_up {
	struct frr_addr local;
	uint16_t local_port;
	uint16_t remote_port;
	struct frr_bmp_open sent;
	struct frr_bmp_open received;
};

enum frr_bmp_down_reason {
	FRR_BMP_DOWN_LOCAL_NOTIFY = 1,	/* a NOTIFICATION we sent follows */
	FRR_BMP_DOWN_LOCAL_FSM = 2,	/* closed locally without NOTIFICATION: FSM event */
	FRR_BMP_DOWN_REMOTE_NOTIFY = 3, /* a NOTIFICATION the peer sent follows */
	FRR_BMP_DOWN_REMOTE_CLOSE = 4,	/* the peer closed without NOTIFICATION */
	FRR_BMP_DOWN_DECONFIGURED = 5,	/* no more data for this peer, by configuration */
};

struct frr_bmp_peer_down {
	uint8_t reason;
	uint8_t code; /* NOTIFICATION, reasons 1 and 3 */
	uint8_t subcode;
	uint16_t fsm_event; /* reason 2 */
};

/* A packed list of prefixes of one family, already validated. */
struct frr_bmp_nlri {
	const uint8_t *p;
	size_t len;
	int family; /* AF_INET or AF_INET6 */
};

struct frr_bmp_prefix {
	struct frr_addr addr;
	uint8_t len;
};

/* The attributes of an UPDATE that hybridgw looks at; has_* tell which were present. */
struct frr_bmp_update {
	struct frr_bmp_nlri withdrawn;	/* IPv4, in the UPDATE's own field */
	struct frr_bmp_nlri nlri;	/* IPv4, announced */
	struct frr_bmp_nlri mp_reach;	/* MP_REACH_NLRI's prefixes */
	struct frr_bmp_nlri mp_unreach; /* MP_UNREACH_NLRI's prefixes */
	const uint8_t *as_path;		/* the AS_PATH attribute's value */
	size_t as_path_len;
	uint8_t as_size; /* 2 or 4 octets per ASN in as_path */
	uint8_t origin;
	uint32_t med;
	uint32_t local_pref;
	struct frr_addr next_hop;    /* NEXT_HOP (IPv4) */
	struct frr_addr mp_next_hop; /* MP_REACH_NLRI's global next hop */
	bool has_origin, has_as_path, has_next_hop, has_med, has_local_pref, has_mp_reach,
		has_mp_unreach;
};

struct frr_bmp_stat {
	uint16_t type;
	uint16_t afi; /* types 9 and 10 */
	uint8_t safi;
	uint64_t value;
};

struct frr_bmp_stats {
	uint32_t count; /* as the report says */
	size_t n;	/* kept in v */
	struct frr_bmp_stat v[FRR_BMP_STATS_MAX];
};

/* Initiation and termination: the information TLVs hybridgw reads. */
struct frr_bmp_info {
	const char *sys_name; /* not NUL-terminated: see the _len */
	size_t sys_name_len;
	const char *sys_descr;
	size_t sys_descr_len;
	uint16_t reason; /* termination; 0xffff: none given */
};

struct frr_bmp_msg {
	uint8_t type;
	uint32_t len;
	bool has_peer; /* route monitoring, stats, peer down, peer up, mirroring */
	struct frr_bmp_peer peer;
	union {
		struct frr_bmp_update update;
		struct frr_bmp_stats stats;
		struct frr_bmp_peer_down down;
		struct frr_bmp_peer_up up;
		struct frr_bmp_info info;
	} u;
};

/*
 * How long the message at the start of buf is: 0 while fewer than FRR_BMP_COMMON_LEN
 * bytes are there, the length from the common header, or -EBADMSG (wrong version, length
 * out of range).  Lets a station cut a stream into messages.
 */
ssize_t frr_bmp_msg_len(const uint8_t *buf, size_t len);

/*
 * Decode exactly one message: len must be the length its header gives.  Returns 0, or
 * -EBADMSG for anything malformed, -EPROTONOSUPPORT for an unknown message type.
 */
int frr_bmp_decode(const uint8_t *buf, size_t len, struct frr_bmp_msg *msg);

/* The next prefix of a validated list: 1 and *out, or 0 at the end. */
int frr_bmp_nlri_next(struct frr_bmp_nlri *it, struct frr_bmp_prefix *out);

/*
 * The AS_PATH as FRR prints it ("65515 12076", sets in braces).  snprintf-like: returns
 * the length it needs; "" when the update has none.
 */
size_t frr_bmp_as_path_str(const struct frr_bmp_update *u, char *buf, size_t size);

/* "route-monitoring", "peer-up", ...; "unknown" outside the enum. */
const char *frr_bmp_type_name(uint8_t type);

#endif
