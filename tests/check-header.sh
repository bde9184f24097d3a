#!/bin/sh
# check-header.sh INCLUDE_DIR
#
# vhid.h promises to compile as C99 and C++: check it with pedantic warnings as
# errors, as C99, C11 and C++11. TAP output.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 INCLUDE_DIR" >&2
	exit 2
fi
inc=$1
CC=${CC:-cc}
CXX=${CXX:-c++}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-header.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

# included twice: the include guard must hold
cat >"$tmp/t.c" <<'EOF'
#include <vhid.h>
#include <vhid.h>

int main(void)
{
	uint16_t keys[VHID_MAX_KEYS] = {0};
	return vhid_keys_count(keys);
}
EOF
cp "$tmp/t.c" "$tmp/t.cpp"

failed=0
n=0
echo "1..3"

check() { # description compiler args...
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "# $*"
		sed 's/^/# /' "$tmp/out"
		failed=1
	fi
}

check "vhid.h compiles as C99 -pedantic -Werror" \
	"$CC" -std=c99 -pedantic -Werror -Wall -Wextra -fsyntax-only -I "$inc" "$tmp/t.c"
check "vhid.h compiles as C11 -pedantic -Werror" \
	"$CC" -std=c11 -pedantic -Werror -Wall -Wextra -fsyntax-only -I "$inc" "$tmp/t.c"
check "vhid.h compiles as C++11 -pedantic -Werror" \
	"$CXX" -std=c++11 -pedantic -Werror -Wall -Wextra -fsyntax-only -I "$inc" "$tmp/t.cpp"

exit $failed
