/*
 * hello.c -- the smallest useful libfcgi program: the ceiling against which
 * the routes are benchmarked, and the first probe of the web-server
 * configurations in conf/. It answers every request with a small JSON
 * object: the request method, the name it was run under (so a copy named
 * like a route shows which route the server chose), PATH_INFO, how many
 * body bytes it read, and which of the application's settings reached its
 * environment (names and true/false only, never values: the values are
 * secrets). The same binary runs as a FastCGI responder (lighttpd
 * mod_fastcgi, Apache mod_fcgid) and as a plain CGI program (Apache
 * mod_cgi/mod_cgid), like the routes do.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

/* The last part of argv[0]: which route this copy stands for. */
static const char *progname = "hello";

/* The settings whose presence hello reports (README, Configuration). */
static const char *const settings[] = {
    "DATABASE_URL",
    "FIELD_KEYS",
    "INDEX_KEY",
    "POSTGRES_SECRET_KEY",
    "SECRET_KEY",
    "LEGACY_ENGINE",
    "SECRETS_PATH",
    "BODY_MAX",
    "TEMPLATE_DIR",
};

/*
 * Parse CONTENT_LENGTH as a size_t: decimal digits only, no sign, no
 * overflow. Returns 0 and fills *len on success (an absent or empty value
 * is 0), -1 on a malformed value.
 */
static int
parse_length(const char *s, size_t *len)
{
	size_t v = 0;

	*len = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (SIZE_MAX - (size_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (size_t)(*s - '0');
	}
	*len = v;
	return 0;
}

/*
 * Copy s into the JSON string body at dst (size dstsz), escaping what JSON
 * requires and replacing anything outside printable ASCII with '?': this is
 * a probe, not a general encoder. Always NUL-terminates.
 */
static void
json_copy(char *dst, size_t dstsz, const char *s)
{
	size_t i = 0;
	unsigned char c;

	if (s == NULL)
		s = "";
	for (; (c = (unsigned char)*s) != '\0' && i + 3 < dstsz; s++) {
		if (c == '"' || c == '\\') {
			dst[i++] = '\\';
			dst[i++] = (char)c;
		} else if (c < 0x20 || c > 0x7e)
			dst[i++] = '?';
		else
			dst[i++] = (char)c;
	}
	dst[i] = '\0';
}

/*
 * How respond() reaches one request: get looks up a request variable, read
 * reads up to n body bytes (returning the count, 0 at the end), write
 * writes the response (0 or -1), arg is passed to each.
 */
struct io {
	const char *(*get)(void *, const char *);
	size_t (*read)(void *, char *, size_t);
	int (*write)(void *, const char *, size_t);
	void *arg;
};

/*
 * Answer one request: drain the body (as a real route must before
 * answering), then write the JSON probe. Returns 0, or -1 when the
 * response could not be written.
 */
static int
respond(const struct io *io)
{
	char out[2048], method[32], script[256], path[256], buf[8192];
	const char *status = "200 OK";
	size_t want, got = 0, n, i;
	int len, off;

	if (parse_length(io->get(io->arg, "CONTENT_LENGTH"), &want) == -1) {
		status = "400 Bad Request";
		want = 0;
	}
	while (got < want) {
		n = io->read(io->arg, buf,
		    want - got < sizeof(buf) ? want - got : sizeof(buf));
		if (n == 0)
			break;
		got += n;
	}
	json_copy(method, sizeof(method), io->get(io->arg, "REQUEST_METHOD"));
	json_copy(script, sizeof(script), progname);
	json_copy(path, sizeof(path), io->get(io->arg, "PATH_INFO"));

	off = snprintf(out, sizeof(out),
	    "Status: %s\r\n"
	    "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "\r\n"
	    "{\"hello\": \"world\", \"method\": \"%s\", \"name\": \"%s\", "
	    "\"path_info\": \"%s\", "
	    "\"body_bytes\": %zu, \"env\": {",
	    status, method, script, path, got);
	if (off < 0 || (size_t)off >= sizeof(out))
		return -1;
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		len = snprintf(out + off, sizeof(out) - (size_t)off,
		    "%s\"%s\": %s", i ? ", " : "", settings[i],
		    getenv(settings[i]) != NULL ? "true" : "false");
		if (len < 0 || (size_t)len >= sizeof(out) - (size_t)off)
			return -1;
		off += len;
	}
	len = snprintf(out + off, sizeof(out) - (size_t)off, "}}\n");
	if (len < 0 || (size_t)len >= sizeof(out) - (size_t)off)
		return -1;
	off += len;
	return io->write(io->arg, out, (size_t)off);
}

/* FastCGI adapters: the request's own parameters and streams. */
static const char *
fcgi_get(void *arg, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)arg)->envp);
}

static size_t
fcgi_read(void *arg, char *buf, size_t n)
{
	int r;

	r = FCGX_GetStr(
	    buf, n > INT32_MAX ? INT32_MAX : (int)n, ((FCGX_Request *)arg)->in);
	return r > 0 ? (size_t)r : 0;
}

static int
fcgi_write(void *arg, const char *buf, size_t n)
{
	return FCGX_PutStr(buf, (int)n, ((FCGX_Request *)arg)->out) == (int)n
	    ? 0
	    : -1;
}

/* CGI adapters: the process environment, stdin and stdout. */
static const char *
cgi_get(void *arg, const char *name)
{
	(void)arg;
	return getenv(name);
}

static size_t
cgi_read(void *arg, char *buf, size_t n)
{
	(void)arg;
	return fread(buf, 1, n, stdin);
}

static int
cgi_write(void *arg, const char *buf, size_t n)
{
	(void)arg;
	if (fwrite(buf, 1, n, stdout) != n || fflush(stdout) != 0)
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	FCGX_Request req;
	struct io io;
	const char *slash;

	if (argc > 0 && argv[0] != NULL) {
		slash = strrchr(argv[0], '/');
		progname = slash != NULL ? slash + 1 : argv[0];
	}

	if (FCGX_IsCGI()) {
		io = (struct io){cgi_get, cgi_read, cgi_write, NULL};
		return respond(&io) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0) {
		fprintf(stderr, "hello: cannot initialise libfcgi\n");
		return EXIT_FAILURE;
	}
	io = (struct io){fcgi_get, fcgi_read, fcgi_write, &req};
	while (FCGX_Accept_r(&req) >= 0) {
		if (respond(&io) == -1)
			fprintf(stderr, "hello: cannot write a response\n");
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return EXIT_SUCCESS;
}
