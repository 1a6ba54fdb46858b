/*
 * notfound.c -- every path no other route matches: 404
 * {"error": "This endpoint does not exist"} (or the HTML error page), for
 * any method, as the boilerplate answers.
 */
#include "config.h"

#include "encfield.h"
#include "extern.h"

static void
handle(struct app *a)
{
	app_error(a, 404, "This endpoint does not exist");
}

static const struct app_route route = {
    "notfound", APP_ANY, REQ_BODY_FORM | REQ_BODY_JSON, APP_NOAUTH, handle,
};

int
main(void)
{
	return app_main(&route);
}
