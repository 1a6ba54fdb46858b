/*
 * installcheck.c -- built by `make installcheck` against the installed
 * libencfield through its pkg-config file (encfield.pc) and run: a value
 * encrypted under a new key reads back, bound to its row. Exit 0 and "ok".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <encfield.h>

static int
fail(const char *what, enum ef_err e)
{
	fprintf(stderr, "installcheck: %s: %s\n", what, ef_strerror(e));
	return 1;
}

int
main(void)
{
	struct ef_keyring *kr = NULL;
	uint8_t key[32], uuid[16], *ct = NULL;
	char *b64 = NULL, *pt = NULL, ring[64];
	size_t ctlen, ptlen;
	enum ef_err e;

	if ((e = ef_init()) != EF_OK)
		return fail("ef_init", e);
	ef_random(key, sizeof(key));
	if ((e = ef_base64_encode(key, sizeof(key), &b64)) != EF_OK)
		return fail("ef_base64_encode", e);
	snprintf(ring, sizeof(ring), "1:%s", b64);
	free(b64);
	ef_wipe(key, sizeof(key));
	if ((e = ef_keyring_parse(ring, &kr, NULL)) != EF_OK)
		return fail("ef_keyring_parse", e);
	ef_wipe(ring, sizeof(ring));
	ef_uuid_v4(uuid);
	if ((e = ef_encrypt(kr, "users.email", uuid, "a@example.org", 13, &ct,
	         &ctlen)) != EF_OK)
		return fail("ef_encrypt", e);
	if ((e = ef_decrypt(kr, "users.email", uuid, ct, ctlen, &pt, &ptlen)) !=
	    EF_OK)
		return fail("ef_decrypt", e);
	if (ptlen != 13 || memcmp(pt, "a@example.org", 13) != 0) {
		fprintf(stderr, "installcheck: the value read back differs\n");
		return 1;
	}
	uuid[0] ^= 1;
	if (ef_decrypt(kr, "users.email", uuid, ct, ctlen, &b64, &ptlen) ==
	    EF_OK) {
		fprintf(stderr, "installcheck: another row read the value\n");
		return 1;
	}
	ef_free_plain(pt, 13);
	free(ct);
	ef_keyring_free(kr);
	printf("ok - the installed libencfield: encrypted, read back, bound "
	       "to its row\n");
	return 0;
}
