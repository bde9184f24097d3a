#!/bin/bash
# runner.sh - the guest side of the distro tier. vhid-distro-boot runs it as root
# from the host's share (/host, read-only) once systemd has finished booting.
# The kernel command line says what to do:
#   vhid.group=G     run every executable in /host/tests/G in name order, each
#                    under `timeout`, then power off; G1+G2+... runs the groups in
#                    that order in this one boot (a boot costs a minute under TCG),
#                    skipping a group whose file "releases" does not list this release
#   vhid.timeout=S   per-test limit (a test still running then is killed: HUNG TEST)
#   vhid.factor=F    VHID_TIME_FACTOR for the tests' own deadlines
#   vhid.selftest=hang  after the tests, hang instead of powering off (the host
#                    must call that a hung VM)
#   vhid.shell=1     no tests: a root shell on the serial console
# Markers and test output go to the second serial port (ttyS1), which the host
# reads; kernel and systemd messages stay on the console (ttyS0).
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^vhid\.$1=//p" | tail -1; }
up() { cut -d' ' -f1 /proc/uptime; }

interactive() {
	touch /run/vhid-interactive
	echo "vhid distro tier: root shell (tests: /host/tests, library: /host/lib.sh;" \
		"poweroff or Ctrl-A x quits)" >/dev/console
	exec systemctl --no-block start serial-getty@ttyS0.service
}

# run_test FILE: one test in a fresh working directory, its output on ttyS1
run_test() {
	local t=$1 name start rc
	name=$(basename "$t")
	name=${name%.*}
	name=${name#[0-9][0-9]-} # NN- orders the tests of a group; it is not part of the name
	# GROUP/NAME: a boot runs several groups, whose tests may share a name
	name=$(basename "$(dirname "$t")")/$name
	start=$(up)
	echo "@@RUN $name"
	rm -rf /tmp/vhid-test && mkdir -p /tmp/vhid-test
	# -k: a test that ignores SIGTERM is killed; timeout signals the test's whole
	# process group, so its background jobs go too
	(cd /tmp/vhid-test && timeout -k 10 "$TIMEOUT" "$t" </dev/null)
	rc=$?
	echo "@@DONE $name rc=$rc start=$start end=$(up)"
	return $rc
}

main() {
	local g t rc=0
	[ "$(arg shell)" = 1 ] && interactive
	exec >/dev/ttyS1 2>&1
	stty -F /dev/ttyS1 -opost -echo 2>/dev/null
	GROUP=$(arg group)
	TIMEOUT=$(arg timeout)
	VHID_RELEASE=$(arg release)
	VHID_TIME_FACTOR=$(arg factor)
	export VHID_HOST=/host VHID_GROUP=$GROUP VHID_RELEASE VHID_TIME_FACTOR LANG=C.UTF-8 HOME=/root
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	echo "@@BOOTED uptime=$(up) state=$(systemctl is-system-running) kernel=$(uname -r)"
	for g in ${GROUP//+/ }; do
		[ -f "/host/tests/$g/releases" ] && ! grep -qw "$VHID_RELEASE" "/host/tests/$g/releases" &&
			continue
		export VHID_GROUP=$g
		for t in /host/tests/"$g"/*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			run_test "$t" || rc=1
		done
	done
	if [ "$(arg selftest)" = hang ]; then
		echo "@@SELFTEST the runner hangs now"
		exec sleep infinity
	fi
	echo "@@EXIT $rc uptime=$(up)"
	sync
	systemctl poweroff -ff
}

main
