/*
 * tmpl.c -- the HTML template engine and its escapers. Templates are
 * files TEMPLATE_DIR/<name>.html with a few kinds of placeholders (see
 * extern.h): values, each written through the escaper of its context
 * (HTML text, attribute, URL component, whole URL), conditionals, loops
 * and includes. A template is parsed once into a small tree, checked for
 * balanced tags, and cached by name for the life of the process. Values
 * come from a tmpl_vars scope: strings, booleans, and lists of rows that
 * are scopes themselves. Missing values are errors, never silently empty,
 * so that a typo in a template shows up in the tests.
 *
 * The escapers are table-driven, one table per context, in the manner of
 * kcgi's khtml_putc, and cover & < > " ' (OpenBSD httpd's escape_html
 * misses the quotes).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

#ifndef TEMPLATEDIR
#define TEMPLATEDIR "templates"
#endif

#define TMPL_FILE_MAX    (1024 * 1024) /* largest template file */
#define TMPL_INCLUDE_MAX 8             /* include nesting */
#define TMPL_NAME_MAX    64

static const char *const tmpl_errs[TMPL_ERR__MAX] = {
    "OK",                                  /* TMPL_OK */
    "out of memory",                       /* TMPL_ERR_NOMEM */
    "bad template name",                   /* TMPL_ERR_NAME */
    "template file missing or unreadable", /* TMPL_ERR_IO */
    "template syntax error",               /* TMPL_ERR_SYNTAX */
    "template variable not set",           /* TMPL_ERR_MISSING */
    "template variable of the wrong kind", /* TMPL_ERR_TYPE */
    "template includes nested too deep",   /* TMPL_ERR_DEPTH */
};

const char *
tmpl_strerror(enum tmpl_err err)
{
	if ((unsigned)err >= TMPL_ERR__MAX)
		return "unknown template error";
	return tmpl_errs[err];
}

/* ---- escapers ---------------------------------------------------------- */

/* HTML text: the five characters that can change the parse. */
static const char *const esc_html_tab[256] = {
    ['&'] = "&amp;",
    ['<'] = "&lt;",
    ['>'] = "&gt;",
    ['"'] = "&quot;",
    ['\''] = "&#39;",
};

/* Attribute values (always written inside double quotes): as text, plus
 * the characters that matter to an unquoted or mis-quoted attribute. */
static const char *const esc_attr_tab[256] = {
    ['&'] = "&amp;",
    ['<'] = "&lt;",
    ['>'] = "&gt;",
    ['"'] = "&quot;",
    ['\''] = "&#39;",
    ['`'] = "&#96;",
    ['='] = "&#61;",
};

/* RFC 3986 unreserved characters: the only ones a URL component keeps. */
static const unsigned char url_unreserved[256] = {
    ['A'] = 1,
    ['B'] = 1,
    ['C'] = 1,
    ['D'] = 1,
    ['E'] = 1,
    ['F'] = 1,
    ['G'] = 1,
    ['H'] = 1,
    ['I'] = 1,
    ['J'] = 1,
    ['K'] = 1,
    ['L'] = 1,
    ['M'] = 1,
    ['N'] = 1,
    ['O'] = 1,
    ['P'] = 1,
    ['Q'] = 1,
    ['R'] = 1,
    ['S'] = 1,
    ['T'] = 1,
    ['U'] = 1,
    ['V'] = 1,
    ['W'] = 1,
    ['X'] = 1,
    ['Y'] = 1,
    ['Z'] = 1,
    ['a'] = 1,
    ['b'] = 1,
    ['c'] = 1,
    ['d'] = 1,
    ['e'] = 1,
    ['f'] = 1,
    ['g'] = 1,
    ['h'] = 1,
    ['i'] = 1,
    ['j'] = 1,
    ['k'] = 1,
    ['l'] = 1,
    ['m'] = 1,
    ['n'] = 1,
    ['o'] = 1,
    ['p'] = 1,
    ['q'] = 1,
    ['r'] = 1,
    ['s'] = 1,
    ['t'] = 1,
    ['u'] = 1,
    ['v'] = 1,
    ['w'] = 1,
    ['x'] = 1,
    ['y'] = 1,
    ['z'] = 1,
    ['0'] = 1,
    ['1'] = 1,
    ['2'] = 1,
    ['3'] = 1,
    ['4'] = 1,
    ['5'] = 1,
    ['6'] = 1,
    ['7'] = 1,
    ['8'] = 1,
    ['9'] = 1,
    ['-'] = 1,
    ['.'] = 1,
    ['_'] = 1,
    ['~'] = 1,
};

/* Write s through an entity table: runs of plain bytes are copied whole. */
static int
esc_table(struct buf *out, const char *s, const char *const tab[256])
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *rep = tab[(unsigned char)*s];

		if (rep == NULL)
			continue;
		if (buf_putmem(out, run, (size_t)(s - run)) == -1 ||
		    buf_puts(out, rep) == -1)
			return -1;
		run = s + 1;
	}
	return buf_putmem(out, run, (size_t)(s - run));
}

int
tmpl_esc_html(struct buf *out, const char *s)
{
	return esc_table(out, s, esc_html_tab);
}

int
tmpl_esc_attr(struct buf *out, const char *s)
{
	return esc_table(out, s, esc_attr_tab);
}

int
tmpl_esc_url(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char pct[3] = {'%', 0, 0};

	for (; *p != '\0'; p++) {
		if (url_unreserved[*p]) {
			if (buf_putc(out, *p) == -1)
				return -1;
			continue;
		}
		pct[1] = hex[*p >> 4];
		pct[2] = hex[*p & 0xf];
		if (buf_putmem(out, pct, 3) == -1)
			return -1;
	}
	return 0;
}

int
tmpl_url_safe(const char *s)
{
	static const char *const schemes[] = {"http", "https", "mailto"};
	size_t i, n;

	/* Browsers skip leading C0 controls and spaces. */
	while (*s != '\0' && (unsigned char)*s <= 0x20)
		s++;
	n = strcspn(s, ":/?#");
	if (s[n] != ':')
		return 1; /* no scheme: a relative reference */
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i]) == n &&
		    strncasecmp(s, schemes[i], n) == 0)
			return 1;
	return 0;
}

int
tmpl_esc_href(struct buf *out, const char *s)
{
	if (!tmpl_url_safe(s))
		return buf_puts(out, "about:invalid#blocked");
	return tmpl_esc_attr(out, s);
}

/* ---- variables --------------------------------------------------------- */

enum tvar_type {
	TVAR_STR,  /* a string */
	TVAR_BOOL, /* a boolean */
	TVAR_LIST, /* a list of rows */
	TVAR__MAX
};

struct tvar {
	char *name;
	enum tvar_type type;
	char *str;               /* TVAR_STR */
	int b;                   /* TVAR_BOOL */
	struct tmpl_vars **rows; /* TVAR_LIST */
	size_t nrows;
};

struct tmpl_vars {
	struct tvar *v;
	size_t n;
	const struct tmpl_vars *parent; /* enclosing scope of a row */
};

/* 1 if s is a variable name: [A-Za-z0-9_]+, at most TMPL_NAME_MAX. */
static int
var_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > TMPL_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

struct tmpl_vars *
tmpl_vars_new(void)
{
	return calloc(1, sizeof(struct tmpl_vars));
}

/* Release what a variable holds, leaving its name. */
static void
tvar_clear(struct tvar *t)
{
	size_t i;

	if (t->str != NULL) {
		explicit_bzero(t->str, strlen(t->str));
		free(t->str);
		t->str = NULL;
	}
	for (i = 0; i < t->nrows; i++)
		tmpl_vars_free(t->rows[i]);
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
	t->b = 0;
}

void
tmpl_vars_free(struct tmpl_vars *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		tvar_clear(&v->v[i]);
		free(v->v[i].name);
	}
	free(v->v);
	free(v);
}

/* Find name in v itself, or add an empty slot for it; NULL on error. */
static struct tvar *
tvar_slot(struct tmpl_vars *v, const char *name)
{
	struct tvar *nv;
	size_t i;

	if (v == NULL || name == NULL || !var_name_ok(name, strlen(name)))
		return NULL;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i].name, name) == 0) {
			tvar_clear(&v->v[i]);
			return &v->v[i];
		}
	if ((nv = reallocarray(v->v, v->n + 1, sizeof(*nv))) == NULL)
		return NULL;
	v->v = nv;
	memset(&nv[v->n], 0, sizeof(nv[v->n]));
	if ((nv[v->n].name = strdup(name)) == NULL)
		return NULL;
	return &nv[v->n++];
}

int
tmpl_set(struct tmpl_vars *v, const char *name, const char *value)
{
	struct tvar *t;
	char *copy;

	if (value == NULL || (copy = strdup(value)) == NULL)
		return -1;
	if ((t = tvar_slot(v, name)) == NULL) {
		free(copy);
		return -1;
	}
	t->type = TVAR_STR;
	t->str = copy;
	return 0;
}

int
tmpl_setf(struct tmpl_vars *v, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *tmp;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (tmp = malloc((size_t)n + 1)) == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(tmp, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = tmpl_set(v, name, tmp);
	explicit_bzero(tmp, (size_t)n);
	free(tmp);
	return rc;
}

int
tmpl_set_bool(struct tmpl_vars *v, const char *name, int value)
{
	struct tvar *t;

	if ((t = tvar_slot(v, name)) == NULL)
		return -1;
	t->type = TVAR_BOOL;
	t->b = value != 0;
	return 0;
}

int
tmpl_set_list(struct tmpl_vars *v, const char *name)
{
	struct tvar *t;

	if ((t = tvar_slot(v, name)) == NULL)
		return -1;
	t->type = TVAR_LIST;
	return 0;
}

struct tmpl_vars *
tmpl_add_row(struct tmpl_vars *v, const char *name)
{
	struct tmpl_vars *row, **nr;
	struct tvar *t = NULL;
	size_t i;

	if (v == NULL || name == NULL)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i].name, name) == 0)
			t = &v->v[i];
	if (t == NULL) {
		if (tmpl_set_list(v, name) == -1)
			return NULL;
		t = &v->v[v->n - 1];
	} else if (t->type != TVAR_LIST)
		return NULL;
	if ((row = tmpl_vars_new()) == NULL)
		return NULL;
	if ((nr = reallocarray(t->rows, t->nrows + 1, sizeof(*nr))) == NULL) {
		free(row);
		return NULL;
	}
	t->rows = nr;
	row->parent = v;
	nr[t->nrows++] = row;
	return row;
}

/* Look name up in scope v and then outwards; NULL if not set anywhere. */
static const struct tvar *
tvar_find(const struct tmpl_vars *v, const char *name)
{
	size_t i;

	for (; v != NULL; v = v->parent)
		for (i = 0; i < v->n; i++)
			if (strcmp(v->v[i].name, name) == 0)
				return &v->v[i];
	return NULL;
}

/* ---- parsing ----------------------------------------------------------- */

enum node_type {
	NODE_TEXT,    /* literal text */
	NODE_VAR,     /* a value through an escaper */
	NODE_IF,      /* {{#if}} with then/else children */
	NODE_UNLESS,  /* {{#unless}} */
	NODE_EACH,    /* {{#each}} */
	NODE_INCLUDE, /* {{>name}} */
	NODE__MAX
};

enum esc_ctx {
	ESC_HTML, /* {{name}} */
	ESC_ATTR, /* {{attr:name}} */
	ESC_URL,  /* {{url:name}} */
	ESC_HREF, /* {{href:name}} */
	ESC_RAW,  /* {{raw:name}} */
	ESC__MAX
};

static const char *const esc_prefixes[ESC__MAX] = {
    "",      /* ESC_HTML */
    "attr:", /* ESC_ATTR */
    "url:",  /* ESC_URL */
    "href:", /* ESC_HREF */
    "raw:",  /* ESC_RAW */
};

struct node;

struct nodes {
	struct node *v;
	size_t n;
};

struct node {
	enum node_type type;
	enum esc_ctx ctx;
	const char *text; /* NODE_TEXT: points into the template source */
	size_t len;
	char *name;         /* variable or template name */
	struct nodes body;  /* if/unless/each */
	struct nodes other; /* the {{else}} branch */
};

struct tmpl {
	char *name;
	char *src; /* the file's text; NODE_TEXT points into it */
	struct nodes root;
};

static void
nodes_free(struct nodes *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++) {
		free(ns->v[i].name);
		nodes_free(&ns->v[i].body);
		nodes_free(&ns->v[i].other);
	}
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

static struct node *
nodes_add(struct nodes *ns, enum node_type type)
{
	struct node *nv;

	if ((nv = reallocarray(ns->v, ns->n + 1, sizeof(*nv))) == NULL)
		return NULL;
	ns->v = nv;
	memset(&nv[ns->n], 0, sizeof(nv[ns->n]));
	nv[ns->n].type = type;
	return &nv[ns->n++];
}

/* What ended a parse_nodes() call. */
enum stop {
	STOP_EOF,    /* end of the source */
	STOP_ELSE,   /* {{else}} */
	STOP_IF,     /* {{/if}} */
	STOP_UNLESS, /* {{/unless}} */
	STOP_EACH,   /* {{/each}} */
	STOP__MAX
};

struct parser {
	const char *p, *end;
	int depth;
};

static enum tmpl_err parse_nodes(struct parser *, struct nodes *, enum stop *);

/* 1 if name is a template name: [a-z0-9_-]{1,64}. */
static int
tmpl_name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > TMPL_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		        (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		        name[i] == '-'))
			return 0;
	return 1;
}

/* Copy s[0..len-1] as a name after checking it; NULL if bad or OOM. */
static char *
name_dup(const char *s, size_t len)
{
	return var_name_ok(s, len) ? strndup(s, len) : NULL;
}

/* Parse a block tag's children up to its end tag (and an else). */
static enum tmpl_err
parse_block(struct parser *ps, struct node *n, enum stop want)
{
	enum tmpl_err err;
	enum stop st;

	if (++ps->depth > 32)
		return TMPL_ERR_SYNTAX;
	if ((err = parse_nodes(ps, &n->body, &st)) != TMPL_OK)
		return err;
	if (st == STOP_ELSE && want != STOP_EACH) {
		if ((err = parse_nodes(ps, &n->other, &st)) != TMPL_OK)
			return err;
	}
	if (st != want)
		return TMPL_ERR_SYNTAX;
	ps->depth--;
	return TMPL_OK;
}

/*
 * Parse nodes until the end of input or a closing tag, which is reported
 * in *stop. Tags are "{{" tag "}}" with optional spaces inside.
 */
static enum tmpl_err
parse_nodes(struct parser *ps, struct nodes *ns, enum stop *stop)
{
	const char *open, *close, *t, *te;
	struct node *n;
	enum tmpl_err err;
	size_t i, plen;

	for (;;) {
		open = NULL;
		for (t = ps->p; t + 1 < ps->end; t++)
			if (t[0] == '{' && t[1] == '{') {
				open = t;
				break;
			}
		if (open == NULL)
			open = ps->end;
		if (open > ps->p) {
			if ((n = nodes_add(ns, NODE_TEXT)) == NULL)
				return TMPL_ERR_NOMEM;
			n->text = ps->p;
			n->len = (size_t)(open - ps->p);
		}
		if (open == ps->end) {
			ps->p = ps->end;
			*stop = STOP_EOF;
			return TMPL_OK;
		}
		close = NULL;
		for (t = open + 2; t + 1 < ps->end; t++)
			if (t[0] == '}' && t[1] == '}') {
				close = t;
				break;
			}
		if (close == NULL)
			return TMPL_ERR_SYNTAX;
		ps->p = close + 2;
		for (t = open + 2; t < close && *t == ' '; t++)
			;
		for (te = close; te > t && te[-1] == ' '; te--)
			;
#define TAG(s)                                                                 \
	((size_t)(te - t) == sizeof(s) - 1 && memcmp(t, s, sizeof(s) - 1) == 0)
#define PFX(s)                                                                 \
	((size_t)(te - t) > sizeof(s) - 1 && memcmp(t, s, sizeof(s) - 1) == 0)
		if (t < te && *t == '!')
			continue; /* a comment */
		if (TAG("else")) {
			*stop = STOP_ELSE;
			return TMPL_OK;
		}
		if (TAG("/if")) {
			*stop = STOP_IF;
			return TMPL_OK;
		}
		if (TAG("/unless")) {
			*stop = STOP_UNLESS;
			return TMPL_OK;
		}
		if (TAG("/each")) {
			*stop = STOP_EACH;
			return TMPL_OK;
		}
		if (PFX("#if ") || PFX("#unless ") || PFX("#each ")) {
			enum node_type nt = t[1] == 'i' ? NODE_IF
			    : t[1] == 'u'               ? NODE_UNLESS
			                                : NODE_EACH;
			enum stop want = nt == NODE_IF ? STOP_IF
			    : nt == NODE_UNLESS        ? STOP_UNLESS
			                               : STOP_EACH;

			t = strchr(t, ' ');
			while (t < te && *t == ' ')
				t++;
			if ((n = nodes_add(ns, nt)) == NULL)
				return TMPL_ERR_NOMEM;
			if ((n->name = name_dup(t, (size_t)(te - t))) == NULL)
				return TMPL_ERR_SYNTAX;
			if ((err = parse_block(ps, n, want)) != TMPL_OK)
				return err;
			continue;
		}
		if (PFX(">")) {
			t++;
			while (t < te && *t == ' ')
				t++;
			if ((n = nodes_add(ns, NODE_INCLUDE)) == NULL)
				return TMPL_ERR_NOMEM;
			if ((n->name = strndup(t, (size_t)(te - t))) == NULL)
				return TMPL_ERR_NOMEM;
			if (!tmpl_name_ok(n->name))
				return TMPL_ERR_SYNTAX;
			continue;
		}
#undef TAG
#undef PFX
		if ((n = nodes_add(ns, NODE_VAR)) == NULL)
			return TMPL_ERR_NOMEM;
		n->ctx = ESC_HTML;
		for (i = 1; i < ESC__MAX; i++) {
			plen = strlen(esc_prefixes[i]);
			if ((size_t)(te - t) > plen &&
			    memcmp(t, esc_prefixes[i], plen) == 0) {
				n->ctx = (enum esc_ctx)i;
				t += plen;
				break;
			}
		}
		if ((n->name = name_dup(t, (size_t)(te - t))) == NULL)
			return TMPL_ERR_SYNTAX;
	}
}

/* Parse src (kept by the template) into t->root. */
static enum tmpl_err
tmpl_parse(struct tmpl *t, size_t len)
{
	struct parser ps;
	enum tmpl_err err;
	enum stop st;

	ps.p = t->src;
	ps.end = t->src + len;
	ps.depth = 0;
	if ((err = parse_nodes(&ps, &t->root, &st)) != TMPL_OK)
		return err;
	return st == STOP_EOF ? TMPL_OK : TMPL_ERR_SYNTAX;
}

static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	nodes_free(&t->root);
	free(t->src);
	free(t->name);
	free(t);
}

/* ---- the cache --------------------------------------------------------- */

static char *tmpl_dir;
static struct tmpl **tmpl_cache;
static size_t tmpl_cachesz;

int
tmpl_set_dir(const char *dir)
{
	char *d;

	if (dir == NULL || (d = strdup(dir)) == NULL)
		return -1;
	tmpl_cache_clear();
	free(tmpl_dir);
	tmpl_dir = d;
	return 0;
}

void
tmpl_cache_clear(void)
{
	size_t i;

	for (i = 0; i < tmpl_cachesz; i++)
		tmpl_free(tmpl_cache[i]);
	free(tmpl_cache);
	tmpl_cache = NULL;
	tmpl_cachesz = 0;
}

/*
 * Read and parse the template file of name. One cleanup label closes the
 * file and frees a half-made template.
 */
static enum tmpl_err
tmpl_load(const char *name, struct tmpl **out)
{
	const char *dir = tmpl_dir;
	struct tmpl *t = NULL;
	struct buf path = BUF_INIT;
	FILE *f = NULL;
	size_t len = 0, n;
	enum tmpl_err err;
	char *shrunk;

	if (dir == NULL && (dir = getenv("TEMPLATE_DIR")) == NULL)
		dir = TEMPLATEDIR;
	if (buf_printf(&path, "%s/%s.html", dir, name) == -1 ||
	    (t = calloc(1, sizeof(*t))) == NULL ||
	    (t->name = strdup(name)) == NULL ||
	    (t->src = malloc(TMPL_FILE_MAX + 1)) == NULL) {
		err = TMPL_ERR_NOMEM;
		goto out;
	}
	if ((f = fopen(path.data, "r")) == NULL) {
		LOG_ERR("%s: %s", path.data, strerror(errno));
		err = TMPL_ERR_IO;
		goto out;
	}
	while ((n = fread(t->src + len, 1, TMPL_FILE_MAX + 1 - len, f)) > 0)
		if ((len += n) > TMPL_FILE_MAX)
			break;
	if (ferror(f) || len > TMPL_FILE_MAX) {
		LOG_ERR("%s: unreadable or too large", path.data);
		err = TMPL_ERR_IO;
		goto out;
	}
	t->src[len] = '\0';
	/* Keep only what the file needs: the cache lives as long as we do. */
	if ((shrunk = realloc(t->src, len + 1)) != NULL)
		t->src = shrunk;
	if ((err = tmpl_parse(t, len)) != TMPL_OK) {
		LOG_ERR("%s: %s", path.data, tmpl_strerror(err));
		goto out;
	}
	*out = t;
	t = NULL;
out:
	if (f != NULL)
		fclose(f);
	tmpl_free(t);
	buf_free(&path);
	return err;
}

/* The cached template name, loading it on first use. */
static enum tmpl_err
tmpl_get(const char *name, const struct tmpl **out)
{
	struct tmpl *t, **nc;
	enum tmpl_err err;
	size_t i;

	if (!tmpl_name_ok(name))
		return TMPL_ERR_NAME;
	for (i = 0; i < tmpl_cachesz; i++)
		if (strcmp(tmpl_cache[i]->name, name) == 0) {
			*out = tmpl_cache[i];
			return TMPL_OK;
		}
	if ((err = tmpl_load(name, &t)) != TMPL_OK)
		return err;
	if ((nc = reallocarray(tmpl_cache, tmpl_cachesz + 1, sizeof(*nc))) ==
	    NULL) {
		tmpl_free(t);
		return TMPL_ERR_NOMEM;
	}
	tmpl_cache = nc;
	tmpl_cache[tmpl_cachesz++] = t;
	*out = t;
	return TMPL_OK;
}

/* ---- rendering --------------------------------------------------------- */

static int
tvar_truthy(const struct tvar *t)
{
	if (t == NULL)
		return 0;
	switch (t->type) {
	case TVAR_STR:
		return t->str[0] != '\0';
	case TVAR_BOOL:
		return t->b;
	default:
		return t->nrows > 0;
	}
}

static enum tmpl_err
render_nodes(struct buf *out, const struct nodes *ns, const struct tmpl_vars *v,
    int depth)
{
	const struct tmpl *inc;
	const struct tvar *t;
	const struct node *n;
	enum tmpl_err err;
	size_t i, r;
	int rc = 0;

	for (i = 0; i < ns->n; i++) {
		n = &ns->v[i];
		switch (n->type) {
		case NODE_TEXT:
			rc = buf_putmem(out, n->text, n->len);
			break;
		case NODE_VAR:
			if ((t = tvar_find(v, n->name)) == NULL) {
				LOG_ERR(
				    "template variable %s not set", n->name);
				return TMPL_ERR_MISSING;
			}
			if (t->type != TVAR_STR) {
				LOG_ERR("template variable %s not a string",
				    n->name);
				return TMPL_ERR_TYPE;
			}
			switch (n->ctx) {
			case ESC_ATTR:
				rc = tmpl_esc_attr(out, t->str);
				break;
			case ESC_URL:
				rc = tmpl_esc_url(out, t->str);
				break;
			case ESC_HREF:
				rc = tmpl_esc_href(out, t->str);
				break;
			case ESC_RAW:
				rc = buf_puts(out, t->str);
				break;
			default:
				rc = tmpl_esc_html(out, t->str);
				break;
			}
			break;
		case NODE_IF:
		case NODE_UNLESS:
			t = tvar_find(v, n->name);
			if (tvar_truthy(t) == (n->type == NODE_IF))
				err = render_nodes(out, &n->body, v, depth);
			else
				err = render_nodes(out, &n->other, v, depth);
			if (err != TMPL_OK)
				return err;
			break;
		case NODE_EACH:
			if ((t = tvar_find(v, n->name)) == NULL) {
				LOG_ERR("template list %s not set", n->name);
				return TMPL_ERR_MISSING;
			}
			if (t->type != TVAR_LIST) {
				LOG_ERR(
				    "template variable %s not a list", n->name);
				return TMPL_ERR_TYPE;
			}
			for (r = 0; r < t->nrows; r++)
				if ((err = render_nodes(out, &n->body,
				         t->rows[r], depth)) != TMPL_OK)
					return err;
			break;
		case NODE_INCLUDE:
			if (depth >= TMPL_INCLUDE_MAX)
				return TMPL_ERR_DEPTH;
			if ((err = tmpl_get(n->name, &inc)) != TMPL_OK)
				return err;
			if ((err = render_nodes(
			         out, &inc->root, v, depth + 1)) != TMPL_OK)
				return err;
			break;
		default:
			return TMPL_ERR_SYNTAX;
		}
		if (rc == -1)
			return TMPL_ERR_NOMEM;
	}
	return TMPL_OK;
}

enum tmpl_err
tmpl_render(struct buf *out, const char *name, const struct tmpl_vars *vars)
{
	const struct tmpl *t;
	enum tmpl_err err;

	if ((err = tmpl_get(name, &t)) != TMPL_OK)
		return err;
	return render_nodes(out, &t->root, vars, 0);
}

enum tmpl_err
tmpl_render_string(struct buf *out, const char *src, size_t srclen,
    const struct tmpl_vars *vars)
{
	struct tmpl t;
	enum tmpl_err err;

	memset(&t, 0, sizeof(t));
	if ((t.src = malloc(srclen + 1)) == NULL)
		return TMPL_ERR_NOMEM;
	memcpy(t.src, src, srclen);
	t.src[srclen] = '\0';
	if ((err = tmpl_parse(&t, srclen)) == TMPL_OK)
		err = render_nodes(out, &t.root, vars, 0);
	nodes_free(&t.root);
	free(t.src);
	return err;
}
