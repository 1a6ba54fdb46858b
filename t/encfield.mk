# t/encfield.mk: tests of libencfield (lib/encfield*.c).
#
# t/check_encfield: the Check suite (published vectors, the SQLAlchemy-Utils
# file, tampering, tables); t/argon2-cli.sh: interoperability with Debian's
# argon2 tool through the helper t/ef-pwtool.
check_PROGRAMS += t/check_encfield t/ef-pwtool
TESTS += t/check_encfield t/argon2-cli.sh t/abi.sh
dist_noinst_SCRIPTS += t/abi.sh
# Built from the library's sources, not linked to it: it also tests the
# primitives the library does not export (lib/encfield_impl.h).
if HAVE_CHECK
t_check_encfield_SOURCES = t/check_encfield.c $(lib_libencfield_la_SOURCES)
else
t_check_encfield_SOURCES = t/nocheck.c
endif
t_check_encfield_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(GCRYPT_CFLAGS) \
	$(JSONC_CFLAGS)
t_check_encfield_LDADD = $(CHECK_LIBS) $(GCRYPT_LIBS) $(JSONC_LIBS)
t_ef_pwtool_SOURCES = t/ef-pwtool.c
t_ef_pwtool_LDADD = lib/libencfield.la
dist_noinst_SCRIPTS += t/argon2-cli.sh
dist_noinst_DATA += t/vectors/sqlalchemy-utils.json

# The same binaries under valgrind (memcheck, leaks, CK_FORK=no), with
# fewer nonces so that it ends in minutes: make check-valgrind-encfield.
ENCFIELD_VALGRIND = valgrind --error-exitcode=97 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --track-origins=yes -q
check-valgrind-encfield: t/check_encfield$(EXEEXT) t/ef-pwtool$(EXEEXT)
	cd $(top_builddir) && \
	top_srcdir='$(top_srcdir)' CK_FORK=no EF_TEST_NONCES=2000 EF_TEST_FUZZ=300 \
	CK_DEFAULT_TIMEOUT=0 $(LIBTOOL) --mode=execute \
	$(ENCFIELD_VALGRIND) t/check_encfield
	cd $(top_builddir) && \
	top_srcdir='$(top_srcdir)' EF_PWTOOL_WRAP='$(LIBTOOL) --mode=execute $(ENCFIELD_VALGRIND)' \
	$(SHELL) $(top_srcdir)/t/argon2-cli.sh
.PHONY: check-valgrind-encfield
