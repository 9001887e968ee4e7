/*
 * test_frr_bmp.c - the BMP decoder on messages FRR 8.4's bgpd sent to the station
 * (captured by tests/proto/frr_bmp.py), on hand-made ones for what that run does not
 * produce (IPv6, 2-octet AS paths, the other peer down reasons), on every truncation and on
 * malformed input; and the station reassembling a stream fed to it one byte at a time.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "frr_bmp.h"
#include "frr_bmp_station.h"

/* Captured from bgpd (hgwA: 198.18.83.1, AS 65010; its peer 198.18.83.2, AS 65515). */
static const char initiation_hex[] =
	"030000001f040001000f4652526f7574696e6720382e342e3400020002766d";
static const char peer_up_hex[] =
	"030000010a0300000000000000000000000000000000000000000000c61253020000ffebc6125302"
	"6b043fee000934bf000000000000000000000000c612530100b38f78ffffffffffffffffffffffff"
	"ffffffff005e0104fdf200b4c6125301410206010400010001020280000202020002024600020641"
	"040000fdf20202060002064504000101010206490402766d0002044002c078020947070001018000"
	"0000ffffffffffffffffffffffffffffffff005e0104ffeb00b4c612530241020601040001000102"
	"0280000202020002024600020641040000ffeb0202060002064504000101010206490402766d0002"
	"044002c078020947070001018000000000000006706565722d62";
/*
 * The same with FRR 8.4's placeholder for an OPEN it no longer has ("bmp: missing RX OPEN
 * message for peer", seen in the lab after a circuit's carrier came back): a bare BGP header.
 * The station once refused it and bgpd reconnected every second, losing every event.
 */
static const char peer_up_no_rx_open_hex[] =
	"03000000bf0300000000000000000000000000000000000000000000c61253020000ffebc6125302"
	"6b043fee000934bf000000000000000000000000c612530100b38f78ffffffffffffffffffffffff"
	"ffffffff005e0104fdf200b4c6125301410206010400010001020280000202020002024600020641"
	"040000fdf20202060002064504000101010206490402766d0002044002c078020947070001018000"
	"0000ffffffffffffffffffffffffffffffff00130100000006706565722d62";
/* post-policy 198.19.11.0/24, AS path 65010 65515 12076 */
static const char route_post_hex[] =
	"030000006f0000400000000000000000000000000000000000000000c61253020000ffebc6125302"
	"6b0451cd000934beffffffffffffffffffffffffffffffff003f0200000024400101005002000e02"
	"030000fdf20000ffeb00002f2c400304c61253028004040000000018c6130b";
/* pre-policy 198.19.10.0/24 */
static const char route_pre_hex[] =
	"030000006b0000000000000000000000000000000000000000000000c61253020000ffebc6125302"
	"6b0451cd000934beffffffffffffffffffffffffffffffff003b0200000020400101005002000a02"
	"020000fdf20000ffeb400304c61253028004040000000018c6130a";
static const char peer_down_notify_hex[] =
	"03000000460200000000000000000000000000000000000000000000c61253020000ffebc6125302"
	"6b0451cd000934bf03ffffffffffffffffffffffffffffffff0015030602";
static const char peer_down_fsm_hex[] =
	"03000000330200000000000000000000000000000000000000000000c61253020000ffeb00000000"
	"6b043fee000934be020000";
static const char stats_hex[] =
	"030000006c0100000000000000000000000000000000000000000000c61253020000ffebc6125302"
	"6b0451cc0009245b0000000700000004000000000004000400000000000500040000000000030004"
	"000000000002000400000000000b000400000000fffb000400000000";

/* IPv6 over the IPv4 session: pre-policy MP_REACH_NLRI 2001:db8:10::/48 via 2001:db8:ff::2,
 * and the post-policy MP_UNREACH_NLRI of the same prefix. */
static const char route_mp_reach_hex[] =
	"03000000800000000000000000000000000000000000000000000000c612ec020000ffebc612ec02"
	"6b04539a000934beffffffffffffffffffffffffffffffff00500200000039400101005002000a02"
	"020000fdf20000ffeb80040400000000900e001c0002011020010db800ff00000000000000000002"
	"003020010db80010";
static const char route_mp_unreach_hex[] =
	"03000000550000400000000000000000000000000000000000000000c612ec020000ffebc612ec02"
	"6b04539a000934beffffffffffffffffffffffffffffffff0025020000000e900f000a0002013020"
	"010db80010";

/* Hand-made: IPv6 peer 2001:db8::2 (V, A flags: 2-octet AS path), MP_REACH 2001:db8:1::/48
 * via 2001:db8::2 and fe80::2, MP_UNREACH 2001:db8:2::/64, AS path 65515 {1,2}. */
static const char route_v6_hex[] = "0300000096"
				   "00"
				   "00a0"
				   "0000000000000000"
				   "20010db8000000000000000000000002"
				   "0000ffeb"
				   "c6125302"
				   "00000001"
				   "00000002"
				   "ffffffffffffffffffffffffffffffff"
				   "0066"
				   "02"
				   "0000"
				   "004f"
				   "400101"
				   "00"
				   "40020a"
				   "0201ffeb"
				   "010200010002"
				   "800e2c"
				   "0002"
				   "01"
				   "20"
				   "20010db8000000000000000000000002"
				   "fe800000000000000000000000000002"
				   "00"
				   "3020010db80001"
				   "800f0c"
				   "0002"
				   "01"
				   "4020010db800020000";
/* Withdrawal of 198.19.10.0/24 in the UPDATE's own field. */
static const char withdraw_hex[] =
	"030000004b0000000000000000000000000000000000000000000000c61253020000ffebc6125302"
	"6b0451cd000934beffffffffffffffffffffffffffffffff001b02"
	"0004"
	"18c6130a"
	"0000";

struct bytes {
	uint8_t *p;
	size_t len;
};

static struct bytes hex(const char *s)
{
	struct bytes b = { malloc(strlen(s) / 2 + 1), strlen(s) / 2 };
	size_t i;

	assert_non_null(b.p);
	for (i = 0; i < b.len; i++) {
		unsigned v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		b.p[i] = (uint8_t)v;
	}
	return b;
}

static int decode_hex(const char *s, struct frr_bmp_msg *msg)
{
	struct bytes b = hex(s);
	static uint8_t keep[4096];
	int r;

	/* the message points into the buffer: keep it alive for the caller's checks */
	assert_true(b.len <= sizeof(keep));
	memcpy(keep, b.p, b.len);
	free(b.p);
	r = frr_bmp_decode(keep, b.len, msg);
	return r;
}

static const char *addr(const struct frr_addr *a)
{
	static char buf[2][INET6_ADDRSTRLEN];
	static int i;

	i ^= 1;
	return inet_ntop(a->family, &a->u, buf[i], sizeof(buf[i]));
}

static const char *prefix(const struct frr_bmp_prefix *p)
{
	static char buf[INET6_ADDRSTRLEN + 8];

	snprintf(buf, sizeof(buf), "%s/%u", addr(&p->addr), p->len);
	return buf;
}

static void test_initiation(void **state)
{
	struct frr_bmp_msg m;

	(void)state;
	assert_int_equal(decode_hex(initiation_hex, &m), 0);
	assert_int_equal(m.type, FRR_BMP_INITIATION);
	assert_false(m.has_peer);
	assert_int_equal(m.u.info.sys_descr_len, 15);
	assert_memory_equal(m.u.info.sys_descr, "FRRouting 8.4.4", 15);
	assert_int_equal(m.u.info.sys_name_len, 2);
	assert_memory_equal(m.u.info.sys_name, "vm", 2);
}

static void test_peer_up(void **state)
{
	struct frr_bmp_msg m;
	const struct frr_bmp_peer_up *up = &m.u.up;

	(void)state;
	assert_int_equal(decode_hex(peer_up_hex, &m), 0);
	assert_int_equal(m.type, FRR_BMP_PEER_UP);
	assert_int_equal(m.len, 266);
	assert_string_equal(addr(&m.peer.addr), "198.18.83.2");
	assert_int_equal(m.peer.asn, 65515);
	assert_int_equal(m.peer.flags, 0);
	assert_int_equal(m.peer.bgp_id, inet_addr("198.18.83.2"));
	assert_int_equal(m.peer.ts_usec, 0x0934bf);
	assert_string_equal(addr(&up->local), "198.18.83.1");
	assert_int_equal(up->local_port, 179);
	assert_int_equal(up->remote_port, 0x8f78);
	assert_int_equal(up->sent.asn, 65010);
	assert_true(up->sent.as4);
	assert_int_equal(up->sent.hold, 180);
	assert_int_equal(up->sent.bgp_id, inet_addr("198.18.83.1"));
	assert_int_equal(up->received.asn, 65515);
	assert_int_equal(up->received.version, 4);
	assert_int_equal(up->received.bgp_id, inet_addr("198.18.83.2"));
}

static void test_peer_up_placeholder_open(void **state)
{
	struct frr_bmp_msg m;

	(void)state;
	assert_int_equal(decode_hex(peer_up_no_rx_open_hex, &m), 0);
	assert_int_equal(m.type, FRR_BMP_PEER_UP);
	assert_string_equal(addr(&m.peer.addr), "198.18.83.2");
	assert_int_equal(m.u.up.sent.asn, 65010);
	assert_int_equal(m.u.up.received.version, 0); /* unknown */
}

static void assert_one_prefix(struct frr_bmp_nlri it, const char *want)
{
	struct frr_bmp_prefix p;

	assert_int_equal(frr_bmp_nlri_next(&it, &p), 1);
	assert_string_equal(prefix(&p), want);
	assert_int_equal(frr_bmp_nlri_next(&it, &p), 0);
}

static void test_route_monitoring(void **state)
{
	struct frr_bmp_msg m;
	const struct frr_bmp_update *u = &m.u.update;
	char path[64];

	(void)state;
	assert_int_equal(decode_hex(route_post_hex, &m), 0);
	assert_int_equal(m.type, FRR_BMP_ROUTE_MONITORING);
	assert_int_equal(m.peer.flags, FRR_BMP_PEER_L);
	assert_true(u->has_origin && u->has_as_path && u->has_next_hop && u->has_med);
	assert_false(u->has_local_pref || u->has_mp_reach || u->has_mp_unreach);
	assert_int_equal(u->origin, 0);
	assert_int_equal(u->as_size, 4);
	assert_int_equal(frr_bmp_as_path_str(u, path, sizeof(path)), 17);
	assert_string_equal(path, "65010 65515 12076");
	/* snprintf-like when short */
	assert_int_equal(frr_bmp_as_path_str(u, path, 6), 17);
	assert_string_equal(path, "65010");
	assert_string_equal(addr(&u->next_hop), "198.18.83.2");
	assert_int_equal(u->med, 0);
	assert_int_equal(u->withdrawn.len, 0);
	assert_one_prefix(u->nlri, "198.19.11.0/24");

	assert_int_equal(decode_hex(route_pre_hex, &m), 0);
	assert_int_equal(m.peer.flags, 0);
	assert_one_prefix(u->nlri, "198.19.10.0/24");
	frr_bmp_as_path_str(u, path, sizeof(path));
	assert_string_equal(path, "65010 65515");

	assert_int_equal(decode_hex(withdraw_hex, &m), 0);
	assert_one_prefix(u->withdrawn, "198.19.10.0/24");
	assert_int_equal(u->nlri.len, 0);
	assert_false(u->has_as_path);
	assert_int_equal(frr_bmp_as_path_str(u, path, sizeof(path)), 0);
	assert_string_equal(path, "");
}

static void test_route_ipv6(void **state)
{
	struct frr_bmp_msg m;
	const struct frr_bmp_update *u = &m.u.update;
	char path[64];

	(void)state;
	assert_int_equal(decode_hex(route_mp_reach_hex, &m), 0);
	assert_true(u->has_mp_reach && !u->has_mp_unreach && !u->has_next_hop);
	assert_string_equal(addr(&u->mp_next_hop), "2001:db8:ff::2");
	assert_one_prefix(u->mp_reach, "2001:db8:10::/48");
	assert_int_equal(u->nlri.len, 0);
	assert_int_equal(decode_hex(route_mp_unreach_hex, &m), 0);
	assert_true(u->has_mp_unreach && !u->has_mp_reach && !u->has_as_path);
	assert_one_prefix(u->mp_unreach, "2001:db8:10::/48");

	assert_int_equal(decode_hex(route_v6_hex, &m), 0);
	assert_string_equal(addr(&m.peer.addr), "2001:db8::2");
	assert_int_equal(u->as_size, 2);
	frr_bmp_as_path_str(u, path, sizeof(path));
	assert_string_equal(path, "65515 {1,2}");
	assert_true(u->has_mp_reach && u->has_mp_unreach);
	assert_false(u->has_next_hop);
	assert_string_equal(addr(&u->mp_next_hop), "2001:db8::2");
	assert_one_prefix(u->mp_reach, "2001:db8:1::/48");
	assert_one_prefix(u->mp_unreach, "2001:db8:2::/64");
}

static void test_peer_down(void **state)
{
	struct frr_bmp_msg m;

	(void)state;
	assert_int_equal(decode_hex(peer_down_notify_hex, &m), 0);
	assert_int_equal(m.type, FRR_BMP_PEER_DOWN);
	assert_int_equal(m.u.down.reason, FRR_BMP_DOWN_REMOTE_NOTIFY);
	assert_int_equal(m.u.down.code, 6); /* cease */
	assert_int_equal(m.u.down.subcode, 2);

	/* bgpd's first message for a peer that never came up: FSM event 0 */
	assert_int_equal(decode_hex(peer_down_fsm_hex, &m), 0);
	assert_int_equal(m.u.down.reason, FRR_BMP_DOWN_LOCAL_FSM);
	assert_int_equal(m.u.down.fsm_event, 0);

	/* reasons 4 and 5 carry nothing, 6 is unknown: patch the reason byte */
	{
		struct bytes b = hex(peer_down_fsm_hex);

		b.p[4] = 49;
		b.len = 49;
		b.p[48] = FRR_BMP_DOWN_REMOTE_CLOSE;
		assert_int_equal(frr_bmp_decode(b.p, b.len, &m), 0);
		assert_int_equal(m.u.down.reason, FRR_BMP_DOWN_REMOTE_CLOSE);
		b.p[48] = FRR_BMP_DOWN_DECONFIGURED;
		assert_int_equal(frr_bmp_decode(b.p, b.len, &m), 0);
		b.p[48] = 6;
		assert_int_equal(frr_bmp_decode(b.p, b.len, &m), -EBADMSG);
		free(b.p);
	}
}

static void test_stats(void **state)
{
	struct frr_bmp_msg m;

	(void)state;
	assert_int_equal(decode_hex(stats_hex, &m), 0);
	assert_int_equal(m.type, FRR_BMP_STATS_REPORT);
	assert_int_equal(m.u.stats.count, 7);
	assert_int_equal(m.u.stats.n, 7);
	assert_int_equal(m.u.stats.v[0].type, 0);
	assert_int_equal(m.u.stats.v[6].type, 0xfffb);
}

/* Every shorter piece of a valid message is refused, as is its header claiming more. */
static void truncations(const char *s, bool patch_header)
{
	struct bytes b = hex(s);
	struct frr_bmp_msg m;
	size_t n;

	for (n = 0; n < b.len; n++) {
		uint8_t *cut = malloc(b.len);

		memcpy(cut, b.p, b.len);
		assert_int_equal(frr_bmp_decode(cut, n, &m), -EBADMSG);
		if (patch_header && n >= FRR_BMP_COMMON_LEN) {
			cut[1] = 0;
			cut[2] = 0;
			cut[3] = (uint8_t)(n >> 8);
			cut[4] = (uint8_t)n;
			assert_int_equal(frr_bmp_decode(cut, n, &m), -EBADMSG);
		}
		free(cut);
	}
	free(b.p);
}

static void test_truncated(void **state)
{
	(void)state;
	truncations(initiation_hex, false);
	/* a peer up ends validly where its information TLVs start */
	truncations(peer_up_hex, false);
	truncations(route_post_hex, true);
	truncations(route_v6_hex, true);
	truncations(route_mp_reach_hex, true);
	truncations(route_mp_unreach_hex, true);
	truncations(withdraw_hex, true);
	truncations(peer_down_notify_hex, true);
	truncations(stats_hex, true);
}

static int decode_patched(const char *s, size_t at, uint8_t value)
{
	struct bytes b = hex(s);
	struct frr_bmp_msg m;
	int r;

	b.p[at] = value;
	r = frr_bmp_decode(b.p, b.len, &m);
	free(b.p);
	return r;
}

static void test_malformed(void **state)
{
	static const uint8_t short_hdr[] = { 3, 0, 0, 0, 5, 4 };
	struct frr_bmp_msg m;

	(void)state;
	assert_int_equal(frr_bmp_msg_len(short_hdr, 5), 0);
	assert_int_equal(frr_bmp_msg_len(short_hdr, 6), -EBADMSG);
	assert_int_equal(frr_bmp_decode(short_hdr, 6, &m), -EBADMSG);
	assert_int_equal(decode_patched(initiation_hex, 0, 2), -EBADMSG); /* version */
	assert_int_equal(decode_patched(initiation_hex, 5, 7), -EPROTONOSUPPORT);
	assert_int_equal(decode_patched(route_post_hex, 48, 0xfe), -EBADMSG); /* marker */
	assert_int_equal(decode_patched(route_post_hex, 66, 3), -EBADMSG);    /* BGP type */
	assert_int_equal(decode_patched(route_post_hex, 110, 0x0c), 0);	      /* prefix */
	assert_int_equal(decode_patched(route_post_hex, 107, 33), -EBADMSG);  /* /33 */
	assert_int_equal(decode_patched(route_post_hex, 79, 5), -EBADMSG);    /* segment */
	assert_int_equal(decode_patched(route_post_hex, 76, 1), -EBADMSG);    /* 2nd ORIGIN */
	assert_int_equal(decode_patched(route_post_hex, 74, 3), -EBADMSG);    /* ORIGIN 3 */
	assert_int_equal(decode_patched(route_post_hex, 4, 0x6e), -EBADMSG);  /* length */
	assert_int_equal(decode_patched(route_post_hex, 6, 3), -EBADMSG);     /* peer type */
	assert_int_equal(decode_patched(peer_up_hex, 87, 3), -EBADMSG);	      /* OPEN version */
	assert_int_equal(decode_patched(stats_hex, 51, 8), -EBADMSG);	      /* count */
}

/* ---- the station: a stream fed one byte at a time */

struct seen {
	int up, down, routes, other, closed, close_error;
};

static void on_msg(void *arg, const struct frr_bmp_msg *msg, const uint8_t *raw, size_t len)
{
	struct seen *s = arg;

	(void)raw;
	(void)len;
	if (msg->type == FRR_BMP_INITIATION || msg->type == FRR_BMP_STATS_REPORT)
		s->other++;
}

static void on_up(void *arg, const struct frr_bmp_msg *msg)
{
	(void)msg;
	((struct seen *)arg)->up++;
}

static void on_down(void *arg, const struct frr_bmp_msg *msg)
{
	(void)msg;
	((struct seen *)arg)->down++;
}

static void on_route(void *arg, const struct frr_bmp_peer *peer, const struct frr_bmp_prefix *p,
		     bool announced, const struct frr_bmp_update *u)
{
	(void)peer;
	(void)u;
	assert_true(announced || strcmp(prefix(p), "198.19.10.0/24") == 0 ||
		    strcmp(prefix(p), "2001:db8:2::/64") == 0);
	((struct seen *)arg)->routes++;
}

static void on_closed(void *arg, int error)
{
	struct seen *s = arg;

	s->closed++;
	s->close_error = error;
}

static const struct frr_bmp_station_ops ops = {
	.message = on_msg,
	.peer_up = on_up,
	.peer_down = on_down,
	.route = on_route,
	.closed = on_closed,
};

static int connect_to(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void run_until(sd_event *e, const int *what, int want)
{
	int i;

	for (i = 0; i < 1000 && *what < want; i++)
		assert_true(sd_event_run(e, 100000) >= 0);
	assert_int_equal(*what, want);
}

static void test_station(void **state)
{
	const char *stream[] = { initiation_hex, peer_up_hex, route_pre_hex,	   route_v6_hex,
				 withdraw_hex,	 stats_hex,   peer_down_notify_hex };
	struct frr_bmp_station *st;
	struct seen seen = { 0 };
	sd_event *e;
	size_t i, k;
	int fd;

	(void)state;
	assert_int_equal(sd_event_new(&e), 0);
	assert_int_equal(frr_bmp_station_new(e, "127.0.0.1", 0, &ops, &seen, &st), 0);
	assert_true(frr_bmp_station_port(st) != 0);
	fd = connect_to(frr_bmp_station_port(st));
	for (i = 0; i < sizeof(stream) / sizeof(stream[0]); i++) {
		struct bytes b = hex(stream[i]);

		for (k = 0; k < b.len; k++) {
			assert_int_equal(write(fd, b.p + k, 1), 1);
			(void)sd_event_run(e, 0);
		}
		free(b.p);
	}
	run_until(e, &seen.down, 1);
	assert_int_equal(seen.up, 1);
	assert_int_equal(seen.other, 2);
	/* 198.19.10.0/24, 2001:db8:1::/48 and 2001:db8:2::/64, then the withdrawal */
	assert_int_equal(seen.routes, 4);
	assert_int_equal(frr_bmp_station_connections(st), 1);

	/* garbage: the connection is dropped, the station keeps listening */
	assert_int_equal(write(fd, "\x02\0\0\0\x06\x04", 6), 6);
	run_until(e, &seen.closed, 1);
	assert_int_equal(seen.close_error, -EBADMSG);
	assert_int_equal(frr_bmp_station_connections(st), 0);
	close(fd);

	/* a peer closing is a clean end */
	fd = connect_to(frr_bmp_station_port(st));
	run_until(e, (const int *)&seen.closed, 1);
	close(fd);
	run_until(e, &seen.closed, 2);
	assert_int_equal(seen.close_error, 0);
	frr_bmp_station_free(st);
	sd_event_unref(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initiation),
		cmocka_unit_test(test_peer_up),
		cmocka_unit_test(test_peer_up_placeholder_open),
		cmocka_unit_test(test_route_monitoring),
		cmocka_unit_test(test_route_ipv6),
		cmocka_unit_test(test_peer_down),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_station),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
