/*
 * auth.c -- who is asking: browser sessions, CSRF tokens, API bearer tokens
 * and login throttling.
 *
 * Tokens (session cookies, CSRF tokens, API tokens) are 32 bytes from
 * ef_random() written as 43 unpadded base64url characters (RFC 4648 §5).
 * The database only ever holds SHA-256 of a session cookie or API token
 * (sessions.id_hash, api_tokens.token_hash), so a copy of the database
 * yields no usable credential. Session expiry is enforced by the queries:
 * idle (last_seen) and absolute (created_at). Failed logins are counted in
 * login_attempts per bucket ("user:<name>", "addr:<ip>") in a fixed window.
 * All statements are this module's own (struct db_stmt, $n parameters).
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

static const char *const auth_errs[AUTH_ERR__MAX] = {
    "success",                        /* AUTH_OK */
    "no credentials",                 /* AUTH_ERR_NONE */
    "invalid or expired credentials", /* AUTH_ERR_INVALID */
    "invalid username or password",   /* AUTH_ERR_BADLOGIN */
    "too many failed logins",         /* AUTH_ERR_THROTTLED */
    "database unavailable",           /* AUTH_ERR_UNAVAILABLE */
    "internal error",                 /* AUTH_ERR_INTERNAL */
};

/*
 * An Argon2id hash (the current parameters) of a password nobody knows:
 * unknown users are verified against it so that they cost the same time
 * as a wrong password.
 */
static const char dummy_hash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$ZmNnaWVuY2RiZHVtbXkxNg$"
    "sVMdJ0iUz6kVa7QAHPGlQZnXNhb+qzILSfJtN1nB3SU";

/* The same, in the boilerplate's legacy format (PBKDF2-HMAC-SHA512). */
static const char dummy_legacy_hash[] =
    "00000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000";

/*
 * A request that proves a session or a token only reads, unless the
 * last_seen (last_used_at) it would refresh is older than the touch
 * interval ($4 for sessions, AUTH_TOKEN_TOUCH for tokens): then the same
 * statement also moves it to now(). Most requests thus write nothing
 * (no WAL, no dead tuple); the price is that a session may be judged idle
 * up to one touch interval early (auth_identify picks the interval).
 */
#define AUTH_TOKEN_TOUCH "60"

static const struct db_stmt st_session_get = {
    "auth_session_get",
    "WITH s AS (SELECT u.id::text AS id, u.username, u.user_type, "
    "s.csrf_token, s.last_seen FROM public.sessions AS s "
    "JOIN public.users AS u ON u.id = s.user_id "
    "WHERE s.id_hash = $1 "
    "AND s.last_seen > now() - make_interval(secs => $2::float8) "
    "AND s.created_at > now() - make_interval(secs => $3::float8)), "
    "touch AS (UPDATE public.sessions SET last_seen = now() "
    "WHERE id_hash = $1 AND EXISTS (SELECT 1 FROM s "
    "WHERE s.last_seen <= now() - make_interval(secs => $4::float8))) "
    "SELECT id, username, user_type, csrf_token FROM s",
    4};

static const struct db_stmt st_session_del = {
    "auth_session_del", "DELETE FROM public.sessions WHERE id_hash = $1", 1};

static const struct db_stmt st_session_new = {
    "auth_session_new",
    "INSERT INTO public.sessions (id_hash, user_id, csrf_token, "
    "client_addr) VALUES ($1, $2::uuid, $3, $4)",
    4};

static const struct db_stmt st_session_purge = {
    "auth_session_purge",
    "DELETE FROM public.sessions "
    "WHERE last_seen <= now() - make_interval(secs => $1::float8) "
    "OR created_at <= now() - make_interval(secs => $2::float8)",
    2};

static const struct db_stmt st_session_del_user = {
    "auth_session_del_user",
    "DELETE FROM public.sessions WHERE user_id = $1::uuid "
    "AND ($2::bytea IS NULL OR id_hash <> $2::bytea)",
    2};

static const struct db_stmt st_token_get = {
    "auth_token_get",
    "WITH t AS (SELECT u.id::text AS id, u.username, u.user_type, "
    "t.last_used_at, t.id AS token_id FROM public.api_tokens AS t "
    "JOIN public.users AS u ON u.id = t.user_id "
    "WHERE t.token_hash = $1 AND t.revoked_at IS NULL), "
    "touch AS (UPDATE public.api_tokens SET last_used_at = now() "
    "WHERE token_hash = $1 AND EXISTS (SELECT 1 FROM t "
    "WHERE t.last_used_at IS NULL OR t.last_used_at <= now() - "
    "interval '" AUTH_TOKEN_TOUCH " seconds')) "
    "SELECT id, username, user_type, token_id::text FROM t",
    1};

static const struct db_stmt st_token_new = {
    "auth_token_new",
    "INSERT INTO public.api_tokens (token_hash, user_id, name) "
    "SELECT $1, u.id, $3 FROM public.users AS u WHERE u.username = $2",
    3};

static const struct db_stmt st_token_revoke = {
    "auth_token_revoke",
    "UPDATE public.api_tokens SET revoked_at = now() "
    "WHERE token_hash = $1 AND revoked_at IS NULL",
    1};

/* Seconds until the login may be retried, 0 if it may go ahead now. */
static const struct db_stmt st_throttle_get = {
    "auth_throttle_get",
    "SELECT coalesce(max(ceil(extract(epoch FROM window_start "
    "+ make_interval(secs => $5::float8) - now()))), 0)::int "
    "FROM public.login_attempts "
    "WHERE window_start > now() - make_interval(secs => $5::float8) "
    "AND ((bucket = $1 AND failures >= $3::int) "
    "OR (bucket = $2 AND failures >= $4::int))",
    5};

static const struct db_stmt st_throttle_fail = {
    "auth_throttle_fail",
    "INSERT INTO public.login_attempts AS a (bucket, failures, "
    "window_start) VALUES ($1, 1, now()) ON CONFLICT (bucket) DO UPDATE "
    "SET failures = CASE WHEN a.window_start <= now() - "
    "make_interval(secs => $2::float8) THEN 1 ELSE a.failures + 1 END, "
    "window_start = CASE WHEN a.window_start <= now() - "
    "make_interval(secs => $2::float8) THEN now() ELSE a.window_start END",
    2};

static const struct db_stmt st_throttle_clear = {
    "auth_throttle_clear",
    "DELETE FROM public.login_attempts WHERE bucket = $1", 1};

const char *
auth_strerror(enum auth_err err)
{
	if ((unsigned)err >= AUTH_ERR__MAX)
		return "unknown error";
	return auth_errs[err];
}

/* Map a db error to ours. */
static enum auth_err
auth_from_db(enum db_err e)
{
	switch (e) {
	case DB_OK:
		return AUTH_OK;
	case DB_UNAVAILABLE:
		return AUTH_ERR_UNAVAILABLE;
	case DB_NOTFOUND:
		return AUTH_ERR_INVALID;
	default:
		return AUTH_ERR_INTERNAL;
	}
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
auth_new_token(char out[AUTH_TOKEN_LEN + 1])
{
	uint8_t raw[33];
	size_t i, o = 0;
	uint32_t v;

	ef_random(raw, 32);
	raw[32] = 0;
	/* 32 bytes = 10 groups of 3 plus 2: 40 + 3 characters. */
	for (i = 0; i < 33; i += 3) {
		v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 |
		    (i + 2 < 33 ? raw[i + 2] : 0);
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		if (o < AUTH_TOKEN_LEN)
			out[o++] = b64url[(v >> 6) & 63];
		if (o < AUTH_TOKEN_LEN)
			out[o++] = b64url[v & 63];
	}
	out[AUTH_TOKEN_LEN] = '\0';
	ef_wipe(raw, sizeof(raw));
}

int
auth_token_shaped(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= AUTH_TOKEN_LEN || strchr(b64url, s[i]) == NULL)
			return 0;
	return i == AUTH_TOKEN_LEN;
}

/* SHA-256 of a token's text. */
static void
auth_hash(const char *token, uint8_t out[32])
{
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, token, strlen(token));
}

/* Fill who from a result row: id, username, user_type[, csrf]. */
static int
auth_fill(struct auth_who *who, PGresult *res, enum auth_via via)
{
	const char *id = PQgetvalue(res, 0, 0);
	const char *name = PQgetvalue(res, 0, 1);
	const char *type = PQgetvalue(res, 0, 2);

	if (strlen(id) != 36 || strlen(name) > AUTH_NAME_MAX)
		return -1;
	memcpy(who->user_id, id, 37);
	snprintf(who->username, sizeof(who->username), "%s", name);
	who->admin = strcmp(type, "admin") == 0;
	who->via = via;
	if (via == AUTH_VIA_SESSION) {
		const char *csrf = PQgetvalue(res, 0, 3);
		if (!auth_token_shaped(csrf))
			return -1;
		memcpy(who->csrf, csrf, AUTH_TOKEN_LEN + 1);
	} else if (snprintf(who->token_id, sizeof(who->token_id), "%s",
	                    PQgetvalue(res, 0, 3)) >=
	           (int)sizeof(who->token_id))
		return -1;
	return 0;
}

enum auth_err
auth_identify(const char *cookie, const char *bearer, unsigned idle,
              unsigned max, struct auth_who *who)
{
	uint8_t hash[32];
	char sidle[16], smax[16], stouch[16];
	const char *vals[4];
	int lens[4] = {32, 0, 0, 0}, fmts[4] = {1, 0, 0, 0};
	PGresult *res = NULL;
	enum db_err de;
	enum auth_err rc = AUTH_ERR_INVALID;

	memset(who, 0, sizeof(*who));
	who->via = AUTH_VIA_NONE;
	if (bearer == NULL && cookie == NULL)
		return AUTH_ERR_NONE;

	/* A malformed value can match nothing: no query needed. */
	if (!auth_token_shaped(bearer != NULL ? bearer : cookie))
		return AUTH_ERR_INVALID;
	auth_hash(bearer != NULL ? bearer : cookie, hash);
	vals[0] = (const char *)hash;
	/* A token proven a moment ago, and nothing changed since: no query.
	 * Browser sessions are always checked, so that a logout holds at
	 * once in every process. */
	if (bearer != NULL && authcache_get(hash, AUTH_VIA_BEARER, who)) {
		rc = AUTH_OK;
		goto out;
	}

	if (bearer != NULL) {
		de = db_exec(&st_token_get, vals, lens, fmts, &res);
		if (de != DB_OK) {
			rc = auth_from_db(de);
			goto out;
		}
		if (PQntuples(res) != 1)
			goto out;
		if (auth_fill(who, res, AUTH_VIA_BEARER) == -1) {
			/* A row we cannot represent: not a usable login. */
			LOG_WARN("token of a user with an unusable name");
			goto out;
		}
		authcache_put(hash, who);
		rc = AUTH_OK;
		goto out;
	}

	snprintf(sidle, sizeof(sidle), "%u", idle);
	snprintf(smax, sizeof(smax), "%u", max);
	/* Refresh last_seen once per tenth of the idle time, at most once a
	 * minute: a session is then judged idle at most 10 % early. */
	snprintf(stouch, sizeof(stouch), "%u", idle / 10 < 60 ? idle / 10 : 60);
	vals[1] = sidle;
	vals[2] = smax;
	vals[3] = stouch;
	de = db_exec(&st_session_get, vals, lens, fmts, &res);
	if (de != DB_OK) {
		rc = auth_from_db(de);
		goto out;
	}
	if (PQntuples(res) != 1) {
		/* Unknown or expired: make sure an expired one is gone. */
		PQclear(res);
		res = NULL;
		de = db_exec(&st_session_del, vals, lens, fmts, NULL);
		if (de != DB_OK)
			rc = auth_from_db(de);
		goto out;
	}
	if (auth_fill(who, res, AUTH_VIA_SESSION) == -1) {
		LOG_WARN("session of a user with an unusable name");
		goto out;
	}
	memcpy(who->session_hash, hash, 32);
	rc = AUTH_OK;
out:
	/* The one cleanup point. */
	if (res != NULL)
		PQclear(res);
	if (rc != AUTH_OK) {
		ef_wipe(who, sizeof(*who));
		who->via = AUTH_VIA_NONE;
	}
	ef_wipe(hash, sizeof(hash));
	return rc;
}

int
auth_csrf_ok(const struct auth_who *who, const char *given)
{
	if (who->via != AUTH_VIA_SESSION)
		return 1;
	if (given == NULL || strlen(given) != AUTH_TOKEN_LEN)
		return 0;
	return ef_ct_equal(given, who->csrf, AUTH_TOKEN_LEN);
}

/* Count one failed login in bucket. */
static enum auth_err
auth_throttle_fail(const char *bucket)
{
	char win[16];
	const char *vals[2] = {bucket, win};

	snprintf(win, sizeof(win), "%d", AUTH_WINDOW);
	return auth_from_db(db_exec(&st_throttle_fail, vals, NULL, NULL, NULL));
}

/* Is the login throttled? *retry gets the seconds to wait (0: no). */
static enum auth_err
auth_throttle_check(const char *ubucket, const char *abucket, unsigned *retry)
{
	char uf[16], af[16], win[16];
	const char *vals[5] = {ubucket, abucket, uf, af, win};
	PGresult *res = NULL;
	enum db_err de;
	long v;

	snprintf(uf, sizeof(uf), "%d", AUTH_USER_FAILS);
	snprintf(af, sizeof(af), "%d", AUTH_ADDR_FAILS);
	snprintf(win, sizeof(win), "%d", AUTH_WINDOW);
	*retry = 0;
	if ((de = db_exec(&st_throttle_get, vals, NULL, NULL, &res)) != DB_OK)
		return auth_from_db(de);
	if (PQntuples(res) == 1) {
		v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		if (v > 0)
			*retry = v > AUTH_WINDOW ? AUTH_WINDOW : (unsigned)v;
	}
	PQclear(res);
	return AUTH_OK;
}

/*
 * The throttling bucket of a client address: "addr:<ip>" for IPv4 (and
 * anything unparsable, as given), "addr:<first 64 bits>::/64" for IPv6,
 * since one client usually holds a whole /64 and could rotate within it.
 */
static void
auth_addr_bucket(const char *addr, char *out, size_t outsz)
{
	uint8_t a6[16];
	char txt[INET6_ADDRSTRLEN];

	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, a6) == 1) {
		memset(a6 + 8, 0, 8);
		if (inet_ntop(AF_INET6, a6, txt, sizeof(txt)) != NULL) {
			snprintf(out, outsz, "addr:%s/64", txt);
			return;
		}
	}
	snprintf(out, outsz, "addr:%s", addr);
}

static int
is_argon2(const char *stored)
{
	return stored != NULL && strncmp(stored, "$argon2id$", 10) == 0;
}

/*
 * Make every failed login cost the same, whoever the account: one Argon2id
 * and, while legacy hashes may remain (SECRET_KEY is set), one PBKDF2 of
 * the boilerplate's. Without this a wrong password for an account still
 * on its legacy hash would answer in PBKDF2 time (about twice Argon2id's),
 * unlike an unknown name or an upgraded account, and tell which accounts
 * exist and have not logged in since the takeover. A successful login
 * pays nothing extra: its timing tells the caller nothing it does not know.
 */
static void
equal_failure(const struct cfg *cfg, const char *password, int did_argon2,
              int did_legacy)
{
	int m;

	if (!did_argon2)
		(void)ef_pw_verify(password, strlen(password), dummy_hash, NULL,
		                   0, &m);
	if (!did_legacy && cfg->legacy_salt != NULL)
		(void)ef_pw_verify(password, strlen(password),
		                   dummy_legacy_hash, cfg->legacy_salt,
		                   cfg->legacy_saltlen, &m);
}

enum auth_err
auth_login(const struct cfg *cfg, const char *username, const char *password,
           const char *addr, struct auth_who *who,
           char cookie[AUTH_TOKEN_LEN + 1], unsigned *retry_after)
{
	struct user u;
	char ubucket[8 + USERS_NAME_MAX + 1], abucket[8 + 64];
	char sidle[16], smax[16], hash[EF_PW_HASH_MAX];
	uint8_t sh[32];
	const char *vals[4];
	int lens[4] = {32, 0, 0, 0}, fmts[4] = {1, 0, 0, 0};
	int found = 0, match = 0, rehash = 0, did_argon2 = 0, did_legacy = 0;
	enum db_err de;
	enum ef_err ee;
	enum auth_err rc = AUTH_ERR_INTERNAL;

	memset(&u, 0, sizeof(u));
	memset(who, 0, sizeof(*who));
	cookie[0] = '\0';
	*retry_after = 0;
	if (addr == NULL)
		addr = "";

	/* The route validated both (username <= 64 bytes, an IP address). */
	snprintf(ubucket, sizeof(ubucket), "user:%s", username);
	auth_addr_bucket(addr, abucket, sizeof(abucket));
	if ((rc = auth_throttle_check(ubucket, abucket, retry_after)) !=
	    AUTH_OK)
		goto out;
	if (*retry_after > 0) {
		rc = AUTH_ERR_THROTTLED;
		goto out;
	}

	de = users_find_by_username(cfg, username, NULL, &u);
	if (de == DB_OK)
		found = 1;
	else if (de != DB_NOTFOUND) {
		rc = auth_from_db(de);
		goto out;
	}

	if (found && password[0] != '\0') {
		ee = users_check_password(cfg, &u, password, &match, &rehash);
		if (ee != EF_OK) {
			/* e.g. a legacy hash without SECRET_KEY: a failure. */
			LOG_WARN("user %s: password check: %s", u.id,
			         ef_strerror(ee));
			match = 0;
		} else if (is_argon2(u.password_hash))
			did_argon2 = 1;
		else
			did_legacy = 1;
	} else {
		/*
		 * The same work for an unknown user. An empty password is
		 * never accepted, even if a legacy hash of "" would match.
		 */
		(void)ef_pw_verify(password, strlen(password), dummy_hash, NULL,
		                   0, &match);
		match = 0;
		did_argon2 = 1;
	}

	if (!match && password[0] != '\0')
		equal_failure(cfg, password, did_argon2, did_legacy);
	if (!match) {
		if ((rc = auth_throttle_fail(ubucket)) != AUTH_OK)
			goto out;
		if ((rc = auth_throttle_fail(abucket)) != AUTH_OK)
			goto out;
		rc = AUTH_ERR_BADLOGIN;
		goto out;
	}

	vals[0] = ubucket;
	if ((rc = auth_from_db(db_exec(&st_throttle_clear, vals, NULL, NULL,
	                               NULL))) != AUTH_OK)
		goto out;

	if (rehash) {
		if ((ee = ef_pw_hash(password, strlen(password), hash)) !=
		    EF_OK) {
			LOG_ERR("rehash: %s", ef_strerror(ee));
			rc = AUTH_ERR_INTERNAL;
			goto out;
		}
		de = users_set_password_hash(cfg, u.id, hash);
		ef_wipe(hash, sizeof(hash));
		if (de != DB_OK) {
			rc = auth_from_db(de);
			goto out;
		}
		LOG_INFO("user %s: password hash upgraded to Argon2id", u.id);
	}

	/* Forget expired sessions now and then: at every login. */
	snprintf(sidle, sizeof(sidle), "%u", cfg->session_idle);
	snprintf(smax, sizeof(smax), "%u", cfg->session_max);
	vals[0] = sidle;
	vals[1] = smax;
	if ((rc = auth_from_db(db_exec(&st_session_purge, vals, NULL, NULL,
	                               NULL))) != AUTH_OK)
		goto out;

	/* A brand-new session: never one the client brought along. */
	auth_new_token(cookie);
	auth_new_token(who->csrf);
	auth_hash(cookie, sh);
	vals[0] = (const char *)sh;
	vals[1] = u.id;
	vals[2] = who->csrf;
	vals[3] = addr;
	if ((rc = auth_from_db(
	         db_exec(&st_session_new, vals, lens, fmts, NULL))) != AUTH_OK)
		goto out;

	who->via = AUTH_VIA_SESSION;
	memcpy(who->user_id, u.id, sizeof(who->user_id));
	snprintf(who->username, sizeof(who->username), "%s", u.username);
	who->admin = strcmp(u.user_type, "admin") == 0;
	memcpy(who->session_hash, sh, 32);
	rc = AUTH_OK;
out:
	/* The one cleanup point. */
	if (rc != AUTH_OK) {
		ef_wipe(cookie, AUTH_TOKEN_LEN + 1);
		ef_wipe(who, sizeof(*who));
	}
	ef_wipe(sh, sizeof(sh));
	users_clear(&u);
	return rc;
}

enum auth_err
auth_session_end(const uint8_t hash[32])
{
	const char *vals[1] = {(const char *)hash};
	int lens[1] = {32}, fmts[1] = {1};

	return auth_from_db(db_exec(&st_session_del, vals, lens, fmts, NULL));
}

enum auth_err
auth_sessions_end_user(const char *user_id, const uint8_t *keep)
{
	const char *vals[2] = {user_id, (const char *)keep};
	int lens[2] = {0, 32}, fmts[2] = {0, 1};

	return auth_from_db(
	    db_exec(&st_session_del_user, vals, lens, fmts, NULL));
}

enum auth_err
auth_token_create(const char *username, const char *name,
                  char token[AUTH_TOKEN_LEN + 1])
{
	uint8_t h[32];
	const char *vals[3];
	int lens[3] = {32, 0, 0}, fmts[3] = {1, 0, 0};
	PGresult *res = NULL;
	enum db_err de;
	enum auth_err rc;

	auth_new_token(token);
	auth_hash(token, h);
	vals[0] = (const char *)h;
	vals[1] = username;
	vals[2] = name;
	de = db_exec(&st_token_new, vals, lens, fmts, &res);
	if (de != DB_OK)
		rc = auth_from_db(de);
	else if (strcmp(PQcmdTuples(res), "1") != 0)
		rc = AUTH_ERR_INVALID; /* no such user */
	else
		rc = AUTH_OK;
	if (res != NULL)
		PQclear(res);
	if (rc != AUTH_OK)
		ef_wipe(token, AUTH_TOKEN_LEN + 1);
	ef_wipe(h, sizeof(h));
	return rc;
}

enum auth_err
auth_token_revoke(const char *token)
{
	uint8_t h[32];
	const char *vals[1] = {(const char *)h};
	int lens[1] = {32}, fmts[1] = {1};
	PGresult *res = NULL;
	enum db_err de;
	enum auth_err rc;

	if (!auth_token_shaped(token))
		return AUTH_ERR_INVALID;
	auth_hash(token, h);
	de = db_exec(&st_token_revoke, vals, lens, fmts, &res);
	if (de != DB_OK)
		rc = auth_from_db(de);
	else if (strcmp(PQcmdTuples(res), "1") != 0)
		rc = AUTH_ERR_INVALID;
	else
		rc = AUTH_OK;
	if (res != NULL)
		PQclear(res);
	ef_wipe(h, sizeof(h));
	return rc;
}
