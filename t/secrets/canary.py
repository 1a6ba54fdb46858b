#!/usr/bin/env python3
"""t/secrets/canary.py -- the secrets canary of t/secrets.pg (Apache) and
t/secrets/lighttpd.pg.

    canary.py proxy LISTEN_PORT TARGET_PORT WIRE_LOG
        a recording TCP proxy on 127.0.0.1: every byte the server sends
        back is appended to WIRE_LOG (one connection after another).
    canary.py requests BASE_URL ADMIN_PW USER_PW WRONG_PW
        canary traffic: create the canary user, log in as it (JSON and
        form), fail logins with the wrong canary password, send the
        canary password and email where they are invalid, log out.
The search of the recorded answers and the logs is t/secrets/scan.py.
"""
import json
import re
import socket
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request


def proxy(listen_port, target_port, wire_log):
    lock = threading.Lock()
    out = open(wire_log, "ab")

    def pump(src, dst, record):
        try:
            while True:
                b = src.recv(65536)
                if not b:
                    break
                if record:
                    with lock:
                        out.write(b)
                        out.flush()
                dst.sendall(b)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def serve(c):
        try:
            s = socket.create_connection(("127.0.0.1", target_port))
        except OSError:
            c.close()
            return
        t = threading.Thread(target=pump, args=(c, s, False), daemon=True)
        t.start()
        pump(s, c, True)
        t.join(30)
        with lock:
            out.write(b"\n\x00==== connection end\n")
            out.flush()
        c.close()
        s.close()

    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(listen_port)))
    ls.listen(64)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def call(base, method, path, body=None, ctype="application/json",
         headers=None, jar=None):
    h = dict(headers or {})
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else body
        h["Content-Type"] = ctype
    if jar:
        h["Cookie"] = jar
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def requests(base, admin_pw, user_pw, wrong_pw):
    email = "canary.user.5b1e@example.net"
    # Admin session (JSON login).
    st, hd, _ = call(base, "POST", "/login", json.dumps(
        {"username": "admin", "password": admin_pw}))
    cookie = (hd.get("Set-Cookie") or "").split(";")[0]
    st2, _, b = call(base, "GET", "/users/new", headers={"Accept": "text/html"}, jar=cookie)
    m = re.search(rb'name="csrf" value="([^"]+)"', b)
    csrf = m.group(1).decode() if m else ""
    hx = {"X-CSRF-Token": csrf}
    print("admin login %d, form %d" % (st, st2))
    # The canary user: created, read, listed, looked up by email.
    st, _, _ = call(base, "POST", "/users", json.dumps(
        {"username": "canaryuser", "email": email, "password": user_pw,
         "user_type": "user"}), headers=hx, jar=cookie)
    print("create canaryuser %d" % st)
    for path in ("/user/canaryuser", "/users?email=" + urllib.parse.quote(email),
                 "/users?prefix=canary"):
        print("GET %s %d" % (path, call(base, "GET", path, jar=cookie)[0]))
    # Duplicates and invalid input carrying the canaries.
    for body in (
        {"username": "canaryuser", "email": email, "password": user_pw, "user_type": "user"},
        {"username": "canary2", "email": email, "password": user_pw, "user_type": "user"},
        {"username": "canary3", "email": email, "password": "short", "user_type": "user"},
        {"username": "canary4", "email": "not-an-email " + user_pw, "password": user_pw, "user_type": "user"},
        {"username": "canary5", "email": email, "password": user_pw, "user_type": "root"},
    ):
        st, _, _ = call(base, "POST", "/users", json.dumps(body), headers=hx, jar=cookie)
        print("create (bad) %d" % st)
    st, _, _ = call(base, "POST", "/users", urllib.parse.urlencode(
        {"username": "canary6", "email": email, "password": user_pw,
         "user_type": "user", "csrf": csrf}),
        ctype="application/x-www-form-urlencoded",
        headers={"Accept": "text/html"}, jar=cookie)
    print("create (form, dup) %d" % st)
    # Logins: right and wrong, JSON and form, unknown user.
    for u, p in (("canaryuser", user_pw), ("canaryuser", wrong_pw),
                 ("nobody-canary", wrong_pw), ("canaryuser", user_pw)):
        st, hd, _ = call(base, "POST", "/login", json.dumps({"username": u, "password": p}))
        print("login %s %d" % (u, st))
    st, hd, _ = call(base, "POST", "/login", urllib.parse.urlencode(
        {"username": "canaryuser", "password": wrong_pw}),
        ctype="application/x-www-form-urlencoded", headers={"Accept": "text/html"})
    print("login form wrong %d" % st)
    st, hd, _ = call(base, "POST", "/login", json.dumps(
        {"username": "canaryuser", "password": user_pw}))
    ucookie = (hd.get("Set-Cookie") or "").split(";")[0]
    # The user changes their password (wrong current one first), reads self.
    st, _, _ = call(base, "GET", "/user/canaryuser", jar=ucookie)
    print("self GET %d" % st)
    # Admin changes the email (re-encryption), then logs out.
    st, _, _ = call(base, "PATCH", "/user/canaryuser", json.dumps(
        {"email": "canary.changed.5b1e@example.net"}), headers=hx, jar=cookie)
    print("admin PATCH email %d" % st)
    st, _, _ = call(base, "POST", "/logout", "", headers=hx, jar=cookie)
    print("logout %d" % st)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "proxy":
        proxy(*sys.argv[2:5])
    elif cmd == "requests":
        requests(*sys.argv[2:6])
