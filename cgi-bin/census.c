/*
 * census.c -- /admin/census: what the stored data is made of (admin only):
 * users per format (v1 per key id, envelope, legacy, unknown), rows
 * without a blind index or with a pending next one (reindex), sessions,
 * API tokens, audit entries and the schema version -- the numbers of
 * `encdb status`, from lib/census.c, counted without any key and without
 * decrypting anything.
 * JSON {"payload": {...}} or the HTML page templates/census.html.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

/* The census as JSON (caller puts it), or NULL on OOM. */
static struct json_object *
census_json(const struct census *cs)
{
	struct json_object *o, *keys, *k;
	size_t i;

	if ((o = json_object_new_object()) == NULL ||
	    (keys = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "users", json_object_new_int64(cs->users));
	json_object_object_add(o, "v1", json_object_new_int64(cs->v1));
	for (i = 0; i < cs->nkeys; i++) {
		if ((k = json_object_new_object()) == NULL)
			continue;
		json_object_object_add(
		    k, "key_id", json_object_new_int64(cs->keys[i].key_id));
		json_object_object_add(
		    k, "rows", json_object_new_int64(cs->keys[i].rows));
		json_object_array_add(keys, k);
	}
	json_object_object_add(o, "keys", keys);
	json_object_object_add(o, "legacy", json_object_new_int64(cs->legacy));
	json_object_object_add(
	    o, "envelope", json_object_new_int64(cs->envelope));
	json_object_object_add(
	    o, "unknown_format", json_object_new_int64(cs->other));
	json_object_object_add(
	    o, "without_blind_index", json_object_new_int64(cs->no_bidx));
	json_object_object_add(
	    o, "with_next_blind_index", json_object_new_int64(cs->bidx_next));
	json_object_object_add(
	    o, "legacy_password_hashes", json_object_new_int64(cs->pw_legacy));
	json_object_object_add(
	    o, "sessions", json_object_new_int64(cs->sessions));
	json_object_object_add(
	    o, "api_tokens", json_object_new_int64(cs->tokens));
	json_object_object_add(
	    o, "api_tokens_revoked", json_object_new_int64(cs->tokens_revoked));
	json_object_object_add(
	    o, "audit_entries", json_object_new_int64(cs->audit_entries));
	json_object_object_add(
	    o, "schema_version", json_object_new_int(cs->schema_version));
	return o;
}

/* The census as template variables; 0 / -1. */
static int
census_vars(struct tmpl_vars *v, const struct census *cs)
{
	struct tmpl_vars *row;
	size_t i;
	int rc = 0;

	rc |= tmpl_setf(v, "users", "%lld", (long long)cs->users);
	rc |= tmpl_setf(v, "legacy", "%lld", (long long)cs->legacy);
	rc |= tmpl_setf(v, "envelope", "%lld", (long long)cs->envelope);
	rc |= tmpl_setf(v, "unknown_format", "%lld", (long long)cs->other);
	rc |= tmpl_setf(v, "no_bidx", "%lld", (long long)cs->no_bidx);
	rc |= tmpl_setf(v, "bidx_next", "%lld", (long long)cs->bidx_next);
	rc |= tmpl_setf(v, "pw_legacy", "%lld", (long long)cs->pw_legacy);
	rc |= tmpl_setf(v, "sessions", "%lld", (long long)cs->sessions);
	rc |= tmpl_setf(v, "tokens", "%lld", (long long)cs->tokens);
	rc |= tmpl_setf(
	    v, "tokens_revoked", "%lld", (long long)cs->tokens_revoked);
	rc |=
	    tmpl_setf(v, "audit_entries", "%lld", (long long)cs->audit_entries);
	rc |= tmpl_setf(v, "schema_version", "%d", cs->schema_version);
	rc |= tmpl_set_list(v, "keys");
	for (i = 0; i < cs->nkeys; i++) {
		if ((row = tmpl_add_row(v, "keys")) == NULL)
			return -1;
		rc |= tmpl_setf(row, "key_id", "%u", cs->keys[i].key_id);
		rc |=
		    tmpl_setf(row, "rows", "%lld", (long long)cs->keys[i].rows);
	}
	return rc == 0 ? 0 : -1;
}

static void
handle(struct app *a)
{
	struct tmpl_vars *v = NULL;
	struct census cs;
	enum db_err de;

	memset(&cs, 0, sizeof(cs));
	if (!app_require(a, 1))
		return;
	if ((de = census_status(&cs)) != DB_OK) {
		app_db_error(a, de);
		return;
	}
	if (a->r->fmt == REQ_FMT_HTML) {
		if ((v = app_vars(a, "Census")) == NULL ||
		    census_vars(v, &cs) != 0)
			app_error(a, 500, "Internal server error");
		else
			app_html(a, 200, "census", v);
		goto out;
	}
	app_json(a, 200, app_payload(census_json(&cs)));
out: /* the one cleanup */
	tmpl_vars_free(v);
	census_free(&cs);
}

static const struct app_route route = {
    "census",
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
