/*
 * ef-pwtool.c -- a small test helper around libencfield's password
 * functions, so that t/argon2-cli.sh can compare them with Debian's argon2
 * command-line tool. The password is read from standard input (all of it,
 * at most 1 KiB, no newline stripped), never from the command line.
 *
 *   ef-pwtool hash              print ef_pw_hash(pw)
 *   ef-pwtool hash-salt SALT    print ef_pw_hash_salt(pw, SALT)
 *   ef-pwtool salt PHC          print the decoded salt of PHC, raw; exit 3
 *                               if it holds a NUL or ends in a newline
 *                               (a shell could not pass it on)
 *   ef-pwtool verify PHC        exit 0 if pw matches, 1 if not, 2 on error
 *
 * Not installed; built for `make check` only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encfield.h"

static size_t
read_pw(char *buf, size_t cap)
{
	size_t n = fread(buf, 1, cap, stdin);

	if (ferror(stdin) || !feof(stdin)) {
		fprintf(stderr, "ef-pwtool: password unreadable or too long\n");
		exit(2);
	}
	return n;
}

/* Decode the salt field of a PHC string (unpadded base64) by padding it. */
static int
print_salt(const char *phc)
{
	const char *s = phc, *e;
	char padded[128];
	uint8_t *salt;
	size_t n, len, i;
	int i_dollar = 0;

	for (; *s != '\0' && i_dollar < 4; s++)
		if (*s == '$')
			i_dollar++;
	if (i_dollar != 4 || (e = strchr(s, '$')) == NULL ||
	    (size_t)(e - s) + 3 > sizeof(padded))
		return 2;
	n = (size_t)(e - s);
	memcpy(padded, s, n);
	while (n % 4 != 0)
		padded[n++] = '=';
	if (ef_base64_decode(padded, n, &salt, &len) != EF_OK)
		return 2;
	for (i = 0; i < len; i++)
		if (salt[i] == '\0')
			break;
	if (i < len || (len > 0 && salt[len - 1] == '\n')) {
		free(salt);
		return 3;
	}
	fwrite(salt, 1, len, stdout);
	free(salt);
	return 0;
}

int
main(int argc, char *argv[])
{
	char pw[1024], out[EF_PW_HASH_MAX];
	size_t pwlen;
	enum ef_err rc;
	int match;

	if (argc == 3 && strcmp(argv[1], "salt") == 0)
		return print_salt(argv[2]);
	if (argc == 2 && strcmp(argv[1], "hash") == 0) {
		pwlen = read_pw(pw, sizeof(pw));
		rc = ef_pw_hash(pw, pwlen, out);
	} else if (argc == 3 && strcmp(argv[1], "hash-salt") == 0) {
		pwlen = read_pw(pw, sizeof(pw));
		rc = ef_pw_hash_salt(pw, pwlen, argv[2], strlen(argv[2]), out);
	} else if (argc == 3 && strcmp(argv[1], "verify") == 0) {
		pwlen = read_pw(pw, sizeof(pw));
		rc = ef_pw_verify(pw, pwlen, argv[2], NULL, 0, &match);
		ef_wipe(pw, sizeof(pw));
		if (rc != EF_OK) {
			fprintf(stderr, "ef-pwtool: %s\n", ef_strerror(rc));
			return 2;
		}
		return match ? 0 : 1;
	} else {
		fprintf(stderr,
		    "usage: ef-pwtool hash | hash-salt SALT | "
		    "salt PHC | verify PHC\n");
		return 2;
	}
	ef_wipe(pw, sizeof(pw));
	if (rc != EF_OK) {
		fprintf(stderr, "ef-pwtool: %s\n", ef_strerror(rc));
		return 2;
	}
	printf("%s\n", out);
	return 0;
}
