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
 * once a worker has been idle for APP_IDLE_MS.
 */
#define APP_IDLE_MS 1000

static void
app_trim(void)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

/* Seconds a client is asked to wait after a 503. */
#define APP_RETRY_AFTER 5

/* Method names for Allow, in the order of enum req_method. */
static const char *const method_names[REQ_METHOD__MAX] = {
    "GET",     /* REQ_METHOD_GET */
    "HEAD",    /* REQ_METHOD_HEAD */
    "POST",    /* REQ_METHOD_POST */
    "PUT",     /* REQ_METHOD_PUT */
    "PATCH",   /* REQ_METHOD_PATCH */
    "DELETE",  /* REQ_METHOD_DELETE */
    "OPTIONS", /* REQ_METHOD_OPTIONS */
};

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
		                     n > 0 ? ", " : "", method_names[i]);
		if (n >= outsz)
			break;
	}
}

struct tmpl_vars *
app_vars(struct app *a, const char *title)
{
	struct tmpl_vars *v;
	int signed_in = a->who.via != AUTH_VIA_NONE;

	if ((v = tmpl_vars_new()) == NULL)
		return NULL;
	if (tmpl_set(v, "title", title) == -1 ||
	    tmpl_set_bool(v, "signed_in", signed_in) == -1 ||
	    tmpl_set_bool(v, "is_admin", signed_in && a->who.admin) == -1 ||
	    tmpl_set_bool(v, "session", a->who.via == AUTH_VIA_SESSION) == -1 ||
	    tmpl_set(v, "me", a->who.username) == -1 ||
	    tmpl_set(v, "csrf",
	             a->who.via == AUTH_VIA_SESSION ? a->who.csrf : "") == -1) {
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
	struct tmpl_vars *v;

	if (a->r->fmt == REQ_FMT_HTML && a->cfg != NULL &&
	    (v = app_vars(a, app_status_title(status))) != NULL) {
		if (tmpl_setf(v, "status", "%d", status) == 0 &&
		    tmpl_set(v, "message", msg) == 0 &&
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

	if (a->r->fmt == REQ_FMT_JSON && a->r->err == REQ_ERR_INVALID) {
		if (resp_error_fields(a->rs, status, msg, fe) == -1)
			resp_status(a->rs, 500);
		return;
	}
	app_error(a, status, msg);
}

int
app_require(struct app *a, int admin_only)
{
	if (a->who.via == AUTH_VIA_NONE) {
		if (a->r->fmt == REQ_FMT_HTML &&
		    (a->r->method == REQ_METHOD_GET ||
		     a->r->method == REQ_METHOD_HEAD)) {
			resp_redirect(a->rs, 303, "/login");
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
app_csrf(struct app *a)
{
	const char *given;

	if (a->r->method == REQ_METHOD_GET || a->r->method == REQ_METHOD_HEAD)
		return 1;
	if ((given = app_param(a, "csrf")) == NULL)
		given = http_getenv(a->h, "HTTP_X_CSRF_TOKEN");
	if (auth_csrf_ok(&a->who, given))
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

/* Answer a request of a process whose start-up failed. */
static void
app_broken(struct app *a, unsigned int flags)
{
	struct json_object *o;

	if ((flags & APP_HEALTH) && (o = json_object_new_object()) != NULL) {
		json_object_object_add(o, "status",
		                       json_object_new_string("unavailable"));
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
	enum auth_err ae;
	enum req_method m;

	resp_init(&rs);
	memset(&a, 0, sizeof(a));
	a.h = h;
	a.r = &r;
	a.rs = &rs;
	a.cfg = cfg;
	a.who.via = AUTH_VIA_NONE;

	re = req_parse(h, &r, route->bodies, cfg != NULL ? cfg->body_max : 0);
	/* Behind a trusted proxy: the client's address, and HTTPS. */
	if (cfg != NULL && proxy_apply(h, &r, cfg->trusted_proxies,
	                               cfg->ntrusted_proxies) == -1) {
		resp_error(&rs, 500, "Internal server error");
		goto send;
	}
	/*
	 * Over HTTPS, ask browsers to keep to it for a year. Not for the
	 * subdomains: on shared hosting they are often someone else's.
	 */
	if (r.https && resp_header(&rs, "Strict-Transport-Security",
	                           "max-age=31536000") == -1) {
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

	if (!(route->flags & APP_NOAUTH)) {
		ae = auth_identify(req_cookie(&r, auth_cookie_name(r.https)),
		                   r.bearer, cfg->session_idle,
		                   cfg->session_max, &a.who);
		switch (ae) {
		case AUTH_OK:
		case AUTH_ERR_NONE:
			break;
		case AUTH_ERR_INVALID:
			if (r.bearer != NULL) {
				/* A bad token is an error, not anonymity. */
				resp_error(&rs, 401,
				           "Invalid or expired token");
				resp_header(
				    &rs, "WWW-Authenticate",
				    "Bearer realm=\"fcgi-encrypted-db\", "
				    "error=\"invalid_token\"");
				goto send;
			}
			break; /* a stale cookie: anonymous */
		case AUTH_ERR_UNAVAILABLE:
			app_db_error(&a, DB_UNAVAILABLE);
			goto send;
		default:
			app_error(&a, 500, "Internal server error");
			goto send;
		}
	}

	route->handler(&a);
send:
	if (resp_send(h, &rs) == -1)
		LOG_WARN("could not send the response");
	ef_wipe(&a.who, sizeof(a.who));
	req_free(&r);
	resp_free(&rs);
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
	}

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
	for (;;) {
		if (http_idle(h, APP_IDLE_MS) == 0)
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

struct json_object *
app_user_json(const struct user *u)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	/* Keys in the boilerplate's (sorted) order. */
	bad |= json_object_object_add(o, "created_at",
	                              json_object_new_string(u->created_at));
	bad |= json_object_object_add(
	    o, "email",
	    u->email != NULL ? json_object_new_string(u->email) : NULL);
	if (u->email == NULL)
		bad |= json_object_object_add(
		    o, "email_error", json_object_new_string("unreadable"));
	bad |= json_object_object_add(o, "id", json_object_new_string(u->id));
	bad |= json_object_object_add(
	    o, "updated_at",
	    u->updated_at[0] != '\0' ? json_object_new_string(u->updated_at)
	                             : NULL);
	bad |= json_object_object_add(o, "user_type",
	                              json_object_new_string(u->user_type));
	bad |= json_object_object_add(o, "username",
	                              json_object_new_string(u->username));
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
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
	    tmpl_set(v, "created_at", u->created_at) == -1 ||
	    tmpl_set(v, "updated_at", u->updated_at) == -1)
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
