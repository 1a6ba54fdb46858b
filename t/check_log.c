/*
 * check_log.c -- unit tests of lib/log.c: every line it writes is one line
 * whatever the message holds. Control characters (C0 and DEL) come out as
 * \xNN and backslashes doubled, so that data from a request can neither
 * start a forged line nor pass for an escape; the request id and the
 * function name frame the message; long messages are cut, still as one
 * line; quiet mode writes nothing. stderr is captured in a temporary file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "extern.h"

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

/*
 * Log msg (as a "%s" argument, as callers pass request data) at level
 * lvl from func, and return what reached stderr (malloc'd, caller frees).
 */
static char *
logged(enum log_level lvl, const char *func, const char *msg)
{
	FILE *f = tmpfile();
	char *out;
	long n;
	int saved;

	ck_assert_ptr_nonnull(f);
	fflush(stderr);
	ck_assert_int_ne(saved = dup(2), -1);
	ck_assert_int_ne(dup2(fileno(f), 2), -1);
	log_msg(lvl, func, "%s", msg);
	fflush(stderr);
	ck_assert_int_ne(dup2(saved, 2), -1);
	close(saved);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(out = calloc(1, (size_t)n + 1));
	ck_assert_int_eq(fread(out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return out;
}

static const struct {
	const char *msg;
	const char *line; /* what follows "prog: warning: fn: " */
} escape_cases[] = {
    {"plain text", "plain text\n"},
    {"user bob\nprog: error: auth: admin signed in",
        "user bob\\x0aprog: error: auth: admin signed in\n"},
    {"a\rb", "a\\x0db\n"},
    {"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m\n"},
    {"tab\there", "tab\\x09here\n"},
    {"del\x7f", "del\\x7f\n"},
    {"\x01\x1f", "\\x01\\x1f\n"},
    /* A literal "\x0a" in the data stays distinguishable from a newline. */
    {"not\\x0a a newline", "not\\\\x0a a newline\n"},
    {"back\\slash", "back\\\\slash\n"},
    /* UTF-8 passes as it is. */
    {"\xc3\xa9t\xc3\xa9 \xe4\xbe\x8b", "\xc3\xa9t\xc3\xa9 \xe4\xbe\x8b\n"},
};

START_TEST(test_escape)
{
	char *out;
	const char *want = escape_cases[_i].line;
	static const char head[] = "prog: warning: fn: ";

	log_set_progname("prog");
	log_set_request_id(NULL);
	out = logged(LOG_LVL_WARN, "fn", escape_cases[_i].msg);
	ck_assert_msg(strncmp(out, head, sizeof(head) - 1) == 0, "%s", out);
	ck_assert_str_eq(out + sizeof(head) - 1, want);
	free(out);
}
END_TEST

/* Every byte from 0x01 to 0x1f and 0x7f: one line, no raw control byte. */
START_TEST(test_every_control)
{
	char msg[40], *out, *p;
	int c, n = 0;

	for (c = 1; c < 0x20; c++)
		msg[n++] = (char)c;
	msg[n++] = 0x7f;
	msg[n] = '\0';
	log_set_progname("prog");
	out = logged(LOG_LVL_ERR, "fn", msg);
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
	for (p = out; *p != '\n'; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f,
		    "raw control byte 0x%02x at %td", *p, p - out);
	ck_assert_ptr_nonnull(strstr(out, "\\x01\\x02"));
	ck_assert_ptr_nonnull(strstr(out, "\\x1f\\x7f\n"));
	free(out);
}
END_TEST

START_TEST(test_levels_and_request_id)
{
	char *out;

	log_set_progname("user");
	log_set_request_id("0123abcd");
	out = logged(LOG_LVL_ERR, "handle", "x");
	ck_assert_str_eq(out, "user: error: [0123abcd] handle: x\n");
	free(out);
	out = logged(LOG_LVL_INFO, "handle", "x");
	ck_assert_str_eq(out, "user: info: [0123abcd] handle: x\n");
	free(out);
	log_set_request_id(NULL);
	out = logged((enum log_level)42, "handle", "x");
	ck_assert_str_eq(out, "user: error: handle: x\n");
	free(out);
}
END_TEST

/* A message longer than the line buffer, all newlines: cut, one line. */
START_TEST(test_long)
{
	char *msg, *out;

	ck_assert_ptr_nonnull(msg = malloc(10001));
	memset(msg, '\n', 10000);
	msg[10000] = '\0';
	log_set_progname("prog");
	log_set_request_id(NULL);
	out = logged(LOG_LVL_WARN, "fn", msg);
	ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
	ck_assert_uint_gt(strlen(out), 1000);
	ck_assert_uint_lt(strlen(out), 5000);
	free(out);
	free(msg);
}
END_TEST

START_TEST(test_quiet)
{
	char *out;

	log_set_quiet(1);
	out = logged(LOG_LVL_ERR, "fn", "secret-free but unwanted");
	ck_assert_str_eq(out, "");
	free(out);
	log_set_quiet(0);
	out = logged(LOG_LVL_ERR, "fn", "back");
	ck_assert_ptr_nonnull(strstr(out, "fn: back\n"));
	free(out);
}
END_TEST

static Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_loop_test(tc, test_escape, 0, NELEM(escape_cases));
	tcase_add_test(tc, test_every_control);
	tcase_add_test(tc, test_levels_and_request_id);
	tcase_add_test(tc, test_long);
	tcase_add_test(tc, test_quiet);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(log_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
