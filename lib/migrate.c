/*
 * migrate.c -- schema migrations. The files NNN_name.sql of the SQL
 * directory are applied in version order, all in one transaction under a
 * transaction-level advisory lock, so that two `encdb migrate` runs never
 * interleave and a failing file leaves nothing behind. Each applied file is
 * recorded in public.schema_migrations; files already recorded are
 * skipped, so re-running is a no-op.
 *
 * Migration files are trusted SQL installed with the program and run with
 * the simple query protocol (several statements per file). They must not
 * contain transaction control (BEGIN, COMMIT) and must qualify names
 * (public.users): the session's search_path is pg_catalog, public.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

#define MIGRATE_VERSION_MAX 9999
#define MIGRATE_FILE_MAX    (1024 * 1024)
/* The advisory lock key: "encdb" in ASCII, as a bigint. */
#define MIGRATE_LOCK_KEY "435727057506"

struct migration {
	int version;
	char name[NAME_MAX + 1];
};

static const struct db_stmt st_lock = {
    "migrate_lock",
    "SELECT pg_catalog.pg_advisory_xact_lock($1::bigint)",
    1,
};

static const char create_table[] =
    "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static const struct db_stmt st_applied = {
    "migrate_applied",
    "SELECT version FROM public.schema_migrations ORDER BY version",
    0,
};

static const struct db_stmt st_record = {
    "migrate_record",
    "INSERT INTO public.schema_migrations (version, name) "
    "VALUES ($1::integer, $2)",
    2,
};

static const struct db_stmt st_exists = {
    "migrate_exists",
    "SELECT pg_catalog.to_regclass('public.schema_migrations') IS NOT NULL",
    0,
};

static const struct db_stmt st_max = {
    "migrate_max",
    "SELECT COALESCE(max(version), 0) FROM public.schema_migrations",
    0,
};

/*
 * Parse a file name NNN_name.sql: returns the version (1..9999) or 0 if
 * the name does not have that shape (such files are ignored).
 */
static int
file_version(const char *name)
{
	const char *p = name;
	size_t n = strlen(name);
	int v = 0;

	if (n < 6 || strcmp(name + n - 4, ".sql") != 0)
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > MIGRATE_VERSION_MAX)
			return 0;
	}
	if (p == name || *p != '_')
		return 0;
	for (p++; p < name + n - 4; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return v;
}

/* A version number as PostgreSQL prints an integer; -1 if not one. */
static int
db_int(const char *s)
{
	int v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > MIGRATE_VERSION_MAX * 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static int
cmp_migration(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/*
 * List the migrations of dir, sorted. Returns the count (*out malloc'd,
 * caller frees) or -1 with err set.
 */
static int
list_dir(const char *dir, struct migration **out, char *err, size_t errsz)
{
	struct migration *v = NULL, *nv;
	struct dirent *de;
	DIR *d;
	int n = 0, i, ver;

	*out = NULL;
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errsz, "cannot read the SQL directory %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if ((ver = file_version(de->d_name)) == 0)
			continue;
		if ((nv = realloc(v, (size_t)(n + 1) * sizeof(*v))) == NULL) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		v = nv;
		v[n].version = ver;
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	d = NULL;
	qsort(v, (size_t)n, sizeof(*v), cmp_migration);
	for (i = 1; i < n; i++)
		if (v[i].version == v[i - 1].version) {
			snprintf(err, errsz,
			    "%s and %s have the same version number",
			    v[i - 1].name, v[i].name);
			goto fail;
		}
	*out = v;
	return n;
fail:
	if (d != NULL)
		closedir(d);
	free(v);
	return -1;
}

int
migrate_dir_version(const char *dir, char *err, size_t errsz)
{
	struct migration *v;
	int n, max;

	if ((n = list_dir(dir, &v, err, errsz)) < 0)
		return -1;
	max = n > 0 ? v[n - 1].version : 0;
	free(v);
	return max;
}

/* Read a migration file into a malloc'd string, or NULL with err set. */
static char *
read_sql(const char *dir, const char *name, char *err, size_t errsz)
{
	char path[PATH_MAX], *buf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t r;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		snprintf(err, errsz, "%s: path too long", name);
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || st.st_size > MIGRATE_FILE_MAX) {
		snprintf(err, errsz, "%s: %s", path,
		    errno != 0 ? strerror(errno) : "file too large");
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	while (len < (size_t)st.st_size) {
		r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errsz, "%s: %s", path,
			    r == 0 ? "short read" : strerror(errno));
			goto fail;
		}
		len += (size_t)r;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* 1 if version is among the n sorted applied versions. */
static int
is_applied(const int *applied, int n, int version)
{
	int i;

	for (i = 0; i < n; i++)
		if (applied[i] == version)
			return 1;
	return 0;
}

/*
 * Inside the migration transaction: take the lock, make sure the
 * bookkeeping table exists and read the versions applied so far into
 * *done (*ndone of them, caller frees) and their highest into *max.
 */
static enum db_err
read_applied(int **done, int *ndone, int *max, char *err, size_t errsz)
{
	PGresult *r = NULL;
	const char *params[1];
	enum db_err e;
	int i;

	*done = NULL;
	*ndone = *max = 0;
	params[0] = MIGRATE_LOCK_KEY;
	if ((e = db_exec(&st_lock, params, NULL, NULL, NULL)) != DB_OK) {
		snprintf(err, errsz, "cannot take the migration lock: %s",
		    db_last_error());
		return e;
	}
	if ((e = db_exec_script(create_table)) != DB_OK) {
		snprintf(err, errsz, "cannot create schema_migrations: %s",
		    db_last_error());
		return e;
	}
	if ((e = db_exec(&st_applied, NULL, NULL, NULL, &r)) != DB_OK) {
		snprintf(err, errsz, "cannot read schema_migrations: %s",
		    db_last_error());
		return e;
	}
	if (PQntuples(r) > 0 &&
	    (*done = calloc((size_t)PQntuples(r), sizeof(**done))) == NULL) {
		PQclear(r);
		snprintf(err, errsz, "out of memory");
		return DB_ERROR;
	}
	*ndone = PQntuples(r);
	for (i = 0; i < *ndone; i++) {
		(*done)[i] = db_int(PQgetvalue(r, i, 0));
		if ((*done)[i] > *max)
			*max = (*done)[i];
	}
	PQclear(r);
	return DB_OK;
}

/* Run the migration m of dir and record it, inside the transaction. */
static enum db_err
apply_one(const char *dir, const struct migration *m, char *err, size_t errsz)
{
	const char *params[2];
	char vbuf[16], *sql;
	enum db_err e;

	if ((sql = read_sql(dir, m->name, err, errsz)) == NULL)
		return DB_ERROR;
	e = db_exec_script(sql);
	free(sql);
	if (e != DB_OK) {
		snprintf(err, errsz, "%s: %s", m->name,
		    *db_last_error() != '\0' ? db_last_error()
		                             : db_strerror(e));
		return e;
	}
	snprintf(vbuf, sizeof(vbuf), "%d", m->version);
	params[0] = vbuf;
	params[1] = m->name;
	if ((e = db_exec(&st_record, params, NULL, NULL, NULL)) != DB_OK) {
		snprintf(err, errsz, "%s: cannot record it: %s", m->name,
		    db_last_error());
		return e;
	}
	LOG_INFO("applied migration %s", m->name);
	return DB_OK;
}

enum db_err
migrate_apply(
    const char *dir, int *applied, int *version, char *err, size_t errsz)
{
	struct migration *files = NULL;
	char dummy[1];
	int *done = NULL, ndone = 0, nfiles, i, count = 0, max = 0;
	enum db_err e = DB_ERROR;

	if (err == NULL || errsz == 0) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = '\0';
	if (applied != NULL)
		*applied = 0;
	if (version != NULL)
		*version = 0;
	if ((nfiles = list_dir(dir, &files, err, errsz)) < 0)
		return DB_ERROR;

	/* Everything below runs in one transaction: cleanup rolls back. */
	if ((e = db_begin()) != DB_OK) {
		snprintf(err, errsz, "cannot start a transaction: %s",
		    db_strerror(e));
		goto out;
	}
	if ((e = read_applied(&done, &ndone, &max, err, errsz)) != DB_OK)
		goto out;
	for (i = 0; i < nfiles; i++) {
		if (is_applied(done, ndone, files[i].version))
			continue;
		if ((e = apply_one(dir, &files[i], err, errsz)) != DB_OK)
			goto out;
		count++;
		if (files[i].version > max)
			max = files[i].version;
	}
	if ((e = db_commit()) != DB_OK) {
		snprintf(err, errsz, "cannot commit: %s", db_last_error());
		goto out;
	}
	if (applied != NULL)
		*applied = count;
	if (version != NULL)
		*version = max;
out:
	/* One cleanup path; a failure rolls the whole run back. */
	if (e != DB_OK)
		db_rollback();
	free(done);
	free(files);
	return e;
}

enum db_err
migrate_db_version(int *version)
{
	PGresult *r = NULL;
	enum db_err e;

	*version = 0;
	if ((e = db_exec(&st_exists, NULL, NULL, NULL, &r)) != DB_OK)
		goto out;
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0)
		goto out;
	PQclear(r);
	r = NULL;
	if ((e = db_exec(&st_max, NULL, NULL, NULL, &r)) != DB_OK)
		goto out;
	*version = db_int(PQgetvalue(r, 0, 0));
out:
	PQclear(r);
	return e;
}
