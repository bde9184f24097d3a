#!/bin/bash
# run.sh check|fuzz|merge|build [TARGET...] - build and run the libFuzzer harnesses
# (docs/FUZZING.md) in their own clang build, $FUZZ_BUILD (default build-fuzz).
#   check  the committed corpus as regression inputs, then FUZZ_CHECK_SECONDS (5) of
#          fuzzing per target, in a scratch corpus; ends "fuzz: N passed, M failed"
#   fuzz   FUZZ_SECONDS (600) per target, the corpus growing in $FUZZ_BUILD/corpus
#   merge  add what fuzz found that reaches new code to tests/fuzz/corpus (minimized)
#   build  only build
# A crash (or a failed oracle) fails the target and leaves its reproducer, whose path
# is printed with the command that replays it.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${FUZZ_BUILD:-build-fuzz}
CC_FUZZ=${FUZZ_CC:-clang-14}
command -v "$CC_FUZZ" >/dev/null || CC_FUZZ=clang
SRC=tests/fuzz
ALL="frame report post uevent policy request"
MODE=${1:-check}
shift
TARGETS=${*:-$ALL}

build() {
	if [ ! -f "$B/build.ninja" ]; then
		# every C file gets coverage instrumentation; only the harnesses link libFuzzer
		CC=$CC_FUZZ meson setup "$B" -Dfuzz=true -Dtests=false -Dbuildtype=debugoptimized \
			-Db_sanitize=address,undefined -Db_lundef=false \
			"-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" >/dev/null ||
			return 1
	fi
	ninja -C "$B" $(for t in $TARGETS; do echo "tests/fuzz/fuzz-$t"; done) >/dev/null ||
		{ ninja -C "$B" $(for t in $TARGETS; do echo "tests/fuzz/fuzz-$t"; done) | tail -30; return 1; }
}

# the seeds are what gen-seeds.py makes of PROTOCOL.md today
seeds_current() {
	local tmp seed rc=0
	tmp=$(mktemp -d)
	python3 $SRC/gen-seeds.py "$tmp" >/dev/null || rc=1
	for seed in "$tmp"/*/seed-*; do
		cmp -s "$seed" "$SRC/corpus/${seed#"$tmp"/}" || { echo "# stale: ${seed#"$tmp"/}"; rc=1; }
	done
	rm -rf "$tmp"
	return $rc
}

# stat NAME LOG: a figure of libFuzzer's final stats (-print_final_stats=1)
stat() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -1
}

# run_target TARGET SECONDS WORKDIR: the corpus first (every input is run), then fuzzing
run_target() {
	local t=$1 secs=$2 work=$3 bin=$B/tests/fuzz/fuzz-$t log rc cov
	log=$B/fuzz-logs/$MODE-$t.log
	mkdir -p "$work" "$B/fuzz-logs" "$B/fuzz-artifacts"
	# -timeout bounds one input (a hang), never the run's speed
	"$bin" -max_total_time="$secs" -timeout=30 -print_final_stats=1 \
		-dict=$SRC/$t.dict -artifact_prefix="$B/fuzz-artifacts/$t-" \
		"$work" "$SRC/corpus/$t" >"$log" 2>&1
	rc=$?
	EXECS=$(stat number_of_executed_units "$log")
	cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+')
	if [ $rc -eq 0 ]; then
		echo "ok fuzz.$t: $(ls "$SRC/corpus/$t" | wc -l) corpus inputs + ${secs}s:" \
			"${EXECS:-?} execs, ${cov:-?}"
		return 0
	fi
	echo "FAIL fuzz.$t (exit $rc), log $log:"
	grep -E 'ERROR: |oracle failed|SUMMARY: |^ +#[0-3] 0x' "$log" | head -10 | sed 's/^/# /'
	local repro
	repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	[ -z "$repro" ] && repro=$(sed -n 's/^Running: //p' "$log" | tail -1)
	[ -n "$repro" ] && echo "# reproducer: $repro" && echo "# replay: $bin $repro"
	return 1
}

# run_all SECONDS DIR: every target, one per CPU at a time (each fuzzer is one
# process on one core; in turn, make check spent 30 s here on 2 cores), its
# corpus in DIR/TARGET; reported in order; adds to p, f and total
run_all() {
	local secs=$1 dir=$2 out t running=0 rc execs
	out=$(mktemp -d)
	for t in $TARGETS; do
		(
			EXECS=0
			run_target "$t" "$secs" "$dir/$t" >"$out/$t.out"
			echo "$? ${EXECS:-0}" >"$out/$t.rc"
		) &
		running=$((running + 1))
		if [ $running -ge "$(nproc)" ]; then
			wait -n
			running=$((running - 1))
		fi
	done
	wait
	for t in $TARGETS; do
		cat "$out/$t.out"
		read -r rc execs <"$out/$t.rc" || rc=1
		if [ "$rc" = 0 ]; then p=$((p + 1)); else f=$((f + 1)); fi
		total=$((total + ${execs:-0}))
	done
	rm -rf "$out"
}

summary() { # PASSED FAILED TOTAL_EXECS
	echo "fuzz: total $3 execs"
	echo "fuzz: $1 passed, $2 failed"
	[ "$2" -eq 0 ]
}

main() {
	local p=0 f=0 total=0 work
	if ! build; then
		echo "fuzz: build FAILED (is $CC_FUZZ with libFuzzer installed? scripts/deps.sh fuzz)"
		echo "fuzz: 0 passed, 1 failed"
		return 1
	fi
	case $MODE in
	build) return 0 ;;
	merge)
		for t in $TARGETS; do
			"$B/tests/fuzz/fuzz-$t" -merge=1 "$SRC/corpus/$t" "$B/corpus/$t" 2>&1 |
				grep -E '^MERGE-OUTER: [0-9]+ new files' | sed "s/^/$t: /"
		done
		return 0
		;;
	check)
		if seeds_current; then
			echo "ok fuzz.seeds: tests/fuzz/corpus/*/seed-* match gen-seeds.py"
			p=$((p + 1))
		else
			echo "FAIL fuzz.seeds: run tests/fuzz/gen-seeds.py"
			f=$((f + 1))
		fi
		work=$(mktemp -d)
		run_all "${FUZZ_CHECK_SECONDS:-5}" "$work"
		rm -rf "$work"
		;;
	fuzz)
		run_all "${FUZZ_SECONDS:-600}" "$B/corpus"
		;;
	*)
		echo "usage: $0 check|fuzz|merge|build [TARGET...]" >&2
		return 2
		;;
	esac
	summary $p $f $total
}

main
