/*
 * encdb.c -- the administration command of fcgi-encrypted-db: everything an
 * operator does outside HTTP. Settings come from the same sources as the
 * routes' (environment, SECRETS_PATH files, CONFIG_FILE); see encdb(1).
 *
 *   encdb migrate       apply the pending SQL migrations
 *   encdb check         check settings, keys, database, schema, a canary
 *   encdb gen-key       print a new random key
 *   encdb create-user   create a user, the password read without echo
 *   encdb unlock        forget the failed logins counted on an account
 *   encdb rotate ...    maintenance commands (encdb/ops.h, owner: ops)
 *
 * Exit status: 0 success, 1 failure, 2 usage error. Secrets never appear
 * in the output: a password is read from a terminal without echo, from a
 * file or from standard input, never from the command line.
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
#include "ops.h" /* rotate, upgrade, ... (owner: ops) */

#define EXIT_USAGE 2
#define PW_MAX     1024

static const char *progname = "encdb";

static void
usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: encdb [-h] command [arguments]\n"
	    "\n"
	    "commands:\n"
	    "  migrate [--sql-dir DIR]     apply the pending SQL migrations\n"
	    "  check [--sql-dir DIR]       check settings, keys, database,\n"
	    "                              schema version and a canary\n"
	    "  gen-key [--id N]            print a new random 32-byte key:\n"
	    "                              with --id as a FIELD_KEYS entry\n"
	    "                              (N:base64), else plain base64\n"
	    "                              (INDEX_KEY)\n"
	    "  create-user USERNAME --email EMAIL [--admin]\n"
	    "              [--password-file FILE]\n"
	    "                              create a user; the password is\n"
	    "                              read from FILE, else from the\n"
	    "                              terminal without echo, else one\n"
	    "                              line of standard input\n"
	    "  unlock USERNAME             forget the failed logins counted\n"
	    "                              on an account (all addresses)\n"
	    "  rotate, upgrade, reindex, verify, status, token, audit\n"
	    "                              maintenance of the encrypted\n"
	    "                              column, API tokens and the audit\n"
	    "                              trail: encdb COMMAND --help\n"
	    "\n"
	    "Settings (environment, files in SECRETS_PATH, CONFIG_FILE):\n"
	    "DATABASE_URL or POSTGRES_HOST/PORT/DB/USER/PASSWORD, FIELD_KEYS,\n"
	    "INDEX_KEY, POSTGRES_SECRET_KEY, SECRET_KEY, LEGACY_ENGINE,\n"
	    "SQL_DIR. See encdb(1).\n");
}

static void errx_msg(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
errx_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Load the settings; on error print every problem and return -1. */
static int
load(struct cfg *c, unsigned flags)
{
	char err[4096];

	if (cfg_load(c, flags, err, sizeof(err)) != CFG_OK) {
		errx_msg("%s", err);
		return -1;
	}
	return 0;
}

/* ---- migrate ---------------------------------------------------------- */

/*
 * The options of migrate and check: [--sql-dir DIR] [--help]. Sets *dir
 * (NULL when not given). Returns -1 to go on, else the exit status (0
 * after --help, EXIT_USAGE on bad usage).
 */
static int
sql_dir_options(int argc, char *argv[], const char **dir)
{
	static const struct option opts[] = {
	    {"sql-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	*dir = NULL;
	while ((ch = getopt_long(argc, argv, "d:h", opts, NULL)) != -1)
		switch (ch) {
		case 'd':
			*dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

static int
cmd_migrate(int argc, char *argv[])
{
	struct cfg c;
	const char *dir = NULL;
	char err[1024];
	int ch, applied = 0, version = 0, rc = 1;

	if ((ch = sql_dir_options(argc, argv, &dir)) != -1)
		return ch;
	if (load(&c, CFG_NEED_DB) == -1)
		goto out;
	if (dir == NULL)
		dir = c.sql_dir;
	if (db_init(&c) != DB_OK)
		goto out;
	if (migrate_apply(dir, &applied, &version, err, sizeof(err)) != DB_OK) {
		errx_msg("migrate: %s (nothing was applied)", err);
		goto out;
	}
	if (applied == 0)
		printf("schema is up to date (version %d)\n", version);
	else
		printf("applied %d migration%s: schema version %d\n", applied,
		       applied == 1 ? "" : "s", version);
	rc = 0;
out:
	db_close();
	cfg_free(&c);
	return rc;
}

/* ---- check ------------------------------------------------------------ */

static int problems;

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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

/* A fix for each setting a cfg_load message can name. */
static const char *
fix_for(const char *line)
{
	static const struct {
		const char *prefix;
		const char *fix;
	} fixes[] = {
	    {"DATABASE_URL", "set DATABASE_URL to a libpq URI, e.g. "
	                     "postgresql://user@host/db"},
	    {"POSTGRES_", "check POSTGRES_HOST, POSTGRES_PORT, "
	                  "POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD"},
	    {"FIELD_KEYS", "set FIELD_KEYS to id:base64 entries; make "
	                   "one with: encdb gen-key --id 1"},
	    {"INDEX_KEY", "set INDEX_KEY; make one with: encdb gen-key"},
	    {"LEGACY_ENGINE", "use aes-cbc-pkcs5 (the boilerplate's) or "
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
	if ((e = ef_encrypt(c->keys, "users.email", uuid, canary,
	                    sizeof(canary) - 1, &ct, &ctlen)) != EF_OK ||
	    (e = ef_decrypt(c->keys, "users.email", uuid, ct, ctlen, &pt,
	                    &ptlen)) != EF_OK) {
		bad("check FIELD_KEYS", "canary encryption failed: %s",
		    ef_strerror(e));
		goto out;
	}
	if (ptlen != sizeof(canary) - 1 || memcmp(pt, canary, ptlen) != 0) {
		bad("report a bug", "canary decrypted to something else");
		goto out;
	}
	if ((e = ef_blind_index(c->index_key, canary, sizeof(canary) - 1,
	                        bidx)) != EF_OK) {
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

	if ((e = users_list(c, NULL, NULL, 20, &l)) != DB_OK) {
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

static int
cmd_check(int argc, char *argv[])
{
	struct cfg c;
	const char *dir = NULL;
	char err[4096], *line, *next;
	int ch, dbv = 0, filev = -1;

	if ((ch = sql_dir_options(argc, argv, &dir)) != -1)
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
		ok("POSTGRES_SECRET_KEY: not set: rows in the boilerplate's "
		   "format cannot be read");
	if (c.legacy_salt == NULL)
		ok("SECRET_KEY: not set: the boilerplate's password hashes "
		   "cannot be verified");
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
			    "database: cannot connect: %s", db_last_error());
		else if (migrate_db_version(&dbv) != DB_OK)
			bad("check the database role's privileges",
			    "database: cannot read the schema version: %s",
			    db_last_error());
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
		}
	}
	db_close();
	cfg_free(&c);
	if (problems > 0) {
		printf("%d problem%s found\n", problems,
		       problems == 1 ? "" : "s");
		return 1;
	}
	printf("all checks passed\n");
	return 0;
}

/* ---- gen-key ---------------------------------------------------------- */

static int
cmd_gen_key(int argc, char *argv[])
{
	static const struct option opts[] = {
	    {"id", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	uint8_t key[EF_KEY_LEN];
	char *b64 = NULL, *end;
	long id = -1;
	int ch;

	while ((ch = getopt_long(argc, argv, "i:h", opts, NULL)) != -1)
		switch (ch) {
		case 'i':
			errno = 0;
			id = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    errno != 0 || id > 65535) {
				errx_msg("gen-key: --id must be a number from "
				         "0 to 65535");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (ef_init() != EF_OK) {
		errx_msg("gen-key: libgcrypt could not be initialised");
		return 1;
	}
	ef_random(key, sizeof(key));
	if (ef_base64_encode(key, sizeof(key), &b64) != EF_OK) {
		ef_wipe(key, sizeof(key));
		errx_msg("gen-key: out of memory");
		return 1;
	}
	ef_wipe(key, sizeof(key));
	if (id >= 0)
		printf("%ld:%s\n", id, b64);
	else
		printf("%s\n", b64);
	ef_wipe(b64, strlen(b64));
	free(b64);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- create-user ------------------------------------------------------ */

/*
 * Read one line (without its newline) of at most PW_MAX bytes from fd
 * into buf (PW_MAX + 2 bytes). Returns its length, or -1 (too long, read
 * error, or nothing at all).
 */
static ssize_t
read_line(int fd, char *buf)
{
	size_t n = 0;
	ssize_t r;
	char ch;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0) {
			if (n == 0)
				return -1;
			break;
		}
		if (ch == '\n')
			break;
		if (n > PW_MAX)
			continue; /* keep reading to the end, then fail */
		buf[n++] = ch;
	}
	if (n > PW_MAX)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Prompt on the terminal and read without echo. */
static ssize_t
read_tty(int fd, const char *prompt, char *buf)
{
	struct termios old, noecho;
	ssize_t n;

	if (tcgetattr(fd, &old) == -1)
		return -1;
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	noecho.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0 ||
	    tcsetattr(fd, TCSAFLUSH, &noecho) == -1)
		return -1;
	n = read_line(fd, buf);
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		n = -1;
	return n;
}

/*
 * Get the new user's password: from file, else the terminal (twice, no
 * echo), else a line of standard input. Returns 0 with buf filled.
 */
static int
get_password(const char *file, char *buf)
{
	char again[PW_MAX + 2];
	ssize_t n;
	int fd, rc = -1;

	if (file != NULL) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
			errx_msg("create-user: %s: %s", file, strerror(errno));
			return -1;
		}
		n = read_line(fd, buf);
		close(fd);
		if (n < 0) {
			errx_msg("create-user: %s: no password line (or "
			         "longer than %d bytes)",
			         file, PW_MAX);
			return -1;
		}
		return 0;
	}
	if (isatty(STDIN_FILENO) &&
	    (fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) != -1) {
		if (read_tty(fd, "Password: ", buf) >= 0 &&
		    read_tty(fd, "Password (again): ", again) >= 0) {
			if (strcmp(buf, again) == 0)
				rc = 0;
			else
				errx_msg("create-user: the passwords differ");
		} else
			errx_msg("create-user: cannot read the password");
		ef_wipe(again, sizeof(again));
		close(fd);
		return rc;
	}
	if (read_line(STDIN_FILENO, buf) < 0) {
		errx_msg("create-user: no password on standard input");
		return -1;
	}
	return 0;
}

/* Validate one value with a route validator; print its message. */
static int
check_field(valid_fn fn, const char *name, const char *value)
{
	struct pair p;

	memset(&p, 0, sizeof(p));
	p.key = name;
	p.val = value;
	p.valsz = strlen(value);
	if (fn(&p))
		return 0;
	errx_msg("create-user: %s: %s", name,
	         p.err != NULL ? p.err : "invalid");
	return -1;
}

static int
cmd_create_user(int argc, char *argv[])
{
	static const struct option opts[] = {
	    {"email", required_argument, NULL, 'e'},
	    {"admin", no_argument, NULL, 'a'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct user_new nu;
	struct user u;
	struct cfg c;
	enum users_conflict conflict;
	const char *email = NULL, *pwfile = NULL;
	char pw[PW_MAX + 2];
	int ch, admin = 0, rc = 1;
	enum db_err e;

	memset(&c, 0, sizeof(c));
	pw[0] = '\0';
	/*
	 * getopt_long would take "--password X" as an abbreviation of
	 * --password-file: say plainly that argv never carries a password.
	 */
	for (ch = 1; ch < argc; ch++)
		if (strcmp(argv[ch], "--password") == 0 ||
		    strncmp(argv[ch], "--password=", 11) == 0 ||
		    (strncmp(argv[ch], "--password-file", strlen(argv[ch])) ==
		         0 &&
		     strlen(argv[ch]) < strlen("--password-file") &&
		     strlen(argv[ch]) > 2)) {
			errx_msg("create-user: a password is never given on "
			         "the command line: use --password-file FILE "
			         "or standard input");
			return EXIT_USAGE;
		}
	while ((ch = getopt_long(argc, argv, "e:ap:h", opts, NULL)) != -1)
		switch (ch) {
		case 'e':
			email = optarg;
			break;
		case 'a':
			admin = 1;
			break;
		case 'p':
			pwfile = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	if (optind + 1 != argc || email == NULL) {
		errx_msg("create-user: need USERNAME and --email");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (check_field(valid_username, "username", argv[optind]) == -1 ||
	    check_field(valid_email, "email", email) == -1)
		return EXIT_USAGE;
	if (load(&c, CFG_NEED_DB | CFG_NEED_KEYS) == -1)
		goto out;
	if (get_password(pwfile, pw) == -1 ||
	    check_field(valid_password, "password", pw) == -1)
		goto out;
	if (db_init(&c) != DB_OK)
		goto out;
	nu.username = argv[optind];
	nu.email = email;
	nu.password = pw;
	nu.user_type = admin ? "admin" : "user";
	e = users_create(&c, &nu, &u, &conflict);
	if (e == DB_CONFLICT) {
		errx_msg("create-user: that %s is already taken",
		         conflict == USERS_CONFLICT_NONE
		             ? "user"
		             : users_conflict_field(conflict));
		goto out;
	}
	if (e != DB_OK) {
		errx_msg("create-user: %s", db_strerror(e));
		goto out;
	}
	printf("created %s %s (id %s)\n", u.user_type, u.username, u.id);
	users_clear(&u);
	rc = 0;
out:
	ef_wipe(pw, sizeof(pw));
	db_close();
	cfg_free(&c);
	return rc;
}

/* ---- unlock ----------------------------------------------------------- */

static int
cmd_unlock(int argc, char *argv[])
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cfg c;
	unsigned long cleared = 0;
	enum auth_err ae;
	int ch, rc = 1;

	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	if (optind + 1 != argc || argv[optind][0] == '\0') {
		errx_msg("unlock: need one USERNAME");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (load(&c, CFG_NEED_DB) == -1 || db_init(&c) != DB_OK)
		goto out;
	if ((ae = auth_unlock(argv[optind], &cleared)) != AUTH_OK) {
		errx_msg("unlock: %s", auth_strerror(ae));
		goto out;
	}
	/* An unknown name is no error: its attempts are counted too. */
	printf("%s: %lu throttling record%s cleared\n", argv[optind], cleared,
	       cleared == 1 ? "" : "s");
	rc = 0;
out:
	/* The one cleanup point. */
	db_close();
	cfg_free(&c);
	return rc;
}

/* ---- main ------------------------------------------------------------- */

int
main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		int (*fn)(int, char *[]);
	} cmds[] = {
	    {"migrate", cmd_migrate}, {"check", cmd_check},
	    {"gen-key", cmd_gen_key}, {"create-user", cmd_create_user},
	    {"rotate", ops_rotate},   {"upgrade", ops_upgrade},
	    {"reindex", ops_reindex}, {"verify", ops_verify},
	    {"status", ops_status},   {"token", ops_token},
	    {"audit", ops_audit},     {"unlock", cmd_unlock},
	};
	size_t i;

	log_set_progname(progname);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0) {
			/* The subcommand parses its own options. */
			optind = 1;
			return cmds[i].fn(argc - 1, argv + 1);
		}
	errx_msg("unknown command: %s", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
