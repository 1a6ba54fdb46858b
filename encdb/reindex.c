/*
 * reindex.c -- `encdb reindex`: move the blind index (users.email_bidx) to
 * a new INDEX_KEY with lookups and uniqueness correct all the time.
 *
 * The second column users.email_bidx_next (sql/101) is filled with the
 * index under the new key while the app keeps running on the current key
 * (OLD_INDEX_KEY here, INDEX_KEY in the app) and keeps using email_bidx:
 *
 *  1. `encdb reindex` (INDEX_KEY = new, OLD_INDEX_KEY = current): online,
 *     batched, resumable (the sweep engine, encdb/sweep.c). Each row is
 *     decrypted, its email_bidx checked against OLD_INDEX_KEY, and
 *     email_bidx_next set by compare-and-swap on the email. Both columns
 *     are UNIQUE, so a duplicate is refused under either key. When the
 *     app changes an email, a trigger clears that row's email_bidx_next
 *     and the run (or the next one) recomputes it. public.index_keys
 *     records which key (by identifier, not the key) each column is
 *     under; a run for another new key starts email_bidx_next over.
 *  2. `encdb reindex --swap`: the same, then in one transaction that
 *     blocks writers (not readers) for its duration: the rows left,
 *     then email_bidx <-> email_bidx_next for every row, and index_keys
 *     updated. Restart the app with INDEX_KEY = the new key right after.
 *     Until it restarts, instances still on the old key find rows through
 *     email_bidx_next, which now holds the old key's index, when their
 *     lookups check both columns (users_find_by_email: email_bidx = $1 OR
 *     email_bidx_next = $1).
 *
 * Rows without a blind index (legacy rows `encdb migrate` could not index:
 * `encdb upgrade` first) are left alone; legacy rows with one are
 * decrypted with POSTGRES_SECRET_KEY like the others. A row whose email_bidx
 * does not match OLD_INDEX_KEY is named and skipped (exit status 1): it was
 * indexed under another key.
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

/* The text whose blind index, cut to 8 bytes, identifies an index key. */
#define REINDEX_ID_TEXT "fcgi-encrypted-db index key id"
#define REINDEX_ID_LEN  8

static const char reindex_select[] =
    "SELECT id, CASE WHEN email_bidx IS NOT NULL"
    " AND email_bidx_next IS NULL THEN email END, email_bidx,"
    " data_key AS wrapped, ctid"
    " FROM (SELECT id, email, email_bidx, email_bidx_next, data_key, ctid"
    " FROM public.users WHERE id > $1::uuid AND id <= $3::uuid"
    " ORDER BY id LIMIT $2::int) AS w ORDER BY id";

static const char reindex_reread[] =
    "SELECT id, CASE WHEN email_bidx IS NOT NULL"
    " AND email_bidx_next IS NULL THEN email END, email_bidx,"
    " data_key AS wrapped, ctid"
    " FROM public.users WHERE id = ANY($1::uuid[])";

static const char reindex_update[] =
    "UPDATE public.users AS u SET email_bidx_next = v.next"
    " FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::tid[])"
    " AS v(id, old, next, tid)"
    " WHERE u.ctid = v.tid AND u.id = v.id AND u.email = v.old"
    " AND u.email_bidx_next IS NULL RETURNING u.id";

static const char reindex_count[] =
    "SELECT count(*) FROM public.users"
    " WHERE email_bidx IS NOT NULL AND email_bidx_next IS NULL";

static const char reindex_keys_get[] =
    "SELECT col, key_id FROM public.index_keys";

static const char reindex_keys_set[] =
    "INSERT INTO public.index_keys (col, key_id) VALUES ($1, $2::bytea)"
    " ON CONFLICT (col) DO UPDATE SET key_id = EXCLUDED.key_id,"
    " updated_at = now()";

static const char reindex_clear_next[] =
    "UPDATE public.users SET email_bidx_next = NULL"
    " WHERE email_bidx_next IS NOT NULL";

static const char reindex_swap[] =
    "UPDATE public.users SET email_bidx = email_bidx_next,"
    " email_bidx_next = email_bidx WHERE email_bidx IS NOT NULL";

struct reindex {
	const struct cfg *c;
	struct ef_index_key *old; /* OLD_INDEX_KEY */
};

static enum sweep_verdict
reindex_row(void *arg, const uint8_t id[16], const PGresult *r, int row,
    struct sweep_out *out)
{
	const struct reindex *ri = arg;
	uint8_t oldb[EF_BIDX_LEN], *next;
	char *pt = NULL;
	size_t ptlen = 0;
	int e, wc;

	if (PQgetisnull(r, row, 1))
		return SWEEP_SKIP; /* done meanwhile, or no index at all */
	wc = PQfnumber(r, "wrapped");
	e = users_decrypt_email(ri->c, id,
	    wc < 0 || PQgetisnull(r, row, wc)
	        ? NULL
	        : (const uint8_t *)PQgetvalue(r, row, wc),
	    wc < 0 ? 0 : (size_t)PQgetlength(r, row, wc),
	    (const uint8_t *)PQgetvalue(r, row, 1),
	    (size_t)PQgetlength(r, row, 1), &pt, &ptlen, NULL);
	if (e != EF_OK) {
		out->reason = ops_reason(e);
		return SWEEP_FAIL;
	}
	if ((next = malloc(EF_BIDX_LEN)) == NULL) {
		e = EF_ERR_NOMEM;
		goto fail;
	}
	out->v[0] = next;
	out->len[0] = EF_BIDX_LEN;
	if ((e = ef_blind_index(ri->old, pt, ptlen, oldb)) != EF_OK ||
	    (e = ef_blind_index(ri->c->index_key, pt, ptlen, next)) != EF_OK)
		goto fail;
	ef_free_plain(pt, ptlen);
	if (PQgetlength(r, row, 2) != EF_BIDX_LEN ||
	    !ef_ct_equal(oldb, PQgetvalue(r, row, 2), EF_BIDX_LEN)) {
		sweep_out_free(out);
		out->reason = "blind index not made with OLD_INDEX_KEY";
		return SWEEP_FAIL;
	}
	return SWEEP_DO;
fail: /* the one cleanup on failure */
	ef_free_plain(pt, ptlen);
	sweep_out_free(out);
	out->reason = ops_reason(e);
	return SWEEP_FAIL;
}

/* The identifier of an index key: its blind index of a fixed text. */
static int
key_id(const struct ef_index_key *k, uint8_t out[REINDEX_ID_LEN])
{
	uint8_t b[EF_BIDX_LEN];

	if (ef_blind_index(k, REINDEX_ID_TEXT, strlen(REINDEX_ID_TEXT), b) !=
	    EF_OK)
		return -1;
	memcpy(out, b, REINDEX_ID_LEN);
	return 0;
}

static int
keys_set(PGconn *pg, const char *col, const uint8_t id[REINDEX_ID_LEN])
{
	const char *values[2] = {col, (const char *)id};
	int lengths[2] = {0, REINDEX_ID_LEN}, formats[2] = {0, 1};
	PGresult *r;
	int rc = 0;

	r = PQexecParams(
	    pg, reindex_keys_set, 2, NULL, values, lengths, formats, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		ops_pg_error("reindex", r, pg);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

/*
 * Check and record which keys the columns are under. Returns 0 to go on,
 * 1 when email_bidx is already under the new key (swapped: done), -1 on
 * error (printed).
 */
static int
keys_prepare(PGconn *pg, const uint8_t oldid[REINDEX_ID_LEN],
    const uint8_t newid[REINDEX_ID_LEN])
{
	PGresult *r;
	const char *col;
	int i, have_cur = 0, next_ok = 0, rc = -1;

	r = PQexecParams(pg, reindex_keys_get, 0, NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		ops_pg_error("reindex", r, pg);
		goto out;
	}
	for (i = 0; i < PQntuples(r); i++) {
		col = PQgetvalue(r, i, 0);
		if (PQgetlength(r, i, 1) != REINDEX_ID_LEN)
			continue;
		if (strcmp(col, "email_bidx") == 0) {
			if (memcmp(PQgetvalue(r, i, 1), newid,
			        REINDEX_ID_LEN) == 0) {
				rc = 1;
				goto out;
			}
			if (memcmp(PQgetvalue(r, i, 1), oldid,
			        REINDEX_ID_LEN) != 0) {
				fprintf(stderr,
				    "encdb: reindex: OLD_INDEX_KEY is not "
				    "the key email_bidx was made with: set "
				    "it to the INDEX_KEY the app uses now\n");
				goto out;
			}
			have_cur = 1;
		} else if (strcmp(col, "email_bidx_next") == 0)
			next_ok = memcmp(PQgetvalue(r, i, 1), newid,
			              REINDEX_ID_LEN) == 0;
	}
	if (!have_cur && keys_set(pg, "email_bidx", oldid) != 0)
		goto out;
	if (!next_ok) {
		/* Values under another key (an earlier run or swap). */
		if (ops_exec(pg, "reindex", reindex_clear_next) != 0 ||
		    keys_set(pg, "email_bidx_next", newid) != 0)
			goto out;
	}
	rc = 0;
out: /* the one cleanup */
	PQclear(r);
	return rc;
}

static void
reindex_usage(FILE *f)
{
	encdb_usage(f, "reindex");
}

/* The locked final pass and the swap, in one transaction. */
static int
reindex_do_swap(PGconn *pg, struct sweep *sw, struct sweep_stats *st,
    const uint8_t oldid[REINDEX_ID_LEN], const uint8_t newid[REINDEX_ID_LEN])
{
	struct sweep_stats last;
	int64_t left;

	memset(&last, 0, sizeof(last));
	if (ops_exec(pg, "reindex", "BEGIN") != 0)
		return -1;
	if (ops_exec(pg, "reindex", "SET LOCAL lock_timeout = '30s'") != 0 ||
	    ops_exec(pg, "reindex",
	        "LOCK TABLE public.users IN SHARE ROW EXCLUSIVE MODE") != 0)
		goto fail;
	sw->conninfo = NULL; /* a writer outside would wait on our lock */
	sw->jobs = 1;
	if (sweep_run(pg, sw, &last) != 0)
		goto fail;
	st->done += last.done;
	st->failed += last.failed;
	left = ops_count(pg, "reindex", reindex_count, 0, NULL);
	if (left != 0) {
		fprintf(stderr,
		    "encdb: reindex: %lld rows have no index under the new "
		    "key: not swapped\n",
		    (long long)left);
		goto fail;
	}
	if (ops_exec(pg, "reindex", reindex_swap) != 0 ||
	    keys_set(pg, "email_bidx", newid) != 0 ||
	    keys_set(pg, "email_bidx_next", oldid) != 0)
		goto fail;
	return ops_exec(pg, "reindex", "COMMIT");
fail: /* the one cleanup on failure */
	ops_exec(pg, "reindex", "ROLLBACK");
	return -1;
}

/* OLD_INDEX_KEY: its text in *val (caller wipes and frees), parsed in
 * *key. 0, or -1 (said why). */
static int
old_key(const struct cfg *c, char **val, struct ef_index_key **key)
{
	if (cfg_get(c, "OLD_INDEX_KEY", val) != CFG_OK || *val == NULL) {
		fprintf(stderr,
		    "encdb: reindex: OLD_INDEX_KEY is not set: set it to the "
		    "INDEX_KEY the app uses now, and INDEX_KEY to the new "
		    "key\n");
		return -1;
	}
	if (ef_index_key_parse(*val, key) != EF_OK) {
		fprintf(stderr,
		    "encdb: reindex: OLD_INDEX_KEY: not a base64 "
		    "32-byte key\n");
		return -1;
	}
	return 0;
}

/* What a run did, and what to do next. */
static void
report(const struct sweep_stats *st, int swap)
{
	printf("reindex: %lld rows indexed under the new key in %.1f s "
	       "(%.0f rows/s), %lld failed, %lld compare-and-swap retries\n",
	    (long long)st->done, st->seconds,
	    st->seconds > 0 ? (double)st->done / st->seconds : 0.0,
	    (long long)st->failed, (long long)st->lost);
	if (st->failed > 0)
		printf("reindex: fix the rows above, then run it again%s\n",
		    swap ? ": not swapped" : "");
	else if (swap)
		printf("reindex: swapped: email_bidx is under the new key now; "
		       "restart the app with INDEX_KEY set to it\n");
	else
		printf("reindex: %lld rows left; run `encdb reindex --swap` "
		       "and restart the app with the new INDEX_KEY\n",
		    (long long)st->remaining);
}

int
ops_reindex(int argc, char *argv[])
{
	struct reindex ri, wri[SWEEP_JOBS_MAX];
	struct sweep sw;
	struct sweep_stats st;
	struct cfg c, wc[SWEEP_JOBS_MAX];
	PGconn *pg = NULL;
	uint8_t oldid[REINDEX_ID_LEN], newid[REINDEX_ID_LEN];
	char *oldval = NULL;
	int argrc;
	int swap = 0, k, rc = OPS_EXIT_SETUP;

	memset(&sw, 0, sizeof(sw));
	memset(&st, 0, sizeof(st));
	memset(&c, 0, sizeof(c));
	memset(&ri, 0, sizeof(ri));
	memset(wc, 0, sizeof(wc));
	memset(wri, 0, sizeof(wri));
	if ((argrc = sweep_args(&sw, argc, argv, reindex_usage, &swap)) != -1)
		return argrc;
	if (ops_setup(&c, CFG_NEED_DB | CFG_NEED_KEYS, &pg) != 0 ||
	    ops_audit_record("reindex", AUDIT_DECRYPT_ALL, NULL, NULL) == -1)
		goto out;
	if (old_key(&c, &oldval, &ri.old) != 0)
		goto out;
	if (ops_workers_load(wc, sw.jobs, CFG_NEED_DB | CFG_NEED_KEYS) != 0)
		goto out;
	for (k = 0; k < sw.jobs; k++) {
		wri[k].c = &wc[k];
		if (ef_index_key_parse(oldval, &wri[k].old) != EF_OK)
			goto out;
		sw.job_args[k] = &wri[k];
	}
	if (key_id(ri.old, oldid) != 0 || key_id(c.index_key, newid) != 0)
		goto out;
	if (memcmp(oldid, newid, REINDEX_ID_LEN) == 0) {
		fprintf(stderr,
		    "encdb: reindex: INDEX_KEY and OLD_INDEX_KEY "
		    "are the same key\n");
		goto out;
	}
	if ((k = keys_prepare(pg, oldid, newid)) < 0)
		goto out;
	if (k == 1) {
		printf("reindex: email_bidx is already under the new key "
		       "(swapped): nothing to do\n");
		rc = OPS_EXIT_OK;
		goto out;
	}
	ri.c = &c;
	sw.what = "reindex";
	sw.select_sql = reindex_select;
	sw.reread_sql = reindex_reread;
	sw.update_sql = reindex_update;
	sw.count_sql = reindex_count;
	sw.nout = 1;
	sw.out_oid[0] = OPS_OID_BYTEA;
	sw.transform = reindex_row;
	sw.conninfo = c.conninfo;
	sw.arg = &ri;
	if (sweep_run(pg, &sw, &st) != 0)
		goto out;
	if (swap && st.failed == 0 &&
	    reindex_do_swap(pg, &sw, &st, oldid, newid) != 0)
		goto out;
	report(&st, swap);
	rc = st.failed > 0 ? OPS_EXIT_PROBLEM : OPS_EXIT_OK;
out: /* the one cleanup */
	if (oldval != NULL) {
		ef_wipe(oldval, strlen(oldval));
		free(oldval);
	}
	ef_index_key_free(ri.old);
	for (k = 0; k < SWEEP_JOBS_MAX; k++)
		ef_index_key_free(wri[k].old);
	/* All of wc: it was zeroed, and the swap sets sw.jobs to 1 after
	 * sw.jobs workers were loaded. */
	ops_workers_free(wc, SWEEP_JOBS_MAX);
	ops_teardown(&c);
	return rc;
}
