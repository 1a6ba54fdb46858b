/*
 * fixture.c -- test helper for the route tests: sets up the database the
 * way an operator would, through the real library code, but without the
 * routes' input validation, so that tests can plant hostile rows
 * (usernames full of markup, as a taken-over boilerplate database may
 * hold).
 *
 *	fixture migrate			apply sql/ (SQL_DIR)
 *	fixture user NAME EMAIL TYPE	create a user; password from the
 *					environment variable FIXTURE_PASSWORD
 *	fixture token NAME		print a new API token for NAME
 *
 * Settings come from the environment as for the routes (DATABASE_URL,
 * FIELD_KEYS, INDEX_KEY, SQL_DIR). Exit 0 on success, 1 on failure.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encfield.h"
#include "extern.h"

int
main(int argc, char *argv[])
{
	struct cfg cfg;
	char err[512], tok[AUTH_TOKEN_LEN + 1];
	struct user_new un;
	enum users_conflict conflict = USERS_CONFLICT_NONE;
	enum db_err de;
	enum auth_err ae;
	int rc = 1, applied = 0, version = 0;

	memset(&cfg, 0, sizeof(cfg));
	log_set_progname("fixture");
	if (argc < 2) {
		fprintf(stderr,
		    "usage: fixture migrate | user NAME EMAIL "
		    "TYPE | token NAME\n");
		return 1;
	}
	if (cfg_load(&cfg, CFG_NEED_DB | CFG_NEED_KEYS, err, sizeof(err)) !=
	    CFG_OK) {
		fprintf(stderr, "fixture: %s\n", err);
		goto out;
	}
	if (db_init(&cfg) != DB_OK) {
		fprintf(stderr, "fixture: db_init failed\n");
		goto out;
	}
	if (strcmp(argv[1], "migrate") == 0) {
		de = migrate_apply(
		    cfg.sql_dir, &applied, &version, err, sizeof(err));
		if (de != DB_OK) {
			fprintf(stderr, "fixture: migrate: %s\n", err);
			goto out;
		}
	} else if (strcmp(argv[1], "user") == 0 && argc == 5) {
		un.username = argv[2];
		un.email = argv[3];
		un.user_type = argv[4];
		un.password = getenv("FIXTURE_PASSWORD");
		if (un.password == NULL) {
			fprintf(stderr, "fixture: FIXTURE_PASSWORD not set\n");
			goto out;
		}
		de = users_create(&cfg, &un, NULL, NULL, &conflict);
		if (de != DB_OK) {
			fprintf(stderr, "fixture: users_create: %s\n",
			    db_strerror(de));
			goto out;
		}
	} else if (strcmp(argv[1], "token") == 0 && argc == 3) {
		if ((ae = auth_token_create(argv[2], "test", 0, tok)) !=
		    AUTH_OK) {
			fprintf(
			    stderr, "fixture: token: %s\n", auth_strerror(ae));
			goto out;
		}
		printf("%s\n", tok);
	} else {
		fprintf(stderr, "fixture: bad command\n");
		goto out;
	}
	rc = 0;
out:
	/* The one cleanup point. */
	db_close();
	cfg_free(&cfg);
	return rc;
}
