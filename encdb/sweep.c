/*
 * sweep.c -- the online batch engine behind rotate, upgrade and reindex.
 *
 * A sweep walks public.users in id order (keyset: id > last, LIMIT batch)
 * over the rows that still need work -- the state lives in the data, so a
 * run killed at any point (kill -9 included) is resumed by running it
 * again, and ends in the same state. Each batch is transformed in C (decrypt,
 * re-encrypt, blind index) and written back by ONE statement,
 *	UPDATE public.users u SET ... FROM unnest($1::uuid[], $2::bytea[], ...,
 *	    $N::tid[]) v(id, old, ..., tid) WHERE u.ctid = v.tid
 *	    AND u.id = v.id AND u.email = v.old ... RETURNING u.id
 * in its own transaction, whose join is a compare-and-swap: a row the app
 * changed since it was read is not overwritten. (The ctid read with the
 * row makes the join a TID scan, one page access per row instead of a
 * primary key descent; a row the app moved is simply lost, read again by
 * id and retried.) Such lost rows are read
 * again and retried (a row that no longer needs work is simply done);
 * after SWEEP_RETRIES rounds they are left for the next pass. Passes repeat
 * (the first one in --jobs threads; each pass ends with a count, and
 * another pass runs only if it finds rows left) until no row needs work
 * except the ones that failed (each failure is
 * reported once, by row id and reason class, never by value).
 *
 * A unique violation (a blind index already taken) fails the whole batch
 * statement; the batch is then written row by row so that only the
 * conflicting rows are skipped.
 */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "ops.h"
#include "sweep.h"

#define SWEEP_RETRIES 5  /* CAS rounds per batch before the next pass */
#define SWEEP_PASSES  10 /* passes before giving up on a busy table */

/* A sorted set of row ids (failed rows: reported once, then skipped). */
struct idset {
	uint8_t (*v)[16];
	size_t n, cap;
};

static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static int
idset_has(const struct idset *s, const uint8_t id[16])
{
	return s->n > 0 && bsearch(id, s->v, s->n, 16, id_cmp) != NULL;
}

static int
idset_add(struct idset *s, const uint8_t id[16])
{
	uint8_t(*n)[16];
	size_t lo = 0, hi = s->n, mid;

	if (s->n == s->cap) {
		n = realloc(s->v, (s->cap ? s->cap * 2 : 64) * 16);
		if (n == NULL)
			return -1;
		s->v = n;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (memcmp(s->v[mid], id, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * 16);
	memcpy(s->v[lo], id, 16);
	s->n++;
	return 0;
}

/*
 * The arrays of one batch: ids, old emails, the sweep's outputs, then the
 * rows' ctids (the last parameter of update_sql).
 */
#define BATCH_MAX (3 + SWEEP_OUT_MAX)
struct batch {
	struct ops_array a[BATCH_MAX];
	int narr;
};

static void
batch_init(struct batch *b, const struct sweep *sw)
{
	int i;

	b->narr = 3 + sw->nout;
	ops_array_init(&b->a[0], OPS_OID_UUID);
	ops_array_init(&b->a[1], OPS_OID_BYTEA);
	for (i = 0; i < sw->nout; i++)
		ops_array_init(&b->a[2 + i], sw->out_oid[i]);
	ops_array_init(&b->a[2 + sw->nout], SWEEP_OID_TID);
}

static void
batch_free(struct batch *b)
{
	int i;

	for (i = 0; i < BATCH_MAX; i++)
		ops_array_free(&b->a[i]);
}

/*
 * Transform the rows of r into b, recording failures. Returns the number
 * of rows added; *skipped counts rows that need no work.
 */
static int
batch_fill(struct sweep *sw, struct sweep_stats *st, struct idset *failed,
    PGresult *r, struct batch *b, int report)
{
	struct sweep_out out;
	const uint8_t *id;
	char idtext[37];
	int i, n = PQntuples(r), added = 0, rc;
	int tc = PQfnumber(r, "ctid");

	batch_init(b, sw);
	for (i = 0; i < n; i++) {
		if (PQgetlength(r, i, 0) != 16 || tc < 0 ||
		    PQgetlength(r, i, tc) != SWEEP_TID_LEN)
			continue;
		id = (const uint8_t *)PQgetvalue(r, i, 0);
		if (PQgetisnull(r, i, 1) || idset_has(failed, id))
			continue;
		memset(&out, 0, sizeof(out));
		rc = sw->transform(sw->arg, id, r, i, &out);
		if (rc == SWEEP_SKIP) {
			st->skipped++;
			continue;
		}
		if (rc != SWEEP_DO) {
			st->failed++;
			if (idset_add(failed, id) != 0)
				st->oom = 1;
			if (report) {
				ops_uuid_text(id, idtext);
				fprintf(stderr,
				    "encdb: %s: row %s skipped: %s\n", sw->what,
				    idtext, out.reason ? out.reason : "failed");
			}
			continue;
		}
		ops_array_add(&b->a[0], id, 16);
		ops_array_add(&b->a[1], PQgetvalue(r, i, 1),
		    (size_t)PQgetlength(r, i, 1));
		for (rc = 0; rc < sw->nout; rc++)
			ops_array_add(&b->a[2 + rc], out.v[rc], out.len[rc]);
		ops_array_add(
		    &b->a[2 + sw->nout], PQgetvalue(r, i, tc), SWEEP_TID_LEN);
		sweep_out_free(&out);
		added++;
	}
	return added;
}

/* Count rows written, on the shared progress line if there is one. */
static void
progress_add(struct sweep *sw, struct sweep_stats *st, int64_t n)
{
	if (sw->shared == NULL) {
		ops_progress_add(&st->progress, n);
		return;
	}
	pthread_mutex_lock(&sw->shared->lock);
	ops_progress_add(&sw->shared->progress, n);
	pthread_mutex_unlock(&sw->shared->lock);
}

/* Finish b's arrays into statement parameters; 0, or -1 on OOM. */
static int
batch_params(struct batch *b, const char **values, int *lengths, int *formats)
{
	int i;

	for (i = 0; i < b->narr; i++) {
		if (ops_array_finish(&b->a[i]) != 0)
			return -1;
		values[i] = (const char *)b->a[i].data;
		lengths[i] = (int)b->a[i].len;
		formats[i] = 1;
	}
	return 0;
}

/* Run the update of b and wait: the result (RETURNING ids), or NULL. */
static PGresult *
batch_update(PGconn *pg, const struct sweep *sw, struct batch *b)
{
	const char *values[BATCH_MAX];
	int lengths[BATCH_MAX], formats[BATCH_MAX];

	if (batch_params(b, values, lengths, formats) != 0)
		return NULL;
	return PQexecParams(
	    pg, sw->update_sql, b->narr, NULL, values, lengths, formats, 1);
}

/* Send the update of b without waiting; 0, or -1 (printed). */
static int
batch_send(PGconn *pg, const struct sweep *sw, struct batch *b)
{
	const char *values[BATCH_MAX];
	int lengths[BATCH_MAX], formats[BATCH_MAX];

	if (batch_params(b, values, lengths, formats) != 0) {
		fprintf(stderr, "encdb: %s: out of memory\n", sw->what);
		return -1;
	}
	if (!PQsendQueryParams(pg, sw->update_sql, b->narr, NULL, values,
	        lengths, formats, 1)) {
		ops_pg_error(sw->what, NULL, pg);
		return -1;
	}
	return 0;
}

/* The result of a sent statement (the last one if several), or NULL. */
static PGresult *
batch_receive(PGconn *pg)
{
	PGresult *r, *last = NULL;

	while ((r = PQgetResult(pg)) != NULL) {
		PQclear(last);
		last = r;
	}
	return last;
}

/* 1 if r failed with a unique violation (SQLSTATE 23505). */
static int
is_unique_violation(const PGresult *r)
{
	const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return s != NULL && strcmp(s, "23505") == 0;
}

/* Take the element at offset off of an array (for row-by-row retry). */
static const unsigned char *
array_elem(const struct ops_array *a, size_t *off, size_t *len)
{
	const unsigned char *p = a->data + *off;

	*len =
	    (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	*off += 4 + *len;
	return p + 4;
}

/*
 * Write b row by row after its batch statement hit a unique violation:
 * conflicting rows are reported and remembered as failed. Adds the
 * updated ids to *ids (caller frees each PGresult). Returns 0, -1 on a
 * database error.
 */
static int
batch_rowwise(PGconn *pg, struct sweep *sw, struct sweep_stats *st,
    struct idset *failed, struct batch *b, int64_t *updated)
{
	struct batch one;
	size_t off[BATCH_MAX], len;
	const unsigned char *p, *id = NULL;
	char idtext[37];
	PGresult *r;
	int32_t k;
	int i;

	for (i = 0; i < b->narr; i++)
		off[i] = 20;
	memset(&one, 0, sizeof(one));
	for (k = 0; k < b->a[0].n; k++) {
		batch_init(&one, sw);
		for (i = 0; i < b->narr; i++) {
			p = array_elem(&b->a[i], &off[i], &len);
			if (i == 0)
				id = p;
			ops_array_add(&one.a[i], p, len);
		}
		r = batch_update(pg, sw, &one);
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			*updated += PQntuples(r);
		else if (r != NULL && is_unique_violation(r)) {
			st->failed++;
			st->conflicts++;
			if (idset_add(failed, id) != 0)
				st->oom = 1;
			ops_uuid_text(id, idtext);
			fprintf(stderr,
			    "encdb: %s: row %s skipped: email already used by "
			    "another row (blind index taken)\n",
			    sw->what, idtext);
		} else {
			ops_pg_error(sw->what, r, pg);
			PQclear(r);
			batch_free(&one);
			return -1;
		}
		PQclear(r);
	}
	batch_free(&one);
	return 0;
}

/*
 * Update b; then re-read and retry rows whose compare-and-swap was lost.
 * Returns 0, or -1 on a database error.
 */
static int
batch_commit(PGconn *pg, struct sweep *sw, struct sweep_stats *st,
    struct idset *failed, struct batch *b, int *contended, int sent)
{
	struct ops_array lost;
	struct idset got = {NULL, 0, 0};
	const char *values[1];
	int lengths[1], formats[1] = {1};
	PGresult *r = NULL, *rr = NULL;
	int64_t updated;
	size_t off;
	const unsigned char *p;
	size_t len;
	int round, i, rc = -1;
	int32_t k;

	memset(&lost, 0, sizeof(lost));
	for (round = 0; b->a[0].n > 0; round++) {
		updated = 0;
		got.n = 0;
		if (round == 0 && sent)
			r = batch_receive(pg);
		else
			r = batch_update(pg, sw, b);
		if (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK) {
			updated = PQntuples(r);
			for (i = 0; i < PQntuples(r); i++)
				if (PQgetlength(r, i, 0) == 16 &&
				    idset_add(&got,
				        (const uint8_t *)PQgetvalue(r, i, 0)) !=
				        0)
					st->oom = 1;
		} else if (r != NULL && is_unique_violation(r)) {
			PQclear(r);
			r = NULL;
			if (batch_rowwise(pg, sw, st, failed, b, &updated) != 0)
				goto out;
			/* Row by row: lost rows are not tracked; next pass. */
			st->done += updated;
			progress_add(sw, st, updated);
			if (updated < b->a[0].n)
				*contended = 1; /* conflicts or lost rows */
			rc = 0;
			goto out;
		} else {
			ops_pg_error(sw->what, r, pg);
			goto out;
		}
		PQclear(r);
		r = NULL;
		st->done += updated;
		progress_add(sw, st, updated);
		if (updated == b->a[0].n)
			break;
		/* Lost compare-and-swap: the ids not returned. */
		st->lost += b->a[0].n - updated;
		ops_array_init(&lost, OPS_OID_UUID);
		off = 20;
		for (k = 0; k < b->a[0].n; k++) {
			p = array_elem(&b->a[0], &off, &len);
			if (!idset_has(&got, p))
				ops_array_add(&lost, p, 16);
		}
		if (round + 1 >= SWEEP_RETRIES) {
			*contended = 1;
			break;
		}
		if (ops_array_finish(&lost) != 0) {
			st->oom = 1;
			goto out;
		}
		values[0] = (const char *)lost.data;
		lengths[0] = (int)lost.len;
		rr = PQexecParams(
		    pg, sw->reread_sql, 1, NULL, values, lengths, formats, 1);
		if (PQresultStatus(rr) != PGRES_TUPLES_OK) {
			ops_pg_error(sw->what, rr, pg);
			goto out;
		}
		batch_free(b);
		batch_fill(sw, st, failed, rr, b, 1);
		PQclear(rr);
		rr = NULL;
	}
	rc = 0;
out: /* the one cleanup */
	PQclear(r);
	PQclear(rr);
	ops_array_free(&lost);
	free(got.v);
	return rc;
}

/* The rows that still need work, or -1 (printed). */
static int64_t
sweep_count(PGconn *pg, const struct sweep *sw)
{
	const char *values[1] = {(const char *)sw->extra};
	int lengths[1] = {(int)sw->extralen}, formats[1] = {1};
	PGresult *r;
	int64_t v = -1;

	r = PQexecParams(pg, sw->count_sql, sw->extra != NULL ? 1 : 0, NULL,
	    values, lengths, formats, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		ops_pg_error(sw->what, r, pg);
	else
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Open the writer connection of an overlapped sweep, or NULL (printed). */
static PGconn *
writer_open(const struct sweep *sw)
{
	PGconn *w;

	w = PQconnectdb(sw->conninfo);
	if (PQstatus(w) != CONNECTION_OK) {
		ops_pg_error(sw->what, NULL, w);
		PQfinish(w);
		return NULL;
	}
	if (ops_exec(w, sw->what, "SET search_path = pg_catalog, public") !=
	        0 ||
	    (sw->session_sql != NULL &&
	        ops_exec(w, sw->what, sw->session_sql) != 0)) {
		PQfinish(w);
		return NULL;
	}
	return w;
}

/*
 * One pass over the ids in (lo, hi] (hi NULL: to the end), reading on pg
 * and writing on w (the same connection, or a second one so that batch k
 * is written while batch k+1 is read and transformed). *contended is set
 * when rows were left for the next pass. Returns 0, or -1 (printed).
 */
static int
sweep_pass(PGconn *pg, PGconn *w, struct sweep *sw, struct sweep_stats *st,
    struct idset *failed, const uint8_t lo[16], const uint8_t hi[16],
    int *contended)
{
	static const uint8_t top[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct batch b[2];
	uint8_t last[16];
	char limit[24];
	const char *values[4];
	int lengths[4], formats[4] = {1, 0, 1, 1};
	PGresult *r = NULL;
	int n, cur = 0, pending = -1, rc = -1;

	memset(b, 0, sizeof(b));
	snprintf(limit, sizeof(limit), "%zu", sw->batch);
	memcpy(last, lo, 16);
	for (;;) {
		values[0] = (const char *)last;
		lengths[0] = 16;
		values[1] = limit;
		lengths[1] = 0;
		values[2] = (const char *)(hi != NULL ? hi : top);
		lengths[2] = 16;
		values[3] = (const char *)sw->extra;
		lengths[3] = (int)sw->extralen;
		r = PQexecParams(pg, sw->select_sql, sw->extra != NULL ? 4 : 3,
		    NULL, values, lengths, formats, 1);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			ops_pg_error(sw->what, r, pg);
			goto out;
		}
		if ((n = PQntuples(r)) == 0)
			break;
		if (PQgetlength(r, n - 1, 0) != 16)
			goto out;
		memcpy(last, PQgetvalue(r, n - 1, 0), 16);
		batch_fill(sw, st, failed, r, &b[cur], 1);
		PQclear(r);
		r = NULL;
		if (pending >= 0) {
			if (batch_commit(w, sw, st, failed, &b[pending],
			        contended, 1) != 0)
				goto out;
			batch_free(&b[pending]);
			pending = -1;
		}
		if (b[cur].a[0].n > 0 && w != pg) {
			if (batch_send(w, sw, &b[cur]) != 0)
				goto out;
			pending = cur;
			cur ^= 1;
		} else {
			if (b[cur].a[0].n > 0 &&
			    batch_commit(
			        w, sw, st, failed, &b[cur], contended, 0) != 0)
				goto out;
			batch_free(&b[cur]);
		}
		if (st->oom) {
			fprintf(stderr, "encdb: %s: out of memory\n", sw->what);
			goto out;
		}
		if (sw->pause_ms > 0)
			usleep((useconds_t)sw->pause_ms * 1000);
	}
	if (pending >= 0) {
		if (batch_commit(
		        w, sw, st, failed, &b[pending], contended, 1) != 0)
			goto out;
		batch_free(&b[pending]);
		pending = -1;
	}
	rc = 0;
out: /* the one cleanup */
	PQclear(r);
	if (pending >= 0)
		PQclear(batch_receive(w));
	batch_free(&b[0]);
	batch_free(&b[1]);
	return rc;
}

/* One worker of sweep_run: a slice of the id space on its connections. */
struct job {
	struct sweep sw;       /* a copy, with its own transform arg */
	struct sweep_stats st; /* its counts */
	struct idset failed;   /* its failed rows */
	uint8_t lo[16], hi[16];
	int contended; /* rows left for the next pass */
	int rc;
};

static void *
job_run(void *arg)
{
	struct job *j = arg;
	PGconn *r, *w;

	j->rc = -1;
	if ((r = writer_open(&j->sw)) == NULL)
		return NULL;
	if ((w = writer_open(&j->sw)) == NULL) {
		PQfinish(r);
		return NULL;
	}
	j->rc = sweep_pass(
	    r, w, &j->sw, &j->st, &j->failed, j->lo, j->hi, &j->contended);
	PQfinish(w);
	PQfinish(r);
	return NULL;
}

/*
 * The first pass in sw->jobs threads over slices of the id space (split by
 * the first byte of the UUID). Adds their counts to st and their failed
 * rows to failed; sets *contended when a worker left rows for the next
 * pass. Returns 0, or -1 if a worker failed (printed).
 */
static int
sweep_jobs(struct sweep *sw, struct sweep_stats *st, struct idset *failed,
    struct sweep_shared *shared, int *contended)
{
	struct job *jobs;
	pthread_t *tids;
	size_t i, k;
	int n = sw->jobs, started = 0, rc = 0;

	jobs = calloc((size_t)n, sizeof(*jobs));
	tids = calloc((size_t)n, sizeof(*tids));
	if (jobs == NULL || tids == NULL) {
		free(jobs);
		free(tids);
		return -1;
	}
	for (i = 0; i < (size_t)n; i++) {
		jobs[i].sw = *sw;
		jobs[i].sw.arg = sw->job_args[i];
		jobs[i].sw.shared = shared;
		/* (lo, hi]: each slice starts after the previous one's end. */
		memset(jobs[i].lo, 0, 16);
		memset(jobs[i].hi, 0xff, 16);
		jobs[i].lo[0] = (uint8_t)(i * 256 / (size_t)n);
		if (i + 1 < (size_t)n) {
			memset(jobs[i].hi, 0, 16);
			jobs[i].hi[0] = (uint8_t)((i + 1) * 256 / (size_t)n);
		}
	}
	for (i = 0; i < (size_t)n; i++) {
		if (pthread_create(&tids[i], NULL, job_run, &jobs[i]) != 0)
			break;
		started++;
	}
	for (i = 0; i < (size_t)started; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < (size_t)n; i++) {
		if (i >= (size_t)started || jobs[i].rc != 0)
			rc = -1;
		st->done += jobs[i].st.done;
		st->skipped += jobs[i].st.skipped;
		st->failed += jobs[i].st.failed;
		st->conflicts += jobs[i].st.conflicts;
		st->lost += jobs[i].st.lost;
		st->oom |= jobs[i].st.oom;
		*contended |= jobs[i].contended;
		for (k = 0; k < jobs[i].failed.n; k++)
			if (idset_add(failed, jobs[i].failed.v[k]) != 0)
				st->oom = 1;
		free(jobs[i].failed.v);
	}
	free(jobs);
	free(tids);
	return rc;
}

int
sweep_run(PGconn *pg, struct sweep *sw, struct sweep_stats *st)
{
	static const uint8_t zero[16];
	struct sweep_shared shared;
	struct idset failed = {NULL, 0, 0};
	PGconn *w = pg;
	int pass = 0, contended = 0, rc = -1;
	int64_t todo;

	if ((todo = sweep_count(pg, sw)) < 0)
		return -1;
	/*
	 * With a second connection, batch k is written while batch k+1 is
	 * read and transformed: the server's work and ours overlap.
	 */
	if (sw->conninfo != NULL && (w = writer_open(sw)) == NULL)
		return -1;
	ops_progress_start(&st->progress, sw->what, todo);
	if (sw->jobs > 1 && sw->conninfo != NULL) {
		/* Parallel first pass; what it leaves, the passes below do. */
		memset(&shared, 0, sizeof(shared));
		pthread_mutex_init(&shared.lock, NULL);
		shared.progress = st->progress;
		if (sweep_jobs(sw, st, &failed, &shared, &contended) != 0) {
			pthread_mutex_destroy(&shared.lock);
			goto out;
		}
		st->progress = shared.progress;
		pthread_mutex_destroy(&shared.lock);
		/*
		 * That was a whole pass: another one over the table only if
		 * the count says rows are left (a count is one sequential
		 * scan; a pass reads every row by the primary key again).
		 */
		st->passes = pass = 1;
		if ((todo = sweep_count(pg, sw)) < 0)
			goto out;
		if (todo <= (int64_t)failed.n && !contended)
			goto done;
	}
	for (; pass < SWEEP_PASSES; pass++) {
		contended = 0;
		if (sweep_pass(
		        pg, w, sw, st, &failed, zero, NULL, &contended) != 0)
			goto out;
		st->passes = pass + 1;
		/* Done when only the failed rows still need work. */
		if ((todo = sweep_count(pg, sw)) < 0)
			goto out;
		if (todo <= (int64_t)failed.n && !contended)
			break;
	}
done:
	st->remaining = todo;
	rc = 0;
out: /* the one cleanup */
	if (w != pg)
		PQfinish(w);
	free(failed.v);
	st->seconds = ops_progress_end(&st->progress);
	return rc;
}

void
sweep_out_free(struct sweep_out *o)
{
	int i;

	for (i = 0; i < SWEEP_OUT_MAX; i++) {
		if (o->v[i] != NULL) {
			ef_wipe(o->v[i], o->len[i]);
			free(o->v[i]);
		}
		o->v[i] = NULL;
	}
}

int
sweep_args(
    struct sweep *sw, int argc, char *argv[], void (*usage)(FILE *), int *swap)
{
	static const struct option longopts[] = {
	    {"swap", no_argument, NULL, 's'},
	    {"batch", required_argument, NULL, 'b'},
	    {"pause", required_argument, NULL, 'p'},
	    {"jobs", required_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	long long v;
	int ch;

	sw->batch = 1000;
	sw->pause_ms = 0;
	sw->jobs = 2;
	optind = 1;
	while (
	    (ch = getopt_long(argc, argv, "sb:p:j:", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (swap == NULL)
				goto usage;
			*swap = 1;
			break;
		case 'b':
			if ((v = ops_number("--batch", optarg, 100000)) < 0)
				return OPS_EXIT_USAGE;
			sw->batch = (size_t)v;
			break;
		case 'p':
			if ((v = ops_number("--pause", optarg, 60000)) < 0)
				return OPS_EXIT_USAGE;
			sw->pause_ms = (unsigned)v;
			break;
		case 'j':
			if ((v = ops_number("--jobs", optarg, SWEEP_JOBS_MAX)) <
			    0)
				return OPS_EXIT_USAGE;
			sw->jobs = (int)v;
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc)
		return -1;
usage:
	usage(stderr);
	return OPS_EXIT_USAGE;
}
