# t/data.mk: owned by its module; see Makefile.am.
