/*
 * token.c -- `encdb token create|list|revoke`: the API bearer tokens of
 * the routes (README, "JSON API"). A token is made and stored by
 * lib/auth.c (auth_token_create: 32 random bytes as 43 base64url
 * characters; only SHA-256 of the token text is stored, in
 * api_tokens.token_hash, exactly as the routes verify a bearer token),
 * printed once on standard output and never again.
 * list shows ids, owners, names and dates, never hashes; revoke marks a
 * token revoked by its id (the row is kept for the record).
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

static const char token_list_sql[] =
    "SELECT t.id, u.username, t.name,"
    " to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
    " coalesce(to_char(t.last_used_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD HH24:MI:SS'), '-'),"
    " coalesce(to_char(t.revoked_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD HH24:MI:SS'), '-'),"
    " coalesce(to_char(t.expires_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD HH24:MI:SS'), '-')"
    " FROM public.api_tokens AS t JOIN public.users AS u ON u.id = t.user_id"
    " WHERE $1::text IS NULL OR u.username = $1::text ORDER BY t.id";

static const char token_revoke_sql[] =
    "UPDATE public.api_tokens SET revoked_at = now()"
    " WHERE id = $1::bigint AND revoked_at IS NULL";

static const char token_exists_sql[] =
    "SELECT count(*) FROM public.api_tokens WHERE id = $1::bigint";

static void
token_usage(FILE *f)
{
	encdb_help_group(f, "token");
}

static int
token_create(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"expires", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	char token[AUTH_TOKEN_LEN + 1];
	const char *name = NULL;
	int64_t days = 0;
	struct cfg c;
	PGconn *pg = NULL;
	enum auth_err e;
	int ch, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:e:", longopts, NULL)) != -1) {
		if (ch == 'n')
			name = optarg;
		else if (ch == 'e' &&
		    (days = ops_number(
		         "token create --expires", optarg, 3650)) >= 1)
			continue;
		else {
			token_usage(stderr);
			return OPS_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || name == NULL || *name == '\0' ||
	    strlen(name) > 200) {
		token_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	/* The token and its audit entry commit together, or neither. */
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0 ||
	    ops_exec(pg, "token create", "BEGIN") == -1)
		goto out;
	e = auth_token_create(
	    argv[optind], name, (unsigned long)days * 86400UL, token);
	if (e == AUTH_ERR_INVALID) {
		fprintf(
		    stderr, "encdb: token: no user named %s\n", argv[optind]);
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	if (e != AUTH_OK) {
		fprintf(stderr, "encdb: token: %s\n", auth_strerror(e));
		goto out;
	}
	if (ops_audit_record(
	        "token create", AUDIT_TOKEN_CREATE, argv[optind], NULL) == -1 ||
	    ops_exec(pg, "token create", "COMMIT") == -1)
		goto out;
	/* The only time the token is shown. */
	printf("%s\n", token);
	fflush(stdout);
	ef_wipe(token, sizeof(token));
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	ops_teardown(&c);
	return rc;
}

static int
token_list(int argc, char *argv[])
{
	const char *values[1];
	struct cfg c;
	PGconn *pg = NULL;
	PGresult *r = NULL;
	int i, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	if (argc > 2) {
		token_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	values[0] = argc == 2 ? argv[1] : NULL;
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0)
		goto out;
	r = PQexecParams(pg, token_list_sql, 1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		ops_pg_error("token list", r, pg);
		goto out;
	}
	printf("%-6s %-20s %-20s %-19s  %-19s  %-19s  %s\n", "ID", "USER",
	    "NAME", "CREATED (UTC)", "LAST USED", "REVOKED", "EXPIRES");
	for (i = 0; i < PQntuples(r); i++)
		printf("%-6s %-20s %-20s %-19s  %-19s  %-19s  %s\n",
		    PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		    PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		    PQgetvalue(r, i, 4), PQgetvalue(r, i, 5),
		    PQgetvalue(r, i, 6));
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	PQclear(r);
	ops_teardown(&c);
	return rc;
}

static int
token_revoke(int argc, char *argv[])
{
	const char *values[1];
	struct cfg c;
	PGconn *pg = NULL;
	PGresult *r = NULL;
	char detail[48];
	int64_t exists;
	int rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	if (argc != 2 ||
	    ops_number("token revoke ID", argv[1], INT64_MAX / 2) < 0) {
		token_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	values[0] = argv[1];
	snprintf(detail, sizeof(detail), "token %s", argv[1]);
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0 ||
	    ops_exec(pg, "token revoke", "BEGIN") == -1)
		goto out;
	r = PQexecParams(pg, token_revoke_sql, 1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		ops_pg_error("token revoke", r, pg);
		goto out;
	}
	if (strcmp(PQcmdTuples(r), "1") == 0) {
		if (ops_audit_record("token revoke", AUDIT_TOKEN_REVOKE, NULL,
		        detail) == -1 ||
		    ops_exec(pg, "token revoke", "COMMIT") == -1)
			goto out;
		printf("token %s revoked\n", argv[1]);
		rc = OPS_EXIT_OK;
		goto out;
	}
	exists = ops_count(pg, "token revoke", token_exists_sql, 1, values);
	if (exists > 0) {
		printf("token %s was already revoked\n", argv[1]);
		rc = OPS_EXIT_OK;
	} else if (exists == 0) {
		fprintf(stderr, "encdb: token: no token with id %s\n", argv[1]);
		rc = OPS_EXIT_PROBLEM;
	}
out: /* the one cleanup */
	PQclear(r);
	ops_teardown(&c);
	return rc;
}

int
ops_token(int argc, char *argv[])
{
	if (argc < 2) {
		token_usage(stderr);
		return OPS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "create") == 0)
		return token_create(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return token_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "revoke") == 0)
		return token_revoke(argc - 1, argv + 1);
	fprintf(stderr, "encdb: token: unknown subcommand %s\n", argv[1]);
	token_usage(stderr);
	return OPS_EXIT_USAGE;
}
