#!/usr/bin/env python3
# t/audit-vectors.py -- the expected chain hashes of t/check_audit.c,
# computed here with Python's hashlib from the encoding that the file
# comment of lib/auditseal.c specifies, not by the code under test.
import hashlib
import struct


def field(s):
    if s is None:
        return b"\xff"
    b = s.encode()
    return b"\x00" + struct.pack(">I", len(b)) + b


def entry(h, seq, at, *fields):
    return hashlib.sha256(b"E" + h + struct.pack(">Qq", seq, at) +
                          b"".join(field(x) for x in fields)).digest()


def gap(h, first, last):
    return hashlib.sha256(b"G" + h + struct.pack(">QQ", first, last)).digest()


h0 = bytes(32)
h1 = entry(h0, 1, 123456789, "user:x via token 7", None, "GET /user",
           "read", "192.0.2.7", None)
h2 = gap(h1, 2, 3)
h3 = entry(h2, 4, -5, "encdb (root)",
           "c4cc1314-26ee-4fed-803c-ef47d415c758", "encdb rotate",
           "decrypt-all", None, "50 rows")
h4 = gap(h3, 5, 6)
h5 = entry(h0, 1, 0, "", "", "", "", "", "")
for name, h in (("H1", h1), ("H2", h2), ("H3", h3), ("H4", h4),
                ("H_EMPTY", h5)):
    print(name, h.hex())
