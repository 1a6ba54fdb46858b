/*
 * rotate.c -- `encdb rotate`: move everything under the active key of
 * FIELD_KEYS, while the app keeps serving. A user with a data key of its
 * own (users.data_key, sql/208) needs one small value re-wrapped, whatever
 * their fields: the data key is unwrapped with the old key and wrapped
 * again with the active one, in place; their fields stay as they are.
 * data_key is in no index, so that update is HOT (sql/103). Emails still
 * in format v1 (rows made before data keys, until `encdb upgrade`) are
 * re-encrypted whole.
 *
 * Deploy first: FIELD_KEYS with the new key first (active) and the old
 * ones after it, in the app and here; then rotate. Rows are rewritten in
 * batches by the sweep engine (encdb/sweep.c): keyset by id, one
 * compare-and-swap UPDATE per batch, lost rows re-read and retried, so a
 * concurrent update by the app is never overwritten. The work left is in
 * the data (rows whose header names another key id), so a killed run is
 * resumed by running it again. Legacy rows are left to `encdb upgrade`;
 * rows that do not decrypt are named by id and reason and skipped (exit
 * status 1). updated_at is not touched: the data did not change.
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

static const char rotate_select[] =
    "SELECT id, CASE WHEN public.encdb_value_kind(email) = 'v1'"
    " AND octet_length(email) >= 4"
    " AND substring(email FROM 3 FOR 2) <> $4::bytea THEN email END, ctid"
    " FROM (SELECT id, email, ctid FROM public.users WHERE id > $1::uuid"
    " AND id <= $3::uuid ORDER BY id LIMIT $2::int) AS w ORDER BY id";

static const char rotate_reread[] =
    "SELECT id, email, ctid FROM public.users WHERE id = ANY($1::uuid[])";

static const char rotate_update[] =
    "UPDATE public.users AS u SET email = v.new"
    " FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::tid[])"
    " AS v(id, old, new, tid)"
    " WHERE u.ctid = v.tid AND u.id = v.id AND u.email = v.old"
    " RETURNING u.id";

static const char rotate_count[] =
    "SELECT count(*) FROM public.users"
    " WHERE public.encdb_value_kind(email) = 'v1'"
    " AND octet_length(email) >= 4"
    " AND substring(email FROM 3 FOR 2) <> $1::bytea";

static const char rotate_legacy[] =
    "SELECT count(*) FROM public.users"
    " WHERE public.encdb_value_kind(email) = 'legacy'";

/* The wrapped data keys not under the active key ($4: its id, 2 bytes). */
static const char rewrap_select[] =
    "SELECT id, CASE WHEN octet_length(data_key) >= 4"
    " AND substring(data_key FROM 3 FOR 2) <> $4::bytea THEN data_key END,"
    " ctid FROM (SELECT id, data_key, ctid FROM public.users"
    " WHERE id > $1::uuid AND id <= $3::uuid"
    " ORDER BY id LIMIT $2::int) AS w ORDER BY id";

static const char rewrap_reread[] =
    "SELECT id, data_key, ctid FROM public.users WHERE id = ANY($1::uuid[])";

static const char rewrap_update[] =
    "UPDATE public.users AS u SET data_key = v.new"
    " FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::tid[])"
    " AS v(id, old, new, tid)"
    " WHERE u.ctid = v.tid AND u.id = v.id AND u.data_key = v.old"
    " RETURNING u.id";

static const char rewrap_count[] =
    "SELECT count(*) FROM public.users"
    " WHERE octet_length(data_key) >= 4"
    " AND substring(data_key FROM 3 FOR 2) <> $1::bytea";

static enum sweep_verdict
rewrap_row(void *arg, const uint8_t id[16], const PGresult *r, int row,
    struct sweep_out *out)
{
	const struct ef_keyring *kr = arg;
	const uint8_t *w = (const uint8_t *)PQgetvalue(r, row, 1);
	size_t wlen = (size_t)PQgetlength(r, row, 1), nwlen;
	uint8_t dk[EF_KEY_LEN], *nw = NULL;
	uint16_t kid;
	enum ef_err e;

	if (ef_value_key_id(w, wlen, &kid) == EF_OK &&
	    kid == ef_keyring_active(kr))
		return SWEEP_SKIP; /* re-wrapped meanwhile */
	if ((e = ef_dk_unwrap(kr, USERS_TABLE, id, w, wlen, dk)) != EF_OK) {
		out->reason = ops_reason(e);
		return SWEEP_FAIL;
	}
	e = ef_dk_wrap(kr, USERS_TABLE, id, dk, &nw, &nwlen);
	ef_wipe(dk, sizeof(dk));
	if (e != EF_OK) {
		out->reason = ops_reason(e);
		return SWEEP_FAIL;
	}
	out->v[0] = nw;
	out->len[0] = nwlen;
	return SWEEP_DO;
}

static enum sweep_verdict
rotate_row(void *arg, const uint8_t id[16], const PGresult *r, int row,
    struct sweep_out *out)
{
	const struct ef_keyring *kr = arg;
	const uint8_t *ct = (const uint8_t *)PQgetvalue(r, row, 1);
	size_t ctlen = (size_t)PQgetlength(r, row, 1);
	uint8_t *nv = NULL;
	size_t nvlen, ptlen;
	char *pt = NULL;
	uint16_t kid;
	enum ef_err e;

	if (ef_value_key_id(ct, ctlen, &kid) != EF_OK ||
	    kid == ef_keyring_active(kr))
		return SWEEP_SKIP; /* legacy (upgrade's job) or already done */
	e = ef_decrypt(kr, USERS_EMAIL_COLUMN, id, ct, ctlen, &pt, &ptlen);
	if (e != EF_OK) {
		out->reason = ops_reason(e);
		return SWEEP_FAIL;
	}
	e = ef_encrypt(kr, USERS_EMAIL_COLUMN, id, pt, ptlen, &nv, &nvlen);
	ef_free_plain(pt, ptlen);
	if (e != EF_OK) {
		out->reason = ops_reason(e);
		return SWEEP_FAIL;
	}
	out->v[0] = nv;
	out->len[0] = nvlen;
	return SWEEP_DO;
}

static void
rotate_usage(FILE *f)
{
	encdb_usage(f, "rotate");
}

int
ops_rotate(int argc, char *argv[])
{
	struct sweep sw, kw;
	struct sweep_stats st, kt;
	struct cfg c, wc[SWEEP_JOBS_MAX];
	PGconn *pg = NULL;
	uint8_t hdr[2];
	int argrc;
	int64_t legacy;
	int ch, rc = OPS_EXIT_SETUP;
	uint16_t active;

	memset(&sw, 0, sizeof(sw));
	memset(&st, 0, sizeof(st));
	memset(&kt, 0, sizeof(kt));
	memset(&c, 0, sizeof(c));
	memset(wc, 0, sizeof(wc));
	if ((argrc = sweep_args(&sw, argc, argv, rotate_usage, NULL)) != -1)
		return argrc;
	if (ops_setup(&c, CFG_NEED_DB | CFG_NEED_KEYS, &pg) != 0 ||
	    ops_workers_load(wc, sw.jobs, CFG_NEED_DB | CFG_NEED_KEYS) != 0 ||
	    ops_audit_record("rotate", AUDIT_DECRYPT_ALL, NULL, NULL) == -1)
		goto out;
	for (ch = 0; ch < sw.jobs; ch++)
		sw.job_args[ch] = wc[ch].keys;
	active = ef_keyring_active(c.keys);
	hdr[0] = (uint8_t)(active >> 8);
	hdr[1] = (uint8_t)active;
	sw.what = "rotate";
	sw.select_sql = rotate_select;
	sw.reread_sql = rotate_reread;
	sw.update_sql = rotate_update;
	sw.count_sql = rotate_count;
	sw.extra = hdr;
	sw.extralen = sizeof(hdr);
	sw.nout = 1;
	sw.out_oid[0] = OPS_OID_BYTEA;
	sw.transform = rotate_row;
	sw.conninfo = c.conninfo;
	sw.arg = c.keys;
	/* The data keys first: the same engine over users.data_key. */
	kw = sw;
	kw.what = "rotate (data keys)";
	kw.select_sql = rewrap_select;
	kw.reread_sql = rewrap_reread;
	kw.update_sql = rewrap_update;
	kw.count_sql = rewrap_count;
	kw.transform = rewrap_row;
	if (sweep_run(pg, &kw, &kt) != 0)
		goto out;
	printf("rotate: %lld data keys re-wrapped under key %u in %.1f s "
	       "(%.0f keys/s), %lld already current, %lld failed, %lld "
	       "compare-and-swap retries\n",
	    (long long)kt.done, (unsigned)active, kt.seconds,
	    kt.seconds > 0 ? (double)kt.done / kt.seconds : 0.0,
	    (long long)kt.skipped, (long long)kt.failed, (long long)kt.lost);
	if (kt.remaining > 0)
		printf("rotate: %lld data keys are still under another key\n",
		    (long long)kt.remaining);
	if (sweep_run(pg, &sw, &st) != 0)
		goto out;
	legacy = ops_count(pg, "rotate", rotate_legacy, 0, NULL);
	printf("rotate: %lld rows re-encrypted under key %u in %.1f s "
	       "(%.0f rows/s), %lld already current, %lld failed, %lld "
	       "compare-and-swap retries, %d pass%s\n",
	    (long long)st.done, (unsigned)active, st.seconds,
	    st.seconds > 0 ? (double)st.done / st.seconds : 0.0,
	    (long long)st.skipped, (long long)st.failed, (long long)st.lost,
	    st.passes, st.passes == 1 ? "" : "es");
	if (st.remaining > 0)
		printf("rotate: %lld rows are still under another key\n",
		    (long long)st.remaining);
	if (legacy > 0)
		printf("rotate: %lld legacy rows left: run `encdb upgrade`\n",
		    (long long)legacy);
	rc = st.failed > 0 || st.remaining > 0 || kt.failed > 0 ||
	        kt.remaining > 0
	    ? OPS_EXIT_PROBLEM
	    : OPS_EXIT_OK;
out: /* the one cleanup */
	ops_workers_free(wc, sw.jobs);
	ops_teardown(&c);
	return rc;
}
