#!/bin/sh
# http-loop.sh -- the HTTP layer end to end through t/http_loop, a test
# route running the real accept -> parse -> validate -> respond loop:
# first as plain CGI (environment and stdin, one process per request),
# then as a FastCGI server on a Unix socket, with cgi-fcgi (libfcgi-bin)
# as the web server's side of the FastCGI protocol, so that one process
# serves every request. Writes only under t/http-loop.d in the build tree.
set -u

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
prog="$top_builddir/t/http_loop"
dir="$top_builddir/t/http-loop.d"
sock="$dir/sock"
tdir="$top_srcdir/t/http"
pid=
fails=0
n=0

rm -rf "$dir"
mkdir -p "$dir" || exit 99

cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

# send BODY VAR=value ...: one request; the response goes to $dir/out.
send() {
	body=$1
	shift
	if [ "$mode" = cgi ]; then
		printf '%s' "$body" | env -i TEMPLATE_DIR="$tdir" \
		    CORS_ORIGINS=https://ok.example "$@" "$prog" \
		    >"$dir/out" 2>>"$dir/stderr"
	else
		printf '%s' "$body" | env -i "$@" \
		    cgi-fcgi -bind -connect "$sock" >"$dir/out" 2>>"$dir/stderr"
	fi
	sed '1,/^\r$/d' "$dir/out" >"$dir/body"
	n=$((n + 1))
}

fail() {
	echo "FAIL [$mode] request $n: $*"
	sed 's/^/    | /' "$dir/out"
	fails=$((fails + 1))
}

# has TEXT: the response (headers and body) contains TEXT.
has() {
	grep -qF -- "$1" "$dir/out" || fail "missing: $1"
}

hasnt() {
	grep -qF -- "$1" "$dir/out" && fail "unexpected: $1"
}

# body TEXT: the body is exactly TEXT (plus the final newline).
body() {
	printf '%s\n' "$1" | cmp -s - "$dir/body" ||
	    fail "body is not: $1"
}

# Every response carries the security headers.
secure() {
	has "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	has "X-Content-Type-Options: nosniff"
	has "X-Frame-Options: DENY"
	has "Referrer-Policy: no-referrer"
	has "Cache-Control: no-store"
}

# The requests, the same for both modes; $1 is what "served" should be
# for the first request (1 under CGI; counts up under FastCGI).
suite() {
	s=$1
	send "" REQUEST_METHOD=GET QUERY_STRING='name=bob&limit=5' \
	    SCRIPT_NAME=/loop REQUEST_URI='/loop?name=bob&limit=5'
	has "Status: 200 OK"
	has "Content-Type: application/json"
	body "{\"name\":\"bob\",\"limit\":5,\"path\":null,\"https\":false,\"served\":$s}"
	secure

	send '{"name":"al\u00efce"}' REQUEST_METHOD=POST CONTENT_LENGTH=21 \
	    CONTENT_TYPE='application/json; charset=utf-8' HTTPS=on \
	    SCRIPT_NAME=/loop PATH_INFO=/x%y REQUEST_URI=/loop/x%25y
	has "Status: 200 OK"
	[ "$mode" = cgi ] && s=1 || s=$((s + 1))
	body "{\"name\":\"alïce\",\"limit\":null,\"path\":\"x%y\",\"https\":true,\"served\":$s}"

	send 'name=carol+d' REQUEST_METHOD=POST CONTENT_LENGTH=12 \
	    CONTENT_TYPE=application/x-www-form-urlencoded
	has "Status: 200 OK"
	has '"name":"carol d"'

	# 413 before reading: the cap of this route is 256 bytes.
	big=$(printf '%0300d' 0)
	send "$big" REQUEST_METHOD=POST CONTENT_LENGTH=300 \
	    CONTENT_TYPE=application/json
	has "Status: 413 Content Too Large"
	body '{"error":"Request body too large"}'
	secure

	send '{"name":"x"}' REQUEST_METHOD=POST CONTENT_LENGTH=18446744073709551616 \
	    CONTENT_TYPE=application/json
	has "Status: 400 Bad Request"
	body '{"error":"Invalid Content-Length"}'

	send '{"name":"x"}' REQUEST_METHOD=POST CONTENT_LENGTH=-12 \
	    CONTENT_TYPE=application/json
	has "Status: 400 Bad Request"
	body '{"error":"Invalid Content-Length"}'

	# Fewer bytes than announced, and more (cgi-fcgi passes on all of
	# its stdin, so both modes see the extra bytes).
	send '{"name":"x"}' REQUEST_METHOD=POST CONTENT_LENGTH=20 \
	    CONTENT_TYPE=application/json
	has "Status: 400 Bad Request"
	body '{"error":"Invalid Content-Length"}'
	send '{"name":"x"}junk' REQUEST_METHOD=POST CONTENT_LENGTH=12 \
	    CONTENT_TYPE=application/json
	has "Status: 400 Bad Request"
	body '{"error":"Invalid Content-Length"}'

	# A chunked body passed on without CONTENT_LENGTH.
	send '{"name":"x"}' REQUEST_METHOD=POST HTTP_TRANSFER_ENCODING=chunked \
	    CONTENT_TYPE=application/json
	has "Status: 411 Length Required"
	body '{"error":"Content-Length required"}'

	send 'name=x' REQUEST_METHOD=POST CONTENT_LENGTH=6 CONTENT_TYPE=text/plain
	has "Status: 415 Unsupported Media Type"
	body '{"error":"Unsupported Content-Type"}'

	send '{"name":"a","n\u0061me":"b"}' REQUEST_METHOD=POST \
	    CONTENT_LENGTH=28 CONTENT_TYPE=application/json
	has "Status: 400 Bad Request"
	body '{"error":"Duplicate key in JSON body: name"}'

	send '' REQUEST_METHOD=GET QUERY_STRING='name=a&name=b'
	has "Status: 400 Bad Request"
	body '{"error":"Repeated parameter: name"}'

	send '' REQUEST_METHOD=GET QUERY_STRING='name=a%0Ab'
	has "Status: 400 Bad Request"

	# No state survives from one request to the next.
	send '' REQUEST_METHOD=GET QUERY_STRING='limit=500'
	has "Status: 422 Unprocessable Content"
	body '{"error":"Invalid input","fields":{"name":"is required","limit":"must be a number from 1 to 100"}}'
	secure

	send '' REQUEST_METHOD=PUT QUERY_STRING='name=a'
	has "Status: 405 Method Not Allowed"
	has "Allow: GET, HEAD, POST"

	send '' REQUEST_METHOD=GET QUERY_STRING='name=%3Cb%3E%26%22' \
	    HTTP_ACCEPT='text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
	has "Status: 200 OK"
	has "Content-Type: text/html; charset=utf-8"
	has "<p>Hello &lt;b&gt;&amp;&quot;, request "
	hasnt "<b>"
	secure

	send '' REQUEST_METHOD=HEAD QUERY_STRING='name=h'
	has "Status: 200 OK"
	has "Content-Length: "
	[ -s "$dir/body" ] && fail "HEAD has a body"

	send '' REQUEST_METHOD=GET QUERY_STRING='name=c' \
	    HTTP_ORIGIN=https://ok.example
	has "Access-Control-Allow-Origin: https://ok.example"
	has "Vary: Origin"

	send '' REQUEST_METHOD=GET QUERY_STRING='name=c' \
	    HTTP_ORIGIN=https://evil.example
	hasnt "Access-Control-Allow-Origin"
	has "Vary: Origin"
}

mode=cgi
suite 1

# A refused body is still drained under CGI (Apache mod_cgid resets a
# socket closed with unread input, cutting the response short): with a
# file as stdin, the shared offset shows how much the process consumed.
printf '%0300d' 0 >"$dir/big"
{
	env -i REQUEST_METHOD=POST CONTENT_LENGTH=300 \
	    CONTENT_TYPE=application/json "$prog" >"$dir/out" 2>>"$dir/stderr"
	wc -c >"$dir/rest"
} <"$dir/big"
n=$((n + 1))
has "Status: 413 Content Too Large"
[ "$(tr -d ' ' <"$dir/rest")" = 0 ] || fail "refused body not drained"

if ! command -v cgi-fcgi >/dev/null 2>&1; then
	echo "cgi-fcgi (libfcgi-bin) not installed: FastCGI half skipped"
	[ "$fails" -eq 0 ] || exit 1
	exit 77
fi

mode=fcgi
n0=$n
TEMPLATE_DIR="$tdir" CORS_ORIGINS=https://ok.example "$prog" -s "$sock" \
    2>>"$dir/stderr" &
pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S "$sock" ] || { echo "FastCGI server did not start"; exit 99; }
sleep 0.2 # the socket file appears at bind(), just before listen()
suite 1
# One process served all of them.
send '' REQUEST_METHOD=GET QUERY_STRING='name=last'
has "\"served\":$((n - n0))"
kill -0 "$pid" 2>/dev/null || fail "FastCGI server died"
# Nothing logged the request data.
grep -qF 'carol' "$dir/stderr" && fail "request data in the log"

echo "$n requests, $fails failures"
[ "$fails" -eq 0 ]
