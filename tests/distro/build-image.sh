#!/bin/bash
# build-image.sh RELEASE - build the distro tier's image of a Debian release
# (bookworm = Debian 12, trixie = Debian 13), as root, or do nothing when the
# cached one is up to date. Output in $CACHE/RELEASE/:
#   rootfs.img      ext4 image (raw; booted with snapshot=on, so it stays pristine)
#   vmlinux         the release's own stock kernel, as a PVH-bootable ELF
#   initrd.cpio.gz  tiny busybox initramfs: virtio-blk + ext4, then systemd
#   stamp           hash of every input (package list, these scripts, overlay,
#                   kernel version): the image is rebuilt only when it changes
#   packages.txt    dpkg-query -W of the image; *.log  what the last build said
#   rootfs/         the tree the image was made from, kept: build-tree.sh compiles
#                   the source tree there with the release's own toolchain
# Downloaded .debs stay in $CACHE/debs-RELEASE and $CACHE/kernel-RELEASE.
# Env: CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/vhid/distro), MIRROR (default:
# the first Debian URI of the host's apt sources), FORCE=1 (rebuild anyway).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
RELEASE=${1:?usage: build-image.sh bookworm|trixie}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vhid/distro}
OUT=$CACHE/$RELEASE
APTDIR=$CACHE/apt-$RELEASE
KDEBS=$CACHE/kernel-$RELEASE
DEBS=$CACHE/debs-$RELEASE
ROOT=$OUT/rootfs
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() { echo "build-image $RELEASE: $*" >&2; exit 1; }
say() { echo "build-image $RELEASE: $*"; }

default_mirror() { # the host's apt mirror (deb822 or one-line format), never security
	{
		sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
		sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null
		true
	} | tr ' ' '\n' | grep -v -- '-security' | grep . | head -1
}
MIRROR=${MIRROR:-$(default_mirror)}

# The image's packages: the list in image/packages plus scripts/deps.sh's BUILD list.
packages() {
	{
		sed -e 's/#.*//' -e "s/^$RELEASE://" -e '/^[a-z]*:/d' "$HERE/image/packages"
		"$SRC/scripts/deps.sh" --list build
	} | tr ' ' '\n' | grep . | sort -u
}

# apt with a private state directory: it reads only our one-line source list and
# never touches the host's apt configuration. Its lists are kept, so resolving
# the current kernel later costs one If-Modified-Since request per index.
papt() { # apt-get|apt-cache ARGS...
	local tool=$1
	shift
	"$tool" -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State="$APTDIR/state" -o Dir::State::status="$APTDIR/status" \
		-o Dir::Cache="$APTDIR/cache" -o Debug::NoLocking=1 -o APT::Architecture=amd64 \
		-o Acquire::Languages=none -o APT::Sandbox::User=root "$@"
}

# Print "package=version" of the release's current stock kernel packages:
# linux-image-amd64 and what it pulls in that carries the kernel (on some
# releases linux-image-X is split into linux-binary-X + linux-modules-X).
resolve_kernel() {
	mkdir -p "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial"
	: >>"$APTDIR/status"
	echo "deb [signed-by=$KEYRING] $MIRROR $RELEASE main" >"$APTDIR/sources.list"
	papt apt-get -qq update >/dev/null || die "apt-get update from $MIRROR failed"
	papt apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances linux-image-amd64 |
		grep -E '^linux-(image|binary|modules)-' | sort -u |
		while read -r p; do
			echo "$p=$(papt apt-cache show --no-all-versions "$p" | sed -n 's/^Version: //p')"
		done
}

# Everything the image is made of; a change of any of it means a new image.
stamp() { # KERNEL-PACKAGES
	{
		echo "release $RELEASE"
		echo "kernel $1"
		packages
		cat "$0" "$SRC/tests/vm/extract-vmlinux.sh" "$HERE/image/initrd-init"
		(cd "$HERE/image/overlay" && find . -type f | sort | xargs sha256sum &&
			find . -type f -printf '%p %m\n' | sort)
	} | sha256sum | cut -d' ' -f1
}

debootstrap_base() {
	say "debootstrap (minbase) from $MIRROR"
	mkdir -p "$DEBS"
	debootstrap --variant=minbase --cache-dir="$DEBS" --keyring="$KEYRING" \
		"$RELEASE" "$ROOT" "$MIRROR" >"$OUT/debootstrap.log" 2>&1 ||
		{ tail -20 "$OUT/debootstrap.log" >&2; die "debootstrap failed (log: $OUT/debootstrap.log)"; }
}

# apt inside the new system resolves what debootstrap cannot (virtual packages,
# alternatives); its downloads go to the cache through a bind mount.
install_packages() {
	say "installing $(packages | wc -w) packages and their dependencies"
	mount -t proc proc "$ROOT/proc"
	mkdir -p "$DEBS/partial"
	mount --bind "$DEBS" "$ROOT/var/cache/apt/archives"
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	# no service may start inside the chroot
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	echo "deb $MIRROR $RELEASE main" >"$ROOT/etc/apt/sources.list"
	# shellcheck disable=SC2046 # word splitting is the point: one package per word
	chroot "$ROOT" /bin/sh -c 'apt-get -q update && DEBIAN_FRONTEND=noninteractive \
		apt-get -q -y --no-install-recommends -o APT::Keep-Downloaded-Packages=true \
		install "$@"' sh $(packages) >"$OUT/apt.log" 2>&1 ||
		{ tail -30 "$OUT/apt.log" >&2; die "apt-get install failed (log: $OUT/apt.log)"; }
	rm -f "$ROOT/usr/sbin/policy-rc.d" "$ROOT/etc/resolv.conf"
	umount "$ROOT/var/cache/apt/archives" "$ROOT/proc"
}

# The release's kernel: downloaded with the private apt, unpacked with dpkg -x.
install_kernel() { # KERNEL-PACKAGES
	local k d tmp vmlinuz
	say "kernel: $*"
	mkdir -p "$KDEBS"
	(cd "$KDEBS" && papt apt-get -qq download "$@") || die "cannot download $*"
	tmp=$(mktemp -d "$OUT/kernel.XXXXXX")
	for k in "$@"; do
		dpkg -x "$KDEBS/$(echo "${k%%=*}_${k#*=}" | sed 's/:/%3a/')_amd64.deb" "$tmp" ||
			die "cannot unpack $k"
	done
	mkdir -p "$ROOT/usr/lib/modules"
	for d in "$tmp"/usr/lib/modules "$tmp"/lib/modules; do # /lib or /usr/lib by release
		[ -d "$d" ] && cp -a "$d"/* "$ROOT/usr/lib/modules/"
	done
	KVER=$(ls "$ROOT/usr/lib/modules" | head -1)
	[ -n "$KVER" ] || die "no modules in $*"
	vmlinuz=$(ls "$tmp"/boot/vmlinuz-* | head -1)
	"$SRC/tests/vm/extract-vmlinux.sh" "$vmlinuz" "$OUT/vmlinux.tmp" >/dev/null ||
		die "cannot extract vmlinux from $vmlinuz"
	rm -rf "$tmp"
	chroot "$ROOT" depmod -a "$KVER" >>"$OUT/build.log" 2>&1
}

configure() {
	say "configuring (users, units, overlay)"
	cp -r "$HERE/image/overlay/." "$ROOT/"
	# fixed per release: every boot is the same machine, never a "first boot"
	echo "$RELEASE" | md5sum | cut -c1-32 >"$ROOT/etc/machine-id"
	chroot "$ROOT" /bin/sh -eu >>"$OUT/build.log" 2>&1 <<-'EOF'
		useradd --create-home --uid 1000 --user-group --shell /bin/bash alice
		useradd --create-home --uid 1001 --user-group --shell /bin/bash bob
		passwd --delete root >/dev/null
		ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime
		echo LANG=C.UTF-8 >/etc/default/locale
		systemctl set-default multi-user.target
		systemctl enable vhid-distro.service
		# tty1 belongs to the desktop session the tests start
		systemctl disable getty@tty1.service 2>/dev/null || true
		# nothing may run on a timer during a test
		for t in $(systemctl list-unit-files --no-legend --type=timer | cut -d' ' -f1); do
			systemctl mask "$t"
		done
		systemctl mask e2scrub_reap.service
		rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb
	EOF
	chroot "$ROOT" dpkg-query -W >"$OUT/packages.txt"
}

# Load order of MODULE and its dependencies, from modules.dep (leaves first).
module_order() { # MODULE-NAME...
	local m path deps d
	for m in "$@"; do
		path=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$ROOT/usr/lib/modules/$KVER/modules.dep" |
			cut -d: -f1) || continue # built in
		deps=$(grep -E "^$path:" "$ROOT/usr/lib/modules/$KVER/modules.dep" | cut -d: -f2)
		for d in $deps; do module_order "$(basename "$d" | sed 's/\.ko.*//')"; done
		echo "$path"
	done
}

# busybox insmod reads plain .ko only: compressed modules are unpacked here.
build_initrd() {
	local t p f
	say "initramfs"
	t=$(mktemp -d "$OUT/initrd.XXXXXX")
	mkdir -p "$t"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$ROOT/bin/busybox" "$t/bin/"
	cp "$HERE/image/initrd-init" "$t/init"
	# crc32c_generic: ext4 needs a crc32c but modules.dep does not say so
	for p in $(module_order virtio_pci virtio_blk crc32c_generic ext4 | awk '!seen[$0]++'); do
		f=$t/lib/modules/$(basename "$p" | sed 's/\.ko.*/.ko/')
		case $p in
		*.xz) xz -dc "$ROOT/usr/lib/modules/$KVER/$p" >"$f" ;;
		*.zst) zstd -qdc "$ROOT/usr/lib/modules/$KVER/$p" >"$f" ;;
		*) cp "$ROOT/usr/lib/modules/$KVER/$p" "$f" ;;
		esac
		basename "$f" .ko >>"$t/lib/modules/load.order"
	done
	(cd "$t" && find . | sort | cpio -o -H newc -R 0:0 --quiet | gzip -9n) >"$OUT/initrd.cpio.gz.tmp"
	rm -rf "$t"
}

# An ext4 image of the tree with room for packages and a source build in the guest.
# mkfs.ext4 -d needs no loop device; a fixed UUID and hash seed keep it reproducible.
build_ext4() {
	local uuid=5a1d0c4e-7669-4864-8964-00000000000${#RELEASE} mib
	mib=$(($(du -sm "$ROOT" | cut -f1) + 1024))
	say "ext4 image (${mib} MiB)"
	mkfs.ext4 -q -F -L "vhid-$RELEASE" -U "$uuid" -E "root_owner=0:0,hash_seed=$uuid" \
		-d "$ROOT" "$OUT/rootfs.img.tmp" "${mib}M" >>"$OUT/build.log"
}

cleanup() {
	umount "$ROOT/var/cache/apt/archives" "$ROOT/proc" 2>/dev/null || true
}

main() {
	local kernel want start=$SECONDS
	[ "$(id -u)" = 0 ] || die "run as root"
	[ -n "$MIRROR" ] || die "no Debian mirror in the host's apt sources (set MIRROR)"
	for c in debootstrap mkfs.ext4 cpio xz zstd readelf apt-get dpkg; do
		command -v "$c" >/dev/null || die "$c missing: scripts/deps.sh distro installs it"
	done
	mkdir -p "$OUT"
	kernel=$(resolve_kernel) || exit 1
	[ -n "$kernel" ] || die "no linux-image-amd64 in $RELEASE at $MIRROR"
	want=$(stamp "$kernel")
	if [ -z "${FORCE:-}" ] && [ -s "$OUT/rootfs.img" ] && [ -x "$ROOT/usr/bin/make" ] &&
		[ "$(cat "$OUT/stamp" 2>/dev/null)" = "$want" ]; then
		say "up to date (${kernel//$'\n'/ })"
		return 0
	fi
	rm -f "$OUT/stamp"
	trap cleanup EXIT
	cleanup
	# what an interrupted build left
	rm -rf "$ROOT" "$OUT"/kernel.* "$OUT"/initrd.* "$OUT"/*.tmp
	: >"$OUT/build.log"
	debootstrap_base
	install_packages
	# shellcheck disable=SC2086 # one word per kernel package
	install_kernel $kernel
	configure
	build_initrd
	build_ext4
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
	mv "$OUT/initrd.cpio.gz.tmp" "$OUT/initrd.cpio.gz"
	mv "$OUT/rootfs.img.tmp" "$OUT/rootfs.img"
	echo "$KVER" >"$OUT/kver"
	echo "$want" >"$OUT/stamp"
	say "built in $((SECONDS - start)) s: kernel $KVER, $(wc -l <"$OUT/packages.txt") packages," \
		"image $(du -sh --apparent-size "$OUT/rootfs.img" | cut -f1) ($(du -sh "$OUT/rootfs.img" | cut -f1) used)"
}

main
