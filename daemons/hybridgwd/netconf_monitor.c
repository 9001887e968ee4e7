/*
 * netconf_monitor.c - ietf-netconf-monitoring state (netconf_monitor.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nc/nc.h"
#include "netconf_monitor.h"
#include "util.h"

#define NCM "/ietf-netconf-monitoring:netconf-state"

struct mb {
	const struct ly_ctx *ctx;
	struct lyd_node **tree;
	int err;
};

static void HGW_PRINTF(3, 4) set(struct mb *b, const char *value, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	(void)hgw_nc_state_put(b->ctx, b->tree, path, value, &b->err);
}

static void set_u32(struct mb *b, uint32_t v, const char *path)
{
	char val[16];

	snprintf(val, sizeof(val), "%" PRIu32, v);
	set(b, val, "%s", path);
}

static void counters(struct mb *b, const struct nc_mon_counters *c, const char *base)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/in-rpcs", base);
	set_u32(b, c->in_rpcs, path);
	snprintf(path, sizeof(path), "%s/in-bad-rpcs", base);
	set_u32(b, c->in_bad_rpcs, path);
	snprintf(path, sizeof(path), "%s/out-rpc-errors", base);
	set_u32(b, c->out_rpc_errors, path);
	snprintf(path, sizeof(path), "%s/out-notifications", base);
	set_u32(b, c->out_notifications, path);
}

/* Every implemented module: what get-schema can serve. */
static void schemas(struct mb *b)
{
	const struct lys_module *mod;
	uint32_t idx = 0;

	while ((mod = ly_ctx_get_module_iter(b->ctx, &idx)) != NULL) {
		char base[384];
		const char *rev = mod->revision != NULL ? mod->revision : "";

		if (!mod->implemented || strchr(mod->name, '\'') != NULL)
			continue;
		snprintf(base, sizeof(base),
			 NCM "/schemas/schema[identifier='%s'][version='%s'][format='ietf-netconf-"
			     "monitoring:yang']",
			 mod->name, rev);
		set(b, mod->ns, "%s/namespace", base);
		set(b, "NETCONF", "%s/location", base);
	}
}

int netconf_monitor_state(const struct ly_ctx *ctx, const struct nc_mon *m, struct lyd_node **tree)
{
	static const char *const ds[NC_MON_DATASTORES] = { "running", "candidate", "startup" };
	struct mb b = { .ctx = ctx, .tree = tree };
	char when[32], base[192];

	/* a state leaf-list takes no predicate: each call appends an instance */
	for (size_t i = 0; m->capabilities != NULL && m->capabilities[i] != NULL; i++)
		set(&b, m->capabilities[i], NCM "/capabilities/capability");
	for (int i = 0; i < NC_MON_DATASTORES; i++) {
		char lock[256];

		snprintf(base, sizeof(base), NCM "/datastores/datastore[name='%s']", ds[i]);
		set(&b, NULL, "%s", base);
		if (m->lock_sid[i] == 0)
			continue;
		snprintf(lock, sizeof(lock), "%s/locks/global-lock/locked-by-session", base);
		set_u32(&b, m->lock_sid[i], lock);
		set(&b, hgw_nc_date_and_time(m->lock_time[i], when, sizeof(when)),
		    "%s/locks/global-lock/locked-time", base);
	}
	schemas(&b);
	for (size_t i = 0; i < m->n_sessions; i++) {
		const struct nc_mon_session *s = &m->sessions[i];

		snprintf(base, sizeof(base), NCM "/sessions/session[session-id='%" PRIu32 "']",
			 s->sid);
		set(&b, s->transport, "%s/transport", base);
		set(&b, s->username, "%s/username", base);
		if (s->source_host != NULL)
			set(&b, s->source_host, "%s/source-host", base);
		set(&b, hgw_nc_date_and_time(s->login, when, sizeof(when)), "%s/login-time", base);
		counters(&b, &s->counters, base);
	}
	set(&b, hgw_nc_date_and_time(m->start, when, sizeof(when)),
	    NCM "/statistics/netconf-start-time");
	set_u32(&b, m->in_bad_hellos, NCM "/statistics/in-bad-hellos");
	set_u32(&b, m->in_sessions, NCM "/statistics/in-sessions");
	set_u32(&b, m->dropped_sessions, NCM "/statistics/dropped-sessions");
	counters(&b, &m->totals, NCM "/statistics");
	return b.err;
}

const char *netconf_monitor_transport(int ssh)
{
	return ssh ? "ietf-netconf-monitoring:netconf-ssh" : "hybridgw:unix-socket";
}
