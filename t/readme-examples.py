#!/usr/bin/env python3
"""t/readme-examples.py -- run the README's examples against a running
instance and compare each answer with the one the README shows.

    readme-examples.py README URL WORKDIR

The examples are the indented "$ " command lines of the README sections
named in SECTIONS. A line indented deeper than its "$" continues the
command; the lines at the "$"'s indentation that follow are its output,
where "..." stands for any text. http://127.0.0.1:8080 (what `tools/dev
run` serves) is replaced by URL. The commands run in order in one sh, so
that variables carry from one to the next, in WORKDIR, where "tools"
leads to the source tree's tools/ (BUILDDIR and RUN_APP_STATE, from the
environment, tell `tools/dev encdb` where the instance is; PASSWORD is the
admin's). Exit status 0 when each command exits 0 and answers as shown,
1 otherwise (each difference is printed).
"""
import os
import re
import subprocess
import sys

SECTIONS = ("JSON API", "Coming from flask-encrypted-db")
README_URL = "http://127.0.0.1:8080"


def sections(text):
    """{title: [lines]} of the README's underlined (---) sections."""
    lines = text.split("\n")
    out, title = {}, None
    for i, line in enumerate(lines):
        if (i + 1 < len(lines) and line.strip() and
                re.fullmatch(r"-+", lines[i + 1]) and
                len(lines[i + 1]) == len(line)):
            title = line
            out[title] = []
        elif title is not None:
            out[title].append(line)
    return out


def examples(lines):
    """[(command, [expected output lines])] of one section."""
    found, cur, col = [], None, None
    for line in lines:
        m = re.match(r"( +)\$ (.*)", line)
        if m:
            cur = [m.group(2), []]
            col = len(m.group(1))
            found.append(cur)
        elif cur is not None and line.startswith(" " * (col + 1)):
            cur[0] += "\n" + line
        elif cur is not None and line.startswith(" " * col) and line.strip():
            cur[1].append(line[col:])
        else:
            cur = None
    return found


def matches(want, got):
    """want (with "..." for anything) matches got, whole."""
    pattern = ".*".join(re.escape(part) for part in want.split("..."))
    return re.fullmatch(pattern, got, re.S) is not None


def main():
    readme, url, work = sys.argv[1:4]
    top = os.path.dirname(os.path.abspath(readme))
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    sec = sections(text)
    cmds = []
    for title in SECTIONS:
        if title not in sec:
            print(f"FAIL: the README has no section {title!r}")
            return 1
        found = examples(sec[title])
        if not found:
            print(f"FAIL: no example in the README's {title!r}")
            return 1
        cmds += found
    os.makedirs(work, exist_ok=True)
    if not os.path.exists(os.path.join(work, "tools")):
        os.symlink(os.path.join(top, "tools"), os.path.join(work, "tools"))
    script = ["set -u"]
    for cmd, _ in cmds:
        script.append(cmd.replace(README_URL, url))
        script.append("printf '\\n@@@%d@@@\\n' $?")
    run = subprocess.run(["sh", "-c", "\n".join(script)], cwd=work,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=300, check=False)
    parts = re.split(r"\n@@@(\d+)@@@\n", run.stdout.decode("utf-8",
                                                             "replace"))
    failures = 0
    for i, (cmd, want) in enumerate(cmds):
        if 2 * i + 1 >= len(parts):
            print(f"FAIL: never ran: $ {cmd}")
            failures += 1
            continue
        got = parts[2 * i].strip("\n")
        status = int(parts[2 * i + 1])
        expect = "\n".join(w.replace(README_URL, url) for w in want)
        print(f"$ {cmd}\n{got}\n-> {status}")
        if status != 0:
            print(f"FAIL: exit status {status}")
            failures += 1
        elif not matches(expect, got):
            print(f"FAIL: the README shows:\n{expect}")
            failures += 1
    print(f"{len(cmds)} README examples, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
