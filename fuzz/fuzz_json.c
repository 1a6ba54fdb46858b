/*
 * fuzz_json.c -- libFuzzer driver: JSON request bodies through req_parse()
 * (the strict scanner: duplicate keys, depth, \u0000, trailing data,
 * numbers and literals, then json-c) and req_fields() with every
 * validator, as POST /users and PATCH /user/<name> receive them. The whole
 * input is the body; CONTENT_LENGTH is its length. The checks are in
 * common.h; a successful parse is also re-serialised through json-c and
 * the error response is sent as a route would.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "extern.h"
#include "fuzz.h"
#include "common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fake f;
	struct http_io io = {
	    fuzz_fake_getenv, fuzz_fake_read, fuzz_fake_write, &f};
	struct http *h;
	struct req r;
	struct resp rs;
	struct field_errors fe;
	struct pair p[FK__MAX];
	char cl[32];

	if (size > 256 * 1024)
		return 0;
	memset(&f, 0, sizeof(f));
	snprintf(cl, sizeof(cl), "%zu", size);
	fuzz_fake_set(&f, "REQUEST_METHOD", "POST");
	fuzz_fake_set(&f, "REQUEST_URI", "/users");
	fuzz_fake_set(&f, "CONTENT_TYPE", "application/json");
	fuzz_fake_set(&f, "CONTENT_LENGTH", cl);
	f.body = data;
	f.bodylen = size;
	if ((h = http_new_io(&io)) == NULL || http_accept(h) != 1)
		abort();
	req_parse(h, &r, REQ_BODY_JSON, 0);
	fuzz_check_req(&r);
	if (r.json != NULL)
		FUZZ_ASSERT(json_object_to_json_string_ext(
		                r.json, JSON_C_TO_STRING_PLAIN) != NULL);
	resp_init(&rs);
	if (r.err == REQ_ERR_INVALID) {
		memset(&fe, 0, sizeof(fe));
		req_fields(&r, fuzz_fields, FK__MAX, p, &fe);
		FUZZ_ASSERT(
		    resp_error_fields(&rs, 422, "Invalid input", &fe) == 0);
	} else if (r.err != REQ_OK)
		FUZZ_ASSERT(resp_error(&rs, req_err_status(r.err),
		                req_strerror(r.err)) == 0);
	else
		resp_status(&rs, 204);
	FUZZ_ASSERT(resp_send(h, &rs) == 0);
	resp_free(&rs);
	req_free(&r);
	http_free(h);
	return 0;
}
