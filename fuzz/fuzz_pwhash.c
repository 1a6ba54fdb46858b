/*
 * fuzz_pwhash.c -- libFuzzer driver: stored password hashes (the
 * users.password column) through the PHC parser of libencfield:
 * ef_pw_needs_rehash() on every input, ef_pw_verify() on those whose
 * Argon2 cost is cheap.
 *
 * The whole input, up to its first NUL, is the stored hash. The driver
 * reads m= and t= itself and verifies only when m <= 256 KiB and t <= 3,
 * so the fuzzer spends its time in the parser, not in Argon2: what a
 * hostile hash can cost at most is the subject of t/check_pwcost (the
 * bounds of ef_pw_verify). A legacy-shaped hash is verified without a
 * salt (EF_ERR_NO_LEGACY before PBKDF2's 100000 iterations).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encfield.h"
#include "fuzz.h"

/* The number after key (e.g. "m=") in s, saturated; -1 if none. */
static long
fuzz_param(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	long v = 0;

	if (p == NULL)
		return -1;
	for (p += strlen(key); *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (*p - '0')) > 100000000L)
			return v;
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	long m, t;
	int match = 7, r;
	enum ef_err rc;

	if (size > 4096 || (s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	r = ef_pw_needs_rehash(s);
	FUZZ_ASSERT(r == 0 || r == 1);
	m = fuzz_param(s, "m=");
	t = fuzz_param(s, "t=");
	if (m <= 256 && t <= 3) {
		rc = ef_pw_verify("password", 8, s, NULL, 0, &match);
		FUZZ_ASSERT(rc < EF_ERR__MAX && (match == 0 || match == 1));
		FUZZ_ASSERT(rc == EF_OK || match == 0);
		rc = ef_pw_verify("", 0, s, NULL, 0, &match);
		FUZZ_ASSERT(match == 0);
	}
	free(s);
	return 0;
}
