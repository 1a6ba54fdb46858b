#!/usr/bin/env python3
"""t/faults/signals.py -- how a FastCGI route process ends on a signal
(for t/faults/signals.pg).

    signals.py DIR PROGRAM USERNAME PASSWORD

PROGRAM (the login route) is spawned the way lighttpd and mod_fcgid spawn
it -- its listening Unix socket (DIR/sock-N) as file descriptor 0 -- and
kept as our child, so that its exit status is known exactly. A login
(Argon2id, the slowest request there is) is timed first, then:

  1. SIGTERM while idle (blocked in accept): the process must exit with
     status 0 within 5 s.
  2. SIGTERM in the middle of a login (sent at a third of its measured
     time, and confirmed in flight: the answer, if any, comes after the
     signal): the request in flight must be answered in full (FastCGI
     END_REQUEST, HTTP status 200) or not started, and the process must
     then exit with status 0 -- a web server stopping or recycling a
     worker must not cut a request.
  3. SIGKILL in the middle of a login -- the control: the answer is cut
     (no END_REQUEST) and the status is -9, so the checks above can see a
     cut request and a killed process.

Prints one line per case and "# FIGURES signals: ..."; exit 1 if case 1 or
2 fails, 2 if the control does not behave as it must (a broken harness).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import fcgiclient  # noqa: E402 (t/fcgiclient.py)


def login_request(user, password):
    body = json.dumps({"username": user, "password": password}).encode()
    params = {"REQUEST_METHOD": "POST", "REQUEST_URI": "/login",
              "SCRIPT_NAME": "/login", "PATH_INFO": "",
              "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
              "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "127.0.0.1",
              "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
              "HTTP_ACCEPT": "application/json",
              "CONTENT_TYPE": "application/json",
              "CONTENT_LENGTH": str(len(body))}
    return fcgiclient.request(params, body)


class Answer:
    """What came back for one request: stdout bytes, END_REQUEST seen,
    the HTTP status from the Status header, the time it completed."""

    def __init__(self):
        self.out = b""
        self.ended = False
        self.status = 0
        self.t_end = None
        self.error = ""


def exchange(path, msg, ans):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)

    def stdout(content):
        ans.out += content

    try:
        s.connect(path)
        s.sendall(msg)
        ans.ended = fcgiclient.receive(s, stdout)
    except OSError as e:
        ans.error = type(e).__name__
    finally:
        s.close()
    ans.t_end = time.time()
    if ans.ended and ans.out:
        ans.status = fcgiclient.status_of(ans.out)


class Worker:
    n = 0

    def __init__(self, d, program):
        Worker.n += 1
        self.path = os.path.join(d, "sock-%d" % Worker.n)
        if os.path.exists(self.path):
            os.unlink(self.path)
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(self.path)
        ls.listen(16)
        self.proc = subprocess.Popen([program], stdin=ls.fileno(),
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(
                                         d, "worker-%d.log" % Worker.n), "wb"))
        ls.close()

    def request(self, msg):
        ans = Answer()
        exchange(self.path, msg, ans)
        return ans

    def request_async(self, msg):
        ans = Answer()
        t = threading.Thread(target=exchange, args=(self.path, msg, ans))
        t.start()
        return ans, t

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def mid_request(d, program, msg, sig, dur):
    """Signal SIG at a third of a login; retry until it was in flight."""
    for attempt in range(5):
        w = Worker(d, program)
        w.request(msg)          # connected, warm: the next one is typical
        ans, t = w.request_async(msg)
        time.sleep(dur / 3.0)
        t_sig = time.time()
        w.proc.send_signal(sig)
        t.join(30)
        rc = w.wait(5)
        if ans.t_end is not None and ans.t_end < t_sig and ans.ended:
            continue            # answered before the signal: not in flight
        return ans, rc, attempt + 1, ans.t_end - t_sig
    return ans, rc, 5, 0.0


def main(d, program, user, password):
    msg = login_request(user, password)
    w = Worker(d, program)
    durs = []
    for _ in range(4):
        t0 = time.time()
        a = w.request(msg)
        durs.append(time.time() - t0)
        if a.status != 200:
            print("not ok - a plain login answered %d (%s): cannot test"
                  % (a.status, a.out[:200]))
            w.proc.kill()
            return 2
    dur = sorted(durs[1:])[1]
    print("# a login takes %.0f ms (median of 3 after the first)" % (dur * 1000))
    bad = 0
    # 1. idle
    t0 = time.time()
    w.proc.send_signal(signal.SIGTERM)
    rc = w.wait(5)
    took = time.time() - t0
    ok = rc == 0
    print("%s - SIGTERM while idle: exit status %s after %.2f s (want 0)"
          % ("ok" if ok else "not ok", rc, took))
    bad += not ok
    idle_rc = rc
    # 2. SIGTERM in flight
    ans, rc, tries, after = mid_request(d, program, msg, signal.SIGTERM, dur)
    finished = ans.ended and ans.status == 200
    not_started = not ans.out and not ans.ended
    ok = (finished or not_started) and rc == 0
    print("%s - SIGTERM during a login (attempt %d, answer %.0f ms after "
          "the signal): %s, exit status %s (want a full answer or none, "
          "and 0)" % ("ok" if ok else "not ok", tries, after * 1000,
                      "answered in full (%d)" % ans.status if finished else
                      ("not started" if not_started else
                       "cut (%d bytes, no END_REQUEST)" % len(ans.out)), rc))
    bad += not ok
    term_rc, term_ans = rc, ("full" if finished else
                             "none" if not_started else "cut")
    # 3. SIGKILL in flight: the control.
    ans, rc, tries, after = mid_request(d, program, msg, signal.SIGKILL, dur)
    ctl = (not ans.ended) and rc == -signal.SIGKILL
    print("%s - control: SIGKILL during a login cuts it (%s) and the status "
          "is %s (want -9)" % ("ok" if ctl else "not ok",
                              "no END_REQUEST" if not ans.ended else
                              "answered", rc))
    print("# FIGURES signals: login %.0f ms; SIGTERM idle -> exit %s; SIGTERM "
          "in flight -> answer %s, exit %s; SIGKILL in flight -> exit %s"
          % (dur * 1000, idle_rc, term_ans, term_rc, rc))
    if not ctl:
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:5]))
