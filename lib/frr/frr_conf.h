/*
 * frr_conf.h - FRR configuration as a list of lines in context: render an intent, read a
 * running configuration back, pick out the part hybridgw owns, and compute the vty
 * commands that turn one owned configuration into another.
 *
 * A configuration is an ordered list of entries (daemon, context, text).  The context is
 * the path of stanza headers above the line: "" for a top-level line,
 * "route-map HGW-VPN-IN permit 20" for its match and set lines,
 * "router bgp 65010" / "address-family ipv4 unicast" for a network statement.  Stanzas
 * hybridgw owns (route-map entries, BFD profiles) are entries themselves; shared containers
 * (router bgp, address-family, bfd) are only contexts and are never created or removed on
 * their own.
 *
 * What hybridgw owns in a running configuration:
 *   - every object named FRR_NAME_PREFIX...: prefix-lists, AS-path access-lists,
 *     route-maps, BFD profiles, peer-groups, BMP targets, with all their lines;
 *   - neighbors that are members of an HGW- peer-group, with all their lines;
 *   - inside router bgp, the lines hybridgw claims (router-id, bestpath, maximum-paths,
 *     network statements): a line counts as owned when a configuration passed as a claim
 *     (the previous and the new rendering) has a line with the same key in the same
 *     context.  The operator's other network statements and neighbors stay the operator's.
 *
 * Every function here is pure: text and structs in, text and structs out.
 */
#ifndef HGW_FRR_CONF_H
#define HGW_FRR_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "frr_intent.h"

enum frr_daemon {
	FRR_BGPD,
	FRR_BFDD,
	FRR_ZEBRA,
	FRR_DAEMON_COUNT,
};

/* Deepest context: router bgp > address-family, bfd > profile. */
#define FRR_CTX_MAX 2

struct frr_entry {
	enum frr_daemon daemon;
	char *ctx[FRR_CTX_MAX]; /* NULL from the first unused level on */
	char *text;
};

struct frr_conf {
	struct frr_entry *v;
	size_t n;
	size_t cap;
};

/* A batch of vty lines for one daemon, sent inside "configure terminal" ... "end". */
struct frr_batch {
	char **lines;
	size_t n;
	size_t cap;
};

/* "bgpd", "bfdd", "zebra"; NULL outside the enum. */
const char *frr_daemon_name(enum frr_daemon daemon);

void frr_conf_init(struct frr_conf *conf);
/* Free the entries; conf may be reused after frr_conf_init().  NULL is fine. */
void frr_conf_clear(struct frr_conf *conf);
/* Append a copy of the line.  ctx has FRR_CTX_MAX elements, NULL-padded (or is NULL). */
int frr_conf_add(struct frr_conf *conf, enum frr_daemon daemon, const char *const *ctx,
		 const char *text);
/* Index of an equal entry (daemon, context and text), or -1. */
long frr_conf_find(const struct frr_conf *conf, const struct frr_entry *e);

/*
 * Render the intent.  Returns 0, -ENOMEM, or -EINVAL with a message naming the bad part
 * of the intent in err (a class that does not exist, a name with a space, ...).
 */
int frr_render(const struct frr_intent *intent, struct frr_conf *out, char *err, size_t err_size);

/*
 * Write conf as an frr.conf-style text (what `vtysh -f` loads): stanzas indented, closed
 * with exit / exit-address-family, a "!" between top-level blocks.
 */
int frr_conf_write(const struct frr_conf *conf, FILE *f);
/* The same into a malloc'ed string; NULL on ENOMEM. */
char *frr_conf_to_string(const struct frr_conf *conf);

/*
 * Parse the output of "show running-config" from one daemon, and keep the lines hybridgw
 * owns (see above; claims may be NULL or have n == 0).  "!" comments, exit lines, the
 * banner and the frr version lines are skipped.  Returns 0, -ENOMEM, or -EBADMSG for a
 * line indented deeper than its context allows.
 */
int frr_conf_parse_owned(const char *text, size_t len, enum frr_daemon daemon,
			 const struct frr_conf *const *claims, size_t n_claims,
			 struct frr_conf *out);

/*
 * The ASN of the first "router bgp N" (default VRF) in a running configuration, or 0 when
 * there is none.
 */
unsigned long frr_conf_running_asn(const char *text, size_t len);

/*
 * The commands that turn the owned configuration cur into want, for one daemon: removals
 * first (the "no" forms, deepest first, a whole neighbor or stanza by one line), then
 * additions and changes in want's order, with the context commands around them.  Empty
 * when nothing owned differs.  Returns 0 or -ENOMEM.
 */
int frr_delta(const struct frr_conf *cur, const struct frr_conf *want, enum frr_daemon daemon,
	      struct frr_batch *out);

/*
 * Compare the owned configurations of one daemon as sets.  Returns true when equal;
 * otherwise *missing is the first entry of want not in got and *extra the first of got
 * not in want (each NULL when there is none).
 */
bool frr_conf_same(const struct frr_conf *got, const struct frr_conf *want, enum frr_daemon daemon,
		   const struct frr_entry **missing, const struct frr_entry **extra);

void frr_batch_init(struct frr_batch *batch);
void frr_batch_clear(struct frr_batch *batch);
int frr_batch_add(struct frr_batch *batch, const char *line);

#endif
