/*
 * frr_intent.h - what hybridgw wants FRR to do: BGP, its policy and BFD, as plain structs.
 *
 * The coordinator compiles the YANG tree into one struct frr_intent; frr_render() turns it
 * into FRR configuration.  Names in the intent are short ("VPN", "FAST100"); the renderer
 * puts FRR_NAME_PREFIX in front of every name it creates, so that everything hybridgw
 * owns in FRR is recognisable and the operator's own objects are never touched.
 *
 * Per path class (private circuit, VPN, ...) the renderer makes one peer-group
 * HGW-<class>, an inbound route-map HGW-<class>-IN (deny AS paths holding given ASNs, accept
 * listed prefixes, set weight and local-preference: the path preference) and an outbound
 * route-map HGW-<class>-OUT (deny AS paths holding given ASNs, advertise listed prefixes,
 * prepend the local ASN).  Every neighbor belongs to one class.
 *
 * A value of 0 means "not set: FRR's default" wherever the comment says so.  An intent
 * with asn == 0 owns nothing in bgpd: applying it removes everything hybridgw put there.
 * Ownership: an intent and everything it points to belong to whoever built it;
 * frr_intent_free() frees what frr_intent_from_json() allocated.
 */
#ifndef HGW_FRR_INTENT_H
#define HGW_FRR_INTENT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The prefix of every name hybridgw gives an FRR object. */
#define FRR_NAME_PREFIX "HGW-"
/* Longest name in the intent, without the prefix and the renderer's suffixes. */
#define FRR_NAME_MAX 32
/* Longest neighbor description, bytes. */
#define FRR_DESC_MAX 80
/* Longest interface name (IFNAMSIZ - 1). */
#define FRR_IFNAME_MAX 15
/* Longest list of denied ASNs per class and direction. */
#define FRR_DENY_ASNS_MAX 8

/* An IPv4 or IPv6 address. */
struct frr_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* A prefix, optionally with "le N" (accept more specifics up to N; 0: exact match). */
struct frr_prefix {
	struct frr_addr addr;
	uint8_t len;
	uint8_t le;
};

struct frr_prefix_set {
	struct frr_prefix *v;
	size_t n;
};

struct frr_timers {
	uint16_t keepalive; /* s; 0 with hold 0: not set */
	uint16_t hold;	    /* s */
	uint16_t connect;   /* s between connect attempts; 0: not set */
};

struct frr_bfd_profile {
	char name[FRR_NAME_MAX + 1];
	uint32_t detect_multiplier; /* 0: FRR's 3 */
	uint32_t receive_ms;	    /* 0: FRR's 300 */
	uint32_t transmit_ms;	    /* 0: FRR's 300 */
	bool passive;
};

struct frr_path_class {
	char name[FRR_NAME_MAX + 1]; /* [A-Za-z0-9_-] */
	uint32_t remote_as;	     /* 0: set per neighbor */
	struct frr_timers timers;
	bool bfd;
	char bfd_profile[FRR_NAME_MAX + 1];	  /* "": FRR's defaults; implies bfd */
	uint32_t weight;			  /* set on accepted routes; 0: not set */
	uint32_t local_pref;			  /* set on accepted routes; 0: not set */
	uint8_t prepend;			  /* local ASN prepended this many times outbound */
	uint32_t max_prefix;			  /* per address family; 0: no limit */
	uint32_t deny_in_asns[FRR_DENY_ASNS_MAX]; /* refuse routes whose AS path holds one */
	size_t n_deny_in_asns;
	uint32_t deny_out_asns[FRR_DENY_ASNS_MAX]; /* never advertise those */
	size_t n_deny_out_asns;
	struct frr_prefix_set accept;	 /* inbound; empty: accept every prefix */
	struct frr_prefix_set advertise; /* outbound; empty: the intent's networks */
};

enum frr_hop_check {
	FRR_HOP_CONNECTED,     /* the peer is on a connected subnet: FRR's default */
	FRR_HOP_DISABLE_CHECK, /* one hop, but not on a connected subnet (an unnumbered tunnel) */
	FRR_HOP_MULTIHOP,      /* ebgp-multihop with ttl */
};

struct frr_neighbor {
	struct frr_addr addr;
	char path_class[FRR_NAME_MAX + 1]; /* the name of one of intent.classes */
	uint32_t remote_as;		   /* 0: the class's */
	char description[FRR_DESC_MAX + 1];
	/* Source of the session: an address or an interface name; "": FRR chooses. */
	char update_source[INET6_ADDRSTRLEN];
	char interface[FRR_IFNAME_MAX + 1]; /* "neighbor X interface IF"; "": none */
	bool passive;			    /* wait for the peer to connect */
	bool shutdown;			    /* administratively down (a dead tunnel) */
	enum frr_hop_check hop_check;
	uint8_t multihop_ttl;	  /* FRR_HOP_MULTIHOP: 1..255 */
	struct frr_timers timers; /* overrides the class's where set */
	bool ipv4;		  /* exchange IPv4 unicast */
	bool ipv6;		  /* exchange IPv6 unicast */
};

/*
 * A BMP station that bgpd connects to: "bmp targets HGW-<name>" with one "bmp connect".
 * bgpd must run with the bmp module (-M bmp) or it refuses the block.
 */
struct frr_bmp_target {
	char name[FRR_NAME_MAX + 1]; /* "": no BMP */
	struct frr_addr addr;
	uint16_t port;
	bool pre_policy;       /* monitor the Adj-RIB-In before the inbound route-map */
	bool post_policy;      /* and after it */
	bool ipv6;	       /* IPv6 unicast as well as IPv4 */
	uint32_t stats_ms;     /* statistics reports; 0: none */
	uint32_t min_retry_ms; /* reconnect back-off; 0: FRR's 30000 */
	uint32_t max_retry_ms; /* 0: FRR's 720000 */
};

struct frr_intent {
	uint32_t asn; /* 0: no BGP */
	struct in_addr router_id;
	uint16_t maximum_paths;		/* eBGP ECMP paths, both families; 0: FRR's default */
	bool multipath_relax;		/* bgp bestpath as-path multipath-relax */
	struct frr_prefix_set networks; /* originated, both families */
	struct frr_bfd_profile *bfd_profiles;
	size_t n_bfd_profiles;
	struct frr_path_class *classes;
	size_t n_classes;
	struct frr_neighbor *neighbors;
	size_t n_neighbors;
	struct frr_bmp_target bmp;
};

/*
 * Build *intent from a JSON document (the test tool's intent files and the golden tests;
 * the daemon builds intents from YANG).  On error returns -EINVAL and writes a message
 * naming the member to err.  The keys are documented in tests/tools/hgw-frr.c.
 */
int frr_intent_from_json(struct frr_intent *intent, const char *text, char *err, size_t err_size);

/* Free what frr_intent_from_json() allocated; *intent is zeroed.  NULL is fine. */
void frr_intent_free(struct frr_intent *intent);

/* Parse "198.18.0.1" or "2001:db8::1".  Returns 0 or -EINVAL. */
int frr_addr_parse(struct frr_addr *addr, const char *s);
/* Parse "198.18.0.0/24", optionally " le 28".  Host bits must be zero.  0 or -EINVAL. */
int frr_prefix_parse(struct frr_prefix *prefix, const char *s);

#endif
