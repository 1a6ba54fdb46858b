# t/http.mk: unit tests of the HTTP layer (owner: http), one Check binary
# per lib/ module. Fixtures live in t/http/.
HTTP_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS) \
	-I$(top_srcdir)/t
HTTP_TEST_LDADD = lib/libapp.la $(CHECK_LIBS) $(JSONC_LIBS)

check_PROGRAMS += t/check_req
TESTS += t/check_req
if HAVE_CHECK
t_check_req_SOURCES = t/check_req.c t/http/fakeio.h
else
t_check_req_SOURCES = t/nocheck.c
endif
t_check_req_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_req_LDADD = $(HTTP_TEST_LDADD)

check_PROGRAMS += t/check_valid
TESTS += t/check_valid
if HAVE_CHECK
t_check_valid_SOURCES = t/check_valid.c
else
t_check_valid_SOURCES = t/nocheck.c
endif
t_check_valid_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_valid_LDADD = $(HTTP_TEST_LDADD)

check_PROGRAMS += t/check_buf t/check_log
TESTS += t/check_buf t/check_log
if HAVE_CHECK
t_check_buf_SOURCES = t/check_buf.c
t_check_log_SOURCES = t/check_log.c
else
t_check_buf_SOURCES = t/nocheck.c
t_check_log_SOURCES = t/nocheck.c
endif
t_check_buf_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_buf_LDADD = $(HTTP_TEST_LDADD)
t_check_log_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_log_LDADD = $(HTTP_TEST_LDADD)

check_PROGRAMS += t/check_resp
TESTS += t/check_resp
if HAVE_CHECK
t_check_resp_SOURCES = t/check_resp.c t/http/fakeio.h t/http/fixture.h
else
t_check_resp_SOURCES = t/nocheck.c
endif
t_check_resp_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_resp_LDADD = $(HTTP_TEST_LDADD)
EXTRA_DIST += t/http/resp-page.html t/http/resp-json.golden \
	t/http/resp-json-head.golden t/http/resp-404.golden \
	t/http/resp-405.golden t/http/resp-503.golden t/http/resp-422.golden \
	t/http/resp-303.golden t/http/resp-204.golden t/http/resp-500.golden

check_PROGRAMS += t/check_tmpl
TESTS += t/check_tmpl
if HAVE_CHECK
t_check_tmpl_SOURCES = t/check_tmpl.c t/http/fixture.h
else
t_check_tmpl_SOURCES = t/nocheck.c
endif
t_check_tmpl_CFLAGS = $(HTTP_TEST_CFLAGS)
t_check_tmpl_LDADD = $(HTTP_TEST_LDADD)
EXTRA_DIST += t/http/page.html t/http/layout-head.html \
	t/http/layout-foot.html t/http/page-empty-vars.html \
	t/http/bad-syntax.html t/http/self-include.html \
	t/http/include-missing.html t/http/page.golden \
	t/http/page-empty.golden
clean-local: clean-local-http
clean-local-http:
	rm -rf t/tmpl-cache.d
.PHONY: clean-local-http

# The whole accept -> parse -> respond loop, under plain CGI and FastCGI.
check_PROGRAMS += t/http_loop
TESTS += t/http-loop.sh
t_http_loop_SOURCES = t/http_loop.c
t_http_loop_CFLAGS = $(HTTP_TEST_CFLAGS) $(FCGI_CFLAGS)
t_http_loop_LDADD = lib/libapp.la $(JSONC_LIBS) $(FCGI_LIBS)
EXTRA_DIST += t/http-loop.sh t/http/loop.html
clean-local: clean-local-http-loop
clean-local-http-loop:
	rm -rf t/http-loop.d
.PHONY: clean-local-http-loop
