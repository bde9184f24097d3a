#!/bin/sh
# abi-check.sh [--update] [BUILDDIR] - libvhid's ABI, checked with abidiff (abigail-tools):
#  1. this build's libvhid against the committed baseline abi/libvhid.abi;
#  2. against libvhid of the previous release (v0.1.0, built from git history and cached by
#     scripts/build-release.sh);
#  3. the proof: a libvhid built with a public struct broken on purpose must fail check 1.
# A difference fails unless the soname changed with it; functions only added pass, with a
# note to record them. After a deliberate change (a new soname, or members added at the end
# of a struct that starts with its size) record the new baseline in the same commit:
#     scripts/abi-check.sh --update build
# Prints PASS/FAIL lines and "abi: N passed, M failed".
set -u
cd "$(dirname "$0")/.." || exit 2
update=false
[ "${1:-}" = --update ] && { update=true; shift; }
BUILD=${1:-build}
BASELINE=abi/libvhid.abi
P=0 F=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/abi-check.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

lib=$(ls "$BUILD"/libvhid/libvhid.so.*.*.* 2>/dev/null | head -1)
[ -n "$lib" ] || { echo "abi: no libvhid in $BUILD; build first"; echo "abi: 0 passed, 1 failed"; exit 1; }
command -v abidiff >/dev/null || { echo "abi: no abidiff: apt-get install abigail-tools"; echo "abi: 0 passed, 1 failed"; exit 1; }

if $update; then
	abidw --headers-dir include --drop-private-types --no-corpus-path --no-comp-dir-path \
		--short-locs --out-file "$BASELINE" "$lib" && echo "abi: wrote $BASELINE from $lib"
	exit $?
fi

result() { # 0|1 NAME DETAIL
	if [ "$1" -eq 0 ]; then echo "PASS abi.$2"; P=$((P + 1)); else echo "FAIL abi.$2: $3"; F=$((F + 1)); fi
}

soname() { # the soname of an ELF file or an abidw corpus
	case $1 in
	*.abi) sed -n "s/.*soname='\([^']*\)'.*/\1/p" "$1" | head -1 ;;
	*) objdump -p "$1" | awk '$1 == "SONAME" { print $2 }' ;;
	esac
}

# compare OLD NEW OLD-HEADERS NEW-HEADERS: 0 compatible, 1 not; the verdict in $TMP/why
compare() {
	abidiff ${3:+--headers-dir1 "$3"} --headers-dir2 "$4" "$1" "$2" >"$TMP/report" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "no change" >"$TMP/why"
		return 0
	fi
	if [ "$(soname "$1")" != "$(soname "$2")" ]; then
		echo "incompatible changes come with a new soname ($(soname "$1") -> $(soname "$2"))" >"$TMP/why"
		return 0
	fi
	if abidiff --no-added-syms ${3:+--headers-dir1 "$3"} --headers-dir2 "$4" "$1" "$2" >/dev/null 2>&1; then
		echo "functions added only: record them with scripts/abi-check.sh --update" >"$TMP/why"
		return 0
	fi
	echo "abidiff exit $rc: the ABI changed but the soname stayed $(soname "$2")" >"$TMP/why"
	sed 's/^/#   /' "$TMP/report" | head -40
	return 1
}

# 1. the committed baseline
compare "$BASELINE" "$lib" "" include
result $? "baseline" "$(cat "$TMP/why")"
echo "#   against $BASELINE: $(cat "$TMP/why")"

# 2. the previous release
if old=$(scripts/build-release.sh v0.1.0 2>"$TMP/err"); then
	compare "$(ls "$old"/build/libvhid/libvhid.so.*.*.* | head -1)" "$lib" "$old/src/include" include
	result $? "v0.1.0" "$(cat "$TMP/why")"
	echo "#   against v0.1.0: $(cat "$TMP/why")"
else
	result 1 "v0.1.0" "cannot build v0.1.0: $(tail -1 "$TMP/err")"
fi

# 3. the proof: struct vhid_client_listener with a member inserted before size
mkdir -p "$TMP/inc"
sed 's/^\tsize_t size; \/\*\*< sizeof(struct vhid_client_listener)/\tvoid *inserted;\n&/' \
	include/vhid.h >"$TMP/inc/vhid.h"
if ! grep -q inserted "$TMP/inc/vhid.h"; then
	result 1 "catches.broken.struct" "cannot break vhid.h: the size member moved?"
elif ! ${CC:-cc} -shared -fPIC -g -O2 -std=c11 -D_GNU_SOURCE -fvisibility=hidden -I"$TMP/inc" \
	-Iinclude -Icommon -I"$BUILD" libvhid/*.c common/connection.c \
	common/errors.c common/groups.c common/protocol.c common/report.c common/usage.c \
	$(pkg-config --cflags --libs xkbcommon) \
	-Wl,--version-script=libvhid/libvhid.sym -Wl,-soname,"$(soname "$lib")" \
	-o "$TMP/libvhid.so.broken" 2>"$TMP/cc.err"; then
	result 1 "catches.broken.struct" "cannot build it: $(head -3 "$TMP/cc.err")"
elif compare "$BASELINE" "$TMP/libvhid.so.broken" "" "$TMP/inc" >/dev/null; then
	result 1 "catches.broken.struct" "a member inserted into struct vhid_client_listener passed"
else
	result 0 "catches.broken.struct" ""
	echo "#   a member inserted into struct vhid_client_listener: $(cat "$TMP/why")"
fi

echo "abi: $P passed, $F failed"
[ $F -eq 0 ]
