# bench/http.mk: the side-by-side benchmarks (issue 7): our routes, the bare
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
