/*
 * vici_codec.c - see vici_codec.h.
 *
 * The tree parser makes two passes over the message: the first validates and counts
 * nodes and string bytes, the second fills one allocation.  So a message is either
 * rejected before anything is allocated, or its tree is one free() away.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici/vici_codec.h"

static const char *const packet_type_names[] = {
	[VICI_CMD_REQUEST] = "cmd-request",	      [VICI_CMD_RESPONSE] = "cmd-response",
	[VICI_CMD_UNKNOWN] = "cmd-unknown",	      [VICI_EVENT_REGISTER] = "event-register",
	[VICI_EVENT_UNREGISTER] = "event-unregister", [VICI_EVENT_CONFIRM] = "event-confirm",
	[VICI_EVENT_UNKNOWN] = "event-unknown",	      [VICI_EVENT] = "event",
};

const char *vici_packet_type_name(enum vici_packet_type type)
{
	if ((unsigned)type >= ARRAY_SIZE(packet_type_names))
		return NULL;
	return packet_type_names[type];
}

bool vici_packet_has_name(enum vici_packet_type type)
{
	return type == VICI_CMD_REQUEST || type == VICI_EVENT_REGISTER ||
	       type == VICI_EVENT_UNREGISTER || type == VICI_EVENT;
}

bool vici_packet_has_message(enum vici_packet_type type)
{
	return type == VICI_CMD_REQUEST || type == VICI_CMD_RESPONSE || type == VICI_EVENT;
}

/* ---- builder ---- */

static void put(struct vici_builder *b, const void *data, size_t len)
{
	size_t cap;
	uint8_t *p;

	if (b->err != 0)
		return;
	if (b->len + len > VICI_HEADER_LEN + VICI_FRAME_MAX) {
		b->err = -E2BIG;
		return;
	}
	if (b->len + len > b->cap) {
		cap = b->cap > 0 ? b->cap : 256;
		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->buf, cap);
		if (p == NULL) {
			b->err = -ENOMEM;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, len);
	b->len += len;
}

static void put_u8(struct vici_builder *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_name(struct vici_builder *b, const char *name)
{
	size_t len;

	if (name == NULL) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	len = strlen(name);
	if (len > VICI_NAME_MAX) {
		b->err = b->err ? b->err : -E2BIG;
		return;
	}
	put_u8(b, (uint8_t)len);
	put(b, name, len);
}

static void put_value(struct vici_builder *b, const void *value, size_t len)
{
	uint8_t hdr[2];

	if (value == NULL && len > 0) {
		b->err = b->err ? b->err : -EINVAL;
		return;
	}
	if (len > VICI_VALUE_MAX) {
		b->err = b->err ? b->err : -E2BIG;
		return;
	}
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	put(b, hdr, 2);
	if (len > 0)
		put(b, value, len);
}

static void fail(struct vici_builder *b, int err)
{
	if (b->err == 0)
		b->err = err;
}

void vici_builder_init(struct vici_builder *b, enum vici_packet_type type, const char *name)
{
	static const uint8_t header[VICI_HEADER_LEN];

	memset(b, 0, sizeof(*b));
	put(b, header, sizeof(header));
	if (vici_packet_type_name(type) == NULL) {
		fail(b, -EINVAL);
		return;
	}
	put_u8(b, (uint8_t)type);
	b->has_message = vici_packet_has_message(type);
	if (!vici_packet_has_name(type)) {
		if (name != NULL)
			fail(b, -EINVAL);
		return;
	}
	if (name == NULL || name[0] == '\0')
		fail(b, -EINVAL);
	else
		put_name(b, name);
}

/* Elements are allowed in messages only, and only where the structure allows them. */
static bool element_ok(struct vici_builder *b, bool in_list)
{
	if (!b->has_message || b->in_list != in_list) {
		fail(b, -EINVAL);
		return false;
	}
	return b->err == 0;
}

void vici_add_kv(struct vici_builder *b, const char *key, const void *value, size_t len)
{
	if (!element_ok(b, false))
		return;
	put_u8(b, VICI_KEY_VALUE);
	put_name(b, key);
	put_value(b, value, len);
}

void vici_add_str(struct vici_builder *b, const char *key, const char *value)
{
	if (value == NULL) {
		fail(b, -EINVAL);
		return;
	}
	vici_add_kv(b, key, value, strlen(value));
}

void vici_add_fmt(struct vici_builder *b, const char *key, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		fail(b, -E2BIG);
		return;
	}
	vici_add_kv(b, key, buf, (size_t)n);
}

void vici_begin_section(struct vici_builder *b, const char *name)
{
	if (!element_ok(b, false))
		return;
	if (b->depth >= VICI_DEPTH_MAX) {
		fail(b, -E2BIG);
		return;
	}
	put_u8(b, VICI_SECTION_START);
	put_name(b, name);
	b->depth++;
}

void vici_end_section(struct vici_builder *b)
{
	if (!element_ok(b, false))
		return;
	if (b->depth == 0) {
		fail(b, -EINVAL);
		return;
	}
	put_u8(b, VICI_SECTION_END);
	b->depth--;
}

void vici_begin_list(struct vici_builder *b, const char *name)
{
	if (!element_ok(b, false))
		return;
	put_u8(b, VICI_LIST_START);
	put_name(b, name);
	b->in_list = true;
}

void vici_add_item(struct vici_builder *b, const void *value, size_t len)
{
	if (!element_ok(b, true))
		return;
	put_u8(b, VICI_LIST_ITEM);
	put_value(b, value, len);
}

void vici_add_item_str(struct vici_builder *b, const char *value)
{
	if (value == NULL) {
		fail(b, -EINVAL);
		return;
	}
	vici_add_item(b, value, strlen(value));
}

void vici_end_list(struct vici_builder *b)
{
	if (!element_ok(b, true))
		return;
	put_u8(b, VICI_LIST_END);
	b->in_list = false;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void vici_add_list_csv(struct vici_builder *b, const char *name, const char *csv)
{
	const char *p = csv, *end, *s, *e;

	vici_begin_list(b, name);
	while (p != NULL && *p != '\0') {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		for (s = p; s < end && is_blank(*s); s++)
			;
		for (e = end; e > s && is_blank(e[-1]); e--)
			;
		if (e > s)
			vici_add_item(b, s, (size_t)(e - s));
		p = *end == ',' ? end + 1 : end;
	}
	vici_end_list(b);
}

int vici_builder_finish(struct vici_builder *b, uint8_t **frame, size_t *len)
{
	size_t payload;
	int r = b->err;

	if (r == 0 && (b->depth != 0 || b->in_list))
		r = -EINVAL;
	if (r != 0) {
		vici_builder_reset(b);
		return r;
	}
	payload = b->len - VICI_HEADER_LEN;
	b->buf[0] = (uint8_t)(payload >> 24);
	b->buf[1] = (uint8_t)(payload >> 16);
	b->buf[2] = (uint8_t)(payload >> 8);
	b->buf[3] = (uint8_t)payload;
	*frame = b->buf;
	*len = b->len;
	memset(b, 0, sizeof(*b));
	return 0;
}

void vici_builder_reset(struct vici_builder *b)
{
	vici_frame_free(b->buf, b->cap);
	memset(b, 0, sizeof(*b));
}

void vici_frame_free(uint8_t *frame, size_t len)
{
	if (frame == NULL)
		return;
	explicit_bzero(frame, len);
	free(frame);
}

/* ---- decoder ---- */

int vici_frame_peek(const uint8_t *buf, size_t len, size_t *frame_len)
{
	uint32_t n;

	if (len < VICI_HEADER_LEN)
		return -EAGAIN;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	if (n > VICI_FRAME_MAX)
		return -EMSGSIZE;
	if (n == 0)
		return -EBADMSG;
	if (len - VICI_HEADER_LEN < n)
		return -EAGAIN;
	*frame_len = VICI_HEADER_LEN + (size_t)n;
	return 0;
}

int vici_packet_decode(const uint8_t *payload, size_t len, struct vici_packet *pkt)
{
	size_t off = 1, name_len = 0;

	if (len < 1 || vici_packet_type_name((enum vici_packet_type)payload[0]) == NULL)
		return -EBADMSG;
	memset(pkt, 0, sizeof(*pkt));
	pkt->type = (enum vici_packet_type)payload[0];
	if (vici_packet_has_name(pkt->type)) {
		if (len < 2)
			return -EBADMSG;
		name_len = payload[1];
		off = 2;
		if (name_len == 0 || name_len > len - off ||
		    memchr(payload + off, '\0', name_len) != NULL)
			return -EBADMSG;
		memcpy(pkt->name, payload + off, name_len);
		pkt->name[name_len] = '\0';
		off += name_len;
	}
	if (!vici_packet_has_message(pkt->type))
		return off == len ? 0 : -EBADMSG;
	pkt->msg = payload + off;
	pkt->msg_len = len - off;
	return vici_msg_validate(pkt->msg, pkt->msg_len);
}

static bool element_has_name(enum vici_element_type t)
{
	return t == VICI_SECTION_START || t == VICI_KEY_VALUE || t == VICI_LIST_START;
}

static bool element_has_value(enum vici_element_type t)
{
	return t == VICI_KEY_VALUE || t == VICI_LIST_ITEM;
}

int vici_element_next(const uint8_t *msg, size_t len, size_t *off, struct vici_element *el)
{
	size_t o = *off, n;

	if (o >= len)
		return 0;
	memset(el, 0, sizeof(*el));
	if (msg[o] < VICI_SECTION_START || msg[o] > VICI_LIST_END)
		return -EBADMSG;
	el->type = (enum vici_element_type)msg[o++];
	if (element_has_name(el->type)) {
		if (o >= len)
			return -EBADMSG;
		n = msg[o++];
		if (n > len - o)
			return -EBADMSG;
		el->name = (const char *)(msg + o);
		el->name_len = n;
		o += n;
	}
	if (element_has_value(el->type)) {
		if (len - o < 2)
			return -EBADMSG;
		n = (size_t)msg[o] << 8 | msg[o + 1];
		o += 2;
		if (n > len - o)
			return -EBADMSG;
		el->value = msg + o;
		el->value_len = n;
		o += n;
	}
	*off = o;
	return 1;
}

/* Structure state while walking a message: depth of sections, whether a list is open. */
struct walk {
	unsigned depth;
	bool in_list;
};

/* Is el allowed where the walk is?  Updates the state. */
static int walk_step(struct walk *w, const struct vici_element *el)
{
	if (el->name != NULL && memchr(el->name, '\0', el->name_len) != NULL)
		return -EBADMSG;
	if (w->in_list != (el->type == VICI_LIST_ITEM || el->type == VICI_LIST_END))
		return -EBADMSG;
	switch (el->type) {
	case VICI_SECTION_START:
		if (w->depth >= VICI_DEPTH_MAX)
			return -EBADMSG;
		w->depth++;
		break;
	case VICI_SECTION_END:
		if (w->depth == 0)
			return -EBADMSG;
		w->depth--;
		break;
	case VICI_LIST_START:
		w->in_list = true;
		break;
	case VICI_LIST_END:
		w->in_list = false;
		break;
	case VICI_KEY_VALUE:
	case VICI_LIST_ITEM:
		break;
	}
	return 0;
}

/* Validate; count nodes and the string bytes the tree needs. */
static int msg_measure(const uint8_t *msg, size_t len, size_t *nodes, size_t *bytes)
{
	struct vici_element el;
	struct walk w = { 0 };
	size_t off = 0;
	int r;

	*nodes = 0;
	*bytes = 0;
	while ((r = vici_element_next(msg, len, &off, &el)) > 0) {
		if (walk_step(&w, &el) < 0)
			return -EBADMSG;
		if (el.type == VICI_SECTION_END || el.type == VICI_LIST_END)
			continue;
		(*nodes)++;
		*bytes += el.name_len + 1 + (element_has_value(el.type) ? el.value_len + 1 : 0);
	}
	if (r < 0 || w.depth != 0 || w.in_list)
		return -EBADMSG;
	return 0;
}

int vici_msg_validate(const uint8_t *msg, size_t len)
{
	size_t nodes, bytes;

	return msg_measure(msg, len, &nodes, &bytes);
}

struct vici_msg {
	struct vici_node root;
	struct vici_node nodes[];
};

static char *copy_str(char **arena, const void *s, size_t len)
{
	char *p = *arena;

	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	*arena += len + 1;
	return p;
}

static const enum vici_node_type node_types[] = {
	[VICI_SECTION_START] = VICI_NODE_SECTION,
	[VICI_KEY_VALUE] = VICI_NODE_KV,
	[VICI_LIST_START] = VICI_NODE_LIST,
	[VICI_LIST_ITEM] = VICI_NODE_ITEM,
};

/* Second pass: the message is known to be valid. */
static void msg_build(struct vici_msg *m, const uint8_t *msg, size_t len, char *arena)
{
	/* parents[d] is the open container at depth d; last[d] its last child so far. */
	struct vici_node *parents[VICI_DEPTH_MAX + 2], *last[VICI_DEPTH_MAX + 2];
	struct vici_element el;
	struct vici_node *n;
	size_t off = 0, i = 0;
	unsigned d = 0;

	m->root.type = VICI_NODE_SECTION;
	m->root.name = "";
	parents[0] = &m->root;
	last[0] = NULL;
	while (vici_element_next(msg, len, &off, &el) > 0) {
		if (el.type == VICI_SECTION_END || el.type == VICI_LIST_END) {
			d--;
			continue;
		}
		n = &m->nodes[i++];
		n->type = node_types[el.type];
		n->name = copy_str(&arena, el.name, el.name_len);
		if (element_has_value(el.type)) {
			n->value = copy_str(&arena, el.value, el.value_len);
			n->value_len = el.value_len;
		}
		if (last[d] != NULL)
			last[d]->next = n;
		else
			parents[d]->child = n;
		last[d] = n;
		if (el.type == VICI_SECTION_START || el.type == VICI_LIST_START) {
			d++;
			parents[d] = n;
			last[d] = NULL;
		}
	}
}

int vici_msg_parse(const uint8_t *msg, size_t len, struct vici_msg **out)
{
	size_t nodes, bytes;
	struct vici_msg *m;
	int r;

	r = msg_measure(msg, len, &nodes, &bytes);
	if (r < 0)
		return r;
	m = calloc(1, sizeof(*m) + nodes * sizeof(struct vici_node) + bytes);
	if (m == NULL)
		return -ENOMEM;
	msg_build(m, msg, len, (char *)&m->nodes[nodes]);
	*out = m;
	return 0;
}

void vici_msg_free(struct vici_msg *m)
{
	free(m);
}

const struct vici_node *vici_msg_root(const struct vici_msg *m)
{
	return &m->root;
}

const struct vici_node *vici_find(const struct vici_node *section, const char *name)
{
	const struct vici_node *n;

	if (section == NULL || section->type != VICI_NODE_SECTION)
		return NULL;
	for (n = section->child; n != NULL; n = n->next) {
		if (strcmp(n->name, name) == 0)
			return n;
	}
	return NULL;
}

const struct vici_node *vici_find_section(const struct vici_node *section, const char *name)
{
	const struct vici_node *n;

	if (section == NULL || section->type != VICI_NODE_SECTION)
		return NULL;
	for (n = section->child; n != NULL; n = n->next) {
		if (n->type == VICI_NODE_SECTION && strcmp(n->name, name) == 0)
			return n;
	}
	return NULL;
}

const char *vici_get_str(const struct vici_node *section, const char *key)
{
	const struct vici_node *n;

	if (section == NULL || section->type != VICI_NODE_SECTION)
		return NULL;
	for (n = section->child; n != NULL; n = n->next) {
		if (n->type == VICI_NODE_KV && strcmp(n->name, key) == 0)
			return strlen(n->value) == n->value_len ? n->value : NULL;
	}
	return NULL;
}

static int digit_value(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict: digits only, at least one, no sign, no blanks, no overflow. */
static int parse_u64(const char *s, int base, uint64_t *v)
{
	uint64_t x = 0;
	int d;

	if (*s == '\0')
		return -EBADMSG;
	for (; *s != '\0'; s++) {
		d = digit_value(*s, base);
		if (d < 0 || x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -EBADMSG;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	*v = x;
	return 0;
}

int vici_get_u64(const struct vici_node *section, const char *key, int base, uint64_t *v)
{
	const char *s = vici_get_str(section, key);

	if (base != 10 && base != 16)
		return -EINVAL;
	if (s == NULL)
		return vici_find(section, key) == NULL ? -ENOENT : -EBADMSG;
	return parse_u64(s, base, v);
}

int vici_get_s64(const struct vici_node *section, const char *key, int64_t *v)
{
	const char *s = vici_get_str(section, key);
	bool neg;
	uint64_t x;

	if (s == NULL)
		return vici_find(section, key) == NULL ? -ENOENT : -EBADMSG;
	neg = *s == '-';
	if (parse_u64(neg ? s + 1 : s, 10, &x) < 0 || x > (uint64_t)INT64_MAX + neg)
		return -EBADMSG;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

bool vici_get_yes(const struct vici_node *section, const char *key)
{
	const char *s = vici_get_str(section, key);

	return s != NULL && strcmp(s, "yes") == 0;
}

bool vici_key_is_secret(const char *name, size_t len)
{
	static const char *const secret[] = { "data", "secret", "psk" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(secret); i++) {
		if (len == strlen(secret[i]) && memcmp(name, secret[i], len) == 0)
			return true;
	}
	return false;
}

/* ---- dump ---- */

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_byte(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_str(struct out *o, const char *s)
{
	while (*s != '\0')
		out_byte(o, *s++);
}

static void out_escaped(struct out *o, const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			out_byte(o, (char)p[i]);
			continue;
		}
		out_str(o, "\\x");
		out_byte(o, hex[p[i] >> 4]);
		out_byte(o, hex[p[i] & 0xf]);
	}
}

static void dump_element(struct out *o, const struct vici_element *el, const char **sep,
			 bool *redact)
{
	out_str(o, *sep);
	*sep = " ";
	switch (el->type) {
	case VICI_SECTION_START:
		out_escaped(o, el->name, el->name_len);
		out_str(o, " {");
		break;
	case VICI_SECTION_END:
		out_str(o, "}");
		break;
	case VICI_KEY_VALUE:
		out_escaped(o, el->name, el->name_len);
		out_byte(o, '=');
		if (vici_key_is_secret(el->name, el->name_len))
			out_str(o, "<redacted>");
		else
			out_escaped(o, el->value, el->value_len);
		break;
	case VICI_LIST_START:
		out_escaped(o, el->name, el->name_len);
		out_str(o, " [");
		*redact = vici_key_is_secret(el->name, el->name_len);
		break;
	case VICI_LIST_ITEM:
		if (*redact)
			out_str(o, "<redacted>");
		else
			out_escaped(o, el->value, el->value_len);
		break;
	case VICI_LIST_END:
		out_str(o, "]");
		break;
	}
}

size_t vici_dump(const uint8_t *msg, size_t len, char *out, size_t size)
{
	struct out o = { .buf = out, .size = size };
	struct vici_element el;
	struct walk w = { 0 };
	const char *sep = "";
	bool redact = false;
	size_t off = 0;
	int r;

	while ((r = vici_element_next(msg, len, &off, &el)) > 0) {
		if (walk_step(&w, &el) < 0) {
			r = -EBADMSG;
			break;
		}
		dump_element(&o, &el, &sep, &redact);
	}
	if (r < 0 || w.depth != 0 || w.in_list) {
		out_str(&o, sep);
		out_str(&o, "<malformed>");
	}
	if (size > 0)
		out[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}
