/*
 * encfield_hkdf.c -- HKDF-SHA256 (RFC 5869) written over libgcrypt's HMAC,
 * since libgcrypt 1.10 has no HKDF of its own. libencfield derives its
 * per-column AES-256-GCM subkeys with it (see encfield_v1.c).
 */
#include "config.h"

#include <string.h>

#include <gcrypt.h>

#include "encfield.h"
#include "encfield_impl.h"

#define HASHLEN 32

enum ef_err
efi_hkdf_sha256(const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
    size_t ikmlen, const uint8_t *info, size_t infolen, uint8_t *okm,
    size_t okmlen)
{
	static const uint8_t zeros[HASHLEN];
	uint8_t prk[HASHLEN], t[HASHLEN], ctr;
	size_t done = 0, n;
	enum ef_err rc;
	gcry_md_hd_t md = NULL;
	const unsigned char *res;

	if ((salt == NULL && saltlen > 0) || (ikm == NULL && ikmlen > 0) ||
	    (info == NULL && infolen > 0) || okm == NULL || okmlen == 0 ||
	    okmlen > 255 * HASHLEN)
		return EF_ERR_ARG;
	if ((rc = ef_init()) != EF_OK)
		return rc;

	/* Extract (RFC 5869 section 2.2): PRK = HMAC-Hash(salt, IKM). */
	if (salt == NULL || saltlen == 0) {
		salt = zeros;
		saltlen = HASHLEN;
	}
	if ((rc = efi_hmac_sha256(salt, saltlen, ikm, ikmlen, NULL, 0, prk)) !=
	    EF_OK)
		goto out;

	/* Expand (section 2.3): T(i) = HMAC-Hash(PRK, T(i-1) | info | i). */
	rc = EF_ERR_CRYPTO;
	if (gcry_md_open(&md, GCRY_MD_SHA256,
	        GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE) != 0) {
		md = NULL;
		goto out;
	}
	if (gcry_md_setkey(md, prk, HASHLEN) != 0)
		goto out;
	for (ctr = 1; done < okmlen; ctr++) {
		gcry_md_reset(md);
		if (ctr > 1)
			gcry_md_write(md, t, HASHLEN);
		if (infolen > 0)
			gcry_md_write(md, info, infolen);
		gcry_md_write(md, &ctr, 1);
		if ((res = gcry_md_read(md, GCRY_MD_SHA256)) == NULL)
			goto out;
		memcpy(t, res, HASHLEN);
		n = okmlen - done < HASHLEN ? okmlen - done : HASHLEN;
		memcpy(okm + done, t, n);
		done += n;
	}
	rc = EF_OK;
out: /* the one cleanup: close the HMAC, wipe intermediate keys */
	if (md != NULL)
		gcry_md_close(md);
	ef_wipe(prk, sizeof(prk));
	ef_wipe(t, sizeof(t));
	if (rc != EF_OK)
		ef_wipe(okm, okmlen);
	return rc;
}
