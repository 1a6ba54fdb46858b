/*
 * common.h -- request-layer checks shared by the request fuzz drivers
 * (fuzz_query, fuzz_json, fuzz_headers, fuzz_fcgi): the field table that
 * declares one field per validator, and fuzz_check_req(), which turns the
 * promises of req.c (extern.h) into assertions: every parameter and cookie
 * is NUL-terminated, valid UTF-8 text without control characters, within
 * the length limits, and no key appears twice. A broken promise abort()s,
 * which libFuzzer reports as a crash with the input that caused it.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>

enum fuzz_key {
	FK_USERNAME,
	FK_EMAIL,
	FK_PASSWORD,
	FK_USER_TYPE,
	FK_LIMIT,
	FK_AFTER,
	FK_ID,
	FK_CSRF,
	FK_TOKEN,
	FK_NAME,
	FK__MAX
};

static const struct field fuzz_fields[FK__MAX] = {
    {valid_username, "username", FIELD_ANY | FIELD_REQUIRED},
    {valid_email, "email", FIELD_BODY},
    {valid_password, "password", FIELD_BODY},
    {valid_user_type, "user_type", FIELD_BODY},
    {valid_limit, "limit", FIELD_QUERY},
    {valid_cursor, "after", FIELD_QUERY},
    {valid_uuid, "id", FIELD_ANY},
    {valid_csrf, "csrf", FIELD_BODY},
    {valid_token, "token", FIELD_ANY},
    {valid_text, "name", FIELD_ANY},
};

/* Check what req_parse promised about r, then run req_fields over it. */
static inline void
fuzz_check_req(struct req *r)
{
	struct pair p[FK__MAX];
	struct field_errors fe;
	size_t i, j;

	FUZZ_ASSERT(r->err < REQ_ERR__MAX);
	FUZZ_ASSERT(req_strerror(r->err) != NULL);
	FUZZ_ASSERT(r->paramsz <= REQ_PARAMS_MAX);
	FUZZ_ASSERT(r->path_info != NULL && r->uri_path != NULL);
	for (i = 0; i < r->paramsz; i++) {
		const struct req_param *q = &r->params[i];

		FUZZ_ASSERT(strlen(q->key) <= REQ_KEY_MAX);
		FUZZ_ASSERT(strlen(q->val) == q->valsz);
		FUZZ_ASSERT(q->valsz <= REQ_VALUE_MAX);
		FUZZ_ASSERT(valid_utf8_text(q->key, strlen(q->key)));
		FUZZ_ASSERT(valid_utf8_text(q->val, q->valsz));
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(r->params[j].key, q->key) != 0);
	}
	for (i = 0; i < r->cookiesz; i++)
		FUZZ_ASSERT(
		    r->cookies[i].name != NULL && r->cookies[i].val != NULL);
	(void)req_cookie(r, AUTH_COOKIE);
	(void)req_path_tail(r, "/user/");
	if (r->err != REQ_OK)
		return;
	if (req_fields(r, fuzz_fields, FK__MAX, p, &fe) == REQ_OK)
		FUZZ_ASSERT(p[FK_USERNAME].state == PAIR_VALID);
	else
		FUZZ_ASSERT(fe.n > 0 && fe.n <= FIELD_ERRORS_MAX);
	for (i = 0; i < FK__MAX; i++) {
		FUZZ_ASSERT(p[i].state < PAIR__MAX);
		if (p[i].state == PAIR_INVALID)
			FUZZ_ASSERT(p[i].err != NULL);
		if (p[i].state == PAIR_VALID)
			FUZZ_ASSERT(
			    p[i].val != NULL && strlen(p[i].val) == p[i].valsz);
	}
	if (p[FK_LIMIT].state == PAIR_VALID)
		FUZZ_ASSERT(
		    p[FK_LIMIT].parsed.i >= 1 && p[FK_LIMIT].parsed.i <= 100);
	if (p[FK_TOKEN].state == PAIR_VALID)
		(void)auth_token_shaped(p[FK_TOKEN].val);
}

#endif /* !FUZZ_COMMON_H */
