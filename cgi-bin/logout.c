/*
 * logout.c -- /logout. POST (signed in): ends the session (deleting it
 * from the database) and clears the cookie; 204 for JSON, or for a browser
 * a 303 to /login with the message "Signed out". A cookie session must
 * send its CSRF token; a browser whose token is stale gets the button
 * again; one whose session had already ended goes to /login all the same.
 * GET (a browser, signed in): a page with one button that posts; JSON
 * clients get 405, as before.
 */
#include "config.h"

#include "encfield.h"
#include "extern.h"

/* The page with the one button; note is why it is shown again, or "". */
static void
logout_page(struct app *a, int status, const char *note)
{
	struct tmpl_vars *v;

	if ((v = app_vars(a, "Log out")) == NULL ||
	    app_form_vars(v, NULL, 0, note, NULL) == -1) {
		tmpl_vars_free(v);
		app_error(a, 500, "Internal server error");
		return;
	}
	app_html(a, status, "logout", v);
	tmpl_vars_free(v);
}

static void
handle(struct app *a)
{
	enum auth_err ae;
	int html = a->r->fmt == REQ_FMT_HTML;

	if (a->r->method != REQ_METHOD_POST && !html) {
		app_method_not_allowed(a, APP_POST);
		return;
	}
	if (html && a->r->method == REQ_METHOD_POST &&
	    a->who.via == AUTH_VIA_NONE) {
		/* Signed out already (the session had ended): so be it. */
		if (app_flash(a, APP_FLASH_SIGNED_OUT, NULL) == 0)
			app_redirect_local(a, "/login");
		else
			app_error(a, 500, "Internal server error");
		return;
	}
	if (!app_require(a, 0))
		return;
	if (a->r->method != REQ_METHOD_POST) {
		logout_page(a, 200, "");
		return;
	}
	if (html && !app_csrf_valid(a)) {
		logout_page(a, 403,
		    "This page had expired, so you are still signed "
		    "in. Log out again.");
		return;
	}
	if (!app_csrf(a))
		return;
	if (a->who.via == AUTH_VIA_SESSION) {
		if ((ae = auth_session_end(a->who.session_hash)) != AUTH_OK) {
			if (ae == AUTH_ERR_UNAVAILABLE)
				app_db_error(a, DB_UNAVAILABLE);
			else
				app_error(a, 500, "Internal server error");
			return;
		}
		app_cookie(a, app_session_cookie(a), "", 0);
	}
	/* A bearer token is not a session: nothing to end. */
	if (!html)
		resp_status(a->rs, 204);
	else if (app_flash(a, APP_FLASH_SIGNED_OUT, NULL) == 0)
		app_redirect_local(a, "/login");
	else
		app_error(a, 500, "Internal server error");
}

static const struct app_route route = {
    "logout",
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
