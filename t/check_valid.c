/*
 * check_valid.c -- unit tests of lib/valid.c: valid_strtonum, the UTF-8
 * text check and every validator, each with tables of valid and invalid
 * values (in the manner of kcgi's test-valid-*.c).
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "extern.h"

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

/* ---- valid_strtonum --------------------------------------------------- */

static const struct {
	const char *s;
	long long min, max;
	long long want;
	const char *err; /* NULL: valid */
} num_cases[] = {
    {"0", 0, 10, 0, NULL}, {"10", 0, 10, 10, NULL}, {"1", 1, 100, 1, NULL},
    {"100", 1, 100, 100, NULL}, {"-5", -10, 10, -5, NULL},
    {"007", 0, 10, 7, NULL},
    {"9223372036854775807", LLONG_MIN, LLONG_MAX, LLONG_MAX, NULL},
    {"-9223372036854775808", LLONG_MIN, LLONG_MAX, LLONG_MIN, NULL},
    {"9223372036854775808", LLONG_MIN, LLONG_MAX, 0, "too large"},
    {"-9223372036854775809", LLONG_MIN, LLONG_MAX, 0, "too small"},
    {"99999999999999999999999", 0, 100, 0, "too large"},
    {"101", 1, 100, 0, "too large"}, {"0", 1, 100, 0, "too small"},
    {"-1", 1, 100, 0, "too small"}, {"", 0, 10, 0, "invalid"},
    {"-", 0, 10, 0, "invalid"}, {"+5", 0, 10, 0, "invalid"},
    {" 5", 0, 10, 0, "invalid"}, {"5 ", 0, 10, 0, "invalid"},
    {"5a", 0, 10, 0, "invalid"}, {"0x5", 0, 10, 0, "invalid"},
    {"1e2", 0, 1000, 0, "invalid"}, {"1.0", 0, 10, 0, "invalid"},
    {"--1", -10, 10, 0, "invalid"}, {"5", 10, 0, 0, "invalid"}, /* min > max */
};

START_TEST(test_strtonum)
{
	const char *err = "unset";
	long long v;

	v = valid_strtonum(
	    num_cases[_i].s, num_cases[_i].min, num_cases[_i].max, &err);
	if (num_cases[_i].err == NULL) {
		ck_assert_msg(err == NULL, "%s: %s", num_cases[_i].s, err);
		ck_assert_int_eq(v, num_cases[_i].want);
	} else {
		ck_assert_msg(err != NULL, "%s: accepted", num_cases[_i].s);
		ck_assert_str_eq(err, num_cases[_i].err);
		ck_assert_int_eq(v, 0);
	}
}
END_TEST

/* ---- UTF-8 text ------------------------------------------------------- */

static const struct {
	const char *s;
	size_t len; /* 0: strlen */
	int ok;
} utf8_cases[] = {
    {"plain ascii ~!@#", 0, 1}, {"", 0, 1}, {"\xc3\xa9", 0, 1}, /* U+00E9 */
    {"\xc2\xa0", 0, 1},         /* U+00A0, first after C1 */
    {"\xe2\x82\xac", 0, 1},     /* U+20AC */
    {"\xef\xbf\xbd", 0, 1},     /* U+FFFD */
    {"\xf0\x9f\x98\x80", 0, 1}, /* U+1F600 */
    {"\xf4\x8f\xbf\xbf", 0, 1}, /* U+10FFFF */
    {"a\0b", 3, 0},             /* NUL */
    {"\x01", 0, 0}, {"\t", 0, 0}, {"\n", 0, 0}, {"\r", 0, 0}, {"\x1b[0m", 0, 0},
    {"\x7f", 0, 0}, {"\xc2\x80", 0, 0}, /* U+0080, C1 */
    {"\xc2\x9f", 0, 0},                 /* U+009F, C1 */
    {"\x80", 0, 0},                     /* lone continuation */
    {"\xc3", 0, 0},                     /* truncated */
    {"\xe2\x82", 0, 0},                 /* truncated */
    {"\xc0\x80", 0, 0},                 /* overlong NUL */
    {"\xc1\xbf", 0, 0},                 /* overlong */
    {"\xe0\x80\xaf", 0, 0},             /* overlong */
    {"\xf0\x80\x80\xaf", 0, 0},         /* overlong */
    {"\xed\xa0\x80", 0, 0},             /* U+D800 */
    {"\xed\xbf\xbf", 0, 0},             /* U+DFFF */
    {"\xf4\x90\x80\x80", 0, 0},         /* U+110000 */
    {"\xf5\x80\x80\x80", 0, 0}, {"\xff", 0, 0}, {"\xfe", 0, 0},
    {"\xc3\x28", 0, 0}, /* bad continuation */
};

START_TEST(test_utf8)
{
	size_t len =
	    utf8_cases[_i].len ? utf8_cases[_i].len : strlen(utf8_cases[_i].s);

	ck_assert_msg(
	    valid_utf8_text(utf8_cases[_i].s, len) == utf8_cases[_i].ok,
	    "case %d", _i);
	/* Valid text is valid UTF-8 too. */
	if (utf8_cases[_i].ok)
		ck_assert(valid_utf8(utf8_cases[_i].s, len));
}
END_TEST

/* Every byte: the 22 hex digits have their value, the rest -1. */
START_TEST(test_hex_digit)
{
	const char *digits = "0123456789abcdef", *p;
	int c, n = 0;

	for (c = 0; c < 256; c++) {
		p = c != 0 ? strchr(digits, c >= 'A' && c <= 'F' ? c + 32 : c)
		           : NULL;
		if (p != NULL) {
			ck_assert_int_eq(
			    hex_digit((unsigned char)c), (int)(p - digits));
			n++;
		} else
			ck_assert_int_eq(hex_digit((unsigned char)c), -1);
	}
	ck_assert_int_eq(n, 22);
}
END_TEST

/* valid_utf8 allows control characters, never NUL or bad encodings. */
START_TEST(test_utf8_controls)
{
	static const char *const controls[] = {
	    "\x01", "\t", "\n\r", "\x1b[0m", "\x7f", "\xc2\x80", "\xc2\x9f"};
	static const char *const bad[] = {
	    "\x80", "\xc3", "\xc0\x80", "\xed\xa0\x80", "\xff"};
	size_t i;

	for (i = 0; i < sizeof(controls) / sizeof(controls[0]); i++)
		ck_assert(valid_utf8(controls[i], strlen(controls[i])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert(!valid_utf8(bad[i], strlen(bad[i])));
	ck_assert(!valid_utf8("a\0b", 3));
}
END_TEST

/* ---- validators ------------------------------------------------------- */

static const struct {
	valid_fn fn;
	const char *name;
	const char *val;
	int ok;
	const char *err; /* expected message when invalid (NULL: any) */
} vcases[] = {
    /* username */
    {valid_username, "username", "admin", 1, NULL},
    {valid_username, "username", "a", 1, NULL},
    {valid_username, "username", "j.doe-2_x", 1, NULL},
    {valid_username, "username", "\xc3\xa9milie", 1, NULL},
    {valid_username, "username", "with space", 1, NULL},
    {valid_username, "username", "<img src=x onerror=\"alert(1)\">&amp;'", 1,
        NULL},
    {valid_username, "username",
        "1234567890123456789012345678901234567890123456789012345678901234", 1,
        NULL},
    {valid_username, "username",
        "12345678901234567890123456789012345678901234567890123456789012345", 0,
        "must have at most 64 characters (accented and non-Latin letters count "
        "as 2 to 4)"},
    {valid_username, "username", "", 0, "must not be empty"},
    {valid_username, "username", "a/b", 0, "must not contain '/'"},
    {valid_username, "username", " lead", 0,
        "must not start or end with a space"},
    {valid_username, "username", "trail ", 0,
        "must not start or end with a space"},
    {valid_username, "username", ".", 0, "must not be '.' or '..'"},
    {valid_username, "username", "..", 0, "must not be '.' or '..'"},
    {valid_username, "username", "a\tb", 0,
        "must be text without control characters"},
    {valid_username, "username", "\xff", 0,
        "must be text without control characters"},
    {valid_username, "username", "\xc2\x85x", 0, /* NEL, a C1 control */
        "must be text without control characters"},
    {valid_username, "username", "   ", 0,
        "must not start or end with a space"},
    {valid_username, "username", "\xc2\xa0", 0, /* no-break space only */
        "must not contain invisible characters or spaces other than ' '"},
    {valid_username, "username", "a\xe2\x80\x8b", 0, /* zero-width space */
        "must not contain invisible characters or spaces other than ' '"},
    {valid_username, "username",
        "a\xe2\x80\xae"
        "b",
        0, /* RTL override */
        "must not contain invisible characters or spaces other than ' '"},
    {valid_username, "username", "\xe3\x80\x80", 0, /* ideographic space */
        "must not contain invisible characters or spaces other than ' '"},
    {valid_username, "username",
        "\xef\xbb\xbf"
        "bom",
        0, "must not contain invisible characters or spaces other than ' '"},
    {valid_username, "username",
        "e\xcc\x81"
        "mile",
        0, /* e + U+0301 */
        "must be in Unicode NFC (an accented letter is one character)"},
    {valid_username, "username", "\xe2\x84\xaa", 0, /* KELVIN SIGN */
        "must be in Unicode NFC (an accented letter is one character)"},
    {valid_username, "username", "\xe1\x84\x80\xe1\x85\xa1", 0, /* jamo */
        "must be in Unicode NFC (an accented letter is one character)"},
    {valid_username, "username", "\xf0\xaf\xa0\x80", 0, /* U+2F800 */
        "must be in Unicode NFC (an accented letter is one character)"},
    {valid_username, "username", "\xe1\xbd\xb1", 0, /* U+1F71, NFC: U+03AC */
        "must be in Unicode NFC (an accented letter is one character)"},
    {valid_username, "username", "\xce\xac\xce\xbb\xcf\x86\xce\xb1", 1,
        NULL}, /* Greek, precomposed */
    {valid_username, "username", "\xe1\xbd\xb0", 1, NULL}, /* U+1F70: NFC */
    {valid_username, "username", "\xe5\xb1\xb1\xe7\x94\xb0", 1, NULL},
    {valid_username, "username", "\xea\xb0\x80", 1, NULL}, /* Hangul GA */
    {valid_username, "username", "\xe0\xa4\xb9\xe0\xa4\xbf", 1,
        NULL}, /* Devanagari with its vowel sign: passes as typed */
    {valid_username, "username", "\xf0\x9f\x98\x80", 1, NULL},
    {valid_username, "username", "Jo Ann O'Neil", 1, NULL},
    /* username_lookup: any name a stored row may hold */
    {valid_username_lookup, "username", "admin", 1, NULL},
    {valid_username_lookup, "username", " lead", 1, NULL},
    {valid_username_lookup, "username",
        "e\xcc\x81"
        "mile",
        1, NULL},
    {valid_username_lookup, "username", "a\tb", 1, NULL},
    {valid_username_lookup, "username", "\xc2\xa0", 1, NULL},
    {valid_username_lookup, "username", "", 0, "must not be empty"},
    {valid_username_lookup, "username", "a/b", 0, "must not contain '/'"},
    {valid_username_lookup, "username", "..", 0, "must not be '.' or '..'"},
    {valid_username_lookup, "username", "\xff", 0, "must be text"},
    {valid_username_lookup, "username",
        "12345678901234567890123456789012345678901234567890123456789012345", 0,
        "must have at most 64 characters (accented and non-Latin letters count "
        "as 2 to 4)"},
    /* email */
    {valid_email, "email", "admin@example.com", 1, NULL},
    {valid_email, "email", "a.b+tag@sub.example.co.uk", 1, NULL},
    {valid_email, "email", "o'brien@example.ie", 1, NULL},
    {valid_email, "email", "x@a-b.example", 1, NULL},
    {valid_email, "email", "UPPER@EXAMPLE.COM", 1, NULL},
    {valid_email, "email", "!#$%&'*+-/=?^_`{|}~@example.com", 1, NULL},
    {valid_email, "email", "plain", 0,
        "is not an email address: it needs a name, an @ and a domain"},
    {valid_email, "email", "@example.com", 0, NULL},
    {valid_email, "email", "a@", 0, NULL},
    {valid_email, "email", "a@b", 0, NULL},
    {valid_email, "email", "a@@example.com", 0, NULL},
    {valid_email, "email", "a@b@example.com", 0, NULL},
    {valid_email, "email", ".a@example.com", 0, NULL},
    {valid_email, "email", "a.@example.com", 0, NULL},
    {valid_email, "email", "a..b@example.com", 0, NULL},
    {valid_email, "email", "a b@example.com", 0, NULL},
    {valid_email, "email", "a\"b@example.com", 0, NULL},
    {valid_email, "email", "a<b>@example.com", 0, NULL},
    {valid_email, "email", "a@-example.com", 0, NULL},
    {valid_email, "email", "a@example-.com", 0, NULL},
    {valid_email, "email", "a@example..com", 0, NULL},
    {valid_email, "email", "a@.example.com", 0, NULL},
    {valid_email, "email", "a@example.com.", 0, NULL},
    {valid_email, "email", "a@exa_mple.com", 0, NULL},
    {valid_email, "email", "a@[127.0.0.1]", 0, NULL},
    {valid_email, "email", "\xc3\xa9@example.com", 0, NULL},
    {valid_email, "email", "a@example.com\n", 0, NULL},
    {valid_email, "email", "javascript:alert(1)//@x.com", 0, NULL},
    {valid_email, "email",
        "12345678901234567890123456789012345678901234567890123456789012345"
        "@example.com",
        0, NULL}, /* local part of 65 */
    {valid_email, "email",
        "1234567890123456789012345678901234567890123456789012345678901234"
        "@example.com",
        1, NULL}, /* local part of 64 */
    {valid_email, "email",
        "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ".com",
        0, NULL}, /* a label of 64 */
    /* password */
    {valid_password, "password", "password", 1, NULL},
    {valid_password, "password", "correct horse battery staple", 1, NULL},
    {valid_password, "password", "p\xc3\xa4ssw\xc3\xb6rd", 1, NULL},
    {valid_password, "password", "1234567", 0,
        "must have at least 8 characters"},
    {valid_password, "password", "", 0, "must have at least 8 characters"},
    {valid_password, "password", "pass\x01word", 0,
        "must be text without control characters"},
    /* user_type */
    {valid_user_type, "user_type", "admin", 1, NULL},
    {valid_user_type, "user_type", "user", 1, NULL},
    {valid_user_type, "user_type", "Admin", 0, "must be \"admin\" or \"user\""},
    {valid_user_type, "user_type", "root", 0, NULL},
    {valid_user_type, "user_type", "", 0, NULL},
    {valid_user_type, "user_type", "admin ", 0, NULL},
    /* limit */
    {valid_limit, "limit", "1", 1, NULL},
    {valid_limit, "limit", "50", 1, NULL},
    {valid_limit, "limit", "100", 1, NULL},
    {valid_limit, "limit", "0", 0, "must be a number from 1 to 100"},
    {valid_limit, "limit", "101", 0, NULL},
    {valid_limit, "limit", "-1", 0, NULL},
    {valid_limit, "limit", "ten", 0, NULL},
    {valid_limit, "limit", "", 0, NULL},
    {valid_limit, "limit", "5.0", 0, NULL},
    {valid_limit, "limit", "99999999999999999999", 0, NULL},
    /* cursor */
    {valid_cursor, "after", "YWRtaW4", 1, NULL},     /* admin */
    {valid_cursor, "after", "am9obi5kb2U", 1, NULL}, /* john.doe */
    {valid_cursor, "after", "YiBv", 1, NULL},        /* "b o" */
    {valid_cursor, "after", "em_Dqw", 1, NULL},      /* zoë */
    {valid_cursor, "after", "5pel5pys", 1, NULL},    /* 日本 */
    {valid_cursor, "after", "", 0, "not a valid cursor"},
    {valid_cursor, "after", "a-b_c", 0, NULL},    /* 5 characters */
    {valid_cursor, "after", "YWRtaW5", 0, NULL},  /* not canonical */
    {valid_cursor, "after", "YWRtaW4=", 0, NULL}, /* padded */
    {valid_cursor, "after", "em/Dqw", 0, NULL},   /* standard alphabet */
    {valid_cursor, "after", "AA", 0, NULL},       /* a NUL byte */
    {valid_cursor, "after", "_w", 0, NULL},       /* not UTF-8 */
    {valid_cursor, "after", "john.doe", 0, NULL}, /* a raw name */
    {valid_cursor, "after", "a b", 0, NULL},
    /* uuid */
    {valid_uuid, "id", "c4cc1314-26ee-4fed-803c-ef47d415c758", 1, NULL},
    {valid_uuid, "id", "C4CC1314-26EE-4FED-803C-EF47D415C758", 1, NULL},
    {valid_uuid, "id", "00000000-0000-0000-0000-000000000000", 1, NULL},
    {valid_uuid, "id", "c4cc131426ee4fed803cef47d415c758", 0,
        "not a valid UUID"},
    {valid_uuid, "id", "c4cc1314-26ee-4fed-803c-ef47d415c75", 0, NULL},
    {valid_uuid, "id", "c4cc1314-26ee-4fed-803c-ef47d415c7588", 0, NULL},
    {valid_uuid, "id", "g4cc1314-26ee-4fed-803c-ef47d415c758", 0, NULL},
    {valid_uuid, "id", "c4cc1314+26ee-4fed-803c-ef47d415c758", 0, NULL},
    {valid_uuid, "id", "{c4cc1314-26ee-4fed-803c-ef47d415c75}", 0, NULL},
    /* csrf: 43 base64url characters */
    {valid_csrf, "csrf", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", 1,
        NULL},
    {valid_csrf, "csrf", "0123456789-_0123456789-_0123456789-_0123456", 1,
        NULL},
    {valid_csrf, "csrf", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP", 0,
        "not a valid form token"},
    {valid_csrf, "csrf", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR", 0,
        NULL},
    {valid_csrf, "csrf", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP=", 0,
        NULL},
    {valid_csrf, "csrf", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO+Q", 0,
        NULL},
    {valid_csrf, "csrf", "", 0, NULL},
    /* token */
    {valid_token, "token", "0123456789abcdef", 1, NULL},
    {valid_token, "token", "edb_0123456789abcdefABCDEF-_", 1, NULL},
    {valid_token, "token", "0123456789abcde", 0, "not a valid token"},
    {valid_token, "token", "0123456789abcdef/", 0, NULL},
    /* text */
    {valid_text, "note", "anything <at> all & \"quoted\"", 1, NULL},
    {valid_text, "note", "", 1, NULL},
    {valid_text, "note", "line\nbreak", 0,
        "must be text without control characters"},
};

START_TEST(test_validators)
{
	struct pair p;
	int ok;

	memset(&p, 0, sizeof(p));
	p.key = vcases[_i].name;
	p.val = vcases[_i].val;
	p.valsz = strlen(vcases[_i].val);
	ok = vcases[_i].fn(&p);
	ck_assert_msg(ok == vcases[_i].ok, "%s \"%s\": got %d", vcases[_i].name,
	    vcases[_i].val, ok);
	if (ok) {
		if (vcases[_i].fn == valid_limit)
			ck_assert_int_eq(
			    p.parsed.i, strtol(vcases[_i].val, NULL, 10));
		else if (vcases[_i].fn != valid_uuid)
			ck_assert_ptr_eq(p.parsed.s, vcases[_i].val);
	} else {
		ck_assert_ptr_nonnull(p.err);
		/* Messages never echo the input. */
		if (p.valsz > 2)
			ck_assert_ptr_null(strstr(p.err, p.val));
		if (vcases[_i].err != NULL)
			ck_assert_str_eq(p.err, vcases[_i].err);
	}
}
END_TEST

/* The UUID validator fills the 16 bytes. */
START_TEST(test_uuid_bytes)
{
	static const uint8_t want[16] = {0xc4, 0xcc, 0x13, 0x14, 0x26, 0xee,
	    0x4f, 0xed, 0x80, 0x3c, 0xef, 0x47, 0xd4, 0x15, 0xc7, 0x58};
	struct pair p;

	memset(&p, 0, sizeof(p));
	p.val = "c4cc1314-26ee-4fed-803c-ef47d415C758";
	p.valsz = strlen(p.val);
	ck_assert_int_eq(valid_uuid(&p), 1);
	ck_assert_mem_eq(p.parsed.uuid, want, 16);
}
END_TEST

/* A value with an embedded NUL (valsz > strlen) is refused by all. */
START_TEST(test_embedded_nul)
{
	static const valid_fn fns[] = {valid_username, valid_email,
	    valid_password, valid_user_type, valid_limit, valid_cursor,
	    valid_uuid, valid_csrf, valid_token, valid_text,
	    valid_username_lookup};
	struct pair p;
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.val = "admin\0-26ee-4fed-803c-ef47d415c758";
		p.valsz = 36;
		ck_assert_msg(fns[i](&p) == 0, "validator %zu", i);
		memset(&p, 0, sizeof(p));
		p.val = NULL;
		ck_assert_msg(fns[i](&p) == 0, "validator %zu (NULL)", i);
	}
}
END_TEST

static Suite *
valid_suite(void)
{
	Suite *s = suite_create("valid");
	TCase *tc = tcase_create("valid");

	tcase_add_loop_test(tc, test_strtonum, 0, NELEM(num_cases));
	tcase_add_loop_test(tc, test_utf8, 0, NELEM(utf8_cases));
	tcase_add_test(tc, test_hex_digit);
	tcase_add_test(tc, test_utf8_controls);
	tcase_add_loop_test(tc, test_validators, 0, NELEM(vcases));
	tcase_add_test(tc, test_uuid_bytes);
	tcase_add_test(tc, test_embedded_nul);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(valid_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
