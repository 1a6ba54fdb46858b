# t/faults/faults.mk: owned by its module; see Makefile.am.
