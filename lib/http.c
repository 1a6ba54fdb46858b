/*
 * http.c -- the process's connection to the web server. One struct http
 * hides whether requests come over FastCGI (FastCGI 1.0, through libfcgi's
 * reentrant FCGX_Accept_r/FCGX_Finish_r loop: lighttpd mod_fastcgi, Apache
 * mod_fcgid), as one plain CGI request (environ, stdin, stdout: Apache
 * mod_cgi, shared hosting), or through caller-supplied callbacks (tests and
 * fuzz drivers). Nothing here interprets the request; req.c and resp.c do.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "extern.h"

/* The most a CGI request drains of an unread body (bytes). */
#define HTTP_DRAIN_MAX ((size_t)64 * 1024 * 1024)

enum http_mode {
	HTTP_MODE_CGI,    /* one request: environ, stdin, stdout */
	HTTP_MODE_FCGI,   /* libfcgi accept loop */
	HTTP_MODE_CUSTOM, /* one request through struct http_io */
	HTTP_MODE__MAX
};

struct http {
	enum http_mode mode;
	int inreq;         /* a request is open */
	int served;        /* CGI/custom: the one request was handed out */
	size_t body_read;  /* body bytes handed out for this request */
	FCGX_Request fr;   /* FastCGI request state */
	struct http_io io; /* custom callbacks */
};

struct http *
http_new(void)
{
	struct http *h;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		LOG_ERR("out of memory");
		return NULL;
	}
	if (FCGX_IsCGI()) {
		h->mode = HTTP_MODE_CGI;
		return h;
	}
	h->mode = HTTP_MODE_FCGI;
	/* A client that went away must not kill the process on write. */
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&h->fr, 0, 0) != 0) {
		LOG_ERR("cannot initialise FastCGI");
		free(h);
		return NULL;
	}
	return h;
}

struct http *
http_new_io(const struct http_io *io)
{
	struct http *h;

	if (io == NULL || io->getenv == NULL || io->read == NULL ||
	    io->write == NULL)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		LOG_ERR("out of memory");
		return NULL;
	}
	h->mode = HTTP_MODE_CUSTOM;
	h->io = *io;
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	http_finish(h);
	free(h);
}

int
http_accept(struct http *h)
{
	http_finish(h);
	if (h->mode != HTTP_MODE_FCGI) {
		if (h->served)
			return 0;
		h->served = 1;
		h->inreq = 1;
		h->body_read = 0;
		return 1;
	}
	if (FCGX_Accept_r(&h->fr) < 0)
		return 0; /* shutdown, or the listening socket failed */
	h->inreq = 1;
	h->body_read = 0;
	return 1;
}

int
http_idle(struct http *h, int ms)
{
	struct pollfd pfd;

	http_finish(h);
	if (h->mode != HTTP_MODE_FCGI)
		return 1;
	pfd.fd = h->fr.listen_sock;
	pfd.events = POLLIN;
	pfd.revents = 0;
	/* A signal or an error: let FCGX_Accept_r see to it. */
	return poll(&pfd, 1, ms) == 0 ? 0 : 1;
}

const char *
http_getenv(struct http *h, const char *name)
{
	if (!h->inreq)
		return NULL;
	switch (h->mode) {
	case HTTP_MODE_FCGI:
		return FCGX_GetParam(name, h->fr.envp);
	case HTTP_MODE_CUSTOM:
		return h->io.getenv(h->io.arg, name);
	default:
		return getenv(name);
	}
}

/* Read from the request body without counting. */
static long
http_read_raw(struct http *h, void *buf, size_t len)
{
	ssize_t n;
	int got;

	if (len > INT_MAX)
		len = INT_MAX;
	switch (h->mode) {
	case HTTP_MODE_FCGI:
		got = FCGX_GetStr(buf, (int)len, h->fr.in);
		if (got < 0 || FCGX_GetError(h->fr.in) != 0)
			return -1;
		return got;
	case HTTP_MODE_CUSTOM:
		return h->io.read(h->io.arg, buf, len);
	default:
		do
			n = read(STDIN_FILENO, buf, len);
		while (n == -1 && errno == EINTR);
		return (long)n;
	}
}

long
http_read(struct http *h, void *buf, size_t len)
{
	long n;

	if (!h->inreq)
		return -1;
	if (len == 0)
		return 0;
	if ((n = http_read_raw(h, buf, len)) > 0)
		h->body_read += (size_t)n;
	return n;
}

int
http_body_extra(struct http *h)
{
	struct pollfd pfd;
	char c;
	long n;
	int rc;

	if (h->mode == HTTP_MODE_CGI) {
		/*
		 * A CGI server closes our stdin after the body, but nothing
		 * says it must: only read what is there already.
		 */
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		pfd.revents = 0;
		do
			rc = poll(&pfd, 1, 0);
		while (rc == -1 && errno == EINTR);
		if (rc == -1)
			return -1;
		if (rc == 0 || !(pfd.revents & (POLLIN | POLLHUP)))
			return 0;
	}
	if ((n = http_read(h, &c, 1)) < 0)
		return -1;
	return n > 0;
}

int
http_write(struct http *h, const void *buf, size_t len)
{
	const char *p = buf;
	size_t chunk;

	if (!h->inreq)
		return -1;
	switch (h->mode) {
	case HTTP_MODE_FCGI:
		while (len > 0) {
			chunk = len > INT_MAX ? INT_MAX : len;
			if (FCGX_PutStr(p, (int)chunk, h->fr.out) != (int)chunk)
				return -1;
			p += chunk;
			len -= chunk;
		}
		return 0;
	case HTTP_MODE_CUSTOM:
		return h->io.write(h->io.arg, buf, len);
	default:
		if (len > 0 && fwrite(buf, 1, len, stdout) != len)
			return -1;
		return 0;
	}
}

/*
 * Plain CGI: read and discard what is left of an announced body that the
 * request did not read (a body refused with 413 or 415, say). Apache's
 * mod_cgid talks to the script over one Unix socket, and a script that
 * exits with unread input there resets it, cutting the response short.
 * Only the announced length is read, so this cannot wait for more than
 * the server sends; beyond HTTP_DRAIN_MAX it gives up.
 */
static void
http_drain(struct http *h)
{
	const char *cl = getenv("CONTENT_LENGTH");
	size_t want = 0, d;
	char scratch[4096];
	long n;

	if (cl == NULL)
		return;
	for (; *cl != '\0'; cl++) {
		if (*cl < '0' || *cl > '9')
			return;
		d = (size_t)(*cl - '0');
		if (want > (HTTP_DRAIN_MAX - d) / 10)
			return; /* too much to drain, or absurd */
		want = want * 10 + d;
	}
	while (h->body_read < want) {
		d = want - h->body_read;
		if ((n = http_read_raw(h, scratch,
		         d < sizeof(scratch) ? d : sizeof(scratch))) <= 0)
			break;
		h->body_read += (size_t)n;
	}
	explicit_bzero(scratch, sizeof(scratch));
}

void
http_finish(struct http *h)
{
	if (h == NULL || !h->inreq)
		return;
	h->inreq = 0;
	log_set_request_id(NULL);
	switch (h->mode) {
	case HTTP_MODE_FCGI:
		FCGX_Finish_r(&h->fr);
		break;
	case HTTP_MODE_CGI:
		fflush(stdout);
		http_drain(h);
		break;
	default:
		break;
	}
}

int
http_is_fastcgi(const struct http *h)
{
	return h->mode == HTTP_MODE_FCGI;
}
