/*
 * vici_sa.c - see vici_sa.h.
 *
 * Replies are read by tables: each row maps a charon key to a struct field and a kind
 * (string, decimal, hex, signed seconds, yes-flag, list joined by commas).  Unknown keys
 * are ignored, so a newer charon that adds fields does not break us; known keys with a
 * value of the wrong shape are -EBADMSG.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util.h"
#include "vici/vici_sa.h"

/* ---- requests ---- */

static int finish(struct vici_builder *b, uint8_t **frame, size_t *len)
{
	return vici_builder_finish(b, frame, len);
}

/* For numbers whose 0 is charon's default, and only those: see struct vici_opt. */
static void add_u32_nonzero(struct vici_builder *b, const char *key, uint32_t v)
{
	if (v != 0)
		vici_add_fmt(b, key, "%u", v);
}

static void add_opt(struct vici_builder *b, const char *key, struct vici_opt v)
{
	if (v.set)
		vici_add_fmt(b, key, "%u", v.value);
}

static void add_str_opt(struct vici_builder *b, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		vici_add_str(b, key, v);
}

static void add_auth(struct vici_builder *b, const char *section, const char *id)
{
	vici_begin_section(b, section);
	vici_add_str(b, "auth", "psk");
	add_str_opt(b, "id", id);
	vici_end_section(b);
}

static void add_child(struct vici_builder *b, const struct vici_conn_cfg *cfg)
{
	vici_begin_section(b, "children");
	vici_begin_section(b, cfg->child);
	vici_add_list_csv(b, "local_ts", cfg->local_ts ? cfg->local_ts : "0.0.0.0/0");
	vici_add_list_csv(b, "remote_ts", cfg->remote_ts ? cfg->remote_ts : "0.0.0.0/0");
	if (cfg->esp_proposals != NULL)
		vici_add_list_csv(b, "esp_proposals", cfg->esp_proposals);
	vici_add_str(b, "mode", "tunnel");
	add_opt(b, "rekey_time", cfg->child_rekey_time);
	add_opt(b, "life_time", cfg->child_life_time);
	add_opt(b, "rand_time", cfg->child_rand_time);
	add_str_opt(b, "start_action", cfg->start_action);
	add_str_opt(b, "close_action", cfg->close_action);
	add_str_opt(b, "dpd_action", cfg->dpd_action);
	add_u32_nonzero(b, "if_id_in", cfg->if_id_in);
	add_u32_nonzero(b, "if_id_out", cfg->if_id_out);
	add_u32_nonzero(b, "mark_in", cfg->mark_in);
	add_u32_nonzero(b, "mark_out", cfg->mark_out);
	vici_end_section(b);
	vici_end_section(b);
}

static bool conn_cfg_valid(const struct vici_conn_cfg *cfg)
{
	bool if_id = cfg->if_id_in != 0 || cfg->if_id_out != 0;
	bool mark = cfg->mark_in != 0 || cfg->mark_out != 0;

	return cfg->name != NULL && cfg->name[0] != '\0' && cfg->child != NULL &&
	       cfg->child[0] != '\0' && cfg->local_addrs != NULL && cfg->remote_addrs != NULL &&
	       cfg->version <= 2 && !(if_id && mark);
}

int vici_req_load_conn(const struct vici_conn_cfg *cfg, uint8_t **frame, size_t *len)
{
	struct vici_builder b;

	if (!conn_cfg_valid(cfg))
		return -EINVAL;
	vici_builder_init(&b, VICI_CMD_REQUEST, "load-conn");
	vici_begin_section(&b, cfg->name);
	vici_add_fmt(&b, "version", "%u", cfg->version);
	vici_add_list_csv(&b, "local_addrs", cfg->local_addrs);
	vici_add_list_csv(&b, "remote_addrs", cfg->remote_addrs);
	if (cfg->ike_proposals != NULL)
		vici_add_list_csv(&b, "proposals", cfg->ike_proposals);
	add_opt(&b, "rekey_time", cfg->rekey_time);
	add_opt(&b, "reauth_time", cfg->reauth_time);
	add_opt(&b, "over_time", cfg->over_time);
	add_opt(&b, "rand_time", cfg->rand_time);
	add_opt(&b, "dpd_delay", cfg->dpd_delay);
	add_opt(&b, "dpd_timeout", cfg->dpd_timeout);
	add_opt(&b, "keyingtries", cfg->keyingtries);
	add_str_opt(&b, "unique", cfg->unique);
	vici_add_str(&b, "mobike", "no");
	add_auth(&b, "local", cfg->local_id);
	add_auth(&b, "remote", cfg->remote_id);
	add_child(&b, cfg);
	vici_end_section(&b);
	return finish(&b, frame, len);
}

static int req_one(const char *cmd, const char *key, const char *value, uint8_t **frame,
		   size_t *len)
{
	struct vici_builder b;

	if (value == NULL || value[0] == '\0')
		return -EINVAL;
	vici_builder_init(&b, VICI_CMD_REQUEST, cmd);
	vici_add_str(&b, key, value);
	return finish(&b, frame, len);
}

int vici_req_unload_conn(const char *name, uint8_t **frame, size_t *len)
{
	return req_one("unload-conn", "name", name, frame, len);
}

int vici_req_unload_shared(const char *id, uint8_t **frame, size_t *len)
{
	return req_one("unload-shared", "id", id, frame, len);
}

int vici_req_load_shared(const struct vici_shared *psk, uint8_t **frame, size_t *len)
{
	struct vici_builder b;

	if (psk->id == NULL || psk->id[0] == '\0' || psk->secret == NULL || psk->secret[0] == '\0')
		return -EINVAL;
	vici_builder_init(&b, VICI_CMD_REQUEST, "load-shared");
	vici_add_str(&b, "id", psk->id);
	vici_add_str(&b, "type", "IKE");
	vici_add_str(&b, "data", psk->secret);
	vici_add_list_csv(&b, "owners", psk->owners);
	return finish(&b, frame, len);
}

int vici_req_initiate(const char *ike, const char *child, int timeout_ms, uint8_t **frame,
		      size_t *len)
{
	struct vici_builder b;

	if (child == NULL || child[0] == '\0')
		return -EINVAL;
	vici_builder_init(&b, VICI_CMD_REQUEST, "initiate");
	vici_add_str(&b, "child", child);
	add_str_opt(&b, "ike", ike);
	vici_add_fmt(&b, "timeout", "%d", timeout_ms);
	/* No control-log events: we do not register for them, and they would only cost. */
	vici_add_str(&b, "loglevel", "-1");
	return finish(&b, frame, len);
}

int vici_req_terminate(const char *ike, const char *child, uint32_t ike_id, int timeout_ms,
		       uint8_t **frame, size_t *len)
{
	struct vici_builder b;

	if ((ike == NULL || ike[0] == '\0') && (child == NULL || child[0] == '\0') && ike_id == 0)
		return -EINVAL;
	vici_builder_init(&b, VICI_CMD_REQUEST, "terminate");
	add_str_opt(&b, "ike", ike);
	add_str_opt(&b, "child", child);
	add_u32_nonzero(&b, "ike_id", ike_id);
	vici_add_fmt(&b, "timeout", "%d", timeout_ms);
	vici_add_str(&b, "loglevel", "-1");
	return finish(&b, frame, len);
}

int vici_req_list_sas(const char *ike, uint8_t **frame, size_t *len)
{
	struct vici_builder b;

	vici_builder_init(&b, VICI_CMD_REQUEST, "list-sas");
	vici_add_str(&b, "noblock", "yes");
	add_str_opt(&b, "ike", ike);
	return finish(&b, frame, len);
}

int vici_req_list_conns(const char *ike, uint8_t **frame, size_t *len)
{
	struct vici_builder b;

	vici_builder_init(&b, VICI_CMD_REQUEST, "list-conns");
	add_str_opt(&b, "ike", ike);
	return finish(&b, frame, len);
}

int vici_req_simple(const char *command, uint8_t **frame, size_t *len)
{
	struct vici_builder b;

	vici_builder_init(&b, VICI_CMD_REQUEST, command);
	return finish(&b, frame, len);
}

int vici_reply_status(const struct vici_node *root, char *errmsg, size_t size)
{
	const char *ok = vici_get_str(root, "success");
	const char *msg = vici_get_str(root, "errmsg");

	if (size > 0)
		errmsg[0] = '\0';
	if (ok == NULL)
		return -EBADMSG;
	if (strcmp(ok, "yes") == 0)
		return 0;
	if (size > 0 && msg != NULL)
		snprintf(errmsg, size, "%s", msg);
	return -EREMOTEIO;
}

/* ---- tables for replies ---- */

enum field_kind {
	F_STR,	/* char[size] */
	F_U16,	/* decimal */
	F_U32,	/* decimal */
	F_X32,	/* hex, at most 8 digits */
	F_X64,	/* hex, at most 16 digits */
	F_U64,	/* decimal */
	F_S64,	/* signed decimal; sets the bool at aux */
	F_YES,	/* bool: "yes" */
	F_LIST, /* list of strings, joined with ',' into char[size] */
};

struct field {
	const char *key;
	enum field_kind kind;
	size_t off;
	size_t size; /* F_STR, F_LIST: the array */
	size_t aux;  /* F_S64: offset of the "set" flag */
};

#define STR(key, type, member)                                                     \
	{                                                                          \
		key, F_STR, offsetof(type, member), sizeof(((type *)0)->member), 0 \
	}
#define NUM(key, kind, type, member)                    \
	{                                               \
		key, kind, offsetof(type, member), 0, 0 \
	}
#define S64(key, type, member, flag)                                        \
	{                                                                   \
		key, F_S64, offsetof(type, member), 0, offsetof(type, flag) \
	}
#define LIST(key, type, member)                                                     \
	{                                                                           \
		key, F_LIST, offsetof(type, member), sizeof(((type *)0)->member), 0 \
	}

static int copy_field(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		return -EBADMSG;
	memcpy(dst, s, n + 1);
	return 0;
}

static int join_list(const struct vici_node *list, char *dst, size_t size)
{
	const struct vici_node *it;
	size_t len = 0, n;

	dst[0] = '\0';
	if (list->type != VICI_NODE_LIST)
		return -EBADMSG;
	for (it = list->child; it != NULL; it = it->next) {
		n = strlen(it->value);
		if (n != it->value_len || len + n + (len > 0) >= size)
			return -EBADMSG;
		if (len > 0)
			dst[len++] = ',';
		memcpy(dst + len, it->value, n + 1);
		len += n;
	}
	return 0;
}

static int read_number(const struct vici_node *sec, const struct field *f, uint8_t *base)
{
	uint16_t u16;
	uint32_t u32;
	uint64_t v;
	int64_t s;
	int r;

	if (f->kind == F_S64) {
		r = vici_get_s64(sec, f->key, &s);
		if (r == 0) {
			memcpy(base + f->off, &s, sizeof(s));
			base[f->aux] = true;
		}
		return r;
	}
	r = vici_get_u64(sec, f->key, f->kind == F_X32 || f->kind == F_X64 ? 16 : 10, &v);
	if (r < 0)
		return r;
	if (f->kind == F_U16) {
		if (v > UINT16_MAX)
			return -EBADMSG;
		u16 = (uint16_t)v;
		memcpy(base + f->off, &u16, sizeof(u16));
	} else if (f->kind == F_U32 || f->kind == F_X32) {
		if (v > UINT32_MAX)
			return -EBADMSG;
		u32 = (uint32_t)v;
		memcpy(base + f->off, &u32, sizeof(u32));
	} else {
		memcpy(base + f->off, &v, sizeof(v));
	}
	return 0;
}

static int read_field(const struct vici_node *sec, const struct field *f, void *out)
{
	const struct vici_node *n = vici_find(sec, f->key);
	uint8_t *base = out;
	const char *s;
	int r;

	if (n == NULL)
		return 0;
	switch (f->kind) {
	case F_LIST:
		return join_list(n, (char *)base + f->off, f->size);
	case F_YES:
		base[f->off] = vici_get_yes(sec, f->key);
		return 0;
	case F_STR:
		s = vici_get_str(sec, f->key);
		return s == NULL ? -EBADMSG : copy_field((char *)base + f->off, f->size, s);
	case F_U16:
	case F_U32:
	case F_X32:
	case F_X64:
	case F_U64:
	case F_S64:
		r = read_number(sec, f, base);
		return r == -ENOENT ? -EBADMSG : r;
	}
	return -EBADMSG;
}

static int read_fields(const struct vici_node *sec, const struct field *fields, size_t n, void *out)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = read_field(sec, &fields[i], out);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- list-sa ---- */

static const struct field child_fields[] = {
	STR("name", struct vici_child_sa, name),
	NUM("uniqueid", F_U32, struct vici_child_sa, uniqueid),
	NUM("reqid", F_U32, struct vici_child_sa, reqid),
	STR("state", struct vici_child_sa, state),
	STR("mode", struct vici_child_sa, mode),
	STR("protocol", struct vici_child_sa, protocol),
	NUM("encap", F_YES, struct vici_child_sa, encap),
	NUM("spi-in", F_X32, struct vici_child_sa, spi_in),
	NUM("spi-out", F_X32, struct vici_child_sa, spi_out),
	STR("encr-alg", struct vici_child_sa, encr_alg),
	NUM("encr-keysize", F_U32, struct vici_child_sa, encr_keysize),
	STR("integ-alg", struct vici_child_sa, integ_alg),
	NUM("integ-keysize", F_U32, struct vici_child_sa, integ_keysize),
	STR("dh-group", struct vici_child_sa, dh_group),
	NUM("bytes-in", F_U64, struct vici_child_sa, bytes_in),
	NUM("packets-in", F_U64, struct vici_child_sa, packets_in),
	NUM("bytes-out", F_U64, struct vici_child_sa, bytes_out),
	NUM("packets-out", F_U64, struct vici_child_sa, packets_out),
	S64("rekey-time", struct vici_child_sa, rekey_time, rekey_time_set),
	S64("life-time", struct vici_child_sa, life_time, life_time_set),
	NUM("if-id-in", F_X32, struct vici_child_sa, if_id_in),
	NUM("if-id-out", F_X32, struct vici_child_sa, if_id_out),
	NUM("mark-in", F_X32, struct vici_child_sa, mark_in),
	NUM("mark-out", F_X32, struct vici_child_sa, mark_out),
	LIST("local-ts", struct vici_child_sa, local_ts),
	LIST("remote-ts", struct vici_child_sa, remote_ts),
};

static const struct field ike_fields[] = {
	NUM("uniqueid", F_U32, struct vici_ike_sa, uniqueid),
	NUM("version", F_U32, struct vici_ike_sa, version),
	STR("state", struct vici_ike_sa, state),
	STR("local-host", struct vici_ike_sa, local_host),
	NUM("local-port", F_U16, struct vici_ike_sa, local_port),
	STR("local-id", struct vici_ike_sa, local_id),
	STR("remote-host", struct vici_ike_sa, remote_host),
	NUM("remote-port", F_U16, struct vici_ike_sa, remote_port),
	STR("remote-id", struct vici_ike_sa, remote_id),
	NUM("initiator", F_YES, struct vici_ike_sa, initiator),
	NUM("initiator-spi", F_X64, struct vici_ike_sa, initiator_spi),
	NUM("responder-spi", F_X64, struct vici_ike_sa, responder_spi),
	NUM("nat-local", F_YES, struct vici_ike_sa, nat_local),
	NUM("nat-remote", F_YES, struct vici_ike_sa, nat_remote),
	STR("encr-alg", struct vici_ike_sa, encr_alg),
	NUM("encr-keysize", F_U32, struct vici_ike_sa, encr_keysize),
	STR("integ-alg", struct vici_ike_sa, integ_alg),
	NUM("integ-keysize", F_U32, struct vici_ike_sa, integ_keysize),
	STR("prf-alg", struct vici_ike_sa, prf_alg),
	STR("dh-group", struct vici_ike_sa, dh_group),
	S64("established", struct vici_ike_sa, established, established_set),
	S64("rekey-time", struct vici_ike_sa, rekey_time, rekey_time_set),
	S64("reauth-time", struct vici_ike_sa, reauth_time, reauth_time_set),
};

/* install-time is signed but has no flag: read separately, it is always sent. */
static int parse_child(const struct vici_node *sec, struct vici_child_sa *c)
{
	int64_t t;
	int r;

	memset(c, 0, sizeof(*c));
	if (sec->type != VICI_NODE_SECTION)
		return -EBADMSG;
	r = read_fields(sec, child_fields, ARRAY_SIZE(child_fields), c);
	if (r < 0)
		return r;
	r = vici_get_s64(sec, "install-time", &t);
	if (r == 0)
		c->install_time = t;
	if (r == -EBADMSG)
		return r;
	/* Older charons lack "name": the section is "<name>-<uniqueid>" then. */
	if (c->name[0] == '\0')
		return copy_field(c->name, sizeof(c->name), sec->name);
	return 0;
}

/* Sections below sec, or -1 if anything else is there. */
static ssize_t count_sections(const struct vici_node *sec)
{
	const struct vici_node *n;
	ssize_t count = 0;

	for (n = sec->child; n != NULL; n = n->next) {
		if (n->type != VICI_NODE_SECTION)
			return -1;
		count++;
	}
	return count;
}

static int parse_children(const struct vici_node *ike, struct vici_ike_sa *sa)
{
	const struct vici_node *csas = vici_find(ike, "child-sas"), *n;
	ssize_t count;
	int r;

	if (csas == NULL)
		return 0;
	if (csas->type != VICI_NODE_SECTION)
		return -EBADMSG;
	count = count_sections(csas);
	if (count <= 0)
		return count < 0 ? -EBADMSG : 0;
	sa->children = calloc((size_t)count, sizeof(*sa->children));
	if (sa->children == NULL)
		return -ENOMEM;
	for (n = csas->child; n != NULL; n = n->next) {
		if (n->type != VICI_NODE_SECTION)
			return -EBADMSG;
		r = parse_child(n, &sa->children[sa->n_children]);
		if (r < 0)
			return r;
		sa->n_children++;
	}
	return 0;
}

static int parse_ike(const struct vici_node *sec, struct vici_ike_sa *sa, bool children)
{
	int r;

	memset(sa, 0, sizeof(*sa));
	if (sec == NULL || sec->type != VICI_NODE_SECTION)
		return -EBADMSG;
	r = copy_field(sa->name, sizeof(sa->name), sec->name);
	if (r == 0)
		r = read_fields(sec, ike_fields, ARRAY_SIZE(ike_fields), sa);
	if (r == 0 && children)
		r = parse_children(sec, sa);
	if (r < 0)
		vici_ike_sa_clear(sa);
	return r;
}

/* The one section at the root that names the IKE_SA (events also carry "up" there). */
static const struct vici_node *ike_section(const struct vici_node *root)
{
	const struct vici_node *n, *found = NULL;

	for (n = root->child; n != NULL; n = n->next) {
		if (n->type != VICI_NODE_SECTION)
			continue;
		if (found != NULL)
			return NULL;
		found = n;
	}
	return found;
}

bool vici_child_state_installed(const char *state)
{
	static const char *const installed[] = { "INSTALLED", "UPDATING", "REKEYING", "REKEYED" };

	for (size_t i = 0; state != NULL && i < ARRAY_SIZE(installed); i++)
		if (!strcmp(state, installed[i]))
			return true;
	return false;
}

void vici_ike_sa_clear(struct vici_ike_sa *sa)
{
	free(sa->children);
	sa->children = NULL;
	sa->n_children = 0;
}

void vici_ike_sas_free(struct vici_ike_sa *sas, size_t n)
{
	size_t i;

	if (sas == NULL)
		return;
	for (i = 0; i < n; i++)
		vici_ike_sa_clear(&sas[i]);
	free(sas);
}

int vici_parse_list_sa(const struct vici_node *root, struct vici_ike_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	return parse_ike(ike_section(root), sa, true);
}

/* ---- list-conn ---- */

static const struct field conn_fields[] = {
	STR("version", struct vici_conn_info, version),
	LIST("local_addrs", struct vici_conn_info, local_addrs),
	LIST("remote_addrs", struct vici_conn_info, remote_addrs),
	NUM("rekey_time", F_U64, struct vici_conn_info, rekey_time),
	NUM("reauth_time", F_U64, struct vici_conn_info, reauth_time),
	STR("unique", struct vici_conn_info, unique),
	NUM("dpd_delay", F_U64, struct vici_conn_info, dpd_delay),
};

static const struct field conn_child_fields[] = {
	STR("mode", struct vici_conn_child, mode),
	LIST("local-ts", struct vici_conn_child, local_ts),
	LIST("remote-ts", struct vici_conn_child, remote_ts),
	NUM("rekey_time", F_U64, struct vici_conn_child, rekey_time),
	STR("dpd_action", struct vici_conn_child, dpd_action),
	STR("close_action", struct vici_conn_child, close_action),
};

/* Auth rounds are sections "local", "local-1", ...: the first of each side gives the id. */
static int parse_auth_rounds(const struct vici_node *conn, struct vici_conn_info *c)
{
	const struct vici_node *n;
	const char *id, *cls;
	int r = 0;

	for (n = conn->child; n != NULL && r == 0; n = n->next) {
		if (n->type != VICI_NODE_SECTION)
			continue;
		id = vici_get_str(n, "id");
		cls = vici_get_str(n, "class");
		if (strncmp(n->name, "local", 5) == 0 && c->local_auth[0] == '\0') {
			r = copy_field(c->local_id, sizeof(c->local_id), id ? id : "");
			if (r == 0)
				r = copy_field(c->local_auth, sizeof(c->local_auth),
					       cls ? cls : "?");
		} else if (strncmp(n->name, "remote", 6) == 0 && c->remote_id[0] == '\0' && id) {
			r = copy_field(c->remote_id, sizeof(c->remote_id), id);
		}
	}
	return r;
}

static int parse_conn_children(const struct vici_node *conn, struct vici_conn_info *c)
{
	const struct vici_node *sec = vici_find(conn, "children"), *n;
	struct vici_conn_child *ch;
	ssize_t count;
	int r;

	if (sec == NULL)
		return 0;
	if (sec->type != VICI_NODE_SECTION)
		return -EBADMSG;
	count = count_sections(sec);
	if (count <= 0)
		return count < 0 ? -EBADMSG : 0;
	c->children = calloc((size_t)count, sizeof(*c->children));
	if (c->children == NULL)
		return -ENOMEM;
	for (n = sec->child; n != NULL; n = n->next) {
		if (n->type != VICI_NODE_SECTION)
			return -EBADMSG;
		ch = &c->children[c->n_children++];
		r = copy_field(ch->name, sizeof(ch->name), n->name);
		if (r == 0)
			r = read_fields(n, conn_child_fields, ARRAY_SIZE(conn_child_fields), ch);
		if (r < 0)
			return r;
	}
	return 0;
}

int vici_parse_list_conn(const struct vici_node *root, struct vici_conn_info *c)
{
	const struct vici_node *conn = ike_section(root);
	int r;

	memset(c, 0, sizeof(*c));
	if (conn == NULL)
		return -EBADMSG;
	r = copy_field(c->name, sizeof(c->name), conn->name);
	if (r == 0)
		r = read_fields(conn, conn_fields, ARRAY_SIZE(conn_fields), c);
	if (r == 0)
		r = parse_auth_rounds(conn, c);
	if (r == 0)
		r = parse_conn_children(conn, c);
	if (r < 0)
		vici_conn_info_clear(c);
	return r;
}

void vici_conn_info_clear(struct vici_conn_info *c)
{
	free(c->children);
	c->children = NULL;
	c->n_children = 0;
}

void vici_conn_infos_free(struct vici_conn_info *c, size_t n)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++)
		vici_conn_info_clear(&c[i]);
	free(c);
}

/* ---- events ---- */

static const char *const event_names[] = {
	[VICI_EV_IKE_UPDOWN] = "ike-updown",
	[VICI_EV_IKE_REKEY] = "ike-rekey",
	[VICI_EV_CHILD_UPDOWN] = "child-updown",
	[VICI_EV_CHILD_REKEY] = "child-rekey",
};

const char *vici_event_kind_name(enum vici_event_kind kind)
{
	if ((unsigned)kind >= ARRAY_SIZE(event_names))
		return NULL;
	return event_names[kind];
}

int vici_event_kind_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(event_names); i++) {
		if (strcmp(name, event_names[i]) == 0)
			return (int)i;
	}
	return -ENOENT;
}

/* ike-rekey: { <name> { old { ... } new { ... } } } */
static int parse_ike_rekey(const struct vici_node *sec, struct vici_event *ev)
{
	int r;

	r = parse_ike(vici_find_section(sec, "old"), &ev->ike, false);
	if (r == 0)
		r = parse_ike(vici_find_section(sec, "new"), &ev->ike_new, false);
	if (r == 0) {
		/* The inner sections are "old"/"new": the IKE name is the outer one. */
		r = copy_field(ev->ike.name, sizeof(ev->ike.name), sec->name);
		memcpy(ev->ike_new.name, ev->ike.name, sizeof(ev->ike.name));
	}
	return r;
}

/* child-updown: exactly one CHILD_SA in child-sas. */
static int parse_child_updown(const struct vici_node *sec, struct vici_event *ev)
{
	int r = parse_ike(sec, &ev->ike, true);

	if (r < 0)
		return r;
	if (ev->ike.n_children != 1)
		return -EBADMSG;
	ev->child = ev->ike.children[0];
	return 0;
}

/* child-rekey: child-sas { <name> { old { ... } new { ... } } } */
static int parse_child_rekey(const struct vici_node *sec, struct vici_event *ev)
{
	const struct vici_node *csas, *c;
	int r;

	r = parse_ike(sec, &ev->ike, false);
	if (r < 0)
		return r;
	csas = vici_find_section(sec, "child-sas");
	if (csas == NULL || count_sections(csas) != 1)
		return -EBADMSG;
	c = csas->child;
	if (vici_find_section(c, "old") == NULL || vici_find_section(c, "new") == NULL)
		return -EBADMSG;
	r = parse_child(vici_find_section(c, "old"), &ev->child);
	if (r == 0)
		r = parse_child(vici_find_section(c, "new"), &ev->child_new);
	return r;
}

int vici_parse_event(const char *name, const struct vici_node *root, struct vici_event *ev)
{
	const struct vici_node *sec;
	int kind = vici_event_kind_from_name(name);
	int r;

	memset(ev, 0, sizeof(*ev));
	if (kind < 0)
		return kind;
	ev->kind = (enum vici_event_kind)kind;
	ev->up = vici_get_yes(root, "up");
	sec = ike_section(root);
	if (sec == NULL)
		return -EBADMSG;
	switch (ev->kind) {
	case VICI_EV_IKE_UPDOWN:
		r = parse_ike(sec, &ev->ike, false);
		break;
	case VICI_EV_IKE_REKEY:
		r = parse_ike_rekey(sec, ev);
		break;
	case VICI_EV_CHILD_UPDOWN:
		r = parse_child_updown(sec, ev);
		break;
	case VICI_EV_CHILD_REKEY:
		r = parse_child_rekey(sec, ev);
		break;
	default:
		r = -EBADMSG;
		break;
	}
	if (r < 0)
		vici_event_clear(ev);
	return r;
}

void vici_event_clear(struct vici_event *ev)
{
	vici_ike_sa_clear(&ev->ike);
	vici_ike_sa_clear(&ev->ike_new);
}
