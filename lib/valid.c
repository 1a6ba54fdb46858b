/*
 * valid.c -- input validation, kcgi style. A route declares its inputs in
 * one table of struct field (name, validator, flags); req_fields() looks
 * each one up among the parsed request parameters, runs its validator and
 * collects per-field errors for a 422 response. Handlers only ever read
 * validated, typed values. The validators are here too, with the shared
 * helpers they are built from: a strict UTF-8 text check and a strtonum(3)
 * work-alike. Every error message is static and free of the input (no PII
 * reaches responses or logs through here).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

long long
valid_strtonum(const char *s, long long min, long long max, const char **errstr)
{
	const char *p = s;
	unsigned long long acc = 0, lim;
	long long v;
	int neg = 0, digit;

	*errstr = "invalid";
	if (s == NULL || min > max)
		return 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p == '\0')
		return 0;
	/* Magnitude limit: LLONG_MAX, or |LLONG_MIN| for negatives. */
	lim = neg ? (unsigned long long)LLONG_MAX + 1
	          : (unsigned long long)LLONG_MAX;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		digit = *p - '0';
		if (acc > (lim - (unsigned long long)digit) / 10) {
			*errstr = neg ? "too small" : "too large";
			return 0;
		}
		acc = acc * 10 + (unsigned long long)digit;
	}
	if (neg)
		v = acc == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
		                                             : -(long long)acc;
	else
		v = (long long)acc;
	if (v < min) {
		*errstr = "too small";
		return 0;
	}
	if (v > max) {
		*errstr = "too large";
		return 0;
	}
	*errstr = NULL;
	return v;
}

/*
 * Decode the UTF-8 character at s[*i] (s has len bytes) into *cp and move
 * *i past it. 0 if it is not valid UTF-8 (a stray continuation byte,
 * 0xc0/0xc1 or > 0xf4, truncated, overlong, a surrogate, > U+10FFFF).
 */
static int
utf8_decode(const unsigned char *s, size_t len, size_t *i, uint32_t *cp)
{
	unsigned char c = s[*i];
	size_t n, k;
	uint32_t min;

	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		*cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		*cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		*cp = c & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n > len - *i - 1)
		return 0;
	for (k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[*i + k] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	*i += n + 1;
	return 1;
}

/* 1 if cp is a control character: C0, DEL or C1. */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* 1 if s[0..len-1] is valid UTF-8 without NUL; controls: 1 if other
 * control characters (C0, DEL, C1) are allowed. */
static int
utf8_check(const char *s, size_t len, int controls)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		if (!utf8_decode(p, len, &i, &cp) || cp == 0 ||
		    (!controls && is_control(cp)))
			return 0;
	}
	return 1;
}

int
valid_utf8_text(const char *s, size_t len)
{
	return utf8_check(s, len, 0);
}

int
valid_utf8(const char *s, size_t len)
{
	return utf8_check(s, len, 1);
}

/* 1 if every byte of s is base64url ([A-Za-z0-9_-]). */
static int
is_b64url(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* Common prologue: the value must be present and be text. */
static int
pair_text(struct pair *p)
{
	if (p->val == NULL || !valid_utf8_text(p->val, p->valsz) ||
	    strlen(p->val) != p->valsz) {
		p->err = "must be text without control characters";
		return 0;
	}
	return 1;
}

int
valid_text(struct pair *p)
{
	if (!pair_text(p))
		return 0;
	if (p->valsz > REQ_VALUE_MAX) {
		p->err = "is too long";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

/*
 * Characters a new username may not hold, besides the controls that
 * pair_text refuses. Spaces: every Unicode White_Space character but the
 * ASCII space, and the invisible format characters (zero-width, bidi
 * controls, BOM, soft hyphen), so that two names that look the same are
 * the same bytes. NFC: the combining marks of the general diacritic
 * blocks (an accented Latin, Greek or Cyrillic letter is one precomposed
 * character in NFC), Hangul conjoining jamo (NFC composes them into
 * syllables), and the characters NFC replaces by another one (singletons:
 * OHM, KELVIN and ANGSTROM signs, the Greek ones, and the CJK
 * compatibility ideographs, refused as a block with the twelve unified
 * ones it holds). Other scripts' marks pass as typed: this is not a full
 * NFC check, which needs the Unicode tables.
 */
static const char username_space[] =
    "must not contain invisible characters or spaces other than ' '";
static const char username_nfc[] =
    "must be in Unicode NFC (an accented letter is one character)";

static const struct {
	uint32_t lo, hi;
	const char *err;
} username_refused[] = {
    {0x00a0, 0x00a0, username_space}, /* no-break space */
    {0x00ad, 0x00ad, username_space}, /* soft hyphen */
    {0x0300, 0x036f, username_nfc},   /* combining diacritical marks */
    {0x0374, 0x0374, username_nfc},   /* Greek numeral sign */
    {0x037e, 0x037e, username_nfc},   /* Greek question mark */
    {0x0387, 0x0387, username_nfc},   /* Greek ano teleia */
    {0x061c, 0x061c, username_space}, /* Arabic letter mark */
    {0x1100, 0x11ff, username_nfc},   /* Hangul jamo */
    {0x1680, 0x1680, username_space}, /* Ogham space mark */
    {0x180e, 0x180e, username_space}, /* Mongolian vowel separator */
    {0x1ab0, 0x1aff, username_nfc},   /* combining marks extended */
    {0x1dc0, 0x1dff, username_nfc},   /* combining marks supplement */
    {0x1f71, 0x1f71, username_nfc},   /* Greek with oxia (singletons) */
    {0x1f73, 0x1f73, username_nfc}, {0x1f75, 0x1f75, username_nfc},
    {0x1f77, 0x1f77, username_nfc}, {0x1f79, 0x1f79, username_nfc},
    {0x1f7b, 0x1f7b, username_nfc}, {0x1f7d, 0x1f7d, username_nfc},
    {0x1fbb, 0x1fbb, username_nfc}, {0x1fbe, 0x1fbe, username_nfc},
    {0x1fc9, 0x1fc9, username_nfc}, {0x1fcb, 0x1fcb, username_nfc},
    {0x1fd3, 0x1fd3, username_nfc}, {0x1fdb, 0x1fdb, username_nfc},
    {0x1fe3, 0x1fe3, username_nfc}, {0x1feb, 0x1feb, username_nfc},
    {0x1fee, 0x1fef, username_nfc}, {0x1ff9, 0x1ff9, username_nfc},
    {0x1ffb, 0x1ffb, username_nfc}, {0x1ffd, 0x1ffd, username_nfc},
    {0x2000, 0x200f, username_space}, /* spaces, zero-width, LRM/RLM */
    {0x2028, 0x202f, username_space}, /* separators, bidi, narrow nbsp */
    {0x205f, 0x2064, username_space}, /* math space, word joiner... */
    {0x2066, 0x206f, username_space}, /* bidi isolates, deprecated */
    {0x20d0, 0x20ff, username_nfc},   /* combining marks for symbols */
    {0x2126, 0x2126, username_nfc},   /* OHM SIGN */
    {0x212a, 0x212b, username_nfc},   /* KELVIN, ANGSTROM SIGN */
    {0x2329, 0x232a, username_nfc},   /* angle brackets */
    {0x3000, 0x3000, username_space}, /* ideographic space */
    {0xf900, 0xfaff, username_nfc},   /* CJK compatibility (the block) */
    {0xfe20, 0xfe2f, username_nfc},   /* combining half marks */
    {0xfeff, 0xfeff, username_space}, /* BOM, zero-width no-break */
    {0xfff9, 0xfffb, username_space}, /* interlinear annotation */
    {0x2f800, 0x2fa1f, username_nfc}, /* CJK compatibility supplement */
};

/*
 * What any stored username is: 1..USERS_NAME_MAX bytes of text (UTF-8, no
 * NUL), no '/' (a path segment carries it), not "." or "..". Names the
 * boilerplate wrote may break the rule of new ones (valid_username) and
 * still be looked up. 1, or 0 with p->err.
 */
int
valid_username_lookup(struct pair *p)
{
	if (p->val == NULL || !valid_utf8(p->val, p->valsz) ||
	    strlen(p->val) != p->valsz) {
		p->err = "must be text";
		return 0;
	}
	if (p->valsz == 0) {
		p->err = "must not be empty";
		return 0;
	}
	if (p->valsz > USERS_NAME_MAX) {
		p->err = "must have at most 64 characters (accented and "
		         "non-Latin letters count as 2 to 4)";
		return 0;
	}
	if (strchr(p->val, '/') != NULL) {
		p->err = "must not contain '/'";
		return 0;
	}
	if (strcmp(p->val, ".") == 0 || strcmp(p->val, "..") == 0) {
		p->err = "must not be '.' or '..'";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

int
valid_username(struct pair *p)
{
	const unsigned char *s = (const unsigned char *)p->val;
	size_t i = 0, k;
	uint32_t cp;

	if (!pair_text(p) || !valid_username_lookup(p))
		return 0;
	if (p->val[0] == ' ' || p->val[p->valsz - 1] == ' ') {
		p->err = "must not start or end with a space";
		return 0;
	}
	/* pair_text checked the UTF-8: every character decodes. */
	while (i < p->valsz && utf8_decode(s, p->valsz, &i, &cp)) {
		for (k = 0;
		     k < sizeof(username_refused) / sizeof(username_refused[0]);
		     k++) {
			if (cp >= username_refused[k].lo &&
			    cp <= username_refused[k].hi) {
				p->err = username_refused[k].err;
				return 0;
			}
		}
	}
	return 1;
}

/* RFC 5322 atext, the characters of a dot-atom local part besides '.'. */
static int
is_atext(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* 1 if d[0..len-1] is a DNS name of LDH labels with at least one dot. */
static int
is_domain(const char *d, size_t len)
{
	size_t i, lab = 0, dots = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)d[i] : '.';

		if (c == '.') {
			if (lab == 0 || lab > 63 || d[i - 1] == '-')
				return 0;
			if (i < len)
				dots++;
			lab = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (lab == 0 && c == '-')
			return 0;
		lab++;
	}
	return dots > 0;
}

int
valid_email(struct pair *p)
{
	const char *at;
	size_t i, local;

	p->err = "is not an email address: it needs a name, an @ and a domain";
	if (!pair_text(p)) {
		p->err = "is not an email address: it needs a name, an @ and a "
		         "domain";
		return 0;
	}
	if (p->valsz > 254 || (at = strchr(p->val, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - p->val);
	if (local == 0 || local > 64 || p->val[0] == '.' ||
	    p->val[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		unsigned char c = (unsigned char)p->val[i];

		if (c == '.') {
			if (p->val[i + 1] == '.')
				return 0;
		} else if (!is_atext(c))
			return 0;
	}
	if (!is_domain(at + 1, p->valsz - local - 1))
		return 0;
	p->err = NULL;
	p->parsed.s = p->val;
	return 1;
}

int
valid_password(struct pair *p)
{
	if (!pair_text(p))
		return 0;
	if (p->valsz < 8) {
		p->err = "must have at least 8 characters";
		return 0;
	}
	if (p->valsz > 1024) {
		p->err = "must have at most 1024 characters";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

int
valid_user_type(struct pair *p)
{
	if (p->val == NULL ||
	    (strcmp(p->val, "admin") != 0 && strcmp(p->val, "user") != 0) ||
	    strlen(p->val) != p->valsz) {
		p->err = "must be \"admin\" or \"user\"";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

int
valid_limit(struct pair *p)
{
	const char *errstr = "not text";
	long long v = 0;

	if (p->val != NULL && strlen(p->val) == p->valsz)
		v = valid_strtonum(p->val, 1, PAGE_MAX, &errstr);
	if (errstr != NULL) {
		p->err = "must be a number from 1 to " STR(PAGE_MAX);
		return 0;
	}
	p->parsed.i = v;
	return 1;
}

int
valid_cursor(struct pair *p)
{
	char name[USERS_CURSOR_NAME_MAX + 1];

	if (p->val == NULL || p->valsz == 0 || p->valsz > USERS_CURSOR_MAX ||
	    strlen(p->val) != p->valsz ||
	    users_cursor_decode(p->val, name) == -1) {
		p->err = "not a valid cursor";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

int
valid_uuid(struct pair *p)
{
	if (p->val == NULL || p->valsz != 36 || strlen(p->val) != 36 ||
	    !ef_uuid_parse(p->val, p->parsed.uuid)) {
		p->err = "not a valid UUID";
		return 0;
	}
	return 1;
}

int
valid_csrf(struct pair *p)
{
	if (p->val == NULL || p->valsz != 43 || strlen(p->val) != 43 ||
	    !is_b64url(p->val, 43)) {
		p->err = "not a valid form token";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

int
valid_token(struct pair *p)
{
	if (p->val == NULL || p->valsz < 16 || p->valsz > 256 ||
	    strlen(p->val) != p->valsz || !is_b64url(p->val, p->valsz)) {
		p->err = "not a valid token";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

int
valid_next(struct pair *p)
{
	/*
	 * A path on this site only: "/" and not "//" (a network-path
	 * reference to another host), no backslash anywhere (browsers read
	 * "/\" as "//"), no scheme (the first character is "/").
	 */
	if (p->val == NULL || p->valsz == 0 || p->valsz > 2048 ||
	    strlen(p->val) != p->valsz || p->val[0] != '/' ||
	    p->val[1] == '/' || strchr(p->val, '\\') != NULL || !pair_text(p)) {
		p->err = "is not a page of this site";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

/* Record one failure in errs (if room) and mark the pair. */
static void
field_fail(struct pair *p, struct field_errors *errs, const char *msg)
{
	p->state = PAIR_INVALID;
	if (msg != NULL)
		p->err = msg;
	if (p->err == NULL)
		p->err = "is not valid";
	if (errs != NULL && errs->n < FIELD_ERRORS_MAX) {
		errs->e[errs->n].name = p->key;
		errs->e[errs->n].msg = p->err;
		errs->n++;
	}
}

enum req_err
req_fields(struct req *r, const struct field *fields, size_t n,
    struct pair *out, struct field_errors *errs)
{
	const struct req_param *prm;
	struct json_object *jv;
	unsigned int srcflag;
	size_t i, j;
	int bad = 0;

	if (errs != NULL)
		errs->n = 0;
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].key = fields[i].name;
		out[i].state = PAIR_ABSENT;
		prm = NULL;
		for (j = 0; j < r->paramsz; j++)
			if (strcmp(r->params[j].key, fields[i].name) == 0) {
				prm = &r->params[j];
				break;
			}
		/*
		 * Every field of a JSON body is a string: a number, boolean,
		 * null, object or array (which req_parse does not turn into a
		 * parameter) is refused, never converted.
		 */
		if (r->json != NULL &&
		    json_object_object_get_ex(r->json, fields[i].name, &jv) &&
		    (!(fields[i].flags & FIELD_BODY) ||
		        !json_object_is_type(jv, json_type_string))) {
			field_fail(&out[i], errs,
			    !(fields[i].flags & FIELD_BODY)
			        ? "not accepted in the request body"
			        : "must be a string");
			bad = 1;
			continue;
		}
		if (prm == NULL) {
			if (fields[i].flags & FIELD_REQUIRED) {
				field_fail(&out[i], errs, "is required");
				bad = 1;
			}
			continue;
		}
		out[i].val = prm->val;
		out[i].valsz = prm->valsz;
		srcflag = prm->src == REQ_SRC_QUERY ? FIELD_QUERY : FIELD_BODY;
		if (!(fields[i].flags & srcflag)) {
			field_fail(&out[i], errs,
			    prm->src == REQ_SRC_QUERY
			        ? "not accepted in the query string"
			        : "not accepted in the request body");
			bad = 1;
			continue;
		}
		if (!(fields[i].valid != NULL ? fields[i].valid(&out[i])
		                              : valid_text(&out[i]))) {
			field_fail(&out[i], errs, NULL);
			bad = 1;
			continue;
		}
		out[i].state = PAIR_VALID;
		out[i].err = NULL;
	}
	r->err = bad ? REQ_ERR_INVALID : REQ_OK;
	return r->err;
}
