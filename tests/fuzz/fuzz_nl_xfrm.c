/*
 * fuzz_nl_xfrm.c - the XFRM SA and policy parsers (lib/nl/nl_xfrm.c) over any bytes,
 * message by message the way the dump walks a datagram.
 *
 * Invariants: each returns 0, -EBADMSG or -ENOMSG, never reads past the buffer; on success
 * the algorithm names are terminated and a policy keeps at most HGW_NL_XFRM_MAX_TMPL
 * templates.
 */
#include "config.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nl/nl_xfrm.h"

static void check_alg(const struct hgw_nl_xfrm_alg *a)
{
	if (memchr(a->name, '\0', sizeof(a->name)) == NULL)
		abort();
}

static void one(const struct nlmsghdr *h, size_t len)
{
	struct hgw_nl_xfrm_sa sa;
	struct hgw_nl_xfrm_policy p;
	int r = hgw_nl_xfrm_sa_parse(h, len, &sa);

	if (r != 0 && r != -EBADMSG && r != -ENOMSG)
		abort();
	if (r == 0) {
		check_alg(&sa.enc);
		check_alg(&sa.auth);
		check_alg(&sa.aead);
		check_alg(&sa.comp);
	}
	r = hgw_nl_xfrm_policy_parse(h, len, &p);
	if (r != 0 && r != -EBADMSG && r != -ENOMSG)
		abort();
	if (r == 0 && p.n_tmpl > HGW_NL_XFRM_MAX_TMPL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_each_nlmsg(data, size, one);
	return 0;
}
