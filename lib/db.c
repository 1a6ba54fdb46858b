/*
 * db.c -- the process's one PostgreSQL connection. Every query of the
 * application goes through db_exec: it (re)connects lazily, prepares named
 * statements once per connection (or runs them unnamed, for PgBouncer in
 * transaction pooling), waits for the answer with a client-side deadline so
 * that a stuck server never hangs a request, and classifies failures into
 * the few cases the routes answer differently: unavailable (503), unique
 * violation (409), anything else (500).
 *
 * Parameter values never reach the log: they may be PII. Errors of the
 * SQLSTATE classes 22 (data) and 23 (integrity), whose messages can quote
 * values, are logged by code and constraint name only.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

/* Extra time the client waits beyond statement_timeout. */
#define DB_GRACE_MS 2000

/*
 * After a connect that failed or a query the server never answered, the
 * next DB_HOLDOFF_MS of requests are answered "unavailable" at once
 * instead of each waiting out its own timeout: a hung or unreachable
 * server then costs one slow request per process per timeout, not every
 * one, and requests do not pile up in the web server's queue.
 */
#define DB_HOLDOFF_MS 1000

static const char *const db_errs[DB__MAX] = {
    "success",                       /* DB_OK */
    "not found",                     /* DB_NOTFOUND */
    "conflict with an existing row", /* DB_CONFLICT */
    "database unavailable",          /* DB_UNAVAILABLE */
    "database error",                /* DB_ERROR */
    "audit entry not written",       /* DB_AUDIT */
};

static const struct cfg *db_cfg; /* settings, from db_init */
static PGconn *db_pg;            /* the connection, NULL when closed */
static unsigned long db_connects; /* connections opened so far */
static unsigned long db_seen;     /* db_connects at the last db_notified */
static int db_in_tx;             /* between db_begin and commit/rollback */
static char **db_prepared;       /* statement names prepared on db_pg */
static size_t db_nprepared;
static char db_constraint[64];  /* constraint of the last conflict */
static char db_message[512];    /* server message of the last failure */
static long long db_down_until; /* now_ms() before which not to retry */

const char *
db_strerror(enum db_err err)
{
	if ((unsigned)err >= DB__MAX)
		return "unknown database error";
	return db_errs[err];
}

const char *
db_conflict_constraint(void)
{
	return db_constraint;
}

const char *
db_last_error(void)
{
	return db_message;
}

struct pg_conn *
db_handle(void)
{
	return db_pg;
}

static void
forget_prepared(void)
{
	size_t i;

	for (i = 0; i < db_nprepared; i++)
		free(db_prepared[i]);
	free(db_prepared);
	db_prepared = NULL;
	db_nprepared = 0;
}

/* Drop the connection (lost, timed out or closed). */
static void
drop(void)
{
	if (db_pg != NULL)
		PQfinish(db_pg);
	db_pg = NULL;
	forget_prepared();
}

void
db_close(void)
{
	drop();
	db_in_tx = 0;
	db_cfg = NULL;
	db_down_until = 0;
}

enum db_err
db_init(const struct cfg *cfg)
{
	db_close();
	if (cfg == NULL || cfg->conninfo == NULL) {
		LOG_ERR("no database settings (DATABASE_URL)");
		return DB_ERROR;
	}
	db_cfg = cfg;
	return DB_OK;
}

/* Warnings from the server go to the log; notices are dropped. */
static void
notice_cb(void *arg, const PGresult *r)
{
	const char *sev, *state;

	(void)arg;
	sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (sev != NULL && strcmp(sev, "WARNING") == 0)
		LOG_WARN("server warning, SQLSTATE %s",
		         state != NULL ? state : "?");
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 if a result status is a success. */
static int
res_ok(const PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);

	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ||
	       s == PGRES_EMPTY_QUERY;
}

/*
 * Classify a failed result (or none, when r is NULL: the connection
 * failed) and log it without values. what names the statement.
 */
static enum db_err
classify(const PGresult *r, const char *what)
{
	const char *state = NULL, *msg = NULL, *cons = NULL;

	if (r != NULL) {
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		cons = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
	}
	snprintf(db_message, sizeof(db_message), "%s",
	         msg != NULL     ? msg
	         : db_pg != NULL ? PQerrorMessage(db_pg)
	                         : "connection closed");
	if (state == NULL || db_pg == NULL ||
	    PQstatus(db_pg) != CONNECTION_OK) {
		LOG_ERR("%s: connection lost: %s", what,
		        db_pg != NULL ? PQerrorMessage(db_pg) : "closed");
		return DB_UNAVAILABLE;
	}
	if (strcmp(state, "23505") == 0) {
		snprintf(db_constraint, sizeof(db_constraint), "%s",
		         cons != NULL ? cons : "");
		LOG_INFO("%s: unique violation on %s", what, db_constraint);
		return DB_CONFLICT;
	}
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 ||
	    strcmp(state, "57014") == 0 || strcmp(state, "53300") == 0) {
		LOG_ERR("%s: unavailable, SQLSTATE %s: %s", what, state,
		        msg != NULL ? msg : "");
		return DB_UNAVAILABLE;
	}
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		LOG_ERR("%s: SQLSTATE %s%s%s", what, state,
		        cons != NULL ? " on " : "", cons != NULL ? cons : "");
	else
		LOG_ERR("%s: SQLSTATE %s: %s", what, state,
		        msg != NULL ? msg : "");
	return DB_ERROR;
}

/*
 * Wait for every result of the query just sent, within the deadline. The
 * first failed result (else the last one) is kept in *out. Returns DB_OK
 * when that result is a success; on a timeout or a lost connection the
 * connection is dropped and DB_UNAVAILABLE returned.
 */
static enum db_err
wait_results(const char *what, PGresult **out)
{
	struct pollfd pfd;
	PGresult *keep = NULL, *r;
	long long deadline, left;
	enum db_err e = DB_OK;
	int n, lost = 0;

	*out = NULL;
	deadline =
	    now_ms() + (long long)db_cfg->statement_timeout + DB_GRACE_MS;
	for (;;) {
		while (!PQisBusy(db_pg)) {
			if ((r = PQgetResult(db_pg)) == NULL)
				goto out;
			if (keep == NULL || (res_ok(keep) && !res_ok(r))) {
				PQclear(keep);
				keep = r;
			} else if (res_ok(keep) && res_ok(r)) {
				PQclear(keep);
				keep = r;
			} else
				PQclear(r);
		}
		if ((left = deadline - now_ms()) <= 0) {
			LOG_ERR("%s: no answer within %u ms: dropping the "
			        "connection",
			        what, db_cfg->statement_timeout + DB_GRACE_MS);
			db_down_until = now_ms() + DB_HOLDOFF_MS;
			e = DB_UNAVAILABLE;
			lost = 1;
			goto out;
		}
		pfd.fd = PQsocket(db_pg);
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n == -1 && errno != EINTR) {
			LOG_ERR("%s: poll: %s", what, strerror(errno));
			e = DB_UNAVAILABLE;
			lost = 1;
			goto out;
		}
		if (n > 0 && !PQconsumeInput(db_pg)) {
			e = classify(NULL, what);
			lost = 1;
			goto out;
		}
	}
out:
	/* One exit: a lost connection is dropped, else the result kept. */
	if (!lost && keep == NULL) {
		e = classify(NULL, what);
		lost = 1;
	}
	if (lost) {
		PQclear(keep);
		drop();
		return e;
	}
	*out = keep;
	return res_ok(keep) ? DB_OK : classify(keep, what);
}

/* Connect with the settings of db_init and prepare the session. */
static enum db_err
connect_now(void)
{
	static const struct db_stmt setup = {
	    "db_setup",
	    "SELECT pg_catalog.set_config('search_path', "
	    "'pg_catalog, public', false), "
	    "pg_catalog.set_config('statement_timeout', $1, false), "
	    "pg_catalog.set_config('TimeZone', $2, false), "
	    "pg_catalog.set_config('DateStyle', 'ISO, MDY', false), "
	    "pg_catalog.set_config('client_min_messages', 'warning', "
	    "false), "
	    "pg_catalog.set_config('idle_in_transaction_session_timeout', "
	    "'60000', false)",
	    2,
	};
	const char *kw[9], *val[9];
	char ct[16], tcp[16], st[16];
	const char *params[2];
	PGresult *r = NULL;
	enum db_err e;

	if (db_cfg == NULL) {
		LOG_ERR("db_init was not called");
		return DB_ERROR;
	}
	snprintf(ct, sizeof(ct), "%u", db_cfg->connect_timeout);
	snprintf(tcp, sizeof(tcp), "%u",
	         db_cfg->statement_timeout + DB_GRACE_MS);
	snprintf(st, sizeof(st), "%u", db_cfg->statement_timeout);
	kw[0] = "connect_timeout", val[0] = ct;
	kw[1] = "keepalives", val[1] = "1";
	kw[2] = "keepalives_idle", val[2] = "5";
	kw[3] = "keepalives_interval", val[3] = "2";
	kw[4] = "keepalives_count", val[4] = "2";
	kw[5] = "tcp_user_timeout", val[5] = tcp;
	kw[6] = "application_name", val[6] = "fcgi-encrypted-db";
	kw[7] = "dbname", val[7] = db_cfg->conninfo; /* expanded: URI wins */
	kw[8] = NULL, val[8] = NULL;

	drop();
	db_pg = PQconnectdbParams(kw, val, 1);
	if (db_pg == NULL) {
		LOG_ERR("cannot connect: out of memory");
		return DB_UNAVAILABLE;
	}
	if (PQstatus(db_pg) != CONNECTION_OK) {
		snprintf(db_message, sizeof(db_message), "%s",
		         PQerrorMessage(db_pg));
		LOG_ERR("cannot connect: %s", PQerrorMessage(db_pg));
		drop();
		return DB_UNAVAILABLE;
	}
	PQsetNoticeReceiver(db_pg, notice_cb, NULL);
	params[0] = st;
	params[1] = db_cfg->time_zone != NULL ? db_cfg->time_zone : "UTC";
	if (!PQsendQueryParams(db_pg, setup.sql, setup.nparams, NULL, params,
	                       NULL, NULL, 0)) {
		e = classify(NULL, setup.name);
		drop();
		return e;
	}
	e = wait_results(setup.name, &r);
	PQclear(r);
	if (e != DB_OK) {
		/* A bad TIME_ZONE lands here; the connection is useless. */
		drop();
		return e == DB_UNAVAILABLE ? e : DB_ERROR;
	}
	/*
	 * Changes to credentials are announced on DB_AUTH_CHANNEL (sql/105).
	 * Not behind PgBouncer in transaction pooling, where LISTEN does
	 * not hold: there db_notified always says so.
	 */
	if (db_cfg->auth_cache > 0 && !db_cfg->db_unnamed) {
		if (!PQsendQuery(db_pg, "LISTEN " DB_AUTH_CHANNEL)) {
			e = classify(NULL, "db_listen");
			drop();
			return e;
		}
		e = wait_results("db_listen", &r);
		PQclear(r);
		if (e != DB_OK) {
			drop();
			return e == DB_UNAVAILABLE ? e : DB_ERROR;
		}
	}
	db_connects++;
	return DB_OK;
}

/*
 * Make sure there is a live connection. Outside a transaction an idle
 * connection that the server closed (restart, pg_terminate_backend) is
 * noticed here, before a query is sent, and replaced.
 */
static enum db_err
ensure(void)
{
	enum db_err e;
	struct pollfd pfd;

	if (db_pg != NULL && PQstatus(db_pg) == CONNECTION_OK &&
	    PQtransactionStatus(db_pg) == PQTRANS_IDLE) {
		/*
		 * An idle connection has nothing to read unless the server
		 * spoke first: a FATAL before closing (restart, shutdown,
		 * pg_terminate_backend, idle timeout) or EOF. We never LISTEN,
		 * so anything readable means the connection is gone.
		 */
		pfd.fd = PQsocket(db_pg);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0 || poll(&pfd, 1, 0) != 0) {
			LOG_INFO("the server closed the connection: "
			         "reconnecting");
			drop();
		}
	}
	if (db_pg != NULL && PQstatus(db_pg) == CONNECTION_OK)
		return DB_OK;
	if (db_in_tx) {
		LOG_ERR("connection lost inside a transaction");
		drop();
		return DB_UNAVAILABLE;
	}
	if (now_ms() < db_down_until)
		return DB_UNAVAILABLE; /* the last try failed just now */
	if ((e = connect_now()) == DB_UNAVAILABLE)
		db_down_until = now_ms() + DB_HOLDOFF_MS;
	return e;
}

enum db_err
db_connect(void)
{
	return ensure();
}

int
db_notified(void)
{
	PGnotify *n;
	int any = 0;

	if (db_pg == NULL || db_cfg == NULL || db_cfg->db_unnamed ||
	    db_seen != db_connects || !PQconsumeInput(db_pg))
		any = 1;
	db_seen = db_connects;
	if (db_pg == NULL)
		return any;
	while ((n = PQnotifies(db_pg)) != NULL) {
		any = 1;
		PQfreemem(n);
	}
	return any;
}

static int
is_prepared(const char *name)
{
	size_t i;

	for (i = 0; i < db_nprepared; i++)
		if (strcmp(db_prepared[i], name) == 0)
			return 1;
	return 0;
}

/* Prepare st on the connection if not done yet. */
static enum db_err
prepare(const struct db_stmt *st)
{
	PGresult *r = NULL;
	char **n, *copy;
	enum db_err e;

	if (is_prepared(st->name))
		return DB_OK;
	if (!PQsendPrepare(db_pg, st->name, st->sql, st->nparams, NULL))
		return classify(NULL, st->name);
	e = wait_results(st->name, &r);
	PQclear(r);
	if (e != DB_OK)
		return e;
	if ((copy = strdup(st->name)) == NULL ||
	    (n = realloc(db_prepared,
	                 (db_nprepared + 1) * sizeof(*db_prepared))) == NULL) {
		free(copy);
		LOG_ERR("%s: out of memory", st->name);
		/* Prepared on the server but not recorded: start afresh. */
		drop();
		return DB_ERROR;
	}
	db_prepared = n;
	db_prepared[db_nprepared++] = copy;
	return DB_OK;
}

enum db_err
db_exec(const struct db_stmt *st, const char *const *values, const int *lengths,
        const int *formats, struct pg_result **res)
{
	PGresult *r = NULL;
	enum db_err e;
	int sent;

	if (res != NULL)
		*res = NULL;
	db_constraint[0] = '\0';
	db_message[0] = '\0';
	if (st == NULL || st->name == NULL || st->sql == NULL ||
	    st->nparams < 0 || (st->nparams > 0 && values == NULL)) {
		LOG_ERR("invalid statement");
		return DB_ERROR;
	}
	if ((e = ensure()) != DB_OK)
		return e;
	if (db_cfg->db_unnamed)
		sent = PQsendQueryParams(db_pg, st->sql, st->nparams, NULL,
		                         values, lengths, formats, 0);
	else {
		if ((e = prepare(st)) != DB_OK)
			return e;
		sent = PQsendQueryPrepared(db_pg, st->name, st->nparams, values,
		                           lengths, formats, 0);
	}
	if (!sent) {
		e = classify(NULL, st->name);
		drop();
		return e;
	}
	e = wait_results(st->name, &r);
	if (e != DB_OK || res == NULL)
		PQclear(r);
	else
		*res = r;
	return e;
}

enum db_err
db_exec_script(const char *sql)
{
	PGresult *r = NULL;
	enum db_err e;

	if (sql == NULL)
		return DB_ERROR;
	db_message[0] = '\0';
	if ((e = ensure()) != DB_OK)
		return e;
	if (!PQsendQuery(db_pg, sql)) {
		e = classify(NULL, "script");
		drop();
		return e;
	}
	e = wait_results("script", &r);
	PQclear(r);
	return e;
}

/* Run a transaction-control command; COMMIT of a failed one is an error. */
static enum db_err
tx_command(const char *cmd)
{
	PGresult *r = NULL;
	enum db_err e;

	if (db_pg == NULL || PQstatus(db_pg) != CONNECTION_OK) {
		drop();
		return DB_UNAVAILABLE;
	}
	if (!PQsendQueryParams(db_pg, cmd, 0, NULL, NULL, NULL, NULL, 0)) {
		e = classify(NULL, cmd);
		drop();
		return e;
	}
	e = wait_results(cmd, &r);
	if (e == DB_OK && strcmp(cmd, "COMMIT") == 0 &&
	    strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		LOG_ERR("COMMIT: the transaction had failed and was rolled "
		        "back");
		e = DB_ERROR;
	}
	PQclear(r);
	return e;
}

enum db_err
db_begin(void)
{
	enum db_err e;

	if (db_in_tx) {
		LOG_ERR("already in a transaction");
		return DB_ERROR;
	}
	if ((e = ensure()) != DB_OK)
		return e;
	if ((e = tx_command("BEGIN")) != DB_OK)
		return e;
	db_in_tx = 1;
	return DB_OK;
}

enum db_err
db_commit(void)
{
	enum db_err e;

	if (!db_in_tx) {
		LOG_ERR("not in a transaction");
		return DB_ERROR;
	}
	e = tx_command("COMMIT");
	db_in_tx = 0;
	return e;
}

enum db_err
db_rollback(void)
{
	enum db_err e = DB_OK;

	if (db_pg != NULL && PQstatus(db_pg) == CONNECTION_OK &&
	    PQtransactionStatus(db_pg) != PQTRANS_IDLE)
		e = tx_command("ROLLBACK");
	db_in_tx = 0;
	return e;
}
