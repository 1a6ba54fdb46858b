/*
 * census.c -- what the stored data is made of, counted without any key:
 * users per format (v1 per key id, legacy base64, other), rows without a
 * blind index or with a pending next one, password hashes not yet Argon2id
 * (the boilerplate's PBKDF2: replaced at the user's next login; SECRET_KEY
 * is needed until none is left), sessions, API tokens, audit
 * entries and the schema version. It backs `encdb status` and the
 * /admin/census page. Formats are told apart in SQL by
 * public.encdb_value_kind (sql/203), the mirror of ef_value_kind; the key
 * id of a v1 value is its bytes 3 and 4 (README, "Security model"), and a
 * v1 value too short to hold one counts as of unknown format. Per key
 * id, the v1 emails and the wrapped data keys (users.data_key) under it:
 * a key nothing is under can be retired. Three statements, one pass over users
 * each for the first two.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

static const struct db_stmt census_users = {
    "census_users",
    "SELECT count(*),"
    " count(*) FILTER (WHERE public.encdb_value_kind(email) = 'v1'"
    "  AND octet_length(email) >= 4),"
    " count(*) FILTER (WHERE public.encdb_value_kind(email) = 'legacy'),"
    " count(*) FILTER (WHERE public.encdb_value_kind(email) = 'envelope'),"
    " count(*) FILTER (WHERE email_bidx IS NULL),"
    " count(*) FILTER (WHERE email_bidx_next IS NOT NULL),"
    " count(*) FILTER (WHERE password NOT LIKE '$argon2id$%')"
    " FROM public.users",
    0,
};

static const struct db_stmt census_keys = {
    "census_keys",
    "SELECT k, count(*) FILTER (WHERE NOT dk), count(*) FILTER (WHERE dk)"
    " FROM public.users, LATERAL (VALUES"
    " (CASE WHEN public.encdb_value_kind(email) = 'v1'"
    " AND octet_length(email) >= 4"
    " THEN get_byte(email, 2) * 256 + get_byte(email, 3) END, false),"
    " (CASE WHEN octet_length(data_key) >= 4"
    " THEN get_byte(data_key, 2) * 256 + get_byte(data_key, 3) END, true)"
    ") AS v(k, dk) WHERE k IS NOT NULL GROUP BY k ORDER BY k",
    0,
};

static const struct db_stmt census_other = {
    "census_other",
    "SELECT (SELECT count(*) FROM public.sessions),"
    " (SELECT count(*) FROM public.api_tokens WHERE revoked_at IS NULL),"
    " (SELECT count(*) FROM public.api_tokens WHERE revoked_at IS NOT NULL),"
    " (SELECT coalesce(max(seq), 0) FROM public.audit_log),"
    " (SELECT coalesce(max(version), 0) FROM public.schema_migrations)",
    0,
};

/* A count from a text result field (NULL counts 0). */
static int64_t
field(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

enum db_err
census_status(struct census *out)
{
	PGresult *r = NULL;
	enum db_err rc;
	int i, n;

	memset(out, 0, sizeof(*out));
	if ((rc = db_exec(&census_users, NULL, NULL, NULL, &r)) != DB_OK)
		goto out;
	if (PQntuples(r) != 1 || PQnfields(r) != 7) {
		rc = DB_ERROR;
		goto out;
	}
	out->users = field(r, 0, 0);
	out->v1 = field(r, 0, 1);
	out->legacy = field(r, 0, 2);
	out->envelope = field(r, 0, 3);
	out->other = out->users - out->v1 - out->legacy - out->envelope;
	out->no_bidx = field(r, 0, 4);
	out->bidx_next = field(r, 0, 5);
	out->pw_legacy = field(r, 0, 6);
	PQclear(r);
	r = NULL;

	if ((rc = db_exec(&census_keys, NULL, NULL, NULL, &r)) != DB_OK)
		goto out;
	n = PQntuples(r);
	if (n > 0) {
		out->keys = calloc((size_t)n, sizeof(*out->keys));
		if (out->keys == NULL) {
			rc = DB_ERROR;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		out->keys[i].key_id = (unsigned)field(r, i, 0);
		out->keys[i].v1 = field(r, i, 1);
		out->keys[i].data_keys = field(r, i, 2);
	}
	out->nkeys = (size_t)n;
	PQclear(r);
	r = NULL;

	if ((rc = db_exec(&census_other, NULL, NULL, NULL, &r)) != DB_OK)
		goto out;
	if (PQntuples(r) != 1 || PQnfields(r) != 5) {
		rc = DB_ERROR;
		goto out;
	}
	out->sessions = field(r, 0, 0);
	out->tokens = field(r, 0, 1);
	out->tokens_revoked = field(r, 0, 2);
	out->audit_entries = field(r, 0, 3);
	out->schema_version = (int)field(r, 0, 4);
out: /* the one cleanup */
	PQclear(r);
	if (rc != DB_OK)
		census_free(out);
	return rc;
}

void
census_free(struct census *out)
{
	free(out->keys);
	memset(out, 0, sizeof(*out));
}
