/*
 * ops.h -- the operator's subcommands of encdb (rotate, upgrade, reindex,
 * verify, status, token, audit) and the helpers they share (encdb/opsutil.c).
 * encdb.c's main calls ops_<name>(argc, argv) as the table of cmds.c says
 * (argv as encdb.h describes); each returns the process exit status:
 * 0 success, 1 the work found a problem (rows skipped, verification
 * failed) or was refused, 2 usage error, 3 configuration or database
 * error.
 */
#ifndef ENCDB_OPS_H
#define ENCDB_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "extern.h" /* struct audit_entry */

#define OPS_EXIT_OK      0 /* done, nothing wrong */
#define OPS_EXIT_PROBLEM 1 /* done, but rows failed or the check failed */
#define OPS_EXIT_USAGE   2 /* bad command line */
#define OPS_EXIT_SETUP   3 /* settings or database unusable */

int ops_rotate(int argc, char *argv[]);
int ops_upgrade(int argc, char *argv[]);
int ops_reindex(int argc, char *argv[]);
int ops_verify(int argc, char *argv[]);
int ops_status(int argc, char *argv[]);
int ops_token(int argc, char *argv[]);
int ops_audit(int argc, char *argv[]);
int ops_roles(int argc, char *argv[]);
int ops_erasure(int argc, char *argv[]);

/*
 * For encdb check: *n = how many users the erasure ledger (ERASURE_LEDGER,
 * checked with the audit verify key) lists still have a data key in the
 * database of pg, as after a restore. Returns the number of ledger lines
 * that fail their checks (printed), or -1 (printed) if the ledger or the
 * key cannot be read.
 */
int ops_erasure_keys_present(
    const struct cfg *c, struct pg_conn *pg, int64_t *n);

/* ---- opsutil.c ---------------------------------------------------------- */

struct cfg;
struct pg_conn;
struct pg_result;

/*
 * The blind index of the legacy rows that have none (encdb/upgrade.c, run
 * by migrate): computed with POSTGRES_SECRET_KEY and INDEX_KEY of c, or,
 * when either is unset, a line saying how many rows wait for it. Rows that
 * cannot be indexed are named on stderr and counted on stdout. Returns 0,
 * or -1 on a database error (printed).
 */
int ops_index_legacy(struct pg_conn *pg, struct cfg *c);

/* A flag of ops_setup beside CFG_NEED_*: the schema may be missing. */
#define OPS_ANY_SCHEMA 0x100

/*
 * Load the settings (flags: CFG_NEED_*), open the database connection and
 * return it in *pg; unless flags has OPS_ANY_SCHEMA, check that the schema
 * is migrated. On failure, print the reason in plain words (naming the
 * setting, or what to run) to stderr and return -1; cfg must be released
 * with ops_teardown anyway.
 */
int ops_setup(struct cfg *c, unsigned flags, struct pg_conn **pg);

/* PostgreSQL's message for the last failure, without trailing newlines
 * (static; it may quote values: for the operator only). */
const char *ops_db_message(void);

/*
 * Load the settings n more times into w[0..n-1] (flags as ops_setup), for
 * worker threads that must not share keys. 0, or -1 (printed); free with
 * ops_workers_free either way.
 */
int ops_workers_load(struct cfg *w, int n, unsigned flags);
void ops_workers_free(struct cfg *w, int n);

/* Close the connection and free the settings. */
void ops_teardown(struct cfg *c);

/*
 * Parse a positive decimal number (1..max) for option opt; on error print
 * "encdb: OPT: reason" and return -1.
 */
long long ops_number(const char *opt, const char *s, long long max);

/* Progress line on stderr when it is a terminal: rows, rows/s, ETA. */
struct ops_progress {
	const char *what; /* "rotate", ... */
	int64_t total;    /* expected rows (0: unknown) */
	int64_t done;     /* rows handled so far */
	double t0;        /* start, seconds (monotonic) */
	double shown;     /* when the line was last drawn */
	int tty;          /* stderr is a terminal */
};

double ops_now(void);
void ops_progress_start(
    struct ops_progress *p, const char *what, int64_t total);
/* Add n rows; redraws at most 5 times a second. */
void ops_progress_add(struct ops_progress *p, int64_t n);
/* Erase the line (terminal) and return the elapsed seconds. */
double ops_progress_end(struct ops_progress *p);

/*
 * A one-dimensional PostgreSQL array in binary format (array_recv), built
 * element by element, for one-statement batch updates through unnest():
 * ndim 1, no nulls, element type oid, lower bound 1.
 */
struct ops_array {
	unsigned char *data;
	size_t len, cap;
	int32_t n; /* elements so far */
	int oom;   /* sticky allocation failure */
};

#define OPS_OID_BYTEA 17
#define OPS_OID_UUID  2950

void ops_array_init(struct ops_array *a, uint32_t elem_oid);
void ops_array_add(struct ops_array *a, const void *p, size_t len);
/* Finish (writes the count); returns 0, or -1 after an allocation failure. */
int ops_array_finish(struct ops_array *a);
void ops_array_free(struct ops_array *a);

/* Print a libpq error for what on stderr (server message, no values). */
void ops_pg_error(
    const char *what, const struct pg_result *r, const struct pg_conn *pg);

/* Run a parameterless statement, expecting a command or rows; 0 / -1. */
int ops_exec(struct pg_conn *pg, const char *what, const char *sql);

/* A count (first field of the first row) from a text query; -1 on error. */
int64_t ops_count(struct pg_conn *pg, const char *what, const char *sql,
    int nparams, const char *const *values);

/* UUID text (37 bytes with NUL) of 16 bytes. */
void ops_uuid_text(const uint8_t *uuid, char out[37]);

/* The reason class of a decryption failure, for reports. */
const char *ops_reason(int ef_err);

/* An audit entry for an encdb command, with the storage it points to. */
struct ops_audit {
	struct audit_entry e;
	char actor[96];
	char route[64];
};

/*
 * Fill x for command ("create-user", ...) and return &x->e: actor
 * "encdb (<login name>)", route "encdb <command>", no subject or detail.
 */
const struct audit_entry *ops_audit_entry(
    struct ops_audit *x, const char *command, enum audit_action action);

/*
 * Record one entry for command now (through db_exec: inside the caller's
 * transaction if one is open), with the id of the user named username
 * (NULL, or no such user: none) as subject. 0, or -1 (printed): the
 * command must then stop before it does or shows anything.
 */
int ops_audit_record(const char *command, enum audit_action action,
    const char *username, const char *detail);

/*
 * A file of the state directory: opt (a command-line option; may be NULL),
 * else the setting named setting, else AUDITSTATEDIR/file. *path is
 * malloc'd. 0, or -1 (printed).
 */
int ops_state_path(const struct cfg *c, const char *setting, const char *file,
    const char *opt, char **path);

/* Read one line (without its newline) into buf; 1, 0 at the end, -1 if
 * too long. */
int ops_read_line(FILE *f, char *buf, size_t size);

/* Append line (shorter than AUDIT_CP_LINE_MAX) and a newline to path
 * (created 0640), and flush it to disk. 0, or -1 (printed for what). */
int ops_append_line(const char *what, const char *path, const char *line);

/* AUDIT_SIGNING_KEY into k (wipe it after use). 0, or -1 (printed for
 * what: not set, or not a key pair). */
int ops_signing_key(
    const struct cfg *c, const char *what, struct audit_signing_key *k);

/* The public key: AUDIT_VERIFY_KEY, else the one in AUDIT_SIGNING_KEY.
 * 0, or -1 (printed for what). */
int ops_verify_key(
    const struct cfg *c, const char *what, uint8_t pub[AUDIT_KEY_LEN]);

#endif /* !ENCDB_OPS_H */
