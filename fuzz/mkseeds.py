#!/usr/bin/env python3
# fuzz/mkseeds.py -- write the seed corpora of the fuzz drivers into
# fuzz/corpus/NAME/ (run from anywhere; the files are checked in, so this
# only needs re-running when a seed is added). Seeds are small, realistic
# inputs that reach deep into each parser: good and bad requests, real v1
# values under the ciphertext driver's fixed ring, the shared
# SQLAlchemy-Utils vectors, PHC strings, templates, FastCGI record streams.
import base64, json, os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
corpus = os.path.join(here, "corpus")


def put(driver, name, data):
    d = os.path.join(corpus, driver)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- query: byte 0 = mode, then QUERY 0xFF BODY 0xFF PATH_INFO
def q(mode, query, body=b"", path=b""):
    enc = lambda s: s.encode() if isinstance(s, str) else s
    return bytes([mode]) + enc(query) + b"\xff" + enc(body) + b"\xff" + enc(path)

qs = [
    (0, "limit=10&after=abc_-09", "", "/users"),
    (1, "", "username=alice&email=alice%40example.com&password=secret123&user_type=user&csrf=" + "A" * 43, ""),
    (1, "", "username=a+b&username=c", ""),
    (0, "username=%zz&limit=0", "", ""),
    (0, "username=%C3%A9l%C3%A8ve&id=c4cc1314-26ee-4fed-803c-ef47d415c758", "", "/user/%C3%A9"),
    (2, "", "password=" + "x" * 100, "/user/admin"),
    (1 | 16, "", "username=bob", ""),
    (1 | 32, "", "username=bob&email=", ""),
    (0, "token=" + "a" * 43 + "&name=hello%00world", "", ""),
    (0, "limit=-1&limit=2", "", ""),
    (1 | 8 | 64, "", '{"username": "x"}', ""),
    (0, "a=%E2%82%AC&b=%ED%A0%80&c=%C0%AF", "", "/user/../etc"),
]
for i, (m, qq, b, p) in enumerate(qs):
    put("query", "seed-%02d" % i, q(m, qq, b, p))

# ---- json: the body
js = [
    '{"username": "alice", "email": "alice@example.com", "password": "secret123", "user_type": "user"}',
    '{"username": "a", "username": "b"}',
    '{"a": {"b": {"c": [1, 2, {"d": null}]}}, "username": "x"}',
    '{"username": "\\u0000"}',
    '{"username": "\\ud83d\\ude00", "limit": 10, "flag": true}',
    '{"username": "x"} trailing',
    '[' * 40 + ']' * 40,
    '{"n": 1e999, "m": -0.0, "o": 01}',
    '{"username": "caf\xc3\xa9"}',
    '{"username": "bad \xff utf8"}',
    '{"email": "a@b.co", "user_type": "admin", "id": "C4CC1314-26EE-4FED-803C-EF47D415C758"}',
    '"just a string"',
    '{"username": "x", "password": null}',
    '{"username":"\\"<script>alert(1)</script>","email":"x\' OR 1=1--@a.b"}',
]
for i, s in enumerate(js):
    put("json", "seed-%02d" % i, s.encode("latin-1") if "\xff" in s else s.encode())

# ---- headers: COOKIE \n ACCEPT \n AUTHORIZATION \n ORIGIN \n URI \n PATH_INFO \n SCRIPT_NAME \n CTYPE \n CLEN \n METHOD
hs = [
    ["session=" + "A" * 43, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "", "", "/users?limit=5", "", "/users", "", "", "GET"],
    ["a=1; b=2; session=xyz; session=dup", "application/json", "Bearer " + "b" * 43, "https://a.example", "/user/admin", "/admin", "/user", "", "", "GET"],
    ["=; ;;; x", "*/*;q=0, text/html;q=0.5", "Basic dXNlcjpwYXNz", "http://evil.example", "/%2e%2e/etc/passwd", "", "", "application/json", "10", "POST"],
    ['session="quoted"; other=\x01ctl', "text/html;q=abc", "Bearer", "https://a.example\r\nX-Injected: 1", "/users%00", "", "", "text/plain", "-1", "PATCH"],
    ["", "", "bearer  spaced", "null", "/", "/", "/", "application/x-www-form-urlencoded; charset=latin1", "99999999999999999999999", "DELETE"],
]
for i, h in enumerate(hs):
    put("headers", "seed-%02d" % i, "\n".join(h).encode())

# ---- ciphertext: real v1 values under the driver's ring, legacy vectors
try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from cryptography.hazmat.primitives import hashes
except ImportError:
    sys.exit("mkseeds.py needs python3-cryptography")
uuid = bytes.fromhex("c4cc131426ee4fed803cef47d415c758")

def v1(keyid, key, pt, nonce=b"\x00" * 12, column=b"users.email"):
    sub = HKDF(hashes.SHA256(), 32, None, b"fcgi-encrypted-db v1 aes-256-gcm " + column).derive(key)
    hdr = bytes([0xEF, 0x01]) + struct.pack(">H", keyid)
    return hdr + nonce + AESGCM(sub).encrypt(nonce, pt, hdr + column + uuid)

put("ciphertext", "v1-key1", v1(1, b"\x01" * 32, b"admin@example.com"))
put("ciphertext", "v1-key7", v1(7, b"\x07" * 32, "josé@example.es".encode(), b"\x07" * 12))
put("ciphertext", "v1-empty", v1(1, b"\x01" * 32, b""))
put("ciphertext", "v1-unknown-key", v1(9, b"\x09" * 32, b"x@y.z"))
put("ciphertext", "v1-short", bytes([0xEF, 0x01, 0, 1]) + b"\x00" * 20)
vec = json.load(open(os.path.join(here, "..", "t", "vectors", "sqlalchemy-utils.json")))
seen = set()
for c in vec["cases"]:
    if c["key"] != "changeme2":
        continue
    k = (c["engine"], c.get("padding"))
    if k in seen:
        continue
    seen.add(k)
    put("ciphertext", "legacy-%s-%s" % (c["engine"], c.get("padding") or "x"), c["stored"])
put("ciphertext", "legacy-bad-b64", "js9UvaCO5KHa6n8WRj5x0frGeFN+niGdcWbTNRDVFD=")

# ---- pwhash
salt = base64.b64encode(b"saltsaltsaltsalt").decode().rstrip("=")
hsh = base64.b64encode(b"h" * 32).decode().rstrip("=")
pws = [
    "$argon2id$v=19$m=64,t=1,p=1$%s$%s" % (salt, hsh),
    "$argon2id$v=19$m=19456,t=2,p=1$%s$%s" % (salt, hsh),
    "$argon2id$v=19$m=8,t=1,p=1$%s$%s" % (salt, hsh),
    "$argon2id$v=16$m=64,t=1,p=1$%s$%s" % (salt, hsh),
    "$argon2i$v=19$m=64,t=1,p=1$%s$%s" % (salt, hsh),
    "$argon2id$v=19$m=64,t=1,p=2$%s$%s==" % (salt, hsh),
    vec["password_hashes"][0]["hash"],
    "$argon2id$v=19$m=0064,t=1,p=1$$",
]
for i, s in enumerate(pws):
    put("pwhash", "seed-%02d" % i, s)

# ---- tmpl: TEMPLATE 0xFF a 0xFF b 0xFF url 0xFF name
ts = [
    ("<p>{{a}}</p><a href=\"{{href:url}}\" title=\"{{attr:b}}\">{{url:a}}</a>", ["<script>", "\"'=`", "javascript:alert(1)", "x"]),
    ("{{#if flag}}yes {{a}}{{else}}no{{/if}}{{#unless empty}}E{{/unless}}", ["&amp;", "", "", ""]),
    ("{{#each rows}}[{{name}}|{{x}}|{{b}}]{{/each}}", ["1", "2", "3", "row"]),
    ("{{>inc}} {{>rows}} {{>self}}", ["a<b", "b\"c", "/x", "n"]),
    ("{{raw:a}} {{missing}} {{#if}} {{/each}}", ["<b>", "", "", ""]),
    ("plain text {{ a }} {{a", ["x", "", "", ""]),
    ("{{href:url}}", ["", "", "data:text/html,<script>", ""]),
    ("{{href:url}}", ["", "", "mailto:a@b.c?x=\"", ""]),
]
for i, (t, vals) in enumerate(ts):
    put("tmpl", "seed-%02d" % i, b"\xff".join([t.encode()] + [v.encode() for v in vals]))

# ---- fcgi: FastCGI 1.0 record streams
def rec(typ, content, rid=1, pad=0):
    return struct.pack(">BBHHBB", 1, typ, rid, len(content), pad, 0) + content + b"\x00" * pad

def nv(name, value):
    def ln(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value

def req(params, body=b"", keep=0, rid=1):
    p = b"".join(nv(k.encode(), v.encode() if isinstance(v, str) else v) for k, v in params)
    out = rec(1, struct.pack(">HB5x", 1, keep), rid)
    out += rec(4, p, rid, pad=(8 - len(p) % 8) % 8) + rec(4, b"", rid)
    if body:
        out += rec(5, body, rid)
    return out + rec(5, b"", rid)

base = [("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/users"), ("CONTENT_TYPE", "application/json")]
put("fcgi", "post-json", req(base + [("CONTENT_LENGTH", "20")], b'{"username": "abcd"}'))
put("fcgi", "get-query", req([("REQUEST_METHOD", "GET"), ("QUERY_STRING", "limit=5&after=x"), ("HTTP_COOKIE", "session=abc"), ("REQUEST_URI", "/users?limit=5")]))
put("fcgi", "keepalive-two", req([("REQUEST_METHOD", "GET")], keep=1) + req([("REQUEST_METHOD", "DELETE"), ("PATH_INFO", "/x")], keep=1))
put("fcgi", "long-length", req([("REQUEST_METHOD", "GET"), ("HTTP_X", "y" * 300)]))
put("fcgi", "cl-mismatch", req(base + [("CONTENT_LENGTH", "5")], b'{"username": "abcd"}'))
put("fcgi", "get-values", rec(9, nv(b"FCGI_MAX_CONNS", b"") + nv(b"FCGI_MPXS_CONNS", b""), rid=0))
put("fcgi", "unknown-role", rec(1, struct.pack(">HB5x", 7, 0)) + rec(4, b""))
put("fcgi", "truncated", req(base + [("CONTENT_LENGTH", "20")], b'{"username": "abcd"}')[:40])
put("fcgi", "abort", rec(1, struct.pack(">HB5x", 1, 0)) + rec(2, b""))
put("fcgi", "huge-namelen", rec(1, struct.pack(">HB5x", 1, 0)) + rec(4, struct.pack(">IB", 0xFFFFFFF0, 1) + b"ab"))
put("fcgi", "form-body", req([("REQUEST_METHOD", "POST"), ("CONTENT_TYPE", "application/x-www-form-urlencoded"), ("CONTENT_LENGTH", "17")], b"username=a&name=b"))
put("fcgi", "garbage", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
