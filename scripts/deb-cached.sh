#!/bin/sh
# deb-cached.sh - this tree's Debian packages for make check: scripts/deb.sh's
# build (into build/deb, lintian included), kept in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/vhid/debs/tree-<hash of the files deb.sh packs>/
# and reused while none of those files changes (only the newest build is kept).
# Prints the directory; exits non-zero when deb.sh failed (lintian errors
# included), but still prints build/deb when it made packages.
set -u
HERE=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/vhid/debs
# the same file list as deb.sh's copy: tracked and untracked, not ignored
key=$(cd "$HERE" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh | sort -z |
	xargs -0 sha256sum | sha256sum | cut -c1-16)
dir=$CACHE/tree-$key
if ls "$dir"/vhid_*.deb >/dev/null 2>&1; then
	echo "$dir"
	exit 0
fi
"$HERE/scripts/deb.sh" "$HERE" "$HERE/build/deb" >&2
rc=$?
ls "$HERE"/build/deb/vhid_*.deb >/dev/null 2>&1 || exit 1
if [ $rc = 0 ]; then
	rm -rf "$CACHE"/tree-*
	mkdir -p "$dir" && cp "$HERE"/build/deb/*.deb "$HERE/build/deb/lintian.txt" "$dir/" &&
		echo "$dir" && exit 0
fi
echo "$HERE/build/deb"
exit $rc
