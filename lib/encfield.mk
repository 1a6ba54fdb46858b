# lib/encfield.mk: libencfield, the installable encrypted-field library.
lib_LTLIBRARIES += lib/libencfield.la
include_HEADERS += lib/encfield.h
lib_libencfield_la_SOURCES = lib/encfield.c lib/encfield_util.c \
	lib/encfield_hkdf.c lib/encfield_keyring.c lib/encfield_v1.c \
	lib/encfield_legacy.c lib/encfield_pw.c \
	lib/encfield_envelope.c
lib_libencfield_la_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
lib_libencfield_la_LIBADD = $(GCRYPT_LIBS)
lib_libencfield_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-export-symbols-regex '^ef_'
dist_man_MANS += man/encfield.3
