/*
 * freescan-control.c -- the control for t/libfreescan: copies the first
 * line of FREESCAN_NEEDLES into the heap and frees it without wiping, as
 * a careless program would. Under the scanner, the log must then report
 * needle 1: the scanner can see what the routes must not leave. Never
 * installed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

int
main(void)
{
	const char *env = getenv("FREESCAN_NEEDLES");
	char *copy, *volatile kept;
	size_t n, i;

	if (env == NULL)
		return 2;
	n = strcspn(env, "\n");
	if ((copy = calloc(1, n + 1)) == NULL)
		return 1;
	/* Through volatile pointers: the compiler may drop neither the
	 * copy (a store before free) nor the malloc/free pair. */
	kept = copy;
	for (i = 0; i < n; i++)
		((volatile char *)kept)[i] = env[i];
	free(kept);
	return 0;
}
