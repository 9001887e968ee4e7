/*
 * coord_state.c - the model's state data at <get> time (coord_state(), coord.h).
 *
 * Asked fresh at each request, from the component that knows: charon (list-sas on a
 * private VICI connection), bgpd (show bgp neighbors / ipv4 unicast json), the kernel
 * (XFRM SA dump, the watched prefixes' views the monitor keeps), and the coordinator's
 * own memory (links, liveness verdicts, carrier, the failover history).  A component that
 * does not answer leaves its part out; the rest is still reported.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libyang/libyang.h>

#include "coord_internal.h"
#include "frr/frr_state.h"
#include "log.h"
#include "nc/nc.h"
#include "nl/nl_xfrm.h"
#include "sa_names.h"
#include "util.h"

#define TOP "/hybridgw:hybridgw"
#define PATH_MAX_LEN 512

struct st {
	const struct ly_ctx *ctx;
	struct lyd_node **tree;
	time_t now;
	int err; /* the first failure */
};

/* Create (or update) the node at the printf-formatted path with value (NULL: a container
 * or list entry); that node for a container or entry (NULL for a leaf, or on error: st->err
 * says why, the log at debug level). */
static struct lyd_node *HGW_PRINTF(3, 4) put(struct st *st, const char *value, const char *fmt, ...)
{
	char path[PATH_MAX_LEN];
	struct lyd_node *node;
	va_list ap;
	int n, err = 0;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		st->err = st->err ? st->err : -ENAMETOOLONG;
		return NULL;
	}
	node = hgw_nc_state_put(st->ctx, st->tree, path, value, &err);
	if (err < 0) {
		log_debug("state: %s = %s: %s", path, value != NULL ? value : "(node)",
			  ly_errmsg(st->ctx));
		st->err = st->err ? st->err : err;
	}
	return node;
}

static void HGW_PRINTF(4, 5)
	put_u64(struct st *st, uint64_t v, const char *leaf, const char *fmt, ...)
{
	char path[PATH_MAX_LEN], val[24];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	snprintf(val, sizeof(val), "%" PRIu64, v);
	put(st, val, "%s/%s", path, leaf);
}

/* yang:hex-string of n bytes of v, most significant first: "c1:a2:b3:d4". */
static const char *hex_string(uint64_t v, unsigned n, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = n; i-- > 0 && off + 4 <= size;)
		off += (size_t)snprintf(buf + off, size - off, "%s%02x", off ? ":" : "",
					(unsigned)((v >> (8 * i)) & 0xff));
	return buf;
}

/* A name for a predicate: names are restricted by the model, but never trust a quote. */
static bool quotable(const char *s)
{
	return strchr(s, '\'') == NULL;
}

/* ---- tunnels ---- */

static const char *liveness_name(const struct rt *rt)
{
	if (rt->probe == NULL)
		return "off";
	switch (liveness_get_state(rt->probe)) {
	case LIVENESS_UNARMED:
		return "unarmed";
	case LIVENESS_UP:
		return "alive";
	case LIVENESS_DOWN:
		return "dead";
	case LIVENESS_RECOVERING:
		return "recovering";
	}
	return "off";
}

static const struct hgw_nl_xfrm_sa *xfrm_find(const struct hgw_nl_xfrm_sa *v, size_t n,
					      uint32_t spi)
{
	for (size_t i = 0; spi != 0 && i < n; i++)
		if (v[i].spi == spi && v[i].proto == IPPROTO_ESP)
			return &v[i];
	return NULL;
}

static void put_xfrm(struct st *st, const struct hgw_nl_xfrm_sa *sa, const char *base)
{
	char hex[16];

	if (sa == NULL)
		return;
	put(st, hex_string(sa->spi, 4, hex, sizeof(hex)), "%s/spi", base);
	put_u64(st, sa->bytes, "bytes", "%s", base);
	put_u64(st, sa->packets, "packets", "%s", base);
	put_u64(st, sa->replay_window, "replay-window", "%s", base);
	put_u64(st, (uint64_t)sa->fail_replay + sa->fail_replay_window, "replay-drops", "%s", base);
	put_u64(st, sa->fail_integrity, "integrity-failures", "%s", base);
	if (sa->lft.hard_bytes != 0 && sa->lft.hard_bytes != UINT64_MAX)
		put_u64(st,
			sa->lft.hard_bytes > sa->bytes ? (sa->lft.hard_bytes - sa->bytes) / 1024 :
							 0,
			"life-kbytes-left", "%s", base);
}

/* A state leaf-list: instances are appended to the entry (no predicates, duplicates allowed). */
static void put_ts_list(struct st *st, const char *list, struct lyd_node *entry, const char *leaf)
{
	char buf[VICI_TS_MAX], *save = NULL;

	if (entry == NULL)
		return;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *ts = strtok_r(buf, ",", &save); ts != NULL; ts = strtok_r(NULL, ",", &save)) {
		char p[VICI_TS_MAX + 5];

		while (*ts == ' ')
			ts++;
		if (strchr(ts, '[') != NULL) /* "198.18.0.0/16[tcp/80]": the model has no ports */
			continue;
		/* charon prints a host selector without a length; the model wants a prefix */
		snprintf(p, sizeof(p), "%s%s", ts,
			 strchr(ts, '/') != NULL ? "" :
			 strchr(ts, ':') != NULL ? "/128" :
						   "/32");
		if (lyd_new_term(entry, NULL, leaf, p, 0, NULL) != LY_SUCCESS) {
			log_debug("state: %s %s: %s", leaf, p, ly_errmsg(st->ctx));
			st->err = st->err ? st->err : -EINVAL;
		}
	}
}

static void put_child(struct st *st, const struct vici_child_sa *ch, const char *tbase,
		      const struct hgw_nl_xfrm_sa *xv, size_t xn)
{
	char base[PATH_MAX_LEN + 32], kbase[PATH_MAX_LEN + 64], hex[16], when[32];
	struct lyd_node *entry;
	const char *name;

	snprintf(base, sizeof(base), "%s/child-sa[unique-id='%" PRIu32 "']", tbase, ch->uniqueid);
	entry = put(st, NULL, "%s", base);
	put(st, ch->state, "%s/state", base);
	put(st, hex_string(ch->spi_in, 4, hex, sizeof(hex)), "%s/spi-in", base);
	put(st, hex_string(ch->spi_out, 4, hex, sizeof(hex)), "%s/spi-out", base);
	put(st, ch->encap ? "true" : "false", "%s/udp-encapsulation", base);
	put_ts_list(st, ch->local_ts, entry, "local-ts");
	put_ts_list(st, ch->remote_ts, entry, "remote-ts");
	if ((name = sa_name_encryption(ch->encr_alg, ch->encr_keysize)) != NULL)
		put(st, name, "%s/encryption", base);
	if (ch->integ_alg[0] != '\0' && (name = sa_name_integrity(ch->integ_alg)) != NULL)
		put(st, name, "%s/integrity", base);
	if ((name = sa_name_dh(ch->dh_group)) != NULL)
		put(st, name, "%s/pfs-group", base);
	put(st, hgw_nc_date_and_time(st->now - ch->install_time, when, sizeof(when)),
	    "%s/installed-since", base);
	if (ch->rekey_time_set && ch->rekey_time >= 0)
		put_u64(st, (uint64_t)ch->rekey_time, "rekey-in", "%s", base);
	if (ch->life_time_set && ch->life_time >= 0)
		put_u64(st, (uint64_t)ch->life_time, "life-in", "%s", base);
	put_u64(st, ch->bytes_in, "bytes-in", "%s", base);
	put_u64(st, ch->bytes_out, "bytes-out", "%s", base);
	put_u64(st, ch->packets_in, "packets-in", "%s", base);
	put_u64(st, ch->packets_out, "packets-out", "%s", base);
	snprintf(kbase, sizeof(kbase), "%s/kernel/inbound", base);
	put_xfrm(st, xfrm_find(xv, xn, ch->spi_in), kbase);
	snprintf(kbase, sizeof(kbase), "%s/kernel/outbound", base);
	put_xfrm(st, xfrm_find(xv, xn, ch->spi_out), kbase);
}

/* The IKE_SA to show of the ones with the tunnel's name: established, with CHILD_SAs, newest. */
static const struct vici_ike_sa *ike_pick(const struct vici_ike_sa *sas, size_t n, const char *name)
{
	const struct vici_ike_sa *best = NULL;
	int best_score = -1;

	for (size_t i = 0; i < n; i++) {
		int score;

		if (strcmp(sas[i].name, name) != 0)
			continue;
		score = (!strcmp(sas[i].state, "ESTABLISHED") ? 2 : 0) + (sas[i].n_children > 0);
		if (score > best_score ||
		    (score == best_score && sas[i].established < best->established)) {
			best = &sas[i];
			best_score = score;
		}
	}
	return best;
}

static void put_ike(struct st *st, const struct vici_ike_sa *sa, const char *tbase)
{
	char base[PATH_MAX_LEN + 8], hex[32], when[32];
	const char *name;

	snprintf(base, sizeof(base), "%s/ike-sa", tbase);
	put_u64(st, sa->uniqueid, "unique-id", "%s", base);
	put(st, sa->state, "%s/state", base);
	if (sa->version == 1 || sa->version == 2)
		put_u64(st, sa->version, "version", "%s", base);
	put(st, sa->initiator ? "initiator" : "responder", "%s/role", base);
	put(st, sa->local_host, "%s/local-address", base);
	if (sa->local_port != 0)
		put_u64(st, sa->local_port, "local-port", "%s", base);
	put(st, sa->remote_host, "%s/remote-address", base);
	if (sa->remote_port != 0)
		put_u64(st, sa->remote_port, "remote-port", "%s", base);
	if (sa->local_id[0] != '\0')
		put(st, sa->local_id, "%s/local-id", base);
	if (sa->remote_id[0] != '\0')
		put(st, sa->remote_id, "%s/remote-id", base);
	put(st, sa->nat_local || sa->nat_remote ? "true" : "false", "%s/nat-traversal", base);
	/* the only method hybridgw configures */
	put(st, "pre-shared-key", "%s/auth-method", base);
	put(st, hex_string(sa->initiator_spi, 8, hex, sizeof(hex)), "%s/initiator-spi", base);
	put(st, hex_string(sa->responder_spi, 8, hex, sizeof(hex)), "%s/responder-spi", base);
	if ((name = sa_name_encryption(sa->encr_alg, sa->encr_keysize)) != NULL)
		put(st, name, "%s/encryption", base);
	if (sa->integ_alg[0] != '\0' && (name = sa_name_integrity(sa->integ_alg)) != NULL)
		put(st, name, "%s/integrity", base);
	if ((name = sa_name_integrity(sa->prf_alg)) != NULL)
		put(st, name, "%s/prf", base);
	if (sa->dh_group[0] != '\0' && (name = sa_name_dh(sa->dh_group)) != NULL)
		put(st, name, "%s/dh-group", base);
	if (sa->established_set)
		put(st, hgw_nc_date_and_time(st->now - sa->established, when, sizeof(when)),
		    "%s/established-since", base);
	if (sa->rekey_time_set && sa->rekey_time >= 0)
		put_u64(st, (uint64_t)sa->rekey_time, "rekey-in", "%s", base);
	if (sa->reauth_time_set && sa->reauth_time >= 0)
		put_u64(st, (uint64_t)sa->reauth_time, "reauth-in", "%s", base);
}

static void put_tunnels(struct st *st, struct coord *c)
{
	struct vici_ike_sa *sas = NULL;
	struct hgw_nl_xfrm_sa *xv = NULL;
	size_t n = 0, xn = 0;
	bool charon;
	int r;

	if (c->running.n_tunnels == 0)
		return;
	r = coord_list_sas_sync(c, &sas, &n);
	charon = r >= 0;
	if (!charon)
		log_debug("state: charon's SAs: %s", strerror(-r));
	r = hgw_nl_xfrm_sa_list(c->nl, &xv, &xn);
	if (r < 0)
		log_debug("state: the kernel's SAs: %s", strerror(-r));
	for (size_t i = 0; i < c->running.n_tunnels; i++) {
		const struct hgw_intent_tunnel *t = &c->running.tunnels[i];
		const struct rt *rt = &c->rt[i];
		const struct vici_ike_sa *ike = ike_pick(sas, n, rt->name);
		char base[PATH_MAX_LEN], when[32];
		int64_t oldest = -1;
		const char *state;

		if (!quotable(t->conn) || !quotable(t->gw))
			continue;
		snprintf(base, sizeof(base),
			 TOP "/connections/connection[name='%s']/gateway[name='%s']/tunnel",
			 t->conn, t->gw);
		for (size_t k = 0; k < n; k++) {
			if (strcmp(sas[k].name, rt->name) != 0)
				continue;
			for (size_t j = 0; j < sas[k].n_children; j++) {
				const struct vici_child_sa *ch = &sas[k].children[j];

				put_child(st, ch, base, xv, xn);
				if (vici_child_state_installed(ch->state) &&
				    ch->install_time > oldest)
					oldest = ch->install_time;
			}
		}
		if (rt->link_up)
			state = rt->dead ? "dead" : "up";
		else
			state = ike != NULL ? "connecting" : "down";
		put(st, state, "%s/state", base);
		if (t->iface.present)
			put(st, t->iface.nl.name, "%s/interface", base);
		put(st, liveness_name(rt), "%s/liveness", base);
		if (rt->link_up && rt->up_since.tv_sec != 0)
			put(st, hgw_nc_date_and_time(rt->up_since.tv_sec, when, sizeof(when)),
			    "%s/up-since", base);
		else if (rt->link_up && oldest >= 0) /* adopted after a restart: the SA's age */
			put(st, hgw_nc_date_and_time(st->now - oldest, when, sizeof(when)),
			    "%s/up-since", base);
		if (ike != NULL)
			put_ike(st, ike, base);
	}
	vici_ike_sas_free(sas, n);
	free(xv);
}

/* ---- BGP ---- */

static const char *bgp_state_name(const char *frr)
{
	static const char *const v[] = { "idle",     "connect",	    "active",
					 "opensent", "openconfirm", "established" };

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		if (!strcasecmp(frr, v[i]))
			return v[i];
	return "idle"; /* Clearing, Deleted: not in RFC 4271's machine */
}

static const struct frr_neighbor_state *
neighbor_find(const struct frr_bgp_neighbors *nb, const struct frr_addr *a, char *addr, size_t size)
{
	if (inet_ntop(a->family, &a->u, addr, (socklen_t)size) == NULL) {
		addr[0] = '\0';
		return NULL;
	}
	for (size_t i = 0; i < nb->n; i++)
		if (!strcmp(nb->v[i].peer, addr))
			return &nb->v[i];
	return NULL;
}

static void put_bgp_state(struct st *st, const struct frr_neighbor_state *s, const char *pbase)
{
	char base[PATH_MAX_LEN], when[32];

	snprintf(base, sizeof(base), "%s/bgp-state", pbase);
	put(st, bgp_state_name(s->state), "%s/state", base);
	if (s->established)
		put(st,
		    hgw_nc_date_and_time(st->now - (time_t)(s->uptime_ms / 1000), when,
					 sizeof(when)),
		    "%s/established-since", base);
	put_u64(st, s->uptime_ms / 1000, "state-duration", "%s", base);
	put_u64(st, (uint64_t)s->accepted_v4 + s->accepted_v6, "prefixes-received", "%s", base);
	put_u64(st, (uint64_t)s->sent_v4 + s->sent_v6, "prefixes-sent", "%s", base);
	put_u64(st, s->msgs_rcvd, "messages-received", "%s", base);
	put_u64(st, s->msgs_sent, "messages-sent", "%s", base);
	if (s->has_bfd || s->bfd_status[0] != '\0')
		put(st,
		    !strcasecmp(s->bfd_status, "up")   ? "up" :
		    !strcasecmp(s->bfd_status, "down") ? "down" :
							 "unknown",
		    "%s/bfd-state", base);
	if (s->last_reset[0] != '\0')
		put(st, s->last_reset, "%s/last-reset", base);
}

/* Who a BGP path came from, as the model says it. */
struct peer_ref {
	char addr[INET6_ADDRSTRLEN];
	const char *cls;
	char path[2 * HGW_INTENT_NAME_MAX + 2];
};

static void put_learned(struct st *st, struct coord *c, const struct peer_ref *peers, size_t np)
{
	struct frr_bgp_table tb = { 0 };
	char *out = NULL;
	size_t len = 0;
	int r;

	r = frr_show(&c->frr, FRR_BGPD, "show bgp ipv4 unicast json", &out, &len);
	if (r >= 0)
		r = frr_parse_bgp_table(out, len, &tb);
	free(out);
	if (r < 0) {
		log_debug("state: BGP table: %s", strerror(-r));
		return;
	}
	for (size_t i = 0; i < tb.n; i++) {
		const struct frr_bgp_path *p = &tb.v[i];
		bool local = !strcmp(p->peer, "(unspec)") || !strcmp(p->peer, "0.0.0.0");
		const char *peer = local ? "local" : p->peer;
		const char *cls = local ? "local" : NULL, *path = NULL;
		char base[PATH_MAX_LEN];

		if (!quotable(peer) || !quotable(p->prefix))
			continue;
		for (size_t k = 0; !local && k < np; k++)
			if (!strcmp(peers[k].addr, p->peer)) {
				cls = peers[k].cls;
				path = peers[k].path;
			}
		snprintf(base, sizeof(base), TOP "/routes/learned[prefix='%s'][peer='%s']",
			 p->prefix, peer);
		if (cls != NULL)
			put(st, cls, "%s/path-class", base);
		if (path != NULL)
			put(st, path, "%s/path", base);
		if (p->origin[0] != '\0')
			put(st, p->origin, "%s/origin", base);
		put(st, p->as_path, "%s/as-path", base);
		if (p->next_hop[0] != '\0')
			put(st, p->next_hop, "%s/next-hop", base);
		put_u64(st, p->has_local_pref ? p->local_pref : tb.default_local_pref, "local-pref",
			"%s", base);
		put_u64(st, p->weight, "weight", "%s", base);
		put_u64(st, p->metric, "med", "%s", base);
		put(st, p->best ? "true" : "false", "%s/best", base);
		put(st, p->multipath ? "true" : "false", "%s/multipath", base);
	}
	frr_bgp_table_free(&tb);
}

static void put_bgp(struct st *st, struct coord *c)
{
	struct frr_bgp_neighbors nb = { 0 };
	struct peer_ref *peers;
	size_t np = 0;
	char *out = NULL;
	size_t len = 0;
	int r;

	if (c->running.n_tunnels + c->running.n_privates == 0)
		return;
	r = frr_show(&c->frr, FRR_BGPD, "show bgp neighbors json", &out, &len);
	if (r >= 0)
		r = frr_parse_bgp_neighbors(out, len, &nb);
	free(out);
	if (r < 0) {
		log_debug("state: BGP neighbors: %s", strerror(-r));
		return;
	}
	peers = calloc(c->running.n_tunnels + c->running.n_privates, sizeof(*peers));
	for (size_t i = 0; i < c->running.n_tunnels; i++) {
		const struct hgw_intent_tunnel *t = &c->running.tunnels[i];
		const struct frr_neighbor_state *s;
		char addr[INET6_ADDRSTRLEN], base[PATH_MAX_LEN];

		if (!t->bgp || !quotable(t->conn) || !quotable(t->gw))
			continue;
		s = neighbor_find(&nb, &t->neighbor.addr, addr, sizeof(addr));
		if (peers != NULL) {
			snprintf(peers[np].addr, sizeof(peers[np].addr), "%s", addr);
			peers[np].cls = "tunnel";
			snprintf(peers[np].path, sizeof(peers[np].path), "%s/%s", t->conn, t->gw);
			np++;
		}
		if (s == NULL)
			continue;
		snprintf(base, sizeof(base),
			 TOP "/connections/connection[name='%s']/gateway[name='%s']/bgp", t->conn,
			 t->gw);
		put_bgp_state(st, s, base);
	}
	for (size_t i = 0; i < c->running.n_privates; i++) {
		const struct hgw_intent_private *p = &c->running.privates[i];
		const struct frr_neighbor_state *s;
		char addr[INET6_ADDRSTRLEN], base[PATH_MAX_LEN];

		if (!quotable(p->name))
			continue;
		s = neighbor_find(&nb, &p->neighbor.addr, addr, sizeof(addr));
		if (peers != NULL) {
			snprintf(peers[np].addr, sizeof(peers[np].addr), "%s", addr);
			peers[np].cls = "private";
			snprintf(peers[np].path, sizeof(peers[np].path), "%s", p->name);
			np++;
		}
		if (s == NULL)
			continue;
		snprintf(base, sizeof(base), TOP "/private-paths/private-path[name='%s']", p->name);
		put_bgp_state(st, s, base);
	}
	frr_bgp_neighbors_free(&nb);
	put_learned(st, c, peers, np);
	free(peers);
}

/* ---- private paths, forwarding, failover ---- */

static void put_carrier(struct st *st, struct coord *c)
{
	for (size_t i = 0; i < c->running.n_privates; i++) {
		const struct hgw_intent_private *p = &c->running.privates[i];
		unsigned flags;

		if (!quotable(p->name) || hgw_nl_link_flags(c->nl, p->interface, &flags) < 0)
			continue;
		/* running: up and lower up, as the failover detector reads a carrier */
		put(st, (flags & IFF_UP) && (flags & IFF_LOWER_UP) ? "true" : "false",
		    TOP "/private-paths/private-path[name='%s']/carrier", p->name);
	}
}

static void put_effective(struct st *st, struct coord *c)
{
	for (size_t i = 0; i < c->running.failover.n_watch; i++) {
		const struct watch *w = &c->watch[i];
		const struct hgw_nl_view *v = hgw_nl_watched_view(c->nl, &w->prefix);
		char pfx[HGW_NL_PREFIX_STRLEN], base[PATH_MAX_LEN];
		struct lyd_node *entry;
		static const char *const cls[] = { [FAILOVER_NONE] = "none",
						   [FAILOVER_PRIVATE] = "private",
						   [FAILOVER_VPN] = "vpn",
						   [FAILOVER_OTHER] = "other" };

		hgw_nl_prefix_format(&w->prefix, pfx, sizeof(pfx));
		snprintf(base, sizeof(base), TOP "/routes/effective[prefix='%s']", pfx);
		entry = put(st, NULL, "%s", base);
		put(st, cls[w->path.cls], "%s/path", base);
		if (w->path.cls == FAILOVER_VPN)
			put_u64(st, w->path.n_tunnels, "ecmp-width", "%s", base);
		if (v == NULL || !v->present || entry == NULL)
			continue;
		put(st, hgw_nl_prefix_format(&v->match, pfx, sizeof(pfx)), "%s/route", base);
		put_u64(st, v->protocol, "protocol", "%s", base);
		put_u64(st, v->metric, "metric", "%s", base);
		for (size_t k = 0; k < v->n_nh; k++) {
			const struct hgw_nl_nexthop *nh = &v->nh[k];
			struct lyd_node *e = NULL;
			char gw[INET6_ADDRSTRLEN];
			bool usable = !(nh->flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN));

			if (lyd_new_list(entry, NULL, "nexthop", 0, &e) != LY_SUCCESS)
				break;
			if (nh->family != AF_UNSPEC &&
			    inet_ntop(nh->family, nh->gw, gw, sizeof(gw)))
				lyd_new_term(e, NULL, "address", gw, 0, NULL);
			if (nh->ifname[0] != '\0')
				lyd_new_term(e, NULL, "interface", nh->ifname, 0, NULL);
			lyd_new_term(e, NULL, "usable", usable ? "true" : "false", 0, NULL);
		}
	}
}

static void put_events(struct st *st, struct coord *c)
{
	for (size_t i = 0;; i++) {
		const struct failover_event *ev = failover_get(&c->history, i);
		char base[PATH_MAX_LEN], when[32], from[32], to[32];

		if (ev == NULL)
			break;
		snprintf(base, sizeof(base), TOP "/failover/events/event[seq='%" PRIu64 "']",
			 ev->seq);
		put(st, ev->prefix, "%s/prefix", base);
		put(st, hgw_nc_date_and_time(ev->when.tv_sec, when, sizeof(when)), "%s/time", base);
		put(st, failover_path_str(&ev->from, from, sizeof(from)), "%s/from-path", base);
		put(st, failover_path_str(&ev->to, to, sizeof(to)), "%s/to-path", base);
		put(st, ev->cause, "%s/reason", base);
		if (ev->gap_us >= 0)
			put_u64(st, (uint64_t)ev->gap_us, "duration", "%s", base);
	}
}

int coord_state(const struct ly_ctx *ctx, struct lyd_node **tree, void *userdata)
{
	struct coord *c = userdata;
	struct st st = { .ctx = ctx, .tree = tree, .now = time(NULL) };

	put_tunnels(&st, c);
	put_bgp(&st, c);
	put_carrier(&st, c);
	put_effective(&st, c);
	put_events(&st, c);
	return st.err;
}
