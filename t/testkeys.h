/*
 * testkeys.h -- for Check tests that encrypt: test-only FIELD_KEYS and
 * INDEX_KEY, made at run time from fresh random bytes, unless the caller
 * set some. Include once per test program.
 */
#ifndef TESTKEYS_H
#define TESTKEYS_H

#include <stdio.h>
#include <stdlib.h>

#include "encfield.h"

/* Set the two keys in the environment; 0, or -1 if they cannot be made. */
static int
testkeys_env(void)
{
	uint8_t key[32];
	char *b64 = NULL, entry[64];

	if (getenv("FIELD_KEYS") != NULL)
		return 0;
	ef_random(key, sizeof(key));
	if (ef_base64_encode(key, sizeof(key), &b64) != EF_OK)
		return -1;
	snprintf(entry, sizeof(entry), "1:%s", b64);
	free(b64);
	ef_random(key, sizeof(key));
	if (ef_base64_encode(key, sizeof(key), &b64) != EF_OK)
		return -1;
	setenv("FIELD_KEYS", entry, 1);
	setenv("INDEX_KEY", b64, 1);
	free(b64);
	ef_wipe(key, sizeof(key));
	return 0;
}

#endif /* !TESTKEYS_H */
