#!/usr/bin/env python3
"""t/valgrind-fcgi.py -- a FastCGI 1.0 client for t/valgrind-fcgi.pg.

    valgrind-fcgi.py spawn SOCKET PROGRAM [ARGS...]
        bind a Unix socket, make it file descriptor 0 (where a FastCGI
        application finds its listening socket) and exec PROGRAM.
    valgrind-fcgi.py load SOCKET N TOKEN PIDFILE MARKS
        send N mixed requests (GET/POST/PATCH/DELETE, JSON and HTML, good
        and bad) to the /user route over SOCKET, one connection each;
        print a count per status; at each request number in MARKS
        (comma-separated) print the VmRSS (KiB) of the pid in PIDFILE.
        Exit 1 if a request got no answer or a 5xx.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgiclient  # noqa: E402 (t/fcgiclient.py)


def request(sock_path, params, body=b""):
    """One request on its own connection: (status, output), or (None,
    output) when no END_REQUEST came."""
    out, done = fcgiclient.exchange(sock_path, params, body)
    return (fcgiclient.status_of(out) if done else None), out


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def mix(i, token):
    """The i-th request of the mixed load: (params, body)."""
    base = {"SCRIPT_NAME": "/user", "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "localhost",
            "HTTP_AUTHORIZATION": "Bearer " + token}
    k = i % 10

    def p(method, path, **extra):
        d = dict(base)
        d.update({"REQUEST_METHOD": method, "PATH_INFO": path,
                  "REQUEST_URI": "/user" + path})
        d.update(extra)
        return d
    json_ct = {"CONTENT_TYPE": "application/json"}
    if k == 0:
        return p("GET", "/admin"), b""
    if k == 1:
        return p("GET", "/alice", HTTP_ACCEPT="text/html"), b""
    if k == 2:
        return p("GET", "/nobody-%d" % i), b""
    if k == 3:
        body = b'{"user_type": "%s"}' % (b"admin" if i % 20 < 10 else b"user")
        return p("PATCH", "/alice", CONTENT_LENGTH=str(len(body)), **json_ct), body
    if k == 4:
        body = b'{"email": "alice%d@example.com"}' % i
        return p("PATCH", "/alice", CONTENT_LENGTH=str(len(body)), **json_ct), body
    if k == 5:
        body = b'{"user_type": "root", "email": "not an email"}'
        return p("PATCH", "/alice", CONTENT_LENGTH=str(len(body)), **json_ct), body
    if k == 6:
        body = b'{"user_type": "a", "user_type": "b"}'
        return p("PATCH", "/alice", CONTENT_LENGTH=str(len(body)), **json_ct), body
    if k == 7:
        body = b"user_type=user"
        return p("POST", "/alice", CONTENT_LENGTH=str(len(body)),
                 CONTENT_TYPE="application/x-www-form-urlencoded"), body
    if k == 8:
        d = p("GET", "/admin", HTTP_ACCEPT="text/html")
        d["HTTP_AUTHORIZATION"] = "Bearer " + "A" * 43
        return d, b""
    body = b'{"email": "x@example.com"' + b" " * 100
    return p("PATCH", "/alice", CONTENT_LENGTH=str(len(body)), **json_ct), body


def main():
    if sys.argv[1] == "spawn":
        path = sys.argv[2]
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(16)
        os.dup2(s.fileno(), 0)
        s.close()
        os.execvp(sys.argv[3], sys.argv[3:])
    _, path, n, token, pidfile, marks = sys.argv[1:7]
    n = int(n)
    marks = {int(x) for x in marks.split(",") if x}
    pid = int(open(pidfile).read().split()[0])
    counts = {}
    bad = 0
    for i in range(1, n + 1):
        params, body = mix(i, token)
        status, _ = request(path, params, body)
        counts[status] = counts.get(status, 0) + 1
        if status is None or status >= 500:
            bad += 1
            print("request %d (%s %s): status %s" % (i, params["REQUEST_METHOD"],
                  params["PATH_INFO"], status))
        if i in marks:
            print("rss-after-%d %d" % (i, rss(pid)))
    print("requests %d by status: %s" % (n, ", ".join(
        "%s=%d" % (k, v) for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
