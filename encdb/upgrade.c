/*
 * upgrade.c -- `encdb upgrade`: turn the boilerplate's rows (legacy
 * SQLAlchemy-Utils ciphertexts, base64 text) into v1 values under the
 * active key, bound to their row, with their blind index, while the app
 * keeps serving.
 *
 * Same engine as rotate (encdb/sweep.c): keyset batches, one
 * compare-and-swap UPDATE per batch, lost rows re-read and retried, and
 * the work left is in the data (rows whose email is not v1, as
 * public.encdb_value_kind tells), so it is idempotent and resumable. A
 * row that does not decrypt (wrong POSTGRES_SECRET_KEY or LEGACY_ENGINE,
 * damaged value) or whose email is already used by another row (blind
 * index taken) is named by id and reason and skipped; the exit status
 * is then 1. Legacy password hashes stay as they are: the next successful
 * login replaces them with Argon2id (the login path checks
 * ef_pw_needs_rehash).
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
    "SELECT id, CASE WHEN public.encdb_value_kind(email)"
    " NOT IN ('v1', 'envelope')"
    " THEN email END, ctid"
    " FROM (SELECT id, email, ctid FROM public.users WHERE id > $1::uuid"
    " AND id <= $3::uuid ORDER BY id LIMIT $2::int) AS w ORDER BY id";

static const char upgrade_reread[] =
    "SELECT id, email, ctid FROM public.users WHERE id = ANY($1::uuid[])";

static const char upgrade_update[] =
    "UPDATE public.users AS u SET email = v.new, email_bidx = v.bidx"
    " FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::bytea[],"
    " $5::tid[]) AS v(id, old, new, bidx, tid)"
    " WHERE u.ctid = v.tid AND u.id = v.id AND u.email = v.old"
    " RETURNING u.id";

static const char upgrade_count[] =
    "SELECT count(*) FROM public.users"
    " WHERE public.encdb_value_kind(email) NOT IN ('v1', 'envelope')";

static const char upgrade_pwcount[] =
    "SELECT count(*) FROM public.users"
    " WHERE left(password, 10) <> '$argon2id$'";

static enum sweep_verdict
upgrade_row(void *arg, const uint8_t id[16], const PGresult *r, int row,
            struct sweep_out *out)
{
	const struct cfg *c = arg;
	const uint8_t *v = (const uint8_t *)PQgetvalue(r, row, 1);
	size_t len = (size_t)PQgetlength(r, row, 1), ptlen, nvlen;
	uint8_t *nv = NULL, *bidx;
	char *pt = NULL;
	enum ef_err e;

	switch (ef_value_kind(v, len)) {
	case EF_KIND_V1:
	case EF_KIND_ENVELOPE:
		return SWEEP_SKIP; /* upgraded meanwhile */
	case EF_KIND_LEGACY:
		break;
	default:
		out->reason = "malformed";
		return SWEEP_FAIL;
	}
	if ((e = ef_legacy_decrypt(c->legacy, v, len, &pt, &ptlen)) != EF_OK) {
		out->reason = ops_reason(e);
		return SWEEP_FAIL;
	}
	if ((bidx = malloc(EF_BIDX_LEN)) == NULL) {
		e = EF_ERR_NOMEM;
		goto fail;
	}
	out->v[1] = bidx;
	out->len[1] = EF_BIDX_LEN;
	if ((e = ef_blind_index(c->index_key, pt, ptlen, bidx)) != EF_OK)
		goto fail;
	if ((e = ef_encrypt(c->keys, USERS_EMAIL_COLUMN, id, pt, ptlen, &nv,
	                    &nvlen)) != EF_OK)
		goto fail;
	ef_free_plain(pt, ptlen);
	out->v[0] = nv;
	out->len[0] = nvlen;
	return SWEEP_DO;
fail: /* the one cleanup on failure */
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
	int64_t todo, pw;
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
	if ((todo = ops_count(pg, "upgrade", upgrade_count, 0, NULL)) < 0)
		goto out;
	if (todo > 0 && c.legacy == NULL) {
		fprintf(stderr,
		        "encdb: upgrade: %lld legacy rows, but "
		        "POSTGRES_SECRET_KEY is not set: set it to the "
		        "boilerplate's field passphrase\n",
		        (long long)todo);
		goto out;
	}
	sw.what = "upgrade";
	sw.select_sql = upgrade_select;
	sw.reread_sql = upgrade_reread;
	sw.update_sql = upgrade_update;
	sw.count_sql = upgrade_count;
	sw.nout = 2;
	sw.out_oid[0] = OPS_OID_BYTEA;
	sw.out_oid[1] = OPS_OID_BYTEA;
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
	printf("upgrade: %lld rows upgraded to v1 (key %u) with blind index "
	       "in %.1f s (%.0f rows/s), %lld already done, %lld skipped, "
	       "%lld compare-and-swap retries\n",
	       (long long)st.done, (unsigned)ef_keyring_active(c.keys),
	       st.seconds, st.seconds > 0 ? (double)st.done / st.seconds : 0.0,
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
