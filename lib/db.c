/*
 * db.c -- the process's PostgreSQL connections: the primary (DATABASE_URL),
 * which takes every write and every query that must see the latest data,
 * and optionally a standby (DATABASE_READ_URL) for row and list reads.
 * Every query of the application goes through db_exec or db_exec_read:
 * it (re)connects lazily, prepares named
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

/*
 * One connection: the primary or the standby. Statement names prepared on
 * it are remembered so that each is prepared once per connection.
 */
struct conn {
	const char *name;     /* "primary", "standby": for the log */
	const char *conninfo; /* from the settings; NULL: not configured */
	PGconn *pg;           /* NULL when closed */
	char **prepared;      /* statement names prepared on pg */
	size_t nprepared;
	unsigned long connects; /* connections opened so far */
	long long down_until;   /* now_ms() before which not to retry */
	int listen;             /* LISTEN DB_AUTH_CHANNEL once connected */
	int doomed;             /* the server said FATAL while it was idle */
};

/*
 * What is known of the standby's freshness, in the primary's clock
 * (seconds since the epoch), from checks at most DB_READ_CHECK_MS apart.
 * A check reads the primary's WAL position and clock, then asks the
 * standby whether it has replayed that position, or the one of the check
 * before: the standby then holds every transaction committed before that
 * moment (fresh_t). It is used while the primary's clock is at most
 * READ_MAX_LAG past fresh_t, and for a request only when the fence that
 * its credential's last write set lies before fresh_t.
 */
#define DB_READ_CHECK_MS 500

struct standby {
	long long next_check; /* now_ms() of the next check */
	char pend_lsn[32];    /* the primary's WAL position at the last check */
	double pend_t;        /* and its clock then */
	double fresh_t;       /* every commit before it is replayed; 0: none */
	double primary_t;     /* the primary's clock at the last check */
	long long primary_ms; /* now_ms() at the last check */
	enum db_read_state state;
	double fence; /* this request's fence (db_read_fence) */
};

static const struct cfg *db_cfg; /* settings, from db_init */
static struct conn db_main = {"primary", NULL, NULL, NULL, 0, 0, 0, 0, 0};
static struct conn db_rd = {"standby", NULL, NULL, NULL, 0, 0, 0, 0, 0};
static struct standby db_sb;
static unsigned long db_seen;  /* db_main.connects at the last db_notified */
static int db_in_tx;           /* between db_begin and commit/rollback */
static char db_constraint[64]; /* constraint of the last conflict */
static char db_message[512];   /* server message of the last failure */

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
	return db_main.pg;
}

static void
forget_prepared(struct conn *c)
{
	size_t i;

	for (i = 0; i < c->nprepared; i++)
		free(c->prepared[i]);
	free(c->prepared);
	c->prepared = NULL;
	c->nprepared = 0;
}

/* Drop a connection (lost, timed out or closed). */
static void
drop(struct conn *c)
{
	if (c->pg != NULL)
		PQfinish(c->pg);
	c->pg = NULL;
	c->doomed = 0;
	forget_prepared(c);
}

void
db_close(void)
{
	drop(&db_main);
	drop(&db_rd);
	db_main.conninfo = db_rd.conninfo = NULL;
	db_main.down_until = db_rd.down_until = 0;
	memset(&db_sb, 0, sizeof(db_sb));
	db_in_tx = 0;
	db_cfg = NULL;
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
	db_main.conninfo = cfg->conninfo;
	/* Changes to credentials are announced on DB_AUTH_CHANNEL (sql/105);
	 * not behind PgBouncer in transaction pooling, where LISTEN does not
	 * hold: there db_notified always says so. */
	db_main.listen = cfg->auth_cache > 0 && !cfg->db_unnamed;
	db_rd.conninfo = cfg->read_conninfo;
	db_sb.fence = DB_FENCE_ALL;
	db_sb.state =
	    cfg->read_conninfo != NULL ? DB_READ_UNKNOWN : DB_READ_NONE;
	return DB_OK;
}

/*
 * Warnings from the server go to the log; notices are dropped. An error
 * that arrives while the connection is idle (libpq hands it here) is the
 * server's last word before it closes the connection (shutdown,
 * pg_terminate_backend): the connection arg is then given up.
 */
static void
notice_cb(void *arg, const PGresult *r)
{
	struct conn *c = arg;
	const char *sev, *state;

	sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
	state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (sev != NULL && strcmp(sev, "WARNING") == 0)
		LOG_WARN(
		    "server warning, SQLSTATE %s", state != NULL ? state : "?");
	else if (sev != NULL &&
	    (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0 ||
	        strcmp(sev, "ERROR") == 0))
		c->doomed = 1;
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
 * Classify a failed result of c (or none, when r is NULL: the connection
 * failed) and log it without values. what names the statement.
 */
static enum db_err
classify(struct conn *c, const PGresult *r, const char *what)
{
	const char *state = NULL, *msg = NULL, *cons = NULL;

	if (r != NULL) {
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		cons = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
	}
	snprintf(db_message, sizeof(db_message), "%s",
	    msg != NULL         ? msg
	        : c->pg != NULL ? PQerrorMessage(c->pg)
	                        : "connection closed");
	if (state == NULL || c->pg == NULL ||
	    PQstatus(c->pg) != CONNECTION_OK) {
		LOG_ERR("%s: %s connection lost: %s", what, c->name,
		    c->pg != NULL ? PQerrorMessage(c->pg) : "closed");
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
	    strcmp(state, "57014") == 0 || strcmp(state, "53300") == 0 ||
	    strcmp(state, "25006") == 0) {
		/* 25006: a write reached a server that became read-only. */
		LOG_ERR("%s: %s unavailable, SQLSTATE %s: %s", what, c->name,
		    state, msg != NULL ? msg : "");
		return DB_UNAVAILABLE;
	}
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		LOG_ERR("%s: SQLSTATE %s%s%s", what, state,
		    cons != NULL ? " on " : "", cons != NULL ? cons : "");
	else
		LOG_ERR(
		    "%s: SQLSTATE %s: %s", what, state, msg != NULL ? msg : "");
	return DB_ERROR;
}

/*
 * Wait for every result of the query just sent on c, within the deadline.
 * The first failed result (else the last one) is kept in *out. Returns
 * DB_OK when that result is a success; on a timeout or a lost connection
 * the connection is dropped and DB_UNAVAILABLE returned.
 */
static enum db_err
wait_results(struct conn *c, const char *what, PGresult **out)
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
		while (!PQisBusy(c->pg)) {
			if ((r = PQgetResult(c->pg)) == NULL)
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
			LOG_ERR("%s: no answer from the %s within %u ms: "
			        "dropping the connection",
			    what, c->name,
			    db_cfg->statement_timeout + DB_GRACE_MS);
			c->down_until = now_ms() + DB_HOLDOFF_MS;
			e = DB_UNAVAILABLE;
			lost = 1;
			goto out;
		}
		pfd.fd = PQsocket(c->pg);
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n == -1 && errno != EINTR) {
			LOG_ERR("%s: poll: %s", what, strerror(errno));
			e = DB_UNAVAILABLE;
			lost = 1;
			goto out;
		}
		if (n > 0 && !PQconsumeInput(c->pg)) {
			e = classify(c, NULL, what);
			lost = 1;
			goto out;
		}
	}
out:
	/* One exit: a lost connection is dropped, else the result kept. */
	if (!lost && keep == NULL) {
		e = classify(c, NULL, what);
		lost = 1;
	}
	if (lost) {
		PQclear(keep);
		drop(c);
		return e;
	}
	*out = keep;
	return res_ok(keep) ? DB_OK : classify(c, keep, what);
}

/* Send sql on c (no parameters) and wait for it. */
static enum db_err
simple(struct conn *c, const char *what, const char *sql)
{
	PGresult *r = NULL;
	enum db_err e;

	if (!PQsendQuery(c->pg, sql)) {
		e = classify(c, NULL, what);
		drop(c);
		return e;
	}
	e = wait_results(c, what, &r);
	PQclear(r);
	return e;
}

/* Connect c with the settings of db_init and prepare the session. */
static enum db_err
connect_now(struct conn *c)
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

	if (db_cfg == NULL || c->conninfo == NULL) {
		LOG_ERR("db_init was not called");
		return DB_ERROR;
	}
	/* A standby that does not answer is skipped: try it briefly. */
	snprintf(
	    ct, sizeof(ct), "%u", c == &db_rd ? 1 : db_cfg->connect_timeout);
	snprintf(
	    tcp, sizeof(tcp), "%u", db_cfg->statement_timeout + DB_GRACE_MS);
	snprintf(st, sizeof(st), "%u", db_cfg->statement_timeout);
	kw[0] = "connect_timeout", val[0] = ct;
	kw[1] = "keepalives", val[1] = "1";
	kw[2] = "keepalives_idle", val[2] = "5";
	kw[3] = "keepalives_interval", val[3] = "2";
	kw[4] = "keepalives_count", val[4] = "2";
	kw[5] = "tcp_user_timeout", val[5] = tcp;
	kw[6] = "application_name", val[6] = "fcgi-encrypted-db";
	kw[7] = "dbname", val[7] = c->conninfo; /* expanded: URI wins */
	kw[8] = NULL, val[8] = NULL;

	drop(c);
	c->pg = PQconnectdbParams(kw, val, 1);
	if (c->pg == NULL) {
		LOG_ERR("cannot connect to the %s: out of memory", c->name);
		return DB_UNAVAILABLE;
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		snprintf(db_message, sizeof(db_message), "%s",
		    PQerrorMessage(c->pg));
		LOG_ERR("cannot connect to the %s: %s", c->name,
		    PQerrorMessage(c->pg));
		drop(c);
		return DB_UNAVAILABLE;
	}
	PQsetNoticeReceiver(c->pg, notice_cb, c);
	params[0] = st;
	params[1] = db_cfg->time_zone != NULL ? db_cfg->time_zone : "UTC";
	if (!PQsendQueryParams(
	        c->pg, setup.sql, setup.nparams, NULL, params, NULL, NULL, 0)) {
		e = classify(c, NULL, setup.name);
		drop(c);
		return e;
	}
	e = wait_results(c, setup.name, &r);
	PQclear(r);
	if (e == DB_OK && c->listen)
		e = simple(c, "db_listen", "LISTEN " DB_AUTH_CHANNEL);
	if (e != DB_OK) {
		/* A bad TIME_ZONE lands here; the connection is useless. */
		drop(c);
		return e == DB_UNAVAILABLE ? e : DB_ERROR;
	}
	c->connects++;
	return DB_OK;
}

/*
 * Make sure c has a live connection. Outside a transaction an idle
 * connection that the server closed (restart, pg_terminate_backend) is
 * noticed here, before a query is sent, and replaced.
 */
static enum db_err
ensure(struct conn *c)
{
	enum db_err e;
	struct pollfd pfd;

	if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK &&
	    PQtransactionStatus(c->pg) == PQTRANS_IDLE && !c->listen) {
		/*
		 * An idle connection has nothing to read unless the server
		 * spoke first: a FATAL before closing (restart, shutdown,
		 * pg_terminate_backend, idle timeout) or EOF. Without LISTEN,
		 * anything readable means the connection is gone.
		 */
		pfd.fd = PQsocket(c->pg);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd < 0 || poll(&pfd, 1, 0) != 0) {
			LOG_INFO("the %s closed the connection: "
			         "reconnecting",
			    c->name);
			drop(c);
		}
	} else if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK &&
	    PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
		/* With LISTEN, notifications are readable too: read and
		 * parse what came (PQisBusy parses: notifications wait for
		 * db_notified, a FATAL goes to notice_cb). */
		if (!PQconsumeInput(c->pg) || (PQisBusy(c->pg), c->doomed) ||
		    PQstatus(c->pg) != CONNECTION_OK) {
			LOG_INFO("the %s closed the connection: "
			         "reconnecting",
			    c->name);
			drop(c);
		}
	}
	if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK)
		return DB_OK;
	if (c == &db_main && db_in_tx) {
		LOG_ERR("connection lost inside a transaction");
		drop(c);
		return DB_UNAVAILABLE;
	}
	if (now_ms() < c->down_until)
		return DB_UNAVAILABLE; /* the last try failed just now */
	if ((e = connect_now(c)) == DB_UNAVAILABLE)
		c->down_until = now_ms() + DB_HOLDOFF_MS;
	return e;
}

enum db_err
db_connect(void)
{
	return ensure(&db_main);
}

int
db_notified(void)
{
	PGnotify *n;
	int any = 0;

	if (db_main.pg == NULL || db_cfg == NULL || !db_main.listen ||
	    db_seen != db_main.connects || !PQconsumeInput(db_main.pg))
		any = 1;
	db_seen = db_main.connects;
	if (db_main.pg == NULL)
		return any;
	while ((n = PQnotifies(db_main.pg)) != NULL) {
		any = 1;
		PQfreemem(n);
	}
	return any;
}

static int
is_prepared(const struct conn *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nprepared; i++)
		if (strcmp(c->prepared[i], name) == 0)
			return 1;
	return 0;
}

/* Prepare st on c if not done yet. */
static enum db_err
prepare(struct conn *c, const struct db_stmt *st)
{
	PGresult *r = NULL;
	char **n, *copy;
	enum db_err e;

	if (is_prepared(c, st->name))
		return DB_OK;
	if (!PQsendPrepare(c->pg, st->name, st->sql, st->nparams, NULL))
		return classify(c, NULL, st->name);
	e = wait_results(c, st->name, &r);
	PQclear(r);
	if (e != DB_OK)
		return e;
	if ((copy = strdup(st->name)) == NULL ||
	    (n = realloc(c->prepared,
	         (c->nprepared + 1) * sizeof(*c->prepared))) == NULL) {
		free(copy);
		LOG_ERR("%s: out of memory", st->name);
		/* Prepared on the server but not recorded: start afresh. */
		drop(c);
		return DB_ERROR;
	}
	c->prepared = n;
	c->prepared[c->nprepared++] = copy;
	return DB_OK;
}

/* db_exec on the connection c. */
static enum db_err
exec_on(struct conn *c, const struct db_stmt *st, const char *const *values,
    const int *lengths, const int *formats, struct pg_result **res)
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
	if ((e = ensure(c)) != DB_OK)
		return e;
	if (db_cfg->db_unnamed)
		sent = PQsendQueryParams(c->pg, st->sql, st->nparams, NULL,
		    values, lengths, formats, 0);
	else {
		if ((e = prepare(c, st)) != DB_OK)
			return e;
		sent = PQsendQueryPrepared(
		    c->pg, st->name, st->nparams, values, lengths, formats, 0);
	}
	if (!sent) {
		e = classify(c, NULL, st->name);
		drop(c);
		return e;
	}
	e = wait_results(c, st->name, &r);
	if (e != DB_OK || res == NULL)
		PQclear(r);
	else
		*res = r;
	return e;
}

enum db_err
db_exec(const struct db_stmt *st, const char *const *values, const int *lengths,
    const int *formats, struct pg_result **res)
{
	return exec_on(&db_main, st, values, lengths, formats, res);
}

/* The primary's clock now, from its reading at the last check. */
static double
primary_now(void)
{
	return db_sb.primary_t + (now_ms() - db_sb.primary_ms) / 1000.0;
}

/*
 * Check the standby's freshness (see struct standby) if the last check is
 * older than DB_READ_CHECK_MS, or always when force is set. Without an
 * answer from the primary, the standby is only asked whether it is up
 * and in recovery: what it was known to hold still counts until it is
 * READ_MAX_LAG old.
 */
static void
standby_check(int force)
{
	static const struct db_stmt st_primary = {"db_primary_position",
	    "SELECT pg_current_wal_lsn()::text,"
	    " extract(epoch FROM clock_timestamp())::float8",
	    0};
	static const struct db_stmt st_standby = {"db_standby_position",
	    "SELECT pg_is_in_recovery(),"
	    " coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false),"
	    " coalesce(pg_last_wal_replay_lsn() >= $2::pg_lsn, false)",
	    2};
	PGresult *p = NULL, *r = NULL;
	const char *v[2];
	char lsn[32] = "0/0";
	double t = 0;
	int primary;

	if (!force && now_ms() < db_sb.next_check)
		return;
	db_sb.next_check = now_ms() + DB_READ_CHECK_MS;
	primary =
	    exec_on(&db_main, &st_primary, NULL, NULL, NULL, &p) == DB_OK &&
	    PQntuples(p) == 1;
	if (primary) {
		snprintf(lsn, sizeof(lsn), "%s", PQgetvalue(p, 0, 0));
		t = strtod(PQgetvalue(p, 0, 1), NULL);
	}
	PQclear(p);
	v[0] = lsn;
	v[1] = db_sb.pend_lsn[0] != '\0' && primary ? db_sb.pend_lsn : lsn;
	if (exec_on(&db_rd, &st_standby, v, NULL, NULL, &r) != DB_OK ||
	    PQntuples(r) != 1) {
		PQclear(r);
		db_sb.state = DB_READ_DOWN;
		db_sb.fresh_t = 0;
		db_sb.pend_lsn[0] = '\0';
		return;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		db_sb.state = DB_READ_NOT_STANDBY;
		db_sb.fresh_t = 0;
		PQclear(r);
		return;
	}
	if (primary) {
		if (strcmp(PQgetvalue(r, 0, 1), "t") == 0)
			db_sb.fresh_t = t;
		else if (strcmp(PQgetvalue(r, 0, 2), "t") == 0 &&
		    db_sb.pend_t > db_sb.fresh_t)
			db_sb.fresh_t = db_sb.pend_t;
		snprintf(db_sb.pend_lsn, sizeof(db_sb.pend_lsn), "%s", lsn);
		db_sb.pend_t = t;
		db_sb.primary_t = t;
		db_sb.primary_ms = now_ms();
	}
	PQclear(r);
	db_sb.state = db_sb.fresh_t > 0 &&
	        primary_now() - db_sb.fresh_t <= db_cfg->read_max_lag
	    ? DB_READ_OK
	    : DB_READ_LAGGING;
}

void
db_read_fence(double t)
{
	db_sb.fence = t;
}

int
db_standby_ready(void)
{
	if (db_rd.conninfo == NULL || db_in_tx || db_sb.fence == DB_FENCE_ALL)
		return 0;
	standby_check(0);
	if (db_sb.state != DB_READ_OK)
		return 0;
	if (primary_now() - db_sb.fresh_t > db_cfg->read_max_lag) {
		db_sb.state = DB_READ_LAGGING;
		return 0;
	}
	return db_sb.fence < db_sb.fresh_t;
}

enum db_err
db_exec_read(const struct db_stmt *st, const char *const *values,
    const int *lengths, const int *formats, struct pg_result **res,
    int *on_standby)
{
	enum db_err e;

	if (on_standby != NULL)
		*on_standby = 0;
	if (db_standby_ready()) {
		e = exec_on(&db_rd, st, values, lengths, formats, res);
		if (e == DB_OK) {
			if (on_standby != NULL)
				*on_standby = 1;
			return e;
		}
		/* Down, promoted, or a query cancelled by recovery: the
		 * primary answers, and the next check looks again. */
		LOG_INFO("%s: the standby failed (%s): reading from the "
		         "primary",
		    st != NULL ? st->name : "?", db_strerror(e));
		db_sb.state = DB_READ_UNKNOWN;
		db_sb.next_check = 0;
	}
	return exec_on(&db_main, st, values, lengths, formats, res);
}

enum db_read_state
db_read_probe(void)
{
	if (db_rd.conninfo == NULL)
		return DB_READ_NONE;
	standby_check(1);
	return db_sb.state;
}

const char *
db_read_state_name(enum db_read_state s)
{
	static const char *const names[DB_READ__MAX] = {
	    "none",          /* DB_READ_NONE */
	    "unknown",       /* DB_READ_UNKNOWN */
	    "up",            /* DB_READ_OK */
	    "lagging",       /* DB_READ_LAGGING */
	    "down",          /* DB_READ_DOWN */
	    "not a standby", /* DB_READ_NOT_STANDBY */
	};

	return (unsigned)s < DB_READ__MAX ? names[s] : "unknown";
}

enum db_err
db_ping(void)
{
	static const struct db_stmt st_ping = {"db_ping", "SELECT 1", 0};
	PGresult *r = NULL;
	enum db_err e;

	e = db_exec(&st_ping, NULL, NULL, NULL, &r);
	if (e == DB_OK && PQntuples(r) != 1)
		e = DB_ERROR;
	PQclear(r);
	return e;
}

enum db_err
db_exec_script(const char *sql)
{
	enum db_err e;

	if (sql == NULL)
		return DB_ERROR;
	db_message[0] = '\0';
	if ((e = ensure(&db_main)) != DB_OK)
		return e;
	return simple(&db_main, "script", sql);
}

/* Run a transaction-control command; COMMIT of a failed one is an error. */
static enum db_err
tx_command(const char *cmd)
{
	PGresult *r = NULL;
	enum db_err e;

	if (db_main.pg == NULL || PQstatus(db_main.pg) != CONNECTION_OK) {
		drop(&db_main);
		return DB_UNAVAILABLE;
	}
	if (!PQsendQueryParams(db_main.pg, cmd, 0, NULL, NULL, NULL, NULL, 0)) {
		e = classify(&db_main, NULL, cmd);
		drop(&db_main);
		return e;
	}
	e = wait_results(&db_main, cmd, &r);
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
	if ((e = ensure(&db_main)) != DB_OK)
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

	if (db_main.pg != NULL && PQstatus(db_main.pg) == CONNECTION_OK &&
	    PQtransactionStatus(db_main.pg) != PQTRANS_IDLE)
		e = tx_command("ROLLBACK");
	db_in_tx = 0;
	return e;
}
