/*
 * fuzz_settings.c -- libFuzzer driver: the settings parsers. Byte 0
 * chooses the parser, the rest (up to its first NUL) is the value:
 *   0  FIELD_KEYS through ef_keyring_parse
 *   1  INDEX_KEY through ef_index_key_parse (and ef_index_key_in_ring)
 *   2  TRUSTED_PROXIES through proxy_parse_list, then one client address
 *      resolved through the parsed list (proxy_client_addr)
 *   3  a CONFIG_FILE: written to a scratch file and read by cfg_load
 * The promises checked: an error leaves nothing allocated, a success is
 * usable, and an error message never quotes the value.
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encfield.h"
#include "extern.h"
#include "fuzz.h"

static char fuzz_conf[64];

/* Remove the scratch config file at exit. */
static void
fuzz_cleanup(void)
{
	if (fuzz_conf[0] != '\0')
		unlink(fuzz_conf);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	snprintf(fuzz_conf, sizeof(fuzz_conf), "/tmp/fuzz-settings.XXXXXX");
	if ((fd = mkstemp(fuzz_conf)) == -1)
		abort();
	close(fd);
	atexit(fuzz_cleanup);
	setenv("SECRETS_PATH", "/nonexistent", 1);
	setenv("CONFIG_FILE", fuzz_conf, 1);
	return 0;
}

/* Run cfg_load over a config file holding s. */
static void
fuzz_config(const char *s, size_t len)
{
	char err[1024];
	struct cfg c;
	FILE *fp;

	if ((fp = fopen(fuzz_conf, "w")) == NULL)
		abort();
	fwrite(s, 1, len, fp);
	fclose(fp);
	(void)cfg_load(&c, CFG_ALL_ERRS, err, sizeof(err));
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
	cfg_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ef_keyring *kr = NULL;
	struct ef_index_key *ik = NULL;
	struct proxy_net *nets = NULL;
	char *s, out[INET6_ADDRSTRLEN];
	size_t where = 0, n = 0;
	enum ef_err e;
	int rc;

	if (size < 1 || size > 16384)
		return 0;
	if (fuzz_conf[0] == '\0')
		LLVMFuzzerInitialize(NULL, NULL);
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		e = ef_keyring_parse(s, &kr, &where);
		FUZZ_ASSERT((e == EF_OK) == (kr != NULL));
		FUZZ_ASSERT(e != EF_OK || ef_keyring_count(kr) > 0);
		ef_keyring_free(kr);
		break;
	case 1:
		e = ef_index_key_parse(s, &ik);
		FUZZ_ASSERT((e == EF_OK) == (ik != NULL));
		FUZZ_ASSERT(!ef_index_key_in_ring(ik, NULL));
		ef_index_key_free(ik);
		break;
	case 2:
		rc = proxy_parse_list(s, &nets, &n);
		FUZZ_ASSERT(rc == 0 || (nets == NULL && n == 0));
		if (rc == 0) {
			rc = proxy_client_addr(
			    nets, n, "10.0.0.1", s, out, sizeof(out));
			FUZZ_ASSERT(rc == 0 || rc == 1);
			FUZZ_ASSERT(rc == 0 || strlen(out) < sizeof(out));
		}
		free(nets);
		break;
	default:
		fuzz_config(s, strlen(s));
		break;
	}
	free(s);
	return 0;
}
