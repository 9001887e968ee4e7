/*
 * nl_xfrm.h - the kernel's IPsec state (SAs and policies) read over NETLINK_XFRM, as typed
 * structs, so the status views can show what the kernel really has next to what charon
 * says it installed.  Read-only: charon owns the SAD and SPD.
 *
 * DOC: no key material, anywhere.
 *
 *   The kernel's SA dump carries the keys (XFRMA_ALG_*: name, key length, key).  The
 *   parser copies the algorithm's name and key length only; the dump is received into a
 *   buffer of the driver's own that is wiped (explicit_bzero) before it is freed, so no
 *   key byte outlives the call, in our structs, in freed heap or in a log line.
 *
 *   That is also why this is not libnl-xfrm-3's cache: libnl-xfrm 3.7 keeps each SA's keys
 *   in its objects and frees them unwiped, and it does not parse XFRMA_IF_ID (no if_id
 *   getter in <netlink/xfrm/sa.h>), which XFRM interfaces need.  The messages are parsed
 *   here from <linux/xfrm.h> by a pure function, which the unit tests and the fuzzer
 *   exercise without a kernel.
 *
 * Byte order: SPIs, ports and addresses as the kernel keeps them (network order) are
 * converted: spi is host order, ports host order, addresses stay network-order bytes.
 */
#ifndef HGW_NL_XFRM_H
#define HGW_NL_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl/nl_types.h"

struct hgw_nl;

/* Algorithm names are at most 64 bytes in the kernel's struct xfrm_algo. */
#define HGW_NL_XFRM_ALG_NAMELEN 64
/* Templates kept per policy: a route-based tunnel has one. */
#define HGW_NL_XFRM_MAX_TMPL 4

struct hgw_nl_xfrm_alg {
	char name[HGW_NL_XFRM_ALG_NAMELEN]; /* "" if the SA has no such algorithm */
	unsigned key_bits;
	unsigned icv_bits; /* AEAD and truncated auth; 0 otherwise */
};

struct hgw_nl_xfrm_lifetime {
	/* limits (0 or UINT64_MAX: none, as the kernel says "(INF)") */
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint64_t soft_add_s, hard_add_s; /* seconds after add */
	uint64_t soft_use_s, hard_use_s; /* seconds after first use */
};

struct hgw_nl_xfrm_selector {
	struct hgw_nl_prefix src, dst;
	uint16_t sport, dport; /* host order; 0: any */
	uint8_t proto;	       /* 0: any */
	int ifindex;
};

struct hgw_nl_xfrm_sa {
	int family; /* of the outer addresses */
	uint8_t src[16], dst[16];
	uint32_t spi;  /* host order */
	uint8_t proto; /* IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP */
	uint8_t mode;  /* XFRM_MODE_TRANSPORT, XFRM_MODE_TUNNEL ... */
	uint32_t reqid;
	uint32_t mark, mark_mask; /* 0/0 without XFRMA_MARK */
	uint32_t if_id;		  /* 0 without XFRMA_IF_ID */
	struct hgw_nl_xfrm_alg enc, auth, aead, comp;
	uint16_t encap_sport, encap_dport; /* NAT-T (UDP 4500); 0 without */
	struct hgw_nl_xfrm_selector sel;

	uint32_t replay_window;	     /* configured size, packets */
	bool esn;		     /* XFRMA_REPLAY_ESN_VAL present */
	uint32_t oseq, seq;	     /* last sent / highest received sequence number */
	uint32_t fail_replay_window; /* dropped: outside the window */
	uint32_t fail_replay;	     /* dropped: replayed */
	uint32_t fail_integrity;     /* dropped: ICV/auth failure */

	uint64_t bytes, packets;     /* current lifetime usage */
	uint64_t add_time, use_time; /* seconds since the epoch; use_time 0: never used */
	struct hgw_nl_xfrm_lifetime lft;
};

struct hgw_nl_xfrm_tmpl {
	int family;
	uint8_t src[16], dst[16];
	uint32_t spi; /* host order; 0: any */
	uint8_t proto;
	uint8_t mode;
	uint32_t reqid;
	bool optional;
};

struct hgw_nl_xfrm_policy {
	struct hgw_nl_xfrm_selector sel;
	uint8_t dir;	/* XFRM_POLICY_IN, _OUT, _FWD */
	uint8_t action; /* XFRM_POLICY_ALLOW, _BLOCK */
	uint32_t priority;
	uint32_t index;
	uint32_t mark, mark_mask;
	uint32_t if_id;
	size_t n_tmpl;
	struct hgw_nl_xfrm_tmpl tmpl[HGW_NL_XFRM_MAX_TMPL];
};

/*
 * Parse one XFRM_MSG_NEWSA (or the dump's answer) of len bytes.  Pure.  0, -EBADMSG when
 * it is shorter than it says or an attribute is shorter than its type, -ENOMSG for
 * another message type.
 */
int hgw_nl_xfrm_sa_parse(const void *buf, size_t len, struct hgw_nl_xfrm_sa *out);
/* The same for XFRM_MSG_NEWPOLICY. */
int hgw_nl_xfrm_policy_parse(const void *buf, size_t len, struct hgw_nl_xfrm_policy *out);

/*
 * Every SA / policy of the namespace, dumped over a NETLINK_XFRM socket opened for the
 * call.  *out is malloc'ed (free(); NULL when *n is 0).  0 or -errno (-EPROTONOSUPPORT:
 * the kernel has no xfrm_user).
 */
int hgw_nl_xfrm_sa_list(struct hgw_nl *nl, struct hgw_nl_xfrm_sa **out, size_t *n);
int hgw_nl_xfrm_policy_list(struct hgw_nl *nl, struct hgw_nl_xfrm_policy **out, size_t *n);

/* "esp", "ah", "comp", or the number; "tunnel", "transport" ...; "in", "out", "fwd". */
const char *hgw_nl_xfrm_proto_str(uint8_t proto, char *buf, size_t size);
const char *hgw_nl_xfrm_mode_str(uint8_t mode);
const char *hgw_nl_xfrm_dir_str(uint8_t dir);

#endif
