#!/bin/bash
# stress-check.sh [N] - the proof that the test suite never flakes (issue 13 C): N times
# (default 5) clone this repository's HEAD afresh, start `stress-ng --cpu 4 --hdd 1`, run
# `make check` in the clone, stop stress-ng, and report each run's time and final line.
# Ends with "stress-check: N passed, M failed", counting runs (a run passes when make
# check exits 0 with "0 failed"). A failed run's clone and log are kept, and named.
#
# Environment: STRESS_ARGS (default "--cpu 4 --hdd 1"), STRESS_KEEP=1 keeps every clone,
# STRESS_DIR (default a new directory under /tmp). Everything make check takes
# (VHID_KERNELS, VHID_TIME_SCALE, ...) passes through.
set -uo pipefail
N=${1:-5}
SRC=$(cd "$(dirname "$0")/.." && git rev-parse --show-toplevel) || exit 1
"$SRC/scripts/deps.sh" stress || { echo "stress-check: 0 passed, 1 failed"; exit 1; }
DIR=${STRESS_DIR:-$(mktemp -d /tmp/vhid-stress.XXXXXX)}
mkdir -p "$DIR"
STRESS=""
stop_stress() {
	[ -n "$STRESS" ] || return 0
	kill -INT "$STRESS" 2>/dev/null
	wait "$STRESS" 2>/dev/null
	STRESS=""
}
trap 'stop_stress' EXIT
trap 'exit 130' INT TERM

echo "stress-check: $N run(s) of make check on $(git -C "$SRC" rev-parse --short HEAD)" \
	"under stress-ng ${STRESS_ARGS:---cpu 4 --hdd 1}, in $DIR"
passed=0 failed=0
for ((i = 1; i <= N; i++)); do
	clone=$DIR/run-$i log=$DIR/run-$i.log
	rm -rf "$clone"
	git clone -q "$SRC" "$clone" || { echo "run $i: cannot clone $SRC"; failed=$((failed + 1)); continue; }
	mkdir -p "$clone.stress"
	# shellcheck disable=SC2086
	stress-ng ${STRESS_ARGS:---cpu 4 --hdd 1} --temp-path "$clone.stress" >"$log.stress" 2>&1 &
	STRESS=$!
	t0=$(date +%s)
	(cd "$clone" && make check) >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	stop_stress
	rm -rf "$clone.stress"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ $rc -eq 0 ] && [ "$(echo "$line" | sed -nE 's/.* ([0-9]+) failed$/\1/p')" = 0 ]; then
		passed=$((passed + 1))
		printf 'run %d: %4d s  %s\n' "$i" "$secs" "$line"
		[ -n "${STRESS_KEEP:-}" ] || rm -rf "$clone"
	else
		failed=$((failed + 1))
		printf 'run %d: %4d s  %s (exit %d) FAILED: %s, %s\n' "$i" "$secs" "${line:-no summary line}" \
			"$rc" "$log" "$clone"
		grep -E '^ *(FAIL|HUNG|CRASHED|VM HUNG|GUEST PANIC|INTERRUPTED|MISSING)|FAILED$|: FAIL' "$log" |
			head -20 | sed 's/^/    /'
	fi
done
echo "stress-check: $passed passed, $failed failed"
[ $failed -eq 0 ]
