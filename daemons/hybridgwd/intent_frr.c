/*
 * intent_frr.c - the FRR part of an intent: path classes, neighbors, BFD, networks.
 *
 * One class per connection and per private path, so that each peer's policy (its prefix
 * lists, prepend and max-prefix) is its own route-map pair in FRR, and changing one
 * connection's policy re-renders only that class's lines (lib/frr applies deltas).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intent.h"

/* Local preference of the preferred class of path and of the other one. */
#define PREF_HIGH 200
#define PREF_LOW 100

static int __attribute__((format(printf, 3, 4))) fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct hgw_intent_peer_policy *peer_policy(const struct hgw_intent *in,
							bool private_path, const char *peer)
{
	for (size_t i = 0; i < in->policy.n_peers; i++) {
		const struct hgw_intent_peer_policy *p = &in->policy.peers[i];

		if (p->private_path == private_path && !strcmp(p->peer, peer))
			return p;
	}
	return NULL;
}

static const struct hgw_intent_prefix_list *prefix_list(const struct hgw_intent *in,
							const char *name)
{
	for (size_t i = 0; i < in->policy.n_prefix_lists; i++)
		if (!strcmp(in->policy.prefix_lists[i].name, name))
			return &in->policy.prefix_lists[i];
	return NULL;
}

/* A prefix list as the permit set lib/frr renders; what it cannot say is an error. */
static int prefix_set(const struct hgw_intent *in, const char *list, const char *peer,
		      struct frr_prefix_set *out, char *err, size_t size)
{
	const struct hgw_intent_prefix_list *pl;

	if (list[0] == '\0')
		return 0;
	pl = prefix_list(in, list);
	if (pl == NULL)
		return fail(err, size, "%s: prefix-list '%s' does not exist", peer, list);
	out->v = calloc(pl->n + 1, sizeof(*out->v));
	if (out->v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < pl->n; i++) {
		const struct hgw_intent_prefix_entry *e = &pl->v[i];

		if (e->deny || e->ge != 0)
			return fail(err, size,
				    "%s: prefix-list '%s' entry %u: deny entries and 'ge' are not "
				    "supported yet; list the permitted prefixes with 'le' instead",
				    peer, list, e->seq);
		out->v[out->n++] = e->prefix;
	}
	return 0;
}

static int fill_class(const struct hgw_intent *in, struct frr_path_class *c, bool private_path,
		      const char *peer, const char *bfd_profile, char *err, size_t size)
{
	const struct hgw_intent_peer_policy *p = peer_policy(in, private_path, peer);
	bool preferred = private_path == in->policy.prefer_private;
	int r;

	snprintf(c->name, sizeof(c->name), "%s-%s", private_path ? "P" : "V", peer);
	c->local_pref = preferred ? PREF_HIGH : PREF_LOW;
	if (bfd_profile != NULL && bfd_profile[0] != '\0') {
		c->bfd = true;
		snprintf(c->bfd_profile, sizeof(c->bfd_profile), "%s", bfd_profile);
	}
	if (p == NULL)
		return 0;
	if (p->import_as_path_filter[0] != '\0')
		return fail(err, size,
			    "%s: import-as-path-filter is not supported yet: remove it from the "
			    "peer's policy",
			    peer);
	c->prepend = p->prepend;
	c->max_prefix = p->max_prefix;
	r = prefix_set(in, p->import_prefix_list, peer, &c->accept, err, size);
	if (r == 0)
		r = prefix_set(in, p->export_prefix_list, peer, &c->advertise, err, size);
	return r;
}

int hgw_intent_frr(const struct hgw_intent *in, const struct frr_bmp_target *bmp,
		   struct frr_intent *out, char *err, size_t err_size)
{
	size_t n_classes = 0, n_nb = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (err_size > 0)
		err[0] = '\0';
	out->asn = in->global.local_asn;
	if (out->asn == 0)
		return 0;
	out->router_id = in->global.router_id;
	out->maximum_paths = in->policy.maximum_paths;
	/* Both Azure instances share one ASN, but generic peers may not. */
	out->multipath_relax = true;
	if (bmp != NULL)
		out->bmp = *bmp;
	out->networks.v = calloc(in->policy.n_originate + 1, sizeof(*out->networks.v));
	out->bfd_profiles = calloc(in->failover.n_bfd_profiles + 1, sizeof(*out->bfd_profiles));
	/* At most one class per tunnel and per private path. */
	out->classes = calloc(in->n_tunnels + in->n_privates + 1, sizeof(*out->classes));
	out->neighbors = calloc(in->n_tunnels + in->n_privates + 1, sizeof(*out->neighbors));
	if (out->networks.v == NULL || out->bfd_profiles == NULL || out->classes == NULL ||
	    out->neighbors == NULL) {
		hgw_intent_frr_free(out);
		return -ENOMEM;
	}
	memcpy(out->networks.v, in->policy.originate,
	       in->policy.n_originate * sizeof(*out->networks.v));
	out->networks.n = in->policy.n_originate;
	memcpy(out->bfd_profiles, in->failover.bfd_profiles,
	       in->failover.n_bfd_profiles * sizeof(*out->bfd_profiles));
	out->n_bfd_profiles = in->failover.n_bfd_profiles;

	for (size_t i = 0; r == 0 && i < in->n_tunnels; i++) {
		const struct hgw_intent_tunnel *t = &in->tunnels[i];
		struct frr_neighbor *nb;

		if (!t->bgp)
			continue;
		/* Tunnels are sorted by connection: a new connection starts a class. */
		if (n_classes == 0 || strcmp(out->classes[n_classes - 1].name + 2, t->conn) != 0 ||
		    out->classes[n_classes - 1].name[0] != 'V')
			r = fill_class(in, &out->classes[n_classes++], false, t->conn,
				       t->bfd_profile, err, err_size);
		nb = &out->neighbors[n_nb++];
		*nb = t->neighbor;
		snprintf(nb->path_class, sizeof(nb->path_class), "%s",
			 out->classes[n_classes - 1].name);
	}
	for (size_t i = 0; r == 0 && i < in->n_privates; i++) {
		const struct hgw_intent_private *p = &in->privates[i];
		struct frr_path_class *c = &out->classes[n_classes++];

		r = fill_class(in, c, true, p->name, p->bfd_profile, err, err_size);
		out->neighbors[n_nb] = p->neighbor;
		snprintf(out->neighbors[n_nb].path_class, sizeof(out->neighbors[n_nb].path_class),
			 "%s", c->name);
		n_nb++;
	}
	out->n_classes = n_classes;
	out->n_neighbors = n_nb;
	if (r < 0)
		hgw_intent_frr_free(out);
	return r;
}

void hgw_intent_frr_free(struct frr_intent *fi)
{
	if (fi == NULL)
		return;
	for (size_t i = 0; fi->classes != NULL && i < fi->n_classes; i++) {
		free(fi->classes[i].accept.v);
		free(fi->classes[i].advertise.v);
	}
	free(fi->classes);
	free(fi->neighbors);
	free(fi->bfd_profiles);
	free(fi->networks.v);
	memset(fi, 0, sizeof(*fi));
}
