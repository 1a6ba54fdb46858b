/*
 * users-new.c -- /users/new: the HTML form that creates a user (admin).
 * It posts to /users, which shows it again with its errors if needed.
 */
#include "config.h"

#include "encfield.h"
#include "extern.h"

/* The fields of the form, each with an (empty) error slot. */
static const char *const form_fields[] = {
    "username",
    "email",
    "password",
    "user_type",
};

static void
handle(struct app *a)
{
	struct tmpl_vars *v;

	if (!app_require(a, 1))
		return;
	if ((v = app_vars(a, "Create a user")) == NULL ||
	    tmpl_set(v, "username", "") == -1 ||
	    tmpl_set(v, "email", "") == -1 ||
	    tmpl_set_bool(v, "type_user", 1) == -1 ||
	    tmpl_set_bool(v, "type_admin", 0) == -1 ||
	    app_form_vars(v, form_fields,
	                  sizeof(form_fields) / sizeof(form_fields[0]), "",
	                  NULL) == -1) {
		tmpl_vars_free(v);
		app_error(a, 500, "Internal server error");
		return;
	}
	app_html(a, 200, "user-new", v);
	tmpl_vars_free(v);
}

static const struct app_route route = {
    "users-new", APP_GET, 0, 0, handle,
};

int
main(void)
{
	return app_main(&route);
}
