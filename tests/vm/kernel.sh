# kernel.sh - sourced: find the installed Debian kernel and its modules.
# Sets KVER, KERNEL, MODDIR. Override with KVER=... or KERNEL=... MODROOT=...
# (kernels.sh prints these for a kernel fetched from Debian's archive)
if [ -z "${KVER:-}" ]; then
	KVER=$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' | sort -V | tail -1)
fi
if [ -z "$KVER" ]; then
	echo "vm: no kernel in /boot; install one with: apt-get install linux-image-amd64" >&2
	exit 1
fi
KERNEL=${KERNEL:-/boot/vmlinuz-$KVER}
MODDIR=${MODROOT:-}/lib/modules/$KVER
# an unpacked newer kernel (sid) keeps its modules under usr/ only
[ -d "$MODDIR" ] || [ ! -d "${MODROOT:-}/usr/lib/modules/$KVER" ] || MODDIR=${MODROOT:-}/usr/lib/modules/$KVER
[ -r "$KERNEL" ] || { echo "vm: cannot read $KERNEL (run as root, or set KERNEL=)" >&2; exit 1; }
[ -d "$MODDIR" ] || { echo "vm: no modules for $KVER in $MODDIR" >&2; exit 1; }
