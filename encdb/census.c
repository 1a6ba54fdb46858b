/*
 * census.c -- `encdb verify` and `encdb status`: what the stored emails are
 * made of.
 *
 * verify decrypts every row (keyset pages in id order, one connection, no
 * writes): v1 values with FIELD_KEYS, legacy ones with POSTGRES_SECRET_KEY
 * and LEGACY_ENGINE, and checks each blind index against INDEX_KEY. It
 * counts rows per key id and per legacy engine, names every failing row by
 * id and reason class (unknown key id, authentication failed, malformed,
 * blind index mismatch, ...), never by value, and exits 1 on any failure.
 *
 * status is the same census without any key: SQL on the first bytes of
 * the values (lib/census.c, shared with the /admin/census page).
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "encdb.h"
#include "ops.h"

#define VERIFY_PAGE "5000"

/* Failure classes, counted and named in the report. */
enum verify_fail {
	VF_UNKNOWN_KEY, /* v1 under a key id not in FIELD_KEYS */
	VF_AUTH,        /* v1/legacy authentication failed (tampered, moved) */
	VF_MALFORMED,   /* neither v1 nor legacy, or a damaged value */
	VF_NO_KEY,      /* no FIELD_KEYS / POSTGRES_SECRET_KEY for the kind */
	VF_BIDX,        /* blind index does not match INDEX_KEY */
	VF_OTHER,       /* any other decryption error */
	VF__MAX
};

static const char *const verify_fails[VF__MAX] = {
    "unknown key id",                /* VF_UNKNOWN_KEY */
    "authentication failed",         /* VF_AUTH */
    "malformed",                     /* VF_MALFORMED */
    "no key for this kind of value", /* VF_NO_KEY */
    "blind index does not match",    /* VF_BIDX */
    "other decryption error",        /* VF_OTHER */
};

static enum verify_fail
verify_class(int e)
{
	switch (e) {
	case EF_ERR_UNKNOWN_KEY:
		return VF_UNKNOWN_KEY;
	case EF_ERR_AUTH:
		return VF_AUTH;
	case EF_ERR_MALFORMED:
		return VF_MALFORMED;
	case EF_ERR_NO_LEGACY:
	case EF_ERR_KEY_NONE:
		return VF_NO_KEY;
	default:
		return VF_OTHER;
	}
}

struct verify_counts {
	int64_t rows, ok, legacy, nobidx;
	int64_t per_key[65536]; /* v1 rows decrypted, by key id */
	int64_t env_key[65536]; /* envelope rows, by their data key's key id */
	int64_t fails[VF__MAX];
};

/* Check one row; print it when it fails. Returns 0 ok, 1 failed. */
static int
verify_row(
    const struct cfg *c, struct verify_counts *vc, const PGresult *r, int i)
{
	const uint8_t *id = (const uint8_t *)PQgetvalue(r, i, 0);
	const uint8_t *v = (const uint8_t *)PQgetvalue(r, i, 1);
	size_t len = (size_t)PQgetlength(r, i, 1), ptlen = 0;
	uint8_t bidx[EF_BIDX_LEN];
	enum verify_fail f;
	char *pt = NULL, idtext[37];
	uint16_t kid = 0;
	int e;

	e = users_decrypt_email(c, id,
	    PQgetisnull(r, i, 3) ? NULL : (const uint8_t *)PQgetvalue(r, i, 3),
	    (size_t)PQgetlength(r, i, 3), v, len, &pt, &ptlen, NULL);
	if (e == EF_OK && !PQgetisnull(r, i, 2) && c->index_key != NULL) {
		if (ef_blind_index(c->index_key, pt, ptlen, bidx) != EF_OK ||
		    PQgetlength(r, i, 2) != EF_BIDX_LEN ||
		    !ef_ct_equal(bidx, PQgetvalue(r, i, 2), EF_BIDX_LEN)) {
			ef_free_plain(pt, ptlen);
			f = VF_BIDX;
			goto fail;
		}
	}
	ef_free_plain(pt, ptlen);
	if (e != EF_OK) {
		f = verify_class(e);
		goto fail;
	}
	if (PQgetisnull(r, i, 2))
		vc->nobidx++;
	if (ef_value_key_id(v, len, &kid) == EF_OK)
		vc->per_key[kid]++;
	else if (ef_value_kind(v, len) == EF_KIND_ENVELOPE &&
	    ef_value_key_id((const uint8_t *)PQgetvalue(r, i, 3),
	        (size_t)PQgetlength(r, i, 3), &kid) == EF_OK)
		vc->env_key[kid]++;
	else
		vc->legacy++;
	vc->ok++;
	return 0;
fail: /* the one report of a failing row */
	vc->fails[f]++;
	if (PQgetlength(r, i, 0) == 16) {
		ops_uuid_text(id, idtext);
		printf("FAIL %s: %s", idtext, verify_fails[f]);
		if (f == VF_UNKNOWN_KEY &&
		    ef_value_key_id(v, len, &kid) == EF_OK)
			printf(" (key id %u)", (unsigned)kid);
		putchar('\n');
	}
	return 1;
}

static void
verify_usage(FILE *f)
{
	encdb_usage(f, "verify");
}

int
ops_verify(int argc, char *argv[])
{
	static const char page_sql[] =
	    "SELECT id, email, email_bidx, data_key FROM public.users"
	    " WHERE id > $1::uuid ORDER BY id LIMIT " VERIFY_PAGE;
	struct verify_counts *vc = NULL;
	struct ops_progress prog;
	struct cfg c;
	PGconn *pg = NULL;
	PGresult *r = NULL;
	uint8_t last[16];
	const char *values[1];
	int lengths[1] = {16}, formats[1] = {1};
	int64_t total, failed = 0;
	double secs;
	int i, n, f, rc = OPS_EXIT_SETUP;
	unsigned k;

	memset(&c, 0, sizeof(c));
	if (argc > 1) {
		encdb_err("verify: unexpected argument %s", argv[1]);
		verify_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0 ||
	    ops_audit_record("verify", AUDIT_DECRYPT_ALL, NULL, NULL) == -1)
		goto out;
	if ((vc = calloc(1, sizeof(*vc))) == NULL) {
		fprintf(stderr, "encdb: verify: out of memory\n");
		goto out;
	}
	total = ops_count(
	    pg, "verify", "SELECT count(*) FROM public.users", 0, NULL);
	if (total < 0)
		goto out;
	ops_progress_start(&prog, "verify", total);
	memset(last, 0, sizeof(last));
	for (;;) {
		values[0] = (const char *)last;
		r = PQexecParams(
		    pg, page_sql, 1, NULL, values, lengths, formats, 1);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			ops_pg_error("verify", r, pg);
			goto out;
		}
		if ((n = PQntuples(r)) == 0)
			break;
		for (i = 0; i < n; i++) {
			vc->rows++;
			failed += verify_row(&c, vc, r, i);
		}
		if (PQgetlength(r, n - 1, 0) != 16)
			goto out;
		memcpy(last, PQgetvalue(r, n - 1, 0), 16);
		ops_progress_add(&prog, n);
		PQclear(r);
		r = NULL;
	}
	secs = ops_progress_end(&prog);
	printf("verify: %lld rows in %.1f s: %lld ok, %lld failed\n",
	    (long long)vc->rows, secs, (long long)vc->ok, (long long)failed);
	for (k = 0; k < 65536; k++)
		if (vc->per_key[k] > 0)
			printf("  v1 key %u: %lld rows%s\n", k,
			    (long long)vc->per_key[k],
			    c.keys != NULL && k == ef_keyring_active(c.keys)
			        ? " (active)"
			        : "");
	for (k = 0; k < 65536; k++)
		if (vc->env_key[k] > 0)
			printf("  envelope, data key under key %u: %lld "
			       "rows%s\n",
			    k, (long long)vc->env_key[k],
			    c.keys != NULL && k == ef_keyring_active(c.keys)
			        ? " (active)"
			        : "");
	if (vc->legacy > 0) {
		char *engine = NULL;

		if (cfg_get(&c, "LEGACY_ENGINE", &engine) != CFG_OK)
			engine = NULL;
		printf("  legacy %s: %lld rows\n",
		    engine != NULL ? engine : "aes-cbc-pkcs5",
		    (long long)vc->legacy);
		free(engine);
	}
	if (vc->nobidx > 0)
		printf("  without blind index: %lld rows\n",
		    (long long)vc->nobidx);
	for (f = 0; f < VF__MAX; f++)
		if (vc->fails[f] > 0)
			printf("  failed, %s: %lld rows\n", verify_fails[f],
			    (long long)vc->fails[f]);
	rc = failed > 0 ? OPS_EXIT_PROBLEM : OPS_EXIT_OK;
out: /* the one cleanup */
	PQclear(r);
	free(vc);
	ops_teardown(&c);
	return rc;
}

static void row(const char *label, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line of the status table: "label:", padded, then the value. */
static void
row(const char *label, const char *fmt, ...)
{
	char colon[40];
	va_list ap;

	snprintf(colon, sizeof(colon), "%s:", label);
	printf("%-24s", colon);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int
ops_status(int argc, char *argv[])
{
	struct census cs;
	struct cfg c;
	PGconn *pg = NULL;
	char label[40];
	size_t i;
	int rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	memset(&cs, 0, sizeof(cs));
	if (argc > 1) {
		encdb_err("status: unexpected argument %s", argv[1]);
		encdb_usage(stderr, "status");
		return OPS_EXIT_USAGE;
	}
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0)
		goto out;
	if (census_status(&cs) != DB_OK) {
		fprintf(stderr,
		    "encdb: status: the census failed (is the "
		    "schema migrated? see `encdb check`)\n");
		goto out;
	}
	row("schema version", "%d", cs.schema_version);
	row("users", "%lld", (long long)cs.users);
	for (i = 0; i < cs.nkeys; i++) {
		if (cs.keys[i].v1 == 0)
			continue;
		snprintf(
		    label, sizeof(label), "  v1 key %u", cs.keys[i].key_id);
		row(label, "%lld", (long long)cs.keys[i].v1);
	}
	if (cs.envelope > 0)
		row("  envelope", "%lld (own data key)",
		    (long long)cs.envelope);
	row("  legacy", "%lld", (long long)cs.legacy);
	if (cs.other > 0)
		row("  unknown format", "%lld", (long long)cs.other);
	for (i = 0; i < cs.nkeys; i++) {
		snprintf(
		    label, sizeof(label), "field key %u", cs.keys[i].key_id);
		row(label, "%lld v1 emails, %lld data keys%s",
		    (long long)cs.keys[i].v1, (long long)cs.keys[i].data_keys,
		    c.keys != NULL &&
		            cs.keys[i].key_id == ef_keyring_active(c.keys)
		        ? " (active)"
		        : "");
	}
	row("without blind index", "%lld", (long long)cs.no_bidx);
	if (cs.bidx_next > 0)
		row("with next blind index", "%lld (reindex)",
		    (long long)cs.bidx_next);
	row("legacy password hashes", "%lld%s", (long long)cs.pw_legacy,
	    cs.pw_legacy > 0 ? " (replaced at each owner's next login; "
	                       "SECRET_KEY is needed until 0)"
	                     : "");
	row("sessions", "%lld", (long long)cs.sessions);
	row("api tokens", "%lld active, %lld revoked", (long long)cs.tokens,
	    (long long)cs.tokens_revoked);
	row("audit entries", "%lld", (long long)cs.audit_entries);
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	census_free(&cs);
	ops_teardown(&c);
	return rc;
}
