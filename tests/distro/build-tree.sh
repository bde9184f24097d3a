#!/bin/bash
# build-tree.sh RELEASE DIR - compile this tree's tracked files, as they are now,
# the way the README's source install does (`make`), with RELEASE's own toolchain:
# in a chroot into the tree its image was made from ($CACHE/RELEASE/rootfs, kept by
# build-image.sh), with the tree at this tree's absolute path. As root.
#
# For the README's source install on a release that is not the host's
# (tests/source): the guest unpacks DIR/build at the same path, and its `make`
# finds nothing to do, as on the machine where it was built. Compiling in the
# guest takes about 8 minutes of TCG; here it takes seconds (DESIGN.md §24).
# DIR keeps the tree and its build between runs: unchanged files keep their
# mtimes, so ninja recompiles only what changed. Output: DIR/build.log.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
RELEASE=${1:?usage: build-tree.sh RELEASE DIR}
DIR=${2:?usage: build-tree.sh RELEASE DIR}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vhid/distro}
ROOT=$CACHE/$RELEASE/rootfs

die() { echo "build-tree $RELEASE: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$ROOT/usr/bin/make" ] || die "no $ROOT with make (build-image.sh $RELEASE makes it)"
mkdir -p "$DIR/tree"
git -C "$SRC" ls-files -z | tar -C "$SRC" --null -T - -cf - | tar -C "$DIR/tree" -xf -
# the mount point of the tree in the image's tree: an empty directory, nothing else
mkdir -p "$ROOT$SRC"
# a private mount namespace: every mount goes when the build ends, whatever happens
# shellcheck disable=SC2016 # the inner shell expands its own arguments
unshare -m /bin/sh -euc '
	ROOT=$1 SRC=$2 TREE=$3
	mount --make-rprivate /
	# /tmp first: a tree under /tmp (a clone there) is bound inside it, not hidden by it
	mount -t tmpfs tmpfs "$ROOT/tmp"
	mkdir -p "$ROOT$SRC"
	mount --bind "$TREE" "$ROOT$SRC"
	mount -t proc proc "$ROOT/proc"
	mount --rbind /dev "$ROOT/dev"
	exec chroot "$ROOT" /usr/bin/env -i HOME=/tmp LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin make -C "$SRC"
' sh "$ROOT" "$SRC" "$DIR/tree" >"$DIR/build.log" 2>&1 ||
	{ tail -20 "$DIR/build.log" >&2; die "make failed (log: $DIR/build.log)"; }
