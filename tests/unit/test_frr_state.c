/*
 * test_frr_state.c - the JSON state parsers on output captured from FRR 8.4.4 (the seed
 * corpora of the fuzz targets, found through HGW_FUZZ_CORPUS_DIR), and on what they must
 * refuse.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frr_state.h"

static char *load(const char *target, const char *name, size_t *len)
{
	const char *dir = getenv("HGW_FUZZ_CORPUS_DIR");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	if (dir == NULL)
		dir = "tests/fuzz/corpus";
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: cannot open (set HGW_FUZZ_CORPUS_DIR)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#define S(lit) lit, sizeof(lit) - 1

static void test_summary(void **state)
{
	struct frr_bgp_summary s;
	size_t len;
	char *buf = load("fuzz_frr_summary", "established", &len);

	(void)state;
	assert_int_equal(frr_parse_bgp_summary(buf, len, &s), 0);
	assert_int_equal(s.local_as, 65010);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.peers[0].peer, "198.18.233.2");
	assert_string_equal(s.peers[0].afi, "ipv4Unicast");
	assert_int_equal(s.peers[0].remote_as, 65515);
	assert_true(s.peers[0].established);
	assert_int_equal(s.peers[0].pfx_rcvd, 3);
	frr_bgp_summary_free(&s);
	free(buf);
}

static void test_neighbors(void **state)
{
	struct frr_bgp_neighbors s;
	size_t len;
	char *buf = load("fuzz_frr_neighbors", "established", &len);

	(void)state;
	assert_int_equal(frr_parse_bgp_neighbors(buf, len, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].peer, "198.18.233.2");
	assert_string_equal(s.v[0].state, "Established");
	assert_true(s.v[0].established);
	assert_int_equal(s.v[0].configured_hold_ms, 180000);
	assert_int_equal(s.v[0].keepalive_ms, 60000);
	assert_int_equal(s.v[0].connect_retry_s, 1);
	assert_true(s.v[0].has_bfd);
	assert_string_equal(s.v[0].bfd_status, "Up");
	assert_int_equal(s.v[0].accepted_v4, 3);
	assert_int_equal(s.v[0].msgs_sent, 14);
	assert_int_equal(s.v[0].msgs_rcvd, 14);
	frr_bgp_neighbors_free(&s);
	free(buf);

	buf = load("fuzz_frr_neighbors", "no-such-neighbor", &len);
	assert_int_equal(frr_parse_bgp_neighbors(buf, len, &s), 0);
	assert_int_equal(s.n, 0);
	frr_bgp_neighbors_free(&s);
	free(buf);
}

static void test_bgp_table(void **state)
{
	struct frr_bgp_table s;
	size_t len, i;
	char *buf = load("fuzz_frr_bgp_table", "ipv4-three-learned", &len);

	(void)state;
	assert_int_equal(frr_parse_bgp_table(buf, len, &s), 0);
	assert_int_equal(s.local_as, 65010);
	assert_int_equal(s.default_local_pref, 100);
	assert_int_equal(s.n, 4);
	for (i = 0; i < s.n && strcmp(s.v[i].prefix, "198.19.11.0/24") != 0; i++)
		;
	assert_true(i < s.n);
	assert_string_equal(s.v[i].as_path, "65515 12076");
	assert_string_equal(s.v[i].next_hop, "198.18.233.2");
	assert_true(s.v[i].best);
	assert_true(s.v[i].valid);
	assert_false(s.v[i].multipath);
	assert_false(s.v[i].has_local_pref);
	frr_bgp_table_free(&s);
	free(buf);
}

static void test_rib(void **state)
{
	struct frr_rib s;
	size_t len, i;
	char *buf = load("fuzz_frr_rib", "bgp-and-connected", &len);

	(void)state;
	assert_int_equal(frr_parse_rib(buf, len, &s), 0);
	for (i = 0; i < s.n && strcmp(s.v[i].prefix, "198.19.10.0/24") != 0; i++)
		;
	assert_true(i < s.n);
	assert_string_equal(s.v[i].protocol, "bgp");
	assert_true(s.v[i].installed);
	assert_int_equal(s.v[i].distance, 20);
	assert_int_equal(s.v[i].n_nh, 1);
	assert_string_equal(s.v[i].nh[0].ip, "198.18.233.2");
	assert_string_equal(s.v[i].nh[0].ifname, "hgw0");
	assert_true(s.v[i].nh[0].fib);
	frr_rib_free(&s);
	free(buf);
}

static void test_bfd(void **state)
{
	struct frr_bfd_peers s;
	size_t len;
	char *buf = load("fuzz_frr_bfd", "one-up", &len);

	(void)state;
	assert_int_equal(frr_parse_bfd_peers(buf, len, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].peer, "198.18.233.2");
	assert_true(s.v[0].up);
	assert_int_equal(s.v[0].receive_ms, 300);
	assert_int_equal(s.v[0].detect_multiplier, 3);
	frr_bfd_peers_free(&s);
	free(buf);
}

static void test_refused(void **state)
{
	struct frr_bgp_summary sum;
	struct frr_bfd_peers bfd;
	struct frr_rib rib;

	(void)state;
	assert_int_equal(frr_parse_bgp_summary(S(""), &sum), -EBADMSG);
	assert_int_equal(frr_parse_bgp_summary(S("{"), &sum), -EBADMSG);
	assert_int_equal(frr_parse_bgp_summary(S("{} x"), &sum), -EBADMSG);
	assert_int_equal(frr_parse_bgp_summary(S("% No BGP instances found\n"), &sum), -EBADMSG);
	/* a peer without a state, a remote AS that is a string, one out of range */
	assert_int_equal(frr_parse_bgp_summary(S("{\"ipv4Unicast\":{\"peers\":{\"p\":"
						 "{\"remoteAs\":1}}}}"),
					       &sum),
			 -EBADMSG);
	assert_int_equal(frr_parse_bgp_summary(S("{\"ipv4Unicast\":{\"peers\":{\"p\":"
						 "{\"remoteAs\":\"1\",\"state\":\"Idle\"}}}}"),
					       &sum),
			 -EBADMSG);
	assert_int_equal(frr_parse_bgp_summary(S("{\"ipv4Unicast\":{\"peers\":{\"p\":"
						 "{\"remoteAs\":4294967296,\"state\":\"Idle\"}}}}"),
					       &sum),
			 -EBADMSG);
	assert_int_equal(sum.n, 0);
	/* a state with a control character, a peer key too long */
	assert_int_equal(frr_parse_bgp_summary(S("{\"ipv4Unicast\":{\"peers\":{\"p\":"
						 "{\"remoteAs\":1,\"state\":\"Id\\nle\"}}}}"),
					       &sum),
			 -EBADMSG);
	assert_int_equal(frr_parse_rib(S("{\"p\":{}}"), &rib), -EBADMSG);
	assert_int_equal(frr_parse_bfd_peers(S("{}"), &bfd), -EBADMSG);
	assert_int_equal(frr_parse_bfd_peers(S("[]"), &bfd), 0);
	assert_int_equal(bfd.n, 0);
	frr_bfd_peers_free(&bfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),	  cmocka_unit_test(test_neighbors),
		cmocka_unit_test(test_bgp_table), cmocka_unit_test(test_rib),
		cmocka_unit_test(test_bfd),	  cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
