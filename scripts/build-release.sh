#!/bin/sh
# build-release.sh [REF] - build libvhid, vhidd and vhidctl of an earlier release from git
# history (default v0.1.0; without that tag, its commit b84bd22), for the ABI check and the
# cross-version tests. Built once per commit and cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/vhid/release-<commit>/ (src/ and build/). Prints that
# directory.
set -eu
cd "$(dirname "$0")/.."
ref=${1:-v0.1.0}
commit=$(git rev-parse -q --verify "$ref^{commit}" 2>/dev/null) ||
	{ [ "$ref" = v0.1.0 ] && commit=$(git rev-parse -q --verify "b84bd22^{commit}" 2>/dev/null); } ||
	{ echo "build-release: $ref is not in this clone's history (git fetch --tags?)" >&2; exit 1; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vhid/release-$commit
mkdir -p "$(dirname "$cache")"
# two checks at once must not build into the same directory
exec 9>"$cache.lock"
flock 9
if [ ! -f "$cache/done" ]; then
	rm -rf "$cache"
	mkdir -p "$cache/src"
	git archive "$commit" | tar -x -C "$cache/src"
	# its own defaults (debugoptimized: -g, which abidw reads), without its tests
	meson setup "$cache/build" "$cache/src" -Dtests=false >"$cache/setup.log" 2>&1 ||
		{ cat "$cache/setup.log" >&2; exit 1; }
	ninja -C "$cache/build" >"$cache/build.log" 2>&1 || { tail -30 "$cache/build.log" >&2; exit 1; }
	touch "$cache/done"
fi
echo "$cache"
