/*
 * fuzz_vici_msg.c - the VICI decoder, which reads whatever charon (or anything listening
 * on its socket) sends: frame header, packet, message tree, dump.
 *
 * The input is a byte stream of frames, as the client reads it.  Invariants: the
 * validator and the tree parser agree on what is valid, and the dump marks what is not; a valid
 * message built back from its tree with the builder decodes to the same tree.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vici/vici_codec.h"

static void rebuild(struct vici_builder *b, const struct vici_node *sec)
{
	const struct vici_node *n, *it;

	for (n = sec->child; n != NULL; n = n->next) {
		switch (n->type) {
		case VICI_NODE_SECTION:
			vici_begin_section(b, n->name);
			rebuild(b, n);
			vici_end_section(b);
			break;
		case VICI_NODE_KV:
			vici_add_kv(b, n->name, n->value, n->value_len);
			break;
		case VICI_NODE_LIST:
			vici_begin_list(b, n->name);
			for (it = n->child; it != NULL; it = it->next)
				vici_add_item(b, it->value, it->value_len);
			vici_end_list(b);
			break;
		case VICI_NODE_ITEM:
			abort();
		}
	}
}

static void same_tree(const struct vici_node *a, const struct vici_node *b)
{
	for (; a != NULL && b != NULL; a = a->next, b = b->next) {
		if (a->type != b->type || strcmp(a->name, b->name) != 0 ||
		    a->value_len != b->value_len ||
		    (a->value_len > 0 && memcmp(a->value, b->value, a->value_len) != 0))
			abort();
		same_tree(a->child, b->child);
	}
	if (a != NULL || b != NULL)
		abort();
}

static void check_message(const uint8_t *msg, size_t len)
{
	struct vici_builder b;
	struct vici_packet p;
	struct vici_msg *m = NULL, *again = NULL;
	char text[512];
	uint8_t *frame;
	size_t flen;
	int v, r;

	v = vici_msg_validate(msg, len);
	r = vici_msg_parse(msg, len, &m);
	if (v != r || (r != 0 && r != -EBADMSG))
		abort();
	vici_dump(msg, len, text, sizeof(text));
	/* A value may spell "<malformed>" itself, so only this direction holds. */
	if (r != 0 && strstr(text, "<malformed>") == NULL && strlen(text) < sizeof(text) - 1)
		abort();
	if (r != 0)
		return;
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	rebuild(&b, vici_msg_root(m));
	if (vici_builder_finish(&b, &frame, &flen) == 0) {
		if (vici_packet_decode(frame + VICI_HEADER_LEN, flen - VICI_HEADER_LEN, &p) != 0 ||
		    vici_msg_parse(p.msg, p.msg_len, &again) != 0)
			abort();
		same_tree(vici_msg_root(m)->child, vici_msg_root(again)->child);
		vici_msg_free(again);
		vici_frame_free(frame, flen);
	}
	vici_msg_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_packet p;
	size_t off = 0, flen;
	int r;

	/* The whole input as one message, then as a stream of frames. */
	check_message(data, size);
	while (off < size) {
		r = vici_frame_peek(data + off, size - off, &flen);
		if (r == -EAGAIN || r == -EMSGSIZE || r == -EBADMSG)
			break;
		if (r != 0 || flen <= VICI_HEADER_LEN || flen > size - off)
			abort();
		r = vici_packet_decode(data + off + VICI_HEADER_LEN, flen - VICI_HEADER_LEN, &p);
		if (r != 0 && r != -EBADMSG)
			abort();
		if (r == 0 && p.msg != NULL)
			check_message(p.msg, p.msg_len);
		off += flen;
	}
	return 0;
}
