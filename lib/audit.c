/*
 * audit.c -- the access audit trail: who saw or changed whose record, when,
 * through which route and from where (sql/100_audit_log.sql).
 *
 * Entries form a hash chain: entry n stores prev_hash = hash(n-1) and
 * hash(n) = SHA-256(prev_hash || public.audit_canonical(entry n)), with 32
 * zero bytes before the first entry. Appending is ONE statement: a CTE
 * that advances the single-row chain head (seq + 1, prev = hash, hash =
 * the new hash, all computed from the head's old values in one UPDATE)
 * and inserts the entry from what the UPDATE returned. The head's row
 * lock serialises concurrent writers, so the chain never forks; the cost
 * on the read path is one round trip.
 *
 * Verification recomputes every hash in C from the canonical bytes the
 * server returns, so an entry edited in place (hash mismatch), removed
 * (seq gap), or relinked (prev_hash mismatch), and a removed tail (head
 * disagrees), are each found and the first broken entry is named.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

#define AUDIT_HASH_LEN 32
#define AUDIT_PAGE     "5000" /* entries fetched per verification query */

static const char *const audit_actions[AUDIT__MAX] = {
    "read",   /* AUDIT_READ */
    "list",   /* AUDIT_LIST */
    "create", /* AUDIT_CREATE */
    "update", /* AUDIT_UPDATE */
    "delete", /* AUDIT_DELETE */
};

static const char *const audit_breaks[AUDIT_BREAK__MAX] = {
    "chain intact",                                   /* AUDIT_BREAK_NONE */
    "entry missing before this one (sequence gap)",   /* AUDIT_BREAK_GAP */
    "entry does not link to the previous entry",      /* AUDIT_BREAK_LINK */
    "entry edited (hash does not match its content)", /* AUDIT_BREAK_HASH */
    "chain head disagrees with the last entry (entries removed at the end)",
    /* AUDIT_BREAK_HEAD */
};

/* The append: one statement, see the file comment. */
static const struct db_stmt audit_insert = {
    "audit_record",
    "WITH h AS (UPDATE public.audit_head SET seq = seq + 1, prev = hash,"
    " hash = pg_catalog.sha256(hash || public.audit_canonical(seq + 1,"
    " pg_catalog.now(), $1::text, $2::text, $3::text, $4::text, $5::text))"
    " WHERE id = 1 RETURNING seq, prev, hash)"
    " INSERT INTO public.audit_log (seq, at, actor, subject, route, action,"
    " client_addr, prev_hash, hash)"
    " SELECT h.seq, pg_catalog.now(), $1, $2, $3, $4, $5, h.prev, h.hash"
    " FROM h",
    5,
};

const char *
audit_action_name(enum audit_action a)
{
	if ((unsigned)a >= AUDIT__MAX)
		return "unknown";
	return audit_actions[a];
}

const char *
audit_break_str(enum audit_break b)
{
	if ((unsigned)b >= AUDIT_BREAK__MAX)
		return "unknown chain error";
	return audit_breaks[b];
}

enum db_err
audit_record(const struct audit_entry *e)
{
	const char *values[5];
	PGresult *res = NULL;
	enum db_err rc;

	if (e == NULL || e->actor == NULL || e->route == NULL ||
	    (unsigned)e->action >= AUDIT__MAX) {
		LOG_ERR("invalid audit entry");
		return DB_ERROR;
	}
	values[0] = e->actor;
	values[1] = e->subject;
	values[2] = e->route;
	values[3] = audit_actions[e->action];
	values[4] = e->client_addr;
	rc = db_exec(&audit_insert, values, NULL, NULL, &res);
	if (rc != DB_OK)
		goto out;
	/* No head row (schema not migrated, head deleted): nothing inserted. */
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		LOG_ERR("audit entry not recorded: audit_head missing");
		rc = DB_ERROR;
	}
out: /* the one cleanup */
	PQclear(res);
	return rc;
}

enum db_err
audit_request(const struct app *a, const char *subject,
              enum audit_action action)
{
	struct audit_entry e;
	char actor[64], route[96];
	const char *via;

	if (a == NULL || a->r == NULL)
		return DB_ERROR;
	switch (a->who.via) {
	case AUTH_VIA_SESSION:
		via = "session";
		break;
	case AUTH_VIA_BEARER:
		via = "token";
		break;
	default:
		via = "none";
		break;
	}
	snprintf(actor, sizeof(actor), "user:%s via %s",
	         a->who.user_id[0] != '\0' ? a->who.user_id : "-", via);
	snprintf(route, sizeof(route), "%s %s", req_method_name(a->r->method),
	         a->r->script_name != NULL && a->r->script_name[0] != '\0'
	             ? a->r->script_name
	             : "-");
	e.actor = actor;
	e.subject = subject;
	e.route = route;
	e.action = action;
	e.client_addr = a->r->remote_addr != NULL && a->r->remote_addr[0]
	                    ? a->r->remote_addr
	                    : NULL;
	return audit_record(&e);
}

enum audit_break
audit_chain_step(int64_t expect_seq, const uint8_t prev[32], int64_t seq,
                 const uint8_t *canon, size_t canonlen,
                 const uint8_t prev_hash[32], const uint8_t hash[32])
{
	uint8_t calc[AUDIT_HASH_LEN];
	gcry_md_hd_t md;

	if (seq != expect_seq)
		return AUDIT_BREAK_GAP;
	if (memcmp(prev, prev_hash, AUDIT_HASH_LEN) != 0)
		return AUDIT_BREAK_LINK;
	if (gcry_md_open(&md, GCRY_MD_SHA256, 0) != 0)
		return AUDIT_BREAK_HASH; /* cannot vouch for it */
	gcry_md_write(md, prev_hash, AUDIT_HASH_LEN);
	if (canonlen > 0)
		gcry_md_write(md, canon, canonlen);
	memcpy(calc, gcry_md_read(md, GCRY_MD_SHA256), AUDIT_HASH_LEN);
	gcry_md_close(md);
	if (memcmp(calc, hash, AUDIT_HASH_LEN) != 0)
		return AUDIT_BREAK_HASH;
	return AUDIT_BREAK_NONE;
}

/* The server's one-line reason for a failed result (no values). */
static const char *
pg_reason(const PGresult *r)
{
	const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	return m != NULL ? m : "connection lost";
}

/* A big-endian int8 from a binary result field. */
static int64_t
get_int8(const PGresult *r, int row, int col)
{
	const unsigned char *p;
	uint64_t v = 0;
	int i;

	if (PQgetlength(r, row, col) != 8)
		return -1;
	p = (const unsigned char *)PQgetvalue(r, row, col);
	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (int64_t)v;
}

enum db_err
audit_verify(struct audit_report *out)
{
	static const char page_sql[] =
	    "SELECT seq, prev_hash, hash, public.audit_canonical(seq, at,"
	    " actor, subject, route, action, client_addr)"
	    " FROM public.audit_log WHERE seq > $1::bigint ORDER BY seq"
	    " LIMIT " AUDIT_PAGE;
	static const char head_sql[] =
	    "SELECT seq, hash FROM public.audit_head WHERE id = 1";
	uint8_t prev[AUDIT_HASH_LEN];
	char after[32];
	const char *values[1];
	PGresult *r = NULL;
	PGconn *pg;
	enum db_err rc;
	int64_t last = 0, seq;
	int i, n;

	memset(out, 0, sizeof(*out));
	memset(prev, 0, sizeof(prev));
	if ((rc = db_connect()) != DB_OK)
		return rc;
	pg = db_handle();
	rc = DB_ERROR;
	for (;;) {
		snprintf(after, sizeof(after), "%lld", (long long)last);
		values[0] = after;
		r = PQexecParams(pg, page_sql, 1, NULL, values, NULL, NULL, 1);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			LOG_ERR("reading the audit trail: %s", pg_reason(r));
			goto out;
		}
		n = PQntuples(r);
		if (n == 0)
			break;
		for (i = 0; i < n; i++) {
			seq = get_int8(r, i, 0);
			if (PQgetlength(r, i, 1) != AUDIT_HASH_LEN ||
			    PQgetlength(r, i, 2) != AUDIT_HASH_LEN) {
				out->brk = AUDIT_BREAK_HASH;
				out->bad_seq = seq;
				rc = DB_OK;
				goto out;
			}
			out->brk = audit_chain_step(
			    last + 1, prev, seq,
			    (const uint8_t *)PQgetvalue(r, i, 3),
			    (size_t)PQgetlength(r, i, 3),
			    (const uint8_t *)PQgetvalue(r, i, 1),
			    (const uint8_t *)PQgetvalue(r, i, 2));
			if (out->brk != AUDIT_BREAK_NONE) {
				out->bad_seq = seq;
				rc = DB_OK;
				goto out;
			}
			memcpy(prev, PQgetvalue(r, i, 2), AUDIT_HASH_LEN);
			last = seq;
			out->entries++;
		}
		PQclear(r);
		r = NULL;
	}
	PQclear(r);
	r = PQexecParams(pg, head_sql, 0, NULL, NULL, NULL, NULL, 1);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		LOG_ERR("reading the audit head: %s", pg_reason(r));
		goto out;
	}
	if (PQntuples(r) != 1 || get_int8(r, 0, 0) != last ||
	    PQgetlength(r, 0, 1) != AUDIT_HASH_LEN ||
	    memcmp(PQgetvalue(r, 0, 1), prev, AUDIT_HASH_LEN) != 0) {
		out->brk = AUDIT_BREAK_HEAD;
		out->bad_seq = last + 1;
	}
	rc = DB_OK;
out: /* the one cleanup */
	PQclear(r);
	return rc;
}
