/*
 * vici_codec.h - the VICI wire format (strongSwan's charon control protocol), pure.
 *
 * No sockets, no clock, no logging: bytes in, trees or bytes out.  The I/O layer
 * (vici_client.h) and the typed layer (vici_sa.h) are built on top of it.
 *
 * Wire format (strongSwan src/libcharon/plugins/vici/README.md):
 *
 *	frame    = length:u32be payload            length counts the payload only
 *	payload  = type:u8 [name_len:u8 name] [message]
 *	message  = element*
 *	element  = SECTION_START name | SECTION_END | KEY_VALUE name value
 *	         | LIST_START name | LIST_ITEM value | LIST_END
 *	name     = len:u8 bytes      value = len:u16be bytes
 *
 * Which packet types carry a name and which a message is fixed (see vici_packet_has_*).
 * The decoder is strict: a frame above VICI_FRAME_MAX (charon's own limit), sections nested
 * deeper than VICI_DEPTH_MAX, a length field that points past the end, an unbalanced
 * section or list, a list inside a list, a key/value or section inside a list, an item
 * outside one, a NUL in a name, or bytes after a packet that carries no message: each is
 * -EBADMSG (-EMSGSIZE for the frame size), never a read out of bounds.
 *
 * Secrets: the builder sends what it is given, but a message is only ever turned into text
 * by vici_dump(), which prints the values of secret-bearing keys (vici_key_is_secret()) as
 * "<redacted>".  Nothing else in lib/vici logs a value.
 */
#ifndef HGW_VICI_CODEC_H
#define HGW_VICI_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

/* charon refuses and drops segments above this (VICI_MESSAGE_SIZE_MAX in vici_socket.h). */
#define VICI_FRAME_MAX (512 * 1024)
/* The deepest charon message (child-rekey: ike/child-sas/child/new) nests 4 sections. */
#define VICI_DEPTH_MAX 16
#define VICI_NAME_MAX 255
#define VICI_VALUE_MAX 65535
#define VICI_HEADER_LEN 4

enum vici_packet_type {
	VICI_CMD_REQUEST = 0,
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,
	VICI_EVENT_UNREGISTER = 4,
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,
};

enum vici_element_type {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6,
};

bool vici_packet_has_name(enum vici_packet_type type);
bool vici_packet_has_message(enum vici_packet_type type);
/* "cmd-request" ...; NULL outside the enum. */
const char *vici_packet_type_name(enum vici_packet_type type);

/* ---- building requests ---- */

/*
 * A growing frame.  Errors are sticky: the add/begin/end calls record the first one and
 * do nothing after it, and vici_builder_finish() reports it, so that a request is built
 * as straight-line code and checked once.
 */
struct vici_builder {
	uint8_t *buf; /* owned */
	size_t len;
	size_t cap;
	int err;
	unsigned depth;
	bool in_list;
	bool has_message;
};

/* name: NULL for the unnamed types, 1..VICI_NAME_MAX bytes for the named ones. */
void vici_builder_init(struct vici_builder *b, enum vici_packet_type type, const char *name);
void vici_add_kv(struct vici_builder *b, const char *key, const void *value, size_t len);
void vici_add_str(struct vici_builder *b, const char *key, const char *value);
void vici_add_fmt(struct vici_builder *b, const char *key, const char *fmt, ...) HGW_PRINTF(3, 4);
void vici_begin_section(struct vici_builder *b, const char *name);
void vici_end_section(struct vici_builder *b);
void vici_begin_list(struct vici_builder *b, const char *name);
void vici_add_item(struct vici_builder *b, const void *value, size_t len);
void vici_add_item_str(struct vici_builder *b, const char *value);
void vici_end_list(struct vici_builder *b);
/* Items split at commas, blanks around them dropped ("a, b" -> [a, b]); empty -> []. */
void vici_add_list_csv(struct vici_builder *b, const char *name, const char *csv);

/*
 * Close the frame.  Returns 0 and hands the complete frame (length header included) to
 * the caller, who frees it with vici_frame_free(); or the first error (-EINVAL for an
 * argument, -E2BIG for a name, value or frame above its limit, -ENOMEM), with nothing to
 * free.  The builder is empty afterwards either way.
 */
int vici_builder_finish(struct vici_builder *b, uint8_t **frame, size_t *len);
/* Drop a builder that will not be finished. */
void vici_builder_reset(struct vici_builder *b);
/* Frames may hold secrets: zero, then free.  Accepts NULL. */
void vici_frame_free(uint8_t *frame, size_t len);

/* ---- decoding ---- */

/*
 * Look at the start of a byte stream.  Returns 0 with *frame_len = header + payload when a
 * whole frame is in buf; -EAGAIN if not yet; -EMSGSIZE for a length above VICI_FRAME_MAX;
 * -EBADMSG for a zero length (a packet has at least its type byte).
 */
int vici_frame_peek(const uint8_t *buf, size_t len, size_t *frame_len);

/* A decoded packet; name and message point into the payload that was decoded. */
struct vici_packet {
	enum vici_packet_type type;
	char name[VICI_NAME_MAX + 1]; /* "" for unnamed types */
	const uint8_t *msg;
	size_t msg_len;
};

/* Decode a payload (a frame without its header).  The message is validated too. */
int vici_packet_decode(const uint8_t *payload, size_t len, struct vici_packet *pkt);

/* One element as it is on the wire; name/value point into the message. */
struct vici_element {
	enum vici_element_type type;
	const char *name; /* not NUL-terminated */
	size_t name_len;
	const uint8_t *value;
	size_t value_len;
};

/*
 * Step over the element at *off: 1 with *el filled and *off advanced, 0 at the end of the
 * message, -EBADMSG if the element is unknown or runs past the end.  Structure (balance,
 * nesting) is not checked here: vici_msg_validate() does that.
 */
int vici_element_next(const uint8_t *msg, size_t len, size_t *off, struct vici_element *el);

/* Whole-message check; 0 or -EBADMSG.  Cheap: one pass, no allocation. */
int vici_msg_validate(const uint8_t *msg, size_t len);

enum vici_node_type {
	VICI_NODE_SECTION,
	VICI_NODE_KV,
	VICI_NODE_LIST,
	VICI_NODE_ITEM,
};

/*
 * A parsed message is a tree of nodes.  Names and values are NUL-terminated copies (a
 * value may also contain NULs: value_len is its real length).  The root is an unnamed
 * section.  Children keep the order of the wire.  Keys ought to be unique per section;
 * the lookups return the first match.
 */
struct vici_node {
	enum vici_node_type type;
	const char *name;  /* "" for items and the root */
	const char *value; /* KV and ITEM only, else NULL */
	size_t value_len;
	struct vici_node *child; /* SECTION and LIST */
	struct vici_node *next;
};

struct vici_msg;

/* Parse a message into a tree (one allocation).  0 or -EBADMSG or -ENOMEM. */
int vici_msg_parse(const uint8_t *msg, size_t len, struct vici_msg **out);
/* Accepts NULL. */
void vici_msg_free(struct vici_msg *m);
const struct vici_node *vici_msg_root(const struct vici_msg *m);

/* The first child of section called name, of any type; NULL if none. */
const struct vici_node *vici_find(const struct vici_node *section, const char *name);
/* The first child section called name; NULL if none. */
const struct vici_node *vici_find_section(const struct vici_node *section, const char *name);
/* The value of key as a C string; NULL if absent, not a key/value, or holding a NUL. */
const char *vici_get_str(const struct vici_node *section, const char *key);
/*
 * Numbers are sent as text.  Decimal (base 10) or hexadecimal (base 16, no prefix).
 * 0, -ENOENT if the key is absent, -EBADMSG if it is not a number of that kind that fits.
 */
int vici_get_u64(const struct vici_node *section, const char *key, int base, uint64_t *v);
int vici_get_s64(const struct vici_node *section, const char *key, int64_t *v);
/* "yes" -> true; absent or anything else -> false (charon only ever sends "yes"). */
bool vici_get_yes(const struct vici_node *section, const char *key);

/* Keys whose values are never printed: "data" (load-shared, load-key), "secret", "psk". */
bool vici_key_is_secret(const char *name, size_t len);

/*
 * Render a message for a debug log, one line: key=value, name { ... }, name [ a b ].
 * Secret values become <redacted>; bytes outside printable ASCII become \xNN.
 * snprintf semantics: returns the length of the complete text, writes at most size bytes
 * NUL-terminated.  An invalid message renders up to the fault and then "<malformed>".
 */
size_t vici_dump(const uint8_t *msg, size_t len, char *out, size_t size);

#endif
