# t/encfield.mk: owned by its module; see Makefile.am.
