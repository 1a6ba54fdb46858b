/*
 * http_loop.c -- a test route for the whole HTTP layer: accept, parse,
 * validate, respond, in the loop a real route runs, under plain CGI (one
 * request from environ and stdin) or FastCGI (with "-s socket" it listens
 * on a Unix socket itself, as mod_fcgid or spawn-fcgi would arrange).
 * t/http-loop.sh drives it both ways. It answers JSON, or HTML from the
 * template "loop" when the client prefers HTML, and counts the requests
 * its process has served so that the test can see FastCGI reuse.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "extern.h"

enum key { KEY_NAME, KEY_LIMIT, KEY__MAX };

static const struct field keys[KEY__MAX] = {
    {valid_username, "name", FIELD_ANY | FIELD_REQUIRED}, /* KEY_NAME */
    {valid_limit, "limit", FIELD_QUERY},                  /* KEY_LIMIT */
};

/* Build the answer to one parsed request in rs. */
static void
handle(struct req *r, struct resp *rs, long served)
{
	struct pair p[KEY__MAX];
	struct field_errors fe;
	struct json_object *o = NULL;
	struct tmpl_vars *v = NULL;
	const char *tail;

	if (r->method != REQ_METHOD_GET && r->method != REQ_METHOD_HEAD &&
	    r->method != REQ_METHOD_POST) {
		resp_error(rs, 405, "Method not allowed");
		resp_allow(rs, "GET, HEAD, POST");
		return;
	}
	if (req_fields(r, keys, KEY__MAX, p, &fe) != REQ_OK) {
		resp_error_fields(rs, 422, "Invalid input", &fe);
		return;
	}
	if (r->fmt == REQ_FMT_HTML) {
		if ((v = tmpl_vars_new()) == NULL ||
		    tmpl_set(v, "name", p[KEY_NAME].parsed.s) == -1 ||
		    tmpl_setf(v, "count", "%ld", served) == -1 ||
		    resp_html(rs, 200, "loop", v) == -1)
			resp_error(rs, 500, "Internal server error");
		tmpl_vars_free(v);
		return;
	}
	tail = req_path_tail(r, "/loop/");
	if ((o = json_object_new_object()) == NULL)
		return;
	json_object_object_add(
	    o, "name", json_object_new_string(p[KEY_NAME].parsed.s));
	json_object_object_add(o, "limit",
	    p[KEY_LIMIT].state == PAIR_VALID
	        ? json_object_new_int64(p[KEY_LIMIT].parsed.i)
	        : NULL);
	json_object_object_add(
	    o, "path", tail != NULL ? json_object_new_string(tail) : NULL);
	json_object_object_add(o, "https", json_object_new_boolean(r->https));
	json_object_object_add(o, "served", json_object_new_int64(served));
	if (resp_json(rs, 200, o) == -1)
		resp_error(rs, 500, "Internal server error");
	json_object_put(o);
}

int
main(int argc, char *argv[])
{
	struct http *h;
	struct req r;
	struct resp rs;
	enum req_err err;
	long served = 0;
	int fd;

	log_set_progname("http_loop");
	if (argc == 3 && strcmp(argv[1], "-s") == 0) {
		if ((fd = FCGX_OpenSocket(argv[2], 8)) < 0 ||
		    dup2(fd, STDIN_FILENO) == -1) {
			LOG_ERR("cannot listen on the socket");
			return EXIT_FAILURE;
		}
		close(fd);
	}
	if ((h = http_new()) == NULL)
		return EXIT_FAILURE;
	while (http_accept(h) == 1) {
		served++;
		resp_init(&rs);
		err = req_parse(h, &r, REQ_BODY_FORM | REQ_BODY_JSON, 256);
		if (err != REQ_OK)
			resp_error(&rs, req_err_status(err), r.errmsg);
		else
			handle(&r, &rs, served);
		if (resp_cors(&rs, getenv("CORS_ORIGINS"), r.origin) == -1)
			LOG_WARN("bad CORS origin");
		resp_send(h, &rs);
		resp_free(&rs);
		req_free(&r);
		http_finish(h);
	}
	http_free(h);
	return EXIT_SUCCESS;
}
