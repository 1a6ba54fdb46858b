/*
 * sandbox-probe.c -- a route for the sandbox's tests (never installed):
 * app_main's start-up and request loop, sandbox included, with a handler
 * that does what the query asks, so that a test can see what the sandbox
 * allows and what kills the process.
 *
 *	?do=status	answer {"seccomp": N}, N from /proc/self/status (2:
 *			a filter; 0: none), read through an allowed open
 *	?do=exec	execve /bin/true
 *	?do=fork	fork
 *	?do=create&path=P	open P for writing, creating it
 * A forbidden call kills the process with SIGSYS; if it comes back, the
 * answer is 200 {"survived": "<errno text>"}.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "extern.h"

enum key { KEY_DO, KEY_PATH, KEY__MAX };

static const struct field keys[KEY__MAX] = {
    {valid_text, "do", FIELD_QUERY | FIELD_REQUIRED},
    {valid_text, "path", FIELD_QUERY},
};

/* The number after "Seccomp:" in /proc/self/status, or -1. */
static int
seccomp_mode(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int mode = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Seccomp:", 8) == 0)
			mode = atoi(line + 8);
	fclose(f);
	return mode;
}

static void
answer(struct app *a, const char *key, struct json_object *v)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL || json_object_object_add(o, key, v) != 0 ||
	    resp_json(a->rs, 200, o) == -1)
		app_error(a, 500, "Internal server error");
	json_object_put(o);
}

static void
handle(struct app *a)
{
	struct pair p[KEY__MAX];
	struct field_errors fe;
	const char *what;
	char *const argv[] = {(char *)"true", NULL};
	int fd;

	if (req_fields(a->r, keys, KEY__MAX, p, &fe) != REQ_OK) {
		app_fields_error(a, &fe);
		return;
	}
	what = p[KEY_DO].parsed.s;
	errno = 0;
	if (strcmp(what, "status") == 0) {
		answer(a, "seccomp", json_object_new_int(seccomp_mode()));
		return;
	}
	if (strcmp(what, "exec") == 0)
		(void)execv("/bin/true", argv);
	else if (strcmp(what, "fork") == 0) {
		if (fork() == 0)
			_exit(0);
	} else if (strcmp(what, "create") == 0 &&
	    p[KEY_PATH].state == PAIR_VALID) {
		if ((fd = open(
		         p[KEY_PATH].parsed.s, O_WRONLY | O_CREAT, 0600)) != -1)
			close(fd);
	} else {
		app_error(a, 422, "unknown probe");
		return;
	}
	answer(a, "survived", json_object_new_string(strerror(errno)));
}

static const struct app_route route = {
    "sandbox-probe",
    APP_GET,
    0,
    APP_NOAUTH,
    handle,
};

int
main(void)
{
	return app_main(&route);
}
