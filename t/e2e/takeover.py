"""takeover.py -- the boilerplate's database, served (t/e2e-takeover.pg).
The database holds t/e2e/boilerplate.sql (rows exactly as flask-encrypted-db
writes them) and has been migrated by encdb; the routes run with the
boilerplate's secrets (POSTGRES_SECRET_KEY=changeme2, SECRET_KEY=changeme1)
and TIME_ZONE=America/New_York, the zone of the boilerplate's README.

usage: takeover.py BASE_URL
Prints TAP-style lines; exit 1 if any check failed. The stored password
hashes are checked by the calling shell script with psql.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import Client, check, is_error_json, login_json, FAILED, COUNT  # noqa: E402

# username, password, email, id, created_at as the boilerplate answers it
ROWS = [
    ("admin", "password", "admin@example.com",
     "c4cc1314-26ee-4fed-803c-ef47d415c758", "2023-01-20T14:31:56.469870-05:00"),
    ("jose", "correct horse battery staple", "jos\u00e9@example.es",
     "5b0e8e52-3c1d-4c7e-9a0b-6a1f6f1d2e01", "2023-02-01T03:00:00.123456-05:00"),
    ("yuki", "p\u00e4ssw\u00f6rd", "\u30e6\u30fc\u30b6\u30fc@\u4f8b\u3048.jp",
     "0f6c1a3e-8d7b-4f0e-b2a9-3c4d5e6f7a02", "2023-03-15T08:30:00.000000-04:00"),
    # "jose" in another case: the boilerplate allowed both, we keep both.
    ("Jose", "correct horse battery staple", "a@b.co",
     "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b04", "2023-05-01T05:00:00.000000-04:00"),
]


def same_instant(got, want):
    """Compare ISO 8601 timestamps, allowing fewer fraction digits."""
    if got == want:
        return True
    if not isinstance(got, str):
        return False
    def norm(s):
        head, off = s[:-6], s[-6:]
        if "." in head:
            head, frac = head.split(".")
        else:
            frac = ""
        return head, (frac + "000000")[:6], off
    return norm(got) == norm(want)


def main():
    base = sys.argv[1]
    phase = sys.argv[2] if len(sys.argv) > 2 else "first"

    adm, r = login_json(base, "admin", "password")
    check(r.status in (200, 204) and "session" in adm.cookies,
          "%s: the boilerplate's admin logs in with 'password' (%r)" % (phase, r))
    r = adm.request("GET", "/user/admin")
    pl = (r.json() or {}).get("payload") or {}
    check(r.status == 200 and pl.get("email") == "admin@example.com",
          "%s: GET /user/admin shows admin@example.com decrypted (%r)" % (phase, r))
    check(pl.get("id") == ROWS[0][3] and pl.get("user_type") == "admin"
          and pl.get("username") == "admin",
          "%s: id, type, username as stored (%r)" % (phase, pl))
    check(same_instant(pl.get("created_at"), ROWS[0][4]),
          "%s: created_at %r == the boilerplate's %s" % (phase, pl.get("created_at"), ROWS[0][4]))
    check("password" not in pl, "%s: the hash is not in the answer" % phase)
    check("updated_at" in pl and pl["updated_at"] is None,
          "%s: updated_at stays null: the login's rehash is no change (%r)" % (phase, pl))

    for name, pw, email, uid, created in ROWS[1:]:
        r = adm.request("GET", "/user/" + name)
        pl = (r.json() or {}).get("payload") or {}
        check(r.status == 200 and pl.get("email") == email and pl.get("id") == uid,
              "%s: legacy row %s decrypts to its email (%r)" % (phase, name, pl))
        check(same_instant(pl.get("created_at"), created),
              "%s: %s created_at %r == %s" % (phase, name, pl.get("created_at"), created))
        u, r = login_json(base, name, pw)
        check(r.status in (200, 204), "%s: %s logs in with the boilerplate password (%r)" % (phase, name, r))
        r = u.request("GET", "/user/" + name)
        check(r.status == 200 and ((r.json() or {}).get("payload") or {}).get("email") == email,
              "%s: %s reads their own email (%r)" % (phase, name, r))

    _, r = login_json(base, "jose", "wrong password")
    check(is_error_json(r, 401), "%s: a wrong password for a legacy user -> 401 (%r)" % (phase, r))
    _, r = login_json(base, "tagged", "")
    check(r.status in (400, 401, 422), "%s: the empty password is refused (%r)" % (phase, r))

    # Never logged in, never changed: exactly the boilerplate's row.
    r = adm.request("GET", "/user/tagged")
    pl = (r.json() or {}).get("payload") or {}
    check(r.status == 200 and pl.get("email") == "user.name+tag@sub.example.com"
          and pl.get("updated_at") is None,
          "%s: untouched legacy row: email decrypted, updated_at null (%r)" % (phase, pl))

    r = adm.request("GET", "/users")
    names = sorted(u.get("username") for u in (r.json() or {}).get("payload") or [])
    check(r.status == 200 and names == ["Jose", "admin", "jose", "tagged", "yuki"],
          "%s: GET /users lists the boilerplate's rows (%r)" % (phase, names))

    print("1..%d" % COUNT[0])
    print("# %d failed" % len(FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
