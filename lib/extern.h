/*
 * extern.h -- private interfaces shared by the files of libapp (lib/), the
 * routes (cgi-bin/) and encdb. Nothing here is installed. Each section
 * belongs to one module (one lib/ file, one module prefix) and documents
 * its functions' contracts: what they take, return, and who frees.
 *
 * Include order in users: system, libc, third-party (libpq, json-c,
 * fcgiapp), then "encfield.h", then "extern.h".
 */
#ifndef EXTERN_H
#define EXTERN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- log.c: the one way to write a log line --------------------------- */

enum log_level {
	LOG_LVL_ERR,  /* something failed */
	LOG_LVL_WARN, /* something odd but handled */
	LOG_LVL_INFO, /* normal but notable */
	LOG_LVL__MAX
};

/*
 * Write one line to stderr (the web server's error log): program name,
 * level, request id (if set), the calling function and the formatted
 * message, with control characters escaped as \xNN so that untrusted data
 * cannot forge log lines. Never pass secrets or PII (emails, passwords,
 * keys, tokens, ciphertexts) to it.
 */
void log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_ERR(...)  log_msg(LOG_LVL_ERR, __func__, __VA_ARGS__)
#define LOG_WARN(...) log_msg(LOG_LVL_WARN, __func__, __VA_ARGS__)
#define LOG_INFO(...) log_msg(LOG_LVL_INFO, __func__, __VA_ARGS__)

/* Set the program name (default "fcgi-encrypted-db"); not copied. */
void log_set_progname(const char *name);

/* Set the id of the current request (copied; NULL clears it). */
void log_set_request_id(const char *id);

/* ==== HTTP layer (owner: http): buf, http, req, valid, resp, tmpl ====== */

struct json_object;

/* ---- buf.c: growable byte buffer ---------------------------------------
 *
 * A struct buf is zero-initialised (BUF_INIT or memset) and always keeps its
 * data NUL-terminated once anything was appended, so data can be used as a
 * C string when the content has no NUL. Appending functions return 0, or -1
 * on allocation failure or size overflow; after a failure the buffer is
 * marked (oom = 1) and every further append fails too, so a caller may do
 * several appends and check once with buf_ok(). buf_free() releases data.
 */
struct buf {
	char *data; /* NULL until the first append; NUL-terminated after */
	size_t len; /* bytes used, not counting the terminating NUL */
	size_t cap; /* bytes allocated */
	int oom;    /* sticky: an append failed */
};

#define BUF_INIT {NULL, 0, 0, 0}

int buf_putmem(struct buf *b, const void *p, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, int c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 1 if no append has failed since the last buf_reset/buf_free, else 0. */
int buf_ok(const struct buf *b);
/* Empty the buffer (keeps the allocation, clears oom). */
void buf_reset(struct buf *b);
/* Free data and zero the struct. */
void buf_free(struct buf *b);
/* Free data, wiping it first: for buffers that held secrets or PII. */
void buf_free_wipe(struct buf *b);
/* Return the content as a C string: "" when empty; never NULL. */
const char *buf_cstr(const struct buf *b);

/* ---- http.c: FastCGI / plain CGI / custom I/O --------------------------
 *
 * struct http hides how the process gets its requests:
 *  - FastCGI (libfcgi FCGX_Init + FCGX_Accept_r/FCGX_Finish_r loop), when
 *    started by lighttpd mod_fastcgi or Apache mod_fcgid;
 *  - plain CGI (environ, stdin, stdout): exactly one request;
 *  - custom callbacks (tests, fuzzers): exactly one request.
 * Detection uses FCGX_IsCGI(). Strings from http_getenv() point into the
 * current request's environment and are valid only until the next
 * http_accept() or http_finish(): copy what must outlive the request
 * (req_parse does).
 *
 * Typical route main():
 *	struct http *h = http_new();
 *	while (http_accept(h) == 1) {
 *		struct req r; struct resp rs;
 *		resp_init(&rs);
 *		... req_parse(h, &r, ...); handle; resp_send(h, &rs);
 *		req_free(&r); resp_free(&rs);
 *		http_finish(h);
 *	}
 *	http_free(h);
 */
struct http;

/* Custom I/O for tests: getenv returns NULL for unset names; read returns
 * bytes read, 0 at end of input, -1 on error; write returns 0 or -1. */
struct http_io {
	const char *(*getenv)(void *arg, const char *name);
	long (*read)(void *arg, void *buf, size_t len);
	int (*write)(void *arg, const void *buf, size_t len);
	void *arg;
};

/* Create the I/O object for this process, detecting FastCGI vs CGI.
 * Returns NULL on failure (logged). Free with http_free(). */
struct http *http_new(void);
/* Create an I/O object over custom callbacks (copied); one request. */
struct http *http_new_io(const struct http_io *io);
/* Finish any open request and free h (NULL is fine). */
void http_free(struct http *h);
/* Wait for the next request: returns 1 when there is one, 0 when the
 * process should exit (CGI/custom: after the first request; FastCGI: on
 * shutdown), -1 on error (logged). Finishes the previous request first. */
int http_accept(struct http *h);
/* The named CGI variable of the current request, or NULL. See above for
 * the lifetime. */
const char *http_getenv(struct http *h, const char *name);
/* Read up to len bytes of the request body: returns the count, 0 at end,
 * -1 on error. Never reads more than the caller asks. */
long http_read(struct http *h, void *buf, size_t len);
/* Write len bytes of response: 0 on success, -1 on error. */
int http_write(struct http *h, const void *buf, size_t len);
/* Flush and end the current request (FCGX_Finish_r); idempotent. */
void http_finish(struct http *h);
/* 1 when running under FastCGI, 0 for CGI or custom I/O. */
int http_is_fastcgi(const struct http *h);

/* ---- req.c: request parsing --------------------------------------------
 *
 * req_parse() copies everything it needs out of the CGI environment, so a
 * struct req stays valid after http_finish() until req_free(). Input is
 * strict: every key and value (query, form, JSON strings, path) must be
 * valid UTF-8 without NUL or control characters (tab, CR, LF included:
 * no field allows them); keys at most REQ_KEY_MAX bytes, values at most
 * REQ_VALUE_MAX bytes, at most REQ_PARAMS_MAX parameters; a key given
 * twice (in the query, the body, or both) is an error naming the key.
 * JSON bodies must be one object, no duplicate keys at any depth, no
 * trailing data, depth <= REQ_JSON_DEPTH, no \u0000; members may be
 * strings, numbers, booleans or null (null = absent); nested objects and
 * arrays are allowed in the JSON tree (r->json) but are not fields.
 */
#define REQ_KEY_MAX	 64
#define REQ_VALUE_MAX	 8192
#define REQ_PARAMS_MAX	 64
#define REQ_JSON_DEPTH	 16
#define REQ_BODY_DEFAULT (64 * 1024) /* default body cap (setting) */

enum req_err {
	REQ_OK,		   /* no error */
	REQ_ERR_NOMEM,	   /* out of memory (500) */
	REQ_ERR_READ,	   /* I/O error reading the body (400) */
	REQ_ERR_LENGTH,	   /* CONTENT_LENGTH malformed or != body (400) */
	REQ_ERR_TOOBIG,	   /* body over the cap (413) */
	REQ_ERR_CTYPE,	   /* Content-Type not accepted by the route (415) */
	REQ_ERR_ENCODING,  /* bad percent-escape, bad UTF-8, control char (400) */
	REQ_ERR_TOOMANY,   /* too many parameters or too long (400) */
	REQ_ERR_REPEATED,  /* a key given twice (400); r->errfield names it */
	REQ_ERR_JSON,	   /* malformed JSON or trailing data (400) */
	REQ_ERR_JSON_DUP,  /* duplicate key in a JSON object (400) */
	REQ_ERR_JSON_DEPTH, /* JSON nested too deep (400) */
	REQ_ERR_JSON_TYPE, /* JSON top level not an object, or bad member (400) */
	REQ_ERR_INVALID,   /* field validation failed (422); see errs */
	REQ_ERR__MAX
};

/* Message for the client, e.g. "Request body too large"; never NULL. */
const char *req_strerror(enum req_err err);
/* The HTTP status for an error (400, 413, 415, 422, 500). */
int req_err_status(enum req_err err);

enum req_method {
	REQ_METHOD_GET,
	REQ_METHOD_HEAD,
	REQ_METHOD_POST,
	REQ_METHOD_PUT,
	REQ_METHOD_PATCH,
	REQ_METHOD_DELETE,
	REQ_METHOD_OPTIONS,
	REQ_METHOD__MAX /* anything else: answer 405 */
};

/* "GET", ...; "UNKNOWN" for REQ_METHOD__MAX. */
const char *req_method_name(enum req_method m);

/* What the client wants back (Accept negotiation). */
enum req_fmt {
	REQ_FMT_JSON, /* default: no Accept, application/json, * / *, ... */
	REQ_FMT_HTML, /* text/html preferred (as browsers send) */
	REQ_FMT__MAX
};

/* Which body types a route accepts (bit set for req_parse). */
#define REQ_BODY_FORM 0x01 /* application/x-www-form-urlencoded */
#define REQ_BODY_JSON 0x02 /* application/json */

/* Where a parameter came from. */
enum req_src {
	REQ_SRC_QUERY, /* QUERY_STRING */
	REQ_SRC_BODY,  /* form or JSON body */
	REQ_SRC__MAX
};

struct req_param {
	char *key;	  /* decoded, NUL-terminated, valid UTF-8 */
	char *val;	  /* decoded, NUL-terminated, valid UTF-8 */
	size_t valsz;	  /* strlen(val) */
	enum req_src src; /* query or body */
};

struct req_cookie {
	char *name;
	char *val;
};

struct req {
	enum req_method method;
	enum req_fmt fmt;	   /* negotiated response format */
	char *path_info;	   /* PATH_INFO ("" if none) */
	char *uri_path;		   /* REQUEST_URI path, percent-decoded ("") */
	char *script_name;	   /* SCRIPT_NAME ("" if none) */
	char *remote_addr;	   /* REMOTE_ADDR ("" if none) */
	char *origin;		   /* Origin header, or NULL */
	char *bearer;		   /* Authorization: Bearer token, or NULL */
	int https;		   /* 1 when HTTPS=on or REQUEST_SCHEME=https */
	char id[33];		   /* random request id, 32 hex chars */
	struct req_param *params;  /* query and body parameters */
	size_t paramsz;
	struct req_cookie *cookies; /* parsed Cookie header */
	size_t cookiesz;
	struct json_object *json;  /* JSON body (owned), or NULL */
	enum req_err err;	   /* what req_parse/req_fields returned */
	char errfield[REQ_KEY_MAX + 1]; /* key for REQ_ERR_REPEATED ("") */
};

/*
 * Parse the current request of h into r (which the caller allocates; it
 * is zeroed first). accept is a set of REQ_BODY_* the route takes; a
 * request with a body (CONTENT_LENGTH > 0) of another Content-Type fails
 * with REQ_ERR_CTYPE. body_max caps the body (REQ_BODY_DEFAULT if 0): a
 * larger CONTENT_LENGTH fails with REQ_ERR_TOOBIG before reading a byte.
 * Also sets the log request id. Returns REQ_OK or the error (also in
 * r->err); even on error, method/fmt/paths/addr/id are usable so that an
 * error response can be negotiated. Always call req_free(r) afterwards.
 */
enum req_err req_parse(struct http *h, struct req *r, unsigned int accept,
    size_t body_max);
/* Free everything r owns (wiping parameter values); r may be reused. */
void req_free(struct req *r);
/* The value of cookie name, or NULL. Points into r. */
const char *req_cookie(const struct req *r, const char *name);
/*
 * The route's path parameter: the part of the path after the route
 * prefix, e.g. "admin" for /user/admin with prefix "/user/". Taken from
 * PATH_INFO when the server sets it (lighttpd mod_fastcgi, Apache
 * ScriptAlias/Alias + fcgid or CGI, .htaccess rewrites to script/x), else
 * from the decoded REQUEST_URI path if it starts with prefix. Returns a
 * pointer into r, or NULL when there is none (or it is empty).
 */
const char *req_path_tail(const struct req *r, const char *prefix);

/* ---- valid.c: field tables and validators (kcgi style) -----------------
 *
 * A route declares its inputs once:
 *	enum key { KEY_USERNAME, KEY_LIMIT, KEY__MAX };
 *	static const struct field keys[KEY__MAX] = {
 *		{ valid_username, "username", FIELD_BODY | FIELD_REQUIRED },
 *		{ valid_limit, "limit", FIELD_QUERY },
 *	};
 *	struct pair p[KEY__MAX]; struct field_errors fe;
 *	if (req_fields(&r, keys, KEY__MAX, p, &fe) != REQ_OK) -> 400/422
 * Keys the table does not declare are ignored (dropped, as Kore does):
 * handlers only ever see validated values. A declared key that arrives
 * from a source its flags do not allow is an error for that field.
 */
enum pair_state {
	PAIR_ABSENT,  /* not sent (or JSON null) */
	PAIR_VALID,   /* sent and valid: parsed is set */
	PAIR_INVALID, /* sent and invalid: err is set */
	PAIR__MAX
};

struct pair {
	const char *key;       /* the field name (from the table) */
	const char *val;       /* raw value (points into the req), or NULL */
	size_t valsz;	       /* strlen(val) */
	enum pair_state state;
	const char *err;       /* static message when invalid */
	union {
		int64_t i;     /* valid_strtonum-based validators */
		const char *s; /* string validators: == val */
		uint8_t uuid[16];
	} parsed;
};

/* A validator: returns 1 and fills p->parsed when p->val is valid, else
 * returns 0 and may set p->err (a static, PII-free message). */
typedef int (*valid_fn)(struct pair *p);

#define FIELD_QUERY    0x01 /* may come from the query string */
#define FIELD_BODY     0x02 /* may come from the form/JSON body */
#define FIELD_ANY      (FIELD_QUERY | FIELD_BODY)
#define FIELD_REQUIRED 0x04 /* absent -> "is required" error */

struct field {
	valid_fn valid;	    /* NULL: any string passing req_parse rules */
	const char *name;   /* key in query/form/JSON */
	unsigned int flags; /* FIELD_* */
};

#define FIELD_ERRORS_MAX 32

/* Per-field validation failures, for {"error": ..., "fields": {...}}. */
struct field_errors {
	size_t n;
	struct {
		const char *name; /* field name (from the table) */
		const char *msg;  /* static message */
	} e[FIELD_ERRORS_MAX];
};

/*
 * Fill out[0..n-1] from the parameters of r according to fields[0..n-1]
 * and run the validators. Returns REQ_OK when every present field is valid
 * and every required one present; REQ_ERR_INVALID (422) with errs filled
 * otherwise. out values point into r (valid until req_free). errs may be
 * NULL.
 */
enum req_err req_fields(struct req *r, const struct field *fields, size_t n,
    struct pair *out, struct field_errors *errs);

/*
 * strtonum(3)-style: parse the whole of s as a base-10 integer within
 * [min, max]. Returns the value and sets *errstr to NULL, or returns 0
 * and sets *errstr to "invalid", "too small" or "too large". No leading
 * whitespace or '+', no trailing characters.
 */
long long valid_strtonum(const char *s, long long min, long long max,
    const char **errstr);

/* 1 if s[0..len-1] is valid UTF-8 (no overlongs, surrogates, > U+10FFFF)
 * without NUL or control characters (C0, DEL, C1), else 0. */
int valid_utf8_text(const char *s, size_t len);

/*
 * The validators (each: 1 valid / 0 invalid with p->err set).
 *  username:  1..64 bytes of UTF-8 text, no '/', no whitespace at either
 *             end, not "." or ".."; parsed.s
 *  email:     <= 254 bytes, local@domain, ASCII local part of atext and
 *             dots (no leading/trailing/double dot, <= 64), domain of
 *             LDH labels (1..63, not starting/ending '-') with at least
 *             one dot, or ASCII letters; parsed.s
 *  password:  8..1024 bytes (any UTF-8 text); parsed.s
 *  user_type: "admin" or "user"; parsed.s
 *  limit:     1..100; parsed.i
 *  cursor:    opaque pagination cursor: 1..256 bytes of base64url
 *             [A-Za-z0-9_-]; parsed.s
 *  uuid:      canonical 8-4-4-4-12 hex (any case); parsed.uuid
 *  csrf:      43 base64url characters (32 random bytes); parsed.s
 *  token:     API token: 16..256 bytes of base64url; parsed.s
 *  text:      any text passing req_parse rules, <= REQ_VALUE_MAX; parsed.s
 */
int valid_username(struct pair *p);
int valid_email(struct pair *p);
int valid_password(struct pair *p);
int valid_user_type(struct pair *p);
int valid_limit(struct pair *p);
int valid_cursor(struct pair *p);
int valid_uuid(struct pair *p);
int valid_csrf(struct pair *p);
int valid_token(struct pair *p);
int valid_text(struct pair *p);

/* ---- resp.c: responses and headers -------------------------------------
 *
 * A handler builds one struct resp and sends it once. resp_init() starts
 * pessimistic: status 500, no body. resp_send() adds the security headers
 * (CSP, nosniff, X-Frame-Options, Referrer-Policy, Cache-Control:
 * no-store) to every response, plus Content-Type/Content-Length, and
 * writes "Status: NNN reason". Header names must be tokens and values may
 * not contain CR, LF or NUL (refused with -1; nothing is added).
 */
struct resp {
	int status;	   /* HTTP status, 500 until set */
	const char *ctype; /* Content-Type, static string or NULL */
	struct buf headers; /* extra "Name: value\r\n" lines */
	struct buf body;
};

#define RESP_CT_JSON "application/json"
#define RESP_CT_HTML "text/html; charset=utf-8"

/* Initialise rs: status 500, no headers, no body. */
void resp_init(struct resp *rs);
/* Free what rs owns (the body is wiped: it may hold PII). */
void resp_free(struct resp *rs);
/* Add a header; 0 on success, -1 on a bad name/value (CR/LF/NUL) or OOM. */
int resp_header(struct resp *rs, const char *name, const char *value);
/* Body = obj serialised by json-c (JSON_C_TO_STRING_PLAIN); obj is not
 * taken (caller still puts it). Replaces any previous body. 0 / -1. */
int resp_json(struct resp *rs, int status, struct json_object *obj);
/* Body = {"error": msg}; 0 / -1. */
int resp_error(struct resp *rs, int status, const char *msg);
/* Body = {"error": msg, "fields": {name: msg, ...}}; errs may be NULL. */
int resp_error_fields(struct resp *rs, int status, const char *msg,
    const struct field_errors *errs);
/* Body = template name rendered with vars (see tmpl.c), text/html. */
struct tmpl_vars;
int resp_html(struct resp *rs, int status, const char *name,
    const struct tmpl_vars *vars);
/* status (301, 302, 303, 307, 308) with Location; empty body. 0 / -1. */
int resp_redirect(struct resp *rs, int status, const char *location);
/* 204/304 etc.: status and no body. */
void resp_status(struct resp *rs, int status);
/* Set-Cookie: name=value; Path=/; HttpOnly; SameSite=Strict[; Secure]
 * [; Max-Age=N]. max_age < 0: session cookie; 0: delete it. name must be
 * a token, value base64url/token chars only. 0 / -1. */
int resp_cookie(struct resp *rs, const char *name, const char *value,
    long max_age, int secure);
/* Allow: methods (e.g. "GET, HEAD"), for 405 and OPTIONS. 0 / -1. */
int resp_allow(struct resp *rs, const char *methods);
/* Retry-After: seconds, for 503 and 429. 0 / -1. */
int resp_retry_after(struct resp *rs, unsigned int seconds);
/*
 * CORS: if origin (the request's Origin, may be NULL) exactly equals one
 * entry of allowed (comma-separated list, spaces ignored; NULL or "" =
 * CORS off), add Access-Control-Allow-Origin: origin and
 * Access-Control-Allow-Headers/Methods for preflight. Always adds
 * Vary: Origin when allowed is configured. Returns 1 if allowed, 0 if not,
 * -1 on error.
 */
int resp_cors(struct resp *rs, const char *allowed, const char *origin);
/* "OK", "Not Found", ...; "Unknown" for others. */
const char *resp_reason(int status);
/*
 * Write rs to h: Status, security headers, Content-Type, Content-Length,
 * extra headers, blank line, body (omitted for HEAD, 204 and 304).
 * Returns 0, or -1 on a write error (logged). rs is not freed.
 */
int resp_send(struct http *h, const struct resp *rs);

/* ---- tmpl.c: templates and escapers ------------------------------------
 *
 * Templates are files TEMPLATE_DIR/<name>.html (name: [a-z0-9_-], 1..64),
 * parsed once per process and cached by name. Syntax:
 *	{{name}}		value, HTML-text-escaped
 *	{{attr:name}}		value, attribute-escaped (inside "...")
 *	{{url:name}}		value, percent-encoded as a URL component
 *	{{href:name}}		a whole URL for href/src/action: relative, or
 *				http/https/mailto; any other scheme (javascript:,
 *				data:, ...) becomes "about:invalid#blocked";
 *				then attribute-escaped
 *	{{raw:name}}		value as is: only for trusted, pre-rendered
 *				fragments (e.g. a rendered sub-template)
 *	{{#if name}}..{{else}}..{{/if}}	name set: non-empty string, true
 *				bool, non-empty list
 *	{{#unless name}}..{{/unless}}	the opposite
 *	{{#each name}}..{{/each}}	once per row of list name; inside, names
 *				are looked up in the row, then outwards
 *	{{>name}}		include template name (same vars)
 * A {{name}} whose variable is not set is a render error (TMPL_ERR_MISSING):
 * set "" for empty values. Names: [A-Za-z0-9_]+.
 */
enum tmpl_err {
	TMPL_OK,	  /* no error */
	TMPL_ERR_NOMEM,	  /* out of memory */
	TMPL_ERR_NAME,	  /* bad template name */
	TMPL_ERR_IO,	  /* template file missing or unreadable */
	TMPL_ERR_SYNTAX,  /* unbalanced/unknown tag in the template */
	TMPL_ERR_MISSING, /* a placeholder's variable is not set */
	TMPL_ERR_TYPE,	  /* variable of the wrong kind (list vs string) */
	TMPL_ERR_DEPTH,	  /* includes nested too deep */
	TMPL_ERR__MAX
};

const char *tmpl_strerror(enum tmpl_err err);

/* Set the template directory (copied); default: $TEMPLATE_DIR or the
 * compiled-in TEMPLATEDIR. Clears the cache. 0 / -1. */
int tmpl_set_dir(const char *dir);
/* Free every cached template. */
void tmpl_cache_clear(void);

/* Variables: a scope of name -> string | bool | list of scopes. */
struct tmpl_vars;
/* New empty scope; NULL on OOM. Free with tmpl_vars_free(). */
struct tmpl_vars *tmpl_vars_new(void);
/* Free a scope and everything under it (values are wiped). NULL is ok. */
void tmpl_vars_free(struct tmpl_vars *v);
/* Set name to a copy of value (replacing). 0 / -1 (OOM, bad name,
 * value NULL). */
int tmpl_set(struct tmpl_vars *v, const char *name, const char *value);
int tmpl_setf(struct tmpl_vars *v, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tmpl_set_bool(struct tmpl_vars *v, const char *name, int value);
/* Make name an (initially empty) list; 0 / -1. */
int tmpl_set_list(struct tmpl_vars *v, const char *name);
/* Append a new row (scope) to list name (created if needed) and return it
 * (owned by v), or NULL on error. */
struct tmpl_vars *tmpl_add_row(struct tmpl_vars *v, const char *name);

/* Render template name with vars (may be NULL) and append to out. */
enum tmpl_err tmpl_render(struct buf *out, const char *name,
    const struct tmpl_vars *vars);
/* Render template text src (not cached; includes load from the dir). */
enum tmpl_err tmpl_render_string(struct buf *out, const char *src,
    size_t srclen, const struct tmpl_vars *vars);

/* The escapers, one per context (table-driven); append to out. 0 / -1. */
int tmpl_esc_html(struct buf *out, const char *s);  /* & < > " ' */
int tmpl_esc_attr(struct buf *out, const char *s);  /* + ` = */
int tmpl_esc_url(struct buf *out, const char *s);   /* all but unreserved */
int tmpl_esc_href(struct buf *out, const char *s);  /* scheme check + attr */
/* 1 if s is a URL allowed in href (relative, http, https, mailto). */
int tmpl_url_safe(const char *s);

#endif /* !EXTERN_H */
