/*
 * log.c -- the single log writer. Lines go to stderr, which lighttpd,
 * Apache mod_fcgid and plain CGI all route to the server's error log.
 * Control characters are escaped so that data from a request cannot start
 * a new, forged log line.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "extern.h"

static const char *const levels[LOG_LVL__MAX] = {
    "error",   /* LOG_LVL_ERR */
    "warning", /* LOG_LVL_WARN */
    "info",    /* LOG_LVL_INFO */
};

static const char *progname = "fcgi-encrypted-db";
static char request_id[33];
static int quiet;

void
log_set_progname(const char *name)
{
	if (name != NULL)
		progname = name;
}

void
log_set_quiet(int on)
{
	quiet = on;
}

void
log_set_request_id(const char *id)
{
	if (id == NULL)
		request_id[0] = '\0';
	else
		snprintf(request_id, sizeof(request_id), "%s", id);
}

/*
 * Copy src into dst (of size dstsz), escaping bytes below 0x20 and 0x7f
 * as \xNN and backslashes as \\; the result is always NUL-terminated and
 * silently truncated.
 */
static void
escape_into(char *dst, size_t dstsz, const char *src)
{
	size_t i = 0;
	unsigned char c;

	for (; (c = (unsigned char)*src) != '\0'; src++) {
		if (c < 0x20 || c == 0x7f || c == '\\') {
			if (i + 4 >= dstsz)
				break;
			if (c == '\\') {
				dst[i++] = '\\';
				dst[i++] = '\\';
			} else
				i += (size_t)snprintf(
				    dst + i, dstsz - i, "\\x%02x", c);
		} else {
			if (i + 1 >= dstsz)
				break;
			dst[i++] = (char)c;
		}
	}
	dst[i] = '\0';
}

void
log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
{
	char raw[1024], esc[4096];
	va_list ap;

	if (quiet)
		return;
	if ((unsigned)lvl >= LOG_LVL__MAX)
		lvl = LOG_LVL_ERR;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	escape_into(esc, sizeof(esc), raw);
	if (request_id[0] != '\0')
		fprintf(stderr, "%s: %s: [%s] %s: %s\n", progname, levels[lvl],
		    request_id, func, esc);
	else
		fprintf(stderr, "%s: %s: %s: %s\n", progname, levels[lvl], func,
		    esc);
	fflush(stderr);
}
