# bench/local.mk: owned by its module; see Makefile.am.

# bench/hello: a bare libfcgi responder, the benchmarks' ceiling and the
# probe of the web-server configs (owned by deploy; see t/e2e/).
noinst_PROGRAMS += bench/hello
bench_hello_SOURCES = bench/hello.c
bench_hello_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS)
bench_hello_LDADD = $(FCGI_LIBS)

# bench/bench_crypto: libencfield's cost per operation (ns/op), printed in
# the format of bench/crypto_peer.py. `make bench-crypto` runs it alone;
# `make bench` (bench/http.mk) runs it through bench/run. Owned by crypto.
noinst_PROGRAMS += bench/bench_crypto
bench_bench_crypto_SOURCES = bench/bench_crypto.c
bench_bench_crypto_CFLAGS = $(AM_CFLAGS) $(GCRYPT_CFLAGS)
bench_bench_crypto_LDADD = lib/libencfield.la $(GCRYPT_LIBS)

bench-crypto: bench/bench_crypto$(EXEEXT)
	$(top_builddir)/bench/bench_crypto $(BENCH_SECONDS)
.PHONY: bench-crypto
