/*
 * fuzz_nl_event.c - the netlink notification classifier (lib/nl/nl_types.c) over any
 * bytes, walked message by message the way the monitor walks a datagram.
 *
 * Invariants: it returns a message type or -EBADMSG, never reads past the buffer, and a
 * route's destination has no host bits and a length that fits its family.
 */
#include "config.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nl/nl_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* aligned copy: the kernel's messages are 4-byte aligned */
	uint32_t *buf = malloc(size + 4);
	const struct nlmsghdr *h;
	struct hgw_nl_event_info info;
	size_t off = 0;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	while (size - off >= sizeof(*h)) {
		h = (const struct nlmsghdr *)((const uint8_t *)buf + off);
		int r = hgw_nl_event_classify(h, size - off, &info);

		if (r == -EBADMSG)
			break;
		if (r < 0 || r != h->nlmsg_type)
			abort();
		if (info.kind == HGW_NL_EV_ROUTE) {
			struct hgw_nl_prefix p = info.dst;
			char s[HGW_NL_PREFIX_STRLEN];

			if (p.len > (p.family == AF_INET6 ? 128 : 32))
				abort();
			if (hgw_nl_prefix_parse(hgw_nl_prefix_format(&p, s, sizeof(s)), &p) != 0 ||
			    !hgw_nl_prefix_equal(&p, &info.dst))
				abort();
		}
		/* as nlmsg_next() does: the padding of the last message may run past the
		 * datagram, and then there is no next message */
		if (NLMSG_ALIGN(h->nlmsg_len) >= size - off)
			break;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	free(buf);
	return 0;
}
