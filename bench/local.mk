# bench/local.mk: the side-by-side benchmarks: our routes, the bare
# libfcgi ceiling (bench/hello) and the Flask peer (bench/peer/), through
# lighttpd and Apache mod_fcgid, driven by wrk; the field-crypto
# micro-benchmark next to Python's cryptography; encdb rotate/upgrade on a
# million rows. `make bench` (or `make bench-http`) runs bench/run, which
# prints the table and writes bench/results-<date>.txt in the build tree.
# Benchmarks print figures; they are not tests and never fail on a slow
# machine.

# seed-rows: COPY rows for every contender (v1 and legacy formats) and the
# password hash cost.
noinst_PROGRAMS += bench/seed-rows
bench_seed_rows_SOURCES = bench/seed-rows.c
bench_seed_rows_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
bench_seed_rows_LDADD = lib/libencfield.la $(GCRYPT_LIBS)

# The one command. Not part of `make check`: benchmarks are not tests.
# bench/local.mk (crypto) may define `bench:` too; this adds a prerequisite
# line, which make merges with it.
BENCH_FLAGS =
bench-http: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	PG_BINDIR='$(PG_BINDIR)' $(SHELL) $(abs_top_srcdir)/bench/run \
	$(BENCH_FLAGS)
bench: bench-http
.PHONY: bench bench-http

EXTRA_DIST += bench/README
dist_noinst_SCRIPTS += bench/run bench/crypto_peer.py
dist_noinst_DATA += bench/common.lua bench/get-user.lua \
	bench/list-users.lua bench/post-users.lua bench/login.lua \
	bench/peer/app.py
CLEANFILES += bench/results-*.txt

clean-local: clean-bench
clean-bench:
	-rm -rf bench/work
.PHONY: clean-bench

# bench/hello: a bare libfcgi responder, the benchmarks' ceiling and the
# probe of the web-server configs (see t/e2e/).
noinst_PROGRAMS += bench/hello
bench_hello_SOURCES = bench/hello.c
bench_hello_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS)
bench_hello_LDADD = $(FCGI_LIBS)

# bench/bench_crypto: libencfield's cost per operation (ns/op), printed in
# the format of bench/crypto_peer.py. `make bench-crypto` runs it alone;
# `make bench` runs it through bench/run.
noinst_PROGRAMS += bench/bench_crypto
bench_bench_crypto_SOURCES = bench/bench_crypto.c
bench_bench_crypto_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
bench_bench_crypto_LDADD = lib/libencfield.la $(GCRYPT_LIBS)

bench-crypto: bench/bench_crypto$(EXEEXT)
	$(top_builddir)/bench/bench_crypto $(BENCH_SECONDS)
.PHONY: bench-crypto
