/*
 * fuzz_nl_mss.c - the parser of nf_tables' rule dump for MSS clamping
 * (hgw_nl_mss_parse_rule, lib/nl/nl_mss.c) over any bytes, message by message the way the
 * dump walks a datagram.
 *
 * Invariants: it returns 1, 0 or -EINVAL and never reads past the buffer; a rule it calls
 * ours has a terminated, non-empty interface name and an MSS in range.
 */
#include "config.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nl/nl_mss.h"

static void one(const struct nlmsghdr *h, size_t len)
{
	struct hgw_nl_mss_rule r;
	int in = -1, ret = hgw_nl_mss_parse_rule(h, len, &r, &in);

	if (ret != 1 && ret != 0 && ret != -EINVAL)
		abort();
	if (ret == 1 && (memchr(r.ifname, '\0', sizeof(r.ifname)) == NULL || r.ifname[0] == '\0' ||
			 r.mss < HGW_NL_MSS_MIN || r.mss > HGW_NL_MSS_MAX || (in != 0 && in != 1)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* aligned copy: the kernel's messages are 4-byte aligned */
	uint32_t *buf = malloc(size + 4);
	size_t off = 0;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	while (off < size && size - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)((const uint8_t *)buf + off);

		one(h, size - off);
		/* in size_t: NLMSG_ALIGN of a 32-bit length near 2^32 wraps to 0 */
		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > size - off)
			break;
		off += ((size_t)h->nlmsg_len + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1);
	}
	free(buf);
	return 0;
}
