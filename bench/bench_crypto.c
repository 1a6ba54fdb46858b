/*
 * bench_crypto.c -- micro-benchmark of libencfield: what one field value,
 * one lookup and one password cost.
 *
 * Prints one line per operation, "name ns_per_op iterations cpu ns", the
 * format of bench/crypto_peer.py (the same operations in Python, which
 * bench/run puts side by side: it reads the first number) plus the
 * process CPU time per operation, steadier on a loaded machine. Each
 * operation runs for about SECONDS (default 0.5, first argument) after a
 * short warm-up, timed with clock_gettime (CLOCK_MONOTONIC and
 * CLOCK_PROCESS_CPUTIME_ID); the figures are means over the loop.
 * A benchmark, not a test: it prints figures and fails only if an
 * operation itself fails.
 *
 *   v1_encrypt            ef_encrypt of a 23-byte email (users.email)
 *   v1_decrypt            ef_decrypt of that value
 *   legacy_decrypt        AesEngine pkcs5 (the boilerplate's) value
 *   legacy_decrypt_gcm    AesGcmEngine value
 *   legacy_decrypt_fernet FernetEngine value
 *   blind_index           ef_blind_index of the email
 *   argon2id_hash         ef_pw_hash (m=19456 KiB, t=2, p=1)
 *   pbkdf2_sha512         ef_pw_verify of a legacy hash (100000 iterations)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gcrypt.h>

#include "encfield.h"

#define EMAIL "user0000001@example.com"

static struct ef_keyring *kr;
static struct ef_index_key *ik;
static struct ef_legacy *lg_cbc, *lg_gcm, *lg_fernet;
static uint8_t uuid[16], *v1, *wrapped, *env, dk[EF_KEY_LEN];
static size_t v1len, wrappedlen, envlen;

/* Values of the SQLAlchemy-Utils vectors file, passphrase "changeme2". */
static const char cbc_value[] = "js9UvaCO5KHa6n8WRj5x0frGeFN+niGdcWbTNRDVFDk=";
static const char gcm_value[] =
    "nbaNHXWA7ag5KJedll5A7E/9uQmIMPkHsxtwhj9e0XQWesuk7G2WpzDlbXKP";
static const char fernet_value[] =
    "gAAAAABrDDmniKYAlviR8xMlDMgjuY64IAW7_8moI_ha8_karO-VAaJAhFJTEaW9AyV6JJ_"
    "5Q1N_ayQqXZEqgEJ1v8GoTgTQ8g2kIGDPqNM9LYk-mosDoxk=";
/* The boilerplate's hash of "password" with SECRET_KEY "changeme1". */
static const char legacy_hash[] =
    "60374fa84f18f9bc851ef6929bf090088644eab3a0003181e9cc05b2946da744"
    "12e135b2c04d06a02bc7fc89a3aa834b2f984c117fa29ee47ab7b2b7e7372449";

static int
op_v1_encrypt(void)
{
	uint8_t *ct;
	size_t ctlen;

	if (ef_encrypt(kr, "users.email", uuid, EMAIL, strlen(EMAIL), &ct,
	        &ctlen) != EF_OK)
		return -1;
	free(ct);
	return 0;
}

static int
op_v1_decrypt(void)
{
	char *pt;
	size_t ptlen;

	if (ef_decrypt(kr, "users.email", uuid, v1, v1len, &pt, &ptlen) !=
	    EF_OK)
		return -1;
	ef_free_plain(pt, ptlen);
	return 0;
}

/* A read of a user with a data key: unwrap it, open the email. */
static int
op_envelope_read(void)
{
	uint8_t k[EF_KEY_LEN];
	char *pt;
	size_t ptlen;
	enum ef_err e;

	if (ef_dk_unwrap(kr, "users", uuid, wrapped, wrappedlen, k) != EF_OK)
		return -1;
	e = ef_envelope_open(k, "users.email", uuid, env, envlen, &pt, &ptlen);
	ef_wipe(k, sizeof(k));
	if (e != EF_OK)
		return -1;
	ef_free_plain(pt, ptlen);
	return 0;
}

static int
op_dk_unwrap(void)
{
	uint8_t k[EF_KEY_LEN];

	if (ef_dk_unwrap(kr, "users", uuid, wrapped, wrappedlen, k) != EF_OK)
		return -1;
	ef_wipe(k, sizeof(k));
	return 0;
}

static int
op_envelope_open(void)
{
	char *pt;
	size_t ptlen;

	if (ef_envelope_open(
	        dk, "users.email", uuid, env, envlen, &pt, &ptlen) != EF_OK)
		return -1;
	ef_free_plain(pt, ptlen);
	return 0;
}

/* What rotation does per user with a data key: unwrap, wrap again. */
static int
op_dk_rewrap(void)
{
	uint8_t k[EF_KEY_LEN], *w;
	size_t wlen;
	enum ef_err e;

	if (ef_dk_unwrap(kr, "users", uuid, wrapped, wrappedlen, k) != EF_OK)
		return -1;
	e = ef_dk_wrap(kr, "users", uuid, k, &w, &wlen);
	ef_wipe(k, sizeof(k));
	if (e != EF_OK)
		return -1;
	free(w);
	return 0;
}

/* What rotation does per v1 email: decrypt, encrypt again. */
static int
op_v1_reencrypt(void)
{
	uint8_t *ct;
	char *pt;
	size_t ptlen, ctlen;
	enum ef_err e;

	if (ef_decrypt(kr, "users.email", uuid, v1, v1len, &pt, &ptlen) !=
	    EF_OK)
		return -1;
	e = ef_encrypt(kr, "users.email", uuid, pt, ptlen, &ct, &ctlen);
	ef_free_plain(pt, ptlen);
	if (e != EF_OK)
		return -1;
	free(ct);
	return 0;
}

static int
legacy(const struct ef_legacy *lg, const char *v)
{
	char *pt;
	size_t ptlen;

	if (ef_legacy_decrypt(lg, (const uint8_t *)v, strlen(v), &pt, &ptlen) !=
	    EF_OK)
		return -1;
	ef_free_plain(pt, ptlen);
	return 0;
}

static int
op_legacy_cbc(void)
{
	return legacy(lg_cbc, cbc_value);
}

static int
op_legacy_gcm(void)
{
	return legacy(lg_gcm, gcm_value);
}

static int
op_legacy_fernet(void)
{
	return legacy(lg_fernet, fernet_value);
}

static int
op_blind_index(void)
{
	uint8_t out[EF_BIDX_LEN];

	return ef_blind_index(ik, EMAIL, strlen(EMAIL), out) == EF_OK ? 0 : -1;
}

static int
op_argon2id_hash(void)
{
	char out[EF_PW_HASH_MAX];

	return ef_pw_hash("password", 8, out) == EF_OK ? 0 : -1;
}

static int
op_pbkdf2(void)
{
	int match = 0;

	if (ef_pw_verify("password", 8, legacy_hash, "changeme1", 9, &match) !=
	    EF_OK)
		return -1;
	return match ? 0 : -1;
}

static const struct op {
	const char *name;
	int (*fn)(void);
} ops[] = {
    {"v1_encrypt", op_v1_encrypt},
    {"v1_decrypt", op_v1_decrypt},
    {"envelope_read", op_envelope_read},
    {"dk_unwrap", op_dk_unwrap},
    {"envelope_open", op_envelope_open},
    {"dk_rewrap", op_dk_rewrap},
    {"v1_reencrypt", op_v1_reencrypt},
    {"legacy_decrypt", op_legacy_cbc},
    {"legacy_decrypt_gcm", op_legacy_gcm},
    {"legacy_decrypt_fernet", op_legacy_fernet},
    {"blind_index", op_blind_index},
    {"argon2id_hash", op_argon2id_hash},
    {"pbkdf2_sha512", op_pbkdf2},
};

static double
clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double
now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/*
 * Run fn in loops of growing size until one lasts about seconds; returns
 * the mean ns per call and sets *iters, or a negative value on failure.
 */
static double
measure(int (*fn)(void), double seconds, unsigned long *iters, double *cpu)
{
	unsigned long n = 1, i;
	double t0, c0, dt, grow;

	for (;;) {
		t0 = now_ns();
		c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		for (i = 0; i < n; i++)
			if (fn() != 0)
				return -1;
		dt = now_ns() - t0;
		if (dt >= seconds * 1e9 || n >= 1UL << 24) {
			*cpu = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) /
			    (double)n;
			*iters = n;
			return dt / (double)n;
		}
		grow = seconds * 1e9 / (dt > 1 ? dt : 1) * 1.1;
		if (grow > 10)
			grow = 10;
		n = (unsigned long)((double)n * grow) + 1;
	}
}

static int
setup(void)
{
	uint8_t key[EF_KEY_LEN];
	char *b64;
	int ok;

	if (ef_init() != EF_OK)
		return -1;
	ef_uuid_v4(uuid);
	ef_random(key, sizeof(key));
	if (ef_keyring_add(&kr, 1, key) != EF_OK)
		return -1;
	ef_random(key, sizeof(key));
	if (ef_base64_encode(key, sizeof(key), &b64) != EF_OK)
		return -1;
	ok = ef_index_key_parse(b64, &ik) == EF_OK;
	ef_wipe(key, sizeof(key));
	ef_wipe(b64, strlen(b64));
	free(b64);
	ef_dk_generate(dk);
	if (!ok ||
	    ef_encrypt(kr, "users.email", uuid, EMAIL, strlen(EMAIL), &v1,
	        &v1len) != EF_OK ||
	    ef_dk_wrap(kr, "users", uuid, dk, &wrapped, &wrappedlen) != EF_OK ||
	    ef_envelope_seal(dk, "users.email", uuid, EMAIL, strlen(EMAIL),
	        &env, &envlen) != EF_OK ||
	    ef_legacy_new("changeme2", 9, EF_LEGACY_AES_CBC_PKCS5, &lg_cbc) !=
	        EF_OK ||
	    ef_legacy_new("changeme2", 9, EF_LEGACY_AES_GCM, &lg_gcm) !=
	        EF_OK ||
	    ef_legacy_new("changeme2", 9, EF_LEGACY_FERNET, &lg_fernet) !=
	        EF_OK)
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	double seconds = 0.5, ns, cpu;
	unsigned long iters;
	size_t i;
	char *end;
	int rc = 0;

	if (argc > 2 ||
	    (argc == 2 &&
	        (seconds = strtod(argv[1], &end),
	            *end != '\0' || seconds <= 0 || seconds > 60))) {
		fprintf(stderr, "usage: bench_crypto [seconds (0, 60]]\n");
		return 2;
	}
	if (setup() != 0) {
		fprintf(stderr, "bench_crypto: setup failed\n");
		return 1;
	}
	printf("# bench_crypto: libencfield over libgcrypt-%s; name, wall "
	       "ns/op, iterations, cpu ns/op\n",
	    gcry_check_version(NULL));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		/* Warm-up, then the timed loop. */
		if (measure(ops[i].fn, seconds / 10, &iters, &cpu) < 0 ||
		    (ns = measure(ops[i].fn, seconds, &iters, &cpu)) < 0) {
			fprintf(
			    stderr, "bench_crypto: %s failed\n", ops[i].name);
			rc = 1;
			continue;
		}
		printf("%s %.0f %lu cpu %.0f\n", ops[i].name, ns, iters, cpu);
		fflush(stdout);
	}
	free(v1);
	ef_keyring_free(kr);
	ef_index_key_free(ik);
	ef_legacy_free(lg_cbc);
	ef_legacy_free(lg_gcm);
	ef_legacy_free(lg_fernet);
	return rc;
}
