# t/ops.mk: owned by its module; see Makefile.am.
