# bench/http.mk: owned by its module; see Makefile.am.
