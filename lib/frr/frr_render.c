/*
 * frr_render.c - intent to FRR configuration lines (see frr_intent.h for the names and
 * frr_conf.h for the model).  Pure.
 *
 * The lines are written in the form FRR prints them back in "show running-config"
 * (defaults left out, "neighbor X bfd" next to "neighbor X bfd profile P"), so that the
 * read-back after an apply compares equal line by line.  Everything the intent supplies
 * is checked first: a name or description that could carry a second command into the
 * vty is refused, not escaped.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frr_conf.h"
#include "util.h"

#define LINE_LEN 512

/* FRR's BMP reconnect back-off defaults, which "bmp connect" lines always print. */
#define BMP_DEFAULT_MIN_RETRY 30000
#define BMP_DEFAULT_MAX_RETRY 720000

/* FRR's BFD defaults, which "show running-config" leaves out. */
#define BFD_DEFAULT_MULT 3
#define BFD_DEFAULT_MS 300

struct render {
	const struct frr_intent *in;
	struct frr_conf *out;
	char router[32]; /* "router bgp N" */
	char *err;
	size_t err_size;
	int r;
};

static int fail(struct render *rd, const char *fmt, ...) HGW_PRINTF(2, 3);

static int fail(struct render *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (rd->err_size > 0)
		vsnprintf(rd->err, rd->err_size, fmt, ap);
	va_end(ap);
	if (rd->r == 0)
		rd->r = -EINVAL;
	return -EINVAL;
}

/* Add one line in context (c0, c1 may be NULL); printf-style. */
static void line(struct render *rd, enum frr_daemon daemon, const char *c0, const char *c1,
		 const char *fmt, ...) HGW_PRINTF(5, 6);

static void line(struct render *rd, enum frr_daemon daemon, const char *c0, const char *c1,
		 const char *fmt, ...)
{
	const char *ctx[FRR_CTX_MAX] = { c0, c0 != NULL ? c1 : NULL };
	char text[LINE_LEN];
	va_list ap;
	int n;

	if (rd->r != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		fail(rd, "a configuration line is longer than %d bytes", LINE_LEN - 1);
		return;
	}
	rd->r = frr_conf_add(rd->out, daemon, ctx, text);
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FRR_NAME_MAX)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FRR_IFNAME_MAX)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* FRR joins a description's words with one space: refuse anything it would change. */
static bool description_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
		if (s[i] == ' ' && s[i + 1] == ' ')
			return false;
	}
	return true;
}

static void addr_str(const struct frr_addr *a, char *buf, size_t size)
{
	if (inet_ntop(a->family, &a->u, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
}

static void prefix_str(const struct frr_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(&p->addr, a, sizeof(a));
	if (p->le != 0)
		snprintf(buf, size, "%s/%u le %u", a, p->len, p->le);
	else
		snprintf(buf, size, "%s/%u", a, p->len);
}

static size_t count_family(const struct frr_prefix_set *set, int family)
{
	size_t i, n = 0;

	for (i = 0; i < set->n; i++)
		n += set->v[i].addr.family == family;
	return n;
}

static const struct frr_path_class *find_class(const struct frr_intent *in, const char *name)
{
	size_t i;

	for (i = 0; i < in->n_classes; i++) {
		if (strcmp(in->classes[i].name, name) == 0)
			return &in->classes[i];
	}
	return NULL;
}

static const struct frr_bfd_profile *find_profile(const struct frr_intent *in, const char *name)
{
	size_t i;

	for (i = 0; i < in->n_bfd_profiles; i++) {
		if (strcmp(in->bfd_profiles[i].name, name) == 0)
			return &in->bfd_profiles[i];
	}
	return NULL;
}

static bool class_has(const struct frr_intent *in, const struct frr_path_class *c, int family)
{
	size_t i;

	for (i = 0; i < in->n_neighbors; i++) {
		const struct frr_neighbor *nb = &in->neighbors[i];

		if (strcmp(nb->path_class, c->name) == 0 &&
		    (family == AF_INET ? nb->ipv4 : nb->ipv6))
			return true;
	}
	return false;
}

/* ---- checks */

static void check_prefixes(struct render *rd, const struct frr_prefix_set *set, const char *what)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct frr_prefix *p = &set->v[i];
		unsigned max = p->addr.family == AF_INET6 ? 128 : 32;

		if ((p->addr.family != AF_INET && p->addr.family != AF_INET6) || p->len > max ||
		    (p->le != 0 && (p->le < p->len || p->le > max)))
			fail(rd, "%s: prefix %zu is not a valid prefix", what, i + 1);
	}
}

static void check_class(struct render *rd, const struct frr_path_class *c)
{
	if (!name_ok(c->name))
		fail(rd, "path class name \"%s\": use 1-%d letters, digits, '_' or '-'", c->name,
		     FRR_NAME_MAX);
	if (c->bfd_profile[0] != '\0' && find_profile(rd->in, c->bfd_profile) == NULL)
		fail(rd, "path class %s: BFD profile \"%s\" is not defined", c->name,
		     c->bfd_profile);
	if ((c->timers.keepalive == 0) != (c->timers.hold == 0))
		fail(rd, "path class %s: set both keepalive and hold, or neither", c->name);
	if (c->n_deny_in_asns > FRR_DENY_ASNS_MAX || c->n_deny_out_asns > FRR_DENY_ASNS_MAX)
		fail(rd, "path class %s: at most %d denied ASNs per direction", c->name,
		     FRR_DENY_ASNS_MAX);
	if (c->prepend > 10)
		fail(rd, "path class %s: prepend at most 10 times", c->name);
	check_prefixes(rd, &c->accept, c->name);
	check_prefixes(rd, &c->advertise, c->name);
}

static void check_neighbor(struct render *rd, const struct frr_neighbor *nb, const char *addr)
{
	const struct frr_path_class *c = find_class(rd->in, nb->path_class);
	struct frr_addr src;

	if (nb->addr.family != AF_INET && nb->addr.family != AF_INET6)
		fail(rd, "a neighbor has no address family");
	if (c == NULL) {
		fail(rd, "neighbor %s: path class \"%s\" is not defined", addr, nb->path_class);
		return;
	}
	if (nb->remote_as == 0 && c->remote_as == 0)
		fail(rd, "neighbor %s: set remote_as on the neighbor or on class %s", addr,
		     c->name);
	if (nb->remote_as != 0 && c->remote_as != 0 && nb->remote_as != c->remote_as)
		fail(rd, "neighbor %s: remote_as %u differs from class %s's %u", addr,
		     nb->remote_as, c->name, c->remote_as);
	if (nb->description[0] != '\0' && !description_ok(nb->description))
		fail(rd,
		     "neighbor %s: the description must be printable ASCII without leading, "
		     "trailing or double spaces",
		     addr);
	if (nb->update_source[0] != '\0' && frr_addr_parse(&src, nb->update_source) < 0 &&
	    !ifname_ok(nb->update_source))
		fail(rd, "neighbor %s: update_source \"%s\" is neither an address nor an interface",
		     addr, nb->update_source);
	if (nb->interface[0] != '\0' && !ifname_ok(nb->interface))
		fail(rd, "neighbor %s: \"%s\" is not an interface name", addr, nb->interface);
	if (nb->hop_check == FRR_HOP_MULTIHOP && nb->multihop_ttl == 0)
		fail(rd, "neighbor %s: multihop needs a ttl of 1-255", addr);
	if ((nb->timers.keepalive == 0) != (nb->timers.hold == 0))
		fail(rd, "neighbor %s: set both keepalive and hold, or neither", addr);
	if (!nb->ipv4 && !nb->ipv6)
		fail(rd, "neighbor %s: enable ipv4, ipv6 or both", addr);
}

static void check_bmp(struct render *rd, const struct frr_bmp_target *b)
{
	uint32_t lo = b->min_retry_ms ? b->min_retry_ms : BMP_DEFAULT_MIN_RETRY;
	uint32_t hi = b->max_retry_ms ? b->max_retry_ms : BMP_DEFAULT_MAX_RETRY;

	if (b->name[0] == '\0')
		return;
	if (!name_ok(b->name))
		fail(rd, "BMP target name \"%s\": use 1-%d letters, digits, '_' or '-'", b->name,
		     FRR_NAME_MAX);
	if (b->addr.family == 0 || b->port == 0)
		fail(rd, "BMP target %s needs an address and a port", b->name);
	if (!b->pre_policy && !b->post_policy)
		fail(rd, "BMP target %s monitors nothing: set pre_policy, post_policy or both",
		     b->name);
	/* bgpd's ranges: 100 ms to a day */
	if (lo < 100 || hi < 100 || lo > hi || (b->stats_ms != 0 && b->stats_ms < 100))
		fail(rd,
		     "BMP target %s: retry and stats intervals are 100 ms or more, "
		     "min_retry not above max_retry",
		     b->name);
}

static void check_intent(struct render *rd)
{
	const struct frr_intent *in = rd->in;
	char addr[INET6_ADDRSTRLEN];
	size_t i, j;

	for (i = 0; i < in->n_bfd_profiles; i++) {
		if (!name_ok(in->bfd_profiles[i].name))
			fail(rd, "BFD profile name \"%s\": use 1-%d letters, digits, '_' or '-'",
			     in->bfd_profiles[i].name, FRR_NAME_MAX);
		for (j = 0; j < i; j++) {
			if (strcmp(in->bfd_profiles[i].name, in->bfd_profiles[j].name) == 0)
				fail(rd, "BFD profile %s is defined twice",
				     in->bfd_profiles[i].name);
		}
	}
	for (i = 0; i < in->n_classes; i++) {
		check_class(rd, &in->classes[i]);
		for (j = 0; j < i; j++) {
			if (strcmp(in->classes[i].name, in->classes[j].name) == 0)
				fail(rd, "path class %s is defined twice", in->classes[i].name);
		}
	}
	check_prefixes(rd, &in->networks, "networks");
	for (i = 0; i < in->n_neighbors; i++) {
		addr_str(&in->neighbors[i].addr, addr, sizeof(addr));
		check_neighbor(rd, &in->neighbors[i], addr);
		for (j = 0; j < i; j++) {
			if (in->neighbors[i].addr.family == in->neighbors[j].addr.family &&
			    memcmp(&in->neighbors[i].addr.u, &in->neighbors[j].addr.u,
				   in->neighbors[i].addr.family == AF_INET ? 4 : 16) == 0)
				fail(rd, "neighbor %s is defined twice", addr);
		}
	}
	if (in->asn == 0 && (in->n_classes > 0 || in->n_neighbors > 0 || in->networks.n > 0 ||
			     in->bmp.name[0] != '\0'))
		fail(rd, "BGP needs the local asn");
	check_bmp(rd, &in->bmp);
}

/* ---- bfdd */

static void render_bfd(struct render *rd)
{
	char hdr[LINE_LEN];
	size_t i;

	for (i = 0; i < rd->in->n_bfd_profiles; i++) {
		const struct frr_bfd_profile *p = &rd->in->bfd_profiles[i];

		snprintf(hdr, sizeof(hdr), "profile " FRR_NAME_PREFIX "%s", p->name);
		line(rd, FRR_BFDD, "bfd", NULL, "%s", hdr);
		if (p->detect_multiplier != 0 && p->detect_multiplier != BFD_DEFAULT_MULT)
			line(rd, FRR_BFDD, "bfd", hdr, "detect-multiplier %u",
			     p->detect_multiplier);
		if (p->receive_ms != 0 && p->receive_ms != BFD_DEFAULT_MS)
			line(rd, FRR_BFDD, "bfd", hdr, "receive-interval %u", p->receive_ms);
		if (p->transmit_ms != 0 && p->transmit_ms != BFD_DEFAULT_MS)
			line(rd, FRR_BFDD, "bfd", hdr, "transmit-interval %u", p->transmit_ms);
		if (p->passive)
			line(rd, FRR_BFDD, "bfd", hdr, "passive-mode");
	}
}

/* ---- policy objects */

static void prefix_list(struct render *rd, const struct frr_prefix_set *set, int family,
			const char *cls, const char *suffix)
{
	char p[INET6_ADDRSTRLEN + 16];
	unsigned seq = 0;
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (set->v[i].addr.family != family)
			continue;
		prefix_str(&set->v[i], p, sizeof(p));
		seq += 5;
		line(rd, FRR_BGPD, NULL, NULL,
		     "%s prefix-list " FRR_NAME_PREFIX "%s-%s seq %u permit %s",
		     family == AF_INET ? "ip" : "ipv6", cls, suffix, seq, p);
	}
}

static void as_path_list(struct render *rd, const uint32_t *asns, size_t n, const char *cls,
			 const char *dir)
{
	size_t i;

	for (i = 0; i < n; i++)
		line(rd, FRR_BGPD, NULL, NULL,
		     "bgp as-path access-list " FRR_NAME_PREFIX "%s-%s-AS seq %zu permit _%u_", cls,
		     dir, (i + 1) * 5, asns[i]);
}

/* A route-map entry: its header line, then the lines under it. */
static void rm_entry(struct render *rd, char *hdr, size_t size, const char *cls, const char *dir,
		     const char *action, unsigned seq)
{
	snprintf(hdr, size, "route-map " FRR_NAME_PREFIX "%s-%s %s %u", cls, dir, action, seq);
	line(rd, FRR_BGPD, NULL, NULL, "%s", hdr);
}

static void rm_sets_in(struct render *rd, const struct frr_path_class *c, const char *hdr)
{
	if (c->local_pref != 0)
		line(rd, FRR_BGPD, hdr, NULL, "set local-preference %u", c->local_pref);
	if (c->weight != 0)
		line(rd, FRR_BGPD, hdr, NULL, "set weight %u", c->weight);
}

static void rm_prepend(struct render *rd, const struct frr_path_class *c, const char *hdr)
{
	char asns[LINE_LEN] = "";
	size_t len = 0;
	unsigned i;

	if (c->prepend == 0)
		return;
	for (i = 0; i < c->prepend; i++)
		len += (size_t)snprintf(asns + len, sizeof(asns) - len, "%s%u", i ? " " : "",
					rd->in->asn);
	line(rd, FRR_BGPD, hdr, NULL, "set as-path prepend %s", asns);
}

static void route_map_in(struct render *rd, const struct frr_path_class *c)
{
	size_t n4 = count_family(&c->accept, AF_INET), n6 = count_family(&c->accept, AF_INET6);
	char hdr[LINE_LEN];

	if (c->n_deny_in_asns > 0) {
		rm_entry(rd, hdr, sizeof(hdr), c->name, "IN", "deny", 10);
		line(rd, FRR_BGPD, hdr, NULL, "match as-path " FRR_NAME_PREFIX "%s-IN-AS", c->name);
	}
	if (c->accept.n == 0 || n4 > 0) {
		rm_entry(rd, hdr, sizeof(hdr), c->name, "IN", "permit", 20);
		if (n4 > 0)
			line(rd, FRR_BGPD, hdr, NULL,
			     "match ip address prefix-list " FRR_NAME_PREFIX "%s-IN4", c->name);
		rm_sets_in(rd, c, hdr);
	}
	if (n6 > 0) {
		rm_entry(rd, hdr, sizeof(hdr), c->name, "IN", "permit", 30);
		line(rd, FRR_BGPD, hdr, NULL,
		     "match ipv6 address prefix-list " FRR_NAME_PREFIX "%s-IN6", c->name);
		rm_sets_in(rd, c, hdr);
	}
}

static void route_map_out(struct render *rd, const struct frr_path_class *c,
			  const struct frr_prefix_set *adv)
{
	char hdr[LINE_LEN];

	if (c->n_deny_out_asns > 0) {
		rm_entry(rd, hdr, sizeof(hdr), c->name, "OUT", "deny", 10);
		line(rd, FRR_BGPD, hdr, NULL, "match as-path " FRR_NAME_PREFIX "%s-OUT-AS",
		     c->name);
	}
	if (count_family(adv, AF_INET) > 0) {
		rm_entry(rd, hdr, sizeof(hdr), c->name, "OUT", "permit", 20);
		line(rd, FRR_BGPD, hdr, NULL,
		     "match ip address prefix-list " FRR_NAME_PREFIX "%s-OUT4", c->name);
		rm_prepend(rd, c, hdr);
	}
	if (count_family(adv, AF_INET6) > 0) {
		rm_entry(rd, hdr, sizeof(hdr), c->name, "OUT", "permit", 30);
		line(rd, FRR_BGPD, hdr, NULL,
		     "match ipv6 address prefix-list " FRR_NAME_PREFIX "%s-OUT6", c->name);
		rm_prepend(rd, c, hdr);
	}
}

/* What a class advertises: its own list, else the intent's networks. */
static const struct frr_prefix_set *advertised(const struct frr_intent *in,
					       const struct frr_path_class *c)
{
	return c->advertise.n > 0 ? &c->advertise : &in->networks;
}

static void render_policy(struct render *rd)
{
	size_t i;

	for (i = 0; i < rd->in->n_classes; i++) {
		const struct frr_path_class *c = &rd->in->classes[i];
		const struct frr_prefix_set *adv = advertised(rd->in, c);

		prefix_list(rd, &c->accept, AF_INET, c->name, "IN4");
		prefix_list(rd, &c->accept, AF_INET6, c->name, "IN6");
		prefix_list(rd, adv, AF_INET, c->name, "OUT4");
		prefix_list(rd, adv, AF_INET6, c->name, "OUT6");
		as_path_list(rd, c->deny_in_asns, c->n_deny_in_asns, c->name, "IN");
		as_path_list(rd, c->deny_out_asns, c->n_deny_out_asns, c->name, "OUT");
		route_map_in(rd, c);
		route_map_out(rd, c, adv);
	}
}

/* ---- router bgp */

static void timers(struct render *rd, const char *who, const struct frr_timers *t)
{
	if (t->keepalive != 0 || t->hold != 0)
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s timers %u %u", who, t->keepalive,
		     t->hold);
	if (t->connect != 0)
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s timers connect %u", who,
		     t->connect);
}

static void peer_group(struct render *rd, const struct frr_path_class *c)
{
	char g[FRR_NAME_MAX + 8];

	snprintf(g, sizeof(g), FRR_NAME_PREFIX "%s", c->name);
	line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s peer-group", g);
	if (c->remote_as != 0)
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s remote-as %u", g, c->remote_as);
	if (c->bfd || c->bfd_profile[0] != '\0')
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s bfd", g);
	if (c->bfd_profile[0] != '\0')
		line(rd, FRR_BGPD, rd->router, NULL,
		     "neighbor %s bfd profile " FRR_NAME_PREFIX "%s", g, c->bfd_profile);
	timers(rd, g, &c->timers);
}

static void neighbor(struct render *rd, const struct frr_neighbor *nb)
{
	const struct frr_path_class *c = find_class(rd->in, nb->path_class);
	char a[INET6_ADDRSTRLEN];
	struct frr_addr src;

	addr_str(&nb->addr, a, sizeof(a));
	if (c->remote_as == 0)
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s remote-as %u", a, nb->remote_as);
	line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s peer-group " FRR_NAME_PREFIX "%s", a,
	     c->name);
	if (nb->description[0] != '\0')
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s description %s", a,
		     nb->description);
	if (nb->interface[0] != '\0')
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s interface %s", a, nb->interface);
	if (nb->passive)
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s passive", a);
	if (nb->shutdown)
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s shutdown", a);
	if (nb->hop_check == FRR_HOP_DISABLE_CHECK)
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s disable-connected-check", a);
	else if (nb->hop_check == FRR_HOP_MULTIHOP)
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s ebgp-multihop %u", a,
		     nb->multihop_ttl);
	if (nb->update_source[0] != '\0') {
		char s[INET6_ADDRSTRLEN];

		if (frr_addr_parse(&src, nb->update_source) == 0)
			addr_str(&src, s, sizeof(s));
		else
			snprintf(s, sizeof(s), "%s", nb->update_source);
		line(rd, FRR_BGPD, rd->router, NULL, "neighbor %s update-source %s", a, s);
	}
	timers(rd, a, &nb->timers);
}

static bool bmp_pre_policy(const struct frr_intent *in, int family)
{
	return in->bmp.name[0] != '\0' && in->bmp.pre_policy && (family == AF_INET || in->bmp.ipv6);
}

static void address_family(struct render *rd, int family)
{
	const char *af =
		family == AF_INET ? "address-family ipv4 unicast" : "address-family ipv6 unicast";
	const struct frr_intent *in = rd->in;
	char p[INET6_ADDRSTRLEN + 16], a[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < in->networks.n; i++) {
		if (in->networks.v[i].addr.family != family)
			continue;
		prefix_str(&in->networks.v[i], p, sizeof(p));
		line(rd, FRR_BGPD, rd->router, af, "network %s", p);
	}
	if (in->maximum_paths != 0)
		line(rd, FRR_BGPD, rd->router, af, "maximum-paths %u", in->maximum_paths);
	for (i = 0; i < in->n_classes; i++) {
		const struct frr_path_class *c = &in->classes[i];

		if (family == AF_INET6 && !class_has(in, c, AF_INET6))
			continue;
		line(rd, FRR_BGPD, rd->router, af,
		     "neighbor " FRR_NAME_PREFIX "%s route-map " FRR_NAME_PREFIX "%s-IN in",
		     c->name, c->name);
		line(rd, FRR_BGPD, rd->router, af,
		     "neighbor " FRR_NAME_PREFIX "%s route-map " FRR_NAME_PREFIX "%s-OUT out",
		     c->name, c->name);
		/*
		 * bgpd keeps no Adj-RIB-In without this, and its bmp module then sends every
		 * pre-policy route as a withdrawal (seen with FRR 8.4)
		 */
		if (bmp_pre_policy(in, family))
			line(rd, FRR_BGPD, rd->router, af,
			     "neighbor " FRR_NAME_PREFIX "%s soft-reconfiguration inbound",
			     c->name);
		if (c->max_prefix != 0)
			line(rd, FRR_BGPD, rd->router, af,
			     "neighbor " FRR_NAME_PREFIX "%s maximum-prefix %u", c->name,
			     c->max_prefix);
	}
	for (i = 0; i < in->n_neighbors; i++) {
		const struct frr_neighbor *nb = &in->neighbors[i];

		addr_str(&nb->addr, a, sizeof(a));
		/* FRR's "traditional" defaults activate IPv4 unicast for every neighbor. */
		if (family == AF_INET && !nb->ipv4)
			line(rd, FRR_BGPD, rd->router, af, "no neighbor %s activate", a);
		else if (family == AF_INET6 && nb->ipv6)
			line(rd, FRR_BGPD, rd->router, af, "neighbor %s activate", a);
	}
}

static bool any_ipv6(const struct frr_intent *in)
{
	size_t i;

	for (i = 0; i < in->n_neighbors; i++) {
		if (in->neighbors[i].ipv6)
			return true;
	}
	return count_family(&in->networks, AF_INET6) > 0;
}

/* bgpd prints a target's lines in this order: stats, monitors, connect. */
static void render_bmp(struct render *rd)
{
	const struct frr_bmp_target *b = &rd->in->bmp;
	static const char *const afs[] = { "ipv4", "ipv6" };
	char hdr[LINE_LEN], addr[INET6_ADDRSTRLEN];
	size_t i;

	if (b->name[0] == '\0')
		return;
	snprintf(hdr, sizeof(hdr), "bmp targets " FRR_NAME_PREFIX "%s", b->name);
	line(rd, FRR_BGPD, rd->router, NULL, "%s", hdr);
	if (b->stats_ms != 0)
		line(rd, FRR_BGPD, rd->router, hdr, "bmp stats interval %u", b->stats_ms);
	for (i = 0; i < (b->ipv6 ? 2u : 1u); i++) {
		if (b->pre_policy)
			line(rd, FRR_BGPD, rd->router, hdr, "bmp monitor %s unicast pre-policy",
			     afs[i]);
		if (b->post_policy)
			line(rd, FRR_BGPD, rd->router, hdr, "bmp monitor %s unicast post-policy",
			     afs[i]);
	}
	addr_str(&b->addr, addr, sizeof(addr));
	line(rd, FRR_BGPD, rd->router, hdr, "bmp connect %s port %u min-retry %u max-retry %u",
	     addr, b->port, b->min_retry_ms ? b->min_retry_ms : BMP_DEFAULT_MIN_RETRY,
	     b->max_retry_ms ? b->max_retry_ms : BMP_DEFAULT_MAX_RETRY);
}

static void render_router(struct render *rd)
{
	const struct frr_intent *in = rd->in;
	char id[INET_ADDRSTRLEN];
	size_t i;

	snprintf(rd->router, sizeof(rd->router), "router bgp %u", in->asn);
	if (in->router_id.s_addr != 0) {
		inet_ntop(AF_INET, &in->router_id, id, sizeof(id));
		line(rd, FRR_BGPD, rd->router, NULL, "bgp router-id %s", id);
	}
	if (in->multipath_relax)
		line(rd, FRR_BGPD, rd->router, NULL, "bgp bestpath as-path multipath-relax");
	for (i = 0; i < in->n_classes; i++)
		peer_group(rd, &in->classes[i]);
	for (i = 0; i < in->n_neighbors; i++)
		neighbor(rd, &in->neighbors[i]);
	address_family(rd, AF_INET);
	if (any_ipv6(in))
		address_family(rd, AF_INET6);
	render_bmp(rd);
}

int frr_render(const struct frr_intent *intent, struct frr_conf *out, char *err, size_t err_size)
{
	struct render rd = {
		.in = intent,
		.out = out,
		.err = err,
		.err_size = err_size,
	};

	if (err_size > 0)
		err[0] = '\0';
	check_intent(&rd);
	if (rd.r != 0)
		return rd.r;
	render_bfd(&rd);
	if (intent->asn != 0) {
		render_policy(&rd);
		render_router(&rd);
	}
	if (rd.r == -ENOMEM && err_size > 0)
		snprintf(err, err_size, "out of memory");
	return rd.r;
}
