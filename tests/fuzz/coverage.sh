#!/bin/bash
# coverage.sh [TARGET...] - line coverage of the files each harness targets, reached by
# its committed corpus plus what make fuzz added ($FUZZ_BUILD/corpus). Its own build
# ($FUZZ_COV_BUILD, default build-fuzz-cov): source-based coverage, no sanitizers.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${FUZZ_COV_BUILD:-build-fuzz-cov}
CORPUS=${FUZZ_BUILD:-build-fuzz}/corpus
CC_FUZZ=${FUZZ_CC:-clang-14}
command -v "$CC_FUZZ" >/dev/null || CC_FUZZ=clang
V=${CC_FUZZ#clang}
PROFDATA=llvm-profdata$V COV=llvm-cov$V
TARGETS=${*:-frame report post uevent policy request}

declare -A FILES=(
	[frame]="common/protocol.c"
	[report]="common/report.c"
	[post]="vhidd/vdev-reports.c vhidd/vdev.c"
	[uevent]="vhidd/uevent.c vhidd/vdev-nodes.c"
	[policy]="vhidd/policy.c"
	[request]="vhidd/requests.c vhidd/client.c common/connection.c"
)

command -v "$COV" >/dev/null || { echo "coverage: $COV missing (scripts/deps.sh fuzz)"; exit 1; }
if [ ! -f "$B/build.ninja" ]; then
	# LLVM_PROFILE_FILE: meson's compiler checks run instrumented programs too
	LLVM_PROFILE_FILE=/dev/null CC=$CC_FUZZ meson setup "$B" -Dfuzz=true -Dtests=false \
		-Dbuildtype=debug \
		"-Dc_args=-fsanitize=fuzzer-no-link -fprofile-instr-generate -fcoverage-mapping" \
		"-Dc_link_args=-fprofile-instr-generate" >/dev/null || exit 1
fi
ninja -C "$B" $(for t in $TARGETS; do echo "tests/fuzz/fuzz-$t"; done) >/dev/null || exit 1
for t in $TARGETS; do
	bin=$B/tests/fuzz/fuzz-$t
	dirs="tests/fuzz/corpus/$t"
	[ -d "$CORPUS/$t" ] && dirs="$dirs $CORPUS/$t"
	n=$(cat <(ls $dirs) | wc -l)
	# -runs=0: every input once, no fuzzing
	LLVM_PROFILE_FILE="$B/$t.profraw" "$bin" -runs=0 $dirs >"$B/$t.log" 2>&1 ||
		{ echo "coverage: fuzz-$t failed on its corpus ($B/$t.log)"; exit 1; }
	$PROFDATA merge -o "$B/$t.profdata" "$B/$t.profraw" || exit 1
	# the Lines columns of llvm-cov's table: total, missed, percent
	$COV report "$bin" -instr-profile="$B/$t.profdata" 2>/dev/null |
		awk -v t="$t" -v files=" ${FILES[$t]} " -v n="$n" '{ f = $1; sub(/^(\.\.\/)+/, "", f) }
			index(files, " " f " ") {
				printf "coverage: fuzz-%s %s: lines %s (%d of %d), %d inputs\n",
					t, f, $10, $8 - $9, $8, n }'
done
