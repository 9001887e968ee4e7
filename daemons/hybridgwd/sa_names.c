/*
 * sa_names.c - charon's algorithm names as the model's (sa_names.h).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "sa_names.h"
#include "util.h"

struct pair {
	const char *charon, *model;
};

static const char *find(const struct pair *v, size_t n, const char *name)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (!strcmp(v[i].charon, name))
			return v[i].model;
	return NULL;
}

const char *sa_name_encryption(const char *alg, uint32_t keysize)
{
	if (alg == NULL)
		return NULL;
	if (!strcmp(alg, "AES_CBC"))
		return keysize == 128 ? "aes128" :
		       keysize == 192 ? "aes192" :
		       keysize == 256 ? "aes256" :
					NULL;
	if (!strcmp(alg, "AES_GCM_16"))
		return keysize == 128 ? "aes128gcm16" : keysize == 256 ? "aes256gcm16" : NULL;
	if (!strcmp(alg, "CHACHA20_POLY1305"))
		return "chacha20poly1305";
	return NULL;
}

const char *sa_name_integrity(const char *alg)
{
	static const struct pair v[] = {
		{ "HMAC_SHA1_96", "sha1" },	   { "HMAC_SHA2_256_128", "sha256" },
		{ "HMAC_SHA2_384_192", "sha384" }, { "HMAC_SHA2_512_256", "sha512" },
		{ "PRF_HMAC_SHA1", "sha1" },	   { "PRF_HMAC_SHA2_256", "sha256" },
		{ "PRF_HMAC_SHA2_384", "sha384" }, { "PRF_HMAC_SHA2_512", "sha512" },
	};

	return find(v, ARRAY_SIZE(v), alg);
}

const char *sa_name_dh(const char *group)
{
	static const struct pair v[] = {
		{ "MODP_1024", "modp1024" },	 { "MODP_2048", "modp2048" },
		{ "MODP_3072", "modp3072" },	 { "MODP_4096", "modp4096" },
		{ "ECP_256", "ecp256" },	 { "ECP_384", "ecp384" },
		{ "ECP_521", "ecp521" },	 { "MODP_2048_256", "modp2048s256" },
		{ "CURVE_25519", "curve25519" },
	};

	if (group != NULL && group[0] == '\0')
		return "none";
	return find(v, ARRAY_SIZE(v), group);
}
