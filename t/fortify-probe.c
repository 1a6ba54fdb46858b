/*
 * fortify-probe.c -- does the build's _FORTIFY_SOURCE check copies into
 * buffers whose size is only known at run time (level 3,
 * __builtin_dynamic_object_size)? Copies argv[1] + 1 bytes into a buffer
 * of argv[1] bytes: a fortified build aborts ("buffer overflow
 * detected"); level 2 cannot see the size and lets it through, and this
 * prints "unchecked". Run by t/fortify.sh; never installed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	static char src[64];
	char *dst;
	long n;

	if (argc != 2 || (n = strtol(argv[1], NULL, 10)) < 1 || n > 32)
		return 2;
	if ((dst = malloc((size_t)n)) == NULL)
		return 1;
	memset(src, 'x', sizeof(src));
	memcpy(dst, src, (size_t)n + (argc == 2)); /* one byte too many */
	printf("unchecked %c\n", dst[0]);
	free(dst);
	return 0;
}
