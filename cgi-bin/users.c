/*
 * users.c -- /users: GET the list (admin; keyset pagination with limit and
 * after, a username prefix filter, an exact email= lookup through the
 * blind index), POST a new user (admin; 201 + Location for JSON, 303 for
 * the HTML form, which is shown again with its errors when invalid).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encfield.h"
#include "extern.h"

/* Rows per page when the client does not say. */
#define USERS_PAGE 50

/* A username prefix: up to USERS_NAME_MAX bytes; "" means no filter. */
static int
valid_prefix(struct pair *p)
{
	if (p->valsz > USERS_NAME_MAX) {
		p->err = "is too long";
		return 0;
	}
	p->parsed.s = p->val;
	return 1;
}

enum lkey { LKEY_LIMIT, LKEY_AFTER, LKEY_PREFIX, LKEY_EMAIL, LKEY__MAX };

static const struct field lkeys[LKEY__MAX] = {
    {valid_limit, "limit", FIELD_QUERY},   /* LKEY_LIMIT */
    {valid_cursor, "after", FIELD_QUERY},  /* LKEY_AFTER */
    {valid_prefix, "prefix", FIELD_QUERY}, /* LKEY_PREFIX */
    {valid_email, "email", FIELD_QUERY},   /* LKEY_EMAIL */
};

enum ckey {
	CKEY_USERNAME,
	CKEY_EMAIL,
	CKEY_PASSWORD,
	CKEY_USER_TYPE,
	CKEY__MAX
};

static const struct field ckeys[CKEY__MAX] = {
    {valid_username, "username", FIELD_BODY | FIELD_REQUIRED},
    {valid_email, "email", FIELD_BODY | FIELD_REQUIRED},
    {valid_password, "password", FIELD_BODY | FIELD_REQUIRED},
    {valid_user_type, "user_type", FIELD_BODY},
};

/* The page sizes the list page offers. */
static const size_t page_sizes[] = {10, 25, 50, 100};

/* Where the page before a list page starts (HTML only). */
struct users_prev {
	int has_prev; /* 1: there are users before this page */
	char *after;  /* its cursor, NULL for the first page (malloc'd) */
};

/* The list page's paging variables: page size (limit, sizes), count,
 * previous (has_prev, prev) and next links. 0 / -1. */
static int
users_page_vars(struct tmpl_vars *v, const struct user_list *l, size_t limit,
    const struct users_prev *pv)
{
	struct tmpl_vars *row;
	size_t i, nsizes = sizeof(page_sizes) / sizeof(page_sizes[0]);
	int rc = 0;

	rc |= tmpl_setf(v, "limit", "%zu", limit);
	rc |=
	    tmpl_setf(v, "count", "%zu %s", l->n, l->n == 1 ? "user" : "users");
	rc |= tmpl_set(v, "next", l->next != NULL ? l->next : "");
	rc |= tmpl_set_bool(v, "has_prev", pv->has_prev);
	rc |= tmpl_set(v, "prev", pv->after != NULL ? pv->after : "");
	rc |= tmpl_set_bool(v, "pager", pv->has_prev || l->next != NULL);
	rc |= tmpl_set_list(v, "sizes");
	/* The sizes offered, and in its place the one asked for (a link may
	 * carry any limit), so that the one selected is the one shown. */
	for (i = 0; i <= nsizes; i++) {
		size_t n = i < nsizes ? page_sizes[i] : SIZE_MAX;

		if (limit < n && (i == 0 || limit > page_sizes[i - 1]) &&
		    (row = tmpl_add_row(v, "sizes")) != NULL) {
			rc |= tmpl_setf(row, "n", "%zu", limit);
			rc |= tmpl_set_bool(row, "selected", 1);
		}
		if (i == nsizes)
			break;
		if ((row = tmpl_add_row(v, "sizes")) == NULL)
			return -1;
		rc |= tmpl_setf(row, "n", "%zu", n);
		rc |= tmpl_set_bool(row, "selected", n == limit);
	}
	return rc == 0 ? 0 : -1;
}

/* Answer a page of users. */
static void
users_answer(struct app *a, const struct user_list *l, const char *prefix,
    size_t limit, const struct users_prev *pv)
{
	struct tmpl_vars *v = NULL, *row;
	size_t i;

	if (a->r->fmt == REQ_FMT_HTML) {
		if ((v = app_vars(a, "Users")) == NULL ||
		    tmpl_set(v, "prefix", prefix != NULL ? prefix : "") == -1 ||
		    users_page_vars(v, l, limit, pv) == -1 ||
		    tmpl_set_list(v, "users") == -1)
			goto fail;
		for (i = 0; i < l->n; i++)
			if ((row = tmpl_add_row(v, "users")) == NULL ||
			    app_user_vars(row, &l->v[i]) == -1)
				goto fail;
		app_html(a, 200, "users", v);
		tmpl_vars_free(v);
		return;
	}
	app_users_answer(a, l->v, l->n, l->next);
	return;
fail:
	/* The one cleanup point on failure. */
	tmpl_vars_free(v);
	app_error(a, 500, "Internal server error");
}

static void
users_get(struct app *a)
{
	struct pair p[LKEY__MAX];
	struct field_errors fe;
	struct user_list l;
	struct user one;
	struct users_prev pv = {0, NULL};
	struct app_audit x;
	const char *prefix = NULL, *after = NULL;
	size_t limit = USERS_PAGE;
	enum db_err de;

	memset(&l, 0, sizeof(l));
	memset(&one, 0, sizeof(one));
	if (req_fields(a->r, lkeys, LKEY__MAX, p, &fe) != REQ_OK) {
		app_fields_error(a, &fe);
		return;
	}
	if (p[LKEY_LIMIT].state == PAIR_VALID)
		limit = (size_t)p[LKEY_LIMIT].parsed.i;
	if (p[LKEY_AFTER].state == PAIR_VALID)
		after = p[LKEY_AFTER].parsed.s;
	if (p[LKEY_PREFIX].state == PAIR_VALID && p[LKEY_PREFIX].valsz > 0)
		prefix = p[LKEY_PREFIX].parsed.s;

	if (p[LKEY_EMAIL].state == PAIR_VALID) {
		/* Exact lookup: a list of zero or one, never a next page. */
		de = users_find_by_email(a->cfg, p[LKEY_EMAIL].parsed.s,
		    app_audit(a, AUDIT_LOOKUP, &x), &one);
		if (de == DB_OK) {
			l.v = &one;
			l.n = 1;
		} else if (de != DB_NOTFOUND) {
			app_db_error(a, de);
			return;
		}
		users_answer(a, &l, prefix, limit, &pv);
		users_clear(&one);
		return;
	}
	de = users_list(
	    a->cfg, prefix, after, limit, app_audit(a, AUDIT_LIST, &x), &l);
	if (de != DB_OK) {
		app_db_error(a, de);
		return;
	}
	/* A browser's page links back too: where does the page before
	 * this one start? (An empty page past the end has no way back but
	 * the menu.) */
	if (a->r->fmt == REQ_FMT_HTML && after != NULL && l.n > 0)
		de = users_list_prev(
		    prefix, l.v[0].username, limit, &pv.has_prev, &pv.after);
	if (de != DB_OK)
		app_db_error(a, de);
	else
		users_answer(a, &l, prefix, limit, &pv);
	free(pv.after);
	users_list_free(&l);
}

/* Show the create form again, with what was typed and the errors. */
static void
users_form_again(struct app *a, int status, const char *msg,
    const struct pair *p, const struct field_errors *fe)
{
	app_create_form(a, status, p[CKEY_USERNAME].val, p[CKEY_EMAIL].val,
	    p[CKEY_USER_TYPE].val, msg, fe);
}

static void
users_post(struct app *a)
{
	struct pair p[CKEY__MAX];
	struct field_errors fe;
	struct user_new un;
	struct app_audit x;
	struct user u;
	struct buf loc = BUF_INIT;
	enum users_conflict conflict = USERS_CONFLICT_NONE;
	enum db_err de;
	int html = a->r->fmt == REQ_FMT_HTML, valid;

	memset(&u, 0, sizeof(u));
	valid = req_fields(a->r, ckeys, CKEY__MAX, p, &fe) == REQ_OK;
	if (html && (valid || a->r->err == REQ_ERR_INVALID) &&
	    !app_csrf_valid(a)) {
		/* A stale form: shown again as typed, with a note. */
		users_form_again(a, 403,
		    "This form had expired, so nothing was "
		    "saved. Check it and send it again.",
		    p, NULL);
		return;
	}
	if (!app_csrf(a))
		return;
	if (!valid) {
		if (html && a->r->err == REQ_ERR_INVALID)
			users_form_again(a, 422,
			    "Please correct the errors "
			    "below.",
			    p, &fe);
		else
			app_fields_error(a, &fe);
		return;
	}
	un.username = p[CKEY_USERNAME].parsed.s;
	un.email = p[CKEY_EMAIL].parsed.s;
	un.password = p[CKEY_PASSWORD].parsed.s;
	un.user_type = p[CKEY_USER_TYPE].state == PAIR_VALID
	    ? p[CKEY_USER_TYPE].parsed.s
	    : "user";

	de = users_create(
	    a->cfg, &un, app_audit(a, AUDIT_CREATE, &x), &u, &conflict);
	if (de == DB_CONFLICT) {
		const char *msg = conflict == USERS_CONFLICT_EMAIL
		    ? "Email already in use"
		    : "Username already taken";
		fe.n = 1;
		fe.e[0].name =
		    conflict == USERS_CONFLICT_EMAIL ? "email" : "username";
		fe.e[0].msg = "is already in use";
		if (html)
			users_form_again(a, 409, msg, p, &fe);
		else
			resp_error_fields(a->rs, 409, msg, &fe);
		goto out;
	}
	if (de != DB_OK) {
		app_db_error(a, de);
		goto out;
	}
	if (buf_puts(&loc, a->base) == -1 ||
	    app_user_url(&loc, u.username) == -1) {
		app_error(a, 500, "Internal server error");
		goto out;
	}
	if (html) {
		if (app_flash(a, APP_FLASH_CREATED, u.username) == -1)
			app_error(a, 500, "Internal server error");
		else
			resp_redirect(a->rs, 303, buf_cstr(&loc));
		goto out;
	}
	if (resp_header(a->rs, "Location", buf_cstr(&loc)) == -1)
		app_error(a, 500, "Internal server error");
	else
		app_user_answer(a, 201, &u);
out:
	/* The one cleanup point. */
	buf_free(&loc);
	users_clear(&u);
}

static void
handle(struct app *a)
{
	if (!app_require(a, 1))
		return;
	/* users_post checks the CSRF token: a stale form is shown again. */
	if (a->r->method == REQ_METHOD_POST)
		users_post(a);
	else
		users_get(a);
}

static const struct app_route route = {
    "users",
    APP_GET | APP_POST,
    REQ_BODY_FORM | REQ_BODY_JSON,
    0,
    handle,
};

int
main(void)
{
	return app_main(&route);
}
