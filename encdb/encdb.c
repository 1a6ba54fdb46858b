/*
 * encdb.c -- the administration command of fcgi-encrypted-db: everything an
 * operator does outside HTTP. Settings come from the same sources as the
 * routes' (environment, SECRETS_PATH files, CONFIG_FILE); see encdb(1).
 *
 * main() reads the global options (-v, --help, --version), finds the
 * command in the table of encdb/cmds.c, answers --help and --version for
 * it and runs it. This file also holds migrate, check and gen-key; the
 * user commands are in user.c, the maintenance commands in ops.h's files.
 *
 * Exit status (ops.h, encdb(1)): 0 done, 1 done but something failed or
 * was refused, 2 bad command line, 3 settings or database unusable.
 * Secrets never appear in the output. Library log lines (with internal
 * function names) are shown only with -v; without it each command says
 * in plain words what happened and what to do.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "encdb.h"
#include "ops.h"

static const char *progname = "encdb";

int encdb_verbose;

void
encdb_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- migrate ---------------------------------------------------------- */

/*
 * The options of migrate and check (name): [--sql-dir DIR]. Sets *dir
 * (NULL when not given). Returns -1 to go on, else OPS_EXIT_USAGE.
 */
static int
sql_dir_options(const char *name, int argc, char *argv[], const char **dir)
{
	static const struct option opts[] = {
	    {"sql-dir", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	*dir = NULL;
	while ((ch = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
		if (ch != 'd') {
			encdb_usage(stderr, name);
			return OPS_EXIT_USAGE;
		}
		*dir = optarg;
	}
	if (optind != argc) {
		encdb_err("%s: unexpected argument %s", name, argv[optind]);
		encdb_usage(stderr, name);
		return OPS_EXIT_USAGE;
	}
	return -1;
}

int
encdb_migrate(int argc, char *argv[])
{
	struct cfg c;
	PGconn *pg;
	const char *dir = NULL;
	char err[1024];
	int ch, applied = 0, version = 0, rc = OPS_EXIT_SETUP;
	enum db_err e;

	memset(&c, 0, sizeof(c));
	if ((ch = sql_dir_options("migrate", argc, argv, &dir)) != -1)
		return ch;
	if (ops_setup(&c, CFG_NEED_DB | OPS_ANY_SCHEMA, &pg) != 0)
		goto out;
	if (dir == NULL)
		dir = c.sql_dir;
	/* Say where the migrations are looked for, and how to move that. */
	if (migrate_dir_version(dir, err, sizeof(err)) < 0) {
		encdb_err("migrate: %s", err);
		fprintf(stderr,
		    "Point encdb at the migrations with SQL_DIR=DIR "
		    "or --sql-dir DIR (the sql/ folder of the "
		    "source tree, or the installed %s).\n",
		    SQLDIR);
		goto out;
	}
	e = migrate_apply(dir, &applied, &version, err, sizeof(err));
	if (e != DB_OK) {
		encdb_err("migrate: %s", err);
		fprintf(stderr,
		    "Nothing was applied: the database is as it "
		    "was.\n");
		rc = e == DB_UNAVAILABLE ? OPS_EXIT_SETUP : OPS_EXIT_PROBLEM;
		goto out;
	}
	if (applied == 0)
		printf("schema is up to date (version %d)\n", version);
	else
		printf("applied %d migration%s: schema version %d\n", applied,
		    applied == 1 ? "" : "s", version);
	if (ops_index_legacy(pg, &c) != 0) {
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	ops_teardown(&c);
	return rc;
}

/* ---- check ------------------------------------------------------------ */

static int problems;

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bad(const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One line of check's report: tag, the message, then its fix if any. */
static void
report(const char *tag, const char *fix, const char *fmt, va_list ap)
{
	printf("%-9s", tag);
	vprintf(fmt, ap);
	putchar('\n');
	if (fix != NULL)
		printf("         fix: %s\n", fix);
}

static void
ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("ok", NULL, fmt, ap);
	va_end(ap);
}

/* An optional setting that is not set: not a problem, but worth a line. */
static void
note(const char *fmt, ...)
{
	va_list ap;

	printf("--       ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
bad(const char *fix, const char *fmt, ...)
{
	va_list ap;

	problems++;
	va_start(ap, fmt);
	report("PROBLEM", fix, fmt, ap);
	va_end(ap);
}

/* Something to act on that is not (yet) a problem: exit status 0. */
static void
warn(const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("WARNING", fix, fmt, ap);
	va_end(ap);
}

/* cfg_exposed's callback: a settings file others may read. */
static void
check_exposed(const char *path, unsigned mode, void *arg)
{
	(void)arg;
	warn("chmod o-rwx it (and keep its directory private)",
	    "%s is readable by other users (mode %04o) and holds settings",
	    path, mode);
}

/* A fix for each setting a cfg_load message can name. */
static const char *
fix_for(const char *line)
{
	static const struct {
		const char *prefix;
		const char *fix;
	} fixes[] = {
	    {"DATABASE_URL",
	        "set DATABASE_URL to a libpq URI, e.g. "
	        "postgresql://user@host/db"},
	    {"POSTGRES_",
	        "check POSTGRES_HOST, POSTGRES_PORT, "
	        "POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD"},
	    {"FIELD_KEYS",
	        "set FIELD_KEYS to id:base64 entries; make "
	        "one with: encdb gen-key --id 1"},
	    {"INDEX_KEY", "set INDEX_KEY; make one with: encdb gen-key"},
	    {"LEGACY_ENGINE",
	        "use aes-cbc-pkcs5 (the boilerplate's) or "
	        "another SQLAlchemy-Utils engine name"},
	    {"CONFIG_FILE", "fix or unset CONFIG_FILE"},
	};
	size_t i;

	for (i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++)
		if (strncmp(line, fixes[i].prefix, strlen(fixes[i].prefix)) ==
		    0)
			return fixes[i].fix;
	return "correct the setting named above";
}

static void
check_canary(const struct cfg *c)
{
	static const char canary[] = "canary@example.invalid";
	uint8_t uuid[16], *ct = NULL, bidx[EF_BIDX_LEN];
	size_t ctlen = 0, ptlen = 0;
	char *pt = NULL;
	enum ef_err e;

	if (c->keys == NULL || c->index_key == NULL)
		return;
	ef_uuid_v4(uuid);
	if ((e = ef_encrypt(c->keys, USERS_EMAIL_COLUMN, uuid, canary,
	         sizeof(canary) - 1, &ct, &ctlen)) != EF_OK ||
	    (e = ef_decrypt(c->keys, USERS_EMAIL_COLUMN, uuid, ct, ctlen, &pt,
	         &ptlen)) != EF_OK) {
		bad("check FIELD_KEYS", "canary encryption failed: %s",
		    ef_strerror(e));
		goto out;
	}
	if (ptlen != sizeof(canary) - 1 || memcmp(pt, canary, ptlen) != 0) {
		bad("report a bug", "canary decrypted to something else");
		goto out;
	}
	if ((e = ef_blind_index(
	         c->index_key, canary, sizeof(canary) - 1, bidx)) != EF_OK) {
		bad("check INDEX_KEY", "blind index failed: %s",
		    ef_strerror(e));
		goto out;
	}
	ok("canary: encrypted and decrypted with key %u, blind index made",
	    (unsigned)ef_keyring_active(c->keys));
out:
	free(ct);
	ef_free_plain(pt, ptlen);
}

/* Decrypt the first rows of the table, as the routes would. */
static void
check_rows(const struct cfg *c)
{
	struct user_list l;
	size_t i, unreadable = 0, legacy = 0;
	enum db_err e;

	if ((e = users_list(c, NULL, NULL, 20, NULL, &l)) != DB_OK) {
		bad("see the message above", "cannot read users: %s",
		    db_strerror(e));
		return;
	}
	for (i = 0; i < l.n; i++) {
		if (l.v[i].email == NULL) {
			unreadable++;
			printf("         user %s: email unreadable: %s\n",
			    l.v[i].id, ef_strerror(l.v[i].email_err));
		}
		legacy += l.v[i].email_legacy;
	}
	if (unreadable > 0)
		bad("check FIELD_KEYS (every old key id must stay in the "
		    "ring), POSTGRES_SECRET_KEY and LEGACY_ENGINE",
		    "%zu of the first %zu users cannot be decrypted",
		    unreadable, l.n);
	else
		ok("users: the first %zu decrypt (%zu in the boilerplate's "
		   "format%s)",
		    l.n, legacy,
		    legacy > 0 ? ": encdb upgrade converts them" : "");
	users_list_free(&l);
}

/* The usernames after $1 (NULL: from the first), $2 of them. */
static const struct db_stmt st_check_names = {
    "check_names",
    "SELECT id::text, username, username_shared FROM public.users"
    " WHERE ($1::text IS NULL OR username > $1::text)"
    " ORDER BY username LIMIT $2::integer",
    2,
};

#define CHECK_NAMES_BATCH 1000 /* rows read at a time */
#define CHECK_NAMES_SHOWN 20   /* rows named, of each kind */

/*
 * The rows whose username a new user could not have (valid_username), and
 * those sharing their name with an earlier row in another case (sql/202):
 * the boilerplate's, which keep working. Named by id (the name may hold
 * anything), a warning for each kind.
 */
static void
check_usernames(void)
{
	PGresult *r = NULL;
	struct pair p;
	const char *v[2];
	char lim[16], *after = NULL;
	long long bad_rule = 0, shared = 0;
	enum db_err e;
	int i, n;

	snprintf(lim, sizeof(lim), "%d", CHECK_NAMES_BATCH);
	v[1] = lim;
	do {
		v[0] = after;
		e = db_exec(&st_check_names, v, NULL, NULL, &r);
		free(after);
		after = NULL;
		if (e != DB_OK) {
			bad("see the message above",
			    "cannot read usernames: %s", db_strerror(e));
			return;
		}
		n = PQntuples(r);
		for (i = 0; i < n; i++) {
			memset(&p, 0, sizeof(p));
			p.key = "username";
			p.val = PQgetvalue(r, i, 1);
			p.valsz = (size_t)PQgetlength(r, i, 1);
			if (!valid_username(&p) &&
			    bad_rule++ < CHECK_NAMES_SHOWN)
				printf("         user %s: username %s\n",
				    PQgetvalue(r, i, 0), p.err);
			if (strcmp(PQgetvalue(r, i, 2), "t") == 0 &&
			    shared++ < CHECK_NAMES_SHOWN)
				printf("         user %s: username taken by an "
				       "earlier user in another case\n",
				    PQgetvalue(r, i, 0));
		}
		if (n == CHECK_NAMES_BATCH &&
		    (after = strdup(PQgetvalue(r, n - 1, 1))) == NULL)
			bad("free some memory", "out of memory");
		PQclear(r);
		r = NULL;
	} while (after != NULL);
	if (bad_rule > 0)
		warn("none needed: these users sign in and are read as "
		     "before; new users need an allowed name (README, "
		     "\"Usernames\")",
		    "usernames: %lld users have a name that a new user could "
		    "not have",
		    bad_rule);
	if (shared > 0)
		warn("none needed: these users sign in and are read as "
		     "before; the name stays refused to new users in any case",
		    "usernames: %lld users share their name with an earlier "
		    "user in another case",
		    shared);
	if (bad_rule == 0 && shared == 0)
		ok("usernames: every one allowed and unique in any case");
}

/*
 * Legacy secrets still set when nothing needs them any more: every email
 * upgraded (POSTGRES_SECRET_KEY), every password rehashed (SECRET_KEY).
 * Each is a key to the boilerplate's weak formats left lying about.
 */
static void
check_legacy_secrets(const struct cfg *c)
{
	struct census cs;
	enum db_err e;

	if (c->legacy == NULL && c->legacy_salt == NULL)
		return;
	if ((e = census_status(&cs)) != DB_OK) {
		bad("see the message above", "cannot count legacy rows: %s",
		    db_strerror(e));
		return;
	}
	if (c->legacy != NULL && cs.legacy == 0)
		warn("remove POSTGRES_SECRET_KEY (and LEGACY_ENGINE) from "
		     "the settings",
		    "POSTGRES_SECRET_KEY is set, but no email is left in the "
		    "boilerplate's format (encdb upgrade has finished)");
	if (c->legacy_salt != NULL && cs.pw_legacy == 0)
		warn("remove SECRET_KEY from the settings",
		    "SECRET_KEY is set, but no password hash is left in the "
		    "boilerplate's format");
	census_free(&cs);
}

/*
 * DATABASE_READ_URL: a standby that answers, is in recovery and has
 * replayed what the primary had a moment ago. A first check that finds it
 * just behind a busy primary is repeated after a second.
 */
static void
check_standby(void)
{
	enum db_read_state s;

	if ((s = db_read_probe()) == DB_READ_LAGGING) {
		sleep(1);
		s = db_read_probe();
	}
	switch (s) {
	case DB_READ_OK:
		ok("standby (DATABASE_READ_URL): up, in recovery, within "
		   "READ_MAX_LAG");
		break;
	case DB_READ_LAGGING:
		bad("check the standby's replication (pg_stat_replication on "
		    "the primary); reads go to the primary meanwhile",
		    "standby (DATABASE_READ_URL): behind by more than "
		    "READ_MAX_LAG");
		break;
	case DB_READ_NOT_STANDBY:
		bad("point DATABASE_READ_URL at a hot standby (or unset it)",
		    "standby (DATABASE_READ_URL): answers but is not in "
		    "recovery");
		break;
	default:
		bad("check DATABASE_READ_URL and that the standby runs and "
		    "accepts this client; reads go to the primary meanwhile",
		    "standby (DATABASE_READ_URL): cannot connect: %s",
		    ops_db_message());
		break;
	}
}

/*
 * Users erased since the backup this database was restored from: the
 * erasure ledger lists them, yet their data keys are here.
 */
static void
check_erasures(const struct cfg *c)
{
	char *vk = NULL, *sk = NULL;
	int64_t n = 0;
	int tampered;

	if ((cfg_get(c, "AUDIT_VERIFY_KEY", &vk) != CFG_OK || vk == NULL) &&
	    (cfg_get(c, "AUDIT_SIGNING_KEY", &sk) != CFG_OK || sk == NULL)) {
		note("erasure ledger: not checked (set AUDIT_VERIFY_KEY to "
		     "check it)");
		return;
	}
	free(vk);
	if (sk != NULL) {
		ef_wipe(sk, strlen(sk));
		free(sk);
	}
	if ((tampered = ops_erasure_keys_present(c, db_handle(), &n)) < 0)
		bad("see the message above", "erasure ledger: cannot check it");
	else if (tampered > 0)
		bad("keep a copy of the ledger and run: encdb erasure status",
		    "erasure ledger: %d lines fail their checks", tampered);
	if (n > 0)
		warn("run: encdb erasure apply",
		    "%lld users the erasure ledger lists still have their "
		    "data key here (a restore brought them back)",
		    (long long)n);
	else if (tampered == 0)
		ok("erasure ledger: no erased user's data key here");
}

int
encdb_check(int argc, char *argv[])
{
	struct cfg c;
	const char *dir = NULL;
	char err[4096], *line, *next;
	int ch, dbv = 0, filev = -1;

	if ((ch = sql_dir_options("check", argc, argv, &dir)) != -1)
		return ch;
	problems = 0;
	if (cfg_load(&c, CFG_NEED_DB | CFG_NEED_KEYS | CFG_ALL_ERRS, err,
	        sizeof(err)) != CFG_OK) {
		for (line = err; line != NULL && *line != '\0'; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			bad(fix_for(line), "%s", line);
		}
	} else
		ok("settings: every required setting is present and valid");
	if (c.secrets_path != NULL)
		note("SECRETS_PATH: %s%s", c.secrets_path,
		    access(c.secrets_path, F_OK) == 0 ? ""
		                                      : " (does not exist)");
	cfg_exposed(&c, check_exposed, NULL);
	if (c.keys != NULL)
		ok("FIELD_KEYS: %zu key%s, active key id %u",
		    ef_keyring_count(c.keys),
		    ef_keyring_count(c.keys) == 1 ? "" : "s",
		    (unsigned)ef_keyring_active(c.keys));
	if (c.index_key != NULL)
		ok("INDEX_KEY: set");
	if (c.legacy != NULL)
		ok("POSTGRES_SECRET_KEY: set: the boilerplate's rows can be "
		   "read");
	else
		note("POSTGRES_SECRET_KEY: not set (optional: needed only to "
		     "read rows written by flask-encrypted-db)");
	if (c.legacy_salt != NULL)
		ok("SECRET_KEY: set: the boilerplate's password hashes can be "
		   "verified");
	else
		note("SECRET_KEY: not set (optional: needed only while users "
		     "still have flask-encrypted-db password hashes)");
	check_canary(&c);

	if (dir == NULL)
		dir = c.sql_dir;
	if (dir != NULL &&
	    (filev = migrate_dir_version(dir, err, sizeof(err))) < 0) {
		bad("set SQL_DIR or --sql-dir to the installed sql directory",
		    "migrations: %s", err);
		filev = -1;
	}
	if (c.conninfo != NULL && db_init(&c) == DB_OK) {
		if (db_connect() != DB_OK)
			bad("check DATABASE_URL (or POSTGRES_*) and that "
			    "PostgreSQL runs and accepts this client",
			    "database: cannot connect: %s", ops_db_message());
		else if (migrate_db_version(&dbv) != DB_OK)
			bad("check the database role's privileges",
			    "database: cannot read the schema version: %s",
			    ops_db_message());
		else {
			ok("database: reachable");
			if (filev >= 0 && dbv < filev)
				bad("run: encdb migrate",
				    "schema version %d, %d available", dbv,
				    filev);
			else if (filev >= 0 && dbv > filev)
				bad("install the matching SQL files (SQL_DIR)",
				    "schema version %d is newer than the "
				    "migrations here (%d)",
				    dbv, filev);
			else
				ok("schema version %d", dbv);
			if (dbv > 0 && c.keys != NULL)
				check_rows(&c);
			if (dbv > 0)
				check_legacy_secrets(&c);
			if (c.read_conninfo != NULL)
				check_standby();
			if (dbv >= 202)
				check_usernames();
			if (dbv > 0)
				check_erasures(&c);
		}
	}
	db_close();
	cfg_free(&c);
	if (problems > 0) {
		printf(
		    "%d problem%s found\n", problems, problems == 1 ? "" : "s");
		return OPS_EXIT_PROBLEM;
	}
	printf("all checks passed\n");
	return OPS_EXIT_OK;
}

/* ---- gen-key ---------------------------------------------------------- */

/* The audit signing key pair, as two setting lines. */
static int
gen_audit_key(void)
{
	struct audit_signing_key k;
	char pub[AUDIT_PUB_B64_LEN + 1], *sk;

	if (audit_key_generate(&k) == -1) {
		encdb_err("gen-key: cannot make an Ed25519 key pair");
		return OPS_EXIT_PROBLEM;
	}
	if ((sk = audit_key_format_signing(&k)) == NULL) {
		ef_wipe(&k, sizeof(k));
		encdb_err("gen-key: out of memory");
		return OPS_EXIT_PROBLEM;
	}
	if (audit_key_format_verify(k.pub, pub) == -1) {
		ef_wipe(&k, sizeof(k));
		ef_wipe(sk, strlen(sk));
		free(sk);
		encdb_err("gen-key: out of memory");
		return OPS_EXIT_PROBLEM;
	}
	ef_wipe(&k, sizeof(k));
	printf("AUDIT_SIGNING_KEY=%s\nAUDIT_VERIFY_KEY=%s\n", sk, pub);
	ef_wipe(sk, strlen(sk));
	free(sk);
	return fflush(stdout) == 0 ? OPS_EXIT_OK : OPS_EXIT_PROBLEM;
}

int
encdb_gen_key(int argc, char *argv[])
{
	static const struct option opts[] = {
	    {"id", required_argument, NULL, 'i'},
	    {"audit", no_argument, NULL, 'A'},
	    {NULL, 0, NULL, 0},
	};
	uint8_t key[EF_KEY_LEN];
	char *b64 = NULL, *end;
	long id = -1;
	int ch, audit = 0;

	while ((ch = getopt_long(argc, argv, "i:", opts, NULL)) != -1) {
		if (ch == 'A') {
			audit = 1;
			continue;
		}
		if (ch != 'i') {
			encdb_usage(stderr, "gen-key");
			return OPS_EXIT_USAGE;
		}
		errno = 0;
		id = strtol(optarg, &end, 10);
		if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
		    errno != 0 || id > 65535) {
			encdb_err("gen-key: --id must be a number from 0 to "
			          "65535");
			return OPS_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		encdb_err("gen-key: unexpected argument %s", argv[optind]);
		encdb_usage(stderr, "gen-key");
		return OPS_EXIT_USAGE;
	}
	if (audit && id >= 0) {
		encdb_err(
		    "gen-key: --audit makes a key pair; it takes no --id");
		encdb_usage(stderr, "gen-key");
		return OPS_EXIT_USAGE;
	}
	if (ef_init() != EF_OK) {
		encdb_err("gen-key: libgcrypt could not be initialised");
		return OPS_EXIT_SETUP;
	}
	if (audit)
		return gen_audit_key();
	ef_random(key, sizeof(key));
	if (ef_base64_encode(key, sizeof(key), &b64) != EF_OK) {
		ef_wipe(key, sizeof(key));
		encdb_err("gen-key: out of memory");
		return OPS_EXIT_PROBLEM;
	}
	ef_wipe(key, sizeof(key));
	if (id >= 0)
		printf("%ld:%s\n", id, b64);
	else
		printf("%s\n", b64);
	ef_wipe(b64, strlen(b64));
	free(b64);
	return fflush(stdout) == 0 ? OPS_EXIT_OK : OPS_EXIT_PROBLEM;
}

/* ---- unlock ----------------------------------------------------------- */

int
encdb_unlock(int argc, char *argv[])
{
	struct cfg c;
	PGconn *pg = NULL;
	unsigned long cleared = 0;
	enum auth_err ae;
	int rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	if (getopt_long(argc, argv, "", NULL, NULL) != -1) {
		encdb_usage(stderr, "unlock");
		return OPS_EXIT_USAGE;
	}
	if (optind + 1 != argc || argv[optind][0] == '\0') {
		encdb_err("unlock: need one USERNAME");
		encdb_usage(stderr, "unlock");
		return OPS_EXIT_USAGE;
	}
	/* The entry and the cleared counts commit together, or neither. */
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0 ||
	    ops_exec(pg, "unlock", "BEGIN") == -1)
		goto out;
	if ((ae = auth_unlock(argv[optind], &cleared)) != AUTH_OK) {
		encdb_err("unlock: %s", auth_strerror(ae));
		goto out;
	}
	if (ops_audit_record("unlock", AUDIT_UNLOCK, argv[optind], NULL) ==
	        -1 ||
	    ops_exec(pg, "unlock", "COMMIT") == -1)
		goto out;
	/* An unknown name is no error: its attempts are counted too. */
	printf("%s: %lu throttling record%s cleared\n", argv[optind], cleared,
	    cleared == 1 ? "" : "s");
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	ops_teardown(&c);
	return rc;
}

/* ---- main ------------------------------------------------------------- */

/* 1 if arg is one of the options every command takes (see cmds.c). */
static int
is_opt(const char *arg, const char *s, const char *l)
{
	return strcmp(arg, s) == 0 || strcmp(arg, l) == 0;
}

/*
 * If arg is an option every command takes (cmds.c), note it (-v at once,
 * *help, *version) and return 1; else return 0.
 */
static int
common_opt(const char *arg, int *help, int *version)
{
	if (is_opt(arg, "-v", "--verbose"))
		encdb_verbose = 1;
	else if (is_opt(arg, "-h", "--help"))
		*help = 1;
	else if (strcmp(arg, "--version") == 0)
		*version = 1;
	else
		return 0;
	return 1;
}

/* `encdb help [COMMAND [SUBCOMMAND]]`. */
static int
help_main(int argc, char *argv[])
{
	const struct encdb_cmd *c;
	int words;

	if (argc == 0 || is_opt(argv[0], "-h", "--help")) {
		encdb_help_all(stdout);
		return OPS_EXIT_OK;
	}
	c = encdb_cmd_find(argc, argv, &words);
	if (c == NULL || words < argc) {
		if (c != NULL && encdb_is_group(argv[0]) && argc == 2)
			encdb_err(
			    "help: %s has no subcommand %s", argv[0], argv[1]);
		else
			encdb_err("help: no command %s", argv[0]);
		fprintf(stderr, "Run 'encdb help' for the list.\n");
		return OPS_EXIT_USAGE;
	}
	if (words == 1 && encdb_is_group(argv[0]))
		encdb_help_group(stdout, argv[0]);
	else
		encdb_help_cmd(stdout, c);
	return OPS_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	static char name[64];
	const struct encdb_cmd *c;
	int i, n, words, help = 0, version = 0;

	log_set_progname(progname);
	/* Options before the command. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!common_opt(argv[i], &help, &version)) {
			encdb_err("unknown option %s", argv[i]);
			fprintf(stderr, "Run 'encdb help' for the usage.\n");
			return OPS_EXIT_USAGE;
		}
	}
	if (version) {
		encdb_version(stdout);
		return OPS_EXIT_OK;
	}
	if (i == argc) {
		encdb_help_all(help ? stdout : stderr);
		return help ? OPS_EXIT_OK : OPS_EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0)
		return help_main(argc - i - 1, argv + i + 1);
	argc -= i;
	argv += i;
	if ((c = encdb_cmd_find(argc, argv, &words)) == NULL) {
		encdb_err("unknown command: %s", argv[0]);
		fprintf(stderr, "Run 'encdb help' for the list.\n");
		return OPS_EXIT_USAGE;
	}
	/*
	 * The common options after the command (up to "--") are taken out
	 * here, so that no command has to know them.
	 */
	for (i = n = words; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!common_opt(argv[i], &help, &version))
			argv[n++] = argv[i];
	}
	argc = n;
	argv[argc] = NULL;
	if (version) {
		encdb_version(stdout);
		return OPS_EXIT_OK;
	}
	if (words == 1 && encdb_is_group(argv[0])) {
		/* A group without a subcommand it has. */
		if (help) {
			encdb_help_group(stdout, argv[0]);
			return OPS_EXIT_OK;
		}
		if (argc > 1)
			encdb_err(
			    "%s: unknown subcommand: %s", argv[0], argv[1]);
		encdb_help_group(stderr, argv[0]);
		return OPS_EXIT_USAGE;
	}
	if (help) {
		encdb_help_cmd(stdout, c);
		return OPS_EXIT_OK;
	}
	log_set_quiet(!encdb_verbose);
	/* getopt_long names argv[0] in its messages: "encdb user list". */
	snprintf(name, sizeof(name), "%s %s", progname, c->name);
	argv[0] = name;
	optind = 1;
	return c->fn(argc, argv);
}
