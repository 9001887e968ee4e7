/*
 * fuzz_nlmsg.c - the message walk the netlink fuzz targets share (fuzz.h).
 */
#include "config.h"

#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fuzz_each_nlmsg(const uint8_t *data, size_t size,
		     void (*one)(const struct nlmsghdr *h, size_t len))
{
	uint32_t *buf = malloc(size + 4);
	size_t off = 0;

	if (buf == NULL)
		return;
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
}
