#!/bin/sh
# extract-vmlinux.sh BZIMAGE OUT - unpack the ELF vmlinux from a bzImage so
# QEMU boots it through PVH: skips the in-guest decompressor (~2 s under TCG).
set -e
IN=$1 OUT=$2
try() { # magic-as-grep-regex decompressor...
	off=$(LC_ALL=C grep -aboP "$1" "$IN" | head -1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	shift
	tail -c +$((off + 1)) "$IN" | "$@" > "$OUT.tmp" 2>/dev/null || true
	readelf -h "$OUT.tmp" >/dev/null 2>&1
}
try '\xfd7zXZ\x00' xz -dc --single-stream || try '\x28\xb5\x2f\xfd' zstd -dc ||
	try '\x02\x21\x4c\x18' lz4 -dc || try '\x1f\x8b\x08' gzip -dc ||
	{ echo "extract-vmlinux: no known compressed payload in $IN" >&2; rm -f "$OUT.tmp"; exit 1; }
readelf -n "$OUT.tmp" | grep -q 'Xen' ||
	{ echo "extract-vmlinux: $IN has no PVH entry point (CONFIG_PVH)" >&2; rm -f "$OUT.tmp"; exit 1; }
mv "$OUT.tmp" "$OUT"
