#!/usr/bin/env python3
"""t/faults/flows.py -- a mixed load of complete user flows, every answer
checked against the status it must have (t/faults/pgbouncer.pg).

    flows.py run BASE_URL TOKEN SECONDS THREADS TAG OUT

THREADS threads, each repeating one flow for SECONDS over keep-alive
connections, with the admin's API token:

    POST /users (201)            a new user <TAG>t<thread>n<n>
    GET /user/<name> (200)       the created user, email decrypted, its
                                 created_at ending in FLOWS_TZ_SUFFIX
                                 (default +00:00, the routes' TIME_ZONE)
    PATCH /user/<name> (200/204)     a new email (re-encryption, new blind index)
    GET /users?email=<new> (200) the blind-index lookup finds exactly it
    GET /users?limit=20 (200)    a page of the list
    POST /login (200/204)          as the new user, its password (Argon2id)
    GET /user/admin (200)
    DELETE /user/<name> (200/204)    every fourth flow; else it stays
    GET /user/<name> (404)       after a delete

Any other status, a connection error, a body that is not the JSON the
answer should carry, or a wrong email after decryption is an error. One
line per request goes to OUT ("start end status ok step"); the summary is
printed and its last line reads
    FLOWS requests=N errors=N rps=R p50_ms=X p99_ms=X kept=N
The names of users that must still exist (created, not deleted) are
written to OUT.kept. Exit 0 when errors=0, 1 otherwise.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

# The offset every timestamp must carry (the routes' TIME_ZONE, default
# UTC), whatever the time zone of the PostgreSQL connection a pooler hands
# out.
TZ_SUFFIX = os.environ.get("FLOWS_TZ_SUFFIX", "+00:00")


class Client:
    """One keep-alive HTTP connection, reopened after an error."""

    def __init__(self, host, port, token):
        self.host, self.port, self.token = host, port, token
        self.conn = None

    def call(self, method, path, body=None):
        h = {"Authorization": "Bearer " + self.token}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        t0 = time.time()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=30)
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
            raw = r.read()
            st = r.status
            ctype = r.getheader("Content-Type") or ""
            if (r.getheader("Connection") or "").lower() == "close":
                self.conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as e:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            return t0, time.time(), 0, None, type(e).__name__
        doc = None
        if ctype.startswith("application/json") and raw:
            try:
                doc = json.loads(raw)
            except ValueError:
                doc = None
        return t0, time.time(), st, doc, ""


def flow(cl, tid, n, tag, record, kept):
    """One flow; record(step, t0, t1, status, ok) for every request."""
    name = "%st%dn%d" % (tag, tid, n)
    email = name + "@example.com"
    email2 = name + ".b@example.org"
    pw = "Flow-pw-%d-%d" % (tid, n)

    def step(label, method, path, body, want, check=None):
        t0, t1, st, doc, err = cl.call(method, path, body)
        wants = want if isinstance(want, tuple) else (want,)
        ok = st in wants and (st == 204 or isinstance(doc, dict))
        if ok and check is not None:
            ok = bool(check(doc))
        record(label, t0, t1, st, ok, err)
        return ok

    if not step("create", "POST", "/users",
                {"username": name, "email": email, "password": pw,
                 "user_type": "user"}, 201):
        return
    q = urllib.parse.quote
    step("get", "GET", "/user/" + name, None, 200,
         lambda d: d.get("payload", {}).get("email") == email and
         d["payload"].get("created_at", "").endswith(TZ_SUFFIX))
    step("patch", "PATCH", "/user/" + name, {"email": email2}, (200, 204))
    step("by-email", "GET", "/users?email=" + q(email2), None, 200,
         lambda d: [u.get("username") for u in d.get("payload", [])] == [name])
    step("list", "GET", "/users?limit=20", None, 200,
         lambda d: isinstance(d.get("payload"), list) and len(d["payload"]) > 0)
    t0, t1, st, doc, err = cl.call("POST", "/login",
                                   {"username": name, "password": pw})
    record("login", t0, t1, st, st in (200, 204), err)
    step("get-admin", "GET", "/user/admin", None, 200,
         lambda d: d.get("payload", {}).get("username") == "admin")
    if n % 4 == 0:
        if step("delete", "DELETE", "/user/" + name, None, (200, 204)):
            step("gone", "GET", "/user/" + name, None, 404)
    else:
        kept.append(name)


def run(base, token, seconds, threads, tag, out):
    u = urllib.parse.urlsplit(base)
    end = time.time() + float(seconds)
    lock = threading.Lock()
    rows = []
    kept = []
    f = open(out, "w")

    def worker(tid):
        cl = Client(u.hostname, u.port, token)
        mine = []

        def record(label, t0, t1, st, ok, err):
            with lock:
                rows.append((t1 - t0, ok))
                f.write("%.3f %.3f %d %d %s %s\n"
                        % (t0, t1, st, int(ok), label, err or "-"))
        n = 0
        while time.time() < end:
            n += 1
            flow(cl, tid, n, tag, record, mine)
        with lock:
            kept.extend(mine)

    ts = [threading.Thread(target=worker, args=(i,))
          for i in range(int(threads))]
    t_start = time.time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.time() - t_start
    f.close()
    with open(out + ".kept", "w") as k:
        k.write("".join(n + "\n" for n in kept))
    lat = sorted(r[0] for r in rows)
    errors = sum(1 for r in rows if not r[1])

    def pct(p):
        if not lat:
            return 0.0
        return lat[min(len(lat) - 1, int(len(lat) * p / 100.0))] * 1000.0
    by_step = {}
    for line in open(out):
        parts = line.split()
        s = by_step.setdefault(parts[4], [0, 0])
        s[0] += 1
        s[1] += 1 - int(parts[3])
    print("# steps: " + ", ".join("%s %d (%d bad)" % (k, v[0], v[1])
                                   for k, v in sorted(by_step.items())))
    print("FLOWS requests=%d errors=%d rps=%.1f p50_ms=%.1f p99_ms=%.1f kept=%d"
          % (len(rows), errors, len(rows) / elapsed if elapsed else 0.0,
             pct(50), pct(99), len(kept)))
    return 0 if errors == 0 and rows else 1


if __name__ == "__main__":
    if len(sys.argv) != 8 or sys.argv[1] != "run":
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(run(*sys.argv[2:8]))
