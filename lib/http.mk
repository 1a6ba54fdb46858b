# lib/http.mk: owned by its module; see Makefile.am.
