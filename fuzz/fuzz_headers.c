/*
 * fuzz_headers.c -- libFuzzer driver: the request headers a route reads,
 * above all the Cookie header (parse_cookies), and with it Accept
 * (negotiation), Authorization (bearer tokens), Origin (CORS), the
 * request URI and path, Content-Type and CONTENT_LENGTH.
 *
 * Input layout: the input split at '\n' into HTTP_COOKIE, HTTP_ACCEPT,
 * HTTP_AUTHORIZATION, HTTP_ORIGIN, REQUEST_URI, PATH_INFO, SCRIPT_NAME,
 * CONTENT_TYPE, CONTENT_LENGTH and REQUEST_METHOD (a part that is absent
 * is unset). Besides common.h's checks, the response built from the
 * request (CORS against two allowed origins, the Origin echoed) must keep
 * its header block intact: no header a payload tried to inject.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "extern.h"
#include "fuzz.h"
#include "common.h"

static const char *const fuzz_names[] = {"HTTP_COOKIE", "HTTP_ACCEPT",
    "HTTP_AUTHORIZATION", "HTTP_ORIGIN", "REQUEST_URI", "PATH_INFO",
    "SCRIPT_NAME", "CONTENT_TYPE", "CONTENT_LENGTH", "REQUEST_METHOD"};
#define FUZZ_NPARTS (sizeof(fuzz_names) / sizeof(fuzz_names[0]))

/* Capture the response, to inspect its headers. */
static int
fuzz_capture(void *arg, const void *buf, size_t len)
{
	return buf_putmem(arg, buf, len);
}

struct fuzz_cap {
	struct fuzz_fake f;
	struct buf out;
};

static const char *
fuzz_cap_getenv(void *arg, const char *name)
{
	return fuzz_fake_getenv(&((struct fuzz_cap *)arg)->f, name);
}

static long
fuzz_cap_read(void *arg, void *buf, size_t len)
{
	return fuzz_fake_read(&((struct fuzz_cap *)arg)->f, buf, len);
}

static int
fuzz_cap_write(void *arg, const void *buf, size_t len)
{
	return fuzz_capture(&((struct fuzz_cap *)arg)->out, buf, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_cap c;
	struct http_io io = {
	    fuzz_cap_getenv, fuzz_cap_read, fuzz_cap_write, &c};
	struct http *h;
	struct req r;
	struct resp rs;
	char *parts[FUZZ_NPARTS], *block = NULL, *hdr_end, *line;
	size_t found, i, acao = 0;

	if (size > 64 * 1024)
		return 0;
	if ((found = fuzz_split(
	         data, size, '\n', parts, FUZZ_NPARTS, &block)) == 0)
		return 0;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < found; i++)
		fuzz_fake_set(&c.f, fuzz_names[i], parts[i]);
	if (found < FUZZ_NPARTS)
		fuzz_fake_set(&c.f, "REQUEST_METHOD", "GET");
	if ((h = http_new_io(&io)) == NULL || http_accept(h) != 1)
		abort();
	req_parse(h, &r, REQ_BODY_FORM | REQ_BODY_JSON, 0);
	fuzz_check_req(&r);
	if (r.bearer != NULL)
		(void)auth_token_shaped(r.bearer);
	resp_init(&rs);
	FUZZ_ASSERT(resp_cors(&rs, "https://a.example, http://b.example:8080",
	                r.origin) >= 0);
	/* A value with CR/LF must be refused, never added. */
	if (r.origin != NULL)
		(void)resp_header(&rs, "X-Fuzz-Origin", r.origin);
	if (r.err != REQ_OK)
		resp_error(&rs, req_err_status(r.err), req_strerror(r.err));
	else
		resp_status(&rs, 204);
	FUZZ_ASSERT(resp_send(h, &rs) == 0);
	FUZZ_ASSERT(buf_ok(&c.out) && c.out.len > 0);
	/* The header block: no NUL, no bare CR or LF, no injected header. */
	hdr_end = strstr(c.out.data, "\r\n\r\n");
	FUZZ_ASSERT(hdr_end != NULL);
	*hdr_end = '\0';
	FUZZ_ASSERT(strlen(c.out.data) == (size_t)(hdr_end - c.out.data));
	for (line = c.out.data; line != NULL && *line != '\0';) {
		char *eol = strstr(line, "\r\n");

		if (eol != NULL)
			*eol = '\0';
		FUZZ_ASSERT(
		    strchr(line, '\r') == NULL && strchr(line, '\n') == NULL);
		FUZZ_ASSERT(strncasecmp(line, "X-Injected", 10) != 0 &&
		    strncasecmp(line, "Set-Cookie", 10) != 0);
		if (strncasecmp(line, "Access-Control-Allow-Origin:", 28) == 0)
			acao++;
		line = eol != NULL ? eol + 2 : NULL;
	}
	FUZZ_ASSERT(acao <= 1);
	resp_free(&rs);
	req_free(&r);
	http_free(h);
	buf_free(&c.out);
	free(block);
	return 0;
}
