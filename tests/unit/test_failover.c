/*
 * test_failover.c - the pure halves of the tunnel liveness probe (its state machine, on a
 * fake clock) and of the failover detector (path classes, the switch history).
 */
#include "config.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "failover.h"
#include "liveness.h"

#define MS 1000ULL

static struct liveness_sm sm_new(void)
{
	return (struct liveness_sm){ .state = LIVENESS_UNARMED,
				     .interval_us = 200 * MS,
				     .multiplier = 3,
				     .hold_down_us = 2000 * MS };
}

static enum liveness_state step(struct liveness_sm *sm, enum liveness_input in, uint64_t t,
				bool *changed)
{
	return liveness_step(sm, in, t, changed);
}

static void test_unarmed_never_judges(void **state)
{
	struct liveness_sm sm = sm_new();
	bool ch;

	(void)state;
	for (uint64_t t = 0; t < 60000 * MS; t += 200 * MS)
		assert_int_equal(step(&sm, LIVENESS_TICK, t, &ch), LIVENESS_UNARMED);
	assert_false(ch);
	assert_int_equal(step(&sm, LIVENESS_REPLY, 60000 * MS, &ch), LIVENESS_UP);
	assert_false(ch); /* arming is not a verdict change */
}

static void test_dead_after_multiplier(void **state)
{
	struct liveness_sm sm = sm_new();
	bool ch;

	(void)state;
	step(&sm, LIVENESS_REPLY, 1000 * MS, &ch);
	/* exactly 3 intervals of silence is still alive; beyond is dead */
	assert_int_equal(step(&sm, LIVENESS_TICK, 1600 * MS, &ch), LIVENESS_UP);
	assert_false(ch);
	assert_int_equal(step(&sm, LIVENESS_TICK, 1601 * MS, &ch), LIVENESS_DOWN);
	assert_true(ch);
	assert_int_equal(step(&sm, LIVENESS_TICK, 1800 * MS, &ch), LIVENESS_DOWN);
	assert_false(ch);
}

static void test_hold_down(void **state)
{
	struct liveness_sm sm = sm_new();
	bool ch;
	uint64_t t;

	(void)state;
	step(&sm, LIVENESS_REPLY, 0, &ch);
	step(&sm, LIVENESS_TICK, 700 * MS, &ch);
	assert_int_equal(sm.state, LIVENESS_DOWN);
	/* replies again at 5 s: recovering, not up before 2 s of replies */
	assert_int_equal(step(&sm, LIVENESS_REPLY, 5000 * MS, &ch), LIVENESS_RECOVERING);
	assert_false(ch);
	for (t = 5200 * MS; t < 7000 * MS; t += 200 * MS) {
		step(&sm, LIVENESS_REPLY, t, &ch);
		assert_int_equal(sm.state, LIVENESS_RECOVERING);
		assert_false(ch);
	}
	assert_int_equal(step(&sm, LIVENESS_REPLY, 7000 * MS, &ch), LIVENESS_UP);
	assert_true(ch);
}

static void test_flap_restarts_hold_down(void **state)
{
	struct liveness_sm sm = sm_new();
	bool ch;

	(void)state;
	step(&sm, LIVENESS_REPLY, 0, &ch);
	step(&sm, LIVENESS_TICK, 700 * MS, &ch);
	step(&sm, LIVENESS_REPLY, 1000 * MS, &ch);
	assert_int_equal(sm.state, LIVENESS_RECOVERING);
	/* a gap during the hold-down: down again, silently (it never came back) */
	assert_int_equal(step(&sm, LIVENESS_TICK, 1800 * MS, &ch), LIVENESS_DOWN);
	assert_false(ch);
	step(&sm, LIVENESS_REPLY, 2000 * MS, &ch);
	step(&sm, LIVENESS_REPLY, 3900 * MS, &ch);
	assert_int_equal(sm.state, LIVENESS_RECOVERING);
	assert_int_equal(step(&sm, LIVENESS_REPLY, 4000 * MS, &ch), LIVENESS_UP);
	assert_true(ch);
}

static struct hgw_nl_view view2(unsigned flags0)
{
	struct hgw_nl_view v = { .present = true, .n_nh = 2 };

	snprintf(v.nh[0].ifname, sizeof(v.nh[0].ifname), "hv-azure-0");
	v.nh[0].flags = flags0;
	snprintf(v.nh[1].ifname, sizeof(v.nh[1].ifname), "hv-azure-1");
	return v;
}

static const char *const privs[] = { "er0" };
static const char *const tuns[] = { "hv-azure-0", "hv-azure-1" };

static void test_classify(void **state)
{
	struct hgw_nl_view v = view2(0), none = { .present = false };
	struct failover_path p;
	char buf[24];

	(void)state;
	p = failover_classify(&v, privs, 1, tuns, 2);
	assert_string_equal(failover_path_str(&p, buf, sizeof(buf)), "vpn x2");
	v = view2(RTNH_F_LINKDOWN);
	p = failover_classify(&v, privs, 1, tuns, 2);
	assert_string_equal(failover_path_str(&p, buf, sizeof(buf)), "vpn x1");
	v = view2(RTNH_F_DEAD);
	v.nh[1].flags = RTNH_F_DEAD;
	p = failover_classify(&v, privs, 1, tuns, 2);
	assert_string_equal(failover_path_str(&p, buf, sizeof(buf)), "none");
	v = view2(0);
	snprintf(v.nh[0].ifname, sizeof(v.nh[0].ifname), "er0");
	p = failover_classify(&v, privs, 1, tuns, 2);
	assert_string_equal(failover_path_str(&p, buf, sizeof(buf)), "private");
	snprintf(v.nh[0].ifname, sizeof(v.nh[0].ifname), "eth9");
	snprintf(v.nh[1].ifname, sizeof(v.nh[1].ifname), "eth8");
	p = failover_classify(&v, privs, 1, tuns, 2);
	assert_string_equal(failover_path_str(&p, buf, sizeof(buf)), "other");
	p = failover_classify(&none, privs, 1, tuns, 2);
	assert_string_equal(failover_path_str(&p, buf, sizeof(buf)), "none");
}

static void cause(struct failover_cause *v, enum failover_cause_kind k, const char *text,
		  uint64_t at)
{
	failover_cause_set(v, k, text, at, text);
}

static void test_history(void **state)
{
	static struct failover_history h;
	struct failover_cause causes[FAILOVER_CAUSE_KINDS] = { 0 };
	struct failover_path a = { FAILOVER_PRIVATE, 0 }, b = { FAILOVER_VPN, 2 };
	struct timespec now = { 1, 0 };
	const struct failover_event *e;

	(void)state;
	cause(causes, FAILOVER_CAUSE_PRIVATE_DOWN, "carrier lost on er0", 1000);
	e = failover_record(&h, "198.19.10.0/24", &a, &b, causes, 13500, &now);
	assert_int_equal(e->gap_us, 12500);
	assert_string_equal(e->cause, "carrier lost on er0");
	/* a cause older than the limit is not this switch's */
	cause(causes, FAILOVER_CAUSE_PRIVATE_UP, "old", 1);
	e = failover_record(&h, "198.19.10.0/24", &b, &a, causes, 2 + FAILOVER_CAUSE_MAX_AGE_US,
			    &now);
	assert_int_equal(e->gap_us, -1);
	assert_string_equal(e->cause, "routing");
	memset(causes, 0, sizeof(causes));
	for (int i = 0; i < 2 * FAILOVER_HISTORY; i++)
		failover_record(&h, "p", &a, &b, causes, 5, &now);
	assert_int_equal(h.n, FAILOVER_HISTORY);
	assert_int_equal(failover_get(&h, 0)->seq, 2 + 2 * FAILOVER_HISTORY);
	assert_int_equal(failover_get(&h, FAILOVER_HISTORY - 1)->seq, 3 + FAILOVER_HISTORY);
	assert_null(failover_get(&h, FAILOVER_HISTORY));
}

/*
 * Seen in the lab: a tunnel came up, and 1.9 s later BGP over the circuit moved the prefix
 * back to the private path.  The tunnel's CHILD_SA did not cause that switch: no cause fits,
 * so it is "routing" with no gap, not a 1.9 s failover.  Of two causes that fit, the newest.
 */
static void test_cause_fits(void **state)
{
	static struct failover_history h;
	struct failover_cause causes[FAILOVER_CAUSE_KINDS] = { 0 };
	struct failover_path priv = { FAILOVER_PRIVATE, 0 }, vpn1 = { FAILOVER_VPN, 1 };
	struct failover_path vpn2 = { FAILOVER_VPN, 2 }, none = { FAILOVER_NONE, 0 };
	struct timespec now = { 1, 0 };
	const struct failover_event *e;

	(void)state;
	cause(causes, FAILOVER_CAUSE_TUNNEL_UP, "tunnel azure/in0 CHILD_SA installed", 1000);
	e = failover_record(&h, "198.19.10.0/24", &vpn2, &priv, causes, 1936000, &now);
	assert_string_equal(e->cause, "routing");
	assert_int_equal(e->gap_us, -1);
	/* the same cause does explain a widening ECMP set */
	e = failover_record(&h, "198.19.10.0/24", &vpn1, &vpn2, causes, 4700, &now);
	assert_string_equal(e->cause, "tunnel azure/in0 CHILD_SA installed");
	assert_int_equal(e->gap_us, 3700);
	/* carrier lost, then a tunnel came up: the switch away from the circuit is the carrier's */
	cause(causes, FAILOVER_CAUSE_PRIVATE_DOWN, "carrier lost on er0", 900);
	e = failover_record(&h, "198.19.10.0/24", &priv, &vpn2, causes, 1100, &now);
	assert_string_equal(e->cause, "carrier lost on er0");
	assert_int_equal(e->gap_us, 200);
	/* a dead tunnel narrows the set; newest of the fitting causes wins */
	cause(causes, FAILOVER_CAUSE_TUNNEL_DOWN, "tunnel azure/in1 dead (liveness)", 2000);
	e = failover_record(&h, "198.19.10.0/24", &vpn2, &vpn1, causes, 2500, &now);
	assert_string_equal(e->cause, "tunnel azure/in1 dead (liveness)");
	e = failover_record(&h, "198.19.10.0/24", &vpn1, &none, causes, 2600, &now);
	assert_int_equal(e->gap_us, 600);

	/* a repaired circuit no longer explains a later switch away from it (BGP shutdown) */
	memset(causes, 0, sizeof(causes));
	failover_cause_set(causes, FAILOVER_CAUSE_PRIVATE_DOWN, "er0", 10000,
			   "carrier lost on er0");
	failover_cause_set(causes, FAILOVER_CAUSE_PRIVATE_UP, "er0", 11000, "carrier back on er0");
	e = failover_record(&h, "198.19.10.0/24", &priv, &vpn2, causes, 13900, &now);
	assert_string_equal(e->cause, "routing");
	/* another interface's recovery does not erase it */
	failover_cause_set(causes, FAILOVER_CAUSE_PRIVATE_DOWN, "er0", 20000,
			   "carrier lost on er0");
	failover_cause_set(causes, FAILOVER_CAUSE_PRIVATE_UP, "er1", 20100, "carrier back on er1");
	e = failover_record(&h, "198.19.10.0/24", &priv, &vpn2, causes, 20300, &now);
	assert_string_equal(e->cause, "carrier lost on er0");

	assert_true(failover_cause_fits(FAILOVER_CAUSE_PRIVATE_UP, &vpn2, &priv));
	assert_false(failover_cause_fits(FAILOVER_CAUSE_PRIVATE_UP, &priv, &vpn2));
	assert_false(failover_cause_fits(FAILOVER_CAUSE_TUNNEL_UP, &priv, &vpn2));
	assert_true(failover_cause_fits(FAILOVER_CAUSE_TUNNEL_UP, &none, &vpn1));
	assert_false(failover_cause_fits(FAILOVER_CAUSE_TUNNEL_DOWN, &vpn1, &vpn2));
	assert_false(failover_cause_fits(FAILOVER_CAUSE_PRIVATE_DOWN, &vpn1, &none));
}

/* An IPv4 header (ihl 5) from src and an ICMP header of type and id. */
static size_t packet(uint8_t *b, uint32_t src, uint8_t type, uint16_t id)
{
	memset(b, 0, 28);
	b[0] = 0x45;
	b[9] = 1;
	memcpy(b + 12, &src, 4);
	b[20] = type;
	b[24] = (uint8_t)(id >> 8);
	b[25] = (uint8_t)id;
	return 28;
}

static void test_is_reply(void **state)
{
	struct in_addr peer = { .s_addr = htonl(0xa9fe1502) }, other = { .s_addr = htonl(1) };
	uint8_t b[64];
	size_t n;

	(void)state;
	n = packet(b, peer.s_addr, 0, 0x4700);
	assert_true(liveness_is_reply(b, n, 0x4700, peer, peer));
	assert_false(liveness_is_reply(b, n - 1, 0x4700, peer, peer)); /* truncated */
	assert_false(liveness_is_reply(b, n, 0x4701, peer, peer));     /* another probe's */
	assert_false(liveness_is_reply(b, n, 0x4700, other, peer));    /* from elsewhere */
	n = packet(b, peer.s_addr, 8, 0x4700);
	assert_false(liveness_is_reply(b, n, 0x4700, peer, peer)); /* a request */
	n = packet(b, peer.s_addr, 0, 0x4700);
	b[0] = 0x4f; /* a 60-byte header that is not there */
	assert_false(liveness_is_reply(b, n, 0x4700, peer, peer));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unarmed_never_judges),
		cmocka_unit_test(test_dead_after_multiplier),
		cmocka_unit_test(test_hold_down),
		cmocka_unit_test(test_flap_restarts_hold_down),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_cause_fits),
		cmocka_unit_test(test_is_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
