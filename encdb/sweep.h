/*
 * sweep.h -- the online batch engine shared by rotate, upgrade and reindex
 * (encdb/sweep.c): keyset batches over public.users, one compare-and-swap
 * UPDATE per batch, lost rows re-read and retried, resumable because the
 * work left is whatever rows still match the selection.
 */
#ifndef ENCDB_SWEEP_H
#define ENCDB_SWEEP_H

#include <pthread.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "ops.h"

#define SWEEP_OUT_MAX  3  /* output arrays per row, after id and old email */
#define SWEEP_JOBS_MAX 8  /* worker threads */
#define SWEEP_OID_TID  27 /* PostgreSQL's tid: a row's (block, offset) */
#define SWEEP_TID_LEN  6  /* its binary form */

/* What a transform says about one row. */
enum sweep_verdict {
	SWEEP_DO,   /* out is filled: write it */
	SWEEP_SKIP, /* nothing to do any more (already current) */
	SWEEP_FAIL, /* cannot be done: out.reason says why (no values!) */
	SWEEP__MAX
};

/* The transform's new values for one row (malloc'd; freed by the sweep). */
struct sweep_out {
	void *v[SWEEP_OUT_MAX];
	size_t len[SWEEP_OUT_MAX];
	const char *reason; /* static reason class on SWEEP_FAIL */
};

struct pg_result;

struct sweep {
	const char *what; /* "rotate", ...: progress and messages */
	/*
	 * The next window of rows after id $1 (uuid, binary) up to id $3
	 * (uuid, binary, inclusive): the first $2 (int) rows in id order,
	 * whether they need work or not (so that each batch costs the same
	 * however much of the table is done), as columns id, email[,
	 * extra...], ctid (binary, found by name), with email NULL for the
	 * rows that need no work; $4 is extra, when set. (Id order, not
	 * physical order: a batch then touches each page about once, so the
	 * page has room for a HOT update once the previous batch's old
	 * versions are pruned; a batch of a page's every row could not be.)
	 */
	const char *select_sql;
	/* The same columns for the ids in $1 (uuid[]): for lost rows. */
	const char *reread_sql;
	/*
	 * The batch write: $1 uuid[] ids, $2 bytea[] the emails read (the
	 * compare-and-swap), $3... the outputs, then tid[] the rows' ctids
	 * (for a TID scan; the id and email conditions stay: a row moved
	 * meanwhile is simply lost and re-read); RETURNING the ids written.
	 */
	const char *update_sql;
	/* count(*) of the rows that need work (text result); $1 = extra. */
	const char *count_sql;
	/* Optional binary parameter: $4 of select_sql, $1 of count_sql. */
	const void *extra;
	size_t extralen;
	int nout;                        /* output arrays (<= SWEEP_OUT_MAX) */
	uint32_t out_oid[SWEEP_OUT_MAX]; /* their element types */
	/* Decide and compute one row (row of r; column 0 id, 1 email). */
	enum sweep_verdict (*transform)(void *arg, const uint8_t id[16],
	    const struct pg_result *r, int row, struct sweep_out *out);
	void *arg;
	/*
	 * Connection string for a second connection that writes batch k
	 * while batch k+1 is read and transformed; NULL: one connection
	 * (needed inside a transaction: the writer would wait on its locks).
	 */
	const char *conninfo;
	/* A constant SET statement for every connection it opens, or NULL. */
	const char *session_sql;
	size_t batch; /* rows per batch */
	/*
	 * Worker threads of the first pass (1: none), each over a slice of
	 * the id space with two connections of its own and its own transform
	 * argument job_args[i] (its own keys: a keyring is not to be shared
	 * between threads). Needs conninfo.
	 */
	int jobs;
	void *job_args[SWEEP_JOBS_MAX];
	struct sweep_shared *shared; /* set by the sweep for its workers */
	unsigned pause_ms; /* pause between batches (throttle), 0: none */
};

/* The progress line shared by the workers. */
struct sweep_shared {
	pthread_mutex_t lock;
	struct ops_progress progress;
};

struct sweep_stats {
	int64_t done;      /* rows written */
	int64_t skipped;   /* rows that turned out to need nothing */
	int64_t failed;    /* rows that cannot be done (reported) */
	int64_t conflicts; /* of which: blind index taken */
	int64_t lost;      /* compare-and-swap losses (retried) */
	int64_t remaining; /* rows still needing work at the end */
	int passes;        /* passes over the table */
	double seconds;    /* wall time */
	int oom;           /* an allocation failed */
	struct ops_progress progress;
};

/*
 * Run sw to completion on pg: passes until no row needs work but the
 * failed ones (or SWEEP_PASSES passes). *st must be zeroed by the caller.
 * Returns 0 (see st for failures), or -1 on a database error (printed).
 */
int sweep_run(struct pg_conn *pg, struct sweep *sw, struct sweep_stats *st);

/*
 * Parse the arguments of a batch command (rotate, upgrade, reindex) into
 * sw: --batch N (1..100000, default 1000), --pause MS (0..60000, default
 * 0), --jobs N (1..SWEEP_JOBS_MAX, default 2); and --swap, which sets
 * *swap, only when swap is not NULL (--help is answered by main). Usage
 * goes through usage(). Returns -1 to go on, else OPS_EXIT_USAGE on bad
 * usage (the message is printed).
 */
int sweep_args(
    struct sweep *sw, int argc, char *argv[], void (*usage)(FILE *), int *swap);

/* Wipe and free the values of o. */
void sweep_out_free(struct sweep_out *o);

#endif /* !ENCDB_SWEEP_H */
