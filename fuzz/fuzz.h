/*
 * fuzz.h -- what the fuzz drivers of fcgi-encrypted-db share: the
 * libFuzzer entry points (each driver defines LLVMFuzzerTestOneInput and
 * may define LLVMFuzzerInitialize), and a fake web server behind struct
 * http_io (a table of CGI variables, a body, a discarded response), so
 * that a driver runs the request layer through the same struct http as a
 * route does under FastCGI or CGI.
 *
 * The same driver sources build two ways: with clang and
 * -fsanitize=fuzzer,address,undefined (make fuzz, fuzz/build.sh), and with
 * the project's compiler plus fuzz/replay.c's main() as a replay program
 * that runs every file of a corpus once (make check).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run one input; always returns 0 (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional one-time set-up; drivers that need none do not define it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort with a message: a promise of the code under test was broken. */
#define FUZZ_ASSERT(c)                                                         \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz: %s:%d: assertion failed: %s\n", \
			    __FILE__, __LINE__, #c);                           \
			abort();                                               \
		}                                                              \
	} while (0)

/* The largest CGI environment a fake request carries. */
#define FUZZ_ENV_MAX 32

/* A fake request: NAME/value pairs, a body; the response is dropped. */
struct fuzz_fake {
	const char *env[FUZZ_ENV_MAX * 2 + 1]; /* NAME, value, ..., NULL */
	size_t envn;                           /* pairs used */
	const uint8_t *body;                   /* may be NULL */
	size_t bodylen;
	size_t pos;     /* body bytes handed out */
	size_t written; /* response bytes the program wrote */
};

/* Add NAME=value (both must outlive the request); ignored when full. */
static inline void
fuzz_fake_set(struct fuzz_fake *f, const char *name, const char *value)
{
	if (f->envn >= FUZZ_ENV_MAX)
		return;
	f->env[2 * f->envn] = name;
	f->env[2 * f->envn + 1] = value;
	f->envn++;
	f->env[2 * f->envn] = NULL;
}

static inline const char *
fuzz_fake_getenv(void *arg, const char *name)
{
	struct fuzz_fake *f = arg;
	size_t i;

	for (i = 0; i < f->envn; i++)
		if (strcmp(f->env[2 * i], name) == 0)
			return f->env[2 * i + 1];
	return NULL;
}

static inline long
fuzz_fake_read(void *arg, void *buf, size_t len)
{
	struct fuzz_fake *f = arg;
	size_t n = f->bodylen - f->pos;

	if (n > len)
		n = len;
	/* Short reads, as a real socket gives them. */
	if (n > 7)
		n = n / 2 + 1;
	if (n > 0)
		memcpy(buf, f->body + f->pos, n);
	f->pos += n;
	return (long)n;
}

static inline int
fuzz_fake_write(void *arg, const void *buf, size_t len)
{
	struct fuzz_fake *f = arg;

	(void)buf;
	f->written += len;
	return 0;
}

/*
 * Split data at the byte sep into at most n NUL-terminated strings, all
 * in one malloc'd block (*block, the caller frees it). Missing parts are
 * "". NULs inside a part end that string early, as a C environment would.
 * Returns the number of parts found (>= 1), or 0 on OOM.
 */
static inline size_t
fuzz_split(const uint8_t *data, size_t size, int sep, char **parts, size_t n,
    char **block)
{
	char *b;
	size_t i, found = 1;

	if ((b = malloc(size + n + 1)) == NULL)
		return 0;
	memcpy(b, data, size);
	b[size] = '\0';
	parts[0] = b;
	for (i = 0; i < size && found < n; i++)
		if ((unsigned char)b[i] == sep) {
			b[i] = '\0';
			parts[found++] = b + i + 1;
		}
	/* The empty strings for missing parts live past the data. */
	for (i = found; i < n; i++) {
		b[size + 1 + (i - found)] = '\0';
		parts[i] = b + size + 1 + (i - found);
	}
	*block = b;
	return found;
}

#endif /* !FUZZ_H */
