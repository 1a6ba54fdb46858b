/*
 * encfield_util.c -- libencfield's small utilities: randomness, constant-time
 * comparison, wiping, UUIDs (RFC 9562) and base64 (RFC 4648), plus the
 * internal helpers (base64 variants, SHA-256, HMAC-SHA256, strict UTF-8
 * check) that the other encfield_*.c files share through encfield_impl.h.
 *
 * Every base64 decoder here is strict: the alphabet of its variant only, no
 * whitespace, padding exactly as the variant wants it, and the unused low
 * bits of the last character zero, so that each byte string has exactly
 * one accepted encoding.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "encfield.h"
#include "encfield_impl.h"
#include "hex.h"

void
ef_random(void *buf, size_t len)
{
	if (len == 0)
		return;
	(void)ef_init();
	gcry_randomize(buf, len, GCRY_STRONG_RANDOM);
}

int
ef_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile uint8_t *pa = a, *pb = b;
	uint8_t diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= pa[i] ^ pb[i];
	return diff == 0;
}

void
ef_wipe(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, len);
#else
	{
		volatile uint8_t *vp = p;

		while (len-- > 0)
			*vp++ = 0;
	}
#endif
}

void
ef_uuid_v4(uint8_t uuid[16])
{
	ef_random(uuid, 16);
	uuid[6] = (uuid[6] & 0x0f) | 0x40; /* version 4 */
	uuid[8] = (uuid[8] & 0x3f) | 0x80; /* variant 10 (RFC 9562) */
}

static const char hexdigits[] = "0123456789abcdef";

void
ef_uuid_format(const uint8_t uuid[16], char out[37])
{
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hexdigits[uuid[i] >> 4];
		out[o++] = hexdigits[uuid[i] & 0x0f];
	}
	out[o] = '\0';
}

int
ef_uuid_parse(const char *s, uint8_t uuid[16])
{
	uint8_t tmp[16];
	size_t i, o = 0;
	int hi, lo;

	if (s == NULL || uuid == NULL)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
			continue;
		}
		if ((hi = hex_digit((unsigned char)s[i])) < 0)
			return 0;
		i++;
		if ((lo = hex_digit((unsigned char)s[i])) < 0)
			return 0;
		tmp[o++] = (uint8_t)(hi << 4 | lo);
	}
	if (s[36] != '\0')
		return 0;
	memcpy(uuid, tmp, sizeof(tmp));
	return 1;
}

/* ---- base64 ----------------------------------------------------------- */

static const char b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
b64_val(unsigned char c, enum efi_b64 v)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (v == EFI_B64_URL) {
		if (c == '-')
			return 62;
		if (c == '_')
			return 63;
	} else {
		if (c == '+')
			return 62;
		if (c == '/')
			return 63;
	}
	return -1;
}

static int
b64_padded(enum efi_b64 v)
{
	return v == EFI_B64_STD || v == EFI_B64_URL;
}

int
efi_b64_declen(const char *in, size_t inlen, enum efi_b64 v, size_t *outlen)
{
	size_t data = inlen, rem, i;
	int last;

	if (in == NULL && inlen > 0)
		return 0;
	if (b64_padded(v)) {
		if (inlen % 4 != 0)
			return 0;
		if (data > 0 && in[data - 1] == '=')
			data--;
		if (data > 0 && in[data - 1] == '=')
			data--;
	}
	rem = data % 4;
	if (rem == 1)
		return 0;
	/* Padded: the data plus padding must make whole quads. */
	if (b64_padded(v) && rem != 0 && data + (4 - rem) != inlen)
		return 0;
	if (b64_padded(v) && rem == 0 && data != inlen)
		return 0;
	for (i = 0; i < data; i++)
		if (b64_val((unsigned char)in[i], v) < 0)
			return 0;
	/* Canonical form: unused bits of the last character are zero. */
	if (rem != 0) {
		last = b64_val((unsigned char)in[data - 1], v);
		if ((rem == 2 && (last & 0x0f) != 0) ||
		    (rem == 3 && (last & 0x03) != 0))
			return 0;
	}
	*outlen = data / 4 * 3 + (rem == 0 ? 0 : rem - 1);
	return 1;
}

void
efi_b64_dec(const char *in, size_t inlen, enum efi_b64 v, uint8_t *out)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	for (i = 0; i < inlen && in[i] != '='; i++) {
		acc = (acc << 6) | (uint32_t)b64_val((unsigned char)in[i], v);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	ef_wipe(&acc, sizeof(acc));
}

size_t
efi_b64_enclen(size_t n, enum efi_b64 v)
{
	if (b64_padded(v))
		return (n + 2) / 3 * 4;
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

void
efi_b64_enc(const uint8_t *in, size_t n, enum efi_b64 v, char *out)
{
	const char *alpha = v == EFI_B64_URL ? b64_url : b64_std;
	size_t i, o = 0;
	uint32_t w;

	for (i = 0; i + 3 <= n; i += 3) {
		w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = alpha[w >> 18 & 63];
		out[o++] = alpha[w >> 12 & 63];
		out[o++] = alpha[w >> 6 & 63];
		out[o++] = alpha[w & 63];
	}
	if (n - i == 1) {
		w = (uint32_t)in[i] << 16;
		out[o++] = alpha[w >> 18 & 63];
		out[o++] = alpha[w >> 12 & 63];
		if (b64_padded(v)) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alpha[w >> 18 & 63];
		out[o++] = alpha[w >> 12 & 63];
		out[o++] = alpha[w >> 6 & 63];
		if (b64_padded(v))
			out[o++] = '=';
	}
	out[o] = '\0';
}

enum ef_err
efi_b64_decode_alloc(
    const char *in, size_t inlen, enum efi_b64 v, uint8_t **out, size_t *outlen)
{
	size_t n;
	uint8_t *buf;

	if (!efi_b64_declen(in, inlen, v, &n))
		return EF_ERR_MALFORMED;
	if ((buf = malloc(n + 1)) == NULL)
		return EF_ERR_NOMEM;
	efi_b64_dec(in, inlen, v, buf);
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return EF_OK;
}

enum ef_err
ef_base64_decode(const char *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	if ((in == NULL && inlen > 0) || out == NULL || outlen == NULL)
		return EF_ERR_ARG;
	return efi_b64_decode_alloc(in, inlen, EFI_B64_STD, out, outlen);
}

enum ef_err
ef_base64_encode(const uint8_t *in, size_t inlen, char **out)
{
	char *buf;

	if ((in == NULL && inlen > 0) || out == NULL)
		return EF_ERR_ARG;
	if (inlen > (SIZE_MAX - 1) / 4 * 3 - 3)
		return EF_ERR_ARG;
	if ((buf = malloc(efi_b64_enclen(inlen, EFI_B64_STD) + 1)) == NULL)
		return EF_ERR_NOMEM;
	efi_b64_enc(in, inlen, EFI_B64_STD, buf);
	*out = buf;
	return EF_OK;
}

/* ---- Hashes ----------------------------------------------------------- */

void
efi_sha256(const void *in, size_t len, uint8_t out[32])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, in, len);
}

enum ef_err
efi_hmac_sha256(const uint8_t *key, size_t keylen, const void *a, size_t alen,
    const void *b, size_t blen, uint8_t out[32])
{
	gcry_md_hd_t md = NULL;
	enum ef_err rc = EF_ERR_CRYPTO;
	const unsigned char *res;

	if ((rc = ef_init()) != EF_OK)
		return rc;
	rc = EF_ERR_CRYPTO;
	if (gcry_md_open(&md, GCRY_MD_SHA256,
	        GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE) != 0) {
		md = NULL;
		goto out;
	}
	/* An empty HMAC key is allowed by RFC 2104 and RFC 5869. */
	if (gcry_md_setkey(
	        md, keylen > 0 ? key : (const uint8_t *)"", keylen) != 0)
		goto out;
	if (alen > 0)
		gcry_md_write(md, a, alen);
	if (blen > 0)
		gcry_md_write(md, b, blen);
	if ((res = gcry_md_read(md, GCRY_MD_SHA256)) == NULL)
		goto out;
	memcpy(out, res, 32);
	rc = EF_OK;
out: /* the one cleanup */
	if (md != NULL)
		gcry_md_close(md);
	return rc;
}

/* ---- UTF-8 ------------------------------------------------------------ */

int
efi_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}
