/*
 * fuzz_format.c -- libFuzzer driver: the small formatters and extractors
 * that see text from outside. Byte 0 chooses:
 *   even  users_format_ts on the rest (a timestamp as PostgreSQL sends
 *         it, or anything else): out is always terminated and, when the
 *         input has the expected shape, has ISO 8601's;
 *   odd   req_path_tail on the rest as PATH_INFO (script at the root,
 *         then at /user), then as the request path without PATH_INFO:
 *         the tail is inside the request's own strings, never empty.
 * Input up to its first NUL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "fuzz.h"

/* 1 if p points into s (a string of the request). */
static int
inside(const char *p, const char *s)
{
	return p >= s && p <= s + strlen(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[40];
	const char *t;
	struct req r;

	if (size < 1 || size > 4096)
		return 0;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] % 2 == 0) {
		memset(out, 'x', sizeof(out));
		users_format_ts(s, out);
		FUZZ_ASSERT(memchr(out, '\0', sizeof(out)) != NULL);
		/* Copied as it came, out keeps the input's ' ' at 10. */
		if (strlen(s) > 10 && s[10] == ' ' && out[10] == 'T')
			FUZZ_ASSERT(strlen(out) == 32 && out[19] == '.' &&
			    out[29] == ':' &&
			    (out[26] == '+' || out[26] == '-'));
	} else {
		memset(&r, 0, sizeof(r));
		r.path_info = s;
		r.uri_path = (char *)"";
		t = req_path_tail(&r, "/user/");
		FUZZ_ASSERT(t == NULL || (*t != '\0' && inside(t, s)));
		r.script_name = (char *)"/user";
		t = req_path_tail(&r, "/user/");
		FUZZ_ASSERT(t == NULL || (*t != '\0' && inside(t, s)));
		r.script_name = NULL;
		r.path_info = (char *)"";
		r.uri_path = s;
		t = req_path_tail(&r, "/user/");
		FUZZ_ASSERT(t == NULL || (*t != '\0' && inside(t, s)));
	}
	free(s);
	return 0;
}
