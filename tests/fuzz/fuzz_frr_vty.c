/*
 * fuzz_frr_vty.c - the vty reply decoder, fed the input in chunks whose sizes come from
 * the input's first byte.
 *
 * Invariants: whatever the chunking, the decoder consumes the same bytes and ends in the
 * same state as with the input in one piece; the text holds no NUL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frr_vty.h"
#include "fuzz.h"

/* Returns the bytes consumed, or the negative error. */
static ssize_t decode(const uint8_t *data, size_t size, size_t chunk, struct frr_vty_reply *r)
{
	size_t pos = 0, n;
	ssize_t used;

	frr_vty_reply_init(r);
	r->max = 4096;
	while (pos < size && !r->done) {
		n = size - pos < chunk ? size - pos : chunk;
		used = frr_vty_reply_feed(r, data + pos, n);
		if (used < 0)
			return used;
		pos += (size_t)used;
		if ((size_t)used < n && !r->done)
			abort();
	}
	return (ssize_t)pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frr_vty_reply whole, parts;
	ssize_t a, b;

	if (size < 1)
		return 0;
	a = decode(data + 1, size - 1, size, &whole);
	b = decode(data + 1, size - 1, (size_t)data[0] % 7 + 1, &parts);
	if (a != b || whole.done != parts.done)
		abort();
	if (a >= 0 && (whole.len != parts.len || whole.status != parts.status ||
		       (whole.len > 0 && memcmp(whole.text, parts.text, whole.len) != 0) ||
		       (whole.text != NULL && strlen(whole.text) != whole.len)))
		abort();
	frr_vty_reply_clear(&whole);
	frr_vty_reply_clear(&parts);
	return 0;
}
