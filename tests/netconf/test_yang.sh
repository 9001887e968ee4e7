#!/bin/sh
# test_yang.sh - yang/hybridgw.yang compiles, docs/YANG-TREE.txt is its current tree, and the
# example configurations that YANG alone can judge are judged as their headers say.
#
# Each tests/netconf/examples/*.xml starts with a comment:
#   valid-*.xml     must pass yanglint;
#   invalid-*.xml   "checked-by: yang" must fail yanglint with "expect-error: TEXT" in its
#                   message; "checked-by: hybridgwd" passes yanglint (YANG cannot say it) and
#                   is judged by the C checks in test_nc_examples.
# IETF modules come from Debian's libyuma-base, yanglint from libyang2-tools.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ietf=${HGW_IETF_YANG_DIR:-/usr/share/yuma/modules/ietf}
module=$top/yang/hybridgw.yang
fails=0
n=0

command -v yanglint >/dev/null 2>&1 || {
	echo "test_yang: yanglint not found: apt-get install libyang2-tools" >&2
	exit 1
}
test -f "$ietf/ietf-netconf-acm@2018-02-14.yang" || {
	echo "test_yang: IETF modules not in $ietf: apt-get install libyuma-base" >&2
	exit 1
}

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

# Collapses the folded YANG error-message strings to single spaces, for matching.
flat() { tr '\n' ' ' | tr -s ' \t' '  '; }

if out=$(yanglint -p "$ietf" "$module" 2>&1) && test -z "$out"; then
	ok "hybridgw.yang compiles without warnings"
else
	not_ok "hybridgw.yang compiles without warnings: $out"
fi

tree=$(yanglint -p "$ietf" -f tree "$module" 2>&1)
if sed '1,/^$/d' "$top/docs/YANG-TREE.txt" | diff -u - /dev/fd/3 3<<TREE >/dev/null
$tree
TREE
then
	ok "docs/YANG-TREE.txt is up to date"
else
	not_ok "docs/YANG-TREE.txt is out of date (see its header to regenerate)"
fi

for f in "$here"/examples/*.xml; do
	name=$(basename "$f")
	out=$(yanglint -p "$ietf" -t config "$module" "$f" 2>&1)
	rc=$?
	by=$(sed -n 's/^ *checked-by: *//p' "$f")
	expect=$(sed -n 's/^ *expect-error: *\(.*\) -->$/\1/p' "$f")
	case "$name:$by" in
	valid-*)
		test $rc -eq 0 && ok "$name is valid" || not_ok "$name is valid: $out" ;;
	invalid-*:hybridgwd)
		test $rc -eq 0 && ok "$name passes YANG (judged in C)" ||
			not_ok "$name passes YANG (judged in C): $out" ;;
	invalid-*:yang)
		if test $rc -ne 0 && test -n "$expect" &&
			printf '%s' "$out" | flat | grep -qF -- "$expect"; then
			ok "$name is rejected: $expect"
		else
			not_ok "$name is rejected with '$expect': rc=$rc $out"
		fi ;;
	*)
		not_ok "$name: no valid-/invalid- prefix or no checked-by line" ;;
	esac
done

echo "1..$n"
test $fails -eq 0
