/*
 * check_users.c -- tests of lib/users.c with Check against the real
 * PostgreSQL of t/with-pg (run through t/users.pg), on a database migrated
 * with the SQL files of $top_srcdir/sql: round trips of every operation
 * (create, find by username, id and email, list with keyset pagination and
 * prefix filter, update, set_password_hash, delete), in both statement
 * modes; conflicts and which field they are about; rows in the
 * boilerplate's format (the admin row of its README and rows built from the
 * shared SQLAlchemy-Utils vectors, t/vectors/sqlalchemy-utils.json: the
 * AesEngine pkcs5 cases under "changeme2" and the password hashes under
 * SECRET_KEY "changeme1") read back and verified; a ciphertext moved to
 * another row, a garbage value and an unknown key id detected on read
 * without stopping a listing; concurrent creates from two connections.
 *
 * Every test runs in its own process with its own connection and its own
 * usernames, so that tests do not see each other's rows.
 */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "pgtest.h"

#define KEY1 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY2 "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
#define KEY3 "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
/* The index key: never one of the field keys (cfg_load refuses that). */
#define IKEY "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn8="

/* The example row of the boilerplate's README, as it stores it. */
#define ADMIN_ID "c4cc1314-26ee-4fed-803c-ef47d415c758"
#define ADMIN_PW                                                               \
	"60374fa84f18f9bc851ef6929bf090088644eab3a0003181e9cc05b2946da744"     \
	"12e135b2c04d06a02bc7fc89a3aa834b2f984c117fa29ee47ab7b2b7e7372449"
#define ADMIN_EMAIL                                                            \
	"\\x6a7339557661434f354b4861366e3857526a35783066724765464e2b6e6947"    \
	"64635762544e52445646446b3d"

static struct cfg cfg;

/* The settings every test starts from (also without Check's fork mode). */
static void
base_env(void)
{
	setenv("FIELD_KEYS", "1:" KEY1, 1);
	setenv("INDEX_KEY", IKEY, 1);
	setenv("POSTGRES_SECRET_KEY", "changeme2", 1);
	setenv("SECRET_KEY", "changeme1", 1);
	setenv("TIME_ZONE", "UTC", 1);
}

static void
setup(void)
{
	base_env();
	pgtest_open(&cfg, CFG_NEED_DB | CFG_NEED_KEYS);
}

static void
teardown(void)
{
	pgtest_close(&cfg);
}

/* Reload the settings after changing the environment. */
static void
reload(void)
{
	teardown();
	pgtest_open(&cfg, CFG_NEED_DB | CFG_NEED_KEYS);
}

static void
create_ok(const char *name, const char *email, const char *pw, struct user *out)
{
	struct user_new nu = {name, email, pw, "user"};
	enum users_conflict cf = USERS_CONFLICT__MAX;
	struct user tmp;

	ck_assert_int_eq(
	    users_create(&cfg, &nu, NULL, out != NULL ? out : &tmp, &cf),
	    DB_OK);
	ck_assert_int_eq(cf, USERS_CONFLICT_NONE);
	if (out == NULL)
		users_clear(&tmp);
}

/* "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM" */
static void
ck_timestamp(const char *ts)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddd+dd:dd";
	size_t i;

	ck_assert_uint_eq(strlen(ts), sizeof(shape) - 1);
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd')
			ck_assert_msg(ts[i] >= '0' && ts[i] <= '9', "%s", ts);
		else if (shape[i] == '+')
			ck_assert_msg(ts[i] == '+' || ts[i] == '-', "%s", ts);
		else
			ck_assert_msg(ts[i] == shape[i], "%s", ts);
	}
}

START_TEST(test_create_and_find)
{
	struct user u, f;
	int match = -1, rehash = -1;

	cfg.db_unnamed = _i;
	create_ok(_i ? "cf_alice_u" : "cf_alice",
	    _i ? "Alice.U@Example.org" : "Alice@Example.org", "correct horse",
	    &u);
	ck_assert_uint_eq(strlen(u.id), 36);
	ck_assert_int_eq(u.id[14], '4'); /* UUID version 4 */
	ck_assert_str_eq(
	    u.email, _i ? "Alice.U@Example.org" : "Alice@Example.org");
	ck_assert_int_eq(u.email_err, EF_OK);
	ck_assert_int_eq(u.email_legacy, 0);
	ck_assert_str_eq(u.user_type, "user");
	ck_assert_int_eq(strncmp(u.password_hash, "$argon2id$v=19$", 15), 0);
	ck_timestamp(u.created_at);
	ck_assert_str_eq(u.created_at + 26, "+00:00");
	ck_assert_str_eq(u.updated_at, "");

	/* The stored value: an envelope value sealed under the user's data
	 * key, a 32-byte blind index, and the data key wrapped as v1. */
	ck_assert_str_eq(pgtest_sql("SELECT substr(email::text, 1, 6) || "
	                            "octet_length(email_bidx) || ' ' || "
	                            "substr(data_key::text, 1, 6) || "
	                            "octet_length(data_key) FROM "
	                            "public.users WHERE id = $1::uuid",
	                     1, (const char *const[]){u.id}),
	    "\\xef0232 \\xef0164");

	ck_assert_int_eq(
	    users_find_by_username(&cfg, u.username, NULL, &f), DB_OK);
	ck_assert_str_eq(f.id, u.id);
	ck_assert_str_eq(f.email, u.email);
	ck_assert_str_eq(f.created_at, u.created_at);
	users_clear(&f);
	ck_assert_int_eq(users_find_by_id(&cfg, u.id, &f), DB_OK);
	ck_assert_str_eq(f.username, u.username);
	users_clear(&f);
	/* By email: normalised (trimmed, ASCII lowercase). */
	ck_assert_int_eq(
	    users_find_by_email(&cfg,
	        _i ? "  alice.u@EXAMPLE.ORG\t" : "  alice@EXAMPLE.ORG\t", NULL,
	        &f),
	    DB_OK);
	ck_assert_str_eq(f.id, u.id);
	users_clear(&f);

	ck_assert_int_eq(
	    users_check_password(&cfg, &u, "correct horse", &match, &rehash),
	    EF_OK);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(rehash, 0);
	ck_assert_int_eq(
	    users_check_password(&cfg, &u, "correct horsE", &match, &rehash),
	    EF_OK);
	ck_assert_int_eq(match, 0);
	users_clear(&u);
	ck_assert_ptr_null(u.email);

	ck_assert_int_eq(
	    users_find_by_username(&cfg, "cf_nobody", NULL, &f), DB_NOTFOUND);
	ck_assert_int_eq(users_find_by_id(&cfg, "not-a-uuid", &f), DB_NOTFOUND);
	ck_assert_int_eq(
	    users_find_by_id(&cfg, "00000000-0000-4000-8000-000000000000", &f),
	    DB_NOTFOUND);
	ck_assert_int_eq(
	    users_find_by_email(&cfg, "nobody@example.org", NULL, &f),
	    DB_NOTFOUND);
	ck_assert_int_eq(
	    users_find_by_username(&cfg, NULL, NULL, &f), DB_NOTFOUND);
}
END_TEST

START_TEST(test_conflicts)
{
	struct user_new nu = {"cx_bob", "bob@cx.example", "pw-pw-pw-1", "user"};
	enum users_conflict cf;

	create_ok(nu.username, nu.email, nu.password, NULL);
	nu.email = "other@cx.example";
	ck_assert_int_eq(users_create(&cfg, &nu, NULL, NULL, &cf), DB_CONFLICT);
	ck_assert_int_eq(cf, USERS_CONFLICT_USERNAME);
	ck_assert_str_eq(users_conflict_field(cf), "username");
	nu.username = "cx_bob2";
	nu.email = " BOB@cx.example";
	ck_assert_int_eq(users_create(&cfg, &nu, NULL, NULL, &cf), DB_CONFLICT);
	ck_assert_int_eq(cf, USERS_CONFLICT_EMAIL);
	ck_assert_str_eq(users_conflict_field(cf), "email");
	ck_assert_str_eq(users_conflict_field(USERS_CONFLICT__MAX), "");

	/* Invalid arguments are refused before any SQL. */
	nu.username = NULL;
	ck_assert_int_eq(users_create(&cfg, &nu, NULL, NULL, &cf), DB_ERROR);
	nu.username = "";
	ck_assert_int_eq(users_create(&cfg, &nu, NULL, NULL, &cf), DB_ERROR);
	nu.username = "cx_long_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	              "xxxxxxxxxxxxxxxx";
	ck_assert_int_eq(users_create(&cfg, &nu, NULL, NULL, &cf), DB_ERROR);
	ck_assert_int_eq(users_create(&cfg, NULL, NULL, NULL, &cf), DB_ERROR);
}
END_TEST

/* The cursor of a username (static; one at a time). */
static const char *
cur(const char *name)
{
	static char c[USERS_CURSOR_MAX + 1];
	char *e = users_cursor_encode(name);

	ck_assert_ptr_nonnull(e);
	snprintf(c, sizeof(c), "%s", e);
	free(e);
	return c;
}

/* The page is want[0..n), and its next cursor leads after next (a name;
 * NULL: the last page). */
static void
ck_page(const struct user_list *l, const char *const *want, size_t n,
    const char *next)
{
	char name[USERS_CURSOR_NAME_MAX + 1];
	size_t i;

	ck_assert_uint_eq(l->n, n);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(l->v[i].username, want[i]);
		ck_assert_ptr_nonnull(l->v[i].email);
	}
	if (next == NULL)
		ck_assert_ptr_null(l->next);
	else {
		ck_assert_int_eq(users_cursor_decode(l->next, name), 0);
		ck_assert_str_eq(name, next);
	}
}

/* Every name goes through a cursor and back; a cursor is base64url. */
START_TEST(test_cursor)
{
	static const char *const names[] = {"admin", "john.doe", "b o",
	    "zo\xc3\xab", "\xe6\x97\xa5\xe6\x9c\xac", "a/b?c&d=e#f%g+h", "x",
	    "\x01legacy\x7f"};
	char back[USERS_CURSOR_NAME_MAX + 1], big[USERS_CURSOR_NAME_MAX + 2];
	char *c;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_ptr_nonnull(c = users_cursor_encode(names[i]));
		ck_assert_uint_eq(strspn(c,
		                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh"
		                      "ijklmnopqrstuvwxyz0123456789-_"),
		    strlen(c));
		ck_assert_int_eq(users_cursor_decode(c, back), 0);
		ck_assert_str_eq(back, names[i]);
		free(c);
	}
	/* The longest name a cursor carries, and one byte more. */
	memset(big, 'n', sizeof(big) - 1);
	big[USERS_CURSOR_NAME_MAX] = '\0';
	ck_assert_ptr_nonnull(c = users_cursor_encode(big));
	ck_assert_uint_eq(strlen(c), USERS_CURSOR_MAX);
	ck_assert_int_eq(users_cursor_decode(c, back), 0);
	ck_assert_str_eq(back, big);
	free(c);
	big[USERS_CURSOR_NAME_MAX] = 'n';
	big[USERS_CURSOR_NAME_MAX + 1] = '\0';
	ck_assert_ptr_null(users_cursor_encode(big));
	ck_assert_ptr_null(users_cursor_encode(""));
}
END_TEST

START_TEST(test_list)
{
	static const char *const names[] = {"ls_3", "ls_1", "ls_5", "ls_2",
	    "ls_4", "lt_1", "pc%1", "pcA1", "un_1", "unX1"};
	static const char *const p1[] = {"ls_1", "ls_2"};
	static const char *const p2[] = {"ls_3", "ls_4"};
	static const char *const p3[] = {"ls_5"};
	static const char *const pct[] = {"pc%1"};
	static const char *const und[] = {"un_1"};
	struct user_list l;
	char email[64];
	size_t i;

	cfg.db_unnamed = _i;
	/* The second pass (unnamed statements) reuses the first's rows. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct user u;

		if (users_find_by_username(&cfg, names[i], NULL, &u) == DB_OK) {
			users_clear(&u);
			continue;
		}
		snprintf(email, sizeof(email), "u%zu@list.example", i);
		create_ok(names[i], email, "pw-pw-pw-1", NULL);
	}

	ck_assert_int_eq(users_list(&cfg, "ls_", NULL, 2, NULL, &l), DB_OK);
	ck_page(&l, p1, 2, "ls_2");
	users_list_free(&l);
	ck_assert_int_eq(
	    users_list(&cfg, "ls_", cur("ls_2"), 2, NULL, &l), DB_OK);
	ck_page(&l, p2, 2, "ls_4");
	users_list_free(&l);
	ck_assert_int_eq(
	    users_list(&cfg, "ls_", cur("ls_4"), 2, NULL, &l), DB_OK);
	ck_page(&l, p3, 1, NULL);
	users_list_free(&l);
	ck_assert_int_eq(
	    users_list(&cfg, "ls_", cur("ls_5"), 2, NULL, &l), DB_OK);
	ck_page(&l, NULL, 0, NULL);
	users_list_free(&l);
	/* Exactly a page: no next page. */
	ck_assert_int_eq(
	    users_list(&cfg, "ls_", cur("ls_2"), 3, NULL, &l), DB_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_ptr_null(l.next);
	/* A list never carries password hashes. */
	ck_assert_ptr_null(l.v[0].password_hash);
	ck_assert_ptr_null(l.v[2].password_hash);
	users_list_free(&l);

	/* LIKE metacharacters in a prefix are plain characters. */
	ck_assert_int_eq(users_list(&cfg, "pc%", NULL, 10, NULL, &l), DB_OK);
	ck_page(&l, pct, 1, NULL);
	users_list_free(&l);
	ck_assert_int_eq(users_list(&cfg, "un_", NULL, 10, NULL, &l), DB_OK);
	ck_page(&l, und, 1, NULL);
	users_list_free(&l);
	ck_assert_int_eq(
	    users_list(&cfg, "nothing-here", NULL, 10, NULL, &l), DB_OK);
	ck_page(&l, NULL, 0, NULL);
	users_list_free(&l);

	/* Without a prefix: everything, in order. */
	ck_assert_int_eq(
	    users_list(&cfg, NULL, cur("ls_4"), 1, NULL, &l), DB_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].username, "ls_5");
	users_list_free(&l);

	ck_assert_int_eq(users_list(&cfg, NULL, "ls_4", 1, NULL, &l), DB_ERROR);
	ck_assert_int_eq(users_list(&cfg, NULL, NULL, 0, NULL, &l), DB_ERROR);
	ck_assert_int_eq(
	    users_list(&cfg, NULL, NULL, PAGE_MAX + 1, NULL, &l), DB_ERROR);
	ck_assert_int_eq(
	    users_list(&cfg, NULL, NULL, PAGE_MAX, NULL, &l), DB_OK);
	ck_assert_uint_ge(l.n, 1);
	users_list_free(&l);

	/* The previous page, by the cursor of the page before it. */
	{
		int has_prev;
		char *after;

		ck_assert_int_eq(
		    users_list_prev("ls_", "ls_5", 2, &has_prev, &after),
		    DB_OK);
		ck_assert_int_eq(has_prev, 1);
		ck_assert_str_eq(after, cur("ls_2"));
		free(after);
		ck_assert_int_eq(
		    users_list_prev("ls_", "ls_3", 2, &has_prev, &after),
		    DB_OK);
		ck_assert_int_eq(has_prev, 1);
		ck_assert_ptr_null(after); /* the first page */
		ck_assert_int_eq(
		    users_list_prev("ls_", "ls_1", 2, &has_prev, &after),
		    DB_OK);
		ck_assert_int_eq(has_prev, 0);
		ck_assert_ptr_null(after);
	}
}
END_TEST

/*
 * The plans PostgreSQL made for prepared statement name on the library's
 * own connection, as "generic custom" (the columns exist from
 * PostgreSQL 14 on: "" before).
 */
static void
plans_of(const char *name, char *out, size_t outsz)
{
	static const struct db_stmt st = {"t_plans",
	    "SELECT coalesce(to_jsonb(p)->>'generic_plans', '') || ' ' || "
	    "coalesce(to_jsonb(p)->>'custom_plans', '') "
	    "FROM pg_prepared_statements p WHERE name = $1",
	    1};
	const char *v[1] = {name};
	PGresult *r = NULL;

	ck_assert_int_eq(db_exec(&st, v, NULL, NULL, &r), DB_OK);
	ck_assert_int_eq(PQntuples(r), 1);
	snprintf(out, outsz, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
}

/*
 * A page of users keeps one generic plan: planning the list for each
 * execution cost more than running it (README, "What limits it"). The
 * plan cache tries 5 custom plans, then the generic one for good if it is
 * no dearer.
 */
START_TEST(test_list_generic_plan)
{
	struct user_list l;
	char plans[64];
	int i, generic, custom;

	cfg.db_unnamed = 0; /* unnamed statements have no plan to keep */
	create_ok("gp_1", "gp1@list.example", "pw-pw-pw-1", NULL);
	create_ok("gp_2", "gp2@list.example", "pw-pw-pw-1", NULL);
	/* Plans differ in cost only on a table of some size: 10,000 more
	 * rows (their emails are not read: the pages hold gp_ users). */
	pgtest_sql("INSERT INTO public.users (id, username, password, "
	           "user_type, email, created_at) SELECT gen_random_uuid(), "
	           "'zz' || g, 'x', 'user', '\\x00', now() "
	           "FROM generate_series(1, 10000) g",
	    0, NULL);
	pgtest_sql("ANALYZE public.users", 0, NULL);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(users_list(&cfg, NULL,
		                     i % 2 ? cur("gp_1") : NULL, 1, NULL, &l),
		    DB_OK);
		users_list_free(&l);
		ck_assert_int_eq(
		    users_list(&cfg, "GP", NULL, 1 + i % 3, NULL, &l), DB_OK);
		users_list_free(&l);
	}
	plans_of("users_list", plans, sizeof(plans));
	if (strcmp(plans, " ") == 0)
		return; /* before PostgreSQL 14: no counts to read */
	ck_assert_int_eq(sscanf(plans, "%d %d", &generic, &custom), 2);
	ck_assert_msg(generic >= 5 && custom <= 5,
	    "users_list: %d generic, %d custom plans", generic, custom);
	plans_of("users_list_prefix", plans, sizeof(plans));
	ck_assert_int_eq(sscanf(plans, "%d %d", &generic, &custom), 2);
	ck_assert_msg(generic >= 5 && custom <= 5,
	    "users_list_prefix: %d generic, %d custom plans", generic, custom);
}
END_TEST

/* The last admin can be neither demoted nor deleted; others can. */
START_TEST(test_last_admin)
{
	struct user_change ch = {NULL, NULL, NULL};
	enum users_conflict cf;
	struct user f;

	create_ok("la_one", "one@la.example", "pw-pw-pw-1", NULL);
	create_ok("la_two", "two@la.example", "pw-pw-pw-1", NULL);
	pgtest_sql("UPDATE public.users SET user_type = 'user' "
	           "WHERE user_type = 'admin'",
	    0, NULL);
	pgtest_sql("UPDATE public.users SET user_type = 'admin' "
	           "WHERE username = 'la_one'",
	    0, NULL);

	ch.user_type = "user";
	cf = USERS_CONFLICT_NONE;
	ck_assert_int_eq(
	    users_update(&cfg, "la_one", &ch, NULL, NULL, &cf), DB_CONFLICT);
	ck_assert_int_eq(cf, USERS_CONFLICT_LAST_ADMIN);
	ck_assert_str_eq(users_conflict_field(cf), "user_type");
	ck_assert_str_eq(pgtest_sql("SELECT user_type FROM public.users "
	                            "WHERE username = $1",
	                     1, (const char *const[]){"la_one"}),
	    "admin");
	ck_assert_int_eq(users_delete(&cfg, "la_one", NULL), DB_CONFLICT);
	ck_assert_str_eq(pgtest_sql("SELECT count(*) FROM public.users "
	                            "WHERE username = $1",
	                     1, (const char *const[]){"la_one"}),
	    "1");
	/* Other changes of the last admin are fine. */
	ch.user_type = "admin";
	ch.email = "one2@la.example";
	ck_assert_int_eq(
	    users_update(&cfg, "la_one", &ch, NULL, &f, &cf), DB_OK);
	ck_assert_str_eq(f.user_type, "admin");
	users_clear(&f);
	ch.email = NULL;
	ch.user_type = NULL;
	ch.password = "another-password";
	ck_assert_int_eq(
	    users_update(&cfg, "la_one", &ch, NULL, NULL, &cf), DB_OK);

	/* With a second admin, the first may go. */
	ch.password = NULL;
	ch.user_type = "admin";
	ck_assert_int_eq(
	    users_update(&cfg, "la_two", &ch, NULL, NULL, &cf), DB_OK);
	ch.user_type = "user";
	ck_assert_int_eq(
	    users_update(&cfg, "la_one", &ch, NULL, NULL, &cf), DB_OK);
	ck_assert_int_eq(
	    users_update(&cfg, "la_two", &ch, NULL, NULL, &cf), DB_CONFLICT);
	ck_assert_int_eq(users_delete(&cfg, "la_one", NULL), DB_OK);
	ck_assert_int_eq(users_delete(&cfg, "la_two", NULL), DB_CONFLICT);
	ck_assert_int_eq(users_delete(&cfg, "la_nobody", NULL), DB_NOTFOUND);
}
END_TEST

START_TEST(test_update)
{
	struct user u, f;
	struct user_change ch = {NULL, NULL, NULL};
	enum users_conflict cf;
	char before[256];
	int match, rehash;

	create_ok("up_carol", "carol1@up.example", "first-password", &u);
	create_ok("up_dave", "dave@up.example", "pw-pw-pw-1", NULL);
	snprintf(before, sizeof(before), "%s",
	    pgtest_sql("SELECT email::text FROM public.users "
	               "WHERE username = $1",
	        1, (const char *const[]){"up_carol"}));

	ch.email = "carol2@up.example";
	ck_assert_int_eq(
	    users_update(&cfg, "up_carol", &ch, NULL, &f, &cf), DB_OK);
	ck_assert_str_eq(f.email, "carol2@up.example");
	ck_assert_str_eq(f.id, u.id);
	ck_timestamp(f.updated_at);
	ck_assert_str_eq(f.created_at, u.created_at);
	users_clear(&f);
	ck_assert_str_ne(pgtest_sql("SELECT email::text FROM public.users "
	                            "WHERE username = $1",
	                     1, (const char *const[]){"up_carol"}),
	    before);
	ck_assert_int_eq(
	    users_find_by_email(&cfg, "carol2@up.example", NULL, &f), DB_OK);
	ck_assert_str_eq(f.username, "up_carol");
	users_clear(&f);
	ck_assert_int_eq(
	    users_find_by_email(&cfg, "carol1@up.example", NULL, &f),
	    DB_NOTFOUND);

	/* Another user's email: conflict, nothing changed. */
	ch.email = "DAVE@up.example";
	ck_assert_int_eq(
	    users_update(&cfg, "up_carol", &ch, NULL, NULL, &cf), DB_CONFLICT);
	ck_assert_int_eq(cf, USERS_CONFLICT_EMAIL);

	/* user_type and password. */
	ch.email = NULL;
	ch.user_type = "admin";
	ch.password = "second-password";
	ck_assert_int_eq(
	    users_update(&cfg, "up_carol", &ch, NULL, &f, &cf), DB_OK);
	ck_assert_str_eq(f.user_type, "admin");
	ck_assert_str_eq(f.email, "carol2@up.example");
	ck_assert_int_eq(
	    users_check_password(&cfg, &f, "second-password", &match, &rehash),
	    EF_OK);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(
	    users_check_password(&cfg, &f, "first-password", &match, &rehash),
	    EF_OK);
	ck_assert_int_eq(match, 0);
	users_clear(&f);

	/* Nothing to change still touches updated_at. */
	ch.user_type = NULL;
	ch.password = NULL;
	ck_assert_int_eq(
	    users_update(&cfg, "up_carol", &ch, NULL, NULL, NULL), DB_OK);
	ck_assert_int_eq(
	    users_update(&cfg, "up_nobody", &ch, NULL, NULL, &cf), DB_NOTFOUND);
	ck_assert_int_eq(
	    users_update(&cfg, "up_carol", NULL, NULL, NULL, &cf), DB_ERROR);
	users_clear(&u);
}
END_TEST

START_TEST(test_password_hash_and_delete)
{
	char hash[EF_PW_HASH_MAX], dk[256];
	struct user u, f;
	int match, rehash;

	create_ok("dl_erin", "erin@dl.example", "pw-pw-pw-1", &u);
	ck_assert_int_eq(ef_pw_hash("new one", 7, hash), EF_OK);
	/* Only over the hash that was verified: not over another one. */
	ck_assert_int_eq(
	    users_set_password_hash(&cfg, u.id, "stale", hash), DB_NOTFOUND);
	ck_assert_int_eq(
	    users_find_by_username(&cfg, "dl_erin", NULL, &f), DB_OK);
	ck_assert_str_eq(f.password_hash, u.password_hash);
	users_clear(&f);
	ck_assert_int_eq(
	    users_set_password_hash(&cfg, u.id, u.password_hash, hash), DB_OK);
	ck_assert_int_eq(
	    users_find_by_username(&cfg, "dl_erin", NULL, &f), DB_OK);
	ck_assert_str_eq(f.password_hash, hash);
	/* A rehash is not a change of the user's data. */
	ck_assert_str_eq(f.updated_at, "");
	ck_assert_int_eq(
	    users_check_password(&cfg, &f, "new one", &match, &rehash), EF_OK);
	ck_assert_int_eq(match, 1);
	users_clear(&f);
	ck_assert_int_eq(
	    users_set_password_hash(
	        &cfg, "00000000-0000-4000-8000-000000000000", hash, hash),
	    DB_NOTFOUND);
	ck_assert_int_eq(
	    users_set_password_hash(&cfg, "junk", hash, hash), DB_NOTFOUND);
	ck_assert_int_eq(
	    users_set_password_hash(&cfg, u.id, hash, ""), DB_ERROR);

	snprintf(dk, sizeof(dk), "%s",
	    pgtest_sql("SELECT data_key FROM public.users WHERE id = $1::uuid",
	        1, (const char *const[]){u.id}));
	ck_assert_int_eq(strncmp(dk, "\\xef01", 6), 0);
	ck_assert_int_eq(users_delete(&cfg, "dl_erin", NULL), DB_OK);
	/* The data key went with the row; the erasure is recorded. */
	ck_assert_str_eq(pgtest_sql("SELECT count(*) FROM public.users "
	                            "WHERE id = $1::uuid OR "
	                            "data_key = $2::bytea",
	                     2, (const char *const[]){u.id, dk}),
	    "0");
	ck_assert_str_eq(pgtest_sql("SELECT count(*) FROM public.erasures "
	                            "WHERE user_id = $1::uuid AND "
	                            "ledger_seq IS NULL",
	                     1, (const char *const[]){u.id}),
	    "1");
	ck_assert_int_eq(users_find_by_id(&cfg, u.id, &f), DB_NOTFOUND);
	ck_assert_int_eq(users_find_by_email(&cfg, "erin@dl.example", NULL, &f),
	    DB_NOTFOUND);
	ck_assert_int_eq(users_delete(&cfg, "dl_erin", NULL), DB_NOTFOUND);
	ck_assert_int_eq(users_delete(&cfg, NULL, NULL), DB_NOTFOUND);
	users_clear(&u);
}
END_TEST

/* The boilerplate's example row: email, timestamp with offset, legacy
 * hash. */
START_TEST(test_boilerplate_admin)
{
	static const char *const p[] = {ADMIN_ID, ADMIN_PW, ADMIN_EMAIL};
	struct user_new nu = {
	    "bp_other", "Admin@Example.com", "pw-pw-pw-1", "user"};
	enum users_conflict cf;
	struct user u;
	char hash[EF_PW_HASH_MAX];
	int match, rehash;

	pgtest_sql("INSERT INTO public.users (id, username, password, "
	           "user_type, email, created_at) VALUES ($1, 'admin', $2, "
	           "'admin', $3::bytea, '2023-01-20 19:31:56.46987+00') "
	           "ON CONFLICT DO NOTHING",
	    3, p);
	ck_assert_int_eq(
	    users_find_by_username(&cfg, "admin", NULL, &u), DB_OK);
	ck_assert_str_eq(u.id, ADMIN_ID);
	ck_assert_str_eq(u.email, "admin@example.com");
	ck_assert_int_eq(u.email_legacy, 1);
	ck_assert_str_eq(u.user_type, "admin");
	ck_assert_str_eq(u.created_at, "2023-01-20T19:31:56.469870+00:00");
	ck_assert_str_eq(u.updated_at, "");
	ck_assert_int_eq(
	    users_check_password(&cfg, &u, "password", &match, &rehash), EF_OK);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(rehash, 1);
	ck_assert_int_eq(
	    users_check_password(&cfg, &u, "Password", &match, &rehash), EF_OK);
	ck_assert_int_eq(match, 0);
	users_clear(&u);

	/* The boilerplate's own answer, in its server's time zone. */
	setenv("TIME_ZONE", "America/New_York", 1);
	reload();
	ck_assert_int_eq(
	    users_find_by_username(&cfg, "admin", NULL, &u), DB_OK);
	ck_assert_str_eq(u.created_at, "2023-01-20T14:31:56.469870-05:00");
	users_clear(&u);
	setenv("TIME_ZONE", "Asia/Kolkata", 1);
	reload();
	ck_assert_int_eq(users_find_by_id(&cfg, ADMIN_ID, &u), DB_OK);
	ck_assert_str_eq(u.created_at, "2023-01-21T01:01:56.469870+05:30");
	users_clear(&u);
	/* Whole seconds, and a zone offset with seconds (local mean time). */
	pgtest_sql("UPDATE public.users SET updated_at = "
	           "'1850-01-01 12:00:00+00' WHERE id = $1",
	    1, p);
	setenv("TIME_ZONE", "America/New_York", 1);
	reload();
	ck_assert_int_eq(users_find_by_id(&cfg, ADMIN_ID, &u), DB_OK);
	ck_assert_str_eq(u.updated_at, "1850-01-01T07:03:58.000000-04:56");
	users_clear(&u);
	setenv("TIME_ZONE", "UTC", 1);
	reload();
	pgtest_sql(
	    "UPDATE public.users SET updated_at = NULL WHERE id = $1", 1, p);

	/* No blind index: found by email by decrypting legacy rows. */
	ck_assert_int_eq(
	    users_find_by_email(&cfg, " ADMIN@example.com", NULL, &u), DB_OK);
	ck_assert_str_eq(u.id, ADMIN_ID);
	users_clear(&u);
	/* And its email counts as taken. */
	ck_assert_int_eq(users_create(&cfg, &nu, NULL, NULL, &cf), DB_CONFLICT);
	ck_assert_int_eq(cf, USERS_CONFLICT_EMAIL);

	/* The login upgrade: Argon2id replaces the legacy hash. */
	ck_assert_int_eq(ef_pw_hash("password", 8, hash), EF_OK);
	ck_assert_int_eq(
	    users_set_password_hash(&cfg, ADMIN_ID, ADMIN_PW, hash), DB_OK);
	ck_assert_int_eq(
	    users_find_by_username(&cfg, "admin", NULL, &u), DB_OK);
	ck_assert_int_eq(
	    users_check_password(&cfg, &u, "password", &match, &rehash), EF_OK);
	ck_assert_int_eq(match, 1);
	ck_assert_int_eq(rehash, 0);
	ck_assert_str_eq(u.email, "admin@example.com");
	ck_assert_str_eq(u.updated_at, "");
	users_clear(&u);

	/* Without POSTGRES_SECRET_KEY the row is unreadable, not garbage. */
	unsetenv("POSTGRES_SECRET_KEY");
	reload();
	ck_assert_int_eq(
	    users_find_by_username(&cfg, "admin", NULL, &u), DB_OK);
	ck_assert_ptr_null(u.email);
	ck_assert_int_eq(u.email_err, EF_ERR_NO_LEGACY);
	users_clear(&u);
}
END_TEST

/* Rows built from the shared vectors read back as the boilerplate wrote. */
START_TEST(test_boilerplate_vectors)
{
	const char *top = getenv("top_srcdir");
	json_object *root, *cases, *hashes, *c, *h, *v;
	char path[4096], name[32], id[37];
	const char *p[5], *plain[64], *pw[64];
	size_t i, n = 0, nh;
	uint8_t uuid[16];
	struct user u;
	struct user_list l;
	int match, rehash;

	snprintf(path, sizeof(path), "%s/t/vectors/sqlalchemy-utils.json",
	    top != NULL ? top : ".");
	root = json_object_from_file(path);
	ck_assert_msg(root != NULL, "cannot read %s", path);
	ck_assert(json_object_object_get_ex(root, "cases", &cases));
	ck_assert(json_object_object_get_ex(root, "password_hashes", &hashes));
	nh = json_object_array_length(hashes);
	ck_assert_uint_gt(nh, 0);
	for (i = 0; i < json_object_array_length(cases); i++) {
		c = json_object_array_get_idx(cases, i);
		if (!json_object_object_get_ex(c, "engine", &v) ||
		    strcmp(json_object_get_string(v), "AesEngine") != 0 ||
		    !json_object_object_get_ex(c, "padding", &v) ||
		    strcmp(json_object_get_string(v), "pkcs5") != 0 ||
		    !json_object_object_get_ex(c, "key", &v) ||
		    strcmp(json_object_get_string(v), "changeme2") != 0)
			continue;
		ck_assert_uint_lt(n, 64);
		h = json_object_array_get_idx(hashes, n % nh);
		ck_assert(json_object_object_get_ex(h, "secret_key", &v));
		ck_assert_str_eq(json_object_get_string(v), "changeme1");
		ck_assert(json_object_object_get_ex(c, "plaintext", &v));
		plain[n] = json_object_get_string(v);
		ck_assert(json_object_object_get_ex(h, "password", &v));
		pw[n] = json_object_get_string(v);

		ef_uuid_v4(uuid);
		ef_uuid_format(uuid, id);
		snprintf(name, sizeof(name), "vec_%02zu", n);
		p[0] = id;
		p[1] = name;
		ck_assert(json_object_object_get_ex(h, "hash", &v));
		p[2] = json_object_get_string(v);
		ck_assert(json_object_object_get_ex(c, "stored", &v));
		p[3] = json_object_get_string(v);
		/* The boilerplate stores the base64 text's bytes. */
		pgtest_sql("INSERT INTO public.users (id, username, password, "
		           "user_type, email, created_at) VALUES ($1, $2, $3, "
		           "'user', convert_to($4, 'UTF8'), now())",
		    4, p);
		n++;
	}
	ck_assert_uint_ge(n, 5);

	ck_assert_int_eq(users_list(&cfg, "vec_", NULL, 100, NULL, &l), DB_OK);
	ck_assert_uint_eq(l.n, n);
	for (i = 0; i < n; i++) {
		ck_assert_msg(l.v[i].email != NULL, "%s: %s", l.v[i].username,
		    ef_strerror(l.v[i].email_err));
		ck_assert_str_eq(l.v[i].email, plain[i]);
		ck_assert_int_eq(l.v[i].email_legacy, 1);
	}
	users_list_free(&l);
	/* Each legacy hash verifies (PBKDF2, SECRET_KEY as the salt). */
	for (i = 0; i < n && i < nh; i++) {
		snprintf(name, sizeof(name), "vec_%02zu", i);
		ck_assert_int_eq(
		    users_find_by_username(&cfg, name, NULL, &u), DB_OK);
		ck_assert_int_eq(
		    users_check_password(&cfg, &u, pw[i], &match, &rehash),
		    EF_OK);
		ck_assert_msg(match == 1, "%s", name);
		ck_assert_int_eq(rehash, 1);
		ck_assert_int_eq(
		    users_check_password(&cfg, &u, "nope", &match, &rehash),
		    EF_OK);
		ck_assert_int_eq(match, 0);
		users_clear(&u);
	}
	json_object_put(root);
}
END_TEST

/*
 * A ciphertext copied into another row, garbage, and a key id not in the
 * ring: each row is unreadable with its reason; the listing goes on.
 */
START_TEST(test_unreadable_rows)
{
	static const char *const p[] = {"mv_a", "mv_b"};
	static const char *const q[] = {"mv_c"};
	struct user_list l;
	struct user u;

	create_ok("mv_a", "a@mv.example", "pw-pw-pw-1", NULL);
	create_ok("mv_b", "b@mv.example", "pw-pw-pw-1", NULL);
	create_ok("mv_c", "c@mv.example", "pw-pw-pw-1", NULL);
	create_ok("mv_e", "e@mv.example", "pw-pw-pw-1", NULL);
	pgtest_sql("UPDATE public.users SET email = (SELECT email FROM "
	           "public.users WHERE username = $1) WHERE username = $2",
	    2, p);
	pgtest_sql("UPDATE public.users SET email = '\\x0001ff'::bytea "
	           "WHERE username = $1",
	    1, q);

	ck_assert_int_eq(users_find_by_username(&cfg, "mv_b", NULL, &u), DB_OK);
	ck_assert_ptr_null(u.email);
	ck_assert_int_eq(u.email_err, EF_ERR_AUTH);
	ck_assert_str_eq(u.username, "mv_b");
	users_clear(&u);

	/* A row whose data key is gone (data_key NULL beside an envelope
	 * email): named, not garbage; a data key of another row does not
	 * open it either. */
	create_ok("mv_g", "g@mv.example", "pw-pw-pw-1", NULL);
	create_ok("mv_h", "h@mv.example", "pw-pw-pw-1", NULL);
	pgtest_sql("UPDATE public.users SET data_key = (SELECT data_key "
	           "FROM public.users WHERE username = 'mv_h') "
	           "WHERE username = 'mv_g'",
	    0, NULL);
	ck_assert_int_eq(users_find_by_username(&cfg, "mv_g", NULL, &u), DB_OK);
	ck_assert_ptr_null(u.email);
	ck_assert_int_eq(u.email_err, EF_ERR_AUTH);
	users_clear(&u);
	pgtest_sql("UPDATE public.users SET data_key = NULL "
	           "WHERE username = 'mv_h'",
	    0, NULL);
	ck_assert_int_eq(users_find_by_username(&cfg, "mv_h", NULL, &u), DB_OK);
	ck_assert_ptr_null(u.email);
	ck_assert_int_eq(u.email_err, EF_ERR_NO_DATA_KEY);
	users_clear(&u);
	pgtest_sql("DELETE FROM public.users WHERE username IN ('mv_g', "
	           "'mv_h')",
	    0, NULL);

	/* A row written under key 9, which the ring below lacks. */
	setenv("FIELD_KEYS", "9:" KEY3, 1);
	reload();
	create_ok("mv_d", "d@mv.example", "pw-pw-pw-1", NULL);
	setenv("FIELD_KEYS", "1:" KEY1, 1);
	reload();

	ck_assert_int_eq(users_list(&cfg, "mv_", NULL, 10, NULL, &l), DB_OK);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_str_eq(l.v[0].email, "a@mv.example");
	ck_assert_ptr_null(l.v[1].email);
	ck_assert_int_eq(l.v[1].email_err, EF_ERR_AUTH);
	ck_assert_ptr_null(l.v[2].email);
	ck_assert_int_eq(l.v[2].email_err, EF_ERR_MALFORMED);
	ck_assert_ptr_null(l.v[3].email);
	ck_assert_int_eq(l.v[3].email_err, EF_ERR_UNKNOWN_KEY);
	ck_assert_str_eq(l.v[4].email, "e@mv.example");
	users_list_free(&l);

	/* Rotation: a ring holding both keys reads both; writes use 2. */
	setenv("FIELD_KEYS", "2:" KEY2 ",1:" KEY1 ",9:" KEY3, 1);
	reload();
	ck_assert_int_eq(users_find_by_username(&cfg, "mv_d", NULL, &u), DB_OK);
	ck_assert_str_eq(u.email, "d@mv.example");
	users_clear(&u);
	create_ok("mv_f", "f@mv.example", "pw-pw-pw-1", NULL);
	/* Sealed under its data key, which is wrapped under key 2. */
	ck_assert_str_eq(pgtest_sql("SELECT substr(email::text, 1, 6) || "
	                            "substr(data_key::text, 1, 10) "
	                            "FROM public.users WHERE username = $1",
	                     1, (const char *const[]){"mv_f"}),
	    "\\xef02\\xef010002");
}
END_TEST

/*
 * Two processes, two connections, the same username (then the same
 * email) at the same moment: exactly one wins, the other is told which
 * field conflicts.
 */
static void
race(const char *n1, const char *e1, const char *n2, const char *e2,
    enum users_conflict want)
{
	int go[2], res[2][2], r[2][2], i, st;
	pid_t pid[2];
	char b = 'g';

	ck_assert_int_eq(pipe(go), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pipe(res[i]), 0);
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			struct user_new nu = {i == 0 ? n1 : n2,
			    i == 0 ? e1 : e2, "pw-pw-pw-1", "user"};
			enum users_conflict cf = USERS_CONFLICT_NONE;
			int out[2];
			char c;

			close(go[1]);
			/* Connect first, then wait for the start signal. */
			if (db_init(&cfg) != DB_OK || db_connect() != DB_OK ||
			    read(go[0], &c, 1) != 1)
				_exit(1);
			out[0] = users_create(&cfg, &nu, NULL, NULL, &cf);
			out[1] = cf;
			if (write(res[i][1], out, sizeof(out)) != sizeof(out))
				_exit(1);
			_exit(0);
		}
		close(res[i][1]);
	}
	close(go[0]);
	usleep(300 * 1000);
	ck_assert_int_eq(write(go[1], &b, 1), 1);
	ck_assert_int_eq(write(go[1], &b, 1), 1);
	close(go[1]);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(
		    read(res[i][0], r[i], sizeof(r[i])), (ssize_t)sizeof(r[i]));
		close(res[i][0]);
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert_msg((r[0][0] == DB_OK && r[1][0] == DB_CONFLICT &&
	                  r[1][1] == (int)want) ||
	        (r[1][0] == DB_OK && r[0][0] == DB_CONFLICT &&
	            r[0][1] == (int)want),
	    "results %d/%d and %d/%d", r[0][0], r[0][1], r[1][0], r[1][1]);
}

START_TEST(test_concurrent_creates)
{
	struct user_list l;

	race("rc_same", "rc1@race.example", "rc_same", "rc2@race.example",
	    USERS_CONFLICT_USERNAME);
	race("rc_x", "same@race.example", "rc_y", "SAME@race.example",
	    USERS_CONFLICT_EMAIL);
	ck_assert_int_eq(users_list(&cfg, "rc_", NULL, 10, NULL, &l), DB_OK);
	ck_assert_uint_eq(l.n, 2);
	users_list_free(&l);
}
END_TEST

/* The kind of a stored value as SQL's public.encdb_value_kind (sql/203)
 * tells it, for the bytes v. */
static const char *
sql_kind(PGconn *c, const void *v, size_t len)
{
	static char buf[16];
	const char *p[1] = {v};
	int l[1] = {(int)len}, f[1] = {1};
	PGresult *r;

	r = PQexecParams(c, "SELECT public.encdb_value_kind($1::bytea)", 1,
	    NULL, p, l, f, 0);
	ck_assert_msg(
	    PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return buf;
}

/* SQL and ef_value_kind agree on every value: the shared vectors' stored
 * texts, v1 values, and the edges between the kinds. */
START_TEST(test_value_kind_sql)
{
	static const char *const names[EF_KIND__MAX] = {
	    "v1",       /* EF_KIND_V1 */
	    "legacy",   /* EF_KIND_LEGACY */
	    "unknown",  /* EF_KIND_UNKNOWN */
	    "envelope", /* EF_KIND_ENVELOPE */
	};
	static const struct {
		const char *v;
		size_t len;
	} edges[] = {
	    {"", 0},
	    {"\xef", 1},
	    {"\xef\x01", 2},
	    {"\xef\x02"
	     "abc",
	        5},
	    {"\x01\xef", 2},
	    {"abc\x7f", 4},
	    {"abc\x1f", 4},
	    {"a\0b", 3},
	    {" ~", 2},
	    {"not base64!", 11},
	    {"caf\xc3\xa9", 5},
	    {"\\x", 2},
	};
	const char *top = getenv("top_srcdir");
	json_object *root, *cases, *v;
	char path[4096];
	uint8_t uuid[16], *ct = NULL;
	size_t i, ctlen, n = 0;
	enum ef_kind k;
	PGconn *c = pgtest_connect(NULL);

	snprintf(path, sizeof(path), "%s/t/vectors/sqlalchemy-utils.json",
	    top != NULL ? top : ".");
	root = json_object_from_file(path);
	ck_assert_msg(root != NULL, "cannot read %s", path);
	ck_assert(json_object_object_get_ex(root, "cases", &cases));
	for (i = 0; i < json_object_array_length(cases); i++) {
		ck_assert(json_object_object_get_ex(
		    json_object_array_get_idx(cases, i), "stored", &v));
		k = ef_value_kind((const uint8_t *)json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		ck_assert_int_eq(k, EF_KIND_LEGACY);
		ck_assert_str_eq(sql_kind(c, json_object_get_string(v),
		                     (size_t)json_object_get_string_len(v)),
		    names[k]);
		n++;
	}
	ck_assert_uint_ge(n, 10);
	json_object_put(root);
	for (i = 0; i < 4; i++) {
		ef_uuid_v4(uuid);
		ck_assert_int_eq(ef_encrypt(cfg.keys, USERS_EMAIL_COLUMN, uuid,
		                     "a@b.example", i * 3, &ct, &ctlen),
		    EF_OK);
		ck_assert_int_eq(ef_value_kind(ct, ctlen), EF_KIND_V1);
		ck_assert_str_eq(sql_kind(c, ct, ctlen), "v1");
		free(ct);
	}
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		k = ef_value_kind((const uint8_t *)edges[i].v, edges[i].len);
		ck_assert_msg(strcmp(sql_kind(c, edges[i].v, edges[i].len),
		                  names[k]) == 0,
		    "edge %zu: SQL says %s, ef_value_kind %s", i,
		    sql_kind(c, edges[i].v, edges[i].len), names[k]);
	}
	PQfinish(c);
}
END_TEST

static Suite *
users_suite(void)
{
	Suite *s = suite_create("users");
	TCase *tc = tcase_create("users");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_create_and_find, 0, 2);
	tcase_add_test(tc, test_conflicts);
	tcase_add_loop_test(tc, test_list, 0, 2);
	tcase_add_test(tc, test_list_generic_plan);
	tcase_add_test(tc, test_cursor);
	tcase_add_test(tc, test_update);
	tcase_add_test(tc, test_last_admin);
	tcase_add_test(tc, test_password_hash_and_delete);
	tcase_add_test(tc, test_boilerplate_admin);
	tcase_add_test(tc, test_boilerplate_vectors);
	tcase_add_test(tc, test_value_kind_sql);
	tcase_add_test(tc, test_unreadable_rows);
	tcase_add_test(tc, test_concurrent_creates);
	suite_add_tcase(s, tc);
	return s;
}

/* Settings for every test, and the schema, made once. */
static void
prepare(void)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], err[512];
	int applied;

	base_env();
	snprintf(dir, sizeof(dir), "%s/sql", top != NULL ? top : ".");
	/* Not inside a test: no ck_assert here. */
	if (cfg_load(&cfg, CFG_NEED_DB | CFG_NEED_KEYS, err, sizeof(err)) !=
	        CFG_OK ||
	    db_init(&cfg) != DB_OK) {
		fprintf(stderr, "settings: %s\n", err);
		exit(99);
	}
	if (migrate_apply(dir, &applied, NULL, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "migrate: %s\n", err);
		exit(99);
	}
	/* No connection may be shared with the forked tests. */
	teardown();
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (getenv("DATABASE_URL") == NULL) {
		fprintf(stderr, "DATABASE_URL unset: run through t/with-pg\n");
		return 99;
	}
	prepare();
	sr = srunner_create(users_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
