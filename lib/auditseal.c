/*
 * auditseal.c -- the evidence that makes the audit trail tamper-evident:
 * a hash chain over the entries in seq order, computed off the request
 * path by `encdb audit seal`, and signed checkpoints (Ed25519, RFC 8032,
 * through libgcrypt) that are kept outside the database.
 *
 * The chain walks every seq number from 1. A present entry and a run of
 * missing numbers (a gap: a rolled-back transaction took them) each make
 * one step:
 *
 *	entry:	h = SHA-256("E" || h' || be64(seq) || be64(at) || f(actor) ||
 *		    f(subject) || f(route) || f(action) || f(client_addr) ||
 *		    f(detail))
 *	gap:	h = SHA-256("G" || h' || be64(first) || be64(last))
 *
 * with h' the previous step's hash (32 zero bytes before the first), at
 * the timestamp as PostgreSQL stores it (microseconds since 2000-01-01
 * UTC), f(NULL) = 0xFF and f(s) = 0x00 || be32(length) || s. A gap run
 * ends at the next present entry or at a checkpoint's seq, so the sealer
 * and the verifier cut runs at the same places. The encoding is computed
 * here from the raw column values, never by the database, which may be
 * the adversary.
 *
 * A checkpoint is one line of text:
 *
 *	audit-checkpoint v1 seq=N prev=M entries=C hash=HEX time=T key=K sig=S
 *
 * N: the chain covers seq 1..N; M: the seq of the checkpoint before it (0
 * for the first), so a removed line is seen; C: entries present in 1..N;
 * HEX: the chain hash at N; T: UTC time of sealing; K: the first 8 bytes
 * of SHA-256(public key), hex; S: base64 of the Ed25519 signature of the
 * line's text before " sig=".
 *
 * The erasure ledger reuses the keys, the signature and the line syntax:
 *
 *	erasure v1 seq=N user=UUID time=T prev=HEX key=K sig=S
 *
 * N: 1 for the first line, then one more per line; UUID: the erased
 * user's id (lowercase); T: the UTC time of the erasure; HEX: SHA-256 of
 * the previous line's text (64 zeros for the first), so that a removed,
 * inserted or reordered line breaks the chain; K and S as above.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gcrypt.h>

#include "encfield.h"
#include "extern.h"

#define CP_MAGIC "audit-checkpoint v1 "
#define EL_MAGIC "erasure v1 "

static const char *const cp_errs[AUDIT_CP__MAX] = {
    "ok",                                      /* AUDIT_CP_OK */
    "not a checkpoint line",                   /* AUDIT_CP_MALFORMED */
    "signed by another key",                   /* AUDIT_CP_KEY */
    "signature does not verify (line edited)", /* AUDIT_CP_SIGNATURE */
};

const char *
audit_cp_strerror(enum audit_cp_err e)
{
	if ((unsigned)e >= AUDIT_CP__MAX)
		return "unknown checkpoint error";
	return cp_errs[e];
}

void
audit_chain_init(struct audit_chain *c)
{
	memset(c, 0, sizeof(*c));
}

static void
put_be64(uint8_t out[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void
md_field(gcry_md_hd_t md, const char *s)
{
	uint8_t hdr[5];
	size_t n;

	if (s == NULL) {
		gcry_md_putc(md, 0xFF);
		return;
	}
	n = strlen(s);
	hdr[0] = 0x00;
	hdr[1] = (uint8_t)(n >> 24);
	hdr[2] = (uint8_t)(n >> 16);
	hdr[3] = (uint8_t)(n >> 8);
	hdr[4] = (uint8_t)n;
	gcry_md_write(md, hdr, sizeof(hdr));
	gcry_md_write(md, s, n);
}

/* Open a SHA-256 context over tag || the chain's current hash. */
static gcry_md_hd_t
step_open(const struct audit_chain *c, char tag)
{
	gcry_md_hd_t md;

	if (gcry_md_open(&md, GCRY_MD_SHA256, 0) != 0)
		return NULL;
	gcry_md_putc(md, tag);
	gcry_md_write(md, c->hash, AUDIT_HASH_LEN);
	return md;
}

static void
step_close(struct audit_chain *c, gcry_md_hd_t md)
{
	memcpy(c->hash, gcry_md_read(md, GCRY_MD_SHA256), AUDIT_HASH_LEN);
	gcry_md_close(md);
}

int
audit_chain_gap(struct audit_chain *c, int64_t last)
{
	uint8_t b[16];
	gcry_md_hd_t md;

	if (last <= c->seq)
		return 0;
	if ((md = step_open(c, 'G')) == NULL)
		return -1;
	put_be64(b, (uint64_t)(c->seq + 1));
	put_be64(b + 8, (uint64_t)last);
	gcry_md_write(md, b, sizeof(b));
	step_close(c, md);
	c->seq = last;
	return 0;
}

int
audit_chain_add(struct audit_chain *c, const struct audit_row *r)
{
	uint8_t b[16];
	gcry_md_hd_t md;

	if (r->seq <= c->seq || audit_chain_gap(c, r->seq - 1) == -1)
		return -1;
	if ((md = step_open(c, 'E')) == NULL)
		return -1;
	put_be64(b, (uint64_t)r->seq);
	put_be64(b + 8, (uint64_t)r->at);
	gcry_md_write(md, b, sizeof(b));
	md_field(md, r->actor);
	md_field(md, r->subject);
	md_field(md, r->route);
	md_field(md, r->action);
	md_field(md, r->client_addr);
	md_field(md, r->detail);
	step_close(c, md);
	c->seq = r->seq;
	c->entries++;
	return 0;
}

/* ---- Ed25519 --------------------------------------------------------- */

/* Copy the value of token name of s (exactly len bytes, or len + 1 with
 * the 0x40 prefix of a compressed point) into out. 0 or -1. */
static int
sexp_bytes(gcry_sexp_t s, const char *name, uint8_t *out, size_t len)
{
	gcry_sexp_t t;
	const char *p;
	size_t n = 0;
	int rc = -1;

	if ((t = gcry_sexp_find_token(s, name, 0)) == NULL)
		return -1;
	p = gcry_sexp_nth_data(t, 1, &n);
	if (p != NULL && n == len + 1 && (uint8_t)p[0] == 0x40) {
		p++;
		n--;
	}
	if (p != NULL && n == len) {
		memcpy(out, p, len);
		rc = 0;
	}
	gcry_sexp_release(t);
	return rc;
}

int
audit_key_generate(struct audit_signing_key *k)
{
	gcry_sexp_t parms = NULL, key = NULL;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	/*
	 * transient-key: the seed comes from GCRY_STRONG_RANDOM, as the field
	 * keys of ef_random do (libgcrypt 1.10's very strong level allocates
	 * a 128 KiB buffer that it never frees: LeakSanitizer reports it).
	 */
	if (ef_init() != EF_OK ||
	    gcry_sexp_build(&parms, NULL,
	        "(genkey (ecc (curve Ed25519) (flags eddsa "
	        "transient-key)))") != 0 ||
	    gcry_pk_genkey(&key, parms) != 0)
		goto out;
	if (sexp_bytes(key, "d", k->seed, AUDIT_KEY_LEN) == -1 ||
	    sexp_bytes(key, "q", k->pub, AUDIT_KEY_LEN) == -1)
		goto out;
	rc = 0;
out: /* the one cleanup */
	gcry_sexp_release(parms);
	gcry_sexp_release(key);
	if (rc == -1)
		ef_wipe(k, sizeof(*k));
	return rc;
}

void
audit_key_id(const uint8_t pub[AUDIT_KEY_LEN], uint8_t id[AUDIT_KEYID_LEN])
{
	uint8_t h[32];

	gcry_md_hash_buffer(GCRY_MD_SHA256, h, pub, AUDIT_KEY_LEN);
	memcpy(id, h, AUDIT_KEYID_LEN);
}

int
audit_sign(const struct audit_signing_key *k, const void *msg, size_t len,
    uint8_t sig[AUDIT_SIG_LEN])
{
	gcry_sexp_t sk = NULL, data = NULL, sv = NULL;
	int rc = -1;

	if (ef_init() != EF_OK ||
	    gcry_sexp_build(&sk, NULL,
	        "(private-key (ecc (curve Ed25519) (flags eddsa)"
	        " (q %b) (d %b)))",
	        AUDIT_KEY_LEN, k->pub, AUDIT_KEY_LEN, k->seed) != 0 ||
	    gcry_sexp_build(&data, NULL,
	        "(data (flags eddsa) (hash-algo sha512) (value %b))", (int)len,
	        msg) != 0 ||
	    gcry_pk_sign(&sv, data, sk) != 0)
		goto out;
	if (sexp_bytes(sv, "r", sig, 32) == -1 ||
	    sexp_bytes(sv, "s", sig + 32, 32) == -1)
		goto out;
	rc = 0;
out: /* the one cleanup */
	gcry_sexp_release(sk);
	gcry_sexp_release(data);
	gcry_sexp_release(sv);
	return rc;
}

int
audit_verify_sig(const uint8_t pub[AUDIT_KEY_LEN], const void *msg, size_t len,
    const uint8_t sig[AUDIT_SIG_LEN])
{
	gcry_sexp_t pk = NULL, data = NULL, sv = NULL;
	int ok = 0;

	if (ef_init() != EF_OK ||
	    gcry_sexp_build(&pk, NULL,
	        "(public-key (ecc (curve Ed25519) (flags eddsa)"
	        " (q %b)))",
	        AUDIT_KEY_LEN, pub) != 0 ||
	    gcry_sexp_build(&data, NULL,
	        "(data (flags eddsa) (hash-algo sha512) (value %b))", (int)len,
	        msg) != 0 ||
	    gcry_sexp_build(&sv, NULL, "(sig-val (eddsa (r %b) (s %b)))", 32,
	        sig, 32, sig + 32) != 0)
		goto out;
	ok = gcry_pk_verify(sv, data, pk) == 0;
out: /* the one cleanup */
	gcry_sexp_release(pk);
	gcry_sexp_release(data);
	gcry_sexp_release(sv);
	return ok;
}

/* Decode exactly n bytes of padded standard base64 from the len
 * characters at s. 0 or -1. */
static int
b64_exact(const char *s, size_t len, uint8_t *out, size_t n)
{
	uint8_t *buf = NULL;
	size_t got = 0;
	int rc = -1;

	if (ef_base64_decode(s, len, &buf, &got) != EF_OK)
		return -1;
	if (got == n) {
		memcpy(out, buf, n);
		rc = 0;
	}
	ef_wipe(buf, got);
	free(buf);
	return rc;
}

/* Encode n bytes as padded standard base64 into out (room for want
 * characters and a NUL, exactly). 0 or -1. */
static int
b64_fixed(const uint8_t *in, size_t n, char *out, size_t want)
{
	char *s = NULL;
	int rc = -1;

	if (ef_base64_encode(in, n, &s) != EF_OK)
		return -1;
	if (strlen(s) == want) {
		memcpy(out, s, want + 1);
		rc = 0;
	}
	free(s);
	return rc;
}

int
audit_key_parse_signing(const char *s, struct audit_signing_key *k)
{
	static const char probe[] = "audit signing key check";
	uint8_t raw[2 * AUDIT_KEY_LEN], sig[AUDIT_SIG_LEN];
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (s == NULL || b64_exact(s, strlen(s), raw, sizeof(raw)) == -1)
		goto out;
	memcpy(k->seed, raw, AUDIT_KEY_LEN);
	memcpy(k->pub, raw + AUDIT_KEY_LEN, AUDIT_KEY_LEN);
	/* The two halves must belong together. */
	if (audit_sign(k, probe, sizeof(probe) - 1, sig) == -1 ||
	    !audit_verify_sig(k->pub, probe, sizeof(probe) - 1, sig))
		goto out;
	rc = 0;
out: /* the one cleanup */
	ef_wipe(raw, sizeof(raw));
	if (rc == -1)
		ef_wipe(k, sizeof(*k));
	return rc;
}

int
audit_key_parse_verify(const char *s, uint8_t pub[AUDIT_KEY_LEN])
{
	return s == NULL ? -1 : b64_exact(s, strlen(s), pub, AUDIT_KEY_LEN);
}

char *
audit_key_format_signing(const struct audit_signing_key *k)
{
	uint8_t raw[2 * AUDIT_KEY_LEN];
	char *out = NULL;

	memcpy(raw, k->seed, AUDIT_KEY_LEN);
	memcpy(raw + AUDIT_KEY_LEN, k->pub, AUDIT_KEY_LEN);
	if (ef_base64_encode(raw, sizeof(raw), &out) != EF_OK)
		out = NULL;
	ef_wipe(raw, sizeof(raw));
	return out;
}

int
audit_key_format_verify(
    const uint8_t pub[AUDIT_KEY_LEN], char out[AUDIT_PUB_B64_LEN + 1])
{
	return b64_fixed(pub, AUDIT_KEY_LEN, out, AUDIT_PUB_B64_LEN);
}

/* ---- checkpoint lines ------------------------------------------------ */

static void
hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
unhex(const char *s, size_t slen, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (slen != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
		hi = hi >= '0' && hi <= '9'  ? hi - '0'
		    : hi >= 'a' && hi <= 'f' ? hi - 'a' + 10
		                             : -1;
		lo = lo >= '0' && lo <= '9'  ? lo - '0'
		    : lo >= 'a' && lo <= 'f' ? lo - 'a' + 10
		                             : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* The signed text of cp (everything before " sig="). -1 if too long. */
static int
cp_text(const struct audit_checkpoint *cp, char *out, size_t outsz)
{
	char h[2 * AUDIT_HASH_LEN + 1], kid[2 * AUDIT_KEYID_LEN + 1];
	int n;

	hex(cp->hash, AUDIT_HASH_LEN, h);
	hex(cp->keyid, AUDIT_KEYID_LEN, kid);
	n = snprintf(out, outsz,
	    CP_MAGIC "seq=%lld prev=%lld entries=%lld hash=%s "
	             "time=%s key=%s",
	    (long long)cp->seq, (long long)cp->prev, (long long)cp->entries, h,
	    cp->time, kid);
	return n < 0 || (size_t)n >= outsz ? -1 : n;
}

int
audit_checkpoint_format(struct audit_checkpoint *cp,
    const struct audit_signing_key *k, time_t now, char *line, size_t linesz)
{
	char b64[AUDIT_SIG_B64_LEN + 1];
	struct tm tm;
	int n;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(cp->time, sizeof(cp->time), "%Y-%m-%dT%H:%M:%SZ", &tm) ==
	        0)
		return -1;
	audit_key_id(k->pub, cp->keyid);
	if ((n = cp_text(cp, line, linesz)) == -1 ||
	    audit_sign(k, line, (size_t)n, cp->sig) == -1 ||
	    b64_fixed(cp->sig, AUDIT_SIG_LEN, b64, AUDIT_SIG_B64_LEN) == -1)
		return -1;
	if ((size_t)n + 5 + strlen(b64) + 1 > linesz)
		return -1;
	snprintf(line + n, linesz - (size_t)n, " sig=%s", b64);
	return 0;
}

/* Parse "name=<decimal>" at *p (advancing past a following space). */
static int
get_num(const char **p, const char *name, int64_t *out)
{
	size_t nl = strlen(name);
	long long v = 0;
	const char *s = *p;

	if (strncmp(s, name, nl) != 0 || s[nl] != '=')
		return -1;
	s += nl + 1;
	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s != ' ')
		return -1;
	*out = v;
	*p = s + 1;
	return 0;
}

/* Parse "name=<token>" at *p up to the next space (or the end); the token
 * is returned as a pointer and length into the line. */
static int
get_tok(const char **p, const char *name, const char **tok, size_t *len)
{
	size_t nl = strlen(name);
	const char *s = *p, *e;

	if (strncmp(s, name, nl) != 0 || s[nl] != '=')
		return -1;
	s += nl + 1;
	if ((e = strchr(s, ' ')) == NULL)
		e = s + strlen(s);
	*tok = s;
	*len = (size_t)(e - s);
	*p = *e == ' ' ? e + 1 : e;
	return 0;
}

enum audit_cp_err
audit_checkpoint_parse(const char *line, const uint8_t pub[AUDIT_KEY_LEN],
    struct audit_checkpoint *cp)
{
	char text[AUDIT_CP_LINE_MAX], b64[AUDIT_SIG_B64_LEN + 1];
	uint8_t kid[AUDIT_KEYID_LEN];
	const char *p = line, *tok;
	size_t len;
	int n;

	memset(cp, 0, sizeof(*cp));
	if (strncmp(p, CP_MAGIC, sizeof(CP_MAGIC) - 1) != 0)
		return AUDIT_CP_MALFORMED;
	p += sizeof(CP_MAGIC) - 1;
	if (get_num(&p, "seq", &cp->seq) == -1 ||
	    get_num(&p, "prev", &cp->prev) == -1 ||
	    get_num(&p, "entries", &cp->entries) == -1 ||
	    get_tok(&p, "hash", &tok, &len) == -1 ||
	    unhex(tok, len, cp->hash, AUDIT_HASH_LEN) == -1 ||
	    get_tok(&p, "time", &tok, &len) == -1 ||
	    len != sizeof(cp->time) - 1)
		return AUDIT_CP_MALFORMED;
	memcpy(cp->time, tok, len);
	if (get_tok(&p, "key", &tok, &len) == -1 ||
	    unhex(tok, len, cp->keyid, AUDIT_KEYID_LEN) == -1 ||
	    get_tok(&p, "sig", &tok, &len) == -1 || *p != '\0' ||
	    len != AUDIT_SIG_B64_LEN ||
	    b64_exact(tok, len, cp->sig, AUDIT_SIG_LEN) == -1 ||
	    cp->prev > cp->seq || cp->entries > cp->seq)
		return AUDIT_CP_MALFORMED;
	/* The line must be exactly what cp_text writes: one encoding. */
	if ((n = cp_text(cp, text, sizeof(text))) == -1 ||
	    strncmp(line, text, (size_t)n) != 0 ||
	    strncmp(line + n, " sig=", 5) != 0)
		return AUDIT_CP_MALFORMED;
	if (b64_fixed(cp->sig, AUDIT_SIG_LEN, b64, AUDIT_SIG_B64_LEN) == -1 ||
	    strcmp(line + n + 5, b64) != 0)
		return AUDIT_CP_MALFORMED;
	audit_key_id(pub, kid);
	if (memcmp(kid, cp->keyid, AUDIT_KEYID_LEN) != 0)
		return AUDIT_CP_KEY;
	if (!audit_verify_sig(pub, text, (size_t)n, cp->sig))
		return AUDIT_CP_SIGNATURE;
	return AUDIT_CP_OK;
}

/* ---- erasure ledger lines -------------------------------------------- */

void
erasure_line_hash(const char *line, uint8_t h[AUDIT_HASH_LEN])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, h, line, strlen(line));
}

/* The signed text of e (everything before " sig="). -1 if too long. */
static int
el_text(const struct erasure_line *e, char *out, size_t outsz)
{
	char h[2 * AUDIT_HASH_LEN + 1], kid[2 * AUDIT_KEYID_LEN + 1];
	int n;

	hex(e->prev, AUDIT_HASH_LEN, h);
	hex(e->keyid, AUDIT_KEYID_LEN, kid);
	n = snprintf(out, outsz,
	    EL_MAGIC "seq=%lld user=%s time=%s prev=%s key=%s",
	    (long long)e->seq, e->user, e->time, h, kid);
	return n < 0 || (size_t)n >= outsz ? -1 : n;
}

int
erasure_line_format(struct erasure_line *e, const struct audit_signing_key *k,
    char *line, size_t linesz)
{
	char b64[AUDIT_SIG_B64_LEN + 1], canon[37];
	uint8_t uuid[16];
	int n;

	if (e->seq < 1 || !ef_uuid_parse(e->user, uuid) ||
	    strlen(e->time) != sizeof(e->time) - 1)
		return -1;
	ef_uuid_format(uuid, canon);
	if (strcmp(canon, e->user) != 0)
		return -1;
	audit_key_id(k->pub, e->keyid);
	if ((n = el_text(e, line, linesz)) == -1 ||
	    audit_sign(k, line, (size_t)n, e->sig) == -1 ||
	    b64_fixed(e->sig, AUDIT_SIG_LEN, b64, AUDIT_SIG_B64_LEN) == -1)
		return -1;
	if ((size_t)n + 5 + strlen(b64) + 1 > linesz)
		return -1;
	snprintf(line + n, linesz - (size_t)n, " sig=%s", b64);
	return 0;
}

enum audit_cp_err
erasure_line_parse(
    const char *line, const uint8_t pub[AUDIT_KEY_LEN], struct erasure_line *e)
{
	char text[AUDIT_CP_LINE_MAX], b64[AUDIT_SIG_B64_LEN + 1];
	uint8_t kid[AUDIT_KEYID_LEN], uuid[16];
	char canon[37];
	const char *p = line, *tok;
	size_t len;
	int n;

	memset(e, 0, sizeof(*e));
	if (strncmp(p, EL_MAGIC, sizeof(EL_MAGIC) - 1) != 0)
		return AUDIT_CP_MALFORMED;
	p += sizeof(EL_MAGIC) - 1;
	if (get_num(&p, "seq", &e->seq) == -1 || e->seq < 1 ||
	    get_tok(&p, "user", &tok, &len) == -1 || len != sizeof(e->user) - 1)
		return AUDIT_CP_MALFORMED;
	memcpy(e->user, tok, len);
	if (!ef_uuid_parse(e->user, uuid))
		return AUDIT_CP_MALFORMED;
	/* One spelling of the UUID: lowercase, as ef_uuid_format writes. */
	ef_uuid_format(uuid, canon);
	if (strcmp(canon, e->user) != 0 ||
	    get_tok(&p, "time", &tok, &len) == -1 || len != sizeof(e->time) - 1)
		return AUDIT_CP_MALFORMED;
	memcpy(e->time, tok, len);
	if (get_tok(&p, "prev", &tok, &len) == -1 ||
	    unhex(tok, len, e->prev, AUDIT_HASH_LEN) == -1 ||
	    get_tok(&p, "key", &tok, &len) == -1 ||
	    unhex(tok, len, e->keyid, AUDIT_KEYID_LEN) == -1 ||
	    get_tok(&p, "sig", &tok, &len) == -1 || *p != '\0' ||
	    len != AUDIT_SIG_B64_LEN ||
	    b64_exact(tok, len, e->sig, AUDIT_SIG_LEN) == -1)
		return AUDIT_CP_MALFORMED;
	/* One encoding: the line must be exactly what el_text writes. */
	if ((n = el_text(e, text, sizeof(text))) == -1 ||
	    strncmp(line, text, (size_t)n) != 0 ||
	    strncmp(line + n, " sig=", 5) != 0)
		return AUDIT_CP_MALFORMED;
	if (b64_fixed(e->sig, AUDIT_SIG_LEN, b64, AUDIT_SIG_B64_LEN) == -1 ||
	    strcmp(line + n + 5, b64) != 0)
		return AUDIT_CP_MALFORMED;
	audit_key_id(pub, kid);
	if (memcmp(kid, e->keyid, AUDIT_KEYID_LEN) != 0)
		return AUDIT_CP_KEY;
	if (!audit_verify_sig(pub, text, (size_t)n, e->sig))
		return AUDIT_CP_SIGNATURE;
	return AUDIT_CP_OK;
}
