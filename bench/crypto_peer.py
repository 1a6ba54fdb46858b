#!/usr/bin/python3
"""bench/crypto_peer.py -- the field-crypto micro-benchmark of the peer: the
same operations as bench/bench_crypto (libencfield), done the way a Flask
application with SQLAlchemy-Utils does them, through the real engine
classes of Debian's python3-sqlalchemy-utils over python3-cryptography.

Operations and what they stand next to:

  v1_encrypt      AesGcmEngine.encrypt    (authenticated, random IV, like v1)
  v1_decrypt      AesGcmEngine.decrypt
  legacy_decrypt  AesEngine('pkcs5').decrypt (the boilerplate's every read)
  legacy_encrypt  AesEngine('pkcs5').encrypt (the boilerplate's every write)
  legacy_decrypt_gcm     AesGcmEngine.decrypt (= v1_decrypt here)
  legacy_decrypt_fernet  FernetEngine.decrypt
  blind_index     HMAC-SHA256 of the trimmed, lowercased email
                  (cryptography's hmac; SQLAlchemy-Utils has none)
  pbkdf2_sha512   hashlib.pbkdf2_hmac sha512, 100000 iterations (the
                  boilerplate's password hash, one call)

Prints one line per operation, in bench_crypto's format: "name wall_ns_per_op
iterations cpu cpu_ns_per_op". Each is timed for about --seconds (default
0.5) after a short warm-up; the figures are means over the timed loop (CPU
time is this process's, which other load on the machine hardly changes). A benchmark, not a test: it never fails on a slow
machine.
"""

import argparse
import hashlib
import sys
import time

from cryptography.hazmat.primitives import hashes, hmac
from sqlalchemy_utils.types.encrypted.encrypted_type import (AesEngine,
                                                             AesGcmEngine,
                                                             FernetEngine)

EMAIL = "user0000001@example.com"
PASSPHRASE = "changeme2"
INDEX_KEY = bytes(range(32))


def make_engine(cls, padding=None):
    eng = cls()
    eng._update_key(PASSPHRASE)
    if padding is not None:
        eng._set_padding_mechanism(padding)
    return eng


def blind_index(email):
    h = hmac.HMAC(INDEX_KEY, hashes.SHA256())
    h.update(email.strip().lower().encode())
    return h.finalize()


def measure(fn, seconds):
    """Mean wall and CPU ns per call of fn() over a loop of about
    `seconds`: (wall_ns, iterations, cpu_ns)."""
    n = 1
    while True:
        t0 = time.perf_counter_ns()
        c0 = time.process_time_ns()
        for _ in range(n):
            fn()
        dt = time.perf_counter_ns() - t0
        dc = time.process_time_ns() - c0
        if dt >= seconds * 1e9 or n >= 1 << 24:
            return dt / n, n, dc / n
        # Grow towards the target duration, at most 10x at a time.
        n = max(n + 1, min(n * 10, int(n * seconds * 1e9 / max(dt, 1)) + 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--no-pbkdf2", action="store_true",
                    help="skip the (slow) password hash")
    args = ap.parse_args()
    if args.seconds <= 0 or args.seconds > 60:
        ap.error("--seconds must be in (0, 60]")

    gcm = make_engine(AesGcmEngine)
    cbc = make_engine(AesEngine, "pkcs5")
    fernet = make_engine(FernetEngine)
    gcm_ct = gcm.encrypt(EMAIL)
    cbc_ct = cbc.encrypt(EMAIL)
    fernet_ct = fernet.encrypt(EMAIL)
    if gcm.decrypt(gcm_ct) != EMAIL or cbc.decrypt(cbc_ct) != EMAIL or \
            fernet.decrypt(fernet_ct) != EMAIL:
        print("crypto_peer: round trip failed", file=sys.stderr)
        return 1

    ops = [
        ("v1_encrypt", lambda: gcm.encrypt(EMAIL)),
        ("v1_decrypt", lambda: gcm.decrypt(gcm_ct)),
        ("legacy_decrypt", lambda: cbc.decrypt(cbc_ct)),
        ("legacy_decrypt_gcm", lambda: gcm.decrypt(gcm_ct)),
        ("legacy_decrypt_fernet", lambda: fernet.decrypt(fernet_ct)),
        ("legacy_encrypt", lambda: cbc.encrypt(EMAIL)),
        ("blind_index", lambda: blind_index(EMAIL)),
    ]
    if not args.no_pbkdf2:
        ops.append(("pbkdf2_sha512", lambda: hashlib.pbkdf2_hmac(
            "sha512", b"password", b"changeme1", 100000)))
    for name, fn in ops:
        measure(fn, min(args.seconds, 0.05))  # warm-up
        ns, n, cpu = measure(fn, args.seconds)
        print("%s %.0f %d cpu %.0f" % (name, ns, n, cpu), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
