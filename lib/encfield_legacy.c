/*
 * encfield_legacy.c -- reading (never writing) the values that
 * SQLAlchemy-Utils' EncryptedType stored for flask-encrypted-db.
 *
 * Every engine hashes the passphrase (POSTGRES_SECRET_KEY) with SHA-256:
 *
 *  - AesEngine: base64(AES-256-CBC(key, IV = key[0..16), pad(utf8))), with
 *    one of four paddings of sqlalchemy_utils/types/encrypted/padding.py:
 *      pkcs5         n bytes of value n (1..16), all checked;
 *      naive         '*' bytes, stripped from the end (rstrip);
 *      zeroes        zero bytes then a last byte n (1..16): drop n bytes;
 *      oneandzeroes  0x80 then zero bytes: strip zeros, then one 0x80.
 *  - AesGcmEngine: base64(nonce (12) || tag (16) || AES-256-GCM ct), no AAD.
 *  - FernetEngine: a Fernet token (urlsafe base64 of 0x80 || time (8) ||
 *    IV (16) || AES-128-CBC ct (PKCS#7) || HMAC-SHA256 (32)) under the
 *    Fernet key urlsafe_b64(SHA-256(passphrase)): signing key = bytes
 *    0..16, encryption key = bytes 16..32. The HMAC is verified, in
 *    constant time, before anything is decrypted; the time is ignored (no
 *    TTL, as SQLAlchemy-Utils uses it).
 *
 * Like SQLAlchemy-Utils, the plaintext must be UTF-8. Anything else (bad
 * base64, length or padding) is EF_ERR_MALFORMED; a failed GCM tag or
 * Fernet HMAC is EF_ERR_AUTH.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "encfield.h"
#include "encfield_impl.h"

#define BLOCK 16

struct ef_legacy {
	enum ef_legacy_engine engine;
	uint8_t key[32];     /* SHA-256(passphrase) */
	gcry_cipher_hd_t hd; /* keyed: AES-256 CBC or GCM, AES-128 CBC */
};

static const char *const engine_names[EF_LEGACY__MAX] = {
    "aes-cbc-pkcs5",        /* EF_LEGACY_AES_CBC_PKCS5 */
    "aes-cbc-naive",        /* EF_LEGACY_AES_CBC_NAIVE */
    "aes-cbc-zeroes",       /* EF_LEGACY_AES_CBC_ZEROES */
    "aes-cbc-oneandzeroes", /* EF_LEGACY_AES_CBC_ONEANDZEROES */
    "aes-gcm",              /* EF_LEGACY_AES_GCM */
    "fernet",               /* EF_LEGACY_FERNET */
};

enum ef_err
ef_legacy_engine_parse(const char *name, enum ef_legacy_engine *engine)
{
	size_t i;

	if (name == NULL || engine == NULL)
		return EF_ERR_ARG;
	for (i = 0; i < EF_LEGACY__MAX; i++)
		if (strcmp(name, engine_names[i]) == 0) {
			*engine = (enum ef_legacy_engine)i;
			return EF_OK;
		}
	return EF_ERR_ENGINE;
}

const char *
ef_legacy_engine_name(enum ef_legacy_engine engine)
{
	if ((unsigned)engine >= EF_LEGACY__MAX)
		return "unknown";
	return engine_names[engine];
}

/* Open a cipher handle in secure memory and set its key. */
static enum ef_err
cipher_new(
    gcry_cipher_hd_t *hd, int algo, int mode, const uint8_t *key, size_t keylen)
{
	if (gcry_cipher_open(hd, algo, mode, GCRY_CIPHER_SECURE) != 0) {
		*hd = NULL;
		return EF_ERR_CRYPTO;
	}
	if (gcry_cipher_setkey(*hd, key, keylen) != 0) {
		gcry_cipher_close(*hd);
		*hd = NULL;
		return EF_ERR_CRYPTO;
	}
	return EF_OK;
}

enum ef_err
ef_legacy_new(const char *passphrase, size_t len, enum ef_legacy_engine engine,
    struct ef_legacy **out)
{
	struct ef_legacy *lg;
	enum ef_err rc;

	if (out == NULL)
		return EF_ERR_ARG;
	*out = NULL;
	if ((passphrase == NULL && len > 0) ||
	    (unsigned)engine >= EF_LEGACY__MAX)
		return EF_ERR_ARG;
	if ((rc = ef_init()) != EF_OK)
		return rc;
	if ((lg = gcry_calloc_secure(1, sizeof(*lg))) == NULL)
		return EF_ERR_NOMEM;
	lg->engine = engine;
	efi_sha256(len > 0 ? passphrase : "", len, lg->key);
	/*
	 * One keyed cipher handle for the context's life: opening one per
	 * value costs more than decrypting it.
	 */
	switch (engine) {
	case EF_LEGACY_AES_GCM:
		rc = cipher_new(&lg->hd, GCRY_CIPHER_AES256,
		    GCRY_CIPHER_MODE_GCM, lg->key, 32);
		break;
	case EF_LEGACY_FERNET:
		/* Fernet: signing key bytes 0..16, encryption 16..32. */
		rc = cipher_new(&lg->hd, GCRY_CIPHER_AES128,
		    GCRY_CIPHER_MODE_CBC, lg->key + 16, 16);
		break;
	default:
		rc = cipher_new(&lg->hd, GCRY_CIPHER_AES256,
		    GCRY_CIPHER_MODE_CBC, lg->key, 32);
		break;
	}
	if (rc != EF_OK) {
		ef_legacy_free(lg);
		return rc;
	}
	*out = lg;
	return EF_OK;
}

void
ef_legacy_free(struct ef_legacy *lg)
{
	if (lg == NULL)
		return;
	if (lg->hd != NULL)
		gcry_cipher_close(lg->hd);
	ef_wipe(lg, sizeof(*lg));
	gcry_free(lg);
}

/* CBC-decrypt len (a multiple of 16) bytes in place with the keyed hd. */
static enum ef_err
cbc_decrypt(gcry_cipher_hd_t hd, const uint8_t *iv, uint8_t *buf, size_t len)
{
	if (gcry_cipher_reset(hd) != 0 ||
	    gcry_cipher_setiv(hd, iv, BLOCK) != 0 ||
	    gcry_cipher_decrypt(hd, buf, len, NULL, 0) != 0)
		return EF_ERR_CRYPTO;
	return EF_OK;
}

/* Remove PKCS#5/#7 padding: last byte n in 1..16, n bytes of value n. */
static int
unpad_pkcs5(const uint8_t *b, size_t len, size_t *outlen)
{
	size_t n, i;

	if (len < BLOCK || len % BLOCK != 0)
		return 0;
	n = b[len - 1];
	if (n == 0 || n > BLOCK)
		return 0;
	for (i = len - n; i < len; i++)
		if (b[i] != n)
			return 0;
	*outlen = len - n;
	return 1;
}

/*
 * Remove a SQLAlchemy-Utils padding from a decrypted CBC buffer. The
 * encoder always adds 1 to 16 bytes, so the unpadding of values it made
 * never needs more than padding.py does; where padding.py would accept
 * what its own pad() never writes (a zero length byte), this refuses.
 */
static int
unpad(
    enum ef_legacy_engine engine, const uint8_t *b, size_t len, size_t *outlen)
{
	size_t n;

	switch (engine) {
	case EF_LEGACY_AES_CBC_PKCS5:
		return unpad_pkcs5(b, len, outlen);
	case EF_LEGACY_AES_CBC_NAIVE:
		/* value.rstrip(b'*') */
		n = len;
		while (n > 0 && b[n - 1] == '*')
			n--;
		if (n == len)
			return 0;
		*outlen = n;
		return 1;
	case EF_LEGACY_AES_CBC_ZEROES:
		/* value[:-value[-1]], the length byte in 1..16 */
		n = b[len - 1];
		if (n == 0 || n > BLOCK)
			return 0;
		*outlen = len - n;
		return 1;
	case EF_LEGACY_AES_CBC_ONEANDZEROES:
		/* value.rstrip(b'\0'), then the last byte must be 0x80 */
		n = len;
		while (n > 0 && b[n - 1] == 0)
			n--;
		if (n == 0 || b[n - 1] != 0x80)
			return 0;
		*outlen = n - 1;
		return 1;
	default:
		return 0;
	}
}

/* Hand the plaintext over: check UTF-8, add the NUL, move to *pt. */
static enum ef_err
give_plain(uint8_t *buf, size_t len, char **pt, size_t *ptlen)
{
	if (!efi_utf8_valid(buf, len))
		return EF_ERR_MALFORMED;
	buf[len] = '\0';
	*pt = (char *)buf;
	*ptlen = len;
	return EF_OK;
}

static enum ef_err
decrypt_cbc(const struct ef_legacy *lg, uint8_t *raw, size_t rawlen, char **pt,
    size_t *ptlen)
{
	size_t len;
	enum ef_err rc;

	if (rawlen == 0 || rawlen % BLOCK != 0)
		return EF_ERR_MALFORMED;
	/* AesEngine: IV = the first 16 bytes of the key. */
	if ((rc = cbc_decrypt(lg->hd, lg->key, raw, rawlen)) != EF_OK)
		return rc;
	if (!unpad(lg->engine, raw, rawlen, &len))
		return EF_ERR_MALFORMED;
	return give_plain(raw, len, pt, ptlen);
}

static enum ef_err
decrypt_gcm(const struct ef_legacy *lg, uint8_t *raw, size_t rawlen, char **pt,
    size_t *ptlen)
{
	size_t len;
	enum ef_err rc;

	if (rawlen < 12 + EF_GCM_TAG_LEN)
		return EF_ERR_MALFORMED;
	len = rawlen - 12 - EF_GCM_TAG_LEN;
	/* Decrypt in place, then move the plaintext to the front. */
	rc = efi_gcm_unseal(lg->hd, raw, 12, NULL, 0, raw + 28, len, raw + 12,
	    EF_GCM_TAG_LEN, raw + 28);
	if (rc != EF_OK)
		return rc;
	memmove(raw, raw + 28, len);
	return give_plain(raw, len, pt, ptlen);
}

static enum ef_err
decrypt_fernet(const struct ef_legacy *lg, uint8_t *raw, size_t rawlen,
    char **pt, size_t *ptlen)
{
	uint8_t mac[32];
	size_t ctlen, len;
	enum ef_err rc;

	/* version (1) | timestamp (8) | IV (16) | ct (16n, n >= 1) | HMAC */
	if (rawlen < 1 + 8 + 16 + BLOCK + 32 || raw[0] != 0x80)
		return EF_ERR_MALFORMED;
	ctlen = rawlen - 1 - 8 - 16 - 32;
	if (ctlen % BLOCK != 0)
		return EF_ERR_MALFORMED;
	if ((rc = efi_hmac_sha256(
	         lg->key, 16, raw, rawlen - 32, NULL, 0, mac)) != EF_OK)
		return rc;
	if (!ef_ct_equal(mac, raw + rawlen - 32, 32))
		return EF_ERR_AUTH;
	if ((rc = cbc_decrypt(lg->hd, raw + 9, raw + 25, ctlen)) != EF_OK)
		return rc;
	if (!unpad_pkcs5(raw + 25, ctlen, &len))
		return EF_ERR_MALFORMED;
	memmove(raw, raw + 25, len);
	return give_plain(raw, len, pt, ptlen);
}

enum ef_err
ef_legacy_decrypt(const struct ef_legacy *lg, const uint8_t *v, size_t len,
    char **pt, size_t *ptlen)
{
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	enum ef_err rc;

	if (pt != NULL)
		*pt = NULL;
	if (lg == NULL || (v == NULL && len > 0) || pt == NULL || ptlen == NULL)
		return EF_ERR_ARG;
	if (len == 0)
		return EF_ERR_MALFORMED;
	if ((rc = efi_b64_decode_alloc((const char *)v, len,
	         lg->engine == EF_LEGACY_FERNET ? EFI_B64_URL : EFI_B64_STD,
	         &raw, &rawlen)) != EF_OK)
		return rc;
	switch (lg->engine) {
	case EF_LEGACY_AES_GCM:
		rc = decrypt_gcm(lg, raw, rawlen, pt, ptlen);
		break;
	case EF_LEGACY_FERNET:
		rc = decrypt_fernet(lg, raw, rawlen, pt, ptlen);
		break;
	default:
		rc = decrypt_cbc(lg, raw, rawlen, pt, ptlen);
		break;
	}
	if (rc != EF_OK)
		ef_free_plain((char *)raw, rawlen);
	return rc;
}
