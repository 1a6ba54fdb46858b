#!/usr/bin/env python3
"""t/hostile/hostile.py -- send the hostile-input corpus to a running server.

    hostile.py BASE_URL TOKEN CORPUS PSQL_SNAPSHOT_CMD LOGDIR

Every request of CORPUS (t/hostile/requests.tsv: one per line, format in
that file) is written as raw bytes on a fresh TCP connection, so that
headers, lengths and bodies are exactly what the line says (no HTTP
library to tidy them up), and the whole answer is read until the server
closes the connection (Connection: close) or 10 s pass.

Figures printed and checked (exit 1 if any is not 0):
  - 5xx answers (503 included: the database is up);
  - answers outside the line's expected status class;
  - hangs (no answer, no close within 10 s) where an answer was expected;
  - unescaped reflections: a payload marker (<script, <img, onerror=,
    "><, javascript:, X-Injected...) found raw in any answer's headers
    or body;
  - rows changed: the users, sessions (minus last_seen) and api_tokens
    (minus last_used_at) contents hashed before and after the requests
    marked "changes nothing" -- the hash must not move.
Worker crashes are counted by t/hostile.pg from the server log and the
FastCGI process ids. Each exchange is logged to LOGDIR/exchanges.log.
"""
import json
import re
import socket
import subprocess
import sys
import time

TIMEOUT = 10.0
# Payload markers that must never come back raw in an HTML (or any
# non-JSON) body: each starts a tag or breaks out of an attribute. (Text
# like "onerror=alert(1)" is harmless once its "<" is escaped, and a
# javascript: string is harmless in a value attribute, so those count only
# in a URL attribute: JS_URL.)
MARKERS = [b"<script", b"<img", b"<svg", b"\"><", b"'><"]
JS_URL = re.compile(rb"(href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.I)
# In a header block, nothing a payload carried may appear at all.
HDR_MARKERS = MARKERS + [b"\r\nx-injected", b"javascript:", b"onerror="]


def unescape(field):
    """Backslash escapes (\\r \\n \\t \\xNN \\\\) to bytes."""
    return field.encode("ascii").decode("unicode_escape").encode("latin-1")


def expand(b, ctx):
    """{NAME} placeholders and {R:N:TEXT} repeats."""
    def rep(m):
        return m.group(2) * int(m.group(1))
    b = re.sub(rb"\{R:(\d+):([^}]*)\}", rep, b)
    for k, v in ctx.items():
        b = b.replace(b"{" + k.encode() + b"}", v)
    return b


def load(path, ctx):
    reqs = []
    for n, line in enumerate(open(path, encoding="ascii"), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) != 7:
            sys.exit("%s:%d: want 7 tab-separated fields, got %d" % (path, n, len(f)))
        name, expect, changes, auth, reqline, headers, body = f
        reqline = expand(unescape(reqline), ctx)
        headers = expand(unescape(headers), ctx)
        body = expand(unescape(body), ctx)
        if reqline.startswith(b"RAW "):
            raw = reqline[4:] + headers + body
        else:
            h = b"Host: " + ctx["HOST"] + b"\r\nConnection: close\r\n"
            if auth == "bearer":
                h += b"Authorization: Bearer " + ctx["TOKEN"] + b"\r\n"
            h += headers
            if body and b"content-length:" not in headers.lower():
                h += b"Content-Length: %d\r\n" % len(body)
            raw = reqline + b" HTTP/1.1\r\n" + h + b"\r\n" + body
        reqs.append((n, name, expect.split("|"), changes == "0", raw))
    return reqs


def exchange(host, port, raw):
    """Send raw, read until close. Returns (status or None, bytes, hung)."""
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    out = b""
    hung = False
    try:
        try:
            s.sendall(raw)
            # The whole request is out: the server sees EOF after it, so
            # a short body cannot keep it waiting for more.
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                hung = True
                break
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        else:
            hung = True
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", out)
    return (int(m.group(1)) if m else None), out, hung


def answers(out):
    """(status, header block) of every HTTP answer in out."""
    res = []
    for m in re.finditer(rb"HTTP/1\.[01] (\d{3})", out):
        end = out.find(b"\r\n\r\n", m.start())
        res.append((m.group(1), out[m.start():end if end >= 0 else len(out)]))
    return res


def reflections(out):
    """Payload markers that came back unescaped; [] when none."""
    found = []
    end = out.find(b"\r\n\r\n")
    head = out[:end] if end >= 0 else out
    body = out[end + 4:] if end >= 0 else b""
    for mk in HDR_MARKERS:
        if mk in head.lower():
            found.append("%r in the response headers" % mk.decode())
    ctype = re.search(rb"(?im)^content-type:\s*([^;\r\n]*)", head)
    chunked = re.search(rb"(?im)^transfer-encoding:\s*chunked", head)
    if ctype and ctype.group(1).strip().lower() == b"application/json":
        # JSON is encoded, not escaped: it must parse, that is all.
        if body and not chunked:
            try:
                json.loads(body.split(b"HTTP/1.", 1)[0])
            except ValueError:
                found.append("a JSON body that does not parse")
        return found
    for mk in MARKERS:
        if mk in body:
            found.append("unescaped %r in the body" % mk.decode())
    if JS_URL.search(body):
        found.append("a javascript: URL in an attribute")
    return found


def klass(status):
    if status is None:
        return "none"
    return "%dxx" % (status // 100)


def snapshot(cmd):
    return subprocess.run(cmd, shell=True, check=True, capture_output=True).stdout.strip()


def main():
    base, token, corpus, snapcmd, logdir = sys.argv[1:6]
    m = re.match(r"http://([^:/]+):(\d+)", base)
    host, port = m.group(1), int(m.group(2))
    ctx = {"HOST": ("%s:%d" % (host, port)).encode(), "TOKEN": token.encode()}
    reqs = load(corpus, ctx)
    log = open(logdir + "/exchanges.log", "wb")

    five = wrong = hangs = refl = server5 = 0
    counted = {}
    before = snapshot(snapcmd)
    quiet = [r for r in reqs if r[3]]
    loud = [r for r in reqs if not r[3]]
    changed = 0
    for phase, batch in (("changes-nothing", quiet), ("may-change", loud)):
        for n, name, expect, _, raw in batch:
            t0 = time.time()
            status, out, hung = exchange(host, port, raw)
            took = time.time() - t0
            k = klass(status)
            log.write(b"==== line %d %s\n>>>> %d bytes\n%s\n<<<< %d bytes\n%s\n" % (
                n, name.encode(), len(raw), raw[:2000], len(out), out[:4000]))
            problems = []
            # Every answer on the connection counts (pipelined extras too).
            for st, head in answers(out):
                if not st.startswith(b"5"):
                    continue
                if st in (b"501", b"505") and b"content-security-policy" not in head.lower():
                    # lighttpd's own protocol-level answer (unknown method,
                    # HTTP version): our routes always send a CSP header.
                    server5 += 1
                    k = "srv5xx"
                    continue
                five += 1
                problems.append("5xx (%s)" % st.decode())
            if hung and "none" not in expect:
                hangs += 1
                problems.append("no answer within %ds" % TIMEOUT)
            if k not in expect:
                wrong += 1
                problems.append("status class %s, expected %s" % (k, "|".join(expect)))
            for p in reflections(out):
                refl += 1
                problems.append(p)
            counted[k] = counted.get(k, 0) + 1
            print("%s - %03d %-34s -> %s %.2fs%s" % (
                "not ok" if problems else "ok", n, name, status, took,
                (": " + "; ".join(problems)) if problems else ""))
        if phase == "changes-nothing":
            after = snapshot(snapcmd)
            changed = 0 if after == before else 1
            print("%s - the %d requests that change nothing left users, sessions "
                  "and api_tokens as they were" % ("ok" if not changed else "not ok", len(quiet)))

    print("# hostile corpus: %d requests (%d that must change nothing)" % (len(reqs), len(quiet)))
    print("# answers by class: %s" % ", ".join("%s=%d" % kv for kv in sorted(counted.items())))
    print("# FIGURES: 5xx=%d wrong-class=%d hangs=%d unescaped-reflections=%d "
          "tables-changed=%d (web server's own 501/505 to non-HTTP/1.x "
          "request lines: %d)" % (five, wrong, hangs, refl, changed, server5))
    return 1 if (five or wrong or hangs or refl or changed) else 0


if __name__ == "__main__":
    sys.exit(main())
