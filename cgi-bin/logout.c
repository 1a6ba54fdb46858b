/*
 * logout.c -- /logout (POST, signed in): ends the session (deleting it
 * from the database) and clears the cookie; 204 for JSON, 303 to /login
 * for a browser. A cookie session must send its CSRF token.
 */
#include "config.h"

#include "encfield.h"
#include "extern.h"

static void
handle(struct app *a)
{
	enum auth_err ae;

	if (!app_require(a, 0) || !app_csrf(a))
		return;
	if (a->who.via == AUTH_VIA_SESSION) {
		if ((ae = auth_session_end(a->who.session_hash)) != AUTH_OK) {
			if (ae == AUTH_ERR_UNAVAILABLE)
				app_db_error(a, DB_UNAVAILABLE);
			else
				app_error(a, 500, "Internal server error");
			return;
		}
		resp_cookie(a->rs, auth_cookie_name(a->r->https), "", 0,
		            a->r->https);
	}
	/* A bearer token is not a session: nothing to end. */
	if (a->r->fmt == REQ_FMT_HTML)
		resp_redirect(a->rs, 303, "/login");
	else
		resp_status(a->rs, 204);
}

static const struct app_route route = {
    "logout", APP_POST, REQ_BODY_FORM | REQ_BODY_JSON, 0, handle,
};

int
main(void)
{
	return app_main(&route);
}
