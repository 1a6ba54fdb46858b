/*
 * encfield_impl.h -- what the files of libencfield share and nothing else
 * sees: base64, SHA-256/HMAC, UTF-8, the AES-GCM helpers and the key ring's
 * entries. Not installed; the efi_ prefix keeps these out of the library's
 * exported symbols (lib/encfield.sym), so nothing outside lib/encfield*.c
 * may call them.
 */
#ifndef ENCFIELD_IMPL_H
#define ENCFIELD_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "encfield.h"

/* Base64 variants (RFC 4648): standard with padding, standard without
 * padding (PHC strings), URL-safe with padding (Fernet tokens). */
enum efi_b64 {
	EFI_B64_STD,       /* RFC 4648 section 4, padded */
	EFI_B64_STD_NOPAD, /* section 4 alphabet, no padding */
	EFI_B64_URL,       /* RFC 4648 section 5, padded */
	EFI_B64__MAX
};

/*
 * Validate inlen characters of base64 in variant v, strictly (alphabet,
 * padding, zero trailing bits, no whitespace). Returns 1 and sets *outlen
 * to the decoded length, or 0 if in is not valid.
 */
int efi_b64_declen(
    const char *in, size_t inlen, enum efi_b64 v, size_t *outlen);

/* Decode input already accepted by efi_b64_declen into out (big enough). */
void efi_b64_dec(const char *in, size_t inlen, enum efi_b64 v, uint8_t *out);

/* Characters efi_b64_enc writes for n bytes, without the NUL. */
size_t efi_b64_enclen(size_t n, enum efi_b64 v);

/* Encode n bytes into out (efi_b64_enclen + 1 bytes), NUL-terminated. */
void efi_b64_enc(const uint8_t *in, size_t n, enum efi_b64 v, char *out);

/*
 * Decode into a malloc'd buffer (with one NUL not counted in *outlen).
 * Returns EF_OK, EF_ERR_MALFORMED or EF_ERR_NOMEM. The caller frees.
 */
enum ef_err efi_b64_decode_alloc(const char *in, size_t inlen, enum efi_b64 v,
    uint8_t **out, size_t *outlen);

/* out = SHA-256(in). */
void efi_sha256(const void *in, size_t len, uint8_t out[32]);

/* out = HMAC-SHA256(key, a || b); a or b may be empty. EF_OK or error. */
enum ef_err efi_hmac_sha256(const uint8_t *key, size_t keylen, const void *a,
    size_t alen, const void *b, size_t blen, uint8_t out[32]);

/* 1 if the len bytes at s are well-formed UTF-8 (RFC 3629), else 0. */
int efi_utf8_valid(const uint8_t *s, size_t len);

/*
 * One field key of a ring, in secure memory, with a cache for the last
 * column it served: an AES-256-GCM handle keyed with that column's v1
 * subkey (encfield_v1.c fills it; NULL means none; the ring closes it).
 * The cache is the only part of a const ring that changes, which is why a
 * ring needs a lock to be shared between threads.
 */
#define EFI_SUBCOL_MAX 64
struct gcry_cipher_handle;
struct efi_fieldkey {
	uint16_t id;                    /* key id */
	uint8_t key[32];                /* the field key */
	struct gcry_cipher_handle *gcm; /* keyed for subcol, or NULL */
	size_t subcollen;               /* length of subcol */
	char subcol[EFI_SUBCOL_MAX];    /* column of the cached handle */
};

/*
 * AES-GCM decryption and authentication with hd (a keyed GCM handle; reset
 * here): the tag must be exactly 16 bytes (EF_ERR_MALFORMED otherwise,
 * before libgcrypt sees it), a wrong one is EF_ERR_AUTH, and pt (len
 * bytes, may be ct) is wiped unless EF_OK.
 */
enum ef_err efi_gcm_unseal(struct gcry_cipher_handle *hd, const uint8_t *nonce,
    size_t noncelen, const uint8_t *aad, size_t aadlen, const uint8_t *ct,
    size_t len, const uint8_t *tag, size_t taglen, uint8_t *pt);

/* AES-GCM encryption with hd (a keyed GCM handle; reset here): ct gets
 * len bytes, tag 16; ct is wiped on failure. */
enum ef_err efi_gcm_seal(struct gcry_cipher_handle *hd, const uint8_t *nonce,
    size_t noncelen, const uint8_t *aad, size_t aadlen, const uint8_t *pt,
    size_t len, uint8_t *ct, uint8_t tag[16]);

/* The calling thread's AES-256-GCM handle, keyed with key (kept open for
 * the thread's next call); efi_gcm_unkey overwrites the key when done. */
enum ef_err efi_gcm_keyed(
    const uint8_t key[32], struct gcry_cipher_handle **hd);
void efi_gcm_unkey(struct gcry_cipher_handle *hd);

/* Close every cached handle of kr (to free secure memory, or at the end). */
void efi_keyring_drop_cache(const struct ef_keyring *kr);

/* The entry with this id in kr, or NULL. Points into kr; not copied. */
struct efi_fieldkey *efi_keyring_entry(
    const struct ef_keyring *kr, uint16_t id);

/*
 * HKDF-SHA256: extract with salt (may be NULL/0, meaning 32 zero bytes)
 * from ikm, then expand with info to okmlen bytes (at most 255 * 32).
 */
enum ef_err efi_hkdf_sha256(const uint8_t *salt, size_t saltlen,
    const uint8_t *ikm, size_t ikmlen, const uint8_t *info, size_t infolen,
    uint8_t *okm, size_t okmlen);

/* Raw AES-256-GCM (NIST SP 800-38D). */

#define EF_GCM_TAG_LEN 16

/*
 * Encrypt len bytes of pt into ct (len bytes; may be pt itself) with
 * AES-256-GCM under key and nonce (12 bytes is the recommended length;
 * never reuse one under the same key), authenticating aad too; writes the
 * 16-byte tag. The building block of ef_encrypt.
 */
enum ef_err efi_aes256_gcm_seal(const uint8_t key[32], const uint8_t *nonce,
    size_t noncelen, const uint8_t *aad, size_t aadlen, const uint8_t *pt,
    size_t len, uint8_t *ct, uint8_t tag[EF_GCM_TAG_LEN]);

/*
 * Decrypt and authenticate: pt gets len bytes (may be ct itself), and is
 * wiped unless EF_OK. A tag that is not exactly 16 bytes (taglen) is
 * EF_ERR_MALFORMED, checked before libgcrypt (which would accept a
 * truncated one); a wrong tag is EF_ERR_AUTH.
 */
enum ef_err efi_aes256_gcm_open(const uint8_t key[32], const uint8_t *nonce,
    size_t noncelen, const uint8_t *aad, size_t aadlen, const uint8_t *ct,
    size_t len, const uint8_t *tag, size_t taglen, uint8_t *pt);

/*
 * Raw Argon2id (RFC 9106, version 0x13) through libgcrypt: t passes,
 * m_kib KiB of memory (at least 8 * p), p lanes, optional secret key and
 * associated data, outlen (4 to 1024) bytes into out. The password must
 * not be empty (libgcrypt 1.10 refuses it): EF_ERR_ARG.
 */
enum ef_err efi_argon2id(const void *pw, size_t pwlen, const void *salt,
    size_t saltlen, const void *secret, size_t secretlen, const void *ad,
    size_t adlen, uint32_t t, uint32_t m_kib, uint32_t p, uint8_t *out,
    size_t outlen);

/* Raw PBKDF2-HMAC-SHA512 (RFC 8018) with iter iterations into out. */
enum ef_err efi_pbkdf2_sha512(const void *pw, size_t pwlen, const void *salt,
    size_t saltlen, unsigned long iter, uint8_t *out, size_t outlen);

#endif /* !ENCFIELD_IMPL_H */
