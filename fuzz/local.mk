# fuzz/local.mk: owned by its module; see Makefile.am.
