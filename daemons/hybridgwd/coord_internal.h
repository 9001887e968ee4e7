/*
 * coord_internal.h - what coord.c and coord_state.c share: the coordinator's runtime state.
 */
#ifndef HGWD_COORD_INTERNAL_H
#define HGWD_COORD_INTERNAL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "coord.h"
#include "failover.h"
#include "frr/frr_applier.h"
#include "frr/frr_apply.h"
#include "frr/frr_bmp_station.h"
#include "frr/frr_conf.h"
#include "intent.h"
#include "liveness.h"
#include "nl/nl.h"
#include "nl/nl_mss.h"
#include "vici/vici_client.h"

/* linux/if.h has it, but conflicts with net/if.h (which lib/nl's headers use) */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* BMP's IANA port; bgpd connects to us on the loopback. */
#define HGWD_BMP_PORT 11019

/* Installed CHILD_SAs tracked per tunnel: one, two during a rekey, a few duplicates. */
#define MAX_CHILDREN 8
/* Private path interfaces whose carrier is followed. */
#define MAX_PRIVATE_LINKS 16

/* What the daemon knows of one running tunnel, beside its intent. */
struct rt {
	char name[HGW_INTENT_KEY_MAX + 1]; /* charon's name: the tunnel's key */
	uint32_t children[MAX_CHILDREN];   /* installed CHILD_SAs (unique ids) */
	size_t n_children;
	/*
	 * list-sas against events: a listing is a snapshot taken while events keep coming, and
	 * charon leaves out an IKE_SA that is busy (noblock), which it is during a rekey.  So a
	 * listing is used for a tunnel only if no event of that tunnel came while it was in
	 * flight (ev_seq == list_seq), and "no CHILD_SA" takes two listings in a row (missing).
	 */
	uint32_t ev_seq, list_seq;
	unsigned missing;
	bool link_up;
	struct timespec up_since; /* CLOCK_REALTIME of the last link up by us; 0: not seen */
	bool dead;		  /* the liveness probe says so: its BGP neighbor is shut down */
	struct liveness *probe;
	sd_event_source *guard;
	struct coord *c;
};

/* A watched prefix and the class of path that carries it now. */
struct watch {
	struct hgw_nl_prefix prefix;
	struct failover_path path;
	bool seen;
};

struct coord {
	sd_event *event;
	const struct hgwd_options *opts;
	struct netconf *nc;
	struct hgw_nl *nl;
	struct vici_client *vici;
	struct frr_client frr;
	struct frr_applier *applier;
	struct hgw_intent running;
	struct frr_conf frr_want; /* the running intent's rendering */
	struct rt *rt;		  /* parallel to running.tunnels */
	sd_event_source *resync;
	sd_event_source *frr_repush;
	sd_event_source *repair; /* a tunnel interface was deleted from outside */
	bool listing;
	bool frr_dirty;	     /* FRR does not have the running rendering: retry */
	struct watch *watch; /* parallel to running.failover.watch */
	struct {
		char name[IFNAMSIZ];
		bool up;
	} links[MAX_PRIVATE_LINKS]; /* last carrier state of private path interfaces */
	size_t n_links;
	struct failover_cause causes[FAILOVER_CAUSE_KINDS]; /* the last one of each kind */
	struct frr_bmp_station *bmp;			    /* NULL: could not listen */
	struct frr_bmp_target bmp_target;		    /* what bgpd is told to connect to */
	enum {
		BMP_MODULE_UNKNOWN,
		BMP_MODULE_YES,
		BMP_MODULE_NO
	} bmp_module; /* bgpd's */
	struct failover_history history;
	struct coord_stats stats;
	/*
	 * TCP MSS clamping (nl_mss.h): what the kernel has, as last applied.  mss NULL or
	 * mss_unavailable: the kernel cannot (said once in the log), commits go on without.
	 */
	struct hgw_nl_mss *mss;
	struct hgw_nl_mss_rule *mss_set;
	size_t n_mss;
	bool mss_applied; /* mss_set is what the kernel has (false: unknown, e.g. at start) */
	bool mss_unavailable;
};

/*
 * charon's SAs now, on a private VICI connection (a deadline per request), blocking the
 * caller's loop.  *sas is the caller's (vici_ike_sas_free).  0 or -errno.
 */
int coord_list_sas_sync(struct coord *c, struct vici_ike_sa **sas, size_t *n);

#endif
