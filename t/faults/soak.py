#!/usr/bin/env python3
"""t/faults/soak.py -- the figures and checks of t/faults/soak-mixed.pg.

    soak.py sample LIGHTTPD_PID INTERVAL OUT STOPFILE
        every INTERVAL seconds until STOPFILE exists: one line per FastCGI
        process of lighttpd ("secs pid route rss_kb fds"; secs since the
        sampler started), read from /proc/PID/status and /proc/PID/fd.
    soak.py analyse SAMPLES BASELINE_SECS WRK_LINE
        compare the processes at the sample nearest BASELINE_SECS (minute
        1) with the last sample: total resident memory growth (< 5 %),
        open descriptors of every process (the floor of the last third of
        the samples not above that of the first third), processes (the
        same pids); with WRK_LINE (the SOAK line of soak.lua) no non-2xx and no
        errors. Prints the figures; exit 1 if a check fails.
"""
import os
import sys
import time


def proc_sample(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            rss = next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), -1)
        fds = len(os.listdir("/proc/%d/fd" % pid))
        exe = os.path.basename(os.readlink("/proc/%d/exe" % pid))
    except (OSError, StopIteration, ValueError):
        return None
    return rss, fds, exe


def children(ppid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        # The fields after the command name (which may hold spaces).
        rest = st[st.rfind(")") + 2:].split()
        if int(rest[1]) == ppid:
            out.append(int(d))
    return sorted(out)


def sample(lpid, interval, out, stopfile):
    lpid, interval = int(lpid), float(interval)
    t0 = time.time()
    with open(out, "w") as f:
        while not os.path.exists(stopfile):
            t = time.time() - t0
            for pid in children(lpid):
                s = proc_sample(pid)
                if s is None:
                    continue
                f.write("%.1f %d %s %d %d\n" % (t, pid, s[2], s[0], s[1]))
            f.flush()
            # Sleep in small steps so that the stop file is seen soon.
            end = t0 + (int(t / interval) + 1) * interval
            while time.time() < end and not os.path.exists(stopfile):
                time.sleep(min(0.5, max(0.0, end - time.time())))


def analyse(samples, baseline, wrk_line):
    rows = [l.split() for l in open(samples) if l.strip()]
    if not rows:
        print("not ok - no samples")
        return 1
    times = sorted(set(float(r[0]) for r in rows))
    base_t = min(times, key=lambda t: abs(t - float(baseline)))
    last_t = times[-1]

    def at(t):
        return {int(r[1]): (r[2], int(r[3]), int(r[4])) for r in rows
                if float(r[0]) == t}
    base, last = at(base_t), at(last_t)
    bad = 0
    rss0 = sum(v[1] for v in base.values())
    rss1 = sum(v[1] for v in last.values())
    growth = (rss1 - rss0) * 100.0 / rss0 if rss0 else 0.0
    print("# FIGURES soak memory: %d FastCGI processes; resident total %.1f MiB "
          "at %.0f s, %.1f MiB at %.0f s: %+.2f %%"
          % (len(last), rss0 / 1024.0, base_t, rss1 / 1024.0, last_t, growth))
    by_route = {}
    for pid, (route, rss, fds) in sorted(last.items()):
        b = base.get(pid)
        by_route.setdefault(route, []).append(
            "%d: %d->%d KiB, fds %s->%d" % (pid, b[1] if b else -1, rss,
                                          b[2] if b else "?", fds))
    for route in sorted(by_route):
        print("#   %s: %s" % (route, "; ".join(by_route[route])))
    if growth >= 5.0:
        print("not ok - worker memory grew %.2f %% (limit 5 %%)" % growth)
        bad += 1
    else:
        print("ok - worker memory growth %.2f %% < 5 %%" % growth)
    if sorted(base) != sorted(last):
        print("not ok - FastCGI processes changed: %s -> %s"
              % (sorted(base), sorted(last)))
        bad += 1
    else:
        print("ok - the same %d FastCGI processes from minute 1 to the end"
              % len(last))
    # Descriptors: a request may hold one for a moment, so each process's
    # floor (fewest open) in the last third of the samples from the
    # baseline on must not be above its floor in the first third.
    fdseries = {}
    for r in rows:
        if float(r[0]) >= base_t:
            fdseries.setdefault(int(r[1]), []).append(int(r[4]))
    moved = {}
    for p, s in fdseries.items():
        k = max(1, len(s) // 3)
        a, b = min(s[:k]), min(s[-k:])
        if b > a:
            moved[p] = (a, b)
    total0 = sum(v[2] for v in base.values())
    total1 = sum(v[2] for v in last.values())
    print("# FIGURES soak descriptors: %d open at %.0f s, %d at %.0f s; "
          "per process floor over the run: %s"
          % (total0, base_t, total1, last_t, " ".join(sorted(
              "%d" % min(s) for s in fdseries.values()))))
    if moved:
        print("not ok - open descriptors grew: %s" % ", ".join(
            "pid %d floor %d -> %d" % (p, a, b) for p, (a, b) in sorted(moved.items())))
        bad += 1
    else:
        print("ok - open descriptors flat in every process (floor of the "
              "first third = floor of the last third)")
    if wrk_line:
        f = dict(kv.split("=", 1) for kv in wrk_line.split()[1:])
        if int(f["non2xx"]) or int(f["errors"]):
            print("not ok - %s non-2xx answers, %s connection errors"
                  % (f["non2xx"], f["errors"]))
            bad += 1
        else:
            print("ok - %s requests, no non-2xx answer, no error" % f["requests"])
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "sample" and len(sys.argv) == 6:
        sample(*sys.argv[2:6])
    elif len(sys.argv) >= 2 and sys.argv[1] == "analyse" and len(sys.argv) in (4, 5):
        sys.exit(analyse(sys.argv[2], sys.argv[3],
                         sys.argv[4] if len(sys.argv) == 5 else ""))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
