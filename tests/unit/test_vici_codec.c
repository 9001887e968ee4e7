/*
 * test_vici_codec.c - the VICI wire format byte for byte: every packet type and element,
 * the builder's refusals, and every way a message can lie about itself.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "vici/vici_codec.h"

/* A byte string literal with its exact length. */
#define BYTES(s) (const uint8_t *)(s), sizeof(s) - 1

/* The structure of the example in strongSwan's README, our own bytes. */
#define SAMPLE_MSG                                        \
	"\x03\x04key1\x00\x06value1"                      \
	"\x01\x08section1"                                \
	"\x01\x0bsub-section"                             \
	"\x03\x04key2\x00\x06value2"                      \
	"\x02"                                            \
	"\x04\x05list1\x05\x00\x05item1\x05\x00\x05item2" \
	"\x06"                                            \
	"\x02"

static void finish_ok(struct vici_builder *b, const uint8_t *want, size_t want_len)
{
	uint8_t *frame;
	size_t len;

	assert_int_equal(vici_builder_finish(b, &frame, &len), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(frame, want, want_len);
	vici_frame_free(frame, len);
}

static void test_build_sample(void **state)
{
	static const char want[] = "\x00\x00\x00\x56"
				   "\x00\x07request" SAMPLE_MSG;
	struct vici_builder b;

	(void)state;
	vici_builder_init(&b, VICI_CMD_REQUEST, "request");
	vici_add_str(&b, "key1", "value1");
	vici_begin_section(&b, "section1");
	vici_begin_section(&b, "sub-section");
	vici_add_str(&b, "key2", "value2");
	vici_end_section(&b);
	vici_begin_list(&b, "list1");
	vici_add_item_str(&b, "item1");
	vici_add_item_str(&b, "item2");
	vici_end_list(&b);
	vici_end_section(&b);
	finish_ok(&b, (const uint8_t *)want, sizeof(want) - 1);
}

static void test_build_packet_types(void **state)
{
	static const struct {
		enum vici_packet_type type;
		const char *name;
		const char *want;
		size_t len;
	} cases[] = {
		{ VICI_CMD_REQUEST, "version", "\x00\x00\x00\x09\x00\x07version", 13 },
		{ VICI_CMD_RESPONSE, NULL, "\x00\x00\x00\x01\x01", 5 },
		{ VICI_CMD_UNKNOWN, NULL, "\x00\x00\x00\x01\x02", 5 },
		{ VICI_EVENT_REGISTER, "ike-updown", "\x00\x00\x00\x0c\x03\x0aike-updown", 16 },
		{ VICI_EVENT_UNREGISTER, "log", "\x00\x00\x00\x05\x04\x03log", 9 },
		{ VICI_EVENT_CONFIRM, NULL, "\x00\x00\x00\x01\x05", 5 },
		{ VICI_EVENT_UNKNOWN, NULL, "\x00\x00\x00\x01\x06", 5 },
		{ VICI_EVENT, "list-sa", "\x00\x00\x00\x09\x07\x07list-sa", 13 },
	};
	struct vici_builder b;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vici_builder_init(&b, cases[i].type, cases[i].name);
		finish_ok(&b, (const uint8_t *)cases[i].want, cases[i].len);
	}
}

static void test_build_elements(void **state)
{
	struct vici_builder b;

	(void)state;
	/* an empty value, a value with a NUL, an empty list, an empty section */
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_add_kv(&b, "k", "", 0);
	vici_add_kv(&b, "n", "a\0b", 3);
	vici_begin_list(&b, "l");
	vici_end_list(&b);
	vici_begin_section(&b, "s");
	vici_end_section(&b);
	vici_add_fmt(&b, "f", "%u-%s", 42u, "x");
	finish_ok(&b, BYTES("\x00\x00\x00\x1f\x01"
			    "\x03\x01k\x00\x00"
			    "\x03\x01n\x00\x03"
			    "a\0b"
			    "\x04\x01l\x06"
			    "\x01\x01s\x02"
			    "\x03\x01"
			    "f\x00\x04"
			    "42-x"));
}

static void test_build_csv(void **state)
{
	struct vici_builder b;

	(void)state;
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_add_list_csv(&b, "a", " x , y,,z ");
	vici_add_list_csv(&b, "b", NULL);
	finish_ok(&b, BYTES("\x00\x00\x00\x15\x01"
			    "\x04\x01"
			    "a\x05\x00\x01x\x05\x00\x01y\x05\x00\x01z\x06"
			    "\x04\x01"
			    "b\x06"));
}

static void expect_build_error(struct vici_builder *b, int err)
{
	uint8_t *frame = NULL;
	size_t len = 0;

	assert_int_equal(vici_builder_finish(b, &frame, &len), err);
	assert_null(frame);
}

static void test_build_refuses(void **state)
{
	char name[VICI_NAME_MAX + 2];
	static char big[VICI_VALUE_MAX + 1];
	struct vici_builder b;
	int i;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';

	vici_builder_init(&b, VICI_CMD_REQUEST, NULL); /* a request needs a name */
	expect_build_error(&b, -EINVAL);
	vici_builder_init(&b, VICI_CMD_RESPONSE, "x"); /* a response has none */
	expect_build_error(&b, -EINVAL);
	vici_builder_init(&b, VICI_CMD_REQUEST, name); /* 256 bytes */
	expect_build_error(&b, -E2BIG);
	vici_builder_init(&b, (enum vici_packet_type)8, NULL);
	expect_build_error(&b, -EINVAL);
	vici_builder_init(&b, VICI_EVENT_CONFIRM, NULL); /* no message allowed */
	vici_add_str(&b, "k", "v");
	expect_build_error(&b, -EINVAL);
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_add_kv(&b, "k", big, sizeof(big));
	expect_build_error(&b, -E2BIG);
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_end_section(&b); /* nothing open */
	expect_build_error(&b, -EINVAL);
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_begin_section(&b, "open");
	expect_build_error(&b, -EINVAL);
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_begin_list(&b, "l");
	vici_add_str(&b, "k", "v"); /* key/value inside a list */
	expect_build_error(&b, -EINVAL);
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	vici_add_item_str(&b, "i"); /* item outside a list */
	expect_build_error(&b, -EINVAL);
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	for (i = 0; i <= VICI_DEPTH_MAX; i++)
		vici_begin_section(&b, "d");
	expect_build_error(&b, -E2BIG);
	/* The frame limit: nine values of 64 KiB exceed 512 KiB. */
	vici_builder_init(&b, VICI_CMD_RESPONSE, NULL);
	for (i = 0; i < 9; i++)
		vici_add_kv(&b, "k", big, VICI_VALUE_MAX);
	expect_build_error(&b, -E2BIG);
	vici_builder_reset(&b);
}

static void test_frame_peek(void **state)
{
	size_t n = 0;

	(void)state;
	assert_int_equal(vici_frame_peek(BYTES(""), &n), -EAGAIN);
	assert_int_equal(vici_frame_peek(BYTES("\x00\x00\x00"), &n), -EAGAIN);
	assert_int_equal(vici_frame_peek(BYTES("\x00\x00\x00\x00"), &n), -EBADMSG);
	assert_int_equal(vici_frame_peek(BYTES("\x00\x00\x00\x02\x01"), &n), -EAGAIN);
	assert_int_equal(vici_frame_peek(BYTES("\x00\x00\x00\x01\x01"), &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(vici_frame_peek(BYTES("\x00\x00\x00\x01\x01\x99"), &n), 0);
	assert_int_equal(n, 5);
	/* exactly the limit is fine (header only so far), one more is not */
	assert_int_equal(vici_frame_peek(BYTES("\x00\x08\x00\x00"), &n), -EAGAIN);
	assert_int_equal(vici_frame_peek(BYTES("\x00\x08\x00\x01"), &n), -EMSGSIZE);
	assert_int_equal(vici_frame_peek(BYTES("\xff\xff\xff\xff"), &n), -EMSGSIZE);
}

static void test_packet_decode(void **state)
{
	struct vici_packet p;

	(void)state;
	assert_int_equal(vici_packet_decode(BYTES("\x07\x07list-sa" SAMPLE_MSG), &p), 0);
	assert_int_equal(p.type, VICI_EVENT);
	assert_string_equal(p.name, "list-sa");
	assert_int_equal(p.msg_len, sizeof(SAMPLE_MSG) - 1);
	assert_int_equal(vici_packet_decode(BYTES("\x01"), &p), 0);
	assert_int_equal(p.type, VICI_CMD_RESPONSE);
	assert_string_equal(p.name, "");
	assert_int_equal(p.msg_len, 0);
	assert_int_equal(vici_packet_decode(BYTES("\x05"), &p), 0);
	assert_int_equal(vici_packet_decode(BYTES("\x03\x03log"), &p), 0);
	assert_string_equal(p.name, "log");

	assert_int_equal(vici_packet_decode(BYTES(""), &p), -EBADMSG);
	assert_int_equal(vici_packet_decode(BYTES("\x08"), &p), -EBADMSG);     /* unknown type */
	assert_int_equal(vici_packet_decode(BYTES("\x07"), &p), -EBADMSG);     /* no name length */
	assert_int_equal(vici_packet_decode(BYTES("\x07\x00"), &p), -EBADMSG); /* empty name */
	assert_int_equal(vici_packet_decode(BYTES("\x07\x05list"), &p), -EBADMSG); /* lies */
	assert_int_equal(vici_packet_decode(BYTES("\x07\x03l\0g"), &p), -EBADMSG); /* NUL */
	assert_int_equal(vici_packet_decode(BYTES("\x05\x00"), &p), -EBADMSG);	   /* trailing */
	assert_int_equal(vici_packet_decode(BYTES("\x03\x03logx"), &p), -EBADMSG);
	assert_int_equal(vici_packet_decode(BYTES("\x01\x09"), &p), -EBADMSG); /* bad msg */
}

static void test_parse_sample(void **state)
{
	const struct vici_node *root, *sec, *sub, *list;
	struct vici_msg *m = NULL;

	(void)state;
	assert_int_equal(vici_msg_parse(BYTES(SAMPLE_MSG), &m), 0);
	root = vici_msg_root(m);
	assert_string_equal(vici_get_str(root, "key1"), "value1");
	sec = vici_find_section(root, "section1");
	assert_non_null(sec);
	sub = vici_find_section(sec, "sub-section");
	assert_string_equal(vici_get_str(sub, "key2"), "value2");
	assert_null(vici_get_str(sec, "key2"));
	list = vici_find(sec, "list1");
	assert_int_equal(list->type, VICI_NODE_LIST);
	assert_string_equal(list->child->value, "item1");
	assert_string_equal(list->child->next->value, "item2");
	assert_null(list->child->next->next);
	assert_null(vici_find(list, "item1"));	     /* lists are not sections */
	assert_null(vici_get_str(root, "section1")); /* a section is not a value */
	vici_msg_free(m);
	vici_msg_free(NULL);
}

static void test_parse_values(void **state)
{
	struct vici_msg *m = NULL;
	const struct vici_node *root;
	uint64_t u = 0;
	int64_t s = 0;

	(void)state;
	assert_int_equal(vici_msg_parse(BYTES("\x03\x01"
					      "a\x00\x02"
					      "42"
					      "\x03\x01"
					      "b\x00\x02-7"
					      "\x03\x01"
					      "c\x00\x08"
					      "c1a2b3f4"
					      "\x03\x01"
					      "d\x00\x01x"
					      "\x03\x01"
					      "e\x00\x14"
					      "18446744073709551616"
					      "\x03\x01"
					      "f\x00\x03"
					      "a\0b"
					      "\x03\x01"
					      "g\x00\x03yes"
					      "\x03\x01"
					      "h\x00\x00"),
					&m),
			 0);
	root = vici_msg_root(m);
	assert_int_equal(vici_get_u64(root, "a", 10, &u), 0);
	assert_int_equal(u, 42);
	assert_int_equal(vici_get_s64(root, "b", &s), 0);
	assert_int_equal(s, -7);
	assert_int_equal(vici_get_u64(root, "b", 10, &u), -EBADMSG);
	assert_int_equal(vici_get_u64(root, "c", 16, &u), 0);
	assert_int_equal(u, 0xc1a2b3f4);
	assert_int_equal(vici_get_u64(root, "c", 10, &u), -EBADMSG);
	assert_int_equal(vici_get_u64(root, "d", 10, &u), -EBADMSG);
	assert_int_equal(vici_get_u64(root, "e", 10, &u), -EBADMSG); /* 2^64 */
	assert_int_equal(vici_get_u64(root, "zz", 10, &u), -ENOENT);
	assert_null(vici_get_str(root, "f")); /* a NUL inside */
	assert_int_equal(vici_get_u64(root, "f", 10, &u), -EBADMSG);
	assert_true(vici_get_yes(root, "g"));
	assert_false(vici_get_yes(root, "a"));
	assert_false(vici_get_yes(root, "zz"));
	assert_string_equal(vici_get_str(root, "h"), "");
	assert_int_equal(vici_get_u64(root, "h", 10, &u), -EBADMSG);
	vici_msg_free(m);
}

/* Every one of these must be refused by validate, parse and the packet decoder. */
static void test_parse_rejects(void **state)
{
	static const struct {
		const char *what;
		const char *msg;
		size_t len;
	} cases[] = {
#define C(what, s) { what, s, sizeof(s) - 1 }
		C("unknown element 0", "\x00"),
		C("unknown element 7", "\x07"),
		C("section name length missing", "\x01"),
		C("section name runs past the end", "\x01\x05"
						    "abc\x02"),
		C("section never closed", "\x01\x01s"),
		C("section end without start", "\x02"),
		C("key value truncated in name", "\x03\x04"
						 "ab"),
		C("value length missing", "\x03\x01k"),
		C("value length half there", "\x03\x01k\x00"),
		C("value length lies", "\x03\x01k\x00\x05"
				       "abc"),
		C("value length lies by one", "\x03\x01k\x00\x04"
					      "abc"),
		C("value length huge", "\x03\x01k\xff\xff"
				       "abc"),
		C("item outside a list", "\x05\x00\x01x"),
		C("list end outside a list", "\x06"),
		C("list never closed", "\x04\x01l\x05\x00\x01x"),
		C("list in a list", "\x04\x01l\x04\x01m\x06\x06"),
		C("key value in a list", "\x04\x01l\x03\x01k\x00\x00\x06"),
		C("section in a list", "\x04\x01l\x01\x01s\x02\x06"),
		C("section end in a list", "\x01\x01s\x04\x01l\x02\x06"),
		C("NUL in a key", "\x03\x02k\0\x00\x00"),
		C("NUL in a section name", "\x01\x02s\0\x02"),
		C("unbalanced extra end", "\x01\x01s\x02\x02"),
		C("trailing garbage", "\x03\x01k\x00\x00\xff"),
#undef C
	};
	uint8_t payload[64];
	struct vici_packet p;
	struct vici_msg *m;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		m = NULL;
		print_message("case: %s\n", cases[i].what);
		assert_int_equal(vici_msg_validate((const uint8_t *)cases[i].msg, cases[i].len),
				 -EBADMSG);
		assert_int_equal(vici_msg_parse((const uint8_t *)cases[i].msg, cases[i].len, &m),
				 -EBADMSG);
		assert_null(m);
		payload[0] = VICI_CMD_RESPONSE;
		memcpy(payload + 1, cases[i].msg, cases[i].len);
		assert_int_equal(vici_packet_decode(payload, cases[i].len + 1, &p), -EBADMSG);
	}
}

static void test_depth_limit(void **state)
{
	uint8_t msg[4 * (VICI_DEPTH_MAX + 1)];
	struct vici_msg *m = NULL;
	size_t len = 0;
	int i;

	(void)state;
	for (i = 0; i < VICI_DEPTH_MAX; i++) {
		msg[len++] = VICI_SECTION_START;
		msg[len++] = 1;
		msg[len++] = 'd';
	}
	for (i = 0; i < VICI_DEPTH_MAX; i++)
		msg[len++] = VICI_SECTION_END;
	assert_int_equal(vici_msg_parse(msg, len, &m), 0);
	vici_msg_free(m);
	/* one level more */
	memmove(msg + 3, msg, len);
	msg[0] = VICI_SECTION_START;
	msg[1] = 1;
	msg[2] = 'd';
	msg[len + 3] = VICI_SECTION_END;
	assert_int_equal(vici_msg_validate(msg, len + 4), -EBADMSG);
}

/* Every prefix of the sample is invalid, but the one that ends after key1 = value1. */
static void test_truncations(void **state)
{
	static const uint8_t msg[] = SAMPLE_MSG;
	struct vici_msg *m;
	size_t n;

	(void)state;
	for (n = 1; n < sizeof(msg) - 1; n++) {
		uint8_t *copy = malloc(n);

		memcpy(copy, msg, n);
		m = NULL;
		assert_int_equal(vici_msg_parse(copy, n, &m), n == 14 ? 0 : -EBADMSG);
		vici_msg_free(m);
		free(copy);
	}
	assert_int_equal(vici_msg_validate(msg, 0), 0);
}

static void test_element_next(void **state)
{
	static const uint8_t msg[] = "\x03\x01k\x00\x01v\x04\x01l\x05\x00\x00\x06";
	struct vici_element el;
	size_t off = 0;

	(void)state;
	assert_int_equal(vici_element_next(msg, sizeof(msg) - 1, &off, &el), 1);
	assert_int_equal(el.type, VICI_KEY_VALUE);
	assert_int_equal(el.name_len, 1);
	assert_int_equal(el.value_len, 1);
	assert_int_equal(vici_element_next(msg, sizeof(msg) - 1, &off, &el), 1);
	assert_int_equal(el.type, VICI_LIST_START);
	assert_int_equal(vici_element_next(msg, sizeof(msg) - 1, &off, &el), 1);
	assert_int_equal(el.type, VICI_LIST_ITEM);
	assert_int_equal(el.value_len, 0);
	assert_int_equal(vici_element_next(msg, sizeof(msg) - 1, &off, &el), 1);
	assert_int_equal(el.type, VICI_LIST_END);
	assert_int_equal(vici_element_next(msg, sizeof(msg) - 1, &off, &el), 0);
}

/* Whatever the builder makes, the parser reads back the same. */
static void test_round_trip(void **state)
{
	static char big[VICI_VALUE_MAX];
	const struct vici_node *root, *n;
	struct vici_msg *m = NULL;
	struct vici_packet p;
	struct vici_builder b;
	uint8_t *frame;
	size_t len, flen;

	(void)state;
	memset(big, 'b', sizeof(big));
	vici_builder_init(&b, VICI_EVENT, "child-updown");
	vici_add_str(&b, "up", "yes");
	vici_begin_section(&b, "conn");
	vici_add_kv(&b, "big", big, sizeof(big));
	vici_begin_list(&b, "empty");
	vici_end_list(&b);
	vici_end_section(&b);
	assert_int_equal(vici_builder_finish(&b, &frame, &len), 0);
	assert_int_equal(vici_frame_peek(frame, len, &flen), 0);
	assert_int_equal(flen, len);
	assert_int_equal(vici_packet_decode(frame + 4, len - 4, &p), 0);
	assert_int_equal(p.type, VICI_EVENT);
	assert_string_equal(p.name, "child-updown");
	assert_int_equal(vici_msg_parse(p.msg, p.msg_len, &m), 0);
	root = vici_msg_root(m);
	assert_true(vici_get_yes(root, "up"));
	n = vici_find(vici_find_section(root, "conn"), "big");
	assert_int_equal(n->value_len, sizeof(big));
	assert_memory_equal(n->value, big, sizeof(big));
	n = vici_find(vici_find_section(root, "conn"), "empty");
	assert_int_equal(n->type, VICI_NODE_LIST);
	assert_null(n->child);
	vici_msg_free(m);
	vici_frame_free(frame, len);
}

static void test_dump_and_redaction(void **state)
{
	struct vici_builder b;
	struct vici_packet p;
	uint8_t *frame;
	size_t len, n;
	char text[256];

	(void)state;
	vici_builder_init(&b, VICI_CMD_REQUEST, "load-shared");
	vici_add_str(&b, "id", "psk-azure0");
	vici_add_str(&b, "type", "IKE");
	vici_add_str(&b, "data", "Sup3r-S3cret");
	vici_add_list_csv(&b, "owners", "198.51.100.1,203.0.113.1");
	vici_begin_section(&b, "s");
	vici_add_kv(&b, "bin", "\x01\\\x7f", 3);
	vici_add_str(&b, "secret", "x");
	vici_end_section(&b);
	assert_int_equal(vici_builder_finish(&b, &frame, &len), 0);
	assert_int_equal(vici_packet_decode(frame + 4, len - 4, &p), 0);
	n = vici_dump(p.msg, p.msg_len, text, sizeof(text));
	assert_int_equal(n, strlen(text));
	assert_string_equal(text, "id=psk-azure0 type=IKE data=<redacted> owners [ 198.51.100.1 "
				  "203.0.113.1 ] s { bin=\\x01\\x5c\\x7f secret=<redacted> }");
	assert_null(strstr(text, "Sup3r"));
	/* snprintf semantics */
	assert_int_equal(vici_dump(p.msg, p.msg_len, text, 8), n);
	assert_string_equal(text, "id=psk-");
	assert_int_equal(vici_dump(p.msg, p.msg_len, NULL, 0), n);
	vici_frame_free(frame, len);

	vici_dump(BYTES("\x03\x01k\x00\x01v\x01\x01s"), text, sizeof(text));
	assert_string_equal(text, "k=v s { <malformed>");
	assert_true(vici_key_is_secret("data", 4));
	assert_false(vici_key_is_secret("dat", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_sample),
		cmocka_unit_test(test_build_packet_types),
		cmocka_unit_test(test_build_elements),
		cmocka_unit_test(test_build_csv),
		cmocka_unit_test(test_build_refuses),
		cmocka_unit_test(test_frame_peek),
		cmocka_unit_test(test_packet_decode),
		cmocka_unit_test(test_parse_sample),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_element_next),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_dump_and_redaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
