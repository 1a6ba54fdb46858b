/*
 * login.c -- /login. GET: the login form (HTML), or for JSON clients who
 * is signed in (200 {"payload": {"user_type", "username"}} / 401; plus
 * "csrf_token" when signed in by cookie). POST (JSON or form): check the
 * password (throttled; the same answer for an unknown user and a wrong
 * password), then start a NEW session and set its cookie; JSON 200
 * {"payload": {"csrf_token", "user_type", "username"}} -- a JSON client
 * that keeps the cookie sends that token as X-CSRF-Token on every change
 * -- or a 303 for a browser: to next (a page of this site the login form
 * carries from /login?next=..., where app_to_login sent the browser), else
 * to /users (admin) or /user/<self>.
 *
 * The form carries a login CSRF token (double submit: the same random
 * value in the SameSite=Strict cookie LOGIN_CSRF_COOKIE and the hidden
 * field "csrf"), so another site cannot sign a browser in as someone else.
 * A form whose token does not match (cookies cleared, another browser) is
 * shown again, with the username typed and a note.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

#define LOGIN_CSRF_COOKIE "login_csrf"

enum key { KEY_USERNAME, KEY_PASSWORD, KEY__MAX };

static const struct field keys[KEY__MAX] = {
    {valid_text, "username", FIELD_BODY | FIELD_REQUIRED},
    {valid_text, "password", FIELD_BODY | FIELD_REQUIRED},
};

/* Where to go after signing in: read on its own, since a next that is not
 * a page of this site is dropped, not an error. */
static const struct field next_key[1] = {
    {valid_next, "next", FIELD_ANY},
};

/* The next of the request (query or form), or "" when absent or not a
 * page of this site. Points into the request. */
static const char *
login_next(struct app *a)
{
	struct pair p[1];
	struct field_errors fe;
	enum req_err saved = a->r->err;
	const char *next = "";

	if (req_fields(a->r, next_key, 1, p, &fe) == REQ_OK &&
	    p[0].state == PAIR_VALID)
		next = p[0].parsed.s;
	a->r->err = saved;
	return next;
}

/* Answer {"payload": {"user_type", "username"}} with status, plus
 * "csrf_token" when csrf is not NULL (a cookie session's token). */
static void
login_whoami(struct app *a, int status, const char *username, int admin,
    const char *csrf)
{
	struct json_object *p;
	int bad = 0;

	if ((p = json_object_new_object()) != NULL) {
		if (csrf != NULL)
			bad |= json_object_object_add(
			    p, "csrf_token", json_object_new_string(csrf));
		bad |= json_object_object_add(p, "user_type",
		    json_object_new_string(admin ? "admin" : "user"));
		bad |= json_object_object_add(
		    p, "username", json_object_new_string(username));
		if (bad) {
			json_object_put(p);
			p = NULL;
		}
	}
	app_json(a, status, app_payload(p));
}

/* The login form, with an error message and the username typed. */
static void
login_form(struct app *a, int status, const char *error, const char *username)
{
	struct tmpl_vars *v;
	const char *old = req_cookie(a->r, LOGIN_CSRF_COOKIE);
	char tok[AUTH_TOKEN_LEN + 1];

	/* Keep the browser's token if it has one, so open tabs still work. */
	if (auth_token_shaped(old))
		memcpy(tok, old, sizeof(tok));
	else {
		auth_new_token(tok);
		if (app_cookie(a, LOGIN_CSRF_COOKIE, tok, -1) == -1) {
			app_error(a, 500, "Internal server error");
			return;
		}
	}
	if ((v = app_vars(a, "Log in")) == NULL ||
	    app_form_vars(v, NULL, 0, error, NULL) == -1 ||
	    tmpl_set(v, "next", login_next(a)) == -1 ||
	    tmpl_set(v, "username", username) == -1 ||
	    tmpl_set(v, "login_csrf", tok) == -1) {
		tmpl_vars_free(v);
		app_error(a, 500, "Internal server error");
		return;
	}
	app_html(a, status, "login", v);
	tmpl_vars_free(v);
}

/*
 * Record the outcome ae of a sign-in as name: success (actor the new
 * session, subject the user), failure or throttling (actor anonymous,
 * subject the user of that name if there is one: never the name itself,
 * which may be anything typed, a password included). DB_OK or the error.
 */
static enum db_err
login_audit(struct app *a, enum auth_err ae, const struct auth_who *who,
    const char *name)
{
	struct app_audit x;
	struct audit_entry e;
	char actor[sizeof(x.actor)];

	e = *app_audit(a,
	    ae == AUTH_OK                  ? AUDIT_LOGIN
	        : ae == AUTH_ERR_THROTTLED ? AUDIT_LOGIN_THROTTLED
	                                   : AUDIT_LOGIN_FAILED,
	    &x);
	if (ae != AUTH_OK) {
		/* Whoever sent it, they are not signed in by it. */
		e.actor = "anonymous";
		return audit_record_user(&e, name);
	}
	snprintf(actor, sizeof(actor), "user:%s via session", who->user_id);
	e.actor = actor;
	e.subject = who->user_id;
	return audit_record(&e);
}

/* Answer a sign-in that did not succeed (ae) for the name typed. */
static void
login_refused(struct app *a, enum auth_err ae, const char *name, unsigned retry)
{
	int html = a->r->fmt == REQ_FMT_HTML;

	switch (ae) {
	case AUTH_ERR_BADLOGIN:
		if (html)
			login_form(
			    a, 401, "Invalid username or password.", name);
		else
			app_error(a, 401, "Invalid username or password");
		break;
	case AUTH_ERR_THROTTLED:
		if (html)
			login_form(a, 429,
			    "Too many failed logins; try again later.", name);
		else
			app_error(
			    a, 429, "Too many failed logins, try again later");
		resp_retry_after(a->rs, retry);
		break;
	case AUTH_ERR_UNAVAILABLE:
		app_db_error(a, DB_UNAVAILABLE);
		break;
	default:
		app_error(a, 500, "Internal server error");
		break;
	}
}

/*
 * Answer a sign-in that succeeded as who with the session cookie: the
 * session the browser had before (if any) ends; JSON says who is signed
 * in, a browser goes to next, else home.
 */
static void
login_done(struct app *a, const struct auth_who *who, const char *cookie)
{
	struct buf loc = BUF_INIT;
	const char *next;

	if (a->who.via == AUTH_VIA_SESSION &&
	    auth_session_end(a->who.session_hash) != AUTH_OK)
		LOG_WARN("could not end the previous session");
	if (app_cookie(a, app_session_cookie(a), cookie, -1) == -1)
		app_error(a, 500, "Internal server error");
	else if (a->r->fmt != REQ_FMT_HTML)
		login_whoami(a, 200, who->username, who->admin, who->csrf);
	else if (*(next = login_next(a)) != '\0')
		app_redirect_local(a, next);
	else if (who->admin ? buf_puts(&loc, "/users") == -1
	                    : app_user_url(&loc, who->username) == -1)
		app_error(a, 500, "Internal server error");
	else
		app_redirect_local(a, buf_cstr(&loc));
	buf_free(&loc);
}

static void
login_post(struct app *a)
{
	struct pair p[KEY__MAX];
	struct field_errors fe;
	struct auth_who who;
	char cookie[AUTH_TOKEN_LEN + 1];
	unsigned retry = 0;
	enum auth_err ae;
	enum db_err de;

	memset(&who, 0, sizeof(who));
	cookie[0] = '\0';
	/* A form post: the double-submitted token must match. */
	if (a->r->json == NULL &&
	    !auth_double_submit_ok(
	        req_cookie(a->r, LOGIN_CSRF_COOKIE), app_param(a, "csrf"))) {
		if (a->r->fmt == REQ_FMT_HTML)
			login_form(a, 403,
			    "This form had expired. Enter your password again "
			    "and log in.",
			    app_param(a, "username") != NULL
			        ? app_param(a, "username")
			        : "");
		else
			app_error(a, 403, "CSRF token missing or invalid");
		return;
	}
	if (req_fields(a->r, keys, KEY__MAX, p, &fe) != REQ_OK) {
		app_fields_error(a, &fe);
		return;
	}
	if (p[KEY_USERNAME].valsz > USERS_NAME_MAX)
		ae = AUTH_ERR_BADLOGIN; /* no such name can exist */
	else
		ae = auth_login(a->cfg, p[KEY_USERNAME].parsed.s,
		    p[KEY_PASSWORD].parsed.s, a->r->remote_addr, &who, cookie,
		    &retry);
	if ((ae == AUTH_OK || ae == AUTH_ERR_BADLOGIN ||
	        ae == AUTH_ERR_THROTTLED) &&
	    (de = login_audit(a, ae, &who, p[KEY_USERNAME].parsed.s)) !=
	        DB_OK) {
		/* Not recorded: not signed in either. */
		if (ae == AUTH_OK &&
		    auth_session_end(who.session_hash) != AUTH_OK)
			LOG_WARN("could not end an unrecorded session");
		app_db_error(a, de);
	} else if (ae != AUTH_OK)
		login_refused(a, ae, p[KEY_USERNAME].parsed.s, retry);
	else
		login_done(a, &who, cookie);
	ef_wipe(cookie, sizeof(cookie));
	ef_wipe(&who, sizeof(who));
}

static void
handle(struct app *a)
{
	if (a->r->method == REQ_METHOD_POST) {
		login_post(a);
		return;
	}
	if (a->r->fmt == REQ_FMT_HTML) {
		login_form(a, 200, "", "");
		return;
	}
	if (a->who.via == AUTH_VIA_NONE) {
		app_error(a, 401, "Not signed in");
		resp_header(a->rs, "WWW-Authenticate",
		    "Bearer realm=\"fcgi-encrypted-db\"");
		return;
	}
	login_whoami(a, 200, a->who.username, a->who.admin,
	    a->who.via == AUTH_VIA_SESSION ? a->who.csrf : NULL);
}

static const struct app_route route = {
    "login",
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
