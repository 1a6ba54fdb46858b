/*
 * check_tmpl.c -- unit tests of lib/tmpl.c: each escaper on every special
 * character of its context, the href scheme check, the template language
 * (placeholders, conditionals, loops, includes, comments, syntax errors,
 * missing values), golden pages compared byte for byte with files in
 * t/http/, template names, and the per-process cache.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>

#include "extern.h"
#include "http/fixture.h"

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

/* ---- escapers --------------------------------------------------------- */

enum ctx { CTX_HTML, CTX_ATTR, CTX_URL, CTX_HREF };

static const struct {
	enum ctx ctx;
	const char *in, *out;
} esc_cases[] = {
    {CTX_HTML, "plain text", "plain text"},
    {CTX_HTML, "&", "&amp;"},
    {CTX_HTML, "<", "&lt;"},
    {CTX_HTML, ">", "&gt;"},
    {CTX_HTML, "\"", "&quot;"},
    {CTX_HTML, "'", "&#39;"},
    {CTX_HTML, "<script>alert('x&y')</script>",
        "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;"},
    {CTX_HTML, "&amp;", "&amp;amp;"},
    {CTX_HTML, "`=/", "`=/"},
    {CTX_HTML, "\xc3\xa9\xf0\x9f\x98\x80", "\xc3\xa9\xf0\x9f\x98\x80"},
    {CTX_HTML, "", ""},
    {CTX_ATTR, "&<>\"'", "&amp;&lt;&gt;&quot;&#39;"},
    {CTX_ATTR, "`", "&#96;"},
    {CTX_ATTR, "=", "&#61;"},
    {CTX_ATTR, "\" onmouseover=\"alert(1)",
        "&quot; onmouseover&#61;&quot;alert(1)"},
    {CTX_ATTR, "x' autofocus onfocus='y",
        "x&#39; autofocus onfocus&#61;&#39;y"},
    {CTX_ATTR, "plain-text_1.2", "plain-text_1.2"},
    {CTX_URL, "abcXYZ019-._~", "abcXYZ019-._~"},
    {CTX_URL, "a b", "a%20b"},
    {CTX_URL, "&<>\"'", "%26%3C%3E%22%27"},
    {CTX_URL, "/?#[]@!$&'()*+,;=%",
        "%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25"},
    {CTX_URL, "\xc3\xa9", "%C3%A9"},
    {CTX_URL, "javascript:alert(1)", "javascript%3Aalert%281%29"},
    {CTX_URL, "", ""},
    {CTX_HREF, "/users?after=x&limit=5", "/users?after&#61;x&amp;limit&#61;5"},
    {CTX_HREF, "https://example.com/a\"b", "https://example.com/a&quot;b"},
    {CTX_HREF, "HTTP://example.com", "HTTP://example.com"},
    {CTX_HREF, "mailto:a@example.com", "mailto:a@example.com"},
    {CTX_HREF, "//example.com/x", "//example.com/x"},
    {CTX_HREF, "user/a:b", "user/a:b"},
    {CTX_HREF, "?q=javascript:x", "?q&#61;javascript:x"},
    {CTX_HREF, "#top", "#top"},
    {CTX_HREF, "", ""},
    {CTX_HREF, "javascript:alert(1)", "about:invalid#blocked"},
    {CTX_HREF, "JaVaScRiPt:alert(1)", "about:invalid#blocked"},
    {CTX_HREF, " javascript:alert(1)", "about:invalid#blocked"},
    {CTX_HREF, "\x01\tjavascript:alert(1)", "about:invalid#blocked"},
    {CTX_HREF, "java\tscript:alert(1)", "about:invalid#blocked"},
    {CTX_HREF, "java\nscript:alert(1)", "about:invalid#blocked"},
    {CTX_HREF, "vbscript:msgbox(1)", "about:invalid#blocked"},
    {CTX_HREF, "data:text/html,<script>alert(1)</script>",
        "about:invalid#blocked"},
    {CTX_HREF, "file:///etc/passwd", "about:invalid#blocked"},
    {CTX_HREF, "x:y", "about:invalid#blocked"},
    {CTX_HREF, "https:", "https:"},
};

START_TEST(test_escape)
{
	struct buf out = BUF_INIT;
	int rc;

	switch (esc_cases[_i].ctx) {
	case CTX_HTML:
		rc = tmpl_esc_html(&out, esc_cases[_i].in);
		break;
	case CTX_ATTR:
		rc = tmpl_esc_attr(&out, esc_cases[_i].in);
		break;
	case CTX_URL:
		rc = tmpl_esc_url(&out, esc_cases[_i].in);
		break;
	default:
		rc = tmpl_esc_href(&out, esc_cases[_i].in);
		break;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(buf_cstr(&out), esc_cases[_i].out);
	buf_free(&out);
}
END_TEST

/*
 * Every byte through every escaper: no raw markup character survives the
 * HTML/attribute ones (a '&' only as the start of an entity), and the URL
 * one keeps exactly the unreserved set and writes %XX for the rest.
 */
START_TEST(test_escape_all_bytes)
{
	struct buf out = BUF_INIT;
	char in[2] = {0, 0};
	int c;

	for (c = 1; c < 256; c++) {
		in[0] = (char)c;
		buf_reset(&out);
		ck_assert_int_eq(tmpl_esc_html(&out, in), 0);
		ck_assert(strpbrk(buf_cstr(&out), "<>\"'") == NULL);
		if (c == '&' || c == '<' || c == '>' || c == '"' || c == '\'')
			ck_assert(
			    out.data[0] == '&' && out.data[out.len - 1] == ';');
		else
			ck_assert(out.len == 1 && out.data[0] == (char)c);
		buf_reset(&out);
		ck_assert_int_eq(tmpl_esc_attr(&out, in), 0);
		ck_assert(strpbrk(buf_cstr(&out), "<>\"'`=") == NULL);
		buf_reset(&out);
		ck_assert_int_eq(tmpl_esc_url(&out, in), 0);
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			ck_assert(out.len == 1 && out.data[0] == (char)c);
		else {
			char want[4];

			snprintf(want, sizeof(want), "%%%02X", c);
			ck_assert_str_eq(buf_cstr(&out), want);
		}
	}
	buf_free(&out);
}
END_TEST

/* ---- the template language -------------------------------------------- */

/* The variables every template case sees. */
static struct tmpl_vars *
make_vars(void)
{
	struct tmpl_vars *v = tmpl_vars_new(), *row, *sub;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(tmpl_set(v, "name", "<b>\"Bob\" & 'Al'</b>"), 0);
	ck_assert_int_eq(tmpl_set(v, "empty", ""), 0);
	ck_assert_int_eq(tmpl_set(v, "frag", "<em>trusted</em>"), 0);
	ck_assert_int_eq(tmpl_set(v, "link", "javascript:alert(1)"), 0);
	ck_assert_int_eq(tmpl_set(v, "shared", "S"), 0);
	ck_assert_int_eq(tmpl_set_bool(v, "yes", 1), 0);
	ck_assert_int_eq(tmpl_set_bool(v, "no", 0), 0);
	ck_assert_int_eq(tmpl_set_list(v, "none"), 0);
	ck_assert_int_eq(tmpl_setf(v, "count", "%d rows", 2), 0);
	ck_assert_ptr_nonnull(row = tmpl_add_row(v, "rows"));
	ck_assert_int_eq(tmpl_set(row, "name", "r1<"), 0);
	ck_assert_ptr_nonnull(sub = tmpl_add_row(row, "subs"));
	ck_assert_int_eq(tmpl_set(sub, "name", "s1"), 0);
	ck_assert_ptr_nonnull(sub = tmpl_add_row(row, "subs"));
	ck_assert_int_eq(tmpl_set(sub, "name", "s2"), 0);
	ck_assert_ptr_nonnull(row = tmpl_add_row(v, "rows"));
	ck_assert_int_eq(tmpl_set(row, "name", "r2>"), 0);
	ck_assert_int_eq(tmpl_set(row, "shared", "own"), 0);
	ck_assert_int_eq(tmpl_set_list(row, "subs"), 0);
	return v;
}

static const struct {
	const char *src;
	enum tmpl_err err;
	const char *out;
} lang_cases[] = {
    {"plain { text } here", TMPL_OK, "plain { text } here"},
    {"", TMPL_OK, ""},
    {"Hi {{name}}!", TMPL_OK,
        "Hi &lt;b&gt;&quot;Bob&quot; &amp; &#39;Al&#39;&lt;/b&gt;!"},
    {"{{ name }}", TMPL_OK,
        "&lt;b&gt;&quot;Bob&quot; &amp; &#39;Al&#39;&lt;/b&gt;"},
    {"<a title=\"{{attr:count}}\">", TMPL_OK, "<a title=\"2 rows\">"},
    {"<a href=\"/user/{{url:name}}\">", TMPL_OK,
        "<a href=\"/user/%3Cb%3E%22Bob%22%20%26%20%27Al%27%3C%2Fb%3E\">"},
    {"<a href=\"{{href:link}}\">", TMPL_OK,
        "<a href=\"about:invalid#blocked\">"},
    {"{{raw:frag}}", TMPL_OK, "<em>trusted</em>"},
    {"[{{empty}}]", TMPL_OK, "[]"},
    {"a{{! a comment }}b", TMPL_OK, "ab"},
    {"{{#if yes}}Y{{/if}}{{#if no}}N{{/if}}", TMPL_OK, "Y"},
    {"{{#if no}}N{{else}}E{{/if}}", TMPL_OK, "E"},
    {"{{#if missing}}M{{else}}E{{/if}}", TMPL_OK, "E"},
    {"{{#if empty}}M{{else}}E{{/if}}", TMPL_OK, "E"},
    {"{{#if name}}set{{/if}}", TMPL_OK, "set"},
    {"{{#if rows}}rows{{/if}}{{#if none}}none{{/if}}", TMPL_OK, "rows"},
    {"{{#unless no}}U{{/unless}}{{#unless yes}}X{{else}}V{{/unless}}", TMPL_OK,
        "UV"},
    {"{{#each rows}}[{{name}}|{{shared}}]{{/each}}", TMPL_OK,
        "[r1&lt;|S][r2&gt;|own]"},
    {"{{#each rows}}{{name}}:{{#each subs}}{{name}},{{/each}};{{/each}}",
        TMPL_OK, "r1&lt;:s1,s2,;r2&gt;:;"},
    {"{{#each rows}}{{#if subs}}has{{else}}none{{/if}} {{/each}}", TMPL_OK,
        "has none "},
    {"{{#each none}}x{{/each}}", TMPL_OK, ""},
    {"{{#if yes}}{{#if no}}a{{else}}{{#if yes}}b{{/if}}{{/if}}{{/if}}", TMPL_OK,
        "b"},
    /* Missing values and wrong kinds. */
    {"{{missing}}", TMPL_ERR_MISSING, NULL},
    {"{{attr:missing}}", TMPL_ERR_MISSING, NULL},
    {"{{#each missing}}x{{/each}}", TMPL_ERR_MISSING, NULL},
    {"{{#each rows}}{{nope}}{{/each}}", TMPL_ERR_MISSING, NULL},
    {"{{rows}}", TMPL_ERR_TYPE, NULL},
    {"{{yes}}", TMPL_ERR_TYPE, NULL},
    {"{{#each name}}x{{/each}}", TMPL_ERR_TYPE, NULL},
    /* Syntax. */
    {"{{name", TMPL_ERR_SYNTAX, NULL},
    {"{{name}", TMPL_ERR_SYNTAX, NULL},
    {"{{}}", TMPL_ERR_SYNTAX, NULL},
    {"{{ }}", TMPL_ERR_SYNTAX, NULL},
    {"{{bad name}}", TMPL_ERR_SYNTAX, NULL},
    {"{{na-me}}", TMPL_ERR_SYNTAX, NULL},
    {"{{js:name}}", TMPL_ERR_SYNTAX, NULL},
    {"{{attr:}}", TMPL_ERR_SYNTAX, NULL},
    {"{{#if yes}}open", TMPL_ERR_SYNTAX, NULL},
    {"{{/if}}", TMPL_ERR_SYNTAX, NULL},
    {"{{else}}", TMPL_ERR_SYNTAX, NULL},
    {"{{#if yes}}a{{/each}}", TMPL_ERR_SYNTAX, NULL},
    {"{{#each rows}}a{{else}}b{{/each}}", TMPL_ERR_SYNTAX, NULL},
    {"{{#if yes}}a{{else}}b{{else}}c{{/if}}", TMPL_ERR_SYNTAX, NULL},
    {"{{#if }}a{{/if}}", TMPL_ERR_SYNTAX, NULL},
    {"{{#for rows}}a{{/for}}", TMPL_ERR_SYNTAX, NULL},
    {"{{>}}", TMPL_ERR_SYNTAX, NULL},
    {"{{>Bad.Name}}", TMPL_ERR_SYNTAX, NULL},
};

START_TEST(test_lang)
{
	struct tmpl_vars *v = make_vars();
	struct buf out = BUF_INIT;
	enum tmpl_err err;

	err = tmpl_render_string(
	    &out, lang_cases[_i].src, strlen(lang_cases[_i].src), v);
	ck_assert_msg(err == lang_cases[_i].err, "%s: got %s",
	    lang_cases[_i].src, tmpl_strerror(err));
	if (err == TMPL_OK)
		ck_assert_str_eq(buf_cstr(&out), lang_cases[_i].out);
	buf_free(&out);
	tmpl_vars_free(v);
}
END_TEST

/* The variables API refuses what it cannot hold. */
START_TEST(test_vars)
{
	struct tmpl_vars *v = tmpl_vars_new();
	struct buf out = BUF_INIT;

	ck_assert_int_eq(tmpl_set(v, "bad name", "x"), -1);
	ck_assert_int_eq(tmpl_set(v, "", "x"), -1);
	ck_assert_int_eq(tmpl_set(v, NULL, "x"), -1);
	ck_assert_int_eq(tmpl_set(v, "ok", NULL), -1);
	ck_assert_int_eq(tmpl_set(NULL, "ok", "x"), -1);
	ck_assert_int_eq(tmpl_set(v, "ok", "first"), 0);
	ck_assert_int_eq(tmpl_set(v, "ok", "second"), 0); /* replaces */
	ck_assert_ptr_null(tmpl_add_row(v, "ok"));        /* not a list */
	ck_assert_int_eq(tmpl_setf(v, "n", "%s-%03d", "x", 7), 0);
	ck_assert_int_eq(
	    tmpl_render_string(&out, "{{ok}} {{n}}", 12, v), TMPL_OK);
	ck_assert_str_eq(buf_cstr(&out), "second x-007");
	tmpl_vars_free(v);
	tmpl_vars_free(NULL);
	buf_free(&out);
}
END_TEST

/* ---- files: golden pages, names, includes, cache ----------------------- */

static void
set_fixture_dir(void)
{
	char dir[1024];

	fixture_path(dir, sizeof(dir), NULL);
	ck_assert_int_eq(tmpl_set_dir(dir), 0);
}

/* The users page of a hostile data set, compared with its golden file. */
START_TEST(test_golden_page)
{
	static const struct {
		const char *username, *email, *type;
	} users[] = {
	    {"admin", "a***@example.com", "admin"},
	    {"<script>alert(1)<\\script>", "x\"onmouseover=\"y***@e.com",
	        "user"},
	    {"o'brien & co", "o***@example.ie", "user"},
	};
	struct tmpl_vars *v = tmpl_vars_new(), *row;
	struct buf got = BUF_INIT, want = BUF_INIT;
	size_t i;

	set_fixture_dir();
	ck_assert_int_eq(tmpl_set(v, "title", "Users <all>"), 0);
	ck_assert_int_eq(tmpl_set(v, "csrf", "tok\"en"), 0);
	ck_assert_int_eq(
	    tmpl_set(v, "next", "javascript:alert(document.cookie)"), 0);
	ck_assert_int_eq(tmpl_set(v, "home", "/users?limit=10&after=x"), 0);
	ck_assert_int_eq(tmpl_set_bool(v, "is_admin", 1), 0);
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		ck_assert_ptr_nonnull(row = tmpl_add_row(v, "users"));
		ck_assert_int_eq(
		    tmpl_set(row, "username", users[i].username), 0);
		ck_assert_int_eq(tmpl_set(row, "email", users[i].email), 0);
		ck_assert_int_eq(tmpl_set(row, "user_type", users[i].type), 0);
		ck_assert_int_eq(tmpl_set_bool(row, "admin",
		                     strcmp(users[i].type, "admin") == 0),
		    0);
	}
	ck_assert_int_eq(tmpl_render(&got, "page", v), TMPL_OK);
	fixture_read("page.golden", &want);
	ck_assert_msg(
	    got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
	    "page differs; got:\n%s", buf_cstr(&got));
	/* The same page with nobody in it. */
	tmpl_vars_free(v);
	v = tmpl_vars_new();
	ck_assert_int_eq(tmpl_set(v, "title", "Empty"), 0);
	ck_assert_int_eq(tmpl_set(v, "csrf", "t"), 0);
	ck_assert_int_eq(tmpl_set(v, "next", ""), 0);
	ck_assert_int_eq(tmpl_set(v, "home", "/"), 0);
	ck_assert_int_eq(tmpl_set_list(v, "users"), 0);
	buf_reset(&got);
	buf_reset(&want);
	ck_assert_int_eq(tmpl_render(&got, "page", v), TMPL_OK);
	fixture_read("page-empty.golden", &want);
	ck_assert_msg(
	    got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
	    "empty page differs; got:\n%s", buf_cstr(&got));
	tmpl_vars_free(v);
	buf_free(&got);
	buf_free(&want);
	tmpl_cache_clear();
}
END_TEST

static const struct {
	const char *name;
	enum tmpl_err err;
} name_cases[] = {
    {"page-empty-vars", TMPL_OK},
    {"../http/page", TMPL_ERR_NAME},
    {"/etc/passwd", TMPL_ERR_NAME},
    {"page.html", TMPL_ERR_NAME},
    {"Page", TMPL_ERR_NAME},
    {"", TMPL_ERR_NAME},
    {"a b", TMPL_ERR_NAME},
    {"no-such-template", TMPL_ERR_IO},
    {"bad-syntax", TMPL_ERR_SYNTAX},
    {"self-include", TMPL_ERR_DEPTH},
    {"include-missing", TMPL_ERR_IO},
};

START_TEST(test_names)
{
	struct buf out = BUF_INIT;
	struct tmpl_vars *v = tmpl_vars_new();

	set_fixture_dir();
	ck_assert_int_eq(
	    tmpl_render(&out, name_cases[_i].name, v), name_cases[_i].err);
	/* A second attempt (cached or not) gives the same answer. */
	ck_assert_int_eq(
	    tmpl_render(&out, name_cases[_i].name, v), name_cases[_i].err);
	tmpl_vars_free(v);
	buf_free(&out);
	tmpl_cache_clear();
}
END_TEST

/* Write text to dir/name.html. */
static void
write_template(const char *dir, const char *name, const char *text)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* A template is read once per process, until the cache is cleared. */
START_TEST(test_cache)
{
	const char *top = getenv("top_builddir");
	char dir[1024];
	struct buf out = BUF_INIT;

	snprintf(dir, sizeof(dir), "%s/t/tmpl-cache.d", top ? top : ".");
	ck_assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
	write_template(dir, "cached", "version one");
	ck_assert_int_eq(tmpl_set_dir(dir), 0);
	ck_assert_int_eq(tmpl_render(&out, "cached", NULL), TMPL_OK);
	ck_assert_str_eq(buf_cstr(&out), "version one");
	write_template(dir, "cached", "version two");
	buf_reset(&out);
	ck_assert_int_eq(tmpl_render(&out, "cached", NULL), TMPL_OK);
	ck_assert_str_eq(buf_cstr(&out), "version one");
	tmpl_cache_clear();
	buf_reset(&out);
	ck_assert_int_eq(tmpl_render(&out, "cached", NULL), TMPL_OK);
	ck_assert_str_eq(buf_cstr(&out), "version two");
	tmpl_cache_clear();
	buf_free(&out);
}
END_TEST

START_TEST(test_strerror)
{
	int e;

	for (e = 0; e < TMPL_ERR__MAX; e++)
		ck_assert_ptr_nonnull(tmpl_strerror((enum tmpl_err)e));
	ck_assert_str_eq(
	    tmpl_strerror(TMPL_ERR__MAX), "unknown template error");
}
END_TEST

static Suite *
tmpl_suite(void)
{
	Suite *s = suite_create("tmpl");
	TCase *tc = tcase_create("tmpl");

	tcase_add_loop_test(tc, test_escape, 0, NELEM(esc_cases));
	tcase_add_test(tc, test_escape_all_bytes);
	tcase_add_loop_test(tc, test_lang, 0, NELEM(lang_cases));
	tcase_add_test(tc, test_vars);
	tcase_add_test(tc, test_golden_page);
	tcase_add_loop_test(tc, test_names, 0, NELEM(name_cases));
	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tmpl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
