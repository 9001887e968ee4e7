/*
 * frr_conf.c - the configuration model: lines in context, running-config read-back,
 * ownership, delta, comparison (see frr_conf.h).
 *
 * A line's key is what identifies the setting it makes, so that a changed value is sent as
 * one replacing command instead of "no old" + "new": "neighbor X timers 60 180" has the
 * key "neighbor X timers $ $".  Lines no rule matches (prefix-list entries, network
 * statements, flags) are their own key: they are added and removed, never replaced.
 *
 * Quadratic lookups: a configuration holds tens of lines per neighbor, so a few thousand
 * lines at most; a hash index is the step to take when that changes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frr_conf.h"
#include "util.h"

static const char *const daemon_names[] = {
	[FRR_BGPD] = "bgpd",
	[FRR_BFDD] = "bfdd",
	[FRR_ZEBRA] = "zebra",
};

/*
 * "$" is a value (left out of the key), "*" a name that is part of the key, "..." the
 * value is the rest of the line.  The first rule that matches wins.
 */
static const char *const key_rules[] = {
	"bgp router-id $",
	"maximum-paths ibgp $",
	"maximum-paths $",
	"neighbor * remote-as $",
	"neighbor * description ...",
	"neighbor * timers connect $",
	"neighbor * timers $ $",
	"neighbor * update-source $",
	"neighbor * interface $",
	"neighbor * ebgp-multihop ...",
	"neighbor * bfd profile $",
	"neighbor * maximum-prefix ...",
	"neighbor * route-map $ *",
	"neighbor * prefix-list $ *",
	"neighbor * filter-list $ *",
	"set local-preference $",
	"set weight $",
	"set as-path prepend ...",
	"match ip address prefix-list $",
	"match ipv6 address prefix-list $",
	"match as-path $",
	"description ...",
	"detect-multiplier $",
	"receive-interval $",
	"transmit-interval $",
};

/* Names of objects at the top level that hybridgw owns: the word after these. */
static const char *const owned_top[] = {
	"ip prefix-list " FRR_NAME_PREFIX,
	"ipv6 prefix-list " FRR_NAME_PREFIX,
	"bgp as-path access-list " FRR_NAME_PREFIX,
	"route-map " FRR_NAME_PREFIX,
};

#define PROFILE_PREFIX "profile " FRR_NAME_PREFIX
#define BMP_PREFIX "bmp targets " FRR_NAME_PREFIX
#define ROUTER_BGP "router bgp "
#define LINE_MAX_LEN 1024

const char *frr_daemon_name(enum frr_daemon daemon)
{
	if ((unsigned)daemon >= ARRAY_SIZE(daemon_names))
		return NULL;
	return daemon_names[daemon];
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

void frr_conf_init(struct frr_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
}

void frr_conf_clear(struct frr_conf *conf)
{
	size_t i, k;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->n; i++) {
		for (k = 0; k < FRR_CTX_MAX; k++)
			free(conf->v[i].ctx[k]);
		free(conf->v[i].text);
	}
	free(conf->v);
	frr_conf_init(conf);
}

int frr_conf_add(struct frr_conf *conf, enum frr_daemon daemon, const char *const *ctx,
		 const char *text)
{
	struct frr_entry *e;
	size_t k;

	if (conf->n == conf->cap) {
		size_t cap = conf->cap ? conf->cap * 2 : 32;
		struct frr_entry *v = reallocarray(conf->v, cap, sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		conf->v = v;
		conf->cap = cap;
	}
	e = &conf->v[conf->n];
	memset(e, 0, sizeof(*e));
	e->daemon = daemon;
	for (k = 0; ctx != NULL && k < FRR_CTX_MAX && ctx[k] != NULL; k++) {
		e->ctx[k] = strdup(ctx[k]);
		if (e->ctx[k] == NULL)
			goto nomem;
	}
	e->text = strdup(text);
	if (e->text == NULL)
		goto nomem;
	conf->n++;
	return 0;
nomem:
	for (k = 0; k < FRR_CTX_MAX; k++)
		free(e->ctx[k]);
	return -ENOMEM;
}

static bool same_ctx(const struct frr_entry *a, const struct frr_entry *b)
{
	size_t k;

	for (k = 0; k < FRR_CTX_MAX; k++) {
		if (!str_eq(a->ctx[k], b->ctx[k]))
			return false;
	}
	return true;
}

static bool same_entry(const struct frr_entry *a, const struct frr_entry *b)
{
	return a->daemon == b->daemon && same_ctx(a, b) && strcmp(a->text, b->text) == 0;
}

long frr_conf_find(const struct frr_conf *conf, const struct frr_entry *e)
{
	size_t i;

	for (i = 0; i < conf->n; i++) {
		if (same_entry(&conf->v[i], e))
			return (long)i;
	}
	return -1;
}

static size_t ctx_depth(const struct frr_entry *e)
{
	size_t k = 0;

	while (k < FRR_CTX_MAX && e->ctx[k] != NULL)
		k++;
	return k;
}

/* ---- keys */

/* The next space-separated word of *s, its length in *n; NULL at the end. */
static const char *next_word(const char **s, size_t *n)
{
	const char *w = *s;

	while (*w == ' ')
		w++;
	if (*w == '\0')
		return NULL;
	*n = strcspn(w, " ");
	*s = w + *n;
	return w;
}

/* Write the key of text under rule into key; false if the rule does not match. */
static bool key_by_rule(const char *rule, const char *text, char *key, size_t size)
{
	const char *r = rule, *t = text, *rw, *tw;
	size_t rn, tn, len = 0;

	key[0] = '\0';
	while ((rw = next_word(&r, &rn)) != NULL) {
		if (rn == 3 && memcmp(rw, "...", 3) == 0) {
			if (next_word(&t, &tn) == NULL)
				return false;
			tw = "...";
			tn = 3;
		} else {
			tw = next_word(&t, &tn);
			if (tw == NULL)
				return false;
			if (rn == 1 && rw[0] == '$') {
				tw = "$";
				tn = 1;
			} else if (!(rn == 1 && rw[0] == '*') &&
				   (rn != tn || memcmp(rw, tw, rn) != 0)) {
				return false;
			}
		}
		if (len + tn + 2 > size)
			return false;
		if (len > 0)
			key[len++] = ' ';
		memcpy(key + len, tw, tn);
		len += tn;
		key[len] = '\0';
		if (tw[0] == '.' && tn == 3)
			return true;
	}
	return next_word(&t, &tn) == NULL;
}

static void line_key(const char *text, char *key, size_t size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(key_rules); i++) {
		if (key_by_rule(key_rules[i], text, key, size))
			return;
	}
	snprintf(key, size, "%s", text);
}

/* The neighbor a line under router bgp is about ("neighbor X ...", "no neighbor X ..."). */
static bool neighbor_of(const char *text, char *id, size_t size)
{
	const char *t = text, *w;
	size_t n;

	if (starts_with(t, "no "))
		t += 3;
	if (!starts_with(t, "neighbor "))
		return false;
	t += strlen("neighbor ");
	w = next_word(&t, &n);
	if (w == NULL || n >= size)
		return false;
	memcpy(id, w, n);
	id[n] = '\0';
	return true;
}

static bool in_router_bgp(const struct frr_entry *e)
{
	return e->ctx[0] != NULL && starts_with(e->ctx[0], ROUTER_BGP);
}

/* ---- navigation: the context commands around lines, for the writer and the delta */

/*
 * The stanza that the last line opened or entered.  Lines that open a node (a route-map
 * entry, a BFD profile) leave the vty inside it, so the next line in another context must
 * exit first; and a header that was just written is not entered again.
 */
struct nav {
	const char *cur[FRR_CTX_MAX];
	size_t depth;
	void (*line)(void *arg, size_t depth, const char *text);
	void *arg;
};

static const char *const node_openers[] = {
	"route-map ", "profile ",   "router ", "address-family ",
	"bfd",	      "interface ", "vrf ",    "bmp targets ",
};

static bool opens_node(const char *text)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(node_openers); i++) {
		if (starts_with(text, node_openers[i]))
			return true;
	}
	return false;
}

static const char *exit_word(const char *header)
{
	return starts_with(header, "address-family ") ? "exit-address-family" : "exit";
}

static void nav_goto(struct nav *nav, const char *const *ctx, size_t d)
{
	size_t common, k;

	for (common = 0; common < d && common < nav->depth; common++) {
		if (strcmp(nav->cur[common], ctx[common]) != 0)
			break;
	}
	while (nav->depth > common) {
		nav->depth--;
		nav->line(nav->arg, nav->depth, exit_word(nav->cur[nav->depth]));
	}
	for (k = nav->depth; k < d; k++) {
		nav->line(nav->arg, k, ctx[k]);
		nav->cur[k] = ctx[k];
	}
	nav->depth = d;
}

/* text must stay valid while nav is used (an entry's text, or a literal). */
static void nav_line(struct nav *nav, const struct frr_entry *e, const char *text)
{
	size_t d = ctx_depth(e);

	nav_goto(nav, (const char *const *)e->ctx, d);
	nav->line(nav->arg, d, text);
	if (d < FRR_CTX_MAX && opens_node(text)) {
		nav->cur[d] = text;
		nav->depth = d + 1;
	}
}

static void write_line(void *arg, size_t depth, const char *text)
{
	FILE *f = arg;
	size_t i;

	for (i = 0; i < depth; i++)
		fputc(' ', f);
	fprintf(f, "%s\n", text);
	if (depth == 0 && strcmp(text, "exit") == 0)
		fputs("!\n", f);
}

int frr_conf_write(const struct frr_conf *conf, FILE *f)
{
	struct nav nav = { .line = write_line, .arg = f };
	size_t i;

	for (i = 0; i < conf->n; i++)
		nav_line(&nav, &conf->v[i], conf->v[i].text);
	nav_goto(&nav, NULL, 0);
	return ferror(f) ? -EIO : 0;
}

char *frr_conf_to_string(const struct frr_conf *conf)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int r;

	if (f == NULL)
		return NULL;
	r = frr_conf_write(conf, f);
	if (fclose(f) != 0 || r < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- reading back */

static bool skip_line(const char *t)
{
	static const char *const skipped[] = {
		"exit",
		"exit-address-family",
		"exit-vrf",
		"exit-vni",
		"end",
		"Building configuration...",
		"Current configuration:",
	};
	size_t i;

	if (t[0] == '\0' || t[0] == '!')
		return true;
	for (i = 0; i < ARRAY_SIZE(skipped); i++) {
		if (strcmp(t, skipped[i]) == 0)
			return true;
	}
	return false;
}

/*
 * Split text into entries with their context, all of them (not only owned ones).  Lines
 * deeper than FRR_CTX_MAX are dropped: hybridgw writes nothing that deep.
 */
static int parse_all(const char *text, size_t len, enum frr_daemon daemon, struct frr_conf *out)
{
	char stack[FRR_CTX_MAX + 1][LINE_MAX_LEN];
	const char *ctx[FRR_CTX_MAX];
	size_t pos = 0, depth = 0, indent, n, k;
	char line[LINE_MAX_LEN];
	int r;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		n = end - pos;
		if (n >= sizeof(line) || memchr(text + pos, '\0', n) != NULL)
			return -EBADMSG;
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		indent = strspn(line, " ");
		if (skip_line(line + indent))
			continue;
		if (indent > depth)
			return -EBADMSG;
		depth = indent;
		if (depth <= FRR_CTX_MAX)
			snprintf(stack[depth], sizeof(stack[depth]), "%s", line + indent);
		depth++;
		if (indent > FRR_CTX_MAX)
			continue;
		for (k = 0; k < FRR_CTX_MAX; k++)
			ctx[k] = k < indent ? stack[k] : NULL;
		r = frr_conf_add(out, daemon, ctx, line + indent);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool owned_top_name(const char *text)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(owned_top); i++) {
		if (starts_with(text, owned_top[i]))
			return true;
	}
	return false;
}

/* Is neighbor id an HGW- peer-group or a member of one, in conf? */
static bool owned_neighbor(const struct frr_conf *all, const char *id)
{
	char want[LINE_MAX_LEN + 64];
	size_t i;

	if (starts_with(id, FRR_NAME_PREFIX))
		return true;
	snprintf(want, sizeof(want), "neighbor %s peer-group " FRR_NAME_PREFIX, id);
	for (i = 0; i < all->n; i++) {
		const struct frr_entry *e = &all->v[i];

		if (e->ctx[0] != NULL && e->ctx[1] == NULL && in_router_bgp(e) &&
		    starts_with(e->text, want))
			return true;
	}
	return false;
}

static bool claimed(const struct frr_entry *e, const struct frr_conf *const *claims,
		    size_t n_claims)
{
	char key[LINE_MAX_LEN], other[LINE_MAX_LEN];
	size_t c, i;

	line_key(e->text, key, sizeof(key));
	for (c = 0; c < n_claims; c++) {
		for (i = 0; claims[c] != NULL && i < claims[c]->n; i++) {
			const struct frr_entry *o = &claims[c]->v[i];

			if (o->daemon != e->daemon || !same_ctx(o, e))
				continue;
			line_key(o->text, other, sizeof(other));
			if (strcmp(key, other) == 0)
				return true;
		}
	}
	return false;
}

static bool is_owned(const struct frr_conf *all, const struct frr_entry *e,
		     const struct frr_conf *const *claims, size_t n_claims)
{
	char id[LINE_MAX_LEN];

	if (e->ctx[0] == NULL)
		return owned_top_name(e->text);
	if (owned_top_name(e->ctx[0]))
		return true;
	if (strcmp(e->ctx[0], "bfd") == 0) {
		if (e->ctx[1] == NULL)
			return starts_with(e->text, PROFILE_PREFIX);
		return starts_with(e->ctx[1], PROFILE_PREFIX);
	}
	if (!in_router_bgp(e))
		return false;
	if (e->ctx[1] == NULL ? starts_with(e->text, BMP_PREFIX) :
				starts_with(e->ctx[1], BMP_PREFIX))
		return true;
	if (neighbor_of(e->text, id, sizeof(id)))
		return owned_neighbor(all, id);
	return claimed(e, claims, n_claims);
}

int frr_conf_parse_owned(const char *text, size_t len, enum frr_daemon daemon,
			 const struct frr_conf *const *claims, size_t n_claims,
			 struct frr_conf *out)
{
	struct frr_conf all;
	size_t i;
	int r;

	frr_conf_init(&all);
	r = parse_all(text, len, daemon, &all);
	for (i = 0; r == 0 && i < all.n; i++) {
		const struct frr_entry *e = &all.v[i];

		if (is_owned(&all, e, claims, n_claims))
			r = frr_conf_add(out, daemon, (const char *const *)e->ctx, e->text);
	}
	frr_conf_clear(&all);
	return r;
}

unsigned long frr_conf_running_asn(const char *text, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		char line[64];
		unsigned long asn;
		char rest;

		if (end - pos < sizeof(line)) {
			memcpy(line, text + pos, end - pos);
			line[end - pos] = '\0';
			if (sscanf(line, ROUTER_BGP "%lu%c", &asn, &rest) == 1)
				return asn;
		}
		pos = end + 1;
	}
	return 0;
}

/* ---- batches */

void frr_batch_init(struct frr_batch *batch)
{
	memset(batch, 0, sizeof(*batch));
}

void frr_batch_clear(struct frr_batch *batch)
{
	size_t i;

	if (batch == NULL)
		return;
	for (i = 0; i < batch->n; i++)
		free(batch->lines[i]);
	free(batch->lines);
	frr_batch_init(batch);
}

int frr_batch_add(struct frr_batch *batch, const char *line)
{
	if (batch->n == batch->cap) {
		size_t cap = batch->cap ? batch->cap * 2 : 32;
		char **v = reallocarray(batch->lines, cap, sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		batch->lines = v;
		batch->cap = cap;
	}
	batch->lines[batch->n] = strdup(line);
	if (batch->lines[batch->n] == NULL)
		return -ENOMEM;
	batch->n++;
	return 0;
}

/* ---- delta */

/* The batch being built; r is the first error. */
struct emitter {
	struct nav nav;
	struct frr_batch *batch;
	int r;
};

static void batch_line(void *arg, size_t depth, const char *text)
{
	struct emitter *em = arg;

	(void)depth;
	if (em->r == 0)
		em->r = frr_batch_add(em->batch, text);
}

static void emit(struct emitter *em, const struct frr_entry *e, const char *line)
{
	nav_line(&em->nav, e, line);
}

static void emit_no(struct emitter *em, const struct frr_entry *e)
{
	char line[LINE_MAX_LEN + 4];

	if (starts_with(e->text, "no "))
		snprintf(line, sizeof(line), "%s", e->text + 3);
	else
		snprintf(line, sizeof(line), "no %s", e->text);
	emit(em, e, line);
}

/*
 * What identifies a neighbor: "neighbor X peer-group" (a group), "neighbor X peer-group G"
 * (a member) or "neighbor X remote-as N" (neither).  A neighbor whose identity changes
 * (moved to another group) is deleted and made again: FRR refuses to move it.
 */
enum nbr_kind {
	NBR_NONE,
	NBR_GROUP,
	NBR_MEMBER,
	NBR_PLAIN,
};

static enum nbr_kind identity_line(const struct frr_entry *e, const char *id)
{
	char buf[LINE_MAX_LEN + 64];

	if (!in_router_bgp(e) || e->ctx[1] != NULL)
		return NBR_NONE;
	snprintf(buf, sizeof(buf), "neighbor %s peer-group", id);
	if (strcmp(e->text, buf) == 0)
		return NBR_GROUP;
	if (starts_with(e->text, buf) && e->text[strlen(buf)] == ' ')
		return NBR_MEMBER;
	snprintf(buf, sizeof(buf), "neighbor %s remote-as ", id);
	if (starts_with(e->text, buf))
		return NBR_PLAIN;
	return NBR_NONE;
}

/* The identity line of neighbor id in conf, or NULL if the neighbor is not there. */
static const struct frr_entry *identity_of(const struct frr_conf *conf, enum frr_daemon daemon,
					   const char *id)
{
	const struct frr_entry *plain = NULL;
	size_t i;

	for (i = 0; i < conf->n; i++) {
		const struct frr_entry *e = &conf->v[i];

		if (e->daemon != daemon)
			continue;
		switch (identity_line(e, id)) {
		case NBR_GROUP:
		case NBR_MEMBER:
			return e;
		case NBR_PLAIN:
			if (plain == NULL)
				plain = e;
			break;
		case NBR_NONE:
			break;
		}
	}
	return plain;
}

/* Neighbor id must be deleted from cur (gone from want, or made again). */
static bool neighbor_goes(const struct frr_conf *cur, const struct frr_conf *want,
			  enum frr_daemon daemon, const char *id)
{
	const struct frr_entry *a = identity_of(cur, daemon, id);
	const struct frr_entry *b = identity_of(want, daemon, id);
	enum nbr_kind ka, kb;

	if (a == NULL)
		return false;
	if (b == NULL)
		return true;
	ka = identity_line(a, id);
	kb = identity_line(b, id);
	if (ka == NBR_PLAIN && kb == NBR_PLAIN)
		return false;
	return ka != kb || strcmp(a->text, b->text) != 0;
}

/* Is e inside a stanza (a route-map entry, a BFD profile) that goes away? */
static bool in_removed_stanza(const struct frr_conf *cur, const struct frr_conf *want,
			      const struct frr_entry *e)
{
	struct frr_entry header;
	size_t d = ctx_depth(e), k;

	for (k = 0; k < d; k++) {
		memset(&header, 0, sizeof(header));
		header.daemon = e->daemon;
		memcpy(header.ctx, e->ctx, k * sizeof(e->ctx[0]));
		header.text = e->ctx[k];
		if (frr_conf_find(cur, &header) >= 0 && frr_conf_find(want, &header) < 0)
			return true;
	}
	return false;
}

/* Does want set the same key in the same context (a value that changes in place)? */
static bool replaced(const struct frr_conf *want, const struct frr_entry *e)
{
	char key[LINE_MAX_LEN], other[LINE_MAX_LEN];
	size_t i;

	line_key(e->text, key, sizeof(key));
	if (strcmp(key, e->text) == 0)
		return false;
	for (i = 0; i < want->n; i++) {
		const struct frr_entry *o = &want->v[i];

		if (o->daemon != e->daemon || !same_ctx(o, e))
			continue;
		line_key(o->text, other, sizeof(other));
		if (strcmp(key, other) == 0)
			return true;
	}
	return false;
}

static void remove_one(struct emitter *em, const struct frr_conf *cur, const struct frr_conf *want,
		       const struct frr_entry *e)
{
	char id[LINE_MAX_LEN], line[LINE_MAX_LEN + 32];
	bool is_nbr = in_router_bgp(e) && neighbor_of(e->text, id, sizeof(id));

	if (is_nbr && neighbor_goes(cur, want, e->daemon, id)) {
		switch (identity_line(e, id)) {
		case NBR_GROUP:
			snprintf(line, sizeof(line), "no neighbor %s peer-group", id);
			emit(em, e, line);
			break;
		case NBR_MEMBER:
		case NBR_PLAIN:
			if (identity_of(cur, e->daemon, id) == e) {
				snprintf(line, sizeof(line), "no neighbor %s", id);
				emit(em, e, line);
			}
			break;
		case NBR_NONE:
			break;
		}
		return;
	}
	if (frr_conf_find(want, e) >= 0 || in_removed_stanza(cur, want, e) || replaced(want, e))
		return;
	emit_no(em, e);
}

int frr_delta(const struct frr_conf *cur, const struct frr_conf *want, enum frr_daemon daemon,
	      struct frr_batch *out)
{
	struct emitter em = { .batch = out };
	char id[LINE_MAX_LEN];
	size_t i;

	em.nav.line = batch_line;
	em.nav.arg = &em;

	for (i = cur->n; i-- > 0;) {
		if (cur->v[i].daemon == daemon)
			remove_one(&em, cur, want, &cur->v[i]);
	}
	for (i = 0; i < want->n; i++) {
		const struct frr_entry *e = &want->v[i];
		bool remade;

		if (e->daemon != daemon)
			continue;
		remade = in_router_bgp(e) && neighbor_of(e->text, id, sizeof(id)) &&
			 neighbor_goes(cur, want, daemon, id);
		if (!remade && frr_conf_find(cur, e) >= 0)
			continue;
		emit(&em, e, e->text);
	}
	nav_goto(&em.nav, NULL, 0);
	return em.r;
}

bool frr_conf_same(const struct frr_conf *got, const struct frr_conf *want, enum frr_daemon daemon,
		   const struct frr_entry **missing, const struct frr_entry **extra)
{
	size_t i;

	*missing = NULL;
	*extra = NULL;
	for (i = 0; i < want->n && *missing == NULL; i++) {
		if (want->v[i].daemon == daemon && frr_conf_find(got, &want->v[i]) < 0)
			*missing = &want->v[i];
	}
	for (i = 0; i < got->n && *extra == NULL; i++) {
		if (got->v[i].daemon == daemon && frr_conf_find(want, &got->v[i]) < 0)
			*extra = &got->v[i];
	}
	return *missing == NULL && *extra == NULL;
}
