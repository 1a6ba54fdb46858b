/*
 * fuzz_tmpl.c -- libFuzzer driver: the template renderer (tmpl.c) with a
 * fuzzed template text and fuzzed values.
 *
 * Input layout: split at 0xFF into the template text and four values. The
 * scope has a = value 1, b = value 2, url = value 3 (for {{href:url}}),
 * flag (a bool, true when value 4 is not empty), empty (""), and a list
 * rows of two rows, each with name = value 4 and x = value 1. Includes
 * load from a private directory made at start-up with three templates
 * (inc, rows, self: one that includes itself, for the depth limit).
 *
 * Oracle: values are untrusted and must always come out escaped. So when
 * the template text itself contains none of < > " and no raw: tag, the
 * output must contain none of them either, whatever the values hold.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"
#include "fuzz.h"

static char fuzz_dir[64];

static const char *const fuzz_files[][2] = {
    {"inc", "[{{a}}|{{attr:b}}]"},
    {"rows", "{{#each rows}}({{name}}:{{url:x}}){{/each}}"},
    {"self", "{{a}}{{>self}}"},
};

static void
fuzz_cleanup(void)
{
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(fuzz_files) / sizeof(fuzz_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.html", fuzz_dir,
		    fuzz_files[i][0]);
		unlink(path);
	}
	rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[128];
	FILE *fp;
	size_t i;

	(void)argc;
	(void)argv;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/fuzz-tmpl.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	atexit(fuzz_cleanup);
	for (i = 0; i < sizeof(fuzz_files) / sizeof(fuzz_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.html", fuzz_dir,
		    fuzz_files[i][0]);
		if ((fp = fopen(path, "w")) == NULL ||
		    fputs(fuzz_files[i][1], fp) == EOF || fclose(fp) != 0)
			abort();
	}
	if (tmpl_set_dir(fuzz_dir) != 0)
		abort();
	return 0;
}

/* 1 if the len bytes at p contain the string s. */
static int
fuzz_has(const uint8_t *p, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(p + i, s, n) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_vars *v, *row;
	struct buf out = BUF_INIT;
	char *parts[5], *block = NULL;
	const uint8_t *sep;
	size_t srclen, i;
	enum tmpl_err rc;
	int trusted;

	if (size > 64 * 1024)
		return 0;
	/* The template is the raw bytes up to the first 0xFF (NULs kept). */
	sep = memchr(data, 0xff, size);
	srclen = sep != NULL ? (size_t)(sep - data) : size;
	if (fuzz_split(sep != NULL ? sep + 1 : data + size,
	        sep != NULL ? size - srclen - 1 : 0, 0xff, parts, 4,
	        &block) == 0)
		return 0;
	parts[4] = NULL;
	if ((v = tmpl_vars_new()) == NULL)
		abort();
	FUZZ_ASSERT(tmpl_set(v, "a", parts[0]) == 0);
	FUZZ_ASSERT(tmpl_set(v, "b", parts[1]) == 0);
	FUZZ_ASSERT(tmpl_set(v, "url", parts[2]) == 0);
	FUZZ_ASSERT(tmpl_set_bool(v, "flag", parts[3][0] != '\0') == 0);
	FUZZ_ASSERT(tmpl_set(v, "empty", "") == 0);
	for (i = 0; i < 2; i++) {
		FUZZ_ASSERT((row = tmpl_add_row(v, "rows")) != NULL);
		FUZZ_ASSERT(tmpl_set(row, "name", parts[3]) == 0);
		FUZZ_ASSERT(tmpl_set(row, "x", parts[0]) == 0);
	}
	rc = tmpl_render_string(&out, (const char *)data, srclen, v);
	FUZZ_ASSERT(rc < TMPL_ERR__MAX && tmpl_strerror(rc) != NULL);
	trusted = memchr(data, '<', srclen) == NULL &&
	    memchr(data, '>', srclen) == NULL &&
	    memchr(data, '"', srclen) == NULL &&
	    !fuzz_has(data, srclen, "raw:");
	if (rc == TMPL_OK && trusted && out.len > 0) {
		FUZZ_ASSERT(memchr(out.data, '<', out.len) == NULL);
		FUZZ_ASSERT(memchr(out.data, '>', out.len) == NULL);
		FUZZ_ASSERT(memchr(out.data, '"', out.len) == NULL);
	}
	/* The escapers alone, on every value. */
	for (i = 0; i < 4; i++) {
		buf_reset(&out);
		FUZZ_ASSERT(tmpl_esc_html(&out, parts[i]) == 0 &&
		    tmpl_esc_attr(&out, parts[i]) == 0 &&
		    tmpl_esc_url(&out, parts[i]) == 0 &&
		    tmpl_esc_href(&out, parts[i]) == 0);
		FUZZ_ASSERT(out.len == 0 ||
		    (memchr(out.data, '<', out.len) == NULL &&
		        memchr(out.data, '"', out.len) == NULL));
	}
	buf_free(&out);
	tmpl_vars_free(v);
	free(block);
	return 0;
}
