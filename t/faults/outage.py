#!/usr/bin/env python3
"""t/faults/outage.py -- load and probes for t/faults/outage.pg.

    outage.py load BASE_URL TOKEN SECONDS THREADS OUT
        mixed load (GET /user/admin, GET /users, POST /users creating
        users named f<run>-<thread>-<n>) for SECONDS with THREADS threads; one
        line per request to OUT: start end status json-ok kind name.
    outage.py analyse OUT DOWN_AT UP_AT
        figures for the PostgreSQL restart: errors outside the outage
        [DOWN_AT, UP_AT + 2 s] (must be 0), errors that are not 503 JSON
        (must be 0), recovery seconds (UP_AT to the first success after
        it). Prints the names of the 201-created users to created.txt
        next to OUT. Exit 1 on a failed check.
    outage.py probe BASE_URL TOKEN SECONDS OUT
        while PostgreSQL is down: requests one after another for SECONDS;
        each must be a 503 JSON; prints the worst latency.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def one(host, port, method, path, token, body=None, timeout=15):
    t0 = time.time()
    try:
        c = http.client.HTTPConnection(host, port, timeout=timeout)
        h = {"Authorization": "Bearer " + token, "Connection": "close"}
        if body is not None:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        status = r.status
        ctype = r.getheader("Content-Type") or ""
        c.close()
    except Exception as e:  # connection refused, reset, timeout
        return t0, time.time(), 0, False, str(e)
    ok = False
    if ctype.startswith("application/json"):
        try:
            doc = json.loads(data)
            ok = isinstance(doc, dict)
        except ValueError:
            pass
    return t0, time.time(), status, ok, ""


def load(base, token, seconds, threads, out):
    u = urllib.parse.urlsplit(base)
    start = time.time()
    end = start + float(seconds)
    lock = threading.Lock()
    f = open(out, "w")
    tag = "%x" % (int(time.time() * 1000) % 0xfffff)  # unique per run

    def worker(tid):
        n = 0
        while time.time() < end:
            n += 1
            k = n % 4
            name = "-"
            if k == 0:
                name = "f%s-%d-%d" % (tag, tid, n)
                body = json.dumps({"username": name, "email": name + "@example.com",
                                   "password": "password123", "user_type": "user"})
                r = one(u.hostname, u.port, "POST", "/users", token, body)
                kind = "create"
            elif k == 1:
                r = one(u.hostname, u.port, "GET", "/users?limit=5", token)
                kind = "list"
            else:
                r = one(u.hostname, u.port, "GET", "/user/admin", token)
                kind = "get"
            with lock:
                f.write("%.3f %.3f %d %d %s %s\n" % (r[0], r[1], r[2], int(r[3]), kind, name))
                f.flush()

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(int(threads))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def analyse(out, down_at, up_at):
    down_at, up_at = float(down_at), float(up_at)
    rows = [l.split() for l in open(out)]
    total = len(rows)
    outside = not503 = errors = 0
    first_ok_after = None
    created = []
    for s, e, st, ok, kind, name in rows:
        s, e, st, ok = float(s), float(e), int(st), int(ok)
        good = 200 <= st < 300
        if good and kind == "create" and st == 201:
            created.append(name)
        if good:
            if s >= up_at and (first_ok_after is None or e < first_ok_after):
                first_ok_after = e
            continue
        errors += 1
        # An error counts as inside the outage if the request overlapped it.
        if e < down_at or s > up_at + 2.0:
            outside += 1
        if not (st == 503 and ok):
            not503 += 1
    rec = (first_ok_after - up_at) if first_ok_after else -1
    with open(out.rsplit("/", 1)[0] + "/created.txt", "w") as f:
        f.write("\n".join(created) + ("\n" if created else ""))
    print("# restart: %d requests, %d errors (%d outside the outage + 2 s, %d not 503 JSON), "
          "recovery %.2f s after PostgreSQL was back, %d users created (201)"
          % (total, errors, outside, not503, rec, len(created)))
    bad = outside or not503 or rec < 0 or rec > 2.0
    print("%s - restart: errors only during the outage, all 503 JSON, recovered within 2 s"
          % ("not ok" if bad else "ok"))
    return 1 if bad else 0


def probe(base, token, seconds, out):
    u = urllib.parse.urlsplit(base)
    end = time.time() + float(seconds)
    worst = 0.0
    n = bad = 0
    paths = ["/user/admin", "/users", "/healthz"]
    with open(out, "w") as f:
        while time.time() < end:
            p = paths[n % 3]
            n += 1
            s, e, st, ok, err = one(u.hostname, u.port, "GET", p, token)
            worst = max(worst, e - s)
            f.write("%.3f %.3f %d %d %s %s\n" % (s, e, st, ok, p, err))
            if not (st == 503 and ok):
                bad += 1
    print("# PostgreSQL down %ss: %d requests, %d not 503 JSON, worst latency %.2f s"
          % (seconds, n, bad, worst))
    return bad, worst


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "load":
        load(*sys.argv[2:7])
    elif cmd == "analyse":
        sys.exit(analyse(*sys.argv[2:5]))
    elif cmd == "probe":
        bad, worst = probe(*sys.argv[2:6])
        limit = float(sys.argv[6]) if len(sys.argv) > 6 else 4.0
        ok = bad == 0 and worst <= limit
        print("%s - database down: every answer a 503 JSON within %.1f s (worst %.2f s)"
              % ("ok" if ok else "not ok", limit, worst))
        sys.exit(0 if ok else 1)
