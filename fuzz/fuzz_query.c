/*
 * fuzz_query.c -- libFuzzer driver: query strings and form bodies
 * (application/x-www-form-urlencoded) through req_parse() and
 * req_fields(), as a route receives them.
 *
 * Input layout: byte 0 chooses the method, the body type and whether
 * CONTENT_LENGTH is right, short, long or absent; the rest is split at
 * 0xFF bytes into QUERY_STRING, the body and PATH_INFO. The checks are in
 * common.h (fuzz_check_req); an error response is rendered and sent too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "extern.h"
#include "fuzz.h"
#include "common.h"

static const char *const fuzz_methods[] = {
    "GET", "POST", "PATCH", "DELETE", "HEAD", "PUT", "OPTIONS", "BREW"};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fake f;
	struct http_io io = {
	    fuzz_fake_getenv, fuzz_fake_read, fuzz_fake_write, &f};
	struct http *h = NULL;
	struct req r;
	struct resp rs;
	char *parts[3], *block = NULL, cl[32], uri[96];
	unsigned int mode;
	size_t blen;

	if (size < 1 || size > 256 * 1024)
		return 0;
	mode = data[0];
	if (fuzz_split(data + 1, size - 1, 0xff, parts, 3, &block) == 0)
		return 0;
	memset(&f, 0, sizeof(f));
	fuzz_fake_set(&f, "REQUEST_METHOD", fuzz_methods[mode & 7]);
	fuzz_fake_set(&f, "QUERY_STRING", parts[0]);
	fuzz_fake_set(&f, "PATH_INFO", parts[2]);
	snprintf(uri, sizeof(uri), "/users?%.80s", parts[0]);
	fuzz_fake_set(&f, "REQUEST_URI", uri);
	fuzz_fake_set(&f, "REMOTE_ADDR", "127.0.0.1");
	fuzz_fake_set(&f, "CONTENT_TYPE",
	    (mode & 8) ? "application/json"
	               : "application/x-www-form-urlencoded; charset=UTF-8");
	f.body = (const uint8_t *)parts[1];
	f.bodylen = blen = strlen(parts[1]);
	switch ((mode >> 4) & 3) {
	case 0:
		snprintf(cl, sizeof(cl), "%zu", blen);
		break;
	case 1:
		snprintf(cl, sizeof(cl), "%zu", blen + 1);
		break;
	case 2:
		snprintf(cl, sizeof(cl), "%zu", blen > 0 ? blen - 1 : 0);
		break;
	default:
		cl[0] = '\0';
		break;
	}
	if (cl[0] != '\0')
		fuzz_fake_set(&f, "CONTENT_LENGTH", cl);
	if ((h = http_new_io(&io)) == NULL || http_accept(h) != 1)
		abort();
	req_parse(h, &r, REQ_BODY_FORM | ((mode & 64) ? REQ_BODY_JSON : 0),
	    (mode & 128) ? 64 : 0);
	fuzz_check_req(&r);
	resp_init(&rs);
	if (r.err != REQ_OK)
		resp_error(&rs, req_err_status(r.err),
		    r.errmsg[0] != '\0' ? r.errmsg : req_strerror(r.err));
	else
		resp_status(&rs, 204);
	FUZZ_ASSERT(resp_send(h, &rs) == 0);
	FUZZ_ASSERT(f.written > 0);
	resp_free(&rs);
	req_free(&r);
	http_free(h);
	free(block);
	return 0;
}
