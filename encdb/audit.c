/*
 * audit.c -- `encdb audit verify|show`: the operator's view of the access
 * audit trail (lib/audit.c, sql/100_audit_log.sql).
 *
 * verify recomputes the whole hash chain and compares its end with the
 * chain head; it names the first broken entry and what is wrong with it
 * (edited, missing before it, relinked, entries removed at the end) and
 * exits 1 when the chain is broken. show prints the last entries (who,
 * whose record, route, action, client address), oldest first.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "ops.h"

static const char audit_show_sql[] =
    "SELECT seq, to_char(at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), actor, coalesce(subject, '-'),"
    " route, action, coalesce(client_addr, '-'),"
    " left(encode(hash, 'hex'), 16)"
    " FROM (SELECT * FROM public.audit_log"
    " WHERE $2::text IS NULL OR subject = $2::text"
    " ORDER BY seq DESC LIMIT $1::bigint) AS t ORDER BY seq";

static void
audit_usage(FILE *f)
{
	fputs("usage: encdb audit verify\n"
	      "       encdb audit show [--limit N] [--subject USER-ID]\n",
	      f);
}

static int
audit_verify_cmd(int argc, char *argv[])
{
	struct audit_report rep;
	struct cfg c;
	PGconn *pg = NULL;
	int rc = OPS_EXIT_SETUP;

	(void)argv;
	memset(&c, 0, sizeof(c));
	if (argc != 1) {
		audit_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0)
		goto out;
	if (audit_verify(&rep) != DB_OK) {
		fprintf(stderr, "encdb: audit verify: cannot read the audit "
		                "trail (is the schema migrated?)\n");
		goto out;
	}
	if (rep.brk == AUDIT_BREAK_NONE) {
		printf("audit: chain intact: %lld entries\n",
		       (long long)rep.entries);
		rc = OPS_EXIT_OK;
	} else {
		printf("audit: chain BROKEN at entry %lld: %s (%lld entries "
		       "before it are intact)\n",
		       (long long)rep.bad_seq, audit_break_str(rep.brk),
		       (long long)rep.entries);
		rc = OPS_EXIT_PROBLEM;
	}
out: /* the one cleanup */
	ops_teardown(&c);
	return rc;
}

static int
audit_show_cmd(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"limit", required_argument, NULL, 'n'},
	    {"subject", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	const char *values[2] = {"20", NULL};
	uint8_t uuid[16];
	struct cfg c;
	PGconn *pg = NULL;
	PGresult *r = NULL;
	int ch, i, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:s:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (ops_number("--limit", optarg, 1000000) < 0)
				return OPS_EXIT_USAGE;
			values[0] = optarg;
			break;
		case 's':
			if (!ef_uuid_parse(optarg, uuid)) {
				fprintf(stderr, "encdb: --subject: expected a "
				                "user id (UUID)\n");
				return OPS_EXIT_USAGE;
			}
			values[1] = optarg;
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
	r = PQexecParams(pg, audit_show_sql, 2, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		ops_pg_error("audit show", r, pg);
		goto out;
	}
	printf("%-6s %-27s %-44s %-36s %-14s %-6s %-15s %s\n", "SEQ",
	       "AT (UTC)", "ACTOR", "SUBJECT", "ROUTE", "ACTION", "CLIENT",
	       "HASH");
	for (i = 0; i < PQntuples(r); i++)
		printf("%-6s %-27s %-44s %-36s %-14s %-6s %-15s %s\n",
		       PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		       PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		       PQgetvalue(r, i, 4), PQgetvalue(r, i, 5),
		       PQgetvalue(r, i, 6), PQgetvalue(r, i, 7));
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
	if (strcmp(argv[1], "verify") == 0)
		return audit_verify_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return audit_show_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		audit_usage(stdout);
		return OPS_EXIT_OK;
	}
	fprintf(stderr, "encdb: audit: unknown subcommand %s\n", argv[1]);
	audit_usage(stderr);
	return OPS_EXIT_USAGE;
}
