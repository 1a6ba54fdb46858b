#!/bin/sh
# t/abi.sh -- libencfield's ABI is lib/encfield.sym: the built shared
# library exports exactly those symbols, and lib/encfield.h declares
# exactly those functions. A symbol added, dropped or renamed fails here
# until the list (and the library's version-info) says so.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
so=$top_builddir/lib/.libs/libencfield.so
[ -f "$so" ] || { echo "abi: no $so (a static-only build?): skipped"; exit 77; }
command -v nm >/dev/null || { echo "abi: nm is missing: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

sort "$top_srcdir/lib/encfield.sym" >"$tmp/list"
nm -D --defined-only "$so" | awk '{ print $3 }' | sort >"$tmp/built"
# Every function the header declares: "ef_name(" at the start of a
# declaration, after its return type.
sed -n 's/^[a-z].*[ *]\(ef_[a-z0-9_]*\)(.*/\1/p' "$top_srcdir/lib/encfield.h" |
    sort -u >"$tmp/header"
rc=0
if ! diff -u "$tmp/list" "$tmp/built" >"$tmp/d1"; then
	echo "FAIL: the library's exports differ from lib/encfield.sym:"
	cat "$tmp/d1"
	rc=1
fi
if ! diff -u "$tmp/list" "$tmp/header" >"$tmp/d2"; then
	echo "FAIL: lib/encfield.h's functions differ from lib/encfield.sym:"
	cat "$tmp/d2"
	rc=1
fi
[ $rc -eq 0 ] && echo "ok - $(wc -l <"$tmp/list") symbols, as listed and declared"
exit $rc
