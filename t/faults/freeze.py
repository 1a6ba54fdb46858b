#!/usr/bin/env python3
"""t/faults/freeze.py -- probes of t/faults/freeze.pg.

    freeze.py probe BASE_URL TOKEN SECONDS LIMIT OUT
        one request after another for SECONDS (GET /user/admin, GET
        /users, GET /healthz, POST /users in turn, with the admin's
        token); each must be a 503 JSON answer {"error": ...} within LIMIT
        seconds (/healthz: {"status": ...}). One line per request to OUT ("start secs status ok
        path"). Prints the counts and the worst latency; exit 1 on a
        failed check.
    freeze.py crowd BASE_URL TOKEN SECONDS CLIENTS LIMIT
        the same requests from CLIENTS clients at once (more than the
        FastCGI processes of a route: requests queue in the web server
        behind ones that wait for a timeout); prints the counts, the share
        slower than LIMIT and the worst latency. A figure, not a check:
        exit 0 unless no request was answered.
    freeze.py recover BASE_URL TOKEN MAXSECS
        GET /user/admin every 0.05 s until it answers 200 (at most
        MAXSECS); prints the seconds it took; exit 1 if it never did.
"""
import http.client
import json
import sys
import time
import urllib.parse


def one(u, method, path, token, body=None, timeout=30):
    t0 = time.time()
    try:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        h = {"Authorization": "Bearer " + token}
        if body is not None:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        st = r.status
        ctype = r.getheader("Content-Type") or ""
        c.close()
    except (OSError, http.client.HTTPException) as e:
        return t0, time.time() - t0, 0, False, type(e).__name__
    ok = False
    if ctype.startswith("application/json"):
        try:
            doc = json.loads(data)
            # {"error": ...}; /healthz answers {"status": ...}.
            ok = isinstance(doc, dict) and (
                isinstance(doc.get("error"), str) or
                (path == "/healthz" and isinstance(doc.get("status"), str)))
        except ValueError:
            pass
    return t0, time.time() - t0, st, ok, ""


def probe(base, token, seconds, limit, out):
    u = urllib.parse.urlsplit(base)
    end = time.time() + float(seconds)
    limit = float(limit)
    worst = 0.0
    n = bad = slow = 0
    reqs = [("GET", "/user/admin", None), ("GET", "/users", None),
            ("GET", "/healthz", None),
            ("POST", "/users", json.dumps({"username": "frozen",
                                           "email": "frozen@example.com",
                                           "password": "Frozen-pw-1",
                                           "user_type": "user"}))]
    with open(out, "w") as f:
        while time.time() < end:
            m, p, b = reqs[n % len(reqs)]
            n += 1
            t0, secs, st, ok, err = one(u, m, p, token, b)
            worst = max(worst, secs)
            good = st == 503 and ok
            bad += not good
            slow += secs > limit
            f.write("%.3f %.3f %d %d %s%s\n" % (t0, secs, st, int(ok), p,
                                                " " + err if err else ""))
    print("# frozen %ss: %d requests, %d not a 503 JSON, %d slower than "
          "%.1f s; worst latency %.2f s" % (seconds, n, bad, slow, limit, worst))
    ok = n > 0 and bad == 0 and slow == 0
    print("%s - PostgreSQL frozen: every answer a 503 JSON within %.1f s "
          "(worst %.2f s)" % ("ok" if ok else "not ok", limit, worst))
    return 0 if ok else 1


def crowd(base, token, seconds, clients, limit):
    import threading
    u = urllib.parse.urlsplit(base)
    end = time.time() + float(seconds)
    limit = float(limit)
    lock = threading.Lock()
    lat = []
    bad = [0]

    def worker(i):
        paths = ["/user/admin", "/users", "/healthz"]
        n = i
        while time.time() < end:
            p = paths[n % 3]
            n += 1
            _, secs, st, ok, _ = one(u, "GET", p, token, timeout=60)
            with lock:
                lat.append(secs)
                bad[0] += not (st == 503 and ok)

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(int(clients))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat.sort()
    slow = sum(1 for x in lat if x > limit)
    print("# FIGURES freeze, %s clients at once for %ss: %d requests, %d not "
          "a 503 JSON, %d (%.0f %%) slower than %.1f s, median %.2f s, "
          "worst %.2f s (not judged)"
          % (clients, seconds, len(lat), bad[0], slow,
             100.0 * slow / len(lat) if lat else 0, limit,
             lat[len(lat) // 2] if lat else 0, lat[-1] if lat else 0))
    return 0 if lat else 1


def recover(base, token, maxsecs):
    u = urllib.parse.urlsplit(base)
    t0 = time.time()
    while time.time() - t0 < float(maxsecs):
        _, _, st, _, _ = one(u, "GET", "/user/admin", token, timeout=10)
        if st == 200:
            print("%.2f" % (time.time() - t0))
            return 0
        time.sleep(0.05)
    print("-1")
    return 1


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "probe":
        sys.exit(probe(*sys.argv[2:7]))
    if len(sys.argv) == 7 and sys.argv[1] == "crowd":
        sys.exit(crowd(*sys.argv[2:7]))
    if len(sys.argv) == 5 and sys.argv[1] == "recover":
        sys.exit(recover(*sys.argv[2:5]))
    sys.stderr.write(__doc__)
    sys.exit(2)
