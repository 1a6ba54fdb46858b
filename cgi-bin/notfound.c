/*
 * notfound.c -- every path no other route matches: 404
 * {"error": "This endpoint does not exist"} (or the HTML error page), for
 * any method, as the boilerplate answers. The one exception is a browser's
 * GET / under the base path (the first page a newcomer opens): a 303 to
 * where they belong, /users for an admin, /user/<self> for a user, /login
 * for anyone else.
 * Only then are credentials looked at: an unknown path costs no query.
 */
#include "config.h"

#include <string.h>

#include "encfield.h"
#include "extern.h"

static void
handle(struct app *a)
{
	struct buf loc = BUF_INIT;
	const char *p;

	if ((p = app_path(a)) == NULL || strcmp(p, "/") != 0 ||
	    a->r->fmt != REQ_FMT_HTML ||
	    (a->r->method != REQ_METHOD_GET &&
	        a->r->method != REQ_METHOD_HEAD)) {
		app_error(a, 404, "This endpoint does not exist");
		return;
	}
	if (!app_identify(a))
		return;
	if (app_home_url(a, &loc) == -1)
		app_error(a, 500, "Internal server error");
	else
		app_redirect_local(a, buf_cstr(&loc));
	buf_free(&loc);
}

static const struct app_route route = {
    "notfound",
    APP_ANY,
    REQ_BODY_FORM | REQ_BODY_JSON,
    APP_NOAUTH,
    handle,
};

int
main(void)
{
	return app_main(&route);
}
