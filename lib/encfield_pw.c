/*
 * encfield_pw.c -- password hashing.
 *
 * New hashes are Argon2id (RFC 9106) computed by libgcrypt's KDF interface
 * and stored as PHC strings,
 *   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
 * with salt and hash in unpadded standard base64, exactly as the reference
 * argon2 tool prints them, so other implementations verify them.
 *
 * Legacy hashes are those of flask-encrypted-db: 128 lowercase hex digits
 * of PBKDF2-HMAC-SHA512 (RFC 8018) with 100000 iterations and the
 * application's SECRET_KEY as a global salt. They verify, and
 * ef_pw_needs_rehash() asks for their replacement. Every comparison is
 * constant-time.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gcrypt.h>

#include "encfield.h"
#include "encfield_impl.h"

#define PW_SALT_LEN    16
#define PW_HASH_LEN    32
#define LEGACY_ITER    100000
#define LEGACY_LEN     64 /* bytes of PBKDF2 output; 128 hex digits */
#define ARGON2_VERSION 19 /* 0x13, the only version libgcrypt computes */

/*
 * Bounds on parameters accepted from stored hashes, so that a bad row
 * cannot make a login allocate gigabytes or compute for minutes
 * (fuzz/check_pwcost): at most 256 MiB, 16 passes, 1 GiB of memory traffic
 * (m * t, about a second) and 16 lanes. RFC 9106's second recommendation
 * (64 MiB, t = 3, p = 4) and OWASP's (19 MiB, t = 2, ours) fit.
 */
#define PHC_M_MAX    (256UL * 1024) /* KiB */
#define PHC_T_MAX    16
#define PHC_MT_MAX   (1024UL * 1024) /* KiB-passes */
#define PHC_P_MAX    16
#define PHC_SALT_MIN 8
#define PHC_SALT_MAX 64
#define PHC_HASH_MIN 16
#define PHC_HASH_MAX 64

enum ef_err
efi_argon2id(const void *pw, size_t pwlen, const void *salt, size_t saltlen,
    const void *secret, size_t secretlen, const void *ad, size_t adlen,
    uint32_t t, uint32_t m_kib, uint32_t p, uint8_t *out, size_t outlen)
{
	gcry_kdf_hd_t hd = NULL;
	unsigned long param[4];
	gcry_error_t err;
	enum ef_err rc;

	/* libgcrypt 1.10 refuses an empty password (RFC 9106 allows it). */
	if (pw == NULL || pwlen == 0 || salt == NULL || saltlen < 8 ||
	    (secret == NULL && secretlen > 0) || (ad == NULL && adlen > 0) ||
	    out == NULL || outlen < 4 || outlen > 1024 || t < 1 || p < 1 ||
	    p > 255 || m_kib < 8 * p || m_kib > 4UL * 1024 * 1024)
		return EF_ERR_ARG;
	if ((rc = ef_init()) != EF_OK)
		return rc;
	param[0] = outlen;
	param[1] = t;
	param[2] = m_kib;
	param[3] = p;
	rc = EF_ERR_CRYPTO;
	err = gcry_kdf_open(&hd, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4,
	    pwlen > 0 ? pw : "", pwlen, salt, saltlen,
	    secretlen > 0 ? secret : NULL, secretlen, adlen > 0 ? ad : NULL,
	    adlen);
	if (err != 0) {
		hd = NULL;
		/* Mostly memory: m_kib KiB are allocated here. */
		if (gcry_err_code(err) == GPG_ERR_ENOMEM)
			rc = EF_ERR_NOMEM;
		goto out;
	}
	if (gcry_kdf_compute(hd, NULL) != 0)
		goto out;
	if (gcry_kdf_final(hd, outlen, out) != 0)
		goto out;
	rc = EF_OK;
out: /* the one cleanup */
	if (hd != NULL)
		gcry_kdf_close(hd);
	if (rc != EF_OK)
		ef_wipe(out, outlen);
	return rc;
}

enum ef_err
efi_pbkdf2_sha512(const void *pw, size_t pwlen, const void *salt,
    size_t saltlen, unsigned long iter, uint8_t *out, size_t outlen)
{
	enum ef_err rc;

	if ((pw == NULL && pwlen > 0) || salt == NULL || saltlen == 0 ||
	    iter == 0 || out == NULL || outlen == 0)
		return EF_ERR_ARG;
	if ((rc = ef_init()) != EF_OK)
		return rc;
	if (gcry_kdf_derive(pwlen > 0 ? pw : "", pwlen, GCRY_KDF_PBKDF2,
	        GCRY_MD_SHA512, salt, saltlen, iter, outlen, out) != 0) {
		ef_wipe(out, outlen);
		return EF_ERR_CRYPTO;
	}
	return EF_OK;
}

enum ef_err
ef_pw_hash_salt(const char *pw, size_t pwlen, const void *salt, size_t saltlen,
    char out[EF_PW_HASH_MAX])
{
	uint8_t hash[PW_HASH_LEN];
	char b64salt[PHC_SALT_MAX * 4 / 3 + 4], b64hash[PW_HASH_LEN * 2];
	enum ef_err rc;
	int n;

	if (out == NULL || salt == NULL || saltlen < PHC_SALT_MIN ||
	    saltlen > PHC_SALT_MAX)
		return EF_ERR_ARG;
	out[0] = '\0';
	if ((rc = efi_argon2id(pw, pwlen, salt, saltlen, NULL, 0, NULL, 0,
	         EF_PW_T, EF_PW_M_KIB, EF_PW_P, hash, sizeof(hash))) != EF_OK)
		return rc;
	efi_b64_enc(salt, saltlen, EFI_B64_STD_NOPAD, b64salt);
	efi_b64_enc(hash, sizeof(hash), EFI_B64_STD_NOPAD, b64hash);
	ef_wipe(hash, sizeof(hash));
	n = snprintf(out, EF_PW_HASH_MAX, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
	    ARGON2_VERSION, EF_PW_M_KIB, EF_PW_T, EF_PW_P, b64salt, b64hash);
	ef_wipe(b64hash, sizeof(b64hash));
	if (n < 0 || n >= EF_PW_HASH_MAX) {
		ef_wipe(out, EF_PW_HASH_MAX);
		out[0] = '\0';
		return EF_ERR_ARG;
	}
	return EF_OK;
}

enum ef_err
ef_pw_hash(const char *pw, size_t pwlen, char out[EF_PW_HASH_MAX])
{
	uint8_t salt[PW_SALT_LEN];
	enum ef_err rc;

	if (out == NULL || (pw == NULL && pwlen > 0))
		return EF_ERR_ARG;
	ef_random(salt, sizeof(salt));
	rc = ef_pw_hash_salt(pw, pwlen, salt, sizeof(salt), out);
	ef_wipe(salt, sizeof(salt));
	return rc;
}

/* A parsed Argon2id PHC string; salt and hash point into their buffers. */
struct phc {
	uint32_t m, t, p;
	uint8_t salt[PHC_SALT_MAX];
	size_t saltlen;
	uint8_t hash[PHC_HASH_MAX];
	size_t hashlen;
};

/*
 * Parse a decimal number at *s (no sign, no leading zero unless it is 0)
 * not above max, then expect the character end. Returns 1 and advances.
 */
static int
phc_num(const char **s, uint32_t max, char end, uint32_t *v)
{
	const char *p = *s;
	uint64_t n = 0;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > max)
			return 0;
	}
	if (*p != end)
		return 0;
	*v = (uint32_t)n;
	*s = p + 1;
	return 1;
}

/* Expect the literal lit at *s and advance past it. */
static int
phc_lit(const char **s, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*s, lit, n) != 0)
		return 0;
	*s += n;
	return 1;
}

/* Decode an unpadded base64 field of length len into buf (cap bytes). */
static int
phc_b64(const char *s, size_t len, uint8_t *buf, size_t min, size_t cap,
    size_t *outlen)
{
	size_t n;

	if (!efi_b64_declen(s, len, EFI_B64_STD_NOPAD, &n) || n < min ||
	    n > cap)
		return 0;
	efi_b64_dec(s, len, EFI_B64_STD_NOPAD, buf);
	*outlen = n;
	return 1;
}

/* Parse stored as an Argon2id PHC string. Returns 1 on success. */
static int
phc_parse(const char *stored, struct phc *h)
{
	const char *s = stored, *dollar;
	uint32_t v;

	if (!phc_lit(&s, "$argon2id$v=") || !phc_num(&s, 255, '$', &v) ||
	    v != ARGON2_VERSION)
		return 0;
	if (!phc_lit(&s, "m=") || !phc_num(&s, PHC_M_MAX, ',', &h->m) ||
	    !phc_lit(&s, "t=") || !phc_num(&s, PHC_T_MAX, ',', &h->t) ||
	    !phc_lit(&s, "p=") || !phc_num(&s, PHC_P_MAX, '$', &h->p))
		return 0;
	if (h->t < 1 || h->p < 1 || h->m < 8 * h->p ||
	    (uint64_t)h->m * h->t > PHC_MT_MAX)
		return 0;
	if ((dollar = strchr(s, '$')) == NULL ||
	    !phc_b64(s, (size_t)(dollar - s), h->salt, PHC_SALT_MIN,
	        PHC_SALT_MAX, &h->saltlen))
		return 0;
	s = dollar + 1;
	if (!phc_b64(
	        s, strlen(s), h->hash, PHC_HASH_MIN, PHC_HASH_MAX, &h->hashlen))
		return 0;
	return 1;
}

/* 1 if stored is exactly 128 hex digits (the legacy format). */
static int
is_legacy(const char *stored)
{
	size_t i;

	for (i = 0; i < LEGACY_LEN * 2; i++)
		if (!((stored[i] >= '0' && stored[i] <= '9') ||
		        (stored[i] >= 'a' && stored[i] <= 'f') ||
		        (stored[i] >= 'A' && stored[i] <= 'F')))
			return 0;
	return stored[i] == '\0';
}

static enum ef_err
verify_legacy(const char *pw, size_t pwlen, const char *stored,
    const void *salt, size_t saltlen, int *match)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t dk[LEGACY_LEN];
	char mine[LEGACY_LEN * 2], theirs[LEGACY_LEN * 2];
	enum ef_err rc;
	size_t i;

	if (salt == NULL || saltlen == 0)
		return EF_ERR_NO_LEGACY;
	if ((rc = efi_pbkdf2_sha512(pw, pwlen, salt, saltlen, LEGACY_ITER, dk,
	         sizeof(dk))) != EF_OK)
		return rc;
	for (i = 0; i < LEGACY_LEN; i++) {
		mine[2 * i] = hex[dk[i] >> 4];
		mine[2 * i + 1] = hex[dk[i] & 0x0f];
	}
	for (i = 0; i < sizeof(theirs); i++)
		theirs[i] = stored[i] >= 'A' && stored[i] <= 'F'
		    ? (char)(stored[i] - 'A' + 'a')
		    : stored[i];
	*match = ef_ct_equal(mine, theirs, sizeof(mine));
	ef_wipe(dk, sizeof(dk));
	ef_wipe(mine, sizeof(mine));
	return EF_OK;
}

enum ef_err
ef_pw_verify(const char *pw, size_t pwlen, const char *stored,
    const void *legacy_salt, size_t saltlen, int *match)
{
	struct phc h;
	uint8_t mine[PHC_HASH_MAX];
	enum ef_err rc;

	if (match == NULL)
		return EF_ERR_ARG;
	*match = 0;
	if ((pw == NULL && pwlen > 0) || stored == NULL)
		return EF_ERR_ARG;
	if (is_legacy(stored))
		return verify_legacy(
		    pw, pwlen, stored, legacy_salt, saltlen, match);
	if (!phc_parse(stored, &h))
		return EF_ERR_PW_FORMAT;
	/* An empty password cannot be hashed here (see efi_argon2id), nor
	 * can it be ours: it never matches. */
	if (pwlen == 0) {
		ef_wipe(&h, sizeof(h));
		return EF_OK;
	}
	rc = efi_argon2id(pw, pwlen, h.salt, h.saltlen, NULL, 0, NULL, 0, h.t,
	    h.m, h.p, mine, h.hashlen);
	if (rc == EF_OK)
		*match = ef_ct_equal(mine, h.hash, h.hashlen);
	ef_wipe(mine, sizeof(mine));
	ef_wipe(&h, sizeof(h));
	return rc;
}

int
ef_pw_needs_rehash(const char *stored)
{
	struct phc h;
	int r;

	if (stored == NULL || !phc_parse(stored, &h))
		return 1;
	r = h.m != EF_PW_M_KIB || h.t != EF_PW_T || h.p != EF_PW_P ||
	    h.saltlen < PW_SALT_LEN || h.hashlen != PW_HASH_LEN;
	ef_wipe(&h, sizeof(h));
	return r;
}
