/*
 * fuzz_frr_json.c - the parsers of FRR's JSON show output (lib/frr/frr_state.c), which
 * read whatever a daemon sends.  Built once per parser, FRR_FUZZ_PARSER selecting it:
 * 1 bgp summary, 2 bgp neighbors, 3 bgp table, 4 zebra RIB, 5 BFD peers.
 *
 * Invariants: a refusal is -EBADMSG (-ENOMEM cannot happen here), and leaves the output
 * empty; an accepted input gives strings that are terminated inside their arrays, flags
 * that agree with the state text, and can be written out as JSON again.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frr_state.h"
#include "fuzz.h"

#ifndef FRR_FUZZ_PARSER
#error "FRR_FUZZ_PARSER must select a parser"
#endif

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static void check_result(int r, size_t n)
{
	if (r != 0 && r != -EBADMSG)
		abort();
	if (r != 0 && n != 0)
		abort();
}

static void check_json(char *json)
{
	if (json == NULL)
		abort();
	free(json);
}

#if FRR_FUZZ_PARSER == 1
static void run(const char *buf, size_t len)
{
	struct frr_bgp_summary s;
	int r = frr_parse_bgp_summary(buf, len, &s);
	size_t i;

	check_result(r, s.n);
	for (i = 0; i < s.n; i++) {
		if (!TERMINATED(s.peers[i].peer) || !TERMINATED(s.peers[i].state) ||
		    s.peers[i].established != (strcmp(s.peers[i].state, "Established") == 0))
			abort();
	}
	if (r == 0)
		check_json(frr_bgp_summary_json(&s));
	frr_bgp_summary_free(&s);
}
#elif FRR_FUZZ_PARSER == 2
static void run(const char *buf, size_t len)
{
	struct frr_bgp_neighbors s;
	int r = frr_parse_bgp_neighbors(buf, len, &s);
	size_t i;

	check_result(r, s.n);
	for (i = 0; i < s.n; i++) {
		if (!TERMINATED(s.v[i].peer) || !TERMINATED(s.v[i].last_reset) ||
		    s.v[i].established != (strcmp(s.v[i].state, "Established") == 0))
			abort();
	}
	if (r == 0)
		check_json(frr_bgp_neighbors_json(&s));
	frr_bgp_neighbors_free(&s);
}
#elif FRR_FUZZ_PARSER == 3
static void run(const char *buf, size_t len)
{
	struct frr_bgp_table s;
	int r = frr_parse_bgp_table(buf, len, &s);
	size_t i;

	check_result(r, s.n);
	for (i = 0; i < s.n; i++) {
		if (!TERMINATED(s.v[i].prefix) || !TERMINATED(s.v[i].as_path) ||
		    !TERMINATED(s.v[i].next_hop))
			abort();
	}
	if (r == 0)
		check_json(frr_bgp_table_json(&s));
	frr_bgp_table_free(&s);
}
#elif FRR_FUZZ_PARSER == 4
static void run(const char *buf, size_t len)
{
	struct frr_rib s;
	int r = frr_parse_rib(buf, len, &s);
	size_t i, k;

	check_result(r, s.n);
	for (i = 0; i < s.n; i++) {
		if (!TERMINATED(s.v[i].prefix) || (s.v[i].n_nh > 0 && s.v[i].nh == NULL))
			abort();
		for (k = 0; k < s.v[i].n_nh; k++) {
			if (!TERMINATED(s.v[i].nh[k].ip) || !TERMINATED(s.v[i].nh[k].ifname))
				abort();
		}
	}
	if (r == 0)
		check_json(frr_rib_json(&s));
	frr_rib_free(&s);
}
#elif FRR_FUZZ_PARSER == 5
static void run(const char *buf, size_t len)
{
	struct frr_bfd_peers s;
	int r = frr_parse_bfd_peers(buf, len, &s);
	size_t i;

	check_result(r, s.n);
	for (i = 0; i < s.n; i++) {
		if (!TERMINATED(s.v[i].peer) || s.v[i].up != (strcmp(s.v[i].status, "up") == 0))
			abort();
	}
	if (r == 0)
		check_json(frr_bfd_peers_json(&s));
	frr_bfd_peers_free(&s);
}
#else
#error "unknown FRR_FUZZ_PARSER"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run((const char *)data, size);
	return 0;
}
