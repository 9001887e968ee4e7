/*
 * test_sa_names.c - charon's algorithm names (list-sas) as the model's, for the state data.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sa_names.h"

/* What the lab's SAs report (AES_GCM_16 256, HMAC_SHA2_256_128, PRF_HMAC_SHA2_256, MODP_2048). */
static void test_known(void **state)
{
	(void)state;
	assert_string_equal(sa_name_encryption("AES_GCM_16", 256), "aes256gcm16");
	assert_string_equal(sa_name_encryption("AES_GCM_16", 128), "aes128gcm16");
	assert_string_equal(sa_name_encryption("AES_CBC", 128), "aes128");
	assert_string_equal(sa_name_encryption("AES_CBC", 192), "aes192");
	assert_string_equal(sa_name_encryption("AES_CBC", 256), "aes256");
	assert_string_equal(sa_name_encryption("CHACHA20_POLY1305", 256), "chacha20poly1305");
	assert_string_equal(sa_name_integrity("HMAC_SHA2_256_128"), "sha256");
	assert_string_equal(sa_name_integrity("HMAC_SHA1_96"), "sha1");
	assert_string_equal(sa_name_integrity("HMAC_SHA2_512_256"), "sha512");
	assert_string_equal(sa_name_integrity("PRF_HMAC_SHA2_384"), "sha384");
	assert_string_equal(sa_name_dh("MODP_2048"), "modp2048");
	assert_string_equal(sa_name_dh("MODP_2048_256"), "modp2048s256");
	assert_string_equal(sa_name_dh("ECP_384"), "ecp384");
	assert_string_equal(sa_name_dh("CURVE_25519"), "curve25519");
	assert_string_equal(sa_name_dh(""), "none");
}

/* What the model cannot name is left out, never guessed. */
static void test_unknown(void **state)
{
	(void)state;
	assert_null(sa_name_encryption("AES_GCM_16", 192));
	assert_null(sa_name_encryption("AES_CBC", 0));
	assert_null(sa_name_encryption("3DES_CBC", 192));
	assert_null(sa_name_encryption(NULL, 256));
	assert_null(sa_name_integrity("AES_XCBC_96"));
	assert_null(sa_name_integrity(""));
	assert_null(sa_name_integrity(NULL));
	assert_null(sa_name_dh("MODP_768"));
	assert_null(sa_name_dh(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
