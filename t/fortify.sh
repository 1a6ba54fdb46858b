# t/fortify.sh -- the default build is hardened with _FORTIFY_SOURCE=3:
# a copy one byte past a buffer whose size is known only at run time
# aborts (t/fortify-probe). Skipped in a sanitizer build, which leaves
# _FORTIFY_SOURCE out (ASan checks such copies itself).
probe="$top_builddir/t/fortify-probe"
if grep -q '^HARDEN_CPPFLAGS = *$' "$top_builddir/Makefile"; then
	echo "no _FORTIFY_SOURCE in this build (sanitizers): skipped"
	exit 77
fi
out=$("$probe" 8 2>&1)
rc=$?
if [ $rc -gt 128 ] && printf '%s' "$out" | grep -q 'buffer overflow detected'; then
	echo "ok - an overflow of a run-time-sized buffer aborts ($rc)"
	exit 0
fi
echo "not ok - an overflow of a run-time-sized buffer went unchecked ($rc: $out)"
exit 1
