/*
 * upgrade.c -- `encdb upgrade`: turn the boilerplate's rows (legacy
 * SQLAlchemy-Utils ciphertexts, base64 text) and the v1 rows made before
 * data keys into envelope values sealed under a data key of the row's own
 * (wrapped under the active key, written in the same statement), bound to
 * their row, with their blind index, while the app keeps serving.
 *
 * Same engine as rotate (encdb/sweep.c): keyset batches, one
 * compare-and-swap UPDATE per batch, lost rows re-read and retried, and
 * the work left is in the data (rows whose email is not an envelope
 * value, as public.encdb_value_kind tells), so it is idempotent and
 * resumable. A row that does not decrypt (wrong POSTGRES_SECRET_KEY or
 * LEGACY_ENGINE, damaged value) or whose email is already used by another
 * row (blind index taken) is named by id and reason and skipped; the exit
 * status is then 1. Legacy password hashes stay as they are: the next
 * successful login replaces them with Argon2id (the login path checks
 * ef_pw_needs_rehash).
 *
 * The blind index alone (ops_index_legacy, run by `encdb migrate`): the
 * same engine over the legacy rows without email_bidx, which get it and
 * keep their ciphertext, so that lookups by email and the duplicate check
 * find them through the unique index from the moment the boilerplate's
 * database is taken over, at any size.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "encdb.h"
#include "ops.h"
#include "sweep.h"

static const char upgrade_select[] =
    "SELECT id, CASE WHEN public.encdb_value_kind(email) <> 'envelope'"
    " THEN email END, data_key AS wrapped, ctid"
    " FROM (SELECT id, email, data_key, ctid FROM public.users"
    " WHERE id > $1::uuid AND id <= $3::uuid ORDER BY id LIMIT $2::int)"
    " AS w ORDER BY id";

static const char upgrade_reread[] =
    "SELECT id, email, data_key AS wrapped, ctid"
    " FROM public.users WHERE id = ANY($1::uuid[])";

/*
 * The new email and blind index, and beside them the data key they are
 * sealed under, for the rows whose email is still the one read (a row
 * that had its key keeps it as it is now: rotate may have re-wrapped it).
 */
static const char upgrade_update[] =
    "UPDATE public.users AS u SET email = v.new, email_bidx = v.bidx,"
    " data_key = coalesce(u.data_key, v.wrapped)"
    " FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::bytea[],"
    " $5::bytea[], $6::tid[]) AS v(id, old, new, bidx, wrapped, tid)"
    " WHERE u.ctid = v.tid AND u.id = v.id AND u.email = v.old"
    " RETURNING u.id";

static const char upgrade_count[] =
    "SELECT count(*) FROM public.users"
    " WHERE public.encdb_value_kind(email) <> 'envelope'";

static const char upgrade_legacy[] =
    "SELECT count(*) FROM public.users"
    " WHERE public.encdb_value_kind(email) = 'legacy'";

static const char upgrade_pwcount[] =
    "SELECT count(*) FROM public.users"
    " WHERE left(password, 10) <> '$argon2id$'";

static const char index_select[] =
    "SELECT id, CASE WHEN public.encdb_value_kind(email) = 'legacy'"
    " AND email_bidx IS NULL THEN email END, ctid"
    " FROM (SELECT id, email, email_bidx, ctid FROM public.users"
    " WHERE id > $1::uuid AND id <= $3::uuid ORDER BY id LIMIT $2::int)"
    " AS w ORDER BY id";

static const char index_reread[] =
    "SELECT id, CASE WHEN email_bidx IS NULL THEN email END, ctid"
    " FROM public.users WHERE id = ANY($1::uuid[])";

static const char index_update[] =
    "UPDATE public.users AS u SET email_bidx = v.bidx"
    " FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::tid[])"
    " AS v(id, old, bidx, tid)"
    " WHERE u.ctid = v.tid AND u.id = v.id AND u.email = v.old"
    " RETURNING u.id";

static const char index_count[] =
    "SELECT count(*) FROM public.users"
    " WHERE public.encdb_value_kind(email) = 'legacy'"
    " AND email_bidx IS NULL";

/*
 * Decrypt the legacy value of row (column 1 of r) and put its blind index
 * in out->v[0]. On SWEEP_FAIL out is emptied and names the reason.
 */
static enum sweep_verdict
index_row(void *arg, const uint8_t id[16], const PGresult *r, int row,
    struct sweep_out *out)
{
	const struct cfg *c = arg;
	const uint8_t *v = (const uint8_t *)PQgetvalue(r, row, 1);
	size_t len = (size_t)PQgetlength(r, row, 1), plen = 0;
	uint8_t *bidx;
	char *p = NULL;
	enum ef_err e;

	(void)id;
	if (ef_value_kind(v, len) != EF_KIND_LEGACY) {
		out->reason = "malformed";
		return SWEEP_FAIL;
	}
	if ((e = ef_legacy_decrypt(c->legacy, v, len, &p, &plen)) != EF_OK)
		goto fail;
	if ((bidx = malloc(EF_BIDX_LEN)) == NULL) {
		e = EF_ERR_NOMEM;
		goto fail;
	}
	out->v[0] = bidx;
	out->len[0] = EF_BIDX_LEN;
	if ((e = ef_blind_index(c->index_key, p, plen, bidx)) != EF_OK)
		goto fail;
	ef_free_plain(p, plen);
	return SWEEP_DO;
fail: /* the one cleanup on failure */
	ef_free_plain(p, plen);
	sweep_out_free(out);
	out->reason = ops_reason(e);
	return SWEEP_FAIL;
}

static enum sweep_verdict
upgrade_row(void *arg, const uint8_t id[16], const PGresult *r, int row,
    struct sweep_out *out)
{
	const struct cfg *c = arg;
	const uint8_t *v = (const uint8_t *)PQgetvalue(r, row, 1), *w = NULL;
	size_t len = (size_t)PQgetlength(r, row, 1), wlen = 0, ptlen = 0;
	uint8_t dk[EF_KEY_LEN], *bidx, *nw = NULL, *nv = NULL;
	size_t nvlen = 0;
	int wc = PQfnumber(r, "wrapped");
	char *pt = NULL;
	enum ef_err e;

	if (ef_value_kind(v, len) == EF_KIND_ENVELOPE)
		return SWEEP_SKIP; /* upgraded meanwhile */
	if (wc >= 0 && !PQgetisnull(r, row, wc)) {
		w = (const uint8_t *)PQgetvalue(r, row, wc);
		wlen = (size_t)PQgetlength(r, row, wc);
	}
	/* v1 or legacy: read as the routes read it. */
	if ((e = users_decrypt_email(
	         c, id, NULL, 0, v, len, &pt, &ptlen, NULL)) != EF_OK) {
		out->reason = ops_reason(e);
		return SWEEP_FAIL;
	}
	/* The row's data key: the one it has, else a new one. */
	if (w != NULL) {
		if ((e = ef_dk_unwrap(c->keys, USERS_TABLE, id, w, wlen, dk)) !=
		    EF_OK)
			goto fail;
		if ((nw = malloc(wlen)) == NULL) {
			e = EF_ERR_NOMEM;
			goto fail;
		}
		memcpy(nw, w, wlen);
	} else {
		ef_dk_generate(dk);
		if ((e = ef_dk_wrap(
		         c->keys, USERS_TABLE, id, dk, &nw, &wlen)) != EF_OK)
			goto fail;
	}
	out->v[2] = nw;
	out->len[2] = wlen;
	if ((bidx = malloc(EF_BIDX_LEN)) == NULL) {
		e = EF_ERR_NOMEM;
		goto fail;
	}
	out->v[1] = bidx;
	out->len[1] = EF_BIDX_LEN;
	if ((e = ef_blind_index(c->index_key, pt, ptlen, bidx)) != EF_OK ||
	    (e = ef_envelope_seal(
	         dk, USERS_EMAIL_COLUMN, id, pt, ptlen, &nv, &nvlen)) != EF_OK)
		goto fail;
	out->v[0] = nv;
	out->len[0] = nvlen;
	ef_wipe(dk, sizeof(dk));
	ef_free_plain(pt, ptlen);
	return SWEEP_DO;
fail: /* the one cleanup on failure */
	ef_wipe(dk, sizeof(dk));
	ef_free_plain(pt, ptlen);
	sweep_out_free(out);
	out->reason = ops_reason(e);
	return SWEEP_FAIL;
}

static void
upgrade_usage(FILE *f)
{
	encdb_usage(f, "upgrade");
}

int
ops_upgrade(int argc, char *argv[])
{
	struct sweep sw;
	struct sweep_stats st;
	struct cfg c, wc[SWEEP_JOBS_MAX];
	PGconn *pg = NULL;
	int argrc;
	int64_t legacy, pw;
	int ch, rc = OPS_EXIT_SETUP;

	memset(&sw, 0, sizeof(sw));
	memset(&st, 0, sizeof(st));
	memset(&c, 0, sizeof(c));
	memset(wc, 0, sizeof(wc));
	if ((argrc = sweep_args(&sw, argc, argv, upgrade_usage, NULL)) != -1)
		return argrc;
	if (ops_setup(&c, CFG_NEED_DB | CFG_NEED_KEYS, &pg) != 0 ||
	    ops_workers_load(wc, sw.jobs, CFG_NEED_DB | CFG_NEED_KEYS) != 0 ||
	    ops_audit_record("upgrade", AUDIT_DECRYPT_ALL, NULL, NULL) == -1)
		goto out;
	for (ch = 0; ch < sw.jobs; ch++)
		sw.job_args[ch] = &wc[ch];
	if ((legacy = ops_count(pg, "upgrade", upgrade_legacy, 0, NULL)) < 0)
		goto out;
	if (legacy > 0 && c.legacy == NULL) {
		fprintf(stderr,
		    "encdb: upgrade: %lld legacy rows, but "
		    "POSTGRES_SECRET_KEY is not set: set it to the "
		    "boilerplate's field passphrase\n",
		    (long long)legacy);
		goto out;
	}
	sw.what = "upgrade";
	sw.select_sql = upgrade_select;
	sw.reread_sql = upgrade_reread;
	sw.update_sql = upgrade_update;
	sw.count_sql = upgrade_count;
	sw.nout = 3;
	sw.out_oid[0] = OPS_OID_BYTEA;
	sw.out_oid[1] = OPS_OID_BYTEA;
	sw.out_oid[2] = OPS_OID_BYTEA;
	sw.transform = upgrade_row;
	sw.conninfo = c.conninfo;
	/* See sql/102: upgrade never writes an old key's blind index. */
	sw.session_sql = "SET encdb.bulk = 'upgrade'";
	if (ops_exec(pg, "upgrade", sw.session_sql) != 0)
		goto out;
	sw.arg = &c;
	if (sweep_run(pg, &sw, &st) != 0)
		goto out;
	pw = ops_count(pg, "upgrade", upgrade_pwcount, 0, NULL);
	printf("upgrade: %lld rows upgraded: sealed under a data key of their "
	       "own (wrapped under key %u), with blind index, "
	       "in %.1f s (%.0f rows/s), %lld already done, %lld skipped, "
	       "%lld compare-and-swap retries\n",
	    (long long)st.done, (unsigned)ef_keyring_active(c.keys), st.seconds,
	    st.seconds > 0 ? (double)st.done / st.seconds : 0.0,
	    (long long)st.skipped, (long long)st.failed, (long long)st.lost);
	if (pw > 0)
		printf("upgrade: %lld legacy password hashes stay until each "
		       "user's next login replaces them\n",
		    (long long)pw);
	if (st.remaining > 0)
		printf("upgrade: %lld rows are not upgraded (see above)\n",
		    (long long)st.remaining);
	rc = st.failed > 0 || st.remaining > 0 ? OPS_EXIT_PROBLEM : OPS_EXIT_OK;
out: /* the one cleanup */
	ops_workers_free(wc, sw.jobs);
	ops_teardown(&c);
	return rc;
}

int
ops_index_legacy(struct pg_conn *pg, struct cfg *c)
{
	struct sweep sw;
	struct sweep_stats st;
	int64_t todo;

	if ((todo = ops_count(pg, "migrate", index_count, 0, NULL)) <= 0)
		return todo < 0 ? -1 : 0;
	if (c->legacy == NULL || c->index_key == NULL) {
		printf("migrate: %lld legacy rows have no blind index: lookups "
		       "by email decrypt them one by one until 'encdb "
		       "migrate' runs with POSTGRES_SECRET_KEY and "
		       "INDEX_KEY set (or 'encdb upgrade' does)\n",
		    (long long)todo);
		return 0;
	}
	memset(&sw, 0, sizeof(sw));
	memset(&st, 0, sizeof(st));
	sw.what = "blind index";
	sw.select_sql = index_select;
	sw.reread_sql = index_reread;
	sw.update_sql = index_update;
	sw.count_sql = index_count;
	sw.nout = 1;
	sw.out_oid[0] = OPS_OID_BYTEA;
	sw.transform = index_row;
	sw.arg = c;
	sw.conninfo = c->conninfo;
	sw.batch = 1000;
	sw.jobs = 1;
	/* As upgrade: the blind index under the INDEX_KEY given (sql/102). */
	sw.session_sql = "SET encdb.bulk = 'upgrade'";
	if (ops_exec(pg, "migrate", sw.session_sql) != 0 ||
	    sweep_run(pg, &sw, &st) != 0 ||
	    ops_exec(pg, "migrate", "RESET encdb.bulk") != 0)
		return -1;
	printf("migrate: %lld legacy rows given their blind index in %.1f s, "
	       "%lld skipped\n",
	    (long long)st.done, st.seconds, (long long)st.failed);
	if (st.remaining > 0)
		printf("migrate: %lld legacy rows have no blind index (see "
		       "above): lookups by email decrypt them one by one\n",
		    (long long)st.remaining);
	return 0;
}
