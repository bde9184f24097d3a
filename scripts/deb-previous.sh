#!/bin/sh
# deb-previous.sh [COMMIT [VERSION]] - build the previous release's Debian
# packages, for the upgrade test: 0.1.0 (tag v0.1.0, else commit b84bd22) by
# default. Prints the directory holding its .debs:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/vhid/debs/<full commit>-<recipe>/
# A cached build is reused while the old tree and this one's debian/ and build
# scripts (the recipe's hash) are the same.
#
# 0.1.0 had no debian/: this tree's debian/ is applied with a VERSION-1
# changelog and four adaptations the old tree needs: the meson options and the
# Python package it did not have leave debian/; its meson installed the
# unit under /usr/lib/systemd/system, which Debian 12's debhelper does not
# look at (moved to /lib); it had no socket unit, tmpfiles.d or udev rule (so
# those lines leave vhid.install); and the symbols file describes this ABI,
# not its (dh_makeshlibs makes a shlibs file instead).
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
want=${1:-v0.1.0}
commit=$(git -C "$HERE" rev-parse -q --verify "$want^{commit}" 2>/dev/null ||
	git -C "$HERE" rev-parse --verify b84bd22^{commit})
version=${2:-$(git -C "$HERE" show "$commit:meson.build" |
	sed -n "s/^[[:space:]]*version: '\([0-9.]*\)',.*/\1/p" | head -1)}
# keyed by what builds them too: a change to debian/ that the old tree cannot
# build must fail here at once, not on the first machine without this cache
recipe=$(cd "$HERE" && find debian scripts/deb-previous.sh scripts/deb.sh -type f | sort |
	xargs sha256sum | sha256sum | cut -c1-12)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/vhid/debs/$commit-$recipe
if ls "$CACHE"/vhid_"$version"-1_*.deb >/dev/null 2>&1; then
	echo "$CACHE"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src"
git -C "$HERE" archive "$commit" | tar -xf - -C "$T/src"
rm -rf "$T/src/debian"
cp -r "$HERE/debian" "$T/src/debian"
rm -f "$T/src"/debian/libvhid*.symbols
cat >"$T/src/debian/changelog" <<EOC
vhid ($version-1) unstable; urgency=medium

  * Release $version, packaged with the debian/ of a later tree for the
    upgrade test.

 -- vhid maintainers <maintainers@users.noreply.r-seed-c4c37645.example>  $(git -C "$HERE" show -s --format=%aD "$commit")
EOC
# the unit where Debian 12's dh_installsystemd finds it
sed -i "s|get_option('prefix') / 'lib' / 'systemd' / 'system'|'/lib/systemd/system'|" \
	"$T/src/contrib/meson.build"
# meson options the old tree does not have leave debian/rules (meson refuses
# unknown ones), and without a Python binding there is no python3-vhid
for o in x11 wayland python; do
	grep -q "option('$o'" "$T/src/meson_options.txt" ||
		sed -i "s/[[:space:]]*-D$o=[a-z]*//" "$T/src/debian/rules"
done
if [ ! -d "$T/src/python" ]; then
	awk -v RS= -v ORS='\n\n' '!/(^|\n)Package: python3-vhid\n/' "$T/src/debian/control" \
		>"$T/control" && mv "$T/control" "$T/src/debian/control"
	rm -f "$T/src/debian/python3-vhid".*
fi
# what the old tree does not install leaves vhid.install
src=$T/src/contrib
[ -e "$src/systemd/vhidd.socket.in" ] || sed -i '\|/vhidd.socket$|d' "$T/src/debian/vhid.install"
[ -d "$src/tmpfiles.d" ] || sed -i '\|tmpfiles.d/|d' "$T/src/debian/vhid.install"
[ -d "$src/udev" ] || sed -i '\|udev/rules.d/|d' "$T/src/debian/vhid.install"
"$HERE/scripts/deb.sh" "$T/src" "$T/out" >"$T/deb.log" 2>&1 || {
	tail -30 "$T/deb.log" >&2
	exit 1
}
mkdir -p "$CACHE"
cp "$T/out"/*.deb "$T/out/lintian.txt" "$CACHE/"
echo "$CACHE"
