/*
 * check_resp.c -- unit tests of lib/resp.c: the bytes resp_send() writes
 * (compared with golden files in t/http/), the security headers on every
 * kind of response, refusal of header injection, cookies, CORS and the
 * JSON error bodies. Output goes through the real struct http into a
 * buffer (t/http/fakeio.h).
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
#include "http/fixture.h"

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

static const char *const security_headers[] = {
    "\r\nContent-Security-Policy: default-src 'none'; style-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'\r\n",
    "\r\nX-Content-Type-Options: nosniff\r\n",
    "\r\nX-Frame-Options: DENY\r\n",
    "\r\nReferrer-Policy: no-referrer\r\n",
    "\r\nCache-Control: no-store\r\n",
};

/* Send rs for a request of method and return what was written. */
static void
send(struct resp *rs, const char *method, struct buf *out)
{
	const char *env[] = {"REQUEST_METHOD", method, NULL};
	struct fake f = {.env = env};
	struct http *h = fake_http(&f);

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(resp_send(h, rs), 0);
	http_free(h);
	buf_reset(out);
	buf_putmem(out, f.out.data, f.out.len);
	buf_free(&f.out);
}

/* The header block of a response (up to the blank line). */
static void
head_of(const struct buf *b, struct buf *out)
{
	const char *e = strstr(buf_cstr(b), "\r\n\r\n");

	ck_assert_ptr_nonnull(e);
	buf_reset(out);
	buf_putmem(out, b->data, (size_t)(e - b->data) + 2);
}

/* ---- golden responses ------------------------------------------------- */

/* Builders for the golden cases. */
static void
build_json(struct resp *rs)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_string("ok"));
	ck_assert_int_eq(resp_json(rs, 200, o), 0);
	json_object_put(o);
}

static void
build_notfound(struct resp *rs)
{
	ck_assert_int_eq(resp_error(rs, 404, "User not found"), 0);
}

static void
build_405(struct resp *rs)
{
	ck_assert_int_eq(resp_error(rs, 405, "Method not allowed"), 0);
	ck_assert_int_eq(resp_allow(rs, "GET, HEAD, PATCH, DELETE"), 0);
}

static void
build_503(struct resp *rs)
{
	ck_assert_int_eq(resp_error(rs, 503, "Service unavailable"), 0);
	ck_assert_int_eq(resp_retry_after(rs, 5), 0);
}

static void
build_422(struct resp *rs)
{
	struct field_errors fe = {2,
	    {{"email",
	         "is not an email address: it needs a name, an @ and a domain"},
	        {"password", "must have at least 8 characters"}}};

	ck_assert_int_eq(resp_error_fields(rs, 422, "Invalid input", &fe), 0);
}

static void
build_redirect(struct resp *rs)
{
	ck_assert_int_eq(resp_redirect(rs, 303, "/users?after=YWRtaW4"), 0);
	ck_assert_int_eq(resp_cookie(rs, "sid", "abc-DEF_123", -1, 1, "/"), 0);
}

static void
build_204(struct resp *rs)
{
	resp_status(rs, 204);
	ck_assert_int_eq(resp_cookie(rs, "sid", "", 0, 0, "/"), 0);
}

static void
build_fresh(struct resp *rs)
{
	(void)rs; /* resp_init only: the pessimistic 500 */
}

static const struct {
	void (*build)(struct resp *);
	const char *method;
	const char *golden;
} golden_cases[] = {
    {build_json, "GET", "resp-json.golden"},
    {build_json, "HEAD", "resp-json-head.golden"},
    {build_notfound, "GET", "resp-404.golden"},
    {build_405, "POST", "resp-405.golden"},
    {build_503, "GET", "resp-503.golden"},
    {build_422, "POST", "resp-422.golden"},
    {build_redirect, "POST", "resp-303.golden"},
    {build_204, "POST", "resp-204.golden"},
    {build_fresh, "GET", "resp-500.golden"},
};

START_TEST(test_golden)
{
	struct buf got = BUF_INIT, want = BUF_INIT, head = BUF_INIT;
	struct resp rs;
	size_t i;

	resp_init(&rs);
	golden_cases[_i].build(&rs);
	send(&rs, golden_cases[_i].method, &got);
	fixture_read(golden_cases[_i].golden, &want);
	ck_assert_msg(
	    got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
	    "%s differs; got:\n%s", golden_cases[_i].golden, buf_cstr(&got));
	/* Whatever the golden file says, the security headers are there. */
	head_of(&got, &head);
	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]);
	     i++)
		ck_assert_msg(
		    strstr(buf_cstr(&head), security_headers[i]) != NULL,
		    "%s: missing %s", golden_cases[_i].golden,
		    security_headers[i]);
	resp_free(&rs);
	buf_free(&got);
	buf_free(&want);
	buf_free(&head);
}
END_TEST

/* ---- header injection ------------------------------------------------- */

static const struct {
	const char *name, *value;
	int rc;
} header_cases[] = {
    {"X-Test", "value", 0},
    {"X-Test", "", 0},
    {"X-Test", "tab\tinside", 0},
    {"Location", "/user/%C3%A9", 0},
    {"X-Test", "a\r\nSet-Cookie: evil=1", -1},
    {"X-Test", "a\nb", -1},
    {"X-Test", "a\rb", -1},
    {"X-Test", "a\x01z", -1},
    {"X-Test", "a\x7fz", -1},
    {"X-Test\r\nEvil", "v", -1},
    {"X Test", "v", -1},
    {"X:Test", "v", -1},
    {"", "v", -1},
    {"X-Test", NULL, -1},
    {NULL, "v", -1},
    {"Content-Type", "text/plain", -1},
    {"content-length", "1", -1},
    {"Status", "200 OK", -1},
};

START_TEST(test_header)
{
	struct buf got = BUF_INIT;
	struct resp rs;

	resp_init(&rs);
	ck_assert_int_eq(
	    resp_header(&rs, header_cases[_i].name, header_cases[_i].value),
	    header_cases[_i].rc);
	if (header_cases[_i].rc == -1)
		ck_assert_uint_eq(rs.headers.len, 0);
	else {
		resp_status(&rs, 204);
		send(&rs, "GET", &got);
		ck_assert_ptr_nonnull(
		    strstr(buf_cstr(&got), header_cases[_i].name));
	}
	/* No header can smuggle a second one. */
	send(&rs, "GET", &got);
	ck_assert_ptr_null(strstr(buf_cstr(&got), "evil"));
	ck_assert_ptr_null(strstr(buf_cstr(&got), "Evil"));
	resp_free(&rs);
	buf_free(&got);
}
END_TEST

/* Redirect targets and cookie parts are checked the same way. */
START_TEST(test_redirect_refused)
{
	struct resp rs;

	resp_init(&rs);
	ck_assert_int_eq(resp_redirect(&rs, 303, "/a\r\nX-Evil: 1"), -1);
	ck_assert_int_eq(resp_redirect(&rs, 303, ""), -1);
	ck_assert_int_eq(resp_redirect(&rs, 303, NULL), -1);
	ck_assert_int_eq(resp_redirect(&rs, 200, "/users"), -1);
	ck_assert_int_eq(resp_redirect(&rs, 304, "/users"), -1);
	ck_assert_uint_eq(rs.headers.len, 0);
	ck_assert_int_eq(rs.status, 500);
	ck_assert_int_eq(resp_redirect(&rs, 302, "/users"), 0);
	ck_assert_int_eq(rs.status, 302);
	resp_free(&rs);
}
END_TEST

/* ---- cookies ---------------------------------------------------------- */

static const struct {
	const char *name, *value;
	long max_age;
	int secure;
	const char *path;
	const char *want; /* NULL: refused */
} cookie_cases[] = {
    {"sid", "abc", -1, 0, "/",
        "Set-Cookie: sid=abc; Path=/; HttpOnly; SameSite=Strict\r\n"},
    {"sid", "abc", -1, 1, "/",
        "Set-Cookie: sid=abc; Path=/; HttpOnly; SameSite=Strict; "
        "Secure\r\n"},
    {"sid", "A-z_0.9~", 3600, 1, "/",
        "Set-Cookie: sid=A-z_0.9~; Path=/; HttpOnly; SameSite=Strict; "
        "Secure; Max-Age=3600\r\n"},
    {"sid", "", 0, 0, "/",
        "Set-Cookie: sid=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; "
        "Expires=Thu, 01 Jan 1970 00:00:00 GMT\r\n"},
    {"sid", "a;b", -1, 0, "/", NULL},
    {"sid", "a b", -1, 0, "/", NULL},
    {"sid", "a\"b", -1, 0, "/", NULL},
    {"sid", "a,b", -1, 0, "/", NULL},
    {"sid", "a\r\nb", -1, 0, "/", NULL},
    {"sid", "a=b", -1, 0, "/", NULL},
    {"s id", "a", -1, 0, "/", NULL},
    {"s=id", "a", -1, 0, "/", NULL},
    {"", "a", -1, 0, "/", NULL},
    {"sid", "abc", -1, 1, "/tools/app",
        "Set-Cookie: sid=abc; Path=/tools/app; HttpOnly; SameSite=Strict; "
        "Secure\r\n"},
    {"sid", "abc", -1, 0, "tools", NULL},
    {"sid", "abc", -1, 0, "/a;Domain=evil.example", NULL},
    {"sid", "abc", -1, 0, "/a\r\nX-Evil: 1", NULL},
    {"sid", "abc", -1, 0, NULL, NULL},
};

START_TEST(test_cookie)
{
	struct resp rs;
	int rc;

	resp_init(&rs);
	rc = resp_cookie(&rs, cookie_cases[_i].name, cookie_cases[_i].value,
	    cookie_cases[_i].max_age, cookie_cases[_i].secure,
	    cookie_cases[_i].path);
	if (cookie_cases[_i].want == NULL) {
		ck_assert_int_eq(rc, -1);
		ck_assert_uint_eq(rs.headers.len, 0);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(buf_cstr(&rs.headers), cookie_cases[_i].want);
	}
	resp_free(&rs);
}
END_TEST

/* ---- CORS ------------------------------------------------------------- */

static const struct {
	const char *allowed, *origin;
	int rc;
	int vary; /* Vary: Origin expected */
} cors_cases[] = {
    {NULL, "https://a.example", 0, 0},
    {"", "https://a.example", 0, 0},
    {" , ", "https://a.example", 0, 0},
    {"https://a.example", "https://a.example", 1, 1},
    {"https://b.example, https://a.example", "https://a.example", 1, 1},
    {"https://b.example,https://a.example ", "https://a.example", 1, 1},
    {"https://a.example", "https://a.example.evil", 0, 1},
    {"https://a.example", "https://a.exampl", 0, 1},
    {"https://a.example", "http://a.example", 0, 1},
    {"https://a.example", "HTTPS://A.EXAMPLE", 0, 1},
    {"https://a.example", NULL, 0, 1},
    {"https://a.example", "", 0, 1},
    {"https://a.example", "null", 0, 1},
    {"null", "null", 0, 1},
    {"https://a.example", "https://a.example\r\nX: y", 0, 1},
    {"*", "https://a.example", 0, 1},
};

START_TEST(test_cors)
{
	struct resp rs;
	const char *h;
	char want[256];

	resp_init(&rs);
	ck_assert_int_eq(
	    resp_cors(&rs, cors_cases[_i].allowed, cors_cases[_i].origin),
	    cors_cases[_i].rc);
	h = buf_cstr(&rs.headers);
	ck_assert_int_eq(
	    strstr(h, "Vary: Origin\r\n") != NULL, cors_cases[_i].vary);
	if (cors_cases[_i].rc == 1) {
		snprintf(want, sizeof(want),
		    "Access-Control-Allow-Origin: %s\r\n",
		    cors_cases[_i].origin);
		ck_assert_ptr_nonnull(strstr(h, want));
		ck_assert_ptr_nonnull(
		    strstr(h, "Access-Control-Allow-Methods"));
		ck_assert_ptr_nonnull(strstr(h,
		    "Access-Control-Allow-Headers: Authorization, "
		    "Content-Type\r\n"));
	} else
		ck_assert_ptr_null(strstr(h, "Access-Control"));
	ck_assert_ptr_null(strstr(h, "Allow-Credentials"));
	resp_free(&rs);
}
END_TEST

/* ---- JSON bodies ------------------------------------------------------ */

static const char *const error_msgs[] = {
    "User not found",
    "quote \" backslash \\ slash / </script>",
    "control \x01\x1f and newline \n",
    "unicode \xc3\xa9 \xf0\x9f\x98\x80",
    "",
};

/* Whatever the message, the body is valid JSON that reads back. */
START_TEST(test_error_roundtrip)
{
	struct json_object *o, *e;
	struct resp rs;

	resp_init(&rs);
	ck_assert_int_eq(resp_error(&rs, 400, error_msgs[_i]), 0);
	ck_assert_int_eq(rs.status, 400);
	ck_assert_str_eq(rs.ctype, RESP_CT_JSON);
	ck_assert_ptr_null(memchr(rs.body.data, '\n', rs.body.len - 1));
	o = json_tokener_parse(buf_cstr(&rs.body));
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "error", &e));
	ck_assert_str_eq(json_object_get_string(e), error_msgs[_i]);
	ck_assert_int_eq(json_object_object_length(o), 1);
	json_object_put(o);
	resp_free(&rs);
}
END_TEST

/* A later body replaces an earlier one; a NULL object is refused. */
START_TEST(test_json_replace)
{
	struct resp rs;

	resp_init(&rs);
	ck_assert_int_eq(rs.status, 500);
	ck_assert_int_eq(resp_json(&rs, 200, NULL), -1);
	ck_assert_int_eq(rs.status, 500);
	ck_assert_int_eq(resp_error(&rs, 400, "first"), 0);
	ck_assert_int_eq(resp_error(&rs, 409, "second"), 0);
	ck_assert_str_eq(buf_cstr(&rs.body), "{\"error\":\"second\"}\n");
	ck_assert_int_eq(rs.status, 409);
	resp_free(&rs);
}
END_TEST

/* An out-of-range status is sent as 500; reasons are known. */
START_TEST(test_status)
{
	struct buf got = BUF_INIT;
	struct resp rs;

	resp_init(&rs);
	resp_status(&rs, 42);
	send(&rs, "GET", &got);
	ck_assert(strncmp(buf_cstr(&got),
	              "Status: 500 Internal Server Error\r\n", 35) == 0);
	resp_status(&rs, 1000);
	send(&rs, "GET", &got);
	ck_assert(strncmp(buf_cstr(&got), "Status: 500 ", 12) == 0);
	ck_assert_str_eq(resp_reason(413), "Content Too Large");
	ck_assert_str_eq(resp_reason(422), "Unprocessable Content");
	ck_assert_str_eq(resp_reason(299), "Unknown");
	resp_free(&rs);
	buf_free(&got);
}
END_TEST

/* HTML through a template: text/html, escaped, security headers. */
START_TEST(test_html)
{
	char dir[1024];
	struct buf got = BUF_INIT;
	struct tmpl_vars *v;
	struct resp rs;

	fixture_path(dir, sizeof(dir), NULL);
	ck_assert_int_eq(tmpl_set_dir(dir), 0);
	v = tmpl_vars_new();
	ck_assert_int_eq(tmpl_set(v, "title", "<Users & \"friends\">"), 0);
	resp_init(&rs);
	ck_assert_int_eq(resp_html(&rs, 200, "resp-page", v), 0);
	ck_assert_str_eq(rs.ctype, "text/html; charset=utf-8");
	send(&rs, "GET", &got);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&got),
	    "\r\n\r\n<title>&lt;Users &amp; "
	    "&quot;friends&quot;&gt;</title>\n"));
	ck_assert_ptr_nonnull(strstr(
	    buf_cstr(&got), "Content-Type: text/html; charset=utf-8\r\n"));
	/* A missing template or value fails and leaves no body. */
	ck_assert_int_eq(resp_html(&rs, 200, "no-such-template", v), -1);
	ck_assert_uint_eq(rs.body.len, 0);
	tmpl_vars_free(v);
	v = tmpl_vars_new();
	ck_assert_int_eq(resp_html(&rs, 200, "resp-page", v), -1);
	ck_assert_uint_eq(rs.body.len, 0);
	tmpl_vars_free(v);
	resp_free(&rs);
	buf_free(&got);
	tmpl_cache_clear();
}
END_TEST

static Suite *
resp_suite(void)
{
	Suite *s = suite_create("resp");
	TCase *tc = tcase_create("resp");

	tcase_add_loop_test(tc, test_golden, 0, NELEM(golden_cases));
	tcase_add_loop_test(tc, test_header, 0, NELEM(header_cases));
	tcase_add_test(tc, test_redirect_refused);
	tcase_add_loop_test(tc, test_cookie, 0, NELEM(cookie_cases));
	tcase_add_loop_test(tc, test_cors, 0, NELEM(cors_cases));
	tcase_add_loop_test(tc, test_error_roundtrip, 0, NELEM(error_msgs));
	tcase_add_test(tc, test_json_replace);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_html);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(resp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
