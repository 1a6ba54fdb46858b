# lib/http.mk: the HTTP layer of libapp (owner: http) -- byte buffers,
# FastCGI/CGI I/O, request parsing, validators, responses, templates.
lib_libapp_la_SOURCES += lib/buf.c lib/http.c lib/json.c lib/req.c lib/valid.c \
	lib/resp.c lib/tmpl.c
