#!/bin/sh
# fuzz/build.sh -- build the libFuzzer drivers with clang (make fuzz-build).
#
#   fuzz/build.sh SRCDIR BUILDDIR DRIVERS -- LIB-SOURCES...
#
# Automake builds the project with $(CC) (gcc); libFuzzer needs clang. So
# this script compiles the lib/ sources (LIB-SOURCES, relative to SRCDIR:
# libapp and libencfield, from the Makefile's own lists) once more with
# clang and -fsanitize=fuzzer-no-link,address,undefined into
# BUILDDIR/fuzz/obj/, then links each driver fuzz/fuzz_NAME.c (NAME from
# the space-separated DRIVERS) with -fsanitize=fuzzer into
# BUILDDIR/fuzz/bin/fuzz_NAME. An object is rebuilt only when its source
# or a header is newer. The environment gives the rest (set by
# fuzz/local.mk): FUZZ_CC (clang), FUZZ_CPPFLAGS (include paths and the
# defines the project uses), FUZZ_LIBS (pkg-config libraries).
set -eu

[ $# -ge 4 ] || { echo "usage: fuzz/build.sh SRCDIR BUILDDIR DRIVERS -- SOURCES..." >&2; exit 2; }
src=$1
bld=$2
drivers=$3
shift 3
[ "$1" = -- ] || { echo "fuzz/build.sh: expected --" >&2; exit 2; }
shift

cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null 2>&1 || {
	echo "fuzz/build.sh: $cc not found (apt-get install clang libclang-rt-dev)" >&2
	exit 1
}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer $san
	-Wall -Wextra -Wno-unused-parameter"
mkdir -p "$bld/fuzz/obj" "$bld/fuzz/bin"

# The newest header: a change there rebuilds everything.
newest_h=$(ls -t "$src"/lib/*.h "$src"/fuzz/*.h "$bld/config.h" | head -n 1)

objs=
for s in "$@"; do
	case $s in
	*.c) ;;
	*) continue ;;
	esac
	o=$bld/fuzz/obj/$(basename "$s" .c).o
	objs="$objs $o"
	if [ ! -f "$o" ] || [ "$src/$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		echo "  CLANG    $s"
		# shellcheck disable=SC2086
		$cc $cflags -fsanitize=fuzzer-no-link $FUZZ_CPPFLAGS \
		    -c "$src/$s" -o "$o"
	fi
done

for d in $drivers; do
	out=$bld/fuzz/bin/fuzz_$d
	echo "  FUZZLD   fuzz/fuzz_$d.c"
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer -DFUZZ_LIBFUZZER $FUZZ_CPPFLAGS -I"$src/fuzz" \
	    "$src/fuzz/fuzz_$d.c" $objs $FUZZ_LIBS -o "$out"
done
