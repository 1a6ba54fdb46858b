/*
 * user.c -- /user/<username>: GET one user (admin, or the user themself),
 * PATCH it (admin: email, user_type, password; the user themself: only
 * their password, with current_password), DELETE it (admin, not oneself).
 * JSON {"payload": {...}} in the boilerplate's shape, or the detail page.
 *
 * The browser's forms, each a page (GET) that posts to itself and then
 * redirects with a one-time message (app_flash):
 *	/user/<name>/edit	email and type (admin)
 *	/user/<name>/password	a new password: set by an admin for someone
 *				else, or one's own, with the current one
 *	/user/<name>/delete	the confirmation before a delete (admin)
 * and /user/<name>/audit, the user's audit entries (admin; JSON too).
 * A form whose CSRF token is stale (another sign-in since) is shown again
 * with what was typed, never a password, and a note. The last admin can
 * be neither demoted nor deleted: 409, as JSON or on the form.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

enum key {
	KEY_EMAIL,
	KEY_USER_TYPE,
	KEY_PASSWORD,
	KEY_CURRENT_PASSWORD,
	KEY__MAX
};

static const struct field keys[KEY__MAX] = {
    {valid_email, "email", FIELD_BODY},           /* KEY_EMAIL */
    {valid_user_type, "user_type", FIELD_BODY},   /* KEY_USER_TYPE */
    {valid_password, "password", FIELD_BODY},     /* KEY_PASSWORD */
    {valid_text, "current_password", FIELD_BODY}, /* KEY_CURRENT_PASSWORD */
};

/* The browser's pages under /user/<name>/, and the methods of each. */
enum action {
	ACT_SHOW,
	ACT_EDIT,
	ACT_PASSWORD,
	ACT_DELETE,
	ACT_AUDIT,
	ACT__MAX
};

static const struct {
	const char *path;     /* what follows /user/<name>/ ("": nothing) */
	unsigned int methods; /* APP_* bits */
	int admin_only;       /* 1: not for the user themself */
} actions[ACT__MAX] = {
    {"", APP_GET | APP_PATCH | APP_DELETE, 0}, /* ACT_SHOW */
    {"edit", APP_GET | APP_POST, 1},           /* ACT_EDIT */
    {"password", APP_GET | APP_POST, 0},       /* ACT_PASSWORD */
    {"delete", APP_GET | APP_POST, 1},         /* ACT_DELETE */
    {"audit", APP_GET, 1},                     /* ACT_AUDIT */
};

/* What the forms post, besides csrf (checked by app_csrf_valid). */
enum fkey { FKEY_EMAIL, FKEY_USER_TYPE, FKEY__MAX };

static const struct field edit_keys[FKEY__MAX] = {
    {valid_email, "email", FIELD_BODY | FIELD_REQUIRED}, /* FKEY_EMAIL */
    {valid_user_type, "user_type",
        FIELD_BODY | FIELD_REQUIRED}, /* FKEY_USER_TYPE */
};

enum pkey { PKEY_CURRENT, PKEY_NEW, PKEY__MAX };

static const struct field pw_keys[PKEY__MAX] = {
    {valid_text, "current_password", FIELD_BODY}, /* PKEY_CURRENT: self only */
    {valid_password, "new_password",
        FIELD_BODY | FIELD_REQUIRED}, /* PKEY_NEW */
};

static const char *const edit_names[] = {"email", "user_type"};
static const char *const pw_names[] = {"current_password", "new_password"};

/* The note on a form sent with a stale CSRF token. */
#define USER_STALE_FORM                                                        \
	"This form had expired, so nothing was saved. Check it and send it "   \
	"again."

/* What the last admin guard answers. */
#define USER_LAST_ADMIN                                                        \
	"This is the last admin. Make another user an admin first."

/* Answer 200 with the user, as JSON or the detail page. */
static void
user_show(struct app *a, const struct user *u)
{
	struct tmpl_vars *v;
	char title[USERS_NAME_MAX + 8];

	if (a->r->fmt == REQ_FMT_HTML) {
		snprintf(title, sizeof(title), "User %s", u->username);
		v = app_vars(a, title);
		if (v != NULL &&
		    (app_user_vars(v, u) == -1 ||
		        tmpl_set_bool(v, "self",
		            strcmp(a->who.username, u->username) == 0) == -1)) {
			tmpl_vars_free(v);
			v = NULL;
		}
		app_html(a, 200, "user", v);
		tmpl_vars_free(v);
		return;
	}
	app_user_answer(a, 200, u);
}

/*
 * Read user name and answer with show (the detail, or the edit form):
 * both show the decrypted email, so the read is audited first.
 */
static void
user_get(struct app *a, const char *name,
    void (*show)(struct app *, const struct user *))
{
	struct app_audit x;
	struct user u;
	enum db_err de;

	de = users_find_by_username(
	    a->cfg, name, app_audit(a, AUDIT_READ, &x), &u);
	if (de != DB_OK) {
		app_db_error(a, de);
		return;
	}
	show(a, &u);
	users_clear(&u);
}

/*
 * For a user changing their own password: is pw their current one?
 * Checked as a login is, with the same throttling (same buckets), so a
 * stolen session cannot guess the password faster than the login form
 * could: AUTH_OK, AUTH_ERR_BADLOGIN, AUTH_ERR_THROTTLED (*retry seconds),
 * or another error. Nothing answered.
 */
static enum auth_err
user_password_check(
    struct app *a, const char *name, const char *pw, unsigned *retry)
{
	struct user u;
	int rehash;
	enum auth_err ae;

	*retry = 0;
	ae = auth_password_check(
	    a->cfg, name, pw, a->r->remote_addr, &u, &rehash, retry);
	users_clear(&u);
	return ae;
}

/* The same, answering (403, 429 + Retry-After, 503, 500) and returning 0
 * when it is not right. */
static int
user_current_ok(struct app *a, const char *name, const char *pw)
{
	unsigned retry;

	switch (user_password_check(a, name, pw, &retry)) {
	case AUTH_OK:
		return 1;
	case AUTH_ERR_BADLOGIN:
		app_error(a, 403, "Current password is wrong");
		break;
	case AUTH_ERR_THROTTLED:
		app_error(a, 429, "Too many failed attempts, try again later");
		resp_retry_after(a->rs, retry);
		break;
	case AUTH_ERR_UNAVAILABLE:
		app_db_error(a, DB_UNAVAILABLE);
		break;
	default:
		app_error(a, 500, "Internal server error");
		break;
	}
	return 0;
}

/* After a new password: end the user's sessions, but the one asking; a
 * reset by an admin also revokes the user's API tokens. */
static void
user_end_sessions(struct app *a, const struct user *u, int self)
{
	enum auth_err ae = auth_sessions_end_user(u->id,
	    self && a->who.via == AUTH_VIA_SESSION ? a->who.session_hash
	                                           : NULL);

	if (ae != AUTH_OK)
		LOG_ERR(
		    "user %s: ending sessions: %s", u->id, auth_strerror(ae));
	if (!self && (ae = auth_tokens_revoke_user(u->id)) != AUTH_OK)
		LOG_ERR(
		    "user %s: revoking tokens: %s", u->id, auth_strerror(ae));
}

static void
user_patch(struct app *a, const char *name, int self)
{
	struct pair p[KEY__MAX];
	struct field_errors fe;
	struct user_change chg;
	struct app_audit x;
	struct user u;
	enum users_conflict conflict = USERS_CONFLICT_NONE;
	enum db_err de;

	memset(&u, 0, sizeof(u));
	memset(&chg, 0, sizeof(chg));
	if (req_fields(a->r, keys, KEY__MAX, p, &fe) != REQ_OK) {
		app_fields_error(a, &fe);
		return;
	}
	if (p[KEY_EMAIL].state == PAIR_VALID)
		chg.email = p[KEY_EMAIL].parsed.s;
	if (p[KEY_USER_TYPE].state == PAIR_VALID)
		chg.user_type = p[KEY_USER_TYPE].parsed.s;
	if (p[KEY_PASSWORD].state == PAIR_VALID)
		chg.password = p[KEY_PASSWORD].parsed.s;
	if (chg.email == NULL && chg.user_type == NULL &&
	    chg.password == NULL) {
		app_error(a, 422, "Nothing to change");
		return;
	}
	/* A user may change their own password, and nothing else. */
	if (!a->who.admin && (chg.email != NULL || chg.user_type != NULL)) {
		app_error(a, 403, "Only an admin can change this");
		return;
	}
	/* Whoever changes their own password, an admin too, proves the
	 * current one: a session left open is not enough. */
	if (self && chg.password != NULL) {
		if (p[KEY_CURRENT_PASSWORD].state != PAIR_VALID) {
			fe.n = 1;
			fe.e[0].name = "current_password";
			fe.e[0].msg = "is required";
			resp_error_fields(a->rs, 422, "Invalid input", &fe);
			return;
		}
		if (!user_current_ok(a, name, p[KEY_CURRENT_PASSWORD].parsed.s))
			return;
	}

	/* A password change alone is recorded as such; any other change, with
	 * or without one, as an update. */
	de = users_update(a->cfg, name, &chg,
	    app_audit(a,
	        chg.email == NULL && chg.user_type == NULL ? AUDIT_PASSWORD
	                                                   : AUDIT_UPDATE,
	        &x),
	    &u, &conflict);
	if (de == DB_CONFLICT && conflict == USERS_CONFLICT_LAST_ADMIN) {
		app_error(a, 409, USER_LAST_ADMIN);
		goto out;
	}
	if (de == DB_CONFLICT) {
		fe.n = 1;
		fe.e[0].name = users_conflict_field(conflict);
		fe.e[0].msg = "is already in use";
		resp_error_fields(a->rs, 409, "Email already in use", &fe);
		goto out;
	}
	if (de != DB_OK) {
		app_db_error(a, de);
		goto out;
	}
	if (chg.password != NULL)
		user_end_sessions(a, &u, self);
	user_show(a, &u);
out:
	users_clear(&u);
}

/* Delete name and record it, in one statement: 0, or -1 after answering
 * (404, 409, 503, ...). */
static int
user_remove(struct app *a, const char *name)
{
	struct app_audit x;
	enum db_err de;

	/* Sessions, API tokens and the data key go with the row (ON DELETE
	 * CASCADE); the erasure is recorded with it (sql/204). */
	de = users_delete(a->cfg, name, app_audit(a, AUDIT_DELETE, &x));
	if (de == DB_CONFLICT) {
		app_error(a, 409, USER_LAST_ADMIN);
		return -1;
	}
	if (de != DB_OK) {
		app_db_error(a, de);
		return -1;
	}
	return 0;
}

static void
user_delete(struct app *a, const char *name, int self)
{
	if (!a->who.admin) {
		app_error(a, 403, "Forbidden");
		return;
	}
	if (self) {
		app_error(a, 409, "You cannot delete your own account");
		return;
	}
	if (user_remove(a, name) == 0)
		resp_status(a->rs, 204);
}

/* ---- the browser's forms ---------------------------------------------- */

/* Redirect to /user/<name> after a form, with message f. */
static void
user_done(struct app *a, const char *name, enum app_flash f)
{
	struct buf loc = BUF_INIT;

	if (app_flash(a, f, name) == -1 || app_user_url(&loc, name) == -1) {
		app_error(a, 500, "Internal server error");
		buf_free(&loc);
		return;
	}
	app_redirect_local(a, buf_cstr(&loc));
	buf_free(&loc);
}

/* A form page: the layout's variables, the user's name, the error summary
 * and per-field errors of names (see app_form_vars). NULL on OOM. */
static struct tmpl_vars *
user_form_vars(struct app *a, const char *title, const char *name,
    const char *const *names, size_t n, const char *summary,
    const struct field_errors *fe)
{
	struct tmpl_vars *v;

	if ((v = app_vars(a, title)) == NULL)
		return NULL;
	if (tmpl_set(v, "username", name) == -1 ||
	    app_form_vars(v, names, n, summary, fe) == -1) {
		tmpl_vars_free(v);
		return NULL;
	}
	return v;
}

/* The edit form with email and type (as stored, or as typed). */
static void
user_edit_form(struct app *a, int status, const char *name, const char *email,
    const char *type, const char *summary, const struct field_errors *fe)
{
	struct tmpl_vars *v;
	char title[USERS_NAME_MAX + 16];

	snprintf(title, sizeof(title), "Edit %s", name);
	if ((v = user_form_vars(a, title, name, edit_names, 2, summary, fe)) ==
	        NULL ||
	    tmpl_set(v, "email", email) == -1 ||
	    tmpl_set_bool(v, "type_admin", strcmp(type, "admin") == 0) == -1 ||
	    tmpl_set_bool(v, "type_user", strcmp(type, "admin") != 0) == -1) {
		tmpl_vars_free(v);
		app_error(a, 500, "Internal server error");
		return;
	}
	app_html(a, status, "user-edit", v);
	tmpl_vars_free(v);
}

/* The edit form as the user is stored. */
static void
user_edit_show(struct app *a, const struct user *u)
{
	user_edit_form(a, 200, u->username, u->email != NULL ? u->email : "",
	    u->user_type, "", NULL);
}

static void
user_edit_post(struct app *a, const char *name)
{
	struct pair p[FKEY__MAX];
	struct field_errors fe;
	struct user_change chg;
	struct app_audit x;
	struct user u;
	enum users_conflict conflict = USERS_CONFLICT_NONE;
	enum db_err de;
	int valid;

	memset(&u, 0, sizeof(u));
	memset(&chg, 0, sizeof(chg));
	valid = req_fields(a->r, edit_keys, FKEY__MAX, p, &fe) == REQ_OK;
	if (a->r->err != REQ_OK && a->r->err != REQ_ERR_INVALID) {
		app_fields_error(a, &fe);
		return;
	}
#define TYPED(k) (p[k].val != NULL ? p[k].val : "")
	if (!app_csrf_valid(a)) {
		user_edit_form(a, 403, name, TYPED(FKEY_EMAIL),
		    TYPED(FKEY_USER_TYPE), USER_STALE_FORM, NULL);
		return;
	}
	if (!valid) {
		user_edit_form(a, 422, name, TYPED(FKEY_EMAIL),
		    TYPED(FKEY_USER_TYPE), "Please correct the errors below.",
		    &fe);
		return;
	}
	chg.email = p[FKEY_EMAIL].parsed.s;
	chg.user_type = p[FKEY_USER_TYPE].parsed.s;
	de = users_update(
	    a->cfg, name, &chg, app_audit(a, AUDIT_UPDATE, &x), &u, &conflict);
	if (de == DB_CONFLICT) {
		fe.n = 1;
		fe.e[0].name = users_conflict_field(conflict);
		fe.e[0].msg = conflict == USERS_CONFLICT_LAST_ADMIN
		    ? "cannot be user: this is the last admin. "
		      "Make another user an admin first"
		    : "is already in use";
		user_edit_form(a, 409, name, TYPED(FKEY_EMAIL),
		    TYPED(FKEY_USER_TYPE), "Nothing was saved.", &fe);
		goto out;
	}
#undef TYPED
	if (de != DB_OK) {
		app_db_error(a, de);
		goto out;
	}
	user_done(a, u.username, APP_FLASH_UPDATED);
out:
	users_clear(&u);
}

/* The password form: a reset by an admin, or one's own change (self). */
static void
user_password_form(struct app *a, int status, const char *name, int self,
    const char *summary, const struct field_errors *fe)
{
	struct tmpl_vars *v;
	char title[USERS_NAME_MAX + 32];

	if (self)
		snprintf(title, sizeof(title), "Change your password");
	else
		snprintf(title, sizeof(title), "New password for %s", name);
	if ((v = user_form_vars(a, title, name, pw_names, 2, summary, fe)) ==
	        NULL ||
	    tmpl_set_bool(v, "self", self) == -1) {
		tmpl_vars_free(v);
		app_error(a, 500, "Internal server error");
		return;
	}
	app_html(a, status, "user-password", v);
	tmpl_vars_free(v);
}

static void
user_password_post(struct app *a, const char *name, int self)
{
	struct pair p[PKEY__MAX];
	struct field_errors fe;
	struct user_change chg;
	struct app_audit x;
	struct user u;
	enum db_err de;
	enum auth_err ae;
	unsigned retry;
	int valid;

	memset(&u, 0, sizeof(u));
	memset(&chg, 0, sizeof(chg));
	valid = req_fields(a->r, pw_keys, PKEY__MAX, p, &fe) == REQ_OK;
	if (a->r->err != REQ_OK && a->r->err != REQ_ERR_INVALID) {
		app_fields_error(a, &fe);
		return;
	}
	if (!app_csrf_valid(a)) {
		user_password_form(a, 403, name, self, USER_STALE_FORM, NULL);
		return;
	}
	if (valid && self && p[PKEY_CURRENT].state != PAIR_VALID) {
		fe.n = 1;
		fe.e[0].name = "current_password";
		fe.e[0].msg = "is required";
		valid = 0;
	}
	if (!valid) {
		user_password_form(a, 422, name, self,
		    "Please correct the errors below.", &fe);
		return;
	}
	if (self) {
		ae = user_password_check(
		    a, name, p[PKEY_CURRENT].parsed.s, &retry);
		if (ae == AUTH_ERR_BADLOGIN || ae == AUTH_ERR_THROTTLED) {
			fe.n = 1;
			fe.e[0].name = "current_password";
			fe.e[0].msg = ae == AUTH_ERR_BADLOGIN
			    ? "is not right"
			    : "was wrong too often: try again "
			      "later";
			user_password_form(a,
			    ae == AUTH_ERR_BADLOGIN ? 403 : 429, name, self,
			    "Please correct the errors below.", &fe);
			if (ae == AUTH_ERR_THROTTLED)
				resp_retry_after(a->rs, retry);
			return;
		}
		if (ae != AUTH_OK) {
			app_db_error(a,
			    ae == AUTH_ERR_UNAVAILABLE ? DB_UNAVAILABLE
			                               : DB_ERROR);
			return;
		}
	}
	chg.password = p[PKEY_NEW].parsed.s;
	if ((de = users_update(a->cfg, name, &chg,
	         app_audit(a, AUDIT_PASSWORD, &x), &u, NULL)) != DB_OK) {
		app_db_error(a, de);
		goto out;
	}
	user_end_sessions(a, &u, self);
	user_done(a, u.username, self ? APP_FLASH_CHANGED : APP_FLASH_RESET);
out:
	users_clear(&u);
}

/* 1 if user name exists, else answers (404, 503...) and returns 0: only a
 * user that exists gets a form page. */
static int
user_known(struct app *a, const char *name)
{
	struct user u;
	enum db_err de;

	memset(&u, 0, sizeof(u));
	de = users_find_by_username(a->cfg, name, NULL, &u);
	users_clear(&u);
	if (de != DB_OK)
		app_db_error(a, de);
	return de == DB_OK;
}

/* The confirmation page before a delete, or the delete itself (POST). */
static void
user_delete_page(struct app *a, const char *name, int self)
{
	struct tmpl_vars *v;
	char title[USERS_NAME_MAX + 16];
	int stale = 0;

	if (self) {
		app_error(a, 409, "You cannot delete your own account");
		return;
	}
	if (a->r->method == REQ_METHOD_POST) {
		if (app_csrf_valid(a)) {
			if (user_remove(a, name) == 0 &&
			    app_flash(a, APP_FLASH_DELETED, name) == 0)
				app_redirect_local(a, "/users");
			return;
		}
		stale = 1;
	}
	if (!user_known(a, name))
		return;
	snprintf(title, sizeof(title), "Delete %s", name);
	if ((v = user_form_vars(a, title, name, NULL, 0,
	         stale ? USER_STALE_FORM : "", NULL)) == NULL) {
		app_error(a, 500, "Internal server error");
		return;
	}
	app_html(a, stale ? 403 : 200, "user-delete", v);
	tmpl_vars_free(v);
}

/* Entries shown on a user's audit page. */
#define USER_AUDIT_LIMIT 100

static const char *const audit_keys[AUDIT_ITEM__MAX] = {
    "seq",    /* AUDIT_ITEM_SEQ */
    "at",     /* AUDIT_ITEM_AT */
    "actor",  /* AUDIT_ITEM_ACTOR */
    "route",  /* AUDIT_ITEM_ROUTE */
    "action", /* AUDIT_ITEM_ACTION */
    "client", /* AUDIT_ITEM_CLIENT */
    "detail", /* AUDIT_ITEM_DETAIL */
};

static int
user_audit_html(struct app *a, const char *name, const struct audit_list *l)
{
	struct tmpl_vars *v, *row;
	char title[USERS_NAME_MAX + 32];
	size_t i, j;
	int rc = -1;

	snprintf(title, sizeof(title), "Audit trail of %s", name);
	if ((v = app_vars(a, title)) == NULL || tmpl_set(v, "username", name) ||
	    tmpl_setf(v, "limit", "%d", USER_AUDIT_LIMIT) ||
	    tmpl_set_list(v, "entries"))
		goto out;
	for (i = 0; i < l->n; i++) {
		if ((row = tmpl_add_row(v, "entries")) == NULL)
			goto out;
		for (j = 0; j < AUDIT_ITEM__MAX; j++)
			if (tmpl_set(row, audit_keys[j],
			        l->v[i].f[j] != NULL ? l->v[i].f[j] : "") == -1)
				goto out;
	}
	app_html(a, 200, "user-audit", v);
	rc = 0;
out: /* the one cleanup */
	tmpl_vars_free(v);
	return rc;
}

/* The entries of l as a JSON array; NULL if memory runs out. */
static struct json_object *
user_audit_json(const struct audit_list *l)
{
	struct json_object *arr, *e;
	size_t i, j;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if ((e = json_object_new_object()) == NULL ||
		    json_object_array_add(arr, e) != 0) {
			json_object_put(e);
			json_object_put(arr);
			return NULL;
		}
		for (j = 0; j < AUDIT_ITEM__MAX; j++)
			json_object_object_add(e, audit_keys[j],
			    l->v[i].f[j] == NULL ? NULL
			        : j == AUDIT_ITEM_SEQ
			        ? json_object_new_int64(
			              strtoll(l->v[i].f[j], NULL, 10))
			        : json_object_new_string(l->v[i].f[j]));
	}
	return arr;
}

/* GET /user/<name>/audit: the user's audit entries (an admin's page). */
static void
user_audit(struct app *a, const char *name)
{
	struct audit_list l;
	struct user u;
	enum db_err de;

	memset(&l, 0, sizeof(l));
	/* The row is read for its id only: nothing of it is shown. */
	if ((de = users_find_by_username(a->cfg, name, NULL, &u)) != DB_OK) {
		app_db_error(a, de);
		return;
	}
	de = audit_list_user(u.id, USER_AUDIT_LIMIT, &l);
	users_clear(&u);
	if (de != DB_OK) {
		app_db_error(a, de);
		return;
	}
	if (a->r->fmt != REQ_FMT_HTML)
		app_json(a, 200, app_payload(user_audit_json(&l)));
	else if (user_audit_html(a, name, &l) == -1)
		app_error(a, 500, "Internal server error");
	audit_list_free(&l);
}

/* Split "<name>[/<action>]" into name (copied) and the action; -1 if it
 * names no page. */
static int
user_path(const char *tail, char *name, size_t namesz, enum action *act)
{
	const char *slash = strchr(tail, '/');
	size_t len = slash != NULL ? (size_t)(slash - tail) : strlen(tail);
	int i;

	if (len == 0 || len >= namesz)
		return -1;
	memcpy(name, tail, len);
	name[len] = '\0';
	for (i = 0; i < ACT__MAX; i++)
		if (strcmp(actions[i].path, slash != NULL ? slash + 1 : "") ==
		    0) {
			*act = (enum action)i;
			return 0;
		}
	return -1;
}

static void
handle(struct app *a)
{
	const char *tail = req_path_tail(a->r, "/user/");
	char name[USERS_NAME_MAX + 2];
	unsigned int m;
	enum action act = ACT_SHOW;
	struct pair np;
	int self;

	/* One byte more than a name may have: longer ones are 404 below. */
	/* The forms are pages; the record and its audit trail are JSON too. */
	if (tail == NULL || user_path(tail, name, sizeof(name), &act) == -1 ||
	    (act != ACT_SHOW && act != ACT_AUDIT &&
	        a->r->fmt != REQ_FMT_HTML)) {
		app_error(a, 404, "This endpoint does not exist");
		return;
	}
	m = 1u << (a->r->method == REQ_METHOD_HEAD ? REQ_METHOD_GET
	                                           : a->r->method);
	if ((actions[act].methods & m) == 0) {
		app_method_not_allowed(a, actions[act].methods);
		return;
	}
	memset(&np, 0, sizeof(np));
	np.key = "username";
	np.val = name;
	np.valsz = strlen(name);
	if (!app_require(a, 0))
		return;
	/* The forms check their token themselves: a stale one is shown. */
	if (act == ACT_SHOW && !app_csrf(a))
		return;
	self = strcmp(a->who.username, name) == 0;
	if ((!a->who.admin && !self) ||
	    (!a->who.admin && actions[act].admin_only)) {
		/* Before any lookup: no way to probe for other names. */
		app_error(a, 403, "Forbidden");
		return;
	}
	if (!valid_username_lookup(&np)) {
		/* No such name can exist. */
		app_error(a, 404, "User not found");
		return;
	}
	switch (act) {
	case ACT_EDIT:
		if (a->r->method == REQ_METHOD_POST)
			user_edit_post(a, name);
		else
			user_get(a, name, user_edit_show);
		return;
	case ACT_PASSWORD:
		if (a->r->method == REQ_METHOD_POST)
			user_password_post(a, name, self);
		else if (user_known(a, name))
			user_password_form(a, 200, name, self, "", NULL);
		return;
	case ACT_DELETE:
		user_delete_page(a, name, self);
		return;
	case ACT_AUDIT:
		user_audit(a, name);
		return;
	default:
		break;
	}
	switch (a->r->method) {
	case REQ_METHOD_PATCH:
		user_patch(a, name, self);
		break;
	case REQ_METHOD_DELETE:
		user_delete(a, name, self);
		break;
	default:
		user_get(a, name, user_show);
		break;
	}
}

static const struct app_route route = {
    "user",
    APP_GET | APP_POST | APP_PATCH | APP_DELETE,
    REQ_BODY_FORM | REQ_BODY_JSON,
    0,
    handle,
};

int
main(void)
{
	return app_main(&route);
}
