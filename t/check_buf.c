/*
 * check_buf.c -- unit tests of lib/buf.c, the growable buffer every
 * header, body and page is built in: contents and the terminating NUL
 * across growth, embedded NULs, printf, the size overflow check (a length
 * that cannot fit fails without writing or allocating), the sticky failure
 * that lets callers check once, reset and free.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "extern.h"

START_TEST(test_empty)
{
	struct buf b = BUF_INIT;

	ck_assert_str_eq(buf_cstr(&b), "");
	ck_assert_int_eq(buf_ok(&b), 1);
	ck_assert_int_eq(buf_putmem(&b, "", 0), 0);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_cstr(&b), "");
	buf_free(&b);
}
END_TEST

/* Growth: every byte kept, NUL-terminated after each append. */
START_TEST(test_growth)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < 100000; i++) {
		ck_assert_int_eq(buf_putc(&b, 'a' + (int)(i % 26)), 0);
		ck_assert_uint_eq(b.len, i + 1);
		ck_assert_uint_ge(b.cap, b.len + 1);
		ck_assert_int_eq(b.data[b.len], '\0');
	}
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(b.data[i], 'a' + (int)(i % 26));
	ck_assert_uint_eq(strlen(buf_cstr(&b)), 100000);
	buf_free(&b);
}
END_TEST

START_TEST(test_embedded_nul)
{
	struct buf b = BUF_INIT;

	ck_assert_int_eq(buf_putmem(&b, "a\0b", 3), 0);
	ck_assert_int_eq(buf_puts(&b, "cd"), 0);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_mem_eq(b.data, "a\0bcd", 6);
	buf_free(&b);
}
END_TEST

START_TEST(test_printf)
{
	struct buf b = BUF_INIT;
	char big[300];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(buf_puts(&b, "status "), 0);
	ck_assert_int_eq(buf_printf(&b, "%d %s", 404, "Not Found"), 0);
	ck_assert_str_eq(buf_cstr(&b), "status 404 Not Found");
	/* Longer than the first allocation: printed whole. */
	ck_assert_int_eq(buf_printf(&b, "|%s|", big), 0);
	ck_assert_uint_eq(b.len, 20 + 2 + 299);
	ck_assert_int_eq(b.data[b.len - 1], '|');
	ck_assert_int_eq(b.data[b.len], '\0');
	ck_assert_int_eq(buf_printf(&b, "%s", ""), 0);
	ck_assert_uint_eq(b.len, 321);
	buf_free(&b);
}
END_TEST

/* A size that overflows fails, changes nothing, and sticks. */
START_TEST(test_overflow_sticky)
{
	struct buf b = BUF_INIT;

	ck_assert_int_eq(buf_puts(&b, "kept"), 0);
	ck_assert_int_eq(buf_putmem(&b, "x", SIZE_MAX), -1);
	ck_assert_int_eq(buf_putmem(&b, "x", SIZE_MAX - b.len), -1);
	ck_assert_int_eq(buf_ok(&b), 0);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_str_eq(buf_cstr(&b), "kept");
	/* Every later append fails too: one check after a chain. */
	ck_assert_int_eq(buf_puts(&b, "more"), -1);
	ck_assert_int_eq(buf_putc(&b, 'c'), -1);
	ck_assert_int_eq(buf_printf(&b, "%d", 1), -1);
	ck_assert_str_eq(buf_cstr(&b), "kept");
	/* Reset empties it and clears the mark, keeping the allocation. */
	buf_reset(&b);
	ck_assert_int_eq(buf_ok(&b), 1);
	ck_assert_str_eq(buf_cstr(&b), "");
	ck_assert_ptr_nonnull(b.data);
	ck_assert_int_eq(buf_puts(&b, "again"), 0);
	ck_assert_str_eq(buf_cstr(&b), "again");
	buf_free(&b);
}
END_TEST

START_TEST(test_free)
{
	struct buf b = BUF_INIT;

	ck_assert_int_eq(buf_puts(&b, "someone@example.com"), 0);
	buf_free_wipe(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	ck_assert_int_eq(b.oom, 0);
	/* Usable again after free; free of an empty buffer is fine. */
	ck_assert_int_eq(buf_puts(&b, "x"), 0);
	buf_free(&b);
	buf_free(&b);
	buf_free_wipe(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_embedded_nul);
	tcase_add_test(tc, test_printf);
	tcase_add_test(tc, test_overflow_sticky);
	tcase_add_test(tc, test_free);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(buf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
