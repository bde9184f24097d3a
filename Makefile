# Thin wrapper over meson; every target installs what it lacks (scripts/deps.sh).
BUILD ?= build

.PHONY: all build check check-kernels stress-check demo bench deb distro distro-shell fuzz install clean

all: build

build:
	@scripts/deps.sh build
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD)

# unit + ASan/UBSan + valgrind + VM tier (kernels 6.1 and sid's newest);
# ends with "N passed, M failed"
check:
	@scripts/check.sh

# the VM tier on every Debian kernel users run: bookworm 6.1, trixie 6.12, sid
check-kernels:
	@VHID_KERNELS="bookworm trixie sid" scripts/check.sh vm

# make check N times (default 5) in fresh clones under stress-ng: the suite never flakes
stress-check:
	@scripts/stress-check.sh $(N)

# the main job on a real kernel, in the VM
demo:
	@scripts/deps.sh demo
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD) >/dev/null
	@tests/vm/vm.sh demo $(BUILD)

# the benchmark (docs/BENCHMARKS.md): boots the VM, measures vhid against raw
# uhid, raw uinput and ydotool, writes bench/results.json and updates the docs;
# then typing into wev under weston, vhid against ydotool, in a Debian 12 boot of
# the distro tier (scripts/bench-desktop.sh)
bench:
	@scripts/deps.sh bench
	@scripts/deps.sh distro
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD) >/dev/null
	@tests/vm/vm.sh bench $(BUILD) $(BENCH_ARGS); rc=$$?; \
	scripts/bench-report.py --log $(BUILD)/vm/bench.log --json bench/results.json \
		--doc docs/BENCHMARKS.md || rc=1; \
	scripts/bench-desktop.sh $(BUILD) || rc=1; exit $$rc

# the distro tier (tests/distro): real Debian 12 and 13 systems under QEMU, images
# built once into ~/.cache/vhid/distro; every group in its own boot, with this
# tree's .debs and 0.1.0's (cached); DISTRO_ARGS e.g. "--release trixie smoke"
distro:
	@scripts/deps.sh distro
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD) >/dev/null
	@debs=$$(scripts/deb-cached.sh) && prev=$$(scripts/deb-previous.sh) && \
		tests/distro/run.sh --build $(BUILD) --source --debs "$$debs" --prev-debs "$$prev" \
		$(DISTRO_ARGS)

# a root shell in a fresh guest (the share, with the build tree, at /host)
RELEASE ?= bookworm
distro-shell:
	@scripts/deps.sh distro
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@ninja -C $(BUILD) >/dev/null
	@tests/distro/run.sh --build $(BUILD) $(if $(wildcard $(BUILD)/deb/*.deb),--debs $(BUILD)/deb) \
		shell $(RELEASE)

# Debian packages (vhid, libvhid1, libvhid-dev) in build/deb/, checked by lintian
deb:
	@scripts/deps.sh deb
	@scripts/deb.sh

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
