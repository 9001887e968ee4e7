/*
 * frr_bmp.c - the BMP decoder (see frr_bmp.h).  Pure.
 *
 * Every read goes through struct cur, which knows how many bytes are left; a read past
 * the end fails the whole message.  Strict where RFC 7606 would be lenient (a repeated
 * attribute, a wrong attribute length): the input comes from bgpd, which encoded it
 * itself, so anything odd means a bug or a stream out of step, and bgpd's replay after a
 * reconnect is the safe way back.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "frr_bmp.h"
#include "util.h"

#define BGP_HEADER_LEN 19
#define BGP_MSG_MAX 65535
#define BGP_OPEN 1
#define BGP_UPDATE 2
#define BGP_NOTIFICATION 3

#define ATTR_ORIGIN 1
#define ATTR_AS_PATH 2
#define ATTR_NEXT_HOP 3
#define ATTR_MED 4
#define ATTR_LOCAL_PREF 5
#define ATTR_MP_REACH 14
#define ATTR_MP_UNREACH 15
#define ATTR_FLAG_EXTENDED 0x10

#define AFI_IPV4 1
#define AFI_IPV6 2
#define SAFI_UNICAST 1

#define CAP_AS4 65
#define OPT_PARAM_CAPABILITY 2

/* Bytes not yet read. */
struct cur {
	const uint8_t *p;
	size_t len;
};

static bool take(struct cur *c, size_t n, const uint8_t **out)
{
	if (c->len < n)
		return false;
	*out = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

static bool sub(struct cur *c, size_t n, struct cur *out)
{
	const uint8_t *p;

	if (!take(c, n, &p))
		return false;
	out->p = p;
	out->len = n;
	return true;
}

static bool get8(struct cur *c, uint8_t *v)
{
	const uint8_t *p;

	if (!take(c, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static bool get16(struct cur *c, uint16_t *v)
{
	const uint8_t *p;

	if (!take(c, 2, &p))
		return false;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return true;
}

static bool get32(struct cur *c, uint32_t *v)
{
	const uint8_t *p;

	if (!take(c, 4, &p))
		return false;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return true;
}

static bool get64(struct cur *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (!get32(c, &hi) || !get32(c, &lo))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/* A 16-byte address field: IPv6, or IPv4 in the last 4 bytes with the rest zero. */
static bool get_addr16(struct cur *c, bool v6, struct frr_addr *a)
{
	static const uint8_t zero[12];
	const uint8_t *p;

	if (!take(c, 16, &p))
		return false;
	memset(a, 0, sizeof(*a));
	if (v6) {
		a->family = AF_INET6;
		memcpy(&a->u.v6, p, 16);
		return true;
	}
	a->family = AF_INET;
	memcpy(&a->u.v4, p + 12, 4);
	return memcmp(p, zero, sizeof(zero)) == 0;
}

/* ---- prefixes */

static int prefix_at(struct cur *c, int family, struct frr_bmp_prefix *out)
{
	size_t max = family == AF_INET ? 32 : 128, n;
	const uint8_t *p;
	uint8_t len;

	if (!get8(c, &len) || len > max)
		return -EBADMSG;
	n = (len + 7u) / 8;
	if (!take(c, n, &p))
		return -EBADMSG;
	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->addr.family = family;
		out->len = len;
		memcpy(family == AF_INET ? (void *)&out->addr.u.v4 : (void *)&out->addr.u.v6, p, n);
	}
	return 0;
}

/* Check a packed prefix list once, so that frr_bmp_nlri_next() cannot fail. */
static int nlri_check(const uint8_t *p, size_t len, int family, struct frr_bmp_nlri *out)
{
	struct cur c = { p, len };

	while (c.len > 0) {
		if (prefix_at(&c, family, NULL) < 0)
			return -EBADMSG;
	}
	out->p = p;
	out->len = len;
	out->family = family;
	return 0;
}

int frr_bmp_nlri_next(struct frr_bmp_nlri *it, struct frr_bmp_prefix *out)
{
	struct cur c = { it->p, it->len };

	if (it->len == 0 || prefix_at(&c, it->family, out) < 0)
		return 0;
	it->p = c.p;
	it->len = c.len;
	return 1;
}

/* ---- BGP messages inside BMP */

/* The BGP header: marker, length (the whole of c), type. */
static int bgp_header(struct cur *c, uint8_t want_type)
{
	const uint8_t *marker;
	uint16_t len;
	uint8_t type;
	size_t i;

	if (!take(c, 16, &marker) || !get16(c, &len) || !get8(c, &type))
		return -EBADMSG;
	for (i = 0; i < 16; i++) {
		if (marker[i] != 0xff)
			return -EBADMSG;
	}
	if (type != want_type || len < BGP_HEADER_LEN || (size_t)len - BGP_HEADER_LEN != c->len)
		return -EBADMSG;
	return 0;
}

/* Cut one BGP message off c (its length from its header) into out. */
static int bgp_msg(struct cur *c, struct cur *out)
{
	uint16_t len;

	if (c->len < BGP_HEADER_LEN)
		return -EBADMSG;
	len = (uint16_t)(c->p[16] << 8 | c->p[17]);
	if (len < BGP_HEADER_LEN || !sub(c, len, out))
		return -EBADMSG;
	return 0;
}

static int open_caps(struct cur *c, struct frr_bmp_open *o)
{
	while (c->len > 0) {
		uint8_t code, len;
		struct cur val;

		if (!get8(c, &code) || !get8(c, &len) || !sub(c, len, &val))
			return -EBADMSG;
		if (code != CAP_AS4)
			continue;
		if (len != 4 || !get32(&val, &o->asn))
			return -EBADMSG;
		o->as4 = true;
	}
	return 0;
}

static int open_decode(struct cur c, struct frr_bmp_open *o)
{
	uint16_t my_as;
	uint8_t opt_len;
	struct cur opts;

	memset(o, 0, sizeof(*o));
	if (bgp_header(&c, BGP_OPEN) < 0)
		return -EBADMSG;
	/*
	 * A bare header: FRR's placeholder when it lost the OPEN ("bmp: missing RX OPEN
	 * message for peer"); the session is up all the same.  Version 0 says unknown.
	 */
	if (c.len == 0)
		return 0;
	if (!get8(&c, &o->version) || !get16(&c, &my_as) || !get16(&c, &o->hold) ||
	    !get32(&c, &o->bgp_id) || !get8(&c, &opt_len))
		return -EBADMSG;
	o->bgp_id = htonl(o->bgp_id);
	o->asn = my_as;
	/* RFC 9072's extended optional parameters are not used by FRR 8.4 */
	if (opt_len != c.len || !sub(&c, opt_len, &opts))
		return -EBADMSG;
	while (opts.len > 0) {
		uint8_t type, len;
		struct cur val;

		if (!get8(&opts, &type) || !get8(&opts, &len) || !sub(&opts, len, &val))
			return -EBADMSG;
		if (type == OPT_PARAM_CAPABILITY && open_caps(&val, o) < 0)
			return -EBADMSG;
	}
	return o->version == 4 ? 0 : -EBADMSG;
}

static int as_path_check(const uint8_t *p, size_t len, uint8_t as_size)
{
	struct cur c = { p, len };

	while (c.len > 0) {
		uint8_t type, n;
		const uint8_t *asns;

		if (!get8(&c, &type) || !get8(&c, &n))
			return -EBADMSG;
		/* AS_SET, AS_SEQUENCE, AS_CONFED_SEQUENCE, AS_CONFED_SET */
		if (type < 1 || type > 4 || n == 0 || !take(&c, (size_t)n * as_size, &asns))
			return -EBADMSG;
	}
	return 0;
}

static int mp_afi(struct cur *c, int *family)
{
	uint16_t afi;
	uint8_t safi;

	if (!get16(c, &afi) || !get8(c, &safi) || safi != SAFI_UNICAST)
		return -EBADMSG;
	if (afi == AFI_IPV4)
		*family = AF_INET;
	else if (afi == AFI_IPV6)
		*family = AF_INET6;
	else
		return -EBADMSG;
	return 0;
}

static int mp_reach(struct cur c, struct frr_bmp_update *u)
{
	const uint8_t *nh;
	uint8_t nh_len, reserved;
	int family;

	if (mp_afi(&c, &family) < 0 || !get8(&c, &nh_len) || !take(&c, nh_len, &nh) ||
	    !get8(&c, &reserved))
		return -EBADMSG;
	memset(&u->mp_next_hop, 0, sizeof(u->mp_next_hop));
	u->mp_next_hop.family = family;
	/* IPv6: global, or global and link-local (RFC 2545) */
	if (family == AF_INET6 && (nh_len == 16 || nh_len == 32))
		memcpy(&u->mp_next_hop.u.v6, nh, 16);
	else if (family == AF_INET && nh_len == 4)
		memcpy(&u->mp_next_hop.u.v4, nh, 4);
	else
		return -EBADMSG;
	return nlri_check(c.p, c.len, family, &u->mp_reach);
}

static int mp_unreach(struct cur c, struct frr_bmp_update *u)
{
	int family;

	if (mp_afi(&c, &family) < 0)
		return -EBADMSG;
	return nlri_check(c.p, c.len, family, &u->mp_unreach);
}

static int fixed_len(struct cur *val, size_t want)
{
	return val->len == want ? 0 : -EBADMSG;
}

static int attr_one(uint8_t type, struct cur val, struct frr_bmp_update *u)
{
	uint32_t v4;

	switch (type) {
	case ATTR_ORIGIN:
		if (fixed_len(&val, 1) < 0 || !get8(&val, &u->origin) || u->origin > 2)
			return -EBADMSG;
		u->has_origin = true;
		return 0;
	case ATTR_AS_PATH:
		u->as_path = val.p;
		u->as_path_len = val.len;
		u->has_as_path = true;
		return as_path_check(val.p, val.len, u->as_size);
	case ATTR_NEXT_HOP:
		if (fixed_len(&val, 4) < 0 || !get32(&val, &v4))
			return -EBADMSG;
		u->next_hop.family = AF_INET;
		u->next_hop.u.v4.s_addr = htonl(v4);
		u->has_next_hop = true;
		return 0;
	case ATTR_MED:
		u->has_med = true;
		return fixed_len(&val, 4) == 0 && get32(&val, &u->med) ? 0 : -EBADMSG;
	case ATTR_LOCAL_PREF:
		u->has_local_pref = true;
		return fixed_len(&val, 4) == 0 && get32(&val, &u->local_pref) ? 0 : -EBADMSG;
	case ATTR_MP_REACH:
		u->has_mp_reach = true;
		return mp_reach(val, u);
	case ATTR_MP_UNREACH:
		u->has_mp_unreach = true;
		return mp_unreach(val, u);
	default:
		return 0;
	}
}

static bool *seen_flag(struct frr_bmp_update *u, uint8_t type)
{
	switch (type) {
	case ATTR_ORIGIN:
		return &u->has_origin;
	case ATTR_AS_PATH:
		return &u->has_as_path;
	case ATTR_NEXT_HOP:
		return &u->has_next_hop;
	case ATTR_MED:
		return &u->has_med;
	case ATTR_LOCAL_PREF:
		return &u->has_local_pref;
	case ATTR_MP_REACH:
		return &u->has_mp_reach;
	case ATTR_MP_UNREACH:
		return &u->has_mp_unreach;
	default:
		return NULL;
	}
}

static int attrs(struct cur c, struct frr_bmp_update *u)
{
	while (c.len > 0) {
		uint8_t flags, type;
		uint16_t len;
		uint8_t len8;
		struct cur val;
		bool *seen;

		if (!get8(&c, &flags) || !get8(&c, &type))
			return -EBADMSG;
		if (flags & ATTR_FLAG_EXTENDED) {
			if (!get16(&c, &len))
				return -EBADMSG;
		} else {
			if (!get8(&c, &len8))
				return -EBADMSG;
			len = len8;
		}
		if (!sub(&c, len, &val))
			return -EBADMSG;
		seen = seen_flag(u, type);
		if (seen != NULL && *seen)
			return -EBADMSG;
		if (attr_one(type, val, u) < 0)
			return -EBADMSG;
	}
	return 0;
}

static int update_decode(struct cur c, uint8_t peer_flags, struct frr_bmp_update *u)
{
	uint16_t wlen, alen;
	struct cur w, a;

	memset(u, 0, sizeof(*u));
	u->as_size = (peer_flags & FRR_BMP_PEER_A) ? 2 : 4;
	u->withdrawn.family = AF_INET;
	u->nlri.family = AF_INET;
	if (bgp_header(&c, BGP_UPDATE) < 0 || !get16(&c, &wlen) || !sub(&c, wlen, &w) ||
	    !get16(&c, &alen) || !sub(&c, alen, &a))
		return -EBADMSG;
	if (nlri_check(w.p, w.len, AF_INET, &u->withdrawn) < 0 || attrs(a, u) < 0 ||
	    nlri_check(c.p, c.len, AF_INET, &u->nlri) < 0)
		return -EBADMSG;
	/* announcing IPv4 NLRI needs the mandatory attributes (RFC 4271 5.1) */
	if (c.len > 0 && (!u->has_origin || !u->has_as_path || !u->has_next_hop))
		return -EBADMSG;
	return 0;
}

/* ---- BMP messages */

static int peer_header(struct cur *c, struct frr_bmp_peer *p)
{
	uint32_t id;

	memset(p, 0, sizeof(*p));
	if (!get8(c, &p->type) || !get8(c, &p->flags) || !get64(c, &p->distinguisher) ||
	    !get_addr16(c, p->flags & FRR_BMP_PEER_V, &p->addr) || !get32(c, &p->asn) ||
	    !get32(c, &id) || !get32(c, &p->ts_sec) || !get32(c, &p->ts_usec))
		return -EBADMSG;
	p->bgp_id = htonl(id);
	if (p->type > 2 || p->ts_usec >= 1000000)
		return -EBADMSG;
	return 0;
}

static int peer_up(struct cur c, uint8_t peer_flags, struct frr_bmp_peer_up *up)
{
	struct cur sent, received;

	memset(up, 0, sizeof(*up));
	/* one TCP session: the local address has the family the V flag gives the peer's */
	if (!get_addr16(&c, peer_flags & FRR_BMP_PEER_V, &up->local) ||
	    !get16(&c, &up->local_port) || !get16(&c, &up->remote_port))
		return -EBADMSG;
	if (bgp_msg(&c, &sent) < 0 || bgp_msg(&c, &received) < 0 ||
	    open_decode(sent, &up->sent) < 0 || open_decode(received, &up->received) < 0)
		return -EBADMSG;
	/* optional information TLVs (RFC 7854 4.4) */
	while (c.len > 0) {
		uint16_t type, len;
		const uint8_t *v;

		if (!get16(&c, &type) || !get16(&c, &len) || !take(&c, len, &v))
			return -EBADMSG;
	}
	return 0;
}

static int peer_down(struct cur c, struct frr_bmp_peer_down *d)
{
	struct cur notify;

	memset(d, 0, sizeof(*d));
	if (!get8(&c, &d->reason))
		return -EBADMSG;
	switch (d->reason) {
	case FRR_BMP_DOWN_LOCAL_NOTIFY:
	case FRR_BMP_DOWN_REMOTE_NOTIFY:
		if (bgp_msg(&c, &notify) < 0 || c.len != 0 ||
		    bgp_header(&notify, BGP_NOTIFICATION) < 0 || !get8(&notify, &d->code) ||
		    !get8(&notify, &d->subcode))
			return -EBADMSG;
		return 0;
	case FRR_BMP_DOWN_LOCAL_FSM:
		return get16(&c, &d->fsm_event) && c.len == 0 ? 0 : -EBADMSG;
	case FRR_BMP_DOWN_REMOTE_CLOSE:
	case FRR_BMP_DOWN_DECONFIGURED:
		return c.len == 0 ? 0 : -EBADMSG;
	default:
		return -EBADMSG;
	}
}

static int stat_value(struct cur *val, struct frr_bmp_stat *s)
{
	uint32_t v32;

	switch (s->type) {
	case 7: /* routes in Adj-RIBs-In */
	case 8: /* routes in Loc-RIB */
		return val->len == 8 && get64(val, &s->value) ? 0 : -EBADMSG;
	case 9: /* per AFI/SAFI */
	case 10:
		if (val->len != 11 || !get16(val, &s->afi) || !get8(val, &s->safi) ||
		    !get64(val, &s->value))
			return -EBADMSG;
		return 0;
	default:
		/* 32-bit counters (0-6, 11-13); unknown types are skipped whole */
		if (s->type <= 6 || (s->type >= 11 && s->type <= 13)) {
			if (val->len != 4 || !get32(val, &v32))
				return -EBADMSG;
			s->value = v32;
		}
		return 0;
	}
}

static int stats(struct cur c, struct frr_bmp_stats *st)
{
	uint32_t i;

	memset(st, 0, sizeof(*st));
	if (!get32(&c, &st->count))
		return -EBADMSG;
	for (i = 0; i < st->count; i++) {
		struct frr_bmp_stat s = { 0 };
		uint16_t len;
		struct cur val;

		if (!get16(&c, &s.type) || !get16(&c, &len) || !sub(&c, len, &val) ||
		    stat_value(&val, &s) < 0)
			return -EBADMSG;
		if (st->n < FRR_BMP_STATS_MAX)
			st->v[st->n++] = s;
	}
	return c.len == 0 ? 0 : -EBADMSG;
}

static int info_tlvs(struct cur c, bool termination, struct frr_bmp_info *in)
{
	memset(in, 0, sizeof(*in));
	in->reason = 0xffff;
	while (c.len > 0) {
		uint16_t type, len;
		struct cur val;

		if (!get16(&c, &type) || !get16(&c, &len) || !sub(&c, len, &val))
			return -EBADMSG;
		if (termination && type == 1) {
			if (len != 2 || !get16(&val, &in->reason))
				return -EBADMSG;
		} else if (!termination && type == 1) {
			in->sys_descr = (const char *)val.p;
			in->sys_descr_len = val.len;
		} else if (!termination && type == 2) {
			in->sys_name = (const char *)val.p;
			in->sys_name_len = val.len;
		}
	}
	return 0;
}

ssize_t frr_bmp_msg_len(const uint8_t *buf, size_t len)
{
	uint32_t n;

	if (len < FRR_BMP_COMMON_LEN)
		return 0;
	if (buf[0] != FRR_BMP_VERSION)
		return -EBADMSG;
	n = (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 8 | buf[4];
	if (n < FRR_BMP_COMMON_LEN || n > FRR_BMP_MSG_MAX)
		return -EBADMSG;
	return (ssize_t)n;
}

static bool has_peer_header(uint8_t type)
{
	return type <= FRR_BMP_PEER_UP || type == FRR_BMP_ROUTE_MIRRORING;
}

int frr_bmp_decode(const uint8_t *buf, size_t len, struct frr_bmp_msg *msg)
{
	struct cur c = { buf, len };
	ssize_t n = frr_bmp_msg_len(buf, len);

	memset(msg, 0, sizeof(*msg));
	if (n <= 0 || (size_t)n != len)
		return -EBADMSG;
	msg->len = (uint32_t)n;
	msg->type = buf[5];
	c.p += FRR_BMP_COMMON_LEN;
	c.len -= FRR_BMP_COMMON_LEN;
	if (msg->type > FRR_BMP_ROUTE_MIRRORING)
		return -EPROTONOSUPPORT;
	msg->has_peer = has_peer_header(msg->type);
	if (msg->has_peer && peer_header(&c, &msg->peer) < 0)
		return -EBADMSG;
	switch (msg->type) {
	case FRR_BMP_ROUTE_MONITORING:
		return update_decode(c, msg->peer.flags, &msg->u.update);
	case FRR_BMP_STATS_REPORT:
		return stats(c, &msg->u.stats);
	case FRR_BMP_PEER_DOWN:
		return peer_down(c, &msg->u.down);
	case FRR_BMP_PEER_UP:
		return peer_up(c, msg->peer.flags, &msg->u.up);
	case FRR_BMP_INITIATION:
		return info_tlvs(c, false, &msg->u.info);
	case FRR_BMP_TERMINATION:
		return info_tlvs(c, true, &msg->u.info);
	default:
		return 0;
	}
}

/* ---- presentation */

static void append(char *buf, size_t size, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos < size)
		snprintf(buf + *pos, size - *pos, "%s", s);
	*pos += n;
}

size_t frr_bmp_as_path_str(const struct frr_bmp_update *u, char *buf, size_t size)
{
	struct cur c = { u->as_path, u->has_as_path ? u->as_path_len : 0 };
	size_t pos = 0;
	char num[16];

	if (size > 0)
		buf[0] = '\0';
	while (c.len > 0) {
		uint8_t type, n, i;
		bool set;

		if (!get8(&c, &type) || !get8(&c, &n))
			break;
		set = type == 1 || type == 4;
		if (pos > 0)
			append(buf, size, &pos, " ");
		if (set)
			append(buf, size, &pos, "{");
		for (i = 0; i < n; i++) {
			uint16_t a16 = 0;
			uint32_t asn = 0;

			if (u->as_size == 2 ? !get16(&c, &a16) : !get32(&c, &asn))
				return pos;
			snprintf(num, sizeof(num), "%s%u", i > 0 ? (set ? "," : " ") : "",
				 u->as_size == 2 ? a16 : asn);
			append(buf, size, &pos, num);
		}
		if (set)
			append(buf, size, &pos, "}");
	}
	return pos;
}

const char *frr_bmp_type_name(uint8_t type)
{
	static const char *const names[] = {
		[FRR_BMP_ROUTE_MONITORING] = "route-monitoring",
		[FRR_BMP_STATS_REPORT] = "stats-report",
		[FRR_BMP_PEER_DOWN] = "peer-down",
		[FRR_BMP_PEER_UP] = "peer-up",
		[FRR_BMP_INITIATION] = "initiation",
		[FRR_BMP_TERMINATION] = "termination",
		[FRR_BMP_ROUTE_MIRRORING] = "route-mirroring",
	};

	return type < ARRAY_SIZE(names) ? names[type] : "unknown";
}
