/*
 * check_audit.c -- lib/audit.c's and lib/auditseal.c's Check suite.
 *
 * Without a database: the chain on entries and gaps against hashes that
 * t/audit-vectors.py computes independently (Python's hashlib), Ed25519
 * against RFC 8032's test vectors, checkpoint lines (round trip, and
 * every kind of damage), the audit parameter's array syntax and the name
 * tables. With DATABASE_URL (t/ops-audit.pg runs it in a throwaway
 * cluster after `encdb migrate`): audit_record, concurrent writers from
 * several processes each getting its own row, the append-only triggers,
 * and the AUDIT_WITH statements writing their entry with the row.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "encfield.h"
#include "extern.h"
#include "pgtest.h"
#include "testkeys.h"

static void
unhex(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	ck_assert_uint_eq(strlen(h), 2 * n);
	for (i = 0; i < n; i++) {
		ck_assert(sscanf(h + 2 * i, "%2x", &v) == 1);
		out[i] = (uint8_t)v;
	}
}

static void
assert_hash(const struct audit_chain *c, const char *want)
{
	uint8_t w[AUDIT_HASH_LEN];

	unhex(want, w, sizeof(w));
	ck_assert_msg(memcmp(c->hash, w, sizeof(w)) == 0,
	    "chain hash at seq %lld differs", (long long)c->seq);
}

/* ---- the chain ------------------------------------------------------- */

/* From t/audit-vectors.py. */
#define H1 "52b43197fa01a4f7919b992a3a519d63e56fe45ee08c98be3d923a5d2792cdf9"
#define H2 "3653cb2005d5f6a33f4969374985d51b6f158cba94bc2d63c52697bee37bbb66"
#define H3 "bb6544f9f176ca9df2c0d96add7cf1d61afc7b4eaf38cbf2360cdd17a140166b"
#define H4 "4dfee9fea9af44c44bdf8affe7eac70ec22e170d4f6f22fecbdc94a288a01a64"
#define H_EMPTY                                                                \
	"e1e104b421ee7278baedf5e647339fb161eecdaa7174b48c47fe586b919ea16d"

static const struct audit_row row1 = {1, 123456789, "user:x via token 7", NULL,
    "GET /user", "read", "192.0.2.7", NULL};
static const struct audit_row row4 = {4, -5, "encdb (root)",
    "c4cc1314-26ee-4fed-803c-ef47d415c758", "encdb rotate", "decrypt-all", NULL,
    "50 rows"};

START_TEST(test_chain)
{
	struct audit_chain c;

	audit_chain_init(&c);
	ck_assert_int_eq(c.seq, 0);
	ck_assert_int_eq(audit_chain_add(&c, &row1), 0);
	assert_hash(&c, H1);
	ck_assert_int_eq(c.entries, 1);
	/* Row 4 after row 1: the gap 2..3 first, then the entry. */
	ck_assert_int_eq(audit_chain_add(&c, &row4), 0);
	assert_hash(&c, H3);
	ck_assert_int_eq(c.seq, 4);
	ck_assert_int_eq(c.entries, 2);
	ck_assert_int_eq(audit_chain_gap(&c, 6), 0);
	assert_hash(&c, H4);
	ck_assert_int_eq(c.entries, 2);
	/* Nothing to add at or below the current seq. */
	ck_assert_int_eq(audit_chain_gap(&c, 6), 0);
	assert_hash(&c, H4);
	ck_assert_int_eq(audit_chain_add(&c, &row4), -1);
	ck_assert_int_eq(audit_chain_add(&c, &row1), -1);
}
END_TEST

START_TEST(test_chain_gap_split)
{
	struct audit_chain c;

	audit_chain_init(&c);
	ck_assert_int_eq(audit_chain_add(&c, &row1), 0);
	ck_assert_int_eq(audit_chain_gap(&c, 3), 0);
	assert_hash(&c, H2);
	ck_assert_int_eq(audit_chain_add(&c, &row4), 0);
	assert_hash(&c, H3);
}
END_TEST

START_TEST(test_chain_null_vs_empty)
{
	struct audit_row r = {1, 0, "", "", "", "", "", ""};
	struct audit_chain c;

	audit_chain_init(&c);
	ck_assert_int_eq(audit_chain_add(&c, &r), 0);
	assert_hash(&c, H_EMPTY);
	/* A NULL field is not an empty one. */
	audit_chain_init(&c);
	r.detail = NULL;
	ck_assert_int_eq(audit_chain_add(&c, &r), 0);
	ck_assert(memcmp(c.hash, "\xe1\xe1\x04\xb4", 4) != 0);
}
END_TEST

/* ---- Ed25519: RFC 8032 section 7.1, tests 1 and 2 ---------------------- */

static const struct {
	const char *seed, *pub, *msg, *sig;
} rfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555f"
        "b8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da08"
        "5ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

START_TEST(test_ed25519)
{
	struct audit_signing_key k;
	uint8_t msg[1], sig[AUDIT_SIG_LEN], want[AUDIT_SIG_LEN];
	size_t mlen = strlen(rfc8032[_i].msg) / 2;

	unhex(rfc8032[_i].seed, k.seed, AUDIT_KEY_LEN);
	unhex(rfc8032[_i].pub, k.pub, AUDIT_KEY_LEN);
	unhex(rfc8032[_i].msg, msg, mlen);
	unhex(rfc8032[_i].sig, want, AUDIT_SIG_LEN);
	ck_assert_int_eq(audit_sign(&k, msg, mlen, sig), 0);
	ck_assert(memcmp(sig, want, AUDIT_SIG_LEN) == 0);
	ck_assert_int_eq(audit_verify_sig(k.pub, msg, mlen, sig), 1);
	sig[10] ^= 1;
	ck_assert_int_eq(audit_verify_sig(k.pub, msg, mlen, sig), 0);
	sig[10] ^= 1;
	k.pub[0] ^= 1;
	ck_assert_int_eq(audit_verify_sig(k.pub, msg, mlen, sig), 0);
}
END_TEST

START_TEST(test_keys)
{
	struct audit_signing_key k, k2;
	uint8_t pub[AUDIT_KEY_LEN];
	char vk[AUDIT_PUB_B64_LEN + 1], *sk;

	ck_assert_int_eq(audit_key_generate(&k), 0);
	ck_assert_ptr_nonnull(sk = audit_key_format_signing(&k));
	ck_assert_int_eq(audit_key_format_verify(k.pub, vk), 0);
	ck_assert_int_eq(audit_key_parse_signing(sk, &k2), 0);
	ck_assert(memcmp(&k, &k2, sizeof(k)) == 0);
	ck_assert_int_eq(audit_key_parse_verify(vk, pub), 0);
	ck_assert(memcmp(pub, k.pub, AUDIT_KEY_LEN) == 0);
	/* A signing key is the pair: halves of two keys are refused. */
	ck_assert_int_eq(audit_key_generate(&k2), 0);
	memcpy(k.pub, k2.pub, AUDIT_KEY_LEN);
	free(sk);
	ck_assert_ptr_nonnull(sk = audit_key_format_signing(&k));
	ck_assert_int_eq(audit_key_parse_signing(sk, &k2), -1);
	free(sk);
	ck_assert_int_eq(audit_key_parse_signing("not base64", &k2), -1);
	ck_assert_int_eq(audit_key_parse_verify(vk + 4, pub), -1);
	ck_assert_int_eq(audit_key_parse_verify(NULL, pub), -1);
}
END_TEST

/* ---- checkpoint lines ------------------------------------------------- */

static struct audit_signing_key cpkey;
static char cpline[AUDIT_CP_LINE_MAX];

static void
make_checkpoint(void)
{
	struct audit_checkpoint cp;

	ck_assert_int_eq(audit_key_generate(&cpkey), 0);
	memset(&cp, 0, sizeof(cp));
	cp.seq = 1234;
	cp.prev = 1000;
	cp.entries = 1200;
	memset(cp.hash, 0xab, sizeof(cp.hash));
	ck_assert_int_eq(audit_checkpoint_format(
	                     &cp, &cpkey, 1764720000, cpline, sizeof(cpline)),
	    0);
}

START_TEST(test_checkpoint_roundtrip)
{
	struct audit_checkpoint cp;

	make_checkpoint();
	ck_assert_msg(strncmp(cpline,
	                  "audit-checkpoint v1 seq=1234 prev=1000 "
	                  "entries=1200 hash=abababab",
	                  63) == 0,
	    "%s", cpline);
	ck_assert(strstr(cpline, " time=2025-12-03T00:00:00Z key=") != NULL);
	ck_assert_int_eq(
	    audit_checkpoint_parse(cpline, cpkey.pub, &cp), AUDIT_CP_OK);
	ck_assert_int_eq(cp.seq, 1234);
	ck_assert_int_eq(cp.prev, 1000);
	ck_assert_int_eq(cp.entries, 1200);
	ck_assert_str_eq(cp.time, "2025-12-03T00:00:00Z");
	ck_assert_uint_eq(cp.hash[31], 0xab);
}
END_TEST

/* Damage to a line and what the parser must say about it. */
static const struct {
	const char *from, *to;
	enum audit_cp_err want;
} damage[] = {
    {"seq=1234", "seq=1235", AUDIT_CP_SIGNATURE},
    {"entries=1200", "entries=1199", AUDIT_CP_SIGNATURE},
    {"prev=1000", "prev=999", AUDIT_CP_SIGNATURE},
    {"hash=ab", "hash=ac", AUDIT_CP_SIGNATURE},
    {"time=2025", "time=2024", AUDIT_CP_SIGNATURE},
    {"seq=1234", "seq=01234", AUDIT_CP_MALFORMED},
    {"seq=1234", "seq=-1234", AUDIT_CP_MALFORMED},
    {"prev=1000", "prev=2000", AUDIT_CP_MALFORMED},
    {"hash=ab", "hash=AB", AUDIT_CP_MALFORMED},
    {"hash=ab", "hash=a", AUDIT_CP_MALFORMED},
    {" key=", "  key=", AUDIT_CP_MALFORMED},
    {"v1", "v2", AUDIT_CP_MALFORMED},
    {"sig=", "sig=A", AUDIT_CP_MALFORMED},
};

START_TEST(test_checkpoint_damage)
{
	char line[AUDIT_CP_LINE_MAX + 8], *p;
	struct audit_checkpoint cp;
	size_t fl = strlen(damage[_i].from);

	make_checkpoint();
	ck_assert_ptr_nonnull(p = strstr(cpline, damage[_i].from));
	snprintf(line, sizeof(line), "%.*s%s%s", (int)(p - cpline), cpline,
	    damage[_i].to, p + fl);
	ck_assert_msg(
	    audit_checkpoint_parse(line, cpkey.pub, &cp) == damage[_i].want,
	    "%s -> %s", damage[_i].from, damage[_i].to);
}
END_TEST

START_TEST(test_checkpoint_other_key)
{
	struct audit_signing_key other;
	struct audit_checkpoint cp;
	char line[AUDIT_CP_LINE_MAX + 2];

	make_checkpoint();
	ck_assert_int_eq(audit_key_generate(&other), 0);
	ck_assert_int_eq(
	    audit_checkpoint_parse(cpline, other.pub, &cp), AUDIT_CP_KEY);
	snprintf(line, sizeof(line), "%s ", cpline);
	ck_assert_int_eq(
	    audit_checkpoint_parse(line, cpkey.pub, &cp), AUDIT_CP_MALFORMED);
	ck_assert_int_eq(
	    audit_checkpoint_parse("", cpkey.pub, &cp), AUDIT_CP_MALFORMED);
	ck_assert_str_ne(audit_cp_strerror(AUDIT_CP_SIGNATURE), "");
	ck_assert_str_eq(
	    audit_cp_strerror(AUDIT_CP__MAX), "unknown checkpoint error");
}
END_TEST

/* ---- erasure ledger lines --------------------------------------------- */

#define EL_USER "c4cc1314-26ee-4fed-803c-ef47d415c758"

/* Two chained ledger lines under cpkey: first, then second. */
static char elfirst[AUDIT_CP_LINE_MAX], elsecond[AUDIT_CP_LINE_MAX];

static void
make_ledger(void)
{
	struct erasure_line e;

	make_checkpoint(); /* makes cpkey */
	memset(&e, 0, sizeof(e));
	e.seq = 1;
	snprintf(e.user, sizeof(e.user), "%s", EL_USER);
	snprintf(e.time, sizeof(e.time), "2026-12-03T09:12:44Z");
	ck_assert_int_eq(
	    erasure_line_format(&e, &cpkey, elfirst, sizeof(elfirst)), 0);
	e.seq = 2;
	erasure_line_hash(elfirst, e.prev);
	ck_assert_int_eq(
	    erasure_line_format(&e, &cpkey, elsecond, sizeof(elsecond)), 0);
}

/* A line parses back to what was written, and the second one names the
 * hash of the first; no personal data fits in a line. */
START_TEST(test_erasure_roundtrip)
{
	struct erasure_line e;
	uint8_t h[AUDIT_HASH_LEN];

	make_ledger();
	ck_assert_msg(strncmp(elfirst,
	                  "erasure v1 seq=1 user=" EL_USER
	                  " time=2026-12-03T09:12:44Z prev=0000",
	                  78) == 0,
	    "%s", elfirst);
	ck_assert_int_eq(
	    erasure_line_parse(elfirst, cpkey.pub, &e), AUDIT_CP_OK);
	ck_assert_int_eq(e.seq, 1);
	ck_assert_str_eq(e.user, EL_USER);
	ck_assert_str_eq(e.time, "2026-12-03T09:12:44Z");
	ck_assert_int_eq(
	    erasure_line_parse(elsecond, cpkey.pub, &e), AUDIT_CP_OK);
	ck_assert_int_eq(e.seq, 2);
	erasure_line_hash(elfirst, h);
	ck_assert(memcmp(e.prev, h, sizeof(h)) == 0);
	/* The format refuses anything but a UUID and a full time. */
	e.seq = 3;
	snprintf(e.user, sizeof(e.user), "bob@example.org");
	ck_assert_int_eq(
	    erasure_line_format(&e, &cpkey, elfirst, sizeof(elfirst)), -1);
}
END_TEST

/* Damage to a ledger line and what the parser must say about it. */
static const struct {
	const char *from, *to;
	enum audit_cp_err want;
} eldamage[] = {
    {"seq=2", "seq=3", AUDIT_CP_SIGNATURE},
    {"user=c4", "user=d4", AUDIT_CP_SIGNATURE},
    {"time=2026", "time=2025", AUDIT_CP_SIGNATURE},
    {"prev=", "prev=0", AUDIT_CP_MALFORMED},
    {"seq=2", "seq=02", AUDIT_CP_MALFORMED},
    {"seq=2", "seq=0", AUDIT_CP_MALFORMED},
    {"user=c4", "user=C4", AUDIT_CP_MALFORMED},
    {"user=c4", "user=x4", AUDIT_CP_MALFORMED},
    {"erasure v1", "erasure v2", AUDIT_CP_MALFORMED},
    {" sig=", " sig=A", AUDIT_CP_MALFORMED},
};

START_TEST(test_erasure_damage)
{
	char line[AUDIT_CP_LINE_MAX + 8], *p;
	struct erasure_line e;
	size_t fl = strlen(eldamage[_i].from);

	make_ledger();
	ck_assert_ptr_nonnull(p = strstr(elsecond, eldamage[_i].from));
	snprintf(line, sizeof(line), "%.*s%s%s", (int)(p - elsecond), elsecond,
	    eldamage[_i].to, p + fl);
	ck_assert_msg(
	    erasure_line_parse(line, cpkey.pub, &e) == eldamage[_i].want,
	    "%s -> %s", eldamage[_i].from, eldamage[_i].to);
}
END_TEST

START_TEST(test_erasure_other_key)
{
	struct audit_signing_key other;
	struct erasure_line e;

	make_ledger();
	ck_assert_int_eq(audit_key_generate(&other), 0);
	ck_assert_int_eq(
	    erasure_line_parse(elfirst, other.pub, &e), AUDIT_CP_KEY);
	/* A checkpoint line is not a ledger line, nor the reverse. */
	ck_assert_int_eq(
	    erasure_line_parse(cpline, cpkey.pub, &e), AUDIT_CP_MALFORMED);
	ck_assert_int_eq(
	    erasure_line_parse("", cpkey.pub, &e), AUDIT_CP_MALFORMED);
}
END_TEST

/* ---- the audit parameter and names ------------------------------------ */

START_TEST(test_param)
{
	struct audit_entry e = {"user:a via token 7", NULL, "GET /user",
	    AUDIT_READ, NULL, "say \"hi\" \\ bye"};
	char out[AUDIT_PARAM_MAX], big[AUDIT_PARAM_MAX];

	ck_assert_int_eq(audit_param(&e, out), 0);
	ck_assert_str_eq(out,
	    "{\"user:a via token 7\",\"GET /user\",\"read\","
	    "NULL,\"say \\\"hi\\\" \\\\ bye\"}");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	e.detail = big;
	ck_assert_int_eq(audit_param(&e, out), -1);
	e.detail = NULL;
	e.action = AUDIT__MAX;
	ck_assert_int_eq(audit_param(&e, out), -1);
	e.action = AUDIT_READ;
	e.actor = NULL;
	ck_assert_int_eq(audit_param(&e, out), -1);
}
END_TEST

START_TEST(test_names)
{
	int i, j;

	for (i = 0; i < AUDIT__MAX; i++) {
		const char *n = audit_action_name((enum audit_action)i);

		ck_assert_str_ne(n, "unknown");
		ck_assert_int_eq(audit_action_parse(n), i);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(
			    n, audit_action_name((enum audit_action)j));
	}
	ck_assert_str_eq(audit_action_name(AUDIT__MAX), "unknown");
	ck_assert_int_eq(audit_action_parse("unknown"), AUDIT__MAX);
}
END_TEST

/* ---- with a database ------------------------------------------------- */

static struct cfg cfg;

static void
db_setup(void)
{
	pgtest_open(&cfg, CFG_NEED_DB | CFG_NEED_KEYS);
}

static void
db_teardown(void)
{
	pgtest_close(&cfg);
}

/* Run trusted test SQL on the connection; returns 1 if it succeeded. */
static int
run_sql(const char *sql)
{
	PGresult *r;
	int ok;

	ck_assert_int_eq(db_connect(), DB_OK);
	r = PQexec(db_handle(), sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	return ok;
}

/* The first field of a one-row query, malloc'd ("(null)" for NULL). */
static char *
query1(const char *sql)
{
	PGresult *r;
	char *v;

	ck_assert_int_eq(db_connect(), DB_OK);
	r = PQexec(db_handle(), sql);
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(r), 1);
	v = strdup(PQgetisnull(r, 0, 0) ? "(null)" : PQgetvalue(r, 0, 0));
	PQclear(r);
	ck_assert_ptr_nonnull(v);
	return v;
}

static long long
count_entries(void)
{
	char *v = query1("SELECT count(*) FROM public.audit_log");
	long long n = strtoll(v, NULL, 10);

	free(v);
	return n;
}

START_TEST(test_record)
{
	struct audit_entry e = {"user:7b1f8f3e-5d2a-4c39-9d1e-2f6a4b8c0d11 via "
	                        "session",
	    "c4cc1314-26ee-4fed-803c-ef47d415c758", "GET /user",
	    AUDIT_LOGIN_FAILED, "192.0.2.7", "wrong password"};
	long long n = count_entries();
	char *v;

	ck_assert_int_eq(audit_record(&e), DB_OK);
	ck_assert_int_eq(count_entries(), n + 1);
	v = query1("SELECT actor || '|' || subject || '|' || route || '|' ||"
	           " action || '|' || client_addr || '|' || detail"
	           " FROM public.audit_log ORDER BY seq DESC LIMIT 1");
	ck_assert_str_eq(v,
	    "user:7b1f8f3e-5d2a-4c39-9d1e-2f6a4b8c0d11 via "
	    "session|c4cc1314-26ee-4fed-803c-ef47d415c758|GET "
	    "/user|login-failed|192.0.2.7|wrong password");
	free(v);
	/* Invalid entries write nothing. */
	e.action = AUDIT__MAX;
	ck_assert_int_eq(audit_record(&e), DB_AUDIT);
	ck_assert_int_eq(audit_record(NULL), DB_AUDIT);
	ck_assert_int_eq(count_entries(), n + 1);
}
END_TEST

START_TEST(test_concurrent_writers)
{
	enum { WRITERS = 4, EACH = 40 };
	pid_t pids[WRITERS];
	long long n0 = count_entries();
	char *v;
	int i, st, ok = 1;

	db_close(); /* no connection shared across fork */
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			int j, bad = 0;

			db_init(&cfg);
			for (j = 0; j < EACH; j++) {
				struct audit_entry e = {"user:x via token 1",
				    NULL, "GET /users", AUDIT_LIST,
				    "198.51.100.1", NULL};
				bad |= audit_record(&e) != DB_OK;
			}
			db_close();
			_exit(bad);
		}
	}
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	ck_assert_msg(ok, "a writer failed");
	ck_assert_int_eq(db_init(&cfg), DB_OK);
	ck_assert_int_eq(count_entries(), n0 + WRITERS * EACH);
	v = query1("SELECT count(DISTINCT seq) = count(*) FROM "
	           "public.audit_log");
	ck_assert_str_eq(v, "t");
	free(v);
}
END_TEST

START_TEST(test_append_only)
{
	long long n = count_entries();

	ck_assert(!run_sql("UPDATE public.audit_log SET actor = 'x'"));
	ck_assert(!run_sql("DELETE FROM public.audit_log"));
	ck_assert(!run_sql("TRUNCATE public.audit_log"));
	/* The seq is the sequence's, never the writer's. */
	ck_assert(!run_sql("INSERT INTO public.audit_log (seq, actor, route,"
	                   " action) VALUES (0, 'x', 'y', 'read')"));
	ck_assert_int_eq(count_entries(), n);
}
END_TEST

/* A user row, and the AUDIT_WITH forms writing their entry with it. */
START_TEST(test_with_statements)
{
	struct audit_entry e = {"user:y via session", NULL, "GET /user",
	    AUDIT_READ, "203.0.113.9", NULL};
	struct user_new nu = {
	    "aw_ann", "ann@aw.example", "a-long-password-1", "user"};
	struct user_list l;
	struct user u;
	long long n;
	char want[64], *v;

	ck_assert_int_eq(users_create(&cfg, &nu, &e, &u, NULL), DB_OK);
	v = query1("SELECT subject || '|' || action FROM public.audit_log"
	           " ORDER BY seq DESC LIMIT 1");
	snprintf(want, sizeof(want), "%s|read", u.id);
	ck_assert_str_eq(v, want);
	free(v);
	n = count_entries();
	users_clear(&u);
	ck_assert_int_eq(users_find_by_username(&cfg, "aw_ann", &e, &u), DB_OK);
	ck_assert_int_eq(count_entries(), n + 1);
	users_clear(&u);
	ck_assert_int_eq(
	    users_find_by_username(&cfg, "aw_nobody", &e, &u), DB_NOTFOUND);
	ck_assert_int_eq(count_entries(), n + 1);
	e.action = AUDIT_LIST;
	ck_assert_int_eq(users_list(&cfg, "aw_", NULL, 10, &e, &l), DB_OK);
	ck_assert_uint_eq(l.n, 1);
	users_list_free(&l);
	v = query1("SELECT action || '|' || detail FROM"
	           " public.audit_log ORDER BY seq DESC LIMIT 1");
	ck_assert_str_eq(v, "list|1 row");
	free(v);
	ck_assert_int_eq(users_list(&cfg, "aw_none", NULL, 10, &e, &l), DB_OK);
	users_list_free(&l);
	ck_assert_int_eq(count_entries(), n + 2);
	/* An entry that cannot be written fails the read: nothing shown. */
	e.action = AUDIT__MAX;
	ck_assert_int_eq(
	    users_find_by_username(&cfg, "aw_ann", &e, &u), DB_AUDIT);
	ck_assert_ptr_null(u.email);
	e.action = AUDIT_DELETE;
	ck_assert_int_eq(users_delete(&cfg, "aw_ann", &e), DB_OK);
	ck_assert_int_eq(count_entries(), n + 3);
	ck_assert_int_eq(users_delete(&cfg, "aw_ann", &e), DB_NOTFOUND);
	ck_assert_int_eq(count_entries(), n + 3);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc;

	tc = tcase_create("evidence");
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_chain_gap_split);
	tcase_add_test(tc, test_chain_null_vs_empty);
	tcase_add_loop_test(
	    tc, test_ed25519, 0, (int)(sizeof(rfc8032) / sizeof(rfc8032[0])));
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_checkpoint_roundtrip);
	tcase_add_loop_test(tc, test_checkpoint_damage, 0,
	    (int)(sizeof(damage) / sizeof(damage[0])));
	tcase_add_test(tc, test_checkpoint_other_key);
	tcase_add_test(tc, test_erasure_roundtrip);
	tcase_add_loop_test(tc, test_erasure_damage, 0,
	    (int)(sizeof(eldamage) / sizeof(eldamage[0])));
	tcase_add_test(tc, test_erasure_other_key);
	tcase_add_test(tc, test_param);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	if (getenv("DATABASE_URL") != NULL) {
		tc = tcase_create("database");
		tcase_add_checked_fixture(tc, db_setup, db_teardown);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, test_record);
		tcase_add_test(tc, test_concurrent_writers);
		tcase_add_test(tc, test_append_only);
		tcase_add_test(tc, test_with_statements);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (testkeys_env() == -1) {
		fprintf(stderr, "check_audit: cannot make test keys\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(audit_suite());

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
