/*
 * audit.c -- recording the access audit trail: who saw or changed whose
 * record, or signed in, when, through which route or command and from
 * where (sql/100_audit_log.sql, sql/104_audit_append.sql).
 *
 * An entry is one independent row: no head, no chain link, nothing any
 * other writer waits for. A read or change of a user writes its entry in
 * the same statement (AUDIT_WITH, extern.h), other events with
 * audit_record. The chain and the signed checkpoints that make the trail
 * tamper-evident are built afterwards by `encdb audit seal` (auditseal.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

static const char *const audit_actions[AUDIT__MAX] = {
    "read",            /* AUDIT_READ */
    "list",            /* AUDIT_LIST */
    "lookup",          /* AUDIT_LOOKUP */
    "create",          /* AUDIT_CREATE */
    "update",          /* AUDIT_UPDATE */
    "delete",          /* AUDIT_DELETE */
    "password",        /* AUDIT_PASSWORD */
    "login",           /* AUDIT_LOGIN */
    "login-failed",    /* AUDIT_LOGIN_FAILED */
    "login-throttled", /* AUDIT_LOGIN_THROTTLED */
    "token-create",    /* AUDIT_TOKEN_CREATE */
    "token-revoke",    /* AUDIT_TOKEN_REVOKE */
    "unlock",          /* AUDIT_UNLOCK */
    "decrypt-all",     /* AUDIT_DECRYPT_ALL */
};

static const struct db_stmt audit_insert = {
    "audit_record",
    AUDIT_INSERT "VALUES ($1, $2, $3, $4, $5, $6)",
    6,
};

/* The same, with the id of the user named $2 (if any) as subject. */
static const struct db_stmt audit_insert_user = {
    "audit_record_user",
    AUDIT_INSERT "SELECT $1, (SELECT id::text FROM public.users"
                 " WHERE username = $2), $3, $4, $5, $6",
    6,
};

const char *
audit_action_name(enum audit_action a)
{
	if ((unsigned)a >= AUDIT__MAX)
		return "unknown";
	return audit_actions[a];
}

enum audit_action
audit_action_parse(const char *s)
{
	int i;

	for (i = 0; i < AUDIT__MAX; i++)
		if (strcmp(s, audit_actions[i]) == 0)
			return (enum audit_action)i;
	return AUDIT__MAX;
}

static int
entry_ok(const struct audit_entry *e)
{
	return e != NULL && e->actor != NULL && e->route != NULL &&
	    (unsigned)e->action < AUDIT__MAX;
}

/*
 * Append s to the array literal at out[*n] as one element: NULL, or a
 * double-quoted string with '"' and '\' escaped (PostgreSQL's array
 * input syntax). 0, or -1 if it does not fit.
 */
static int
param_elem(char *out, size_t *n, const char *s)
{
	size_t i = *n;

	if (s == NULL) {
		if (i + 4 >= AUDIT_PARAM_MAX)
			return -1;
		memcpy(out + i, "NULL", 4);
		*n = i + 4;
		return 0;
	}
	out[i++] = '"';
	for (; *s != '\0'; s++) {
		if (i + 3 >= AUDIT_PARAM_MAX)
			return -1;
		if (*s == '"' || *s == '\\')
			out[i++] = '\\';
		out[i++] = *s;
	}
	out[i++] = '"';
	*n = i;
	return 0;
}

int
audit_param(const struct audit_entry *e, char out[AUDIT_PARAM_MAX])
{
	const char *f[5];
	size_t n = 0;
	int i;

	if (!entry_ok(e))
		return -1;
	f[0] = e->actor;
	f[1] = e->route;
	f[2] = audit_actions[e->action];
	f[3] = e->client_addr;
	f[4] = e->detail;
	out[n++] = '{';
	for (i = 0; i < 5; i++) {
		if (i > 0)
			out[n++] = ',';
		if (param_elem(out, &n, f[i]) == -1)
			return -1;
	}
	if (n + 2 > AUDIT_PARAM_MAX)
		return -1;
	out[n++] = '}';
	out[n] = '\0';
	return 0;
}

/* Insert e through st, $2 being subject (the subject or a username). */
static enum db_err
record(
    const struct db_stmt *st, const struct audit_entry *e, const char *subject)
{
	const char *values[6];
	PGresult *res = NULL;
	enum db_err rc;

	if (!entry_ok(e)) {
		LOG_ERR("invalid audit entry");
		return DB_AUDIT;
	}
	values[0] = e->actor;
	values[1] = subject;
	values[2] = e->route;
	values[3] = audit_actions[e->action];
	values[4] = e->client_addr;
	values[5] = e->detail;
	rc = db_exec(st, values, NULL, NULL, &res);
	PQclear(res);
	if (rc == DB_OK || rc == DB_UNAVAILABLE)
		return rc;
	LOG_ERR("audit entry not recorded: %s", db_strerror(rc));
	return DB_AUDIT;
}

enum db_err
audit_record(const struct audit_entry *e)
{
	return record(&audit_insert, e, e != NULL ? e->subject : NULL);
}

enum db_err
audit_record_user(const struct audit_entry *e, const char *username)
{
	return record(&audit_insert_user, e, username);
}

/* A user's entries, newest first: about them, or made by them. */
static const struct db_stmt audit_of_user = {
    "audit_of_user",
    "SELECT seq::text, to_char(at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(actor_name, actor),"
    " route, action, client_addr, detail FROM public.audit_named AS n"
    " WHERE subject = $1 OR actor LIKE 'user:' || $1 || ' %'"
    " ORDER BY n.seq DESC LIMIT $2::integer",
    2,
};

void
audit_list_free(struct audit_list *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < AUDIT_ITEM__MAX; j++)
			free(l->v[i].f[j]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

enum db_err
audit_list_user(const char *user_id, size_t limit, struct audit_list *out)
{
	const char *values[2];
	char lim[16];
	PGresult *r = NULL;
	enum db_err rc;
	int i, j, n;

	memset(out, 0, sizeof(*out));
	if (user_id == NULL || limit == 0 || limit > AUDIT_LIST_MAX)
		return DB_ERROR;
	snprintf(lim, sizeof(lim), "%zu", limit);
	values[0] = user_id;
	values[1] = lim;
	if ((rc = db_exec(&audit_of_user, values, NULL, NULL, &r)) != DB_OK)
		return rc;
	n = PQntuples(r);
	if (PQnfields(r) != AUDIT_ITEM__MAX ||
	    (n > 0 && (out->v = calloc((size_t)n, sizeof(*out->v))) == NULL)) {
		rc = DB_ERROR;
		goto out;
	}
	for (i = 0; i < n; i++, out->n++)
		for (j = 0; j < AUDIT_ITEM__MAX; j++)
			if (!PQgetisnull(r, i, j) &&
			    (out->v[i].f[j] = strdup(PQgetvalue(r, i, j))) ==
			        NULL) {
				out->n++;
				rc = DB_ERROR;
				goto out;
			}
out: /* the one cleanup; a failure returns no partial list */
	PQclear(r);
	if (rc != DB_OK) {
		LOG_ERR("cannot read the audit trail");
		audit_list_free(out);
	}
	return rc;
}
