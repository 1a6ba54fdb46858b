"""suite.py -- the end-to-end suite: every route and status of the README's
"Routes" over real HTTP, sessions and CSRF through real cookies, the body
cap, 404/405 JSON and the security headers. Written once, run against each
web server (t/e2e-lighttpd.pg, t/e2e-apache-fcgid.pg, t/e2e-apache-cgi.pg)
by t/e2e/run-suite.sh, which has already migrated the database and created
the admin.

usage: suite.py BASE_URL ADMIN_USER ADMIN_PASSWORD ADMIN_EMAIL BODY_MAX [TOKEN]
TOKEN: an API bearer token of the admin (encdb token create), if any.
Prints one line per check ("ok"/"not ok", TAP style) and exits 1 if any
check failed. Python 3 standard library only.
"""

import http.client
import json
import re
import sys
import urllib.parse

FAILED = []
COUNT = [0]


def check(cond, what):
    COUNT[0] += 1
    if cond:
        print("ok %d - %s" % (COUNT[0], what))
    else:
        print("not ok %d - %s" % (COUNT[0], what))
        FAILED.append(what)
    return bool(cond)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (lower-case name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<%d %s %r>" % (self.status, self.header("content-type"),
                               self.body[:160])


class Client:
    """One user agent: keeps the cookies the server sets, like a browser."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        # The application's base path (BASE_PATH): "" at the root.
        self.prefix = u.path.rstrip("/")
        self.cookies = {}
        self.last_set_cookie = []

    def request(self, method, path, body=None, headers=None, json_body=None,
                form=None, html=False, cookies=True):
        h = {"Accept": "text/html" if html else "application/json"}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            h["Content-Type"] = "application/json"
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies and self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        h.update(headers or {})
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            c.request(method, self.prefix + path, body=body, headers=h)
            r = c.getresponse()
            hdrs = [(k.lower(), v) for k, v in r.getheaders()]
            try:
                resp = Response(r.status, hdrs, r.read())
            except (http.client.HTTPException, OSError) as e:
                # A response cut short: report it as such, with the
                # status line the server did send.
                resp = Response(r.status, hdrs + [("x-e2e-broken", "1")],
                                ("<response cut short: %r>" % e).encode())
        except (http.client.HTTPException, OSError) as e:
            resp = Response(599, [], ("<no response: %r>" % e).encode())
        finally:
            c.close()
        self.last_set_cookie = resp.all("set-cookie")
        for sc in self.last_set_cookie:
            name, _, rest = sc.partition("=")
            value = rest.split(";", 1)[0]
            attrs = sc.lower()
            if value == "" or "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return resp


def is_error_json(r, status, message=None):
    doc = r.json()
    ok = (r.status == status and isinstance(doc, dict)
          and isinstance(doc.get("error"), str)
          and (r.header("content-type") or "").startswith("application/json"))
    if ok and message is not None:
        ok = doc["error"] == message
    return ok


def security_headers(r, what):
    csp = r.header("content-security-policy") or ""
    check(r.header("x-content-type-options") == "nosniff",
          "%s: X-Content-Type-Options: nosniff" % what)
    check("frame-ancestors" in csp or r.header("x-frame-options") is not None,
          "%s: framing refused (CSP frame-ancestors or X-Frame-Options)" % what)
    check(r.header("referrer-policy") is not None, "%s: Referrer-Policy" % what)
    check(r.header("access-control-allow-origin") is None,
          "%s: no CORS header (CORS off by default)" % what)


def hidden_field(html, name):
    m = re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % re.escape(name), html)
    if m is None:
        m = re.search(r'<input[^>]*value="([^"]*)"[^>]*name="%s"' % re.escape(name), html)
    return m.group(1) if m else None


def login_json(base, user, password):
    c = Client(base)
    r = c.request("POST", "/login", json_body={"username": user, "password": password})
    return c, r


def csrf_of(c, r, pages=("/users/new",)):
    """The CSRF token of c's session: from the login answer, else from an
    HTML page that carries it in a form."""
    doc = r.json() if r is not None else None
    if isinstance(doc, dict):
        for d in (doc, doc.get("payload") if isinstance(doc.get("payload"), dict) else {}):
            for k in ("csrf", "csrf_token"):
                if isinstance(d.get(k), str):
                    return d[k]
    for page in pages:
        p = c.request("GET", page, html=True)
        t = hidden_field(p.text(), "csrf")
        if t:
            return t
    return None


def main():
    base, admin, admin_pw, admin_email, body_max = sys.argv[1:6]
    token = sys.argv[6] if len(sys.argv) > 6 else None
    body_max = int(body_max)
    anon = Client(base)

    # ---- /healthz, unknown paths, wrong methods, headers
    r = anon.request("GET", "/healthz")
    check(r.status == 200 and r.json() == {"status": "ok"},
          "GET /healthz -> 200 {\"status\": \"ok\"} (%r)" % r)
    security_headers(r, "GET /healthz")
    for m, p in (("GET", "/nope"), ("GET", "/"), ("POST", "/no/such/thing"),
                 ("GET", "/usersx"), ("GET", "/users/new/extra")):
        r = anon.request(m, p)
        check(is_error_json(r, 404, "This endpoint does not exist"),
              "%s %s -> 404 {\"error\": \"This endpoint does not exist\"} (%r)" % (m, p, r))
    security_headers(r, "404")
    for m, p in (("PUT", "/users"), ("DELETE", "/healthz"), ("POST", "/users/new"),
                 ("PUT", "/user/%s" % admin), ("GET", "/logout"), ("DELETE", "/login")):
        r = anon.request(m, p)
        allow = r.header("allow") or ""
        check(is_error_json(r, 405) and allow != "" and m not in allow.replace(" ", "").split(","),
              "%s %s -> 405 JSON with Allow (%s) (%r)" % (m, p, allow, r))

    # ---- anonymous access is refused
    r = anon.request("GET", "/user/%s" % admin)
    check(is_error_json(r, 401), "GET /user/admin anonymous -> 401 JSON (%r)" % r)
    r = anon.request("GET", "/users")
    check(is_error_json(r, 401), "GET /users anonymous -> 401 JSON (%r)" % r)
    r = anon.request("GET", "/users", html=True)
    check(r.status in (302, 303) and (r.header("location") or "").split("?")[0].endswith("/login"),
          "GET /users anonymous HTML -> redirect to /login (%r, %s)" % (r, r.header("location")))
    r = anon.request("POST", "/users", json_body={"username": "x", "email": "x@example.com",
                                                  "password": "long enough pw"})
    check(r.status in (401, 403), "POST /users anonymous -> 401/403 (%r)" % r)

    # ---- logins that fail
    _, r = login_json(base, admin, admin_pw + "x")
    check(is_error_json(r, 401), "POST /login wrong password -> 401 JSON (%r)" % r)
    wrong_msg = (r.json() or {}).get("error")
    _, r = login_json(base, "no-such-user-e2e", "whatever password")
    check(is_error_json(r, 401) and (r.json() or {}).get("error") == wrong_msg,
          "POST /login unknown user -> 401 with the same message (%r)" % r)
    check(not any(s.startswith("session=") for s in anon.last_set_cookie),
          "failed login sets no session cookie")

    # ---- the admin logs in (JSON)
    adm, r = login_json(base, admin, admin_pw)
    check(r.status in (200, 204), "POST /login admin -> 200/204 (%r)" % r)
    sc = [s for s in adm.last_set_cookie if s.startswith("session=")]
    check(len(sc) == 1, "login sets one session cookie (%r)" % adm.last_set_cookie)
    if sc:
        attrs = [a.strip().lower() for a in sc[0].split(";")[1:]]
        check("httponly" in attrs, "session cookie HttpOnly (%s)" % sc[0].split(";", 1)[-1])
        check("samesite=strict" in attrs, "session cookie SameSite=Strict")
        check("path=%s" % (adm.prefix or "/") in attrs,
              "session cookie Path=%s (the base path)" % (adm.prefix or "/"))
        check("secure" not in attrs, "session cookie not Secure over plain HTTP")
        check(re.fullmatch(r"[A-Za-z0-9_-]{43}", sc[0].split(";")[0][8:]) is not None,
              "session cookie is a 43-character base64url token")
    check(admin_pw not in r.text(), "login answer does not echo the password")
    csrf = csrf_of(adm, r)
    check(csrf is not None and len(csrf) >= 32, "a CSRF token is available to the session")

    # A second login gets a new session token.
    adm2, r = login_json(base, admin, admin_pw)
    check(adm2.cookies.get("session") not in (None, adm.cookies.get("session")),
          "a new login gets a new session token")

    # ---- GET /user/<admin>: the boilerplate's shape, without the hash
    r = adm.request("GET", "/user/%s" % admin)
    doc = r.json() or {}
    pl = doc.get("payload") if isinstance(doc, dict) else None
    check(r.status == 200 and isinstance(pl, dict), "GET /user/admin -> 200 payload (%r)" % r)
    pl = pl or {}
    check(set(pl) >= {"id", "username", "user_type", "email", "created_at", "updated_at"},
          "payload has id, username, user_type, email, created_at, updated_at (%s)" % sorted(pl))
    check("password" not in pl and "password" not in r.text(),
          "no password hash in the answer")
    check(pl.get("username") == admin and pl.get("email") == admin_email
          and pl.get("user_type") == "admin",
          "admin's username, decrypted email and type (%r)" % pl)
    check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                       str(pl.get("id"))) is not None, "id is a UUID v4 (%r)" % pl.get("id"))
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d",
                       str(pl.get("created_at"))) is not None,
          "created_at is ISO 8601 with an offset (%r)" % pl.get("created_at"))
    check("no-store" in (r.header("cache-control") or ""), "PII answer has Cache-Control: no-store")
    security_headers(r, "GET /user/admin")
    r = adm.request("GET", "/user/no-such-user-e2e")
    check(is_error_json(r, 404, "User not found"), "GET /user/<unknown> -> 404 User not found (%r)" % r)

    # ---- /admin/census: admin only, counts without keys
    r = adm.request("GET", "/admin/census")
    check(r.status == 200 and isinstance((r.json() or {}).get("payload"), dict),
          "GET /admin/census admin -> 200 payload (%r)" % r)
    check(admin_email not in r.text(), "the census shows no email")
    r = anon.request("GET", "/admin/census")
    check(is_error_json(r, 401), "GET /admin/census anonymous -> 401 (%r)" % r)

    # ---- create users (JSON), CSRF through the cookie session
    alice = {"username": "alice-e2e", "email": "Alice.E2E@Example.com",
             "password": "correct horse battery", "user_type": "user"}
    r = adm.request("POST", "/users", json_body=alice)
    check(is_error_json(r, 403), "POST /users with a cookie but no CSRF token -> 403 (%r)" % r)
    r = adm.request("POST", "/users", json_body=alice, headers={"X-CSRF-Token": "x" * 43})
    check(is_error_json(r, 403), "POST /users with a wrong CSRF token -> 403 (%r)" % r)
    hc = {"X-CSRF-Token": csrf or ""}
    r = adm.request("POST", "/users", json_body=alice, headers=hc)
    check(r.status == 201 and (r.header("location") or "").endswith("/user/alice-e2e"),
          "POST /users -> 201 + Location /user/alice-e2e (%r, %s)" % (r, r.header("location")))
    check("correct horse" not in r.text(), "create answer does not echo the password")
    r = adm.request("GET", "/user/alice-e2e")
    pl = (r.json() or {}).get("payload") or {}
    check(r.status == 200 and pl.get("email") in ("Alice.E2E@Example.com", "alice.e2e@example.com")
          and pl.get("user_type") == "user" and pl.get("updated_at") is None,
          "GET /user/alice-e2e: email back, type user, updated_at null (%r)" % pl)

    # Conflicts and validation.
    r = adm.request("POST", "/users", json_body=dict(alice, email="other@example.com"), headers=hc)
    check(is_error_json(r, 409), "duplicate username -> 409 (%r)" % r)
    r = adm.request("POST", "/users", json_body=dict(alice, username="alice2-e2e",
                                                     email="  alice.e2e@EXAMPLE.com "), headers=hc)
    check(r.status in (409, 422), "duplicate email (case, spaces) -> 409 (or 422) (%r)" % r)
    r = adm.request("POST", "/users", json_body=dict(alice, username="bob-e2e", email="not-an-email"),
                    headers=hc)
    check(r.status in (400, 422) and "email" in ((r.json() or {}).get("fields") or {}),
          "bad email -> 422 with fields.email (%r)" % r)
    r = adm.request("POST", "/users", json_body={"username": "bob-e2e", "email": "bob@example.com"},
                    headers=hc)
    check(r.status in (400, 422) and is_error_json(r, r.status), "missing password -> 422 (%r)" % r)
    r = adm.request("POST", "/users", json_body=dict(alice, username="bob\x01e2e", email="b1@example.com"),
                    headers=hc)
    check(r.status in (400, 422), "control character in username -> 4xx (%r)" % r)
    r = adm.request("POST", "/users", body=b'{"username": "bob-e2e", "username": "eve", '
                    b'"email": "b@example.com", "password": "long enough pw"}',
                    headers=dict(hc, **{"Content-Type": "application/json"}))
    check(r.status in (400, 422) and is_error_json(r, r.status), "duplicate JSON key -> 400 (%r)" % r)
    r = adm.request("POST", "/users", body=b'{"username": "bob-e2e", "email": "b@example.com", '
                    b'"password": "long enough pw"} {}',
                    headers=dict(hc, **{"Content-Type": "application/json"}))
    check(r.status in (400, 422) and is_error_json(r, r.status), "trailing data after JSON -> 400 (%r)" % r)
    r = adm.request("POST", "/users", body=b"hello", headers=dict(hc, **{"Content-Type": "text/plain"}))
    check(is_error_json(r, 415), "text/plain body -> 415 (%r)" % r)
    r = adm.request("POST", "/users", body=b"\xff\xfe", headers=dict(hc, **{"Content-Type": "application/json"}))
    check(r.status == 400 and is_error_json(r, 400), "invalid UTF-8/JSON -> 400 (%r)" % r)
    r = adm.request("GET", "/user/bob-e2e")
    check(r.status == 404, "nothing was written by the refused requests (%r)" % r)

    # The body cap: 413 from the server or the route, never 500.
    big = b'{"username": "' + b"a" * (body_max + 1) + b'"}'
    r = adm.request("POST", "/users", body=big, headers=dict(hc, **{"Content-Type": "application/json"}))
    check(is_error_json(r, 413), "body over BODY_MAX (%d bytes) -> 413 JSON (%r)" % (len(big), r))
    r = adm.request("PATCH", "/user/alice-e2e", body=b"a" * (4 * body_max),
                    headers=dict(hc, **{"Content-Type": "application/json"}))
    check(is_error_json(r, 413), "PATCH body 4x BODY_MAX -> 413 JSON (%r)" % r)

    # ---- more users and the list
    for i in range(3):
        r = adm.request("POST", "/users", json_body={"username": "list%d-e2e" % i,
                                                     "email": "list%d@example.org" % i,
                                                     "password": "long enough pw %d" % i}, headers=hc)
        check(r.status == 201, "POST /users list%d-e2e -> 201 (%r)" % (i, r))
    r = adm.request("GET", "/users")
    doc = r.json() or {}
    names = [u.get("username") for u in doc.get("payload") or []]
    check(r.status == 200 and isinstance(doc.get("payload"), list) and "next" in doc,
          "GET /users -> 200 {payload: [...], next} (%r)" % r)
    check({admin, "alice-e2e", "list0-e2e", "list1-e2e", "list2-e2e"} <= set(names),
          "list holds every user (%r)" % names)
    check(all("password" not in u for u in doc.get("payload") or []), "no hash in the list")
    check("no-store" in (r.header("cache-control") or ""), "list has Cache-Control: no-store")
    r = adm.request("GET", "/users?prefix=list&limit=2")
    doc = r.json() or {}
    page1 = [u.get("username") for u in doc.get("payload") or []]
    check(r.status == 200 and page1 == ["list0-e2e", "list1-e2e"] and doc.get("next"),
          "prefix=list&limit=2 -> first two, with next (%r, next=%r)" % (page1, doc.get("next")))
    if doc.get("next"):
        r = adm.request("GET", "/users?prefix=list&limit=2&after=" + urllib.parse.quote(doc["next"]))
        doc = r.json() or {}
        page2 = [u.get("username") for u in doc.get("payload") or []]
        check(page2 == ["list2-e2e"] and doc.get("next") is None,
              "after=next -> the last one, next null (%r, %r)" % (page2, doc.get("next")))
    r = adm.request("GET", "/users?email=" + urllib.parse.quote("LIST1@example.org"))
    doc = r.json() or {}
    check(r.status == 200 and [u.get("username") for u in doc.get("payload") or []] == ["list1-e2e"],
          "email= lookup through the blind index -> exactly that user (%r)" % r)
    r = adm.request("GET", "/users?limit=0")
    check(r.status in (400, 422), "limit=0 -> 4xx (%r)" % r)
    r = adm.request("GET", "/users?limit=abc")
    check(r.status in (400, 422), "limit=abc -> 4xx (%r)" % r)
    r = adm.request("GET", "/users?limit=1&limit=2")
    check(r.status in (400, 422), "a parameter given twice -> 4xx (%r)" % r)

    # ---- PATCH and DELETE
    r = adm.request("PATCH", "/user/list0-e2e", json_body={"email": "changed@example.net"})
    check(is_error_json(r, 403), "PATCH without CSRF -> 403 (%r)" % r)
    r = adm.request("PATCH", "/user/list0-e2e", json_body={"email": "changed@example.net"}, headers=hc)
    check(r.status in (200, 204), "PATCH /user/list0-e2e email -> 200 (%r)" % r)
    r = adm.request("GET", "/user/list0-e2e")
    pl = (r.json() or {}).get("payload") or {}
    check(pl.get("email") == "changed@example.net" and pl.get("updated_at") is not None,
          "changed email reads back, updated_at set (%r)" % pl)
    r = adm.request("PATCH", "/user/list0-e2e", json_body={"email": "bad"}, headers=hc)
    check(r.status in (400, 422), "PATCH bad email -> 422 (%r)" % r)
    r = adm.request("PATCH", "/user/no-such-user-e2e", json_body={"email": "x@example.net"}, headers=hc)
    check(r.status == 404, "PATCH unknown user -> 404 (%r)" % r)
    r = adm.request("DELETE", "/user/list2-e2e")
    check(is_error_json(r, 403), "DELETE without CSRF -> 403 (%r)" % r)
    r = adm.request("DELETE", "/user/list2-e2e", headers=hc)
    check(r.status in (200, 204), "DELETE /user/list2-e2e -> 204 (%r)" % r)
    r = adm.request("GET", "/user/list2-e2e")
    check(is_error_json(r, 404, "User not found"), "deleted user -> 404 (%r)" % r)
    r = adm.request("DELETE", "/user/list2-e2e", headers=hc)
    check(r.status == 404, "DELETE again -> 404 (%r)" % r)

    # ---- a plain user: themself yes, others and the list no
    al, r = login_json(base, "alice-e2e", "correct horse battery")
    check(r.status in (200, 204), "alice logs in (%r)" % r)
    r = al.request("GET", "/user/alice-e2e")
    check(r.status == 200, "alice reads herself -> 200 (%r)" % r)
    r = al.request("GET", "/user/%s" % admin)
    check(is_error_json(r, 403), "alice reads admin -> 403 (%r)" % r)
    r = al.request("GET", "/users")
    check(is_error_json(r, 403), "alice lists users -> 403 (%r)" % r)
    r = al.request("GET", "/admin/census")
    check(is_error_json(r, 403), "alice reads the census -> 403 (%r)" % r)
    r = al.request("DELETE", "/user/%s" % admin, headers={"X-CSRF-Token": csrf or ""})
    check(is_error_json(r, 403), "alice with the admin's CSRF token -> 403 (%r)" % r)
    al_csrf = csrf_of(al, None, ("/user/alice-e2e", "/users/new", "/users"))
    if check(al_csrf is not None and al_csrf != csrf,
             "alice's session has its own CSRF token (from her page)"):
        r = al.request("DELETE", "/user/%s" % admin, headers={"X-CSRF-Token": al_csrf})
        check(is_error_json(r, 403), "alice deletes admin with her own CSRF token -> 403 (%r)" % r)
        r = al.request("PATCH", "/user/alice-e2e", json_body={"user_type": "admin"},
                       headers={"X-CSRF-Token": al_csrf})
        check(r.status in (400, 403, 422), "alice makes herself admin -> refused (%r)" % r)
        r = al.request("GET", "/user/alice-e2e")
        check(((r.json() or {}).get("payload") or {}).get("user_type") == "user",
              "alice is still a plain user (%r)" % r)

    # ---- HTML: the login form, form posts with CSRF, 303s
    br = Client(base)
    r = br.request("GET", "/login", html=True)
    check(r.status == 200 and (r.header("content-type") or "").startswith("text/html")
          and "<form" in r.text(), "GET /login HTML -> the form (%r)" % r)
    security_headers(r, "GET /login HTML")
    form = {"username": admin, "password": admin_pw}
    lc = hidden_field(r.text(), "csrf")
    if lc is not None:
        form["csrf"] = lc
    r = br.request("POST", "/login", form=dict(form, password="wrong"), html=True)
    check(r.status in (200, 401, 422) and "text/html" in (r.header("content-type") or "")
          and "session" not in br.cookies,
          "HTML login, wrong password -> the form again, no session (%r)" % r)
    r = br.request("GET", "/login", html=True)
    lc = hidden_field(r.text(), "csrf")
    if lc is not None:
        form["csrf"] = lc
    r = br.request("POST", "/login", form=form, html=True)
    check(r.status in (302, 303) and "session" in br.cookies,
          "HTML login -> redirect with a session (%r, %s)" % (r, r.header("location")))
    r = br.request("GET", "/users", html=True)
    check(r.status == 200 and "alice-e2e" in r.text() and "<table" in r.text(),
          "GET /users HTML -> the table (%r)" % r)
    check("Alice.E2E@Example.com" not in r.text() and "alice.e2e@example.com" not in r.text().lower(),
          "the HTML list masks emails")
    r = br.request("GET", "/users/new", html=True)
    fcsrf = hidden_field(r.text(), "csrf")
    check(r.status == 200 and fcsrf, "GET /users/new -> the form with a CSRF field (%r)" % r)
    newu = {"username": "carol-e2e", "email": "carol@example.com",
            "password": "a long password", "user_type": "user"}
    r = br.request("POST", "/users", form=newu, html=True)
    check(r.status == 403, "form post without CSRF -> 403 (%r)" % r)
    r = br.request("POST", "/users", form=dict(newu, csrf=fcsrf or "", email="nope"), html=True)
    check(r.status in (200, 400, 422) and "text/html" in (r.header("content-type") or "")
          and "carol-e2e" in r.text(), "form post with a bad email -> the form again, filled (%r)" % r)
    r = br.request("POST", "/users", form=dict(newu, csrf=fcsrf or ""), html=True)
    check(r.status == 303 and "/user" in (r.header("location") or ""),
          "form post -> 303 (%r, %s)" % (r, r.header("location")))
    evil = '<img src=x onerror=alert(1)>"\'&-e2e'
    r = br.request("POST", "/users", form=dict(newu, csrf=fcsrf or "", username=evil,
                                               email="evil@example.com"), html=True)
    if r.status == 303:
        r = br.request("GET", "/users?prefix=" + urllib.parse.quote("<img"), html=True)
        t = r.text()
        check("<img src=x" not in t and "&lt;img src=x onerror=alert(1)&gt;" in t,
              "an HTML username is listed escaped (%r)" % r)
    else:
        check(r.status in (200, 400, 422) and "<img src=x" not in r.text(),
              "an HTML username is refused, and not echoed raw (%r)" % r)
    r = br.request("GET", "/user/carol-e2e", html=True)
    check(r.status == 200 and "carol@example.com" in r.text()
          and "no-store" in (r.header("cache-control") or ""),
          "GET /user/carol-e2e HTML -> detail with the email, no-store (%r)" % r)
    # The forms under /user/<name>/ reach the user route through this server.
    r = br.request("GET", "/user/carol-e2e/edit", html=True)
    check(r.status == 200 and 'action="%s/user/carol-e2e/edit"' % br.prefix in r.text(),
          "GET /user/carol-e2e/edit HTML -> the edit form (%r)" % r)
    r = br.request("POST", "/user/carol-e2e/edit", form={
        "csrf": fcsrf or "", "email": "carol@example.com", "user_type": "user"}, html=True)
    check(r.status == 303 and (r.header("location") or "").endswith("/user/carol-e2e"),
          "POST /user/carol-e2e/edit -> 303 to the user (%r)" % r)
    r = br.request("GET", "/", html=True)
    check(r.status == 303 and (r.header("location") or "").endswith("/users"),
          "GET / (a browser, an admin) -> 303 /users (%r)" % r)

    # ---- logout
    r = br.request("POST", "/logout", form={}, html=True)
    check(r.status == 403, "HTML logout without CSRF -> 403 (%r)" % r)
    old = dict(br.cookies)
    r = br.request("POST", "/logout", form={"csrf": fcsrf or ""}, html=True)
    check(r.status in (302, 303), "HTML logout -> redirect (%r)" % r)
    r = br.request("GET", "/users", html=True, cookies=False,
                   headers={"Cookie": "session=%s" % old.get("session", "")})
    check(r.status in (302, 303) and (r.header("location") or "").split("?")[0].endswith("/login"),
          "the old session cookie no longer works (%r)" % r)
    r = adm.request("POST", "/logout", headers=hc)
    check(r.status == 204, "JSON logout -> 204 (%r)" % r)
    r = adm.request("GET", "/user/%s" % admin)
    check(is_error_json(r, 401), "after logout -> 401 (%r)" % r)
    r = adm2.request("GET", "/user/%s" % admin)
    check(r.status == 200, "the other session is still alive (%r)" % r)

    # ---- API clients: Authorization: Bearer, no cookies, no CSRF
    if token:
        api = Client(base)
        bh = {"Authorization": "Bearer " + token}
        r = api.request("GET", "/users?limit=1", headers=bh)
        check(r.status == 200 and isinstance((r.json() or {}).get("payload"), list),
              "GET /users with a bearer token -> 200 (%r)" % r)
        r = api.request("POST", "/users", json_body={"username": "api-e2e", "email": "api@example.com",
                                                     "password": "long enough pw"}, headers=bh)
        check(r.status == 201, "POST /users with a bearer token, no CSRF -> 201 (%r)" % r)
        check(not api.last_set_cookie, "a bearer request gets no cookie")
        r = api.request("GET", "/users", headers={"Authorization": "Bearer " + "A" * 43})
        check(is_error_json(r, 401), "an unknown bearer token -> 401 (%r)" % r)
        r = api.request("GET", "/users", headers={"Authorization": "Bearer short"})
        check(is_error_json(r, 401), "a malformed bearer token -> 401 (%r)" % r)

    # ---- login throttling (last: it locks this account for a while)
    statuses = []
    for i in range(7):
        _, r = login_json(base, "list1-e2e", "wrong password %d" % i)
        statuses.append(r.status)
    _, r = login_json(base, "list1-e2e", "long enough pw 1")
    check(429 in statuses and r.status == 429 and r.header("retry-after") is not None,
          "repeated failed logins -> 429 with Retry-After, even for the right password (%r, %r)"
          % (statuses, r))

    print("1..%d" % COUNT[0])
    print("# %d failed" % len(FAILED))
    for f in FAILED:
        print("#   " + f)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
