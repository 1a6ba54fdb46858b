/*
 * resp.c -- build and send one HTTP response. A handler fills a struct
 * resp (status, extra headers, body) and sends it once with resp_send(),
 * which writes the CGI response (RFC 3875 section 6: a "Status:" header,
 * then the others, a blank line and the body) and adds the security
 * headers every response carries. JSON bodies come
 * only from json-c's serializer, HTML bodies only from templates (tmpl.c).
 * Header values are checked for CR, LF and NUL so that data can never
 * split a header.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "extern.h"

/* The headers of every response, in this order. */
static const char *const resp_security[] = {
    "Content-Security-Policy: default-src 'none'; style-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Content-Type-Options: nosniff",
    "X-Frame-Options: DENY",
    "Referrer-Policy: no-referrer",
    "Cache-Control: no-store",
};

static const struct {
	int status;
	const char *reason;
} resp_reasons[] = {
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {409, "Conflict"},
    {411, "Length Required"},
    {413, "Content Too Large"},
    {415, "Unsupported Media Type"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
};

/* Headers that resp_send() writes itself and resp_header() refuses. */
static const char *const resp_reserved[] = {
    "Status",
    "Content-Type",
    "Content-Length",
};

const char *
resp_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(resp_reasons) / sizeof(resp_reasons[0]); i++)
		if (resp_reasons[i].status == status)
			return resp_reasons[i].reason;
	return "Unknown";
}

void
resp_init(struct resp *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->status = 500;
}

void
resp_free(struct resp *rs)
{
	buf_free(&rs->headers);
	buf_free_wipe(&rs->body);
	rs->ctype = NULL;
}

void
resp_status(struct resp *rs, int status)
{
	rs->status = status;
}

/* 1 if s is an RFC 9110 token (a header or cookie name). */
static int
is_token(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		        (*p >= '0' && *p <= '9') ||
		        strchr("!#$%&'*+-.^_`|~", *p) != NULL))
			return 0;
	return 1;
}

int
resp_header(struct resp *rs, const char *name, const char *value)
{
	const unsigned char *p;
	size_t i;

	if (name == NULL || value == NULL || !is_token(name))
		return -1;
	for (i = 0; i < sizeof(resp_reserved) / sizeof(resp_reserved[0]); i++)
		if (strcasecmp(name, resp_reserved[i]) == 0)
			return -1;
	/* field-value: no CR, LF, NUL or other controls but HTAB. */
	for (p = (const unsigned char *)value; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return -1;
	if (buf_printf(&rs->headers, "%s: %s\r\n", name, value) == -1)
		return -1;
	return 0;
}

struct buf *
resp_json_body(struct resp *rs, int status)
{
	buf_reset(&rs->body);
	rs->status = status;
	rs->ctype = RESP_CT_JSON;
	return &rs->body;
}

int
resp_json(struct resp *rs, int status, struct json_object *obj)
{
	const char *s;
	int rc;

	if (obj == NULL)
		return -1;
	s = json_object_to_json_string_ext(
	    obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		return -1;
	buf_reset(&rs->body);
	rc = buf_puts(&rs->body, s) == -1 || buf_putc(&rs->body, '\n') == -1;
	/*
	 * The body may hold personal data (decrypted emails): wipe json-c's
	 * copies -- its serialisation buffer (held by obj) and obj's
	 * strings -- so that json_object_put frees nothing readable.
	 */
	explicit_bzero((char *)(uintptr_t)s, strlen(s));
	req_json_wipe(obj);
	if (rc)
		return -1;
	rs->status = status;
	rs->ctype = RESP_CT_JSON;
	return 0;
}

int
resp_error_fields(struct resp *rs, int status, const char *msg,
    const struct field_errors *errs)
{
	struct json_object *obj = NULL, *fields = NULL, *s;
	size_t i;
	int rc = -1;

	if ((obj = json_object_new_object()) == NULL)
		goto out;
	if ((s = json_object_new_string(msg != NULL ? msg : "Error")) == NULL ||
	    json_object_object_add(obj, "error", s) != 0)
		goto out;
	if (errs != NULL) {
		if ((fields = json_object_new_object()) == NULL ||
		    json_object_object_add(obj, "fields", fields) != 0) {
			json_object_put(fields);
			goto out;
		}
		for (i = 0; i < errs->n && i < FIELD_ERRORS_MAX; i++)
			if ((s = json_object_new_string(errs->e[i].msg)) ==
			        NULL ||
			    json_object_object_add(
			        fields, errs->e[i].name, s) != 0)
				goto out;
	}
	rc = resp_json(rs, status, obj);
out:
	json_object_put(obj);
	return rc;
}

int
resp_error(struct resp *rs, int status, const char *msg)
{
	return resp_error_fields(rs, status, msg, NULL);
}

int
resp_html(
    struct resp *rs, int status, const char *name, const struct tmpl_vars *vars)
{
	enum tmpl_err err;

	buf_reset(&rs->body);
	if ((err = tmpl_render(&rs->body, name, vars)) != TMPL_OK) {
		LOG_ERR("template %s: %s", name, tmpl_strerror(err));
		buf_reset(&rs->body);
		return -1;
	}
	rs->status = status;
	rs->ctype = RESP_CT_HTML;
	return 0;
}

int
resp_redirect(struct resp *rs, int status, const char *location)
{
	if (status != 301 && status != 302 && status != 303 && status != 307 &&
	    status != 308)
		return -1;
	if (location == NULL || *location == '\0' ||
	    resp_header(rs, "Location", location) == -1)
		return -1;
	buf_reset(&rs->body);
	rs->ctype = NULL;
	rs->status = status;
	return 0;
}

int
resp_cookie(struct resp *rs, const char *name, const char *value, long max_age,
    int secure, const char *path)
{
	struct buf v = BUF_INIT;
	const unsigned char *p;
	int rc = -1;

	if (name == NULL || value == NULL || !is_token(name) || path == NULL ||
	    path[0] != '/' || strpbrk(path, ";\r\n") != NULL)
		return -1;
	for (p = (const unsigned char *)value; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		        (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL))
			return -1;
	buf_printf(
	    &v, "%s=%s; Path=%s; HttpOnly; SameSite=Strict", name, value, path);
	if (secure)
		buf_puts(&v, "; Secure");
	if (max_age == 0)
		buf_puts(
		    &v, "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
	else if (max_age > 0)
		buf_printf(&v, "; Max-Age=%ld", max_age);
	if (buf_ok(&v))
		rc = resp_header(rs, "Set-Cookie", buf_cstr(&v));
	buf_free_wipe(&v);
	return rc;
}

int
resp_allow(struct resp *rs, const char *methods)
{
	return resp_header(rs, "Allow", methods);
}

int
resp_retry_after(struct resp *rs, unsigned int seconds)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", seconds);
	return resp_header(rs, "Retry-After", v);
}

int
resp_cors(struct resp *rs, const char *allowed, const char *origin)
{
	const char *p, *e;
	size_t len, olen;

	if (allowed == NULL)
		return 0;
	for (p = allowed; *p == ' ' || *p == ','; p++)
		;
	if (*p == '\0')
		return 0;
	if (resp_header(rs, "Vary", "Origin") == -1)
		return -1;
	if (origin == NULL || *origin == '\0' || strcmp(origin, "null") == 0)
		return 0;
	olen = strlen(origin);
	for (p = allowed; *p != '\0'; p = *e == ',' ? e + 1 : e) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		len = (size_t)(e - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == olen && len > 0 && memcmp(p, origin, len) == 0) {
			if (resp_header(rs, "Access-Control-Allow-Origin",
			        origin) == -1 ||
			    resp_header(rs, "Access-Control-Allow-Methods",
			        "GET, HEAD, POST, PATCH, DELETE") == -1 ||
			    resp_header(rs, "Access-Control-Allow-Headers",
			        "Authorization, Content-Type") == -1 ||
			    resp_header(rs, "Access-Control-Max-Age", "600") ==
			        -1)
				return -1;
			return 1;
		}
	}
	return 0;
}

int
resp_send(struct http *h, const struct resp *rs)
{
	struct buf out = BUF_INIT;
	const char *m;
	int status = rs->status, nobody, rc = -1;
	size_t i;

	if (status < 100 || status > 599)
		status = 500;
	m = http_getenv(h, "REQUEST_METHOD");
	nobody = status == 204 || status == 304;
	buf_printf(&out, "Status: %d %s\r\n", status, resp_reason(status));
	if (!nobody) {
		if (rs->ctype != NULL || rs->body.len > 0)
			buf_printf(&out, "Content-Type: %s\r\n",
			    rs->ctype != NULL ? rs->ctype : RESP_CT_JSON);
		buf_printf(&out, "Content-Length: %zu\r\n", rs->body.len);
	}
	for (i = 0; i < sizeof(resp_security) / sizeof(resp_security[0]); i++)
		buf_printf(&out, "%s\r\n", resp_security[i]);
	if (rs->headers.len > 0)
		buf_putmem(&out, rs->headers.data, rs->headers.len);
	buf_puts(&out, "\r\n");
	if (!nobody && !(m != NULL && strcmp(m, "HEAD") == 0) &&
	    rs->body.len > 0)
		buf_putmem(&out, rs->body.data, rs->body.len);
	if (!buf_ok(&out)) {
		LOG_ERR("out of memory");
		goto out;
	}
	if (http_write(h, out.data, out.len) == -1) {
		LOG_WARN("cannot write the response");
		goto out;
	}
	rc = 0;
out:
	buf_free_wipe(&out);
	return rc;
}
