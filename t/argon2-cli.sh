#!/bin/sh
# argon2-cli.sh -- Argon2id interoperability between libencfield and the
# reference implementation's command-line tool (Debian package argon2).
#
#  1. Hashes made by ef_pw_hash (random salt) are recomputed by `argon2`
#     from the same salt and parameters: the PHC strings must be identical.
#  2. Hashes made by `argon2 ... -e` (several parameter sets) verify with
#     ef_pw_verify, and a wrong password does not.
#
# Run by `make check` with top_builddir set; EF_PWTOOL_WRAP may name a
# wrapper (valgrind) for the helper.
set -u

builddir=${top_builddir:-.}
tool="${EF_PWTOOL_WRAP:-} $builddir/t/ef-pwtool"
fail=0
n=0

if ! command -v argon2 >/dev/null 2>&1; then
	echo "argon2-cli.sh: the argon2 tool is missing (apt-get install argon2)" >&2
	exit 99
fi

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

notok() {
	n=$((n + 1))
	fail=1
	echo "not ok $n - $*"
}

# 1. ef_pw_hash -> argon2.
for pw in password p 'pässwörd' 'correct horse battery staple' 'a$b,c=d'; do
	tries=0
	while :; do
		tries=$((tries + 1))
		h=$(printf '%s' "$pw" | $tool hash) || {
			notok "ef_pw_hash '$pw' failed"
			break
		}
		# A salt with a NUL or a final newline cannot go through argv:
		# draw another one (about 1 in 15).
		salt=$($tool salt "$h")
		rc=$?
		[ $rc -eq 3 ] && [ $tries -lt 50 ] && continue
		if [ $rc -ne 0 ]; then
			notok "cannot extract the salt of $h"
			break
		fi
		ref=$(printf '%s' "$pw" |
		    argon2 "$salt" -id -t 2 -k 19456 -p 1 -l 32 -e)
		if [ "$h" = "$ref" ]; then
			ok "ef_pw_hash('$pw') = argon2 $ref"
		else
			notok "ef_pw_hash('$pw') = $h but argon2 says $ref"
		fi
		break
	done
done

# The same through ef_pw_hash_salt with printable salts.
for salt in somesalt 'another salt of 32 bytes length'; do
	mine=$(printf '%s' password | $tool hash-salt "$salt")
	ref=$(printf '%s' password |
	    argon2 "$salt" -id -t 2 -k 19456 -p 1 -l 32 -e)
	if [ -n "$mine" ] && [ "$mine" = "$ref" ]; then
		ok "ef_pw_hash_salt(salt '$salt') = argon2"
	else
		notok "ef_pw_hash_salt(salt '$salt') = '$mine', argon2 '$ref'"
	fi
done

# 2. argon2 -> ef_pw_verify, over several parameter sets.
for params in '-t 2 -k 19456 -p 1 -l 32' '-t 3 -m 12 -p 1 -l 32' \
    '-t 1 -m 10 -p 4 -l 16' '-t 4 -k 1000 -p 2 -l 64'; do
	for pw in password p 'pässwörd'; do
		# shellcheck disable=SC2086
		ref=$(printf '%s' "$pw" | argon2 saltysalt -id $params -e)
		if printf '%s' "$pw" | $tool verify "$ref"; then
			ok "ef_pw_verify accepts argon2 $params ('$pw')"
		else
			notok "ef_pw_verify rejects $ref ('$pw')"
		fi
		printf '%s' "${pw}x" | $tool verify "$ref"
		if [ $? -eq 1 ]; then
			ok "ef_pw_verify refuses a wrong password ($params)"
		else
			notok "ef_pw_verify accepted a wrong password for $ref"
		fi
	done
done

echo "1..$n"
exit $fail
