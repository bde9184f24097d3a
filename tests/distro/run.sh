#!/bin/bash
# run.sh - the distro tier: boot real Debian systems (images from build-image.sh,
# each with its release's stock kernel) under QEMU TCG and run test groups in them.
#
#   run.sh [OPTIONS] [GROUP...]   run the groups (default: every directory in
#                                 tests/distro/tests except selftest) on each release;
#                                 one fresh boot per (release, group), in parallel
#                                 VMs; ends with "distro: N passed, M failed".
#                                 GROUP@RELEASE runs a group on that release only;
#                                 G1+G2+... runs those groups one after the other
#                                 in one boot (make check: a boot costs a minute);
#                                 a group whose directory has a file "releases"
#                                 runs only on the releases it lists
#   run.sh selftest               prove that a failing test, a hung test, a guest that
#                                 does not boot and a hung VM each fail, each with its
#                                 own message; ends with "distro-harness: N passed, M failed"
#   run.sh shell [RELEASE]        interactive root shell in a guest (share at /host)
#   run.sh images [RELEASE...]    build the missing or outdated images, in parallel
#   run.sh trees                  compile the tree for each release but the host's
#                                 (build-tree.sh; what --source packs, incremental)
#
# Options:
#   --release R     a release to run on (repeatable, or "bookworm,trixie"); default both
#   --build DIR     put DIR's vhidd, vhidctl and libvhid into the share (/host/build)
#   --debs DIR      this tree's .debs        (/host/debs, e.g. from make deb: build/deb)
#   --prev-debs DIR the previous release's   (/host/prev-debs)
#   --source        this tree's tracked files as they are now (/host/src.tar.gz,
#                   /host/src.env) and its build/ for each release, made with that
#                   release's toolchain (/host/build-RELEASE.tar.gz: --build's tree
#                   for the host's release when it is this tree's build/, else
#                   build-tree.sh's), for the README's source install (tests/source)
#   --jobs N        parallel VMs (default nproc)
#   --keep          print every boot's console and test log
#   --no-images     use the cached images as they are (no build-image.sh)
# Environment: TEST_TIMEOUT (guest limit per test, default 1200 s), BOOT_TIMEOUT
# (QEMU start to @@BOOTED, default 900 s), GRACE (host slack on top of a guest
# limit, default 300 s): bounds of a hang only, so a loaded machine is slow, not
# wrong (under stress-ng, upgrade, lifecycle and the README test passed 300 s,
# 2026-12-02); VHID_TIME_FACTOR (scales the tests' deadlines, default 1),
# VM_MEM (MiB, default 1024), VM_SMP (default 1), VM_CPU (QEMU's -cpu, default
# qemu64 under TCG, else max), DISTRO_WORK (default
# build/distro), CACHE (image cache, see build-image.sh).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vhid/distro}
WORK=${DISTRO_WORK:-$SRC/build/distro}
SHARE=$WORK/share
TEST_TIMEOUT=${TEST_TIMEOUT:-1200}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
GRACE=${GRACE:-300}
RELEASES=() BUILD_DIR="" DEBS="" PREV_DEBS="" SOURCE="" JOBS=$(nproc) KEEP="" IMAGES=1

die() { echo "distro: $*" >&2; exit 1; }

# ---- images ----------------------------------------------------------------------

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -E "$@"; fi; }

# Build (or confirm) the images of RELEASE..., concurrently: each build waits on
# the network and dpkg more than on the CPU.
images() {
	local r pids=() rc=0
	for r in "$@"; do
		CACHE=$CACHE as_root "$HERE/build-image.sh" "$r" &
		pids+=($!)
	done
	for r in "${pids[@]}"; do wait "$r" || rc=1; done
	return $rc
}

# ---- the share (/host in the guest, read-only) -----------------------------------

copy_build() { # BUILDDIR: the programs and library, in their build-tree layout (RUNPATH)
	local b=$1 f
	for f in vhidd/vhidd vhidctl/vhidctl; do
		[ -x "$b/$f" ] || die "no $b/$f: build first (make)"
		install -D -m 755 "$b/$f" "$SHARE/build/$f"
	done
	mkdir -p "$SHARE/build/libvhid" "$SHARE/build/tests/distro"
	cp -a "$b"/libvhid/libvhid.so* "$SHARE/build/libvhid/"
	# the tier's compiled helpers (tests/distro/meson.build)
	for f in "$b"/tests/distro/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$SHARE/build/tests/distro/"
	done
}

# The tree at its absolute path (src.tar.gz), and for each release a build/ made
# with that release's toolchain (build-RELEASE.tar.gz): the guest unpacks both at
# the same path, so the README's `make` there finds the build up to date (DESIGN.md
# §24). The host's release gets --build's tree when that is this tree's build/;
# another release gets one compiled in its image's tree (build-tree.sh).
host_release() { (. /etc/os-release && echo "${VERSION_CODENAME:-}"); }

# build_trees: build-tree.sh for each release that is not the host's
build_trees() {
	local r
	for r in "${RELEASES[@]}"; do
		[ "$r" = "$(host_release)" ] && continue
		CACHE=$CACHE as_root "$HERE/build-tree.sh" "$r" "$WORK/tree-$r" || return 1
	done
}

pack_source() {
	local b=${SRC#/}/build host r
	host=$(host_release)
	printf 'SRC_DIR=%q\n' "$SRC" >"$SHARE/src.env"
	git -C "$SRC" ls-files -z | sed -z "s|^|${SRC#/}/|" |
		tar -C / -czf "$SHARE/src.tar.gz" --null -T - || return 1
	for r in "${RELEASES[@]}"; do
		if [ "$r" = "$host" ] && [ "$BUILD_DIR" = "$SRC/build" ] && [ -f "$BUILD_DIR/build.ninja" ]; then
			# make check's host stages may write their logs in build/ meanwhile: a file
			# that changed while tar read it (status 1) is none that ninja looks at
			tar -C / --exclude="$b/distro" --exclude="$b/vm" --exclude="$b/deb" \
				--warning=no-file-changed -czf "$SHARE/build-$r.tar.gz" "$b" || [ $? = 1 ]
		else
			echo "distro: compiling the tree for $r in its image's tree (build-tree.sh)"
			CACHE=$CACHE as_root "$HERE/build-tree.sh" "$r" "$WORK/tree-$r" &&
				tar -C "$WORK/tree-$r/tree" --transform "s|^build|$b|" -czf "$SHARE/build-$r.tar.gz" build
		fi || return 1
	done
}

prepare_share() {
	rm -rf "$SHARE"
	mkdir -p "$SHARE"
	cp "$HERE/runner.sh" "$HERE/lib.sh" "$SHARE/"
	cp -r "$HERE/lib" "$HERE/tests" "$SRC/include" "$SRC/README.md" "$SHARE/"
	mkdir -p "$SHARE/contrib" && cp -r "$SRC/contrib/udev" "$SHARE/contrib/" # the shipped rules
	[ -n "$BUILD_DIR" ] && copy_build "$BUILD_DIR"
	[ -n "$DEBS" ] && { mkdir -p "$SHARE/debs" && cp "$DEBS"/*.deb "$SHARE/debs/" ||
		die "no .deb in $DEBS"; }
	[ -n "$PREV_DEBS" ] && { mkdir -p "$SHARE/prev-debs" && cp "$PREV_DEBS"/*.deb "$SHARE/prev-debs/" ||
		die "no .deb in $PREV_DEBS"; }
	[ -n "$SOURCE" ] && { pack_source || die "cannot pack the source tree"; }
	chmod -R a+rX "$SHARE"
}

# ---- one boot ----------------------------------------------------------------------

qemu() { # RELEASE DIR STDIO KERNEL-ARGS...
	local img=$CACHE/$1 dir=$2 stdio=$3
	shift 3
	local serial=(-serial "file:$dir/console.log" -serial "file:$dir/tests.log")
	[ "$stdio" = 1 ] && serial=(-serial mon:stdio -serial null)
	# qemu64 under TCG, not max: the guest then uses its SSE2 code paths, which TCG
	# runs faster than the newer vector extensions that max offers (bookworm's
	# boot 41 -> 32 s, trixie's 66 -> 59 s, the desktop checks a few per cent;
	# 2026-12-02, side by side)
	local cpu=${VM_CPU:-max}
	[ "${ACCEL:-tcg}" = tcg ] && cpu=${VM_CPU:-qemu64}
	exec qemu-system-x86_64 -accel "${ACCEL:-tcg}" -cpu "$cpu" -m "${VM_MEM:-1024}" \
		-smp "${VM_SMP:-1}" -nodefaults -no-user-config -display none -no-reboot \
		-monitor none "${serial[@]}" \
		-kernel "$img/vmlinux" -initrd "$img/initrd.cpio.gz" \
		-append "root=/dev/vda console=ttyS0 panic=-1 quiet $*" \
		-drive "file=$img/rootfs.img,if=virtio,format=raw,snapshot=on,cache=unsafe" \
		-virtfs "local,path=$SHARE,mount_tag=host,security_model=none,readonly=on" \
		-device virtio-gpu-pci
}

# The host's watchdog: the guest must print @@BOOTED within BOOT_TIMEOUT, and
# after that show progress: a test's @@DONE within TEST_TIMEOUT + GRACE of its
# @@RUN (the guest's own timeout fires first), anything else within GRACE. It
# bounds failures only: a slow but moving guest is never killed.
watch() { # PID DIR: prints "booted", "noboot" or "hung"
	local pid=$1 log=$2/tests.log seen="" since=$SECONDS limit m
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.5
		# one read of the markers per look: a marker that arrives between two reads
		# must not count as old progress (a boot of over GRACE seconds was once
		# called hung the instant its @@BOOTED came)
		m=$(grep -a '^@@' "$log" 2>/dev/null)
		[ "$m" != "$seen" ] && { seen=$m; since=$SECONDS; }
		if ! echo "$m" | grep -q '^@@BOOTED'; then
			limit=$BOOT_TIMEOUT
		elif echo "$m" | tail -1 | grep -q '^@@RUN'; then
			limit=$((TEST_TIMEOUT + GRACE))
		else
			limit=$GRACE
		fi
		if [ $((SECONDS - since)) -ge "$limit" ]; then
			kill "$pid" 2>/dev/null
			echo "$m" | grep -q '^@@BOOTED' && echo "hung $limit" || echo noboot
			return
		fi
	done
	echo exited
}

last_lines() { # FILE: what the guest said last, for a failure message
	tr -d '\r' <"$1" | grep -av '^\s*$' | tail -4 | sed 's/^/    /'
}

# boot RELEASE GROUP DIR [KERNEL-ARGS...]: one fresh boot from the pristine image.
# Returns 0 (guest's @@EXIT 0), 1 (tests failed), 124 (VM hung), 125 (guest did
# not boot), 126 (the VM stopped otherwise); a message on stderr says which.
boot() {
	local release=$1 group=$2 dir=$3 pid how
	shift 3
	mkdir -p "$dir"
	: >"$dir/console.log"
	: >"$dir/tests.log"
	qemu "$release" "$dir" 0 "vhid.group=$group vhid.release=$release" \
		"vhid.timeout=$TEST_TIMEOUT vhid.factor=${VHID_TIME_FACTOR:-1} $*" \
		</dev/null >"$dir/qemu.log" 2>&1 &
	pid=$!
	how=$(watch "$pid" "$dir")
	wait "$pid" 2>/dev/null
	case $how in
	noboot)
		echo "GUEST DID NOT BOOT: no @@BOOTED within ${BOOT_TIMEOUT}s; last console lines:" >&2
		last_lines "$dir/console.log" >&2
		return 125 ;;
	hung*)
		echo "VM HUNG: no progress for ${how#hung }s after" \
			"'$(grep -a '^@@' "$dir/tests.log" | tail -1 | tr -d '\r')'; last console lines:" >&2
		last_lines "$dir/console.log" >&2
		return 124 ;;
	esac
	if ! grep -aq '^@@BOOTED' "$dir/tests.log"; then
		echo "GUEST DID NOT BOOT: the VM stopped before @@BOOTED; last console lines:" >&2
		last_lines "$dir/console.log" >&2
		cat "$dir/qemu.log" >&2
		return 125
	fi
	if ! grep -aq '^@@EXIT' "$dir/tests.log"; then
		echo "VM DIED: the VM stopped after booting but before @@EXIT; last console lines:" >&2
		last_lines "$dir/console.log" >&2
		return 126
	fi
	return "$(sed -n 's/^@@EXIT \([0-9]*\).*/\1/p' "$dir/tests.log" | tail -1)"
}

# Count PASS/FAIL lines per test and name every failure; "RESULT passed failed" last.
collect() { # RELEASE TESTS-LOG
	tr -d '\r' <"$2" | awk -v rel="$1" -v limit="$TEST_TIMEOUT" '
	function finish(t, rc, dur) {
		why = ""
		if (rc == 124 || rc == 137) { why = "HUNG TEST: " rel "/" t " killed after " limit "s" }
		else if (rc > 128) { why = "CRASHED: " rel "/" t " died with signal " (rc - 128) }
		else if (rc != 0 && fails[t] == 0) { why = "FAILED: " rel "/" t " exited " rc " without a FAIL line" }
		if (why != "") { fails[t]++; print "  " why }
		printf "  %-42s %3d passed, %d failed (%.1f s)\n", rel "/" t, passes[t], fails[t], dur
		P += passes[t]; F += fails[t]
	}
	/^@@RUN / { t = $2; running[t] = 1; passes[t] = 0; fails[t] = 0; next }
	/^@@DONE / {
		split($3, a, "="); split($4, s, "="); split($5, e, "=")
		finish($2, a[2] + 0, e[2] - s[2]); delete running[$2]; t = ""; next
	}
	t != "" && /^PASS / { passes[t]++ }
	t != "" && /^FAIL / { fails[t]++; print "  " rel "/" t ": " $0 }
	END {
		for (r in running) { print "  INTERRUPTED: " rel "/" r " never finished"; F++ }
		print "RESULT", P + 0, F + 0
	}'
}

# ---- commands ------------------------------------------------------------------------

all_groups() {
	local d r
	for d in "$HERE"/tests/*/; do
		d=$(basename "$d")
		[ "$d" = selftest ] && continue
		if [ -f "$HERE/tests/$d/releases" ]; then
			for r in $(cat "$HERE/tests/$d/releases"); do echo "$d@$r"; done
		else
			echo "$d"
		fi
	done
}

need_images() {
	local r
	[ -n "$IMAGES" ] && { images "${RELEASES[@]}" || die "cannot build the images"; }
	for r in "${RELEASES[@]}"; do
		[ -s "$CACHE/$r/rootfs.img" ] || die "no image for $r in $CACHE (run.sh images $r)"
	done
	command -v qemu-system-x86_64 >/dev/null || die "no qemu: scripts/deps.sh distro"
}

# Run every (release, group) pair in its own boot, at most JOBS at once, then
# report per test in a fixed order.
cmd_run() {
	local groups=("$@") jobs=() j part r g running=0 passed=0 failed=0 rc out p f start=$SECONDS
	[ ${#groups[@]} -gt 0 ] || mapfile -t groups < <(all_groups)
	need_images
	prepare_share
	rm -rf "$WORK/boots"
	for r in "${RELEASES[@]}"; do for g in "${groups[@]}"; do
		for part in ${g//+/ }; do
			[ -d "$HERE/tests/${part%@*}" ] || die "no test group ${part%@*} in $HERE/tests"
		done
		[ "$g" = "${g%@*}" ] || [ "${g#*@}" = "$r" ] || continue
		jobs+=("$r/${g%@*}")
	done; done
	echo "distro: ${#jobs[@]} boot(s) (${RELEASES[*]} x ${groups[*]}) in up to $JOBS VM(s)"
	for j in "${jobs[@]}"; do
		[ $running -ge "$JOBS" ] && { wait -n; running=$((running - 1)); }
		mkdir -p "$WORK/boots/${j%/*}"
		(boot "${j%/*}" "${j#*/}" "$WORK/boots/$j" 2>"$WORK/boots/$j.err"
			echo $? >"$WORK/boots/$j.rc") &
		running=$((running + 1))
	done
	wait
	for j in "${jobs[@]}"; do
		rc=$(cat "$WORK/boots/$j.rc")
		[ -n "$KEEP" ] && cat "$WORK/boots/$j/console.log" "$WORK/boots/$j/tests.log"
		out=$(collect "${j%/*}" "$WORK/boots/$j/tests.log")
		echo "$out" | grep -v '^RESULT'
		read -r _ p f < <(echo "$out" | tail -1)
		passed=$((passed + p)) failed=$((failed + f))
		if [ "$rc" -ge 124 ]; then
			sed "s|^|  $j: |" "$WORK/boots/$j.err"
			failed=$((failed + 1))
		elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "  $j: FAILED: the runner exited $rc without a failing test"
			failed=$((failed + 1))
		fi
	done
	echo "distro: logs in $WORK/boots ($((SECONDS - start)) s)"
	echo "distro: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

cmd_shell() {
	local r=${1:-bookworm}
	RELEASES=("$r")
	need_images
	prepare_share
	mkdir -p "$WORK/shell"
	echo "distro: $r, share $SHARE at /host; Ctrl-A x quits"
	(qemu "$r" "$WORK/shell" 1 vhid.shell=1 "vhid.release=$r")
}

# The harness must tell each failure mode apart; provoke each on purpose. One boot
# runs a passing, a failing and a hanging test and then hangs the runner (a hung
# VM); a boot with a 2-second boot limit cannot have booted.
cmd_selftest() {
	local r=${RELEASES[0]} dir=$WORK/boots/selftest passed=0 failed=0 err rc out
	RELEASES=("$r")
	need_images
	prepare_share
	rm -rf "$dir"
	check() { # NAME WANT-RC WANT-REGEX
		if [ "$rc" = "$2" ] && echo "$out" | grep -qE "$3"; then
			echo "PASS harness.$1"
			passed=$((passed + 1))
		else
			echo "FAIL harness.$1: rc=$rc, want $2 and /$3/ in:"
			echo "$out" | sed 's/^/    /'
			failed=$((failed + 1))
		fi
	}
	err=$(TEST_TIMEOUT=6 GRACE=15 boot "$r" selftest "$dir/tests" vhid.selftest=hang 2>&1)
	rc=$?
	out=$err$'\n'$(TEST_TIMEOUT=6 collect "$r" "$dir/tests/tests.log")
	check passing-test 124 "$r/selftest/selftest-pass +1 passed, 0 failed"
	check failing-test 124 "$r/selftest/selftest-fail: FAIL selftest.always: on purpose"
	check hung-test 124 "HUNG TEST: $r/selftest/selftest-hang killed after 6s"
	check hung-vm 124 "^VM HUNG: no progress .*@@SELFTEST"
	err=$(BOOT_TIMEOUT=2 boot "$r" selftest "$dir/noboot" 2>&1)
	rc=$?
	out=$err
	check guest-did-not-boot 125 "^GUEST DID NOT BOOT: no @@BOOTED within 2s"
	echo "distro-harness: $passed passed, $failed failed"
	[ $failed -eq 0 ]
}

parse() {
	local r
	while [ $# -gt 0 ]; do
		case $1 in
		--release) for r in ${2//,/ }; do RELEASES+=("$r"); done; shift ;;
		--build) BUILD_DIR=$(cd "$2" && pwd) || die "no build dir $2"; shift ;;
		--debs) DEBS=$(cd "$2" && pwd) || die "no directory $2"; shift ;;
		--prev-debs) PREV_DEBS=$(cd "$2" && pwd) || die "no directory $2"; shift ;;
		--source) SOURCE=1 ;;
		--jobs) JOBS=$2; shift ;;
		--keep) KEEP=1 ;;
		--no-images) IMAGES="" ;;
		-h|--help) sed -n '2,30p' "$0"; exit 0 ;;
		-*) die "unknown option $1 (--help)" ;;
		*) ARGS+=("$1") ;;
		esac
		shift
	done
	[ ${#RELEASES[@]} -gt 0 ] || RELEASES=(bookworm trixie)
}

ARGS=()
parse "$@"
set -- "${ARGS[@]}"
mkdir -p "$WORK"
case ${1:-} in
selftest) cmd_selftest ;;
shell) cmd_shell "${2:-${RELEASES[0]}}" ;;
images) shift; [ $# -gt 0 ] || set -- "${RELEASES[@]}"; images "$@" ;;
trees) build_trees ;;
*) cmd_run "$@" ;;
esac
