/*
 * framing.c - RFC 6242 message framing of a NETCONF client's byte stream (see framing.h).
 */
#include "config.h"

#include <string.h>

#include "framing.h"

/* KMP fall-backs of "]]>]]>": the longest proper border of its first k bytes. */
static const unsigned char eom_fail[6] = { 0, 0, 1, 0, 1, 2 };

static void frame_reset(struct framer *f)
{
	f->started = false;
	f->eom = 0;
	f->chunks = 0;
	f->len = 0;
	f->size = 0;
	if (f->state != F_EOM)
		f->state = F_CH_LF;
}

/* See framing.h. */
enum frame_result frame_scan(struct framer *f, const char *buf, size_t len, size_t *used)
{
	size_t i = 0, n;
	unsigned char c;

	while (i < len) {
		if (f->state == F_CH_DATA) {
			n = len - i < f->len ? len - i : (size_t)f->len;
			i += n;
			f->len -= n;
			if (f->len == 0)
				f->state = F_CH_LF;
			continue;
		}
		c = (unsigned char)buf[i++];
		if (++f->size > MAX_MESSAGE) {
			f->error = "a message is larger than 64 MiB";
			break;
		}
		switch (f->state) {
		case F_EOM:
			if (!f->started && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
				continue;
			f->started = true;
			while (f->eom > 0 && c != (unsigned char)EOM_MARK[f->eom])
				f->eom = eom_fail[f->eom];
			if (c == (unsigned char)EOM_MARK[f->eom] && ++f->eom == 6)
				goto end;
			continue;
		case F_CH_LF:
			f->started = true;
			if (c != '\n') {
				f->error = "bad chunked framing: no \"\\n#\" where a chunk begins";
				break;
			}
			f->state = F_CH_HASH;
			continue;
		case F_CH_HASH:
			if (c != '#') {
				f->error = "bad chunked framing: no \"\\n#\" where a chunk begins";
				break;
			}
			f->state = F_CH_LEN1;
			continue;
		case F_CH_LEN1:
			if (c == '#' && f->chunks > 0) {
				f->state = F_CH_END_LF;
				continue;
			}
			if (c < '1' || c > '9') {
				f->error = "bad chunk header: the length is not 1 to 4294967295";
				break;
			}
			f->len = c - '0';
			f->state = F_CH_LEN;
			continue;
		case F_CH_LEN:
			if (c == '\n') {
				if (f->size + f->len > MAX_MESSAGE) {
					f->error = "a chunk makes the message larger than 64 MiB";
					break;
				}
				f->size += f->len;
				f->chunks++;
				f->state = F_CH_DATA;
				continue;
			}
			if (c < '0' || c > '9' || f->len > (MAX_CHUNK - (c - '0')) / 10) {
				f->error = "bad chunk header: the length is not 1 to 4294967295";
				break;
			}
			f->len = f->len * 10 + (c - '0');
			continue;
		case F_CH_END_LF:
			if (c != '\n') {
				f->error = "bad chunked framing: \"\\n##\" not followed by \"\\n\"";
				break;
			}
			goto end;
		case F_CH_DATA:
			break; /* not reached */
		}
		*used = i;
		return FRAME_ERROR;
	}
	*used = i;
	return f->error != NULL ? FRAME_ERROR : FRAME_MORE;
end:
	*used = i;
	return FRAME_END;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Which framing the daemon will use after this <hello>, decided as libnetconf2 decides it
 * (2.0.24, session.c): a capability whose text is a prefix of base:1.1 counts as base:1.1.
 * The relay must never disagree with the daemon (it would forward half a message and the
 * daemon's loop would wait for the rest), so what it cannot read the same way is refused:
 * entities and CDATA (libnetconf2 decodes them), and any text that is a shortened
 * base:1.1 ("urn:ietf:params:netconf:base:1").  Every element text of the hello is looked
 * at: a client hello holds capabilities only.
 */
static const char *hello_framing(const char *msg, size_t len, bool *chunked)
{
	size_t cap = strlen(BASE11_CAP);

	*chunked = false;
	if (memchr(msg, '&', len) != NULL || memmem(msg, len, "<![CDATA[", 9) != NULL)
		return "an entity or CDATA in the client's <hello>";
	for (size_t i = 0; i < len; i++) {
		size_t a, b;

		if (msg[i] != '>')
			continue;
		for (a = i + 1; a < len && is_space(msg[a]); a++)
			;
		for (b = a; b < len && msg[b] != '<'; b++)
			;
		i = b - 1;
		while (b > a && is_space(msg[b - 1]))
			b--;
		if (b == a || b - a > cap || memcmp(msg + a, BASE11_CAP, b - a) != 0)
			continue;
		if (b - a < cap)
			return "a shortened base:1.1 capability in the client's <hello>";
		*chunked = true;
	}
	return NULL;
}

/* See framing.h. */
const char *frame_end(struct framer *f, const char *msg, size_t len)
{
	const char *err = NULL;
	bool chunked;

	if (++f->messages == 1) {
		err = hello_framing(msg, len, &chunked);
		if (err == NULL && chunked)
			f->state = F_CH_LF;
	}
	frame_reset(f);
	return err;
}

const char *frame_feed(struct framer *f, const char *data, size_t from, size_t end, size_t *ready)
{
	size_t used;
	const char *why;

	while (from < end) {
		switch (frame_scan(f, data + from, end - from, &used)) {
		case FRAME_ERROR:
			return f->error;
		case FRAME_END:
			from += used;
			why = frame_end(f, data + *ready, from - *ready);
			if (why != NULL)
				return why;
			*ready = from;
			break;
		case FRAME_MORE:
			from += used;
			break;
		}
	}
	return NULL;
}
