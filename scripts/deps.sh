#!/bin/sh
# deps.sh [build|check|demo|bench|distro|stress|deb|fuzz] - install what this project needs on Debian 12, and nothing
# it already has. Idempotent: when every package is present it only runs dpkg-query.
# Runs apt-get as root (directly, or through sudo when that is available).
set -eu

# dpkg-dev: without dpkg-architecture meson installs libraries into <prefix>/lib64,
# which Debian's loader does not search, instead of <prefix>/lib/<multiarch>
BUILD="meson ninja-build gcc g++ pkg-config libevdev-dev libxkbcommon-dev xkb-data libx11-data libxcb-xinput-dev libwayland-dev
       libcmocka-dev libsystemd-dev scdoc dpkg-dev"
# the VM tier: Debian's stock kernel, qemu (TCG), busybox for the guest's /init, cpio;
# the archive keyring verifies the kernels tests/vm/kernels.sh fetches with apt
VM="qemu-system-x86 linux-image-amd64 busybox-static cpio gzip xz-utils zstd binutils kmod
    debian-archive-keyring"
# abigail-tools: abidw/abidiff for libvhid's ABI check (scripts/abi-check.sh)
CHECK="valgrind clang-format abigail-tools"
# the distro tier (tests/distro): builds Debian images with debootstrap, packs them with mkfs.ext4
DISTRO="debootstrap e2fsprogs debian-archive-keyring qemu-system-x86 xz-utils zstd binutils"
# the libFuzzer harnesses (tests/fuzz): clang and its fuzzer runtime (only recommended by
# clang-14, so named), llvm-14 for the coverage report of make fuzz
FUZZ="clang-14 libclang-rt-14-dev"
# ydotool is the peer we compare with; strace counts vhidd's system calls per report
BENCH="ydotool ydotoold strace"
# scripts/stress-check.sh loads the machine while make check runs
STRESS="stress-ng"
# make deb (and make check, whose distro tier installs the packages): debhelper's dh,
# lintian, and the .pc files that place units and udev rules
DEB="debhelper dh-python python3 dpkg-dev lintian systemd udev"

# --list MODE: only print the packages (tests/distro/build-image.sh puts BUILD in the images)
LIST=""
[ "${1:-}" = --list ] && { LIST=1; shift; }
case "${1:-check}" in
build) WANT="$BUILD" ;;
demo) WANT="$BUILD $VM $CHECK" ;;
check) WANT="$BUILD $VM $CHECK $DISTRO $FUZZ $DEB" ;;
distro) WANT="$BUILD $DISTRO $DEB" ;;
bench) WANT="$BUILD $VM $CHECK $BENCH" ;;
stress) WANT="$BUILD $VM $CHECK $DISTRO $FUZZ $STRESS" ;;
deb) WANT="$BUILD $DEB" ;;
fuzz) WANT="$BUILD $FUZZ llvm-14" ;;
*) echo "usage: $0 [build|check|demo|bench|distro|stress|deb|fuzz]" >&2; exit 2 ;;
esac

[ -n "$LIST" ] && { echo $WANT; exit 0; }
missing=""
for p in $WANT; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: need root to run: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# a fresh machine may have empty package lists; update once, then retry the install
$SUDO apt-get install -y --no-install-recommends $missing ||
	{ $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends $missing; }
