/*
 * seed-rows.c -- fast generation of benchmark rows for the users table, as
 * PostgreSQL COPY text on standard output, and a measure of the password
 * hash cost that bounds POST /users and login.
 *
 * Every benchmark contender gets the same contents (an optional admin plus
 * COUNT users named PREFIX0000001..., email <username>@example.com,
 * password "password"), each in its own format:
 *
 *   v1      our format: email encrypted with libencfield's ef_encrypt under
 *           the active key of FIELD_KEYS, bound to the row's fresh UUID;
 *           email_bidx = ef_blind_index under INDEX_KEY; the password is
 *           ONE Argon2id PHC string made once by ef_pw_hash and reused for
 *           every row (hashing 10,000 or 1,000,000 passwords would take
 *           minutes and measures nothing the benchmark is about).
 *           Columns: id username password user_type email email_bidx
 *           created_at.
 *   legacy  the boilerplate's format (flask-encrypted-db, SQLAlchemy-Utils
 *           EncryptedType(AesEngine, 'pkcs5')): key = SHA-256 of
 *           POSTGRES_SECRET_KEY, IV = key[:16], AES-256-CBC, PKCS#7
 *           padding, base64 text stored as bytea; the password is ONE
 *           PBKDF2-HMAC-SHA512 hex hash (100000 iterations, salt =
 *           SECRET_KEY), reused for every row. Columns: id username
 *           password user_type email created_at.
 *   envelope
 *           the same rows, each email sealed with ef_envelope_seal under a
 *           random data key of the row's own, wrapped with ef_dk_wrap under
 *           the active key of FIELD_KEYS. Columns: those of v1, then
 *           data_key (the wrapped key).
 *   pwcost  no rows: time ef_pw_hash (Argon2id) and the legacy PBKDF2 and
 *           print milliseconds per hash, one "name ms" pair a line.
 *
 * The legacy encryption is written here with libgcrypt because libencfield
 * only ever reads legacy values; the output is checked against the shared
 * SQLAlchemy-Utils vectors with -t. This is a benchmark tool: it is not
 * installed and its rows are not meant for production.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>

#include "encfield.h"

#define SEED_PASSWORD    "password"
#define SEED_CREATED_AT  "2026-01-01 00:00:00+00"
#define SEED_PBKDF2_ITER 100000UL

enum seed_mode {
	SEED_V1,       /* our v1 rows */
	SEED_LEGACY,   /* the boilerplate's rows */
	SEED_ENVELOPE, /* our rows with a data key each */
	SEED_PWCOST,   /* password hash timing */
	SEED__MAX
};

static const char *const seed_modes[SEED__MAX] = {
    "v1",       /* SEED_V1 */
    "legacy",   /* SEED_LEGACY */
    "envelope", /* SEED_ENVELOPE */
    "pwcost",   /* SEED_PWCOST */
};

/* What the generators share: the settings and the per-run secrets. */
struct seed {
	const char *prefix;      /* username prefix */
	size_t count;            /* bulk users */
	int admin;               /* 1: emit the admin row first */
	struct ef_keyring *kr;   /* v1: field keys */
	struct ef_index_key *ik; /* v1: blind index key */
	gcry_cipher_hd_t cbc;    /* legacy: AES-256-CBC, IV reset per row */
	uint8_t iv[16];          /* legacy: key[:16] */
	char pwhash[EF_PW_HASH_MAX + 160]; /* the one reused password hash */
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: seed-rows [-a] [-n COUNT] [-p PREFIX] v1|legacy|envelope\n"
	    "       seed-rows [-n COUNT] pwcost\n"
	    "       seed-rows -t LEGACY-PLAINTEXT (print one legacy value)\n"
	    "v1 reads FIELD_KEYS and INDEX_KEY; legacy reads "
	    "POSTGRES_SECRET_KEY and SECRET_KEY.\n");
	exit(2);
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "seed-rows: %s: %s\n", what, why);
	exit(1);
}

/* The boilerplate's password hash of SEED_PASSWORD: PBKDF2-HMAC-SHA512
 * with salt, written with libgcrypt as the legacy values are. */
static void
pbkdf2(const char *salt, uint8_t dk[64])
{
	gcry_error_t gerr;

	if ((gerr = gcry_kdf_derive(SEED_PASSWORD, strlen(SEED_PASSWORD),
	         GCRY_KDF_PBKDF2, GCRY_MD_SHA512, salt, strlen(salt),
	         SEED_PBKDF2_ITER, 64, dk)) != 0)
		die("PBKDF2", gcry_strerror(gerr));
}

static const char *
need_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		die(name, "not set");
	return v;
}

/* Parse a decimal count in 0..100000000 or die naming the option. */
static size_t
parse_count(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		die("-n", "not a number");
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 100000000ULL)
		die("-n", "not a number in 0..100000000");
	return (size_t)v;
}

/* Write len bytes as lowercase hex, in COPY text form (\\x...). */
static void
put_bytea(const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	fputs("\\\\x", stdout);
	for (i = 0; i < len; i++) {
		putchar(hex[p[i] >> 4]);
		putchar(hex[p[i] & 15]);
	}
}

/*
 * Encrypt pt the way SQLAlchemy-Utils AesEngine with 'pkcs5' padding does
 * and return the base64 text (malloc'd, caller frees).
 */
static char *
legacy_encrypt(struct seed *sd, const char *pt)
{
	size_t len = strlen(pt), padded = (len / 16 + 1) * 16, i;
	uint8_t *buf;
	char *b64 = NULL;
	gcry_error_t gerr;

	if ((buf = malloc(padded)) == NULL)
		die("legacy", "out of memory");
	memcpy(buf, pt, len);
	for (i = len; i < padded; i++)
		buf[i] = (uint8_t)(padded - len);
	gerr = gcry_cipher_setiv(sd->cbc, sd->iv, sizeof(sd->iv));
	if (gerr == 0)
		gerr = gcry_cipher_encrypt(sd->cbc, buf, padded, NULL, 0);
	if (gerr != 0)
		die("legacy", gcry_strerror(gerr));
	if (ef_base64_encode(buf, padded, &b64) != EF_OK)
		die("legacy", "base64 failed");
	free(buf);
	return b64;
}

static void
setup_v1(struct seed *sd)
{
	enum ef_err err;
	size_t where = 0;

	if ((err = ef_keyring_parse(need_env("FIELD_KEYS"), &sd->kr, &where)) !=
	    EF_OK)
		die("FIELD_KEYS", ef_strerror(err));
	if ((err = ef_index_key_parse(need_env("INDEX_KEY"), &sd->ik)) != EF_OK)
		die("INDEX_KEY", ef_strerror(err));
	if ((err = ef_pw_hash(
	         SEED_PASSWORD, strlen(SEED_PASSWORD), sd->pwhash)) != EF_OK)
		die("ef_pw_hash", ef_strerror(err));
}

static void
setup_legacy(struct seed *sd)
{
	const char *pass = need_env("POSTGRES_SECRET_KEY");
	const char *salt = need_env("SECRET_KEY");
	uint8_t key[32], dk[64];
	gcry_error_t gerr;
	size_t i;

	gcry_md_hash_buffer(GCRY_MD_SHA256, key, pass, strlen(pass));
	memcpy(sd->iv, key, sizeof(sd->iv));
	gerr = gcry_cipher_open(
	    &sd->cbc, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_CBC, 0);
	if (gerr == 0)
		gerr = gcry_cipher_setkey(sd->cbc, key, sizeof(key));
	ef_wipe(key, sizeof(key));
	if (gerr != 0)
		die("AES-256-CBC", gcry_strerror(gerr));
	pbkdf2(salt, dk);
	for (i = 0; i < sizeof(dk); i++)
		snprintf(sd->pwhash + 2 * i, 3, "%02x", dk[i]);
}

/* Seal email under a new data key for uuid, wrapped into *w (malloc'd,
 * *wlen bytes; caller frees). */
static enum ef_err
envelope(struct seed *sd, const uint8_t uuid[16], const char *email,
    uint8_t **ct, size_t *ctlen, uint8_t **w, size_t *wlen)
{
	uint8_t dk[EF_KEY_LEN];
	enum ef_err err;

	ef_dk_generate(dk);
	if ((err = ef_dk_wrap(sd->kr, "users", uuid, dk, w, wlen)) == EF_OK)
		err = ef_envelope_seal(
		    dk, "users.email", uuid, email, strlen(email), ct, ctlen);
	ef_wipe(dk, sizeof(dk));
	return err;
}

/* Emit one row in the mode's columns. */
static void
emit_row(struct seed *sd, enum seed_mode mode, const char *username,
    const char *user_type)
{
	char email[256], uuidtxt[37];
	uint8_t uuid[16], bidx[EF_BIDX_LEN], *ct = NULL, *w = NULL;
	size_t ctlen = 0, wlen = 0;
	enum ef_err err;
	char *b64;

	snprintf(email, sizeof(email), "%s@example.com", username);
	ef_uuid_v4(uuid);
	ef_uuid_format(uuid, uuidtxt);
	printf("%s\t%s\t%s\t%s\t", uuidtxt, username, sd->pwhash, user_type);
	if (mode == SEED_V1 || mode == SEED_ENVELOPE) {
		if (mode == SEED_V1)
			err = ef_encrypt(sd->kr, "users.email", uuid, email,
			    strlen(email), &ct, &ctlen);
		else
			err = envelope(sd, uuid, email, &ct, &ctlen, &w, &wlen);
		if (err != EF_OK)
			die("ef_encrypt", ef_strerror(err));
		if ((err = ef_blind_index(
		         sd->ik, email, strlen(email), bidx)) != EF_OK)
			die("ef_blind_index", ef_strerror(err));
		put_bytea(ct, ctlen);
		putchar('\t');
		put_bytea(bidx, sizeof(bidx));
		free(ct);
	} else {
		b64 = legacy_encrypt(sd, email);
		put_bytea((const uint8_t *)b64, strlen(b64));
		free(b64);
	}
	printf("\t%s", SEED_CREATED_AT);
	if (w != NULL) {
		putchar('\t');
		put_bytea(w, wlen);
		free(w);
	}
	putchar('\n');
}

static double
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Time count Argon2id hashes and count legacy PBKDF2 hashes: wall time and
 * this process's CPU time per hash (the CPU time is what the routes' own
 * CPU time per request is compared with: it does not depend on what else
 * the machine is doing).
 */
static void
pwcost(size_t count)
{
	char out[EF_PW_HASH_MAX];
	uint8_t dk[64];
	enum ef_err err;
	double t0, c0;
	size_t i;

	if (count == 0)
		count = 1;
	t0 = clock_ms(CLOCK_MONOTONIC);
	c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < count; i++)
		if ((err = ef_pw_hash(
		         SEED_PASSWORD, strlen(SEED_PASSWORD), out)) != EF_OK)
			die("ef_pw_hash", ef_strerror(err));
	printf("argon2id_ms %.3f\n",
	    (clock_ms(CLOCK_MONOTONIC) - t0) / (double)count);
	printf("argon2id_cpu_ms %.3f\n",
	    (clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)count);
	t0 = clock_ms(CLOCK_MONOTONIC);
	c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < count; i++)
		pbkdf2("changeme1", dk);
	printf("pbkdf2_sha512_ms %.3f\n",
	    (clock_ms(CLOCK_MONOTONIC) - t0) / (double)count);
	printf("pbkdf2_sha512_cpu_ms %.3f\n",
	    (clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)count);
}

int
main(int argc, char *argv[])
{
	struct seed sd;
	enum seed_mode mode;
	const char *test = NULL;
	char username[128];
	enum ef_err err;
	size_t i;
	int c;

	memset(&sd, 0, sizeof(sd));
	sd.prefix = "user";
	sd.count = 10000;
	while ((c = getopt(argc, argv, "an:p:t:")) != -1) {
		switch (c) {
		case 'a':
			sd.admin = 1;
			break;
		case 'n':
			sd.count = parse_count(optarg);
			break;
		case 'p':
			if (strlen(optarg) > 64 ||
			    strspn(optarg,
			        "abcdefghijklmnopqrstuvwxyz"
			        "0123456789_-.") != strlen(optarg))
				die("-p", "use up to 64 of [a-z0-9_.-]");
			sd.prefix = optarg;
			break;
		case 't':
			test = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((err = ef_init()) != EF_OK)
		die("ef_init", ef_strerror(err));
	if (test != NULL) {
		char *b64;

		setup_legacy(&sd);
		b64 = legacy_encrypt(&sd, test);
		printf("%s %s\n", b64, sd.pwhash);
		free(b64);
		gcry_cipher_close(sd.cbc);
		return 0;
	}
	if (argc != 1)
		usage();
	for (mode = 0; mode < SEED__MAX; mode++)
		if (strcmp(argv[0], seed_modes[mode]) == 0)
			break;
	if (mode == SEED__MAX)
		usage();
	if (mode == SEED_PWCOST) {
		pwcost(sd.count > 100 ? 10 : sd.count);
		return 0;
	}
	if (mode == SEED_V1 || mode == SEED_ENVELOPE)
		setup_v1(&sd);
	else
		setup_legacy(&sd);
	/* Rows are small and many: let stdio batch them. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (sd.admin)
		emit_row(&sd, mode, "admin", "admin");
	for (i = 1; i <= sd.count; i++) {
		snprintf(username, sizeof(username), "%s%07zu", sd.prefix, i);
		emit_row(&sd, mode, username, "user");
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		die("stdout", strerror(errno));
	ef_keyring_free(sd.kr);
	ef_index_key_free(sd.ik);
	if (mode == SEED_LEGACY)
		gcry_cipher_close(sd.cbc);
	return 0;
}
