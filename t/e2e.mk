# t/e2e.mk: owned by its module; see Makefile.am.
