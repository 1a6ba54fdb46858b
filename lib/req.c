/*
 * req.c -- turn the CGI/FastCGI environment (RFC 3875 meta-variables) and
 * body of one request into a struct req: method, negotiated response
 * format, paths, client address, HTTPS flag, bearer token, cookies, and the
 * parameters of the query string and of an
 * application/x-www-form-urlencoded or application/json body.
 *
 * Everything is copied out of the environment, so a struct req outlives
 * FCGX_Finish_r. Parsing is strict and fails early with an enum req_err
 * that maps to the HTTP status to answer: CONTENT_LENGTH is parsed as a
 * size_t with overflow checks and compared with the cap before a single
 * body byte is read; every key and value must be UTF-8 text without
 * control characters; a key may appear once. A JSON body is checked by
 * json.c.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gcrypt.h>
#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

static const char *const req_errs[REQ_ERR__MAX] = {
    "OK",                              /* REQ_OK */
    "Internal server error",           /* REQ_ERR_NOMEM */
    "Could not read the request body", /* REQ_ERR_READ */
    "Invalid Content-Length",          /* REQ_ERR_LENGTH */
    "Content-Length required",         /* REQ_ERR_NOLENGTH */
    "Request body too large",          /* REQ_ERR_TOOBIG */
    "Unsupported Content-Type",        /* REQ_ERR_CTYPE */
    /* REQ_ERR_ENCODING */
    "Malformed request: bad encoding or control characters",
    "Too many or too long parameters", /* REQ_ERR_TOOMANY */
    "Repeated parameter",              /* REQ_ERR_REPEATED */
    "Malformed JSON body",             /* REQ_ERR_JSON */
    "Duplicate key in JSON body",      /* REQ_ERR_JSON_DUP */
    "JSON body nested too deep",       /* REQ_ERR_JSON_DEPTH */
    "JSON body must be an object",     /* REQ_ERR_JSON_TYPE */
    "Invalid input",                   /* REQ_ERR_INVALID */
};

static const int req_statuses[REQ_ERR__MAX] = {
    200, /* REQ_OK */
    500, /* REQ_ERR_NOMEM */
    400, /* REQ_ERR_READ */
    400, /* REQ_ERR_LENGTH */
    411, /* REQ_ERR_NOLENGTH */
    413, /* REQ_ERR_TOOBIG */
    415, /* REQ_ERR_CTYPE */
    400, /* REQ_ERR_ENCODING */
    400, /* REQ_ERR_TOOMANY */
    400, /* REQ_ERR_REPEATED */
    400, /* REQ_ERR_JSON */
    400, /* REQ_ERR_JSON_DUP */
    400, /* REQ_ERR_JSON_DEPTH */
    400, /* REQ_ERR_JSON_TYPE */
    422, /* REQ_ERR_INVALID */
};

static const char *const req_methods[REQ_METHOD__MAX] = {
    "GET",     /* REQ_METHOD_GET */
    "HEAD",    /* REQ_METHOD_HEAD */
    "POST",    /* REQ_METHOD_POST */
    "PUT",     /* REQ_METHOD_PUT */
    "PATCH",   /* REQ_METHOD_PATCH */
    "DELETE",  /* REQ_METHOD_DELETE */
    "OPTIONS", /* REQ_METHOD_OPTIONS */
};

const char *
req_strerror(enum req_err err)
{
	if ((unsigned)err >= REQ_ERR__MAX)
		return "Unknown error";
	return req_errs[err];
}

int
req_err_status(enum req_err err)
{
	if ((unsigned)err >= REQ_ERR__MAX)
		return 500;
	return req_statuses[err];
}

const char *
req_method_name(enum req_method m)
{
	if ((unsigned)m >= REQ_METHOD__MAX)
		return "UNKNOWN";
	return req_methods[m];
}

/* Record err in r with its message, optionally naming a key. */
static enum req_err
req_fail(struct req *r, enum req_err err, const char *key)
{
	r->err = err;
	if (key != NULL && valid_utf8_text(key, strlen(key)) &&
	    strlen(key) <= REQ_KEY_MAX) {
		snprintf(r->errfield, sizeof(r->errfield), "%s", key);
		snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s",
		    req_strerror(err), key);
	} else
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", req_strerror(err));
	return err;
}

/* strdup of s, or of "" when s is NULL. */
static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/*
 * Percent-decode s[0..len-1] (RFC 3986 section 2.1) into a new string;
 * with plus, '+' means a space (application/x-www-form-urlencoded).
 * Returns 0 and sets *out (caller frees) and *outlen, -1 on a bad escape
 * (a '%' not followed by two hex digits), -2 on OOM.
 */
static int
pct_decode(const char *s, size_t len, int plus, char **out, size_t *outlen)
{
	char *d;
	size_t i, o = 0;
	int hi, lo;

	if ((d = malloc(len + 1)) == NULL)
		return -2;
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3 ||
			    (hi = hex_digit((unsigned char)s[i + 1])) < 0 ||
			    (lo = hex_digit((unsigned char)s[i + 2])) < 0) {
				explicit_bzero(d, o); /* may be a password */
				free(d);
				return -1;
			}
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (plus && s[i] == '+')
			d[o++] = ' ';
		else
			d[o++] = s[i];
	}
	d[o] = '\0';
	*out = d;
	*outlen = o;
	return 0;
}

/*
 * Add key/val (taken: freed here on failure) as a parameter from src.
 * Checks text rules, limits and repetition.
 */
static enum req_err
param_add(struct req *r, char *key, size_t keylen, char *val, size_t vallen,
    enum req_src src)
{
	struct req_param *np;
	enum req_err err;
	size_t i;

	if (keylen == 0 || !valid_utf8_text(key, keylen) ||
	    !valid_utf8_text(val, vallen)) {
		err = req_fail(r, REQ_ERR_ENCODING, NULL);
		goto fail;
	}
	if (keylen > REQ_KEY_MAX || vallen > REQ_VALUE_MAX ||
	    r->paramsz >= REQ_PARAMS_MAX) {
		err = req_fail(r, REQ_ERR_TOOMANY, NULL);
		goto fail;
	}
	for (i = 0; i < r->paramsz; i++)
		if (strcmp(r->params[i].key, key) == 0) {
			err = req_fail(r, REQ_ERR_REPEATED, key);
			goto fail;
		}
	np = reallocarray(r->params, r->paramsz + 1, sizeof(*np));
	if (np == NULL) {
		err = req_fail(r, REQ_ERR_NOMEM, NULL);
		goto fail;
	}
	r->params = np;
	np[r->paramsz].key = key;
	np[r->paramsz].val = val;
	np[r->paramsz].valsz = vallen;
	np[r->paramsz].src = src;
	r->paramsz++;
	return REQ_OK;
fail:
	free(key);
	explicit_bzero(val, vallen);
	free(val);
	return err;
}

/*
 * Parse an application/x-www-form-urlencoded string (query string or
 * form body; WHATWG URL "application/x-www-form-urlencoded parsing", with
 * '&' as the only separator). Empty segments ("a=1&&b=2") are skipped; a
 * segment without '=' is a key with an empty value.
 */
static enum req_err
parse_urlencoded(struct req *r, const char *s, size_t len, enum req_src src)
{
	const char *seg, *end, *eq;
	char *key, *val;
	size_t keylen, vallen;
	enum req_err err;
	int rc;

	for (seg = s; seg < s + len; seg = end + 1) {
		if ((end = memchr(seg, '&', (size_t)(s + len - seg))) == NULL)
			end = s + len;
		if (end == seg)
			continue;
		if ((eq = memchr(seg, '=', (size_t)(end - seg))) == NULL)
			eq = end;
		if ((rc = pct_decode(
		         seg, (size_t)(eq - seg), 1, &key, &keylen)) != 0)
			return req_fail(r,
			    rc == -2 ? REQ_ERR_NOMEM : REQ_ERR_ENCODING, NULL);
		rc = eq == end ? pct_decode("", 0, 1, &val, &vallen)
		               : pct_decode(eq + 1, (size_t)(end - eq - 1), 1,
		                     &val, &vallen);
		if (rc != 0) {
			free(key);
			return req_fail(r,
			    rc == -2 ? REQ_ERR_NOMEM : REQ_ERR_ENCODING, NULL);
		}
		if ((err = param_add(r, key, keylen, val, vallen, src)) !=
		    REQ_OK)
			return err;
		if (end == s + len)
			break;
	}
	return REQ_OK;
}

/* RFC 9110 tchar. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 6265 cookie-octet. */
static int
is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	    (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

/*
 * Parse the Cookie header (RFC 6265 section 4.2.1: "name=value" pairs
 * separated by ";" and optional spaces; a value may be in double quotes,
 * which are removed). Malformed pairs are skipped rather than failing the
 * request, as browsers may carry odd cookies set by other applications on
 * the same host. The first of several cookies of one name wins (browsers
 * send the most specific path first). Returns REQ_OK or REQ_ERR_NOMEM.
 */
static enum req_err
parse_cookies(struct req *r, const char *s)
{
	const char *p = s, *name, *val, *end;
	size_t namelen, vallen, i;
	struct req_cookie *nc;
	int ok, dup;

	while (p != NULL && *p != '\0' && r->cookiesz < REQ_PARAMS_MAX) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		name = p;
		for (namelen = 0; name + namelen < end &&
		     is_tchar((unsigned char)name[namelen]);
		     namelen++)
			;
		ok =
		    namelen > 0 && name + namelen < end && name[namelen] == '=';
		val = name + namelen + 1;
		vallen = ok ? (size_t)(end - val) : 0;
		/* Trailing spaces before ';' are not part of the value. */
		while (ok && vallen > 0 &&
		    (val[vallen - 1] == ' ' || val[vallen - 1] == '\t'))
			vallen--;
		if (ok && vallen >= 2 && val[0] == '"' &&
		    val[vallen - 1] == '"') {
			val++;
			vallen -= 2;
		}
		for (i = 0; ok && i < vallen; i++)
			if (!is_cookie_octet((unsigned char)val[i]))
				ok = 0;
		if (ok && vallen > REQ_VALUE_MAX)
			ok = 0;
		dup = 0;
		for (i = 0; ok && i < r->cookiesz; i++)
			if (strlen(r->cookies[i].name) == namelen &&
			    memcmp(r->cookies[i].name, name, namelen) == 0)
				dup = 1;
		if (ok && !dup) {
			nc = reallocarray(
			    r->cookies, r->cookiesz + 1, sizeof(*nc));
			if (nc == NULL)
				return req_fail(r, REQ_ERR_NOMEM, NULL);
			r->cookies = nc;
			nc[r->cookiesz].name = strndup(name, namelen);
			nc[r->cookiesz].val = strndup(val, vallen);
			if (nc[r->cookiesz].name == NULL ||
			    nc[r->cookiesz].val == NULL) {
				free(nc[r->cookiesz].name);
				free(nc[r->cookiesz].val);
				return req_fail(r, REQ_ERR_NOMEM, NULL);
			}
			r->cookiesz++;
		}
		p = *end == ';' ? end + 1 : end;
	}
	return REQ_OK;
}

/*
 * Parse a q value (RFC 9110 section 12.4.2: "0", "1", "0.xyz", "1.000")
 * into thousandths; -1 if malformed.
 */
static int
parse_qvalue(const char *s, size_t len)
{
	int v, scale = 100;
	size_t i;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	v = (s[0] - '0') * 1000;
	if (len == 1)
		return v;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v += (s[i] - '0') * scale;
	}
	return v > 1000 ? -1 : v;
}

/*
 * Accept negotiation (RFC 9110 section 12.5.1), reduced to our two
 * formats: HTML is chosen only when the client names text/html (or
 * application/xhtml+xml) explicitly with a q higher than the one that
 * applies to application/json (its own entry, else application/ *, else
 * * / *). Browsers send "text/html,...,* / *;q=0.8" and get HTML; a missing
 * header, "* / *", "application/json" or a tie give JSON.
 */
static enum req_fmt
negotiate(const char *accept)
{
	const char *p = accept, *end, *semi, *q;
	size_t typelen;
	int html = -1, json_exact = -1, json_app = -1, json_any = -1, json, qv;

	if (accept == NULL)
		return REQ_FMT_JSON;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		semi = memchr(p, ';', (size_t)(end - p));
		typelen = (size_t)((semi != NULL ? semi : end) - p);
		while (typelen > 0 &&
		    (p[typelen - 1] == ' ' || p[typelen - 1] == '\t'))
			typelen--;
		qv = 1000;
		for (q = semi; q != NULL && q < end;) {
			const char *pe;

			q++;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			pe = memchr(q, ';', (size_t)(end - q));
			if (pe == NULL)
				pe = end;
			if (pe - q >= 2 && (q[0] == 'q' || q[0] == 'Q') &&
			    q[1] == '=') {
				size_t ql = (size_t)(pe - q - 2);

				while (ql > 0 &&
				    (q[2 + ql - 1] == ' ' ||
				        q[2 + ql - 1] == '\t'))
					ql--;
				qv = parse_qvalue(q + 2, ql);
				if (qv < 0)
					qv = 0;
			}
			q = pe < end ? pe : NULL;
		}
#define IS(t) (typelen == sizeof(t) - 1 && strncasecmp(p, t, typelen) == 0)
		if (IS("text/html") || IS("application/xhtml+xml")) {
			if (qv > html)
				html = qv;
		} else if (IS("application/json")) {
			if (qv > json_exact)
				json_exact = qv;
		} else if (IS("application/*")) {
			if (qv > json_app)
				json_app = qv;
		} else if (IS("*/*")) {
			if (qv > json_any)
				json_any = qv;
		}
#undef IS
		p = end;
	}
	json = json_exact >= 0 ? json_exact
	    : json_app >= 0    ? json_app
	    : json_any >= 0    ? json_any
	                       : 0;
	return html > 0 && html > json ? REQ_FMT_HTML : REQ_FMT_JSON;
}

/* Parse CONTENT_LENGTH: digits only, as a size_t without overflow. */
static int
parse_length(const char *s, size_t *out)
{
	size_t v = 0, d;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = (size_t)(*s - '0');
		if (v > (SIZE_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/*
 * Match CONTENT_TYPE against the body types the route accepts. The media
 * type is compared case-insensitively; parameters may follow, but a
 * charset parameter must be utf-8. Returns REQ_BODY_FORM, REQ_BODY_JSON,
 * or 0 when not accepted.
 */
static unsigned int
match_ctype(const char *ct, unsigned int accept)
{
	const char *semi, *p;
	size_t len;
	unsigned int kind;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	semi = strchr(ct, ';');
	len = semi != NULL ? (size_t)(semi - ct) : strlen(ct);
	while (len > 0 && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
		len--;
	if (len == 33 &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
		kind = REQ_BODY_FORM;
	else if (len == 16 && strncasecmp(ct, "application/json", 16) == 0)
		kind = REQ_BODY_JSON;
	else
		return 0;
	if (!(accept & kind))
		return 0;
	for (p = semi; p != NULL; p = strchr(p + 1, ';')) {
		const char *q = p + 1, *e;
		size_t vl;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, "charset=", 8) != 0)
			continue;
		q += 8;
		e = strchr(q, ';');
		vl = e != NULL ? (size_t)(e - q) : strlen(q);
		while (vl > 0 && (q[vl - 1] == ' ' || q[vl - 1] == '\t'))
			vl--;
		if (vl >= 2 && q[0] == '"' && q[vl - 1] == '"') {
			q++;
			vl -= 2;
		}
		if (!(vl == 5 && strncasecmp(q, "utf-8", 5) == 0) &&
		    !(vl == 4 && strncasecmp(q, "utf8", 4) == 0))
			return 0;
	}
	return kind;
}

/*
 * Parse a JSON body into r->json (json_parse_object) and its top-level
 * scalar members into parameters.
 */
static enum req_err
parse_json(struct req *r, const char *body, size_t len)
{
	struct json_object *obj = NULL;
	char dupkey[REQ_KEY_MAX + 1];
	enum req_err err;
	char *key, *val;
	const char *s;

	if ((err = json_parse_object(body, len, &obj, dupkey)) != REQ_OK)
		return req_fail(r, err,
		    err == REQ_ERR_JSON_DUP && dupkey[0] != '\0' ? dupkey
		                                                 : NULL);
	json_object_object_foreach(obj, k, v)
	{
		enum json_type t = json_object_get_type(v);

		if (t == json_type_null)
			continue;
		if (t == json_type_object || t == json_type_array) {
			/* Not a field; req_fields reports it if declared. */
			if (strlen(k) > REQ_KEY_MAX ||
			    !valid_utf8_text(k, strlen(k))) {
				err = req_fail(r, REQ_ERR_TOOMANY, NULL);
				goto out;
			}
			continue;
		}
		s = json_object_get_string(v);
		key = strdup(k);
		val = strdup(s != NULL ? s : "");
		if (key == NULL || val == NULL) {
			free(key);
			free(val);
			err = req_fail(r, REQ_ERR_NOMEM, NULL);
			goto out;
		}
		/* A string with a NUL inside would have been refused above. */
		if ((err = param_add(r, key, strlen(key), val, strlen(val),
		         REQ_SRC_BODY)) != REQ_OK)
			goto out;
	}
	r->json = obj;
	obj = NULL;
	err = REQ_OK;
out:
	req_json_wipe(obj);
	json_object_put(obj);
	return err;
}

/* Fill r->id with 32 random hex characters. */
static void
make_request_id(struct req *r)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[16];
	size_t i;

	if (ef_init() == EF_OK)
		gcry_create_nonce(rnd, sizeof(rnd));
	else
		memset(rnd, 0, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		r->id[2 * i] = hex[rnd[i] >> 4];
		r->id[2 * i + 1] = hex[rnd[i] & 0xf];
	}
	r->id[32] = '\0';
}

/* Copy the bearer token of an Authorization header, if well-formed. */
static char *
parse_bearer(const char *auth)
{
	size_t i, n;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	/* RFC 6750 b64token: 1*( ALPHA / DIGIT / "-._~+/" ) *"=" */
	n = strlen(auth);
	while (n > 0 && auth[n - 1] == ' ')
		n--;
	if (n == 0 || n > 1024)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)auth[i];

		if (!isalnum(c) && strchr("-._~+/=", c) == NULL)
			return NULL;
	}
	return strndup(auth, n);
}

/* Fill the parts of r that never fail on bad input. */
static enum req_err
parse_meta(struct http *h, struct req *r)
{
	const char *m, *v, *uri, *q;
	size_t i, len;

	make_request_id(r);
	log_set_request_id(r->id);
	r->method = REQ_METHOD__MAX;
	if ((m = http_getenv(h, "REQUEST_METHOD")) != NULL)
		for (i = 0; i < REQ_METHOD__MAX; i++)
			if (strcmp(m, req_methods[i]) == 0)
				r->method = (enum req_method)i;
	r->fmt = negotiate(http_getenv(h, "HTTP_ACCEPT"));
	v = http_getenv(h, "HTTPS");
	r->https =
	    v != NULL && (strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0);
	v = http_getenv(h, "REQUEST_SCHEME");
	if (v != NULL && strcasecmp(v, "https") == 0)
		r->https = 1;
	if ((v = http_getenv(h, "HTTP_AUTHORIZATION")) == NULL)
		v = http_getenv(h, "REDIRECT_HTTP_AUTHORIZATION");
	r->bearer = parse_bearer(v);
	if ((v = http_getenv(h, "HTTP_ORIGIN")) != NULL &&
	    (r->origin = strdup(v)) == NULL)
		return REQ_ERR_NOMEM;
	r->path_info = dup_or_empty(http_getenv(h, "PATH_INFO"));
	r->script_name = dup_or_empty(http_getenv(h, "SCRIPT_NAME"));
	r->remote_addr = dup_or_empty(http_getenv(h, "REMOTE_ADDR"));
	if (r->path_info == NULL || r->script_name == NULL ||
	    r->remote_addr == NULL)
		return REQ_ERR_NOMEM;
	uri = http_getenv(h, "REQUEST_URI");
	if (uri == NULL)
		uri = "";
	q = strchr(uri, '?');
	len = q != NULL ? (size_t)(q - uri) : strlen(uri);
	switch (pct_decode(uri, len, 0, &r->uri_path, &len)) {
	case 0:
		break;
	case -2:
		return REQ_ERR_NOMEM;
	default:
		r->uri_path = strdup("");
		return r->uri_path == NULL ? REQ_ERR_NOMEM : REQ_ERR_ENCODING;
	}
	if (!valid_utf8_text(r->uri_path, len) ||
	    !valid_utf8_text(r->path_info, strlen(r->path_info)) ||
	    !valid_utf8_text(r->script_name, strlen(r->script_name)))
		return REQ_ERR_ENCODING;
	return REQ_OK;
}

enum req_err
req_parse(struct http *h, struct req *r, unsigned int accept, size_t body_max)
{
	const char *v, *te;
	char *body = NULL;
	size_t len = 0, got = 0;
	unsigned int kind = 0;
	enum req_err err;
	long n;

	memset(r, 0, sizeof(*r));
	if (body_max == 0)
		body_max = REQ_BODY_DEFAULT;
	if ((err = parse_meta(h, r)) != REQ_OK) {
		req_fail(r, err, NULL);
		goto out;
	}
	if ((v = http_getenv(h, "HTTP_COOKIE")) != NULL &&
	    (err = parse_cookies(r, v)) != REQ_OK)
		goto out;
	if ((v = http_getenv(h, "QUERY_STRING")) != NULL &&
	    (err = parse_urlencoded(r, v, strlen(v), REQ_SRC_QUERY)) != REQ_OK)
		goto out;

	/* The body: length first, type second, then read it. */
	v = http_getenv(h, "CONTENT_LENGTH");
	if (v != NULL && *v != '\0' && parse_length(v, &len) == -1) {
		err = req_fail(r, REQ_ERR_LENGTH, NULL);
		goto out;
	}
	/*
	 * A chunked body reaches a CGI program without CONTENT_LENGTH
	 * (Apache mod_cgi, mod_fcgid): refuse it rather than read nothing.
	 */
	if ((v == NULL || *v == '\0') &&
	    (te = http_getenv(h, "HTTP_TRANSFER_ENCODING")) != NULL &&
	    *te != '\0') {
		err = req_fail(r, REQ_ERR_NOLENGTH, NULL);
		goto out;
	}
	if (len == 0) {
		err = r->err = REQ_OK;
		goto out;
	}
	if (len > body_max) {
		err = req_fail(r, REQ_ERR_TOOBIG, NULL);
		goto out;
	}
	if ((kind = match_ctype(http_getenv(h, "CONTENT_TYPE"), accept)) == 0) {
		err = req_fail(r, REQ_ERR_CTYPE, NULL);
		goto out;
	}
	if ((body = malloc(len + 1)) == NULL) {
		err = req_fail(r, REQ_ERR_NOMEM, NULL);
		goto out;
	}
	while (got < len) {
		if ((n = http_read(h, body + got, len - got)) < 0) {
			err = req_fail(r, REQ_ERR_READ, NULL);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	/* Fewer bytes than announced, or more than announced. */
	if (got != len || http_body_extra(h) != 0) {
		err = req_fail(r, REQ_ERR_LENGTH, NULL);
		goto out;
	}
	body[len] = '\0';
	if (memchr(body, '\0', len) != NULL) {
		err = req_fail(r, REQ_ERR_ENCODING, NULL);
		goto out;
	}
	err = kind == REQ_BODY_FORM
	    ? parse_urlencoded(r, body, len, REQ_SRC_BODY)
	    : parse_json(r, body, len);
	if (err == REQ_OK)
		r->err = REQ_OK;
out:
	if (body != NULL) {
		explicit_bzero(body, len);
		free(body);
	}
	return err;
}

void
req_json_wipe(struct json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		/* json-c's own, writable copy of the string. */
		explicit_bzero((char *)(uintptr_t)json_object_get_string(o),
		    (size_t)json_object_get_string_len(o));
		break;
	case json_type_object: {
		/* The macro declares variables: a block of its own. */
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			req_json_wipe(v);
		}
		break;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			req_json_wipe(json_object_array_get_idx(o, i));
		break;
	default:
		break;
	}
}

void
req_free(struct req *r)
{
	size_t i;

	for (i = 0; i < r->paramsz; i++) {
		free(r->params[i].key);
		explicit_bzero(r->params[i].val, r->params[i].valsz);
		free(r->params[i].val);
	}
	free(r->params);
	for (i = 0; i < r->cookiesz; i++) {
		free(r->cookies[i].name);
		explicit_bzero(r->cookies[i].val, strlen(r->cookies[i].val));
		free(r->cookies[i].val);
	}
	free(r->cookies);
	req_json_wipe(r->json);
	json_object_put(r->json);
	free(r->path_info);
	free(r->uri_path);
	free(r->script_name);
	free(r->remote_addr);
	free(r->origin);
	if (r->bearer != NULL) {
		explicit_bzero(r->bearer, strlen(r->bearer));
		free(r->bearer);
	}
	memset(r, 0, sizeof(*r));
}

const char *
req_cookie(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->cookiesz; i++)
		if (strcmp(r->cookies[i].name, name) == 0)
			return r->cookies[i].val;
	return NULL;
}

const char *
req_path_tail(const struct req *r, const char *prefix)
{
	size_t plen = strlen(prefix);
	const char *t;

	if (r->path_info != NULL && r->path_info[0] != '\0') {
		/*
		 * A script mounted at the root gets the whole path in
		 * PATH_INFO, which must then start with the prefix;
		 * otherwise PATH_INFO is what follows the script's mount
		 * point (the route prefix).
		 */
		if (r->script_name == NULL || r->script_name[0] == '\0' ||
		    strcmp(r->script_name, "/") == 0) {
			if (strncmp(r->path_info, prefix, plen) != 0)
				return NULL;
			t = r->path_info + plen;
		} else
			t = r->path_info + (r->path_info[0] == '/');
	} else if (r->uri_path != NULL &&
	    strncmp(r->uri_path, prefix, plen) == 0)
		t = r->uri_path + plen;
	else
		return NULL;
	return *t != '\0' ? t : NULL;
}
