/*
 * fakeio.h -- a fake web server for the HTTP layer's unit tests: a table
 * of CGI variables, a request body and a response buffer behind struct
 * http_io, so that req_parse() and resp_send() run through the same struct
 * http as under FastCGI or CGI. It counts the body bytes handed out, so a
 * test can prove that a body was refused without being read.
 */
#ifndef FAKEIO_H
#define FAKEIO_H

#include <string.h>

struct fake {
	const char *const *env; /* NAME, value, NAME, value, ..., NULL */
	const char *body;       /* request body (may be NULL) */
	size_t bodylen;
	size_t pos;     /* body bytes handed out so far */
	size_t chunk;   /* largest read to return (0: no limit) */
	struct buf out; /* what the program wrote */
};

static const char *
fake_getenv(void *arg, const char *name)
{
	struct fake *f = arg;
	size_t i;

	for (i = 0; f->env != NULL && f->env[i] != NULL; i += 2)
		if (strcmp(f->env[i], name) == 0)
			return f->env[i + 1];
	return NULL;
}

static long
fake_read(void *arg, void *buf, size_t len)
{
	struct fake *f = arg;
	size_t n = f->bodylen - f->pos;

	if (n > len)
		n = len;
	if (f->chunk != 0 && n > f->chunk)
		n = f->chunk;
	if (n > 0)
		memcpy(buf, f->body + f->pos, n);
	f->pos += n;
	return (long)n;
}

static int
fake_write(void *arg, const void *buf, size_t len)
{
	struct fake *f = arg;

	return buf_putmem(&f->out, buf, len);
}

/* A struct http over f, with its one request accepted. */
static struct http *
fake_http(struct fake *f)
{
	struct http_io io = {fake_getenv, fake_read, fake_write, f};
	struct http *h;

	if (f->body != NULL && f->bodylen == 0)
		f->bodylen = strlen(f->body);
	if ((h = http_new_io(&io)) == NULL || http_accept(h) != 1)
		return NULL;
	return h;
}

#endif /* !FAKEIO_H */
