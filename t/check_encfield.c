/*
 * check_encfield.c -- tests of libencfield (lib/encfield*.c) with Check.
 *
 * Published vectors where they exist: NIST CAVP gcmEncryptExtIV256.rsp
 * (AES-256-GCM with AAD), RFC 5869 A.1-A.3 (HKDF-SHA256), RFC 9106 5.3
 * (Argon2id), PBKDF2-HMAC-SHA512, and every case of the SQLAlchemy-Utils
 * vectors file t/vectors/sqlalchemy-utils.json (read through $top_srcdir).
 * Then tables of valid and invalid inputs for base64, UUIDs, keyrings and
 * PHC strings, and the attacks a v1 value must resist: any flipped byte,
 * a value moved to another row or column, truncated tags, unknown key ids,
 * and nonce reuse over many encryptions (EF_TEST_NONCES, default 100000;
 * the valgrind run uses fewer).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gcrypt.h>
#include <json-c/json.h>

#include "encfield.h"
#include "encfield_impl.h" /* the primitives behind the ABI, tested here */

/* ---- helpers ---------------------------------------------------------- */

/* Decode hex into a malloc'd buffer; aborts the test on bad hex. */
static uint8_t *
unhex(const char *s, size_t *len)
{
	size_t n = strlen(s), i;
	uint8_t *b;
	unsigned int v;

	ck_assert_msg(n % 2 == 0, "odd hex length");
	b = malloc(n / 2 + 1);
	ck_assert_ptr_nonnull(b);
	for (i = 0; i < n / 2; i++) {
		ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		b[i] = (uint8_t)v;
	}
	*len = n / 2;
	return b;
}

static void
ck_hex_eq(const uint8_t *got, size_t gotlen, const char *want)
{
	size_t n;
	uint8_t *w = unhex(want, &n);

	ck_assert_uint_eq(gotlen, n);
	ck_assert_msg(memcmp(got, w, n) == 0, "bytes differ from %s", want);
	free(w);
}

static const uint8_t uuid_a[16] = {0xc4, 0xcc, 0x13, 0x14, 0x26, 0xee, 0x4f,
    0xed, 0x80, 0x3c, 0xef, 0x47, 0xd4, 0x15, 0xc7, 0x58};
static const uint8_t uuid_b[16] = {0xc4, 0xcc, 0x13, 0x14, 0x26, 0xee, 0x4f,
    0xed, 0x80, 0x3c, 0xef, 0x47, 0xd4, 0x15, 0xc7, 0x59};

/* Two fixed 32-byte keys, base64. */
#define KEY1 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY2 "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

static struct ef_keyring *
ring(const char *value)
{
	struct ef_keyring *kr = NULL;
	size_t where;

	ck_assert_int_eq(ef_keyring_parse(value, &kr, &where), EF_OK);
	ck_assert_ptr_nonnull(kr);
	return kr;
}

/* ---- errors and init -------------------------------------------------- */

START_TEST(test_strerror)
{
	int e;

	ck_assert_int_eq(ef_init(), EF_OK);
	ck_assert_int_eq(ef_init(), EF_OK);
	for (e = 0; e < EF_ERR__MAX; e++) {
		ck_assert_ptr_nonnull(ef_strerror((enum ef_err)e));
		ck_assert_uint_gt(strlen(ef_strerror((enum ef_err)e)), 0);
	}
	ck_assert_str_eq(ef_strerror(EF_ERR__MAX), "unknown error");
	ck_assert_str_eq(ef_strerror(EF_ERR_AUTH), "authentication failed");
}
END_TEST

/* ---- base64 ----------------------------------------------------------- */

static const struct {
	const char *in;
	const char *hex; /* NULL: must be rejected */
} b64_cases[] = {
    /* RFC 4648 section 10 */
    {"", ""},
    {"Zg==", "66"},
    {"Zm8=", "666f"},
    {"Zm9v", "666f6f"},
    {"Zm9vYg==", "666f6f62"},
    {"Zm9vYmE=", "666f6f6261"},
    {"Zm9vYmFy", "666f6f626172"},
    {"+/+/", "fbffbf"},
    {"AA==", "00"},
    /* rejected */
    {"Zg", NULL},       /* padding required */
    {"Zg=", NULL},      /* short padding */
    {"Zg===", NULL},    /* too much padding */
    {"Z===", NULL},     /* one character is never a byte */
    {"Zh==", NULL},     /* non-zero trailing bits */
    {"Zm9=", NULL},     /* non-zero trailing bits */
    {"Zm 9v", NULL},    /* whitespace */
    {"Zm9v\n", NULL},   /* newline */
    {"Zm9v-_==", NULL}, /* URL-safe alphabet */
    {"Zg==Zg==", NULL}, /* padding in the middle */
    {"=Zg=", NULL},     /* padding first */
    {"Zm9\x80", NULL},  /* 8-bit byte */
    {"====", NULL},
};

START_TEST(test_base64_table)
{
	uint8_t *out = NULL;
	size_t outlen = 0;
	char *enc = NULL;
	enum ef_err rc;

	rc = ef_base64_decode(
	    b64_cases[_i].in, strlen(b64_cases[_i].in), &out, &outlen);
	if (b64_cases[_i].hex == NULL) {
		ck_assert_msg(rc == EF_ERR_MALFORMED, "accepted \"%s\"",
		    b64_cases[_i].in);
		return;
	}
	ck_assert_int_eq(rc, EF_OK);
	ck_hex_eq(out, outlen, b64_cases[_i].hex);
	ck_assert_int_eq(out[outlen], 0);
	ck_assert_int_eq(ef_base64_encode(out, outlen, &enc), EF_OK);
	ck_assert_str_eq(enc, b64_cases[_i].in);
	free(out);
	free(enc);
}
END_TEST

START_TEST(test_base64_roundtrip)
{
	uint8_t buf[300], *out;
	size_t n, outlen;
	char *enc;

	for (n = 0; n < sizeof(buf); n++) {
		ef_random(buf, n);
		ck_assert_int_eq(ef_base64_encode(buf, n, &enc), EF_OK);
		ck_assert_uint_eq(strlen(enc), (n + 2) / 3 * 4);
		ck_assert_int_eq(
		    ef_base64_decode(enc, strlen(enc), &out, &outlen), EF_OK);
		ck_assert_uint_eq(outlen, n);
		ck_assert(memcmp(out, buf, n) == 0);
		free(out);
		free(enc);
	}
	ck_assert_int_eq(ef_base64_decode(NULL, 1, &out, &outlen), EF_ERR_ARG);
}
END_TEST

/* ---- UUIDs and small utilities ---------------------------------------- */

static const struct {
	const char *s;
	int ok;
} uuid_cases[] = {
    {"c4cc1314-26ee-4fed-803c-ef47d415c758", 1},
    {"C4CC1314-26EE-4FED-803C-EF47D415C758", 1},
    {"00000000-0000-0000-0000-000000000000", 1},
    {"c4cc1314-26ee-4fed-803c-ef47d415c75", 0},    /* short */
    {"c4cc1314-26ee-4fed-803c-ef47d415c7588", 0},  /* long */
    {"c4cc131426ee4fed803cef47d415c758", 0},       /* no hyphens */
    {"c4cc1314-26ee-4fed-803c_ef47d415c758", 0},   /* wrong separator */
    {"c4cc1314-26ee-4fed-803c-ef47d415c75g", 0},   /* not hex */
    {"{c4cc1314-26ee-4fed-803c-ef47d415c758}", 0}, /* braces */
    {" c4cc1314-26ee-4fed-803c-ef47d415c758", 0},  /* space */
    {"c4cc1314-26ee-4fed-803c-ef47d415c758 ", 0},
    {"c4cc13-1426ee-4fed-803c-ef47d415c758", 0}, /* hyphen moved */
    {"", 0},
};

START_TEST(test_uuid_table)
{
	uint8_t u[16];
	char s[37];
	size_t i;

	ck_assert_int_eq(ef_uuid_parse(uuid_cases[_i].s, u), uuid_cases[_i].ok);
	if (!uuid_cases[_i].ok)
		return;
	ef_uuid_format(u, s);
	for (i = 0; i < 36; i++)
		ck_assert_int_eq(s[i],
		    uuid_cases[_i].s[i] >= 'A' && uuid_cases[_i].s[i] <= 'F'
		        ? uuid_cases[_i].s[i] - 'A' + 'a'
		        : uuid_cases[_i].s[i]);
	ck_assert_int_eq(s[36], '\0');
}
END_TEST

START_TEST(test_uuid_v4)
{
	uint8_t a[16], b[16], c[16];
	char s[37];
	int i;

	ck_assert_int_eq(
	    ef_uuid_parse("c4cc1314-26ee-4fed-803c-ef47d415c758", c), 1);
	ck_assert(memcmp(c, uuid_a, 16) == 0);
	for (i = 0; i < 100; i++) {
		ef_uuid_v4(a);
		ef_uuid_v4(b);
		ck_assert(memcmp(a, b, 16) != 0);
		ck_assert_int_eq(a[6] >> 4, 4);
		ck_assert_int_eq(a[8] >> 6, 2);
		ef_uuid_format(a, s);
		ck_assert_int_eq(s[14], '4');
		ck_assert(strchr("89ab", s[19]) != NULL);
		ck_assert_int_eq(ef_uuid_parse(s, c), 1);
		ck_assert(memcmp(a, c, 16) == 0);
	}
}
END_TEST

START_TEST(test_ct_equal_wipe)
{
	uint8_t a[64], b[64];
	size_t i;

	ef_random(a, sizeof(a));
	memcpy(b, a, sizeof(a));
	ck_assert_int_eq(ef_ct_equal(a, b, sizeof(a)), 1);
	ck_assert_int_eq(ef_ct_equal(a, b, 0), 1);
	for (i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x80;
		ck_assert_int_eq(ef_ct_equal(a, b, sizeof(a)), 0);
		b[i] ^= 0x80;
	}
	ef_wipe(a, sizeof(a));
	for (i = 0; i < sizeof(a); i++)
		ck_assert_int_eq(a[i], 0);
	ef_wipe(NULL, 10);
}
END_TEST

/* ---- HKDF-SHA256: RFC 5869 appendix A, test cases 1 to 3 -------------- */

static const struct {
	const char *ikm, *salt, *info, *prk_unused, *okm;
} hkdf_cases[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
        "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        "34007208d5b887185865"},
    {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
     "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
     "404142434445464748494a4b4c4d4e4f",
        "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
        "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
        "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
        "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
        "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
        "9d201395faa4b61a96c8"},
};

START_TEST(test_hkdf_rfc5869)
{
	uint8_t *ikm, *salt, *info, *okm;
	size_t ikmlen, saltlen, infolen, okmlen;
	uint8_t out[128];

	ikm = unhex(hkdf_cases[_i].ikm, &ikmlen);
	salt = unhex(hkdf_cases[_i].salt, &saltlen);
	info = unhex(hkdf_cases[_i].info, &infolen);
	okm = unhex(hkdf_cases[_i].okm, &okmlen);
	ck_assert_int_eq(efi_hkdf_sha256(saltlen ? salt : NULL, saltlen, ikm,
	                     ikmlen, info, infolen, out, okmlen),
	    EF_OK);
	ck_hex_eq(out, okmlen, hkdf_cases[_i].okm);
	/* A prefix of the output is the shorter output. */
	ck_assert_int_eq(
	    efi_hkdf_sha256(salt, saltlen, ikm, ikmlen, info, infolen, out, 7),
	    EF_OK);
	ck_assert(memcmp(out, okm, 7) == 0);
	free(ikm);
	free(salt);
	free(info);
	free(okm);
}
END_TEST

START_TEST(test_hkdf_args)
{
	uint8_t out[32], ikm[32] = {1};

	ck_assert_int_eq(
	    efi_hkdf_sha256(NULL, 0, ikm, 32, NULL, 0, out, 0), EF_ERR_ARG);
	ck_assert_int_eq(
	    efi_hkdf_sha256(NULL, 0, ikm, 32, NULL, 0, out, 255 * 32 + 1),
	    EF_ERR_ARG);
	ck_assert_int_eq(
	    efi_hkdf_sha256(NULL, 5, ikm, 32, NULL, 0, out, 32), EF_ERR_ARG);
	ck_assert_int_eq(
	    efi_hkdf_sha256(NULL, 0, ikm, 32, NULL, 0, NULL, 32), EF_ERR_ARG);
}
END_TEST

/* ---- AES-256-GCM: NIST CAVP gcmEncryptExtIV256.rsp, with AAD ---------- */

static const struct {
	const char *key, *iv, *pt, *aad, *ct, *tag;
} gcm_cases[] = {
    /* [Keylen = 256] [IVlen = 96] [PTlen = 128] [AADlen = 128]
     * [Taglen = 128] Count = 0 */
    {"92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b",
        "ac93a1a6145299bde902f21a", "2d71bcfa914e4ac045b2aa60955fad24",
        "1e0889016f67601c8ebea4943bc23ad6", "8995ae2e6df3dbf96fac7b7137bae67f",
        "eca5aa77d51d4a0a14d9c51e1da474ab"},
    /* [PTlen = 128] [AADlen = 160] [Taglen = 128] */
    {"4b2815c531d2fceab303ec8bca739a97abca9373b7d415ad9d6c6fa9782518cc",
        "47d647a72b3b5fe19f5d80f7", "d3f6a645779e07517bd0688872e0a49b",
        "20fd79bd0ee538f42b7264a5d098af9a30959bf5",
        "00be3b295899c455110a0ae833140c4d", "d054e3997c0085e87055b79829ec3629"},
    /* [PTlen = 128] [AADlen = 384] [Taglen = 128] */
    {"e4fed339c7b0cd267305d11ab0d5c3273632e8872d35bdc367a1363438239a35",
        "0365882cf75432cfd23cbd42", "fff39a087de39a03919fbd2f2fa5f513",
        "8a97d2af5d41160ac2ff7dd8ba098e7aa4d618f0f455957d6a6d0801796747ba"
        "57c32dfbaaaf15176528fe3a0e4550c9",
        "8d9e68f03f7e5f4a0ffaa7650d026d08", "3554542c478c0635285a61d1b51f6afa"},
    /* [PTlen = 128] [AADlen = 720] [Taglen = 128] */
    {"80d755e24d129e68a5259ec2cf618e39317074a83c8961d3768ceb2ed8d5c3d7",
        "7598c07ba7b16cd12cf50813", "5e7fd1298c4f15aa0f1c1e47217aa7a9",
        "0e94f4c48fd0c9690c853ad2a5e197c5de262137b69ed0cdfa28d8d12413e4ff"
        "ff15374e1cccb0423e8ed829a954a335ed705a272ad7f9abd1057c849bb0d54b"
        "768e9d79879ec552461cc04adb6ca0040c5dd5bc733d21a93702",
        "5762a38cf3f2fdf3645d2f6696a7eead", "8a6708e69468915c5367573924fe1ae3"},
    /* [PTlen = 0] [AADlen = 128] [Taglen = 128] Count = 0 */
    {"78dc4e0aaf52d935c3c01eea57428f00ca1fd475f5da86a49c8dd73d68c8e223",
        "d79cf22d504cc793c3fb6c8a", "", "b96baa8c1c75a671bfb2d08d06be5f36", "",
        "3e5d486aa2e30b22e040b85723a06e76"},
};

START_TEST(test_gcm_nist)
{
	uint8_t *key, *iv, *pt, *aad, *ct, *tag;
	size_t keylen, ivlen, ptlen, aadlen, ctlen, taglen;
	uint8_t out[64], outtag[16], back[64];

	key = unhex(gcm_cases[_i].key, &keylen);
	iv = unhex(gcm_cases[_i].iv, &ivlen);
	pt = unhex(gcm_cases[_i].pt, &ptlen);
	aad = unhex(gcm_cases[_i].aad, &aadlen);
	ct = unhex(gcm_cases[_i].ct, &ctlen);
	tag = unhex(gcm_cases[_i].tag, &taglen);
	ck_assert_uint_eq(keylen, 32);
	ck_assert_int_eq(efi_aes256_gcm_seal(key, iv, ivlen, aad, aadlen, pt,
	                     ptlen, out, outtag),
	    EF_OK);
	ck_hex_eq(out, ptlen, gcm_cases[_i].ct);
	ck_hex_eq(outtag, 16, gcm_cases[_i].tag);
	ck_assert_int_eq(efi_aes256_gcm_open(key, iv, ivlen, aad, aadlen, ct,
	                     ctlen, tag, taglen, back),
	    EF_OK);
	ck_assert(memcmp(back, pt, ptlen) == 0);
	/* A wrong AAD or tag fails, and leaves no plaintext behind. */
	aad[0] ^= 1;
	ck_assert_int_eq(efi_aes256_gcm_open(key, iv, ivlen, aad, aadlen, ct,
	                     ctlen, tag, taglen, back),
	    EF_ERR_AUTH);
	aad[0] ^= 1;
	tag[15] ^= 1;
	memset(back, 0xaa, sizeof(back));
	ck_assert_int_eq(efi_aes256_gcm_open(key, iv, ivlen, aad, aadlen, ct,
	                     ctlen, tag, taglen, back),
	    EF_ERR_AUTH);
	if (ptlen > 0)
		ck_assert_int_eq(back[0], 0);
	tag[15] ^= 1;
	free(key);
	free(iv);
	free(pt);
	free(aad);
	free(ct);
	free(tag);
}
END_TEST

/* The right first 4, 8 or 12 bytes of a tag: libgcrypt alone accepts them. */
START_TEST(test_gcm_short_tags)
{
	static const size_t lens[] = {4, 8, 12, 15, 0, 17};
	uint8_t key[32], nonce[12], pt[20] = "short tags rejected", ct[20],
	                            tag[17], back[20];
	gcry_cipher_hd_t hd;
	size_t i;

	ef_random(key, sizeof(key));
	ef_random(nonce, sizeof(nonce));
	ck_assert_int_eq(
	    efi_aes256_gcm_seal(key, nonce, 12, NULL, 0, pt, 20, ct, tag),
	    EF_OK);
	tag[16] = 0;
	/* Show that the check matters: libgcrypt takes a 12-byte prefix. */
	ck_assert_int_eq(
	    gcry_cipher_open(&hd, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, 0),
	    0);
	ck_assert_int_eq(gcry_cipher_setkey(hd, key, 32), 0);
	ck_assert_int_eq(gcry_cipher_setiv(hd, nonce, 12), 0);
	ck_assert_int_eq(gcry_cipher_decrypt(hd, back, 20, ct, 20), 0);
	ck_assert_int_eq(gcry_cipher_checktag(hd, tag, 12), 0);
	gcry_cipher_close(hd);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		ck_assert_int_eq(efi_aes256_gcm_open(key, nonce, 12, NULL, 0,
		                     ct, 20, tag, lens[i], back),
		    EF_ERR_MALFORMED);
	ck_assert_int_eq(
	    efi_aes256_gcm_open(key, nonce, 12, NULL, 0, ct, 20, tag, 16, back),
	    EF_OK);
	ck_assert(memcmp(back, pt, 20) == 0);
}
END_TEST

/* ---- keyrings --------------------------------------------------------- */

static const struct {
	const char *value;
	enum ef_err rc;
	size_t where;    /* entry blamed on error */
	size_t count;    /* keys on success */
	uint16_t active; /* active id on success */
} kr_cases[] = {
    {"1:" KEY1, EF_OK, 0, 1, 1},
    {"1:" KEY1 ","
     "2:" KEY2,
        EF_OK, 0, 2, 1},
    {"7:" KEY2 ",1:" KEY1, EF_OK, 0, 2, 7},
    {"  1:" KEY1 " ,\t2:" KEY2 "\n", EF_OK, 0, 2, 1}, /* spaces around */
    {"0:" KEY1, EF_OK, 0, 1, 0},
    {"65535:" KEY1, EF_OK, 0, 1, 65535},
    {NULL, EF_ERR_KEY_NONE, 0, 0, 0},
    {"", EF_ERR_KEY_NONE, 0, 0, 0},
    {"   \n", EF_ERR_KEY_NONE, 0, 0, 0},
    {KEY1, EF_ERR_KEY_SYNTAX, 1, 0, 0},          /* no id */
    {"1:" KEY1 ",", EF_ERR_KEY_SYNTAX, 2, 0, 0}, /* empty entry */
    {"1:" KEY1 ",,2:" KEY2, EF_ERR_KEY_SYNTAX, 2, 0, 0},
    {"65536:" KEY1, EF_ERR_KEY_ID, 1, 0, 0}, /* id too big */
    {"-1:" KEY1, EF_ERR_KEY_ID, 1, 0, 0},
    {"x:" KEY1, EF_ERR_KEY_ID, 1, 0, 0},
    {":" KEY1, EF_ERR_KEY_ID, 1, 0, 0},
    {"1 :" KEY1, EF_ERR_KEY_ID, 1, 0, 0},     /* space inside */
    {"1: " KEY1, EF_ERR_KEY_BASE64, 1, 0, 0}, /* space inside */
    {"1:" KEY1 ",2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        EF_ERR_KEY_BASE64, 2, 0, 0}, /* unpadded */
    {"1:AAEC$wQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", EF_ERR_KEY_BASE64, 1, 0,
        0},
    {"1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", EF_ERR_KEY_LENGTH, 1, 0,
        0}, /* 31 bytes */
    {"1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", EF_ERR_KEY_LENGTH, 1, 0,
        0}, /* 33 bytes */
    {"1:", EF_ERR_KEY_LENGTH, 1, 0, 0},
    {"1:" KEY1 ",1:" KEY2, EF_ERR_KEY_DUP, 2, 0, 0},
    {"3:" KEY1 ",2:" KEY2 ",3:" KEY2, EF_ERR_KEY_DUP, 3, 0, 0},
    {"1:" KEY1 ",2:" KEY1, EF_ERR_KEY_REUSED, 2, 0, 0},
    {"1:" KEY1 ",2:" KEY2 ",3:" KEY1, EF_ERR_KEY_REUSED, 3, 0, 0},
};

START_TEST(test_keyring_table)
{
	struct ef_keyring *kr = (struct ef_keyring *)&kr; /* must be reset */
	size_t where = 99;
	enum ef_err rc;

	rc = ef_keyring_parse(kr_cases[_i].value, &kr, &where);
	ck_assert_msg(rc == kr_cases[_i].rc, "\"%s\": %s, want %s",
	    kr_cases[_i].value ? kr_cases[_i].value : "(null)", ef_strerror(rc),
	    ef_strerror(kr_cases[_i].rc));
	if (rc != EF_OK) {
		ck_assert_ptr_null(kr);
		ck_assert_uint_eq(where, kr_cases[_i].where);
		return;
	}
	ck_assert_uint_eq(ef_keyring_count(kr), kr_cases[_i].count);
	ck_assert_uint_eq(ef_keyring_active(kr), kr_cases[_i].active);
	ck_assert_int_eq(ef_keyring_has(kr, kr_cases[_i].active), 1);
	ck_assert_int_eq(ef_keyring_has(kr, 12345), 0);
	ef_keyring_free(kr);
}
END_TEST

START_TEST(test_keyring_add)
{
	struct ef_keyring *kr = NULL;
	uint8_t k[EF_KEY_LEN];

	ef_random(k, sizeof(k));
	ck_assert_int_eq(ef_keyring_add(&kr, 5, k), EF_OK);
	ck_assert_int_eq(ef_keyring_add(&kr, 6, k), EF_ERR_KEY_REUSED);
	k[31] ^= 1;
	ck_assert_int_eq(ef_keyring_add(&kr, 6, k), EF_OK);
	ck_assert_int_eq(ef_keyring_add(&kr, 5, k), EF_ERR_KEY_DUP);
	ck_assert_uint_eq(ef_keyring_count(kr), 2);
	ck_assert_uint_eq(ef_keyring_active(kr), 5);
	ck_assert_int_eq(ef_keyring_add(NULL, 1, k), EF_ERR_ARG);
	ef_keyring_free(kr);
	ef_keyring_free(NULL);
	ck_assert_uint_eq(ef_keyring_count(NULL), 0);
}
END_TEST

/* ---- v1 values -------------------------------------------------------- */

static const char *const v1_plain[] = {
    "admin@example.com", "", "josé@example.es", "ユーザー@例え.jp",
    "a\0b", /* embedded NUL: lengths, not strings */
};
static const size_t v1_plainlen[] = {17, 0, 16, 22, 3};

START_TEST(test_v1_roundtrip)
{
	struct ef_keyring *kr = ring("3:" KEY1 ",9:" KEY2);
	uint8_t *ct;
	size_t ctlen, ptlen;
	char *pt;
	uint16_t id;

	ck_assert_int_eq(ef_encrypt(kr, "users.email", uuid_a, v1_plain[_i],
	                     v1_plainlen[_i], &ct, &ctlen),
	    EF_OK);
	ck_assert_uint_eq(ctlen, v1_plainlen[_i] + EF_V1_OVERHEAD);
	ck_assert_int_eq(ct[0], 0xef);
	ck_assert_int_eq(ct[1], 0x01);
	ck_assert_int_eq(ct[2], 0);
	ck_assert_int_eq(ct[3], 3);
	ck_assert_int_eq(ef_value_kind(ct, ctlen), EF_KIND_V1);
	ck_assert_int_eq(ef_value_key_id(ct, ctlen, &id), EF_OK);
	ck_assert_uint_eq(id, 3);
	ck_assert_int_eq(
	    ef_decrypt(kr, "users.email", uuid_a, ct, ctlen, &pt, &ptlen),
	    EF_OK);
	ck_assert_uint_eq(ptlen, v1_plainlen[_i]);
	ck_assert(memcmp(pt, v1_plain[_i], ptlen) == 0);
	ck_assert_int_eq(pt[ptlen], '\0');
	ef_free_plain(pt, ptlen);
	free(ct);
	ef_keyring_free(kr);
}
END_TEST

/* The subkey is HKDF(field key, info || column); check it independently. */
START_TEST(test_v1_construction)
{
	struct ef_keyring *kr = ring("258:" KEY1);
	static const char info[] =
	    "fcgi-encrypted-db v1 aes-256-gcm users.email";
	uint8_t *ct, *fk, sub[32], aad[4 + 11 + 16], back[17];
	size_t ctlen, fklen;
	char *b64 = NULL;

	ck_assert_int_eq(ef_encrypt(kr, "users.email", uuid_a,
	                     "admin@example.com", 17, &ct, &ctlen),
	    EF_OK);
	ck_assert_int_eq(ct[2], 1);
	ck_assert_int_eq(ct[3], 2);
	ck_assert_int_eq(
	    ef_base64_decode(KEY1, strlen(KEY1), &fk, &fklen), EF_OK);
	ck_assert_int_eq(efi_hkdf_sha256(NULL, 0, fk, 32, (const uint8_t *)info,
	                     strlen(info), sub, 32),
	    EF_OK);
	memcpy(aad, ct, 4);
	memcpy(aad + 4, "users.email", 11);
	memcpy(aad + 15, uuid_a, 16);
	ck_assert_int_eq(efi_aes256_gcm_open(sub, ct + 4, 12, aad, sizeof(aad),
	                     ct + 16, 17, ct + 33, 16, back),
	    EF_OK);
	ck_assert(memcmp(back, "admin@example.com", 17) == 0);
	free(b64);
	free(fk);
	free(ct);
	ef_keyring_free(kr);
}
END_TEST

/*
 * Envelope values: a data key wrapped for (table, row) under the active
 * field key, fields sealed under it; the layout rebuilt by hand with the
 * raw primitives; a wrapped key moved to another row or rewrapped under
 * another key id fails; a value moved, tampered or opened with another
 * data key fails; a rotated ring still unwraps.
 */
START_TEST(test_envelope)
{
	struct ef_keyring *kr = ring("1:" KEY1);
	struct ef_keyring *rotated = ring("2:" KEY2 ",1:" KEY1);
	uint8_t dk[32], dk2[32], back[32], *w = NULL, *w2 = NULL, *v = NULL;
	uint8_t aad[2 + 11 + 16], pt[17];
	size_t wlen, w2len, vlen, ptlen;
	char *out = NULL;

	ef_dk_generate(dk);
	ef_dk_generate(dk2);
	ck_assert(memcmp(dk, dk2, 32) != 0);
	ck_assert_int_eq(ef_dk_wrap(kr, "users", uuid_a, dk, &w, &wlen), EF_OK);
	ck_assert_uint_eq(wlen, EF_DK_WRAPPED_LEN);
	ck_assert_int_eq(ef_value_kind(w, wlen), EF_KIND_V1);
	ck_assert_int_eq(
	    ef_dk_unwrap(kr, "users", uuid_a, w, wlen, back), EF_OK);
	ck_assert(memcmp(back, dk, 32) == 0);
	/* Bound to its row and table. */
	ck_assert_int_eq(
	    ef_dk_unwrap(kr, "users", uuid_b, w, wlen, back), EF_ERR_AUTH);
	ck_assert_int_eq(
	    ef_dk_unwrap(kr, "other", uuid_a, w, wlen, back), EF_ERR_AUTH);
	/* A field value is not a data key. */
	ck_assert_int_eq(
	    ef_encrypt(kr, "users", uuid_a, "short", 5, &w2, &w2len), EF_OK);
	ck_assert_int_eq(ef_dk_unwrap(kr, "users", uuid_a, w2, w2len, back),
	    EF_ERR_MALFORMED);
	free(w2);
	/* Rotation re-wraps: the new key id, the same data key. */
	ck_assert_int_eq(
	    ef_dk_unwrap(rotated, "users", uuid_a, w, wlen, back), EF_OK);
	ck_assert_int_eq(
	    ef_dk_wrap(rotated, "users", uuid_a, back, &w2, &w2len), EF_OK);
	ck_assert_int_eq(w2[3], 2);
	ck_assert_int_eq(
	    ef_dk_unwrap(rotated, "users", uuid_a, w2, w2len, back), EF_OK);
	ck_assert(memcmp(back, dk, 32) == 0);
	/* Key id in the header is authenticated. */
	w2[3] = 1;
	ck_assert_int_eq(
	    ef_dk_unwrap(rotated, "users", uuid_a, w2, w2len, back),
	    EF_ERR_AUTH);

	ck_assert_int_eq(ef_envelope_seal(dk, "users.email", uuid_a,
	                     "admin@example.com", 17, &v, &vlen),
	    EF_OK);
	ck_assert_uint_eq(vlen, 17 + EF_ENV_OVERHEAD);
	ck_assert_int_eq(v[0], 0xEF);
	ck_assert_int_eq(v[1], 0x02);
	ck_assert_int_eq(ef_value_kind(v, vlen), EF_KIND_ENVELOPE);
	ck_assert_int_eq(
	    ef_envelope_open(dk, "users.email", uuid_a, v, vlen, &out, &ptlen),
	    EF_OK);
	ck_assert_uint_eq(ptlen, 17);
	ck_assert_str_eq(out, "admin@example.com");
	ef_free_plain(out, ptlen);
	/* The layout, by hand: AES-256-GCM under dk, aad header||col||uuid. */
	aad[0] = 0xEF;
	aad[1] = 0x02;
	memcpy(aad + 2, "users.email", 11);
	memcpy(aad + 13, uuid_a, 16);
	ck_assert_int_eq(efi_aes256_gcm_open(dk, v + 2, 12, aad, sizeof(aad),
	                     v + 14, 17, v + 31, 16, pt),
	    EF_OK);
	ck_assert(memcmp(pt, "admin@example.com", 17) == 0);
	/* Another data key, row or column; a flipped byte; a cut tag. */
	ck_assert_int_eq(
	    ef_envelope_open(dk2, "users.email", uuid_a, v, vlen, &out, &ptlen),
	    EF_ERR_AUTH);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(
	    ef_envelope_open(dk, "users.email", uuid_b, v, vlen, &out, &ptlen),
	    EF_ERR_AUTH);
	ck_assert_int_eq(
	    ef_envelope_open(dk, "users.name", uuid_a, v, vlen, &out, &ptlen),
	    EF_ERR_AUTH);
	v[20] ^= 1;
	ck_assert_int_eq(
	    ef_envelope_open(dk, "users.email", uuid_a, v, vlen, &out, &ptlen),
	    EF_ERR_AUTH);
	ck_assert_int_eq(ef_envelope_open(dk, "users.email", uuid_a, v,
	                     EF_ENV_OVERHEAD - 1, &out, &ptlen),
	    EF_ERR_MALFORMED);
	ck_assert_int_eq(
	    ef_envelope_open(dk, "users.email", uuid_a, w, wlen, &out, &ptlen),
	    EF_ERR_MALFORMED);
	free(v);
	free(w);
	free(w2);
	ef_keyring_free(kr);
	ef_keyring_free(rotated);
}
END_TEST

START_TEST(test_v1_tamper)
{
	struct ef_keyring *kr = ring("1:" KEY1 ",2:" KEY2);
	uint8_t *ct;
	size_t ctlen, ptlen, i;
	char *pt = NULL;
	enum ef_err rc;
	int bit;

	ck_assert_int_eq(ef_encrypt(kr, "users.email", uuid_a,
	                     "admin@example.com", 17, &ct, &ctlen),
	    EF_OK);
	for (i = 0; i < ctlen; i++)
		for (bit = 0; bit < 8; bit++) {
			ct[i] ^= (uint8_t)(1 << bit);
			rc = ef_decrypt(
			    kr, "users.email", uuid_a, ct, ctlen, &pt, &ptlen);
			/* The key id byte may point at the other key. */
			ck_assert_msg(rc == EF_ERR_AUTH ||
			        rc == EF_ERR_MALFORMED ||
			        rc == EF_ERR_UNKNOWN_KEY,
			    "byte %zu bit %d: %s", i, bit, ef_strerror(rc));
			if (i >= 4)
				ck_assert_int_eq(rc, EF_ERR_AUTH);
			ck_assert_ptr_null(pt);
			ct[i] ^= (uint8_t)(1 << bit);
		}
	ck_assert_int_eq(
	    ef_decrypt(kr, "users.email", uuid_a, ct, ctlen, &pt, &ptlen),
	    EF_OK);
	ef_free_plain(pt, ptlen);
	free(ct);
	ef_keyring_free(kr);
}
END_TEST

START_TEST(test_v1_moved)
{
	struct ef_keyring *kr = ring("1:" KEY1);
	uint8_t *ct;
	size_t ctlen, ptlen;
	char *pt = NULL;

	ck_assert_int_eq(
	    ef_encrypt(kr, "users.email", uuid_a, "a@b.co", 6, &ct, &ctlen),
	    EF_OK);
	ck_assert_int_eq(
	    ef_decrypt(kr, "users.email", uuid_b, ct, ctlen, &pt, &ptlen),
	    EF_ERR_AUTH);
	ck_assert_int_eq(
	    ef_decrypt(kr, "users.phone", uuid_a, ct, ctlen, &pt, &ptlen),
	    EF_ERR_AUTH);
	ck_assert_int_eq(
	    ef_decrypt(kr, "users.emai", uuid_a, ct, ctlen, &pt, &ptlen),
	    EF_ERR_AUTH);
	ck_assert_ptr_null(pt);
	free(ct);
	ef_keyring_free(kr);
}
END_TEST

/* Several columns through one ring (its subkey cache holds one each). */
START_TEST(test_v1_columns)
{
	static const char *const cols[] = {"users.email", "users.phone",
	    "users.email",
	    "a.column.name.longer.than.the.sixty.four.bytes.the.cache.holds.x",
	    "users.phone", "u"};
	struct ef_keyring *kr = ring("1:" KEY1 ",2:" KEY2);
	uint8_t *ct[6];
	size_t ctlen[6], ptlen, i, j;
	char *pt;

	for (i = 0; i < 6; i++)
		ck_assert_int_eq(ef_encrypt(kr, cols[i], uuid_a, cols[i],
		                     strlen(cols[i]), &ct[i], &ctlen[i]),
		    EF_OK);
	for (j = 0; j < 2; j++)
		for (i = 0; i < 6; i++) {
			ck_assert_int_eq(ef_decrypt(kr, cols[i], uuid_a, ct[i],
			                     ctlen[i], &pt, &ptlen),
			    EF_OK);
			ck_assert_str_eq(pt, cols[i]);
			ef_free_plain(pt, ptlen);
			pt = NULL;
			ck_assert_int_eq(
			    ef_decrypt(kr, cols[(i + 1) % 6], uuid_a, ct[i],
			        ctlen[i], &pt, &ptlen),
			    strcmp(cols[i], cols[(i + 1) % 6]) == 0
			        ? EF_OK
			        : EF_ERR_AUTH);
			ef_free_plain(pt, ptlen);
		}
	for (i = 0; i < 6; i++)
		free(ct[i]);
	ef_keyring_free(kr);
}
END_TEST

/*
 * A ring of many keys, each used: every key caches a keyed cipher handle
 * in secure memory until it is full, then the cache is dropped and
 * refilled. Every value still decrypts.
 */
START_TEST(test_v1_many_keys)
{
	enum { NKEYS = 300 };
	struct ef_keyring *kr = NULL, *one;
	uint8_t keys[NKEYS][EF_KEY_LEN], *ct[NKEYS];
	size_t ctlen[NKEYS], ptlen, i, round;
	char *pt;

	for (i = 0; i < NKEYS; i++) {
		ef_random(keys[i], EF_KEY_LEN);
		one = NULL;
		ck_assert_int_eq(
		    ef_keyring_add(&one, (uint16_t)i, keys[i]), EF_OK);
		ck_assert_int_eq(ef_encrypt(one, "users.email", uuid_a,
		                     "a@b.co", 6, &ct[i], &ctlen[i]),
		    EF_OK);
		ef_keyring_free(one);
	}
	for (i = 0; i < NKEYS; i++)
		ck_assert_int_eq(
		    ef_keyring_add(&kr, (uint16_t)i, keys[i]), EF_OK);
	for (round = 0; round < 2; round++)
		for (i = 0; i < NKEYS; i++) {
			ck_assert_msg(
			    ef_decrypt(kr, "users.email", uuid_a, ct[i],
			        ctlen[i], &pt, &ptlen) == EF_OK,
			    "key %zu", i);
			ck_assert_str_eq(pt, "a@b.co");
			ef_free_plain(pt, ptlen);
		}
	for (i = 0; i < NKEYS; i++)
		free(ct[i]);
	ef_wipe(keys, sizeof(keys));
	ef_keyring_free(kr);
}
END_TEST

/* Values whose tag was cut to 4, 8 or 12 bytes never decrypt. */
START_TEST(test_v1_short_tags)
{
	static const size_t cut[] = {4, 8, 12};
	struct ef_keyring *kr = ring("1:" KEY1);
	uint8_t *ct;
	size_t ctlen, ptlen, i, plen;
	char *pt = NULL;
	enum ef_err rc;

	for (plen = 0; plen <= 17; plen += 17) {
		ck_assert_int_eq(ef_encrypt(kr, "users.email", uuid_a,
		                     "admin@example.com", plen, &ct, &ctlen),
		    EF_OK);
		for (i = 0; i < 3; i++) {
			/* Drop the last 16 - cut bytes of the tag. */
			rc = ef_decrypt(kr, "users.email", uuid_a, ct,
			    ctlen - (16 - cut[i]), &pt, &ptlen);
			ck_assert_int_eq(
			    rc, plen == 0 ? EF_ERR_MALFORMED : EF_ERR_AUTH);
			ck_assert_ptr_null(pt);
		}
		free(ct);
	}
	ef_keyring_free(kr);
}
END_TEST

START_TEST(test_v1_keys)
{
	struct ef_keyring *old = ring("1:" KEY1);
	struct ef_keyring *rotated = ring("2:" KEY2 ",1:" KEY1);
	struct ef_keyring *other = ring("2:" KEY2);
	struct ef_keyring *samekeyid = ring("1:" KEY2);
	uint8_t *ct;
	size_t ctlen, ptlen;
	char *pt = NULL;

	ck_assert_int_eq(
	    ef_encrypt(old, "users.email", uuid_a, "a@b.co", 6, &ct, &ctlen),
	    EF_OK);
	/* After rotation the old key still decrypts. */
	ck_assert_int_eq(
	    ef_decrypt(rotated, "users.email", uuid_a, ct, ctlen, &pt, &ptlen),
	    EF_OK);
	ck_assert_str_eq(pt, "a@b.co");
	ef_free_plain(pt, ptlen);
	pt = NULL;
	ck_assert_int_eq(
	    ef_decrypt(other, "users.email", uuid_a, ct, ctlen, &pt, &ptlen),
	    EF_ERR_UNKNOWN_KEY);
	ck_assert_int_eq(ef_decrypt(samekeyid, "users.email", uuid_a, ct, ctlen,
	                     &pt, &ptlen),
	    EF_ERR_AUTH);
	ck_assert_ptr_null(pt);
	free(ct);
	/* New values use the active key. */
	ck_assert_int_eq(ef_encrypt(rotated, "users.email", uuid_a, "a@b.co", 6,
	                     &ct, &ctlen),
	    EF_OK);
	ck_assert_int_eq(ct[3], 2);
	free(ct);
	ef_keyring_free(old);
	ef_keyring_free(rotated);
	ef_keyring_free(other);
	ef_keyring_free(samekeyid);
}
END_TEST

static const struct {
	const char *hex;
	enum ef_kind kind;
	enum ef_err idrc;
} kind_cases[] = {
    {"", EF_KIND_UNKNOWN, EF_ERR_MALFORMED},
    {"ef01", EF_KIND_V1, EF_ERR_MALFORMED}, /* too short for v1 */
    {"ef010007000000000000000000000000000000000000000000000000000000000000",
        EF_KIND_V1, EF_OK},
    {"ef02000700000000000000000000000000000000000000000000000000000000",
        EF_KIND_ENVELOPE, EF_ERR_MALFORMED},
    {"ef03000700000000000000000000000000000000000000000000000000000000",
        EF_KIND_UNKNOWN, EF_ERR_MALFORMED},
    {"6a7339557661434f354b4861366e3857526a35783066724765464e2b6e694764635762"
     "544e52445646446b3d",
        EF_KIND_LEGACY, EF_ERR_MALFORMED}, /* the boilerplate's admin email */
    {"41420a", EF_KIND_UNKNOWN, EF_ERR_MALFORMED}, /* control character */
    {"00", EF_KIND_UNKNOWN, EF_ERR_MALFORMED},
};

START_TEST(test_value_kind)
{
	uint8_t *v;
	size_t len;
	uint16_t id = 0;

	v = unhex(kind_cases[_i].hex, &len);
	ck_assert_int_eq(ef_value_kind(v, len), kind_cases[_i].kind);
	ck_assert_int_eq(ef_value_key_id(v, len, &id), kind_cases[_i].idrc);
	if (kind_cases[_i].idrc == EF_OK)
		ck_assert_uint_eq(id, 7);
	free(v);
}
END_TEST

START_TEST(test_v1_args)
{
	struct ef_keyring *kr = ring("1:" KEY1);
	uint8_t *ct = NULL;
	size_t ctlen, ptlen;
	char *pt = NULL;

	ck_assert_int_eq(
	    ef_encrypt(NULL, "c", uuid_a, "x", 1, &ct, &ctlen), EF_ERR_ARG);
	ck_assert_int_eq(
	    ef_encrypt(kr, NULL, uuid_a, "x", 1, &ct, &ctlen), EF_ERR_ARG);
	ck_assert_int_eq(
	    ef_encrypt(kr, "", uuid_a, "x", 1, &ct, &ctlen), EF_ERR_ARG);
	ck_assert_int_eq(
	    ef_encrypt(kr, "c", NULL, "x", 1, &ct, &ctlen), EF_ERR_ARG);
	ck_assert_int_eq(
	    ef_encrypt(kr, "c", uuid_a, NULL, 1, &ct, &ctlen), EF_ERR_ARG);
	ck_assert_int_eq(
	    ef_encrypt(kr, "c", uuid_a, "x", SIZE_MAX, &ct, &ctlen),
	    EF_ERR_ARG);
	ck_assert_ptr_null(ct);
	ck_assert_int_eq(ef_decrypt(kr, "c", uuid_a, NULL, 0, &pt, &ptlen),
	    EF_ERR_MALFORMED);
	ck_assert_int_eq(
	    ef_decrypt(kr, "c", uuid_a, (const uint8_t *)"abc", 3, &pt, &ptlen),
	    EF_ERR_MALFORMED);
	ck_assert_ptr_null(pt);
	ef_free_plain(NULL, 0);
	ef_keyring_free(kr);
}
END_TEST

static int
cmp_nonce(const void *a, const void *b)
{
	return memcmp(a, b, EF_V1_NONCE_LEN);
}

/* Many encryptions of one email under one key: no nonce repeats. */
START_TEST(test_v1_nonces)
{
	struct ef_keyring *kr = ring("1:" KEY1);
	const char *env = getenv("EF_TEST_NONCES");
	size_t n = 100000, i;
	uint8_t *nonces, *ct;
	size_t ctlen;

	if (env != NULL && *env != '\0')
		n = strtoul(env, NULL, 10);
	ck_assert_uint_ge(n, 2);
	nonces = malloc(n * EF_V1_NONCE_LEN);
	ck_assert_ptr_nonnull(nonces);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(ef_encrypt(kr, "users.email", uuid_a,
		                     "admin@example.com", 17, &ct, &ctlen),
		    EF_OK);
		memcpy(nonces + i * EF_V1_NONCE_LEN, ct + 4, EF_V1_NONCE_LEN);
		free(ct);
	}
	qsort(nonces, n, EF_V1_NONCE_LEN, cmp_nonce);
	for (i = 1; i < n; i++)
		ck_assert_msg(cmp_nonce(nonces + (i - 1) * EF_V1_NONCE_LEN,
		                  nonces + i * EF_V1_NONCE_LEN) != 0,
		    "nonce repeated after %zu encryptions", n);
	free(nonces);
	ef_keyring_free(kr);
}
END_TEST

/* ---- blind index ------------------------------------------------------ */

START_TEST(test_blind_index)
{
	static const char *const same[] = {
	    "admin@example.com",
	    "Admin@Example.COM",
	    "  admin@example.com\t\n",
	    "\r\nADMIN@EXAMPLE.COM ",
	};
	static const char *const other[] = {
	    "admin@example.co",
	    "admin @example.com",
	    "admin@examplé.com",
	    "",
	};
	struct ef_index_key *ik = NULL;
	uint8_t want[32], got[32], other_bidx[32], *key;
	size_t keylen, i;

	ck_assert_int_eq(ef_index_key_parse(KEY2, &ik), EF_OK);
	/* Expected: HMAC-SHA256 computed straight with libgcrypt. */
	ck_assert_int_eq(
	    ef_base64_decode(KEY2, strlen(KEY2), &key, &keylen), EF_OK);
	{
		gcry_md_hd_t md;

		ck_assert_int_eq(
		    gcry_md_open(&md, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC), 0);
		ck_assert_int_eq(gcry_md_setkey(md, key, keylen), 0);
		gcry_md_write(md, "admin@example.com", 17);
		memcpy(want, gcry_md_read(md, GCRY_MD_SHA256), 32);
		gcry_md_close(md);
	}
	free(key);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		ck_assert_int_eq(
		    ef_blind_index(ik, same[i], strlen(same[i]), got), EF_OK);
		ck_assert_msg(memcmp(got, want, 32) == 0, "\"%s\"", same[i]);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		ck_assert_int_eq(
		    ef_blind_index(ik, other[i], strlen(other[i]), other_bidx),
		    EF_OK);
		ck_assert_msg(
		    memcmp(other_bidx, want, 32) != 0, "\"%s\"", other[i]);
	}
	/* Longer than the 64-byte chunks the email is lowercased in. */
	{
		char longmail[201], lower[201];
		uint8_t want2[32], got2[32];
		gcry_md_hd_t md;

		for (i = 0; i < 200; i++) {
			longmail[i] = (char)("ABCxyz.@"[i % 8]);
			lower[i] = (char)("abcxyz.@"[i % 8]);
		}
		longmail[200] = lower[200] = '\0';
		ck_assert_int_eq(
		    ef_base64_decode(KEY2, strlen(KEY2), &key, &keylen), EF_OK);
		ck_assert_int_eq(
		    gcry_md_open(&md, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC), 0);
		ck_assert_int_eq(gcry_md_setkey(md, key, keylen), 0);
		gcry_md_write(md, lower, 200);
		memcpy(want2, gcry_md_read(md, GCRY_MD_SHA256), 32);
		gcry_md_close(md);
		free(key);
		ck_assert_int_eq(
		    ef_blind_index(ik, longmail, 200, got2), EF_OK);
		ck_assert(memcmp(got2, want2, 32) == 0);
	}
	ef_index_key_free(ik);
	/* Another key, another index. */
	ck_assert_int_eq(ef_index_key_parse(" " KEY1 "\n", &ik), EF_OK);
	ck_assert_int_eq(
	    ef_blind_index(ik, "admin@example.com", 17, got), EF_OK);
	ck_assert(memcmp(got, want, 32) != 0);
	ef_index_key_free(ik);
	ef_index_key_free(NULL);
}
END_TEST

static const struct {
	const char *value;
	enum ef_err rc;
} ik_cases[] = {
    {KEY1, EF_OK},
    {NULL, EF_ERR_KEY_NONE},
    {"", EF_ERR_KEY_NONE},
    {"  ", EF_ERR_KEY_NONE},
    {"1:" KEY1, EF_ERR_KEY_BASE64},
    {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", EF_ERR_KEY_LENGTH},
    {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", EF_ERR_KEY_BASE64},
};

START_TEST(test_index_key_table)
{
	struct ef_index_key *ik = NULL;

	ck_assert_int_eq(
	    ef_index_key_parse(ik_cases[_i].value, &ik), ik_cases[_i].rc);
	if (ik_cases[_i].rc != EF_OK)
		ck_assert_ptr_null(ik);
	ef_index_key_free(ik);
}
END_TEST

/* ---- legacy values: the SQLAlchemy-Utils vectors ---------------------- */

static json_object *
vectors(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	json_object *j;

	snprintf(path, sizeof(path), "%s/t/vectors/sqlalchemy-utils.json",
	    top != NULL ? top : ".");
	j = json_object_from_file(path);
	ck_assert_msg(j != NULL, "cannot read %s", path);
	return j;
}

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static enum ef_legacy_engine
engine_of(json_object *c)
{
	const char *e = jstr(c, "engine"), *p = jstr(c, "padding");

	ck_assert_ptr_nonnull(e);
	if (strcmp(e, "AesGcmEngine") == 0)
		return EF_LEGACY_AES_GCM;
	if (strcmp(e, "FernetEngine") == 0)
		return EF_LEGACY_FERNET;
	ck_assert_str_eq(e, "AesEngine");
	ck_assert_ptr_nonnull(p);
	if (strcmp(p, "pkcs5") == 0)
		return EF_LEGACY_AES_CBC_PKCS5;
	if (strcmp(p, "naive") == 0)
		return EF_LEGACY_AES_CBC_NAIVE;
	if (strcmp(p, "zeroes") == 0)
		return EF_LEGACY_AES_CBC_ZEROES;
	ck_assert_str_eq(p, "oneandzeroes");
	return EF_LEGACY_AES_CBC_ONEANDZEROES;
}

START_TEST(test_legacy_vectors)
{
	json_object *j = vectors(), *cases, *c;
	struct ef_legacy *lg, *wrong;
	size_t i, n, ptlen, done[EF_LEGACY__MAX] = {0};
	const char *key, *stored, *plain;
	char *pt;
	enum ef_err rc;

	ck_assert(json_object_object_get_ex(j, "cases", &cases));
	n = json_object_array_length(cases);
	ck_assert_uint_eq(n, 108);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(cases, i);
		key = jstr(c, "key");
		stored = jstr(c, "stored");
		plain = jstr(c, "plaintext");
		ck_assert(key && stored && plain);
		ck_assert_int_eq(
		    ef_legacy_new(key, strlen(key), engine_of(c), &lg), EF_OK);
		ck_assert_int_eq(
		    ef_value_kind((const uint8_t *)stored, strlen(stored)),
		    EF_KIND_LEGACY);
		rc = ef_legacy_decrypt(
		    lg, (const uint8_t *)stored, strlen(stored), &pt, &ptlen);
		ck_assert_msg(rc == EF_OK, "case %zu (%s): %s", i,
		    ef_legacy_engine_name(engine_of(c)), ef_strerror(rc));
		ck_assert_uint_eq(ptlen, strlen(plain));
		ck_assert_str_eq(pt, plain);
		ef_free_plain(pt, ptlen);
		done[engine_of(c)]++;
		/* The wrong passphrase never yields the plaintext. */
		ck_assert_int_eq(
		    ef_legacy_new("changeme3", 9, engine_of(c), &wrong), EF_OK);
		pt = NULL;
		rc = ef_legacy_decrypt(wrong, (const uint8_t *)stored,
		    strlen(stored), &pt, &ptlen);
		if (rc == EF_OK) {
			/* Unauthenticated CBC may unpad garbage by luck. */
			ck_assert(engine_of(c) != EF_LEGACY_AES_GCM &&
			    engine_of(c) != EF_LEGACY_FERNET);
			ck_assert(ptlen != strlen(plain) ||
			    memcmp(pt, plain, ptlen) != 0);
			ef_free_plain(pt, ptlen);
		} else
			ck_assert(rc == EF_ERR_AUTH || rc == EF_ERR_MALFORMED);
		ef_legacy_free(wrong);
		ef_legacy_free(lg);
	}
	for (i = 0; i < EF_LEGACY__MAX; i++)
		ck_assert_uint_eq(done[i], 18);
	json_object_put(j);
}
END_TEST

/* The example row of flask-encrypted-db's README. */
START_TEST(test_legacy_boilerplate_row)
{
	static const char hexv[] =
	    "6a7339557661434f354b4861366e3857526a35783066724765464e2b6e6947"
	    "64635762544e52445646446b3d";
	struct ef_legacy *lg;
	enum ef_legacy_engine e;
	uint8_t *v;
	size_t len, ptlen;
	char *pt;

	ck_assert_int_eq(ef_legacy_engine_parse("aes-cbc-pkcs5", &e), EF_OK);
	ck_assert_int_eq(ef_legacy_new("changeme2", 9, e, &lg), EF_OK);
	v = unhex(hexv, &len);
	ck_assert_int_eq(ef_legacy_decrypt(lg, v, len, &pt, &ptlen), EF_OK);
	ck_assert_str_eq(pt, "admin@example.com");
	ef_free_plain(pt, ptlen);
	free(v);
	ef_legacy_free(lg);
}
END_TEST

static const struct {
	enum ef_legacy_engine engine;
	const char *stored;
	enum ef_err rc;
} legacy_bad[] = {
    {EF_LEGACY_AES_CBC_PKCS5, "", EF_ERR_MALFORMED},
    {EF_LEGACY_AES_CBC_PKCS5, "js9UvaCO5KHa6n8WRj5x0frGeFN+niGdcWbTNRDVFDk",
        EF_ERR_MALFORMED}, /* padding removed */
    {EF_LEGACY_AES_CBC_PKCS5,
        "js9UvaCO5KHa6n8WRj5x0frGeFN+niGdcWbTNRDVFD==", EF_ERR_MALFORMED},
    {EF_LEGACY_AES_CBC_PKCS5, "js9UvaCO5KHa6n8WRj5x0frGeFN+niGdcWbTNRDV",
        EF_ERR_MALFORMED}, /* 30 bytes: not whole blocks */
    {EF_LEGACY_AES_CBC_PKCS5, "js9UvaCO5KHa6n8WRj5x0Q==", EF_ERR_MALFORMED},
    {EF_LEGACY_AES_CBC_PKCS5,
        " js9UvaCO5KHa6n8WRj5x0frGeFN+niGdcWbTNRDVFDk=", EF_ERR_MALFORMED},
    {EF_LEGACY_AES_CBC_PKCS5, "js9UvaCO5KHa6n8WRj5x0frGeFN-niGdcWbTNRDVFDk=",
        EF_ERR_MALFORMED}, /* URL-safe character */
    /* A naive-padded value read as pkcs5: its padding is '*' bytes. */
    {EF_LEGACY_AES_CBC_PKCS5,
        "js9UvaCO5KHa6n8WRj5x0Sak6/TlY5s/1uhmUJ89m3o=", EF_ERR_MALFORMED},
    /* A pkcs5 value read as oneandzeroes: no 0x80 before the zeros. */
    {EF_LEGACY_AES_CBC_ONEANDZEROES,
        "js9UvaCO5KHa6n8WRj5x0frGeFN+niGdcWbTNRDVFDk=", EF_ERR_MALFORMED},
    /* A pkcs5 value read as naive: no '*' at the end. */
    {EF_LEGACY_AES_CBC_NAIVE,
        "js9UvaCO5KHa6n8WRj5x0frGeFN+niGdcWbTNRDVFDk=", EF_ERR_MALFORMED},
    {EF_LEGACY_AES_GCM, "nbaNHXWA7ag5KJedll5A7E/9uQmIMPkHsxtwhj9e0XQWesuk",
        EF_ERR_AUTH}, /* ciphertext cut */
    {EF_LEGACY_AES_GCM,
        "tAKt+NItMVrH7Kt2wQovRRqXGuydY0qP8PSJiSi04fGN1h==", EF_ERR_MALFORMED},
    /* non-canonical base64 (trailing bits set) */ /* non-canonical base64 */
    {EF_LEGACY_AES_GCM,
        "nbaNHXWA7ag5KJedll5A7E/9uQmIMPkHsxtwhj9e0XQWesuk7G2"
        "WpzDlbXKO",
        EF_ERR_AUTH}, /* last ciphertext byte changed */
    {EF_LEGACY_AES_GCM, "nbaNHXWA7ag5KJedll5A7E/9uQmIMPkHsxtw",
        EF_ERR_MALFORMED}, /* 27 bytes: shorter than nonce and tag */
    {EF_LEGACY_AES_GCM, "nbaNHXWA7ag5KJedll5A7E/9uQmIMPkHsxtwhg==",
        EF_ERR_AUTH}, /* nonce and tag of another value, no ciphertext */
    {EF_LEGACY_FERNET,
        "gAAAAABrDDmniKYAlviR8xMlDMgjuY64IAW7_8moI_ha8_karO-"
        "VAaJAhFJTEaW9AyV6JJ_"
        "5Q1N_ayQqXZEqgEJ1v8GoTgTQ8g2kIGDPqNM9LYk-mosDoxk=",
        EF_OK},
    {EF_LEGACY_FERNET,
        "gAAAAABrDDmniKYAlviR8xMlDMgjuY64IAW7_8moI_ha8_karO-"
        "VAaJAhFJTEaW9AyV6JJ_"
        "5Q1N_ayQqXZEqgEJ1v8GoTgTQ8g2kIGDPqNM9LYk-mosDoxg=",
        EF_ERR_AUTH}, /* HMAC changed */
    {EF_LEGACY_FERNET,
        "gAAAAABrDDmniKYAlviR8xMlDMgjuY64IAW7_8moI_ha8_karO-"
        "VAaJAhFJTEaW9AyV6JJ_"
        "5Q1N_ayQqXZEqgEJ1v8GoTgTQ8g2kIGDPqNM9LYk-mosDoxk",
        EF_ERR_MALFORMED}, /* unpadded */
    {EF_LEGACY_FERNET,
        "gAAAAABrDDmniKYAlviR8xMlDMgjuY64IAW7/8moI/ha8/"
        "karO+VAaJAhFJTEaW9AyV6JJ/"
        "5Q1N/ayQqXZEqgEJ1v8GoTgTQ8g2kIGDPqNM9LYk+mosDoxk=",
        EF_ERR_MALFORMED}, /* standard alphabet */
    {EF_LEGACY_FERNET,
        "gQAAAABrDDmniKYAlviR8xMlDMgjuY64IAW7_8moI_ha8_karO-"
        "VAaJAhFJTEaW9AyV6JJ_"
        "5Q1N_ayQqXZEqgEJ1v8GoTgTQ8g2kIGDPqNM9LYk-mosDoxk=",
        EF_ERR_MALFORMED}, /* version byte 0x81 */
    {EF_LEGACY_FERNET, "gAAAAABrDDmn", EF_ERR_MALFORMED},
};

START_TEST(test_legacy_malformed)
{
	struct ef_legacy *lg;
	size_t ptlen;
	char *pt = NULL;
	enum ef_err rc;

	ck_assert_int_eq(
	    ef_legacy_new("changeme2", 9, legacy_bad[_i].engine, &lg), EF_OK);
	rc = ef_legacy_decrypt(lg, (const uint8_t *)legacy_bad[_i].stored,
	    strlen(legacy_bad[_i].stored), &pt, &ptlen);
	ck_assert_msg(rc == legacy_bad[_i].rc, "%s \"%s\": %s",
	    ef_legacy_engine_name(legacy_bad[_i].engine), legacy_bad[_i].stored,
	    ef_strerror(rc));
	if (rc == EF_OK) {
		ck_assert_str_eq(pt, "admin@example.com");
		ef_free_plain(pt, ptlen);
	} else
		ck_assert_ptr_null(pt);
	ef_legacy_free(lg);
}
END_TEST

START_TEST(test_legacy_engines)
{
	enum ef_legacy_engine e, back;
	struct ef_legacy *lg = NULL;

	for (e = 0; e < EF_LEGACY__MAX; e++) {
		ck_assert_int_eq(
		    ef_legacy_engine_parse(ef_legacy_engine_name(e), &back),
		    EF_OK);
		ck_assert_int_eq(back, e);
	}
	ck_assert_int_eq(ef_legacy_engine_parse("aes", &back), EF_ERR_ENGINE);
	ck_assert_int_eq(
	    ef_legacy_engine_parse("AES-GCM", &back), EF_ERR_ENGINE);
	ck_assert_int_eq(ef_legacy_engine_parse("", &back), EF_ERR_ENGINE);
	ck_assert_str_eq(ef_legacy_engine_name(EF_LEGACY__MAX), "unknown");
	ck_assert_int_eq(
	    ef_legacy_new("x", 1, EF_LEGACY__MAX, &lg), EF_ERR_ARG);
	ck_assert_ptr_null(lg);
	ef_legacy_free(NULL);
}
END_TEST

/* ---- passwords -------------------------------------------------------- */

/* RFC 9106 section 5.3: Argon2id with secret and associated data. */
START_TEST(test_argon2id_rfc9106)
{
	uint8_t pw[32], salt[16], secret[8], ad[12], out[32];

	memset(pw, 0x01, sizeof(pw));
	memset(salt, 0x02, sizeof(salt));
	memset(secret, 0x03, sizeof(secret));
	memset(ad, 0x04, sizeof(ad));
	ck_assert_int_eq(
	    efi_argon2id(pw, sizeof(pw), salt, sizeof(salt), secret,
	        sizeof(secret), ad, sizeof(ad), 3, 32, 4, out, sizeof(out)),
	    EF_OK);
	ck_hex_eq(out, 32,
	    "0d640df58d78766c08c037a34a8b53c9"
	    "d01ef0452d75b65eb52520e96b01e659");
	ck_assert_int_eq(
	    efi_argon2id(pw, 32, salt, 16, NULL, 0, NULL, 0, 3, 31, 4, out, 32),
	    EF_ERR_ARG); /* m < 8p */
	ck_assert_int_eq(
	    efi_argon2id(pw, 32, salt, 7, NULL, 0, NULL, 0, 3, 32, 4, out, 32),
	    EF_ERR_ARG); /* salt too short */
}
END_TEST

/* PBKDF2-HMAC-SHA512 published vectors (the RFC 6070 inputs). */
static const struct {
	const char *pw, *salt;
	unsigned long iter;
	const char *dk;
} pbkdf2_cases[] = {
    {"password", "salt", 1,
        "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
        "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce"},
    {"password", "salt", 2,
        "e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53c"
        "f76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e"},
    {"password", "salt", 4096,
        "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5"
        "143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5"},
    {"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
        "8c0511f4c6e597c6ac6315d8f0362e225f3c501495ba23b868c005174dc4ee71"
        "115b59f9e60cd9532fa33e0f75aefe30225c583a186cd82bd4daea9724a3d3b8"},
};

START_TEST(test_pbkdf2_sha512)
{
	uint8_t out[64];

	ck_assert_int_eq(
	    efi_pbkdf2_sha512(pbkdf2_cases[_i].pw, strlen(pbkdf2_cases[_i].pw),
	        pbkdf2_cases[_i].salt, strlen(pbkdf2_cases[_i].salt),
	        pbkdf2_cases[_i].iter, out, 64),
	    EF_OK);
	ck_hex_eq(out, 64, pbkdf2_cases[_i].dk);
}
END_TEST

/* Every boilerplate hash verifies; a wrong password does not. */
START_TEST(test_pw_legacy_vectors)
{
	json_object *j = vectors(), *hashes, *h;
	size_t i, n;
	const char *pw, *hash, *sk;
	char upper[129];
	int match;

	ck_assert(json_object_object_get_ex(j, "password_hashes", &hashes));
	n = json_object_array_length(hashes);
	ck_assert_uint_ge(n, 4);
	for (i = 0; i < n; i++) {
		h = json_object_array_get_idx(hashes, i);
		pw = jstr(h, "password");
		hash = jstr(h, "hash");
		sk = jstr(h, "secret_key");
		ck_assert(pw && hash && sk);
		match = -1;
		ck_assert_int_eq(
		    ef_pw_verify(pw, strlen(pw), hash, sk, strlen(sk), &match),
		    EF_OK);
		ck_assert_msg(match == 1, "hash %zu does not verify", i);
		ck_assert_int_eq(
		    ef_pw_verify("wrong", 5, hash, sk, strlen(sk), &match),
		    EF_OK);
		ck_assert_int_eq(match, 0);
		/* Another SECRET_KEY, another hash. */
		ck_assert_int_eq(
		    ef_pw_verify(pw, strlen(pw), hash, "changeme2", 9, &match),
		    EF_OK);
		ck_assert_int_eq(match, 0);
		ck_assert_int_eq(
		    ef_pw_verify(pw, strlen(pw), hash, NULL, 0, &match),
		    EF_ERR_NO_LEGACY);
		ck_assert_int_eq(match, 0);
		ck_assert_int_eq(ef_pw_needs_rehash(hash), 1);
		if (i == 0) {
			size_t k;

			for (k = 0; k < 128; k++)
				upper[k] = hash[k] >= 'a' && hash[k] <= 'f'
				    ? (char)(hash[k] - 32)
				    : hash[k];
			upper[128] = '\0';
			ck_assert_int_eq(ef_pw_verify(pw, strlen(pw), upper, sk,
			                     strlen(sk), &match),
			    EF_OK);
			ck_assert_int_eq(match, 1);
		}
	}
	json_object_put(j);
}
END_TEST

START_TEST(test_pw_hash_verify)
{
	static const char *const pws[] = {
	    "password", "p", "pässwörd", "correct horse battery staple"};
	char h[EF_PW_HASH_MAX], h2[EF_PW_HASH_MAX];
	int match;
	size_t i;

	for (i = 0; i < sizeof(pws) / sizeof(pws[0]); i++) {
		ck_assert_int_eq(ef_pw_hash(pws[i], strlen(pws[i]), h), EF_OK);
		ck_assert_msg(
		    strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0,
		    "%s", h);
		/* 16-byte salt: 22 characters; 32-byte hash: 43. */
		ck_assert_uint_eq(strlen(h), 31 + 22 + 1 + 43);
		ck_assert_int_eq(ef_pw_needs_rehash(h), 0);
		ck_assert_int_eq(
		    ef_pw_verify(pws[i], strlen(pws[i]), h, NULL, 0, &match),
		    EF_OK);
		ck_assert_int_eq(match, 1);
		ck_assert_int_eq(
		    ef_pw_verify("passwore", 8, h, NULL, 0, &match), EF_OK);
		ck_assert_int_eq(match, 0);
		/* Fresh salt each time. */
		ck_assert_int_eq(ef_pw_hash(pws[i], strlen(pws[i]), h2), EF_OK);
		ck_assert_str_ne(h, h2);
	}
}
END_TEST

static const struct {
	const char *stored;
	enum ef_err rc; /* verifying "password" */
	int match;      /* if EF_OK */
	int rehash;     /* ef_pw_needs_rehash */
} phc_cases[] = {
    /* Debian argon2 CLI: printf password | argon2 somesalt -id -t 2
     * -k 19456 -p 1 -l 32 -e */
    {"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_OK, 1, 1}, /* 8-byte salt: below ours, so rehash */
    /* ... -t 3 -m 12 -p 2 -l 32 -e */
    {"$argon2id$v=19$m=4096,t=3,p=2$c29tZXNhbHQ$"
     "LpPABDeb1KgKypkPHbjfNPxMj3dnGUCphtUM0xpkh/U",
        EF_OK, 1, 1},
    {"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2F",
        EF_ERR_PW_FORMAT, 0, 1}, /* non-canonical last character */
    {"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$"
     "QL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_OK, 0, 1}, /* hash changed */
    {"$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1},
    {"$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1},
    {"$argon2id$m=19456,t=2,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1}, /* no version */
    {"$argon2id$v=19$m=019456,t=2,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1}, /* leading zero */
    {"$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1}, /* 4 GiB: beyond the bound */
    {"$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1},
    {"$argon2id$v=19$m=19456,t=2,p=1$c29tZQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1}, /* 4-byte salt */
    {"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ=$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1}, /* padded salt */
    {"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$PL01amPy", EF_ERR_PW_FORMAT, 0,
        1}, /* 6-byte hash */
    {"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E$",
        EF_ERR_PW_FORMAT, 0, 1},
    {"60374fa84f18f9bc851ef6929bf090088644eab3a0003181e9cc05b2946da74412e1"
     "35b2c04d06a02bc7fc89a3aa834b2f984c117fa29ee47ab7b2b7e737244",
        EF_ERR_PW_FORMAT, 0, 1}, /* 127 hex digits */
    {"60374fa84f18f9bc851ef6929bf090088644eab3a0003181e9cc05b2946da74412e1"
     "35b2c04d06a02bc7fc89a3aa834b2f984c117fa29ee47ab7b2b7e73724490",
        EF_ERR_PW_FORMAT, 0, 1}, /* 129 */
    {"", EF_ERR_PW_FORMAT, 0, 1},
    {"password", EF_ERR_PW_FORMAT, 0, 1},
    /* Cost bounds: m <= 256 MiB, t <= 16, m * t <= 1 GiB, p <= 16. */
    {"$argon2id$v=19$m=262145,t=1,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1},
    {"$argon2id$v=19$m=19456,t=17,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1},
    {"$argon2id$v=19$m=131072,t=9,p=1$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1},
    {"$argon2id$v=19$m=19456,t=2,p=17$c29tZXNhbHQ$"
     "PL01amPyeUuxG7H0vIr5X+qHkZvWnHmGBGXFYvh8z2E",
        EF_ERR_PW_FORMAT, 0, 1},
};

START_TEST(test_phc_table)
{
	int match = -1;

	ck_assert_int_eq(
	    ef_pw_verify("password", 8, phc_cases[_i].stored, "k", 1, &match),
	    phc_cases[_i].rc);
	ck_assert_int_eq(
	    match, phc_cases[_i].rc == EF_OK ? phc_cases[_i].match : 0);
	ck_assert_int_eq(
	    ef_pw_needs_rehash(phc_cases[_i].stored), phc_cases[_i].rehash);
}
END_TEST

START_TEST(test_pw_args)
{
	char h[EF_PW_HASH_MAX];
	int match;

	ck_assert_int_eq(ef_pw_hash(NULL, 3, h), EF_ERR_ARG);
	/* libgcrypt 1.10 cannot hash an empty password with Argon2... */
	ck_assert_int_eq(ef_pw_hash("", 0, h), EF_ERR_ARG);
	/* ...so an empty password never matches an Argon2 hash. */
	ck_assert_int_eq(ef_pw_hash("x", 1, h), EF_OK);
	match = -1;
	ck_assert_int_eq(ef_pw_verify("", 0, h, NULL, 0, &match), EF_OK);
	ck_assert_int_eq(match, 0);
	ck_assert_int_eq(ef_pw_hash("x", 1, NULL), EF_ERR_ARG);
	ck_assert_int_eq(
	    ef_pw_verify("x", 1, NULL, NULL, 0, &match), EF_ERR_ARG);
	ck_assert_int_eq(ef_pw_verify("x", 1, "x", NULL, 0, NULL), EF_ERR_ARG);
	ck_assert_int_eq(ef_pw_hash_salt("x", 1, "short", 5, h), EF_ERR_ARG);
	ck_assert_int_eq(ef_pw_needs_rehash(NULL), 1);
}
END_TEST

/* ---- garbage in: errors, never crashes ------------------------------- */

/*
 * Random and mutated inputs into every parser: each must return one of its
 * documented errors (or succeed, where luck allows), and never read out of
 * bounds (the sanitizer and valgrind runs check that). EF_TEST_FUZZ sets
 * the number of rounds (default 3000).
 */
static size_t
fuzz_rounds(void)
{
	const char *env = getenv("EF_TEST_FUZZ");

	return env != NULL && *env != '\0' ? strtoul(env, NULL, 10) : 3000;
}

/* Fill buf with len bytes drawn mostly from alphabet, sometimes any byte. */
static void
fuzz_fill(uint8_t *buf, size_t len, const char *alphabet)
{
	size_t i, n = strlen(alphabet);
	uint8_t r[2];

	for (i = 0; i < len; i++) {
		ef_random(r, sizeof(r));
		buf[i] = r[0] < 16 ? r[1] : (uint8_t)alphabet[r[1] % n];
	}
}

START_TEST(test_fuzz_values)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                          "qrstuvwxyz0123456789+/=-_";
	struct ef_keyring *kr = ring("1:" KEY1);
	struct ef_legacy *lg[EF_LEGACY__MAX];
	uint8_t *v, *good, len8;
	size_t rounds = fuzz_rounds(), r, len, goodlen, ptlen, e;
	char *pt;
	enum ef_err rc;
	uint16_t id;

	for (e = 0; e < EF_LEGACY__MAX; e++)
		ck_assert_int_eq(ef_legacy_new("changeme2", 9,
		                     (enum ef_legacy_engine)e, &lg[e]),
		    EF_OK);
	ck_assert_int_eq(
	    ef_encrypt(kr, "users.email", uuid_a, "a@b.co", 6, &good, &goodlen),
	    EF_OK);
	for (r = 0; r < rounds; r++) {
		ef_random(&len8, 1);
		len = len8 % 160;
		/* Exactly sized heap blocks: any overread is caught. */
		v = malloc(len > 0 ? len : 1);
		ck_assert_ptr_nonnull(v);
		fuzz_fill(v, len, b64);
		if (r % 3 == 0 && len >= 2) {
			v[0] = 0xef;
			v[1] = 0x01;
		}
		pt = NULL;
		rc = ef_decrypt(kr, "users.email", uuid_a, v, len, &pt, &ptlen);
		ck_assert_msg(rc == EF_ERR_MALFORMED || rc == EF_ERR_AUTH ||
		        rc == EF_ERR_UNKNOWN_KEY,
		    "ef_decrypt: %s", ef_strerror(rc));
		ck_assert_ptr_null(pt);
		(void)ef_value_kind(v, len);
		rc = ef_value_key_id(v, len, &id);
		ck_assert(rc == EF_OK || rc == EF_ERR_MALFORMED);
		for (e = 0; e < EF_LEGACY__MAX; e++) {
			pt = NULL;
			rc = ef_legacy_decrypt(lg[e], v, len, &pt, &ptlen);
			if (rc == EF_OK) {
				/* Unauthenticated CBC can unpad noise. */
				ck_assert_int_lt(e, EF_LEGACY_AES_GCM);
				ck_assert_int_eq(pt[ptlen], '\0');
				ef_free_plain(pt, ptlen);
			} else {
				ck_assert_msg(
				    rc == EF_ERR_MALFORMED || rc == EF_ERR_AUTH,
				    "%s: %s",
				    ef_legacy_engine_name(
				        (enum ef_legacy_engine)e),
				    ef_strerror(rc));
				ck_assert_ptr_null(pt);
			}
		}
		free(v);
		/* A good value cut anywhere, or with one random byte set. */
		len = r % (goodlen + 1);
		v = malloc(goodlen);
		memcpy(v, good, goodlen);
		pt = NULL;
		rc = ef_decrypt(kr, "users.email", uuid_a, v, len, &pt, &ptlen);
		ck_assert(len == goodlen
		        ? rc == EF_OK
		        : rc == EF_ERR_MALFORMED || rc == EF_ERR_AUTH);
		ef_free_plain(pt, ptlen);
		free(v);
	}
	for (e = 0; e < EF_LEGACY__MAX; e++)
		ef_legacy_free(lg[e]);
	free(good);
	ef_keyring_free(kr);
}
END_TEST

START_TEST(test_fuzz_text)
{
	static const char kr_alpha[] = "0123456789:, \tAQIDBAUGBwgJCgsMDQ4PEBES"
	                               "ExQVFhcYGRobHB0eHw=+/";
	static const char phc_alpha[] = "$argon2id$v=19$m=19456,t=2,p=1$c29tZQ"
	                                "0123456789abcdef";
	size_t rounds = fuzz_rounds() / 3, r, len, where, outlen;
	struct ef_keyring *kr;
	struct ef_index_key *ik;
	char *s;
	uint8_t len8, u[16], *out;
	int match;
	enum ef_err rc;

	for (r = 0; r < rounds; r++) {
		ef_random(&len8, 1);
		len = len8 % 120;
		s = malloc(len + 1);
		ck_assert_ptr_nonnull(s);
		fuzz_fill((uint8_t *)s, len, r % 2 ? kr_alpha : phc_alpha);
		s[len] = '\0';
		kr = NULL;
		rc = ef_keyring_parse(s, &kr, &where);
		ck_assert(rc == EF_OK ||
		    (((rc >= EF_ERR_KEY_NONE && rc <= EF_ERR_KEY_DUP) ||
		         rc == EF_ERR_KEY_REUSED) &&
		        kr == NULL));
		ef_keyring_free(kr);
		ik = NULL;
		rc = ef_index_key_parse(s, &ik);
		ck_assert(rc == EF_OK ||
		    (rc >= EF_ERR_KEY_NONE && rc <= EF_ERR_KEY_DUP &&
		        ik == NULL));
		ef_index_key_free(ik);
		/* Bound the Argon2 work: only short-cost PHC strings run. */
		if (strstr(s, "m=") == NULL || strstr(s, "m=19456") != NULL) {
			rc = ef_pw_verify("password", 8, s, "k", 1, &match);
			ck_assert(rc == EF_OK || rc == EF_ERR_PW_FORMAT);
		}
		(void)ef_pw_needs_rehash(s);
		(void)ef_uuid_parse(s, u);
		out = NULL;
		rc = ef_base64_decode(s, len, &out, &outlen);
		ck_assert(rc == EF_OK || (rc == EF_ERR_MALFORMED && !out));
		free(out);
		free(s);
	}
}
END_TEST

/* ---- the suite -------------------------------------------------------- */

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
encfield_suite(void)
{
	Suite *s = suite_create("encfield");
	TCase *tc;

	tc = tcase_create("util");
	tcase_add_test(tc, test_strerror);
	tcase_add_loop_test(tc, test_base64_table, 0, N(b64_cases));
	tcase_add_test(tc, test_base64_roundtrip);
	tcase_add_loop_test(tc, test_uuid_table, 0, N(uuid_cases));
	tcase_add_test(tc, test_uuid_v4);
	tcase_add_test(tc, test_ct_equal_wipe);
	suite_add_tcase(s, tc);

	tc = tcase_create("hkdf");
	tcase_add_loop_test(tc, test_hkdf_rfc5869, 0, N(hkdf_cases));
	tcase_add_test(tc, test_hkdf_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("gcm");
	tcase_add_loop_test(tc, test_gcm_nist, 0, N(gcm_cases));
	tcase_add_test(tc, test_gcm_short_tags);
	suite_add_tcase(s, tc);

	tc = tcase_create("keyring");
	tcase_add_loop_test(tc, test_keyring_table, 0, N(kr_cases));
	tcase_add_test(tc, test_keyring_add);
	tcase_add_loop_test(tc, test_index_key_table, 0, N(ik_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("v1");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_v1_roundtrip, 0, N(v1_plain));
	tcase_add_test(tc, test_v1_construction);
	tcase_add_test(tc, test_v1_tamper);
	tcase_add_test(tc, test_envelope);
	tcase_add_test(tc, test_v1_moved);
	tcase_add_test(tc, test_v1_columns);
	tcase_add_test(tc, test_v1_many_keys);
	tcase_add_test(tc, test_v1_short_tags);
	tcase_add_test(tc, test_v1_keys);
	tcase_add_loop_test(tc, test_value_kind, 0, N(kind_cases));
	tcase_add_test(tc, test_v1_args);
	tcase_add_test(tc, test_v1_nonces);
	tcase_add_test(tc, test_blind_index);
	suite_add_tcase(s, tc);

	tc = tcase_create("legacy");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_legacy_vectors);
	tcase_add_test(tc, test_legacy_boilerplate_row);
	tcase_add_loop_test(tc, test_legacy_malformed, 0, N(legacy_bad));
	tcase_add_test(tc, test_legacy_engines);
	suite_add_tcase(s, tc);

	tc = tcase_create("pw");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_argon2id_rfc9106);
	tcase_add_loop_test(tc, test_pbkdf2_sha512, 0, N(pbkdf2_cases));
	tcase_add_test(tc, test_pw_legacy_vectors);
	tcase_add_test(tc, test_pw_hash_verify);
	tcase_add_loop_test(tc, test_phc_table, 0, N(phc_cases));
	tcase_add_test(tc, test_pw_args);
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_fuzz_values);
	tcase_add_test(tc, test_fuzz_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (ef_init() != EF_OK) {
		fprintf(stderr, "ef_init failed\n");
		return 99;
	}
	sr = srunner_create(encfield_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
