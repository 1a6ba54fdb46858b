/*
 * app.c -- what every route executable shares: the per-process set-up
 * (log name, settings, database, templates) and the request loop, so that
 * a route's main() is one call to app_main() with its table.
 *
 * A process whose set-up failed (missing or malformed settings or keys)
 * does not exit: the web server would restart it in a loop. It logs the
 * reason once and answers every request 503 JSON. Each request is parsed
 * (req_parse), checked for its method (405 with Allow), its parse errors
 * (400/413/415), its user (auth_identify) and handed to the route's
 * handler; the response is sent and everything freed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__ /* defined by any libc header, so after them */
#include <malloc.h>
#endif

#include <json-c/json.h>

#include "encfield.h"
#include "extern.h"

/*
 * A password hash (Argon2id, m=19 MiB) allocates one block that large.
 * glibc serves the second and later ones from the heap and keeps them
 * there, which spares the next hash 19 MiB of page faults (about 5 ms)
 * but would keep every worker that ever checked a password about 20 MiB
 * larger. So the heap is kept while requests keep coming and handed back
 * once a worker has been idle for IDLE_TRIM milliseconds (struct cfg).
 */
static void
app_trim(void)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

/* Seconds a client is asked to wait after a 503. */
#define APP_RETRY_AFTER 5

/* Titles of the HTML error pages. */
static const char *
app_status_title(int status)
{
	switch (status) {
	case 400:
		return "Bad request";
	case 401:
		return "Sign-in required";
	case 403:
		return "Forbidden";
	case 404:
		return "Not found";
	case 405:
		return "Method not allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Request too large";
	case 415:
		return "Unsupported media type";
	case 422:
		return "Invalid input";
	case 429:
		return "Too many requests";
	case 503:
		return "Service unavailable";
	default:
		return "Server error";
	}
}

/* Write the Allow value of a method set into out. */
static void
app_allow_string(unsigned int methods, char *out, size_t outsz)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < REQ_METHOD__MAX; i++) {
		unsigned int bit = 1u << i;

		if (i == REQ_METHOD_HEAD)
			bit = 1u << REQ_METHOD_GET;
		if (i == REQ_METHOD_OPTIONS)
			bit = methods; /* always allowed */
		if ((methods & bit) == 0)
			continue;
		n +=
		    (size_t)snprintf(out + n, n < outsz ? outsz - n : 0, "%s%s",
		        n > 0 ? ", " : "", req_method_name((enum req_method)i));
		if (n >= outsz)
			break;
	}
}

static int app_flash_vars(struct app *, struct tmpl_vars *);

struct tmpl_vars *
app_vars(struct app *a, const char *title)
{
	struct tmpl_vars *v;
	int signed_in = a->who.via != AUTH_VIA_NONE;

	if ((v = tmpl_vars_new()) == NULL)
		return NULL;
	if (tmpl_set(v, "title", title) == -1 ||
	    tmpl_set(v, "base", a->base) == -1 ||
	    tmpl_set_bool(v, "signed_in", signed_in) == -1 ||
	    tmpl_set_bool(v, "is_admin", signed_in && a->who.admin) == -1 ||
	    tmpl_set_bool(v, "session", a->who.via == AUTH_VIA_SESSION) == -1 ||
	    tmpl_set(v, "me", a->who.username) == -1 ||
	    tmpl_set(v, "csrf",
	        a->who.via == AUTH_VIA_SESSION ? a->who.csrf : "") == -1 ||
	    app_flash_vars(a, v) == -1) {
		tmpl_vars_free(v);
		return NULL;
	}
	return v;
}

void
app_html(struct app *a, int status, const char *page, struct tmpl_vars *vars)
{
	if (vars == NULL || resp_html(a->rs, status, page, vars) == -1) {
		LOG_ERR("cannot render page %s", page);
		resp_error(a->rs, 500, "Internal server error");
	}
}

void
app_error(struct app *a, int status, const char *msg)
{
	const char *title = app_status_title(status), *said = msg;
	struct tmpl_vars *v;

	/* A page says more than its title: "Forbidden" once, not twice. */
	if (strcmp(msg, title) == 0 && status == 403)
		said = "Your account cannot open this page.";
	else if (strcmp(msg, title) == 0 && status == 405)
		said = "This page cannot be used that way.";
	if (a->r->fmt == REQ_FMT_HTML && a->cfg != NULL &&
	    (v = app_vars(a, title)) != NULL) {
		if (tmpl_setf(v, "status", "%d", status) == 0 &&
		    tmpl_set(v, "message", said) == 0 &&
		    resp_html(a->rs, status, "error", v) == 0) {
			tmpl_vars_free(v);
			return;
		}
		tmpl_vars_free(v);
		LOG_ERR("cannot render the error page");
	}
	if (resp_error(a->rs, status, msg) == -1)
		resp_status(a->rs, 500);
}

void
app_db_error(struct app *a, enum db_err err)
{
	switch (err) {
	case DB_UNAVAILABLE:
		app_error(a, 503, "Database unavailable, try again later");
		resp_retry_after(a->rs, APP_RETRY_AFTER);
		break;
	case DB_NOTFOUND:
		app_error(a, 404, "User not found");
		break;
	case DB_CONFLICT:
		app_error(a, 409, "Conflict with an existing record");
		break;
	case DB_AUDIT:
		/* Nothing is shown or changed that is not recorded. */
		app_error(a, 503, "Audit trail unavailable, try again later");
		resp_retry_after(a->rs, APP_RETRY_AFTER);
		break;
	default:
		app_error(a, 500, "Internal server error");
		break;
	}
}

void
app_fields_error(struct app *a, const struct field_errors *fe)
{
	int status = req_err_status(a->r->err);
	const char *msg =
	    a->r->errmsg[0] != '\0' ? a->r->errmsg : req_strerror(a->r->err);

	struct tmpl_vars *v;

	if (a->r->fmt == REQ_FMT_JSON && a->r->err == REQ_ERR_INVALID) {
		if (resp_error_fields(a->rs, status, msg, fe) == -1)
			resp_status(a->rs, 500);
		return;
	}
	if (a->r->fmt != REQ_FMT_HTML || a->r->err != REQ_ERR_INVALID ||
	    fe == NULL || fe->n == 0) {
		app_error(a, status, msg);
		return;
	}
	/* The error page, naming each field and what is wrong with it. */
	if ((v = app_vars(a, app_status_title(status))) == NULL ||
	    tmpl_setf(v, "status", "%d", status) == -1 ||
	    tmpl_set(v, "message", "") == -1 ||
	    app_form_vars(v, NULL, 0, "", fe) == -1) {
		tmpl_vars_free(v);
		app_error(a, 500, "Internal server error");
		return;
	}
	app_html(a, status, "error", v);
	tmpl_vars_free(v);
}

const struct audit_entry *
app_audit(const struct app *a, enum audit_action action, struct app_audit *x)
{
	const char *script = a->r->script_name;

	memset(x, 0, sizeof(*x));
	switch (a->who.via) {
	case AUTH_VIA_SESSION:
		snprintf(x->actor, sizeof(x->actor), "user:%s via session",
		    a->who.user_id);
		break;
	case AUTH_VIA_BEARER:
		snprintf(x->actor, sizeof(x->actor), "user:%s via token %s",
		    a->who.user_id, a->who.token_id);
		break;
	default:
		snprintf(x->actor, sizeof(x->actor), "anonymous");
		break;
	}
	snprintf(x->route, sizeof(x->route), "%s %s",
	    req_method_name(a->r->method),
	    script != NULL && script[0] != '\0' ? script : "-");
	x->e.actor = x->actor;
	x->e.route = x->route;
	x->e.action = action;
	x->e.client_addr = a->r->remote_addr != NULL && a->r->remote_addr[0]
	    ? a->r->remote_addr
	    : NULL;
	return &x->e;
}

int
app_require(struct app *a, int admin_only)
{
	if (a->who.via == AUTH_VIA_NONE) {
		if (a->r->fmt == REQ_FMT_HTML) {
			/* Back here after signing in (a form: its page),
			 * told why when a form was sent. */
			if (a->r->method != REQ_METHOD_GET &&
			    a->r->method != REQ_METHOD_HEAD &&
			    app_flash(a, APP_FLASH_ENDED, NULL) == -1)
				LOG_WARN("could not set the flash cookie");
			app_to_login(a);
			return 0;
		}
		app_error(a, 401, "Authentication required");
		resp_header(a->rs, "WWW-Authenticate",
		    "Bearer realm=\"fcgi-encrypted-db\"");
		return 0;
	}
	if (admin_only && !a->who.admin) {
		app_error(a, 403, "Forbidden");
		return 0;
	}
	return 1;
}

const char *
app_param(const struct app *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->r->paramsz; i++)
		if (a->r->params[i].src == REQ_SRC_BODY &&
		    strcmp(a->r->params[i].key, key) == 0)
			return a->r->params[i].val;
	return NULL;
}

int
app_csrf_valid(struct app *a)
{
	const char *given;

	if (a->r->method == REQ_METHOD_GET || a->r->method == REQ_METHOD_HEAD)
		return 1;
	if ((given = app_param(a, "csrf")) == NULL)
		given = http_getenv(a->h, "HTTP_X_CSRF_TOKEN");
	return auth_csrf_ok(&a->who, given);
}

int
app_csrf(struct app *a)
{
	if (app_csrf_valid(a))
		return 1;
	app_error(a, 403, "CSRF token missing or invalid");
	return 0;
}

int
app_mask_email(struct buf *out, const char *email)
{
	const char *at;
	size_t first = 1;
	unsigned char c;

	if (email == NULL)
		return buf_puts(out, "(unreadable)");
	if ((at = strrchr(email, '@')) == NULL || at == email)
		return buf_puts(out, "***");
	/* Keep the whole first UTF-8 character of the local part. */
	c = (unsigned char)email[0];
	if (c >= 0xf0)
		first = 4;
	else if (c >= 0xe0)
		first = 3;
	else if (c >= 0xc0)
		first = 2;
	if (first > (size_t)(at - email))
		first = 1;
	buf_putmem(out, email, first);
	buf_puts(out, "***");
	buf_puts(out, at);
	return buf_ok(out) ? 0 : -1;
}

int
app_identify(struct app *a)
{
	enum auth_err ae;

	ae = auth_identify(req_cookie(a->r, app_session_cookie(a)),
	    a->r->bearer, a->cfg->session_idle, a->cfg->session_max, &a->who);
	switch (ae) {
	case AUTH_OK:
	case AUTH_ERR_NONE:
		return 1;
	case AUTH_ERR_INVALID:
		if (a->r->bearer == NULL)
			return 1; /* a stale cookie: anonymous */
		/* A bad token is an error, not anonymity. */
		resp_error(a->rs, 401, "Invalid or expired token");
		resp_header(a->rs, "WWW-Authenticate",
		    "Bearer realm=\"fcgi-encrypted-db\", "
		    "error=\"invalid_token\"");
		return 0;
	case AUTH_ERR_UNAVAILABLE:
		app_db_error(a, DB_UNAVAILABLE);
		return 0;
	default:
		app_error(a, 500, "Internal server error");
		return 0;
	}
}

/*
 * Where this request's reads may go when there is a standby: a request
 * that changes something reads from the primary, and first sets its
 * credential's fence so that the credential's next reads, in any process,
 * see the change (auth_fence); any other reads from a standby that holds
 * everything before the credential's fence. 0 (answered) if the fence
 * could not be set.
 */
static int
app_fence(struct app *a, enum req_method m)
{
	if (a->cfg->read_conninfo == NULL)
		return 1;
	if (m == REQ_METHOD_GET || m == REQ_METHOD_OPTIONS) {
		db_read_fence(a->who.read_fence);
		return 1;
	}
	db_read_fence(DB_FENCE_ALL);
	switch (auth_fence(&a->who, a->cfg->statement_timeout + DB_GRACE_MS)) {
	case AUTH_OK:
		return 1;
	case AUTH_ERR_UNAVAILABLE:
		app_db_error(a, DB_UNAVAILABLE);
		return 0;
	default:
		app_error(a, 500, "Internal server error");
		return 0;
	}
}

void
app_method_not_allowed(struct app *a, unsigned int methods)
{
	char allow[64];

	app_allow_string(methods, allow, sizeof(allow));
	app_error(a, 405, "Method not allowed");
	resp_allow(a->rs, allow);
}

/* Answer a request of a process whose start-up failed. */
static void
app_broken(struct app *a, unsigned int flags)
{
	struct json_object *o;

	if ((flags & APP_HEALTH) && (o = json_object_new_object()) != NULL) {
		json_object_object_add(
		    o, "status", json_object_new_string("unavailable"));
		resp_json(a->rs, 503, o);
		json_object_put(o);
	} else
		resp_error(a->rs, 503, "service unavailable");
	resp_retry_after(a->rs, 30);
}

/* Serve the current request of h. cfg is NULL when start-up failed. */
static void
app_serve(struct http *h, const struct app_route *route, const struct cfg *cfg)
{
	struct req r;
	struct resp rs;
	struct app a;
	char allow[64];
	enum req_err re;
	enum req_method m;

	resp_init(&rs);
	memset(&a, 0, sizeof(a));
	a.h = h;
	a.r = &r;
	a.rs = &rs;
	a.cfg = cfg;
	a.base = cfg != NULL && cfg->base_path != NULL ? cfg->base_path : "";
	a.who.via = AUTH_VIA_NONE;

	re = req_parse(h, &r, route->bodies, cfg != NULL ? cfg->body_max : 0);
	/* Behind a trusted proxy: the client's address, and HTTPS. */
	if (cfg != NULL &&
	    proxy_apply(h, &r, cfg->trusted_proxies, cfg->ntrusted_proxies) ==
	        -1) {
		resp_error(&rs, 500, "Internal server error");
		goto send;
	}
	/*
	 * Over HTTPS, ask browsers to keep to it for a year. Not for the
	 * subdomains: on shared hosting they are often someone else's.
	 */
	if (r.https &&
	    resp_header(&rs, "Strict-Transport-Security", "max-age=31536000") ==
	        -1) {
		resp_error(&rs, 500, "Internal server error");
		goto send;
	}
	if (cfg == NULL) {
		app_broken(&a, route->flags);
		goto send;
	}
	if (resp_cors(&rs, cfg->cors_origins, r.origin) == -1) {
		resp_error(&rs, 500, "Internal server error");
		goto send;
	}

	app_allow_string(route->methods, allow, sizeof(allow));
	m = r.method == REQ_METHOD_HEAD ? REQ_METHOD_GET : r.method;
	if (route->methods != APP_ANY && m == REQ_METHOD_OPTIONS) {
		resp_allow(&rs, allow);
		resp_status(&rs, 204);
		goto send;
	}
	if (route->methods != APP_ANY &&
	    (m >= REQ_METHOD__MAX || !(route->methods & (1u << m)))) {
		app_error(&a, 405, "Method not allowed");
		resp_allow(&rs, allow);
		goto send;
	}
	if (re != REQ_OK) {
		app_error(&a, req_err_status(re),
		    r.errmsg[0] != '\0' ? r.errmsg : req_strerror(re));
		goto send;
	}

	if (!(route->flags & APP_NOAUTH) && !app_identify(&a))
		goto send;
	if (!app_fence(&a, m))
		goto send;

	route->handler(&a);
send:
	if (resp_send(h, &rs) == -1)
		LOG_WARN("could not send the response");
	ef_wipe(&a.who, sizeof(a.who));
	req_free(&r);
	resp_free(&rs);
}

/* cfg_exposed's callback at start-up: one warning per file. */
static void
app_log_exposed(const char *path, unsigned mode, void *arg)
{
	(void)arg;
	LOG_WARN("%s is readable by other users (mode %04o) and holds "
	         "settings: chmod o-rwx it",
	    path, mode);
}

int
app_main(const struct app_route *route)
{
	struct cfg cfg;
	struct http *h;
	char err[512];
	enum cfg_err ce;
	enum ef_err ee;
	int broken = 0;

	log_set_progname(route->name);
	memset(&cfg, 0, sizeof(cfg));
	err[0] = '\0';
	if ((ee = ef_init()) != EF_OK) {
		LOG_ERR("start-up failed: libencfield: %s", ef_strerror(ee));
		broken = 1;
	} else if ((ce = cfg_load(&cfg, CFG_NEED_DB | CFG_NEED_KEYS, err,
	                sizeof(err))) != CFG_OK) {
		LOG_ERR("start-up failed: %s",
		    err[0] != '\0' ? err : cfg_strerror(ce));
		broken = 1;
	} else if (tmpl_set_dir(cfg.template_dir) == -1) {
		LOG_ERR("start-up failed: cannot set the template directory");
		broken = 1;
	} else if (db_init(&cfg) != DB_OK) {
		LOG_ERR("start-up failed: no database settings");
		broken = 1;
	} else
		authcache_set_ttl(cfg.auth_cache);
	cfg_exposed(&cfg, app_log_exposed, NULL);

	if ((h = http_new()) == NULL) {
		cfg_free(&cfg);
		return 1;
	}
	/*
	 * Set up: confine the process (a broken one too, which only answers
	 * 503). A process that cannot be confined does not serve.
	 */
	if ((broken || cfg.sandbox) && sandbox_enter() == -1) {
		LOG_ERR("start-up failed: no sandbox (SANDBOX=off to run "
		        "without one)");
		broken = 1;
	}
	/* A broken process (idle_trim 0) trims after every request. */
	for (;;) {
		if (http_idle(h, (int)cfg.idle_trim) == 0)
			app_trim();
		if (http_accept(h) != 1)
			break;
		app_serve(h, route, broken ? NULL : &cfg);
	}
	http_free(h);
	db_close();
	tmpl_cache_clear();
	cfg_free(&cfg);
	return 0;
}

void
app_create_form(struct app *a, int status, const char *username,
    const char *email, const char *type, const char *msg,
    const struct field_errors *fe)
{
	static const char *const fields[] = {
	    "username",
	    "email",
	    "password",
	    "user_type",
	};
	struct tmpl_vars *v;
	int admin = type != NULL && strcmp(type, "admin") == 0;

	if ((v = app_vars(a, "Create a user")) == NULL ||
	    app_form_vars(
	        v, fields, sizeof(fields) / sizeof(fields[0]), msg, fe) == -1 ||
	    tmpl_set(v, "username", username != NULL ? username : "") == -1 ||
	    tmpl_set(v, "email", email != NULL ? email : "") == -1 ||
	    tmpl_set_bool(v, "type_user", !admin) == -1 ||
	    tmpl_set_bool(v, "type_admin", admin) == -1) {
		tmpl_vars_free(v);
		app_error(a, 500, "Internal server error");
		return;
	}
	app_html(a, status, "user-new", v);
	tmpl_vars_free(v);
}

struct json_object *
app_payload(struct json_object *payload)
{
	struct json_object *o;

	if (payload == NULL || (o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "payload", payload) != 0) {
		json_object_put(payload);
		return NULL;
	}
	return o;
}

void
app_json(struct app *a, int status, struct json_object *o)
{
	if (o == NULL || resp_json(a->rs, status, o) == -1)
		app_error(a, 500, "Internal server error");
	json_object_put(o);
}

/* Append the public JSON object of u to b (app_user_answer). */
static void
app_user_put(struct buf *b, const struct user *u)
{
	/* Keys in the boilerplate's (sorted) order. */
	buf_puts(b, "{\"created_at\":");
	json_put_str(b, u->created_at);
	buf_puts(b, ",\"email\":");
	json_put_str(b, u->email);
	if (u->email == NULL)
		buf_puts(b, ",\"email_error\":\"unreadable\"");
	buf_puts(b, ",\"id\":");
	json_put_str(b, u->id);
	buf_puts(b, ",\"updated_at\":");
	json_put_str(b, u->updated_at[0] != '\0' ? u->updated_at : NULL);
	buf_puts(b, ",\"user_type\":");
	json_put_str(b, u->user_type);
	buf_puts(b, ",\"username\":");
	json_put_str(b, u->username);
	buf_putc(b, '}');
}

/* Send the JSON answer in b, or 500 if it could not be written whole. */
static void
app_json_end(struct app *a, struct buf *b)
{
	buf_putc(b, '\n');
	if (!buf_ok(b))
		app_error(a, 500, "Internal server error");
}

void
app_user_answer(struct app *a, int status, const struct user *u)
{
	struct buf *b = resp_json_body(a->rs, status);

	buf_puts(b, "{\"payload\":");
	app_user_put(b, u);
	buf_putc(b, '}');
	app_json_end(a, b);
}

void
app_users_answer(
    struct app *a, const struct user *v, size_t n, const char *next)
{
	struct buf *b = resp_json_body(a->rs, 200);
	size_t i;

	/* A user's JSON is about 200 bytes: one allocation for most pages. */
	buf_reserve(b, 256 * (n + 1));
	buf_puts(b, "{\"payload\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		app_user_put(b, &v[i]);
	}
	buf_puts(b, "],\"next\":");
	json_put_str(b, next);
	buf_putc(b, '}');
	app_json_end(a, b);
}

int
app_user_vars(struct tmpl_vars *v, const struct user *u)
{
	struct buf masked = BUF_INIT;
	int rc = -1;

	if (app_mask_email(&masked, u->email) == -1)
		goto out;
	if (tmpl_set(v, "id", u->id) == -1 ||
	    tmpl_set(v, "username", u->username) == -1 ||
	    tmpl_set(v, "user_type", u->user_type) == -1 ||
	    tmpl_set(v, "email", u->email != NULL ? u->email : "") == -1 ||
	    tmpl_setf(v, "mailto", "mailto:%s",
	        u->email != NULL ? u->email : "") == -1 ||
	    tmpl_set(v, "email_masked", buf_cstr(&masked)) == -1 ||
	    app_set_time(v, "created_at", u->created_at) == -1 ||
	    app_set_time(v, "updated_at", u->updated_at) == -1)
		goto out;
	rc = 0;
out:
	/* The one cleanup point: the masked email is still PII. */
	buf_free_wipe(&masked);
	return rc;
}

int
app_user_url(struct buf *out, const char *username)
{
	if (buf_puts(out, "/user/") == -1 || tmpl_esc_url(out, username) == -1)
		return -1;
	return 0;
}

/* ---- redirects, flash messages, forms, timestamps --------------------- */

/* Bytes a Location keeps as they are: RFC 3986 unreserved, reserved and
 * '%' (the value is a URI already); any other byte is percent-encoded. */
static int
app_uri_byte_ok(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("-._~:/?#[]@!$&'()*+,;=%", c);
}

int
app_redirect_local(struct app *a, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf loc = BUF_INIT;
	const unsigned char *p;
	int rc;

	buf_puts(&loc, a->base);
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (app_uri_byte_ok(*p))
			buf_putc(&loc, *p);
		else {
			buf_putc(&loc, '%');
			buf_putc(&loc, hex[*p >> 4]);
			buf_putc(&loc, hex[*p & 0xf]);
		}
	}
	rc = buf_ok(&loc) ? resp_redirect(a->rs, 303, buf_cstr(&loc)) : -1;
	buf_free(&loc);
	if (rc == -1)
		app_error(a, 500, "Internal server error");
	return rc;
}

int
app_home_url(const struct app *a, struct buf *out)
{
	if (a->who.via == AUTH_VIA_NONE)
		return buf_puts(out, "/login");
	if (a->who.admin)
		return buf_puts(out, "/users");
	return app_user_url(out, a->who.username);
}

const char *
app_path(const struct app *a)
{
	size_t blen = strlen(a->base);
	const char *p = a->r->uri_path;

	if (p == NULL || strncmp(p, a->base, blen) != 0)
		return NULL;
	p += blen;
	if (*p == '\0')
		return blen > 0 ? "/" : NULL;
	return *p == '/' ? p : NULL;
}

int
app_cookie(struct app *a, const char *name, const char *value, long max_age)
{
	return resp_cookie(a->rs, name, value, max_age, a->r->https,
	    a->base[0] != '\0' ? a->base : "/");
}

const char *
app_session_cookie(const struct app *a)
{
	return auth_cookie_name(a->r->https, a->base[0] == '\0');
}

void
app_to_login(struct app *a)
{
	struct buf loc = BUF_INIT;
	const char *uri = http_getenv(a->h, "REQUEST_URI");
	size_t blen = strlen(a->base);

	/* next is a path of the application, as REQUEST_URI after the base
	 * path; not back to / (login goes home anyway), /login or /logout. */
	buf_puts(&loc, a->base);
	buf_puts(&loc, "/login");
	if (uri != NULL && strncmp(uri, a->base, blen) == 0)
		uri += blen;
	else
		uri = NULL;
	if (uri != NULL && uri[0] == '/' && uri[1] != '/' &&
	    strcmp(uri, "/") != 0 && strncmp(uri, "/login", 6) != 0 &&
	    strncmp(uri, "/logout", 7) != 0) {
		buf_puts(&loc, "?next=");
		tmpl_esc_url(&loc, uri);
	}
	if (!buf_ok(&loc) || resp_redirect(a->rs, 303, buf_cstr(&loc)) == -1)
		app_error(a, 500, "Internal server error");
	buf_free(&loc);
}

/* The cookie that carries a flash message to the next page. */
#define APP_FLASH_COOKIE "flash"

/* The messages, in the order of enum app_flash; %s is the user's name. */
static const struct {
	const char *code; /* in the cookie: [a-z-] */
	const char *text; /* shown: one %s for the name, or none */
} app_flashes[APP_FLASH__MAX] = {
    {"created", "User %s created."},           /* APP_FLASH_CREATED */
    {"updated", "User %s updated."},           /* APP_FLASH_UPDATED */
    {"reset", "New password set for %s."},     /* APP_FLASH_RESET */
    {"changed", "Your password was changed."}, /* APP_FLASH_CHANGED */
    {"deleted", "User %s deleted."},           /* APP_FLASH_DELETED */
    {"signed-out", "Signed out."},             /* APP_FLASH_SIGNED_OUT */
    {"ended",
        "Your session had ended, so nothing was saved. Sign in "
        "again and send it once more."}, /* APP_FLASH_ENDED */
};

int
app_flash(struct app *a, enum app_flash f, const char *name)
{
	static const char hex[] = "0123456789abcdef";
	struct buf v = BUF_INIT;
	const unsigned char *p;
	int rc;

	if ((unsigned)f >= APP_FLASH__MAX)
		return -1;
	/* "code" or "code.<name in hex>": cookie values allow neither
	 * spaces nor '%', and hex keeps any name intact. */
	buf_puts(&v, app_flashes[f].code);
	if (name != NULL && strstr(app_flashes[f].text, "%s") != NULL) {
		buf_putc(&v, '.');
		for (p = (const unsigned char *)name; *p != '\0'; p++) {
			buf_putc(&v, hex[*p >> 4]);
			buf_putc(&v, hex[*p & 0xf]);
		}
	}
	rc =
	    buf_ok(&v) ? app_cookie(a, APP_FLASH_COOKIE, buf_cstr(&v), 60) : -1;
	buf_free(&v);
	return rc;
}

/*
 * The message of a flash cookie value into out (0), or -1 if the value is
 * not one app_flash writes. The name is checked as a username (text, no
 * '/', at most USERS_NAME_MAX bytes) and escaped by the template.
 */
static int
app_flash_text(const char *val, struct buf *out)
{
	char name[USERS_NAME_MAX + 1];
	const char *dot = strchr(val, '.'), *hole;
	size_t i, codelen = dot != NULL ? (size_t)(dot - val) : strlen(val);
	struct pair np;
	int k, hi, lo;

	for (k = 0; k < APP_FLASH__MAX; k++)
		if (strlen(app_flashes[k].code) == codelen &&
		    strncmp(app_flashes[k].code, val, codelen) == 0)
			break;
	if (k == APP_FLASH__MAX)
		return -1;
	if (strstr(app_flashes[k].text, "%s") == NULL)
		return dot == NULL ? buf_puts(out, app_flashes[k].text) : -1;
	if (dot == NULL || strlen(dot + 1) % 2 != 0 ||
	    strlen(dot + 1) / 2 > USERS_NAME_MAX)
		return -1;
	for (i = 0; dot[1 + 2 * i] != '\0'; i++) {
		if ((hi = hex_digit((unsigned char)dot[1 + 2 * i])) < 0 ||
		    (lo = hex_digit((unsigned char)dot[2 + 2 * i])) < 0)
			return -1;
		name[i] = (char)(hi << 4 | lo);
	}
	name[i] = '\0';
	memset(&np, 0, sizeof(np));
	np.key = "username";
	np.val = name;
	np.valsz = i;
	if (!valid_username_lookup(&np))
		return -1;
	/* Not printf: the text is a table entry, the name is data. */
	hole = strstr(app_flashes[k].text, "%s");
	buf_putmem(
	    out, app_flashes[k].text, (size_t)(hole - app_flashes[k].text));
	buf_puts(out, name);
	buf_puts(out, hole + 2);
	return buf_ok(out) ? 0 : -1;
}

/* Set "flash" in v from the request's flash cookie (or ""), and have the
 * browser forget the cookie: the message is shown once. 0 / -1. */
static int
app_flash_vars(struct app *a, struct tmpl_vars *v)
{
	const char *val = req_cookie(a->r, APP_FLASH_COOKIE);
	struct buf text = BUF_INIT;
	int rc;

	if (val == NULL)
		return tmpl_set(v, "flash", "");
	if (app_flash_text(val, &text) == -1)
		buf_reset(&text);
	rc = tmpl_set(v, "flash", buf_cstr(&text));
	buf_free(&text);
	if (rc == 0)
		rc = app_cookie(a, APP_FLASH_COOKIE, "", 0);
	return rc;
}

/* What the error summary calls each field. */
static const char *
app_field_label(const char *name)
{
	static const struct {
		const char *name, *label;
	} labels[] = {
	    {"username", "Username"},
	    {"email", "Email"},
	    {"password", "Password"},
	    {"new_password", "New password"},
	    {"current_password", "Current password"},
	    {"user_type", "Type"},
	    {"limit", "Page size"},
	    {"after", "Page"},
	    {"before", "Page"},
	    {"prefix", "Username starts with"},
	    {"email_lookup", "Email"},
	};
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].name, name) == 0)
			return labels[i].label;
	return name;
}

int
app_form_vars(struct tmpl_vars *v, const char *const *names, size_t n,
    const char *summary, const struct field_errors *fe)
{
	struct tmpl_vars *row;
	char key[REQ_KEY_MAX + 8];
	size_t i;
	int rc = 0;

	rc |= tmpl_set(v, "error", summary != NULL ? summary : "");
	rc |= tmpl_set_list(v, "errors");
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%s_error", names[i]);
		rc |= tmpl_set(v, key, "");
	}
	for (i = 0; fe != NULL && i < fe->n; i++) {
		if ((row = tmpl_add_row(v, "errors")) == NULL)
			return -1;
		rc |= tmpl_set(row, "field", fe->e[i].name);
		rc |= tmpl_setf(row, "text", "%s %s.",
		    app_field_label(fe->e[i].name), fe->e[i].msg);
		snprintf(key, sizeof(key), "%s_error", fe->e[i].name);
		rc |= tmpl_setf(v, key, "%s %s.",
		    app_field_label(fe->e[i].name), fe->e[i].msg);
	}
	return rc == 0 ? 0 : -1;
}

int
app_set_time(struct tmpl_vars *v, const char *name, const char *iso)
{
	static const char *const months[12] = {
	    "Jan",
	    "Feb",
	    "Mar",
	    "Apr",
	    "May",
	    "Jun",
	    "Jul",
	    "Aug",
	    "Sep",
	    "Oct",
	    "Nov",
	    "Dec",
	};
	char key[80], zone[16];
	const char *off;
	int y, mo, d, h, mi, sec, n = 0;

	snprintf(key, sizeof(key), "%s_human", name);
	/* "YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM", as users.c writes them. */
	if (iso == NULL || iso[0] == '\0' ||
	    sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
	        &n) != 6 ||
	    mo < 1 || mo > 12) {
		if (tmpl_set(v, name, "") == -1 ||
		    tmpl_set(v, key, iso != NULL ? iso : "") == -1)
			return -1;
		return 0;
	}
	off = iso + n;
	while (*off == '.' || (*off >= '0' && *off <= '9'))
		off++;
	if (strcmp(off, "+00:00") == 0 || strcmp(off, "Z") == 0)
		snprintf(zone, sizeof(zone), "UTC");
	else
		snprintf(zone, sizeof(zone), "UTC%.6s", off);
	/* HTML's datetime takes at most three digits of fraction: none. */
	if (tmpl_setf(v, name, "%04d-%02d-%02dT%02d:%02d:%02d%.6s", y, mo, d, h,
	        mi, sec, strcmp(off, "Z") == 0 ? "Z" : off) == -1 ||
	    tmpl_setf(v, key, "%d %s %04d, %02d:%02d %s", d, months[mo - 1], y,
	        h, mi, zone) == -1)
		return -1;
	return 0;
}
