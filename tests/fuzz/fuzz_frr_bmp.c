/*
 * fuzz_frr_bmp.c - the BMP decoder over a stream: the input is cut into messages by
 * frr_bmp_msg_len() as the station does, and each is decoded.
 *
 * Invariants: a decoded message has the length its header gives; every prefix list the
 * decoder accepted walks to its end with prefixes of legal length and no more prefixes
 * than bytes; the AS path prints within the length it reports.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "frr_bmp.h"
#include "fuzz.h"

static void walk(struct frr_bmp_nlri it)
{
	size_t bytes = it.len, n = 0;
	struct frr_bmp_prefix p;

	while (frr_bmp_nlri_next(&it, &p) > 0) {
		if (p.len > (p.addr.family == AF_INET ? 32 : 128) || p.addr.family != it.family)
			abort();
		if (++n > bytes)
			abort();
	}
	if (it.len != 0)
		abort();
}

static void check_update(const struct frr_bmp_update *u)
{
	char path[64];
	size_t need;

	walk(u->withdrawn);
	walk(u->nlri);
	walk(u->mp_reach);
	walk(u->mp_unreach);
	need = frr_bmp_as_path_str(u, path, sizeof(path));
	if (strlen(path) != (need < sizeof(path) ? need : sizeof(path) - 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frr_bmp_msg msg;
	size_t pos = 0;

	while (pos < size) {
		ssize_t n = frr_bmp_msg_len(data + pos, size - pos);

		if (n <= 0 || (size_t)n > size - pos)
			break;
		if (frr_bmp_decode(data + pos, (size_t)n, &msg) == 0) {
			if (msg.len != (size_t)n || (msg.has_peer && msg.type > 6))
				abort();
			if (msg.type == FRR_BMP_ROUTE_MONITORING)
				check_update(&msg.u.update);
			if (msg.type == FRR_BMP_STATS_REPORT && msg.u.stats.n > FRR_BMP_STATS_MAX)
				abort();
		}
		pos += (size_t)n;
	}
	return 0;
}
