#!/bin/bash
# check.sh [vm] - what `make check` runs: install what is missing, build (plain,
# ASan+UBSan, and without any optional dependency), run the host tests in the first
# two builds and under valgrind, prove the VM harness, run the VM tier on each kernel
# of VHID_KERNELS (default bookworm's 6.1 and sid's newest; tests/vm/kernels.sh), and
# end with one line "N passed, M failed".
# With "vm" (make check-kernels) only the build and the VM stages run.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN=${ASAN_BUILD:-build-asan}
MIN=${MIN_BUILD:-build-min}
MODE=${1:-all}
P=0 F=0
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

# stage NAME COMMAND...: run, echo its output, add its "X: N passed, M failed" line
stage() {
	local name=$1 line rc start=$SECONDS
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$LOG"
	rc=${PIPESTATUS[0]}
	# the wall time of each stage, so the 20-minute budget can be watched
	echo "-- $name: $((SECONDS - start)) s (total $SECONDS s)"
	line=$(grep -E '^[^ ].*: [0-9]+ passed, [0-9]+ failed$' "$LOG" | tail -1)
	if [ -n "$line" ]; then
		set -- $(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
		P=$((P + $1)) F=$((F + $2))
		[ "$rc" -ne 0 ] && [ "$2" -eq 0 ] && F=$((F + 1))
	elif [ "$rc" -ne 0 ]; then
		echo "$name: failed (exit $rc)"
		F=$((F + 1))
	fi
	return 0
}

setup() { # DIR [MESON OPTIONS...]
	local dir=$1
	shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null || return 1
	ninja -C "$dir" >/dev/null
}

build_all() {
	setup "$BUILD" || { echo "build: FAILED"; ninja -C "$BUILD" | tail -30; return 1; }
	[ "$MODE" = vm ] || setup "$ASAN" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug ||
		{ echo "build-asan: FAILED"; ninja -C "$ASAN" | tail -30; return 1; }
	# every optional dependency off (a system without X, Wayland or systemd): what
	# stands in for them must build too, and nothing else does that (6 s)
	[ "$MODE" = vm ] || setup "$MIN" -Dx11=disabled -Dwayland=disabled -Dsystemd=disabled \
		-Dpython=disabled -Dtests=false ||
		{ echo "build-min: FAILED"; ninja -C "$MIN" | tail -30; return 1; }
	echo "build: ok"
}

scripts/deps.sh check || { echo "0 passed, 1 failed"; exit 1; }
# The distro tier's images take minutes to build from scratch (seconds when cached):
# build them in the background while the host stages run, and then the tree for
# the README's source install on a release other than the host's (run.sh trees).
# the distro tier's groups in make check, one boot per release (see its stage)
DISTRO_CHECK_GROUPS=${DISTRO_CHECK_GROUPS:-smoke+desktop+packages+access+lifecycle+upgrade+source@bookworm smoke+desktop+packages+access+lifecycle+upgrade+source@trixie}
DISTRO_LOG=$(mktemp) DEBS_LOG=$(mktemp) BENCH_LOG=$(mktemp)
trap 'rm -f "$LOG" "$DISTRO_LOG" "$DEBS_LOG" "$BENCH_LOG"' EXIT
if [ "$MODE" != vm ]; then
	{
		tests/distro/run.sh images
		rc=$?
		# a failure here shows again, with its log, when the distro stage packs the tree
		[ $rc = 0 ] && case $DISTRO_CHECK_GROUPS in *source*) tests/distro/run.sh trees ;; esac
		exit $rc
	} >"$DISTRO_LOG" 2>&1 &
	DISTRO_IMAGES=$!
	# the distro tier installs this tree's .debs (and, with group upgrade, 0.1.0's):
	# built meanwhile, each cached (seconds when nothing changed)
	{
		d=$(scripts/deb-cached.sh 2>"$DEBS_LOG.err") || echo DEBS_FAILED=1
		printf 'DEBS=%q\n' "$d"
		case $DISTRO_CHECK_GROUPS in *upgrade*)
			d=$(scripts/deb-previous.sh 2>>"$DEBS_LOG.err") || echo PREV_FAILED=1
			printf 'PREV_DEBS=%q\n' "$d" ;;
		esac
	} >"$DEBS_LOG" &
	DEBS_JOB=$!
fi
stage "build" build_all
if [ $F -gt 0 ]; then
	echo "$P passed, $F failed"
	exit 1
fi
export VHID_KERNELS=${VHID_KERNELS:-bookworm sid}
# the harness is the same for every kernel: make check proves it on the first one,
# make check-kernels on each
SELFTEST_KERNELS=${VHID_KERNELS%% *}
[ "$MODE" = vm ] && SELFTEST_KERNELS=$VHID_KERNELS
vm_stages() {
	stage "VM harness self-test ($SELFTEST_KERNELS)" tests/vm/kernels.sh selftest "$BUILD" \
		$SELFTEST_KERNELS
	stage "VM tests (Debian kernels under QEMU: $VHID_KERNELS)" tests/vm/kernels.sh check "$BUILD"
}
if [ "$MODE" = vm ]; then
	vm_stages
	echo "$P passed, $F failed"
	[ $F -eq 0 ]
	exit
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
stage "format (clang-format)" tests/check-format.sh
# libvhid's ABI against abi/libvhid.abi and v0.1.0, and proof that a broken struct fails
stage "ABI (abidiff)" scripts/abi-check.sh "$BUILD"
stage "host tests" tests/run-host-tests.py "$BUILD" "host"
stage "host tests under ASan+UBSan" tests/run-host-tests.py "$ASAN" "host-asan"
VALGRIND="valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite"
# the host daemon test wraps the vhidd it starts too, so the daemon is checked as well
VHID_TEST_WRAPPER=$VALGRIND stage "host tests under valgrind" tests/run-host-tests.py "$BUILD" \
	"host-valgrind" --wrapper "$VALGRIND"
# the libFuzzer harnesses (own clang build, build-fuzz): the committed corpus, then a few
# seconds of fuzzing each; make fuzz runs them for longer (docs/FUZZING.md)
stage "fuzz (libFuzzer: corpus + ${FUZZ_CHECK_SECONDS:-5} s per target)" tests/fuzz/run.sh check
vm_stages
# the benchmark at a few hundred iterations, so it cannot rot (make bench is the real run)
bench_smoke() {
	local rc
	tests/vm/vm.sh bench "$BUILD" smoke >/dev/null
	rc=$?
	scripts/bench-report.py --log "$BUILD/vm/bench-smoke.log" --json "$BUILD/bench-smoke.json" \
		--label bench-smoke || rc=1
	return $rc
}
# It runs beside the distro tier's self-test: each boots one VM with one vCPU at a
# time, so one after the other left a core idle for a minute (2026-12-02)
bench_smoke >"$BENCH_LOG" 2>&1 &
BENCH_JOB=$!
BENCH_START=$SECONDS
# the distro tier: wait for its images (a child of this shell, so not inside stage)
echo "== distro tier images"
wait "$DISTRO_IMAGES"
images_rc=$?
grep -v '^W: ' "$DISTRO_LOG"
distro_tier() {
	[ "$images_rc" -eq 0 ] || { echo "distro: 0 passed, 1 failed (no images)"; return 1; }
	tests/distro/run.sh --no-images "$@"
}
echo "== Debian packages (scripts/deb-cached.sh; scripts/deb-previous.sh with group upgrade)"
wait "$DEBS_JOB"
DEBS="" PREV_DEBS="" DEBS_FAILED="" PREV_FAILED=""
. "$DEBS_LOG"
debs_built() { # what lintian said, and a failure when a set could not be built
	grep -E '^(deb: lintian|[EW]: )' "$DEBS_LOG.err"
	[ -z "$DEBS_FAILED" ] || { echo "this tree's packages: FAILED"; tail -20 "$DEBS_LOG.err"; }
	[ -z "$PREV_FAILED" ] || { echo "0.1.0's packages: FAILED"; tail -20 "$DEBS_LOG.err"; }
	local sets=1
	case $DISTRO_CHECK_GROUPS in *upgrade*) sets=2 ;; esac
	echo "debs: $((sets - ${DEBS_FAILED:-0} - ${PREV_FAILED:-0})) passed, $((${DEBS_FAILED:-0} + ${PREV_FAILED:-0})) failed"
}
stage "Debian packages" debs_built
rm -f "$DEBS_LOG.err"
stage "distro tier self-test" distro_tier selftest
wait "$BENCH_JOB"
BENCH_RC=$?
bench_result() {
	cat "$BENCH_LOG"
	echo "(the benchmark smoke test ran $((SECONDS - BENCH_START)) s before this, beside the above)"
	return "$BENCH_RC"
}
stage "benchmark smoke test (VM)" bench_result
# one boot per release (a boot costs a minute under TCG), on both releases, what
# issues 9 and 10 name as acceptance, in this order: the smoke tests (the system,
# libinput's view, the devices' classification); the desktop (weston+wev and
# Xorg+xev: four layouts, first keystroke, combinations, pointer, scroll,
# short-lived devices, LEDs, the README's example; on both since the standby
# keyboard made it shorter, DESIGN.md §24); the packages as apt installs
# them (install, a member's doctor and status, typing read back from libinput,
# Python, hardening score); access (a non-member, vhidctl log); lifecycle (reload,
# kill -HUP, restart, stop and kill -9 with a key held); upgrade (from 0.1.0's
# packages, clients running); source (the README's install, word for word, on a
# build made with the release's own toolchain). The destructive ones come last.
# That is what fits the time make check can give (DESIGN.md §24); `make distro`
# runs every group, each in its own boot: also operations (doctor against each
# defect, remove/purge) and desktop-python (a Python program in both sessions).
SOURCE_ARG=""
case $DISTRO_CHECK_GROUPS in *source*) SOURCE_ARG=--source ;; esac
# shellcheck disable=SC2086 # one word per boot
stage "distro tier (Debian 12 and 13 under QEMU)" distro_tier --build "$BUILD" $SOURCE_ARG \
	${DEBS:+--debs "$DEBS"} ${PREV_DEBS:+--prev-debs "$PREV_DEBS"} $DISTRO_CHECK_GROUPS
echo "$P passed, $F failed"
[ $F -eq 0 ]
