/*
 * framing.h - RFC 6242 message framing of a NETCONF client's byte stream, for
 * hybridgw-netconf and hybridgwd's NETCONF shield (and the fuzz target,
 * tests/fuzz/fuzz_ssh_framing.c).  Pure: no I/O,
 * no allocation, libc only.
 */
#ifndef HGW_NETCONF_SSH_FRAMING_H
#define HGW_NETCONF_SSH_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The client's byte stream, cut into NETCONF messages (RFC 6242): a pure state machine,
 * fed any number of bytes at a time, that says where each message ends.  hybridgwd reads
 * NETCONF through libnetconf2, which, once a message has begun to arrive, blocks its one
 * event loop until the message is whole: so only whole messages go to it.
 *
 * The client's <hello> uses end-of-message framing ("]]>]]>"); after it, if the hello
 * announces base:1.1 (hybridgwd always does), chunked framing (RFC 6242 4.2); a client
 * that stays on base:1.0 keeps "]]>]]>".  A message may not pass MAX_MESSAGE bytes, and a
 * bad chunk header is an error, as it would be for the daemon.
 */
#define MAX_MESSAGE ((uint64_t)64 << 20)
#define MAX_CHUNK 4294967295u
#define EOM_MARK "]]>]]>"
#define BASE11_CAP "urn:ietf:params:netconf:base:1.1"

enum frame_state {
	F_EOM,	    /* end-of-message framing */
	F_CH_LF,    /* chunked: "\n" of "\n#<len>\n" or of "\n##\n" */
	F_CH_HASH,  /* "#" */
	F_CH_LEN1,  /* the length's first digit, or the "#" of "\n##\n" */
	F_CH_LEN,   /* more digits, or "\n" */
	F_CH_DATA,  /* the chunk's data */
	F_CH_END_LF /* the "\n" of "\n##\n" */
};

enum frame_result {
	FRAME_MORE,
	FRAME_END,
	FRAME_ERROR
};

struct framer {
	enum frame_state state;
	bool started;	 /* the current message has begun (EOM: leading white space aside) */
	unsigned eom;	 /* bytes of "]]>]]>" matched */
	unsigned chunks; /* chunks of the current message */
	uint64_t len;	 /* chunk length being read, then bytes of its data left */
	uint64_t size;	 /* the current message's bytes, counting a chunk's data from its header */
	unsigned long messages; /* whole messages so far */
	const char *error;	/* with FRAME_ERROR */
};

/*
 * Scan buf[0, len) on from where the last call stopped.  *used: the bytes taken.
 * FRAME_MORE: all taken, the message goes on.  FRAME_END: a message ends with byte
 * buf[*used - 1]; call frame_end() with it before scanning on.  FRAME_ERROR: f->error says
 * why; the stream cannot be resynchronised (scan no more).  A zeroed struct framer is one
 * at the start of a session.
 */
enum frame_result frame_scan(struct framer *f, const char *buf, size_t len, size_t *used);

/*
 * The message msg[0, len) is whole (frame_scan() said FRAME_END): ready for the next.  After
 * the client's <hello> (the first message), base:1.1 in it switches to chunked framing.
 * NULL, or why the hello cannot be read the way the daemon reads it (an entity, CDATA, a
 * shortened base:1.1): then the session must be closed.
 */
const char *frame_end(struct framer *f, const char *msg, size_t len);

/*
 * Both of the above over a receive buffer: data[*ready, end) is the message being
 * received, of which data[from, end) is new.  Moves *ready past each message that ends.
 * NULL, or why the stream must be closed (then data[0, *ready) are still whole messages).
 */
const char *frame_feed(struct framer *f, const char *data, size_t from, size_t end, size_t *ready);

#endif
