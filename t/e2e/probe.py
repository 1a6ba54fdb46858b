"""probe.py -- check a web-server config with bench/hello standing in for
every route (t/e2e-configs.sh). hello answers with the name it runs under,
its PATH_INFO, the body bytes it read and which settings reached its
environment, so each row below says: this request must reach this route,
with this PATH_INFO. Also checks the static stylesheet, the body cap (413
from the server, never 500) and that the settings are passed through.

usage: probe.py BASE_URL STATIC_FILE BODY_MAX ENV_NAMES
ENV_NAMES: comma-separated settings that must reach the processes.
Exit status: 0 all passed, 1 some failed (each failure printed).
"""

import http.client
import json
import sys
import urllib.parse

# method, path, expected route, expected PATH_INFO
ROUTES = [
    ("GET", "/user/admin", "user", "/admin"),
    ("GET", "/user/x.y-z_1", "user", "/x.y-z_1"),
    ("PATCH", "/user/admin", "user", "/admin"),
    ("DELETE", "/user/admin", "user", "/admin"),
    ("GET", "/users", "users", ""),
    ("GET", "/users?limit=2&after=x", "users", ""),
    ("POST", "/users", "users", ""),
    ("GET", "/users/new", "users-new", ""),
    ("GET", "/login", "login", ""),
    ("POST", "/login", "login", ""),
    ("POST", "/logout", "logout", ""),
    ("GET", "/healthz", "healthz", ""),
    ("GET", "/admin/census", "census", ""),
    ("GET", "/admin/census/x", "notfound", None),
    ("GET", "/admin", "notfound", None),
    ("GET", "/", "notfound", None),
    ("GET", "/nope", "notfound", None),
    ("GET", "/usersx", "notfound", None),
    ("GET", "/users/new/x", "notfound", None),
    ("GET", "/loginx", "notfound", None),
    ("GET", "/app/users", "notfound", None),
    ("GET", "/cgi-bin/users", "notfound", None),
    ("POST", "/a/b/c?d=e", "notfound", None),
]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


def request(base, method, path, body=None, headers=None, chunked=False):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        if chunked:
            # A generator body is sent with Transfer-Encoding: chunked.
            data = body
            body = (data[i:i + 8192] for i in range(0, len(data), 8192))
        c.request(method, path, body=body, headers=headers or {},
                  encode_chunked=chunked)
        r = c.getresponse()
        hdrs = dict((k.lower(), v) for k, v in r.getheaders())
        # Repeated headers (a server adding what the route already sent)
        # are joined, so that "nosniff, nosniff" fails the checks.
        for k in hdrs:
            vals = [v for n, v in r.getheaders() if n.lower() == k]
            if len(vals) > 1:
                hdrs[k] = ", ".join(vals)
        return r.status, hdrs, r.read()
    finally:
        c.close()


def main():
    base, static_file, body_max, env_names = sys.argv[1:5]
    body_max = int(body_max)
    names = [n for n in env_names.split(",") if n]

    for method, path, route, path_info in ROUTES:
        st, hdr, body = request(base, method, path)
        what = "%s %s" % (method, path)
        if not check(st == 200, "%s: status %d, want 200 from hello" % (what, st)):
            continue
        try:
            doc = json.loads(body)
        except ValueError:
            check(False, "%s: not hello's JSON: %r" % (what, body[:200]))
            continue
        check(doc["name"] == route,
              "%s: reached %s, want %s" % (what, doc["name"], route))
        if path_info is not None:
            check(doc["path_info"] == path_info,
                  "%s: PATH_INFO %r, want %r" % (what, doc["path_info"], path_info))
        check(doc["method"] == method,
              "%s: method %r reached the route" % (what, doc["method"]))
        for n in names:
            check(doc["env"].get(n) is True,
                  "%s: setting %s did not reach the process" % (what, n))
        check(hdr.get("x-content-type-options") == "nosniff",
              "%s: X-Content-Type-Options missing" % what)

    # The stylesheet, byte for byte, as text/css with nosniff.
    st, hdr, body = request(base, "GET", "/static/style.css")
    with open(static_file, "rb") as f:
        want = f.read()
    check(st == 200, "GET /static/style.css: status %d" % st)
    check(body == want, "GET /static/style.css: body differs from the file")
    check(hdr.get("content-type", "").startswith("text/css"),
          "GET /static/style.css: Content-Type %r" % hdr.get("content-type"))
    check(hdr.get("x-content-type-options") == "nosniff",
          "GET /static/style.css: X-Content-Type-Options missing")

    # The body cap: exactly BODY_MAX passes whole, one byte more is 413.
    ctype = {"Content-Type": "application/x-www-form-urlencoded"}
    st, hdr, body = request(base, "POST", "/users", b"a" * body_max, ctype)
    if check(st == 200, "POST /users with %d bytes: status %d" % (body_max, st)):
        got = json.loads(body)["body_bytes"]
        check(got == body_max,
              "POST /users with %d bytes: the route read %d" % (body_max, got))
    st, hdr, body = request(base, "POST", "/users", b"a" * (body_max + 1), ctype)
    check(st == 413, "POST /users with %d bytes: status %d, want 413"
          % (body_max + 1, st))
    check(hdr.get("content-type", "").startswith("application/json")
          and json.loads(body or b"null") == {"error": "Request body too large"},
          "the server's own 413 is JSON {\"error\": ...} (%r, %r)"
          % (hdr.get("content-type"), body[:80]))
    st, hdr, body = request(base, "POST", "/user/admin",
                            b"a" * (4 * body_max), ctype)
    check(st == 413, "POST /user/admin with %d bytes: status %d, want 413"
          % (4 * body_max, st))

    # Chunked bodies: served (lighttpd, CGI), or refused with 411 JSON
    # (Apache + mod_fcgid); over the cap 413 or 411; never 500.
    for n, ok in ((100, (200, 411)), (body_max + 1, (411, 413))):
        st, hdr, body = request(base, "POST", "/users", b"a" * n, ctype, chunked=True)
        check(st in ok, "chunked POST /users with %d bytes: status %d, want one of %s"
              % (n, st, ok))
        if st in (411, 413):
            check(hdr.get("content-type", "").startswith("application/json"),
                  "chunked POST: the server's own %d is JSON (%r)" % (st, body[:80]))
        elif st == 200:
            check(json.loads(body)["body_bytes"] == n,
                  "chunked POST: the route read all %d bytes" % n)

    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
