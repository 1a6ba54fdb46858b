# t/encdb-help.sh -- encdb explains itself, and its manual says the same.
#
# For every command that `encdb help` lists: `encdb COMMAND --help`,
# `encdb help COMMAND` and `-h` print the same help, with a usage line,
# an example that runs that command, and a line for each option of its
# usage line; `--version` works after it too. Then the manual: the commands
# of man/encdb.1's SYNOPSIS are those of `encdb help`, in the same order,
# and each command has the same options in both; the README's list is the
# same. Last, the bash completion offers what the table has. No database is
# needed.
set -u

encdb="$top_builddir/encdb/encdb"
man="$top_srcdir/man/encdb.1"
work=$(mktemp -d "$top_builddir/t/encdb-help.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# The options (--name) of a text, sorted, one per line.
options_of() {
	grep -o -E -e '--[a-z][a-z-]*' | sort -u
}

"$encdb" help >"$work/help" || fail "encdb help exited $?"
"$encdb" --help >"$work/help2" || fail "encdb --help exited $?"
cmp -s "$work/help" "$work/help2" || fail "encdb --help differs from encdb help"
# The command list: the lines of the "commands:" block, name then summary.
sed -n '/^commands:$/,/^$/p' "$work/help" |
    sed -n 's/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\{0,1\}\)  .*/\1/p' \
    >"$work/cmds"
[ "$(wc -l <"$work/cmds")" -ge 19 ] || fail "encdb help lists only $(wc -l <"$work/cmds") commands"

version=$("$encdb" --version) || fail "encdb --version exited $?"
echo "$version" | grep -q -E '^encdb \(fcgi-encrypted-db\) [0-9]+\.[0-9]+' ||
    fail "encdb --version: $version"

while read -r cmd; do
	# shellcheck disable=SC2086
	$encdb $cmd --help >"$work/h1" 2>&1 || fail "encdb $cmd --help exited $?"
	[ "$cmd" = help ] && continue
	# shellcheck disable=SC2086
	$encdb help $cmd >"$work/h2" 2>&1 || fail "encdb help $cmd exited $?"
	# shellcheck disable=SC2086
	$encdb $cmd -h >"$work/h3" 2>&1 || fail "encdb $cmd -h exited $?"
	cmp -s "$work/h1" "$work/h2" || fail "encdb help $cmd differs from --help"
	cmp -s "$work/h1" "$work/h3" || fail "encdb $cmd -h differs from --help"
	grep -q "^usage: encdb $cmd\( \|\$\)" "$work/h1" || fail "$cmd: no usage line"
	sed -n '/^example:$/{n;p;}' "$work/h1" | grep -q -F "encdb $cmd" ||
	    fail "$cmd: no example of encdb $cmd"
	# Each option of the usage line is explained in the options block.
	grep '^usage:' "$work/h1" | options_of >"$work/usage-opts"
	sed -n '/^options:$/,/^$/p' "$work/h1" | grep -E '^  (-[a-z], )?--' |
	    options_of >"$work/explained"
	for o in $(cat "$work/usage-opts") --help --verbose --version; do
		grep -q -x -e "$o" "$work/explained" || fail "$cmd --help does not explain $o"
	done
	# shellcheck disable=SC2086
	v=$($encdb $cmd --version) || fail "encdb $cmd --version exited $?"
	[ "$v" = "$version" ] || fail "encdb $cmd --version: $v"
done <"$work/cmds"

# The groups answer with their subcommands.
for g in user token audit; do
	"$encdb" "$g" --help >"$work/g" || fail "encdb $g --help exited $?"
	grep -q "^  $g [a-z]" "$work/g" || fail "encdb $g --help lists no subcommand"
	"$encdb" "$g" >/dev/null 2>&1
	[ $? -eq 2 ] || fail "encdb $g alone is not a usage error"
done
"$encdb" help no-such-command >/dev/null 2>&1
[ $? -eq 2 ] || fail "encdb help no-such-command is not a usage error"
"$encdb" --no-such-option >/dev/null 2>&1
[ $? -eq 2 ] || fail "encdb --no-such-option is not a usage error"

# ---- the manual: its SYNOPSIS, one ".Nm" block per command
sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$man" | awk '
	/^\.Nm/ { cmd = "" }
	/^\.Cm / { cmd = substr($0, 5); print "C " cmd; next }
	cmd != "" && /Fl -/ {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^-[a-z]/)
				print "O " cmd " -" $i
	}' >"$work/man"
sed -n 's/^C //p' "$work/man" >"$work/man-cmds"
if ! diff -u "$work/man-cmds" "$work/cmds" >"$work/diff"; then
	fail "the commands of man/encdb.1's SYNOPSIS (-) and of encdb help (+) differ"
	cat "$work/diff" >&2
fi
while read -r cmd; do
	[ "$cmd" = help ] && continue
	sed -n "s/^O $cmd //p" "$work/man" | sort -u >"$work/man-opts"
	# shellcheck disable=SC2086
	$encdb $cmd --help | grep '^usage:' | options_of >"$work/usage-opts"
	diff -u "$work/man-opts" "$work/usage-opts" >"$work/diff" || {
		fail "$cmd: options in man/encdb.1 (-) and --help (+) differ"
		cat "$work/diff" >&2
	}
	# The manual describes the command in DESCRIPTION too.
	grep -q "^\.It Cm $cmd\( \|\$\)" "$man" ||
	    fail "man/encdb.1 does not describe $cmd (.It Cm $cmd)"
done <"$work/cmds"

# ---- the README shows the same command list (its "$ encdb help" block).
sed -n '/^    \$ encdb help$/,/^$/p' "$top_srcdir/README" |
    sed -n '/^    commands:$/,/^$/p' | sed 's/^    //' >"$work/readme-cmds"
sed -n '/^commands:$/,/^$/p' "$work/help" >"$work/help-cmds"
diff -u "$work/readme-cmds" "$work/help-cmds" >"$work/diff" || {
	fail "the README's command list (-) and encdb help (+) differ"
	cat "$work/diff" >&2
}

# ---- the bash completion (encdb/bash-completion/encdb) completes from the
# same table: commands, subcommands, a command's options, set-type's TYPE.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
	    _encdb; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
	    sh "$top_srcdir/encdb/bash-completion/encdb" "$encdb" "$@"
}
if command -v bash >/dev/null; then
	got=$(complete_words us)
	[ "$got" = "user " ] || fail "completion of 'us': $got"
	got=$(complete_words user "")
	[ "$got" = "delete list passwd set-type " ] || fail "completion of 'user ': $got"
	got=$(complete_words rotate --)
	[ "$got" = "--batch --help --jobs --pause --verbose --version " ] ||
	    fail "completion of 'rotate --': $got"
	got=$(complete_words user list --p)
	[ "$got" = "--prefix " ] || fail "completion of 'user list --p': $got"
	got=$(complete_words user set-type alice "")
	[ "$got" = "admin user " ] || fail "completion of 'user set-type alice ': $got"
	got=$(complete_words help tok)
	[ "$got" = "token " ] || fail "completion of 'help tok': $got"
else
	echo "no bash: the completion is not tested"
fi

[ "$failures" -eq 0 ]
