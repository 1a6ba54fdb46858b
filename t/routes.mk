# t/routes.mk: owned by its module; see Makefile.am.
