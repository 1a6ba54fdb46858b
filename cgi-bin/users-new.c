/*
 * users-new.c -- /users/new: the HTML form that creates a user (admin).
 * It posts to /users, which shows it again with its errors if needed.
 */
#include "config.h"

#include "encfield.h"
#include "extern.h"

static void
handle(struct app *a)
{
	if (app_require(a, 1))
		app_create_form(a, 200, NULL, NULL, NULL, "", NULL);
}

static const struct app_route route = {
    "users-new",
    APP_GET,
    0,
    0,
    handle,
};

int
main(void)
{
	return app_main(&route);
}
