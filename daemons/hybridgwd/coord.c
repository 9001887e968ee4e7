/*
 * coord.c - the coordinator: the commit transaction and the tunnels' life (coord.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libyang/libyang.h>

#include "coord.h"
#include "frr/frr_applier.h"
#include "frr/frr_apply.h"
#include "frr/frr_conf.h"
#include "intent.h"
#include "log.h"
#include "netconf.h"
#include "nl/nl.h"
#include "nl/nl_adopt.h"
#include "nl/nl_zebra.h"
#include "vici/vici_client.h"

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC 1000000ULL
/* Deadline of one charon request inside a commit, and of one FRR vty command. */
#define TXN_VICI_TIMEOUT_USEC (5 * USEC_PER_SEC)
#define FRR_TIMEOUT_MS 5000
/* How often list-sas resynchronises links with SAs, and FRR's restart watch. */
#define RESYNC_USEC (5 * USEC_PER_SEC)
#define FRR_WATCH_MS 1000
/* After a link comes up: when to check that zebra has its inside address (FRR #13288). */
#define ZEBRA_GUARD_USEC (700 * USEC_PER_MSEC)
/* Installed CHILD_SAs tracked per tunnel: one, two during a rekey, a few duplicates. */
#define MAX_CHILDREN 8

/* What the daemon knows of one running tunnel, beside its intent. */
struct rt {
	char name[HGW_INTENT_KEY_MAX + 1]; /* charon's name: the tunnel's key */
	uint32_t children[MAX_CHILDREN];   /* installed CHILD_SAs (unique ids) */
	size_t n_children;
	bool link_up;
	sd_event_source *guard;
	struct coord *c;
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
	bool listing;
	struct coord_stats stats;
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- the transaction's charon requests, on a private loop ---- */

struct txn {
	struct coord *c;
	sd_event *ev;
	struct vici_client *vc;
	int pending;
	int err;
	char errmsg[256];
	char err_text[512]; /* the first failure, for the client */
};

static void __attribute__((format(printf, 2, 3))) txn_fail(struct txn *t, const char *fmt, ...)
{
	va_list ap;

	if (t->err_text[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(t->err_text, sizeof(t->err_text), fmt, ap);
	va_end(ap);
}

static void txn_status(int err, const char *errmsg, void *userdata)
{
	struct txn *t = userdata;

	t->pending--;
	t->err = err;
	snprintf(t->errmsg, sizeof(t->errmsg), "%s", errmsg != NULL ? errmsg : "");
}

static int txn_open(struct txn *t, struct coord *c)
{
	struct vici_client_config cfg = { .socket_path = c->opts->vici_socket,
					  .timeout_usec = TXN_VICI_TIMEOUT_USEC,
					  .no_events = true };
	static const struct vici_client_ops ops = { 0 };
	int r;

	memset(t, 0, sizeof(*t));
	t->c = c;
	r = sd_event_new(&t->ev);
	if (r < 0)
		return r;
	return vici_client_new(&t->vc, t->ev, &cfg, &ops, t);
}

static void txn_close(struct txn *t)
{
	vici_client_free(t->vc);
	sd_event_unref(t->ev);
	t->vc = NULL;
	t->ev = NULL;
}

/* Run the private loop until the request answered; its status, -errno. */
static int txn_wait(struct txn *t, int submitted)
{
	if (submitted < 0) {
		t->err = submitted;
		snprintf(t->errmsg, sizeof(t->errmsg), "%s", strerror(-submitted));
		return submitted;
	}
	t->pending++;
	while (t->pending > 0) {
		int r = sd_event_run(t->ev, UINT64_MAX);

		if (r < 0)
			return r;
	}
	return t->err;
}

static const char *vici_why(const struct txn *t)
{
	if (t->err == -ETIMEDOUT || t->err == -ECONNRESET || t->err == -ECONNREFUSED ||
	    t->err == -ENOENT)
		return "charon does not answer on its VICI socket";
	return t->errmsg[0] != '\0' ? t->errmsg : strerror(-t->err);
}

/* ---- applying one tunnel's objects ---- */

static bool item_is_tunnel(const struct hgw_diff_item *it)
{
	return it->obj == HGW_OBJ_IFACE || it->obj == HGW_OBJ_CONN || it->obj == HGW_OBJ_SECRET;
}

static int iface_inside(struct coord *c, const struct hgw_intent_tunnel *t, bool *changed)
{
	struct hgw_nl_prefix p = { .family = AF_INET, .len = t->iface.inside_plen };

	memcpy(p.addr, &t->iface.inside_local, 4);
	return hgw_nl_addr_ensure(c->nl, t->iface.nl.name, &p, changed);
}

static int remove_obj(struct txn *tx, enum hgw_diff_obj obj, const struct hgw_intent_tunnel *t)
{
	struct coord *c = tx->c;
	int r;

	switch (obj) {
	case HGW_OBJ_CONN:
		/* unload-conn alone leaves established SAs running */
		txn_wait(tx, vici_client_terminate(tx->vc, t->charon.name, NULL, txn_status, tx));
		r = txn_wait(tx, vici_client_unload_conn(tx->vc, t->charon.name, txn_status, tx));
		if (r < 0 && r != -EREMOTEIO) {
			txn_fail(tx, "charon: cannot unload connection %s: %s", t->charon.name,
				 vici_why(tx));
			return r;
		}
		log_info("tunnel %s/%s: connection unloaded", t->conn, t->gw);
		return 0;
	case HGW_OBJ_SECRET:
		r = txn_wait(tx, vici_client_unload_shared(tx->vc, t->secret.id, txn_status, tx));
		if (r < 0 && r != -EREMOTEIO) {
			txn_fail(tx, "charon: cannot unload the key of %s/%s: %s", t->conn, t->gw,
				 vici_why(tx));
			return r;
		}
		return 0;
	case HGW_OBJ_IFACE:
		if (!t->iface.present)
			return 0;
		r = hgw_nl_link_delete(c->nl, t->iface.nl.name);
		if (r < 0 && r != -ENODEV) {
			txn_fail(tx, "kernel: cannot delete interface %s: %s", t->iface.nl.name,
				 strerror(-r));
			return r;
		}
		log_info("tunnel %s/%s: interface %s deleted", t->conn, t->gw, t->iface.nl.name);
		return 0;
	case HGW_OBJ_GLOBAL:
	case HGW_OBJ_NEIGHBOR: /* FRR's rendering covers neighbors, policy and BFD */
	case HGW_OBJ_PRIVATE:
	case HGW_OBJ_POLICY:
	case HGW_OBJ_FAILOVER:
		break;
	}
	return 0;
}

static int add_obj(struct txn *tx, enum hgw_diff_obj obj, const struct hgw_intent_tunnel *t)
{
	struct coord *c = tx->c;
	bool adopted = false, changed = false;
	int r;

	switch (obj) {
	case HGW_OBJ_IFACE:
		if (!t->iface.present)
			return 0;
		r = hgw_nl_tunnel_ensure(c->nl, &t->iface.nl, &adopted);
		if (r == -EEXIST) {
			txn_fail(tx,
				 "kernel: interface %s exists and is not this tunnel's: delete or "
				 "rename it, or rename connection '%s'",
				 t->iface.nl.name, t->conn);
			return r;
		}
		if (r == 0)
			r = iface_inside(c, t, &changed);
		if (r < 0) {
			txn_fail(tx, "kernel: cannot set up interface %s: %s", t->iface.nl.name,
				 strerror(-r));
			return r;
		}
		log_info("tunnel %s/%s: interface %s %s", t->conn, t->gw, t->iface.nl.name,
			 adopted ? "adopted" : "created");
		return 0;
	case HGW_OBJ_SECRET:
		r = txn_wait(tx,
			     vici_client_load_shared(tx->vc, &t->secret.shared, txn_status, tx));
		if (r < 0) {
			txn_fail(tx, "charon: cannot load the key of %s/%s: %s", t->conn, t->gw,
				 vici_why(tx));
			return r;
		}
		return 0;
	case HGW_OBJ_CONN:
		r = txn_wait(tx, vici_client_load_conn(tx->vc, &t->charon.cfg, txn_status, tx));
		if (r < 0) {
			txn_fail(tx, "charon: cannot load connection %s: %s", t->charon.name,
				 vici_why(tx));
			return r;
		}
		log_info("tunnel %s/%s: connection loaded", t->conn, t->gw);
		return 0;
	case HGW_OBJ_GLOBAL:
	case HGW_OBJ_NEIGHBOR: /* FRR's rendering covers neighbors, policy and BFD */
	case HGW_OBJ_PRIVATE:
	case HGW_OBJ_POLICY:
	case HGW_OBJ_FAILOVER:
		break;
	}
	return 0;
}

static const struct hgw_intent_tunnel *tunnel_at(const struct hgw_intent *in, size_t idx)
{
	return in != NULL && idx != HGW_DIFF_NONE && idx < in->n_tunnels ? &in->tunnels[idx] : NULL;
}

/*
 * Make the kernel and charon go from `from` to `to` along diff: removals (REMOVE and
 * re-created CHANGE) in reverse object order, then additions (ADD, re-created and
 * in-place CHANGE) in object order.  best_effort: go on after a failure (the abort).
 */
static int run_tunnels(struct txn *tx, const struct hgw_diff *d, const struct hgw_intent *from,
		       const struct hgw_intent *to, bool best_effort)
{
	int first = 0, r;

	for (size_t i = d->n; i-- > 0;) {
		const struct hgw_diff_item *it = &d->v[i];
		const struct hgw_intent_tunnel *t = tunnel_at(from, it->from_idx);

		if (!item_is_tunnel(it) || t == NULL)
			continue;
		if (it->op != HGW_DIFF_REMOVE && !(it->op == HGW_DIFF_CHANGE && it->recreate))
			continue;
		r = remove_obj(tx, it->obj, t);
		if (r < 0 && first == 0)
			first = r;
		if (r < 0 && !best_effort)
			return r;
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct hgw_diff_item *it = &d->v[i];
		const struct hgw_intent_tunnel *t = tunnel_at(to, it->to_idx);

		if (!item_is_tunnel(it) || t == NULL)
			continue;
		if (it->op != HGW_DIFF_ADD && it->op != HGW_DIFF_CHANGE)
			continue;
		r = add_obj(tx, it->obj, t);
		if (r < 0 && first == 0)
			first = r;
		if (r < 0 && !best_effort)
			return r;
	}
	return first;
}

static int render(const struct hgw_intent *in, struct frr_conf *out, char *err, size_t size)
{
	struct frr_intent fi;
	int r;

	frr_conf_init(out);
	r = hgw_intent_frr(in, NULL, &fi, err, size);
	if (r < 0)
		return r;
	r = frr_render(&fi, out, err, size);
	hgw_intent_frr_free(&fi);
	return r;
}

/* ---- runtime state per tunnel ---- */

static void rt_free_all(struct coord *c)
{
	for (size_t i = 0; c->rt != NULL && i < c->running.n_tunnels; i++)
		sd_event_source_disable_unref(c->rt[i].guard);
	free(c->rt);
	c->rt = NULL;
}

static struct rt *rt_find(struct coord *c, const char *name, size_t *idx)
{
	for (size_t i = 0; c->rt != NULL && i < c->running.n_tunnels; i++)
		if (!strcmp(c->rt[i].name, name)) {
			if (idx != NULL)
				*idx = i;
			return &c->rt[i];
		}
	return NULL;
}

/* New runtime array for `in`, carrying over what is known of kept tunnels. */
static int rt_rebuild(struct coord *c, const struct hgw_intent *in, struct rt **out)
{
	struct rt *v = calloc(in->n_tunnels + 1, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < in->n_tunnels; i++) {
		struct rt *old = rt_find(c, in->tunnels[i].charon.name, NULL);

		if (old != NULL) {
			v[i] = *old;
			v[i].guard = NULL;
		}
		snprintf(v[i].name, sizeof(v[i].name), "%s", in->tunnels[i].charon.name);
		v[i].c = c;
	}
	*out = v;
	return 0;
}

/* ---- links follow SAs ---- */

static void kick_bgp(struct coord *c, const struct hgw_intent_tunnel *t)
{
	char cmd[96], addr[INET6_ADDRSTRLEN], *out = NULL;
	size_t len;
	int r;

	if (!t->bgp ||
	    inet_ntop(t->neighbor.addr.family, &t->neighbor.addr.u, addr, sizeof(addr)) == NULL)
		return;
	/* Idle/Active waits for its connect timer; a clear starts the connect now. */
	snprintf(cmd, sizeof(cmd), "clear bgp %s", addr);
	r = frr_show(&c->frr, FRR_BGPD, cmd, &out, &len);
	free(out);
	if (r < 0)
		log_warn("tunnel %s/%s: cannot kick BGP to %s: %s", t->conn, t->gw, addr,
			 c->frr.err);
}

static int on_zebra_guard(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct rt *rt = userdata;
	struct coord *c = rt->c;
	const struct hgw_intent_tunnel *t;
	struct hgw_nl_prefix p = { .family = AF_INET };
	char *json = NULL;
	size_t idx, len;
	int r;

	(void)s;
	(void)usec;
	if (rt_find(c, rt->name, &idx) == NULL || !rt->link_up)
		return 0;
	t = &c->running.tunnels[idx];
	p.len = t->iface.inside_plen;
	memcpy(p.addr, &t->iface.inside_local, 4);
	r = frr_show(&c->frr, FRR_ZEBRA, "show ip route connected json", &json, &len);
	if (r == 0 && hgw_nl_zebra_has_connected(json, t->iface.nl.name, &p) == 0) {
		/* Nothing is routed over the tunnel yet (BGP has not come up): safe to redo. */
		log_warn("tunnel %s/%s: zebra missed the address of %s (FRR #13288): adding it "
			 "again",
			 t->conn, t->gw, t->iface.nl.name);
		r = hgw_nl_addr_reassert(c->nl, t->iface.nl.name, &p);
		if (r == 0 && t->iface.peer_route.s_addr != 0)
			r = hgw_nl_peer_route_add(c->nl, t->iface.nl.name, t->iface.peer_route);
		if (r < 0)
			log_warn_errno(r, "tunnel %s/%s: cannot re-add the address", t->conn,
				       t->gw);
		kick_bgp(c, t);
	}
	free(json);
	return 0;
}

static void set_link(struct coord *c, size_t idx, bool up, const char *reason)
{
	const struct hgw_intent_tunnel *t = &c->running.tunnels[idx];
	struct rt *rt = &c->rt[idx];
	int r;

	if (!t->iface.present || rt->link_up == up)
		return;
	r = hgw_nl_link_set_up(c->nl, t->iface.nl.name, up);
	if (r < 0) {
		log_err_errno(r, "tunnel %s/%s: cannot set %s %s", t->conn, t->gw, t->iface.nl.name,
			      up ? "up" : "down");
		return;
	}
	rt->link_up = up;
	log_notice("tunnel %s/%s: %s, link %s %s", t->conn, t->gw, reason, t->iface.nl.name,
		   up ? "up" : "down");
	netconf_notify_tunnel(c->nc, t->conn, t->gw, up ? "up" : "down", reason);
	if (!up) {
		c->stats.links_down++;
		sd_event_source_disable_unref(rt->guard);
		rt->guard = NULL;
		return;
	}
	c->stats.links_up++;
	/* The kernel refuses a route through a link that is down: add it now. */
	if (t->iface.peer_route.s_addr != 0) {
		r = hgw_nl_peer_route_add(c->nl, t->iface.nl.name, t->iface.peer_route);
		if (r < 0)
			log_err_errno(r, "tunnel %s/%s: cannot add the route to the BGP peer",
				      t->conn, t->gw);
	}
	kick_bgp(c, t);
	sd_event_source_disable_unref(rt->guard);
	rt->guard = NULL;
	r = sd_event_add_time_relative(c->event, &rt->guard, CLOCK_MONOTONIC, ZEBRA_GUARD_USEC, 0,
				       on_zebra_guard, rt);
	if (r < 0)
		log_warn_errno(r, "cannot schedule the zebra check");
}

static void rt_child_add(struct rt *rt, uint32_t id)
{
	for (size_t i = 0; i < rt->n_children; i++)
		if (rt->children[i] == id)
			return;
	if (rt->n_children < MAX_CHILDREN)
		rt->children[rt->n_children++] = id;
}

static void rt_child_del(struct rt *rt, uint32_t id)
{
	for (size_t i = 0; i < rt->n_children; i++)
		if (rt->children[i] == id) {
			rt->children[i] = rt->children[--rt->n_children];
			return;
		}
}

static void on_vici_event(struct vici_client *vc, const struct vici_event *ev, void *userdata)
{
	struct coord *c = userdata;
	struct rt *rt;
	size_t idx;

	(void)vc;
	rt = rt_find(c, ev->ike.name, &idx);
	if (rt == NULL)
		return; /* not ours */
	switch (ev->kind) {
	case VICI_EV_CHILD_UPDOWN:
		if (ev->up) {
			rt_child_add(rt, ev->child.uniqueid);
			set_link(c, idx, true, "CHILD_SA installed");
		} else {
			rt_child_del(rt, ev->child.uniqueid);
			if (rt->n_children == 0)
				set_link(c, idx, false, "CHILD_SA deleted");
		}
		break;
	case VICI_EV_CHILD_REKEY:
		/* make-before-break: the new SA is in before the old one goes */
		rt_child_del(rt, ev->child.uniqueid);
		rt_child_add(rt, ev->child_new.uniqueid);
		log_info("tunnel %s: CHILD_SA rekeyed (%u -> %u)", rt->name, ev->child.uniqueid,
			 ev->child_new.uniqueid);
		break;
	case VICI_EV_IKE_REKEY:
		log_info("tunnel %s: IKE_SA rekeyed", rt->name);
		break;
	case VICI_EV_IKE_UPDOWN:
		log_info("tunnel %s: IKE_SA %s", rt->name, ev->up ? "established" : "deleted");
		break;
	}
}

static void on_list_sas(int err, const struct vici_ike_sa *sas, size_t n, void *userdata)
{
	struct coord *c = userdata;

	c->listing = false;
	if (err < 0) {
		log_debug("list-sas failed: %s", strerror(-err));
		return;
	}
	for (size_t i = 0; i < c->running.n_tunnels; i++)
		c->rt[i].n_children = 0;
	for (size_t i = 0; i < n; i++) {
		struct rt *rt = rt_find(c, sas[i].name, NULL);

		for (size_t k = 0; rt != NULL && k < sas[i].n_children; k++)
			if (!strcmp(sas[i].children[k].state, "INSTALLED"))
				rt_child_add(rt, sas[i].children[k].uniqueid);
	}
	for (size_t i = 0; i < c->running.n_tunnels; i++) {
		struct rt *rt = &c->rt[i];
		bool want = rt->n_children > 0;

		/*
		 * A link we have not set yet (after a commit or our restart) may already be
		 * up because an earlier hybridgwd set it: read it from the kernel first.
		 */
		if (want != rt->link_up)
			set_link(c, i, want, want ? "CHILD_SA found installed" : "no CHILD_SA");
	}
}

static void resync(struct coord *c)
{
	if (c->listing || !vici_client_is_up(c->vici))
		return;
	if (vici_client_list_sas(c->vici, NULL, on_list_sas, c) == 0)
		c->listing = true;
}

static int on_resync_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct coord *c = userdata;

	resync(c);
	return sd_event_source_set_time(s, usec + RESYNC_USEC);
}

static void on_repush(int err, const char *errmsg, void *userdata)
{
	const char *what = userdata;

	if (err < 0)
		log_err("charon: re-push of %s failed: %s", what,
			errmsg != NULL && errmsg[0] ? errmsg : strerror(-err));
}

static char what_key[] = "a key", what_conn[] = "a connection";

static void on_vici_up(struct vici_client *vc, bool reconnect, void *userdata)
{
	struct coord *c = userdata;

	if (reconnect) {
		/* charon may have restarted empty: load every secret and connection again */
		log_notice("charon reconnected: loading %zu tunnel(s) again", c->running.n_tunnels);
		c->stats.charon_repushes++;
		for (size_t i = 0; i < c->running.n_tunnels; i++) {
			const struct hgw_intent_tunnel *t = &c->running.tunnels[i];

			vici_client_load_shared(vc, &t->secret.shared, on_repush, what_key);
			vici_client_load_conn(vc, &t->charon.cfg, on_repush, what_conn);
		}
	}
	resync(c);
}

static void on_vici_down(struct vici_client *vc, int err, void *userdata)
{
	(void)vc;
	(void)userdata;
	log_warn("lost charon's VICI socket: %s", strerror(-err));
}

static void on_frr_restart(void *arg, enum frr_daemon daemon)
{
	(void)arg;
	log_notice("FRR's %s restarted: configuration pushed again", frr_daemon_name(daemon));
}

static void on_frr_reapplied(void *arg, int result, const char *err,
			     const struct frr_apply_stats *stats)
{
	(void)arg;
	(void)stats;
	if (result < 0 && result != -ECANCELED)
		log_err("FRR: re-applying the configuration failed: %s", err);
}

/* The link state of our tunnel interfaces as the kernel has them (after our restart). */
static void read_links(struct coord *c)
{
	struct hgw_nl_owned owned;

	if (hgw_nl_adopt(c->nl, &owned) < 0)
		return;
	for (size_t i = 0; i < c->running.n_tunnels; i++)
		for (size_t k = 0; k < owned.n_links; k++)
			if (!strcmp(owned.links[k].name, c->running.tunnels[i].iface.nl.name))
				c->rt[i].link_up = (owned.links[k].flags & IFF_UP) != 0;
	hgw_nl_owned_free(&owned);
}

/* ---- the transaction ---- */

static void errs_add(struct hgw_nc_errors *errs, const char *msg)
{
	hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, NULL, NULL, "%s", msg);
}

int coord_apply(const struct lyd_node *from, const struct lyd_node *to, struct hgw_nc_errors *errs,
		void *userdata)
{
	struct coord *c = userdata;
	struct hgw_intent_opts opts = { .auto_kind = hgw_nl_caps(c->nl)->xfrmi ? HGW_NL_XFRMI :
										 HGW_NL_VTI };
	struct hgw_intent next;
	struct hgw_diff diff = { 0 }, back = { 0 };
	struct frr_conf want;
	struct frr_apply_stats st;
	struct txn tx;
	struct rt *rt = NULL;
	char err[1280];
	uint64_t t0 = now_usec();
	size_t changed = 0;
	int r;

	(void)from;
	r = hgw_intent_compile(to, &c->running, &opts, &next, err, sizeof(err));
	if (r < 0) {
		errs_add(errs, err);
		c->stats.failed++;
		return r;
	}
	r = render(&next, &want, err, sizeof(err));
	if (r == 0)
		r = hgw_intent_diff(&c->running, &next, &diff);
	if (r == 0)
		r = rt_rebuild(c, &next, &rt);
	if (r < 0) {
		errs_add(errs, err[0] != '\0' ? err : "cannot prepare the transaction");
		goto fail_prepare;
	}
	for (size_t i = 0; i < diff.n; i++)
		if (diff.v[i].op != HGW_DIFF_KEEP)
			changed++;

	/* 1. FRR: restores its own part when it fails */
	memset(&st, 0, sizeof(st));
	r = frr_apply(&c->frr, &want, &st);
	if (r == -ENOENT && want.n == 0) {
		/* nothing to put in an FRR that does not run (the empty startup, no FRR) */
		log_info("FRR is not running: nothing to configure there");
		r = 0;
	}
	if (r < 0) {
		snprintf(err, sizeof(err), "FRR refused the configuration: %s", c->frr.err);
		errs_add(errs, err);
		goto fail_prepare;
	}
	/* 2 and 3. charon and the kernel */
	r = txn_open(&tx, c);
	if (r < 0) {
		errs_add(errs, "cannot reach charon");
		goto undo_frr;
	}
	r = run_tunnels(&tx, &diff, &c->running, &next, false);
	if (r < 0) {
		errs_add(errs,
			 tx.err_text[0] != '\0' ? tx.err_text : "applying the tunnels failed");
		log_err("commit failed, putting everything back: %s", tx.err_text);
		if (hgw_intent_diff(&next, &c->running, &back) == 0) {
			tx.err_text[0] = '\0';
			if (run_tunnels(&tx, &back, &next, &c->running, true) < 0)
				log_err("undo incomplete: %s", tx.err_text);
		}
		hgw_diff_free(&back);
		txn_close(&tx);
		goto undo_frr;
	}
	txn_close(&tx);

	/* the new intent runs */
	rt_free_all(c);
	hgw_intent_free(&c->running);
	c->running = next;
	c->rt = rt;
	frr_conf_clear(&c->frr_want);
	c->frr_want = want;
	hgw_diff_free(&diff);
	c->stats.commits++;
	c->stats.last_commit_us = now_usec() - t0;
	log_notice("configuration applied: %zu tunnel(s), %zu private path(s), %zu object(s) "
		   "changed, FRR %zu+%zu line(s), %llu ms",
		   c->running.n_tunnels, c->running.n_privates, changed, st.sent[FRR_BGPD],
		   st.sent[FRR_BFDD], (unsigned long long)(c->stats.last_commit_us / 1000));
	frr_applier_set_applied(c->applier, &c->frr.applied);
	frr_applier_submit(c->applier, &c->frr_want, NULL, NULL);
	read_links(c);
	resync(c);
	return 0;

undo_frr:
	if (frr_apply(&c->frr, &c->frr_want, NULL) < 0)
		log_err("undo incomplete: FRR: %s", c->frr.err);
fail_prepare:
	c->stats.failed++;
	free(rt);
	hgw_diff_free(&diff);
	frr_conf_clear(&want);
	hgw_intent_free(&next);
	return r < 0 ? r : -EIO;
}

/* ---- lifecycle ---- */

void coord_set_netconf(struct coord *c, struct netconf *nc)
{
	c->nc = nc;
}

const struct coord_stats *coord_stats(const struct coord *c)
{
	return &c->stats;
}

int coord_new(sd_event *event, const struct hgwd_options *opts, struct coord **out)
{
	struct vici_client_config vcfg = { .socket_path = opts->vici_socket };
	static const struct vici_client_ops vops = {
		.up = on_vici_up,
		.down = on_vici_down,
		.event = on_vici_event,
	};
	struct hgw_nl_config ncfg = { 0 };
	struct coord *c;
	int r;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return log_err_errno(ENOMEM, "cannot start the coordinator");
	c->event = sd_event_ref(event);
	c->opts = opts;
	frr_conf_init(&c->frr_want);
	frr_client_init(&c->frr, opts->frr_rundir, FRR_TIMEOUT_MS);
	r = hgw_intent_compile(NULL, NULL, NULL, &c->running, NULL, 0);
	if (r < 0)
		goto fail;
	r = hgw_nl_new(&c->nl, event, &ncfg, NULL, c);
	if (r < 0) {
		log_err_errno(r, "cannot open netlink");
		goto fail;
	}
	r = vici_client_new(&c->vici, event, &vcfg, &vops, c);
	if (r < 0) {
		log_err_errno(r, "cannot set up the VICI client for %s", opts->vici_socket);
		goto fail;
	}
	r = frr_applier_new(event, opts->frr_rundir, FRR_TIMEOUT_MS, &c->applier);
	if (r == 0)
		r = frr_applier_watch(c->applier, FRR_WATCH_MS, true, on_frr_restart,
				      on_frr_reapplied, c);
	if (r < 0) {
		log_err_errno(r, "cannot set up the FRR applier for %s", opts->frr_rundir);
		goto fail;
	}
	r = sd_event_add_time_relative(event, &c->resync, CLOCK_MONOTONIC, RESYNC_USEC, 0,
				       on_resync_timer, c);
	if (r == 0)
		r = sd_event_source_set_enabled(c->resync, SD_EVENT_ON);
	if (r < 0)
		goto fail;
	log_info("coordinator: charon at %s, FRR in %s", opts->vici_socket, opts->frr_rundir);
	*out = c;
	return 0;
fail:
	coord_free(c);
	return r;
}

void coord_free(struct coord *c)
{
	if (c == NULL)
		return;
	sd_event_source_disable_unref(c->resync);
	rt_free_all(c);
	frr_applier_free(c->applier);
	vici_client_free(c->vici);
	hgw_nl_free(c->nl);
	frr_client_clear(&c->frr);
	frr_conf_clear(&c->frr_want);
	hgw_intent_free(&c->running);
	sd_event_unref(c->event);
	free(c);
}
