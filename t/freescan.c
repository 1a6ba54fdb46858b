/*
 * freescan.c -- an LD_PRELOAD module for the tests: every block handed
 * back to the C library is searched for the strings listed in
 * FREESCAN_NEEDLES (one a line: keys, passwords, emails the test used),
 * and each one found is reported as a line in the file FREESCAN_LOG:
 * "needle N in a freed block of M bytes". At exit it adds "scanned N
 * blocks". Both free() (what a plain program calls) and __libc_free()
 * (what the routes' own free calls after wiping, lib/wipe.c) are watched,
 * so a report means the memory was really left readable. Only in programs
 * whose path holds FREESCAN_ONLY (e.g. "/cgi-bin/"): not in the shells of
 * libtool's wrappers, which copy the environment, needles included.
 * Never installed.
 */
#define _GNU_SOURCE /* memmem, RTLD_NEXT */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FREESCAN_MAX 32

void __libc_free(void *p);

static char freescan_store[8192];
static const char *freescan_needle[FREESCAN_MAX];
static size_t freescan_len[FREESCAN_MAX];
static size_t freescan_n;
static unsigned long freescan_blocks;
static int freescan_fd = -1;
static void (*freescan_real)(void *); /* the C library's __libc_free */

/* Append one line to the log; a line that cannot be written is lost (the
 * test's control run notices a scanner that reports nothing). */
static void
freescan_say(const char *line, int n)
{
	if (n > 0 && write(freescan_fd, line, (size_t)n) != n)
		return;
}

/* Read the needles and open the log, before main (and its sandbox). */
__attribute__((constructor)) static void
freescan_init(void)
{
	const char *env = getenv("FREESCAN_NEEDLES"), *log, *only;
	char exe[4096], *p, *nl;
	ssize_t n;

	freescan_real = (void (*)(void *))dlsym(RTLD_NEXT, "__libc_free");
	if (freescan_real == NULL || env == NULL ||
	    (log = getenv("FREESCAN_LOG")) == NULL ||
	    (only = getenv("FREESCAN_ONLY")) == NULL ||
	    strlen(env) >= sizeof(freescan_store))
		return;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0)
		return;
	exe[n] = '\0';
	if (strstr(exe, only) == NULL)
		return;
	memcpy(freescan_store, env, strlen(env) + 1);
	for (p = freescan_store; *p != '\0' && freescan_n < FREESCAN_MAX;
	     p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (*p != '\0') {
			freescan_needle[freescan_n] = p;
			freescan_len[freescan_n++] = strlen(p);
		}
		if (nl == NULL)
			break;
	}
	freescan_fd =
	    open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

__attribute__((destructor)) static void
freescan_fini(void)
{
	char line[64];

	if (freescan_fd != -1)
		freescan_say(line,
		    snprintf(line, sizeof(line), "scanned %lu blocks\n",
		        freescan_blocks));
}

/* Search p's block for the needles, then give it back. */
static void
freescan_release(void *p)
{
	char line[96];
	size_t size, i;

	if (p == NULL)
		return;
	if (freescan_fd != -1) {
		size = malloc_usable_size(p);
		freescan_blocks++;
		for (i = 0; i < freescan_n; i++)
			if (memmem(p, size, freescan_needle[i],
			        freescan_len[i]) != NULL)
				freescan_say(line,
				    snprintf(line, sizeof(line),
				        "needle %zu in a freed "
				        "block of %zu bytes\n",
				        i + 1, size));
	}
	/* Before the constructor found the C library's, a block is kept. */
	if (freescan_real != NULL)
		freescan_real(p);
}

void
free(void *p)
{
	freescan_release(p);
}

void
__libc_free(void *p)
{
	freescan_release(p);
}
