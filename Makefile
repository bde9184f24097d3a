# Thin wrapper over meson; every target installs what it lacks (scripts/deps.sh).
BUILD ?= build

.PHONY: all build check demo bench install clean

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

install: build
	@meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) build-asan
