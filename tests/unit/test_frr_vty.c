/*
 * test_frr_vty.c - the vty codec: command encoding and the incremental reply decoder.
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

#include "frr_vty.h"

/* A string literal with its exact length, embedded NULs included. */
#define BYTES(s) s, sizeof(s) - 1

static void test_encode(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(frr_vty_encode(buf, sizeof(buf), "enable"), 7);
	assert_memory_equal(buf, "enable\0", 7);
	/* too small: the length is still reported, nothing written */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(frr_vty_encode(buf, 3, "enable"), 7);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(frr_vty_encode(buf, sizeof(buf), ""), -EINVAL);
	assert_int_equal(frr_vty_encode(buf, sizeof(buf), "show\nconfigure terminal"), -EINVAL);
	assert_int_equal(frr_vty_encode(buf, sizeof(buf), "a\tb"), -EINVAL);
}

static void test_encode_too_long(void **state)
{
	char *cmd = malloc(FRR_VTY_CMD_MAX + 2);

	(void)state;
	assert_non_null(cmd);
	memset(cmd, 'a', FRR_VTY_CMD_MAX + 1);
	cmd[FRR_VTY_CMD_MAX + 1] = '\0';
	assert_int_equal(frr_vty_encode(NULL, 0, cmd), -EMSGSIZE);
	cmd[FRR_VTY_CMD_MAX] = '\0';
	assert_int_equal(frr_vty_encode(NULL, 0, cmd), FRR_VTY_CMD_MAX + 1);
	free(cmd);
}

static void test_reply_whole(void **state)
{
	struct frr_vty_reply r;

	(void)state;
	frr_vty_reply_init(&r);
	assert_int_equal(frr_vty_reply_feed(&r, BYTES("% Unknown command\n\0\0\0\2")), 22);
	assert_true(r.done);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.text, "% Unknown command\n");
	assert_int_equal(r.len, 18);
	frr_vty_reply_reset(&r);
	assert_int_equal(frr_vty_reply_feed(&r, BYTES("\0\0\0\0")), 4);
	assert_true(r.done);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.text, "");
	frr_vty_reply_clear(&r);
}

static void test_reply_bytewise(void **state)
{
	static const char in[] = "line 1\nline 2\n\0\0\0\1";
	struct frr_vty_reply r;
	size_t i;

	(void)state;
	frr_vty_reply_init(&r);
	for (i = 0; i < sizeof(in) - 1; i++) {
		assert_false(r.done);
		assert_int_equal(frr_vty_reply_feed(&r, in + i, 1), 1);
	}
	assert_true(r.done);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.text, "line 1\nline 2\n");
	frr_vty_reply_clear(&r);
}

static void test_reply_trailing(void **state)
{
	struct frr_vty_reply r;

	(void)state;
	frr_vty_reply_init(&r);
	/* bytes after the status byte are not consumed: they are no part of this reply */
	assert_int_equal(frr_vty_reply_feed(&r, BYTES("ok\0\0\0\0more")), 6);
	assert_true(r.done);
	assert_int_equal(frr_vty_reply_feed(&r, BYTES("more")), 0);
	frr_vty_reply_clear(&r);
}

static void test_reply_refused(void **state)
{
	struct frr_vty_reply r;

	(void)state;
	frr_vty_reply_init(&r);
	assert_int_equal(frr_vty_reply_feed(&r, BYTES("a\0b\0\0\0\0")), -EBADMSG);
	frr_vty_reply_reset(&r);
	assert_int_equal(frr_vty_reply_feed(&r, BYTES("a\0\0")), 3);
	assert_int_equal(frr_vty_reply_feed(&r, BYTES("b")), -EBADMSG);
	frr_vty_reply_reset(&r);
	r.max = 4;
	assert_int_equal(frr_vty_reply_feed(&r, BYTES("12345")), -EMSGSIZE);
	frr_vty_reply_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),	       cmocka_unit_test(test_encode_too_long),
		cmocka_unit_test(test_reply_whole),    cmocka_unit_test(test_reply_bytewise),
		cmocka_unit_test(test_reply_trailing), cmocka_unit_test(test_reply_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
