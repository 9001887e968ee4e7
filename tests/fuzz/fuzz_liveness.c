/*
 * fuzz_liveness.c - the liveness probe's reply check (daemons/hybridgwd/liveness.c) over
 * any bytes, as a raw ICMP socket would deliver them from the tunnel.
 *
 * Invariants: never reads past the buffer (ASan), and says yes only to an IPv4 echo reply
 * of our identifier from the peer.
 */
#include "config.h"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "liveness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in_addr peer = { .s_addr = htonl(0xa9fe1502) }; /* 169.254.21.2 */
	uint8_t *buf = malloc(size + 1);		       /* exact size for ASan */
	struct iphdr ip;
	struct icmphdr h;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (liveness_is_reply(buf, size, 0x4700, peer, peer)) {
		memcpy(&ip, buf, sizeof(ip));
		memcpy(&h, buf + ip.ihl * 4, sizeof(h));
		if (ip.version != 4 || h.type != ICMP_ECHOREPLY || ntohs(h.un.echo.id) != 0x4700 ||
		    ip.saddr != peer.s_addr)
			abort();
	}
	free(buf);
	return 0;
}
