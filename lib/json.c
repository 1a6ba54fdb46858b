/*
 * json.c -- check a JSON request body and parse it: json-c (strict mode,
 * UTF-8 validation, bounded depth) and then a small scanner of our own,
 * because json-c silently keeps the last of duplicate keys and turns
 * \u0000 into a NUL inside a string. Only an object is accepted at the top
 * level. And the other way: strings written into a JSON answer as json-c
 * writes them (json_put_str), for answers built without a json-c tree.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

/* ---- JSON: the duplicate-key and \u0000 scanner ---------------------- */

struct jkey {
	char *s;
	size_t len;
};

struct jscan {
	const char *p, *end;
	enum req_err err;
	char dupkey[REQ_KEY_MAX + 1];
};

static void
js_ws(struct jscan *js)
{
	while (js->p < js->end &&
	    (*js->p == ' ' || *js->p == '\t' || *js->p == '\n' ||
	        *js->p == '\r'))
		js->p++;
}

/* Read 4 hex digits at p into *cp; -1 if not hex. */
static int
js_hex4(const char *p, const char *end, uint32_t *cp)
{
	int i, v;

	if (end - p < 4)
		return -1;
	*cp = 0;
	for (i = 0; i < 4; i++) {
		if ((v = hex_digit((unsigned char)p[i])) < 0)
			return -1;
		*cp = *cp << 4 | (uint32_t)v;
	}
	return 0;
}

/*
 * Scan the string at js->p (on its opening quote) per RFC 8259 section 7.
 * When out is not NULL, append its decoded UTF-8 to out. \u0000 and lone
 * surrogates are errors. Returns 0 or -1 (js->err set).
 */
static int
js_string(struct jscan *js, struct buf *out)
{
	uint32_t cp, lo;
	char u[4];
	size_t n;

	js->p++;
	while (js->p < js->end && *js->p != '"') {
		if (*js->p != '\\') {
			if (out != NULL && buf_putc(out, *js->p) == -1)
				goto nomem;
			js->p++;
			continue;
		}
		if (++js->p >= js->end)
			goto bad;
		switch (*js->p) {
		case '"':
		case '\\':
		case '/':
			cp = (unsigned char)*js->p;
			break;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			if (js_hex4(js->p + 1, js->end, &cp) == -1)
				goto bad;
			js->p += 4;
			if (cp == 0) {
				js->err = REQ_ERR_ENCODING;
				return -1;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff)
				goto surrogate;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (js->end - js->p < 7 || js->p[1] != '\\' ||
				    js->p[2] != 'u' ||
				    js_hex4(js->p + 3, js->end, &lo) == -1 ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto surrogate;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				js->p += 6;
			}
			break;
		default:
			goto bad;
		}
		js->p++;
		if (out == NULL)
			continue;
		if (cp < 0x80) {
			u[0] = (char)cp;
			n = 1;
		} else if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			u[0] = (char)(0xf0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		if (buf_putmem(out, u, n) == -1)
			goto nomem;
	}
	if (js->p >= js->end)
		goto bad;
	js->p++;
	return 0;
surrogate:
	js->err = REQ_ERR_ENCODING;
	return -1;
nomem:
	js->err = REQ_ERR_NOMEM;
	return -1;
bad:
	js->err = REQ_ERR_JSON;
	return -1;
}

static int js_value(struct jscan *, int);

static int
jkey_cmp(const void *a, const void *b)
{
	const struct jkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * Scan the object at js->p: collect its decoded keys, then sort them and
 * look for two equal neighbours. One cleanup label frees the keys.
 */
static int
js_object(struct jscan *js, int depth)
{
	struct jkey *keys = NULL, *nk;
	size_t nkeys = 0, i;
	struct buf kb = BUF_INIT;
	int rc = -1;

	js->p++;
	js_ws(js);
	if (js->p < js->end && *js->p == '}') {
		js->p++;
		return 0;
	}
	for (;;) {
		js_ws(js);
		if (js->p >= js->end || *js->p != '"') {
			js->err = REQ_ERR_JSON;
			goto out;
		}
		buf_reset(&kb);
		if (js_string(js, &kb) == -1)
			goto out;
		if ((nk = reallocarray(keys, nkeys + 1, sizeof(*nk))) == NULL) {
			js->err = REQ_ERR_NOMEM;
			goto out;
		}
		keys = nk;
		keys[nkeys].len = kb.len;
		if ((keys[nkeys].s = malloc(kb.len + 1)) == NULL) {
			js->err = REQ_ERR_NOMEM;
			goto out;
		}
		memcpy(keys[nkeys].s, buf_cstr(&kb), kb.len + 1);
		nkeys++;
		js_ws(js);
		if (js->p >= js->end || *js->p != ':') {
			js->err = REQ_ERR_JSON;
			goto out;
		}
		js->p++;
		if (js_value(js, depth + 1) == -1)
			goto out;
		js_ws(js);
		if (js->p < js->end && *js->p == ',') {
			js->p++;
			continue;
		}
		if (js->p < js->end && *js->p == '}') {
			js->p++;
			break;
		}
		js->err = REQ_ERR_JSON;
		goto out;
	}
	qsort(keys, nkeys, sizeof(*keys), jkey_cmp);
	for (i = 1; i < nkeys; i++)
		if (jkey_cmp(&keys[i - 1], &keys[i]) == 0) {
			js->err = REQ_ERR_JSON_DUP;
			if (keys[i].len <= REQ_KEY_MAX &&
			    valid_utf8_text(keys[i].s, keys[i].len))
				memcpy(js->dupkey, keys[i].s, keys[i].len + 1);
			goto out;
		}
	rc = 0;
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i].s);
	free(keys);
	buf_free(&kb);
	return rc;
}

/* Scan a number (RFC 8259 section 6) or one of the three literals. */
static int
js_scalar(struct jscan *js)
{
	static const char *const lits[] = {"true", "false", "null"};
	const char *p = js->p;
	size_t i, n;

	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		n = strlen(lits[i]);
		if ((size_t)(js->end - p) >= n && memcmp(p, lits[i], n) == 0) {
			js->p = p + n;
			return 0;
		}
	}
	if (p < js->end && *p == '-')
		p++;
	if (p < js->end && *p == '0')
		p++;
	else if (p < js->end && *p >= '1' && *p <= '9')
		while (p < js->end && *p >= '0' && *p <= '9')
			p++;
	else
		goto bad;
	if (p < js->end && *p == '.') {
		if (++p >= js->end || *p < '0' || *p > '9')
			goto bad;
		while (p < js->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < js->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < js->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= js->end || *p < '0' || *p > '9')
			goto bad;
		while (p < js->end && *p >= '0' && *p <= '9')
			p++;
	}
	js->p = p;
	return 0;
bad:
	/* NaN, Infinity and friends, which json-c lets through. */
	js->err = REQ_ERR_JSON;
	return -1;
}

/*
 * Scan one value. depth counts the containers (objects and arrays) that
 * enclose this one, the top level being 1.
 */
static int
js_value(struct jscan *js, int depth)
{
	js_ws(js);
	if (js->p >= js->end) {
		js->err = REQ_ERR_JSON;
		return -1;
	}
	if ((*js->p == '{' || *js->p == '[') && depth > REQ_JSON_DEPTH) {
		js->err = REQ_ERR_JSON_DEPTH;
		return -1;
	}
	switch (*js->p) {
	case '{':
		return js_object(js, depth);
	case '[':
		js->p++;
		js_ws(js);
		if (js->p < js->end && *js->p == ']') {
			js->p++;
			return 0;
		}
		for (;;) {
			if (js_value(js, depth + 1) == -1)
				return -1;
			js_ws(js);
			if (js->p < js->end && *js->p == ',') {
				js->p++;
				continue;
			}
			if (js->p < js->end && *js->p == ']') {
				js->p++;
				return 0;
			}
			js->err = REQ_ERR_JSON;
			return -1;
		}
	case '"':
		return js_string(js, NULL);
	default:
		return js_scalar(js);
	}
}

/*
 * 1 if s[0..len-1] is UTF-8 text where the only control characters are
 * JSON whitespace (tab, CR, LF). Multi-byte sequences never contain those
 * bytes, so checking each run between them is exact.
 */
static int
json_text_ok(const char *s, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i <= len; i++)
		if (i == len || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			if (!valid_utf8_text(s + start, i - start))
				return 0;
			start = i + 1;
		}
	return 1;
}

enum req_err
json_parse_object(const char *body, size_t len, struct json_object **out,
    char dupkey[REQ_KEY_MAX + 1])
{
	struct json_tokener *tok = NULL;
	struct json_object *obj = NULL;
	enum json_tokener_error jerr;
	struct jscan js;
	enum req_err err;
	size_t end;

	*out = NULL;
	dupkey[0] = '\0';
	if (len > INT_MAX) /* json-c takes an int length */
		return REQ_ERR_TOOBIG;
	if (!json_text_ok(body, len))
		return REQ_ERR_ENCODING;
	/*
	 * Only an object is accepted at the top level. Checking the first
	 * byte also spares json-c's "continue" state for a bare literal or
	 * number, which it cannot know has ended.
	 */
	for (end = 0; end < len &&
	     (body[end] == ' ' || body[end] == '\t' || body[end] == '\n' ||
	         body[end] == '\r');
	     end++)
		;
	if (end == len || body[end] != '{')
		return end < len &&
		        strchr("[\"-0123456789tfn", body[end]) != NULL
		    ? REQ_ERR_JSON_TYPE
		    : REQ_ERR_JSON;
	/* json-c counts the top level as depth 1. */
	if ((tok = json_tokener_new_ex(REQ_JSON_DEPTH + 1)) == NULL)
		return REQ_ERR_NOMEM;
	json_tokener_set_flags(
	    tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		err = jerr == json_tokener_error_depth ? REQ_ERR_JSON_DEPTH
		                                       : REQ_ERR_JSON;
		goto out;
	}
	end = json_tokener_get_parse_end(tok);
	while (end < len &&
	    (body[end] == ' ' || body[end] == '\t' || body[end] == '\n' ||
	        body[end] == '\r'))
		end++;
	if (end != len) {
		err = REQ_ERR_JSON;
		goto out;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		err = REQ_ERR_JSON_TYPE;
		goto out;
	}
	memset(&js, 0, sizeof(js));
	js.p = body;
	js.end = body + len;
	if (js_value(&js, 1) == -1) {
		err = js.err;
		memcpy(dupkey, js.dupkey, sizeof(js.dupkey));
		goto out;
	}
	*out = obj;
	obj = NULL;
	err = REQ_OK;
out:
	req_json_wipe(obj);
	json_object_put(obj);
	/*
	 * The tokener's scratch buffer still holds the last strings it read.
	 * json-c offers no call to clear it; its struct is public (json-c
	 * 0.16 marks the fields internal), so clear it here.
	 */
	if (tok != NULL && tok->pb != NULL && tok->pb->buf != NULL)
		explicit_bzero(tok->pb->buf, (size_t)tok->pb->size);
	json_tokener_free(tok);
	return err;
}

/* ---- JSON out --------------------------------------------------------- */

int
json_put_str(struct buf *b, const char *s)
{
	/* The bytes json-c escapes by name, and the names. */
	static const char named[] = "\"\\\b\f\n\r\t", names[] = "\"\\bfnrt";
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p, *run;
	const char *n;

	if (s == NULL)
		return buf_puts(b, "null");
	buf_putc(b, '"');
	for (run = p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= ' ' && *p != '"' && *p != '\\')
			continue;
		buf_putmem(b, run, (size_t)(p - run));
		run = p + 1;
		buf_putc(b, '\\');
		if ((n = memchr(named, *p, sizeof(named) - 1)) != NULL)
			buf_putc(b, names[n - named]);
		else {
			buf_puts(b, "u00");
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 0xf]);
		}
	}
	buf_putmem(b, run, (size_t)(p - run));
	buf_putc(b, '"');
	return buf_ok(b) ? 0 : -1;
}
