#!/bin/sh
# fuzz/replay.sh -- the fuzz regression test of make check: run each
# driver's replay program (the driver built with the project's compiler
# and fuzz/replay.c) over its seed corpus, fuzz/corpus/NAME/, which also
# keeps every input that ever crashed a driver (files named crash-*,
# oom-*, timeout-*). Under --enable-sanitizers the replays run with ASan
# and UBSan. Passes when every input of every corpus ran to the end.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
# Under --enable-sanitizers: third-party leaks only (see the file).
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top_srcdir/fuzz/lsan.supp:print_suppressions=0}
export LSAN_OPTIONS
drivers="query json headers ciphertext pwhash tmpl fcgi settings format"
fail=0
total=0
for d in $drivers; do
	bin=$top_builddir/fuzz/replay_$d
	corpus=$top_srcdir/fuzz/corpus/$d
	if [ ! -x "$bin" ]; then
		echo "not ok - $d: $bin is not built"
		fail=1
		continue
	fi
	n=$(find "$corpus" -type f | wc -l)
	if [ "$n" -eq 0 ]; then
		echo "not ok - $d: empty corpus $corpus"
		fail=1
		continue
	fi
	if out=$("$bin" "$corpus" 2>&1); then
		echo "ok - $d: $n inputs replayed ($out)"
		total=$((total + n))
	else
		echo "not ok - $d: replay failed:"
		printf '%s\n' "$out" | tail -n 30
		fail=1
	fi
done
echo "fuzz replay: $total inputs over $(echo $drivers | wc -w) drivers"
exit $fail
