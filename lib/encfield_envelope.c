/*
 * encfield_envelope.c -- per-row data keys and the envelope values sealed
 * under them (encfield.h, "Envelope values"; encfield(3)).
 *
 * A data key is wrapped as a v1 value (encfield_v1.c) whose column is the
 * table name, so its associated data binds it to the table, the row's UUID
 * and the field key id in its header. An envelope value is
 *   0xEF 0x02 | nonce (12) | ciphertext | tag (16)
 * AES-256-GCM (NIST SP 800-38D) directly under the data key, associated
 * data = header (2) || column || row UUID (16): a data key serves one row
 * only, and the column in the associated data keeps its fields apart.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "encfield.h"
#include "encfield_impl.h"

void
ef_dk_generate(uint8_t dk[EF_KEY_LEN])
{
	ef_random(dk, EF_KEY_LEN);
}

enum ef_err
ef_dk_wrap(const struct ef_keyring *kr, const char *table,
    const uint8_t uuid[16], const uint8_t dk[EF_KEY_LEN], uint8_t **out,
    size_t *outlen)
{
	if (dk == NULL)
		return EF_ERR_ARG;
	return ef_encrypt(kr, table, uuid, dk, EF_KEY_LEN, out, outlen);
}

enum ef_err
ef_dk_unwrap(const struct ef_keyring *kr, const char *table,
    const uint8_t uuid[16], const uint8_t *w, size_t wlen,
    uint8_t dk[EF_KEY_LEN])
{
	char *pt = NULL;
	size_t ptlen = 0;
	enum ef_err rc;

	if (dk == NULL)
		return EF_ERR_ARG;
	if ((rc = ef_decrypt(kr, table, uuid, w, wlen, &pt, &ptlen)) != EF_OK) {
		ef_wipe(dk, EF_KEY_LEN);
		return rc;
	}
	if (ptlen == EF_KEY_LEN)
		memcpy(dk, pt, EF_KEY_LEN);
	else {
		ef_wipe(dk, EF_KEY_LEN);
		rc = EF_ERR_MALFORMED;
	}
	ef_free_plain(pt, ptlen);
	return rc;
}

/* The associated data: header || column || uuid. Caller frees. */
static uint8_t *
env_aad(
    const char *column, size_t collen, const uint8_t uuid[16], size_t *aadlen)
{
	uint8_t *aad;

	if (collen > SIZE_MAX - EF_ENV_HEADER_LEN - 16)
		return NULL;
	*aadlen = EF_ENV_HEADER_LEN + collen + 16;
	if ((aad = malloc(*aadlen)) == NULL)
		return NULL;
	aad[0] = EF_V1_MAGIC;
	aad[1] = EF_ENV_VERSION;
	memcpy(aad + EF_ENV_HEADER_LEN, column, collen);
	memcpy(aad + EF_ENV_HEADER_LEN + collen, uuid, 16);
	return aad;
}

enum ef_err
ef_envelope_seal(const uint8_t dk[EF_KEY_LEN], const char *column,
    const uint8_t uuid[16], const void *pt, size_t ptlen, uint8_t **out,
    size_t *outlen)
{
	uint8_t *buf = NULL, *aad = NULL;
	gcry_cipher_hd_t hd = NULL;
	size_t aadlen = 0, total;
	enum ef_err rc;

	if (out != NULL)
		*out = NULL;
	if (dk == NULL || column == NULL || *column == '\0' || uuid == NULL ||
	    (pt == NULL && ptlen > 0) || out == NULL || outlen == NULL ||
	    ptlen > SIZE_MAX - EF_ENV_OVERHEAD)
		return EF_ERR_ARG;
	if ((rc = ef_init()) != EF_OK)
		return rc;
	total = ptlen + EF_ENV_OVERHEAD;
	if ((buf = malloc(total)) == NULL ||
	    (aad = env_aad(column, strlen(column), uuid, &aadlen)) == NULL) {
		rc = EF_ERR_NOMEM;
		goto out;
	}
	buf[0] = EF_V1_MAGIC;
	buf[1] = EF_ENV_VERSION;
	/* A fresh unpredictable nonce per value, from libgcrypt's nonce
	 * generator as in v1 (encfield_v1.c says why). */
	gcry_create_nonce(buf + EF_ENV_HEADER_LEN, EF_V1_NONCE_LEN);
	if ((rc = efi_gcm_keyed(dk, &hd)) != EF_OK)
		goto out;
	rc = efi_gcm_seal(hd, buf + EF_ENV_HEADER_LEN, EF_V1_NONCE_LEN, aad,
	    aadlen, pt, ptlen, buf + EF_ENV_HEADER_LEN + EF_V1_NONCE_LEN,
	    buf + EF_ENV_HEADER_LEN + EF_V1_NONCE_LEN + ptlen);
	if (rc != EF_OK)
		goto out;
	*out = buf;
	*outlen = total;
	buf = NULL;
out: /* the one cleanup */
	efi_gcm_unkey(hd);
	free(aad);
	free(buf);
	return rc;
}

enum ef_err
ef_envelope_open(const uint8_t dk[EF_KEY_LEN], const char *column,
    const uint8_t uuid[16], const uint8_t *v, size_t len, char **pt,
    size_t *ptlen)
{
	uint8_t *aad = NULL;
	char *buf = NULL;
	gcry_cipher_hd_t hd = NULL;
	size_t aadlen = 0, n = 0;
	enum ef_err rc;

	if (pt != NULL)
		*pt = NULL;
	if (dk == NULL || column == NULL || *column == '\0' || uuid == NULL ||
	    (v == NULL && len > 0) || pt == NULL || ptlen == NULL)
		return EF_ERR_ARG;
	if (ef_value_kind(v, len) != EF_KIND_ENVELOPE || len < EF_ENV_OVERHEAD)
		return EF_ERR_MALFORMED;
	n = len - EF_ENV_OVERHEAD;
	if ((buf = malloc(n + 1)) == NULL ||
	    (aad = env_aad(column, strlen(column), uuid, &aadlen)) == NULL) {
		rc = EF_ERR_NOMEM;
		goto out;
	}
	if ((rc = efi_gcm_keyed(dk, &hd)) != EF_OK)
		goto out;
	rc = efi_gcm_unseal(hd, v + EF_ENV_HEADER_LEN, EF_V1_NONCE_LEN, aad,
	    aadlen, v + EF_ENV_HEADER_LEN + EF_V1_NONCE_LEN, n,
	    v + len - EF_V1_TAG_LEN, EF_V1_TAG_LEN, (uint8_t *)buf);
	if (rc != EF_OK)
		goto out;
	buf[n] = '\0';
	*pt = buf;
	*ptlen = n;
	buf = NULL;
out: /* the one cleanup */
	efi_gcm_unkey(hd);
	free(aad);
	if (buf != NULL)
		ef_free_plain(buf, n);
	return rc;
}
