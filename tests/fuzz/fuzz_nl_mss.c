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
	fuzz_each_nlmsg(data, size, one);
	return 0;
}
