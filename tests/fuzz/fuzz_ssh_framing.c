/*
 * fuzz_ssh_framing.c - hybridgw-netconf's RFC 6242 framing of the client's bytes
 * (daemons/netconf-ssh/framing.c), over any bytes, as an SSH client may send them.
 *
 * The first byte chooses how the rest is cut into pieces (as reads would deliver it).
 * Invariants: never reads past the buffer (ASan); takes at least one byte per call and no
 * more than given; the messages found, their ends and the error (or not) are the same
 * whether the bytes come in one piece or in many; no message is longer than MAX_MESSAGE
 * plus a chunk header; EOM messages end in "]]>]]>", chunked ones in "\n##\n".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "framing.h"
#include "fuzz.h"

#define MAX_ENDS 4096

/* Message ends found in data[0, size) fed in pieces of at most `piece` bytes. */
static size_t scan(const uint8_t *data, size_t size, size_t piece, size_t *ends, bool *error)
{
	struct framer f;
	size_t pos = 0, start = 0, n = 0, used, len;
	enum frame_result r;

	memset(&f, 0, sizeof(f));
	*error = false;
	while (pos < size) {
		len = size - pos < piece ? size - pos : piece;
		r = frame_scan(&f, (const char *)data + pos, len, &used);
		if (used > len || (used == 0 && r != FRAME_ERROR))
			abort();
		pos += used;
		if (r == FRAME_ERROR) {
			if (f.error == NULL)
				abort();
			*error = true;
			break;
		}
		if (r == FRAME_END) {
			if (pos - start < 4 || pos - start > MAX_MESSAGE + 16)
				abort();
			if (memcmp(data + pos - 4, "\n##\n", 4) != 0 &&
			    (pos - start < 6 || memcmp(data + pos - 6, "]]>]]>", 6) != 0))
				abort();
			if (frame_end(&f, (const char *)data + start, pos - start) != NULL) {
				*error = true; /* a hello the relay refuses: the session ends */
				break;
			}
			start = pos;
			if (n < MAX_ENDS)
				ends[n++] = pos;
		}
	}
	return n;
}

/*
 * frame_feed(), as the relay and hybridgwd's shield call it, over pieces of `piece` bytes:
 * the end of the last whole message, and whether the stream failed.
 */
static size_t feed(const uint8_t *data, size_t size, size_t piece, bool *error)
{
	struct framer f;
	size_t pos = 0, ready = 0, len;

	memset(&f, 0, sizeof(f));
	*error = false;
	while (pos < size) {
		len = size - pos < piece ? size - pos : piece;
		if (frame_feed(&f, (const char *)data, pos, pos + len, &ready) != NULL) {
			*error = true;
			break;
		}
		if (ready > pos + len)
			abort();
		pos += len;
	}
	return ready;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t a[MAX_ENDS], b[MAX_ENDS];
	size_t na, nb, piece;
	uint8_t *buf;
	bool ea, eb;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] % 17 + 1;
	buf = malloc(size - 1 + 1); /* exact size for ASan (+1: malloc(0)) */
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	na = scan(buf, size - 1, size, a, &ea);
	nb = scan(buf, size - 1, piece, b, &eb);
	if (na != nb || ea != eb || memcmp(a, b, na * sizeof(a[0])) != 0)
		abort();
	/* the buffer-level helper finds the same last end, and fails the same */
	if (feed(buf, size - 1, piece, &eb) != (na > 0 ? a[na - 1] : 0) || eb != ea) {
		if (na < MAX_ENDS)
			abort();
	}
	free(buf);
	return 0;
}
