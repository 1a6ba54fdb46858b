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
#include <time.h>

#include "hex.h"

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

/*
 * Drop every log line (on != 0) or write them again (0). encdb is quiet
 * unless run with -v: it tells the operator in its own words what
 * happened, and the log lines name internal functions.
 */
void log_set_quiet(int on);

/* ==== HTTP layer: buf, http, json, req, valid, resp, tmpl ============== */

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

#define BUF_INIT                                                               \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

/* Make room for need more bytes now, so that appends up to that size do
 * not reallocate (and copy and wipe) as they go. 0, or -1 as an append. */
int buf_reserve(struct buf *b, size_t need);
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
/* Finish the previous request, then wait up to ms milliseconds for the
 * next connection: 0 if none came (FastCGI only), 1 if one is waiting or
 * the mode has no listening socket (CGI, custom). The caller then calls
 * http_accept() as usual. */
int http_idle(struct http *h, int ms);
/* The named CGI variable of the current request, or NULL. See above for
 * the lifetime. */
const char *http_getenv(struct http *h, const char *name);
/* Read up to len bytes of the request body: returns the count, 0 at end,
 * -1 on error. Never reads more than the caller asks. */
long http_read(struct http *h, void *buf, size_t len);
/* After the announced body was read: 1 if the client sent more bytes
 * than that, 0 if not, -1 on error. Never blocks under plain CGI (it only
 * looks at what is already there); FastCGI streams end with an empty
 * record, so there it reads up to that. */
int http_body_extra(struct http *h);
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
#define REQ_KEY_MAX      64
#define REQ_VALUE_MAX    8192
#define REQ_PARAMS_MAX   64
#define REQ_JSON_DEPTH   16
#define REQ_BODY_DEFAULT (64 * 1024) /* default body cap (setting) */

enum req_err {
	REQ_OK,           /* no error */
	REQ_ERR_NOMEM,    /* out of memory (500) */
	REQ_ERR_READ,     /* I/O error reading the body (400) */
	REQ_ERR_LENGTH,   /* CONTENT_LENGTH malformed or != body (400) */
	REQ_ERR_NOLENGTH, /* a body (Transfer-Encoding) without length (411) */
	REQ_ERR_TOOBIG,   /* body over the cap (413) */
	REQ_ERR_CTYPE,    /* Content-Type not accepted by the route (415) */
	REQ_ERR_ENCODING, /* bad percent-escape, bad UTF-8, control char (400)
	                   */
	REQ_ERR_TOOMANY,  /* too many parameters or too long (400) */
	REQ_ERR_REPEATED, /* a key given twice (400); r->errfield names it */
	REQ_ERR_JSON,     /* malformed JSON or trailing data (400) */
	REQ_ERR_JSON_DUP, /* duplicate key in a JSON object (400) */
	REQ_ERR_JSON_DEPTH, /* JSON nested too deep (400) */
	REQ_ERR_JSON_TYPE,  /* JSON top level not an object (400) */
	REQ_ERR_INVALID,    /* field validation failed (422); see errs */
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
	char *key;        /* decoded, NUL-terminated, valid UTF-8 */
	char *val;        /* decoded, NUL-terminated, valid UTF-8 */
	size_t valsz;     /* strlen(val) */
	enum req_src src; /* query or body */
};

struct req_cookie {
	char *name;
	char *val;
};

struct req {
	enum req_method method;
	enum req_fmt fmt;         /* negotiated response format */
	char *path_info;          /* PATH_INFO ("" if none) */
	char *uri_path;           /* REQUEST_URI path, percent-decoded ("") */
	char *script_name;        /* SCRIPT_NAME ("" if none) */
	char *remote_addr;        /* REMOTE_ADDR ("" if none) */
	char *origin;             /* Origin header, or NULL */
	char *bearer;             /* Authorization: Bearer token, or NULL */
	int https;                /* 1 when HTTPS=on or REQUEST_SCHEME=https */
	char id[33];              /* random request id, 32 hex chars */
	struct req_param *params; /* query and body parameters */
	size_t paramsz;
	struct req_cookie *cookies; /* parsed Cookie header */
	size_t cookiesz;
	struct json_object *json;       /* JSON body (owned), or NULL */
	enum req_err err;               /* what req_parse/req_fields returned */
	char errfield[REQ_KEY_MAX + 1]; /* key for REQ_ERR_REPEATED ("") */
	char errmsg[160];               /* client message for r->err, e.g.
	                                   "Repeated parameter: username" */
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
enum req_err req_parse(
    struct http *h, struct req *r, unsigned int accept, size_t body_max);
/* Free everything r owns (wiping parameter values and the JSON body's
 * strings); r may be reused. */
void req_free(struct req *r);
/* Overwrite every string value in o (a body may carry a password). */
void req_json_wipe(struct json_object *o);

/* ---- json.c: JSON request bodies -------------------------------------- */

/*
 * Check and parse the JSON text body[0..len-1]: a top-level object of
 * UTF-8 text, nested at most REQ_JSON_DEPTH deep, without duplicate keys
 * or \u0000. REQ_OK with *out set (the caller frees it with
 * req_json_wipe and json_object_put), or the reason (the repeated key in
 * dupkey for REQ_ERR_JSON_DUP, else "").
 */
enum req_err json_parse_object(const char *body, size_t len,
    struct json_object **out, char dupkey[REQ_KEY_MAX + 1]);

/*
 * Append s to b as a JSON string, quoted and escaped byte for byte as
 * json-c writes it (JSON_C_TO_STRING_NOSLASHESCAPE): \" \\ \b \f \n \r
 * \t, other bytes below 0x20 as \u00xx, everything else as it is; NULL
 * as null. 0, or -1 if b ran out of memory.
 */
int json_put_str(struct buf *b, const char *s);
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
 * from a source its flags do not allow is an error for that field, and so
 * is a declared key of a JSON body whose value is not a string (number,
 * boolean, null, object, array): "must be a string".
 */
enum pair_state {
	PAIR_ABSENT,  /* not sent */
	PAIR_VALID,   /* sent and valid: parsed is set */
	PAIR_INVALID, /* sent and invalid: err is set */
	PAIR__MAX
};

struct pair {
	const char *key; /* the field name (from the table) */
	const char *val; /* raw value (points into the req), or NULL */
	size_t valsz;    /* strlen(val) */
	enum pair_state state;
	const char *err; /* static message when invalid */
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
	valid_fn valid;     /* NULL: any string passing req_parse rules */
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
long long valid_strtonum(
    const char *s, long long min, long long max, const char **errstr);

/* 1 if s[0..len-1] is valid UTF-8 (no overlongs, surrogates, > U+10FFFF)
 * without NUL or control characters (C0, DEL, C1), else 0. */
int valid_utf8_text(const char *s, size_t len);

/* 1 if s[0..len-1] is valid UTF-8 without NUL (control characters
 * allowed: what a PostgreSQL text value may hold), else 0. */
int valid_utf8(const char *s, size_t len);

/* The most rows a page of a list holds: the limit parameter's bound
 * (valid_limit) and users_list's. */
#define PAGE_MAX 100

/* The spelling of a macro's value as a string literal, for messages and
 * SQL: STR(PAGE_MAX) is "100". */
#define STR(x)  STR_(x)
#define STR_(x) #x

/*
 * The validators (each: 1 valid / 0 invalid with p->err set).
 *  username:  a new name (README, "Usernames"): 1..64 bytes of UTF-8
 *             text, no '/', no space at either end, not "." or "..", no
 *             invisible characters or spaces other than U+0020, no
 *             combining diacritics or other characters NFC replaces (see
 *             username_refused in valid.c); parsed.s
 *  username_lookup: any name a row may hold, the boilerplate's too:
 *             1..64 bytes of UTF-8 without NUL, no '/', not "." or "..";
 *             parsed.s
 *  email:     <= 254 bytes, local@domain; the local part (<= 64) is
 *             RFC 5322 atext and dots (no leading, trailing or double
 *             dot); the domain is ASCII letters/digits/hyphen labels
 *             (1..63, not starting or ending with '-'), at least two of
 *             them; no quoted local parts, IP literals or raw UTF-8
 *             (IDN domains must come as xn--); parsed.s
 *  password:  8..1024 bytes (any UTF-8 text); parsed.s
 *  user_type: "admin" or "user"; parsed.s
 *  limit:     1..PAGE_MAX; parsed.i
 *  cursor:    opaque pagination cursor (users_cursor_decode accepts
 *             it); parsed.s
 *  uuid:      canonical 8-4-4-4-12 hex (any case); parsed.uuid
 *  csrf:      43 base64url characters (32 random bytes); parsed.s
 *  token:     API token: 16..256 bytes of base64url; parsed.s
 *  text:      any text passing req_parse rules, <= REQ_VALUE_MAX; parsed.s
 *  next:      where to go after signing in: a path of this site ("/...",
 *             not "//...", no backslash), <= 2048 bytes; parsed.s
 */
int valid_username(struct pair *p);
int valid_username_lookup(struct pair *p);
int valid_email(struct pair *p);
int valid_password(struct pair *p);
int valid_user_type(struct pair *p);
int valid_limit(struct pair *p);
int valid_cursor(struct pair *p);
int valid_uuid(struct pair *p);
int valid_csrf(struct pair *p);
int valid_token(struct pair *p);
int valid_text(struct pair *p);
int valid_next(struct pair *p);

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
	int status;         /* HTTP status, 500 until set */
	const char *ctype;  /* Content-Type, static string or NULL */
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
 * taken (caller still puts it), but its string values are wiped (they may
 * hold PII): only put it afterwards. Replaces any previous body. 0 / -1. */
int resp_json(struct resp *rs, int status, struct json_object *obj);
/* For a JSON body the caller writes itself: replaces any previous body,
 * sets status and the JSON type, and returns the body to append to. */
struct buf *resp_json_body(struct resp *rs, int status);
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
/* Set-Cookie: name=value; Path=path; HttpOnly; SameSite=Strict[; Secure]
 * [; Max-Age=N]. max_age < 0: session cookie; 0: delete it (also sends an
 * Expires in 1970). name must be a token, value only [A-Za-z0-9-._~]
 * (base64url and hex fit), path start with "/" and hold no ";", CR or
 * LF. 0 / -1. */
int resp_cookie(struct resp *rs, const char *name, const char *value,
    long max_age, int secure, const char *path);
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
 *				http/https/mailto; any other scheme
 *(javascript:, data:, ...) becomes "about:invalid#blocked"; then
 *attribute-escaped
 *	{{raw:name}}		value as is: only for trusted, pre-rendered
 *				fragments (e.g. a rendered sub-template)
 *	{{#if name}}..{{else}}..{{/if}}	name set: non-empty string, true
 *				bool, non-empty list
 *	{{#unless name}}..{{/unless}}	the opposite
 *	{{#each name}}..{{/each}}	once per row of list name; inside, names
 *				are looked up in the row, then outwards
 *	{{>name}}		include template name (same vars), nesting
 *				at most 8 deep
 *	{{! text }}		a comment, removed
 * ({{else}} belongs to #if/#unless only; tags may have spaces inside the
 * braces: {{ name }}; anything else between {{ and }} is a syntax error.)
 * A {{name}} whose variable is not set is a render error (TMPL_ERR_MISSING):
 * set "" for empty values. Names: [A-Za-z0-9_]+.
 */
enum tmpl_err {
	TMPL_OK,          /* no error */
	TMPL_ERR_NOMEM,   /* out of memory */
	TMPL_ERR_NAME,    /* bad template name */
	TMPL_ERR_IO,      /* template file missing or unreadable */
	TMPL_ERR_SYNTAX,  /* unbalanced/unknown tag in the template */
	TMPL_ERR_MISSING, /* a placeholder's variable is not set */
	TMPL_ERR_TYPE,    /* variable of the wrong kind (list vs string) */
	TMPL_ERR_DEPTH,   /* includes nested too deep */
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
enum tmpl_err tmpl_render(
    struct buf *out, const char *name, const struct tmpl_vars *vars);
/* Render template text src (not cached; includes load from the dir). */
enum tmpl_err tmpl_render_string(struct buf *out, const char *src,
    size_t srclen, const struct tmpl_vars *vars);

/* The escapers, one per context (table-driven); append to out. 0 / -1. */
int tmpl_esc_html(struct buf *out, const char *s); /* & < > " ' */
int tmpl_esc_attr(struct buf *out, const char *s); /* + ` = */
int tmpl_esc_url(struct buf *out, const char *s);  /* all but unreserved */
int tmpl_esc_href(struct buf *out, const char *s); /* scheme check + attr */
/* 1 if s is a URL allowed in href (relative, http, https, mailto). */
int tmpl_url_safe(const char *s);

/* ---- cfg.c: settings (README, Configuration) ----------------------------
 * Every setting is read from the environment, else from a file of that name
 * in SECRETS_PATH (default cfg_secrets_default(); one trailing newline
 * stripped),
 * else from the optional CONFIG_FILE (KEY=VALUE lines, # comments). Error
 * messages name the setting and the problem, never the value.
 */

#include "encfield.h" /* enum ef_err, key types; guarded */

enum cfg_err {
	CFG_OK,          /* success */
	CFG_ERR_MISSING, /* a required setting is not set */
	CFG_ERR_INVALID, /* a setting is malformed (bad key, number...) */
	CFG_ERR_IO,      /* a secrets or config file could not be read */
	CFG_ERR_NOMEM,   /* out of memory */
	CFG_ERR__MAX
};

/* Flags of cfg_load: which settings must be present. */
#define CFG_NEED_DB   0x01 /* DATABASE_URL or POSTGRES_HOST... */
#define CFG_NEED_KEYS 0x02 /* FIELD_KEYS and INDEX_KEY */
#define CFG_ALL_ERRS  0x04 /* go on after an error; err gets every line */

struct cfg {
	char *conninfo;          /* libpq URI/conninfo (secret); NULL: unset */
	char *read_conninfo;     /* DATABASE_READ_URL (secret); NULL: unset */
	unsigned read_max_lag;   /* READ_MAX_LAG s, default 5 */
	struct ef_keyring *keys; /* FIELD_KEYS; NULL: unset */
	struct ef_index_key *index_key; /* INDEX_KEY; NULL: unset */
	struct ef_legacy *legacy;       /* POSTGRES_SECRET_KEY + LEGACY_ENGINE;
	                                   NULL without POSTGRES_SECRET_KEY */
	char *legacy_salt;     /* SECRET_KEY (secret, in libgcrypt secure
	                  memory); NULL: unset */
	size_t legacy_saltlen; /* its length in bytes */
	size_t body_max;       /* BODY_MAX bytes, default 65536 */
	int db_unnamed;        /* 1: DB_PREPARED_STATEMENTS=off (PgBouncer) */
	unsigned connect_timeout;   /* DB_CONNECT_TIMEOUT s, default 3 */
	unsigned statement_timeout; /* DB_STATEMENT_TIMEOUT ms, default 5000 */
	unsigned session_idle;      /* SESSION_IDLE s, default 1800 */
	unsigned session_max;       /* SESSION_MAX s, default 43200 */
	unsigned auth_cache;        /* AUTH_CACHE s, default 5; 0: off */
	unsigned idle_trim;         /* IDLE_TRIM ms, default 1000 */
	char *cors_origins; /* CORS_ORIGINS, comma-separated; NULL: off */
	int sandbox;        /* SANDBOX: 1 on (default), 0 off */
	struct proxy_net *trusted_proxies; /* TRUSTED_PROXIES; NULL: none */
	size_t ntrusted_proxies;
	char *template_dir;     /* TEMPLATE_DIR, default TEMPLATEDIR */
	char *sql_dir;          /* SQL_DIR, default SQLDIR (migrations) */
	char *time_zone;        /* TIME_ZONE of timestamps, default "UTC" */
	char *base_path;        /* BASE_PATH without its trailing "/":
	                           "" (default) or e.g. "/tools/app" */
	char *secrets_path;     /* SECRETS_PATH (cfg_secrets_default) */
	char *config_file;      /* CONFIG_FILE; NULL: none */
	struct cfg_kv *file_kv; /* parsed CONFIG_FILE (private) */
};

/* Return a static one-line message for err. Never NULL. */
const char *cfg_strerror(enum cfg_err err);

/*
 * The secrets directory used when SECRETS_PATH is unset: SECRETSDIR
 * (configure's sysconfdir/fcgi-encrypted-db/secrets), or, when that does
 * not exist and /run/secrets does (the boilerplate's, Docker's secrets),
 * /run/secrets. A static string.
 */
const char *cfg_secrets_default(void);

/* Told the path and mode of each settings file others may read. */
typedef void (*cfg_exposed_fn)(const char *path, unsigned mode, void *arg);

/*
 * Call fn for CONFIG_FILE and each setting's file in the secrets directory
 * of *c (after cfg_load) that users other than the owner and group may
 * read, as they could read the secrets in it. Returns how many there were.
 * Only names and modes are looked at, never contents.
 */
size_t cfg_exposed(const struct cfg *c, cfg_exposed_fn fn, void *arg);

/*
 * Fill *c (caller's storage, any contents) from the settings. flags say
 * which settings are required (CFG_NEED_*); optional ones that are set
 * must still be valid. On error, err (errsz bytes, may be NULL/0) gets a
 * message naming the setting, e.g. "FIELD_KEYS: entry 2: key is not 32
 * bytes"; with CFG_ALL_ERRS every problem is reported, one per line.
 * Whatever the result, release *c with cfg_free.
 */
enum cfg_err cfg_load(struct cfg *c, unsigned flags, char *err, size_t errsz);

/*
 * Look up any other setting by name through the same sources (environment,
 * secrets file, config file). *value is malloc'd (caller frees, wiping it
 * if it is secret) or NULL when unset. CFG_ERR_IO if a secrets file exists
 * but cannot be read.
 */
enum cfg_err cfg_get(const struct cfg *c, const char *name, char **value);

/* Wipe the secrets and free everything in *c (not c itself). */
void cfg_free(struct cfg *c);

/* ---- db.c: the process's one PostgreSQL connection ---------------------
 * Opened lazily on first use and reopened after it was lost (when not in a
 * transaction). On connect: connect_timeout, TCP keepalives, search_path
 * pg_catalog, public (so SQL must schema-qualify: public.users),
 * statement_timeout and TimeZone from struct cfg. Every query also has a
 * client-side deadline (statement timeout + 2 s), so a stuck server yields
 * DB_UNAVAILABLE, never a hang.
 *
 * Behind PgBouncer in transaction pooling (DB_PREPARED_STATEMENTS=off)
 * those session settings may not follow the server connection: SQL must
 * therefore not depend on them (qualify names, format times explicitly as
 * users.c does), and operators set statement_timeout on the role
 * (ALTER ROLE ... SET statement_timeout = '5s'). The client-side deadline
 * holds in every case. Not for use from several threads.
 */

struct pg_conn;
struct pg_result;

enum db_err {
	DB_OK,          /* success */
	DB_NOTFOUND,    /* no such row (set by callers: users_ etc.) */
	DB_CONFLICT,    /* unique violation (SQLSTATE 23505): HTTP 409 */
	DB_UNAVAILABLE, /* cannot connect, connection lost, timeout: 503 */
	DB_ERROR,       /* any other failure: 500 */
	DB_AUDIT,       /* the audit entry could not be written: 503 */
	DB__MAX
};

/*
 * A statement, defined static const in the module that owns it. name must
 * be unique in the whole program (prefix it with the module: "users_find");
 * sql uses $1..$n only. Prepared under name on first use per connection,
 * or run unnamed (PQexecParams) when cfg->db_unnamed.
 */
struct db_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

/* Return a static one-line message for err. Never NULL. */
const char *db_strerror(enum db_err err);

/* The channel on which the database announces changes to credentials. */
#define DB_AUTH_CHANNEL "encdb_auth"

/*
 * 1 if credentials may have changed since the last call: a notification
 * on DB_AUTH_CHANNEL arrived, the connection is new, lost or absent, or
 * notifications cannot be had (no AUTH_CACHE, or PgBouncer). Reads what
 * the server has sent without waiting; never a round trip.
 */
int db_notified(void);

/*
 * Remember cfg (not copied: it must outlive the connection) for the
 * connection, which is opened by the first db_exec. Closes any previous
 * connection. Returns DB_ERROR if cfg has no conninfo.
 */
enum db_err db_init(const struct cfg *cfg);

/* Connect now if not connected (encdb check, healthz). */
enum db_err db_connect(void);

/* Close the connection and forget cfg. Safe to call more than once. */
void db_close(void);

/*
 * Run st with st->nparams parameters: values[i] is text (formats NULL or
 * formats[i] == 0) or binary with lengths[i] bytes (formats[i] == 1, e.g.
 * bytea); values[i] NULL is SQL NULL. Results come back in text format
 * (bytea as \x hex: PQunescapeBytea). On DB_OK, *res (if res is not NULL)
 * is the result, freed by the caller with PQclear; on error *res is NULL
 * and the reason was logged (no parameter values). 23505 -> DB_CONFLICT
 * (see db_conflict_constraint), 08xxx/57P0x/57014/lost connection/deadline
 * -> DB_UNAVAILABLE, anything else -> DB_ERROR.
 */
enum db_err db_exec(const struct db_stmt *st, const char *const *values,
    const int *lengths, const int *formats, struct pg_result **res);

/*
 * Run a trusted multi-statement SQL script (a migration file from SQL_DIR,
 * never anything built from input) with the simple query protocol.
 */
enum db_err db_exec_script(const char *sql);

/*
 * Reads that may go to the standby (DATABASE_READ_URL): row and list
 * reads. The standby answers when it is known to hold every transaction
 * committed up to READ_MAX_LAG seconds ago and up to the fence of this
 * request (db_read_fence); otherwise, or when it fails, the primary does.
 * *on_standby (may be NULL) says which one answered.
 */
enum db_err db_exec_read(const struct db_stmt *st, const char *const *values,
    const int *lengths, const int *formats, struct pg_result **res,
    int *on_standby);

/* 1 if a read of this request would go to the standby now. */
int db_standby_ready(void);

/*
 * The fence of the current request, in the primary's clock (seconds since
 * the epoch): reads go to the standby only if it holds every transaction
 * committed before it. 0: none; DB_FENCE_ALL: every read to the primary,
 * the default until a route sets it (encdb never does).
 */
#define DB_FENCE_ALL 1e300

/* Extra time the client waits for an answer beyond statement_timeout. */
#define DB_GRACE_MS 2000
void db_read_fence(double t);

enum db_read_state {
	DB_READ_NONE,        /* no DATABASE_READ_URL */
	DB_READ_UNKNOWN,     /* not checked yet, or the primary is down */
	DB_READ_OK,          /* a standby, fresh enough */
	DB_READ_LAGGING,     /* behind by more than READ_MAX_LAG */
	DB_READ_DOWN,        /* does not answer */
	DB_READ_NOT_STANDBY, /* answers, but is not in recovery (promoted) */
	DB_READ__MAX
};

/* Check the standby now; its state. */
enum db_read_state db_read_probe(void);
const char *db_read_state_name(enum db_read_state s);

/* One trivial query on the primary: DB_OK if it answers. */
enum db_err db_ping(void);

/* Transactions. db_commit/db_rollback end it whatever happens. */
enum db_err db_begin(void);
enum db_err db_commit(void);
enum db_err db_rollback(void);

/* The constraint named by the last DB_CONFLICT ("" if unknown); static. */
const char *db_conflict_constraint(void);

/*
 * PostgreSQL's message for the last failure ("" if none); static. It may
 * quote values: show it to an operator (encdb), never in a log line or an
 * HTTP response.
 */
const char *db_last_error(void);

/* The live connection (tests and encdb only), or NULL. */
struct pg_conn *db_handle(void);

/* ---- migrate.c: schema migrations (sql/NNN_name.sql) -------------------
 * Files named NNN_name.sql (NNN = version, 1..9999) in cfg->sql_dir are
 * applied in order, all in one transaction under an advisory lock
 * (pg_advisory_xact_lock), each recorded in public.schema_migrations
 * (version, name, applied_at). Re-running is a no-op; a failure leaves
 * nothing applied.
 */

/*
 * Apply the pending migrations of dir. *applied (may be NULL) gets how
 * many were applied, *version (may be NULL) the schema version after.
 * On failure err names the file and the reason (PostgreSQL's message).
 */
enum db_err migrate_apply(
    const char *dir, int *applied, int *version, char *err, size_t errsz);

/* The database's schema version (0: none yet). */
enum db_err migrate_db_version(int *version);

/*
 * The highest version among the files of dir, or -1 (err says why) if dir
 * cannot be read or holds a badly named/duplicate file.
 */
int migrate_dir_version(const char *dir, char *err, size_t errsz);

/* ---- users.c: the users table, encrypting in, decrypting out ---------- */

struct audit_entry; /* audit.c */

/* Longest username/user_type accepted, in bytes (routes validate first). */
#define USERS_NAME_MAX  64
#define USERS_TYPE_MAX  32
#define USERS_EMAIL_MAX 254

/*
 * The name that binds a stored email to its column: part of the
 * associated data (and of the v1 subkey) of every users.email value.
 */
#define USERS_EMAIL_COLUMN "users.email"

/* The name that binds a user's wrapped data key to its table (the
 * associated data of ef_dk_wrap). */
#define USERS_TABLE "users"

/*
 * Decrypt a stored users.email value v of the row uuid, whatever its kind
 * (ef_value_kind): v1 with cfg->keys (EF_ERR_KEY_NONE without FIELD_KEYS),
 * envelope with the row's data key, wrapped (wrappedlen bytes; NULL: the
 * row has none, EF_ERR_NO_DATA_KEY) under cfg->keys, legacy with
 * cfg->legacy (EF_ERR_NO_LEGACY without POSTGRES_SECRET_KEY), anything
 * else EF_ERR_MALFORMED. *legacy (may be NULL) is set to 1 for a
 * legacy value, else 0. On EF_OK *pt is as ef_decrypt's (free with
 * ef_free_plain); a plaintext with an embedded NUL is EF_ERR_MALFORMED.
 */
enum ef_err users_decrypt_email(const struct cfg *cfg, const uint8_t uuid[16],
    const uint8_t *wrapped, size_t wrappedlen, const uint8_t *v, size_t len,
    char **pt, size_t *ptlen, int *legacy);

/* A user as read from the database. Fill with users_find_*, free with
 * users_clear. */
struct user {
	uint8_t uuid[16]; /* id, binary */
	char id[37];      /* id, text (lowercase, hyphens) */
	char *username;   /* malloc'd */
	char *user_type;  /* malloc'd: "admin", "user", ... */
	char *email;      /* decrypted (malloc'd), or NULL: see email_err */
	enum ef_err email_err; /* EF_OK, or why email is NULL (AUTH, ...) */
	int email_legacy;      /* 1: boilerplate format, no blind index yet */
	char *password_hash;   /* stored hash: for verification only, never
	                          to be shown, logged or returned */
	char created_at[40];   /* "2023-01-20T14:31:56.469870-05:00" */
	char updated_at[40];   /* same, or "" if never updated (null) */
	uint8_t *wrapped;      /* users.data_key (malloc'd), or NULL: a row made
	                          before data keys */
	size_t wrappedlen;
};

/* A new user. All fields required; password is plaintext (hashed here). */
struct user_new {
	const char *username;
	const char *email;
	const char *password;
	const char *user_type;
};

/* A change: NULL fields are left as they are. */
struct user_change {
	const char *email; /* re-encrypted and re-indexed */
	const char *user_type;
	const char *password; /* plaintext: hashed with Argon2id here */
};

/* Which unique value a DB_CONFLICT is about. */
enum users_conflict {
	USERS_CONFLICT_NONE,       /* no conflict */
	USERS_CONFLICT_USERNAME,   /* username taken */
	USERS_CONFLICT_EMAIL,      /* email taken (blind index) */
	USERS_CONFLICT_LAST_ADMIN, /* the change would leave no admin */
	USERS_CONFLICT__MAX
};

/*
 * Every function below that reads or changes a row shown to someone takes
 * audit: the entry to record with it (subject: the row's id), written by
 * the same statement, so the data and its entry commit together or not at
 * all; DB_AUDIT if the entry could not be written. NULL records nothing:
 * for reads whose result nobody sees (checks inside the data layer, tests).
 */

/* A page of users, ordered by username. */
struct user_list {
	struct user *v; /* n users */
	size_t n;
	char *next; /* cursor for the next page ("after"), NULL: last */
};

/*
 * Paging cursors are opaque to clients: the last username of a page as
 * unpadded base64url (RFC 4648 section 5), so that every name -- dots,
 * spaces, any UTF-8 -- goes through a URL unchanged. Names longer than
 * USERS_CURSOR_NAME_MAX bytes (only legacy rows can be) cannot end a page.
 */
#define USERS_CURSOR_NAME_MAX 1024
#define USERS_CURSOR_MAX      1366 /* base64url characters of that many */

/* The cursor of username: malloc'd (caller frees), NULL if username is
 * empty or longer than USERS_CURSOR_NAME_MAX, or out of memory. */
char *users_cursor_encode(const char *username);

/* Decode cursor into username (NUL-terminated): 0, or -1 if cursor is not
 * a canonical cursor of a UTF-8 name without NUL bytes. */
int users_cursor_decode(
    const char *cursor, char username[USERS_CURSOR_NAME_MAX + 1]);

/*
 * Create a user: UUID v4, email encrypted under the active field key bound
 * to (USERS_EMAIL_COLUMN, uuid), blind index, Argon2id hash. On DB_OK *out (may
 * be NULL) holds the new row (clear it). On DB_CONFLICT *conflict (may be
 * NULL) says which value is taken. Needs cfg->keys and cfg->index_key.
 */
enum db_err users_create(const struct cfg *cfg, const struct user_new *u,
    const struct audit_entry *audit, struct user *out,
    enum users_conflict *conflict);

/*
 * Write a timestamptz as PostgreSQL sends it with DateStyle ISO,
 * "YYYY-MM-DD HH:MM:SS[.f]{+|-}HH[:MM[:SS]]", as ISO 8601 with six digits
 * of fraction and the offset in minutes, "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM",
 * into out (40 bytes, always NUL-terminated). Anything else (a year past
 * 9999, infinity) is copied as it came, cut to 39 bytes.
 */
void users_format_ts(const char *ts, char out[40]);

/* Find one user: DB_OK with *out filled (clear it), or DB_NOTFOUND. */
enum db_err users_find_by_username(const struct cfg *cfg, const char *username,
    const struct audit_entry *audit, struct user *out);
enum db_err users_find_by_id(
    const struct cfg *cfg, const char *id, struct user *out);
/*
 * Exact email (normalised) through the blind index, then, if not found,
 * among the rows without a blind index (the boilerplate's, at most 10000
 * of them, decrypted one by one: run `encdb upgrade` to give them one).
 * users_create and users_update treat such a legacy row's email as taken
 * too, although without the unique index's guarantee under concurrency.
 * A legacy row found so is recorded by a second statement.
 */
enum db_err users_find_by_email(const struct cfg *cfg, const char *email,
    const struct audit_entry *audit, struct user *out);

/*
 * List at most limit (1..PAGE_MAX) users after the cursor after (a
 * previous page's out->next; NULL: from the start) and starting with
 * prefix (NULL or "": all), by username. out->next is the cursor of the
 * next page when more rows follow. A malformed cursor is DB_ERROR (routes
 * validate it first, valid_cursor). Unreadable emails are NULL with
 * email_err set; the listing goes on. Free with users_list_free. One audit
 * entry for the page (AUDIT_WITH_LIST), none for an empty page.
 */
enum db_err users_list(const struct cfg *cfg, const char *prefix,
    const char *after, size_t limit, const struct audit_entry *audit,
    struct user_list *out);

/*
 * The previous page of a users_list page whose first username is first,
 * for the same prefix and limit: *has_prev 0 if no user comes before it;
 * else *after is the cursor to pass to users_list for that page (malloc'd,
 * caller frees), or NULL for the first page. DB_OK or the db_exec error.
 */
enum db_err users_list_prev(const char *prefix, const char *first, size_t limit,
    int *has_prev, char **after);

/*
 * Change the user named username; updated_at = now(). DB_NOTFOUND if there
 * is none; DB_CONFLICT with *conflict set when the email is taken or when
 * the change would demote the last admin (USERS_CONFLICT_LAST_ADMIN: the
 * check and the change are one statement that locks the admin rows).
 * *out (may be NULL) gets the row after the change.
 */
enum db_err users_update(const struct cfg *cfg, const char *username,
    const struct user_change *chg, const struct audit_entry *audit,
    struct user *out, enum users_conflict *conflict);

/* Replace the stored hash of user id (text UUID) by hash (a PHC string
 * from ef_pw_hash: the login rehash), only if it is still old (the hash
 * that was verified): DB_NOTFOUND when there is no such user or its hash
 * changed meanwhile. updated_at is not touched: the password did not
 * change, only its encoding (as with encdb rotate). */
enum db_err users_set_password_hash(
    const struct cfg *cfg, const char *id, const char *old, const char *hash);

/* Delete the user named username: DB_OK, DB_NOTFOUND, or DB_CONFLICT if
 * they are the last admin (kept, as users_update does). Their sessions,
 * API tokens and data key go with the row, and the erasure is recorded
 * for the ledger (sql/204), all in the same statement. */
enum db_err users_delete(const struct cfg *cfg, const char *username,
    const struct audit_entry *audit);

/*
 * Check pw against u->password_hash (Argon2id, or legacy with
 * cfg->legacy_salt). Returns EF_OK with *match 0/1, or the ef_pw_verify
 * error. *rehash (may be NULL) is 1 when the hash should be upgraded.
 */
enum ef_err users_check_password(const struct cfg *cfg, const struct user *u,
    const char *pw, int *match, int *rehash);

/* Free (wiping email and hash) the members of *u; *u is zeroed. */
void users_clear(struct user *u);

/* Free a list's users and cursor; *l is zeroed. */
void users_list_free(struct user_list *l);

/* Return a static name for a conflict ("username", "email", ""). */
const char *users_conflict_field(enum users_conflict c);

/* ==== Operations: audit, census ======================================= */

/* ---- audit.c: the access audit trail (sql/100, sql/104) ----------------
 * One independent, append-only row per response that reveals a decrypted
 * email, per change to a user and per security event (logins, password
 * changes, tokens, bulk decryption by encdb). A route's entry is written
 * by the same statement as the read or change it records (AUDIT_WITH in
 * lib/users.c), so it costs no round trip of its own, commits with the
 * data, and shares no row with other entries: readers never wait on each
 * other. auditseal.c chains and signs the entries afterwards.
 */
enum audit_action {
	AUDIT_READ,            /* a decrypted email was shown (one user) */
	AUDIT_LIST,            /* a page of users was shown */
	AUDIT_LOOKUP,          /* a user was looked up by email */
	AUDIT_CREATE,          /* a user was created */
	AUDIT_UPDATE,          /* a user was changed */
	AUDIT_DELETE,          /* a user was deleted */
	AUDIT_PASSWORD,        /* a password was changed or reset */
	AUDIT_LOGIN,           /* a sign-in succeeded */
	AUDIT_LOGIN_FAILED,    /* a sign-in failed (wrong name or password) */
	AUDIT_LOGIN_THROTTLED, /* a sign-in was refused by the throttle */
	AUDIT_TOKEN_CREATE,    /* an API token was made */
	AUDIT_TOKEN_REVOKE,    /* an API token was revoked */
	AUDIT_UNLOCK,          /* an account's failed logins were forgotten */
	AUDIT_DECRYPT_ALL, /* encdb decrypted every row (rotate, verify...) */
	AUDIT__MAX
};

/* One entry to record. Strings are not kept; NULL subject/addr/detail
 * allowed. No personal data in any of them (user UUIDs, not names). */
struct audit_entry {
	const char *actor;   /* who: "user:<uuid> via token 7", "encdb
	                        (alice)", "anonymous" */
	const char *subject; /* whose record: user UUID text, or NULL */
	const char *route;   /* e.g. "GET /user", "encdb rotate" */
	enum audit_action action;
	const char *client_addr; /* REMOTE_ADDR, or NULL */
	const char *detail;      /* e.g. "50 rows", "token 7", or NULL */
};

/* "read", "list", ... ; "unknown" for a value out of range. */
const char *audit_action_name(enum audit_action a);

/* The action named s, or AUDIT__MAX if none is. */
enum audit_action audit_action_parse(const char *s);

/*
 * AUDIT_WITH(SQL, N): the statement SQL (a SELECT, or an INSERT, UPDATE
 * or DELETE with RETURNING, whose rows have a text column "id", the
 * user's UUID) extended so that it also inserts one audit entry per row
 * it returns, with that row's id as subject. $N is the entry as a text
 * array (audit_param). No row, no entry. AUDIT_WITH_LIST(SQL, N, SIZE,
 * ORDER) does the same with one entry for a page: SQL returns the page's
 * rows in ORDER and at most one more, which only tells that a next page
 * exists and is not counted as revealed; $SIZE is the page's size. The
 * entry's detail is "<n> rows", its subject the one row's id when n is 1.
 */
#define AUDIT_INSERT                                                           \
	"INSERT INTO public.audit_log (actor, subject, route, action,"         \
	" client_addr, detail) "
#define AUDIT_WITH(sql, n)                                                     \
	"WITH r AS (" sql "), a AS (" AUDIT_INSERT                             \
	"SELECT e[1], r.id, e[2], e[3], e[4], e[5] FROM r,"                    \
	" (SELECT $" n "::text[] AS e) p) SELECT * FROM r"
#define AUDIT_WITH_LIST(sql, n, size, order)                                   \
	"WITH r AS (" sql "), a AS (" AUDIT_INSERT                             \
	"SELECT e[1], CASE WHEN c.n = 1 THEN"                                  \
	" (SELECT id FROM r ORDER BY " order                                   \
	" LIMIT 1) END, e[2], e[3], e[4],"                                     \
	" c.n || CASE c.n WHEN 1 THEN ' row' ELSE ' rows' END"                 \
	" FROM (SELECT least(count(*), $" size "::integer) AS n FROM r) c,"    \
	" (SELECT $" n "::text[] AS e) p WHERE c.n > 0)"                       \
	" SELECT * FROM r ORDER BY " order

/* Room for audit_param's text: five quoted, escaped fields. */
#define AUDIT_PARAM_MAX 1024

/*
 * Write e's actor, route, action, client address and detail as a
 * PostgreSQL text array literal into out (AUDIT_PARAM_MAX bytes), for
 * the $N of AUDIT_WITH. Returns 0, or -1 if e is invalid or too long.
 */
int audit_param(const struct audit_entry *e, char out[AUDIT_PARAM_MAX]);

/*
 * Append one entry on its own: one INSERT through db_exec, for events
 * that are not a read or change of a row (logins, tokens, encdb). Returns
 * DB_OK, or DB_AUDIT when the entry could not be written (logged, no
 * values): the caller must then not go on as if it were recorded.
 */
enum db_err audit_record(const struct audit_entry *e);

/* The same, with the id of the user named username as subject (none if
 * there is no such user; e->subject is not used): for sign-ins and
 * commands that name a user, without a query of their own. */
enum db_err audit_record_user(
    const struct audit_entry *e, const char *username);

/* One entry as people read it: every field text, NULL when empty. */
enum audit_item_field {
	AUDIT_ITEM_SEQ,    /* "1234" */
	AUDIT_ITEM_AT,     /* "2026-12-03T08:44:44Z" (UTC) */
	AUDIT_ITEM_ACTOR,  /* with a username for a user's id */
	AUDIT_ITEM_ROUTE,  /* "GET /user" */
	AUDIT_ITEM_ACTION, /* "read" */
	AUDIT_ITEM_CLIENT, /* client address */
	AUDIT_ITEM_DETAIL, /* "50 rows" */
	AUDIT_ITEM__MAX
};

struct audit_item {
	char *f[AUDIT_ITEM__MAX]; /* malloc'd, or NULL */
};

struct audit_list {
	struct audit_item *v;
	size_t n;
};

#define AUDIT_LIST_MAX 1000

/*
 * The newest limit (1..AUDIT_LIST_MAX) entries about the user user_id
 * (text UUID) or made by them, newest first. Free with audit_list_free
 * whatever the result.
 */
enum db_err audit_list_user(
    const char *user_id, size_t limit, struct audit_list *out);
void audit_list_free(struct audit_list *l);

/* ---- auditseal.c: chain, checkpoints, signing keys ----------------------
 * The tamper evidence of the audit trail; the file comment of auditseal.c
 * gives the exact encodings.
 */
#define AUDIT_HASH_LEN    32
#define AUDIT_KEY_LEN     32 /* Ed25519 public key, and seed */
#define AUDIT_KEYID_LEN   8
#define AUDIT_SIG_LEN     64
#define AUDIT_SIG_B64_LEN 88 /* padded base64 of 64 bytes */
#define AUDIT_PUB_B64_LEN 44 /* padded base64 of 32 bytes */
#define AUDIT_CP_LINE_MAX 512

/* An entry as stored; at in microseconds since 2000-01-01 UTC. */
struct audit_row {
	int64_t seq;
	int64_t at;
	const char *actor, *subject, *route, *action, *client_addr, *detail;
};

/* The chain after step seq: entries present in 1..seq, and the hash. */
struct audit_chain {
	int64_t seq;
	int64_t entries;
	uint8_t hash[AUDIT_HASH_LEN];
};

/* The empty chain: seq 0, no entries, hash 32 zero bytes. */
void audit_chain_init(struct audit_chain *c);

/* One gap step covering seq c->seq + 1 .. last (nothing if last <=
 * c->seq). 0, or -1 if libgcrypt fails. */
int audit_chain_gap(struct audit_chain *c, int64_t last);

/* The gap before r (if any), then r's step. -1 if r->seq <= c->seq (out
 * of order or repeated) or libgcrypt fails. */
int audit_chain_add(struct audit_chain *c, const struct audit_row *r);

/* An Ed25519 signing key: the 32-byte seed and its public key. */
struct audit_signing_key {
	uint8_t seed[AUDIT_KEY_LEN];
	uint8_t pub[AUDIT_KEY_LEN];
};

/* A fresh key pair. 0 or -1. Wipe k when done. */
int audit_key_generate(struct audit_signing_key *k);

/*
 * AUDIT_SIGNING_KEY: base64 of seed || public key (64 bytes), checked to
 * be a pair by signing. AUDIT_VERIFY_KEY: base64 of the public key. 0, or
 * -1 if malformed (k is then wiped).
 */
int audit_key_parse_signing(const char *s, struct audit_signing_key *k);
int audit_key_parse_verify(const char *s, uint8_t pub[AUDIT_KEY_LEN]);

/* The two settings' values: malloc'd (caller wipes and frees; NULL if out
 * of memory), and into out (0, or -1 if out of memory). */
char *audit_key_format_signing(const struct audit_signing_key *k);
int audit_key_format_verify(
    const uint8_t pub[AUDIT_KEY_LEN], char out[AUDIT_PUB_B64_LEN + 1]);

/* The first 8 bytes of SHA-256(pub): the key= of a checkpoint. */
void audit_key_id(
    const uint8_t pub[AUDIT_KEY_LEN], uint8_t id[AUDIT_KEYID_LEN]);

/* Ed25519 (RFC 8032) signature of msg; 0 or -1. Verification: 1 if sig is
 * pub's signature of msg, else 0. */
int audit_sign(const struct audit_signing_key *k, const void *msg, size_t len,
    uint8_t sig[AUDIT_SIG_LEN]);
int audit_verify_sig(const uint8_t pub[AUDIT_KEY_LEN], const void *msg,
    size_t len, const uint8_t sig[AUDIT_SIG_LEN]);

/* One signed checkpoint. */
struct audit_checkpoint {
	int64_t seq;     /* the chain covers seq 1..seq */
	int64_t prev;    /* seq of the checkpoint before (0: first) */
	int64_t entries; /* entries present in 1..seq */
	uint8_t hash[AUDIT_HASH_LEN];
	char time[21]; /* YYYY-MM-DDTHH:MM:SSZ */
	uint8_t keyid[AUDIT_KEYID_LEN];
	uint8_t sig[AUDIT_SIG_LEN];
};

enum audit_cp_err {
	AUDIT_CP_OK,        /* a checkpoint, signed by the key */
	AUDIT_CP_MALFORMED, /* not a checkpoint line */
	AUDIT_CP_KEY,       /* signed by another key */
	AUDIT_CP_SIGNATURE, /* the signature does not verify */
	AUDIT_CP__MAX
};

/* A one-line description of e. Never NULL. */
const char *audit_cp_strerror(enum audit_cp_err e);

/*
 * Sign cp (seq, prev, entries, hash set by the caller; time, keyid and
 * sig filled here, time from now) and write its line, without a newline,
 * into line (linesz bytes, AUDIT_CP_LINE_MAX is enough). 0 or -1.
 */
int audit_checkpoint_format(struct audit_checkpoint *cp,
    const struct audit_signing_key *k, time_t now, char *line, size_t linesz);

/* Parse one line (no newline) and check its signature against pub. */
enum audit_cp_err audit_checkpoint_parse(const char *line,
    const uint8_t pub[AUDIT_KEY_LEN], struct audit_checkpoint *cp);

/*
 * The erasure ledger (ERASURE_LEDGER): one signed line per erased user,
 * chained to the line before it, so that a removed, reordered or edited
 * line is detected (auditseal.c has the format). No personal data: the
 * user's UUID and the time of the erasure.
 */
struct erasure_line {
	int64_t seq;                  /* 1, 2, ... in file order */
	char user[37];                /* the erased user's UUID */
	char time[21];                /* YYYY-MM-DDTHH:MM:SSZ (UTC) */
	uint8_t prev[AUDIT_HASH_LEN]; /* SHA-256 of the line before */
	uint8_t keyid[AUDIT_KEYID_LEN];
	uint8_t sig[AUDIT_SIG_LEN];
};

/* SHA-256 of a ledger line's text (without its newline): the prev= of the
 * line after it. The first line's prev is 32 zero bytes. */
void erasure_line_hash(const char *line, uint8_t h[AUDIT_HASH_LEN]);

/*
 * Sign e (seq, user, time and prev set by the caller; keyid and sig
 * filled here) and write its line, without a newline, into line (linesz
 * bytes, AUDIT_CP_LINE_MAX is enough). 0 or -1.
 */
int erasure_line_format(struct erasure_line *e,
    const struct audit_signing_key *k, char *line, size_t linesz);

/* Parse and verify one ledger line signed by pub's key (errors as for
 * checkpoints). The chain (seq, prev) is the caller's to check. */
enum audit_cp_err erasure_line_parse(
    const char *line, const uint8_t pub[AUDIT_KEY_LEN], struct erasure_line *e);

/* ---- census.c: what the data is made of, without decrypting ------------
 * The `encdb status` numbers and the /admin/census page: SQL on the first
 * bytes of users.email (0xEF 0x01 + key id = v1), no key needed.
 */
struct census_key {
	unsigned key_id;   /* v1 key id */
	int64_t v1;        /* v1 emails under it */
	int64_t data_keys; /* data keys (users.data_key) wrapped under it */
};

struct census {
	int64_t users;           /* rows in public.users */
	int64_t v1;              /* rows in format v1 (any key) */
	int64_t legacy;          /* boilerplate (base64 text) rows */
	int64_t envelope;        /* rows sealed under their own data key */
	int64_t other;           /* neither: empty or unknown format */
	int64_t no_bidx;         /* rows without a blind index */
	int64_t bidx_next;       /* rows with email_bidx_next (reindex) */
	int64_t pw_legacy;       /* password hashes other than Argon2id */
	int64_t sessions;        /* rows in public.sessions */
	int64_t tokens;          /* API tokens not revoked */
	int64_t tokens_revoked;  /* revoked API tokens */
	int64_t audit_entries;   /* the audit trail's last seq */
	int schema_version;      /* max(version) in schema_migrations */
	struct census_key *keys; /* per key id, ascending; malloc'd */
	size_t nkeys;
};

/*
 * Count everything above through db_exec (one statement per table); a
 * table that does not exist yet counts 0. On DB_OK *out is filled (free
 * with census_free); on error it is empty.
 */
enum db_err census_status(struct census *out);

/* Free out->keys and zero *out. */
void census_free(struct census *out);

/* ---- auth.c: sessions, CSRF, API tokens, roles, login throttling -------
 * Browser sessions: a random 32-byte token, sent as the cookie AUTH_COOKIE
 * (base64url, 43 characters, HttpOnly; SameSite=Strict; Path=/, Secure over
 * HTTPS); the database keeps only SHA-256(cookie value) in sessions.id_hash,
 * with a per-session CSRF token (same format) and idle/absolute expiry.
 * API tokens: 43 base64url characters (32 random bytes), stored as
 * SHA-256(token) in api_tokens.token_hash, sent as Authorization: Bearer.
 * Password checks are throttled per (account, client address), per
 * address, and slowed down per account, within AUTH_WINDOW seconds
 * (login_attempts; auth.c explains the rules). Every function uses the
 * process's connection (db.c).
 */
#define AUTH_TOKEN_LEN  43        /* base64url of 32 bytes, unpadded */
#define AUTH_COOKIE     "session" /* the session cookie's name */
#define AUTH_PAIR_FAILS 5         /* failures per (account, address) */
#define AUTH_ADDR_FAILS 20        /* failures per address, all accounts */
#define AUTH_USER_FREE  5         /* failures per account before slowdown */
#define AUTH_WINDOW     900       /* throttling window, seconds */
#define AUTH_NAME_MAX   255       /* longer (legacy) names cannot sign in */

enum auth_err {
	AUTH_OK,              /* success */
	AUTH_ERR_NONE,        /* no credentials presented: anonymous */
	AUTH_ERR_INVALID,     /* token or cookie unknown, expired, revoked */
	AUTH_ERR_BADLOGIN,    /* wrong username or password (same for both) */
	AUTH_ERR_THROTTLED,   /* too many failed logins: retry later (429) */
	AUTH_ERR_UNAVAILABLE, /* database unavailable (503) */
	AUTH_ERR_INTERNAL,    /* database or crypto failure (500) */
	AUTH_ERR__MAX
};

/* How the current request is authenticated. */
enum auth_via {
	AUTH_VIA_NONE,    /* anonymous */
	AUTH_VIA_SESSION, /* session cookie: CSRF needed for state changes */
	AUTH_VIA_BEARER,  /* Authorization: Bearer API token */
	AUTH_VIA__MAX
};

/* Who is making the request (filled by auth_identify / auth_login). */
struct auth_who {
	enum auth_via via;
	char user_id[37];                 /* UUID text */
	char username[AUTH_NAME_MAX + 1]; /* as stored */
	int admin;                        /* 1: user_type "admin" */
	uint8_t session_hash[32];         /* via SESSION: SHA-256 of cookie */
	char csrf[AUTH_TOKEN_LEN + 1];    /* via SESSION: its CSRF token */
	char token_id[21];                /* via BEARER: api_tokens.id */
	double read_fence;                /* its reads need a copy holding
	                                     every commit before this (s
	                                     since the epoch; 0: none) */
};

/*
 * Before who changes anything: set its read fence to within_ms from now
 * (by when the change will have committed), so that its reads go to the
 * primary until a standby holds the change. AUTH_OK, or the database's
 * error (the change must then not be made).
 */
enum auth_err auth_fence(const struct auth_who *who, unsigned within_ms);

/* A static one-line message for err. Never NULL. */
const char *auth_strerror(enum auth_err err);

/* ---- authcache.c: API tokens checked lately (AUTH_CACHE) --------------- */

/* Keep entries seconds (0: keep nothing); forgets everything. */
void authcache_set_ttl(unsigned seconds);

/* 1 and *who filled if the token whose SHA-256 is hash was proven (via)
 * less than AUTH_CACHE seconds ago and the database announced no change
 * to credentials since; else 0. */
int authcache_get(
    const uint8_t hash[32], enum auth_via via, struct auth_who *who);

/* Remember that hash proves who. */
void authcache_put(const uint8_t hash[32], const struct auth_who *who);

/* Forget every token (wiped). */
void authcache_clear(void);

/* For tests: lookups answered from memory, and not. */
struct authcache_stats {
	unsigned long hits;
	unsigned long misses;
};
void authcache_stats(struct authcache_stats *out);

/*
 * The session cookie's name: AUTH_COOKIE, or over HTTPS "__Host-"
 * AUTH_COOKIE, which browsers keep only when Secure, Path=/ and without
 * Domain, so that neither a plain-HTTP page nor a sibling host can plant
 * or overwrite it (RFC 6265bis, cookie prefixes). An application under a
 * base path (root 0) sets its cookies with that Path, which "__Host-"
 * forbids: there, over HTTPS, "__Secure-" AUTH_COOKIE, which browsers
 * keep only when Secure, so that a plain-HTTP page cannot plant it.
 */
const char *auth_cookie_name(int https, int root);

/* Fill out with a fresh random token: 32 bytes of ef_random, base64url. */
void auth_new_token(char out[AUTH_TOKEN_LEN + 1]);

/* 1 if s is shaped like a token (exactly AUTH_TOKEN_LEN base64url). */
int auth_token_shaped(const char *s);

/*
 * Identify the requester from a session cookie value (may be NULL) and a
 * bearer token (may be NULL; it wins over the cookie). A live session gets
 * its last_seen bumped; one idle for more than idle seconds or older than
 * max seconds is refused (and deleted). Returns AUTH_OK with *who filled,
 * AUTH_ERR_NONE when neither was given (who->via = AUTH_VIA_NONE),
 * AUTH_ERR_INVALID when the one given is not valid (who is anonymous),
 * or AUTH_ERR_UNAVAILABLE / AUTH_ERR_INTERNAL.
 */
enum auth_err auth_identify(const char *cookie, const char *bearer,
    unsigned idle, unsigned max, struct auth_who *who);

/*
 * 1 if given (may be NULL) equals the session's CSRF token (constant
 * time), or if the request is not cookie-authenticated (bearer clients
 * need no CSRF token); else 0.
 */
int auth_csrf_ok(const struct auth_who *who, const char *given);

/*
 * 1 if a form's token given equals the one of its cookie (the double
 * submit that guards the login form, before there is a session; constant
 * time); 0 if either is missing or malformed.
 */
int auth_double_submit_ok(const char *cookie, const char *given);

/*
 * Check username's password, throttled: the attempt is counted first, in
 * one statement, and refused with AUTH_ERR_THROTTLED (*retry_after
 * seconds) when its account, address (addr, may be NULL) or pair is over
 * its limit. An unknown user is verified against a dummy Argon2id hash so
 * that it costs the same time: AUTH_ERR_BADLOGIN for both. On AUTH_OK the
 * attempt's count is taken back, *u holds the user (with the hash that
 * was verified; clear it with users_clear) and *rehash says whether that
 * hash should be upgraded. On any error *u is empty. Used by logins and
 * by users changing their own password (current_password).
 */
enum auth_err auth_password_check(const struct cfg *cfg, const char *username,
    const char *password, const char *addr, struct user *u, int *rehash,
    unsigned *retry_after);

/* The kinds of password hash auth_password_check computes. */
enum auth_hash {
	AUTH_HASH_ARGON2ID, /* an Argon2id PHC string's */
	AUTH_HASH_PBKDF2,   /* the boilerplate's PBKDF2-HMAC-SHA512 */
	AUTH_HASH__MAX
};

/*
 * For tests: hook (NULL: none) is called once for every password hash
 * auth_password_check computes, real or dummy, with its kind, so that a
 * test can count the work each path does instead of timing it.
 */
void auth_set_hash_hook(void (*hook)(enum auth_hash));

/*
 * Check a login (auth_password_check), then replace a legacy or outdated
 * hash by a fresh Argon2id hash -- only if the stored hash is still the
 * one verified (a password reset meanwhile wins: AUTH_ERR_BADLOGIN) --
 * purge expired sessions, and store a NEW session (a cookie the client
 * already had is never reused), again only while the user's hash is the
 * one verified (or its rehash); its token is written to cookie and *who
 * describes the user (via AUTH_VIA_SESSION). cfg gives the legacy salt
 * and expiry settings.
 */
enum auth_err auth_login(const struct cfg *cfg, const char *username,
    const char *password, const char *addr, struct auth_who *who,
    char cookie[AUTH_TOKEN_LEN + 1], unsigned *retry_after);

/* Forget every failure counted on account username (encdb unlock);
 * *cleared gets the number of buckets deleted. */
enum auth_err auth_unlock(const char *username, unsigned long *cleared);

/* Delete the session whose cookie hash is hash (logout). */
enum auth_err auth_session_end(const uint8_t hash[32]);

/*
 * Delete every session of user user_id (text UUID) except the one whose
 * hash is keep (NULL: all of them): after a password change.
 */
enum auth_err auth_sessions_end_user(const char *user_id, const uint8_t *keep);

/*
 * Create an API token for the user named username, labelled name (free
 * text for the operator), valid for lifetime seconds (0: until revoked).
 * The token is written to token (shown once; only its hash is stored).
 * DB_NOTFOUND-like failures give AUTH_ERR_INVALID.
 */
enum auth_err auth_token_create(const char *username, const char *name,
    unsigned long lifetime, char token[AUTH_TOKEN_LEN + 1]);

/* Revoke every live API token of user user_id (text UUID): when an admin
 * resets the user's password. */
enum auth_err auth_tokens_revoke_user(const char *user_id);

/* Revoke a token (sets revoked_at): AUTH_OK, or AUTH_ERR_INVALID if no
 * live token matches. */
enum auth_err auth_token_revoke(const char *token);

/* ---- proxy.c: the client's address behind trusted reverse proxies -----
 * X-Forwarded-For and X-Forwarded-Proto are believed only
 * from the proxies listed in TRUSTED_PROXIES (default: none, never).
 */

/* One trusted address or network (CIDR). */
struct proxy_net {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; IPv4 in the first 4 */
	unsigned bits;    /* prefix length: 0..32 or 0..128 */
};

/*
 * Parse a comma-separated list of addresses and networks ("10.0.0.1,
 * 192.168.0.0/16, ::1, fd00::/8"; blanks around entries allowed). On 0,
 * *out (free it) holds *n entries; -1 if an entry is malformed, -2 out of
 * memory (then *out is NULL).
 */
int proxy_parse_list(const char *s, struct proxy_net **out, size_t *n);

/* 1 if addr (text; may be NULL) is within one of the n nets, else 0. */
int proxy_trusted(const struct proxy_net *nets, size_t n, const char *addr);

/*
 * The client's address when remote (REMOTE_ADDR) is a trusted proxy and
 * xff (X-Forwarded-For, may be NULL) is given: the rightmost entry that
 * is not itself trusted (or the last address before an entry that is not
 * one; or the leftmost, when all are trusted), written in canonical form
 * to out (outsz >= INET6_ADDRSTRLEN). Returns 1 when out was written, 0
 * when remote stands (untrusted, or no header), -1 on error.
 */
int proxy_client_addr(const struct proxy_net *nets, size_t n,
    const char *remote, const char *xff, char *out, size_t outsz);

/*
 * For a request from a trusted proxy: replace r->remote_addr by the
 * client's (proxy_client_addr), and set r->https when X-Forwarded-Proto
 * is https. Does nothing for other requests or when n is 0. 0, or -1 out
 * of memory.
 */
int proxy_apply(
    struct http *h, struct req *r, const struct proxy_net *nets, size_t n);

/* ---- sandbox.c: seccomp confinement of a route process ---------------- */

/*
 * Confine this process, from now on and for good, to the system calls
 * serving requests needs (sandbox.c lists them); any other kills it.
 * Call once start-up is done. 0, or -1 (logged) if the filter could not
 * be installed: then nothing changed.
 */
int sandbox_enter(void);

/* ---- app.c: per-process setup and the request loop of every route -----
 * app_main() loads the settings (cfg_load), sets up the database
 * connection and the template directory once, then serves requests until
 * the server stops the process. If the start-up failed, the reason is
 * logged once and every request is answered 503 JSON
 * {"error": "service unavailable"}. For each request it parses (req_parse),
 * answers OPTIONS and wrong methods (405 + Allow), request errors (400,
 * 413, 415...), identifies the user (auth_identify; 503 + Retry-After if
 * the database is gone) and calls the route's handler, then sends the
 * response and frees everything.
 */
struct app;

/* What a handler gets: the request, the response to fill, the settings
 * and who is asking. All owned by app_main. */
struct app {
	struct http *h;
	struct req *r;
	struct resp *rs;
	const struct cfg *cfg;
	const char *base; /* BASE_PATH: "" at the root, or e.g. "/tools/app" */
	struct auth_who who;
};

typedef void (*app_handler)(struct app *a);

/* Bits for struct app_route.methods. */
#define APP_GET    (1u << REQ_METHOD_GET) /* HEAD is implied */
#define APP_POST   (1u << REQ_METHOD_POST)
#define APP_PATCH  (1u << REQ_METHOD_PATCH)
#define APP_DELETE (1u << REQ_METHOD_DELETE)
#define APP_ANY    0xffffu /* every method, even unknown ones */

/* Bits for struct app_route.flags. */
#define APP_NOAUTH 0x01 /* never look at cookies or tokens */
#define APP_HEALTH 0x02 /* healthz: broken start-up -> {"status": ...} */

struct app_route {
	const char *name;     /* program name for the log, e.g. "users" */
	unsigned int methods; /* APP_* method bits */
	unsigned int bodies;  /* REQ_BODY_* accepted */
	unsigned int flags;   /* APP_NOAUTH, APP_HEALTH */
	app_handler handler;
};

/* Serve requests for route until the server stops; returns the exit code. */
int app_main(const struct app_route *route);

/* An audit entry for the current request, with the storage it points to. */
struct app_audit {
	struct audit_entry e;
	char actor[96];
	char route[96];
};

/*
 * Fill x for action on the current request and return &x->e: actor
 * "user:<uuid> via session", "user:<uuid> via token <id>" or "anonymous";
 * route "<METHOD> <SCRIPT_NAME>" (no path info, so no names); client
 * REMOTE_ADDR; subject and detail NULL (the caller may set them).
 */
const struct audit_entry *app_audit(
    const struct app *a, enum audit_action action, struct app_audit *x);

/* Answer an error: JSON {"error": msg} or the HTML error page by the
 * negotiated format. Replaces any body. */
void app_error(struct app *a, int status, const char *msg);

/* Answer a failed db_* or users_* call: 503 with Retry-After for
 * DB_UNAVAILABLE, 404 "User not found" for DB_NOTFOUND, else 500. */
void app_db_error(struct app *a, enum db_err err);

/* Answer a failed req_fields: 422 JSON with "fields", or (HTML) the error
 * page; status/message from r->err. */
void app_fields_error(struct app *a, const struct field_errors *fe);

/*
 * Require a signed-in user (admin_only: an admin). Returns 1 if so; else
 * answers (401 JSON; for HTML a 303 to /login?next=<this page>, with a
 * message when a form was sent; 403 for a non-admin) and returns 0.
 */
int app_require(struct app *a, int admin_only);

/* For a state-changing request authenticated by cookie, require the CSRF
 * token (body field "csrf" or header X-CSRF-Token). Returns 1 if fine,
 * else answers 403 and returns 0. */
int app_csrf(struct app *a);

/* The same check without answering: 1 if the request may change state,
 * 0 if its CSRF token is missing or wrong (a form to show again). */
int app_csrf_valid(struct app *a);

/* Identify the requester (cookie or bearer) into a->who, as app_main does
 * for every route without APP_NOAUTH. Returns 1 (anonymous included), or
 * answers (401 for a bad token, 503, 500) and returns 0. */
int app_identify(struct app *a);

/* Answer 405 with the Allow header of methods (APP_* bits). */
void app_method_not_allowed(struct app *a, unsigned int methods);

/* Answer 303 to path, a path of the application ("/users"), under its
 * base path (bytes that a URI cannot hold are percent-encoded). 0, or -1
 * after answering 500. */
int app_redirect_local(struct app *a, const char *path);

/* Append where a requester belongs, as a path of the application:
 * /users for an admin, /user/<self> for a user, /login when anonymous.
 * 0 / -1. */
int app_home_url(const struct app *a, struct buf *out);

/* This request's path within the application: the REQUEST_URI path
 * (percent-decoded) after the base path, "/" for the base path itself; or
 * NULL when the request is not under the base path. Points into a->r. */
const char *app_path(const struct app *a);

/* Set-Cookie for the application (resp_cookie with its base path as the
 * cookie's Path, Secure over HTTPS). 0 / -1. */
int app_cookie(
    struct app *a, const char *name, const char *value, long max_age);

/* The session cookie's name for this request (auth_cookie_name). */
const char *app_session_cookie(const struct app *a);

/* Answer 303 to /login?next=<this request's URI>, so that signing in
 * comes back here (the login page checks next: valid_next). */
void app_to_login(struct app *a);

/* The one-time messages shown on the page after a redirect. */
enum app_flash {
	APP_FLASH_CREATED,    /* "User <name> created." */
	APP_FLASH_UPDATED,    /* "User <name> updated." */
	APP_FLASH_RESET,      /* "New password set for <name>." */
	APP_FLASH_CHANGED,    /* "Your password was changed." */
	APP_FLASH_DELETED,    /* "User <name> deleted." */
	APP_FLASH_SIGNED_OUT, /* "Signed out." */
	APP_FLASH_ENDED,      /* a form sent after the session ended */
	APP_FLASH__MAX
};

/*
 * Carry message f (with name, a username, where it has one) to the next
 * page the browser shows: a short-lived cookie that app_vars turns into
 * the template variable "flash" and then deletes. 0 / -1.
 */
int app_flash(struct app *a, enum app_flash f, const char *name);

/*
 * A form's error variables in v: "error" (summary heading, or ""), the
 * list "errors" (rows: field, text -- a sentence naming the field) and
 * "<name>_error" for each of names[0..n-1] (the sentence, or ""). fe may
 * be NULL. 0 / -1.
 */
int app_form_vars(struct tmpl_vars *v, const char *const *names, size_t n,
    const char *summary, const struct field_errors *fe);

/*
 * A timestamp (ISO 8601 as users.c writes it, or "") as two variables:
 * name for <time datetime> (to the second, with its offset) and
 * name_human ("3 Dec 2026, 07:23 UTC"). 0 / -1.
 */
int app_set_time(struct tmpl_vars *v, const char *name, const char *iso);

/* The value of a body parameter key (first), or NULL. Points into r. */
const char *app_param(const struct app *a, const char *key);

/* New template scope with the layout's variables set (title, signed_in,
 * is_admin, session (cookie-authenticated), me, csrf). NULL on OOM. Free
 * with tmpl_vars_free. */
struct tmpl_vars *app_vars(struct app *a, const char *title);

/* Render page with vars as the response (status); 500 on failure. */
void app_html(
    struct app *a, int status, const char *page, struct tmpl_vars *vars);

/* Mask an email for lists: first character, "***", "@domain" (NULL or
 * malformed -> "(unreadable)" / "***"). Appends to out; 0 / -1. */
int app_mask_email(struct buf *out, const char *email);

/*
 * Answer {"payload": user} with status, the public JSON shape of a user
 * (never the hash or the ciphertext): {"created_at", "email" (null +
 * "email_error": "unreadable" if it could not be decrypted), "id",
 * "updated_at" (null until changed), "user_type", "username"}; written
 * straight into the answer, without a json-c tree holding more copies of
 * the email. 500 if memory runs out.
 */
void app_user_answer(struct app *a, int status, const struct user *u);

/* Answer 200 {"payload": [user, ...], "next": next} with the n users of
 * v in that shape; next NULL: null. */
void app_users_answer(
    struct app *a, const struct user *v, size_t n, const char *next);

/*
 * Answer the page that creates a user (templates/user-new.html) with
 * status: username, email and type ("admin" or else "user") as typed (NULL
 * for empty), msg and fe as for app_form_vars.
 */
void app_create_form(struct app *a, int status, const char *username,
    const char *email, const char *type, const char *msg,
    const struct field_errors *fe);

/* {"payload": payload}, taking payload over; NULL (payload freed) when
 * payload is NULL or memory runs out. */
struct json_object *app_payload(struct json_object *payload);

/* Answer the JSON o with status and free o; a NULL o, or one that cannot
 * be sent, answers 500. */
void app_json(struct app *a, int status, struct json_object *o);

/* Set a user's template variables (id, username, user_type,
 * email or "" and mailto, email_masked, created_at, updated_at with their
 * _human forms: app_set_time) in v. 0 / -1. */
int app_user_vars(struct tmpl_vars *v, const struct user *u);

/* Append "/user/" and the percent-encoded username to out (a path of
 * the application, app_redirect_local's kind). 0 / -1. */
int app_user_url(struct buf *out, const char *username);

#endif /* !EXTERN_H */
