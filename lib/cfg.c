/*
 * cfg.c -- the application's settings (see the README). Each setting is looked
 * up, as the boilerplate does, in the environment, then in a file of that
 * name in the secrets directory (SECRETS_PATH, one trailing newline
 * stripped; see cfg_secrets_default), then in an optional config file
 * (CONFIG_FILE: KEY=VALUE lines); cfg_exposed finds settings files that
 * other users may read. Keys are parsed into libencfield objects, which hold
 * them in libgcrypt secure memory; every intermediate copy of a secret is
 * wiped. Errors name the setting and the problem, never the value.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"

#ifndef TEMPLATEDIR
#define TEMPLATEDIR "/usr/local/share/fcgi-encrypted-db/templates"
#endif
#ifndef SQLDIR
#define SQLDIR "/usr/local/share/fcgi-encrypted-db/sql"
#endif

#ifndef SECRETSDIR
#define SECRETSDIR "/usr/local/etc/fcgi-encrypted-db/secrets"
#endif
/* The boilerplate's (and Docker's) secrets directory. */
#define CFG_SECRETS_COMPAT "/run/secrets"
#define CFG_FILE_MAX       (64 * 1024) /* longest secrets or config file */

/* One KEY=VALUE line of the config file. */
struct cfg_kv {
	char *key;
	char *value;
	struct cfg_kv *next;
};

static const char *const cfg_errs[CFG_ERR__MAX] = {
    "success",                        /* CFG_OK */
    "a required setting is not set",  /* CFG_ERR_MISSING */
    "a setting is invalid",           /* CFG_ERR_INVALID */
    "a settings file cannot be read", /* CFG_ERR_IO */
    "out of memory",                  /* CFG_ERR_NOMEM */
};

/* State of one cfg_load run: where errors go and the first one seen. */
struct cfg_ctx {
	struct cfg *c;
	unsigned flags;
	char *err;
	size_t errsz;
	size_t errlen;
	enum cfg_err first;
};

const char *
cfg_strerror(enum cfg_err err)
{
	if ((unsigned)err >= CFG_ERR__MAX)
		return "unknown settings error";
	return cfg_errs[err];
}

/* Wipe and free a NUL-terminated secret. */
static void
free_secret(char *s)
{
	if (s == NULL)
		return;
	ef_wipe(s, strlen(s));
	free(s);
}

/*
 * Record an error: the first code is kept; the message is appended to the
 * caller's buffer (one line per error with CFG_ALL_ERRS, else only the
 * first).
 */
static void fail(struct cfg_ctx *x, enum cfg_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct cfg_ctx *x, enum cfg_err code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->first != CFG_OK && !(x->flags & CFG_ALL_ERRS))
		return;
	if (x->first == CFG_OK)
		x->first = code;
	if (x->err == NULL || x->errsz == 0 || x->errlen + 1 >= x->errsz)
		return;
	if (x->errlen > 0)
		x->err[x->errlen++] = '\n';
	va_start(ap, fmt);
	n = vsnprintf(x->err + x->errlen, x->errsz - x->errlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->errlen += (size_t)n;
	if (x->errlen >= x->errsz)
		x->errlen = x->errsz - 1;
	x->err[x->errlen] = '\0';
}

/* 1 if processing must stop: an error and not CFG_ALL_ERRS. */
static int
stop(const struct cfg_ctx *x)
{
	return x->first != CFG_OK && !(x->flags & CFG_ALL_ERRS);
}

/*
 * Read the whole file at path into a malloc'd NUL-terminated string.
 * Returns 0 and sets *out, 1 if the file does not exist (*out NULL), or -1
 * with errno set (EFBIG if larger than CFG_FILE_MAX, EINVAL if it holds a
 * NUL byte).
 */
static int
read_file(const char *path, char **out)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd, rc = -1, saved;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		errno = EISDIR;
		goto out;
	}
	if (st.st_size > CFG_FILE_MAX) {
		errno = EFBIG;
		goto out;
	}
	if ((buf = malloc(CFG_FILE_MAX + 1)) == NULL)
		goto out;
	for (;;) {
		r = read(fd, buf + len, CFG_FILE_MAX + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto out;
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > CFG_FILE_MAX) {
			errno = EFBIG;
			goto out;
		}
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		errno = EINVAL;
		goto out;
	}
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	/* One cleanup path: wipe what was read, close. */
	saved = errno;
	if (buf != NULL) {
		ef_wipe(buf, CFG_FILE_MAX + 1);
		free(buf);
	}
	close(fd);
	errno = saved;
	return rc;
}

/* Strip one trailing "\n" or "\r\n". */
static void
chomp(char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	if (n > 0 && s[n - 1] == '\r')
		s[--n] = '\0';
}

/* A setting name is [A-Z0-9_]+: safe as a file name in SECRETS_PATH. */
static int
valid_name(const char *name)
{
	const char *p;

	if (name == NULL || *name == '\0')
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		        *p == '_'))
			return 0;
	return 1;
}

/*
 * Apache mod_fcgid silently cuts a FcgidInitialEnv value longer than this
 * many bytes: an environment value of exactly this length was probably
 * longer.
 */
#define CFG_FCGID_CUT 127

/*
 * Look up name: environment (non-empty), secrets file, config file.
 * *value is malloc'd or NULL; on error why says what went wrong.
 */
static enum cfg_err
lookup(const struct cfg *c, const char *name, char **value, char *why,
    size_t whysz)
{
	const struct cfg_kv *kv;
	const char *env;
	char path[PATH_MAX];
	int n, r;

	*value = NULL;
	if (!valid_name(name)) {
		snprintf(why, whysz, "invalid setting name");
		return CFG_ERR_INVALID;
	}
	if ((env = getenv(name)) != NULL && *env != '\0') {
		if (strlen(env) == CFG_FCGID_CUT)
			LOG_ERR("%s is %d bytes long: Apache mod_fcgid cuts "
			        "FcgidInitialEnv values there. If it was "
			        "longer, pass it as a file in SECRETS_PATH or "
			        "a line of CONFIG_FILE instead",
			    name, CFG_FCGID_CUT);
		if ((*value = strdup(env)) == NULL)
			return CFG_ERR_NOMEM;
		return CFG_OK;
	}
	if (c->secrets_path != NULL && *c->secrets_path != '\0') {
		n = snprintf(
		    path, sizeof(path), "%s/%s", c->secrets_path, name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			snprintf(why, whysz, "SECRETS_PATH is too long");
			return CFG_ERR_INVALID;
		}
		r = read_file(path, value);
		if (r == -1) {
			snprintf(why, whysz, "cannot read %s: %s", path,
			    errno == EFBIG        ? "file too large"
			        : errno == EINVAL ? "file holds a NUL byte"
			                          : strerror(errno));
			return CFG_ERR_IO;
		}
		if (r == 0) {
			chomp(*value);
			if (**value != '\0')
				return CFG_OK;
			free(*value);
			*value = NULL;
		}
	}
	for (kv = c->file_kv; kv != NULL; kv = kv->next)
		if (strcmp(kv->key, name) == 0 && *kv->value != '\0') {
			if ((*value = strdup(kv->value)) == NULL)
				return CFG_ERR_NOMEM;
			return CFG_OK;
		}
	return CFG_OK;
}

enum cfg_err
cfg_get(const struct cfg *c, const char *name, char **value)
{
	char why[PATH_MAX + 64];
	enum cfg_err e;

	if ((e = lookup(c, name, value, why, sizeof(why))) != CFG_OK)
		LOG_ERR("%s: %s", name, why);
	return e;
}

/* Look up name for cfg_load; errors are recorded in x. */
static char *
get(struct cfg_ctx *x, const char *name)
{
	char why[PATH_MAX + 64];
	char *v = NULL;
	enum cfg_err e;

	if ((e = lookup(x->c, name, &v, why, sizeof(why))) != CFG_OK) {
		if (e == CFG_ERR_NOMEM)
			fail(x, e, "%s: out of memory", name);
		else
			fail(x, e, "%s: %s", name, why);
		return NULL;
	}
	return v;
}

static void
kv_free(struct cfg_kv *kv)
{
	struct cfg_kv *next;

	for (; kv != NULL; kv = next) {
		next = kv->next;
		free(kv->key);
		free_secret(kv->value);
		free(kv);
	}
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * Parse the config file: KEY=VALUE lines; blank lines and lines starting
 * with # are ignored; spaces around KEY and VALUE are dropped; a VALUE in
 * matching double or single quotes loses them. Later lines do not override
 * earlier ones (the first wins, like the other sources).
 */
static void
load_config_file(struct cfg_ctx *x)
{
	struct cfg_kv **tail = &x->c->file_kv, *kv;
	char *text = NULL, *line, *next, *eq, *key, *val;
	size_t lineno = 0, n, textlen;
	int r;

	r = read_file(x->c->config_file, &text);
	if (r == 1) {
		fail(x, CFG_ERR_IO, "CONFIG_FILE: %s does not exist",
		    x->c->config_file);
		return;
	}
	if (r == -1) {
		fail(x, CFG_ERR_IO, "CONFIG_FILE: cannot read %s: %s",
		    x->c->config_file,
		    errno == EFBIG ? "file too large" : strerror(errno));
		return;
	}
	/* Parsing cuts the text into strings: wipe all of it, not up to
	 * the first of them (read_file refuses a NUL inside). */
	textlen = strlen(text);
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			fail(x, CFG_ERR_INVALID,
			    "CONFIG_FILE: line %zu: expected KEY=VALUE",
			    lineno);
			continue;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		if (!valid_name(key)) {
			fail(x, CFG_ERR_INVALID,
			    "CONFIG_FILE: line %zu: invalid setting name",
			    lineno);
			continue;
		}
		n = strlen(val);
		if (n >= 2 && (val[0] == '"' || val[0] == '\'') &&
		    val[n - 1] == val[0]) {
			val[n - 1] = '\0';
			val++;
		}
		if ((kv = calloc(1, sizeof(*kv))) == NULL ||
		    (kv->key = strdup(key)) == NULL ||
		    (kv->value = strdup(val)) == NULL) {
			if (kv != NULL)
				free(kv->key);
			free(kv);
			fail(x, CFG_ERR_NOMEM, "CONFIG_FILE: out of memory");
			break;
		}
		*tail = kv;
		tail = &kv->next;
	}
	ef_wipe(text, textlen);
	free(text);
}

/*
 * Parse an unsigned decimal setting within [min, max]; unset gives def.
 */
static void
get_num(struct cfg_ctx *x, const char *name, unsigned long long min,
    unsigned long long max, unsigned long long def, unsigned long long *out)
{
	unsigned long long v;
	char *s, *end;

	*out = def;
	if ((s = get(x, name)) == NULL)
		return;
	errno = 0;
	if (s[0] < '0' || s[0] > '9') {
		fail(x, CFG_ERR_INVALID, "%s: not a decimal number", name);
		goto out;
	}
	v = strtoull(s, &end, 10);
	if (*end != '\0') {
		fail(x, CFG_ERR_INVALID, "%s: not a decimal number", name);
		goto out;
	}
	if (errno == ERANGE || v < min || v > max) {
		fail(x, CFG_ERR_INVALID, "%s: must be between %llu and %llu",
		    name, min, max);
		goto out;
	}
	*out = v;
out:
	free(s);
}

/* Parse a boolean setting (on/off, true/false, yes/no, 1/0). */
static void
get_bool(struct cfg_ctx *x, const char *name, int def, int *out)
{
	static const char *const yes[] = {"on", "true", "yes", "1"};
	static const char *const no[] = {"off", "false", "no", "0"};
	char *s;
	size_t i;

	*out = def;
	if ((s = get(x, name)) == NULL)
		return;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			goto out;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			goto out;
		}
	}
	fail(x, CFG_ERR_INVALID, "%s: expected on or off", name);
out:
	free(s);
}

/* A string setting with a default (def may be NULL: stays unset). */
static void
get_str(struct cfg_ctx *x, const char *name, const char *def, char **out)
{
	*out = get(x, name);
	if (*out == NULL && def != NULL && (*out = strdup(def)) == NULL)
		fail(x, CFG_ERR_NOMEM, "%s: out of memory", name);
}

/* Append "key='value'" to a conninfo string, quoting as libpq wants. */
static int
conninfo_add(char **ci, size_t *len, const char *key, const char *value)
{
	size_t need = strlen(key) + 4 + 2 * strlen(value) + 1, i;
	char *p, *n;
	const char *v;

	if ((n = malloc(*len + need + 1)) == NULL)
		return -1;
	if (*ci != NULL) {
		memcpy(n, *ci, *len);
		ef_wipe(*ci, *len);
		free(*ci);
	}
	p = n + *len;
	if (*len > 0)
		*p++ = ' ';
	for (i = 0; key[i] != '\0'; i++)
		*p++ = key[i];
	*p++ = '=';
	*p++ = '\'';
	for (v = value; *v != '\0'; v++) {
		if (*v == '\'' || *v == '\\')
			*p++ = '\\';
		*p++ = *v;
	}
	*p++ = '\'';
	*p = '\0';
	*ci = n;
	*len = (size_t)(p - n);
	return 0;
}

/*
 * The connection: DATABASE_URL (a libpq URI or conninfo), else the
 * boilerplate's POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB, POSTGRES_USER,
 * POSTGRES_PASSWORD. The result is checked with PQconninfoParse, whose
 * message is not shown: it may quote the password.
 */
static void
load_conninfo(struct cfg_ctx *x)
{
	static const struct {
		const char *setting;
		const char *keyword;
	} parts[] = {
	    {"POSTGRES_HOST", "host"},
	    {"POSTGRES_PORT", "port"},
	    {"POSTGRES_DB", "dbname"},
	    {"POSTGRES_USER", "user"},
	    {"POSTGRES_PASSWORD", "password"},
	};
	PQconninfoOption *opts;
	char *v, *pqerr = NULL, *ci = NULL;
	const char *which = "DATABASE_URL";
	size_t i, len = 0;
	int any = 0;

	if ((v = get(x, "DATABASE_URL")) != NULL)
		x->c->conninfo = v;
	else {
		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			if ((v = get(x, parts[i].setting)) == NULL)
				continue;
			if (i == 0)
				any = 1;
			if (conninfo_add(&ci, &len, parts[i].keyword, v) ==
			    -1) {
				free_secret(v);
				free_secret(ci);
				fail(x, CFG_ERR_NOMEM, "%s: out of memory",
				    parts[i].setting);
				return;
			}
			free_secret(v);
		}
		if (!any) {
			free_secret(ci);
			if (x->flags & CFG_NEED_DB)
				fail(x, CFG_ERR_MISSING,
				    "DATABASE_URL: not set (nor "
				    "POSTGRES_HOST)");
			return;
		}
		x->c->conninfo = ci;
		which = "POSTGRES_*";
	}
	if ((opts = PQconninfoParse(x->c->conninfo, &pqerr)) == NULL) {
		fail(x, CFG_ERR_INVALID,
		    "%s: not a valid libpq connection URI or string", which);
		if (pqerr != NULL) {
			ef_wipe(pqerr, strlen(pqerr));
			PQfreemem(pqerr);
		}
		free_secret(x->c->conninfo);
		x->c->conninfo = NULL;
		return;
	}
	PQconninfoFree(opts);
}

/*
 * DATABASE_READ_URL: where row and list reads may go (standbys), checked
 * like DATABASE_URL. Unset: every query goes to DATABASE_URL.
 */
static void
load_read_conninfo(struct cfg_ctx *x)
{
	PQconninfoOption *opts;
	char *pqerr = NULL;

	if ((x->c->read_conninfo = get(x, "DATABASE_READ_URL")) == NULL)
		return;
	if ((opts = PQconninfoParse(x->c->read_conninfo, &pqerr)) == NULL) {
		fail(x, CFG_ERR_INVALID,
		    "DATABASE_READ_URL: not a valid "
		    "libpq connection URI or string");
		if (pqerr != NULL) {
			ef_wipe(pqerr, strlen(pqerr));
			PQfreemem(pqerr);
		}
		free_secret(x->c->read_conninfo);
		x->c->read_conninfo = NULL;
		return;
	}
	PQconninfoFree(opts);
}

/* FIELD_KEYS, INDEX_KEY, POSTGRES_SECRET_KEY, LEGACY_ENGINE, SECRET_KEY. */
static void
load_keys(struct cfg_ctx *x)
{
	enum ef_legacy_engine engine = EF_LEGACY_AES_CBC_PKCS5;
	char *v;
	size_t where = 0, n;
	enum ef_err e;

	if ((v = get(x, "FIELD_KEYS")) != NULL) {
		e = ef_keyring_parse(v, &x->c->keys, &where);
		free_secret(v);
		if (e != EF_OK) {
			x->c->keys = NULL;
			if (where > 0)
				fail(x, CFG_ERR_INVALID,
				    "FIELD_KEYS: entry %zu: %s", where,
				    ef_strerror(e));
			else
				fail(x, CFG_ERR_INVALID, "FIELD_KEYS: %s",
				    ef_strerror(e));
		}
	} else if (x->flags & CFG_NEED_KEYS)
		fail(x, CFG_ERR_MISSING,
		    "FIELD_KEYS: not set (make one with: encdb gen-key --id "
		    "1)");
	if (stop(x))
		return;

	if ((v = get(x, "INDEX_KEY")) != NULL) {
		e = ef_index_key_parse(v, &x->c->index_key);
		free_secret(v);
		if (e != EF_OK) {
			x->c->index_key = NULL;
			fail(x, CFG_ERR_INVALID, "INDEX_KEY: %s",
			    ef_strerror(e));
		}
	} else if (x->flags & CFG_NEED_KEYS)
		fail(x, CFG_ERR_MISSING,
		    "INDEX_KEY: not set (make one with: encdb gen-key)");
	if (ef_index_key_in_ring(x->c->index_key, x->c->keys))
		fail(x, CFG_ERR_INVALID,
		    "INDEX_KEY: the same key as a FIELD_KEYS entry (make its "
		    "own with: encdb gen-key)");
	if (stop(x))
		return;

	if ((v = get(x, "LEGACY_ENGINE")) != NULL) {
		if (ef_legacy_engine_parse(v, &engine) != EF_OK)
			fail(x, CFG_ERR_INVALID,
			    "LEGACY_ENGINE: unknown engine (aes-cbc-pkcs5, "
			    "aes-cbc-naive, aes-cbc-zeroes, "
			    "aes-cbc-oneandzeroes, aes-gcm, fernet)");
		free(v);
		if (stop(x))
			return;
	}
	if ((v = get(x, "POSTGRES_SECRET_KEY")) != NULL) {
		e = ef_legacy_new(v, strlen(v), engine, &x->c->legacy);
		free_secret(v);
		if (e != EF_OK) {
			x->c->legacy = NULL;
			fail(x, CFG_ERR_INVALID, "POSTGRES_SECRET_KEY: %s",
			    ef_strerror(e));
		}
	}
	if (stop(x))
		return;
	if ((v = get(x, "SECRET_KEY")) != NULL) {
		/* Held in secure memory, like the keys. */
		n = strlen(v);
		if ((x->c->legacy_salt = gcry_malloc_secure(n + 1)) == NULL)
			fail(x, CFG_ERR_NOMEM, "SECRET_KEY: out of memory");
		else {
			memcpy(x->c->legacy_salt, v, n + 1);
			x->c->legacy_saltlen = n;
		}
		free_secret(v);
	}
}

/* TIME_ZONE: an IANA name or offset; only harmless characters. */
static int
valid_tz(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') ||
		        (s[n] >= 'a' && s[n] <= 'z') ||
		        (s[n] >= '0' && s[n] <= '9') || s[n] == '/' ||
		        s[n] == '_' || s[n] == '+' || s[n] == '-' ||
		        s[n] == ':'))
			return 0;
	return n > 0 && n <= 64;
}

/* TRUSTED_PROXIES: addresses and networks, comma-separated (proxy.c). */
static void
load_proxies(struct cfg_ctx *x)
{
	char *s;

	if ((s = get(x, "TRUSTED_PROXIES")) == NULL)
		return;
	switch (proxy_parse_list(
	    s, &x->c->trusted_proxies, &x->c->ntrusted_proxies)) {
	case 0:
		break;
	case -2:
		fail(x, CFG_ERR_NOMEM, "TRUSTED_PROXIES: out of memory");
		break;
	default:
		fail(x, CFG_ERR_INVALID,
		    "TRUSTED_PROXIES: expected IP addresses or networks "
		    "(address/bits), comma-separated");
		break;
	}
	free(s);
}

const char *
cfg_secrets_default(void)
{
	struct stat st;

	if (stat(SECRETSDIR, &st) == -1 && errno == ENOENT &&
	    stat(CFG_SECRETS_COMPAT, &st) == 0 && S_ISDIR(st.st_mode))
		return CFG_SECRETS_COMPAT;
	return SECRETSDIR;
}

/* If path is a file other users may read, tell fn; 1 if so, else 0. */
static size_t
exposed_file(const char *path, cfg_exposed_fn fn, void *arg)
{
	struct stat st;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & S_IROTH))
		return 0;
	fn(path, (unsigned)(st.st_mode & 07777), arg);
	return 1;
}

size_t
cfg_exposed(const struct cfg *c, cfg_exposed_fn fn, void *arg)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	size_t n = 0;
	int len;

	if (c->config_file != NULL)
		n += exposed_file(c->config_file, fn, arg);
	if (c->secrets_path == NULL || (d = opendir(c->secrets_path)) == NULL)
		return n;
	while ((de = readdir(d)) != NULL) {
		if (!valid_name(de->d_name))
			continue;
		len = snprintf(
		    path, sizeof(path), "%s/%s", c->secrets_path, de->d_name);
		if (len > 0 && (size_t)len < sizeof(path))
			n += exposed_file(path, fn, arg);
	}
	closedir(d);
	return n;
}

/*
 * BASE_PATH: "/" (the site's root), or "/" segments of RFC 3986
 * unreserved bytes (letters, digits, "-._~": safe unchanged in a URL, an
 * HTML attribute, a cookie's Path and the servers' config patterns),
 * without "." or ".." segments, empty segments or a trailing "/".
 * On success the path is stored without a trailing "/" ("" for the root),
 * ready to put before "/users".
 */
static void
load_base_path(struct cfg_ctx *x)
{
	char *s = get(x, "BASE_PATH");
	const char *p, *seg;
	size_t len;
	int ok = 1;

	if (s == NULL) {
		if ((x->c->base_path = strdup("")) == NULL)
			fail(x, CFG_ERR_NOMEM, "BASE_PATH: out of memory");
		return;
	}
	len = strlen(s);
	if (s[0] != '/' || len > 256)
		ok = 0;
	else if (len == 1)
		s[0] = '\0';
	for (p = s; ok && *p != '\0'; p++) {
		if (*p != '/' && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    strchr("-._~", *p) == NULL)
			ok = 0;
		if (*p != '/')
			continue;
		seg = p + 1;
		len = strcspn(seg, "/");
		if (len == 0 || (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			ok = 0;
	}
	if (!ok) {
		free(s);
		fail(x, CFG_ERR_INVALID,
		    "BASE_PATH: expected / or a path such as /tools/app "
		    "(letters, digits and -._~; no trailing /)");
		return;
	}
	x->c->base_path = s;
}

enum cfg_err
cfg_load(struct cfg *c, unsigned flags, char *err, size_t errsz)
{
	struct cfg_ctx x;
	unsigned long long n;
	const char *env;

	memset(c, 0, sizeof(*c));
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.flags = flags;
	x.err = err;
	x.errsz = errsz;
	if (err != NULL && errsz > 0)
		err[0] = '\0';

	if (ef_init() != EF_OK) {
		fail(&x, CFG_ERR_INVALID, "libgcrypt: initialisation failed");
		return x.first;
	}

	/* Where the other settings come from: environment only. */
	env = getenv("SECRETS_PATH");
	if ((c->secrets_path = strdup(
	         env != NULL && *env != '\0' ? env : cfg_secrets_default())) ==
	    NULL) {
		fail(&x, CFG_ERR_NOMEM, "SECRETS_PATH: out of memory");
		return x.first;
	}
	env = getenv("CONFIG_FILE");
	if (env != NULL && *env != '\0') {
		if ((c->config_file = strdup(env)) == NULL) {
			fail(&x, CFG_ERR_NOMEM, "CONFIG_FILE: out of memory");
			return x.first;
		}
		load_config_file(&x);
		if (stop(&x))
			return x.first;
	}

	load_conninfo(&x);
	load_read_conninfo(&x);
	if (stop(&x))
		return x.first;
	load_keys(&x);
	if (stop(&x))
		return x.first;

	get_num(&x, "BODY_MAX", 1024, 64ULL * 1024 * 1024, 65536, &n);
	c->body_max = (size_t)n;
	get_num(&x, "DB_CONNECT_TIMEOUT", 1, 60, 3, &n);
	c->connect_timeout = (unsigned)n;
	get_num(&x, "DB_STATEMENT_TIMEOUT", 100, 600000, 5000, &n);
	c->statement_timeout = (unsigned)n;
	get_num(&x, "SESSION_IDLE", 60, 30 * 86400, 1800, &n);
	c->session_idle = (unsigned)n;
	get_num(&x, "SESSION_MAX", 60, 365 * 86400, 43200, &n);
	c->session_max = (unsigned)n;
	get_num(&x, "AUTH_CACHE", 0, 60, 5, &n);
	c->auth_cache = (unsigned)n;
	get_num(&x, "READ_MAX_LAG", 1, 3600, 5, &n);
	c->read_max_lag = (unsigned)n;
	get_num(&x, "IDLE_TRIM", 0, 600000, 1000, &n);
	c->idle_trim = (unsigned)n;
	get_bool(&x, "SANDBOX", 1, &c->sandbox);
	get_bool(&x, "DB_PREPARED_STATEMENTS", 1, &c->db_unnamed);
	c->db_unnamed = !c->db_unnamed;
	if (stop(&x))
		return x.first;

	get_str(&x, "CORS_ORIGINS", NULL, &c->cors_origins);
	load_proxies(&x);
	get_str(&x, "TEMPLATE_DIR", TEMPLATEDIR, &c->template_dir);
	get_str(&x, "SQL_DIR", SQLDIR, &c->sql_dir);
	get_str(&x, "TIME_ZONE", "UTC", &c->time_zone);
	load_base_path(&x);
	if (c->time_zone != NULL && !valid_tz(c->time_zone))
		fail(&x, CFG_ERR_INVALID,
		    "TIME_ZONE: expected a zone name such as UTC or "
		    "America/New_York");
	return x.first;
}

void
cfg_free(struct cfg *c)
{
	if (c == NULL)
		return;
	free_secret(c->conninfo);
	free_secret(c->read_conninfo);
	ef_keyring_free(c->keys);
	ef_index_key_free(c->index_key);
	ef_legacy_free(c->legacy);
	if (c->legacy_salt != NULL) {
		ef_wipe(c->legacy_salt, c->legacy_saltlen);
		gcry_free(c->legacy_salt);
	}
	free(c->cors_origins);
	free(c->trusted_proxies);
	free(c->template_dir);
	free(c->sql_dir);
	free(c->time_zone);
	free(c->base_path);
	free(c->secrets_path);
	free(c->config_file);
	kv_free(c->file_kv);
	memset(c, 0, sizeof(*c));
}
