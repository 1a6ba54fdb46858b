# fuzz/local.mk: fuzzing and hardening.
#
#  - fuzz/fuzz_*.c: libFuzzer drivers, one per input parser (see each
#    file's opening comment); seed corpora in fuzz/corpus/NAME/,
#    dictionaries in fuzz/NAME.dict.
#  - make fuzz-build: build them with clang, -fsanitize=fuzzer,address,
#    undefined (fuzz/build.sh); make fuzz: run each for FUZZ_SECONDS
#    (default 60); make fuzz-smoke: 10 s each (what CI runs).
#  - make check: every driver also builds with $(CC) as a replay program
#    (fuzz/replay.c) that runs its whole corpus, crash inputs included
#    (fuzz/replay.sh); fuzz/check_pwcost: the cost bounds of stored
#    password hashes.
#  - t/hostile.pg: the hostile-input corpus over real HTTP (lighttpd, the
#    routes, PostgreSQL); t/valgrind-fcgi.pg: one FastCGI route process
#    under valgrind, 1,000 requests (also: make valgrind-fcgi).

FUZZ_DRIVERS = query json headers ciphertext pwhash tmpl fcgi settings format
FUZZ_SECONDS = 60
FUZZ_CC = clang
FUZZ_REPLAY_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(FCGI_CFLAGS) \
	$(GCRYPT_CFLAGS) -I$(top_srcdir)/fuzz
FUZZ_REPLAY_LDADD = lib/libapp.la $(JSONC_LIBS) $(FCGI_LIBS) $(GCRYPT_LIBS)
FUZZ_HDRS = fuzz/fuzz.h fuzz/common.h

check_PROGRAMS += fuzz/replay_query fuzz/replay_json fuzz/replay_headers \
	fuzz/replay_ciphertext fuzz/replay_pwhash fuzz/replay_tmpl \
	fuzz/replay_fcgi fuzz/replay_settings fuzz/replay_format
fuzz_replay_query_SOURCES = fuzz/fuzz_query.c fuzz/replay.c $(FUZZ_HDRS)
fuzz_replay_query_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_query_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_json_SOURCES = fuzz/fuzz_json.c fuzz/replay.c $(FUZZ_HDRS)
fuzz_replay_json_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_json_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_headers_SOURCES = fuzz/fuzz_headers.c fuzz/replay.c $(FUZZ_HDRS)
fuzz_replay_headers_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_headers_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_ciphertext_SOURCES = fuzz/fuzz_ciphertext.c fuzz/replay.c \
	$(FUZZ_HDRS)
fuzz_replay_ciphertext_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_ciphertext_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_pwhash_SOURCES = fuzz/fuzz_pwhash.c fuzz/replay.c $(FUZZ_HDRS)
fuzz_replay_pwhash_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_pwhash_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_tmpl_SOURCES = fuzz/fuzz_tmpl.c fuzz/replay.c $(FUZZ_HDRS)
fuzz_replay_tmpl_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_tmpl_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_fcgi_SOURCES = fuzz/fuzz_fcgi.c fuzz/replay.c $(FUZZ_HDRS)
fuzz_replay_fcgi_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_fcgi_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_settings_SOURCES = fuzz/fuzz_settings.c fuzz/replay.c $(FUZZ_HDRS)
fuzz_replay_settings_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_settings_LDADD = $(FUZZ_REPLAY_LDADD)
fuzz_replay_format_SOURCES = fuzz/fuzz_format.c fuzz/replay.c $(FUZZ_HDRS)
fuzz_replay_format_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
fuzz_replay_format_LDADD = $(FUZZ_REPLAY_LDADD)

TESTS += fuzz/replay.sh
EXTRA_DIST += fuzz/replay.sh fuzz/mkseeds.py fuzz/corpus fuzz/lsan.supp \
	fuzz/fcgi.options fuzz/query.dict \
	fuzz/json.dict fuzz/headers.dict fuzz/ciphertext.dict fuzz/pwhash.dict \
	fuzz/tmpl.dict fuzz/fcgi.dict
dist_noinst_SCRIPTS += fuzz/build.sh fuzz/run.sh

fuzz-build: config.h
	FUZZ_CC='$(FUZZ_CC)' \
	FUZZ_CPPFLAGS='-I$(top_srcdir)/lib -I$(top_builddir) -DTEMPLATEDIR="\"$(pkgdatadir)/templates\"" -DSQLDIR="\"$(pkgdatadir)/sql\"" $(GCRYPT_CFLAGS) $(PQ_CFLAGS) $(JSONC_CFLAGS) $(FCGI_CFLAGS) $(SECCOMP_CFLAGS)' \
	FUZZ_LIBS='$(GCRYPT_LIBS) $(PQ_LIBS) $(JSONC_LIBS) $(FCGI_LIBS) $(SECCOMP_LIBS)' \
	$(SHELL) $(srcdir)/fuzz/build.sh $(srcdir) $(top_builddir) \
	    '$(FUZZ_DRIVERS)' -- $(lib_libapp_la_SOURCES) \
	    $(lib_libencfield_la_SOURCES)

fuzz: fuzz-build
	$(SHELL) $(srcdir)/fuzz/run.sh $(srcdir) $(top_builddir) \
	    $(FUZZ_SECONDS) '$(FUZZ_DRIVERS)'

fuzz-smoke: fuzz-build
	FUZZ_SEED=1 $(SHELL) $(srcdir)/fuzz/run.sh $(srcdir) $(top_builddir) 10 \
	    '$(FUZZ_DRIVERS)'

clean-local: clean-local-fuzz
clean-local-fuzz:
	-rm -rf fuzz/obj fuzz/bin fuzz/work fuzz/crashes fuzz/fuzz_*.log
.PHONY: fuzz fuzz-build fuzz-smoke clean-local-fuzz

# Bounds on the cost of a stored password hash (see the file), enforced
# by libencfield's PHC parser since commit "argon2 cost bounds" (crypto).
check_PROGRAMS += fuzz/check_pwcost
TESTS += fuzz/check_pwcost
if HAVE_CHECK
fuzz_check_pwcost_SOURCES = fuzz/check_pwcost.c
else
fuzz_check_pwcost_SOURCES = t/nocheck.c
endif
fuzz_check_pwcost_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
fuzz_check_pwcost_LDADD = lib/libencfield.la $(CHECK_LIBS)

# The hostile-input corpus over HTTP (lighttpd + routes + PostgreSQL).
TESTS += t/hostile.pg
EXTRA_DIST += t/hostile.pg t/hostile/hostile.py t/hostile/requests.tsv
clean-local: clean-local-hostile
clean-local-hostile:
	-rm -rf t/hostile.d
.PHONY: clean-local-hostile

# One FastCGI process under valgrind and its resident memory (about a
# minute; skipped in an ASan build). Also alone: make valgrind-fcgi.
TESTS += t/valgrind-fcgi.pg
EXTRA_DIST += t/valgrind-fcgi.pg t/valgrind-fcgi.py t/fcgiclient.py
valgrind-fcgi: all
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(srcdir)/t/with-pg \
	    $(srcdir)/t/valgrind-fcgi.pg
clean-local: clean-local-valgrind-fcgi
clean-local-valgrind-fcgi:
	-rm -rf t/valgrind-fcgi.d
.PHONY: valgrind-fcgi clean-local-valgrind-fcgi
