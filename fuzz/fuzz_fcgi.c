/*
 * fuzz_fcgi.c -- libFuzzer driver: a raw FastCGI byte stream (FastCGI
 * 1.0 records: BEGIN_REQUEST, PARAMS, STDIN, management records, keep-
 * alive, several requests, garbage) read by libfcgi and handed to our
 * request layer exactly as a route gets it: http_new() in FastCGI mode,
 * http_accept() (FCGX_Accept_r), req_parse(), resp_send(), http_finish().
 *
 * How. At start-up a listening Unix socket (under /tmp) becomes file
 * descriptor 0, which is where a FastCGI application finds its listening
 * socket, so http_new() picks FastCGI mode. For each input the driver
 * connects, writes the input, and half-closes; then it connects a second
 * time with a well-formed "sentinel" request and serves requests until the
 * sentinel arrives. libfcgi drops a connection whose records are bad and
 * accepts the next one, so the sentinel guarantees that http_accept()
 * never waits for a client that will not come: the driver cannot hang.
 * Every byte is written before the server side reads (inputs are capped
 * well below the socket buffer), so nothing blocks either.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "extern.h"
#include "fuzz.h"
#include "common.h"

#define FUZZ_MAX_INPUT  (48 * 1024) /* below the Unix socket buffer */
#define FUZZ_MAX_ROUNDS 4096        /* requests served per input */

static struct sockaddr_un fuzz_addr;
static struct http *fuzz_h;

/* The sentinel: BEGIN_REQUEST (responder, no keep-alive), one param
 * FUZZ_SENTINEL=1, end of params, end of stdin. FastCGI 1.0, section 3. */
static const uint8_t fuzz_sentinel[] = {
    1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, /* BEGIN_REQUEST */
    1, 4, 0, 1, 0, 16, 0, 0, 13, 1, 'F', 'U', 'Z', 'Z', '_', 'S', 'E', 'N', 'T',
    'I', 'N', 'E', 'L', '1', /* PARAMS:
                                FUZZ_SENTINEL=1 */
    1, 4, 0, 1, 0, 0, 0, 0,  /* end of PARAMS */
    1, 5, 0, 1, 0, 0, 0, 0,  /* end of STDIN */
};

static void
fuzz_unlink(void)
{
	unlink(fuzz_addr.sun_path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	memset(&fuzz_addr, 0, sizeof(fuzz_addr));
	fuzz_addr.sun_family = AF_UNIX;
	snprintf(fuzz_addr.sun_path, sizeof(fuzz_addr.sun_path),
	    "/tmp/fuzz-fcgi.%ld.sock", (long)getpid());
	unlink(fuzz_addr.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&fuzz_addr, sizeof(fuzz_addr)) == -1 ||
	    listen(fd, 16) == -1) {
		perror("fuzz_fcgi: listening socket");
		abort();
	}
	atexit(fuzz_unlink);
	if (fd != 0 && (dup2(fd, 0) == -1 || close(fd) == -1))
		abort();
	if ((fuzz_h = http_new()) == NULL || !http_is_fastcgi(fuzz_h)) {
		fprintf(stderr, "fuzz_fcgi: no FastCGI mode on fd 0\n");
		abort();
	}
	return 0;
}

/* Connect, write what fits without blocking, half-close. -1 on error. */
static int
fuzz_client(const uint8_t *data, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&fuzz_addr, sizeof(fuzz_addr)) ==
	        -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		close(fd);
		return -1;
	}
	while (size > 0) {
		if ((n = write(fd, data, size)) <= 0)
			break; /* EAGAIN: the rest is cut off */
		data += n;
		size -= (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	return fd;
}

#ifdef FUZZ_LIBFUZZER
/*
 * 1 if a PARAMS stream of data announces a name or value longer than the
 * whole input. libfcgi (ReadParams) mallocs such lengths before reading
 * (up to 4 GiB, reported; fuzz/fcgi.options), which under ASan costs a
 * tenth of a second per input and drags the fuzzer down to a few runs a
 * second. The libFuzzer build skips these inputs; the replay in make
 * check still runs them (fuzz/corpus/fcgi/huge-namelen).
 */
static int
fuzz_huge_param(const uint8_t *data, size_t size)
{
	uint8_t *p;
	size_t n = 0, off, clen, i;
	uint32_t len;
	int k, huge = 0;

	/*
	 * A byte >= 0xC0 could start a 4-byte length of 1 GiB or more. Two
	 * such lengths overflow libfcgi's int sum (nameLen + valueLen + 2)
	 * into a negative malloc size, and libfcgi then aborts on its own
	 * assert (its Malloc wrapper): a libfcgi defect, reachable only by
	 * the web server that writes the FastCGI stream, not by HTTP clients
	 * (see fuzz/fcgi.options). libfcgi's framing of a malformed stream is
	 * not the walk below, so skip every input that holds such a byte.
	 */
	for (i = 0; i < size; i++)
		if (data[i] >= 0xc0)
			return 1;
	if ((p = malloc(size + 1)) == NULL)
		return 1;
	/* The contents of every PARAMS record (type 4), any request id. */
	for (off = 0; off + 8 <= size; off += 8 + clen + data[off + 6]) {
		clen = (size_t)data[off + 4] << 8 | data[off + 5];
		if (data[off + 1] == 4) {
			for (i = 0; i < clen && off + 8 + i < size; i++)
				p[n++] = data[off + 8 + i];
		}
	}
	/* Name-value pairs: two lengths (1 or 4 bytes), then the bytes. */
	for (i = 0; i < n && !huge;) {
		uint64_t skip = 0;

		for (k = 0; k < 2; k++) {
			if (i >= n)
				break;
			if (p[i] & 0x80) {
				if (i + 4 > n)
					break;
				len = (uint32_t)(p[i] & 0x7f) << 24 |
				    (uint32_t)p[i + 1] << 16 |
				    (uint32_t)p[i + 2] << 8 | p[i + 3];
				i += 4;
			} else
				len = p[i++];
			if (len > size)
				huge = 1;
			skip += len;
		}
		if (k < 2)
			break;
		i = skip > n - i ? n : i + (size_t)skip;
	}
	free(p);
	return huge;
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req r;
	struct resp rs;
	int c1, c2, rounds = 0;

	if (size > FUZZ_MAX_INPUT)
		return 0;
#ifdef FUZZ_LIBFUZZER
	if (fuzz_huge_param(data, size))
		return 0;
#endif
	if ((c1 = fuzz_client(data, size)) == -1 ||
	    (c2 = fuzz_client(fuzz_sentinel, sizeof(fuzz_sentinel))) == -1) {
		perror("fuzz_fcgi: connect");
		abort();
	}
	for (;;) {
		if (http_accept(fuzz_h) != 1) {
			fprintf(stderr, "fuzz_fcgi: http_accept failed\n");
			abort();
		}
		if (http_getenv(fuzz_h, "FUZZ_SENTINEL") != NULL)
			break;
		FUZZ_ASSERT(++rounds <= FUZZ_MAX_ROUNDS);
		req_parse(fuzz_h, &r, REQ_BODY_FORM | REQ_BODY_JSON, 0);
		fuzz_check_req(&r);
		resp_init(&rs);
		if (r.err != REQ_OK)
			resp_error(
			    &rs, req_err_status(r.err), req_strerror(r.err));
		else
			resp_status(&rs, 204);
		(void)resp_send(fuzz_h, &rs);
		resp_free(&rs);
		req_free(&r);
	}
	http_finish(fuzz_h);
	close(c1);
	close(c2);
	return 0;
}
