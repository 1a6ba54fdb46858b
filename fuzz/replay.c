/*
 * replay.c -- main() for the replay builds of the fuzz drivers: run
 * LLVMFuzzerTestOneInput once over each file named on the command line,
 * or over every regular file of a named directory (in name order, so runs
 * are reproducible). It lets `make check` prove, with the project's own
 * compiler and flags (and under --enable-sanitizers with ASan and UBSan),
 * that every seed and every input that once crashed a driver still runs
 * cleanly. Exit 0 when every input ran, 1 if a file could not be read,
 * 2 on bad usage; a crash is the driver's abort().
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Defined by a driver that needs set-up; a weak reference otherwise. */
#pragma weak LLVMFuzzerInitialize

/* Read the whole file path into a malloc'd buffer; 0 or -1. */
static int
replay_slurp(const char *path, uint8_t **out, size_t *outlen)
{
	FILE *fp;
	uint8_t *b = NULL, *nb;
	size_t len = 0, cap = 0, n;
	int rc = -1;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap * 2 + 4096;
			if ((nb = realloc(b, cap)) == NULL)
				goto out;
			b = nb;
		}
		n = fread(b + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp))
		goto out;
	*out = b;
	*outlen = len;
	b = NULL;
	rc = 0;
out: /* the one cleanup */
	free(b);
	fclose(fp);
	return rc;
}

/* Run one file; 0, or -1 if it cannot be read. */
static int
replay_file(const char *path)
{
	uint8_t *data;
	size_t len;

	if (replay_slurp(path, &data, &len) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of dir; adds to *count. 0 or -1. */
static int
replay_dir(const char *dir, size_t *count)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **names = NULL, **nn, path[4096];
	size_t n = 0, cap = 0, i;
	int rc = -1;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap * 2 + 64;
			if ((nn = realloc(names, cap * sizeof(*nn))) == NULL)
				goto out;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto out;
		n++;
	}
	qsort(names, n, sizeof(*names), replay_cmp);
	rc = 0;
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		        names[i]) >= sizeof(path) ||
		    stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) == -1)
			rc = -1;
		else
			(*count)++;
	}
out: /* the one cleanup */
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat st;
	size_t count = 0;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) == -1)
				rc = 1;
		} else if (replay_file(argv[i]) == -1)
			rc = 1;
		else
			count++;
	}
	printf("replay: %s: %zu inputs run\n", argv[0], count);
	return rc;
}
