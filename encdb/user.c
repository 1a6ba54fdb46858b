/*
 * user.c -- the users, from the command line: `encdb create-user` and
 * `encdb user list | passwd | set-type | delete`. Values are checked with
 * the routes' validators (lib/valid.c) and written through lib/users.c,
 * as the routes write them. Every command that shows or changes a user
 * records an entry in the audit trail (actor "encdb (<login>)", route
 * "encdb user ..."), in the same transaction as the change.
 *
 * There is always an administrator: set-type and delete lock every admin
 * row (SELECT ... FOR UPDATE) before they count them, so that two runs
 * at once cannot each remove one of the last two admins.
 *
 * A password is read from a file, else from the terminal twice without
 * echo, else as one line of standard input -- never from the command line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

#define PW_MAX 1024

/* The admins, locked until the end of the transaction. */
static const struct db_stmt lock_admins = {
    "encdb_lock_admins",
    "SELECT id FROM public.users WHERE user_type = 'admin' ORDER BY id"
    " FOR UPDATE",
    0,
};

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
 * Get a new password for command cmd: from file, else the terminal (twice,
 * no echo), else a line of standard input. Returns 0 with buf (PW_MAX + 2
 * bytes) filled, or -1 (printed).
 */
static int
get_password(const char *cmd, const char *file, char *buf)
{
	char again[PW_MAX + 2];
	ssize_t n;
	int fd, rc = -1;

	if (file != NULL) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
			encdb_err("%s: %s: %s", cmd, file, strerror(errno));
			return -1;
		}
		n = read_line(fd, buf);
		close(fd);
		if (n < 0) {
			encdb_err("%s: %s: no password line (or longer than "
			          "%d bytes)",
			    cmd, file, PW_MAX);
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
				encdb_err("%s: the passwords differ", cmd);
		} else
			encdb_err("%s: cannot read the password", cmd);
		ef_wipe(again, sizeof(again));
		close(fd);
		return rc;
	}
	if (read_line(STDIN_FILENO, buf) < 0) {
		encdb_err("%s: no password on standard input (give one, use "
		          "--password-file FILE, or run it on a terminal)",
		    cmd);
		return -1;
	}
	return 0;
}

/*
 * 1 if some argument asks to give a password on the command line, which
 * is refused: getopt_long would take "--password X" as an abbreviation of
 * --password-file.
 */
static int
password_in_argv(const char *cmd, int argc, char *argv[])
{
	size_t len, full = strlen("--password-file");
	int i;

	for (i = 1; i < argc; i++) {
		len = strlen(argv[i]);
		if (strcmp(argv[i], "--password") == 0 ||
		    strncmp(argv[i], "--password=", 11) == 0 ||
		    (len > 2 && len < full &&
		        strncmp(argv[i], "--password-file", len) == 0)) {
			encdb_err(
			    "%s: a password is never given on the command "
			    "line: use --password-file FILE or standard "
			    "input",
			    cmd);
			return 1;
		}
	}
	return 0;
}

/* Validate one value with a route validator; print its message. */
static int
check_field(const char *cmd, valid_fn fn, const char *name, const char *value)
{
	struct pair p;

	memset(&p, 0, sizeof(p));
	p.key = name;
	p.val = value;
	p.valsz = strlen(value);
	if (fn(&p))
		return 0;
	encdb_err("%s: %s %s", cmd, name, p.err != NULL ? p.err : "is invalid");
	return -1;
}

/*
 * Report a failed database call of cmd and return the exit status: the
 * server's message (it may quote a value: for the operator's eyes only,
 * never a log line) and where the details are.
 */
static int
db_failed(const char *cmd, enum db_err e)
{
	const char *msg = ops_db_message();

	encdb_err("%s: the database refused or failed: %s", cmd,
	    msg[0] != '\0' ? msg : db_strerror(e));
	if (!encdb_verbose)
		fprintf(stderr,
		    "Nothing was changed. Run it again with -v "
		    "for details.\n");
	return OPS_EXIT_SETUP;
}

/* Record what encdb did (ops_audit_entry: route "encdb " + what). */
static enum db_err
record(const char *what, const char *subject, enum audit_action action)
{
	struct ops_audit x;
	struct audit_entry ae;

	ae = *ops_audit_entry(&x, what, action);
	ae.subject = subject;
	return audit_record(&ae);
}

/*
 * Begin a transaction, lock the admins and find the user named name in
 * *u. Returns -1 to go on (in the transaction, *admins = how many admins
 * there are), else the exit status (rolled back, printed).
 */
static int
begin_locked(const char *cmd, struct cfg *c, const char *name, struct user *u,
    int *admins)
{
	PGresult *r = NULL;
	enum db_err e;

	if ((e = db_begin()) != DB_OK)
		return db_failed(cmd, e);
	if ((e = db_exec(&lock_admins, NULL, NULL, NULL, &r)) != DB_OK) {
		db_rollback();
		return db_failed(cmd, e);
	}
	*admins = PQntuples(r);
	PQclear(r);
	e = users_find_by_username(c, name, NULL, u);
	if (e == DB_NOTFOUND) {
		db_rollback();
		encdb_err("%s: there is no user named %s ('encdb user list' "
		          "shows them)",
		    cmd, name);
		return OPS_EXIT_PROBLEM;
	}
	if (e != DB_OK) {
		db_rollback();
		return db_failed(cmd, e);
	}
	return -1;
}

/*
 * End the transaction of cmd after its change, whose result is e: record
 * the audit entry (subject, action) and commit, or roll back and report.
 * Returns -1 when committed, else the exit status.
 */
static int
finish(const char *cmd, enum db_err e, const char *subject,
    enum audit_action action)
{
	if (e == DB_OK)
		e = record(cmd, subject, action);
	if (e != DB_OK) {
		db_rollback();
		return db_failed(cmd, e);
	}
	/* db_commit ends the transaction whatever happens. */
	if ((e = db_commit()) != DB_OK)
		return db_failed(cmd, e);
	return -1;
}

/* ---- create-user -------------------------------------------------------- */

/*
 * create-user's options: *email, *admin, *pwfile; the username is
 * argv[optind]. 0, or -1 after saying what is wrong (a usage error).
 */
static int
create_user_args(
    int argc, char *argv[], const char **email, int *admin, const char **pwfile)
{
	static const struct option opts[] = {
	    {"email", required_argument, NULL, 'e'},
	    {"admin", no_argument, NULL, 'a'},
	    {"password-file", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	if (password_in_argv("create-user", argc, argv))
		return -1;
	while ((ch = getopt_long(argc, argv, "e:ap:", opts, NULL)) != -1)
		switch (ch) {
		case 'e':
			*email = optarg;
			break;
		case 'a':
			*admin = 1;
			break;
		case 'p':
			*pwfile = optarg;
			break;
		default:
			encdb_usage(stderr, "create-user");
			return -1;
		}
	if (optind + 1 != argc || *email == NULL) {
		encdb_err("create-user: needs USERNAME and --email EMAIL");
		encdb_usage(stderr, "create-user");
		return -1;
	}
	if (check_field("create-user", valid_username, "username",
	        argv[optind]) == -1 ||
	    check_field("create-user", valid_email, "email", *email) == -1)
		return -1;
	return 0;
}

/* Create nu in one transaction with its audit entry: the exit status. */
static int
create_user_insert(const struct cfg *c, const struct user_new *nu)
{
	enum users_conflict conflict;
	struct user u;
	enum db_err e;
	int rc;

	memset(&u, 0, sizeof(u));
	if ((e = db_begin()) != DB_OK)
		return db_failed("create-user", e);
	e = users_create(c, nu, NULL, &u, &conflict);
	if (e == DB_CONFLICT) {
		db_rollback();
		encdb_err("create-user: that %s is already taken",
		    conflict == USERS_CONFLICT_NONE
		        ? "user"
		        : users_conflict_field(conflict));
		return OPS_EXIT_PROBLEM;
	}
	if ((rc = finish("create-user", e, u.id, AUDIT_CREATE)) == -1) {
		printf(
		    "created %s %s (id %s)\n", u.user_type, u.username, u.id);
		rc = OPS_EXIT_OK;
	}
	users_clear(&u);
	return rc;
}

int
encdb_create_user(int argc, char *argv[])
{
	struct user_new nu;
	struct cfg c;
	PGconn *pg;
	const char *email = NULL, *pwfile = NULL;
	char pw[PW_MAX + 2];
	int admin = 0, rc = OPS_EXIT_SETUP;

	memset(&c, 0, sizeof(c));
	pw[0] = '\0';
	if (create_user_args(argc, argv, &email, &admin, &pwfile) == -1)
		return OPS_EXIT_USAGE;
	if (ops_setup(&c, CFG_NEED_DB | CFG_NEED_KEYS, &pg) != 0)
		goto out;
	rc = OPS_EXIT_PROBLEM;
	if (get_password("create-user", pwfile, pw) == -1 ||
	    check_field("create-user", valid_password, "password", pw) == -1)
		goto out;
	nu.username = argv[optind];
	nu.email = email;
	nu.password = pw;
	nu.user_type = admin ? "admin" : "user";
	rc = create_user_insert(&c, &nu);
out: /* the one cleanup */
	ef_wipe(pw, sizeof(pw));
	ops_teardown(&c);
	return rc;
}

/* ---- user list ---------------------------------------------------------- */

/* "2026-12-03T08:35:19.123456+00:00" -> "2026-12-03 08:35:19". */
static void
short_time(const char *iso, char out[20])
{
	size_t n = strlen(iso);

	if (n == 0) {
		memcpy(out, "-", 2);
		return;
	}
	if (n > 19)
		n = 19; /* the seconds' fraction and the offset go */
	memcpy(out, iso, n);
	out[n] = '\0';
	if (n > 10)
		out[10] = ' ';
}

int
encdb_user_list(int argc, char *argv[])
{
	static const struct option opts[] = {
	    {"prefix", required_argument, NULL, 'p'},
	    {"email", no_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	struct user_list l;
	struct cfg c;
	PGconn *pg;
	const char *prefix = NULL;
	char *after = NULL, created[20], updated[20];
	int ch, emails = 0, recorded = 0, rc = OPS_EXIT_SETUP;
	size_t i, total = 0;
	enum db_err e;

	memset(&c, 0, sizeof(c));
	memset(&l, 0, sizeof(l));
	/* Skip "user"; getopt_long's messages name argv[0]. */
	argv[1] = argv[0];
	argc--, argv++;
	while ((ch = getopt_long(argc, argv, "p:e", opts, NULL)) != -1)
		switch (ch) {
		case 'p':
			prefix = optarg;
			break;
		case 'e':
			emails = 1;
			break;
		default:
			encdb_usage(stderr, "user list");
			return OPS_EXIT_USAGE;
		}
	if (optind != argc) {
		encdb_err("user list: unexpected argument %s", argv[optind]);
		encdb_usage(stderr, "user list");
		return OPS_EXIT_USAGE;
	}
	if (ops_setup(&c, CFG_NEED_DB | (emails ? CFG_NEED_KEYS : 0), &pg) != 0)
		goto out;
	do {
		e = users_list(&c, prefix, after, PAGE_MAX, NULL, &l);
		free(after);
		after = NULL;
		if (e != DB_OK) {
			rc = db_failed("user list", e);
			goto out;
		}
		/* Recorded once the users are read, before any is shown. */
		if (!recorded) {
			e = record(emails ? "user list --email" : "user list",
			    NULL, AUDIT_LIST);
			if (e != DB_OK) {
				rc = db_failed("user list", e);
				goto out;
			}
			recorded = 1;
			printf("%-24s %-6s %-36s %-19s  %-*s%s\n", "USERNAME",
			    "TYPE", "ID", "CREATED", emails ? 19 : 0, "UPDATED",
			    emails ? "  EMAIL" : "");
		}
		for (i = 0; i < l.n; i++) {
			short_time(l.v[i].created_at, created);
			short_time(l.v[i].updated_at, updated);
			printf("%-24s %-6s %-36s %-19s  %-*s", l.v[i].username,
			    l.v[i].user_type, l.v[i].id, created,
			    emails ? 19 : 0, updated);
			if (emails && l.v[i].email != NULL)
				printf("  %s", l.v[i].email);
			else if (emails)
				printf("  (cannot decrypt: %s)",
				    ops_reason(l.v[i].email_err));
			putchar('\n');
		}
		total += l.n;
		if (l.next != NULL && (after = strdup(l.next)) == NULL) {
			encdb_err("user list: out of memory");
			rc = OPS_EXIT_PROBLEM;
			goto out;
		}
		users_list_free(&l);
	} while (after != NULL);
	printf("%zu user%s\n", total, total == 1 ? "" : "s");
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	free(after);
	users_list_free(&l);
	ops_teardown(&c);
	return rc;
}

/* ---- user passwd -------------------------------------------------------- */

int
encdb_user_passwd(int argc, char *argv[])
{
	static const struct option opts[] = {
	    {"password-file", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	struct user_change chg;
	struct user u;
	struct cfg c;
	PGconn *pg;
	const char *pwfile = NULL, *name;
	char pw[PW_MAX + 2];
	int ch, rc = OPS_EXIT_SETUP;
	enum auth_err ae;
	enum db_err e;

	memset(&c, 0, sizeof(c));
	memset(&u, 0, sizeof(u));
	memset(&chg, 0, sizeof(chg));
	pw[0] = '\0';
	/* Skip "user"; getopt_long's messages name argv[0]. */
	argv[1] = argv[0];
	argc--, argv++;
	if (password_in_argv("user passwd", argc, argv))
		return OPS_EXIT_USAGE;
	while ((ch = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		if (ch != 'p') {
			encdb_usage(stderr, "user passwd");
			return OPS_EXIT_USAGE;
		}
		pwfile = optarg;
	}
	if (optind + 1 != argc) {
		encdb_err("user passwd: needs one USERNAME");
		encdb_usage(stderr, "user passwd");
		return OPS_EXIT_USAGE;
	}
	name = argv[optind];
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0)
		goto out;
	rc = OPS_EXIT_PROBLEM;
	if (get_password("user passwd", pwfile, pw) == -1 ||
	    check_field("user passwd", valid_password, "password", pw) == -1)
		goto out;
	if ((e = db_begin()) != DB_OK) {
		rc = db_failed("user passwd", e);
		goto out;
	}
	chg.password = pw;
	e = users_update(&c, name, &chg, NULL, &u, NULL);
	if (e == DB_NOTFOUND) {
		db_rollback();
		encdb_err("user passwd: there is no user named %s ('encdb user "
		          "list' shows them)",
		    name);
		goto out;
	}
	/* The old password's sessions end with it. */
	if (e == DB_OK &&
	    (ae = auth_sessions_end_user(u.id, NULL)) != AUTH_OK) {
		db_rollback();
		encdb_err("user passwd: cannot end the user's sessions: %s",
		    auth_strerror(ae));
		rc = OPS_EXIT_SETUP;
		goto out;
	}
	if ((rc = finish("user passwd", e, u.id, AUDIT_PASSWORD)) != -1)
		goto out;
	printf(
	    "new password set for %s; their sessions were ended\n", u.username);
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	users_clear(&u);
	ef_wipe(pw, sizeof(pw));
	ops_teardown(&c);
	return rc;
}

/* ---- user set-type, user delete ---------------------------------------- */

/*
 * Change the type of the user named name to type, or delete them (type
 * NULL), as command cmd: in one transaction with the admins locked, never
 * removing the last admin, recorded in the audit trail. Returns the exit
 * status.
 */
static int
admin_safe_change(const char *cmd, const char *name, const char *type)
{
	struct user_change chg;
	struct user u, after;
	struct cfg c;
	PGconn *pg;
	int admins = 0, rc = OPS_EXIT_SETUP;
	enum db_err e;

	memset(&c, 0, sizeof(c));
	memset(&u, 0, sizeof(u));
	memset(&after, 0, sizeof(after));
	memset(&chg, 0, sizeof(chg));
	if (ops_setup(&c, CFG_NEED_DB, &pg) != 0)
		goto out;
	if ((rc = begin_locked(cmd, &c, name, &u, &admins)) != -1)
		goto out;
	rc = OPS_EXIT_OK;
	if (type != NULL && strcmp(u.user_type, type) == 0) {
		db_rollback();
		printf("%s is already of type %s: nothing changed\n",
		    u.username, u.user_type);
		goto out;
	}
	if (strcmp(u.user_type, "admin") == 0 && admins <= 1) {
		db_rollback();
		encdb_err("%s: %s is the last admin and stays: make another "
		          "user an admin first",
		    cmd, u.username);
		rc = OPS_EXIT_PROBLEM;
		goto out;
	}
	/* A deleted user's sessions and API tokens go with the row (ON
	 * DELETE CASCADE). */
	if (type != NULL) {
		chg.user_type = type;
		e = users_update(&c, name, &chg, NULL, &after, NULL);
	} else
		e = users_delete(&c, name, NULL);
	rc = finish(cmd, e, u.id, type != NULL ? AUDIT_UPDATE : AUDIT_DELETE);
	if (rc != -1)
		goto out;
	if (type != NULL)
		printf("%s is now of type %s (was %s)\n", after.username,
		    after.user_type, u.user_type);
	else
		printf("deleted %s %s (id %s) with their sessions and API "
		       "tokens\n",
		    u.user_type, u.username, u.id);
	rc = OPS_EXIT_OK;
out: /* the one cleanup */
	users_clear(&u);
	users_clear(&after);
	ops_teardown(&c);
	return rc;
}

/*
 * The operands of a user subcommand without options: *argv[1] on, after
 * an optional "--" (a username may start with '-'). Returns their count.
 */
static int
operands(int argc, char ***argv)
{
	argc -= 2, *argv += 2; /* "user" and the subcommand */
	if (argc > 0 && strcmp((*argv)[0], "--") == 0)
		argc--, (*argv)++;
	else if (argc > 0 && (*argv)[0][0] == '-')
		return -1; /* an option: there are none */
	return argc;
}

int
encdb_user_set_type(int argc, char *argv[])
{
	if (operands(argc, &argv) != 2) {
		encdb_err(
		    "user set-type: needs USERNAME and TYPE (after \"--\" "
		    "if USERNAME starts with '-')");
		encdb_usage(stderr, "user set-type");
		return OPS_EXIT_USAGE;
	}
	if (check_field("user set-type", valid_user_type, "TYPE", argv[1]) ==
	    -1)
		return OPS_EXIT_USAGE;
	return admin_safe_change("user set-type", argv[0], argv[1]);
}

int
encdb_user_delete(int argc, char *argv[])
{
	if (operands(argc, &argv) != 1) {
		encdb_err("user delete: needs one USERNAME (after \"--\" if it "
		          "starts with '-')");
		encdb_usage(stderr, "user delete");
		return OPS_EXIT_USAGE;
	}
	return admin_safe_change("user delete", argv[0], NULL);
}
