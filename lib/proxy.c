/*
 * proxy.c -- who the client is behind reverse proxies (TRUSTED_PROXIES).
 *
 * REMOTE_ADDR is the address of whoever opened the connection to the web
 * server. Behind a reverse proxy or load balancer that is the proxy, and
 * the client's own address arrives in X-Forwarded-For, which anybody can
 * also send. So the header is believed only when REMOTE_ADDR is a trusted
 * proxy, and then only as far as the chain of trusted proxies goes: read
 * from the right (each proxy appends the address it saw), the first entry
 * that is not itself a trusted proxy is the client. An entry that is not
 * an IP address ends the walk, and the last hop believed stands for the
 * client (a proxy that sends garbage is throttled as one client). A
 * trusted proxy's X-Forwarded-Proto: https marks the request as HTTPS.
 * With no trusted proxies (the default) neither header is ever read.
 */
#include "config.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

/* Parse a bare IPv4 or IPv6 address of len bytes into *n (bits = all). */
static int
parse_addr(const char *s, size_t len, struct proxy_net *n)
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, tmp, n->addr) == 1) {
		n->family = AF_INET;
		n->bits = 32;
		return 1;
	}
	if (inet_pton(AF_INET6, tmp, n->addr) == 1) {
		n->family = AF_INET6;
		n->bits = 128;
		return 1;
	}
	return 0;
}

/* Parse "address" or "address/bits" of len bytes into *n. */
static int
parse_net(const char *s, size_t len, struct proxy_net *n)
{
	const char *slash = memchr(s, '/', len);
	size_t i, alen = slash != NULL ? (size_t)(slash - s) : len;
	unsigned bits = 0;

	if (!parse_addr(s, alen, n))
		return 0;
	if (slash == NULL)
		return 1;
	/* 1 to 3 decimal digits, at most the address's length. */
	if (len - alen < 2 || len - alen > 4)
		return 0;
	for (i = alen + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		bits = bits * 10 + (unsigned)(s[i] - '0');
	}
	if (bits > n->bits)
		return 0;
	n->bits = bits;
	return 1;
}

/* Skip blanks at both ends of [*s, *s + *len). */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

int
proxy_parse_list(const char *s, struct proxy_net **out, size_t *n)
{
	const char *p, *e;
	size_t len, cap = 1, k = 0;
	struct proxy_net *v;

	*out = NULL;
	*n = 0;
	for (p = s; *p != '\0'; p++)
		cap += *p == ',';
	if ((v = calloc(cap, sizeof(*v))) == NULL)
		return -2;
	for (p = s;; p = e + 1) {
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		trim(&p, &len);
		if (!parse_net(p, len, &v[k])) {
			free(v);
			return -1;
		}
		k++;
		if (e == NULL)
			break;
	}
	*out = v;
	*n = k;
	return 0;
}

/* 1 if a lies within net. */
static int
in_net(const struct proxy_net *a, const struct proxy_net *net)
{
	unsigned full = net->bits / 8, rest = net->bits % 8;

	if (a->family != net->family)
		return 0;
	if (memcmp(a->addr, net->addr, full) != 0)
		return 0;
	return rest == 0 ||
	    ((a->addr[full] ^ net->addr[full]) & (0xff << (8 - rest))) == 0;
}

/* 1 if a is within one of the n nets. */
static int
trusted(const struct proxy_net *a, const struct proxy_net *nets, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (in_net(a, &nets[i]))
			return 1;
	return 0;
}

int
proxy_trusted(const struct proxy_net *nets, size_t n, const char *addr)
{
	struct proxy_net a;

	return addr != NULL && parse_addr(addr, strlen(addr), &a) &&
	    trusted(&a, nets, n);
}

int
proxy_client_addr(const struct proxy_net *nets, size_t n, const char *remote,
    const char *xff, char *out, size_t outsz)
{
	struct proxy_net hop, cur;
	const char *entry;
	size_t pos, start, len;

	if (xff == NULL || !parse_addr(remote, strlen(remote), &cur) ||
	    !trusted(&cur, nets, n))
		return 0;
	/* Walk from the right: cur is the last hop believed so far. */
	for (pos = strlen(xff);; pos = start - 1) {
		for (start = pos; start > 0 && xff[start - 1] != ','; start--)
			;
		entry = xff + start;
		len = pos - start;
		trim(&entry, &len);
		if (!parse_addr(entry, len, &hop))
			break; /* not an address: cur stands for the client */
		cur = hop;
		if (!trusted(&cur, nets, n) || start == 0)
			break;
	}
	if (inet_ntop(cur.family, cur.addr, out, (socklen_t)outsz) == NULL)
		return -1;
	return 1;
}

int
proxy_apply(
    struct http *h, struct req *r, const struct proxy_net *nets, size_t n)
{
	char addr[INET6_ADDRSTRLEN];
	const char *proto;
	char *dup;
	int rc;

	if (!proxy_trusted(nets, n, r->remote_addr))
		return 0;
	proto = http_getenv(h, "HTTP_X_FORWARDED_PROTO");
	if (proto != NULL && strcasecmp(proto, "https") == 0)
		r->https = 1;
	rc = proxy_client_addr(nets, n, r->remote_addr,
	    http_getenv(h, "HTTP_X_FORWARDED_FOR"), addr, sizeof(addr));
	if (rc != 1)
		return rc;
	if ((dup = strdup(addr)) == NULL)
		return -1;
	free(r->remote_addr);
	r->remote_addr = dup;
	return 0;
}
