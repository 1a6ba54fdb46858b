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

#endif /* !EXTERN_H */
