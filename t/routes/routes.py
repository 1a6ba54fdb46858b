#!/usr/bin/env python3
"""routes.py -- the route tests: every route executable of cgi-bin/ run in
plain CGI mode with a faked CGI environment (REQUEST_METHOD, PATH_INFO,
QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH, HTTP_COOKIE, HTTP_ACCEPT,
HTTP_AUTHORIZATION, REMOTE_ADDR, ...) and a body on stdin, against the real
throwaway PostgreSQL that t/with-pg started (DATABASE_URL).

Groups: shapes (the boilerplate's JSON), matrix (route x method x role),
auth (sessions, fixation, expiry, logout, CSRF, throttling, legacy hash
upgrade, bearer tokens), html (golden files, escaping, masking), strict
(each input rule: status, message, nothing written), fastcgi (the same
binaries as long-lived FastCGI processes: nothing leaks between requests),
unavailable (broken settings, lost database).

Golden files live in $top_srcdir/t/routes/golden/; run with
UPDATE_GOLDEN=1 to rewrite them (then review the diff). Only truly variable
parts are normalised: tokens, UUIDs and timestamps.

Exit status: 0 all passed, 1 a check failed, 99 the set-up failed.
"""
import base64
import collections
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.parse

SRC = os.path.abspath(os.environ.get("top_srcdir", "."))
BUILD = os.path.abspath(os.environ.get("top_builddir", "."))
sys.path.insert(0, os.path.join(SRC, "t"))
import fcgiclient  # noqa: E402 (t/fcgiclient.py)
GOLDEN = os.path.join(SRC, "t", "routes", "golden")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

counts = collections.Counter()
cases = collections.Counter()
failed = []


def check(group, name, cond, detail=""):
    """One assertion of the case group/name."""
    counts[group] += 1
    if cond:
        print("ok - %s: %s" % (group, name))
    else:
        print("not ok - %s: %s %s" % (group, name, detail))
        failed.append("%s: %s" % (group, name))
    return cond


def case(group):
    cases[group] += 1


def die(msg):
    print("routes.py: set-up failed: " + msg, file=sys.stderr)
    sys.exit(99)


def b64key():
    return base64.b64encode(os.urandom(32)).decode()


BASE = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    "FIELD_KEYS": "7:" + b64key(),
    "INDEX_KEY": b64key(),
    "SECRET_KEY": "changeme1",
    "POSTGRES_SECRET_KEY": "changeme2",
    "TEMPLATE_DIR": os.path.join(SRC, "templates"),
    "SQL_DIR": os.path.join(SRC, "sql"),
    "SECRETS_PATH": os.path.join(BUILD, "t", "routes", "no-secrets"),
}
for k in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE"):
    if k in os.environ:
        BASE[k] = os.environ[k]


class Resp:
    def __init__(self, raw, err, code):
        self.raw, self.stderr, self.exit = raw, err.decode("utf-8", "replace"), code
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = raw.partition(b"\n\n")
        self.body = body
        self.headers = collections.defaultdict(list)
        for line in head.decode("latin-1").splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                self.headers[k.strip().lower()].append(v.strip())
        st = self.header("status") or "200"
        self.status = int(st.split()[0]) if st.split() else 0

    def header(self, name):
        v = self.headers.get(name.lower())
        return v[0] if v else None

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def cookie(self, name):
        for c in self.headers.get("set-cookie", []):
            if c.startswith(name + "="):
                return c.split(";", 1)[0].split("=", 1)[1]
        return None

    def set_cookie(self, name):
        for c in self.headers.get("set-cookie", []):
            if c.startswith(name + "="):
                return c
        return None

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:200])


# Which executable serves a path, and how a server would split it.
def route_of(path):
    if path.startswith("/user/"):
        return "user", "/user", path[len("/user"):]
    if path == "/users":
        return "users", "/users", ""
    if path == "/users/new":
        return "users-new", "/users/new", ""
    for p in ("/login", "/logout", "/healthz"):
        if path == p:
            return p[1:], p, ""
    return "notfound", path, ""


def run(method, path, query="", body=None, ctype=None, accept=None,
        cookie=None, bearer=None, auth=None, addr="127.0.0.1", env=None,
        clen=None, csrf_header=None, https=False, prog=None):
    """Run one request through the route's executable in CGI mode."""
    name, script, pinfo = route_of(path)
    if prog is not None:
        name = prog
    e = dict(BASE)
    e.update({
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": script,
        "REQUEST_URI": urllib.parse.quote(path) + ("?" + query if query else ""),
        "QUERY_STRING": query,
        "REMOTE_ADDR": addr,
    })
    if pinfo:
        e["PATH_INFO"] = pinfo
    if isinstance(body, str):
        body = body.encode("utf-8")
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode("utf-8")
        ctype = ctype or "application/json"
    if body is not None:
        e["CONTENT_LENGTH"] = str(len(body))
    if clen is not None:
        e["CONTENT_LENGTH"] = clen
    if ctype:
        e["CONTENT_TYPE"] = ctype
    if accept:
        e["HTTP_ACCEPT"] = accept
    if cookie:
        e["HTTP_COOKIE"] = cookie
    if bearer:
        e["HTTP_AUTHORIZATION"] = "Bearer " + bearer
    if auth:
        e["HTTP_AUTHORIZATION"] = auth
    if csrf_header:
        e["HTTP_X_CSRF_TOKEN"] = csrf_header
    if https:
        e["HTTPS"] = "on"
        e["REQUEST_SCHEME"] = "https"
    if env:
        for k, v in env.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
    exe = os.path.join(BUILD, name) if "/" in name else os.path.join(BUILD, "cgi-bin", name)
    p = subprocess.run([exe], input=body or b"", env=e, capture_output=True, timeout=60)
    return Resp(p.stdout, p.stderr, p.returncode)


def sql(q):
    """Run SQL through psql; returns the unaligned output lines."""
    p = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                        BASE["DATABASE_URL"], "-c", q],
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError("psql: " + p.stderr.decode())
    return p.stdout.decode().strip()


def fixture(*args, password=None):
    e = dict(BASE)
    if password is not None:
        e["FIXTURE_PASSWORD"] = password
    p = subprocess.run([os.path.join(BUILD, "t", "routes", "fixture")] + list(args),
                       env=e, capture_output=True, timeout=120)
    if p.returncode != 0:
        die("fixture %s: %s" % (args[0], p.stderr.decode()))
    return p.stdout.decode().strip()


def nusers():
    return int(sql("SELECT count(*) FROM public.users"))


def sha256(s):
    return hashlib.sha256(s.encode()).hexdigest()


def login(user, pw, addr="127.0.0.1", extra_cookie=None):
    """JSON login; returns (cookie value, csrf token) or (None, None)."""
    r = run("POST", "/login", body={"username": user, "password": pw},
            addr=addr, cookie=extra_cookie)
    c = r.cookie("session")
    if r.status != 200 or not c:
        return None, None
    csrf = sql("SELECT csrf_token FROM public.sessions WHERE id_hash = "
               "decode('%s', 'hex')" % sha256(c))
    return c, csrf


# ---- set-up ---------------------------------------------------------------

if not BASE["DATABASE_URL"]:
    die("DATABASE_URL not set (run through t/with-pg)")
os.makedirs(BASE["SECRETS_PATH"], exist_ok=True)
fixture("migrate")

# The boilerplate's README row: legacy email and password hash.
LEGACY_HASH = ("60374fa84f18f9bc851ef6929bf090088644eab3a0003181e9cc05b2946da74412"
               "e135b2c04d06a02bc7fc89a3aa834b2f984c117fa29ee47ab7b2b7e7372449")
LEGACY_EMAIL_HEX = ("6a7339557661434f354b4861366e3857526a35783066724765464e2b6e69"
                    "4764635762544e52445646446b3d")
sql("INSERT INTO public.users (id, username, password, user_type, email, "
    "created_at) VALUES ('c4cc1314-26ee-4fed-803c-ef47d415c758', 'admin', "
    "'%s', 'admin', '\\x%s'::bytea, '2023-01-20 19:31:56.46987+00')"
    % (LEGACY_HASH, LEGACY_EMAIL_HEX))

PW = "correct horse battery"
fixture("user", "root", "root@example.com", "admin", password=PW)
fixture("user", "bob", "bob@example.com", "user", password=PW)
fixture("user", "carol", "carol@example.com", "user", password=PW)
ROOT_TOKEN = fixture("token", "root")
BOB_TOKEN = fixture("token", "bob")
BAD_TOKEN = "A" * 43

# A row whose email cannot be decrypted (a v1 value under an unknown key).
sql("INSERT INTO public.users (id, username, password, user_type, email, "
    "created_at) VALUES (gen_random_uuid(), 'broken', 'x', 'user', "
    "'\\xef0100630000000000000000000000000000000000000000000000000000'::bytea, "
    "now())")

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
KEYS = ["created_at", "email", "id", "updated_at", "user_type", "username"]


def without_csrf(j):
    """A login answer without its csrf_token (43 base64url characters)."""
    p = dict((j or {}).get("payload") or {})
    t = p.pop("csrf_token", "")
    return {"payload": p} if re.fullmatch(r"[A-Za-z0-9_-]{43}", t) else None
TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$")

# ---- shapes: the boilerplate's JSON ----------------------------------------
G = "shapes"

case(G)
r = run("GET", "/user/admin", bearer=ROOT_TOKEN)
j = r.json() or {}
p = j.get("payload", {})
check(G, "GET /user/admin 200", r.status == 200, repr(r))
check(G, "only key payload", list(j.keys()) == ["payload"], repr(j))
check(G, "payload keys in the boilerplate's order", list(p.keys()) == KEYS, repr(p))
check(G, "legacy email decrypted", p.get("email") == "admin@example.com")
check(G, "id", p.get("id") == "c4cc1314-26ee-4fed-803c-ef47d415c758")
check(G, "created_at UTC ISO 8601", p.get("created_at") == "2023-01-20T19:31:56.469870+00:00",
      p.get("created_at"))
check(G, "updated_at null", "updated_at" in p and p["updated_at"] is None)
check(G, "no password or hash", b"password" not in r.body and b"60374f" not in r.body)
check(G, "no ciphertext", b"js9Uva" not in r.body and b"\\x" not in r.body)
check(G, "Content-Type json", r.header("content-type") == "application/json")
check(G, "Cache-Control no-store", r.header("cache-control") == "no-store")
check(G, "CSP", "frame-ancestors 'none'" in (r.header("content-security-policy") or ""))
check(G, "nosniff", r.header("x-content-type-options") == "nosniff")

case(G)
r = run("GET", "/user/admin", bearer=ROOT_TOKEN, env={"TIME_ZONE": "America/New_York"})
check(G, "created_at with the boilerplate's offset",
      (r.json() or {}).get("payload", {}).get("created_at") ==
      "2023-01-20T14:31:56.469870-05:00", repr(r))

case(G)
r = run("GET", "/user/nobody", bearer=ROOT_TOKEN)
check(G, "unknown user 404", r.status == 404 and r.body == b'{"error":"User not found"}\n',
      repr(r))

for m in ("GET", "POST", "DELETE", "PUT"):
    case(G)
    r = run(m, "/no/such/thing")
    check(G, "unknown path %s 404" % m, r.status == 404 and
          r.json() == {"error": "This endpoint does not exist"}, repr(r))

for m, path, allow in (("DELETE", "/users", "GET, HEAD, POST, OPTIONS"),
                       ("PUT", "/user/bob", "GET, HEAD, POST, PATCH, DELETE, OPTIONS"),
                       ("POST", "/user/bob", "GET, HEAD, PATCH, DELETE, OPTIONS"),
                       ("GET", "/logout", "POST, OPTIONS"),
                       ("POST", "/healthz", "GET, HEAD, OPTIONS"),
                       ("PATCH", "/login", "GET, HEAD, POST, OPTIONS"),
                       ("POST", "/users/new", "GET, HEAD, OPTIONS"),
                       ("BREW", "/users", "GET, HEAD, POST, OPTIONS")):
    case(G)
    r = run(m, path, bearer=ROOT_TOKEN)
    check(G, "%s %s 405 + Allow" % (m, path), r.status == 405 and
          r.header("allow") == allow and r.json() == {"error": "Method not allowed"},
          repr(r) + " allow=%r" % r.header("allow"))

case(G)
r = run("OPTIONS", "/users")
check(G, "OPTIONS 204 + Allow", r.status == 204 and r.header("allow") ==
      "GET, HEAD, POST, OPTIONS", repr(r))

case(G)
r = run("HEAD", "/user/admin", bearer=ROOT_TOKEN)
check(G, "HEAD 200, no body", r.status == 200 and r.body == b"", repr(r))

case(G)
r = run("GET", "/healthz")
check(G, "healthz ok", r.status == 200 and r.body == b'{"status":"ok"}\n', repr(r))

case(G)
r = run("GET", "/user/broken", bearer=ROOT_TOKEN)
p = (r.json() or {}).get("payload", {})
check(G, "unreadable email is null + email_error", r.status == 200 and
      p.get("email") is None and "email" in p and p.get("email_error") == "unreadable",
      repr(r))
check(G, "no ciphertext for an unreadable row", b"\\xef" not in r.body.lower())

case(G)
r = run("GET", "/users", bearer=ROOT_TOKEN)
j = r.json() or {}
check(G, "list shape", r.status == 200 and list(j.keys()) == ["payload", "next"] and
      isinstance(j.get("payload"), list) and j.get("next") is None, repr(r))
names = [u.get("username") for u in j.get("payload", [])]
check(G, "list ordered by username", names == sorted(names) and "admin" in names, names)
check(G, "list rows in the boilerplate's shape",
      all(list(u.keys()) in (KEYS, KEYS[:2] + ["email_error"] + KEYS[2:])
          for u in j.get("payload", [])))
check(G, "list carries no hash", b"60374f" not in r.body and b"argon2" not in r.body)

# ---- matrix: route x method x role -----------------------------------------
G = "matrix"

ROLES = {
    "anonymous": {},
    "user": {"bearer": BOB_TOKEN},
    "admin": {"bearer": ROOT_TOKEN},
    "bad token": {"bearer": BAD_TOKEN},
}
victim = [0]


def new_victim():
    victim[0] += 1
    n = "victim%d" % victim[0]
    fixture("user", n, n + "@example.com", "user", password=PW)
    return n


def m_post_users():
    victim[0] += 1
    n = "made%d" % victim[0]
    return {"body": {"username": n, "email": n + "@example.com",
                     "password": "longenough1"}}


MATRIX = [
    # method, path, extra, {role: status}
    ("GET", "/user/bob", {}, {"anonymous": 401, "user": 200, "admin": 200, "bad token": 401}),
    ("GET", "/user/root", {}, {"anonymous": 401, "user": 403, "admin": 200, "bad token": 401}),
    ("PATCH", "/user/carol", {"body": {"user_type": "user"}},
     {"anonymous": 401, "user": 403, "admin": 200, "bad token": 401}),
    ("DELETE", "/user/VICTIM", {}, {"anonymous": 401, "user": 403, "admin": 204, "bad token": 401}),
    ("GET", "/user/bob/audit", {}, {"anonymous": 401, "user": 403, "admin": 200, "bad token": 401}),
    ("GET", "/users", {}, {"anonymous": 401, "user": 403, "admin": 200, "bad token": 401}),
    ("POST", "/users", "NEWUSER", {"anonymous": 401, "user": 403, "admin": 201, "bad token": 401}),
    ("GET", "/users/new", {"accept": HTML},
     {"anonymous": 303, "user": 403, "admin": 200, "bad token": 401}),
    ("GET", "/login", {}, {"anonymous": 401, "user": 200, "admin": 200, "bad token": 401}),
    ("GET", "/login", {"accept": HTML}, {"anonymous": 200, "user": 200, "admin": 200,
                                         "bad token": 401}),
    ("POST", "/logout", {}, {"anonymous": 401, "user": 204, "admin": 204, "bad token": 401}),
    ("GET", "/healthz", {}, {"anonymous": 200, "user": 200, "admin": 200, "bad token": 200}),
    # The browser's pages (HTML only; JSON clients have PATCH and DELETE).
    ("GET", "/user/carol/edit", {"accept": HTML},
     {"anonymous": 303, "user": 403, "admin": 200, "bad token": 401}),
    ("POST", "/user/carol/edit", {"accept": HTML, "ctype": "application/x-www-form-urlencoded",
                                  "body": "email=carol%40example.com&user_type=user"},
     {"anonymous": 303, "user": 403, "admin": 303, "bad token": 401}),
    ("GET", "/user/carol/edit", {}, {"anonymous": 404, "user": 404, "admin": 404,
                                     "bad token": 401}),
    ("GET", "/user/bob/password", {"accept": HTML},
     {"anonymous": 303, "user": 200, "admin": 200, "bad token": 401}),
    ("GET", "/user/carol/password", {"accept": HTML},
     {"anonymous": 303, "user": 403, "admin": 200, "bad token": 401}),
    ("POST", "/user/VICTIM/password", {"accept": HTML,
                                       "ctype": "application/x-www-form-urlencoded",
                                       "body": "new_password=a+new+password"},
     {"anonymous": 303, "user": 403, "admin": 303, "bad token": 401}),
    ("GET", "/user/carol/delete", {"accept": HTML},
     {"anonymous": 303, "user": 403, "admin": 200, "bad token": 401}),
    ("POST", "/user/VICTIM/delete", {"accept": HTML,
                                     "ctype": "application/x-www-form-urlencoded", "body": ""},
     {"anonymous": 303, "user": 403, "admin": 303, "bad token": 401}),
    ("PUT", "/user/carol/delete", {"accept": HTML},
     {"anonymous": 405, "user": 405, "admin": 405, "bad token": 405}),
    ("GET", "/user/carol/nothing", {"accept": HTML},
     {"anonymous": 404, "user": 404, "admin": 404, "bad token": 401}),
    ("GET", "/logout", {"accept": HTML}, {"anonymous": 303, "user": 200, "admin": 200,
                                          "bad token": 401}),
    ("GET", "/", {"accept": HTML}, {"anonymous": 303, "user": 303, "admin": 303,
                                    "bad token": 401}),
    ("GET", "/nowhere", {}, {"anonymous": 404, "user": 404, "admin": 404, "bad token": 404}),
]

for method, path, extra, expect in MATRIX:
    for role, creds in ROLES.items():
        case(G)
        kw = dict(creds)
        if extra == "NEWUSER":
            kw.update(m_post_users())
        else:
            kw.update(extra)
        p = path
        if "VICTIM" in p:
            p = p.replace("VICTIM", new_victim())
        before = nusers()
        r = run(method, p, **kw)
        ok = r.status == expect[role]
        if expect[role] == 401:
            ok = ok and r.header("www-authenticate") is not None and \
                (r.json() or {}).get("error") in ("Authentication required",
                                                  "Invalid or expired token", "Not signed in")
        if expect[role] == 403:
            ok = ok and (r.json() or {}).get("error") == "Forbidden" or \
                (ok and b"Forbidden" in r.body)
        if expect[role] == 303 and role == "anonymous":
            ok = ok and r.header("location") in ("/login", "/login?next=" +
                                                 urllib.parse.quote(p, safe=""))
        if method in ("POST", "DELETE") and expect[role] in (401, 403) and path != "/logout":
            ok = ok and nusers() == before
        check(G, "%s %s as %s -> %d" % (method, path, role, expect[role]), ok,
              repr(r))

# ---- auth -------------------------------------------------------------------
G = "auth"

case(G)
r = run("POST", "/login", body={"username": "bob", "password": PW})
sc = r.set_cookie("session") or ""
cookie = r.cookie("session")
check(G, "JSON login 200 + payload", r.status == 200 and
      sorted((r.json() or {}).get("payload", {})) == ["csrf_token", "user_type", "username"]
      and r.json()["payload"]["username"] == "bob"
      and r.json()["payload"]["user_type"] == "user", repr(r))
check(G, "the login's csrf_token is the new session's",
      sql("SELECT count(*) FROM public.sessions WHERE csrf_token = '%s'"
          % re.sub(r"[^A-Za-z0-9_-]", "", (r.json() or {}).get("payload", {}).get("csrf_token", "x"))) == "1",
      repr(r))
check(G, "cookie attributes", "HttpOnly" in sc and "SameSite=Strict" in sc and
      "Path=/" in sc and "Secure" not in sc, sc)
check(G, "cookie is 43 base64url chars", re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie or "")
      is not None, cookie)
check(G, "only the SHA-256 is stored",
      sql("SELECT count(*) FROM public.sessions WHERE id_hash = decode('%s','hex')"
          % sha256(cookie or "")) == "1" and
      sql("SELECT count(*) FROM public.sessions WHERE position('%s' in csrf_token) > 0 "
          "OR position(convert_to('%s','UTF8') in id_hash) > 0" % (cookie, cookie)) == "0")
r = run("GET", "/login", cookie="session=" + (cookie or ""))
check(G, "session cookie identifies", r.status == 200 and
      without_csrf(r.json()) == {"payload": {"user_type": "user", "username": "bob"}}, repr(r))

case(G)
r = run("POST", "/login", body={"username": "bob", "password": PW}, https=True)
hc = r.cookie("__Host-session")
check(G, "over HTTPS: __Host-session, Secure, Path=/, no Domain, no plain one",
      "Secure" in (r.set_cookie("__Host-session") or "") and
      "Path=/;" in (r.set_cookie("__Host-session") or "") and
      "Domain" not in (r.set_cookie("__Host-session") or "") and
      r.set_cookie("session") is None, repr(r.headers))
check(G, "over HTTPS the __Host- cookie identifies",
      run("GET", "/login", cookie="__Host-session=" + (hc or ""), https=True).status == 200)
check(G, "over HTTPS a plain session cookie is not read",
      run("GET", "/login", cookie="session=" + (hc or ""), https=True).status == 401)
check(G, "over plain HTTP the __Host- cookie is not read",
      run("GET", "/login", cookie="__Host-session=" + (hc or "")).status == 401)
r = run("POST", "/logout", cookie="__Host-session=" + (hc or ""), https=True,
        csrf_header=sql("SELECT csrf_token FROM public.sessions WHERE id_hash = "
                        "decode('%s', 'hex')" % sha256(hc or "")))
check(G, "logout over HTTPS clears the __Host- cookie", r.status == 204 and
      "Max-Age=0" in (r.set_cookie("__Host-session") or ""), repr(r.headers))
check(G, "HSTS over HTTPS (no includeSubDomains)",
      r.header("strict-transport-security") == "max-age=31536000",
      r.header("strict-transport-security"))
# Under a base path (BASE_PATH): cookies with that Path, so over HTTPS
# __Secure- (a __Host- cookie must have Path=/); redirects, next= and
# links under it.
TB = "/tools/app"
r = run("POST", "/login", body={"username": "bob", "password": PW}, https=True,
        env={"BASE_PATH": TB, "REQUEST_URI": TB + "/login"})
sc = r.cookie("__Secure-session")
check(G, "BASE_PATH over HTTPS: __Secure-session, Secure, Path=BASE_PATH",
      "Secure" in (r.set_cookie("__Secure-session") or "") and
      ("Path=%s;" % TB) in (r.set_cookie("__Secure-session") or "") and
      r.set_cookie("__Host-session") is None and r.set_cookie("session") is None,
      repr(r.headers))
check(G, "BASE_PATH over HTTPS: the __Secure- cookie identifies",
      run("GET", "/login", cookie="__Secure-session=" + (sc or ""), https=True,
          env={"BASE_PATH": TB, "REQUEST_URI": TB + "/login"}).status == 200)
check(G, "BASE_PATH over HTTPS: a __Host- cookie is not read there",
      run("GET", "/login", cookie="__Host-session=" + (sc or ""), https=True,
          env={"BASE_PATH": TB, "REQUEST_URI": TB + "/login"}).status == 401)
r = run("GET", "/users", accept=HTML, env={"BASE_PATH": TB, "REQUEST_URI": TB + "/users"})
check(G, "BASE_PATH: signed out, a page -> its login form with next inside the app",
      r.status == 303 and r.header("location") == TB + "/login?next=%2Fusers",
      repr(r.headers))
r = run("GET", "/login", accept=HTML, env={"BASE_PATH": TB, "REQUEST_URI": TB + "/login"})
check(G, "BASE_PATH: the login page's stylesheet, form and links under it",
      ('href="%s/static/style.css"' % TB) in r.text() and
      ('action="%s/login"' % TB) in r.text() and
      all(u == TB or u.startswith(TB + "/")
          for u in re.findall(r'(?:href|action|src)="(/[^"]*)"', r.text())),
      re.findall(r'(?:href|action|src)="(/[^"]*)"', r.text()))
r = run("GET", "/", accept=HTML, env={"BASE_PATH": TB, "REQUEST_URI": TB + "/"})
check(G, "BASE_PATH: GET BASE_PATH/ -> its login page",
      r.status == 303 and r.header("location") == TB + "/login", repr(r.headers))
r = run("GET", "/", accept=HTML, env={"BASE_PATH": TB, "REQUEST_URI": "/"})
check(G, "BASE_PATH: GET / outside it -> 404", r.status == 404, repr(r.headers))
r = run("GET", "/healthz", env={"BASE_PATH": "/tools/app/"})
check(G, "BASE_PATH with a trailing / -> 503 (a start-up error)", r.status == 503,
      repr(r.headers))
r = run("POST", "/login", body={"username": "bob", "password": PW})
check(G, "no HSTS over plain HTTP", r.header("strict-transport-security") is None,
      r.header("strict-transport-security"))

case(G)
r1 = run("POST", "/login", body={"username": "bob", "password": "wrong password"})
r2 = run("POST", "/login", body={"username": "nosuchuser", "password": "wrong password"})
check(G, "wrong password 401", r1.status == 401 and
      r1.json() == {"error": "Invalid username or password"}, repr(r1))
check(G, "unknown user: identical answer", r2.status == r1.status and r2.body == r1.body,
      repr(r2))
check(G, "no cookie on failure", r1.cookie("session") is None and r2.cookie("session") is None)
sql("DELETE FROM public.login_attempts")

case(G)
evil = "E" * 43
r = run("POST", "/login", body={"username": "bob", "password": PW},
        cookie="session=" + evil)
check(G, "fixation: a planted cookie is not adopted",
      r.status == 200 and r.cookie("session") not in (None, evil), repr(r))
r = run("GET", "/login", cookie="session=" + evil)
check(G, "fixation: the planted cookie stays invalid", r.status == 401, repr(r))

case(G)
old, _ = login("bob", PW)
r = run("POST", "/login", body={"username": "bob", "password": PW},
        cookie="session=" + (old or ""))
new = r.cookie("session")
check(G, "re-login gives a new token", new is not None and new != old)
check(G, "re-login ends the previous session",
      run("GET", "/login", cookie="session=" + (old or "")).status == 401 and
      run("GET", "/login", cookie="session=" + (new or "")).status == 200)

case(G)
c, _ = login("carol", PW)
sql("UPDATE public.sessions SET last_seen = now() - interval '31 minutes' "
    "WHERE id_hash = decode('%s','hex')" % sha256(c or ""))
r = run("GET", "/login", cookie="session=" + (c or ""))
check(G, "idle expiry (SESSION_IDLE 1800 s)", r.status == 401, repr(r))
check(G, "expired session deleted", sql(
    "SELECT count(*) FROM public.sessions WHERE id_hash = decode('%s','hex')"
    % sha256(c or "")) == "0")

case(G)
c, _ = login("carol", PW)
sql("UPDATE public.sessions SET created_at = now() - interval '13 hours', "
    "last_seen = now() WHERE id_hash = decode('%s','hex')" % sha256(c or ""))
r = run("GET", "/login", cookie="session=" + (c or ""))
check(G, "absolute expiry (SESSION_MAX 43200 s)", r.status == 401, repr(r))

case(G)
c, _ = login("carol", PW)
r = run("GET", "/login", cookie="session=" + (c or ""), env={"SESSION_IDLE": "60"})
check(G, "fresh session within SESSION_IDLE=60", r.status == 200, repr(r))
sql("UPDATE public.sessions SET last_seen = now() - interval '61 seconds' "
    "WHERE id_hash = decode('%s','hex')" % sha256(c or ""))
r = run("GET", "/login", cookie="session=" + (c or ""), env={"SESSION_IDLE": "60"})
check(G, "SESSION_IDLE setting honoured", r.status == 401, repr(r))

case(G)
c, csrf = login("carol", PW)
r = run("POST", "/logout", cookie="session=" + (c or ""))
check(G, "logout without CSRF 403", r.status == 403 and
      r.json() == {"error": "CSRF token missing or invalid"}, repr(r))
r = run("POST", "/logout", cookie="session=" + (c or ""), csrf_header=csrf)
sc = r.set_cookie("session") or ""
check(G, "logout 204 + cookie cleared", r.status == 204 and "Max-Age=0" in sc, repr(r) + sc)
check(G, "logout deletes the session", sql(
    "SELECT count(*) FROM public.sessions WHERE id_hash = decode('%s','hex')"
    % sha256(c or "")) == "0")
check(G, "cookie dead after logout",
      run("GET", "/login", cookie="session=" + (c or "")).status == 401)

case(G)
c, csrf = login("carol", PW)
r = run("POST", "/logout", cookie="session=" + (c or ""), accept=HTML,
        body="csrf=" + (csrf or ""), ctype="application/x-www-form-urlencoded")
check(G, "HTML logout 303 to /login", r.status == 303 and
      r.header("location") == "/login", repr(r))

# CSRF on state-changing requests authenticated by cookie.
rc, rcsrf = login("root", PW)
oc, ocsrf = login("bob", PW)
for label, kw in (("missing", {}),
                  ("wrong", {"csrf_header": "W" * 43}),
                  ("malformed", {"csrf_header": "short"}),
                  ("other session's", {"csrf_header": ocsrf})):
    case(G)
    before = nusers()
    r = run("POST", "/users", cookie="session=" + (rc or ""),
            body={"username": "csrfvictim", "email": "csrf@example.com",
                  "password": "longenough1"}, **kw)
    check(G, "POST /users, CSRF %s -> 403" % label, r.status == 403 and
          r.json() == {"error": "CSRF token missing or invalid"} and nusers() == before,
          repr(r))
case(G)
before = nusers()
r = run("POST", "/users", cookie="session=" + (rc or ""), csrf_header=rcsrf,
        body={"username": "csrfok", "email": "csrfok@example.com",
              "password": "longenough1"})
check(G, "POST /users, right X-CSRF-Token -> 201", r.status == 201 and
      nusers() == before + 1, repr(r))
case(G)
r = run("POST", "/users", cookie="session=" + (rc or ""), accept=HTML,
        ctype="application/x-www-form-urlencoded",
        body="csrf=%s&username=csrfform&email=csrfform%%40example.com&password=longenough1"
        % rcsrf)
check(G, "form POST /users with csrf field -> 303", r.status == 303 and
      r.header("location") == "/user/csrfform", repr(r))
case(G)
v = new_victim()
r = run("DELETE", "/user/" + v, cookie="session=" + (rc or ""))
check(G, "DELETE without CSRF 403, row kept", r.status == 403 and
      sql("SELECT count(*) FROM public.users WHERE username = '%s'" % v) == "1", repr(r))
r = run("PATCH", "/user/" + v, cookie="session=" + (rc or ""), csrf_header="W" * 43,
        body={"user_type": "admin"})
check(G, "PATCH with a wrong CSRF 403, row unchanged", r.status == 403 and
      sql("SELECT user_type FROM public.users WHERE username = '%s'" % v) == "user", repr(r))
r = run("PATCH", "/user/" + v, bearer=ROOT_TOKEN, body={"user_type": "admin"})
check(G, "bearer needs no CSRF", r.status == 200 and
      (r.json() or {}).get("payload", {}).get("user_type") == "admin", repr(r))

# Login form: double-submitted login CSRF token.
case(G)
r = run("GET", "/login", accept=HTML)
lc = r.cookie("login_csrf")
m = re.search(r'name="csrf" value="([A-Za-z0-9_-]{43})"', r.text())
check(G, "login form sets login_csrf cookie = hidden field",
      lc is not None and m is not None and m.group(1) == lc, repr(r))
form = "username=bob&password=" + urllib.parse.quote(PW)
r = run("POST", "/login", accept=HTML, ctype="application/x-www-form-urlencoded",
        body=form)
check(G, "form login without login CSRF 403", r.status == 403 and r.cookie("session") is None,
      repr(r))
r = run("POST", "/login", accept=HTML, ctype="application/x-www-form-urlencoded",
        body=form + "&csrf=" + "Z" * 43, cookie="login_csrf=" + (lc or ""))
check(G, "form login with mismatched login CSRF 403", r.status == 403, repr(r))
r = run("POST", "/login", accept=HTML, ctype="application/x-www-form-urlencoded",
        body=form + "&csrf=" + (lc or ""), cookie="login_csrf=" + (lc or ""))
check(G, "form login 303 to own page + session cookie", r.status == 303 and
      r.header("location") == "/user/bob" and r.cookie("session") is not None, repr(r))
r = run("POST", "/login", accept=HTML, ctype="application/x-www-form-urlencoded",
        body="username=root&password=" + urllib.parse.quote(PW) + "&csrf=" + (lc or ""),
        cookie="login_csrf=" + (lc or ""))
check(G, "admin form login 303 to /users", r.status == 303 and
      r.header("location") == "/users", repr(r))
r = run("POST", "/login", accept=HTML, ctype="application/x-www-form-urlencoded",
        body="username=bob&password=nope&csrf=" + (lc or ""),
        cookie="login_csrf=" + (lc or ""))
check(G, "failed form login: 401 page, name kept, password not",
      r.status == 401 and 'value="bob"' in r.text() and "Invalid username or password" in
      r.text() and "nope" not in r.text(), repr(r))
sql("DELETE FROM public.login_attempts")

# Throttling per (account, address): a lockout attack on an account from
# one address locks out that address, not the account's owner.
case(G)
for i in range(30):
    run("POST", "/login", body={"username": "carol", "password": "bad%d" % i},
        addr="10.0.0.1")
r = run("POST", "/login", body={"username": "carol", "password": PW}, addr="10.0.0.1")
ra = r.header("retry-after") or ""
check(G, "the guessing address, after 5 failures: 429 + Retry-After",
      r.status == 429 and ra.isdigit() and 0 < int(ra) <= 900 and
      r.json() == {"error": "Too many failed logins, try again later"} and
      r.cookie("session") is None, repr(r))
check(G, "the owner from another address during the attack: 200",
      run("POST", "/login", body={"username": "carol", "password": PW},
          addr="10.0.1.1").status == 200)
check(G, "other accounts unaffected",
      run("POST", "/login", body={"username": "bob", "password": PW},
          addr="10.0.0.1").status == 200)
sql("UPDATE public.login_attempts SET window_start = now() - interval '16 minutes'")
check(G, "window over: login works again",
      run("POST", "/login", body={"username": "carol", "password": PW},
          addr="10.0.0.1").status == 200)
sql("DELETE FROM public.login_attempts")

# Behind a reverse proxy: X-Forwarded-For is believed only from the
# addresses in TRUSTED_PROXIES (default: never).
case(G)
for i in range(6):
    run("POST", "/login", body={"username": "carol", "password": "bad"},
        env={"HTTP_X_FORWARDED_FOR": "198.51.100.%d" % (i + 1)})
r = run("POST", "/login", body={"username": "carol", "password": PW},
        env={"HTTP_X_FORWARDED_FOR": "198.51.100.99"})
check(G, "X-Forwarded-For ignored by default: the connection's address is locked (429)",
      r.status == 429, repr(r))
sql("DELETE FROM public.login_attempts")
PROXY = {"TRUSTED_PROXIES": "127.0.0.0/8, ::1"}
for i in range(6):
    run("POST", "/login", body={"username": "carol", "password": "bad"},
        env=dict(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1"))
r = run("POST", "/login", body={"username": "carol", "password": PW},
        env=dict(PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1"))
check(G, "from a trusted proxy: the forwarded client is locked (429)", r.status == 429,
      repr(r))
check(G, "... counted as the forwarded address, not the spoofed one",
      sql("SELECT string_agg(bucket, ',' ORDER BY bucket) FROM public.login_attempts "
          "WHERE account IS NULL") == "addr:198.51.100.1")
r = run("POST", "/login", body={"username": "carol", "password": PW},
        env=dict(PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2",
                 HTTP_X_FORWARDED_PROTO="https"))
check(G, "... another forwarded client signs in (200), the session has its address",
      r.status == 200 and sql(
          "SELECT client_addr FROM public.sessions WHERE id_hash = decode('%s', 'hex')"
          % sha256(r.cookie("__Host-session") or "")) == "198.51.100.2", repr(r))
check(G, "... and X-Forwarded-Proto https makes it a Secure __Host- cookie",
      "Secure" in (r.set_cookie("__Host-session") or ""), r.set_cookie("__Host-session"))
r = run("POST", "/login", body={"username": "carol", "password": PW},
        env={"TRUSTED_PROXIES": "10.0.0.0/8", "HTTP_X_FORWARDED_FOR": "198.51.100.1",
             "HTTP_X_FORWARDED_PROTO": "https"})
check(G, "an untrusted sender's X-Forwarded-For/-Proto are ignored",
      r.status == 200 and "Secure" not in (r.set_cookie("session") or ""), repr(r))
r = run("POST", "/login", body={"username": "carol", "password": PW},
        env={"TRUSTED_PROXIES": "127.0.0.1/33"})
check(G, "malformed TRUSTED_PROXIES: 503, named in the log",
      r.status == 503 and "TRUSTED_PROXIES" in r.stderr and "/33" not in r.stderr, repr(r))
sql("DELETE FROM public.login_attempts")

# Many addresses: each address that failed on the account is slowed down.
case(G)
for i in range(6):
    run("POST", "/login", body={"username": "carol", "password": "bad%d" % i},
        addr="10.0.2.%d" % (i + 1))
r = run("POST", "/login", body={"username": "carol", "password": PW}, addr="10.0.2.1")
ra = r.header("retry-after") or ""
check(G, "6 failures from 6 addresses: a failed address waits (429, Retry-After 1-2)",
      r.status == 429 and ra in ("1", "2"), repr(r))
check(G, "... an address that has not failed does not",
      run("POST", "/login", body={"username": "carol", "password": PW},
          addr="10.0.3.1").status == 200)
sql("DELETE FROM public.login_attempts")

# Throttling per address.
case(G)
for i in range(20):
    run("POST", "/login", body={"username": "ghost%d" % i, "password": "x"},
        addr="192.0.2.7")
r = run("POST", "/login", body={"username": "bob", "password": PW}, addr="192.0.2.7")
check(G, "21st login from one address: 429", r.status == 429 and
      r.header("retry-after") is not None, repr(r))
check(G, "other address unaffected", run("POST", "/login", body={
    "username": "bob", "password": PW}, addr="192.0.2.8").status == 200)
sql("DELETE FROM public.login_attempts")

# Legacy hash: the boilerplate's admin/password, upgraded at login.
case(G)
r = run("POST", "/login", body={"username": "admin", "password": "wrong"})
check(G, "legacy hash: wrong password 401, hash kept", r.status == 401 and
      sql("SELECT password FROM public.users WHERE username = 'admin'") == LEGACY_HASH)
r = run("POST", "/login", body={"username": "admin", "password": "password"})
check(G, "legacy hash: login 200", r.status == 200 and
      without_csrf(r.json()) == {"payload": {"user_type": "admin", "username": "admin"}}, repr(r))
h = sql("SELECT password FROM public.users WHERE username = 'admin'")
check(G, "legacy hash replaced by Argon2id", h.startswith("$argon2id$v=19$m=19456,t=2,p=1$"),
      h[:30])
check(G, "login works with the new hash",
      run("POST", "/login", body={"username": "admin", "password": "password"}).status == 200)
r = run("POST", "/login", body={"username": "admin", "password": "password"},
        env={"SECRET_KEY": None})
check(G, "no SECRET_KEY needed after the upgrade", r.status == 200, repr(r))
sql("DELETE FROM public.login_attempts")
case(G)
sql("INSERT INTO public.users (id, username, password, user_type, email, created_at) "
    "VALUES (gen_random_uuid(), 'zblank', '%s', 'user', '\\x00'::bytea, now())"
    % "de73f7e1cfb264373d465f0c7018130247fc45290617ad902a11e28c644eb084"
      "f187c4d506b7ee22d18a8b60e2c676d083b640b9241b9121e706ed905246fec8")
r = run("POST", "/login", body={"username": "zblank", "password": ""})
check(G, "legacy hash of the empty password: empty password refused (401)",
      r.status == 401 and r.cookie("session") is None, repr(r))
sql("DELETE FROM public.login_attempts")

# Password changes and deletes end sessions.
case(G)
s1, c1 = login("bob", PW)
s2, _ = login("bob", PW)
r = run("PATCH", "/user/bob", cookie="session=" + (s1 or ""), csrf_header=c1,
        body={"password": "a brand new one"})
check(G, "self password change needs current_password (422)", r.status == 422 and
      "current_password" in ((r.json() or {}).get("fields") or {}), repr(r))
r = run("PATCH", "/user/bob", cookie="session=" + (s1 or ""), csrf_header=c1,
        body={"password": "a brand new one", "current_password": "wrong"})
check(G, "wrong current_password 403", r.status == 403 and
      r.json() == {"error": "Current password is wrong"}, repr(r))
sql("DELETE FROM public.login_attempts")
# current_password is throttled as a login is, with the same buckets.
for i in range(5):
    run("PATCH", "/user/bob", cookie="session=" + (s1 or ""), csrf_header=c1,
        body={"password": "a brand new one", "current_password": "wrong%d" % i})
r = run("PATCH", "/user/bob", cookie="session=" + (s1 or ""), csrf_header=c1,
        body={"password": "a brand new one", "current_password": PW})
check(G, "right current_password after 5 wrong ones from the address: 429",
      r.status == 429 and (r.header("retry-after") or "").isdigit() and
      r.json() == {"error": "Too many failed attempts, try again later"}, repr(r))
check(G, "... and nothing changed", login("bob", "a brand new one", addr="10.9.9.9")[0]
      is None)
r = run("PATCH", "/user/bob", cookie="session=" + (s1 or ""), csrf_header=c1,
        body={"password": "a brand new one", "current_password": PW}, addr="10.9.9.8")
check(G, "... from another address: 200", r.status == 200, repr(r))
r = run("PATCH", "/user/bob", cookie="session=" + (s1 or ""), csrf_header=c1,
        body={"password": PW, "current_password": "a brand new one"}, addr="10.9.9.8")
check(G, "... and back", r.status == 200, repr(r))
sql("DELETE FROM public.login_attempts")
r = run("PATCH", "/user/bob", cookie="session=" + (s1 or ""), csrf_header=c1,
        body={"email": "bob2@example.com"})
check(G, "a user cannot change their own email (403)", r.status == 403, repr(r))
r = run("PATCH", "/user/bob", cookie="session=" + (s1 or ""), csrf_header=c1,
        body={"password": "a brand new one", "current_password": PW})
check(G, "self password change 200", r.status == 200 and
      (r.json() or {}).get("payload", {}).get("updated_at") is not None, repr(r))
check(G, "this session kept", run("GET", "/login", cookie="session=" + (s1 or "")).status == 200)
check(G, "other sessions ended", run("GET", "/login", cookie="session=" + (s2 or "")).status
      == 401)
check(G, "new password works", login("bob", "a brand new one")[0] is not None)
case(G)
s3, _ = login("carol", PW)
r = run("PATCH", "/user/carol", bearer=ROOT_TOKEN, body={"password": "set by admin"})
check(G, "admin sets a password: 200", r.status == 200, repr(r))
check(G, "all the user's sessions ended",
      run("GET", "/login", cookie="session=" + (s3 or "")).status == 401)
PW_CAROL = "set by admin"
case(G)
v = new_victim()
vt = fixture("token", v)
check(G, "a user's API token works", run("GET", "/user/" + v, bearer=vt).status == 200)
r = run("PATCH", "/user/" + v, bearer=vt,
        body={"password": "changed by self", "current_password": PW})
check(G, "a user's own password change keeps their API tokens", r.status == 200 and
      run("GET", "/user/" + v, bearer=vt).status == 200, repr(r))
r = run("PATCH", "/user/" + v, bearer=ROOT_TOKEN, body={"password": "reset by admin"})
check(G, "an admin's reset revokes the user's API tokens", r.status == 200 and
      run("GET", "/user/" + v, bearer=vt).status == 401 and
      sql("SELECT count(*) FROM public.api_tokens AS t JOIN public.users AS u "
          "ON u.id = t.user_id WHERE u.username = '%s' AND t.revoked_at IS NULL" % v) == "0",
      repr(r))
case(G)
sr, cr = login("root", PW)
r = run("PATCH", "/user/root", cookie="session=" + (sr or ""), csrf_header=cr,
        body={"password": "a new root password"})
check(G, "an admin changing their own password needs current_password (422)",
      r.status == 422 and "current_password" in ((r.json() or {}).get("fields") or {}),
      repr(r))
r = run("PATCH", "/user/root", bearer=ROOT_TOKEN,
        body={"password": "a new root password", "current_password": "wrong one"})
check(G, "... a wrong one: 403, unchanged", r.status == 403 and
      login("root", PW, addr="10.8.8.8")[0] is not None, repr(r))
r = run("PATCH", "/user/root", bearer=ROOT_TOKEN,
        body={"password": "a new root password", "current_password": PW})
check(G, "... the right one: 200, and the admin keeps their own tokens",
      r.status == 200 and run("GET", "/users", bearer=ROOT_TOKEN).status == 200, repr(r))
r = run("PATCH", "/user/root", bearer=ROOT_TOKEN,
        body={"password": PW, "current_password": "a new root password"})
check(G, "... and back", r.status == 200, repr(r))
r = run("PATCH", "/user/root", bearer=ROOT_TOKEN, body={"email": "root@example.com"})
check(G, "an admin's own email change needs no current_password", r.status == 200, repr(r))
sql("DELETE FROM public.login_attempts")
case(G)
v = new_victim()
sv, _ = login(v, PW)
r = run("DELETE", "/user/" + v, bearer=ROOT_TOKEN)
check(G, "delete 204", r.status == 204 and r.body == b"", repr(r))
check(G, "delete ends sessions", sv is not None and
      run("GET", "/login", cookie="session=" + sv).status == 401)
check(G, "deleted user is gone",
      run("GET", "/user/" + v, bearer=ROOT_TOKEN).status == 404)
r = run("DELETE", "/user/root", bearer=ROOT_TOKEN)
check(G, "an admin cannot delete themself (409)", r.status == 409, repr(r))

# Bearer tokens.
case(G)
r = run("GET", "/users", bearer=BAD_TOKEN)
check(G, "unknown token 401 invalid_token", r.status == 401 and
      "invalid_token" in (r.header("www-authenticate") or ""), repr(r))
r = run("GET", "/users", bearer="not a token!")
check(G, "malformed token 401", r.status == 401, repr(r))
r = run("GET", "/users", auth="Basic YWRtaW46cGFzc3dvcmQ=")
check(G, "other auth schemes are not credentials (401)", r.status == 401, repr(r))
t2 = fixture("token", "root")
check(G, "token works", run("GET", "/users", bearer=t2).status == 200)
sql("UPDATE public.api_tokens SET revoked_at = now() WHERE token_hash = decode('%s','hex')"
    % sha256(t2))
check(G, "revoked token 401", run("GET", "/users", bearer=t2).status == 401)
check(G, "token stored hashed", sql("SELECT count(*) FROM public.api_tokens WHERE "
                                    "token_hash = decode('%s','hex')" % sha256(ROOT_TOKEN)) == "1")

case(G)
LONG = "l" * 300
sql("INSERT INTO public.users (id, username, password, user_type, email, created_at) "
    "VALUES (gen_random_uuid(), '%s', 'x', 'admin', '\\x00'::bytea, now())" % LONG)
r = run("GET", "/users", bearer=fixture("token", LONG))
check(G, "token of a (legacy) 300-byte username: 401, not 500", r.status == 401, repr(r))
sql("DELETE FROM public.users WHERE username = '%s'" % LONG)

# ---- html: golden files, escaping, masking ----------------------------------
G = "html"

NORM = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "UUID"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d"), "TIMESTAMP"),
    (re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC"), "WHEN"),
    (re.compile(r'(value=")[A-Za-z0-9_-]{43}(")'), r"\1TOKEN\2"),
]


def golden(name, r):
    text = r.text()
    for rx, rep in NORM:
        text = rx.sub(rep, text)
    path = os.path.join(GOLDEN, name + ".html")
    if UPDATE:
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    try:
        with open(path, encoding="utf-8") as f:
            want = f.read()
    except OSError:
        want = ""
    diff = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                        "golden/" + name + ".html", "got"))
    if diff:
        print(diff)
    return diff == ""


adm, admcsrf = login("root", PW)
usr, usrcsrf = login("bob", "a brand new one")
AC = "session=" + (adm or "")
PAGES = [
    ("login", "GET", "/login", {}),
    ("users", "GET", "/users", {"cookie": AC, "query": "prefix=c"}),
    ("users-page", "GET", "/users", {"cookie": AC, "query": "limit=2"}),
    ("user", "GET", "/user/carol", {"cookie": AC}),
    ("user-self", "GET", "/user/bob", {"cookie": "session=" + (usr or "")}),
    ("user-new", "GET", "/users/new", {"cookie": AC}),
    ("error-404", "GET", "/no/such/page", {}),
    ("error-user-404", "GET", "/user/nobody", {"cookie": AC}),
    ("error-403", "GET", "/users", {"cookie": "session=" + (usr or "")}),
    ("user-edit", "GET", "/user/carol/edit", {"cookie": AC}),
    ("user-password", "GET", "/user/carol/password", {"cookie": AC}),
    ("user-password-self", "GET", "/user/bob/password", {"cookie": "session=" + (usr or "")}),
    ("user-delete", "GET", "/user/carol/delete", {"cookie": AC}),
    ("logout", "GET", "/logout", {"cookie": AC}),
]
for name, method, path, kw in PAGES:
    case(G)
    r = run(method, path, accept=HTML, **kw)
    ok = r.header("content-type") == "text/html; charset=utf-8"
    check(G, "%s page matches golden/%s.html" % (path, name), ok and golden(name, r), repr(r))

case(G)
r = run("POST", "/users", cookie=AC, accept=HTML, ctype="application/x-www-form-urlencoded",
        body="csrf=%s&username=dave&email=not-an-email&password=short&user_type=admin"
        % admcsrf)
check(G, "invalid form: 422 + golden (errors by the fields, values kept)",
      r.status == 422 and golden("user-new-errors", r), repr(r))
check(G, "the password is not echoed", "short" not in r.text().replace("is too short", ""))
case(G)
r = run("POST", "/users", cookie=AC, accept=HTML, ctype="application/x-www-form-urlencoded",
        body="csrf=%s&username=carol&email=carol9%%40example.com&password=longenough1"
        % admcsrf)
check(G, "taken username: 409 form again", r.status == 409 and
      "username-error" in r.text(), repr(r))

case(G)
r = run("GET", "/users", cookie=AC, accept=HTML)
check(G, "list masks emails", "r***@example.com" in r.text() and
      "root@example.com" not in r.text() and "(unreadable)" in r.text(), repr(r))

# Hostile values, planted the way a taken-over database could hold them.
EVIL = "<script>alert(\"x\")</script>'&"
fixture("user", EVIL, "javascript:alert(1)@example.com", "user", password=PW)
case(G)
r = run("GET", "/users", cookie=AC, accept=HTML, query="prefix=%3Cscript")
t = r.text()
check(G, "hostile username escaped in text", "<script>" not in t and
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;" in t, t[-900:])
check(G, "hostile username percent-encoded in href",
      'href="/user/%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E%27%26"' in t, t[-900:])
check(G, "search value attribute escaped", 'value="&lt;script"' in t)
EVIL2 = "<b onmouseover=\"alert('x')\">&amp;"
fixture("user", EVIL2, "javascript:alert(2)@example.com", "user", password=PW)
case(G)
r = run("GET", "/user/" + EVIL, cookie=AC, accept=HTML)
check(G, "a name with a slash cannot be addressed: 404", r.status == 404, repr(r))
r = run("GET", "/user/" + EVIL2, cookie=AC, accept=HTML)
t = r.text()
check(G, "detail page: hostile name and javascript: email inert",
      r.status == 200 and "<b " not in t and 'href="javascript:' not in t and
      "&lt;b onmouseover=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;amp;" in t and
      'href="mailto:javascript:alert(2)@example.com"' in t, t[-900:])
case(G)
r = run("POST", "/login", accept=HTML, ctype="application/x-www-form-urlencoded",
        body="username=%22%3E%3Cscript%3Ex%3C%2Fscript%3E&password=x&csrf=" + (lc or ""),
        cookie="login_csrf=" + (lc or ""))
check(G, "typed username escaped in the login form's attribute",
      'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in r.text() and
      "<script>" not in r.text(), repr(r))
sql("DELETE FROM public.login_attempts")
case(G)
r = run("POST", "/users", cookie=AC, accept=HTML, ctype="application/x-www-form-urlencoded",
        body="csrf=%s&username=%%22onmouseover%%3D%%22x&email=javascript%%3Aalert(1)"
        "&password=longenough1" % admcsrf)
check(G, "typed values escaped in the create form", r.status == 422 and
      'value="&quot;onmouseover&#61;&quot;x"' in r.text() or
      'value="&quot;onmouseover=&quot;x"' in r.text(), r.text()[-1500:])
case(G)
r = run("GET", "/users/new", cookie="session=" + (usr or ""), accept=HTML)
check(G, "non-admin gets the 403 page", r.status == 403 and "<h1>Forbidden</h1>" in r.text(),
      repr(r))
r = run("GET", "/users/new", accept=HTML)
check(G, "anonymous browser redirected to /login, back here after", r.status == 303 and
      r.header("location") == "/login?next=%2Fusers%2Fnew", repr(r))

# ---- pages: the browser's forms, redirects, messages -------------------------
G = "pages"
FORMCT = "application/x-www-form-urlencoded"


def form(path, fields, cookie=AC, **kw):
    """A browser's form post (HTML wanted), fields urlencoded in order."""
    return run("POST", path, cookie=cookie, accept=HTML, ctype=FORMCT,
               body=urllib.parse.urlencode(fields), **kw)


def flash_of(r):
    """The flash cookie a response sets, as the next request sends it."""
    v = r.cookie("flash")
    return "flash=" + v if v else None


def page_flash(cookie):
    """The message the next page shows for a flash cookie, or None."""
    r = run("GET", "/user/root", cookie=AC + "; " + cookie, accept=HTML)
    m = re.search(r'<p class="flash" role="status">([^<]*)</p>', r.text())
    return (m.group(1) if m else None), r


case(G)
check(G, "GET / anonymous -> /login", run("GET", "/", accept=HTML)
      .header("location") == "/login")
check(G, "GET / admin -> /users", run("GET", "/", accept=HTML, cookie=AC)
      .header("location") == "/users")
check(G, "GET / user -> their own page", run("GET", "/", accept=HTML,
                                            cookie="session=" + (usr or ""))
      .header("location") == "/user/bob")
check(G, "POST / is still 404", run("POST", "/", accept=HTML).status == 404)
check(G, "GET / for JSON clients is still 404", run("GET", "/", bearer=ROOT_TOKEN).json() ==
      {"error": "This endpoint does not exist"})

case(G)
r = run("GET", "/user/carol/edit", accept=HTML)
check(G, "anonymous: to /login with next", r.status == 303 and
      r.header("location") == "/login?next=%2Fuser%2Fcarol%2Fedit", repr(r))
r = run("GET", "/login", accept=HTML, query="next=%2Fuser%2Fcarol%2Fedit")
check(G, "the login form carries next", 'name="next" value="/user/carol/edit"' in r.text(),
      r.text()[-1200:])
lc2 = r.cookie("login_csrf")
for nxt, want in (("/user/carol/edit", "/user/carol/edit"),
                  ("/users?prefix=c&limit=10", "/users?prefix=c&limit=10"),
                  ("//evil.example/x", "/users"),
                  ("/\\evil.example", "/users"),
                  ("https://evil.example/", "/users"),
                  ("javascript:alert(1)", "/users"),
                  ("/user/<script>", "/user/%3Cscript%3E")):
    r = form("/login", {"csrf": lc2, "username": "root", "password": PW, "next": nxt},
             cookie="login_csrf=" + (lc2 or ""))
    check(G, "login with next=%r -> %s" % (nxt, want), r.status == 303 and
          r.header("location") == want, repr(r) + " " + str(r.header("location")))
r = form("/user/carol/edit", {"csrf": "S" * 43, "email": "c@example.com",
                              "user_type": "user"}, cookie=None)
check(G, "a form sent after the session ended: to /login with next and a message",
      r.status == 303 and r.header("location") == "/login?next=%2Fuser%2Fcarol%2Fedit" and
      flash_of(r) == "flash=ended", repr(r))
r = run("GET", "/login", accept=HTML, cookie=flash_of(r))
check(G, "... which the login page shows", "Your session had ended" in r.text(), repr(r))
r = run("GET", "/login", accept=HTML, query="next=%2F%2Fevil.example")
check(G, "a foreign next is not carried", 'name="next"' not in r.text())
sql("DELETE FROM public.login_attempts")

case(G)
r = form("/users", {"csrf": admcsrf, "username": "flashy", "email": "flashy@example.com",
                    "password": "longenough1", "user_type": "user"})
fc = flash_of(r)
check(G, "create -> 303 + a flash cookie", r.status == 303 and fc is not None and
      "Max-Age=60" in (r.set_cookie("flash") or ""), repr(r))
msg, r = page_flash(fc or "")
check(G, "the next page shows it once, and forgets it", msg == "User flashy created." and
      "Max-Age=0" in (r.set_cookie("flash") or ""), repr(msg))
msg, r = page_flash("flash=created.3c7363726970743e")
check(G, "a name in a flash is escaped", msg == "User &lt;script&gt; created.", repr(msg))
for forged in ("flash=nothing", "flash=created", "flash=created.zz", "flash=created.2f",
               "flash=signed-out.41"):
    msg, r = page_flash(forged)
    check(G, "forged %s: no message, still forgotten" % forged, msg is None and
          r.status == 200 and "Max-Age=0" in (r.set_cookie("flash") or ""), repr(msg))

case(G)
r = form("/users", {"csrf": "S" * 43, "username": "stale1", "email": "stale1@example.com",
                    "password": "secret-typed-1", "user_type": "admin"})
t = r.text()
check(G, "stale create form: 403, shown again with the values and a note",
      r.status == 403 and "This form had expired" in t and 'value="stale1"' in t and
      'value="stale1@example.com"' in t and "<option value=\"admin\" selected>" in t and
      'name="csrf" value="%s"' % admcsrf in t, t[-2500:])
check(G, "... never the password", "secret-typed-1" not in t)
check(G, "... nothing created", sql("SELECT count(*) FROM public.users WHERE "
                                     "username = 'stale1'") == "0")
r = run("POST", "/users", cookie=AC, body={"username": "stale2", "email": "s2@example.com",
                                         "password": "longenough1"})
check(G, "stale JSON: still 403 JSON", r.status == 403 and
      r.json() == {"error": "CSRF token missing or invalid"}, repr(r))
r = run("POST", "/login", accept=HTML, ctype=FORMCT,
        body="username=bob&password=" + urllib.parse.quote(PW) + "&csrf=" + "Q" * 43)
check(G, "stale login form: shown again with the name and a note, no session",
      r.status == 403 and "This form had expired" in r.text() and 'value="bob"' in r.text()
      and urllib.parse.quote(PW) not in r.text() and PW not in r.text() and
      r.cookie("session") is None, repr(r))

case(G)
r = run("GET", "/logout", accept=HTML, cookie=AC)
check(G, "GET /logout: one button that posts with the token", r.status == 200 and
      '<form method="post" action="/logout">' in r.text() and admcsrf in r.text(), repr(r))
check(G, "GET /logout changed nothing", run("GET", "/login", cookie=AC).status == 200)
r = run("GET", "/logout", accept=HTML)
check(G, "GET /logout signed out: to /login", r.status == 303, repr(r))
r = form("/logout", {"csrf": "S" * 43}, cookie=None)
check(G, "POST /logout signed out already: to /login, Signed out", r.status == 303 and
      r.header("location") == "/login" and flash_of(r) == "flash=signed-out", repr(r))
r = run("GET", "/logout")
check(G, "GET /logout JSON: 405 + Allow POST", r.status == 405 and
      r.header("allow") == "POST, OPTIONS", repr(r))
s9, c9 = login("bob", "a brand new one")
r = form("/logout", {"csrf": "S" * 43}, cookie="session=" + (s9 or ""))
check(G, "stale logout: the button again, still signed in", r.status == 403 and
      'action="/logout"' in r.text() and
      run("GET", "/login", cookie="session=" + (s9 or "")).status == 200, repr(r))
r = form("/logout", {"csrf": c9}, cookie="session=" + (s9 or ""))
check(G, "logout: 303 /login + Signed out", r.status == 303 and
      r.header("location") == "/login" and flash_of(r) == "flash=signed-out", repr(r))
r = run("GET", "/login", accept=HTML, cookie=flash_of(r))
check(G, "the login page says Signed out", '<p class="flash" role="status">Signed out.</p>'
      in r.text(), r.text()[:1500])

case(G)
fixture("user", "edith", "edith@example.com", "user", password=PW)
r = run("GET", "/user/edith/edit", cookie=AC, accept=HTML)
check(G, "edit form: the email and type as stored", r.status == 200 and
      'value="edith@example.com"' in r.text() and
      '<option value="user" selected>' in r.text(), repr(r))
r = form("/user/edith/edit", {"csrf": admcsrf, "email": "not-an-email", "user_type": "user"})
check(G, "edit: invalid email -> 422, summary links to the field", r.status == 422 and
      '<a href="#email">Email is not an email address' in r.text() and
      'value="not-an-email"' in r.text() and 'aria-invalid="true"' in r.text(), repr(r))
r = form("/user/edith/edit", {"csrf": "S" * 43, "email": "e2@example.com",
                              "user_type": "admin"})
check(G, "edit: stale form shown again as typed", r.status == 403 and
      'value="e2@example.com"' in r.text() and "This form had expired" in r.text(), repr(r))
r = form("/user/edith/edit", {"csrf": admcsrf, "email": "carol@example.com",
                              "user_type": "user"})
check(G, "edit: another user's email -> 409 on the form", r.status == 409 and
      "already in use" in r.text(), repr(r))
r = form("/user/edith/edit", {"csrf": admcsrf, "email": "edith2@example.com",
                              "user_type": "admin"})
check(G, "edit: 303 to the user + User edith updated.", r.status == 303 and
      r.header("location") == "/user/edith" and
      page_flash(flash_of(r) or "")[0] == "User edith updated.", repr(r))
j = run("GET", "/user/edith", bearer=ROOT_TOKEN).json() or {}
check(G, "edit: email and type changed", j.get("payload", {}).get("email") ==
      "edith2@example.com" and j["payload"].get("user_type") == "admin", repr(j))

case(G)
se, ce = login("edith", PW)
r = form("/user/edith/password", {"csrf": admcsrf, "new_password": "short"})
check(G, "reset: too short -> 422 with the rule", r.status == 422 and
      "at least 8 characters" in r.text() and "short\"" not in r.text(), repr(r))
r = form("/user/edith/password", {"csrf": admcsrf, "new_password": "reset by root 1"})
check(G, "reset by an admin: 303 + New password set for edith.", r.status == 303 and
      page_flash(flash_of(r) or "")[0] == "New password set for edith.", repr(r))
check(G, "reset: edith's sessions ended", run("GET", "/login", cookie="session=" + (se or ""))
      .status == 401)
check(G, "reset: the new password signs in", login("edith", "reset by root 1")[0] is not None)
se, ce = login("edith", "reset by root 1")
EC = "session=" + (se or "")
r = run("GET", "/user/edith/password", cookie=EC, accept=HTML)
check(G, "own password form asks for the current one", r.status == 200 and
      'id="current_password"' in r.text(), repr(r))
r = form("/user/edith/password", {"csrf": ce, "current_password": "wrong one",
                                  "new_password": "edith's own 1"}, cookie=EC)
check(G, "own change, wrong current password: 403 on the form", r.status == 403 and
      '<a href="#current_password">Current password is not right.' in r.text(), repr(r))
r = form("/user/edith/password", {"csrf": ce, "new_password": "edith's own 1"}, cookie=EC)
check(G, "own change without the current password: 422", r.status == 422 and
      "Current password is required." in r.text(), repr(r))
r = form("/user/edith/password", {"csrf": ce, "current_password": "reset by root 1",
                                  "new_password": "edith's own 1"}, cookie=EC)
check(G, "own change: 303 + Your password was changed., still signed in",
      r.status == 303 and flash_of(r) == "flash=changed" and
      run("GET", "/login", cookie=EC).status == 200, repr(r))
check(G, "own change: the new password signs in", login("edith", "edith's own 1")[0]
      is not None)
r = run("GET", "/user/edith/edit", cookie=EC, accept=HTML)
check(G, "edith (admin now) may edit herself", r.status == 200, repr(r))

case(G)
r = run("GET", "/user/edith/delete", cookie=AC, accept=HTML)
check(G, "delete: a confirmation page with one button", r.status == 200 and
      'action="/user/edith/delete"' in r.text() and "cannot be undone" in r.text(), repr(r))
check(G, "delete: GET deleted nothing", sql("SELECT count(*) FROM public.users WHERE "
                                             "username = 'edith'") == "1")
r = form("/user/edith/delete", {"csrf": "S" * 43})
check(G, "delete: a stale confirmation is shown again", r.status == 403 and
      "This form had expired" in r.text() and sql(
          "SELECT count(*) FROM public.users WHERE username = 'edith'") == "1", repr(r))
r = form("/user/edith/delete", {"csrf": admcsrf})
check(G, "delete: 303 /users + User edith deleted.", r.status == 303 and
      r.header("location") == "/users" and
      page_flash(flash_of(r) or "")[0] == "User edith deleted." and
      sql("SELECT count(*) FROM public.users WHERE username = 'edith'") == "0", repr(r))
r = run("GET", "/user/root/delete", cookie=AC, accept=HTML)
check(G, "no delete page for oneself (409)", r.status == 409, repr(r))
r = run("GET", "/user/nobody/delete", cookie=AC, accept=HTML)
check(G, "no delete page for nobody (404)", r.status == 404, repr(r))

# The last admin: every other admin demoted for the test, then restored.
case(G)
others = sql("SELECT string_agg(quote_literal(username), ',') FROM public.users "
             "WHERE user_type = 'admin' AND username <> 'root'")
sql("UPDATE public.users SET user_type = 'user' WHERE user_type = 'admin' "
    "AND username <> 'root'")
try:
    r = run("PATCH", "/user/root", bearer=ROOT_TOKEN, body={"user_type": "user"})
    check(G, "JSON: the last admin cannot be demoted (409)", r.status == 409 and
          r.json() == {"error": "This is the last admin. Make another user an admin first."},
          repr(r))
    r = form("/user/root/edit", {"csrf": admcsrf, "email": "root@example.com",
                                 "user_type": "user"})
    check(G, "HTML: 409 on the form, the field named", r.status == 409 and
          "Nothing was saved." in r.text() and
          '<a href="#user_type">Type cannot be user' in r.text(), repr(r))
    check(G, "root is still an admin", sql("SELECT user_type FROM public.users "
                                            "WHERE username = 'root'") == "admin")
finally:
    if others:
        sql("UPDATE public.users SET user_type = 'admin' WHERE username IN (%s)" % others)

case(G)
r = run("GET", "/users", cookie=AC, accept=HTML, query="limit=abc")
t = r.text()
check(G, "limit=abc: 422 page naming the field once", r.status == 422 and
      t.count("Invalid input") == 2 and  # the title and the heading
      "Page size must be a number from 1 to 100." in t, t[-1200:])
for i in range(1, 6):
    fixture("user", "pg%d" % i, "pg%d@example.com" % i, "user", password=PW)
NEXT_RE = r'href="/users\?prefix=pg&amp;limit=2&amp;after=([^"]+)" rel="next"'
r = run("GET", "/users", cookie=AC, accept=HTML, query="prefix=pg&limit=2")
m = re.search(NEXT_RE, r.text())
check(G, "list page 1: a next link, no previous", m is not None and 'rel="prev"'
      not in r.text() and "2 users on this page, 2 per page" in r.text() and
      re.search(r'<option value="2" selected>2</option>\s*<option value="10">', r.text()),
      r.text()[-1500:])
r2 = run("GET", "/users", cookie=AC, accept=HTML,
         query="prefix=pg&limit=2&after=" + (m.group(1) if m else ""))
check(G, "list page 2: a previous link to page 1",
      'href="/users?prefix=pg&amp;limit=2" rel="prev"' in r2.text(), r2.text()[-1500:])
m3 = re.search(NEXT_RE, r2.text())
r3 = run("GET", "/users", cookie=AC, accept=HTML,
         query="prefix=pg&limit=2&after=" + (m3.group(1) if m3 else ""))
check(G, "list page 3 (the last): previous goes to page 2, no next",
      m is not None and 'href="/users?prefix=pg&amp;limit=2&amp;after=%s" rel="prev"'
      % m.group(1) in r3.text() and 'rel="next"' not in r3.text() and
      "1 user on this page" in r3.text(), r3.text()[-1500:])
check(G, "timestamps in <time datetime>", re.search(
    r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d">\d{1,2} [A-Z][a-z]{2} \d{4}, '
    r'\d\d:\d\d UTC</time>', r.text()) is not None, r.text()[-800:])
r = run("GET", "/user/admin", cookie=AC, accept=HTML, env={"TIME_ZONE": "America/New_York"})
check(G, "TIME_ZONE shown with its offset",
      '<time datetime="2023-01-20T14:31:56-05:00">20 Jan 2023, 14:31 UTC-05:00</time>'
      in r.text(), r.text()[-1500:])

# ---- strict input: each rule, status, message, nothing written --------------
G = "strict"

FORM = "application/x-www-form-urlencoded"
GOOD = {"username": "strict1", "email": "strict1@example.com", "password": "longenough1"}
STRICT = [
    # name, kwargs, status, message (substring of "error"), field
    ("bad UTF-8 in a JSON string",
     {"body": b'{"username":"a\xff","email":"s@example.com","password":"longenough1"}',
      "ctype": "application/json"}, 400, "Malformed request: bad encoding or control characters", None),
    ("bad UTF-8 in a form value",
     {"body": "username=a%FF&email=s%40example.com&password=longenough1", "ctype": FORM},
     400, "Malformed request: bad encoding or control characters", None),
    ("NUL in a form value",
     {"body": "username=a%00b&email=s%40example.com&password=longenough1", "ctype": FORM},
     400, "Malformed request: bad encoding or control characters", None),
    ("NUL escape in JSON",
     {"body": '{"username":"a\\u0000b","email":"s@example.com","password":"longenough1"}',
      "ctype": "application/json"}, 400, "Malformed request: bad encoding or control characters", None),
    ("control character",
     {"body": "username=a%01b&email=s%40example.com&password=longenough1", "ctype": FORM},
     400, "Malformed request: bad encoding or control characters", None),
    ("newline in a value",
     {"body": {"username": "a\nb", "email": "s@example.com", "password": "longenough1"}},
     400, "Malformed request: bad encoding or control characters", None),
    ("username too long",
     {"body": {"username": "u" * 65, "email": "s@example.com", "password": "longenough1"}},
     422, "Invalid input", "username"),
    ("password too short",
     {"body": {"username": "strict2", "email": "s@example.com", "password": "short"}},
     422, "Invalid input", "password"),
    ("email syntax",
     {"body": {"username": "strict3", "email": "no-at-sign", "password": "longenough1"}},
     422, "Invalid input", "email"),
    ("email with two @",
     {"body": {"username": "strict3", "email": "a@b@example.com", "password": "longenough1"}},
     422, "Invalid input", "email"),
    ("email too long",
     {"body": {"username": "strict3", "email": "a" * 250 + "@example.com",
               "password": "longenough1"}}, 422, "Invalid input", "email"),
    ("user_type not allowed",
     {"body": {"username": "strict3", "email": "s@example.com", "password": "longenough1",
               "user_type": "root"}}, 422, "Invalid input", "user_type"),
    ("required field missing",
     {"body": {"username": "strict3", "password": "longenough1"}}, 422, "Invalid input", "email"),
    ("repeated form field",
     {"body": "username=a&username=b&email=s%40example.com&password=longenough1",
      "ctype": FORM}, 400, "Repeated parameter: username", None),
    ("field in query and body",
     {"body": "username=a&email=s%40example.com&password=longenough1", "ctype": FORM,
      "query": "username=b"}, 400, "Repeated parameter: username", None),
    ("duplicate JSON key",
     {"body": '{"username":"a","username":"b","email":"s@example.com",'
              '"password":"longenough1"}', "ctype": "application/json"}, 400, "Duplicate key in JSON body: username", None),
    ("trailing JSON data",
     {"body": '{"username":"strict4","email":"s4@example.com","password":"longenough1"} {}',
      "ctype": "application/json"}, 400, "Malformed JSON body", None),
    ("JSON too deep",
     {"body": '{"username":"strict5","email":"s5@example.com","password":"longenough1",'
              '"x":' + "[" * 40 + "]" * 40 + "}", "ctype": "application/json"},
     400, "JSON body nested too deep", None),
    ("JSON not an object",
     {"body": '["strict6"]', "ctype": "application/json"}, 400, "JSON body must be an object", None),
    ("malformed JSON",
     {"body": '{"username":', "ctype": "application/json"}, 400, "Malformed JSON body", None),
    ("body over the cap (CONTENT_LENGTH)",
     {"body": b"", "clen": "70000", "ctype": "application/json"}, 413, "Request body too large", None),
    ("body over BODY_MAX=1024",
     {"body": json.dumps(dict(GOOD, pad="p" * 2000)), "ctype": "application/json",
      "env": {"BODY_MAX": "1024"}}, 413, "Request body too large", None),
    ("huge CONTENT_LENGTH",
     {"body": b"", "clen": "99999999999999999999999", "ctype": "application/json"},
     None, None, None),
    ("malformed CONTENT_LENGTH",
     {"body": b"{}", "clen": "12abc", "ctype": "application/json"}, 400, "Invalid Content-Length", None),
    ("short body for CONTENT_LENGTH",
     {"body": b"{}", "clen": "20", "ctype": "application/json"}, 400, "Invalid Content-Length", None),
    ("wrong content type",
     {"body": "username=strict7", "ctype": "text/plain"}, 415, "Unsupported Content-Type", None),
    ("multipart not accepted",
     {"body": "--x\r\n\r\n--x--", "ctype": "multipart/form-data; boundary=x"}, 415, "Unsupported Content-Type", None),
    # One type per JSON field: a string. Nothing is converted.
    ("username a number",
     {"body": dict(GOOD, username=12345)}, 422, "Invalid input", "username"),
    ("email a boolean",
     {"body": dict(GOOD, email=True)}, 422, "Invalid input", "email"),
    ("password a number",
     {"body": dict(GOOD, password=12345678901)}, 422, "Invalid input", "password"),
    ("user_type null",
     {"body": dict(GOOD, user_type=None)}, 422, "Invalid input", "user_type"),
    ("username an array",
     {"body": dict(GOOD, username=["strict1"])}, 422, "Invalid input", "username"),
    ("email an object",
     {"body": dict(GOOD, email={"$ne": None})}, 422, "Invalid input", "email"),
]
for label, kw, status, msg, field in STRICT:
    case(G)
    before = nusers()
    kw = dict(kw)
    r = run("POST", "/users", bearer=ROOT_TOKEN, **kw)
    j = r.json() or {}
    ok = isinstance(j.get("error"), str) and j["error"] != ""
    if status is None:
        ok = ok and r.status in (400, 413)
    else:
        ok = ok and r.status == status
    if msg:
        ok = ok and j.get("error") == msg
    if field:
        fmsg = (j.get("fields") or {}).get(field)
        ok = ok and isinstance(fmsg, str) and fmsg != ""
    ok = ok and nusers() == before
    check(G, "%s -> %s %r" % (label, r.status, j.get("error")), ok, repr(r))

case(G)
r = run("POST", "/users", bearer=ROOT_TOKEN, body=dict(GOOD, username=12345))
check(G, "a wrong type names the field and says what it must be",
      r.status == 422 and (r.json() or {}).get("fields") == {"username": "must be a string"},
      repr(r))
r = run("PATCH", "/user/bob", bearer=ROOT_TOKEN, body={"user_type": 1})
check(G, "PATCH: a wrong type 422, nothing changed", r.status == 422 and
      (r.json() or {}).get("fields") == {"user_type": "must be a string"} and
      sql("SELECT user_type FROM public.users WHERE username = 'bob'") == "user", repr(r))
r = run("POST", "/login", body={"username": "bob", "password": 12345678})
check(G, "login: a wrong type 422, not a failed login", r.status == 422 and
      (r.json() or {}).get("fields") == {"password": "must be a string"}, repr(r))
r = run("POST", "/users", bearer=ROOT_TOKEN, query="debug=1&limit=2",
        body=dict(GOOD, username="strict-x", email="sx@example.com", is_admin=True,
                  user_type="user", extra={"a": [1]}))
check(G, "unknown query parameters and JSON fields are ignored: 201, a plain user",
      r.status == 201 and sql("SELECT user_type FROM public.users WHERE username = "
                              "'strict-x'") == "user", repr(r))
sql("DELETE FROM public.users WHERE username = 'strict-x'")

case(G)
before = nusers()
r = run("POST", "/users", bearer=ROOT_TOKEN, body=dict(GOOD, user_type="user"))
check(G, "the good body is accepted (201 + Location)", r.status == 201 and
      r.header("location") == "/user/strict1" and nusers() == before + 1, repr(r))
case(G)
r = run("POST", "/users", bearer=ROOT_TOKEN, body=dict(GOOD, email="other@example.com"))
check(G, "duplicate username 409", r.status == 409 and
      (r.json() or {}).get("error") == "Username already taken" and
      "username" in ((r.json() or {}).get("fields") or {}), repr(r))
r = run("POST", "/users", bearer=ROOT_TOKEN, body=dict(GOOD, username="sTRICT1",
                                                      email="other@example.com"))
check(G, "the username in another case of A-Z: 409", r.status == 409 and
      "username" in ((r.json() or {}).get("fields") or {}) and nusers() == before + 1,
      repr(r))
for name, why in (("e\u0301mile", "NFC"), ("a\u200bb", "invisible"), ("\u00a0", "invisible")):
    r = run("POST", "/users", bearer=ROOT_TOKEN,
            body=dict(GOOD, username=name, email="nfc@example.com"))
    check(G, "username %r refused: 422 (%s)" % (name, why), r.status == 422 and
          why in ((r.json() or {}).get("fields") or {}).get("username", ""), repr(r))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="prefix=STRI")
check(G, "prefix= matches A-Z in any case", r.status == 200 and
      [u.get("username") for u in (r.json() or {}).get("payload") or []] == ["strict1"],
      repr(r))
# A name the rule refuses, as the boilerplate may have stored it: still read.
sql("UPDATE public.users SET username = ' strict1' WHERE username = 'strict1'")
r = run("GET", "/user/ strict1", bearer=ROOT_TOKEN)
check(G, "a stored name a new user could not have is still read",
      r.status == 200 and ((r.json() or {}).get("payload") or {}).get("username") == " strict1",
      repr(r))
sql("UPDATE public.users SET username = 'strict1' WHERE username = ' strict1'")
r = run("POST", "/users", bearer=ROOT_TOKEN, body=dict(GOOD, username="strict9",
                                                      email=" STRICT1@Example.com "))
check(G, "duplicate email (blind index, normalised) 409", r.status in (409, 422) and
      nusers() == before + 1, repr(r))
case(G)
r = run("GET", "/users", bearer=ROOT_TOKEN, query="limit=0")
check(G, "limit=0 422", r.status == 422 and "limit" in ((r.json() or {}).get("fields") or {}),
      repr(r))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="limit=abc")
check(G, "limit=abc 422", r.status == 422, repr(r))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="after=%3Cx%3E")
check(G, "bad cursor 422", r.status == 422, repr(r))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="limit=1&limit=2")
check(G, "repeated query parameter 400", r.status == 400 and
      "limit" in (r.json() or {}).get("error", ""), repr(r))
case(G)
r = run("PATCH", "/user/carol", bearer=ROOT_TOKEN, body={})
check(G, "PATCH with nothing to change 422", r.status == 422, repr(r))
r = run("PATCH", "/user/carol", bearer=ROOT_TOKEN, body={"email": "bad"})
check(G, "PATCH bad email 422, unchanged", r.status == 422 and
      run("GET", "/user/carol", bearer=ROOT_TOKEN).json()["payload"]["email"] ==
      "carol@example.com", repr(r))

# CORS: off unless configured, then only for the listed origins.
case("shapes")
r = run("GET", "/healthz", env={"HTTP_ORIGIN": "https://evil.example"})
check("shapes", "CORS off by default", r.header("access-control-allow-origin") is None,
      repr(r.headers))
r = run("GET", "/healthz", env={"HTTP_ORIGIN": "https://evil.example",
                                "CORS_ORIGINS": "https://app.example"})
check("shapes", "CORS: unlisted origin refused", r.header("access-control-allow-origin")
      is None, repr(r.headers))
r = run("OPTIONS", "/users", env={"HTTP_ORIGIN": "https://app.example",
                                  "CORS_ORIGINS": "https://app.example"})
check("shapes", "CORS: listed origin allowed (preflight)", r.status == 204 and
      r.header("access-control-allow-origin") == "https://app.example", repr(r.headers))

# Pagination and filters.
G2 = "shapes"
case(G2)
seen, after, pages = [], None, 0
while pages < 50:
    r = run("GET", "/users", bearer=ROOT_TOKEN,
            query="limit=3" + ("&after=" + urllib.parse.quote(after) if after else ""))
    j = r.json() or {}
    seen += [u["username"] for u in j.get("payload", [])]
    pages += 1
    after = j.get("next")
    if not after:
        break
allnames = sql("SELECT username FROM public.users ORDER BY username COLLATE \"C\"").split("\n")
check(G2, "keyset pagination visits every user once", sorted(seen) == sorted(allnames) and
      len(seen) == len(set(seen)), "%r vs %r" % (seen, allnames))
# Cursors are opaque: every username ends a page somewhere (limit=1), and
# the next page follows it, whatever characters it holds.
case(G2)
ODD = ["john.doe", "b o", "zo\u00eb", "\u65e5\u672c", "q?a=1&b#c", "per%cent"]
for i, n in enumerate(ODD):
    fixture("user", n, "odd%d@example.com" % i, "user", password=PW)
seen, after, pages, bad = [], None, 0, []
while pages < 100:
    r = run("GET", "/users", bearer=ROOT_TOKEN,
            query="limit=1" + ("&after=" + urllib.parse.quote(after) if after else ""))
    j = r.json() or {}
    if r.status != 200:
        bad.append(repr(r))
        break
    seen += [u["username"] for u in j.get("payload", [])]
    pages += 1
    after = j.get("next")
    if not after:
        break
    if not re.fullmatch(r"[A-Za-z0-9_-]+", after):
        bad.append(after)
allnames = sql("SELECT username FROM public.users").split("\n")
check(G2, "one user a page: every page 200, cursors base64url", not bad, repr(bad))
check(G2, "... every user once, dots, spaces, non-ASCII, URL characters included",
      sorted(seen) == sorted(allnames) and len(seen) == len(set(seen)) and
      all(n in seen for n in ODD), "%r vs %r" % (seen, allnames))
jn = (run("GET", "/users", bearer=ROOT_TOKEN, query="limit=1&prefix=b").json() or {}).get("next")
r = run("GET", "/users", bearer=ROOT_TOKEN, accept=HTML, query="limit=1&prefix=b")
m = re.search(r'after=([^"&]+)"', r.text())
check(G2, "HTML: the next-page link carries the same cursor as JSON's next",
      r.status == 200 and jn and m is not None and m.group(1) == jn, repr(r.text()[-600:]))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="after=" + urllib.parse.quote("john.doe"))
check(G2, "a raw username is not a cursor: 422 naming after",
      r.status == 422 and "after" in ((r.json() or {}).get("fields") or {}), repr(r))
sql("DELETE FROM public.users WHERE username IN (%s)" %
    ", ".join("'%s'" % n for n in ODD))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="prefix=ca")
check(G2, "prefix filter", [u["username"] for u in (r.json() or {}).get("payload", [])]
      == ["carol"], repr(r))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="email=CAROL%40example.com")
check(G2, "exact email lookup (blind index)", [u["username"] for u in
      (r.json() or {}).get("payload", [])] == ["carol"] and r.json().get("next") is None,
      repr(r))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="email=admin%40example.com")
check(G2, "exact email lookup finds a legacy row", [u["username"] for u in
      (r.json() or {}).get("payload", [])] == ["admin"], repr(r))
r = run("GET", "/users", bearer=ROOT_TOKEN, query="email=nobody%40example.com")
check(G2, "email lookup, no match", (r.json() or {}).get("payload") == [], repr(r))

# ---- fastcgi: one long-lived process, many requests ---------------------------
# The same binaries under FastCGI (the listening socket as fd 0, as
# lighttpd and mod_fcgid start them): nothing of one request (who is
# signed in, parameters, cookies) may leak into the next.
G = "fastcgi"
import socket
import tempfile


def fcgi_request(sockpath, params, body=b""):
    """One FastCGI 1.0 request (role responder, t/fcgiclient.py); returns
    a Resp, exit status 1 when no END_REQUEST came."""
    out, ended = fcgiclient.exchange(sockpath, params, body)
    return Resp(out, b"", 0 if ended else 1)


def fcgi_params(method, path, **kw):
    name, script, pinfo = route_of(path)
    e = dict(BASE)
    e.update({"GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
              "REQUEST_METHOD": method, "SCRIPT_NAME": script, "PATH_INFO": pinfo,
              "REQUEST_URI": path, "QUERY_STRING": kw.get("query", ""),
              "REMOTE_ADDR": "127.0.0.9"})
    for k in ("CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_COOKIE", "HTTP_AUTHORIZATION",
              "HTTP_ACCEPT", "HTTP_X_CSRF_TOKEN"):
        if kw.get(k) is not None:
            e[k] = kw[k]
    return e


class FcgiServer:
    def __init__(self, prog):
        base = os.path.join(BUILD, "t", "routes")
        if len(base) > 80:  # a unix socket path holds at most 107 bytes
            base = None
        self.dir = tempfile.mkdtemp(prefix="fcgi-", dir=base)
        self.path = os.path.join(self.dir, "sock")
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(self.path)
        ls.listen(8)
        # libtool wrappers exec the real binary: fd 0 stays the socket.
        self.proc = subprocess.Popen([os.path.join(BUILD, "cgi-bin", prog)], stdin=ls.fileno(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=BASE)
        ls.close()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass


srv = FcgiServer("users")
lgn = FcgiServer("login")
try:
    pid = srv.proc.pid
    case(G)
    r = fcgi_request(srv.path, fcgi_params("GET", "/users",
                                           HTTP_AUTHORIZATION="Bearer " + ROOT_TOKEN))
    check(G, "request 1 (admin token): 200 list", r.status == 200 and
          isinstance((r.json() or {}).get("payload"), list), repr(r))
    r = fcgi_request(srv.path, fcgi_params("GET", "/users"))
    check(G, "request 2 (no credentials): 401, nothing left from request 1",
          r.status == 401, repr(r))
    r = fcgi_request(srv.path, fcgi_params("GET", "/users",
                                           HTTP_AUTHORIZATION="Bearer " + BOB_TOKEN))
    check(G, "request 3 (user token): 403", r.status == 403, repr(r))
    case(G)
    body = json.dumps({"username": "strictfcgi", "email": "fcgi@example.com",
                       "password": "longenough1"}).encode()
    r = fcgi_request(srv.path, fcgi_params(
        "POST", "/users", HTTP_AUTHORIZATION="Bearer " + ROOT_TOKEN,
        CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body))), body)
    check(G, "POST with a body: 201", r.status == 201, repr(r))
    r = fcgi_request(srv.path, fcgi_params("GET", "/users", query="limit=1",
                                           HTTP_AUTHORIZATION="Bearer " + ROOT_TOKEN))
    j = r.json() or {}
    check(G, "the next request's query is its own", r.status == 200 and
          len(j.get("payload", [])) == 1 and j.get("next") is not None, repr(r))
    r = fcgi_request(srv.path, fcgi_params("GET", "/users",
                                           HTTP_AUTHORIZATION="Bearer " + ROOT_TOKEN))
    check(G, "... and not the previous one's", len((r.json() or {}).get("payload", [])) > 1,
          repr(r))
    case(G)
    r = fcgi_request(srv.path, fcgi_params("POST", "/users",
                                           HTTP_AUTHORIZATION="Bearer " + ROOT_TOKEN,
                                           CONTENT_TYPE="application/json",
                                           CONTENT_LENGTH="70000"), b"")
    check(G, "413 in FastCGI mode", r.status == 413, repr(r))
    r = fcgi_request(srv.path, fcgi_params("GET", "/users",
                                           HTTP_AUTHORIZATION="Bearer " + ROOT_TOKEN))
    check(G, "the process still serves after a refused body", r.status == 200, repr(r))
    case(G)
    body = json.dumps({"username": "root", "password": PW}).encode()
    r = fcgi_request(lgn.path, fcgi_params("POST", "/login", CONTENT_TYPE="application/json",
                                           CONTENT_LENGTH=str(len(body))), body)
    ck = r.cookie("session")
    check(G, "login over FastCGI sets a session", r.status == 200 and ck is not None, repr(r))
    r = fcgi_request(lgn.path, fcgi_params("GET", "/login", HTTP_COOKIE="session=" + (ck or "")))
    check(G, "the session identifies", r.status == 200, repr(r))
    r = fcgi_request(lgn.path, fcgi_params("GET", "/login"))
    check(G, "the next anonymous request is anonymous", r.status == 401, repr(r))
    check(G, "one process served them all", srv.proc.poll() is None and
          lgn.proc.poll() is None and srv.proc.pid == pid)
    for s in (srv, lgn):
        with open("/proc/%d/status" % s.proc.pid) as f:
            mode = [ln.split()[1] for ln in f if ln.startswith("Seccomp:")]
        check(G, "the FastCGI worker is sandboxed (Seccomp: 2)", mode == ["2"], repr(mode))
finally:
    srv.stop()
    lgn.stop()

# ---- unavailable: broken settings, lost database ----------------------------
G = "unavailable"

for path in ("/user/admin", "/users", "/login", "/logout", "/users/new", "/nowhere"):
    case(G)
    r = run("GET", path, bearer=ROOT_TOKEN, env={"FIELD_KEYS": None})
    check(G, "no FIELD_KEYS: %s 503" % path, r.status == 503 and
          r.json() == {"error": "service unavailable"} and
          r.header("retry-after") is not None, repr(r))
case(G)
r = run("GET", "/users", env={"FIELD_KEYS": None})
check(G, "the reason is logged, naming the setting", "FIELD_KEYS" in r.stderr, r.stderr)
r = run("GET", "/users", env={"INDEX_KEY": "c2hvcnQ="})
check(G, "malformed INDEX_KEY: 503, key not logged", r.status == 503 and
      "c2hvcnQ" not in r.stderr and "INDEX_KEY" in r.stderr, r.stderr)
r = run("GET", "/healthz", env={"FIELD_KEYS": None})
check(G, "healthz with broken settings 503 unavailable", r.status == 503 and
      r.json() == {"status": "unavailable"}, repr(r))

LOST = {"DATABASE_URL": "postgresql:///encdb?host=" +
        os.path.join(BUILD, "t", "routes", "no-such-socket-dir") + "&connect_timeout=2",
        "PGHOST": None, "PGPORT": None}
for method, path, kw in (("GET", "/user/admin", {"bearer": ROOT_TOKEN}),
                         ("GET", "/users", {"bearer": ROOT_TOKEN}),
                         ("POST", "/login", {"body": {"username": "bob", "password": "x"}}),
                         ("GET", "/login", {"cookie": AC})):
    case(G)
    r = run(method, path, env=LOST, **kw)
    check(G, "database lost: %s %s 503 + Retry-After" % (method, path), r.status == 503 and
          r.header("retry-after") is not None and
          isinstance((r.json() or {}).get("error"), str), repr(r))
case(G)
r = run("GET", "/healthz", env=LOST)
check(G, "healthz without database 503", r.status == 503 and
      r.json() == {"status": "unavailable"} and r.header("retry-after") is not None, repr(r))
case(G)
r = run("GET", "/users", env=LOST, cookie=AC, accept=HTML)
check(G, "database lost, browser: 503 error page + Retry-After", r.status == 503 and
      r.header("retry-after") is not None and "<h1>Service unavailable</h1>" in r.text(),
      repr(r))
case(G)
r = run("GET", "/nowhere", env=LOST)
check(G, "notfound needs no database", r.status == 404, repr(r))

# ---- sandbox: what a confined route may not do --------------------------------
G = "sandbox"
PROBE = "t/routes/sandbox-probe"
SIGSYS = 31

case(G)
r = run("GET", "/probe", query="do=status", prog=PROBE)
check(G, "a route runs under a seccomp filter (Seccomp: 2)",
      r.status == 200 and r.json() == {"seccomp": 2}, repr(r))
r = run("GET", "/probe", query="do=status", prog=PROBE, env={"SANDBOX": "off"})
check(G, "SANDBOX=off: no filter", r.status == 200 and r.json() == {"seccomp": 0}, repr(r))
r = run("GET", "/probe", query="do=status", prog=PROBE, env={"SANDBOX": "maybe"})
check(G, "SANDBOX=maybe: 503, named in the log, still confined",
      r.status == 503 and "SANDBOX" in r.stderr, repr(r))
for what in ("exec", "fork"):
    case(G)
    r = run("GET", "/probe", query="do=" + what, prog=PROBE)
    check(G, "%s: the process is killed (SIGSYS), nothing answered" % what,
          r.exit == -SIGSYS and r.raw == b"", repr(r))
    r = run("GET", "/probe", query="do=" + what, prog=PROBE, env={"SANDBOX": "off"})
    # exec replaces the probe by /bin/true: it exits 0, answering nothing.
    check(G, "%s with SANDBOX=off: allowed" % what, r.exit == 0 and (
        r.raw == b"" if what == "exec" else "survived" in (r.json() or {})), repr(r))
case(G)
newfile = os.path.join(BUILD, "t", "routes", "sandbox-new-file")
if os.path.exists(newfile):
    os.unlink(newfile)
r = run("GET", "/probe", query="do=create&path=" + urllib.parse.quote(newfile), prog=PROBE)
check(G, "creating a file: killed (SIGSYS), no file", r.exit == -SIGSYS and
      not os.path.exists(newfile), repr(r))
r = run("GET", "/probe", query="do=create&path=" + urllib.parse.quote(newfile), prog=PROBE,
        env={"SANDBOX": "off"})
check(G, "creating a file with SANDBOX=off: allowed", r.status == 200 and
      os.path.exists(newfile), repr(r))
if os.path.exists(newfile):
    os.unlink(newfile)

# ---- wipe: no key, password or decrypted email left in freed memory --------
# Every route process of a scripted session runs with t/libfreescan, which
# searches each block handed to free() for the secrets below. The keys and
# SECRET_KEY come from a CONFIG_FILE (its text, its values), emails are
# decrypted (v1 and the boilerplate's legacy row) and shown as JSON and
# HTML, a password is checked. A control needle (SQL text, which nobody
# wipes: freescan sees the block before the routes' free wipes it) proves
# the scanner works. Not under ASan, whose allocator the module would
# bypass.
G = "wipe"
SCAN = os.path.join(BUILD, "t", ".libs", "libfreescan.so")
asan = b"libasan" in subprocess.run(["ldd", os.path.join(BUILD, "cgi-bin", ".libs", "user")],
                                    capture_output=True).stdout
if asan or not os.path.exists(SCAN):
    print("# wipe: skipped (%s)" % ("ASan build" if asan else "no " + SCAN))
else:
    case(G)
    conf = os.path.join(BUILD, "t", "routes", "wipe.conf")
    fkey, ikey = BASE["FIELD_KEYS"].split(":", 1)[1], BASE["INDEX_KEY"]
    with open(conf, "w") as f:
        f.write("# keys for the wipe test\nFIELD_KEYS=%s\nINDEX_KEY=%s\n"
                "SECRET_KEY=changeme1\nPOSTGRES_SECRET_KEY=changeme2\n"
                % (BASE["FIELD_KEYS"], ikey))
    os.chmod(conf, 0o600)
    log = os.path.join(BUILD, "t", "routes", "wipe.log")
    if os.path.exists(log):
        os.unlink(log)
    needles = [fkey, ikey, "changeme1", "changeme2", PW,
               "bob@example.com", "carol@example.com", "admin@example.com"]
    WENV = {"FIELD_KEYS": None, "INDEX_KEY": None, "SECRET_KEY": None,
            "POSTGRES_SECRET_KEY": None, "CONFIG_FILE": conf, "LD_PRELOAD": SCAN,
            "FREESCAN_NEEDLES": "\n".join(needles), "FREESCAN_LOG": log,
            "FREESCAN_ONLY": "/cgi-bin/"}
    sql("DELETE FROM public.login_attempts")
    steps = [
        run("GET", "/user/bob", bearer=ROOT_TOKEN, env=WENV),
        run("GET", "/user/admin", bearer=ROOT_TOKEN, env=WENV),
        run("GET", "/user/carol", bearer=ROOT_TOKEN, accept=HTML, env=WENV),
        run("GET", "/users", bearer=ROOT_TOKEN, query="limit=50", env=WENV),
        run("GET", "/users", cookie=AC, accept=HTML, env=WENV),
        run("POST", "/login", body={"username": "root", "password": PW}, env=WENV),
        run("POST", "/login", body={"username": "root", "password": PW + "x"}, env=WENV),
        run("PATCH", "/user/carol", bearer=ROOT_TOKEN,
            body={"email": "carol@example.com"}, env=WENV),
    ]
    check(G, "the scripted session ran (200, 200, 200, 200, 200, 200, 401, 200)",
          [r.status for r in steps] == [200, 200, 200, 200, 200, 200, 401, 200] and
          b"bob@example.com" in steps[0].body and b"admin@example.com" in steps[1].body,
          repr([r.status for r in steps]))
    lines = []
    if os.path.exists(log):
        with open(log) as f:
            lines = f.read().splitlines()
    scans = [int(ln.split()[1]) for ln in lines if ln.startswith("scanned ")]
    check(G, "the scanner ran in each route process and saw blocks freed",
          len(scans) == len(steps) and min(scans or [0]) > 0, repr(scans))
    bad = sorted(set(ln.split(" in ")[0] for ln in lines if ln.startswith("needle ")))
    check(G, "no key, SECRET_KEY, passphrase, password or email in freed memory",
          not bad, "%r (needles: 1 field key, 2 index key, 3 SECRET_KEY, "
          "4 POSTGRES_SECRET_KEY, 5 password, 6-8 emails)" % bad)
    # The control: a program that frees a needle unwiped is reported.
    os.unlink(log)
    cenv = {k: v for k, v in WENV.items() if v is not None}
    cenv.update({"FREESCAN_ONLY": "/freescan-control", "PATH": BASE["PATH"]})
    subprocess.run([os.path.join(BUILD, "t", "freescan-control")], env=cenv, timeout=60)
    with open(log) if os.path.exists(log) else open(os.devnull) as f:
        ctl = f.read()
    check(G, "control: a needle freed unwiped is reported", "needle 1 in a freed" in ctl,
          repr(ctl))
    os.unlink(conf)
    sql("DELETE FROM public.login_attempts")

# ---- report ------------------------------------------------------------------
print("\n# cases and checks per group")
for g in ("shapes", "matrix", "auth", "html", "pages", "strict", "fastcgi", "unavailable",
          "sandbox", "wipe"):
    print("# %-12s %3d cases %4d checks" % (g, cases[g], counts[g]))
print("# total        %3d cases %4d checks, %d failed" % (
    sum(cases.values()), sum(counts.values()), len(failed)))
if failed:
    print("# FAILED:\n#   " + "\n#   ".join(failed))
    sys.exit(1)
sys.exit(0)
