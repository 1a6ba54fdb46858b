/*
 * healthz.c -- /healthz, for load balancers and monitoring: {"status":
 * "ok"} when the primary answers a trivial query, else 503 {"status":
 * "unavailable"} with Retry-After. With a standby (DATABASE_READ_URL),
 * "primary" says "up" or "down" and "standby" what a check of it found:
 * "up", "lagging", "down", "not a standby" or "unknown"; reads go to the
 * primary when it is not up, so only the primary decides the status. It
 * never looks at credentials.
 */
#include "config.h"

#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

static void
handle(struct app *a)
{
	struct json_object *o;
	enum db_read_state rs;
	int ok;

	ok = db_ping() == DB_OK;
	rs = db_read_probe();
	if ((o = json_object_new_object()) == NULL) {
		resp_error(a->rs, 500, "Internal server error");
		return;
	}
	json_object_object_add(
	    o, "status", json_object_new_string(ok ? "ok" : "unavailable"));
	if (rs != DB_READ_NONE) {
		json_object_object_add(
		    o, "primary", json_object_new_string(ok ? "up" : "down"));
		json_object_object_add(o, "standby",
		    json_object_new_string(db_read_state_name(rs)));
	}
	if (resp_json(a->rs, ok ? 200 : 503, o) == -1)
		resp_error(a->rs, 500, "Internal server error");
	else if (!ok)
		resp_retry_after(a->rs, 5);
	json_object_put(o);
}

static const struct app_route route = {
    "healthz",
    APP_GET,
    0,
    APP_NOAUTH | APP_HEALTH,
    handle,
};

int
main(void)
{
	return app_main(&route);
}
