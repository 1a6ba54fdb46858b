/*
 * fixture.h -- where the HTTP layer's tests find their fixtures: the
 * directory t/http of the source tree ($top_srcdir, exported by the test
 * driver, so that VPATH builds and make distcheck work), and a reader that
 * loads one fixture file whole into a struct buf.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

/* Write the path of fixture name (or of the directory, if name is NULL). */
static void
fixture_path(char *out, size_t outsz, const char *name)
{
	const char *top = getenv("top_srcdir");

	snprintf(out, outsz, "%s/t/http%s%s", top != NULL ? top : ".",
	    name != NULL ? "/" : "", name != NULL ? name : "");
}

/* Replace the content of out with the bytes of fixture name. */
static void
fixture_read(const char *name, struct buf *out)
{
	char path[1024], chunk[4096];
	FILE *f;
	size_t n;

	fixture_path(path, sizeof(path), name);
	ck_assert_msg((f = fopen(path, "rb")) != NULL, "cannot open %s", path);
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ck_assert_int_eq(buf_putmem(out, chunk, n), 0);
	ck_assert_msg(!ferror(f), "cannot read %s", path);
	fclose(f);
}

#endif /* !FIXTURE_H */
