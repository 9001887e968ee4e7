/*
 * fuzz_ctl_request.c - the daemon's request parser, which reads bytes from any local peer.
 *
 * Invariants: the parser accepts only the canonical encoding of a request; it asks for
 * more input only while no newline has arrived and the limit is not reached; every
 * rejection comes with a reason that can be sent back as an error reply.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"
#include "fuzz.h"

static void check_accepted(const uint8_t *data, size_t size, enum hgw_ctl_cmd cmd)
{
	char buf[HGW_CTL_REQUEST_MAX + 1];
	ssize_t n;

	n = hgw_ctl_request_encode(buf, sizeof(buf), cmd);
	if (n < 0 || (size_t)n != size || memcmp(buf, data, size) != 0)
		abort();
}

static void check_rejected(const char *why)
{
	char buf[HGW_CTL_REPLY_MAX];
	ssize_t n;

	if (why == NULL)
		abort();
	n = hgw_ctl_error_encode(buf, sizeof(buf), why);
	if (n < 0 || (size_t)n >= sizeof(buf))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum hgw_ctl_cmd cmd;
	const char *why = NULL;

	switch (hgw_ctl_request_parse((const char *)data, size, &cmd, &why)) {
	case 0:
		check_accepted(data, size, cmd);
		break;
	case -EAGAIN:
		if (size >= HGW_CTL_REQUEST_MAX || memchr(data, '\n', size) != NULL)
			abort();
		break;
	case -EMSGSIZE:
	case -EBADMSG:
	case -EOPNOTSUPP:
		check_rejected(why);
		break;
	default:
		abort();
	}
	return 0;
}
