/*
 * healthz.c -- /healthz: {"status": "ok"} after a trivial query, else 503
 * {"status": "unavailable"} with Retry-After. For load balancers and
 * monitoring; it never looks at credentials.
 */
#include "config.h"

#include <json-c/json.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

static const struct db_stmt st_ping = {"healthz_ping", "SELECT 1", 0};

static void
handle(struct app *a)
{
	struct json_object *o;
	PGresult *res = NULL;
	enum db_err de;
	int ok;

	de = db_exec(&st_ping, NULL, NULL, NULL, &res);
	ok = de == DB_OK && PQntuples(res) == 1;
	if (res != NULL)
		PQclear(res);
	if ((o = json_object_new_object()) == NULL) {
		resp_error(a->rs, 500, "Internal server error");
		return;
	}
	json_object_object_add(
	    o, "status", json_object_new_string(ok ? "ok" : "unavailable"));
	if (resp_json(a->rs, ok ? 200 : 503, o) == -1)
		resp_error(a->rs, 500, "Internal server error");
	else if (!ok)
		resp_retry_after(a->rs, 5);
	json_object_put(o);
}

static const struct app_route route = {
    "healthz", APP_GET, 0, APP_NOAUTH | APP_HEALTH, handle,
};

int
main(void)
{
	return app_main(&route);
}
