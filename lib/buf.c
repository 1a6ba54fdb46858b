/*
 * buf.c -- a growable byte buffer, the one way the HTTP layer builds
 * strings of unknown length (headers, bodies, rendered templates). Sizes are
 * checked for overflow before every allocation; a failed append marks the
 * buffer so that callers can chain appends and check once.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

/*
 * Make room for at least need more bytes plus the terminating NUL.
 * Returns 0, or -1 (and marks the buffer) on overflow or OOM.
 */
static int
buf_grow(struct buf *b, size_t need)
{
	size_t want, ncap;
	char *p;

	if (b->oom)
		return -1;
	if (need > SIZE_MAX - b->len - 1)
		goto fail;
	want = b->len + need + 1;
	if (want <= b->cap)
		return 0;
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2) {
			ncap = want;
			break;
		}
		ncap *= 2;
	}
	/* realloc wipes the old block when it moves (wipe.c). */
	if ((p = realloc(b->data, ncap)) == NULL)
		goto fail;
	b->data = p;
	b->cap = ncap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

int
buf_reserve(struct buf *b, size_t need)
{
	return buf_grow(b, need);
}

int
buf_putmem(struct buf *b, const void *p, size_t len)
{
	if (buf_grow(b, len) == -1)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_putmem(b, s, strlen(s));
}

int
buf_putc(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_putmem(b, &ch, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n) == -1) {
		b->oom = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_ok(const struct buf *b)
{
	return !b->oom;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
buf_free_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

const char *
buf_cstr(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}
