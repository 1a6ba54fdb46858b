/*
 * audit.c -- `encdb audit seal|verify|show`: the operator's side of the
 * access audit trail (lib/audit.c records, lib/auditseal.c chains and
 * signs).
 *
 * seal extends the chain over the entries committed since the last
 * checkpoint and appends one signed checkpoint line to the checkpoints
 * file (AUDIT_CHECKPOINTS), which lives outside the database. It seals
 * only below a horizon that no running transaction can still write under:
 * it reads the last number the entries' sequence handed out, then waits
 * until every transaction that held the audit table open for writing at
 * that moment has ended (an INSERT locks the table before it draws its
 * number, so every number at or below the horizon then belongs to a
 * committed entry or to a rolled-back one, never to one still in flight).
 * A number without a row below the horizon is a gap, sealed as such; a
 * row that appears there later, or one that goes, changes the chain.
 *
 * verify checks every checkpoint's signature (AUDIT_VERIFY_KEY) and that
 * each names the one before it, then recomputes the chain from the rows in
 * the database and compares it with every checkpoint; it names the first
 * problem and exits 1. show prints entries with usernames, filtered.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "encdb.h"
#include "extern.h"
#include "ops.h"

#define AUDIT_PAGE         "5000" /* entries read per query */
#define AUDIT_WAIT_DEFAULT 60     /* seconds seal waits for writers */

/* The entries after $1 up to $2, in seq order, in binary: seq and at as
 * int8 (PostgreSQL's timestamptz is microseconds since 2000-01-01). */
static const char scan_sql[] =
    "SELECT seq, at, actor, subject, route, action, client_addr, detail"
    " FROM public.audit_log WHERE seq > $1::int8 AND seq <= $2::int8"
    " ORDER BY seq LIMIT " AUDIT_PAGE;

static const char horizon_sql[] =
    "SELECT coalesce(pg_catalog.pg_sequence_last_value("
    "pg_catalog.pg_get_serial_sequence('public.audit_log', 'seq')"
    "::regclass), 0)";

/* Transactions that hold the audit table open for writing. */
static const char writers_sql[] =
    "SELECT coalesce(array_agg(virtualtransaction), '{}')"
    " FROM pg_catalog.pg_locks WHERE locktype = 'relation'"
    " AND relation = 'public.audit_log'::regclass"
    " AND mode = 'RowExclusiveLock' AND pid <> pg_catalog.pg_backend_pid()";

static const char writers_left_sql[] =
    "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'relation'"
    " AND relation = 'public.audit_log'::regclass"
    " AND virtualtransaction = ANY ($1::text[])";

/* The usage of the audit commands: their rows of encdb/cmds.c. */
static void
audit_usage(FILE *f)
{
	encdb_help_group(f, "audit");
}

/* A big-endian int8 from a binary result field. */
static int64_t
get_int8(const PGresult *r, int row, int col)
{
	const unsigned char *p;
	uint64_t v = 0;
	int i;

	if (PQgetlength(r, row, col) != 8)
		return INT64_MIN;
	p = (const unsigned char *)PQgetvalue(r, row, col);
	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (int64_t)v;
}

static const char *
text_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/*
 * Feed the entries in (from, to] to chain, in seq order, and then the gap
 * up to to. 0, or -1 (printed) on a database error or a row the chain
 * refuses.
 */
static int
chain_scan(PGconn *pg, struct audit_chain *chain, int64_t to)
{
	char sfrom[24], sto[24];
	const char *values[2] = {sfrom, sto};
	struct audit_row row;
	PGresult *r;
	int i, n;

	snprintf(sto, sizeof(sto), "%lld", (long long)to);
	for (;;) {
		snprintf(sfrom, sizeof(sfrom), "%lld", (long long)chain->seq);
		r = PQexecParams(pg, scan_sql, 2, NULL, values, NULL, NULL, 1);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			ops_pg_error("reading the audit trail", r, pg);
			PQclear(r);
			return -1;
		}
		if ((n = PQntuples(r)) == 0) {
			PQclear(r);
			break;
		}
		for (i = 0; i < n; i++) {
			row.seq = get_int8(r, i, 0);
			row.at = get_int8(r, i, 1);
			row.actor = text_or_null(r, i, 2);
			row.subject = text_or_null(r, i, 3);
			row.route = text_or_null(r, i, 4);
			row.action = text_or_null(r, i, 5);
			row.client_addr = text_or_null(r, i, 6);
			row.detail = text_or_null(r, i, 7);
			if (audit_chain_add(chain, &row) == -1) {
				fprintf(stderr,
				    "encdb: audit: cannot chain "
				    "entry %lld\n",
				    (long long)row.seq);
				PQclear(r);
				return -1;
			}
		}
		PQclear(r);
	}
	if (audit_chain_gap(chain, to) == -1) {
		fprintf(stderr, "encdb: audit: hashing failed\n");
		return -1;
	}
	return 0;
}

/* ---- seal ------------------------------------------------------------ */

/*
 * The chain state of the last checkpoint in path (a missing or empty file:
 * the empty chain). 0, or -1 (printed) if it cannot be read or its last
 * line is not a checkpoint signed by k.
 */
static int
seal_resume(const char *path, const struct audit_signing_key *k,
    struct audit_chain *chain)
{
	char line[AUDIT_CP_LINE_MAX + 2], last[AUDIT_CP_LINE_MAX + 2];
	struct audit_checkpoint cp;
	enum audit_cp_err ce;
	FILE *f;
	int lineno = 0, rc;

	audit_chain_init(chain);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "encdb: audit seal: cannot read %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	last[0] = '\0';
	while ((rc = ops_read_line(f, line, sizeof(line))) == 1) {
		lineno++;
		memcpy(last, line, sizeof(last));
	}
	fclose(f);
	if (rc == -1) {
		fprintf(stderr, "encdb: audit seal: %s: line %d is too long\n",
		    path, lineno + 1);
		return -1;
	}
	if (lineno == 0)
		return 0;
	if ((ce = audit_checkpoint_parse(last, k->pub, &cp)) != AUDIT_CP_OK) {
		fprintf(stderr, "encdb: audit seal: %s: last line: %s\n", path,
		    audit_cp_strerror(ce));
		return -1;
	}
	chain->seq = cp.seq;
	chain->entries = cp.entries;
	memcpy(chain->hash, cp.hash, AUDIT_HASH_LEN);
	return 0;
}

/*
 * The seq below which no transaction can still add an entry (see the file
 * comment), waiting at most wait seconds for the writers. 0 with *horizon
 * set, 1 if the writers did not end in time, or -1; both printed.
 */
static int
seal_horizon(PGconn *pg, int wait, int64_t *horizon)
{
	const char *values[1];
	PGresult *r = NULL, *w = NULL;
	double until = ops_now() + wait;
	struct timespec pause = {0, 20 * 1000 * 1000};
	int rc = -1;

	r = PQexecParams(pg, horizon_sql, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		ops_pg_error("reading the audit sequence", r, pg);
		goto out;
	}
	*horizon = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	w = PQexecParams(pg, writers_sql, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(w) != PGRES_TUPLES_OK) {
		ops_pg_error("listing the audit writers", w, pg);
		goto out;
	}
	values[0] = PQgetvalue(w, 0, 0);
	for (;;) {
		PQclear(r);
		r = PQexecParams(
		    pg, writers_left_sql, 1, NULL, values, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			ops_pg_error("waiting for the audit writers", r, pg);
			goto out;
		}
		if (strcmp(PQgetvalue(r, 0, 0), "0") == 0)
			break;
		if (ops_now() > until) {
			fprintf(stderr,
			    "encdb: audit seal: transactions writing the "
			    "audit trail did not end within %d s; nothing "
			    "sealed (try again, or raise --wait)\n",
			    wait);
			rc = 1;
			goto out;
		}
		nanosleep(&pause, NULL);
	}
	rc = 0;
out: /* the one cleanup */
	PQclear(r);
	PQclear(w);
	return rc;
}

static int
audit_seal_cmd(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"checkpoints", required_argument, NULL, 'c'},
	    {"wait", required_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	struct audit_signing_key k;
	struct audit_checkpoint cp;
	struct audit_chain chain;
	char line[AUDIT_CP_LINE_MAX], *path = NULL;
	const char *opt_path = NULL;
	struct cfg c;
	PGconn *pg = NULL;
	int64_t horizon, before;
	long long wait = AUDIT_WAIT_DEFAULT;
	int ch, h, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:w:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opt_path = optarg;
			break;
		case 'w':
			if ((wait = ops_number("--wait", optarg, 3600)) < 0)
				return OPS_EXIT_USAGE;
			break;
		default:
			audit_usage(stderr);
			return OPS_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		audit_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0)
		goto out;
	if (ops_signing_key(&c, "audit seal", &k) == -1)
		goto out;
	if (ops_state_path(&c, "AUDIT_CHECKPOINTS", "audit-checkpoints",
	        opt_path, &path) == -1 ||
	    seal_resume(path, &k, &chain) == -1)
		goto out;
	if ((h = seal_horizon(pg, (int)wait, &horizon)) != 0) {
		if (h == 1)
			rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	if (horizon < chain.seq) {
		printf("audit: the entries' sequence (%lld) is behind the last "
		       "checkpoint (seq %lld): it was reset; run encdb audit "
		       "verify\n",
		    (long long)horizon, (long long)chain.seq);
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	if (horizon == chain.seq) {
		printf("audit: nothing new to seal (sealed up to seq %lld)\n",
		    (long long)chain.seq);
		rc = OPS_EXIT_OK;
		goto out;
	}
	before = chain.seq;
	if (chain_scan(pg, &chain, horizon) == -1)
		goto out;
	memset(&cp, 0, sizeof(cp));
	cp.seq = chain.seq;
	cp.prev = before;
	cp.entries = chain.entries;
	memcpy(cp.hash, chain.hash, AUDIT_HASH_LEN);
	if (audit_checkpoint_format(&cp, &k, time(NULL), line, sizeof(line)) ==
	    -1) {
		fprintf(stderr, "encdb: audit seal: signing failed\n");
		goto out;
	}
	if (ops_append_line("audit seal", path, line) == -1)
		goto out;
	printf("%s\n", line);
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	ef_wipe(&k, sizeof(k));
	free(path);
	ops_teardown(&c);
	return rc;
}

/* ---- verify ---------------------------------------------------------- */

/*
 * Check the checkpoint of line lineno against the chain recomputed from
 * the database up to cp->seq. 0 if they agree; else print the problem
 * and return 1. -1 on a database error.
 */
static int
verify_against(PGconn *pg, struct audit_chain *chain,
    const struct audit_checkpoint *cp, int lineno)
{
	int64_t from = chain->seq;

	if (chain_scan(pg, chain, cp->seq) == -1)
		return -1;
	if (chain->entries == cp->entries &&
	    memcmp(chain->hash, cp->hash, AUDIT_HASH_LEN) == 0)
		return 0;
	printf("audit: TAMPERED: checkpoint line %d (sealed %s) covers seq "
	       "%lld to %lld: ",
	    lineno, cp->time, (long long)from + 1, (long long)cp->seq);
	if (chain->entries < cp->entries)
		printf("%lld sealed entries are missing (removed)\n",
		    (long long)(cp->entries - chain->entries));
	else if (chain->entries > cp->entries)
		printf("%lld entries were added after sealing (inserted)\n",
		    (long long)(chain->entries - cp->entries));
	else
		printf("entries were edited, replaced or reordered\n");
	return 1;
}

/* Verify the lines of f one by one. 0: all agree (*last set), 1: a
 * problem (printed), -1: an error. */
static int
verify_file(FILE *f, const char *path, const uint8_t pub[AUDIT_KEY_LEN],
    PGconn *pg, struct audit_chain *chain, int *ncp)
{
	char line[AUDIT_CP_LINE_MAX + 2], prev_time[21] = "";
	struct audit_checkpoint cp;
	enum audit_cp_err ce;
	int lineno = 0, rc;

	*ncp = 0;
	while ((rc = ops_read_line(f, line, sizeof(line))) == 1) {
		lineno++;
		if ((ce = audit_checkpoint_parse(line, pub, &cp)) !=
		    AUDIT_CP_OK) {
			printf("audit: TAMPERED: %s line %d: %s\n", path,
			    lineno, audit_cp_strerror(ce));
			return 1;
		}
		if (cp.prev != chain->seq || cp.seq <= cp.prev) {
			printf("audit: TAMPERED: %s line %d follows seq %lld, "
			       "but the line before it ends at seq %lld (a "
			       "checkpoint is missing or out of order)\n",
			    path, lineno, (long long)cp.prev,
			    (long long)chain->seq);
			return 1;
		}
		if (strcmp(cp.time, prev_time) < 0) {
			printf("audit: TAMPERED: %s line %d is older than the "
			       "line before it\n",
			    path, lineno);
			return 1;
		}
		memcpy(prev_time, cp.time, sizeof(prev_time));
		if ((rc = verify_against(pg, chain, &cp, lineno)) != 0)
			return rc;
		(*ncp)++;
	}
	if (rc == -1) {
		printf("audit: TAMPERED: %s line %d is not a checkpoint (too "
		       "long)\n",
		    path, lineno + 1);
		return 1;
	}
	return 0;
}

static int
audit_verify_cmd(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"checkpoints", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	static const char before_sql[] =
	    "SELECT count(*) FROM public.audit_log WHERE seq < 1";
	static const char after_sql[] =
	    "SELECT count(*) FROM public.audit_log WHERE seq > $1::int8";
	uint8_t pub[AUDIT_KEY_LEN];
	struct audit_chain chain;
	const char *opt_path = NULL, *values[1];
	char *path = NULL, sseq[24];
	struct cfg c;
	PGconn *pg = NULL;
	FILE *f = NULL;
	int64_t n;
	int ch, ncp = 0, v, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		if (ch != 'c') {
			audit_usage(stderr);
			return OPS_EXIT_USAGE;
		}
		opt_path = optarg;
	}
	if (optind != argc) {
		audit_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0 ||
	    ops_verify_key(&c, "audit verify", pub) == -1 ||
	    ops_state_path(&c, "AUDIT_CHECKPOINTS", "audit-checkpoints",
	        opt_path, &path) == -1)
		goto out;
	if ((f = fopen(path, "r")) == NULL) {
		printf("audit: no checkpoints in %s (%s): nothing is sealed; "
		       "run encdb audit seal\n",
		    path, strerror(errno));
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	if ((n = ops_count(pg, "audit verify", before_sql, 0, NULL)) < 0)
		goto out;
	if (n > 0) {
		printf("audit: TAMPERED: %lld entries with a seq below 1 "
		       "(inserted)\n",
		    (long long)n);
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	audit_chain_init(&chain);
	if ((v = verify_file(f, path, pub, pg, &chain, &ncp)) == -1)
		goto out;
	if (v == 1) {
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	snprintf(sseq, sizeof(sseq), "%lld", (long long)chain.seq);
	values[0] = sseq;
	if ((n = ops_count(pg, "audit verify", after_sql, 1, values)) < 0)
		goto out;
	if (ncp == 0) {
		printf("audit: %s holds no checkpoint: nothing is sealed; run "
		       "encdb audit seal\n",
		    path);
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	printf("audit: intact: %d checkpoints, %lld entries sealed up to seq "
	       "%lld; %lld entries after it not sealed yet\n",
	    ncp, (long long)chain.entries, (long long)chain.seq, (long long)n);
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	if (f != NULL)
		fclose(f);
	free(path);
	ops_teardown(&c);
	return rc;
}

/* ---- show ------------------------------------------------------------ */

/*
 * The entries, newest $1 of them, oldest first, with the names of the
 * actor and the subject where the user still exists. $2: a user id (as
 * actor or subject), $3: an action, $4/$5: a time range.
 */
static const char show_sql[] =
    "SELECT seq, to_char(at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    " coalesce(actor_name, actor), coalesce(subject_name, subject), route,"
    " action, client_addr, detail"
    " FROM (SELECT * FROM public.audit_named"
    "  WHERE ($2::text IS NULL OR subject = $2::text"
    "   OR actor LIKE 'user:' || $2::text || ' %')"
    "  AND ($3::text IS NULL OR action = $3::text)"
    "  AND ($4::timestamptz IS NULL OR at >= $4::timestamptz)"
    "  AND ($5::timestamptz IS NULL OR at < $5::timestamptz)"
    "  ORDER BY seq DESC LIMIT $1::bigint) AS l ORDER BY seq";

static const char *const show_cols[] = {
    "seq",
    "at",
    "actor",
    "subject",
    "route",
    "action",
    "client",
    "detail",
};

static int
show_json(const PGresult *r)
{
	struct json_object *arr, *o;
	int i, j, rc = -1;

	if ((arr = json_object_new_array()) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		if ((o = json_object_new_object()) == NULL ||
		    json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			goto out;
		}
		for (j = 0; j < 8; j++)
			json_object_object_add(o, show_cols[j],
			    PQgetisnull(r, i, j) ? NULL
			        : j == 0
			        ? json_object_new_int64(
			              strtoll(PQgetvalue(r, i, j), NULL, 10))
			        : json_object_new_string(PQgetvalue(r, i, j)));
	}
	puts(json_object_to_json_string_ext(
	    arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = 0;
out: /* the one cleanup */
	json_object_put(arr);
	return rc;
}

static const char *
dash(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "-" : PQgetvalue(r, row, col);
}

/* Resolve --user: a UUID as it is, else a username's id. */
static int
show_user(PGconn *pg, const char *name, char id[37])
{
	static const char sql[] =
	    "SELECT id::text FROM public.users WHERE username = $1";
	uint8_t uuid[16];
	PGresult *r;
	int rc = -1;

	if (ef_uuid_parse(name, uuid)) {
		ef_uuid_format(uuid, id);
		return 0;
	}
	r = PQexecParams(pg, sql, 1, NULL, &name, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		ops_pg_error("audit show", r, pg);
	else if (PQntuples(r) != 1)
		fprintf(stderr,
		    "encdb: audit show: no user %s (give the UUID "
		    "of a deleted user)\n",
		    name);
	else {
		snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
		rc = 0;
	}
	PQclear(r);
	return rc;
}

static int
audit_show_cmd(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"limit", required_argument, NULL, 'n'},
	    {"user", required_argument, NULL, 'u'},
	    {"action", required_argument, NULL, 'a'},
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	const char *values[5] = {"20", NULL, NULL, NULL, NULL}, *user = NULL;
	char id[37];
	struct cfg c;
	PGconn *pg = NULL;
	PGresult *r = NULL;
	int ch, i, json = 0, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:u:a:s:t:j", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'n':
			if (ops_number("--limit", optarg, 1000000) < 0)
				return OPS_EXIT_USAGE;
			values[0] = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'a':
			if (audit_action_parse(optarg) == AUDIT__MAX) {
				fprintf(stderr,
				    "encdb: --action: no such "
				    "action: %s\n",
				    optarg);
				return OPS_EXIT_USAGE;
			}
			values[2] = optarg;
			break;
		case 's':
			values[3] = optarg;
			break;
		case 't':
			values[4] = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			audit_usage(stderr);
			return OPS_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		audit_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0)
		goto out;
	if (user != NULL) {
		if (show_user(pg, user, id) == -1) {
			rc = OPS_EXIT_USAGE;
			goto out;
		}
		values[1] = id;
	}
	r = PQexecParams(pg, show_sql, 5, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		ops_pg_error("audit show", r, pg);
		goto out;
	}
	if (json) {
		if (show_json(r) == -1) {
			fprintf(stderr, "encdb: audit show: out of memory\n");
			goto out;
		}
	} else {
		printf("%-6s %-27s %-32s %-36s %-14s %-15s %-15s %s\n", "SEQ",
		    "AT (UTC)", "ACTOR", "SUBJECT", "ROUTE", "ACTION", "CLIENT",
		    "DETAIL");
		for (i = 0; i < PQntuples(r); i++)
			printf("%-6s %-27s %-32s %-36s %-14s %-15s %-15s %s\n",
			    dash(r, i, 0), dash(r, i, 1), dash(r, i, 2),
			    dash(r, i, 3), dash(r, i, 4), dash(r, i, 5),
			    dash(r, i, 6), dash(r, i, 7));
	}
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	PQclear(r);
	ops_teardown(&c);
	return rc;
}

int
ops_audit(int argc, char *argv[])
{
	if (argc < 2) {
		audit_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "seal") == 0)
		return audit_seal_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return audit_verify_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return audit_show_cmd(argc - 1, argv + 1);
	fprintf(stderr, "encdb: audit: unknown subcommand %s\n", argv[1]);
	audit_usage(stderr);
	return OPS_EXIT_USAGE;
}
