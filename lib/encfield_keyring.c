/*
 * encfield_keyring.c -- field keys and the blind-index key.
 *
 * A keyring holds 32-byte AES field keys, each under a numeric id; the
 * first key is the active one (used for writes), all of them decrypt. The
 * ring and its keys live in libgcrypt secure memory and are wiped when
 * freed. FIELD_KEYS values ("id:base64key,id:base64key") and INDEX_KEY
 * values (base64) are parsed here with one distinct error per mistake.
 *
 * The blind index of an email is HMAC-SHA256(index key, normalised email)
 * where normalised means trimmed of ASCII whitespace and A-Z lowercased:
 * equal emails (up to case and surrounding space) get equal indexes, so
 * the database can find and deduplicate them without decrypting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "encfield.h"
#include "encfield_impl.h"

/*
 * The ring itself (ordinary memory) points at its keys, each in its own
 * block of secure memory, so that adding a key never needs two copies of
 * the whole ring in the small secure pool at once.
 */
struct ef_keyring {
	size_t n;                   /* keys held */
	struct efi_fieldkey **keys; /* keys[0] is active */
};

struct ef_index_key {
	uint8_t key[EF_KEY_LEN];
	gcry_md_hd_t hmac; /* HMAC-SHA256 keyed with key, reset per use */
};

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* Trim ASCII whitespace from both ends of [*s, *s + *len). */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_space((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/*
 * Decode base64 key material straight into key (which is secure memory)
 * so that no copy of it lands in ordinary memory.
 */
static enum ef_err
key_decode(const char *s, size_t len, uint8_t key[EF_KEY_LEN])
{
	size_t n;

	if (!efi_b64_declen(s, len, EFI_B64_STD, &n))
		return EF_ERR_KEY_BASE64;
	if (n != EF_KEY_LEN)
		return EF_ERR_KEY_LENGTH;
	efi_b64_dec(s, len, EFI_B64_STD, key);
	return EF_OK;
}

/* Parse a key id: 1 to 5 decimal digits, value at most 65535. */
static enum ef_err
id_parse(const char *s, size_t len, uint16_t *id)
{
	uint32_t v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return EF_ERR_KEY_ID;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return EF_ERR_KEY_ID;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > UINT16_MAX)
		return EF_ERR_KEY_ID;
	*id = (uint16_t)v;
	return EF_OK;
}

/* 1 if key is the material of one of kr's keys (constant time each). */
static int
ring_holds(const struct ef_keyring *kr, const uint8_t key[EF_KEY_LEN])
{
	size_t i;
	int found = 0;

	for (i = 0; i < kr->n; i++)
		found |= ef_ct_equal(kr->keys[i]->key, key, EF_KEY_LEN);
	return found;
}

enum ef_err
ef_keyring_add(
    struct ef_keyring **kr, uint16_t id, const uint8_t key[EF_KEY_LEN])
{
	struct ef_keyring *ring;
	struct efi_fieldkey **keys, *fk;
	enum ef_err rc;

	if (kr == NULL || key == NULL)
		return EF_ERR_ARG;
	if ((rc = ef_init()) != EF_OK)
		return rc;
	if (*kr != NULL && ef_keyring_has(*kr, id))
		return EF_ERR_KEY_DUP;
	/* One key under two ids would give two names to the same secret. */
	if (*kr != NULL && ring_holds(*kr, key))
		return EF_ERR_KEY_REUSED;
	if ((ring = *kr) == NULL && (ring = calloc(1, sizeof(*ring))) == NULL)
		return EF_ERR_NOMEM;
	rc = EF_ERR_NOMEM;
	if (ring->n > UINT16_MAX ||
	    (keys = realloc(ring->keys, (ring->n + 1) * sizeof(*keys))) == NULL)
		goto out;
	ring->keys = keys;
	if ((fk = gcry_calloc_secure(1, sizeof(*fk))) == NULL)
		goto out;
	fk->id = id;
	memcpy(fk->key, key, EF_KEY_LEN);
	fk->gcm = NULL;
	fk->subcollen = 0;
	ring->keys[ring->n++] = fk;
	rc = EF_OK;
out: /* the one cleanup: a new, still empty ring goes */
	if (*kr == NULL) {
		if (rc == EF_OK)
			*kr = ring;
		else
			ef_keyring_free(ring);
	}
	return rc;
}

void
efi_keyring_drop_cache(const struct ef_keyring *kr)
{
	size_t i;

	if (kr == NULL)
		return;
	for (i = 0; i < kr->n; i++) {
		if (kr->keys[i]->gcm != NULL)
			gcry_cipher_close(kr->keys[i]->gcm);
		kr->keys[i]->gcm = NULL;
		kr->keys[i]->subcollen = 0;
	}
}

void
ef_keyring_free(struct ef_keyring *kr)
{
	size_t i;

	if (kr == NULL)
		return;
	efi_keyring_drop_cache(kr);
	for (i = 0; i < kr->n; i++) {
		ef_wipe(kr->keys[i], sizeof(*kr->keys[i]));
		gcry_free(kr->keys[i]);
	}
	free(kr->keys);
	free(kr);
}

enum ef_err
ef_keyring_parse(const char *value, struct ef_keyring **out, size_t *where)
{
	struct ef_keyring *kr = NULL;
	const char *p, *end, *comma, *colon, *e;
	size_t elen, entry = 0;
	uint16_t id;
	uint8_t *key = NULL;
	enum ef_err rc;

	if (where != NULL)
		*where = 0;
	if (out == NULL)
		return EF_ERR_ARG;
	*out = NULL;
	if (value == NULL)
		return EF_ERR_KEY_NONE;
	p = value;
	elen = strlen(value);
	trim(&p, &elen);
	if (elen == 0)
		return EF_ERR_KEY_NONE;
	if ((rc = ef_init()) != EF_OK)
		return rc;
	if ((key = gcry_malloc_secure(EF_KEY_LEN)) == NULL)
		return EF_ERR_NOMEM;
	end = p + elen;
	for (;;) {
		entry++;
		comma = memchr(p, ',', (size_t)(end - p));
		e = p;
		elen = (size_t)((comma != NULL ? comma : end) - p);
		trim(&e, &elen);
		colon = memchr(e, ':', elen);
		if (elen == 0 || colon == NULL) {
			rc = EF_ERR_KEY_SYNTAX;
			goto out;
		}
		if ((rc = id_parse(e, (size_t)(colon - e), &id)) != EF_OK)
			goto out;
		if ((rc = key_decode(colon + 1, elen - (size_t)(colon - e) - 1,
		         key)) != EF_OK)
			goto out;
		if ((rc = ef_keyring_add(&kr, id, key)) != EF_OK)
			goto out;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	entry = 0;
	*out = kr;
	kr = NULL;
	rc = EF_OK;
out: /* the one cleanup: wipe the scratch key, drop a half-built ring */
	ef_wipe(key, EF_KEY_LEN);
	gcry_free(key);
	ef_keyring_free(kr);
	if (where != NULL)
		*where = entry;
	return rc;
}

uint16_t
ef_keyring_active(const struct ef_keyring *kr)
{
	return kr == NULL || kr->n == 0 ? 0 : kr->keys[0]->id;
}

int
ef_keyring_has(const struct ef_keyring *kr, uint16_t id)
{
	return efi_keyring_entry(kr, id) != NULL;
}

size_t
ef_keyring_count(const struct ef_keyring *kr)
{
	return kr == NULL ? 0 : kr->n;
}

struct efi_fieldkey *
efi_keyring_entry(const struct ef_keyring *kr, uint16_t id)
{
	size_t i;

	if (kr == NULL)
		return NULL;
	for (i = 0; i < kr->n; i++)
		if (kr->keys[i]->id == id)
			return kr->keys[i];
	return NULL;
}

/* ---- Blind index ------------------------------------------------------ */

int
ef_index_key_in_ring(const struct ef_index_key *ik, const struct ef_keyring *kr)
{
	return ik != NULL && kr != NULL && ring_holds(kr, ik->key);
}

enum ef_err
ef_index_key_parse(const char *value, struct ef_index_key **out)
{
	struct ef_index_key *ik;
	const char *p;
	size_t len;
	enum ef_err rc;

	if (out == NULL)
		return EF_ERR_ARG;
	*out = NULL;
	if (value == NULL)
		return EF_ERR_KEY_NONE;
	p = value;
	len = strlen(value);
	trim(&p, &len);
	if (len == 0)
		return EF_ERR_KEY_NONE;
	if ((rc = ef_init()) != EF_OK)
		return rc;
	if ((ik = gcry_calloc_secure(1, sizeof(*ik))) == NULL)
		return EF_ERR_NOMEM;
	if ((rc = key_decode(p, len, ik->key)) != EF_OK) {
		ef_index_key_free(ik);
		return rc;
	}
	/* One keyed HMAC for the key's life; reset restores the key state. */
	if (gcry_md_open(&ik->hmac, GCRY_MD_SHA256,
	        GCRY_MD_FLAG_HMAC | GCRY_MD_FLAG_SECURE) != 0) {
		ik->hmac = NULL;
		ef_index_key_free(ik);
		return EF_ERR_CRYPTO;
	}
	if (gcry_md_setkey(ik->hmac, ik->key, EF_KEY_LEN) != 0) {
		ef_index_key_free(ik);
		return EF_ERR_CRYPTO;
	}
	*out = ik;
	return EF_OK;
}

void
ef_index_key_free(struct ef_index_key *ik)
{
	if (ik == NULL)
		return;
	if (ik->hmac != NULL)
		gcry_md_close(ik->hmac);
	ef_wipe(ik, sizeof(*ik));
	gcry_free(ik);
}

enum ef_err
ef_blind_index(const struct ef_index_key *ik, const char *email, size_t len,
    uint8_t out[EF_BIDX_LEN])
{
	const char *p = email;
	const unsigned char *res;
	char chunk[64];
	size_t i, n;

	if (ik == NULL || ik->hmac == NULL || (email == NULL && len > 0) ||
	    out == NULL)
		return EF_ERR_ARG;
	trim(&p, &len);
	gcry_md_reset(ik->hmac);
	/*
	 * Lowercase A-Z through a small stack buffer (the email is PII: it
	 * is wiped after), straight into the HMAC.
	 */
	while (len > 0) {
		n = len < sizeof(chunk) ? len : sizeof(chunk);
		for (i = 0; i < n; i++)
			chunk[i] = p[i] >= 'A' && p[i] <= 'Z'
			    ? (char)(p[i] - 'A' + 'a')
			    : p[i];
		gcry_md_write(ik->hmac, chunk, n);
		p += n;
		len -= n;
	}
	ef_wipe(chunk, sizeof(chunk));
	if ((res = gcry_md_read(ik->hmac, GCRY_MD_SHA256)) == NULL)
		return EF_ERR_CRYPTO;
	memcpy(out, res, EF_BIDX_LEN);
	gcry_md_reset(ik->hmac);
	return EF_OK;
}
