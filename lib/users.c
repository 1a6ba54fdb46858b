/*
 * users.c -- the users table. Every read and write of a user passes here:
 * the email is encrypted on the way in (sealed under the row's own data
 * key, which the row holds wrapped in data_key, or in format v1 for a row
 * made before data keys; bound to the column USERS_EMAIL_COLUMN and the
 * row's UUID; with a blind index for exact lookups) and decrypted on the
 * way out; passwords are hashed with Argon2id.
 *
 * Rows written by the boilerplate (flask-encrypted-db) are read as they
 * are: a legacy email ciphertext is decrypted with the legacy engine, its
 * blind index is the one `encdb migrate` computes for it (lookups by email
 * fall back to decrypting the legacy rows still without one, every one of
 * them, batch by batch), and its legacy password hash still verifies. A
 * row whose email cannot be decrypted is returned with email NULL and the
 * reason class; it is logged by row id and reason only.
 *
 * Timestamps come in the session's TimeZone (TIME_ZONE) and DateStyle ISO,
 * which db.c sets on connect; both are parameters PgBouncer tracks and
 * restores on every server connection it hands out, so they hold under
 * transaction pooling too (t/faults/pgbouncer.pg checks it).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

/* Rows without a blind index read at a time by an email lookup. */
#define USERS_LEGACY_BATCH 1000

/*
 * The columns every query returns, in this order. The timestamps come as
 * PostgreSQL writes a timestamptz in the session's TimeZone (TIME_ZONE)
 * and DateStyle ISO, both set by db.c on connect, and format_ts turns them
 * into ISO 8601: cheaper than to_char() per row on the server. The list
 * and the legacy scan leave the password hash out (NULL): they never
 * verify one, and it is the widest column of a row.
 */
#define USERS_COLS_WITH(pw)                                                    \
	"id::text, username, user_type, email, email_bidx IS NULL, " pw        \
	", created_at, updated_at, data_key"
#define USERS_COLS      USERS_COLS_WITH("password")
#define USERS_COLS_NOPW USERS_COLS_WITH("NULL::varchar")

enum col {
	COL_ID,
	COL_USERNAME,
	COL_USER_TYPE,
	COL_EMAIL,
	COL_NO_BIDX,
	COL_PASSWORD,
	COL_CREATED,
	COL_UPDATED,
	COL_WRAPPED,
	COL__MAX
};

#define SQL_BY_NAME                                                            \
	"SELECT " USERS_COLS " FROM public.users WHERE username = $1"

static const struct db_stmt st_by_name = {"users_by_name", SQL_BY_NAME, 1};
static const struct db_stmt st_by_name_audit = {
    "users_by_name_audit", AUDIT_WITH(SQL_BY_NAME, "2"), 2};

static const struct db_stmt st_by_id = {
    "users_by_id",
    "SELECT " USERS_COLS " FROM public.users WHERE id = $1::uuid",
    1,
};

/* email_bidx_next too: right after `encdb reindex --swap` it holds the old
 * index key's value, so an instance not yet restarted still finds users. */
#define SQL_BY_BIDX                                                            \
	"SELECT " USERS_COLS " FROM public.users "                             \
	"WHERE email_bidx = $1::bytea OR email_bidx_next = $1::bytea"

static const struct db_stmt st_by_bidx = {"users_by_bidx", SQL_BY_BIDX, 1};
static const struct db_stmt st_by_bidx_audit = {
    "users_by_bidx_audit", AUDIT_WITH(SQL_BY_BIDX, "2"), 2};

/* The rows without a blind index after username $1 (NULL: from the first),
 * $2 of them. */
static const struct db_stmt st_legacy = {
    "users_legacy",
    "SELECT " USERS_COLS_NOPW " FROM public.users WHERE email_bidx IS NULL "
    "AND ($1::text IS NULL OR username > $1::text) "
    "ORDER BY username LIMIT $2::integer",
    2,
};

/*
 * A page of rows with the columns cols in username order (dir: ASC or
 * DESC) past the username bound by cmp (">", "<"; bound NULL for ">":
 * from the first) and matching cond (SQL, or ""), at most $n + 1 of them:
 * the page and the row that tells whether another follows.
 *
 * Written so that PostgreSQL keeps one generic plan for it as good as a
 * plan made for each execution's values, which otherwise costs more CPU
 * than running it: ">" is an index condition that holds for NULL too
 * ("" sorts first in every collation), cond is a statement of its own
 * rather than "$p IS NULL OR", and the scan is bounded by a constant, so
 * that the planner does not take an unknown LIMIT for a tenth of the
 * table.
 */
#define SQL_PAGE(cols, cmp, bound, cond, dir, n)                               \
	"SELECT * FROM (SELECT " cols " FROM public.users WHERE username " cmp \
	"= coalesce(" bound ", '') AND username IS DISTINCT FROM " bound cond  \
	" ORDER BY username " dir                                              \
	" LIMIT " STR(PAGE_MAX) " + 1) u ORDER BY username " dir " LIMIT $" n  \
	                        "::integer + 1"

/* The prefix filter of a page: the name starts with p, ASCII letters in
 * any case (public.username_key, sql/202, is what "the same name" means).
 */
#define USERS_HAS_PREFIX(p)                                                    \
	" AND starts_with(public.username_key(username), "                     \
	"public.username_key(" p "))"

/* 1 if a list is filtered by prefix p (NULL or "": not filtered), which
 * takes the statements with USERS_HAS_PREFIX. */
static int
has_prefix(const char *p)
{
	return p != NULL && *p != '\0';
}

/* After $1 (NULL: from the first), $2 rows; $3 the prefix. */
#define SQL_LIST(cond)                                                         \
	SQL_PAGE(USERS_COLS_NOPW, ">", "$1::text", cond, "ASC", "2")

static const struct db_stmt st_list = {"users_list", SQL_LIST(""), 2};
static const struct db_stmt st_list_audit = {
    "users_list_audit", AUDIT_WITH_LIST(SQL_LIST(""), "3", "2", "username"), 3};
static const struct db_stmt st_list_prefix = {
    "users_list_prefix", SQL_LIST(USERS_HAS_PREFIX("$3::text")), 3};
static const struct db_stmt st_list_prefix_audit = {"users_list_prefix_audit",
    AUDIT_WITH_LIST(
        SQL_LIST(USERS_HAS_PREFIX("$3::text")), "4", "2", "username"),
    4};

/* The row, with its wrapped data key ($7). */
#define SQL_INSERT_ROW                                                         \
	"INSERT INTO public.users "                                            \
	"(id, username, password, user_type, email, email_bidx, data_key, "    \
	"created_at) "                                                         \
	"VALUES ($1::uuid, $2::varchar, $3::varchar, $4::varchar, $5::bytea, " \
	"$6::bytea, $7::bytea, now()) RETURNING " USERS_COLS

static const struct db_stmt st_insert = {"users_insert", SQL_INSERT_ROW, 7};
static const struct db_stmt st_insert_audit = {
    "users_insert_audit", AUDIT_WITH(SQL_INSERT_ROW, "8"), 8};

/*
 * The last admin guard, for the WHERE clause of a statement that gives a
 * row the user type after (an SQL expression; NULL for a delete): true
 * unless the row is an admin who would stop being one while no other
 * admin exists. The statement starts with USERS_ADMINS_LOCKED, which
 * locks every admin row, so that two admins demoting each other at once
 * are serialised: the second one sees the first change and counts one.
 */
#define USERS_ADMINS_LOCKED                                                    \
	"WITH admins AS (SELECT id FROM public.users "                         \
	"WHERE user_type = 'admin' FOR UPDATE) "
#define USERS_KEEPS_AN_ADMIN(after)                                            \
	"(user_type <> 'admin' OR COALESCE(" after ", '') = 'admin' OR "       \
	"(SELECT count(*) FROM admins) > 1)"

#define SQL_UPDATE                                                             \
	USERS_ADMINS_LOCKED                                                    \
	"UPDATE public.users SET "                                             \
	"email = COALESCE($2::bytea, email), "                                 \
	"email_bidx = CASE WHEN $2::bytea IS NULL THEN email_bidx "            \
	"ELSE $3::bytea END, "                                                 \
	"user_type = COALESCE($4::varchar, user_type), "                       \
	"password = COALESCE($5::varchar, password), "                         \
	"updated_at = now() "                                                  \
	"WHERE id = $1::uuid AND " USERS_KEEPS_AN_ADMIN(                       \
	    "COALESCE($4::varchar, user_type)") " RETURNING " USERS_COLS

static const struct db_stmt st_update = {"users_update", SQL_UPDATE, 5};
static const struct db_stmt st_update_audit = {
    "users_update_audit", AUDIT_WITH(SQL_UPDATE, "6"), 6};

static const struct db_stmt st_set_pw = {
    "users_set_pw",
    "UPDATE public.users SET password = $2::varchar "
    "WHERE id = $1::uuid AND password = $3::varchar",
    3,
};

#define SQL_DELETE                                                             \
	USERS_ADMINS_LOCKED                                                    \
	"DELETE FROM public.users WHERE username = $1 "                        \
	"AND " USERS_KEEPS_AN_ADMIN("NULL") " RETURNING id::text AS id"

static const struct db_stmt st_delete = {"users_delete", SQL_DELETE, 1};
static const struct db_stmt st_delete_audit = {
    "users_delete_audit", AUDIT_WITH(SQL_DELETE, "2"), 2};

static const struct db_stmt st_exists = {
    "users_exists",
    "SELECT 1 FROM public.users WHERE username = $1",
    1,
};

/*
 * A row the boilerplate left sharing its name, in another case, with an
 * earlier one (sql/202): outside the unique index, so checked by hand.
 */
static const struct db_stmt st_name_shared = {
    "users_name_shared",
    "SELECT 1 FROM public.users WHERE username_shared "
    "AND public.username_key(username) = public.username_key($1::text)",
    1,
};

/* The usernames before a page's first, $1 (last first): for its previous
 * link; $2 rows, $3 the prefix. */
#define SQL_BEFORE(cond)                                                       \
	SQL_PAGE("username", "<", "$1::text", cond, "DESC", "2")

static const struct db_stmt st_before = {"users_before", SQL_BEFORE(""), 2};
static const struct db_stmt st_before_prefix = {
    "users_before_prefix", SQL_BEFORE(USERS_HAS_PREFIX("$3::text")), 3};

static const char *const conflict_fields[USERS_CONFLICT__MAX] = {
    "",          /* USERS_CONFLICT_NONE */
    "username",  /* USERS_CONFLICT_USERNAME */
    "email",     /* USERS_CONFLICT_EMAIL */
    "user_type", /* USERS_CONFLICT_LAST_ADMIN */
};

const char *
users_conflict_field(enum users_conflict c)
{
	if ((unsigned)c >= USERS_CONFLICT__MAX)
		return "";
	return conflict_fields[c];
}

void
users_clear(struct user *u)
{
	if (u == NULL)
		return;
	free(u->username);
	free(u->user_type);
	if (u->email != NULL)
		ef_free_plain(u->email, strlen(u->email));
	if (u->password_hash != NULL) {
		ef_wipe(u->password_hash, strlen(u->password_hash));
		free(u->password_hash);
	}
	free(u->wrapped);
	memset(u, 0, sizeof(*u));
}

void
users_list_free(struct user_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		users_clear(&l->v[i]);
	free(l->v);
	free(l->next);
	memset(l, 0, sizeof(*l));
}

void
users_format_ts(const char *ts, char out[40])
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	const char *p;
	size_t i, n;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)ts[i])
		                    : ts[i] != shape[i])
			goto asis;
	memcpy(out, ts, 19);
	out[10] = 'T';
	out[19] = '.';
	n = 20;
	p = ts + 19;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			if (n < 26)
				out[n++] = *p;
	while (n < 26)
		out[n++] = '0';
	if ((*p != '+' && *p != '-') || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]))
		goto asis;
	out[n++] = p[0];
	out[n++] = p[1];
	out[n++] = p[2];
	out[n++] = ':';
	p += 3;
	if (p[0] == ':' && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2])) {
		out[n++] = p[1];
		out[n++] = p[2];
	} else {
		out[n++] = '0';
		out[n++] = '0';
	}
	out[n] = '\0';
	return;
asis:
	snprintf(out, 40, "%s", ts);
}

/* A row's timestamp column as users_format_ts writes it; "" for NULL. */
static void
format_ts(const PGresult *r, int row, int col, char out[40])
{
	out[0] = '\0';
	if (!PQgetisnull(r, row, col))
		users_format_ts(PQgetvalue(r, row, col), out);
}

/* Unwrap the data key of the row uuid into dk (wiped unless EF_OK). */
static enum ef_err
unwrap_dk(const struct cfg *cfg, const uint8_t uuid[16], const uint8_t *w,
    size_t wlen, uint8_t dk[EF_KEY_LEN])
{
	if (w == NULL)
		return EF_ERR_NO_DATA_KEY;
	if (cfg->keys == NULL)
		return EF_ERR_KEY_NONE;
	return ef_dk_unwrap(cfg->keys, USERS_TABLE, uuid, w, wlen, dk);
}

enum ef_err
users_decrypt_email(const struct cfg *cfg, const uint8_t uuid[16],
    const uint8_t *wrapped, size_t wrappedlen, const uint8_t *v, size_t len,
    char **pt, size_t *ptlen, int *legacy)
{
	uint8_t dk[EF_KEY_LEN];
	enum ef_err e;

	*pt = NULL;
	if (legacy != NULL)
		*legacy = 0;
	switch (ef_value_kind(v, len)) {
	case EF_KIND_V1:
		e = cfg->keys == NULL
		    ? EF_ERR_KEY_NONE
		    : ef_decrypt(cfg->keys, USERS_EMAIL_COLUMN, uuid, v, len,
		          pt, ptlen);
		break;
	case EF_KIND_ENVELOPE:
		e = unwrap_dk(cfg, uuid, wrapped, wrappedlen, dk);
		if (e != EF_OK)
			break;
		e = ef_envelope_open(
		    dk, USERS_EMAIL_COLUMN, uuid, v, len, pt, ptlen);
		ef_wipe(dk, sizeof(dk));
		break;
	case EF_KIND_LEGACY:
		if (legacy != NULL)
			*legacy = 1;
		e = cfg->legacy == NULL
		    ? EF_ERR_NO_LEGACY
		    : ef_legacy_decrypt(cfg->legacy, v, len, pt, ptlen);
		break;
	default:
		e = EF_ERR_MALFORMED;
		break;
	}
	if (e == EF_OK && strlen(*pt) != *ptlen) {
		/* An embedded NUL: not an email we wrote. */
		e = EF_ERR_MALFORMED;
		ef_free_plain(*pt, *ptlen);
		*pt = NULL;
	}
	return e;
}

/*
 * The bytes of bytea column col of a row, malloc'd in *out (*len bytes).
 * PostgreSQL sends a bytea as "\x" and hex digits, decoded here in one
 * pass and one allocation (PQunescapeBytea also scans it first and
 * shrinks its buffer with realloc, which wipe.c turns into a copy and a
 * wipe); a server whose bytea_output is "escape" sends another form, left
 * to PQunescapeBytea (it never starts with "\x": a backslash byte is
 * sent as two). EF_OK, EF_ERR_MALFORMED or EF_ERR_NOMEM.
 */
static enum ef_err
bytea_get(const PGresult *r, int row, int col, uint8_t **out, size_t *len)
{
	const char *s = PQgetvalue(r, row, col);
	size_t n = (size_t)PQgetlength(r, row, col), i;
	unsigned char *esc;
	uint8_t *b;
	int hi, lo;

	*out = NULL;
	*len = 0;
	if (n < 2 || s[0] != '\\' || s[1] != 'x') {
		/* NULL also for a malformed value: libpq does not say. */
		if ((esc = PQunescapeBytea((const unsigned char *)s, len)) ==
		    NULL)
			return EF_ERR_NOMEM;
		if ((b = malloc(*len + 1)) != NULL)
			memcpy(b, esc, *len);
		PQfreemem(esc);
		*out = b;
		return b != NULL ? EF_OK : EF_ERR_NOMEM;
	}
	if (n % 2 != 0)
		return EF_ERR_MALFORMED;
	if ((b = malloc((n - 2) / 2 + 1)) == NULL)
		return EF_ERR_NOMEM;
	for (i = 2; i < n; i += 2) {
		if ((hi = hex_digit((unsigned char)s[i])) < 0 ||
		    (lo = hex_digit((unsigned char)s[i + 1])) < 0) {
			free(b);
			return EF_ERR_MALFORMED;
		}
		b[i / 2 - 1] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*len = (n - 2) / 2;
	return EF_OK;
}

/*
 * Decrypt the stored email of a row into u (users_decrypt_email).
 * Failures leave u->email NULL with the reason.
 */
static void
decrypt_email(const struct cfg *cfg, const PGresult *r, int row, struct user *u)
{
	uint8_t *raw = NULL;
	size_t rawlen = 0, ptlen = 0;
	char *pt = NULL;
	enum ef_err e;

	u->email = NULL;
	if ((e = bytea_get(r, row, COL_EMAIL, &raw, &rawlen)) == EF_OK)
		e = users_decrypt_email(cfg, u->uuid, u->wrapped, u->wrappedlen,
		    raw, rawlen, &pt, &ptlen, &u->email_legacy);
	/* The raw ciphertext is not secret. */
	free(raw);
	u->email_err = e;
	if (e == EF_OK)
		u->email = pt;
	else
		LOG_WARN(
		    "user %s: email unreadable: %s", u->id, ef_strerror(e));
}

/* Fill *u from one row of USERS_COLS; -1 if out of memory. */
static int
fill_user(const struct cfg *cfg, const PGresult *r, int row, struct user *u)
{
	enum ef_err e;

	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", PQgetvalue(r, row, COL_ID));
	if (!ef_uuid_parse(u->id, u->uuid)) {
		LOG_ERR("row with an invalid id");
		return -1;
	}
	if ((u->username = strdup(PQgetvalue(r, row, COL_USERNAME))) == NULL ||
	    (u->user_type = strdup(PQgetvalue(r, row, COL_USER_TYPE))) ==
	        NULL ||
	    (!PQgetisnull(r, row, COL_PASSWORD) &&
	        (u->password_hash = strdup(PQgetvalue(r, row, COL_PASSWORD))) ==
	            NULL)) {
		users_clear(u);
		LOG_ERR("out of memory");
		return -1;
	}
	if (!PQgetisnull(r, row, COL_WRAPPED) &&
	    (e = bytea_get(r, row, COL_WRAPPED, &u->wrapped, &u->wrappedlen)) !=
	        EF_OK) {
		LOG_ERR("user %s: data key: %s", u->id, ef_strerror(e));
		users_clear(u);
		return -1;
	}
	u->email_legacy = 0;
	decrypt_email(cfg, r, row, u);
	if (u->email_err == EF_OK && !u->email_legacy &&
	    strcmp(PQgetvalue(r, row, COL_NO_BIDX), "t") == 0)
		LOG_WARN("user %s: v1 email without a blind index", u->id);
	format_ts(r, row, COL_CREATED, u->created_at);
	format_ts(r, row, COL_UPDATED, u->updated_at);
	return 0;
}

/*
 * Run plain, or, when audit is not NULL, its audited form (AUDIT_WITH) with
 * the entry as parameter n + 1: values, lengths and formats (may be NULL)
 * have room for it. A failure of the audited form that is not a conflict
 * or an outage is the audit entry's (the read alone does not fail so):
 * DB_AUDIT.
 */
static enum db_err
exec_audited(const struct db_stmt *plain, const struct db_stmt *with,
    const struct audit_entry *audit, const char **values, int *lengths,
    int *formats, PGresult **r)
{
	char param[AUDIT_PARAM_MAX];
	int n = plain->nparams;
	enum db_err e;

	if (audit == NULL)
		return db_exec(plain, values, lengths, formats, r);
	if (audit_param(audit, param) == -1) {
		LOG_ERR("invalid audit entry");
		return DB_AUDIT;
	}
	values[n] = param;
	if (lengths != NULL)
		lengths[n] = 0;
	if (formats != NULL)
		formats[n] = 0;
	e = db_exec(with, values, lengths, formats, r);
	return e == DB_ERROR ? DB_AUDIT : e;
}

/*
 * A read that reveals rows: on the standby when it may answer
 * (db_exec_read), with its audit entry then written on the primary
 * (audit_record: one per row as AUDIT_WITH does, or, for a page of page
 * rows (0: not a page), one for the page as AUDIT_WITH_LIST does); else on
 * the primary by exec_audited, the entry in the same statement. Either way
 * no row is returned unless its entry was written.
 */
static enum db_err
exec_read_audited(const struct db_stmt *plain, const struct db_stmt *with,
    const struct audit_entry *audit, int page, const char **values,
    int *lengths, int *formats, PGresult **r)
{
	struct audit_entry a;
	char detail[32];
	enum db_err e;
	int i, n, standby;

	if (!db_standby_ready())
		return exec_audited(
		    plain, with, audit, values, lengths, formats, r);
	e = db_exec_read(plain, values, lengths, formats, r, &standby);
	if (e != DB_OK || audit == NULL || (n = PQntuples(*r)) == 0)
		return e;
	if (page > 0 && n > page)
		n = page;
	a = *audit;
	for (i = 0; i < (page > 0 ? 1 : n) && e == DB_OK; i++) {
		a.subject =
		    page == 0 || n == 1 ? PQgetvalue(*r, i, COL_ID) : NULL;
		if (page > 0) {
			snprintf(detail, sizeof(detail), "%d %s", n,
			    n == 1 ? "row" : "rows");
			a.detail = detail;
		}
		e = audit_record(&a);
	}
	if (e != DB_OK) {
		PQclear(*r);
		*r = NULL;
		return e == DB_UNAVAILABLE ? e : DB_AUDIT;
	}
	return DB_OK;
}

/* Run a query returning at most one user row: a read (exec_read_audited)
 * or a change (exec_audited). */
static enum db_err
find_one(const struct cfg *cfg, const struct db_stmt *plain,
    const struct db_stmt *with, const struct audit_entry *audit, int read,
    const char **values, int *lengths, int *formats, struct user *out)
{
	PGresult *r = NULL;
	enum db_err e;

	memset(out, 0, sizeof(*out));
	e = read
	    ? exec_read_audited(
	          plain, with, audit, 0, values, lengths, formats, &r)
	    : exec_audited(plain, with, audit, values, lengths, formats, &r);
	if (e != DB_OK)
		return e;
	if (PQntuples(r) == 0)
		e = DB_NOTFOUND;
	else if (PQnfields(r) != COL__MAX || fill_user(cfg, r, 0, out) == -1)
		e = DB_ERROR;
	PQclear(r);
	return e;
}

enum db_err
users_find_by_username(const struct cfg *cfg, const char *username,
    const struct audit_entry *audit, struct user *out)
{
	const char *v[2];

	if (username == NULL) {
		memset(out, 0, sizeof(*out));
		return DB_NOTFOUND;
	}
	v[0] = username;
	return find_one(
	    cfg, &st_by_name, &st_by_name_audit, audit, 1, v, NULL, NULL, out);
}

enum db_err
users_find_by_id(const struct cfg *cfg, const char *id, struct user *out)
{
	uint8_t uuid[16];
	const char *v[1];

	if (id == NULL || !ef_uuid_parse(id, uuid)) {
		memset(out, 0, sizeof(*out));
		return DB_NOTFOUND;
	}
	v[0] = id;
	return find_one(cfg, &st_by_id, NULL, NULL, 1, v, NULL, NULL, out);
}

/* Normalise as the blind index does: trimmed, ASCII lowercase. */
static int
same_email(const char *a, const char *b)
{
	const char *ae, *be;
	char ca, cb;

	while (*a == ' ' || (*a >= '\t' && *a <= '\r'))
		a++;
	while (*b == ' ' || (*b >= '\t' && *b <= '\r'))
		b++;
	ae = a + strlen(a);
	be = b + strlen(b);
	while (ae > a && (ae[-1] == ' ' || (ae[-1] >= '\t' && ae[-1] <= '\r')))
		ae--;
	while (be > b && (be[-1] == ' ' || (be[-1] >= '\t' && be[-1] <= '\r')))
		be--;
	if (ae - a != be - b)
		return 0;
	for (; a < ae; a++, b++) {
		ca = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		cb = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
		if (ca != cb)
			return 0;
	}
	return 1;
}

/*
 * Look for email among the rows without a blind index (legacy rows that
 * `encdb migrate` could not index, or written since), decrypting every one
 * of them, USERS_LEGACY_BATCH rows at a time. A row whose uuid is skip
 * (may be NULL) is ignored. DB_OK with *out filled if found (when out is
 * not NULL), else DB_NOTFOUND.
 */
static enum db_err
find_legacy_email(const struct cfg *cfg, const char *email, const uint8_t *skip,
    struct user *out)
{
	PGresult *r = NULL;
	struct user u;
	const char *v[2];
	char lim[16], *after = NULL;
	enum db_err e;
	int i, n;

	if (cfg->legacy == NULL)
		return DB_NOTFOUND;
	snprintf(lim, sizeof(lim), "%d", USERS_LEGACY_BATCH);
	v[1] = lim;
	do {
		v[0] = after;
		e = db_exec(&st_legacy, v, NULL, NULL, &r);
		free(after);
		after = NULL;
		if (e != DB_OK)
			break;
		e = DB_NOTFOUND;
		n = PQntuples(r);
		for (i = 0; i < n; i++) {
			if (fill_user(cfg, r, i, &u) == -1) {
				e = DB_ERROR;
				break;
			}
			if (u.email != NULL && same_email(u.email, email) &&
			    (skip == NULL || memcmp(skip, u.uuid, 16) != 0)) {
				if (out != NULL)
					*out = u;
				else
					users_clear(&u);
				e = DB_OK;
				break;
			}
			users_clear(&u);
		}
		/* A full batch: the next one starts after its last name. */
		if (e == DB_NOTFOUND && n == USERS_LEGACY_BATCH &&
		    (after = strdup(PQgetvalue(r, n - 1, COL_USERNAME))) ==
		        NULL) {
			LOG_ERR("out of memory");
			e = DB_ERROR;
		}
		PQclear(r);
		r = NULL;
	} while (after != NULL);
	return e;
}

enum db_err
users_find_by_email(const struct cfg *cfg, const char *email,
    const struct audit_entry *audit, struct user *out)
{
	uint8_t bidx[EF_BIDX_LEN];
	const char *v[2];
	int len[2] = {EF_BIDX_LEN, 0}, fmt[2] = {1, 0};
	struct audit_entry found;
	enum db_err e;

	memset(out, 0, sizeof(*out));
	if (email == NULL || cfg->index_key == NULL)
		return email == NULL ? DB_NOTFOUND : DB_ERROR;
	if (ef_blind_index(cfg->index_key, email, strlen(email), bidx) !=
	    EF_OK) {
		LOG_ERR("cannot compute the blind index");
		return DB_ERROR;
	}
	v[0] = (const char *)bidx;
	e = find_one(
	    cfg, &st_by_bidx, &st_by_bidx_audit, audit, 1, v, len, fmt, out);
	if (e != DB_NOTFOUND)
		return e;
	/* A legacy row is found by decrypting: its entry comes after. */
	if ((e = find_legacy_email(cfg, email, NULL, out)) != DB_OK ||
	    audit == NULL)
		return e;
	found = *audit;
	found.subject = out->id;
	if ((e = audit_record(&found)) != DB_OK)
		users_clear(out);
	return e;
}

/* The base64url alphabet (RFC 4648 section 5) of paging cursors. */
static const char cursor_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
users_cursor_encode(const char *username)
{
	const uint8_t *in = (const uint8_t *)username;
	size_t n = strlen(username), i, o = 0;
	uint32_t w;
	char *c;

	if (n == 0 || n > USERS_CURSOR_NAME_MAX)
		return NULL;
	if ((c = malloc(n / 3 * 4 + 4)) == NULL)
		return NULL;
	/* Each 3 bytes give 4 characters; 1 or 2 left give 2 or 3. */
	for (i = 0; i < n; i += 3) {
		w = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			w |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			w |= in[i + 2];
		c[o++] = cursor_b64[w >> 18 & 63];
		c[o++] = cursor_b64[w >> 12 & 63];
		if (i + 1 < n)
			c[o++] = cursor_b64[w >> 6 & 63];
		if (i + 2 < n)
			c[o++] = cursor_b64[w & 63];
	}
	c[o] = '\0';
	return c;
}

int
users_cursor_decode(
    const char *cursor, char username[USERS_CURSOR_NAME_MAX + 1])
{
	const char *p;
	size_t clen, i, o = 0;
	uint32_t w = 0;
	int bits = 0;

	clen = strnlen(cursor, USERS_CURSOR_MAX + 1);
	if (clen == 0 || clen > USERS_CURSOR_MAX || clen % 4 == 1)
		return -1;
	for (i = 0; i < clen; i++) {
		if ((p = memchr(cursor_b64, cursor[i], 64)) == NULL)
			return -1;
		w = w << 6 | (uint32_t)(p - cursor_b64);
		if ((bits += 6) >= 8) {
			bits -= 8;
			username[o++] = (char)(w >> bits & 0xff);
		}
	}
	/* Canonical: the bits left over from the last character are 0. */
	if ((w & ((1u << bits) - 1)) != 0)
		return -1;
	username[o] = '\0';
	/* A name PostgreSQL can hold as text: UTF-8, no NUL. */
	if (strlen(username) != o || !valid_utf8(username, o))
		return -1;
	return 0;
}

enum db_err
users_list(const struct cfg *cfg, const char *prefix, const char *after,
    size_t limit, const struct audit_entry *audit, struct user_list *out)
{
	PGresult *r = NULL;
	const char *v[4];
	char lim[16], name[USERS_CURSOR_NAME_MAX + 1];
	enum db_err e;
	int i, n;

	memset(out, 0, sizeof(*out));
	if (limit == 0 || limit > PAGE_MAX) {
		LOG_ERR("invalid limit");
		return DB_ERROR;
	}
	if (after != NULL && users_cursor_decode(after, name) == -1) {
		LOG_ERR("invalid cursor");
		return DB_ERROR;
	}
	snprintf(lim, sizeof(lim), "%zu", limit);
	v[0] = after != NULL ? name : NULL;
	v[1] = lim;
	v[2] = prefix;
	/* One row more than asked tells whether a next page exists. */
	if (has_prefix(prefix))
		e = exec_read_audited(&st_list_prefix, &st_list_prefix_audit,
		    audit, (int)limit, v, NULL, NULL, &r);
	else
		e = exec_read_audited(&st_list, &st_list_audit, audit,
		    (int)limit, v, NULL, NULL, &r);
	if (e != DB_OK)
		return e;
	n = PQntuples(r);
	if ((size_t)n > limit)
		n = (int)limit;
	if (n > 0 && (out->v = calloc((size_t)n, sizeof(*out->v))) == NULL) {
		LOG_ERR("out of memory");
		e = DB_ERROR;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (fill_user(cfg, r, i, &out->v[i]) == -1) {
			e = DB_ERROR;
			goto out;
		}
		out->n++;
	}
	if ((size_t)PQntuples(r) > limit &&
	    (out->next = users_cursor_encode(out->v[n - 1].username)) == NULL) {
		LOG_ERR("out of memory, or a username too long for a cursor");
		e = DB_ERROR;
	}
out:
	/* One cleanup path: a failure returns no partial list. */
	PQclear(r);
	if (e != DB_OK)
		users_list_free(out);
	return e;
}

/*
 * After a change or delete of username matched no row: DB_NOTFOUND if
 * there is no such user, DB_CONFLICT if there is (the last admin guard
 * kept it), or the error of the lookup.
 */
static enum db_err
kept_as_last_admin(const char *username)
{
	PGresult *r = NULL;
	const char *v[1];
	enum db_err e;

	v[0] = username;
	if ((e = db_exec(&st_exists, v, NULL, NULL, &r)) != DB_OK)
		return e;
	e = PQntuples(r) > 0 ? DB_CONFLICT : DB_NOTFOUND;
	PQclear(r);
	return e;
}

/* DB_CONFLICT if a shared row (st_name_shared) has username in another
 * case, DB_NOTFOUND if none, or the error of the lookup. */
static enum db_err
name_shared(const char *username)
{
	PGresult *r = NULL;
	const char *v[1];
	enum db_err e;

	v[0] = username;
	if ((e = db_exec(&st_name_shared, v, NULL, NULL, &r)) != DB_OK)
		return e;
	e = PQntuples(r) > 0 ? DB_CONFLICT : DB_NOTFOUND;
	PQclear(r);
	return e;
}

/* Map the constraint of a DB_CONFLICT to a field. */
static enum users_conflict
conflict_of(void)
{
	const char *c = db_conflict_constraint();

	if (strcmp(c, "users_email_bidx_key") == 0 ||
	    strcmp(c, "users_email_bidx_next_key") == 0)
		return USERS_CONFLICT_EMAIL;
	if (strcmp(c, "users_username_key") == 0 ||
	    strcmp(c, "users_username_ci_key") == 0)
		return USERS_CONFLICT_USERNAME;
	/* The primary key (a repeated random UUID) or unknown. */
	return USERS_CONFLICT_NONE;
}

/*
 * Encrypt email for row uuid and compute its blind index: sealed under the
 * row's data key wrapped (an envelope value), or, for a row without one
 * (wrapped NULL: made before data keys, until `encdb upgrade`), as v1.
 */
static enum db_err
seal_email(const struct cfg *cfg, const uint8_t uuid[16],
    const uint8_t *wrapped, size_t wrappedlen, const char *email, uint8_t **ct,
    size_t *ctlen, uint8_t bidx[EF_BIDX_LEN])
{
	uint8_t dk[EF_KEY_LEN];
	enum ef_err e;

	*ct = NULL;
	if (cfg->keys == NULL || cfg->index_key == NULL) {
		LOG_ERR("FIELD_KEYS or INDEX_KEY not set");
		return DB_ERROR;
	}
	if (wrapped == NULL)
		e = ef_encrypt(cfg->keys, USERS_EMAIL_COLUMN, uuid, email,
		    strlen(email), ct, ctlen);
	else if ((e = unwrap_dk(cfg, uuid, wrapped, wrappedlen, dk)) == EF_OK) {
		e = ef_envelope_seal(dk, USERS_EMAIL_COLUMN, uuid, email,
		    strlen(email), ct, ctlen);
		ef_wipe(dk, sizeof(dk));
	}
	if (e != EF_OK ||
	    (e = ef_blind_index(cfg->index_key, email, strlen(email), bidx)) !=
	        EF_OK) {
		free(*ct);
		*ct = NULL;
		LOG_ERR("cannot encrypt: %s", ef_strerror(e));
		return DB_ERROR;
	}
	return DB_OK;
}

/* 1 if s is a non-empty string of at most max bytes. */
static int
ok_str(const char *s, size_t max)
{
	return s != NULL && *s != '\0' && strlen(s) <= max;
}

enum db_err
users_create(const struct cfg *cfg, const struct user_new *u,
    const struct audit_entry *audit, struct user *out,
    enum users_conflict *conflict)
{
	uint8_t uuid[16], bidx[EF_BIDX_LEN], *ct = NULL, *wrapped = NULL;
	uint8_t dk[EF_KEY_LEN];
	char id[37], hash[EF_PW_HASH_MAX];
	const char *v[8];
	int len[8] = {0}, fmt[8] = {0};
	size_t ctlen = 0, wrappedlen = 0;
	struct user tmp;
	enum db_err e;
	enum ef_err ee;

	if (conflict != NULL)
		*conflict = USERS_CONFLICT_NONE;
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	hash[0] = '\0';
	if (u == NULL || !ok_str(u->username, USERS_NAME_MAX) ||
	    !ok_str(u->email, USERS_EMAIL_MAX) || u->password == NULL ||
	    !ok_str(u->user_type, USERS_TYPE_MAX)) {
		LOG_ERR("invalid argument");
		return DB_ERROR;
	}
	ef_uuid_v4(uuid);
	ef_uuid_format(uuid, id);
	/* A new user gets a data key of its own. */
	ef_dk_generate(dk);
	ee = cfg->keys == NULL ? EF_ERR_KEY_NONE
	                       : ef_dk_wrap(cfg->keys, USERS_TABLE, uuid, dk,
	                             &wrapped, &wrappedlen);
	ef_wipe(dk, sizeof(dk));
	if (ee != EF_OK) {
		LOG_ERR("cannot wrap a data key: %s", ef_strerror(ee));
		e = DB_ERROR;
		goto out;
	}
	if ((e = seal_email(cfg, uuid, wrapped, wrappedlen, u->email, &ct,
	         &ctlen, bidx)) != DB_OK)
		goto out;
	if ((ee = ef_pw_hash(u->password, strlen(u->password), hash)) !=
	    EF_OK) {
		LOG_ERR("cannot hash the password: %s", ef_strerror(ee));
		e = DB_ERROR;
		goto out;
	}
	/* The unique indexes cannot see these rows: check them by hand. */
	e = find_legacy_email(cfg, u->email, NULL, NULL);
	if (e == DB_OK) {
		e = DB_CONFLICT;
		if (conflict != NULL)
			*conflict = USERS_CONFLICT_EMAIL;
		goto out;
	}
	if (e != DB_NOTFOUND || (e = name_shared(u->username)) != DB_NOTFOUND) {
		if (e == DB_CONFLICT && conflict != NULL)
			*conflict = USERS_CONFLICT_USERNAME;
		goto out;
	}
	v[0] = id;
	v[1] = u->username;
	v[2] = hash;
	v[3] = u->user_type;
	v[4] = (const char *)ct;
	len[4] = (int)ctlen;
	fmt[4] = 1;
	v[5] = (const char *)bidx;
	len[5] = EF_BIDX_LEN;
	fmt[5] = 1;
	v[6] = (const char *)wrapped;
	len[6] = (int)wrappedlen;
	fmt[6] = 1;
	e = find_one(cfg, &st_insert, &st_insert_audit, audit, 0, v, len, fmt,
	    out != NULL ? out : &tmp);
	if (e == DB_OK && out == NULL)
		users_clear(&tmp);
	if (e == DB_NOTFOUND)
		e = DB_ERROR; /* INSERT ... RETURNING returned nothing */
	if (e == DB_CONFLICT && conflict != NULL)
		*conflict = conflict_of();
out:
	/* One cleanup path. */
	free(ct);
	free(wrapped);
	ef_wipe(hash, sizeof(hash));
	return e;
}

enum db_err
users_update(const struct cfg *cfg, const char *username,
    const struct user_change *chg, const struct audit_entry *audit,
    struct user *out, enum users_conflict *conflict)
{
	uint8_t bidx[EF_BIDX_LEN], *ct = NULL;
	char hash[EF_PW_HASH_MAX];
	struct user cur, tmp;
	const char *v[6];
	int len[6] = {0}, fmt[6] = {0};
	size_t ctlen = 0;
	enum db_err e;
	enum ef_err ee;

	memset(&cur, 0, sizeof(cur));
	hash[0] = '\0';
	if (conflict != NULL)
		*conflict = USERS_CONFLICT_NONE;
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (chg == NULL ||
	    (chg->email != NULL && !ok_str(chg->email, USERS_EMAIL_MAX)) ||
	    (chg->user_type != NULL &&
	        !ok_str(chg->user_type, USERS_TYPE_MAX))) {
		LOG_ERR("invalid argument");
		return DB_ERROR;
	}
	if ((e = users_find_by_username(cfg, username, NULL, &cur)) != DB_OK)
		return e;
	v[0] = cur.id;
	v[1] = v[2] = v[3] = v[4] = NULL;
	if (chg->email != NULL) {
		if ((e = seal_email(cfg, cur.uuid, cur.wrapped, cur.wrappedlen,
		         chg->email, &ct, &ctlen, bidx)) != DB_OK)
			goto out;
		e = find_legacy_email(cfg, chg->email, cur.uuid, NULL);
		if (e == DB_OK) {
			e = DB_CONFLICT;
			if (conflict != NULL)
				*conflict = USERS_CONFLICT_EMAIL;
			goto out;
		}
		if (e != DB_NOTFOUND)
			goto out;
		v[1] = (const char *)ct;
		len[1] = (int)ctlen;
		fmt[1] = 1;
		v[2] = (const char *)bidx;
		len[2] = EF_BIDX_LEN;
		fmt[2] = 1;
	}
	v[3] = chg->user_type;
	if (chg->password != NULL) {
		if ((ee = ef_pw_hash(chg->password, strlen(chg->password),
		         hash)) != EF_OK) {
			LOG_ERR(
			    "cannot hash the password: %s", ef_strerror(ee));
			e = DB_ERROR;
			goto out;
		}
		v[4] = hash;
	}
	e = find_one(cfg, &st_update, &st_update_audit, audit, 0, v, len, fmt,
	    out != NULL ? out : &tmp);
	if (e == DB_OK && out == NULL)
		users_clear(&tmp);
	if (e == DB_NOTFOUND &&
	    (e = kept_as_last_admin(username)) == DB_CONFLICT &&
	    conflict != NULL)
		*conflict = USERS_CONFLICT_LAST_ADMIN;
	else if (e == DB_CONFLICT && conflict != NULL)
		*conflict = conflict_of();
out:
	/* One cleanup path. */
	users_clear(&cur);
	free(ct);
	ef_wipe(hash, sizeof(hash));
	return e;
}

enum db_err
users_set_password_hash(
    const struct cfg *cfg, const char *id, const char *old, const char *hash)
{
	PGresult *r = NULL;
	uint8_t uuid[16];
	const char *v[3];
	enum db_err e;

	(void)cfg;
	if (id == NULL || !ef_uuid_parse(id, uuid))
		return DB_NOTFOUND;
	if (old == NULL || hash == NULL || *hash == '\0' ||
	    strlen(hash) >= EF_PW_HASH_MAX) {
		LOG_ERR("invalid argument");
		return DB_ERROR;
	}
	v[0] = id;
	v[1] = hash;
	v[2] = old;
	if ((e = db_exec(&st_set_pw, v, NULL, NULL, &r)) != DB_OK)
		return e;
	if (strcmp(PQcmdTuples(r), "0") == 0)
		e = DB_NOTFOUND;
	PQclear(r);
	return e;
}

enum db_err
users_delete(const struct cfg *cfg, const char *username,
    const struct audit_entry *audit)
{
	PGresult *r = NULL;
	const char *v[2];
	enum db_err e;

	(void)cfg;
	if (username == NULL)
		return DB_NOTFOUND;
	v[0] = username;
	if ((e = exec_audited(&st_delete, &st_delete_audit, audit, v, NULL,
	         NULL, &r)) != DB_OK)
		return e;
	if (PQntuples(r) == 0)
		e = kept_as_last_admin(username);
	PQclear(r);
	return e;
}

enum db_err
users_list_prev(const char *prefix, const char *first, size_t limit,
    int *has_prev, char **after)
{
	PGresult *r = NULL;
	const char *v[3];
	char lim[16];
	enum db_err e;
	int n;

	*has_prev = 0;
	*after = NULL;
	if (first == NULL || limit == 0 || limit > PAGE_MAX)
		return DB_ERROR;
	snprintf(lim, sizeof(lim), "%zu", limit);
	v[0] = first;
	v[1] = lim;
	v[2] = prefix;
	/* limit + 1 rows: the last one, if there, is the cursor before. */
	if ((e = db_exec(has_prefix(prefix) ? &st_before_prefix : &st_before, v,
	         NULL, NULL, &r)) != DB_OK)
		return e;
	n = PQntuples(r);
	*has_prev = n > 0;
	if ((size_t)n > limit &&
	    (*after = users_cursor_encode(PQgetvalue(r, (int)limit, 0))) ==
	        NULL) {
		LOG_ERR("out of memory, or a username too long for a cursor");
		*has_prev = 0;
		e = DB_ERROR;
	}
	PQclear(r);
	return e;
}

enum ef_err
users_check_password(const struct cfg *cfg, const struct user *u,
    const char *pw, int *match, int *rehash)
{
	enum ef_err e;

	*match = 0;
	if (rehash != NULL)
		*rehash = 0;
	if (u == NULL || u->password_hash == NULL || pw == NULL)
		return EF_ERR_ARG;
	e = ef_pw_verify(pw, strlen(pw), u->password_hash, cfg->legacy_salt,
	    cfg->legacy_saltlen, match);
	if (e == EF_OK && *match && rehash != NULL)
		*rehash = ef_pw_needs_rehash(u->password_hash);
	return e;
}
