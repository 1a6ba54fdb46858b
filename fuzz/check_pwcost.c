/*
 * check_pwcost.c -- the cost of verifying a stored password hash must be
 * bounded: a hash in users.password (written there by a bug, a restore, an
 * attacker with write access to one row) must not make a login allocate
 * gigabytes or compute for minutes. encfield.h promises Argon2 parameters
 * "within sane bounds"; this test pins what sane means.
 *
 * The bound: memory m <= 262144 KiB (256 MiB),
 * passes t <= 16, and m * t <= 1048576 KiB-passes (1 GiB of memory
 * traffic: about a second), lanes p <= 16. RFC 9106's second recommended
 * setting (m = 64 MiB, t = 3, p = 4) and OWASP's (19 MiB, t = 2, our
 * own) stay inside; hashes above it are refused as EF_ERR_PW_FORMAT
 * before any Argon2 work.
 *
 * Each over-bound case runs under a 5-second Check timeout, so a library
 * that computes instead of refusing fails by timeout rather than running
 * for minutes. It was an XFAIL while libencfield accepted m up to 1 GiB
 * and t up to 64 (about 50 s for one m = 1 GiB pass here); libencfield
 * has enforced these bounds since commit 66e6ab6 (crypto), and the
 * positive control keeps the bound from being too tight.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "encfield.h"

/* A syntactically valid salt (16 bytes) and hash (32 bytes). */
#define SALT "c2FsdHNhbHRzYWx0c2FsdA"
#define HASH "aGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGg"

static const char *const over_bound[] = {
    "$argon2id$v=19$m=1048576,t=1,p=1$" SALT "$" HASH,   /* 1 GiB */
    "$argon2id$v=19$m=1048576,t=64,p=16$" SALT "$" HASH, /* today's max */
    "$argon2id$v=19$m=65536,t=64,p=1$" SALT "$" HASH,    /* 64 passes */
    "$argon2id$v=19$m=262144,t=16,p=1$" SALT "$" HASH,   /* 4 GiB-passes */
    "$argon2id$v=19$m=524288,t=1,p=4$" SALT "$" HASH,    /* 512 MiB */
};

START_TEST(test_over_bound_refused)
{
	const char *stored = over_bound[_i];
	int match = 7;
	enum ef_err rc;

	rc = ef_pw_verify("password", 8, stored, NULL, 0, &match);
	ck_assert_msg(rc == EF_ERR_PW_FORMAT,
	    "case %d: ef_pw_verify returned %s, not EF_ERR_PW_FORMAT", _i,
	    ef_strerror(rc));
	ck_assert_int_eq(match, 0);
}
END_TEST

/* The positive control: our own parameters verify, right and wrong. */
START_TEST(test_current_params_verify)
{
	char out[EF_PW_HASH_MAX];
	int match = 7;

	ck_assert_int_eq(
	    ef_pw_hash_salt("password", 8, "saltsaltsaltsalt", 16, out), EF_OK);
	ck_assert_int_eq(
	    ef_pw_verify("password", 8, out, NULL, 0, &match), EF_OK);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(
	    ef_pw_verify("passwore", 8, out, NULL, 0, &match), EF_OK);
	ck_assert_int_eq(match, 0);
}
END_TEST

static Suite *
pwcost_suite(void)
{
	Suite *s = suite_create("pwcost");
	TCase *tc = tcase_create("bounds");

	tcase_set_timeout(tc, 5);
	tcase_add_loop_test(tc, test_over_bound_refused, 0,
	    (int)(sizeof(over_bound) / sizeof(over_bound[0])));
	tcase_add_test(tc, test_current_params_verify);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pwcost_suite());
	int failed;

	/* The timeout needs fork mode; never let CK_FORK=no hang us. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
