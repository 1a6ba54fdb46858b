#!/usr/bin/env python3
"""t/secrets/scan.py -- the search of t/secrets.pg: canaries in every
encoding they could leak in, counted in logs and recorded HTTP answers.

    scan.py CANARIES WIRE_LOG LOG...

CANARIES has one canary per line: "CLASS NAME ENC VALUE", ENC "text"
(VALUE as is) or "b64" (VALUE is the base64 of raw bytes, e.g. a key).
Each canary is searched in these forms of its bytes: as is, hex (lower
and upper case), base64, base64url without padding, and (for text) URL
encoded (quote and quote_plus) and JSON-escaped -- so that a key sent to
PostgreSQL as a bytea parameter (logged as '\\x...') or a password
percent-encoded in a logged request line is found too.

CLASS secret: in no log and in no answer (status line, headers, body).
CLASS pii: in no log; in answers only in the body of a 2xx answer (the
user's own detail or a list showing them), never in a 3xx/4xx/5xx answer
nor in any header -- with one exception, counted apart: an HTML form
re-shown after a 4xx with the value its sender just typed, exactly as the
value="..." of an <input> (the sender's own input, escaped). Each pii
canary must show in some 2xx answer (the recording works).
CLASS control: not secret, must be found in the logs (they are complete:
PostgreSQL logged the statements and their parameters).

WIRE_LOG is what t/secrets/canary.py's proxy recorded (server to client).
Prints one line per finding and the figures; exit 1 when a check fails.
"""
import base64
import binascii
import json
import re
import sys
import urllib.parse


def forms(enc, value):
    raw = base64.b64decode(value) if enc == "b64" else value.encode()
    out = {"plain": raw,
           "hex": binascii.hexlify(raw),
           "HEX": binascii.hexlify(raw).upper(),
           "base64": base64.b64encode(raw).rstrip(b"="),
           "base64url": base64.urlsafe_b64encode(raw).rstrip(b"=")}
    if enc == "text":
        out["urlenc"] = urllib.parse.quote(value, safe="").encode()
        out["urlenc+"] = urllib.parse.quote_plus(value).encode()
        out["json"] = json.dumps(value)[1:-1].encode()
    # Drop duplicates (a plain word is its own URL encoding) and forms too
    # short to mean anything.
    seen, uniq = set(), {}
    for k, v in out.items():
        if v not in seen and len(v) >= 8:
            seen.add(v)
            uniq[k] = v
    return uniq


def answers(wire):
    """Split the recorded bytes into (status, head, body) per answer."""
    out = []
    starts = [m.start() for m in re.finditer(rb"HTTP/1\.[01] \d{3} ", wire)]
    for i, s in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(wire)
        chunk = wire[s:end]
        cut = chunk.find(b"\r\n\r\n")
        head, body = (chunk, b"") if cut < 0 else (chunk[:cut], chunk[cut + 4:])
        out.append((int(chunk[9:12]), head, body))
    return out


def main(canfile, wirefile, logs):
    canaries = []
    for line in open(canfile):
        if line.strip():
            cls, name, enc, value = line.rstrip("\n").split(" ", 3)
            canaries.append((cls, name, forms(enc, value)))
    wire = open(wirefile, "rb").read()
    ans = answers(wire)
    bad = 0
    log_hits = 0
    control = {}
    nbytes = 0
    for path in logs:
        try:
            data = open(path, "rb").read()
        except OSError:
            print("# (no log %s)" % path)
            continue
        nbytes += len(data)
        for cls, name, fs in canaries:
            for form, v in fs.items():
                n = data.count(v)
                if cls == "control":
                    control[name] = control.get(name, 0) + n
                elif n:
                    print("not ok - %s %s (%s) found %d times in %s"
                          % (cls, name, form, n, path))
                    log_hits += n
    resp_hits = 0
    shown = {}
    echoed = 0
    for status, head, body in ans:
        is_html = re.search(rb"(?im)^content-type:\s*text/html", head) is not None
        for cls, name, fs in canaries:
            if cls == "control":
                continue
            for form, v in fs.items():
                b = body
                if cls == "pii" and is_html and 400 <= status < 500:
                    b, n = re.subn(rb'(<input [^>]*value=")' + re.escape(v) +
                                   rb'"', b"", b)
                    echoed += n
                in_head, in_body = v in head, v in b
                if cls == "pii" and 200 <= status < 300 and in_body:
                    shown[name] = shown.get(name, 0) + 1
                    in_body = False
                if in_head or in_body:
                    resp_hits += 1
                    print("not ok - %s %s (%s) in a %d answer (%s): %r"
                          % (cls, name, form, status,
                             "header" if in_head else "body", head[:60]))
    bad += log_hits + resp_hits
    for cls, name, fs in canaries:
        if cls == "control":
            if control.get(name, 0) == 0:
                print("not ok - control %s is in no log: are statements "
                      "and parameters logged?" % name)
                bad += 1
            else:
                print("ok - control %s found %d times in the logs"
                      % (name, control[name]))
        elif cls == "pii":
            if not shown.get(name):
                print("not ok - control: pii %s in no 2xx answer: is the "
                      "wire recorded?" % name)
                bad += 1
            else:
                print("ok - control: pii %s shown in %d 2xx answers"
                      % (name, shown[name]))
    nforms = sum(len(fs) for c, _, fs in canaries if c != "control")
    print("# canaries: %d secret, %d pii (%d forms searched); %d logs, %d "
          "bytes; %d answers"
          % (sum(1 for c in canaries if c[0] == "secret"),
             sum(1 for c in canaries if c[0] == "pii"), nforms, len(logs),
             nbytes, len(ans)))
    print("# pii in the value of a form field re-shown to its sender after "
          "a 4xx (allowed): %d" % echoed)
    print("# FIGURES secrets: canary occurrences in logs=%d, in answers that "
          "must not show them=%d" % (log_hits, resp_hits))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
