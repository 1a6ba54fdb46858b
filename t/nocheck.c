/*
 * nocheck.c -- what each Check suite is built from when configure did not
 * find Check (check >= 0.15): it says so and exits 77, which the automake
 * test driver reports as SKIP. Install Check (Debian: check) and run
 * configure again to run the suite.
 */
#include <stdio.h>

int
main(int argc, char *argv[])
{
	fprintf(stderr,
	    "%s: skipped: configure did not find Check "
	    "(check >= 0.15); install it and run configure again\n",
	    argc > 0 ? argv[0] : "test");
	return 77;
}
