/*
 * opsutil.c -- what the operator's subcommands of encdb share: setup of
 * settings and connection, the progress line (rows done, rows/s, ETA, only
 * when stderr is a terminal), binary PostgreSQL arrays for one-statement
 * batch updates (the array_recv wire format: ndim, flags, element oid,
 * then dimension and lower bound, then length-prefixed elements), and
 * small libpq helpers that report errors without ever printing values.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "ops.h"

#define OPS_ARRAY_HEADER 20 /* ndim, flags, oid, dim, lbound: 5 x int32 */

/* Print each line of a cfg_load message as "encdb: LINE". */
static void
print_lines(char *msg)
{
	char *line, *next;

	for (line = msg; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		fprintf(stderr, "encdb: %s\n", line);
	}
}

const char *
ops_db_message(void)
{
	static char msg[512];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", db_last_error());
	n = strlen(msg);
	while (n > 0 &&
	    (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '\t'))
		msg[--n] = '\0';
	return msg;
}

int
ops_setup(struct cfg *c, unsigned flags, PGconn **pg)
{
	char err[1024];
	const char *msg;
	int version = 0;

	*pg = NULL;
	if (cfg_load(c, (flags & ~OPS_ANY_SCHEMA) | CFG_ALL_ERRS, err,
	        sizeof(err)) != CFG_OK) {
		print_lines(err);
		fprintf(stderr,
		    "Fix the settings named above; 'encdb check' "
		    "lists every problem with its fix.\n");
		return -1;
	}
	if (db_init(c) != DB_OK || db_connect() != DB_OK) {
		msg = ops_db_message();
		fprintf(stderr, "encdb: cannot connect to the database%s%s\n",
		    msg[0] != '\0' ? ": " : "", msg);
		fprintf(stderr,
		    "Check DATABASE_URL (or POSTGRES_HOST and the "
		    "other POSTGRES_ settings) and that PostgreSQL "
		    "runs; 'encdb check' tests the settings.\n");
		return -1;
	}
	if (!(flags & OPS_ANY_SCHEMA)) {
		if (migrate_db_version(&version) != DB_OK) {
			fprintf(stderr,
			    "encdb: cannot read the schema version: "
			    "%s\n",
			    ops_db_message());
			return -1;
		}
		if (version == 0) {
			fprintf(stderr,
			    "encdb: the database has no schema yet: "
			    "run 'encdb migrate' first.\n");
			return -1;
		}
	}
	*pg = db_handle();
	if (*pg == NULL)
		return -1;
	/* Batches are bounded; the whole run is not a request. */
	return ops_exec(*pg, "setup", "SET statement_timeout = 0");
}

int
ops_workers_load(struct cfg *w, int n, unsigned flags)
{
	char err[1024];
	int i;

	for (i = 0; i < n; i++)
		memset(&w[i], 0, sizeof(w[i]));
	for (i = 0; i < n; i++)
		if (cfg_load(&w[i], flags, err, sizeof(err)) != CFG_OK) {
			fprintf(stderr, "encdb: settings: %s\n", err);
			return -1;
		}
	return 0;
}

void
ops_workers_free(struct cfg *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		cfg_free(&w[i]);
}

void
ops_teardown(struct cfg *c)
{
	db_close();
	cfg_free(c);
}

long long
ops_number(const char *opt, const char *s, long long max)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9') {
		fprintf(stderr, "encdb: %s: expected a number\n", opt);
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "encdb: %s: expected a number from 1 to %lld\n",
		    opt, max);
		return -1;
	}
	return v;
}

double
ops_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress_draw(struct ops_progress *p)
{
	double el = ops_now() - p->t0, rate;
	long long eta;

	rate = el > 0 ? (double)p->done / el : 0;
	if (p->total > 0 && rate > 0 && p->done <= p->total) {
		eta = (long long)((double)(p->total - p->done) / rate);
		fprintf(stderr,
		    "\r%s: %lld/%lld rows (%d%%), %.0f rows/s, ETA "
		    "%lld:%02lld   ",
		    p->what, (long long)p->done, (long long)p->total,
		    (int)(100 * p->done / p->total), rate, eta / 60, eta % 60);
	} else
		fprintf(stderr, "\r%s: %lld rows, %.0f rows/s   ", p->what,
		    (long long)p->done, rate);
	fflush(stderr);
}

void
ops_progress_start(struct ops_progress *p, const char *what, int64_t total)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->total = total;
	p->t0 = p->shown = ops_now();
	p->tty = isatty(STDERR_FILENO);
}

void
ops_progress_add(struct ops_progress *p, int64_t n)
{
	double t;

	p->done += n;
	if (!p->tty)
		return;
	t = ops_now();
	if (t - p->shown < 0.2)
		return;
	p->shown = t;
	progress_draw(p);
}

double
ops_progress_end(struct ops_progress *p)
{
	if (p->tty)
		fprintf(stderr, "\r\033[K");
	return ops_now() - p->t0;
}

static void
put32(unsigned char *d, uint32_t v)
{
	d[0] = (unsigned char)(v >> 24);
	d[1] = (unsigned char)(v >> 16);
	d[2] = (unsigned char)(v >> 8);
	d[3] = (unsigned char)v;
}

static int
array_grow(struct ops_array *a, size_t more)
{
	unsigned char *n;
	size_t cap;

	if (a->oom)
		return -1;
	if (more <= a->cap - a->len)
		return 0;
	cap = a->cap ? a->cap : 4096;
	while (cap - a->len < more) {
		if (cap > ((size_t)1 << 30)) {
			a->oom = 1;
			return -1;
		}
		cap *= 2;
	}
	if ((n = realloc(a->data, cap)) == NULL) {
		a->oom = 1;
		return -1;
	}
	a->data = n;
	a->cap = cap;
	return 0;
}

void
ops_array_init(struct ops_array *a, uint32_t elem_oid)
{
	a->len = 0;
	a->n = 0;
	a->oom = 0;
	if (array_grow(a, OPS_ARRAY_HEADER) != 0)
		return;
	put32(a->data, 1);     /* ndim */
	put32(a->data + 4, 0); /* flags: no nulls */
	put32(a->data + 8, elem_oid);
	put32(a->data + 12, 0); /* dimension: set by finish */
	put32(a->data + 16, 1); /* lower bound */
	a->len = OPS_ARRAY_HEADER;
}

void
ops_array_add(struct ops_array *a, const void *p, size_t len)
{
	if (len > INT32_MAX || array_grow(a, 4 + len) != 0)
		return;
	put32(a->data + a->len, (uint32_t)len);
	if (len > 0)
		memcpy(a->data + a->len + 4, p, len);
	a->len += 4 + len;
	a->n++;
}

int
ops_array_finish(struct ops_array *a)
{
	if (a->oom || a->data == NULL)
		return -1;
	put32(a->data + 12, (uint32_t)a->n);
	return 0;
}

void
ops_array_free(struct ops_array *a)
{
	/* Elements may be plaintext-derived (blind indexes): wipe. */
	if (a->data != NULL)
		ef_wipe(a->data, a->cap);
	free(a->data);
	memset(a, 0, sizeof(*a));
}

void
ops_pg_error(const char *what, const PGresult *r, const PGconn *pg)
{
	const char *msg = NULL, *state = NULL;

	if (r != NULL) {
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	}
	if (msg == NULL && pg != NULL)
		msg = PQerrorMessage(pg);
	/* Data (22) and integrity (23) errors may quote values: code only. */
	if (state != NULL &&
	    (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0))
		msg = "data or constraint error";
	fprintf(stderr, "encdb: %s failed: %s%s%s%s\n", what,
	    msg != NULL ? msg : "unknown error", state ? " (SQLSTATE " : "",
	    state ? state : "", state ? ")" : "");
}

int
ops_exec(PGconn *pg, const char *what, const char *sql)
{
	PGresult *r;
	int rc = 0;

	r = PQexecParams(pg, sql, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		ops_pg_error(what, r, pg);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int64_t
ops_count(PGconn *pg, const char *what, const char *sql, int nparams,
    const char *const *values)
{
	PGresult *r;
	int64_t v = -1;

	r = PQexecParams(pg, sql, nparams, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1 ||
	    PQnfields(r) < 1)
		ops_pg_error(what, r, pg);
	else if (PQgetisnull(r, 0, 0))
		v = 0;
	else
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

void
ops_uuid_text(const uint8_t *uuid, char out[37])
{
	ef_uuid_format(uuid, out);
}

const char *
ops_reason(int e)
{
	switch (e) {
	case EF_ERR_UNKNOWN_KEY:
		return "unknown key id";
	case EF_ERR_AUTH:
		return "authentication failed";
	case EF_ERR_MALFORMED:
		return "malformed";
	case EF_ERR_NO_LEGACY:
		return "legacy value but no POSTGRES_SECRET_KEY";
	case EF_ERR_KEY_NONE:
		return "v1 value but no FIELD_KEYS";
	default:
		return ef_strerror((enum ef_err)e);
	}
}

const struct audit_entry *
ops_audit_entry(
    struct ops_audit *x, const char *command, enum audit_action action)
{
	struct passwd *pw = getpwuid(geteuid());

	memset(x, 0, sizeof(*x));
	if (pw != NULL && pw->pw_name != NULL)
		snprintf(x->actor, sizeof(x->actor), "encdb (%s)", pw->pw_name);
	else
		snprintf(x->actor, sizeof(x->actor), "encdb (uid %lu)",
		    (unsigned long)geteuid());
	snprintf(x->route, sizeof(x->route), "encdb %s", command);
	x->e.actor = x->actor;
	x->e.route = x->route;
	x->e.action = action;
	return &x->e;
}

int
ops_audit_record(const char *command, enum audit_action action,
    const char *username, const char *detail)
{
	struct ops_audit x;
	struct audit_entry e;

	e = *ops_audit_entry(&x, command, action);
	e.detail = detail;
	if (audit_record_user(&e, username) == DB_OK)
		return 0;
	fprintf(stderr,
	    "encdb: %s: cannot write the audit trail; nothing "
	    "done (check the database and its privileges)\n",
	    command);
	return -1;
}

int
ops_state_path(const struct cfg *c, const char *setting, const char *file,
    const char *opt, char **path)
{
	char def[1024];

	*path = NULL;
	if (opt != NULL)
		*path = strdup(opt);
	else if (cfg_get(c, setting, path) != CFG_OK) {
		fprintf(stderr, "encdb: %s: cannot be read\n", setting);
		return -1;
	} else if (*path == NULL) {
		snprintf(def, sizeof(def), "%s/%s", AUDITSTATEDIR, file);
		*path = strdup(def);
	}
	if (*path == NULL) {
		fprintf(stderr, "encdb: out of memory\n");
		return -1;
	}
	return 0;
}

int
ops_read_line(FILE *f, char *buf, size_t size)
{
	size_t n;

	if (fgets(buf, (int)size, f) == NULL)
		return 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	else if (!feof(f))
		return -1;
	return 1;
}

int
ops_append_line(const char *what, const char *path, const char *line)
{
	size_t n = strlen(line);
	char buf[AUDIT_CP_LINE_MAX + 1];
	int fd, rc = -1;

	if (n >= sizeof(buf))
		return -1;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	         0640)) == -1) {
		fprintf(stderr, "encdb: %s: cannot open %s: %s\n", what, path,
		    strerror(errno));
		return -1;
	}
	memcpy(buf, line, n);
	buf[n] = '\n';
	if (write(fd, buf, n + 1) != (ssize_t)(n + 1) || fsync(fd) == -1)
		fprintf(stderr, "encdb: %s: cannot write %s: %s\n", what, path,
		    strerror(errno));
	else
		rc = 0;
	if (close(fd) == -1 && rc == 0) {
		fprintf(stderr, "encdb: %s: cannot write %s: %s\n", what, path,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}

int
ops_signing_key(
    const struct cfg *c, const char *what, struct audit_signing_key *k)
{
	char *s = NULL;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (cfg_get(c, "AUDIT_SIGNING_KEY", &s) != CFG_OK || s == NULL)
		fprintf(stderr,
		    "encdb: %s: AUDIT_SIGNING_KEY is not set; make a pair "
		    "with: encdb gen-key --audit\n",
		    what);
	else if ((rc = audit_key_parse_signing(s, k)) == -1)
		fprintf(stderr,
		    "encdb: %s: AUDIT_SIGNING_KEY: not a key made "
		    "by encdb gen-key --audit\n",
		    what);
	if (s != NULL) {
		ef_wipe(s, strlen(s));
		free(s);
	}
	return rc;
}

int
ops_verify_key(
    const struct cfg *c, const char *what, uint8_t pub[AUDIT_KEY_LEN])
{
	struct audit_signing_key k;
	char *s = NULL;
	int rc = -1;

	if (cfg_get(c, "AUDIT_VERIFY_KEY", &s) == CFG_OK && s != NULL) {
		if ((rc = audit_key_parse_verify(s, pub)) == -1)
			fprintf(stderr,
			    "encdb: AUDIT_VERIFY_KEY: not a key "
			    "made by encdb gen-key --audit\n");
		free(s);
		return rc;
	}
	if (cfg_get(c, "AUDIT_SIGNING_KEY", &s) == CFG_OK && s != NULL) {
		if ((rc = audit_key_parse_signing(s, &k)) == 0)
			memcpy(pub, k.pub, AUDIT_KEY_LEN);
		ef_wipe(&k, sizeof(k));
		ef_wipe(s, strlen(s));
		free(s);
	}
	if (rc == -1)
		fprintf(stderr,
		    "encdb: %s: set AUDIT_VERIFY_KEY "
		    "(made by encdb gen-key --audit)\n",
		    what);
	return rc;
}
