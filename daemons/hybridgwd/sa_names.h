/*
 * sa_names.h - charon's algorithm names (list-sas) as yang/hybridgw.yang names them.
 *
 * charon reports what was negotiated in strongSwan's enum names and a key size
 * ("AES_GCM_16" 256, "HMAC_SHA2_256_128", "PRF_HMAC_SHA2_256", "MODP_2048"); the model has
 * enumerations (aes256gcm16, sha256, modp2048).  Each returns the model's name, or NULL for
 * an algorithm the model does not have (the state leaf is then left out rather than
 * guessed).  Pure.
 */
#ifndef HGWD_SA_NAMES_H
#define HGWD_SA_NAMES_H

#include <stdint.h>

const char *sa_name_encryption(const char *alg, uint32_t keysize);
const char *sa_name_integrity(const char *alg); /* also the PRFs: "PRF_HMAC_SHA2_256" */
const char *sa_name_dh(const char *group);	/* "" (no PFS): "none" */

#endif
