/*
 * check_req.c -- unit tests of lib/req.c, the request parser: query and
 * form decoding, cookies, Accept negotiation, CONTENT_LENGTH and
 * Content-Type handling, strict JSON, path parameters, request metadata
 * and req_fields(). Requests are fed through a fake server (t/http/fakeio.h)
 * behind the real struct http. Every table row is one case.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "extern.h"
#include "http/fakeio.h"

/* Parse a request made of env (NULL-terminated pairs) and body. */
static enum req_err
parse(struct fake *f, struct req *r, unsigned int accept, size_t max)
{
	struct http *h = fake_http(f);
	enum req_err err;

	ck_assert_ptr_nonnull(h);
	err = req_parse(h, r, accept, max);
	ck_assert_int_eq(err, r->err);
	http_free(h);
	return err;
}

/* The value of parameter key in r, or NULL. */
static const char *
param(const struct req *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->paramsz; i++)
		if (strcmp(r->params[i].key, key) == 0)
			return r->params[i].val;
	return NULL;
}

/* ---- query strings ---------------------------------------------------- */

static const struct {
	const char *qs;
	enum req_err err;
	const char *key; /* a key to look up on success (or errfield) */
	const char *val; /* its expected value (NULL: absent) */
} query_cases[] = {
    {"a=1&b=2", REQ_OK, "b", "2"},
    {"a=hello+world", REQ_OK, "a", "hello world"},
    {"a=%41%42%63", REQ_OK, "a", "ABc"},
    {"a=%2B%26%3D", REQ_OK, "a", "+&="},
    {"a%20b=1", REQ_OK, "a b", "1"},
    {"a=", REQ_OK, "a", ""},
    {"a", REQ_OK, "a", ""},
    {"a=1&&b=2&", REQ_OK, "b", "2"},
    {"", REQ_OK, "a", NULL},
    {"a=x=y", REQ_OK, "a", "x=y"},
    {"a=%C3%A9t%C3%A9", REQ_OK, "a", "\xc3\xa9t\xc3\xa9"},
    {"a=%F0%9F%98%80", REQ_OK, "a", "\xf0\x9f\x98\x80"},
    {"a=%4", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%zz", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%g1", REQ_ERR_ENCODING, NULL, NULL},
    {"%=1", REQ_ERR_ENCODING, NULL, NULL},
    {"=1", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%00", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%0A", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%0D%0A", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%09", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%7F", REQ_ERR_ENCODING, NULL, NULL},
    {"a=%C2%85", REQ_ERR_ENCODING, NULL, NULL},       /* C1 control */
    {"a=%C3", REQ_ERR_ENCODING, NULL, NULL},          /* truncated */
    {"a=%C0%AF", REQ_ERR_ENCODING, NULL, NULL},       /* overlong */
    {"a=%ED%A0%80", REQ_ERR_ENCODING, NULL, NULL},    /* surrogate */
    {"a=%F4%90%80%80", REQ_ERR_ENCODING, NULL, NULL}, /* > U+10FFFF */
    {"a=%FF", REQ_ERR_ENCODING, NULL, NULL},
    {"k%0A=1", REQ_ERR_ENCODING, NULL, NULL},
    {"a=1&a=2", REQ_ERR_REPEATED, "a", NULL},
    {"a=1&b=2&a=1", REQ_ERR_REPEATED, "a", NULL},
    {"a=1&%61=2", REQ_ERR_REPEATED, "a", NULL},
    {"a&a", REQ_ERR_REPEATED, "a", NULL},
};

START_TEST(test_query)
{
	const char *env[] = {
	    "REQUEST_METHOD", "GET", "QUERY_STRING", query_cases[_i].qs, NULL};
	struct fake f = {.env = env};
	struct req r;
	enum req_err err;

	err = parse(&f, &r, 0, 0);
	ck_assert_msg(err == query_cases[_i].err, "%s: got %d want %d",
	    query_cases[_i].qs, err, query_cases[_i].err);
	if (err == REQ_OK && query_cases[_i].key != NULL) {
		if (query_cases[_i].val == NULL)
			ck_assert_ptr_null(param(&r, query_cases[_i].key));
		else
			ck_assert_str_eq(param(&r, query_cases[_i].key),
			    query_cases[_i].val);
	}
	if (err == REQ_ERR_REPEATED) {
		ck_assert_str_eq(r.errfield, query_cases[_i].key);
		ck_assert_str_eq(r.errmsg, "Repeated parameter: a");
	}
	if (err != REQ_OK)
		ck_assert_int_eq(req_err_status(err), 400);
	req_free(&r);
	buf_free(&f.out);
}
END_TEST

/* Limits: key length, value length, parameter count. */
START_TEST(test_query_limits)
{
	const char *env[] = {
	    "REQUEST_METHOD", "GET", "QUERY_STRING", NULL, NULL};
	struct fake f = {.env = env};
	struct buf qs = BUF_INIT;
	struct req r;
	int i;

	/* A key of REQ_KEY_MAX bytes is fine, one more is not. */
	for (i = 0; i < REQ_KEY_MAX; i++)
		buf_putc(&qs, 'k');
	buf_puts(&qs, "=1");
	env[3] = buf_cstr(&qs);
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	req_free(&r);
	buf_reset(&qs);
	for (i = 0; i < REQ_KEY_MAX + 1; i++)
		buf_putc(&qs, 'k');
	buf_puts(&qs, "=1");
	env[3] = buf_cstr(&qs);
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_ERR_TOOMANY);
	req_free(&r);

	/* A value of REQ_VALUE_MAX bytes is fine, one more is not. */
	buf_reset(&qs);
	buf_puts(&qs, "v=");
	for (i = 0; i < REQ_VALUE_MAX; i++)
		buf_putc(&qs, 'x');
	env[3] = buf_cstr(&qs);
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	ck_assert_uint_eq(r.params[0].valsz, REQ_VALUE_MAX);
	req_free(&r);
	buf_puts(&qs, "x");
	env[3] = buf_cstr(&qs);
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_ERR_TOOMANY);
	req_free(&r);

	/* REQ_PARAMS_MAX parameters are fine, one more is not. */
	buf_reset(&qs);
	for (i = 0; i < REQ_PARAMS_MAX; i++)
		buf_printf(&qs, "%sp%d=%d", i ? "&" : "", i, i);
	env[3] = buf_cstr(&qs);
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	ck_assert_uint_eq(r.paramsz, REQ_PARAMS_MAX);
	req_free(&r);
	buf_puts(&qs, "&last=1");
	env[3] = buf_cstr(&qs);
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_ERR_TOOMANY);
	req_free(&r);
	buf_free(&qs);
	buf_free(&f.out);
}
END_TEST

/* ---- cookies ---------------------------------------------------------- */

static const struct {
	const char *header;
	const char *name;
	const char *val; /* NULL: not found */
} cookie_cases[] = {
    {"sid=abc", "sid", "abc"},
    {"a=1; sid=xyz", "sid", "xyz"},
    {"a=1;sid=xyz", "sid", "xyz"},
    {"a=1;   sid=xyz  ", "sid", "xyz"},
    {"sid=\"quoted\"", "sid", "quoted"},
    {"sid=abc; sid=def", "sid", "abc"},
    {"bad cookie; sid=ok", "sid", "ok"},
    {"=x; sid=1", "sid", "1"},
    {"sid", "sid", NULL},
    {"sid=", "sid", ""},
    {"sid=a b", "sid", NULL},
    {"sid=a,b", "sid", NULL},
    {"sid=a\\b", "sid", NULL},
    {"sid=\"a", "sid", NULL},
    {"a=1", "sid", NULL},
    {"", "sid", NULL},
    {";;;", "sid", NULL},
    {"SID=upper; sid=lower", "sid", "lower"},
    {"csrf=AbC-_123; sid=tok", "csrf", "AbC-_123"},
};

START_TEST(test_cookies)
{
	const char *env[] = {"REQUEST_METHOD", "GET", "HTTP_COOKIE",
	    cookie_cases[_i].header, NULL};
	struct fake f = {.env = env};
	struct req r;
	const char *v;

	/* Cookies never fail a request. */
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	v = req_cookie(&r, cookie_cases[_i].name);
	if (cookie_cases[_i].val == NULL)
		ck_assert_msg(
		    v == NULL, "%s: got %s", cookie_cases[_i].header, v);
	else {
		ck_assert_msg(
		    v != NULL, "%s: not found", cookie_cases[_i].header);
		ck_assert_str_eq(v, cookie_cases[_i].val);
	}
	req_free(&r);
}
END_TEST

/* ---- Accept ----------------------------------------------------------- */

static const struct {
	const char *accept; /* NULL: header missing */
	enum req_fmt fmt;
} accept_cases[] = {
    /* Firefox, Chromium, Safari. */
    {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
     "image/webp,*/*;q=0.8",
        REQ_FMT_HTML},
    {"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
     "image/webp,image/apng,*/*;q=0.8,"
     "application/signed-exchange;v=b3;q=0.7",
        REQ_FMT_HTML},
    {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        REQ_FMT_HTML},
    {"text/html", REQ_FMT_HTML},
    {"TEXT/HTML", REQ_FMT_HTML},
    {"text/html;q=0.9, application/json;q=0.5", REQ_FMT_HTML},
    {"application/xhtml+xml", REQ_FMT_HTML},
    {NULL, REQ_FMT_JSON},
    {"", REQ_FMT_JSON},
    {"*/*", REQ_FMT_JSON},
    {"application/json", REQ_FMT_JSON},
    {"application/json, text/html;q=0.9", REQ_FMT_JSON},
    {"text/html;q=0.5, application/json", REQ_FMT_JSON},
    {"text/html, application/json", REQ_FMT_JSON}, /* tie */
    {"text/html;q=0", REQ_FMT_JSON},
    {"text/html;q=0.000", REQ_FMT_JSON},
    {"text/*", REQ_FMT_JSON},
    {"text/plain", REQ_FMT_JSON},
    {"text/html;q=bogus", REQ_FMT_JSON},
    {"text/html;q=0.5, */*;q=0.6", REQ_FMT_JSON},
    {"text/html;level=1;q=0.7, application/*;q=0.6", REQ_FMT_HTML},
    {",,, text/html ,", REQ_FMT_HTML},
};

START_TEST(test_accept)
{
	const char *env[] = {"REQUEST_METHOD", "GET", "HTTP_ACCEPT",
	    accept_cases[_i].accept, NULL};
	struct fake f = {.env = env};
	struct req r;

	if (accept_cases[_i].accept == NULL)
		env[2] = NULL;
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	ck_assert_msg(r.fmt == accept_cases[_i].fmt, "%s: got %d",
	    accept_cases[_i].accept ? accept_cases[_i].accept : "(none)",
	    r.fmt);
	req_free(&r);
}
END_TEST

/* ---- CONTENT_LENGTH and Content-Type ---------------------------------- */

static const struct {
	const char *cl;    /* NULL: unset */
	const char *ctype; /* NULL: unset */
	const char *body;
	size_t max;
	enum req_err err;
	int unread; /* 1: not a byte of the body may be read */
} length_cases[] = {
    {"7", "application/x-www-form-urlencoded", "a=1&b=2", 0, REQ_OK, 0},
    {NULL, NULL, NULL, 0, REQ_OK, 1},
    {"", NULL, NULL, 0, REQ_OK, 1},
    {"0", NULL, NULL, 0, REQ_OK, 1},
    {"0", "text/plain", NULL, 0, REQ_OK, 1},
    {"18446744073709551616", "application/json", "{}", 0, REQ_ERR_LENGTH, 1},
    {"99999999999999999999999999", "application/json", "{}", 0, REQ_ERR_LENGTH,
        1},
    {"-1", "application/json", "{}", 0, REQ_ERR_LENGTH, 1},
    {"+2", "application/json", "{}", 0, REQ_ERR_LENGTH, 1},
    {"abc", "application/json", "{}", 0, REQ_ERR_LENGTH, 1},
    {"2abc", "application/json", "{}", 0, REQ_ERR_LENGTH, 1},
    {" 2", "application/json", "{}", 0, REQ_ERR_LENGTH, 1},
    {"2 ", "application/json", "{}", 0, REQ_ERR_LENGTH, 1},
    {"0x10", "application/json", "{}", 0, REQ_ERR_LENGTH, 1},
    {"5", "application/json", "{}", 0, REQ_ERR_LENGTH, 0},   /* short */
    {"2", "application/json", "{}{}", 0, REQ_ERR_LENGTH, 0}, /* long */
    {"100", "application/json", "{}", 10, REQ_ERR_TOOBIG, 1},
    {"65537", "application/json", "{}", 0, REQ_ERR_TOOBIG, 1},
    {"18446744073709551615", "application/json", "{}", 0, REQ_ERR_TOOBIG, 1},
    {"10", "application/json", "{\"a\":\"12\"}", 10, REQ_OK, 0},
    {"10", "application/json", "{\"a\":\"12\"}", 9, REQ_ERR_TOOBIG, 1},
    /* Content types. */
    {"2", "application/json; charset=utf-8", "{}", 0, REQ_OK, 0},
    {"2", "Application/JSON;charset=\"UTF-8\"", "{}", 0, REQ_OK, 0},
    {"2", "application/json ; foo=bar", "{}", 0, REQ_OK, 0},
    {"2", "application/json; charset=latin1", "{}", 0, REQ_ERR_CTYPE, 1},
    {"2", "application/jsonx", "{}", 0, REQ_ERR_CTYPE, 1},
    {"2", "text/json", "{}", 0, REQ_ERR_CTYPE, 1},
    {"2", "text/plain", "{}", 0, REQ_ERR_CTYPE, 1},
    {"2", NULL, "{}", 0, REQ_ERR_CTYPE, 1},
    {"2", "", "{}", 0, REQ_ERR_CTYPE, 1},
    {"3", "multipart/form-data; boundary=x", "a=1", 0, REQ_ERR_CTYPE, 1},
    {"3", "application/x-www-form-urlencoded; charset=UTF-8", "a=1", 0, REQ_OK,
        0},
};

START_TEST(test_length)
{
	const char *env[12];
	struct fake f = {.env = env};
	struct req r;
	enum req_err err;
	size_t n = 0;

	env[n++] = "REQUEST_METHOD";
	env[n++] = "POST";
	if (length_cases[_i].cl != NULL) {
		env[n++] = "CONTENT_LENGTH";
		env[n++] = length_cases[_i].cl;
	}
	if (length_cases[_i].ctype != NULL) {
		env[n++] = "CONTENT_TYPE";
		env[n++] = length_cases[_i].ctype;
	}
	env[n] = NULL;
	f.body = length_cases[_i].body;
	f.chunk = 1; /* the parser must loop over short reads */
	err =
	    parse(&f, &r, REQ_BODY_FORM | REQ_BODY_JSON, length_cases[_i].max);
	ck_assert_msg(err == length_cases[_i].err, "case %d (%s): got %d", _i,
	    length_cases[_i].cl ? length_cases[_i].cl : "-", err);
	if (length_cases[_i].unread)
		ck_assert_uint_eq(f.pos, 0);
	if (err == REQ_ERR_TOOBIG) {
		ck_assert_int_eq(req_err_status(err), 413);
		ck_assert_str_eq(r.errmsg, "Request body too large");
	}
	if (err == REQ_ERR_CTYPE)
		ck_assert_int_eq(req_err_status(err), 415);
	if (err == REQ_ERR_LENGTH)
		ck_assert_int_eq(req_err_status(err), 400);
	req_free(&r);
}
END_TEST

/* A body without a length (chunked, passed on without CONTENT_LENGTH). */
static const struct {
	const char *cl, *te; /* NULL: unset */
	enum req_err err;
} chunked_cases[] = {
    {NULL, "chunked", REQ_ERR_NOLENGTH},
    {"", "chunked", REQ_ERR_NOLENGTH},
    {NULL, "gzip, chunked", REQ_ERR_NOLENGTH},
    {"9", "chunked", REQ_OK}, /* the server de-chunked it */
    {NULL, "", REQ_OK},
    {NULL, NULL, REQ_OK},
};

START_TEST(test_chunked)
{
	const char *env[10];
	struct fake f = {.env = env, .body = "{\"a\":\"b\"}"};
	struct req r;
	size_t n = 0;

	env[n++] = "REQUEST_METHOD";
	env[n++] = "POST";
	env[n++] = "CONTENT_TYPE";
	env[n++] = "application/json";
	if (chunked_cases[_i].cl != NULL) {
		env[n++] = "CONTENT_LENGTH";
		env[n++] = chunked_cases[_i].cl;
	}
	if (chunked_cases[_i].te != NULL) {
		env[n++] = "HTTP_TRANSFER_ENCODING";
		env[n++] = chunked_cases[_i].te;
	}
	env[n] = NULL;
	ck_assert_int_eq(
	    parse(&f, &r, REQ_BODY_JSON, 0), chunked_cases[_i].err);
	if (chunked_cases[_i].err == REQ_ERR_NOLENGTH) {
		ck_assert_int_eq(req_err_status(r.err), 411);
		ck_assert_str_eq(r.errmsg, "Content-Length required");
		ck_assert_uint_eq(f.pos, 0);
	}
	req_free(&r);
}
END_TEST

/* A route that takes no body, or only one kind, answers 415. */
START_TEST(test_accept_kinds)
{
	const char *envj[] = {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", "2",
	    "CONTENT_TYPE", "application/json", NULL};
	const char *envf[] = {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", "3",
	    "CONTENT_TYPE", "application/x-www-form-urlencoded", NULL};
	struct fake fj = {.env = envj, .body = "{}"};
	struct fake ff = {.env = envf, .body = "a=1"};
	struct req r;

	ck_assert_int_eq(parse(&fj, &r, REQ_BODY_FORM, 0), REQ_ERR_CTYPE);
	req_free(&r);
	fj.pos = 0;
	ck_assert_int_eq(parse(&fj, &r, 0, 0), REQ_ERR_CTYPE);
	req_free(&r);
	ck_assert_int_eq(parse(&ff, &r, REQ_BODY_JSON, 0), REQ_ERR_CTYPE);
	req_free(&r);
	ff.pos = 0;
	ck_assert_int_eq(parse(&ff, &r, REQ_BODY_FORM, 0), REQ_OK);
	ck_assert_str_eq(param(&r, "a"), "1");
	ck_assert_int_eq(r.params[0].src, REQ_SRC_BODY);
	req_free(&r);
}
END_TEST

/* ---- form bodies ------------------------------------------------------ */

START_TEST(test_form)
{
	const char *body = "username=bob&password=s%C3%A9cret+pw&empty=";
	char cl[16];
	const char *env[] = {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", cl,
	    "CONTENT_TYPE", "application/x-www-form-urlencoded", "QUERY_STRING",
	    "limit=5", NULL};
	struct fake f = {.env = env, .body = body};
	struct req r;

	snprintf(cl, sizeof(cl), "%zu", strlen(body));
	ck_assert_int_eq(parse(&f, &r, REQ_BODY_FORM, 0), REQ_OK);
	ck_assert_str_eq(param(&r, "username"), "bob");
	ck_assert_str_eq(param(&r, "password"),
	    "s\xc3\xa9"
	    "cret pw");
	ck_assert_str_eq(param(&r, "empty"), "");
	ck_assert_str_eq(param(&r, "limit"), "5");
	ck_assert_uint_eq(r.paramsz, 4);
	ck_assert_ptr_null(r.json);
	req_free(&r);
}
END_TEST

/* The same key in the query and the body is a repeated key. */
START_TEST(test_repeat_across)
{
	const char *env[] = {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", "9",
	    "CONTENT_TYPE", "application/json", "QUERY_STRING", "a=1", NULL};
	struct fake f = {.env = env, .body = "{\"a\":\"2\"}"};
	struct req r;

	ck_assert_int_eq(parse(&f, &r, REQ_BODY_JSON, 0), REQ_ERR_REPEATED);
	ck_assert_str_eq(r.errfield, "a");
	req_free(&r);
}
END_TEST

/* ---- JSON bodies ------------------------------------------------------ */

static const struct {
	const char *body;
	size_t len; /* 0: strlen(body) */
	enum req_err err;
	const char *key; /* on success: a key to check (or the dup key) */
	const char *val; /* its value (NULL: absent) */
} json_cases[] = {
    {"{\"a\":\"1\"}", 0, REQ_OK, "a", "1"},
    {"{}", 0, REQ_OK, "a", NULL},
    {" \r\n\t{ \"a\" : \"x\" } \n", 0, REQ_OK, "a", "x"},
    {"{\"a\":12}", 0, REQ_OK, "a", "12"},
    {"{\"a\":-3}", 0, REQ_OK, "a", "-3"},
    {"{\"a\":true}", 0, REQ_OK, "a", "true"},
    {"{\"a\":false}", 0, REQ_OK, "a", "false"},
    {"{\"a\":null}", 0, REQ_OK, "a", NULL},
    {"{\"a\":{\"b\":1}}", 0, REQ_OK, "a", NULL},
    {"{\"a\":[1,2]}", 0, REQ_OK, "a", NULL},
    {"{\"a\":\"\\u00e9\"}", 0, REQ_OK, "a", "\xc3\xa9"},
    {"{\"a\":\"\\ud83d\\ude00\"}", 0, REQ_OK, "a", "\xf0\x9f\x98\x80"},
    {"{\"a\":\"\xc3\xa9\"}", 0, REQ_OK, "a", "\xc3\xa9"},
    {"{\"a\":\"x\\/y\\\\z\\\"\"}", 0, REQ_OK, "a", "x/y\\z\""},
    {"{\"a\":{\"b\":1},\"b\":2}", 0, REQ_OK, "b", "2"},
    {"{\"x\":[{\"a\":1},{\"a\":2}]}", 0, REQ_OK, "x", NULL},
    /* Duplicate keys, at any depth, however spelled. */
    {"{\"a\":1,\"a\":2}", 0, REQ_ERR_JSON_DUP, "a", NULL},
    {"{\"a\":1,\"b\":2,\"a\":1}", 0, REQ_ERR_JSON_DUP, "a", NULL},
    {"{\"x\":{\"a\":1,\"a\":2}}", 0, REQ_ERR_JSON_DUP, "a", NULL},
    {"{\"x\":[{\"q\":1,\"q\":2}]}", 0, REQ_ERR_JSON_DUP, "q", NULL},
    {"{\"x\":[[[{\"y\":{\"z\":0,\"z\":0}}]]]}", 0, REQ_ERR_JSON_DUP, "z", NULL},
    {"{\"a\":1,\"\\u0061\":2}", 0, REQ_ERR_JSON_DUP, "a", NULL},
    {"{\"ab\":1,\"a\\u0062\":2}", 0, REQ_ERR_JSON_DUP, "ab", NULL},
    {"{\"a/b\":1,\"a\\/b\":2}", 0, REQ_ERR_JSON_DUP, "a/b", NULL},
    {"{\"\xc3\xa9\":1,\"\\u00e9\":2}", 0, REQ_ERR_JSON_DUP, "\xc3\xa9", NULL},
    {"{\"a\":null,\"a\":null}", 0, REQ_ERR_JSON_DUP, "a", NULL},
    /* Malformed, trailing data. */
    {"{\"a\":1} x", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":1}{\"b\":2}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":1},", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":1", 0, REQ_ERR_JSON, NULL, NULL},
    {"{'a':1}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":1,}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{a:1}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":01}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":\"\\x41\"}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":NaN}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":Infinity}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":-Infinity}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":1.}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":.5}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":1e}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":+1}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":tru}", 0, REQ_ERR_JSON, NULL, NULL},
    {"{\"a\":1.5e3}", 0, REQ_OK, "a", "1.5e3"},
    {"{\"a\":-0.25E-2}", 0, REQ_OK, "a", "-0.25E-2"},
    {"{\"a\":\"tab\there\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    /* Not an object. */
    {"[1,2]", 0, REQ_ERR_JSON_TYPE, NULL, NULL},
    {"\"str\"", 0, REQ_ERR_JSON_TYPE, NULL, NULL},
    {"null", 0, REQ_ERR_JSON_TYPE, NULL, NULL},
    {"true", 0, REQ_ERR_JSON_TYPE, NULL, NULL},
    /* NUL, control characters, bad UTF-8, lone surrogates. */
    {"{\"a\":\"\\u0000\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"\\u0000\":1}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"x\":{\"y\":\"a\\u0000b\"}}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"x\\ny\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"\\u001b[31m\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"\xff\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"\xc0\xaf\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"\xed\xa0\x80\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"\\ud800\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"\\udc00\\ud800\"}", 0, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"1\"}\0", 10, REQ_ERR_ENCODING, NULL, NULL},
    {"{\"a\":\"\0\"}", 8, REQ_ERR_ENCODING, NULL, NULL},
};

START_TEST(test_json)
{
	char cl[24];
	const char *env[] = {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", cl,
	    "CONTENT_TYPE", "application/json", NULL};
	struct fake f = {.env = env};
	struct req r;
	enum req_err err;

	f.body = json_cases[_i].body;
	f.bodylen = json_cases[_i].len ? json_cases[_i].len
	                               : strlen(json_cases[_i].body);
	snprintf(cl, sizeof(cl), "%zu", f.bodylen);
	err = parse(&f, &r, REQ_BODY_JSON, 0);
	ck_assert_msg(err == json_cases[_i].err, "case %d %s: got %d (%s)", _i,
	    json_cases[_i].body, err, r.errmsg);
	if (err == REQ_OK) {
		ck_assert_ptr_nonnull(r.json);
		if (json_cases[_i].val == NULL)
			ck_assert_ptr_null(param(&r, json_cases[_i].key));
		else
			ck_assert_str_eq(
			    param(&r, json_cases[_i].key), json_cases[_i].val);
	} else {
		ck_assert_ptr_null(r.json);
		ck_assert_int_eq(req_err_status(err), 400);
	}
	if (err == REQ_ERR_JSON_DUP) {
		char want[160];

		ck_assert_str_eq(r.errfield, json_cases[_i].key);
		snprintf(want, sizeof(want), "Duplicate key in JSON body: %s",
		    json_cases[_i].key);
		ck_assert_str_eq(r.errmsg, want);
	}
	req_free(&r);
}
END_TEST

/* Depth: REQ_JSON_DEPTH levels of objects/arrays pass, one more fails. */
START_TEST(test_json_depth)
{
	static const enum req_err want[] = {REQ_OK, REQ_ERR_JSON_DEPTH};
	struct buf body = BUF_INIT;
	char cl[24];
	const char *env[] = {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", cl,
	    "CONTENT_TYPE", "application/json", NULL};
	struct fake f = {.env = env};
	struct req r;
	int depth, i, k;

	for (k = 0; k < 2; k++) {
		depth = REQ_JSON_DEPTH + k; /* levels, counting the top */
		buf_reset(&body);
		buf_puts(&body, "{\"a\":");
		for (i = 1; i < depth; i++)
			buf_puts(&body, i % 2 ? "[" : "{\"b\":");
		buf_puts(&body, "1");
		for (i = depth - 1; i >= 1; i--)
			buf_puts(&body, i % 2 ? "]" : "}");
		buf_puts(&body, "}");
		f.body = buf_cstr(&body);
		f.bodylen = body.len;
		f.pos = 0;
		snprintf(cl, sizeof(cl), "%zu", body.len);
		ck_assert_msg(parse(&f, &r, REQ_BODY_JSON, 0) == want[k],
		    "depth %d: %s", depth, r.errmsg);
		req_free(&r);
	}
	buf_free(&body);
}
END_TEST

/* ---- metadata --------------------------------------------------------- */

static const struct {
	const char *method;
	enum req_method m;
} method_cases[] = {
    {"GET", REQ_METHOD_GET},
    {"HEAD", REQ_METHOD_HEAD},
    {"POST", REQ_METHOD_POST},
    {"PUT", REQ_METHOD_PUT},
    {"PATCH", REQ_METHOD_PATCH},
    {"DELETE", REQ_METHOD_DELETE},
    {"OPTIONS", REQ_METHOD_OPTIONS},
    {"get", REQ_METHOD__MAX},
    {"TRACE", REQ_METHOD__MAX},
    {"", REQ_METHOD__MAX},
};

START_TEST(test_method)
{
	const char *env[] = {"REQUEST_METHOD", method_cases[_i].method, NULL};
	struct fake f = {.env = env};
	struct req r;

	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	ck_assert_int_eq(r.method, method_cases[_i].m);
	if (r.method != REQ_METHOD__MAX)
		ck_assert_str_eq(
		    req_method_name(r.method), method_cases[_i].method);
	else
		ck_assert_str_eq(req_method_name(r.method), "UNKNOWN");
	req_free(&r);
}
END_TEST

static const struct {
	const char *name, *value; /* the header variable */
	const char *bearer;       /* expected token, NULL: none */
} bearer_cases[] = {
    {"HTTP_AUTHORIZATION", "Bearer abcDEF123-_.~+/=", "abcDEF123-_.~+/="},
    {"HTTP_AUTHORIZATION", "bearer tok", "tok"},
    {"HTTP_AUTHORIZATION", "Bearer   tok  ", "tok"},
    {"REDIRECT_HTTP_AUTHORIZATION", "Bearer viarewrite", "viarewrite"},
    {"HTTP_AUTHORIZATION", "Basic dXNlcjpwYXNz", NULL},
    {"HTTP_AUTHORIZATION", "Bearer", NULL},
    {"HTTP_AUTHORIZATION", "Bearer ", NULL},
    {"HTTP_AUTHORIZATION", "Bearer a b", NULL},
    {"HTTP_AUTHORIZATION", "Bearer a\"b", NULL},
    {"HTTP_AUTHORIZATION", "Bearertok", NULL},
    {"HTTP_X_OTHER", "Bearer tok", NULL},
};

START_TEST(test_bearer)
{
	const char *env[] = {"REQUEST_METHOD", "GET", bearer_cases[_i].name,
	    bearer_cases[_i].value, NULL};
	struct fake f = {.env = env};
	struct req r;

	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	if (bearer_cases[_i].bearer == NULL)
		ck_assert_ptr_null(r.bearer);
	else {
		ck_assert_ptr_nonnull(r.bearer);
		ck_assert_str_eq(r.bearer, bearer_cases[_i].bearer);
	}
	req_free(&r);
}
END_TEST

START_TEST(test_meta)
{
	const char *env[] = {"REQUEST_METHOD", "GET", "REMOTE_ADDR",
	    "192.0.2.7", "HTTPS", "on", "HTTP_ORIGIN", "https://app.example",
	    "SCRIPT_NAME", "/user", "PATH_INFO", "/admin", "REQUEST_URI",
	    "/user/admin?x=1", NULL};
	const char *env2[] = {
	    "REQUEST_METHOD", "GET", "REQUEST_SCHEME", "https", NULL};
	const char *env3[] = {"REQUEST_METHOD", "GET", "HTTPS", "off", NULL};
	struct fake f = {.env = env};
	struct req r;
	char first[33];
	size_t i;

	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	ck_assert_str_eq(r.remote_addr, "192.0.2.7");
	ck_assert_int_eq(r.https, 1);
	ck_assert_str_eq(r.origin, "https://app.example");
	ck_assert_str_eq(r.path_info, "/admin");
	ck_assert_str_eq(r.script_name, "/user");
	ck_assert_str_eq(r.uri_path, "/user/admin");
	ck_assert_uint_eq(strlen(r.id), 32);
	for (i = 0; i < 32; i++)
		ck_assert(strchr("0123456789abcdef", r.id[i]) != NULL);
	memcpy(first, r.id, sizeof(first));
	req_free(&r);
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	ck_assert_str_ne(r.id, first);
	req_free(&r);

	f.env = env2;
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	ck_assert_int_eq(r.https, 1);
	ck_assert_ptr_null(r.origin);
	ck_assert_str_eq(r.remote_addr, "");
	req_free(&r);
	f.env = env3;
	ck_assert_int_eq(parse(&f, &r, 0, 0), REQ_OK);
	ck_assert_int_eq(r.https, 0);
	req_free(&r);
}
END_TEST

/* ---- path parameters -------------------------------------------------- */

static const struct {
	const char *script, *path_info, *uri; /* NULL: unset */
	const char *tail;                     /* NULL: none */
	enum req_err err;
} path_cases[] = {
    /* lighttpd mod_fastcgi "/user" prefix; Apache ScriptAlias /user. */
    {"/user", "/admin", "/user/admin", "admin", REQ_OK},
    /* Apache Alias or .htaccess rewrite to a script with PATH_INFO. */
    {"/cgi-bin/user.cgi", "/admin", "/user/admin", "admin", REQ_OK},
    /* Server decoded PATH_INFO; REQUEST_URI stays raw. */
    {"/user", "/a b", "/user/a%20b", "a b", REQ_OK},
    {"/user", "/\xc3\xa9mile", "/user/%C3%A9mile", "\xc3\xa9mile", REQ_OK},
    /* A script mounted at the root gets the whole path. */
    {"", "/user/admin", "/user/admin", "admin", REQ_OK},
    {"/", "/user/admin", "/user/admin", "admin", REQ_OK},
    {"", "/users", "/users", NULL, REQ_OK},
    {"/", "/login", "/login", NULL, REQ_OK},
    /* No PATH_INFO (rewrite without it): decode REQUEST_URI. */
    {"/user.fcgi", NULL, "/user/bob%20x?y=1", "bob x", REQ_OK},
    {"/user.fcgi", "", "/user/bob", "bob", REQ_OK},
    {"/user", NULL, "/users", NULL, REQ_OK},
    {"/user", NULL, "/user/", NULL, REQ_OK},
    {"/user", "/", "/user/", NULL, REQ_OK},
    {"/user", NULL, NULL, NULL, REQ_OK},
    /* Slashes are left for the validator to refuse. */
    {"/user", "/a/b", "/user/a/b", "a/b", REQ_OK},
    /* Bad encodings in the path are refused. */
    {"/user", NULL, "/user/%zz", NULL, REQ_ERR_ENCODING},
    {"/user", NULL, "/user/a%0Ab", NULL, REQ_ERR_ENCODING},
    {"/user", "/a\nb", "/user/a%0Ab", NULL, REQ_ERR_ENCODING},
    {"/user", NULL, "/user/%FF", NULL, REQ_ERR_ENCODING},
};

START_TEST(test_path)
{
	const char *env[10];
	struct fake f = {.env = env};
	struct req r;
	const char *t;
	size_t n = 0;

	env[n++] = "REQUEST_METHOD";
	env[n++] = "GET";
	if (path_cases[_i].script != NULL) {
		env[n++] = "SCRIPT_NAME";
		env[n++] = path_cases[_i].script;
	}
	if (path_cases[_i].path_info != NULL) {
		env[n++] = "PATH_INFO";
		env[n++] = path_cases[_i].path_info;
	}
	if (path_cases[_i].uri != NULL) {
		env[n++] = "REQUEST_URI";
		env[n++] = path_cases[_i].uri;
	}
	env[n] = NULL;
	ck_assert_int_eq(parse(&f, &r, 0, 0), path_cases[_i].err);
	if (path_cases[_i].err == REQ_OK) {
		t = req_path_tail(&r, "/user/");
		if (path_cases[_i].tail == NULL)
			ck_assert_msg(t == NULL, "case %d: got %s", _i, t);
		else {
			ck_assert_msg(t != NULL, "case %d: none", _i);
			ck_assert_str_eq(t, path_cases[_i].tail);
		}
	}
	req_free(&r);
}
END_TEST

/* ---- req_fields ------------------------------------------------------- */

enum key { KEY_USERNAME, KEY_EMAIL, KEY_LIMIT, KEY_NOTE, KEY__MAX };

static const struct field keys[KEY__MAX] = {
    {valid_username, "username", FIELD_BODY | FIELD_REQUIRED},
    {valid_email, "email", FIELD_BODY},
    {valid_limit, "limit", FIELD_QUERY},
    {NULL, "note", FIELD_ANY},
};

static const struct {
	const char *qs;
	const char *body; /* JSON */
	enum req_err err;
	const char *errs; /* "name=msg;..." expected field errors, in order */
} field_cases[] = {
    {"limit=10", "{\"username\":\"bob\",\"email\":\"b@example.com\"}", REQ_OK,
        ""},
    {"", "{\"username\":\"bob\",\"other\":\"dropped\"}", REQ_OK, ""},
    {"", "{\"email\":\"b@example.com\"}", REQ_ERR_INVALID,
        "username=is required;"},
    {"", "{\"username\":\"a/b\",\"email\":\"nope\"}", REQ_ERR_INVALID,
        "username=must not contain '/';email=is not an email address: it needs "
        "a name, an @ and a domain;"},
    {"limit=0", "{\"username\":\"bob\"}", REQ_ERR_INVALID,
        "limit=must be a number from 1 to 100;"},
    {"username=bob", "{}", REQ_ERR_INVALID,
        "username=not accepted in the query string;"},
    {"", "{\"username\":\"bob\",\"limit\":5}", REQ_ERR_INVALID,
        "limit=not accepted in the request body;"},
    {"", "{\"username\":{\"x\":1}}", REQ_ERR_INVALID,
        "username=must be a string;"},
    {"", "{\"username\":null}", REQ_ERR_INVALID, "username=must be a string;"},
    {"note=q", "{\"username\":\"bob\"}", REQ_OK, ""},
    /* One type per field: a string, never a value converted to one. */
    {"", "{\"username\":12345}", REQ_ERR_INVALID, "username=must be a string;"},
    {"", "{\"username\":\"12345\",\"email\":true}", REQ_ERR_INVALID,
        "email=must be a string;"},
    {"", "{\"username\":[\"bob\"],\"email\":1.5,\"note\":false}",
        REQ_ERR_INVALID,
        "username=must be a string;email=must be a string;note=must be a "
        "string;"},
    {"", "{\"username\":\"bob\",\"email\":null}", REQ_ERR_INVALID,
        "email=must be a string;"},
    {"", "{\"username\":\"bob\",\"limit\":null}", REQ_ERR_INVALID,
        "limit=not accepted in the request body;"},
    /* Undeclared members are dropped, whatever their type. */
    {"", "{\"username\":\"bob\",\"x\":1,\"y\":null,\"z\":[{}]}", REQ_OK, ""},
};

START_TEST(test_fields)
{
	char cl[24];
	const char *env[] = {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", cl,
	    "CONTENT_TYPE", "application/json", "QUERY_STRING",
	    field_cases[_i].qs, NULL};
	struct fake f = {.env = env, .body = field_cases[_i].body};
	struct pair p[KEY__MAX];
	struct field_errors fe;
	struct buf got = BUF_INIT;
	struct req r;
	enum req_err err;
	size_t i;

	snprintf(cl, sizeof(cl), "%zu", strlen(field_cases[_i].body));
	ck_assert_int_eq(parse(&f, &r, REQ_BODY_JSON, 0), REQ_OK);
	err = req_fields(&r, keys, KEY__MAX, p, &fe);
	ck_assert_msg(err == field_cases[_i].err, "case %d: got %d", _i, err);
	for (i = 0; i < fe.n; i++)
		buf_printf(&got, "%s=%s;", fe.e[i].name, fe.e[i].msg);
	ck_assert_str_eq(buf_cstr(&got), field_cases[_i].errs);
	for (i = 0; i < KEY__MAX; i++) {
		ck_assert_str_eq(p[i].key, keys[i].name);
		if (p[i].state == PAIR_VALID)
			ck_assert_ptr_nonnull(p[i].val);
		if (p[i].state == PAIR_INVALID)
			ck_assert_ptr_nonnull(p[i].err);
	}
	if (_i == 0) {
		ck_assert_int_eq(p[KEY_USERNAME].state, PAIR_VALID);
		ck_assert_str_eq(p[KEY_USERNAME].parsed.s, "bob");
		ck_assert_str_eq(p[KEY_EMAIL].parsed.s, "b@example.com");
		ck_assert_int_eq(p[KEY_LIMIT].parsed.i, 10);
		ck_assert_int_eq(p[KEY_NOTE].state, PAIR_ABSENT);
	}
	if (_i == 9)
		ck_assert_str_eq(p[KEY_NOTE].parsed.s, "q");
	if (err == REQ_ERR_INVALID)
		ck_assert_int_eq(req_err_status(err), 422);
	buf_free(&got);
	req_free(&r);
}
END_TEST

/* Every error has a message and a status. */
START_TEST(test_strerror)
{
	int e;

	for (e = 0; e < REQ_ERR__MAX; e++) {
		ck_assert_ptr_nonnull(req_strerror((enum req_err)e));
		ck_assert_int_ge(req_err_status((enum req_err)e), 200);
	}
	ck_assert_str_eq(req_strerror(REQ_ERR__MAX), "Unknown error");
	ck_assert_int_eq(req_err_status(REQ_ERR__MAX), 500);
}
END_TEST

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

/* The JSON body's strings are overwritten before they are freed. */
START_TEST(test_json_wipe)
{
	static const char body[] =
	    "{\"username\":\"ann\",\"password\":\"hunter2-secret\","
	    "\"nested\":{\"a\":[\"deep-secret\",1]}}";
	char cl[24];
	const char *env[] = {"REQUEST_METHOD", "POST", "CONTENT_LENGTH", cl,
	    "CONTENT_TYPE", "application/json", NULL};
	struct fake f = {.env = env, .body = body};
	struct json_object *pw, *nested, *arr;
	struct req r;
	const char *p, *d;

	f.bodylen = strlen(body);
	snprintf(cl, sizeof(cl), "%zu", f.bodylen);
	ck_assert_int_eq(parse(&f, &r, REQ_BODY_JSON, 0), REQ_OK);
	ck_assert(json_object_object_get_ex(r.json, "password", &pw));
	ck_assert(json_object_object_get_ex(r.json, "nested", &nested));
	ck_assert(json_object_object_get_ex(nested, "a", &arr));
	p = json_object_get_string(pw);
	d = json_object_get_string(json_object_array_get_idx(arr, 0));
	ck_assert_str_eq(p, "hunter2-secret");
	ck_assert_str_eq(d, "deep-secret");
	req_json_wipe(r.json);
	ck_assert_mem_eq(p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 14);
	ck_assert_mem_eq(d, "\0\0\0\0\0\0\0\0\0\0\0", 11);
	/* The parameter copy is the route's, wiped by req_free. */
	ck_assert_str_eq(param(&r, "password"), "hunter2-secret");
	req_free(&r);
}
END_TEST

/* json_put_str writes a string as json-c does (PLAIN, NOSLASHESCAPE):
 * every byte alone and between others, UTF-8 text, "" and NULL. */
static void
same_as_json_c(const char *s)
{
	struct json_object *o = json_object_new_string(s);
	struct buf b = BUF_INIT;

	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_put_str(&b, s), 0);
	ck_assert_str_eq(buf_cstr(&b),
	    json_object_to_json_string_ext(
	        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	buf_free(&b);
}

START_TEST(test_json_put_str)
{
	struct buf b = BUF_INIT;
	char s[4];
	int c;

	for (c = 1; c < 256; c++) {
		s[0] = (char)c;
		s[1] = '\0';
		same_as_json_c(s);
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = 'b';
		s[3] = '\0';
		same_as_json_c(s);
	}
	same_as_json_c("");
	same_as_json_c("Zo\xc3\xab <z@example.org> \"\\/\x7f\t\n\x01\x1f");
	ck_assert_int_eq(json_put_str(&b, NULL), 0);
	ck_assert_str_eq(buf_cstr(&b), "null");
	buf_free(&b);
}
END_TEST

static Suite *
req_suite(void)
{
	Suite *s = suite_create("req");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_query, 0, NELEM(query_cases));
	tcase_add_test(tc, test_query_limits);
	tcase_add_loop_test(tc, test_cookies, 0, NELEM(cookie_cases));
	tcase_add_loop_test(tc, test_accept, 0, NELEM(accept_cases));
	tcase_add_loop_test(tc, test_length, 0, NELEM(length_cases));
	tcase_add_test(tc, test_json_wipe);
	tcase_add_loop_test(tc, test_chunked, 0, NELEM(chunked_cases));
	tcase_add_test(tc, test_accept_kinds);
	tcase_add_test(tc, test_form);
	tcase_add_test(tc, test_repeat_across);
	tcase_add_loop_test(tc, test_json, 0, NELEM(json_cases));
	tcase_add_test(tc, test_json_depth);
	tcase_add_loop_test(tc, test_method, 0, NELEM(method_cases));
	tcase_add_loop_test(tc, test_bearer, 0, NELEM(bearer_cases));
	tcase_add_test(tc, test_meta);
	tcase_add_loop_test(tc, test_path, 0, NELEM(path_cases));
	tcase_add_loop_test(tc, test_fields, 0, NELEM(field_cases));
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_json_put_str);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(req_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
