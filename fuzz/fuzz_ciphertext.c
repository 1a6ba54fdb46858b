/*
 * fuzz_ciphertext.c -- libFuzzer driver: stored email values, as
 * users.c meets them in the email column, through every decoder of
 * libencfield: ef_value_kind, ef_value_key_id, ef_decrypt (format v1)
 * under a fixed two-key ring, and ef_legacy_decrypt under each
 * SQLAlchemy-Utils engine (passphrase "changeme2", the boilerplate's).
 *
 * The whole input is the stored value. Checks: every result is a
 * documented error or success; a success returns a NUL-terminated
 * plaintext of the stated length; ef_value_kind agrees with the bytes;
 * ef_decrypt succeeds only on a v1 value under a key of the ring. The seed
 * corpus holds real values (fuzz/corpus/ciphertext/, made by
 * fuzz/mkseeds.py), so the success paths are covered too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encfield.h"
#include "fuzz.h"

/* The ring of the seeds: key 1 = 32 x 0x01 (active), key 7 = 32 x 0x07. */
static const char fuzz_keys[] =
    "1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,"
    "7:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
/* The row of the seeds. */
static const uint8_t fuzz_uuid[16] = {0xc4, 0xcc, 0x13, 0x14, 0x26, 0xee, 0x4f,
    0xed, 0x80, 0x3c, 0xef, 0x47, 0xd4, 0x15, 0xc7, 0x58};

static struct ef_keyring *fuzz_ring;
static struct ef_legacy *fuzz_legacy[EF_LEGACY__MAX];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int e;

	(void)argc;
	(void)argv;
	if (ef_init() != EF_OK ||
	    ef_keyring_parse(fuzz_keys, &fuzz_ring, NULL) != EF_OK)
		abort();
	for (e = 0; e < EF_LEGACY__MAX; e++)
		if (ef_legacy_new("changeme2", 9, (enum ef_legacy_engine)e,
		        &fuzz_legacy[e]) != EF_OK)
			abort();
	return 0;
}

/* A decryption result must be documented, and a plaintext well-formed. */
static void
fuzz_check_plain(enum ef_err rc, char *pt, size_t ptlen)
{
	FUZZ_ASSERT(rc < EF_ERR__MAX && ef_strerror(rc) != NULL);
	if (rc == EF_OK) {
		FUZZ_ASSERT(pt != NULL && pt[ptlen] == '\0');
		ef_free_plain(pt, ptlen);
	} else
		FUZZ_ASSERT(pt == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ef_kind kind;
	enum ef_err rc;
	uint16_t id;
	char *pt;
	size_t ptlen;
	int e;

	if (size > 64 * 1024)
		return 0;
	kind = ef_value_kind(data, size);
	FUZZ_ASSERT(kind < EF_KIND__MAX);
	if (size >= 2 && data[0] == EF_V1_MAGIC && data[1] == EF_V1_VERSION)
		FUZZ_ASSERT(kind == EF_KIND_V1);
	rc = ef_value_key_id(data, size, &id);
	FUZZ_ASSERT(rc == EF_OK || rc == EF_ERR_MALFORMED);
	if (rc == EF_OK)
		FUZZ_ASSERT(
		    kind == EF_KIND_V1 && id == (data[2] << 8 | data[3]));

	pt = NULL;
	rc = ef_decrypt(
	    fuzz_ring, "users.email", fuzz_uuid, data, size, &pt, &ptlen);
	if (rc == EF_OK)
		FUZZ_ASSERT(kind == EF_KIND_V1 && size >= EF_V1_OVERHEAD &&
		    ptlen == size - EF_V1_OVERHEAD &&
		    ef_keyring_has(fuzz_ring, id));
	fuzz_check_plain(rc, pt, ptlen);
	/* Another column: the same bytes must never decrypt there. */
	pt = NULL;
	rc = ef_decrypt(
	    fuzz_ring, "users.other", fuzz_uuid, data, size, &pt, &ptlen);
	FUZZ_ASSERT(rc != EF_OK || size == 0);
	fuzz_check_plain(rc, pt, ptlen);

	for (e = 0; e < EF_LEGACY__MAX; e++) {
		pt = NULL;
		rc = ef_legacy_decrypt(fuzz_legacy[e], data, size, &pt, &ptlen);
		fuzz_check_plain(rc, pt, ptlen);
	}
	return 0;
}
