/*
 * user.c -- /user/<username>: GET one user (admin, or the user themself),
 * PATCH it (admin: email, user_type, password; the user themself: only
 * their password, with current_password), DELETE it (admin, not oneself).
 * JSON {"payload": {...}} in the boilerplate's shape, or the detail page.
 */
#include "config.h"

#include <stdio.h>
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

/* Answer 200 with the user, as JSON or the detail page. */
static void
user_show(struct app *a, const struct user *u)
{
	struct json_object *o = NULL, *p;
	struct tmpl_vars *v;
	char title[USERS_NAME_MAX + 8];

	if (a->r->fmt == REQ_FMT_HTML) {
		snprintf(title, sizeof(title), "User %s", u->username);
		v = app_vars(a, title);
		if (v != NULL && app_user_vars(v, u) == -1) {
			tmpl_vars_free(v);
			v = NULL;
		}
		app_html(a, 200, "user", v);
		tmpl_vars_free(v);
		return;
	}
	if ((p = app_user_json(u)) == NULL ||
	    (o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "payload", p) != 0) {
		json_object_put(p);
		app_error(a, 500, "Internal server error");
	} else if (resp_json(a->rs, 200, o) == -1)
		app_error(a, 500, "Internal server error");
	json_object_put(o);
}

static void
user_get(struct app *a, const char *name)
{
	struct user u;
	enum db_err de;

	memset(&u, 0, sizeof(u));
	if ((de = users_find_by_username(a->cfg, name, &u)) != DB_OK) {
		app_db_error(a, de);
		return;
	}
	/* The decrypted email is shown: audited first (ops, issue 6). */
	if ((de = audit_request(a, u.id, AUDIT_READ)) != DB_OK)
		app_db_error(a, de);
	else
		user_show(a, &u);
	users_clear(&u);
}

/*
 * For a user changing their own password: is current_password right?
 * Throttled as a login is (same buckets), so a stolen session cannot
 * guess the password faster than the login form could. Answers and
 * returns 0 when it is not (403, 429 + Retry-After, 503, 500).
 */
static int
user_current_ok(struct app *a, const char *name, const char *pw)
{
	struct user u;
	unsigned retry = 0;
	int rehash;
	enum auth_err ae;

	ae = auth_password_check(a->cfg, name, pw, a->r->remote_addr, &u,
	                         &rehash, &retry);
	users_clear(&u);
	switch (ae) {
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

static void
user_patch(struct app *a, const char *name, int self)
{
	struct pair p[KEY__MAX];
	struct field_errors fe;
	struct user_change chg;
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

	de = users_update(a->cfg, name, &chg, &u, &conflict);
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
	/* A change, answered with the decrypted row: audited (issue 6). */
	if ((de = audit_request(a, u.id, AUDIT_UPDATE)) != DB_OK) {
		app_db_error(a, de);
		goto out;
	}
	if (chg.password != NULL) {
		/* A new password ends the user's other sessions. */
		enum auth_err ae = auth_sessions_end_user(
		    u.id, self && a->who.via == AUTH_VIA_SESSION
		              ? a->who.session_hash
		              : NULL);
		if (ae != AUTH_OK)
			LOG_ERR("user %s: ending sessions: %s", u.id,
			        auth_strerror(ae));
		/* A reset by an admin also revokes the user's API tokens. */
		if (!self && (ae = auth_tokens_revoke_user(u.id)) != AUTH_OK)
			LOG_ERR("user %s: revoking tokens: %s", u.id,
			        auth_strerror(ae));
	}
	user_show(a, &u);
out:
	users_clear(&u);
}

static void
user_delete(struct app *a, const char *name, int self)
{
	enum db_err de;

	if (!a->who.admin) {
		app_error(a, 403, "Forbidden");
		return;
	}
	if (self) {
		app_error(a, 409, "You cannot delete your own account");
		return;
	}
	/* Sessions and API tokens go with the row (ON DELETE CASCADE). */
	if ((de = users_delete(a->cfg, name)) != DB_OK) {
		app_db_error(a, de);
		return;
	}
	/* Done already: a missing audit entry is logged, not answered. */
	if (audit_request(a, name, AUDIT_DELETE) != DB_OK)
		LOG_ERR("user deleted, but not recorded in the audit trail");
	resp_status(a->rs, 204);
}

static void
handle(struct app *a)
{
	const char *name = req_path_tail(a->r, "/user/");
	struct pair np;
	int self;

	if (name == NULL) {
		app_error(a, 404, "This endpoint does not exist");
		return;
	}
	memset(&np, 0, sizeof(np));
	np.key = "username";
	np.val = name;
	np.valsz = strlen(name);
	if (!app_require(a, 0))
		return;
	if (!app_csrf(a))
		return;
	self = strcmp(a->who.username, name) == 0;
	if (!a->who.admin && !self) {
		/* Before any lookup: no way to probe for other names. */
		app_error(a, 403, "Forbidden");
		return;
	}
	if (!valid_username(&np)) {
		/* No such name can exist. */
		app_error(a, 404, "User not found");
		return;
	}
	switch (a->r->method) {
	case REQ_METHOD_PATCH:
		user_patch(a, name, self);
		break;
	case REQ_METHOD_DELETE:
		user_delete(a, name, self);
		break;
	default:
		user_get(a, name);
		break;
	}
}

static const struct app_route route = {
    "user", APP_GET | APP_PATCH | APP_DELETE, REQ_BODY_FORM | REQ_BODY_JSON, 0,
    handle,
};

int
main(void)
{
	return app_main(&route);
}
