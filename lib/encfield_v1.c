/*
 * encfield_v1.c -- format v1 of an encrypted field value, and the raw
 * AES-256-GCM helpers it is built on.
 *
 * A v1 value is
 *   0xEF 0x01 | key id (uint16 BE) | nonce (12) | ciphertext | tag (16)
 * made with AES-256-GCM (NIST SP 800-38D) under a subkey
 *   HKDF-SHA256(salt = none, ikm = field key,
 *               info = "fcgi-encrypted-db v1 aes-256-gcm " || column)
 * and associated data header (4 bytes) || column || row UUID (16 bytes), so
 * a value copied to another row or column does not decrypt. The nonce is
 * fresh randomness for every value. The tag must be exactly 16 bytes: that
 * is checked before gcry_cipher_checktag, which would accept a prefix.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "encfield.h"
#include "encfield_impl.h"

#define V1_INFO "fcgi-encrypted-db v1 aes-256-gcm "

/* Open an AES-256-GCM handle in secure memory with key set. */
static enum ef_err
gcm_new(gcry_cipher_hd_t *hd, const uint8_t key[EF_KEY_LEN])
{
	gcry_error_t err;
	enum ef_err rc;

	*hd = NULL;
	if ((rc = ef_init()) != EF_OK)
		return rc;
	if ((err = gcry_cipher_open(hd, GCRY_CIPHER_AES256,
	         GCRY_CIPHER_MODE_GCM, GCRY_CIPHER_SECURE)) != 0) {
		*hd = NULL;
		return gcry_err_code(err) == GPG_ERR_ENOMEM ? EF_ERR_NOMEM
		                                            : EF_ERR_CRYPTO;
	}
	if (gcry_cipher_setkey(*hd, key, EF_KEY_LEN) != 0) {
		gcry_cipher_close(*hd);
		*hd = NULL;
		return EF_ERR_CRYPTO;
	}
	return EF_OK;
}

/*
 * Seal with an open handle (key set; any earlier use is reset away).
 * ct is wiped on failure. Also used by encfield_envelope.c.
 */
enum ef_err
efi_gcm_seal(gcry_cipher_hd_t hd, const uint8_t *nonce, size_t noncelen,
    const uint8_t *aad, size_t aadlen, const uint8_t *pt, size_t len,
    uint8_t *ct, uint8_t tag[EF_GCM_TAG_LEN])
{
	enum ef_err rc = EF_ERR_CRYPTO;

	if (gcry_cipher_reset(hd) != 0 ||
	    gcry_cipher_setiv(hd, nonce, noncelen) != 0)
		goto out;
	if (aadlen > 0 && gcry_cipher_authenticate(hd, aad, aadlen) != 0)
		goto out;
	/* The last (only) chunk: lets libgcrypt finish GHASH padding. */
	gcry_cipher_final(hd);
	if (len > 0 && gcry_cipher_encrypt(hd, ct, len, pt, len) != 0)
		goto out;
	if (gcry_cipher_gettag(hd, tag, EF_GCM_TAG_LEN) != 0)
		goto out;
	rc = EF_OK;
out: /* the one cleanup */
	if (rc != EF_OK && len > 0)
		ef_wipe(ct, len);
	return rc;
}

/*
 * Open (decrypt and authenticate) with an open handle. The tag must be
 * exactly 16 bytes: gcry_cipher_checktag compares only taglen bytes and
 * accepts 4, 8 and 12 to 16, so a short tag would be a forgery shortcut.
 * pt is wiped unless EF_OK: no unauthenticated plaintext is left behind.
 * Also used by encfield_legacy.c (AesGcmEngine).
 */
enum ef_err
efi_gcm_unseal(gcry_cipher_hd_t hd, const uint8_t *nonce, size_t noncelen,
    const uint8_t *aad, size_t aadlen, const uint8_t *ct, size_t len,
    const uint8_t *tag, size_t taglen, uint8_t *pt)
{
	enum ef_err rc = EF_ERR_CRYPTO;

	if (taglen != EF_GCM_TAG_LEN)
		return EF_ERR_MALFORMED;
	if (gcry_cipher_reset(hd) != 0 ||
	    gcry_cipher_setiv(hd, nonce, noncelen) != 0)
		goto out;
	if (aadlen > 0 && gcry_cipher_authenticate(hd, aad, aadlen) != 0)
		goto out;
	gcry_cipher_final(hd);
	if (len > 0 && gcry_cipher_decrypt(hd, pt, len, ct, len) != 0)
		goto out;
	switch (gcry_err_code(gcry_cipher_checktag(hd, tag, taglen))) {
	case GPG_ERR_NO_ERROR:
		rc = EF_OK;
		break;
	case GPG_ERR_CHECKSUM:
		rc = EF_ERR_AUTH;
		break;
	default:
		rc = EF_ERR_CRYPTO;
		break;
	}
out: /* the one cleanup */
	if (rc != EF_OK && len > 0)
		ef_wipe(pt, len);
	return rc;
}

/*
 * One AES-256-GCM handle per thread for keys a caller holds (data keys):
 * opening a handle in secure memory costs several times the sealing of an
 * email; setting a key on an open one costs a fraction of it.
 */
static _Thread_local gcry_cipher_hd_t thread_gcm;

enum ef_err
efi_gcm_keyed(const uint8_t key[EF_KEY_LEN], gcry_cipher_hd_t *hd)
{
	enum ef_err rc;

	*hd = NULL;
	if (thread_gcm == NULL) {
		if ((rc = gcm_new(&thread_gcm, key)) != EF_OK)
			return rc;
	} else if (gcry_cipher_setkey(thread_gcm, key, EF_KEY_LEN) != 0)
		return EF_ERR_CRYPTO;
	*hd = thread_gcm;
	return EF_OK;
}

void
efi_gcm_unkey(gcry_cipher_hd_t hd)
{
	static const uint8_t zero[EF_KEY_LEN];

	/* The key schedule of the last key is not left behind. */
	if (hd != NULL)
		(void)gcry_cipher_setkey(hd, zero, EF_KEY_LEN);
}

enum ef_err
efi_aes256_gcm_seal(const uint8_t key[EF_KEY_LEN], const uint8_t *nonce,
    size_t noncelen, const uint8_t *aad, size_t aadlen, const uint8_t *pt,
    size_t len, uint8_t *ct, uint8_t tag[EF_GCM_TAG_LEN])
{
	gcry_cipher_hd_t hd;
	enum ef_err rc;

	if (key == NULL || nonce == NULL || noncelen == 0 ||
	    (aad == NULL && aadlen > 0) || (pt == NULL && len > 0) ||
	    (ct == NULL && len > 0) || tag == NULL)
		return EF_ERR_ARG;
	if ((rc = gcm_new(&hd, key)) != EF_OK)
		return rc;
	rc = efi_gcm_seal(hd, nonce, noncelen, aad, aadlen, pt, len, ct, tag);
	gcry_cipher_close(hd);
	return rc;
}

enum ef_err
efi_aes256_gcm_open(const uint8_t key[EF_KEY_LEN], const uint8_t *nonce,
    size_t noncelen, const uint8_t *aad, size_t aadlen, const uint8_t *ct,
    size_t len, const uint8_t *tag, size_t taglen, uint8_t *pt)
{
	gcry_cipher_hd_t hd;
	enum ef_err rc;

	if (key == NULL || nonce == NULL || noncelen == 0 ||
	    (aad == NULL && aadlen > 0) || (ct == NULL && len > 0) ||
	    (pt == NULL && len > 0) || tag == NULL)
		return EF_ERR_ARG;
	/* Checked before any work, and again in efi_gcm_unseal. */
	if (taglen != EF_GCM_TAG_LEN)
		return EF_ERR_MALFORMED;
	if ((rc = gcm_new(&hd, key)) != EF_OK)
		return rc;
	rc = efi_gcm_unseal(
	    hd, nonce, noncelen, aad, aadlen, ct, len, tag, taglen, pt);
	gcry_cipher_close(hd);
	return rc;
}

/*
 * An AES-256-GCM handle keyed with the v1 subkey of field key fk for
 * column. The subkey is HKDF-SHA256(fk, V1_INFO || column). The handle of
 * the last column a key served is kept in its ring entry (columns up to
 * EFI_SUBCOL_MAX bytes): opening a libgcrypt cipher costs more than the
 * encryption of an email. *owned is set to 1 if the caller must close the
 * handle (column not cached), else 0.
 */
static enum ef_err
v1_cipher(const struct ef_keyring *kr, struct efi_fieldkey *fk,
    const char *column, size_t collen, gcry_cipher_hd_t *hd, int *owned)
{
	uint8_t *info, subkey[EF_KEY_LEN];
	size_t infolen;
	enum ef_err rc = EF_ERR_CRYPTO;
	int attempt;

	*hd = NULL;
	*owned = 0;
	if (fk->gcm != NULL && fk->subcollen == collen &&
	    memcmp(fk->subcol, column, collen) == 0) {
		*hd = fk->gcm;
		return EF_OK;
	}
	if (collen > SIZE_MAX - sizeof(V1_INFO))
		return EF_ERR_ARG;
	infolen = sizeof(V1_INFO) - 1 + collen;
	if ((info = malloc(infolen)) == NULL)
		return EF_ERR_NOMEM;
	memcpy(info, V1_INFO, sizeof(V1_INFO) - 1);
	memcpy(info + sizeof(V1_INFO) - 1, column, collen);
	for (attempt = 0; attempt < 2; attempt++) {
		rc = efi_hkdf_sha256(NULL, 0, fk->key, EF_KEY_LEN, info,
		    infolen, subkey, EF_KEY_LEN);
		if (rc == EF_OK)
			rc = gcm_new(hd, subkey);
		ef_wipe(subkey, sizeof(subkey));
		if (rc == EF_OK)
			break;
		/* Secure memory full of cached handles: drop them, retry. */
		efi_keyring_drop_cache(kr);
	}
	free(info);
	if (rc != EF_OK)
		return rc;
	if (collen > EFI_SUBCOL_MAX) {
		*owned = 1;
		return EF_OK;
	}
	if (fk->gcm != NULL)
		gcry_cipher_close(fk->gcm);
	fk->gcm = *hd;
	memcpy(fk->subcol, column, collen);
	fk->subcollen = collen;
	return EF_OK;
}

/* Build the associated data: header || column || uuid. Caller frees. */
static uint8_t *
v1_aad(const uint8_t *header, const char *column, size_t collen,
    const uint8_t uuid[16], size_t *aadlen)
{
	uint8_t *aad;

	if (collen > SIZE_MAX - EF_V1_HEADER_LEN - 16)
		return NULL;
	*aadlen = EF_V1_HEADER_LEN + collen + 16;
	if ((aad = malloc(*aadlen)) == NULL)
		return NULL;
	memcpy(aad, header, EF_V1_HEADER_LEN);
	memcpy(aad + EF_V1_HEADER_LEN, column, collen);
	memcpy(aad + EF_V1_HEADER_LEN + collen, uuid, 16);
	return aad;
}

enum ef_err
ef_encrypt(const struct ef_keyring *kr, const char *column,
    const uint8_t uuid[16], const void *pt, size_t ptlen, uint8_t **out,
    size_t *outlen)
{
	uint8_t *buf = NULL, *aad = NULL;
	struct efi_fieldkey *fk;
	gcry_cipher_hd_t hd = NULL;
	size_t collen, aadlen = 0, total;
	uint16_t id;
	enum ef_err rc;
	int owned = 0;

	if (out != NULL)
		*out = NULL;
	if (kr == NULL || column == NULL || *column == '\0' || uuid == NULL ||
	    (pt == NULL && ptlen > 0) || out == NULL || outlen == NULL)
		return EF_ERR_ARG;
	if (ptlen > SIZE_MAX - EF_V1_OVERHEAD)
		return EF_ERR_ARG;
	if (ef_keyring_count(kr) == 0)
		return EF_ERR_KEY_NONE;
	id = ef_keyring_active(kr);
	if ((fk = efi_keyring_entry(kr, id)) == NULL)
		return EF_ERR_KEY_NONE;
	collen = strlen(column);
	total = ptlen + EF_V1_OVERHEAD;
	if ((buf = malloc(total)) == NULL)
		return EF_ERR_NOMEM;
	buf[0] = EF_V1_MAGIC;
	buf[1] = EF_V1_VERSION;
	buf[2] = (uint8_t)(id >> 8);
	buf[3] = (uint8_t)(id & 0xff);
	/*
	 * A fresh unpredictable nonce per value from libgcrypt's nonce
	 * generator (seeded from its strong RNG, kept apart from the key
	 * generator's state, and far faster: 96 random bits make a repeat
	 * negligible below 2^32 values per key, NIST SP 800-38D 8.3).
	 */
	(void)ef_init();
	gcry_create_nonce(buf + EF_V1_HEADER_LEN, EF_V1_NONCE_LEN);
	if ((rc = v1_cipher(kr, fk, column, collen, &hd, &owned)) != EF_OK)
		goto out;
	if ((aad = v1_aad(buf, column, collen, uuid, &aadlen)) == NULL) {
		rc = EF_ERR_NOMEM;
		goto out;
	}
	rc = efi_gcm_seal(hd, buf + EF_V1_HEADER_LEN, EF_V1_NONCE_LEN, aad,
	    aadlen, pt, ptlen, buf + EF_V1_HEADER_LEN + EF_V1_NONCE_LEN,
	    buf + EF_V1_HEADER_LEN + EF_V1_NONCE_LEN + ptlen);
	if (rc != EF_OK)
		goto out;
	*out = buf;
	*outlen = total;
	buf = NULL;
out: /* the one cleanup */
	if (owned)
		gcry_cipher_close(hd);
	free(aad);
	free(buf);
	return rc;
}

enum ef_err
ef_decrypt(const struct ef_keyring *kr, const char *column,
    const uint8_t uuid[16], const uint8_t *ct, size_t ctlen, char **pt,
    size_t *ptlen)
{
	uint8_t *aad = NULL;
	char *buf = NULL;
	struct efi_fieldkey *fk;
	gcry_cipher_hd_t hd = NULL;
	size_t collen, aadlen = 0, len;
	uint16_t id;
	enum ef_err rc;
	int owned = 0;

	if (pt != NULL)
		*pt = NULL;
	if (kr == NULL || column == NULL || *column == '\0' || uuid == NULL ||
	    (ct == NULL && ctlen > 0) || pt == NULL || ptlen == NULL)
		return EF_ERR_ARG;
	if ((rc = ef_value_key_id(ct, ctlen, &id)) != EF_OK)
		return rc;
	if ((fk = efi_keyring_entry(kr, id)) == NULL)
		return EF_ERR_UNKNOWN_KEY;
	len = ctlen - EF_V1_OVERHEAD;
	collen = strlen(column);
	if ((buf = malloc(len + 1)) == NULL)
		return EF_ERR_NOMEM;
	if ((rc = v1_cipher(kr, fk, column, collen, &hd, &owned)) != EF_OK)
		goto out;
	if ((aad = v1_aad(ct, column, collen, uuid, &aadlen)) == NULL) {
		rc = EF_ERR_NOMEM;
		goto out;
	}
	rc = efi_gcm_unseal(hd, ct + EF_V1_HEADER_LEN, EF_V1_NONCE_LEN, aad,
	    aadlen, ct + EF_V1_HEADER_LEN + EF_V1_NONCE_LEN, len,
	    ct + ctlen - EF_V1_TAG_LEN, EF_V1_TAG_LEN, (uint8_t *)buf);
	if (rc != EF_OK)
		goto out;
	buf[len] = '\0';
	*pt = buf;
	*ptlen = len;
	buf = NULL;
out: /* the one cleanup */
	if (owned)
		gcry_cipher_close(hd);
	free(aad);
	if (buf != NULL)
		ef_free_plain(buf, len);
	return rc;
}

void
ef_free_plain(char *pt, size_t ptlen)
{
	if (pt == NULL)
		return;
	ef_wipe(pt, ptlen);
	free(pt);
}

enum ef_kind
ef_value_kind(const uint8_t *v, size_t len)
{
	size_t i;

	if (v == NULL || len == 0)
		return EF_KIND_UNKNOWN;
	if (len >= 2 && v[0] == EF_V1_MAGIC && v[1] == EF_V1_VERSION)
		return EF_KIND_V1;
	if (len >= 2 && v[0] == EF_V1_MAGIC && v[1] == EF_ENV_VERSION)
		return EF_KIND_ENVELOPE;
	for (i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return EF_KIND_UNKNOWN;
	return EF_KIND_LEGACY;
}

enum ef_err
ef_value_key_id(const uint8_t *v, size_t len, uint16_t *id)
{
	if ((v == NULL && len > 0) || id == NULL)
		return EF_ERR_ARG;
	if (len < EF_V1_OVERHEAD || v[0] != EF_V1_MAGIC ||
	    v[1] != EF_V1_VERSION)
		return EF_ERR_MALFORMED;
	*id = (uint16_t)(v[2] << 8 | v[3]);
	return EF_OK;
}
