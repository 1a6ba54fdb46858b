/*
 * roles.c -- `encdb roles APP_ROLE [--check]`: the application role the
 * routes connect as, with only the privileges they use.
 *
 * encdb itself (migrate, rotate, audit seal, ...) runs as the role that
 * owns the tables. The routes must not: an owner can switch the audit
 * table's triggers off and rewrite it. Without --check this command,
 * run as the owner, creates APP_ROLE if it does not exist (LOGIN; its
 * password from --password-file, else none: peer or trust
 * authentication, or set one with ALTER ROLE), takes every privilege on
 * the schema's tables and sequences away from it and grants exactly the
 * table below, in one transaction. With --check it changes nothing and
 * reports every way APP_ROLE differs from that table, or owns, inherits
 * or bypasses more; exit 1 if it does.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "encdb.h"
#include "extern.h"
#include "ops.h"

/* The privileges the routes use, per table of the public schema. The
 * audit table: new entries (the columns a writer may set) and reading. */
static const struct {
	const char *table;
	const char *grant; /* the privilege list of GRANT ... ON table */
	const char *has;   /* privileges has_table_privilege must show */
} grants[] = {
    {"users", "SELECT, INSERT, UPDATE, DELETE", "SELECT,INSERT,UPDATE,DELETE"},
    {"sessions", "SELECT, INSERT, UPDATE, DELETE",
        "SELECT,INSERT,UPDATE,DELETE"},
    {"api_tokens", "SELECT, UPDATE (last_used_at, read_fence)", "SELECT"},
    {"login_attempts", "SELECT, INSERT, UPDATE, DELETE",
        "SELECT,INSERT,UPDATE,DELETE"},
    {"audit_log",
        "SELECT, INSERT (actor, subject, route, action, client_addr, detail)",
        "SELECT"},
    {"audit_named", "SELECT", "SELECT"},
    {"schema_migrations", "SELECT", "SELECT"},
};

#define NGRANTS (sizeof(grants) / sizeof(grants[0]))

/* Every table privilege, in has_table_privilege's spelling. */
static const char *const table_privs[] = {
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
};

/* Run sql (a command, no parameters); 0, or -1 printed. */
static int
roles_exec(PGconn *pg, const char *sql)
{
	return ops_exec(pg, "roles", sql);
}

/* Does the privilege list has (comma-separated) name priv? */
static int
listed(const char *has, const char *priv)
{
	size_t n = strlen(priv);
	const char *p = has;

	while ((p = strstr(p, priv)) != NULL) {
		if ((p == has || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static int
roles_setup(PGconn *pg, const char *role, const char *qrole, const char *pwfile)
{
	/* Everything taken, then the schema opened; the role follows. */
	static const char *const reset[] = {
	    "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM",
	    "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM",
	    "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM",
	    "GRANT USAGE ON SCHEMA public TO",
	};
	char sql[512], pw[256], *lit = NULL;
	const char *values[1] = {role};
	PGresult *r;
	FILE *f;
	size_t i;
	int exists, rc = -1;

	if (roles_exec(pg, "BEGIN") == -1)
		return -1;
	r = PQexecParams(pg,
	    "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname "
	    "= $1",
	    1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		ops_pg_error("roles", r, pg);
		PQclear(r);
		return -1;
	}
	exists = PQntuples(r) == 1;
	PQclear(r);
	if (!exists) {
		snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", qrole);
		if (roles_exec(pg, sql) == -1)
			return -1;
	}
	if (pwfile != NULL) {
		if ((f = fopen(pwfile, "r")) == NULL ||
		    fgets(pw, sizeof(pw), f) == NULL) {
			fprintf(
			    stderr, "encdb: roles: cannot read %s\n", pwfile);
			if (f != NULL)
				fclose(f);
			goto out;
		}
		fclose(f);
		pw[strcspn(pw, "\n")] = '\0';
		if ((lit = PQescapeLiteral(pg, pw, strlen(pw))) == NULL)
			goto out;
		snprintf(
		    sql, sizeof(sql), "ALTER ROLE %s PASSWORD %s", qrole, lit);
		if (roles_exec(pg, sql) == -1)
			goto out;
	}
	for (i = 0; i < sizeof(reset) / sizeof(reset[0]); i++) {
		snprintf(sql, sizeof(sql), "%s %s", reset[i], qrole);
		if (roles_exec(pg, sql) == -1)
			goto out;
	}
	for (i = 0; i < NGRANTS; i++) {
		snprintf(sql, sizeof(sql), "GRANT %s ON public.%s TO %s",
		    grants[i].grant, grants[i].table, qrole);
		if (roles_exec(pg, sql) == -1)
			goto out;
	}
	if (roles_exec(pg, "COMMIT") == -1)
		goto out;
	printf("roles: %s %s: it may use the tables as the routes need, "
	       "nothing more\n",
	    role, exists ? "updated" : "created");
	rc = 0;
out: /* the one cleanup */
	ef_wipe(pw, sizeof(pw));
	if (lit != NULL) {
		ef_wipe(lit, strlen(lit));
		PQfreemem(lit);
	}
	return rc;
}

/* One yes/no query about role, with parameters $1 = role, then a and b
 * unless NULL; 1, 0, or -1 (printed). */
static int
ask(PGconn *pg, const char *sql, const char *role, const char *a, const char *b)
{
	const char *values[3] = {role, a, b};
	PGresult *r;
	int v = -1;

	r = PQexecParams(pg, sql,
	    b != NULL       ? 3
	        : a != NULL ? 2
	                    : 1,
	    NULL, values, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		ops_pg_error("roles --check", r, pg);
	else
		v = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return v;
}

static int
roles_check(PGconn *pg, const char *role)
{
	static const char role_sql[] =
	    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = "
	    "$1 AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole "
	    "AND NOT rolcreatedb)";
	static const char owner_sql[] =
	    "SELECT pg_catalog.pg_has_role($1, c.relowner, 'USAGE') FROM "
	    "pg_catalog.pg_class c WHERE c.oid = ('public.' || $2)::regclass";
	static const char priv_sql[] =
	    "SELECT pg_catalog.has_table_privilege($1, 'public.' || $2, $3)";
	static const char seq_sql[] =
	    "SELECT pg_catalog.has_column_privilege($1, 'public.audit_log', "
	    "'seq', 'INSERT') OR pg_catalog.has_column_privilege($1, "
	    "'public.audit_log', 'at', 'INSERT')";
	size_t i, j;
	int v, bad = 0;

	if ((v = ask(pg, role_sql, role, NULL, NULL)) == -1)
		return -1;
	if (!v) {
		printf("roles: %s does not exist, or is a superuser or may "
		       "bypass row security, create roles or databases\n",
		    role);
		return 1;
	}
	for (i = 0; i < NGRANTS; i++) {
		if ((v = ask(pg, owner_sql, role, grants[i].table, NULL)) == -1)
			return -1;
		if (v) {
			printf("roles: %s owns %s (or is a member of its "
			       "owner): it could rewrite it\n",
			    role, grants[i].table);
			bad = 1;
		}
		for (j = 0; j < sizeof(table_privs) / sizeof(table_privs[0]);
		     j++) {
			v = ask(pg, priv_sql, role, grants[i].table,
			    table_privs[j]);
			if (v == -1)
				return -1;
			if (v != listed(grants[i].has, table_privs[j])) {
				printf("roles: %s %s %s on %s (it should %s)\n",
				    role, v ? "has" : "lacks", table_privs[j],
				    grants[i].table, v ? "not" : "have it");
				bad = 1;
			}
		}
	}
	if ((v = ask(pg, seq_sql, role, NULL, NULL)) == -1)
		return -1;
	if (v) {
		printf("roles: %s may choose an audit entry's seq or time\n",
		    role);
		bad = 1;
	}
	if (!bad)
		printf("roles: %s has exactly the privileges the routes "
		       "need\n",
		    role);
	return bad;
}

int
ops_roles(int argc, char *argv[])
{
	static const struct option longopts[] = {
	    {"check", no_argument, NULL, 'c'},
	    {"password-file", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	const char *pwfile = NULL;
	char *qrole = NULL;
	struct cfg c;
	PGconn *pg = NULL;
	int ch, check = 0, v, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "cp:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			check = 1;
			break;
		case 'p':
			pwfile = optarg;
			break;
		default:
			encdb_usage(stderr, "roles");
			return OPS_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || (check && pwfile != NULL) ||
	    argv[optind][0] == '\0' || strlen(argv[optind]) > 63) {
		encdb_usage(stderr, "roles");
		return OPS_EXIT_USAGE;
	}
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0)
		goto out;
	if (check) {
		if ((v = roles_check(pg, argv[optind])) != -1)
			rc = v == 0 ? OPS_EXIT_OK : OPS_EXIT_PROBLEM;
		goto out;
	}
	if ((qrole = PQescapeIdentifier(
	         pg, argv[optind], strlen(argv[optind]))) == NULL) {
		fprintf(stderr, "encdb: roles: out of memory\n");
		goto out;
	}
	if (roles_setup(pg, argv[optind], qrole, pwfile) == 0)
		rc = OPS_EXIT_OK;
out: /* the one cleanup */
	PQfreemem(qrole);
	ops_teardown(&c);
	return rc;
}
