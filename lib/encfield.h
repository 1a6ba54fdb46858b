/*
 * encfield.h -- the public interface of libencfield, the encrypted-field
 * library of fcgi-encrypted-db.
 *
 * It encrypts one database field value at a time with AES-256-GCM, bound
 * to its place (column name and row UUID) through the associated data; it
 * keeps a ring of field keys (one active for writes, all for reads); it
 * computes blind indexes (HMAC-SHA256 of a normalised email) for exact
 * lookups; it reads, never writes, the values of every SQLAlchemy-Utils
 * engine; and it hashes passwords with Argon2id (PHC strings) while still
 * verifying the legacy PBKDF2-HMAC-SHA512 hex hashes of flask-encrypted-db.
 *
 * Everything is documented in encfield(3). Unless said otherwise, every
 * function returns EF_OK or an error from enum ef_err, and memory returned
 * through an output pointer belongs to the caller, who frees it with the
 * function named in the comment. A keyring is not safe for concurrent use
 * from several threads without a lock (it caches keyed ciphers, even when
 * passed as const); nor are index keys and legacy contexts.
 */
#ifndef ENCFIELD_H
#define ENCFIELD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors. Every value has a one-line message through ef_strerror(). */
enum ef_err {
	EF_OK = 0,          /* success */
	EF_ERR_NOMEM,       /* out of memory or out of secure memory */
	EF_ERR_INIT,        /* libgcrypt missing, too old or failed */
	EF_ERR_ARG,         /* invalid argument (NULL, bad length) */
	EF_ERR_KEY_NONE,    /* no key given */
	EF_ERR_KEY_SYNTAX,  /* key entry not of the form id:base64 */
	EF_ERR_KEY_ID,      /* key id not a number in 0..65535 */
	EF_ERR_KEY_BASE64,  /* key material is not valid base64 */
	EF_ERR_KEY_LENGTH,  /* key material is not 32 bytes */
	EF_ERR_KEY_DUP,     /* the same key id appears twice */
	EF_ERR_UNKNOWN_KEY, /* value made under a key id not in the ring */
	EF_ERR_AUTH,        /* authentication failed: tampered or moved */
	EF_ERR_MALFORMED,   /* value is not a well-formed ciphertext */
	EF_ERR_ENGINE,      /* unknown legacy engine name */
	EF_ERR_NO_LEGACY,   /* legacy value but no legacy secret set */
	EF_ERR_PW_FORMAT,   /* stored password hash not recognised */
	EF_ERR_CRYPTO,      /* unexpected libgcrypt failure */
	EF_ERR_KEY_REUSED,  /* the same key material under two key ids */
	EF_ERR_NO_DATA_KEY, /* envelope value, but no data key (erased) */
	EF_ERR__MAX
};

/* Return a static, one-line English message for err. Never NULL. */
const char *ef_strerror(enum ef_err err);

/*
 * Initialise libgcrypt once per process: version check (>= 1.10), secure
 * memory, initialization finished. Safe to call more than once; every
 * other function calls it itself, so calling it is optional, but a
 * program that wants a clear startup error calls it first.
 */
enum ef_err ef_init(void);

/* ---- Utilities -------------------------------------------------------- */

/* Fill buf with len bytes of strong randomness (libgcrypt). */
void ef_random(void *buf, size_t len);

/* Constant-time comparison: 1 if the len bytes at a and b are equal. */
int ef_ct_equal(const void *a, const void *b, size_t len);

/* Zero len bytes at p in a way the compiler cannot remove. */
void ef_wipe(void *p, size_t len);

/* Make a random (version 4, RFC 9562) UUID. */
void ef_uuid_v4(uint8_t uuid[16]);

/* Write uuid as 36 lowercase characters plus NUL into out. */
void ef_uuid_format(const uint8_t uuid[16], char out[37]);

/*
 * Parse the 36-character textual form (any case, with hyphens) of a UUID.
 * Returns 1 on success, 0 if s is not exactly such a UUID.
 */
int ef_uuid_parse(const char *s, uint8_t uuid[16]);

/*
 * Decode standard (RFC 4648 §4) base64, padding required, no whitespace.
 * On success *out is malloc'd (plus one NUL byte not counted in *outlen).
 * Returns EF_ERR_MALFORMED on bad input.
 */
enum ef_err ef_base64_decode(
    const char *in, size_t inlen, uint8_t **out, size_t *outlen);

/* Encode to standard base64 with padding; *out is a malloc'd C string. */
enum ef_err ef_base64_encode(const uint8_t *in, size_t inlen, char **out);

/* ---- Keyring ---------------------------------------------------------- */

#define EF_KEY_LEN 32

struct ef_keyring;

/*
 * Parse a FIELD_KEYS value: comma-separated "id:base64key" entries, id a
 * decimal number in 0..65535, key 32 bytes; the first entry is active for
 * writes. Spaces around entries are ignored. Key material is copied into
 * secure memory. An id given twice is EF_ERR_KEY_DUP, the same key under
 * two ids EF_ERR_KEY_REUSED. On error, *where (if not NULL) gets the
 * 1-based index of the bad entry (0 if the whole value is bad). Free with
 * ef_keyring_free.
 */
enum ef_err ef_keyring_parse(
    const char *value, struct ef_keyring **out, size_t *where);

/*
 * Add one raw 32-byte key with the given id to a keyring (made empty by
 * passing *kr == NULL). The first key added is active. EF_ERR_KEY_DUP if
 * the id is taken, EF_ERR_KEY_REUSED if the ring holds the key already.
 */
enum ef_err ef_keyring_add(
    struct ef_keyring **kr, uint16_t id, const uint8_t key[EF_KEY_LEN]);

/* Wipe and free a keyring. NULL is allowed. */
void ef_keyring_free(struct ef_keyring *kr);

/* The id of the active key. */
uint16_t ef_keyring_active(const struct ef_keyring *kr);

/* 1 if the ring holds a key with this id. */
int ef_keyring_has(const struct ef_keyring *kr, uint16_t id);

/* Number of keys in the ring. */
size_t ef_keyring_count(const struct ef_keyring *kr);

/* ---- Encrypted values, format v1 -------------------------------------- */

/*
 * A v1 value is binary:
 *   0xEF 0x01 | key id (uint16 BE) | nonce (12) | ciphertext | tag (16)
 * AES-256-GCM under a subkey derived with HKDF-SHA256 from the field key
 * (info "fcgi-encrypted-db v1 aes-256-gcm " followed by the column name);
 * associated data = the 4 header bytes || column name || row UUID (16).
 */
#define EF_V1_MAGIC      0xEF
#define EF_V1_VERSION    0x01
#define EF_V1_HEADER_LEN 4
#define EF_V1_NONCE_LEN  12
#define EF_V1_TAG_LEN    16
#define EF_V1_OVERHEAD   (EF_V1_HEADER_LEN + EF_V1_NONCE_LEN + EF_V1_TAG_LEN)

/*
 * Encrypt ptlen bytes under the active key for (column, uuid). *out is
 * malloc'd, *outlen = ptlen + EF_V1_OVERHEAD. Free with free().
 */
enum ef_err ef_encrypt(const struct ef_keyring *kr, const char *column,
    const uint8_t uuid[16], const void *pt, size_t ptlen, uint8_t **out,
    size_t *outlen);

/*
 * Decrypt a v1 value made for (column, uuid). On success *pt is malloc'd
 * with a NUL after the *ptlen bytes; free with ef_free_plain(). Errors:
 * EF_ERR_MALFORMED (not v1, too short, tag not 16 bytes), EF_ERR_UNKNOWN_KEY,
 * EF_ERR_AUTH (tampered, or made for another row or column).
 */
enum ef_err ef_decrypt(const struct ef_keyring *kr, const char *column,
    const uint8_t uuid[16], const uint8_t *ct, size_t ctlen, char **pt,
    size_t *ptlen);

/* Wipe and free a plaintext returned by this library. NULL is allowed. */
void ef_free_plain(char *pt, size_t ptlen);

/* Kinds of stored value, told apart without any key. */
enum ef_kind {
	EF_KIND_V1,       /* starts with 0xEF 0x01 */
	EF_KIND_LEGACY,   /* anything else that is printable ASCII */
	EF_KIND_UNKNOWN,  /* empty, or none of the others */
	EF_KIND_ENVELOPE, /* starts with 0xEF 0x02: sealed under a data key */
	EF_KIND__MAX
};

/* Tell which kind a stored value is. */
enum ef_kind ef_value_kind(const uint8_t *v, size_t len);

/* The key id of a v1 value; EF_ERR_MALFORMED if v is not v1. */
enum ef_err ef_value_key_id(const uint8_t *v, size_t len, uint16_t *id);

/* ---- Envelope values: per-row data keys -------------------------------- */

/*
 * A row's fields may be sealed under a data key of their own: 32 random
 * bytes, stored wrapped under the active field key, so that destroying
 * the wrapped key makes every field sealed under it unreadable (crypto-
 * shredding), and rotating a field key re-wraps one small value per row
 * instead of re-encrypting every field.
 *
 * A wrapped data key is a v1 value (above) whose plaintext is the data key
 * and whose column is the table name: AES-256-GCM under the field key's
 * subkey for the table, associated data = header (with the field key id)
 * || table || row UUID. EF_DK_WRAPPED_LEN bytes.
 *
 * An envelope value is binary:
 *   0xEF 0x02 | nonce (12) | ciphertext | tag (16)
 * AES-256-GCM directly under the data key, associated data = the 2 header
 * bytes || column name || row UUID (16), fresh random nonce per value.
 */
#define EF_ENV_VERSION    0x02
#define EF_ENV_HEADER_LEN 2
#define EF_ENV_OVERHEAD   (EF_ENV_HEADER_LEN + EF_V1_NONCE_LEN + EF_V1_TAG_LEN)
#define EF_DK_WRAPPED_LEN (EF_KEY_LEN + EF_V1_OVERHEAD)

/* Fill dk with a new random data key (keep it in memory the caller wipes). */
void ef_dk_generate(uint8_t dk[EF_KEY_LEN]);

/*
 * Wrap dk for the row uuid of table under the active key of kr. *out is
 * malloc'd (EF_DK_WRAPPED_LEN bytes, not secret); free with free().
 */
enum ef_err ef_dk_wrap(const struct ef_keyring *kr, const char *table,
    const uint8_t uuid[16], const uint8_t dk[EF_KEY_LEN], uint8_t **out,
    size_t *outlen);

/*
 * Unwrap a wrapped data key of the row uuid of table into dk. Errors as
 * ef_decrypt; a plaintext that is not 32 bytes is EF_ERR_MALFORMED. dk is
 * wiped unless EF_OK.
 */
enum ef_err ef_dk_unwrap(const struct ef_keyring *kr, const char *table,
    const uint8_t uuid[16], const uint8_t *w, size_t wlen,
    uint8_t dk[EF_KEY_LEN]);

/*
 * Seal ptlen bytes for (column, uuid) under the data key dk as an envelope
 * value. *out is malloc'd, *outlen = ptlen + EF_ENV_OVERHEAD; free().
 */
enum ef_err ef_envelope_seal(const uint8_t dk[EF_KEY_LEN], const char *column,
    const uint8_t uuid[16], const void *pt, size_t ptlen, uint8_t **out,
    size_t *outlen);

/*
 * Open an envelope value made for (column, uuid) under dk. *pt as for
 * ef_decrypt (free with ef_free_plain). EF_ERR_MALFORMED if v is not an
 * envelope value or too short; EF_ERR_AUTH if tampered, moved or made
 * under another data key.
 */
enum ef_err ef_envelope_open(const uint8_t dk[EF_KEY_LEN], const char *column,
    const uint8_t uuid[16], const uint8_t *v, size_t len, char **pt,
    size_t *ptlen);

/* ---- Legacy values (SQLAlchemy-Utils), read only ---------------------- */

enum ef_legacy_engine {
	EF_LEGACY_AES_CBC_PKCS5,        /* "aes-cbc-pkcs5": AesEngine pkcs5 */
	EF_LEGACY_AES_CBC_NAIVE,        /* "aes-cbc-naive" */
	EF_LEGACY_AES_CBC_ZEROES,       /* "aes-cbc-zeroes" */
	EF_LEGACY_AES_CBC_ONEANDZEROES, /* "aes-cbc-oneandzeroes" */
	EF_LEGACY_AES_GCM,              /* "aes-gcm": AesGcmEngine */
	EF_LEGACY_FERNET,               /* "fernet": FernetEngine */
	EF_LEGACY__MAX
};

/* Map a LEGACY_ENGINE setting value to an engine; EF_ERR_ENGINE if none. */
enum ef_err ef_legacy_engine_parse(
    const char *name, enum ef_legacy_engine *engine);

/* The setting name of an engine ("aes-cbc-pkcs5", ...). */
const char *ef_legacy_engine_name(enum ef_legacy_engine engine);

struct ef_legacy;

/*
 * Prepare legacy decryption with the boilerplate's passphrase
 * (POSTGRES_SECRET_KEY) for one engine. Derived keys live in secure memory.
 * Free with ef_legacy_free.
 */
enum ef_err ef_legacy_new(const char *passphrase, size_t len,
    enum ef_legacy_engine engine, struct ef_legacy **out);

/* Wipe and free. NULL is allowed. */
void ef_legacy_free(struct ef_legacy *lg);

/*
 * Decrypt a stored legacy value (the ASCII base64 text SQLAlchemy-Utils
 * wrote). *pt as for ef_decrypt. EF_ERR_MALFORMED on bad base64, length
 * or padding; EF_ERR_AUTH where the engine authenticates (GCM, Fernet).
 */
enum ef_err ef_legacy_decrypt(const struct ef_legacy *lg, const uint8_t *v,
    size_t len, char **pt, size_t *ptlen);

/* ---- Blind index ------------------------------------------------------ */

#define EF_BIDX_LEN 32

struct ef_index_key;

/* Parse an INDEX_KEY value (base64 of 32 bytes). Free with ef_index_key_free.
 */
enum ef_err ef_index_key_parse(const char *value, struct ef_index_key **out);

/* Wipe and free. NULL is allowed. */
void ef_index_key_free(struct ef_index_key *ik);

/* 1 if ik's key is also one of kr's field keys (each key should serve one
 * purpose only), else 0 (also when either is NULL). */
int ef_index_key_in_ring(
    const struct ef_index_key *ik, const struct ef_keyring *kr);

/*
 * out = HMAC-SHA256(index key, normalised email), where normalised means
 * leading and trailing ASCII whitespace removed and A-Z lowercased.
 */
enum ef_err ef_blind_index(const struct ef_index_key *ik, const char *email,
    size_t len, uint8_t out[EF_BIDX_LEN]);

/* ---- Passwords -------------------------------------------------------- */

/* Big enough for every PHC string ef_pw_hash writes, with its NUL. */
#define EF_PW_HASH_MAX 128

/* Argon2id parameters of new hashes (RFC 9106; OWASP's m=19 MiB, t=2). */
#define EF_PW_M_KIB 19456
#define EF_PW_T     2
#define EF_PW_P     1

/*
 * Hash a password with Argon2id, 16-byte random salt, 32-byte output,
 * into a PHC string "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"
 * (unpadded base64). An empty password is EF_ERR_ARG.
 */
enum ef_err ef_pw_hash(const char *pw, size_t pwlen, char out[EF_PW_HASH_MAX]);

/*
 * Verify pw against a stored hash: an Argon2id PHC string (any m, t, p
 * within sane bounds), or a legacy 128-hex-character PBKDF2-HMAC-SHA512
 * hash (100000 iterations, salt = legacy_salt, the boilerplate's
 * SECRET_KEY). *match is set to 1 or 0; the comparison is constant-time.
 * EF_ERR_PW_FORMAT if stored is neither; EF_ERR_NO_LEGACY for a legacy
 * hash without a salt. An empty password never matches an Argon2 hash.
 */
enum ef_err ef_pw_verify(const char *pw, size_t pwlen, const char *stored,
    const void *legacy_salt, size_t saltlen, int *match);

/*
 * As ef_pw_hash, but with the caller's salt (8 to 64 bytes) instead of a
 * random one: for tests and reproducible fixtures only. Real hashes come
 * from ef_pw_hash.
 */
enum ef_err ef_pw_hash_salt(const char *pw, size_t pwlen, const void *salt,
    size_t saltlen, char out[EF_PW_HASH_MAX]);

/*
 * 1 if stored should be replaced by a fresh ef_pw_hash after a successful
 * login: a legacy hash, or Argon2 with other parameters than the current.
 */
int ef_pw_needs_rehash(const char *stored);

#ifdef __cplusplus
}
#endif

#endif /* !ENCFIELD_H */
