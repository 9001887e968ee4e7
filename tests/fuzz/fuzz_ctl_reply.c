/*
 * fuzz_ctl_reply.c - hybridgwctl's reply parser, which reads whatever listens on the socket.
 *
 * Invariants: a rejection has a reason; whatever the parser accepts, the encoder can send
 * again, and parsing that gives back the same reply.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"
#include "fuzz.h"

static void same_status(const struct hgw_status *a, const struct hgw_status *b)
{
	if (strcmp(a->version, b->version) != 0 || a->pid != b->pid || a->uptime_s != b->uptime_s ||
	    strcmp(a->config_dir, b->config_dir) != 0 || strcmp(a->state_dir, b->state_dir) != 0 ||
	    a->reloads != b->reloads || a->state != b->state)
		abort();
}

/* Encode the accepted reply again, parse that, compare. */
static void check_roundtrip(const struct hgw_ctl_reply *reply)
{
	struct hgw_ctl_reply again;
	const char *why;
	ssize_t n;
	char *buf;

	if (reply->error != NULL)
		n = hgw_ctl_error_encode(NULL, 0, reply->error);
	else
		n = hgw_ctl_status_encode(NULL, 0, &reply->status);
	if (n < 0)
		abort();
	buf = malloc((size_t)n + 1);
	if (buf == NULL)
		abort();
	if (reply->error != NULL)
		hgw_ctl_error_encode(buf, (size_t)n + 1, reply->error);
	else
		hgw_ctl_status_encode(buf, (size_t)n + 1, &reply->status);
	if (hgw_ctl_reply_parse(buf, (size_t)n, &again, &why) != 0)
		abort();
	if (reply->error != NULL) {
		if (again.error == NULL || strcmp(again.error, reply->error) != 0)
			abort();
	} else {
		if (again.error != NULL)
			abort();
		same_status(&reply->status, &again.status);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hgw_ctl_reply reply;
	const char *why = NULL;
	char *copy;
	int r;

	/* The parser works in place; libFuzzer's input is read-only. */
	copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	r = hgw_ctl_reply_parse(copy, size, &reply, &why);
	if (r == 0)
		check_roundtrip(&reply);
	else if (r != -EBADMSG || why == NULL)
		abort();
	free(copy);
	return 0;
}
