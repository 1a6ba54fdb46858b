# bench/local.mk: owned by its module; see Makefile.am.

# bench/hello: a bare libfcgi responder, the benchmarks' ceiling and the
# probe of the web-server configs (owned by deploy; see t/e2e/).
noinst_PROGRAMS += bench/hello
bench_hello_SOURCES = bench/hello.c
bench_hello_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS)
bench_hello_LDADD = $(FCGI_LIBS)
