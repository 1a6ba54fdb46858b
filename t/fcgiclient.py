"""t/fcgiclient.py -- the FastCGI client side that the Python tests share
(t/faults/signals.py, t/valgrind-fcgi.py, t/routes/routes.py): a request as
the records a web server sends a responder, and the records that come back.
"""
import socket
import struct

BEGIN_REQUEST, PARAMS, STDIN, STDOUT, END_REQUEST = 1, 4, 5, 6, 3


def rec(typ, content, rid=1):
    """One record of type typ, padded to 8 bytes."""
    pad = (8 - len(content) % 8) % 8
    return (struct.pack(">BBHHBB", 1, typ, rid, len(content), pad, 0) +
            content + b"\0" * pad)


def nv(name, value):
    """One name-value pair of a PARAMS stream."""
    def ln(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value


def request(params, body=b""):
    """The bytes of a whole request: BEGIN_REQUEST (responder), the
    PARAMS and STDIN streams, each split in records and closed."""
    p = b"".join(nv(k.encode(), v.encode()) for k, v in params.items())
    msg = rec(BEGIN_REQUEST, struct.pack(">HB5x", 1, 0))
    for i in range(0, len(p), 65535):
        msg += rec(PARAMS, p[i:i + 65535])
    msg += rec(PARAMS, b"")
    for i in range(0, len(body), 65535):
        msg += rec(STDIN, body[i:i + 65535])
    return msg + rec(STDIN, b"")


def receive(sock, on_stdout):
    """Read records from sock until END_REQUEST or EOF, passing each
    STDOUT record's content to on_stdout. True if END_REQUEST came."""
    buf = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        buf += chunk
        while len(buf) >= 8:
            _, typ, _, clen, plen, _ = struct.unpack(">BBHHBB", buf[:8])
            if len(buf) < 8 + clen + plen:
                break
            content = buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if typ == STDOUT:
                on_stdout(content)
            elif typ == END_REQUEST:
                return True


def status_of(out):
    """The HTTP status of a responder's output: its Status header, else
    200; 0 when the header block holds a malformed one."""
    for line in out.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return 0
    return 200


def exchange(sock_path, params, body=b"", timeout=60):
    """One request on a connection of its own to the responder listening
    on the unix socket sock_path: (its STDOUT bytes, True if END_REQUEST
    came)."""
    out = []
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        s.sendall(request(params, body))
        ended = receive(s, out.append)
    finally:
        s.close()
    return b"".join(out), ended
