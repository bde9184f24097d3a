#!/bin/sh
# deb.sh [SRC [OUT]] - build the Debian packages of the tree SRC (default: this
# one) into OUT (default build/deb): dpkg-buildpackage -b in a scratch copy, so
# the tree stays clean, then lintian. Prints the .debs it made.
#
# The library package is named after the soname meson builds (libvhid.so.N is
# packaged as libvhidN, Policy 8.1): debian/control names one, and the copy is
# renamed when meson's soversion differs, so this builds any release's tree.
set -eu
SRC=$(cd "${1:-$(dirname "$0")/..}" && pwd)
OUT=${2:-$SRC/build/deb}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
scratch=$OUT/vhid-${version%-*}
rm -rf "$scratch" "$OUT"/*.deb "$OUT"/*.changes "$OUT"/*.buildinfo
mkdir -p "$scratch"

# the tracked files as they are now (uncommitted edits included), or all but build/
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$scratch"
else
	(cd "$SRC" && tar --exclude=./build -cf - .) | tar -xf - -C "$scratch"
fi

sover=$(sed -n 's/^[[:space:]]*soversion:[[:space:]]*\([0-9]*\).*/\1/p' "$scratch/libvhid/meson.build")
have=$(sed -n 's/^Package: libvhid\([0-9][0-9]*\)$/\1/p' "$scratch/debian/control")
if [ -n "$sover" ] && [ "$sover" != "$have" ]; then
	echo "deb: meson builds libvhid.so.$sover: packaging it as libvhid$sover (not libvhid$have)"
	sed -i "s/\blibvhid$have\b/libvhid$sover/g" "$scratch/debian/control"
	for f in "$scratch"/debian/libvhid"$have".*; do
		[ -e "$f" ] || continue
		sed -i "s/libvhid\.so\.$have\b/libvhid.so.$sover/; s/\blibvhid$have\b/libvhid$sover/g" "$f"
		mv "$f" "$scratch/debian/libvhid$sover.${f##*/libvhid$have.}"
	done
fi

(cd "$scratch" && dpkg-buildpackage -b -us -uc) >"$OUT/build.log" 2>&1 || {
	tail -40 "$OUT/build.log"
	echo "deb: dpkg-buildpackage failed; the whole log is $OUT/build.log" >&2
	exit 1
}
changes=$(ls "$OUT"/*.changes)
rc=0
lintian --display-info --pedantic --fail-on error "$changes" >"$OUT/lintian.txt" 2>&1 || rc=$?
echo "deb: lintian ($(grep -c '^[EWIP]:' "$OUT/lintian.txt" || true) tags; $OUT/lintian.txt):"
sed 's/^/  /' "$OUT/lintian.txt"
ls "$OUT"/*.deb
exit $rc
