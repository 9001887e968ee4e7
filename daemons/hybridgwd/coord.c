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
#include <net/if.h>

#include "coord.h"
#include "coord_internal.h"
#include "failover.h"
#include "frr/frr_applier.h"
#include "frr/frr_apply.h"
#include "frr/frr_bmp_station.h"
#include "frr/frr_conf.h"
#include "frr/frr_vty.h"
#include "intent.h"
#include "liveness.h"
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
/*
 * Metric of the backup routes.  The kernel uses the lowest metric, and zebra installs BGP
 * routes with metric 20, so the kernel forwards by a backup route only while zebra has no
 * route for the prefix.  zebra reads every kernel route into its RIB and takes the high
 * byte of its metric as the admin distance (FRR PR #1237): a plain metric (distance 0)
 * would win over BGP (20) and zebra would stop installing its own route.  Distance 250
 * keeps the backup below every protocol's route in zebra's selection too.
 */
#define BACKUP_METRIC ((250u << 24) | 4000u)
/* A deleted tunnel interface is made again this long after the event (events come in bursts). */
#define REPAIR_DELAY_USEC (100 * USEC_PER_MSEC)
/* A restarted FRR daemon gets the configuration this long after its socket reappears. */
#define FRR_REPUSH_DELAY_USEC (500 * USEC_PER_MSEC)

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
	r = vici_client_new(&t->vc, t->ev, &cfg, &ops, t);
	if (r < 0)
		t->ev = sd_event_unref(t->ev);
	return r;
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

/* list-sas on a private loop, for <get>: the SAs are copied out of the callback. */
struct sas_copy {
	struct txn *tx;
	struct vici_ike_sa *v;
	size_t n;
};

static void sas_copied(int err, const struct vici_ike_sa *sas, size_t n, void *userdata)
{
	struct sas_copy *sc = userdata;

	sc->tx->pending--;
	sc->tx->err = err;
	if (err < 0 || n == 0)
		return;
	sc->v = calloc(n, sizeof(*sc->v));
	if (sc->v == NULL) {
		sc->tx->err = -ENOMEM;
		return;
	}
	sc->n = n;
	for (size_t i = 0; i < n; i++) {
		sc->v[i] = sas[i];
		sc->v[i].children = NULL;
		sc->v[i].n_children = 0;
		if (sas[i].n_children == 0)
			continue;
		sc->v[i].children = calloc(sas[i].n_children, sizeof(*sas[i].children));
		if (sc->v[i].children == NULL) {
			sc->tx->err = -ENOMEM;
			break;
		}
		memcpy(sc->v[i].children, sas[i].children,
		       sas[i].n_children * sizeof(*sas[i].children));
		sc->v[i].n_children = sas[i].n_children;
	}
}

int coord_list_sas_sync(struct coord *c, struct vici_ike_sa **sas, size_t *n)
{
	struct txn tx;
	struct sas_copy sc = { .tx = &tx };
	int r;

	*sas = NULL;
	*n = 0;
	r = txn_open(&tx, c);
	if (r < 0)
		return r;
	r = txn_wait(&tx, vici_client_list_sas(tx.vc, NULL, sas_copied, &sc));
	txn_close(&tx);
	if (r < 0) {
		vici_ike_sas_free(sc.v, sc.n);
		return r;
	}
	*sas = sc.v;
	*n = sc.n;
	return 0;
}

/* ---- reset-connection ---- */

/* How long a reset waits for charon to delete the old SAs before it initiates. */
#define RESET_WAIT_MS 2000

static const char *rpc_leaf(const struct lyd_node *rpc, const char *name)
{
	struct lyd_node *n = NULL;

	if (lyd_find_path(rpc, name, 0, &n) != LY_SUCCESS)
		return NULL;
	return lyd_get_value(n);
}

/* Tear the tunnel's SAs down and negotiate new ones; the link follows the events. */
static int reset_tunnel(struct txn *tx, const struct hgw_intent_tunnel *t, char *err, size_t size)
{
	int r;

	/*
	 * Wait until the old SAs are being deleted (2 s at most: a dead peer does not answer the
	 * DELETE): an initiate that charon ran before that would reuse the old IKE_SA, which
	 * the deletion then takes down with the new CHILD_SA.
	 */
	r = txn_wait(tx, vici_client_terminate_wait(tx->vc, t->charon.name, RESET_WAIT_MS,
						    txn_status, tx));
	if (r < 0 && r != -EREMOTEIO) { /* "no matching SAs", "timed out": fine */
		snprintf(err, size, "charon: cannot terminate %s/%s: %s", t->conn, t->gw,
			 vici_why(tx));
		return r;
	}
	r = txn_wait(tx,
		     vici_client_initiate(tx->vc, t->charon.name, t->charon.name, txn_status, tx));
	if (r < 0) {
		snprintf(err, size, "charon: cannot initiate %s/%s: %s", t->conn, t->gw,
			 vici_why(tx));
		return r;
	}
	log_notice("tunnel %s/%s: reset by the operator: SAs terminated, initiating", t->conn,
		   t->gw);
	return 0;
}

static int reset_bgp(struct coord *c, const struct hgw_intent_tunnel *t, char *err, size_t size)
{
	char cmd[96], addr[INET6_ADDRSTRLEN], *out = NULL;
	size_t len;
	int r;

	if (!t->bgp)
		return 0;
	if (inet_ntop(t->neighbor.addr.family, &t->neighbor.addr.u, addr, sizeof(addr)) == NULL)
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "clear bgp %s", addr); /* a hard reset */
	r = frr_show(&c->frr, FRR_BGPD, cmd, &out, &len);
	free(out);
	if (r < 0) {
		snprintf(err, size, "bgpd: cannot reset the session with %s: %s", addr,
			 c->frr.err[0] != '\0' ? c->frr.err : strerror(-r));
		return r;
	}
	log_notice("tunnel %s/%s: BGP session with %s reset by the operator", t->conn, t->gw, addr);
	return 0;
}

int coord_action(const struct lyd_node *rpc, char *err, size_t size, void *userdata)
{
	struct coord *c = userdata;
	const char *conn = rpc_leaf(rpc, "connection"), *gw = rpc_leaf(rpc, "gateway");
	const char *scope = rpc_leaf(rpc, "scope");
	bool tunnel = scope == NULL || !strcmp(scope, "tunnel");
	struct txn tx;
	size_t matched = 0;
	int r = 0;

	if (strcmp(LYD_NAME(rpc), "reset-connection") != 0) {
		snprintf(err, size, "%s is not implemented.", LYD_NAME(rpc));
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; conn != NULL && i < c->running.n_tunnels; i++)
		if (!strcmp(c->running.tunnels[i].conn, conn) &&
		    (gw == NULL || !strcmp(c->running.tunnels[i].gw, gw)))
			matched++;
	if (matched == 0) {
		snprintf(err, size, "No tunnel to reset: connection %s%s%s is not running.",
			 conn != NULL ? conn : "?", gw != NULL ? " has no gateway " : "",
			 gw != NULL ? gw : "");
		return -EINVAL;
	}
	if (tunnel) {
		r = txn_open(&tx, c);
		if (r < 0) {
			snprintf(err, size, "charon: %s", strerror(-r));
			return r;
		}
	}
	for (size_t i = 0; r >= 0 && i < c->running.n_tunnels; i++) {
		const struct hgw_intent_tunnel *t = &c->running.tunnels[i];

		if (strcmp(t->conn, conn) != 0 || (gw != NULL && strcmp(t->gw, gw) != 0))
			continue;
		r = tunnel ? reset_tunnel(&tx, t, err, size) : reset_bgp(c, t, err, size);
	}
	if (tunnel)
		txn_close(&tx);
	return r < 0 ? r : 0;
}

/* ---- applying one tunnel's objects ---- */

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

static int add_obj(struct txn *tx, enum hgw_diff_obj obj, const struct hgw_intent_tunnel *t,
		   bool *created)
{
	struct coord *c = tx->c;
	bool adopted = false, changed = false;
	int r;

	*created = false;
	switch (obj) {
	case HGW_OBJ_IFACE:
		if (!t->iface.present)
			return 0;
		r = hgw_nl_tunnel_ensure(c->nl, &t->iface.nl, &adopted);
		*created = r == 0 && !adopted;
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
			/* not in the journal: what this step made, it takes away itself */
			if (*created)
				hgw_nl_link_delete(c->nl, t->iface.nl.name);
			*created = false;
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
 * What a transaction did, so that an abort undoes exactly that: nothing it did not do
 * (an interface that was someone else's, a key it never loaded) is touched.
 */
enum step_kind {
	STEP_ADDED,   /* t_new is there now; iface_created: the interface was made, not adopted */
	STEP_REMOVED, /* t_old was removed */
	STEP_CHANGED, /* t_old was replaced by t_new in place */
};

struct step {
	enum step_kind kind;
	enum hgw_diff_obj obj;
	const struct hgw_intent_tunnel *t_old, *t_new;
	bool iface_created;
};

struct journal {
	struct step *v;
	size_t n;
};

static int journal_add(struct journal *j, const struct step *s)
{
	struct step *v = realloc(j->v, (j->n + 1) * sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	j->v = v;
	j->v[j->n++] = *s;
	return 0;
}

/* Removals and re-creations take objects away in this order; additions in the reverse. */
static const enum hgw_diff_obj remove_order[] = { HGW_OBJ_CONN, HGW_OBJ_SECRET, HGW_OBJ_IFACE };

/*
 * Make the kernel and charon go from `from` to `to` along diff: first every REMOVE and
 * re-created CHANGE (connection, then key, then interface), then every ADD, re-creation
 * and in-place CHANGE (interface, key, connection: charon starts a connection as soon as
 * it is loaded, so its key must be there first).  Each step done goes into the journal.
 */
static int run_tunnels(struct txn *tx, const struct hgw_diff *d, const struct hgw_intent *from,
		       const struct hgw_intent *to, struct journal *j)
{
	int r;

	for (size_t k = 0; k < ARRAY_SIZE(remove_order); k++)
		for (size_t i = d->n; i-- > 0;) {
			const struct hgw_diff_item *it = &d->v[i];
			const struct hgw_intent_tunnel *t = tunnel_at(from, it->from_idx);

			if (it->obj != remove_order[k] || t == NULL ||
			    (it->op != HGW_DIFF_REMOVE &&
			     !(it->op == HGW_DIFF_CHANGE && it->recreate)))
				continue;
			r = remove_obj(tx, it->obj, t);
			if (r == 0)
				r = journal_add(j, &(struct step){ .kind = STEP_REMOVED,
								   .obj = it->obj,
								   .t_old = t });
			if (r < 0)
				return r;
		}
	for (size_t k = ARRAY_SIZE(remove_order); k-- > 0;)
		for (size_t i = 0; i < d->n; i++) {
			const struct hgw_diff_item *it = &d->v[i];
			const struct hgw_intent_tunnel *t = tunnel_at(to, it->to_idx);
			bool in_place = it->op == HGW_DIFF_CHANGE && !it->recreate;
			bool created = false;

			if (it->obj != remove_order[k] || t == NULL ||
			    (it->op != HGW_DIFF_ADD && it->op != HGW_DIFF_CHANGE))
				continue;
			r = add_obj(tx, it->obj, t, &created);
			if (r == 0)
				r = journal_add(
					j, &(struct step){ .kind = in_place ? STEP_CHANGED :
									      STEP_ADDED,
							   .obj = it->obj,
							   .t_old = tunnel_at(from, it->from_idx),
							   .t_new = t,
							   .iface_created = created });
			if (r < 0)
				return r;
		}
	return 0;
}

/* Undo the journal, newest step first; go on after failures (logged). */
static void undo_tunnels(struct txn *tx, const struct journal *j)
{
	for (size_t i = j->n; i-- > 0;) {
		const struct step *s = &j->v[i];
		bool created;
		int r = 0;

		tx->err_text[0] = '\0';
		switch (s->kind) {
		case STEP_ADDED:
			/* an adopted interface was there before: it stays */
			if (s->obj != HGW_OBJ_IFACE || s->iface_created)
				r = remove_obj(tx, s->obj, s->t_new);
			break;
		case STEP_REMOVED:
		case STEP_CHANGED:
			r = add_obj(tx, s->obj, s->t_old, &created);
			break;
		}
		if (r < 0)
			log_err("undo incomplete: %s", tx->err_text);
	}
}

/*
 * Whether bgpd can take our BMP target: it needs the bmp module (-M bmp), without which it
 * refuses the block and the whole apply.  Asked once per bgpd: at the first transaction it
 * answers (a bgpd that is not running is asked again next time) and after it restarts.
 */
static const struct frr_bmp_target *bmp_target(struct coord *c)
{
	char *out = NULL;
	size_t len;
	int r;

	if (c->bmp == NULL)
		return NULL;
	if (c->bmp_module == BMP_MODULE_UNKNOWN) {
		r = frr_show(&c->frr, FRR_BGPD, "show bmp", &out, &len);
		free(out);
		if (r == 0) {
			c->bmp_module = BMP_MODULE_YES;
			log_info("BGP sessions followed over BMP (127.0.0.1:%u)",
				 c->bmp_target.port);
		} else if (r == -EINVAL) { /* bgpd answered, and does not know the command */
			c->bmp_module = BMP_MODULE_NO;
			log_warn(
				"bgpd has no BMP module (bgpd_options \"-M bmp\" in "
				"/etc/frr/daemons): BGP session changes are not logged or notified, "
				"and a failover caused by BGP or BFD is reported without its gap");
		}
	}
	return c->bmp_module == BMP_MODULE_YES ? &c->bmp_target : NULL;
}

/* FRR's configuration for in, with the neighbors of dead tunnels (rt) shut down. */
static int render(struct coord *c, const struct hgw_intent *in, const struct rt *rt,
		  struct frr_conf *out, char *err, size_t size)
{
	struct frr_intent fi;
	int r;

	frr_conf_init(out);
	r = hgw_intent_frr(in, bmp_target(c), &fi, err, size);
	if (r < 0)
		return r;
	for (size_t i = 0; rt != NULL && i < in->n_tunnels; i++) {
		const struct frr_addr *a = &in->tunnels[i].neighbor.addr;

		for (size_t k = 0; rt[i].dead && in->tunnels[i].bgp && k < fi.n_neighbors; k++)
			if (fi.neighbors[k].addr.family == a->family &&
			    !memcmp(&fi.neighbors[k].addr.u, &a->u, sizeof(a->u)))
				fi.neighbors[k].shutdown = true;
	}
	r = frr_render(&fi, out, err, size);
	hgw_intent_frr_free(&fi);
	return r;
}

/* ---- runtime state per tunnel ---- */

static void rt_free_all(struct coord *c)
{
	for (size_t i = 0; c->rt != NULL && i < c->running.n_tunnels; i++) {
		sd_event_source_disable_unref(c->rt[i].guard);
		liveness_free(c->rt[i].probe);
	}
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
			/* probes are started again for the new intent (its settings may differ) */
			v[i].probe = NULL;
		}
		snprintf(v[i].name, sizeof(v[i].name), "%s", in->tunnels[i].charon.name);
		v[i].c = c;
	}
	*out = v;
	return 0;
}

/* ---- causes, FRR refresh, liveness ---- */

static void __attribute__((format(printf, 5, 6)))
set_cause(struct coord *c, enum failover_cause_kind kind, const char *subject, uint64_t at,
	  const char *fmt, ...)
{
	char text[FAILOVER_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	failover_cause_set(c->causes, kind, subject, at, text);
}

/* Apply the running intent's rendering again (a tunnel died or recovered, FRR restarted). */
static void frr_refresh(struct coord *c, const char *why)
{
	struct frr_conf want;
	char err[512];
	int r;

	r = render(c, &c->running, c->rt, &want, err, sizeof(err));
	if (r == 0)
		r = frr_apply(&c->frr, &want, NULL);
	c->frr_dirty = r < 0;
	if (r < 0) {
		log_err("FRR: cannot apply the configuration (%s; tried again every 5 s): %s", why,
			err[0] != '\0' && r == -EINVAL && c->frr.err[0] == '\0' ? err : c->frr.err);
		frr_conf_clear(&want);
		return;
	}
	frr_conf_clear(&c->frr_want);
	c->frr_want = want;
}

static void backup_refresh(struct coord *c);

static void on_liveness(void *arg, bool alive, uint64_t at)
{
	struct rt *rt = arg;
	struct coord *c = rt->c;
	size_t idx;
	const struct hgw_intent_tunnel *t;

	if (rt_find(c, rt->name, &idx) == NULL)
		return;
	t = &c->running.tunnels[idx];
	rt->dead = !alive;
	if (alive) {
		set_cause(c, FAILOVER_CAUSE_TUNNEL_UP, t->charon.name, at,
			  "tunnel %s/%s alive again", t->conn, t->gw);
		log_notice("tunnel %s/%s: probes answered for the hold-down (%u s): back into ECMP",
			   t->conn, t->gw, c->running.failover.hold_down_s);
	} else {
		set_cause(c, FAILOVER_CAUSE_TUNNEL_DOWN, t->charon.name, at,
			  "tunnel %s/%s dead (liveness)", t->conn, t->gw);
		log_notice("tunnel %s/%s: no probe answered for %u x %u ms: out of ECMP (BGP "
			   "neighbor shut down)",
			   t->conn, t->gw, c->running.failover.probe_multiplier,
			   c->running.failover.probe_interval_ms);
	}
	netconf_notify_tunnel(c->nc, t->conn, t->gw, alive ? "up" : "dead",
			      alive ? "liveness probes answered" : "liveness probes lost");
	/* out of the backup route first: it is the kernel's own fallback */
	backup_refresh(c);
	frr_refresh(c, alive ? "tunnel alive" : "tunnel dead");
}

/* Forget a dead verdict (the link is down, a new SA is judged afresh): its neighbor back. */
static void clear_dead(struct coord *c, struct rt *rt, const char *why)
{
	if (!rt->dead)
		return;
	rt->dead = false;
	frr_refresh(c, why);
}

static void probe_stop(struct rt *rt)
{
	liveness_free(rt->probe);
	rt->probe = NULL;
}

static void probe_start(struct coord *c, size_t idx)
{
	const struct hgw_intent_tunnel *t = &c->running.tunnels[idx];
	const struct hgw_intent_failover *f = &c->running.failover;
	struct rt *rt = &c->rt[idx];
	struct liveness_config cfg = {
		.ifname = t->iface.nl.name,
		.src = t->iface.inside_local,
		.dst = t->neighbor.addr.u.v4,
		.interval_ms = f->probe_interval_ms,
		.multiplier = f->probe_multiplier,
		.hold_down_ms = f->hold_down_s * 1000,
		.ident = (uint16_t)(0x4700 + idx),
		.start_down = rt->dead,
	};
	int r;

	if (rt->probe != NULL || !t->bgp || !t->iface.present ||
	    t->neighbor.addr.family != AF_INET || f->probe_interval_ms == 0)
		return;
	r = liveness_new(c->event, &cfg, on_liveness, rt, &rt->probe);
	if (r < 0)
		log_warn_errno(r, "tunnel %s/%s: no liveness probe", t->conn, t->gw);
}

/* ---- backup routes ---- */

/*
 * For every watched prefix, a route of our own (protocol 240, metric BACKUP_METRIC) over
 * every tunnel whose link is up and whose probe does not say dead.  The kernel falls to it
 * the moment the private path's route goes (carrier loss), before bgpd and zebra have
 * computed the tunnels' ECMP route, which then replaces it with the same nexthops.
 */
static void backup_refresh(struct coord *c)
{
	for (size_t w = 0; c->watch != NULL && w < c->running.failover.n_watch; w++) {
		struct hgw_nl_route r = { .dst = c->watch[w].prefix, .metric = BACKUP_METRIC };
		bool changed = false;
		int e;

		for (size_t i = 0; i < c->running.n_tunnels && r.n_nh < HGW_NL_MAX_NH; i++) {
			const struct hgw_intent_tunnel *t = &c->running.tunnels[i];
			struct hgw_nl_nexthop *nh = &r.nh[r.n_nh];

			if (!t->bgp || !t->iface.present || !c->rt[i].link_up || c->rt[i].dead ||
			    t->neighbor.addr.family != AF_INET)
				continue;
			nh->family = AF_INET;
			memcpy(nh->gw, &t->neighbor.addr.u.v4, 4);
			snprintf(nh->ifname, sizeof(nh->ifname), "%s", t->iface.nl.name);
			nh->weight = 1;
			r.n_nh++;
		}
		if (r.n_nh == 0) {
			e = hgw_nl_route_delete(c->nl, &r);
			changed = e == 0;
			if (e == -ESRCH)
				e = 0;
		} else {
			e = hgw_nl_route_ensure(c->nl, &r, &changed);
		}
		if (e < 0)
			log_warn_errno(e, "cannot set the backup route of a watched prefix");
		else if (changed)
			log_info("backup route of a watched prefix: %zu tunnel(s)", r.n_nh);
	}
}

/* Delete the backup routes of old watches that the running intent does not watch. */
static void backup_remove(struct coord *c, const struct watch *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct hgw_nl_route r = { .dst = w[i].prefix, .metric = BACKUP_METRIC };
		bool kept = false;
		int e;

		for (size_t k = 0; k < c->running.failover.n_watch; k++)
			kept = kept || (w[i].prefix.len == c->running.failover.watch[k].len &&
					!memcmp(w[i].prefix.addr,
						&c->running.failover.watch[k].addr.u.v4, 4));
		if (kept)
			continue;
		e = hgw_nl_route_delete(c->nl, &r);

		if (e < 0 && e != -ESRCH)
			log_warn_errno(e, "cannot delete a backup route");
	}
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

	if (!t->iface.present)
		return;
	if (rt->link_up == up) {
		/* down already (made again, or down from outside): a clean verdict later */
		if (!up)
			clear_dead(c, rt, "dead tunnel's link down");
		return;
	}
	r = hgw_nl_link_set_up(c->nl, t->iface.nl.name, up);
	if (r < 0) {
		log_err_errno(r, "tunnel %s/%s: cannot set %s %s", t->conn, t->gw, t->iface.nl.name,
			      up ? "up" : "down");
		return;
	}
	rt->link_up = up;
	if (up)
		clock_gettime(CLOCK_REALTIME, &rt->up_since);
	{
		struct log_fields f = { .n = 0 };

		log_fields_add(&f, "HGW_EVENT=tunnel-%s", up ? "up" : "down");
		log_fields_add(&f, "HGW_CONNECTION=%s", t->conn);
		log_fields_add(&f, "HGW_GATEWAY=%s", t->gw);
		log_fields_add(&f, "HGW_INTERFACE=%s", t->iface.nl.name);
		log_fields_add(&f, "HGW_REASON=%s", reason);
		log_event(LOG_NOTICE, f.v, "tunnel %s/%s: %s, link %s %s", t->conn, t->gw, reason,
			  t->iface.nl.name, up ? "up" : "down");
	}
	netconf_notify_tunnel(c->nc, t->conn, t->gw, up ? "up" : "down", reason);
	set_cause(c, up ? FAILOVER_CAUSE_TUNNEL_UP : FAILOVER_CAUSE_TUNNEL_DOWN, t->charon.name,
		  hgw_now_usec(), "tunnel %s/%s %s", t->conn, t->gw, reason);
	if (!up) {
		c->stats.links_down++;
		sd_event_source_disable_unref(rt->guard);
		rt->guard = NULL;
		probe_stop(rt);
		/* the link takes its routes away; a new SA starts with a clean verdict */
		clear_dead(c, rt, "dead tunnel's link down");
		backup_refresh(c);
		return;
	}
	c->stats.links_up++;
	probe_start(c, idx);
	/* The kernel refuses a route through a link that is down: add it now. */
	if (t->iface.peer_route.s_addr != 0) {
		r = hgw_nl_peer_route_add(c->nl, t->iface.nl.name, t->iface.peer_route);
		if (r < 0)
			log_err_errno(r, "tunnel %s/%s: cannot add the route to the BGP peer",
				      t->conn, t->gw);
	}
	kick_bgp(c, t);
	backup_refresh(c);
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
	rt->ev_seq++;
	rt->missing = 0;
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
		c->stats.child_rekeys++;
		log_info("tunnel %s: CHILD_SA rekeyed (%u -> %u)", rt->name, ev->child.uniqueid,
			 ev->child_new.uniqueid);
		break;
	case VICI_EV_IKE_REKEY:
		c->stats.ike_rekeys++;
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
	for (size_t i = 0; i < c->running.n_tunnels; i++) {
		struct rt *rt = &c->rt[i];
		struct rt seen = { .n_children = 0 };

		if (rt->ev_seq != rt->list_seq)
			continue; /* its events are newer than this listing */
		for (size_t k = 0; k < n; k++)
			for (size_t j = 0; !strcmp(sas[k].name, rt->name) && j < sas[k].n_children;
			     j++)
				if (vici_child_state_installed(sas[k].children[j].state))
					rt_child_add(&seen, sas[k].children[j].uniqueid);
		if (seen.n_children > 0) {
			rt->missing = 0;
			memcpy(rt->children, seen.children, sizeof(rt->children));
			rt->n_children = seen.n_children;
		} else if ((rt->n_children > 0 || rt->link_up) && ++rt->missing < 2) {
			continue; /* busy in charon (a rekey), or really gone: the next listing says
				   */
		} else {
			rt->n_children = 0;
		}
		/* rt->link_up was read from the kernel after the commit (read_links) */
		if ((rt->n_children > 0) != rt->link_up)
			set_link(c, i, rt->n_children > 0,
				 rt->n_children > 0 ? "CHILD_SA found installed" :
						      "no CHILD_SA in two listings");
	}
}

static void resync(struct coord *c)
{
	if (c->listing || !vici_client_is_up(c->vici))
		return;
	if (vici_client_list_sas(c->vici, NULL, on_list_sas, c) < 0)
		return;
	c->listing = true;
	for (size_t i = 0; i < c->running.n_tunnels; i++)
		c->rt[i].list_seq = c->rt[i].ev_seq;
}

static int on_resync_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct coord *c = userdata;

	resync(c);
	if (c->frr_dirty)
		frr_refresh(c, "retry");
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

static int on_frr_repush(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct coord *c = userdata;

	(void)src;
	(void)usec;
	frr_refresh(c, "an FRR daemon restarted");
	return 0;
}

static void on_frr_restart(void *arg, enum frr_daemon daemon)
{
	struct coord *c = arg;
	int r;

	log_notice("FRR's %s restarted: pushing the configuration again", frr_daemon_name(daemon));
	if (daemon == FRR_BGPD)
		c->bmp_module = BMP_MODULE_UNKNOWN; /* with or without the module: ask again */
	/* once, shortly: the other daemons of a restarted FRR come up around the same time */
	sd_event_source_disable_unref(c->frr_repush);
	c->frr_repush = NULL;
	r = sd_event_add_time_relative(c->event, &c->frr_repush, CLOCK_MONOTONIC,
				       FRR_REPUSH_DELAY_USEC, 0, on_frr_repush, c);
	if (r < 0)
		log_err_errno(r, "cannot schedule the FRR re-push");
}

/* ---- drift: our interfaces deleted behind our back ---- */

static bool is_tunnel_if(const struct coord *c, const char *name)
{
	for (size_t i = 0; i < c->running.n_tunnels; i++)
		if (c->running.tunnels[i].iface.present &&
		    !strcmp(c->running.tunnels[i].iface.nl.name, name))
			return true;
	return false;
}

/* Our link of that name in a dump (hgw_nl_adopt), or NULL. */
static const struct hgw_nl_owned_link *owned_link(const struct hgw_nl_owned *o, const char *name)
{
	for (size_t k = 0; k < o->n_links; k++)
		if (!strcmp(o->links[k].name, name))
			return &o->links[k];
	return NULL;
}

/*
 * Make every tunnel interface of the running intent that is missing again, and bring up
 * one that was set down from outside while its SA is installed.  (A deleted
 * event for a name that exists now is a re-creation by a commit: nothing is missing.)
 */
static int on_repair(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct coord *c = userdata;
	struct hgw_nl_owned owned;

	(void)s;
	(void)usec;
	if (hgw_nl_adopt(c->nl, &owned) < 0)
		return 0;
	for (size_t i = 0; i < c->running.n_tunnels; i++) {
		const struct hgw_intent_tunnel *t = &c->running.tunnels[i];
		const struct hgw_nl_owned_link *l = owned_link(&owned, t->iface.nl.name);
		bool adopted, changed;
		int r;

		if (!t->iface.present)
			continue;
		if (l != NULL) {
			/* set down from outside while its SA is up: up again */
			if (c->rt[i].link_up && c->rt[i].n_children > 0 && !(l->flags & IFF_UP)) {
				log_warn("tunnel %s/%s: %s was set down from outside: up again",
					 t->conn, t->gw, t->iface.nl.name);
				c->rt[i].link_up = false;
				set_link(c, i, true, "set down from outside");
			}
			continue;
		}
		log_warn("tunnel %s/%s: interface %s was deleted from outside: making it again",
			 t->conn, t->gw, t->iface.nl.name);
		probe_stop(&c->rt[i]);
		c->rt[i].link_up = false;
		clear_dead(c, &c->rt[i], "dead tunnel's interface made again");
		r = hgw_nl_tunnel_ensure(c->nl, &t->iface.nl, &adopted);
		if (r == 0)
			r = iface_inside(c, t, &changed);
		if (r < 0) {
			log_err_errno(r, "tunnel %s/%s: cannot make %s again", t->conn, t->gw,
				      t->iface.nl.name);
			continue;
		}
		if (c->rt[i].n_children > 0)
			set_link(c, i, true, "interface made again");
	}
	hgw_nl_owned_free(&owned);
	backup_refresh(c);
	return 0;
}

static void schedule_repair(struct coord *c)
{
	uint64_t now;

	if (c->repair != NULL && sd_event_source_get_enabled(c->repair, NULL) > 0)
		return;
	sd_event_source_disable_unref(c->repair);
	c->repair = NULL;
	if (sd_event_now(c->event, CLOCK_MONOTONIC, &now) < 0 ||
	    sd_event_add_time(c->event, &c->repair, CLOCK_MONOTONIC, now + REPAIR_DELAY_USEC, 0,
			      on_repair, c) < 0)
		log_err("cannot schedule the repair of a deleted interface");
}

/* ---- the failover detector ---- */

static bool is_private_if(const struct coord *c, const char *name)
{
	for (size_t i = 0; i < c->running.n_privates; i++)
		if (!strcmp(c->running.privates[i].interface, name))
			return true;
	return false;
}

static void on_nl_link(struct hgw_nl *nl, const struct hgw_nl_link_event *ev,
		       const struct hgw_nl_ts *ts, void *userdata)
{
	struct coord *c = userdata;
	bool up = !ev->deleted && (ev->flags & IFF_UP) && (ev->flags & IFF_LOWER_UP);
	uint64_t at = (uint64_t)ts->mono.tv_sec * USEC_PER_SEC + (uint64_t)ts->mono.tv_nsec / 1000;

	(void)nl;
	if (ev->ifname != NULL && is_tunnel_if(c, ev->ifname) &&
	    (ev->deleted || !(ev->flags & IFF_UP)))
		schedule_repair(c);
	if (ev->ifname == NULL || !is_private_if(c, ev->ifname))
		return;
	for (size_t i = 0; i < c->n_links; i++) {
		if (strcmp(c->links[i].name, ev->ifname) != 0)
			continue;
		if (c->links[i].up != up) {
			c->links[i].up = up;
			set_cause(c, up ? FAILOVER_CAUSE_PRIVATE_UP : FAILOVER_CAUSE_PRIVATE_DOWN,
				  ev->ifname, at, "carrier %s on %s", up ? "back" : "lost",
				  ev->ifname);
			log_notice("private path interface %s: carrier %s", ev->ifname,
				   up ? "back" : "lost");
		}
		return;
	}
	if (c->n_links < MAX_PRIVATE_LINKS) {
		snprintf(c->links[c->n_links].name, sizeof(c->links[0].name), "%s", ev->ifname);
		c->links[c->n_links++].up = up;
	}
	/* the first event of an interface: it was up before unless this says otherwise */
	if (!up) {
		set_cause(c, FAILOVER_CAUSE_PRIVATE_DOWN, ev->ifname, at, "carrier lost on %s",
			  ev->ifname);
		log_notice("private path interface %s: carrier lost", ev->ifname);
	}
}

static void on_nl_view(struct hgw_nl *nl, const struct hgw_nl_view *view,
		       const struct hgw_nl_ts *ts, void *userdata)
{
	struct coord *c = userdata;
	const char *priv[MAX_PRIVATE_LINKS], **tun;
	struct failover_path now;
	const struct failover_event *e;
	char p[HGW_NL_PREFIX_STRLEN], a[24], b[24];
	struct log_fields f = { .n = 0 };
	size_t np = 0, nt = 0;
	struct watch *w = NULL;
	uint64_t at = (uint64_t)ts->mono.tv_sec * USEC_PER_SEC + (uint64_t)ts->mono.tv_nsec / 1000;

	(void)nl;
	for (size_t i = 0; c->watch != NULL && i < c->running.failover.n_watch; i++)
		if (hgw_nl_prefix_equal(&c->watch[i].prefix, &view->prefix))
			w = &c->watch[i];
	if (w == NULL)
		return;
	tun = calloc(c->running.n_tunnels + 1, sizeof(*tun));
	if (tun == NULL)
		return;
	for (size_t i = 0; i < c->running.n_privates && np < MAX_PRIVATE_LINKS; i++)
		priv[np++] = c->running.privates[i].interface;
	for (size_t i = 0; i < c->running.n_tunnels; i++)
		if (c->running.tunnels[i].iface.present)
			tun[nt++] = c->running.tunnels[i].iface.nl.name;
	now = failover_classify(view, priv, np, tun, nt);
	free(tun);
	hgw_nl_prefix_format(&view->prefix, p, sizeof(p));
	if (!w->seen) {
		w->seen = true;
		w->path = now;
		log_info("watching %s: carried by %s", p, failover_path_str(&now, a, sizeof(a)));
		return;
	}
	if (failover_path_equal(&w->path, &now))
		return;
	e = failover_record(&c->history, p, &w->path, &now, c->causes, at, &ts->real);
	w->path = now;
	failover_path_str(&e->from, a, sizeof(a));
	failover_path_str(&e->to, b, sizeof(b));
	log_fields_add(&f, "HGW_EVENT=path-switch");
	log_fields_add(&f, "HGW_PREFIX=%s", p);
	log_fields_add(&f, "HGW_FROM=%s", a);
	log_fields_add(&f, "HGW_TO=%s", b);
	log_fields_add(&f, "HGW_CAUSE=%s", e->cause);
	if (e->gap_us >= 0) {
		log_fields_add(&f, "HGW_GAP_USEC=%lld", (long long)e->gap_us);
		log_event(LOG_NOTICE, f.v,
			  "path switch %s: %s -> %s after %s; kernel switched %.1f ms after it", p,
			  a, b, e->cause, (double)e->gap_us / 1000.0);
	} else {
		log_event(LOG_NOTICE, f.v, "path switch %s: %s -> %s (cause not seen here)", p, a,
			  b);
	}
	netconf_notify_path_switch(c->nc, a, b, e->cause, e->gap_us >= 0 ? (uint64_t)e->gap_us : 0);
}

/* Watch the running intent's prefixes (after a commit). */
static void watch_prefixes(struct coord *c, struct watch *old, size_t n_old)
{
	const struct hgw_intent_failover *f = &c->running.failover;

	for (size_t i = 0; i < n_old; i++)
		hgw_nl_unwatch(c->nl, &old[i].prefix);
	backup_remove(c, old, n_old);
	free(old);
	c->watch = calloc(f->n_watch + 1, sizeof(*c->watch));
	if (c->watch == NULL)
		return;
	for (size_t i = 0; i < f->n_watch; i++) {
		struct watch *w = &c->watch[i];

		w->prefix.family = AF_INET;
		w->prefix.len = f->watch[i].len;
		memcpy(w->prefix.addr, &f->watch[i].addr.u.v4, 4);
	}
	for (size_t i = 0; i < f->n_watch; i++) {
		int r = hgw_nl_watch(c->nl, &c->watch[i].prefix);

		if (r < 0)
			log_warn_errno(r, "cannot watch a failover prefix");
	}
}

/* The link state of our tunnel interfaces as the kernel has them (after our restart). */
static void read_links(struct coord *c)
{
	struct hgw_nl_owned owned;

	if (hgw_nl_adopt(c->nl, &owned) < 0)
		return;
	for (size_t i = 0; i < c->running.n_tunnels; i++) {
		const struct hgw_nl_owned_link *l =
			owned_link(&owned, c->running.tunnels[i].iface.nl.name);

		if (l != NULL)
			c->rt[i].link_up = (l->flags & IFF_UP) != 0;
	}
	hgw_nl_owned_free(&owned);
}

/* ---- the bgpd instance ---- */

/*
 * Whether the running configuration's "router bgp asn" block holds nothing but empty
 * address-family sections: then hybridgw's lines were all there was, and the instance
 * is ours to remove.
 */
static bool bgp_instance_empty(const char *text, uint32_t asn)
{
	char head[32];
	const char *p;
	bool in = false;

	snprintf(head, sizeof(head), "router bgp %u", asn);
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p != NULL ? p + 1 : p) {
		size_t len = strcspn(p, "\n");

		if (!in) {
			in = len == strlen(head) && !strncmp(p, head, len);
			continue;
		}
		if ((len == 4 && !strncmp(p, "exit", 4)) || (len > 0 && p[0] != ' ' && p[0] != '!'))
			return true; /* the block ended */
		if (len == 0 || p[0] == '!' || !strncmp(p, " address-family ", 16) ||
		    !strncmp(p, " exit-address-family", 20) || !strncmp(p, " !", 2))
			continue;
		return false;
	}
	return in;
}

/*
 * Take away the instance hybridgw made: the empty rendering first (removes every owned
 * line), then "no router bgp" when nothing else is in it.  An ASN change or the empty
 * configuration needs this: bgpd runs one default instance.
 */
static int bgp_instance_remove(struct coord *c, uint32_t asn, char *err, size_t size)
{
	struct frr_conf empty;
	struct frr_vty vty = { .fd = -1 };
	char path[256], cmd[48], *text = NULL;
	size_t len;
	uint8_t status = 1;
	int r;

	frr_conf_init(&empty);
	r = frr_apply(&c->frr, &empty, NULL);
	if (r < 0) {
		snprintf(err, size, "FRR: cannot remove the old configuration: %s", c->frr.err);
		return r;
	}
	r = frr_show(&c->frr, FRR_BGPD, "show running-config", &text, &len);
	if (r < 0) {
		snprintf(err, size, "FRR: cannot read bgpd's configuration: %s", c->frr.err);
		return r;
	}
	if (!bgp_instance_empty(text, asn)) {
		free(text);
		log_warn("router bgp %u holds configuration that is not hybridgw's: left alone",
			 asn);
		return 0;
	}
	free(text);
	snprintf(path, sizeof(path), "%s/bgpd.vty", c->opts->frr_rundir);
	snprintf(cmd, sizeof(cmd), "no router bgp %u", asn);
	r = frr_vty_open(&vty, path, FRR_TIMEOUT_MS);
	if (r == 0)
		r = frr_vty_cmd(&vty, "configure terminal", &status);
	if (r == 0 && status == 0)
		r = frr_vty_cmd(&vty, cmd, &status);
	if (r == 0 && status != 0)
		r = -EINVAL;
	if (r == 0)
		frr_vty_cmd(&vty, "end", &status);
	frr_vty_close(&vty);
	if (r < 0) {
		snprintf(err, size, "FRR: cannot remove router bgp %u: %s", asn, strerror(-r));
		return r;
	}
	log_notice("FRR: router bgp %u removed (hybridgw made it; the ASN changed or went)", asn);
	return 0;
}

/* ---- the transaction ---- */

static void errs_add(struct hgw_nc_errors *errs, const char *msg)
{
	hgw_nc_error_add(errs, HGW_NC_ERR_OPERATION_FAILED, NULL, NULL, "%s", msg);
}

/* ---- TCP MSS clamping ---- */

static int mss_rule_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hgw_nl_mss_rule *)a)->ifname,
		      ((const struct hgw_nl_mss_rule *)b)->ifname);
}

/*
 * Give the kernel the clamping of the intent's tunnels, as one atomic replacement (the
 * rules match interface names, so they can go in before the interfaces exist).  Nothing is
 * sent when the kernel has that set already.  A kernel without nf_tables' inet family is
 * said once and is not the configuration's fault: 0.  Else 0 or -errno with err set.
 */
static int mss_apply(struct coord *c, const struct hgw_intent *in, char *err, size_t size)
{
	struct hgw_nl_mss_rule *set = NULL;
	size_t n = 0;
	int r;

	if (c->mss == NULL || c->mss_unavailable)
		return 0;
	if (in->n_tunnels > 0) {
		set = calloc(in->n_tunnels, sizeof(*set));
		if (set == NULL)
			return -ENOMEM;
	}
	for (size_t i = 0; i < in->n_tunnels; i++) {
		const struct hgw_intent_tunnel *t = &in->tunnels[i];

		if (!t->iface.present || t->iface.mss == 0)
			continue;
		snprintf(set[n].ifname, sizeof(set[n].ifname), "%s", t->iface.nl.name);
		set[n++].mss = t->iface.mss;
	}
	if (n > 1)
		qsort(set, n, sizeof(*set), mss_rule_cmp);
	if (c->mss_applied && n == c->n_mss &&
	    (n == 0 || !memcmp(set, c->mss_set, n * sizeof(*set)))) {
		free(set);
		return 0;
	}
	r = hgw_nl_mss_apply(c->mss, set, n);
	if (r == -EOPNOTSUPP || r == -EAFNOSUPPORT) {
		log_warn("TCP MSS clamping is not available: this kernel has no nf_tables with "
			 "the inet family (%s); TCP through the tunnels is not clamped",
			 strerror(-r));
		c->mss_unavailable = true;
		free(set);
		return 0;
	}
	if (r < 0) {
		snprintf(err, size, "the kernel refused the TCP MSS clamping rules: %s",
			 strerror(-r));
		free(set);
		return r;
	}
	free(c->mss_set);
	c->mss_set = set;
	c->n_mss = n;
	c->mss_applied = true;
	if (n > 0)
		log_info("TCP MSS clamped on %zu tunnel interface(s)", n);
	return 0;
}

int coord_apply(const struct lyd_node *from, const struct lyd_node *to, struct hgw_nc_errors *errs,
		void *userdata)
{
	struct coord *c = userdata;
	struct hgw_intent_opts opts = { .auto_kind = hgw_nl_caps(c->nl)->xfrmi ? HGW_NL_XFRMI :
										 HGW_NL_VTI };
	struct hgw_intent next;
	struct hgw_diff diff = { 0 };
	struct journal journal = { 0 };
	struct frr_conf want;
	struct frr_apply_stats st;
	struct txn tx;
	struct rt *rt = NULL;
	struct watch *old_watch;
	size_t n_old_watch;
	char err[1280] = "";
	uint64_t t0 = hgw_now_usec();
	size_t changed = 0;
	int r;

	(void)from;
	frr_conf_init(&want);
	r = hgw_intent_compile(to, &c->running, &opts, &next, err, sizeof(err));
	if (r < 0) {
		errs_add(errs, err);
		c->stats.failed++;
		return r;
	}
	r = rt_rebuild(c, &next, &rt);
	if (r == 0)
		r = render(c, &next, rt, &want, err, sizeof(err));
	if (r == 0)
		r = hgw_intent_diff(&c->running, &next, &diff);
	if (r < 0) {
		errs_add(errs, err[0] != '\0' ? err : "cannot prepare the transaction");
		goto fail_prepare;
	}
	for (size_t i = 0; i < diff.n; i++)
		if (diff.v[i].op != HGW_DIFF_KEEP)
			changed++;

	/* 0. the kernel's TCP MSS clamping: one atomic batch, nothing to undo if it fails */
	r = mss_apply(c, &next, err, sizeof(err));
	if (r < 0) {
		errs_add(errs, err);
		goto fail_prepare;
	}
	/* 1. FRR: restores its own part when it fails */
	memset(&st, 0, sizeof(st));
	if (c->running.global.local_asn != 0 &&
	    c->running.global.local_asn != next.global.local_asn) {
		r = bgp_instance_remove(c, c->running.global.local_asn, err, sizeof(err));
		if (r < 0) {
			errs_add(errs, err);
			goto undo_frr;
		}
	}
	r = frr_apply(&c->frr, &want, &st);
	if (r == -ENOENT && want.n == 0) {
		/* nothing to put in an FRR that does not run (the empty startup, no FRR) */
		log_info("FRR is not running: nothing to configure there");
		r = 0;
	}
	if (r < 0) {
		snprintf(err, sizeof(err), "FRR refused the configuration: %s", c->frr.err);
		errs_add(errs, err);
		goto undo_frr; /* a no-op unless the old instance was removed above */
	}
	/* 2 and 3. charon and the kernel */
	r = txn_open(&tx, c);
	if (r < 0) {
		errs_add(errs, "cannot reach charon");
		goto undo_frr;
	}
	r = run_tunnels(&tx, &diff, &c->running, &next, &journal);
	if (r < 0) {
		errs_add(errs,
			 tx.err_text[0] != '\0' ? tx.err_text : "applying the tunnels failed");
		log_err("commit failed, putting everything back: %s", tx.err_text);
		undo_tunnels(&tx, &journal);
		free(journal.v);
		txn_close(&tx);
		goto undo_frr;
	}
	free(journal.v);
	txn_close(&tx);

	/* the new intent runs */
	old_watch = c->watch;
	n_old_watch = c->running.failover.n_watch;
	rt_free_all(c);
	hgw_intent_free(&c->running);
	c->running = next;
	c->rt = rt;
	c->watch = NULL;
	watch_prefixes(c, old_watch, n_old_watch);
	frr_conf_clear(&c->frr_want);
	c->frr_want = want;
	hgw_diff_free(&diff);
	c->stats.commits++;
	c->stats.last_commit_us = hgw_now_usec() - t0;
	log_notice("configuration applied: %zu tunnel(s), %zu private path(s), %zu object(s) "
		   "changed, FRR %zu+%zu line(s), %llu ms",
		   c->running.n_tunnels, c->running.n_privates, changed, st.sent[FRR_BGPD],
		   st.sent[FRR_BFDD], (unsigned long long)(c->stats.last_commit_us / 1000));
	read_links(c);
	for (size_t i = 0; i < c->running.n_tunnels; i++)
		if (c->rt[i].link_up)
			probe_start(c, i);
	backup_refresh(c);
	resync(c);
	return 0;

undo_frr:
	if (frr_apply(&c->frr, &c->frr_want, NULL) < 0)
		log_err("undo incomplete: FRR: %s", c->frr.err);
	if (mss_apply(c, &c->running, err, sizeof(err)) < 0)
		log_err("undo incomplete: %s", err);
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

/* ---- BGP sessions, from bgpd's BMP connection ---- */

static const char *bmp_down_reason(const struct frr_bmp_peer_down *d, char *buf, size_t size)
{
	switch (d->reason) {
	case FRR_BMP_DOWN_LOCAL_NOTIFY:
		snprintf(buf, size, "we sent NOTIFICATION %u/%u", d->code, d->subcode);
		break;
	case FRR_BMP_DOWN_LOCAL_FSM:
		snprintf(buf, size, "closed here, FSM event %u", d->fsm_event);
		break;
	case FRR_BMP_DOWN_REMOTE_NOTIFY:
		snprintf(buf, size, "the peer sent NOTIFICATION %u/%u", d->code, d->subcode);
		break;
	case FRR_BMP_DOWN_REMOTE_CLOSE:
		snprintf(buf, size, "the peer closed the connection");
		break;
	case FRR_BMP_DOWN_DECONFIGURED:
		snprintf(buf, size, "deconfigured");
		break;
	default:
		snprintf(buf, size, "reason %u", d->reason);
	}
	return buf;
}

static bool addr_equal(const struct frr_addr *a, const struct frr_addr *b)
{
	return a->family == b->family &&
	       !memcmp(&a->u, &b->u, a->family == AF_INET ? sizeof(a->u.v4) : sizeof(a->u.v6));
}

static void on_bmp_peer(struct coord *c, const struct frr_bmp_msg *msg, bool up)
{
	const char *cls = NULL, *subject = NULL;
	char path[2 * HGW_INTENT_NAME_MAX + 2], addr[INET6_ADDRSTRLEN], why[96] = "";
	struct log_fields f = { .n = 0 };
	bool priv = false;
	uint64_t now = hgw_now_usec();

	if (!msg->has_peer ||
	    inet_ntop(msg->peer.addr.family, &msg->peer.addr.u, addr, sizeof(addr)) == NULL)
		return;
	for (size_t i = 0; cls == NULL && i < c->running.n_tunnels; i++) {
		const struct hgw_intent_tunnel *t = &c->running.tunnels[i];

		if (t->bgp && addr_equal(&t->neighbor.addr, &msg->peer.addr)) {
			cls = "tunnel";
			subject = t->charon.name; /* as the tunnel's link and probe say it */
			snprintf(path, sizeof(path), "%s/%s", t->conn, t->gw);
		}
	}
	for (size_t i = 0; cls == NULL && i < c->running.n_privates; i++) {
		const struct hgw_intent_private *p = &c->running.privates[i];

		if (addr_equal(&p->neighbor.addr, &msg->peer.addr)) {
			cls = "private";
			subject = p->interface; /* as its carrier says it */
			priv = true;
			snprintf(path, sizeof(path), "%s", p->name);
		}
	}
	if (cls == NULL)
		return; /* not a session of ours */
	if (!up)
		bmp_down_reason(&msg->u.down, why, sizeof(why));
	log_fields_add(&f, "HGW_EVENT=bgp-%s", up ? "up" : "down");
	log_fields_add(&f, "HGW_PEER=%s", addr);
	log_fields_add(&f, "HGW_PATH_CLASS=%s", cls);
	log_fields_add(&f, "HGW_PATH=%s", path);
	if (!up)
		log_fields_add(&f, "HGW_REASON=%s", why);
	log_event(LOG_NOTICE, f.v, "BGP session with %s (%s %s) %s%s%s", addr, cls, path,
		  up ? "established" : "down", up ? "" : ": ", why);
	netconf_notify_bgp_peer(c->nc, addr, cls, path, up ? "openconfirm" : "established",
				up ? "established" : "idle");
	if (up)
		set_cause(c, priv ? FAILOVER_CAUSE_PRIVATE_UP : FAILOVER_CAUSE_TUNNEL_UP, subject,
			  now, "BGP with %s established", addr);
	else
		set_cause(c, priv ? FAILOVER_CAUSE_PRIVATE_DOWN : FAILOVER_CAUSE_TUNNEL_DOWN,
			  subject, now, "BGP with %s down (%s)", addr, why);
}

static void on_bmp_peer_up(void *arg, const struct frr_bmp_msg *msg)
{
	on_bmp_peer(arg, msg, true);
}

static void on_bmp_peer_down(void *arg, const struct frr_bmp_msg *msg)
{
	on_bmp_peer(arg, msg, false);
}

/*
 * bgpd's BMP connection ended.  A message we cannot read ends it, and bgpd reconnects and
 * sends it again, each second: say so, but not each second.
 */
static void on_bmp_closed(void *arg, int error)
{
	static unsigned long bad;

	(void)arg;
	if (error != 0 && bad++ % 100 == 0)
		log_warn_errno(error,
			       "bgpd's BMP connection closed (%lu times so far): BGP session "
			       "changes are missed until it stays up",
			       bad);
}

static void bmp_start(struct coord *c)
{
	static const struct frr_bmp_station_ops ops = {
		.peer_up = on_bmp_peer_up,
		.peer_down = on_bmp_peer_down,
		.closed = on_bmp_closed,
	};
	int r = frr_bmp_station_new(c->event, "127.0.0.1", HGWD_BMP_PORT, &ops, c, &c->bmp);

	if (r < 0) {
		log_warn_errno(r,
			       "no BMP station on 127.0.0.1:%u: BGP session changes are not "
			       "followed",
			       HGWD_BMP_PORT);
		return;
	}
	snprintf(c->bmp_target.name, sizeof(c->bmp_target.name), "hybridgwd");
	c->bmp_target.addr.family = AF_INET;
	c->bmp_target.addr.u.v4.s_addr = htonl(INADDR_LOOPBACK);
	c->bmp_target.port = HGWD_BMP_PORT;
	/*
	 * bgpd wants something to monitor: the post-policy table (what policy accepted), which
	 * the station decodes and drops for now.  Back soon after a restart of ours.
	 */
	c->bmp_target.post_policy = true;
	c->bmp_target.min_retry_ms = 1000;
	c->bmp_target.max_retry_ms = 5000;
}

int coord_new(sd_event *event, const struct hgwd_options *opts, struct coord **out)
{
	struct vici_client_config vcfg = { .socket_path = opts->vici_socket };
	static const struct vici_client_ops vops = {
		.up = on_vici_up,
		.down = on_vici_down,
		.event = on_vici_event,
	};
	static const struct hgw_nl_ops nops = {
		.view = on_nl_view,
		.link = on_nl_link,
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
	r = hgw_nl_new(&c->nl, event, &ncfg, &nops, c);
	if (r < 0) {
		log_err_errno(r, "cannot open netlink");
		goto fail;
	}
	if (hgw_nl_mss_new(&c->mss) < 0)
		log_warn("cannot open nf_tables over netlink: TCP through the tunnels is not "
			 "MSS-clamped");
	r = vici_client_new(&c->vici, event, &vcfg, &vops, c);
	if (r < 0) {
		log_err_errno(r, "cannot set up the VICI client for %s", opts->vici_socket);
		goto fail;
	}
	r = frr_applier_new(event, opts->frr_rundir, FRR_TIMEOUT_MS, &c->applier);
	if (r == 0)
		r = frr_applier_watch(c->applier, FRR_WATCH_MS, false, on_frr_restart, NULL, c);
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
	bmp_start(c);
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
	sd_event_source_disable_unref(c->frr_repush);
	sd_event_source_disable_unref(c->repair);
	rt_free_all(c);
	free(c->watch);
	frr_applier_free(c->applier);
	frr_bmp_station_free(c->bmp);
	vici_client_free(c->vici);
	hgw_nl_free(c->nl);
	hgw_nl_mss_free(c->mss);
	free(c->mss_set);
	frr_client_clear(&c->frr);
	frr_conf_clear(&c->frr_want);
	hgw_intent_free(&c->running);
	sd_event_unref(c->event);
	free(c);
}
