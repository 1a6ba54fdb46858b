/*
 * check_proxy.c -- unit tests of lib/proxy.c: parsing TRUSTED_PROXIES and
 * finding the client's address in X-Forwarded-For, with tables of cases
 * (trusted or not, chains of proxies, spoofed and malformed entries).
 */
#include "config.h"

#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "extern.h"

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *list;
	int ok;   /* 1: valid */
	size_t n; /* entries when valid */
} lists[] = {
    {"10.0.0.1", 1, 1},
    {"10.0.0.0/8, 192.168.1.0/24,::1 , fd00::/8", 1, 4},
    {"0.0.0.0/0", 1, 1},
    {"::/0", 1, 1},
    {"2001:db8::/128", 1, 1},
    {"10.0.0.1/32", 1, 1},
    {"", 0, 0},
    {",", 0, 0},
    {"10.0.0.1,", 0, 0},
    {"10.0.0.256", 0, 0},
    {"10.0.0.0/33", 0, 0},
    {"::/129", 0, 0},
    {"10.0.0.0/", 0, 0},
    {"10.0.0.0/-1", 0, 0},
    {"10.0.0.0/8/8", 0, 0},
    {"10.0.0.0/0008", 0, 0},
    {"localhost", 0, 0},
    {"10.0.0.1 10.0.0.2", 0, 0},
};

START_TEST(test_parse)
{
	struct proxy_net *v = NULL;
	size_t n = 99;
	int rc = proxy_parse_list(lists[_i].list, &v, &n);

	ck_assert_msg(
	    rc == (lists[_i].ok ? 0 : -1), "\"%s\": %d", lists[_i].list, rc);
	if (lists[_i].ok)
		ck_assert_uint_eq(n, lists[_i].n);
	else {
		ck_assert_ptr_null(v);
		ck_assert_uint_eq(n, 0);
	}
	free(v);
}
END_TEST

#define PROXIES "10.0.0.0/8, 192.168.1.1, 2001:db8:1::/48"

static const struct {
	const char *remote, *xff;
	const char *want; /* NULL: REMOTE_ADDR stands (0) */
} walks[] = {
    /* Not from a trusted proxy: the header is never read. */
    {"203.0.113.5", "198.51.100.7", NULL},
    {"11.0.0.1", "198.51.100.7", NULL},
    {"192.168.1.2", "198.51.100.7", NULL},
    /* From a trusted proxy, without the header. */
    {"10.1.2.3", NULL, NULL},
    /* One proxy. */
    {"10.1.2.3", "198.51.100.7", "198.51.100.7"},
    {"192.168.1.1", " 198.51.100.7 ", "198.51.100.7"},
    /* A client's own (spoofed) entries stay left of the real one. */
    {"10.1.2.3", "1.2.3.4, 198.51.100.7", "198.51.100.7"},
    {"10.1.2.3", "10.9.9.9,198.51.100.7", "198.51.100.7"},
    /* A chain of trusted proxies. */
    {"10.1.2.3", "198.51.100.7, 192.168.1.1, 10.5.5.5", "198.51.100.7"},
    {"2001:db8:1::9", "2001:db8:2::1, 2001:db8:1:ffff::1", "2001:db8:2::1"},
    /* Every hop trusted: the leftmost. */
    {"10.1.2.3", "10.7.7.7, 10.8.8.8", "10.7.7.7"},
    /* Not an address: the last hop believed stands for the client. */
    {"10.1.2.3", "unknown", "10.1.2.3"},
    {"10.1.2.3", "198.51.100.7, 10.5.5.5, garbage", "10.1.2.3"},
    {"10.1.2.3", "garbage, 10.5.5.5", "10.5.5.5"},
    {"10.1.2.3", "", "10.1.2.3"},
    {"10.1.2.3", "198.51.100.7,", "10.1.2.3"},
    {"10.1.2.3", "198.51.100.7:4711", "10.1.2.3"},
    /* Canonical form: one client, one throttling bucket. */
    {"10.1.2.3", "2001:DB8:0:0::0:1", "2001:db8::1"},
};

START_TEST(test_walk)
{
	struct proxy_net *v;
	size_t n;
	char out[INET6_ADDRSTRLEN];
	int rc;

	ck_assert_int_eq(proxy_parse_list(PROXIES, &v, &n), 0);
	rc = proxy_client_addr(
	    v, n, walks[_i].remote, walks[_i].xff, out, sizeof(out));
	if (walks[_i].want == NULL)
		ck_assert_msg(rc == 0, "%s / %s: %d", walks[_i].remote,
		    walks[_i].xff, rc);
	else {
		ck_assert_msg(rc == 1, "%s / %s: %d", walks[_i].remote,
		    walks[_i].xff, rc);
		ck_assert_str_eq(out, walks[_i].want);
	}
	free(v);
}
END_TEST

/* No list (the default): nothing is trusted, whatever the header says. */
START_TEST(test_default_never)
{
	char out[INET6_ADDRSTRLEN];

	ck_assert_int_eq(proxy_client_addr(
	                     NULL, 0, "127.0.0.1", "1.2.3.4", out, sizeof(out)),
	    0);
	ck_assert_int_eq(proxy_trusted(NULL, 0, "127.0.0.1"), 0);
}
END_TEST

START_TEST(test_trusted)
{
	struct proxy_net *v;
	size_t n;

	ck_assert_int_eq(proxy_parse_list("172.16.0.0/12, ::1", &v, &n), 0);
	ck_assert_int_eq(proxy_trusted(v, n, "172.31.255.255"), 1);
	ck_assert_int_eq(proxy_trusted(v, n, "172.32.0.0"), 0);
	ck_assert_int_eq(proxy_trusted(v, n, "172.15.255.255"), 0);
	ck_assert_int_eq(proxy_trusted(v, n, "::1"), 1);
	ck_assert_int_eq(proxy_trusted(v, n, "::2"), 0);
	/* IPv4 addresses never match IPv6 networks, nor the reverse. */
	ck_assert_int_eq(proxy_trusted(v, n, "::ffff:172.16.0.1"), 0);
	ck_assert_int_eq(proxy_trusted(v, n, ""), 0);
	ck_assert_int_eq(proxy_trusted(v, n, NULL), 0);
	free(v);
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite *s = suite_create("proxy");
	TCase *t = tcase_create("proxy");

	tcase_add_loop_test(t, test_parse, 0, NELEM(lists));
	tcase_add_loop_test(t, test_walk, 0, NELEM(walks));
	tcase_add_test(t, test_default_never);
	tcase_add_test(t, test_trusted);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proxy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
