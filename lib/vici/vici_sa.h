/*
 * vici_sa.h - typed VICI messages for route-based tunnels: requests built from structs,
 * listings and events read into structs.  Pure, like vici_codec.h, which it builds on.
 *
 * Requests.  A route-based tunnel is one IKE config with one CHILD config whose traffic
 * selectors are 0.0.0.0/0 on both sides and whose SAs are bound to a tunnel interface:
 * if_id_in/if_id_out for an XFRM interface (kernel >= 4.19, preferred) or mark_in/mark_out
 * for a VTI.  Routing is left to BGP; charon must run with install_routes = no.
 * Authentication is PSK on both sides; the secret travels separately (load-shared), so
 * that a conn can be re-pushed without handling the secret again.
 *
 * Replies.  Strings in the structs are copies (fixed arrays: a value too long for its
 * field is -EBADMSG, not truncated, because a cut identity or address would be wrong in
 * silence).  Numbers absent from the message stay 0; the *_set flags say which optional
 * times charon sent.  Everything from charon is checked: a malformed number is -EBADMSG.
 */
#ifndef HGW_VICI_SA_H
#define HGW_VICI_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vici/vici_codec.h"

/* ---- requests ---- */

/*
 * A number that charon defaults when it is not sent.  For these fields 0 is a value of its
 * own (rekey_time = 0: never rekey; rand_time = 0: no jitter; keyingtries = 0: retry
 * forever), not charon's default, so presence is explicit: a zeroed struct sends nothing,
 * VICI_OPT(0) sends "0".  A struct rather than a sentinel, so that assigning a bare number
 * does not compile and no value of the field is lost.
 */
struct vici_opt {
	bool set;
	uint32_t value;
};

#define VICI_OPT(v) ((struct vici_opt){ .set = true, .value = (v) })

/*
 * A route-based connection.  Strings are borrowed for the call.  NULL or an unset vici_opt
 * means "charon's default"; so does 0 for version, if_id_* and mark_*, where charon's
 * default is 0 ("any", "none").  Comma-separated strings become VICI lists.
 */
struct vici_conn_cfg {
	const char *name;	  /* IKE config name, required */
	const char *child;	  /* CHILD config name, required */
	unsigned version;	  /* 0 any, 1 IKEv1, 2 IKEv2; always sent */
	const char *local_addrs;  /* required */
	const char *remote_addrs; /* required */
	const char *local_id;
	const char *remote_id;
	const char *ike_proposals;  /* e.g. "aes256gcm16-prfsha384-ecp384" */
	const char *esp_proposals;  /* a DH group here is the PFS group: "aes256-sha256-modp2048" */
	struct vici_opt rekey_time; /* IKE, seconds; 0 = no rekeying */
	struct vici_opt reauth_time; /* 0 = no reauthentication */
	struct vici_opt over_time;   /* unset: 10% of rekey/reauth time */
	struct vici_opt rand_time;   /* 0 = no jitter; unset: derived from over_time */
	struct vici_opt dpd_delay;   /* 0 = no DPD */
	struct vici_opt dpd_timeout; /* IKEv1 only */
	/* charon's default is 1 (give up after one try); an always-on link wants VICI_OPT(0). */
	struct vici_opt keyingtries;
	const char *unique;		  /* no|never|keep|replace */
	struct vici_opt child_rekey_time; /* 0 = no rekeying */
	struct vici_opt child_life_time;  /* unset: rekey time + 10% */
	struct vici_opt child_rand_time;  /* 0 = no jitter; unset: life - rekey */
	const char *start_action;	  /* none|trap|start */
	const char *close_action;	  /* none|trap|start */
	const char *dpd_action;		  /* clear|trap|restart */
	uint32_t if_id_in;		  /* XFRM interface; 0 = none */
	uint32_t if_id_out;
	uint32_t mark_in; /* VTI key; 0 = none */
	uint32_t mark_out;
	const char *local_ts;  /* NULL = "0.0.0.0/0" */
	const char *remote_ts; /* NULL = "0.0.0.0/0" */
};

/* An IKE pre-shared key. */
struct vici_shared {
	const char *id;	    /* unique id, for unload-shared and replacing; required */
	const char *secret; /* the PSK, required, never logged */
	const char *owners; /* comma-separated identities; NULL = any */
};

/*
 * Each returns 0 with a complete CMD_REQUEST frame in *frame (free with vici_frame_free:
 * it zeroes the secret), or -EINVAL for a missing or impossible field (both if_id and
 * mark, an unknown version), -E2BIG, -ENOMEM.
 */
int vici_req_load_conn(const struct vici_conn_cfg *cfg, uint8_t **frame, size_t *len);
int vici_req_unload_conn(const char *name, uint8_t **frame, size_t *len);
int vici_req_load_shared(const struct vici_shared *psk, uint8_t **frame, size_t *len);
int vici_req_unload_shared(const char *id, uint8_t **frame, size_t *len);
/* timeout_ms -1: charon answers at once and the outcome comes as events. */
int vici_req_initiate(const char *ike, const char *child, int timeout_ms, uint8_t **frame,
		      size_t *len);
/* ike or child by config name (one of them), or ike_id > 0 by unique id. */
int vici_req_terminate(const char *ike, const char *child, uint32_t ike_id, int timeout_ms,
		       uint8_t **frame, size_t *len);
/* Filter by IKE name; NULL for all.  noblock is always set: list-sas never waits on a busy SA. */
int vici_req_list_sas(const char *ike, uint8_t **frame, size_t *len);
int vici_req_list_conns(const char *ike, uint8_t **frame, size_t *len);
/* A bare request: "version", "get-conns", ... */
int vici_req_simple(const char *command, uint8_t **frame, size_t *len);

/*
 * The reply of the commands that answer success = yes|no [errmsg].  Returns 0 on success,
 * -EREMOTEIO on "no" with errmsg (or "") copied to buf, -EBADMSG if success is missing.
 */
int vici_reply_status(const struct vici_node *root, char *errmsg, size_t size);

/* ---- listings and events ---- */

#define VICI_STR_MAX 64
#define VICI_ID_MAX 256
#define VICI_TS_MAX 256

struct vici_child_sa {
	char name[VICI_NAME_MAX + 1];
	uint32_t uniqueid;
	uint32_t reqid;
	char state[VICI_STR_MAX];    /* INSTALLED, REKEYED, ... */
	char mode[VICI_STR_MAX];     /* TUNNEL, TRANSPORT, BEET */
	char protocol[VICI_STR_MAX]; /* ESP, AH */
	bool encap;
	uint32_t spi_in; /* host order, as `ip xfrm state` prints it */
	uint32_t spi_out;
	char encr_alg[VICI_STR_MAX];
	uint32_t encr_keysize;
	char integ_alg[VICI_STR_MAX];
	uint32_t integ_keysize;
	char dh_group[VICI_STR_MAX]; /* PFS group, "" if none */
	bool esn;
	uint64_t bytes_in, packets_in;
	uint64_t bytes_out, packets_out;
	int64_t rekey_time;   /* seconds until rekey */
	int64_t life_time;    /* seconds until expiry */
	int64_t install_time; /* seconds since installed */
	bool rekey_time_set, life_time_set;
	uint32_t if_id_in, if_id_out;
	uint32_t mark_in, mark_out;
	char local_ts[VICI_TS_MAX]; /* comma-separated */
	char remote_ts[VICI_TS_MAX];
};

struct vici_ike_sa {
	char name[VICI_NAME_MAX + 1];
	uint32_t uniqueid;
	unsigned version;	  /* 1 or 2 */
	char state[VICI_STR_MAX]; /* ESTABLISHED, CONNECTING, ... */
	char local_host[VICI_STR_MAX];
	uint16_t local_port;
	char local_id[VICI_ID_MAX];
	char remote_host[VICI_STR_MAX];
	uint16_t remote_port;
	char remote_id[VICI_ID_MAX];
	bool initiator; /* our role */
	uint64_t initiator_spi;
	uint64_t responder_spi;
	bool nat_local, nat_remote;
	char encr_alg[VICI_STR_MAX];
	uint32_t encr_keysize;
	char integ_alg[VICI_STR_MAX];
	uint32_t integ_keysize;
	char prf_alg[VICI_STR_MAX];
	char dh_group[VICI_STR_MAX];
	int64_t established; /* seconds since established */
	int64_t rekey_time;  /* seconds until rekey */
	int64_t reauth_time; /* seconds until reauthentication */
	bool established_set, rekey_time_set, reauth_time_set;
	struct vici_child_sa *children; /* owned */
	size_t n_children;
};

/*
 * Whether a CHILD_SA in this state (charon's child_sa_state_names) has its SAs in the
 * kernel, i.e. carries traffic: INSTALLED, and also UPDATING, REKEYING and REKEYED, the
 * states an installed SA passes through during a rekey (make-before-break) or a MOBIKE
 * update.  A link must not go down for those.
 */
bool vici_child_state_installed(const char *state);

/* Free what an ike_sa owns (its children); the struct itself is the caller's. */
void vici_ike_sa_clear(struct vici_ike_sa *sa);
/* Free an array of n SAs from vici_parse_list_sa()/vici_client_list_sas(); accepts NULL. */
void vici_ike_sas_free(struct vici_ike_sa *sas, size_t n);

/*
 * One list-sa event message ({ <ike-name> { ... child-sas { ... } } }) into *sa.
 * 0, -EBADMSG, -ENOMEM.  On error *sa owns nothing.
 */
int vici_parse_list_sa(const struct vici_node *root, struct vici_ike_sa *sa);

struct vici_conn_child {
	char name[VICI_NAME_MAX + 1];
	char mode[VICI_STR_MAX];
	char local_ts[VICI_TS_MAX];
	char remote_ts[VICI_TS_MAX];
	uint64_t rekey_time;
	char dpd_action[VICI_STR_MAX];
	char close_action[VICI_STR_MAX];
};

struct vici_conn_info {
	char name[VICI_NAME_MAX + 1];
	char version[VICI_STR_MAX]; /* IKEv1, IKEv2, "0" for any */
	char local_addrs[VICI_TS_MAX];
	char remote_addrs[VICI_TS_MAX];
	char local_id[VICI_ID_MAX]; /* id of the first local auth round */
	char remote_id[VICI_ID_MAX];
	char local_auth[VICI_STR_MAX]; /* "pre-shared key", ... */
	uint64_t rekey_time, reauth_time;
	char unique[VICI_STR_MAX];
	uint64_t dpd_delay;
	struct vici_conn_child *children; /* owned */
	size_t n_children;
};

void vici_conn_info_clear(struct vici_conn_info *c);
void vici_conn_infos_free(struct vici_conn_info *c, size_t n);
/* One list-conn event message into *c. */
int vici_parse_list_conn(const struct vici_node *root, struct vici_conn_info *c);

enum vici_event_kind {
	VICI_EV_IKE_UPDOWN,
	VICI_EV_IKE_REKEY,
	VICI_EV_CHILD_UPDOWN,
	VICI_EV_CHILD_REKEY,
};

/*
 * A decoded tunnel event.
 *   ike-updown:   up, ike (no children)
 *   ike-rekey:    ike = the old IKE_SA, ike_new = the new one
 *   child-updown: up, ike, child = the CHILD_SA that came up or went down
 *   child-rekey:  ike, child = the old CHILD_SA, child_new = the new one
 * charon sends "up = yes" for up and no "up" key for down.
 */
struct vici_event {
	enum vici_event_kind kind;
	bool up;
	struct vici_ike_sa ike;
	struct vici_ike_sa ike_new;
	struct vici_child_sa child;
	struct vici_child_sa child_new;
};

/* "ike-updown", ...; NULL outside the enum. */
const char *vici_event_kind_name(enum vici_event_kind kind);
/* The kind for an event name; -ENOENT for events this layer does not decode. */
int vici_event_kind_from_name(const char *name);
/* 0, -ENOENT (not a tunnel event), -EBADMSG, -ENOMEM.  Free with vici_event_clear(). */
int vici_parse_event(const char *name, const struct vici_node *root, struct vici_event *ev);
void vici_event_clear(struct vici_event *ev);

#endif
