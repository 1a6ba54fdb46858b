/*
 * ops-load.c -- the concurrent client of the t/ops-*.pg tests: it plays the
 * app (lib/users.c, the data layer the routes use, with the settings of
 * its environment) while encdb rotate/upgrade/reindex run, and checks
 * afterwards that nothing was lost.
 *
 *   ops-load run STATE PREFIX COUNT
 *	Until SIGTERM/SIGINT: create users (ld<pid>_<n>), change the email
 *	of random users among PREFIX0000001..PREFIX<COUNT> (the seeded rows,
 *	see bench/seed-rows) and of its own, and look each changed user up
 *	by email through the blind index. Every successful change is
 *	remembered; at the end STATE gets one "username email" line per
 *	user it created or changed (the email it last wrote). Exit status 1
 *	if a lookup by email missed or returned another user, or a write
 *	failed for another reason than a passing conflict.
 *   ops-load check STATE
 *	Every user of STATE must have exactly that email, found by username
 *	and by email (blind index). Exit status 1 on any difference.
 *   ops-load readcost USERNAME N
 *	For bench/run -p ops, not a test: the read path of GET /user in
 *	the data layer (users_find_by_username, email decrypted) N times
 *	without and N times with its audit entry (the same statement),
 *	alternating in rounds; prints microseconds per read for both and
 *	their ratio.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "encfield.h"
#include "extern.h"

#define LOAD_MAX 20000 /* users remembered */

struct seen {
	char name[USERS_NAME_MAX + 1];
	char email[80];
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct seen *seen;
static size_t nseen;

/* Remember that name now has email (replacing an earlier entry). */
static void
remember(const char *name, const char *email)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (strcmp(seen[i].name, name) == 0)
			break;
	if (i == nseen) {
		if (nseen == LOAD_MAX)
			return;
		nseen++;
	}
	snprintf(seen[i].name, sizeof(seen[i].name), "%s", name);
	snprintf(seen[i].email, sizeof(seen[i].email), "%s", email);
}

/* Look email up by blind index: 0 if it finds name, else 1 (printed). */
static int
lookup(const struct cfg *c, const char *name, const char *email)
{
	struct user u;
	enum db_err e;
	int bad = 0;

	memset(&u, 0, sizeof(u));
	e = users_find_by_email(c, email, NULL, &u);
	if (e != DB_OK || strcmp(u.username, name) != 0 || u.email == NULL ||
	    strcmp(u.email, email) != 0) {
		fprintf(stderr, "ops-load: lookup by email of %s: %s\n", name,
		    e != DB_OK ? db_strerror(e) : "wrong row");
		bad = 1;
	}
	users_clear(&u);
	return bad;
}

static int
run(const struct cfg *c, const char *state, const char *prefix, long count)
{
	struct user_change chg;
	struct user_new nu;
	enum users_conflict conf;
	char name[USERS_NAME_MAX + 1], email[80];
	unsigned long n = 0, creates = 0, updates = 0;
	int bad = 0;
	enum db_err e;
	FILE *f;
	size_t i;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		n++;
		if (n % 25 == 1) {
			/* A new user (Argon2id makes this the slow part). */
			snprintf(
			    name, sizeof(name), "ld%ld_%lu", (long)getpid(), n);
			snprintf(email, sizeof(email), "%s@load.example", name);
			nu.username = name;
			nu.email = email;
			nu.password = "load-password";
			nu.user_type = "user";
			e = users_create(c, &nu, NULL, NULL, &conf);
			if (e == DB_OK) {
				creates++;
				remember(name, email);
			} else if (e != DB_UNAVAILABLE) {
				fprintf(stderr, "ops-load: create: %s\n",
				    db_strerror(e));
				bad = 1;
			}
			continue;
		}
		/* Change a seeded user's email, or one of ours. */
		if (nseen > 0 && n % 3 == 0)
			snprintf(name, sizeof(name), "%s",
			    seen[(size_t)rand() % nseen].name);
		else
			snprintf(name, sizeof(name), "%s%07ld", prefix,
			    1 + (long)(rand() % count));
		snprintf(email, sizeof(email), "u%ld.%lu@upd.example",
		    (long)getpid(), n);
		memset(&chg, 0, sizeof(chg));
		chg.email = email;
		e = users_update(c, name, &chg, NULL, NULL, &conf);
		if (e == DB_OK) {
			updates++;
			remember(name, email);
			bad |= lookup(c, name, email);
		} else if (e != DB_NOTFOUND && e != DB_UNAVAILABLE) {
			fprintf(
			    stderr, "ops-load: update: %s\n", db_strerror(e));
			bad = 1;
		}
	}
	if ((f = fopen(state, "w")) == NULL) {
		perror(state);
		return 1;
	}
	for (i = 0; i < nseen; i++)
		fprintf(f, "%s %s\n", seen[i].name, seen[i].email);
	if (fclose(f) != 0) {
		perror(state);
		return 1;
	}
	printf("ops-load: %lu creates, %lu updates, %zu users remembered\n",
	    creates, updates, nseen);
	return bad;
}

static int
check(const struct cfg *c, const char *state)
{
	struct user u;
	char line[256], *sp;
	unsigned long n = 0;
	int bad = 0;
	FILE *f;

	if ((f = fopen(state, "r")) == NULL) {
		perror(state);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		n++;
		memset(&u, 0, sizeof(u));
		if (users_find_by_username(c, line, NULL, &u) != DB_OK ||
		    u.email == NULL || strcmp(u.email, sp) != 0) {
			fprintf(stderr, "ops-load: %s: email lost or wrong\n",
			    line);
			bad = 1;
		}
		users_clear(&u);
		bad |= lookup(c, line, sp);
	}
	fclose(f);
	printf("ops-load: %lu users checked%s\n", n, bad ? ": FAILED" : "");
	return bad || n == 0;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
readcost(const struct cfg *c, const char *name, long n)
{
	struct audit_entry ae = {
	    "user:00000000-0000-4000-8000-000000000000 via token 1", NULL,
	    "GET /user", AUDIT_READ, "127.0.0.1", NULL};
	double t, plain = 0, audited = 0;
	struct user u;
	long i, round;
	int audit;

	for (round = 0; round < 10; round++)
		for (audit = 0; audit < 2; audit++) {
			t = now_us();
			for (i = 0; i < n / 10; i++) {
				memset(&u, 0, sizeof(u));
				if (users_find_by_username(c, name,
				        audit ? &ae : NULL, &u) != DB_OK ||
				    u.email == NULL) {
					fprintf(
					    stderr, "ops-load: read failed\n");
					users_clear(&u);
					return 1;
				}
				users_clear(&u);
			}
			if (audit)
				audited += now_us() - t;
			else
				plain += now_us() - t;
		}
	n = n / 10 * 10;
	printf("read path (users_find_by_username, decrypt): %.1f us/read\n"
	       "the same read with its audit entry:          %.1f us/read\n"
	       "audit cost: +%.1f us/read, ratio %.2f\n",
	    plain / (double)n, audited / (double)n,
	    (audited - plain) / (double)n, audited / plain);
	return 0;
}

/* A count from the command line (1..10^9), or -1. */
static long
count_arg(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 1000000000)
		return -1;
	return v;
}

int
main(int argc, char *argv[])
{
	char err[512];
	struct cfg c;
	int rc;

	memset(&c, 0, sizeof(c));
	log_set_progname("ops-load");
	if (argc < 3 || (strcmp(argv[1], "run") == 0 && argc != 5) ||
	    (strcmp(argv[1], "check") == 0 && argc != 3) ||
	    (strcmp(argv[1], "readcost") == 0 && argc != 4)) {
		fprintf(stderr,
		    "usage: ops-load run STATE PREFIX COUNT | "
		    "check STATE | readcost USERNAME N\n");
		return 2;
	}
	if (cfg_load(&c, CFG_NEED_DB | CFG_NEED_KEYS, err, sizeof(err)) !=
	        CFG_OK ||
	    db_init(&c) != DB_OK) {
		fprintf(stderr, "ops-load: settings: %s\n", err);
		cfg_free(&c);
		return 2;
	}
	if ((seen = calloc(LOAD_MAX, sizeof(*seen))) == NULL)
		return 2;
	srand((unsigned)getpid());
	if (strcmp(argv[1], "run") == 0)
		rc = count_arg(argv[4]) < 0
		    ? 2
		    : run(&c, argv[2], argv[3], count_arg(argv[4]));
	else if (strcmp(argv[1], "readcost") == 0)
		rc = count_arg(argv[3]) < 10
		    ? 2
		    : readcost(&c, argv[2], count_arg(argv[3]));
	else
		rc = check(&c, argv[2]);
	free(seen);
	db_close();
	cfg_free(&c);
	return rc;
}
