#!/bin/sh
# fuzz/run.sh -- run the libFuzzer drivers (make fuzz, make fuzz-smoke).
#
#   fuzz/run.sh SRCDIR BUILDDIR SECONDS DRIVERS
#
# Runs each driver BUILDDIR/fuzz/bin/fuzz_NAME for SECONDS seconds, with
# its seed corpus (SRCDIR/fuzz/corpus/NAME, read only) and dictionary
# (SRCDIR/fuzz/NAME.dict, when there is one); new inputs go to
# BUILDDIR/fuzz/work/NAME, crash files to BUILDDIR/fuzz/crashes/NAME/.
# Memory per run is capped (-rss_limit_mb, -malloc_limit_mb) and every
# input has a time limit (-timeout), so an out-of-memory or a hang is a
# finding like a crash. Prints one line per driver: executions, corpus
# size, crashes; exits 1 if any driver failed. FUZZ_SEED, when set, fixes
# libFuzzer's seed so that a run is repeatable (make fuzz-smoke sets 1:
# CI explores the same inputs every time, as far as its speed takes it).
set -u

[ $# -ge 4 ] || { echo "usage: fuzz/run.sh SRCDIR BUILDDIR SECONDS DRIVERS" >&2; exit 2; }
src=$1
bld=$2
secs=$3
drivers=$4
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/fuzz/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fail=0
summary=
for d in $drivers; do
	bin=$bld/fuzz/bin/fuzz_$d
	[ -x "$bin" ] || { echo "fuzz/run.sh: $bin not built (make fuzz-build)" >&2; exit 1; }
	work=$bld/fuzz/work/$d
	crashes=$bld/fuzz/crashes/$d
	mkdir -p "$work" "$crashes"
	dict=
	[ -f "$src/fuzz/$d.dict" ] && dict=-dict=$src/fuzz/$d.dict
	# Per-driver libFuzzer flags (fuzz/NAME.options, one or more words):
	# fcgi allows bigger mallocs, see fuzz/fcgi.options.
	opts=
	[ -f "$src/fuzz/$d.options" ] && opts=$(grep -v '^#' "$src/fuzz/$d.options")
	[ -n "${FUZZ_SEED:-}" ] && opts="$opts -seed=$FUZZ_SEED"
	log=$bld/fuzz/fuzz_$d.log
	echo "fuzz: $d for ${secs}s (log: $log)"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -malloc_limit_mb=1024 -max_len=16384 -print_final_stats=1 \
	    -artifact_prefix="$crashes/" $dict $opts \
	    "$work" "$src/fuzz/corpus/$d" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	ncrash=$(find "$crashes" -type f | wc -l)
	ncorp=$(find "$work" -type f | wc -l)
	line=$(printf '%-12s execs=%-10s new-corpus=%-6s crash-files=%s rc=%s' \
	    "$d" "${execs:-?}" "$ncorp" "$ncrash" "$rc")
	summary="$summary$line
"
	if [ "$rc" -ne 0 ]; then
		fail=1
		echo "fuzz: $d FAILED; the end of its log:" >&2
		tail -n 40 "$log" >&2
	fi
done
echo "---- fuzz summary (${secs}s each)"
printf '%s' "$summary"
exit $fail
