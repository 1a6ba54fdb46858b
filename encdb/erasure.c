/*
 * erasure.c -- `encdb erasure seal|status|apply`: the erasure ledger,
 * which makes a user's deletion survive a restore of the database.
 *
 * Deleting a user deletes their wrapped data key with their row
 * (users.data_key), so that their email becomes unreadable in the live
 * database, and a trigger records the user's id and the time
 * in public.erasures, in that same transaction (sql/204): an erasure
 * committed is never lost, whatever process dies after the commit. A
 * backup taken earlier still holds the row and its data key. So `encdb
 * erasure seal`, run every minute next to `encdb audit seal` (by the same
 * user, the one holding AUDIT_SIGNING_KEY), copies the erasures not yet
 * in the ledger to the file ERASURE_LEDGER, outside the database, one
 * signed line each, chained to the line before (auditseal.c has the
 * format), and marks them with their line's seq. After a restore, `encdb
 * erasure apply` deletes, for every user the ledger lists that the
 * restored database still holds, the row with its data key, and records
 * it (erasures.applied_at and an audit entry). `encdb erasure status`
 * verifies the ledger (a removed, reordered or edited line is named) and
 * lists what is pending. The ledger holds UUIDs and times only.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "encdb.h"
#include "extern.h"
#include "ops.h"

/* One transaction-level advisory lock key for every sealer. */
#define ERASURE_LOCK "SELECT pg_advisory_xact_lock(7263512018)"

/* The ledger as read from its file. */
struct ledger {
	struct erasure_line *v; /* n lines, in file order */
	int *ok;                /* per line: 1 if signed by the key */
	size_t n;
	int problems;                 /* lines that failed a check (printed) */
	uint8_t last[AUDIT_HASH_LEN]; /* hash of the last line (prev of the
	                                 next one) */
	int64_t seq;                  /* the last line's seq, 0 if none */
};

static void
ledger_free(struct ledger *l)
{
	free(l->v);
	free(l->ok);
	memset(l, 0, sizeof(*l));
}

/* Print one problem of line lineno. */
static void
ledger_problem(
    struct ledger *l, const char *path, size_t lineno, const char *what)
{
	printf("TAMPERED %s line %zu: %s\n", path, lineno, what);
	l->problems++;
}

/*
 * Read and check the ledger at path against pub: every line parses and is
 * signed by pub's key, its seq is one more than the line before and its
 * prev the hash of the line before. Every problem is printed and counted
 * in l->problems; lines that verify are kept with ok set. A missing file
 * is an empty ledger. 0, or -1 (printed) if the file cannot be read.
 */
static int
ledger_read(
    const char *path, const uint8_t pub[AUDIT_KEY_LEN], struct ledger *l)
{
	char line[AUDIT_CP_LINE_MAX + 2], why[128];
	struct erasure_line e;
	enum audit_cp_err ce;
	size_t lineno = 0, cap = 0;
	FILE *f;
	int rc;

	memset(l, 0, sizeof(*l));
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "encdb: erasure: cannot read %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while ((rc = ops_read_line(f, line, sizeof(line))) != 0) {
		lineno++;
		if (rc == -1) {
			ledger_problem(l, path, lineno, "line too long");
			/* Skip the rest of that line. */
			while (
			    (rc = ops_read_line(f, line, sizeof(line))) == -1)
				;
			continue;
		}
		if ((ce = erasure_line_parse(line, pub, &e)) != AUDIT_CP_OK) {
			ledger_problem(l, path, lineno, audit_cp_strerror(ce));
			/* The chain goes on from what the line says. */
			erasure_line_hash(line, l->last);
			l->seq++;
			continue;
		}
		if (e.seq != l->seq + 1) {
			snprintf(why, sizeof(why),
			    "seq %lld follows seq %lld: a line was "
			    "removed, inserted or moved",
			    (long long)e.seq, (long long)l->seq);
			ledger_problem(l, path, lineno, why);
		} else if (memcmp(e.prev, l->last, AUDIT_HASH_LEN) != 0)
			ledger_problem(l, path, lineno,
			    "does not follow the line before it "
			    "(a line was removed or edited)");
		if (l->n == cap) {
			void *nv, *nok;

			cap = cap ? 2 * cap : 64;
			nv = realloc(l->v, cap * sizeof(*l->v));
			if (nv != NULL)
				l->v = nv;
			nok = realloc(l->ok, cap * sizeof(*l->ok));
			if (nok != NULL)
				l->ok = nok;
			if (nv == NULL || nok == NULL) {
				fprintf(stderr, "encdb: out of memory\n");
				fclose(f);
				ledger_free(l);
				return -1;
			}
		}
		l->v[l->n] = e;
		l->ok[l->n] = 1;
		l->n++;
		erasure_line_hash(line, l->last);
		l->seq = e.seq;
	}
	fclose(f);
	return 0;
}

/* The ledger's path and the public key to check it with; 0 or -1. */
static int
ledger_setup(const struct cfg *c, const char *what, const char *opt,
    char **path, uint8_t pub[AUDIT_KEY_LEN])
{
	if (ops_state_path(c, "ERASURE_LEDGER", "erasure-ledger", opt, path) ==
	    -1)
		return -1;
	return ops_verify_key(c, what, pub);
}

/* Common options: --ledger FILE. -1 to go on, else the exit status. */
static int
ledger_args(int argc, char *argv[], const char *name, const char **opt)
{
	static const struct option longopts[] = {
	    {"ledger", required_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	*opt = NULL;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "l:", longopts, NULL)) != -1) {
		if (ch != 'l') {
			encdb_usage(stderr, name);
			return OPS_EXIT_USAGE;
		}
		*opt = optarg;
	}
	if (optind != argc) {
		encdb_usage(stderr, name);
		return OPS_EXIT_USAGE;
	}
	return -1;
}

/* The line of the ledger that lists user, or NULL. */
static const struct erasure_line *
ledger_find(const struct ledger *l, const char *user)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->ok[i] && strcmp(l->v[i].user, user) == 0)
			return &l->v[i];
	return NULL;
}

/* Run a statement with text parameters; the result, or NULL (printed). */
static PGresult *
run(PGconn *pg, const char *what, const char *sql, int n, const char *const *v,
    ExecStatusType want)
{
	PGresult *r = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);

	if (PQresultStatus(r) != want) {
		ops_pg_error(what, r, pg);
		PQclear(r);
		return NULL;
	}
	return r;
}

/* ---- seal ------------------------------------------------------------ */

static int
erasure_seal_cmd(int argc, char *argv[])
{
	static const char pending_sql[] =
	    "SELECT user_id::text, to_char(erased_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM public.erasures WHERE ledger_seq IS NULL"
	    " ORDER BY erased_at, user_id FOR UPDATE";
	static const char mark_sql[] =
	    "UPDATE public.erasures SET ledger_seq = $2::bigint"
	    " WHERE user_id = $1::uuid";
	struct audit_signing_key k;
	struct erasure_line e;
	const struct erasure_line *have;
	struct ledger l;
	struct cfg c;
	PGconn *pg = NULL;
	PGresult *r = NULL, *m;
	char line[AUDIT_CP_LINE_MAX], seq[24], *path = NULL;
	const char *opt, *v[2];
	int i, n, added = 0, marked = 0, argrc, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	memset(&l, 0, sizeof(l));
	if ((argrc = ledger_args(argc, argv, "erasure seal", &opt)) != -1)
		return argrc;
	/* The lock first: a second sealer reads the ledger after this one
	 * has appended to it. */
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0 ||
	    ops_signing_key(&c, "erasure seal", &k) == -1 ||
	    ops_state_path(
	        &c, "ERASURE_LEDGER", "erasure-ledger", opt, &path) == -1 ||
	    ops_exec(pg, "erasure seal", "BEGIN") != 0 ||
	    ops_exec(pg, "erasure seal", ERASURE_LOCK) != 0 ||
	    ledger_read(path, k.pub, &l) == -1)
		goto out;
	if (l.problems > 0) {
		printf("erasure seal: the ledger fails its checks (above): "
		       "nothing appended; keep a copy of it and investigate\n");
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	if ((r = run(pg, "erasure seal", pending_sql, 0, NULL,
	         PGRES_TUPLES_OK)) == NULL)
		goto out;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		/* Listed by an earlier run that died before its commit. */
		if ((have = ledger_find(&l, PQgetvalue(r, i, 0))) != NULL)
			snprintf(
			    seq, sizeof(seq), "%lld", (long long)have->seq);
		else {
			memset(&e, 0, sizeof(e));
			e.seq = l.seq + 1;
			snprintf(
			    e.user, sizeof(e.user), "%s", PQgetvalue(r, i, 0));
			snprintf(
			    e.time, sizeof(e.time), "%s", PQgetvalue(r, i, 1));
			memcpy(e.prev, l.last, AUDIT_HASH_LEN);
			if (erasure_line_format(&e, &k, line, sizeof(line)) ==
			    -1) {
				fprintf(stderr,
				    "encdb: erasure seal: signing failed\n");
				goto out;
			}
			/* The file first: a crash before the commit leaves
			 * a line the next run finds and marks. */
			if (ops_append_line("erasure seal", path, line) == -1)
				goto out;
			erasure_line_hash(line, l.last);
			l.seq = e.seq;
			snprintf(seq, sizeof(seq), "%lld", (long long)e.seq);
			added++;
		}
		v[0] = PQgetvalue(r, i, 0);
		v[1] = seq;
		if ((m = run(pg, "erasure seal", mark_sql, 2, v,
		         PGRES_COMMAND_OK)) == NULL)
			goto out;
		PQclear(m);
		marked++;
	}
	if (ops_exec(pg, "erasure seal", "COMMIT") != 0)
		goto out;
	printf("erasure seal: %d erasures appended to %s (%d marked), "
	       "%lld lines in all\n",
	    added, path, marked, (long long)l.seq);
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	PQclear(r);
	ef_wipe(&k, sizeof(k));
	ledger_free(&l);
	free(path);
	ops_teardown(&c);
	return rc;
}

/* ---- status and apply ------------------------------------------------ */

/* SQL: 1 if the restored database still holds the user's row. */
static const char present_sql[] =
    "SELECT EXISTS (SELECT 1 FROM public.users WHERE id = $1::uuid)";

/* 1 if user is still present, 0 if not, -1 on error (printed). */
static int
still_present(PGconn *pg, const char *what, const char *user)
{
	PGresult *r;
	int v;

	if ((r = run(pg, what, present_sql, 1, &user, PGRES_TUPLES_OK)) == NULL)
		return -1;
	v = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return v;
}

/*
 * What the database says beside the ledger: erasures not yet sealed, and
 * the highest seq it recorded (a ledger that ends before it lost lines at
 * its end). Prints both; returns the number of problems, or -1.
 */
static int
db_side(PGconn *pg, const char *what, const char *path, const struct ledger *l)
{
	static const char sql[] =
	    "SELECT count(*) FILTER (WHERE ledger_seq IS NULL),"
	    " coalesce(max(ledger_seq), 0) FROM public.erasures";
	PGresult *r;
	long long unsealed, maxseq;
	int problems = 0;

	if ((r = run(pg, what, sql, 0, NULL, PGRES_TUPLES_OK)) == NULL)
		return -1;
	unsealed = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	maxseq = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	if (maxseq > l->seq) {
		printf("TAMPERED %s ends at seq %lld, but the database "
		       "recorded seq %lld: lines were removed from its end\n",
		    path, (long long)l->seq, maxseq);
		problems++;
	}
	if (unsealed > 0) {
		printf("erasure: %lld erasures are not in the ledger yet: run "
		       "encdb erasure seal\n",
		    unsealed);
		problems++;
	}
	return problems;
}

/*
 * The set-up of status and apply (what names the command): its options,
 * the settings c and connection *pg, the ledger's path (*path, malloc'd)
 * and the ledger read and checked into *l. Returns -1 to go on, else the
 * exit status; either way the caller frees *l, *path and c.
 */
static int
ledger_open(int argc, char *argv[], const char *what, struct cfg *c,
    PGconn **pg, char **path, struct ledger *l)
{
	uint8_t pub[AUDIT_KEY_LEN];
	const char *opt;
	int argrc;

	memset(c, 0, sizeof(*c));
	memset(l, 0, sizeof(*l));
	*pg = NULL;
	*path = NULL;
	if ((argrc = ledger_args(argc, argv, what, &opt)) != -1)
		return argrc;
	if (ops_setup(c, CFG_NEED_DB, pg) != 0 ||
	    ledger_setup(c, what, opt, path, pub) == -1 ||
	    ledger_read(*path, pub, l) == -1)
		return OPS_EXIT_SETUP;
	return -1;
}

static int
erasure_status_cmd(int argc, char *argv[])
{
	struct ledger l;
	struct cfg c;
	PGconn *pg;
	char *path;
	size_t i, pending = 0, applied = 0;
	int p, extra, rc;

	if ((rc = ledger_open(
	         argc, argv, "erasure status", &c, &pg, &path, &l)) != -1)
		goto out;
	rc = OPS_EXIT_SETUP;
	for (i = 0; i < l.n; i++) {
		if ((p = still_present(pg, "erasure status", l.v[i].user)) ==
		    -1)
			goto out;
		if (p) {
			printf("pending  %s erased %s\n", l.v[i].user,
			    l.v[i].time);
			pending++;
		} else
			applied++;
	}
	if ((extra = db_side(pg, "erasure status", path, &l)) == -1)
		goto out;
	printf("erasure status: %zu erasures in the ledger: %zu applied, %zu "
	       "pending%s; %d problems\n",
	    l.n, applied, pending,
	    pending > 0 ? " (run encdb erasure apply)" : "",
	    l.problems + extra);
	rc = pending > 0 || l.problems + extra > 0 ? OPS_EXIT_PROBLEM
	                                           : OPS_EXIT_OK;
out: /* the one cleanup */
	ledger_free(&l);
	free(path);
	ops_teardown(&c);
	return rc;
}

/* Re-apply the erasure e: the row goes, its data key with it, in one
 * transaction. 0 or -1 (printed). */
static int
apply_one(PGconn *pg, const struct erasure_line *e)
{
	static const char record_sql[] =
	    "INSERT INTO public.erasures (user_id, erased_at, ledger_seq,"
	    " applied_at) VALUES ($1::uuid, $2::timestamptz, $3::bigint,"
	    " now()) ON CONFLICT (user_id) DO UPDATE SET applied_at = now(),"
	    " ledger_seq = coalesce(public.erasures.ledger_seq,"
	    " EXCLUDED.ledger_seq)";
	static const char user_sql[] =
	    "DELETE FROM public.users WHERE id = $1::uuid";
	struct ops_audit x;
	struct audit_entry a;
	PGresult *r;
	char seq[24];
	const char *v[3];

	snprintf(seq, sizeof(seq), "%lld", (long long)e->seq);
	v[0] = e->user;
	v[1] = e->time;
	v[2] = seq;
	if (ops_exec(pg, "erasure apply", "BEGIN") != 0)
		return -1;
	if ((r = run(pg, "erasure apply", record_sql, 3, v,
	         PGRES_COMMAND_OK)) == NULL)
		goto fail;
	PQclear(r);
	if ((r = run(pg, "erasure apply", user_sql, 1, v, PGRES_COMMAND_OK)) ==
	    NULL)
		goto fail;
	PQclear(r);
	a = *ops_audit_entry(&x, "erasure apply", AUDIT_DELETE);
	a.subject = e->user;
	a.detail = "erasure re-applied from the ledger";
	if (audit_record(&a) != DB_OK) {
		fprintf(stderr,
		    "encdb: erasure apply: cannot write the audit "
		    "trail; nothing done\n");
		goto fail;
	}
	return ops_exec(pg, "erasure apply", "COMMIT");
fail: /* the one way out of a failed transaction */
	(void)ops_exec(pg, "erasure apply", "ROLLBACK");
	return -1;
}

static int
erasure_apply_cmd(int argc, char *argv[])
{
	struct ledger l;
	struct cfg c;
	PGconn *pg;
	char *path;
	size_t i, done = 0, before = 0;
	int p, rc;

	if ((rc = ledger_open(
	         argc, argv, "erasure apply", &c, &pg, &path, &l)) != -1)
		goto out;
	rc = OPS_EXIT_SETUP;
	/* Lines whose signature verifies are applied even when the chain
	 * is broken: each was written by the sealer. */
	for (i = 0; i < l.n; i++) {
		if ((p = still_present(pg, "erasure apply", l.v[i].user)) == -1)
			goto out;
		if (!p) {
			before++;
			continue;
		}
		if (apply_one(pg, &l.v[i]) == -1)
			goto out;
		printf("applied  %s erased %s: data key and row deleted\n",
		    l.v[i].user, l.v[i].time);
		done++;
	}
	printf("erasure apply: %zu erasures applied, %zu were already; %d "
	       "ledger problems\n",
	    done, before, l.problems);
	rc = l.problems > 0 ? OPS_EXIT_PROBLEM : OPS_EXIT_OK;
out: /* the one cleanup */
	ledger_free(&l);
	free(path);
	ops_teardown(&c);
	return rc;
}

int
ops_erasure_keys_present(const struct cfg *c, PGconn *pg, int64_t *n)
{
	static const char sql[] =
	    "SELECT EXISTS (SELECT 1 FROM public.users"
	    " WHERE id = $1::uuid AND data_key IS NOT NULL)";
	uint8_t pub[AUDIT_KEY_LEN];
	struct ledger l;
	PGresult *r;
	char *path = NULL;
	const char *v[1];
	size_t i;
	int rc = -1;

	*n = 0;
	memset(&l, 0, sizeof(l));
	if (ledger_setup(c, "check", NULL, &path, pub) == -1 ||
	    ledger_read(path, pub, &l) == -1)
		goto out;
	for (i = 0; i < l.n; i++) {
		v[0] = l.v[i].user;
		if ((r = run(pg, "check", sql, 1, v, PGRES_TUPLES_OK)) == NULL)
			goto out;
		if (strcmp(PQgetvalue(r, 0, 0), "t") == 0)
			(*n)++;
		PQclear(r);
	}
	rc = l.problems;
out: /* the one cleanup */
	ledger_free(&l);
	free(path);
	return rc;
}

int
ops_erasure(int argc, char *argv[])
{
	if (argc < 2) {
		encdb_help_group(stderr, "erasure");
		return OPS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "seal") == 0)
		return erasure_seal_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return erasure_status_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "apply") == 0)
		return erasure_apply_cmd(argc - 1, argv + 1);
	fprintf(stderr, "encdb: erasure: unknown subcommand %s\n", argv[1]);
	encdb_help_group(stderr, "erasure");
	return OPS_EXIT_USAGE;
}
