#!/bin/bash
# vm.sh - the VM tier: boot Debian's stock kernel under QEMU (TCG) with a busybox
# initramfs that holds our binaries, run tests in it, and report what happened.
#
#   vm.sh check BUILDDIR [TEST...]  build the initramfs, run the VM tests (in parallel
#                                   VMs, one per core), print per-test results and a
#                                   final "vm: N passed, M failed" line
#   vm.sh demo BUILDDIR             run the demo program and print what the kernel reported
#   vm.sh bench BUILDDIR [ARGS]     run the benchmark (tests/vm/bench.c) with ARGS, e.g.
#                                   "smoke" or "pairs=2000 only=latency"; the console
#                                   goes to BUILDDIR/vm/bench.log (bench-smoke.log)
#   vm.sh selftest BUILDDIR         prove that a failing test, a hung test, a guest
#                                   panic and a hung VM each fail, with a message saying which
#
# Environment: KVER, KERNEL, MODROOT (kernel choice), VM_TIMEOUT (host limit per VM,
# default 1200 s), TEST_TIMEOUT (guest limit per test, default 300 s), VHID_TIME_SCALE
# (the tests' failure bounds are their idle-machine values times this, default 10),
# VM_JOBS (parallel VMs, default nproc), VM_KEEP=1 (print the whole console), ACCEL
# (default tcg). The limits only catch hangs: a test passes or fails on events, so a
# loaded machine is slow, not wrong (a whole VM tier takes 30-60 s on an idle one).
# The benchmark's VM: BENCH_SMP (default 1), BENCH_MEM (MiB, default 1024),
# BENCH_VM_TIMEOUT / BENCH_TEST_TIMEOUT (default 2400 / 2100 s, smoke 1200 / 1100 s; hang
# guards only: the smoke run takes ~35 s on an idle machine, ~170 s under stress-ng),
# VM_EXTRA_BINS (more programs for the payload; ydotool and strace are added when
# installed: strace counts vhidd's syscalls per report).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CMD=${1:-}
BUILD=$(cd "${2:-build}" && pwd)
shift 2 || true
WORK=${VM_WORK:-$BUILD/vm} # VM_WORK: a private work dir for parallel runs
mkdir -p "$WORK"
# shellcheck source=kernel.sh
. "$HERE/kernel.sh"
VMLINUX=$WORK/vmlinux-$KVER
ACCEL=${ACCEL:-tcg}
VM_TIMEOUT=${VM_TIMEOUT:-1200}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
VHID_TIME_SCALE=${VHID_TIME_SCALE:-10}

die() { echo "vm: $*" >&2; exit 1; }

# ---- kernel and base archive (busybox, modules, /init), cached per kernel ----

need_vmlinux() {
	[ -s "$VMLINUX" ] && return
	"$HERE/extract-vmlinux.sh" "$KERNEL" "$VMLINUX" || die "cannot extract vmlinux from $KERNEL"
}

# busybox 1.35's insmod cannot read .ko.zst, so every module is unpacked here
make_alias() { # MODDIR: run depmod on an unpacked kernel's modules, in place
	local t
	t=$(mktemp -d) || return 1
	mkdir -p "$t/lib/modules"
	ln -s "$(realpath "$1")" "$t/lib/modules/$KVER"
	depmod -b "$t" "$KVER" || echo "vm: depmod failed: test-daemon-identity will fail" >&2
	rm -rf "$t"
}

add_module() { # ROOT MODULE-PATH-WITHOUT-SUFFIX
	local f
	f=$(ls "$MODDIR/kernel/$2".ko* 2>/dev/null | head -1)
	if [ -z "$f" ]; then
		# built in (=y) is fine; missing entirely is not
		grep -q "/$(basename "$2").ko" "$MODDIR/modules.builtin" 2>/dev/null ||
			die "module $2 is missing from $KVER"
		return
	fi
	case $f in
	*.ko.xz) xz -dc "$f" >"$1/lib/modules/$(basename "$2").ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$1/lib/modules/$(basename "$2").ko" ;;
	*.ko.gz) gzip -dc "$f" >"$1/lib/modules/$(basename "$2").ko" ;;
	*) cp "$f" "$1/lib/modules/" ;;
	esac
	basename "$2" >>"$1/lib/modules/load.order"
}

need_base() {
	local base=$WORK/base-$KVER.cpio.gz stamp root
	stamp="$KVER $(cksum <"$HERE/init") $(cksum <"$0")"
	[ -s "$base" ] && [ "$(cat "$base.stamp" 2>/dev/null)" = "$stamp" ] && return
	[ -x /bin/busybox ] || die "no /bin/busybox: apt-get install busybox-static"
	root=$(mktemp -d "$WORK/base.XXXXXX")
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc,lib/modules,tests,usr/bin}
	cp /bin/busybox "$root/bin/busybox"
	cp "$HERE/init" "$root/init"
	# dependency order from modules.dep: hid first
	for m in drivers/hid/hid drivers/hid/uhid drivers/hid/hid-generic \
		drivers/input/evdev drivers/input/misc/uinput drivers/hid/hid-apple; do
		add_module "$root" "$m"
	done
	# vhidd reads which IDs special HID drivers claim (hid-apple above is one) from
	# the kernel's module tables, as on a real system (test-daemon-identity)
	mkdir -p "$root/lib/modules/$KVER"
	# a kernel unpacked from its .deb has no modules.alias (depmod makes it at install)
	[ -f "$MODDIR/modules.alias" ] || make_alias "$MODDIR"
	for f in modules.alias modules.builtin.modinfo; do
		[ -f "$MODDIR/$f" ] && cp "$MODDIR/$f" "$root/lib/modules/$KVER/"
	done
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$base" ||
		die "cannot write $base"
	echo "$stamp" >"$base.stamp"
	rm -rf "$root"
}

# ---- payload: our binaries with their shared libraries -----------------------

# Copy an ELF file and, recursively through ldd, every library it needs, to the
# same paths in the payload, so the host's dynamic binaries run unchanged.
add_elf() { # ROOT SRC DST
	local lib
	install -D -m 755 "$2" "$1$3"
	ldd "$2" 2>/dev/null | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}' |
		while read -r lib; do
			case $lib in
			/lib*|/usr/*) dst=$lib ;;
			# our own libraries (build-tree RUNPATH): where the loader looks by default
			*) dst=/usr/lib/$(basename "$lib") ;;
			esac
			[ -e "$1$dst" ] || install -D -m 755 "$(readlink -f "$lib")" "$1$dst"
		done
}

# python3 for the Python binding's tests (test-python-*): the interpreter, the standard modules
# the binding and the examples import (python-files.py asks the host's python3), the package
# where Debian puts it, and the examples; about 4 MiB packed
add_python() { # ROOT
	local py f src=$HERE/../../python
	py=$(readlink -f /usr/bin/python3 2>/dev/null) && [ -x "$py" ] || return 0
	add_elf "$1" "$py" "$py"
	ln -sf "$(basename "$py")" "$1/usr/bin/python3"
	/usr/bin/python3 "$HERE/python-files.py" "$src" "$BUILD/libvhid/libvhid.so.1" |
		while read -r f; do
			case $f in
			*.so) add_elf "$1" "$f" "$f" ;;
			*) install -D -m 644 "$f" "$1$f" ;;
			esac
		done
	mkdir -p "$1/usr/lib/python3/dist-packages" "$1/usr/share/vhid/examples"
	cp -r "$src/vhid" "$1/usr/lib/python3/dist-packages/"
	cp "$HERE"/../../examples/*.py "$1/usr/share/vhid/examples/"
}

build_payload() { # prints the initrd path
	local root=$WORK/payload f name
	rm -rf "$root"
	mkdir -p "$root"/{tests,etc/vhid,usr/bin,usr/share}
	for f in "$BUILD"/tests/vm/test-* "$BUILD"/tests/vm/bench-*; do
		[ -x "$f" ] && [ -f "$f" ] || continue
		add_elf "$root" "$f" "/tests/$(basename "$f")"
	done
	for f in vhidd/vhidd vhidctl/vhidctl tests/vm/vmhelper; do
		[ -x "$BUILD/$f" ] && add_elf "$root" "$BUILD/$f" "/usr/bin/$(basename "$f")"
	done
	# the fault-injection shim (test-faults-*)
	[ -f "$BUILD/tests/vm/libvtfault.so" ] &&
		add_elf "$root" "$BUILD/tests/vm/libvtfault.so" /usr/lib/vhid-test/libvtfault.so
	# the examples (test-examples, test-python-*)
	[ -x "$BUILD/examples/remap-caps-escape" ] &&
		add_elf "$root" "$BUILD/examples/remap-caps-escape" /usr/bin/remap-caps-escape
	[ -x "$BUILD/tests/vm/test-python-typing" ] && add_python "$root"
	# the previous release, for test-compat (built from git history, cached by commit)
	if old=$("$HERE/../../scripts/build-release.sh" v0.1.0); then
		add_elf "$root" "$old/build/vhidd/vhidd" /usr/bin/vhidd-0.1.0
		add_elf "$root" "$old/build/vhidctl/vhidctl" /usr/bin/vhidctl-0.1.0
	fi
	[ -x "$BUILD/tests/vm/demo" ] && add_elf "$root" "$BUILD/tests/vm/demo" /tests/demo-run
	[ -x "$BUILD/tests/vm/bench" ] && add_elf "$root" "$BUILD/tests/vm/bench" /tests/bench-run
	cp "$HERE"/selftest/selftest-* "$root/tests/"
	# test rigs may ship extra programs (ydotool for the benchmark)
	for f in ${VM_EXTRA_BINS:-}; do
		[ -x "$f" ] && add_elf "$root" "$f" "/usr/bin/$(basename "$f")"
	done
	# keymaps and Compose tables for layout-aware typing (libxkbcommon reads them)
	mkdir -p "$root/usr/share/X11"
	[ -d /usr/share/X11/xkb ] && cp -a /usr/share/X11/xkb "$root/usr/share/X11/"
	[ -d /usr/share/X11/locale ] && cp -a /usr/share/X11/locale "$root/usr/share/X11/"
	# test users: root, a plain user (1000), and group vhid for the daemon's socket
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\nother:x:1001:1001:other:/tmp:/bin/sh\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nvhid:x:990:\nuser:x:1000:\nother:x:1001:\nwheel:x:10:\n' >"$root/etc/group"
	printf 'passwd: files\ngroup: files\n' >"$root/etc/nsswitch.conf"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$WORK/payload.cpio.gz" ||
		die "cannot write the payload archive"
	cat "$WORK/base-$KVER.cpio.gz" "$WORK/payload.cpio.gz" >"$WORK/initrd.cpio.gz"
}

prepare() {
	command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64: apt-get install qemu-system-x86"
	command -v cpio >/dev/null || die "no cpio: apt-get install cpio"
	need_vmlinux
	need_base
	build_payload
}

# ---- one boot -----------------------------------------------------------------

# boot LOG [KERNEL-ARGS...]: returns the guest's @@EXIT status, or prints why not:
# 124 = the VM hung (host timeout), 125 = guest panic, 126 = VM died otherwise
# no_timer_check: at boot the kernel checks that the IO-APIC timer ticks within a
# busy-wait; a vCPU the loaded host starves fails it ("IO-APIC + timer doesn't
# work!", a panic on 6.1 under stress-ng), so the check, a clock, is skipped
boot() {
	local log=$1 rc
	shift
	timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -accel "$ACCEL" -cpu max -m "${VM_MEM:-512}" \
		-smp "${VM_SMP:-1}" \
		-kernel "$VMLINUX" -initrd "$WORK/initrd.cpio.gz" -nic none \
		-append "console=ttyS0 panic=-1 quiet no_timer_check TEST_TIMEOUT=$TEST_TIMEOUT VHID_TIME_SCALE=$VHID_TIME_SCALE $*" \
		-nographic -no-reboot </dev/null >"$log" 2>&1
	rc=$?
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		echo "VM HUNG: no @@EXIT within ${VM_TIMEOUT}s; last guest output:" >&2
		grep -av '^\s*$' "$log" | tail -3 | sed 's/^/    /' >&2
		return 124
	fi
	if ! grep -aq '@@EXIT' "$log"; then
		if grep -aq 'Kernel panic' "$log"; then
			echo "GUEST PANIC: $(grep -a 'Kernel panic' "$log" | head -1 | tr -d '\r')" >&2
			return 125
		fi
		echo "VM DIED: qemu exited with $rc before @@EXIT; last guest output:" >&2
		tail -3 "$log" | sed 's/^/    /' >&2
		return 126
	fi
	return "$(sed -n 's/.*@@EXIT \([0-9]*\).*/\1/p' "$log" | tail -1)"
}

# Count PASS/FAIL lines per test program and name every failure. Prints
# "RESULT passed failed" last.
collect() { # LOG...
	awk '
	function finish(t, rc, dur) {
		why = ""
		if (rc == 137 || rc == 143) { why = "HUNG TEST: " t " killed after '"$TEST_TIMEOUT"'s" }
		else if (rc >= 128) { why = "CRASHED: " t " died with signal " (rc - 128) }
		else if (rc != 0 && fails[t] == 0) { why = "FAILED: " t " exited " rc " without a FAIL line" }
		if (why != "") { fails[t]++; print "  " why }
		printf "  %-28s %3d passed, %d failed (%.1f s)\n", t, passes[t], fails[t], dur
		P += passes[t]; F += fails[t]
	}
	{ sub(/\r$/, "") }
	/@@RUN / { t = $2; running[t] = 1; next }
	/@@DONE / {
		split($3, a, "="); split($4, s, "="); split($5, e, "=")
		finish($2, a[2] + 0, e[2] - s[2]); delete running[$2]; t = ""; next
	}
	/@@MISSING / { print "  MISSING: " $2 " is not in the initramfs"; F++; next }
	t != "" && /^PASS / { passes[t]++ }
	t != "" && /^FAIL / { fails[t]++; print "  " t ": " $0 }
	END {
		for (r in running) { print "  INTERRUPTED: " r " never finished"; F++ }
		print "RESULT", P + 0, F + 0
	}' "$@"
}

# ---- commands -------------------------------------------------------------------

list_tests() {
	local f
	for f in "$WORK"/payload/tests/test-*; do
		[ -x "$f" ] && basename "$f"
	done
}

cmd_check() {
	local tests jobs i pids=() logs=() status=0 groups
	prepare
	if [ $# -gt 0 ]; then tests=("$@"); else mapfile -t tests < <(list_tests); fi
	[ ${#tests[@]} -gt 0 ] || die "no VM tests were built"
	jobs=${VM_JOBS:-$(nproc)}
	[ "$jobs" -gt ${#tests[@]} ] && jobs=${#tests[@]}
	# round-robin the tests over one VM per core
	for ((i = 0; i < jobs; i++)); do groups[i]=""; done
	for i in "${!tests[@]}"; do
		groups[i % jobs]+="${groups[i % jobs]:+,}${tests[i]}"
	done
	echo "vm: kernel $KVER, ${#tests[@]} test programs in $jobs VM(s)"
	for ((i = 0; i < jobs; i++)); do
		logs[i]=$WORK/console-$i.log
		boot "${logs[i]}" "VHID_TESTS=${groups[i]}" 2>"${logs[i]}.err" &
		pids[i]=$!
	done
	for ((i = 0; i < jobs; i++)); do
		wait "${pids[i]}"
		local rc=$?
		if [ $rc -ge 124 ]; then
			cat "${logs[i]}.err"
			status=1
		fi
		[ -n "${VM_KEEP:-}" ] && cat "${logs[i]}"
	done
	local out
	out=$(collect "${logs[@]}")
	echo "$out" | grep -v '^RESULT'
	set -- $(echo "$out" | tail -1)
	local passed=$2 failed=$3
	[ $status -ne 0 ] && failed=$((failed + 1))
	echo "vm: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

cmd_demo() {
	local log=$WORK/demo.log rc
	prepare
	boot "$log" "VHID_TESTS=demo-run"
	rc=$?
	# everything the demo printed, without kernel noise and markers
	awk '/@@RUN/{on=1; next} /@@DONE/{on=0} on' "$log" | tr -d '\r' | grep -av '^\[ *[0-9.]*\]'
	[ $rc -eq 0 ] || { echo "demo: failed (status $rc, console in $log)" >&2; return 1; }
}

# The benchmark gets a VM of its own, the same for every path it compares: memory
# for 1024 uhid devices, and one vCPU (two made the run noisy on a two-core host,
# and even the raw loops lost events: docs/BENCHMARKS.md). ydotool (and strace,
# for a syscall profile) join the payload when the host has them.
cmd_bench() {
	local log=$WORK/bench.log rc f timeout=2400 test_timeout=2100 args
	case " $* " in
	*" smoke "*) log=$WORK/bench-smoke.log timeout=1200 test_timeout=1100 ;;
	*)
		for f in /usr/bin/ydotool /usr/bin/ydotoold /usr/bin/strace; do
			[ -x "$f" ] && VM_EXTRA_BINS="${VM_EXTRA_BINS:-} $f"
		done
		;;
	esac
	log=${BENCH_LOG:-$log}
	prepare
	# kernel-command-line words cannot hold spaces: init turns the commas back into words
	args=$(IFS=,; echo "$*")
	VM_MEM=${BENCH_MEM:-1024} VM_SMP=${BENCH_SMP:-1} VM_TIMEOUT=${BENCH_VM_TIMEOUT:-$timeout} \
		TEST_TIMEOUT=${BENCH_TEST_TIMEOUT:-$test_timeout} \
		boot "$log" "VHID_TESTS=${BENCH_TESTS:-bench-run}" "TEST_ARGS=$args"
	rc=$?
	awk '/@@RUN/{on=1; next} /@@DONE/{on=0} on' "$log" | tr -d '\r' | grep -av '^\[ *[0-9.]*\]'
	echo "bench: console in $log"
	return $rc
}

# The harness must tell each failure mode apart; prove it on purpose-built cases.
# The cases boot VM_JOBS at a time (each in its own log), reported in order.
cmd_selftest() {
	local passed failed running=0 name want re arg var c cases
	prepare
	check() { # NAME EXPECTED-RC EXPECTED-MESSAGE-REGEX KERNEL-ARGS...
		local name=$1 want=$2 re=$3 rc err log=$WORK/selftest-$1.log
		shift 3
		err=$( { boot "$log" "$@"; echo "rc=$?"; } 2>&1)
		rc=$(echo "$err" | sed -n 's/^rc=//p')
		err=$err$'\n'$(collect "$log")
		if [ "$rc" = "$want" ] && echo "$err" | grep -qE "$re"; then
			echo "PASS harness.$name"
		else
			echo "FAIL harness.$name: rc=$rc, want $want and /$re/:"; echo "$err" | sed 's/^/    /'
		fi >"$log.result"
	}
	cases=(
		"failing-test|1|selftest-fail: FAIL selftest.always|VHID_TESTS=selftest-fail"
		"hung-test|1|HUNG TEST: selftest-hang|VHID_TESTS=selftest-hang|TEST_TIMEOUT=2"
		"guest-panic|125|GUEST PANIC|VHID_SELFTEST=panic"
		"hung-vm|124|VM HUNG|VHID_SELFTEST=hang|VM_TIMEOUT=8"
		"passing-test|0|selftest-pass +1 passed, 0 failed|VHID_TESTS=selftest-pass"
	)
	for c in "${cases[@]}"; do
		IFS='|' read -r name want re arg var <<<"$c"
		rm -f "$WORK/selftest-$name.log.result"
		( [ -n "$var" ] && export "${var?}"; check "$name" "$want" "$re" "$arg" ) &
		running=$((running + 1))
		if [ $running -ge "${VM_JOBS:-$(nproc)}" ]; then wait -n; running=$((running - 1)); fi
	done
	wait
	for c in "${cases[@]}"; do
		name=${c%%|*}
		cat "$WORK/selftest-$name.log.result" 2>/dev/null || echo "FAIL harness.$name: no result"
	done | tee "$WORK/selftest.results"
	passed=$(grep -c '^PASS' "$WORK/selftest.results")
	failed=$(grep -c '^FAIL' "$WORK/selftest.results")
	echo "harness: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

case $CMD in
check) cmd_check "$@" ;;
demo) cmd_demo ;;
bench) cmd_bench "$@" ;;
selftest) cmd_selftest ;;
*) sed -n '2,20p' "$0"; exit 2 ;;
esac
