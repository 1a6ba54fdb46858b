/*
 * wipe.c -- nothing readable left in freed memory: no key, password or
 * decrypted email for a later bug that reads freed memory, or for a core
 * dump, to find.
 *
 * Our own code wipes what it frees (ef_wipe, buf_free_wipe,
 * req_json_wipe), but the libraries do not: json-c frees the strings and
 * the serialisation buffer of a response holding emails, libpq its
 * buffers, libgcrypt the scratch buffer of PBKDF2 (salted with
 * SECRET_KEY), and a realloc() that moves a block frees the old one as it
 * was. So the route executables and encdb define free and realloc
 * themselves; every library in the process calls these:
 *  - free wipes the whole block (malloc_usable_size bytes), then hands it
 *    to the C library;
 *  - realloc allocates the new block, copies, and frees the old one
 *    through free: growing never happens in place any more.
 * The price is a memset per free: for a login, the password hash's 19 MiB
 * block, a few per cent of the hash's own time. Builds with the
 * sanitizers keep ASan's free (which quarantines freed memory).
 */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

#if defined(__SANITIZE_ADDRESS__)
#define WIPE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WIPE_ASAN 1
#endif
#endif

#ifndef WIPE_ASAN
/* glibc's free, which the one below replaces for everyone else. */
void __libc_free(void *p);

void
free(void *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	__libc_free(p);
}
#endif

void *
realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		/* glibc's realloc(p, 0): free p, return NULL. */
		free(p);
		return NULL;
	}
	old = malloc_usable_size(p);
	if ((q = malloc(n)) == NULL)
		return NULL; /* p is left as it was, as realloc promises */
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}
