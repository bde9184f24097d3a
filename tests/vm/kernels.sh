#!/bin/bash
# kernels.sh - the kernel matrix of the VM tier: Debian's kernels fetched as .debs
# through apt (a private apt state; the host's sources are never read or changed),
# unpacked with dpkg -x without installing, cached per version.
#
#   kernels.sh fetch SUITE...          fetch what changed; print "SUITE KVER ROOT" per kernel
#   kernels.sh env SUITE               print KVER=, KERNEL=, MODROOT= for that kernel
#   kernels.sh check BUILDDIR [SUITE...]     vm.sh check on each kernel in turn; results
#                                      per kernel, then one summed "vm: N passed, M failed"
#   kernels.sh selftest BUILDDIR [SUITE...]  vm.sh selftest on each kernel
#
# SUITE is bookworm (6.1), trixie (6.12) or sid (the newest); "host" is the kernel in
# /boot. Default suites: $VHID_KERNELS, else "bookworm sid". Each suite's newest
# linux-image-amd64 (security updates included) is the kernel; it is fetched again only
# when that version on the mirror changes. Without the mirror a cached kernel is used.
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/vhid/kernels/SUITE/{apt,root,stamp}.
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), and everything
# vm.sh takes (VM_TIMEOUT, TEST_TIMEOUT, VM_JOBS, ...). VM_WORK is set per kernel.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/vhid/kernels
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# what the VM needs from a kernel's modules; the rest is deleted after unpacking
KEEP_MODULES="drivers/hid drivers/input"

die() { echo "kernels: $*" >&2; exit 1; }

# ---- a private apt per suite ---------------------------------------------------

apt_setup() { # SUITE: writes CACHE/SUITE/apt/apt.conf
	local a=$CACHE/$1/apt sec=""
	mkdir -p "$a"/{lists/partial,archives/partial,etc/sources.list.d,etc/preferences.d,etc/apt.conf.d}
	: >"$a/status"
	case $1 in
	sid) ;;
	*) sec="deb [signed-by=$KEYRING] ${MIRROR%/debian}/debian-security $1-security main" ;;
	esac
	printf 'deb [signed-by=%s] %s %s main\n%s\n' "$KEYRING" "$MIRROR" "$1" "$sec" \
		>"$a/etc/sources.list"
	# Check-Valid-Until off: a mirror snapshot (CI's) may serve a Release past its
	# Valid-Until. Signatures are still checked; the worst case is an older test kernel.
	cat >"$a/apt.conf" <<-EOF
		Dir::State "$a";
		Dir::State::Lists "$a/lists";
		Dir::State::status "$a/status";
		Dir::Cache "$a";
		Dir::Cache::archives "$a/archives";
		Dir::Etc::SourceList "$a/etc/sources.list";
		Dir::Etc::SourceParts "$a/etc/sources.list.d";
		Dir::Etc::Preferences "$a/etc/preferences";
		Dir::Etc::PreferencesParts "$a/etc/preferences.d";
		Dir::Etc::Parts "$a/etc/apt.conf.d";
		APT::Architecture "amd64";
		APT::Sandbox::User "$(id -un)";
		Acquire::Languages "none";
		Acquire::Check-Valid-Until "false";
		Debug::NoLocking "true";
	EOF
}

papt() { # SUITE apt-program ARGS...
	local s=$1
	shift
	APT_CONFIG=$CACHE/$s/apt/apt.conf "$@"
}

# The suite's kernel: linux-image-amd64 depends on linux-image-ABI-amd64. Prints
# "PACKAGE VERSION" of that image package.
resolve() { # SUITE
	local img ver
	img=$(papt "$1" apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1)
	[ -n "$img" ] || return 1
	ver=$(papt "$1" apt-cache policy "$img" | sed -n 's/^ *Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
	echo "$img $ver"
}

# The packages that hold the kernel's files: the image itself (bookworm, trixie), or
# since the split in sid, linux-binary-ABI (vmlinuz), linux-modules-ABI and
# linux-base-ABI (config, modules.builtin), all of the same version.
packages() { # SUITE IMAGE VERSION
	local abi=${2#linux-image-}
	echo "$2=$3"
	papt "$1" apt-cache depends "$2=$3" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-\(binary\|modules\|base\)-$abi\)\$/\1=$3/p"
}

unpack() { # SUITE IMAGE VERSION: downloads into a temp dir, unpacks into CACHE/SUITE/root
	local s=$1 dir=$CACHE/$1 tmp p d
	tmp=$(mktemp -d "$dir/new.XXXXXX")
	(cd "$tmp" && papt "$s" apt-get -qq download $(packages "$s" "$2" "$3")) ||
		{ rm -rf "$tmp"; return 1; }
	mkdir "$tmp/root"
	for p in "$tmp"/*.deb; do
		dpkg -x "$p" "$tmp/root" || { rm -rf "$tmp"; return 1; }
	done
	# keep only the modules the VM loads (the full set is hundreds of MB)
	for d in "$tmp"/root/{,usr/}lib/modules/*/kernel; do
		[ -d "$d" ] || continue
		(cd "$d" && find . -type f | grep -vE "^\./($(echo "$KEEP_MODULES" | tr ' ' '|'))/" |
			xargs -r rm -f)
	done
	rm -rf "$dir/root"
	mv "$tmp/root" "$dir/root"
	rm -rf "$tmp"
	echo "$2 $3 keep=$KEEP_MODULES" >"$dir/stamp"
}

# where an unpacked kernel keeps its files; prints "KVER KERNEL MODROOT"
locate() { # ROOT
	local m k
	for m in "$1"/lib/modules/* "$1"/usr/lib/modules/*; do
		[ -d "$m" ] || continue
		k=$(basename "$m")
		for f in "$1/boot/vmlinuz-$k" "$m/vmlinuz"; do
			[ -f "$f" ] && { echo "$k $f $1"; return 0; }
		done
	done
	return 1
}

fetch_one() { # SUITE: prints "SUITE KVER ROOT"
	local s=$1 dir=$CACHE/$1 want have loc lock
	if [ "$s" = host ]; then
		(. "$HERE/kernel.sh" && echo "host $KVER /") || return 1
		return
	fi
	case $s in
	bookworm|trixie|sid|forky) ;;
	*) die "unknown suite '$s' (bookworm, trixie, sid, forky, host)" ;;
	esac
	command -v apt-get >/dev/null || die "no apt-get: kernels come from Debian's archive"
	[ -r "$KEYRING" ] || die "no $KEYRING: apt-get install debian-archive-keyring"
	# one fetch per suite at a time: several checkouts may run make check at once
	mkdir -p "$dir"
	exec {lock}>"$dir/lock"
	flock "$lock"
	apt_setup "$s"
	if papt "$s" apt-get -qq update >"$dir/update.log" 2>&1 && want=$(resolve "$s"); then
		have=$(cut -d' ' -f1,2 "$dir/stamp" 2>/dev/null)
		if [ "$want" != "$have" ] || [ "$(cut -d' ' -f3- "$dir/stamp")" != "keep=$KEEP_MODULES" ] ||
			! locate "$dir/root" >/dev/null; then
			echo "kernels: $s: fetching $want" >&2
			# shellcheck disable=SC2086
			unpack "$s" $want || die "$s: cannot download or unpack $want"
		fi
	elif [ -s "$dir/stamp" ]; then
		echo "kernels: $s: mirror unreachable, using the cached $(cut -d' ' -f1,2 "$dir/stamp")" >&2
	else
		sed 's/^/    /' "$dir/update.log" >&2
		die "$s: cannot read the archive at $MIRROR and nothing is cached"
	fi
	loc=$(locate "$dir/root") || die "$s: no kernel in $dir/root"
	exec {lock}>&-
	set -- $loc
	echo "$s $1 $dir/root"
}

# KVER, KERNEL and MODROOT for vm.sh / kernel.sh
env_of() { # SUITE
	local line
	line=$(fetch_one "$1") || exit 1
	set -- $line
	if [ "$1" = host ]; then
		echo "KVER=$2"
		return
	fi
	echo "KVER=$2"
	echo "KERNEL=$(locate "$3" | cut -d' ' -f2)"
	echo "MODROOT=$3"
}

suites() { # [SUITE...]
	if [ $# -gt 0 ]; then echo "$@"; else echo "${VHID_KERNELS:-bookworm sid}"; fi
}

# Run vm.sh CMD on each kernel; print its per-test lines under a header, a line
# "SUITE (KVER): N passed, M failed (T s)" per kernel, then the sum.
run_matrix() { # CMD BUILDDIR [SUITE...]
	local cmd=$1 build=$2 s P=0 F=0 out rc t0 line p f kenv
	shift 2
	for s in $(suites "$@"); do
		if ! kenv=$(env_of "$s"); then
			echo "== kernel $s: cannot be fetched"
			F=$((F + 1))
			continue
		fi
		t0=$(date +%s)
		out=$(env $kenv VM_WORK="$build/vm/k-$s" "$HERE/vm.sh" "$cmd" "$build" 2>&1)
		rc=$?
		echo "== kernel $s ($(echo "$kenv" | sed -n 's/^KVER=//p'))"
		echo "$out" | grep -vE '^(vm|harness): [0-9]+ passed, [0-9]+ failed$'
		line=$(echo "$out" | grep -E '^(vm|harness): [0-9]+ passed, [0-9]+ failed$' | tail -1)
		p=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed.*/\1/p')
		f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed$/\1/p')
		p=${p:-0} f=${f:-0}
		[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
		echo "  kernel $s: $p passed, $f failed ($(($(date +%s) - t0)) s)"
		P=$((P + p)) F=$((F + f))
	done
	echo "$([ "$cmd" = selftest ] && echo harness || echo vm): $P passed, $F failed"
	[ $F -eq 0 ]
}

CMD=${1:-}
shift || true
case $CMD in
fetch)
	[ $# -gt 0 ] || set -- $(suites)
	for s in "$@"; do fetch_one "$s" || exit 1; done
	;;
env) [ $# -eq 1 ] || die "usage: kernels.sh env SUITE"; env_of "$1" ;;
check) run_matrix check "$@" ;;
selftest) run_matrix selftest "$@" ;;
*) sed -n '2,18p' "$0"; exit 2 ;;
esac
