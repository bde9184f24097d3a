# Thin wrapper over meson; every target installs what it lacks (scripts/deps.sh).
BUILD ?= build

.PHONY: all build check demo bench fuzz install clean

all: build

build:
	@scripts/deps.sh build
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD)

# unit + ASan/UBSan + valgrind + VM tier; ends with "N passed, M failed"
check:
	@scripts/check.sh

# the main job on a real kernel, in the VM
demo:
	@scripts/deps.sh demo
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD) >/dev/null
	@tests/vm/vm.sh demo $(BUILD)

# the benchmark (docs/BENCHMARKS.md): boots the VM, measures vhid against raw
# uhid, raw uinput and ydotool, writes bench/results.json and updates the docs
bench:
	@scripts/deps.sh bench
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD) >/dev/null
	@tests/vm/vm.sh bench $(BUILD) $(BENCH_ARGS); rc=$$?; \
	scripts/bench-report.py --log $(BUILD)/vm/bench.log --json bench/results.json \
		--doc docs/BENCHMARKS.md || rc=1; exit $$rc

# the libFuzzer harnesses for FUZZ_SECONDS (default 600) each, then their line coverage
# (docs/FUZZING.md); FUZZ_TARGETS picks some ("frame request")
fuzz:
	@scripts/deps.sh fuzz
	@tests/fuzz/run.sh fuzz $(FUZZ_TARGETS); rc=$$?; tests/fuzz/coverage.sh $(FUZZ_TARGETS) || rc=1; \
	exit $$rc

install: build
	@meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-fuzz-cov
