/*
 * pgtest.h -- the database helpers of the Check suites that run inside a
 * throwaway cluster (t/with-pg sets DATABASE_URL, PGHOST, PGPORT and
 * PGUSER): the settings and the data layer for the code under test, and
 * connections of the test's own for the administrator's side (what another
 * process or psql would do). Every failure is a Check assertion.
 */
#ifndef T_PGTEST_H
#define T_PGTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libpq-fe.h>

#include "extern.h"

/* Load the settings (flags: CFG_NEED_*) into *c and set up db.c. */
static inline void
pgtest_open(struct cfg *c, unsigned flags)
{
	char err[512];

	ck_assert_msg(getenv("DATABASE_URL") != NULL,
	    "DATABASE_URL unset: run through t/with-pg");
	memset(c, 0, sizeof(*c));
	ck_assert_msg(
	    cfg_load(c, flags, err, sizeof(err)) == CFG_OK, "%s", err);
	ck_assert_int_eq(db_init(c), DB_OK);
}

/* Close db.c's connection and free *c. */
static inline void
pgtest_close(struct cfg *c)
{
	db_close();
	cfg_free(c);
}

/* A connection of the test's own: to conninfo, or DATABASE_URL if NULL. */
static inline PGconn *
pgtest_connect(const char *conninfo)
{
	PGconn *c =
	    PQconnectdb(conninfo != NULL ? conninfo : getenv("DATABASE_URL"));

	ck_assert_msg(
	    PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
	return c;
}

/*
 * Run sql with n text parameters on c (with none, sql may be several
 * statements, as psql would run them), expecting success. Returns the
 * first value of the first row ("" without one, or for NULL) in a static
 * buffer that the next call overwrites.
 */
static inline const char *
pgtest_exec(PGconn *c, const char *sql, int n, const char *const *params)
{
	static char buf[1024];
	PGresult *r = n == 0
	    ? PQexec(c, sql)
	    : PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK ||
	        PQresultStatus(r) == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQerrorMessage(c));
	buf[0] = '\0';
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return buf;
}

/* pgtest_exec on a connection of its own to DATABASE_URL. */
static inline const char *
pgtest_sql(const char *sql, int n, const char *const *params)
{
	PGconn *c = pgtest_connect(NULL);
	const char *v = pgtest_exec(c, sql, n, params);

	PQfinish(c);
	return v;
}

#endif /* !T_PGTEST_H */
