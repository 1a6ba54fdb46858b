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

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

/*
 * The counts of struct census: the name of each in the JSON payload and
 * in the page's template variables.
 */
static const struct census_count {
	const char *json;
	const char *var;
	size_t off;
} census_counts[] = {
    {"users", "users", offsetof(struct census, users)},
    {"v1", "v1", offsetof(struct census, v1)},
    {"legacy", "legacy", offsetof(struct census, legacy)},
    {"envelope", "envelope", offsetof(struct census, envelope)},
    {"unknown_format", "unknown_format", offsetof(struct census, other)},
    {"without_blind_index", "no_bidx", offsetof(struct census, no_bidx)},
    {"with_next_blind_index", "bidx_next", offsetof(struct census, bidx_next)},
    {"legacy_password_hashes", "pw_legacy", offsetof(struct census, pw_legacy)},
    {"sessions", "sessions", offsetof(struct census, sessions)},
    {"api_tokens", "tokens", offsetof(struct census, tokens)},
    {"api_tokens_revoked", "tokens_revoked",
        offsetof(struct census, tokens_revoked)},
    {"audit_entries", "audit_entries", offsetof(struct census, audit_entries)},
};

static long long
census_count(const struct census *cs, const struct census_count *c)
{
	const int64_t *n = (const int64_t *)((const char *)cs + c->off);

	return (long long)*n;
}

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
	for (i = 0; i < sizeof(census_counts) / sizeof(census_counts[0]); i++)
		json_object_object_add(o, census_counts[i].json,
		    json_object_new_int64(census_count(cs, &census_counts[i])));
	for (i = 0; i < cs->nkeys; i++) {
		if ((k = json_object_new_object()) == NULL)
			continue;
		json_object_object_add(
		    k, "key_id", json_object_new_int64(cs->keys[i].key_id));
		json_object_object_add(
		    k, "v1", json_object_new_int64(cs->keys[i].v1));
		json_object_object_add(k, "data_keys",
		    json_object_new_int64(cs->keys[i].data_keys));
		json_object_array_add(keys, k);
	}
	json_object_object_add(o, "keys", keys);
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

	for (i = 0; i < sizeof(census_counts) / sizeof(census_counts[0]); i++)
		rc |= tmpl_setf(v, census_counts[i].var, "%lld",
		    census_count(cs, &census_counts[i]));
	rc |= tmpl_setf(v, "schema_version", "%d", cs->schema_version);
	rc |= tmpl_set_list(v, "v1keys");
	rc |= tmpl_set_list(v, "keys");
	for (i = 0; i < cs->nkeys; i++) {
		if (cs->keys[i].v1 > 0) {
			if ((row = tmpl_add_row(v, "v1keys")) == NULL)
				return -1;
			rc |=
			    tmpl_setf(row, "key_id", "%u", cs->keys[i].key_id);
			rc |= tmpl_setf(
			    row, "v1", "%lld", (long long)cs->keys[i].v1);
		}
		if ((row = tmpl_add_row(v, "keys")) == NULL)
			return -1;
		rc |= tmpl_setf(row, "key_id", "%u", cs->keys[i].key_id);
		rc |= tmpl_setf(row, "v1", "%lld", (long long)cs->keys[i].v1);
		rc |= tmpl_setf(
		    row, "data_keys", "%lld", (long long)cs->keys[i].data_keys);
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
