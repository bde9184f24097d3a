# lib.sh - sourced by the package tests. They run as root inside a Debian guest
# booted with systemd, with users alice (uid 1000) and bob (uid 1001), and
# libinput-tools and evtest installed, and print "PASS name", "FAIL name: why"
# or "SKIP name: why". Env:
#   DEBS       directory with this tree's .debs (make deb: build/deb)
#   PREV_DEBS  the previous release's .debs (scripts/deb-previous.sh), upgrade.sh
#   SRC        a copy of the source tree, source-install.sh
# Waits are bounded and poll: a busy machine makes a test slower, never failed.
set -u
export LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive
FAILED=0
T=$(mktemp -d /tmp/vhid-test.XXXXXX)
chmod 755 "$T"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; FAILED=1; }
skip() { echo "SKIP $1: $2"; }
# check NAME WHY COMMAND...: PASS if COMMAND succeeds, else FAIL NAME: WHY
check() {
	local name=$1 why=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}
finish() {
	[ "${LI_PID:-}" ] && kill "$LI_PID" 2>/dev/null
	[ "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
	exit "$FAILED"
}

alice() { runuser -u alice -- "$@"; }
bob() { runuser -u bob -- "$@"; }

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# the .debs of a directory, without debug symbols, as apt wants them (./path)
debs_in() { ls "$1"/*.deb | grep -v -- -dbgsym_ | sed 's|^\([^/]\)|./\1|'; }
apt_install() { apt-get install -y -q -o Dpkg::Options::=--force-confold "$@" >"$T/apt.log" 2>&1; }
install_debs() { apt_install $(debs_in "${1:-$DEBS}"); }
ensure_installed() {
	dpkg-query -W -f='${db:Status-Status}' vhid 2>/dev/null | grep -qx installed && return 0
	install_debs && usermod -aG vhid alice
}

daemon_pid() { systemctl show -P MainPID vhidd.service; }
stat_of() { stat -c '%a %U:%G' "$1" 2>/dev/null; }

# libinput debug-events over every input device, in $T/li.log (root may read keys)
libinput_start() {
	: >"$T/li.log"
	stdbuf -oL libinput debug-events --show-keycodes >"$T/li.log" 2>&1 &
	LI_PID=$!
	wait_for 20 grep -q DEVICE_ADDED "$T/li.log"
}
# the text libinput saw typed since libinput_start (US layout: letters, digits, space)
libinput_text() {
	awk '$2 == "KEYBOARD_KEY" {
		key = $4; sub(/^KEY_/, "", key); st = $NF
		if (key == "LEFTSHIFT" || key == "RIGHTSHIFT") { shift = (st == "pressed"); next }
		if (st != "pressed") next
		if (key == "SPACE") { printf " "; next }
		if (length(key) == 1) printf "%s", (key ~ /[A-Z]/ && !shift) ? tolower(key) : key
	}' "$T/li.log"
}
typed_is() { [ "$(libinput_text)" = "$1" ]; }

# A held key, watched on the kernel's side: `vhidctl key --down shift` as alice,
# then evtest on its node. libinput cannot be the judge here: it ignores a key
# that was already down when it opened the device, and vhidctl may press before
# libinput opens it (udev's and logind's opens count as readers too).
# the event node of the device named $1, from /proc/bus/input/devices
event_node() {
	awk -v n="N: Name=\"$1\"" '$0 == n { f = 1 } f && /^H: / {
		for (i = 2; i <= NF; i++) if ($i ~ /^event[0-9]+$/) { print "/dev/input/" $i; exit }
	} /^$/ { f = 0 }' /proc/bus/input/devices
}
shift_down() { # the kernel's state of KEY_LEFTSHIFT on $HOLD_NODE
	[ -n "${HOLD_NODE:-}" ] || return 1
	evtest --query "$HOLD_NODE" EV_KEY KEY_LEFTSHIFT
	[ $? = 10 ]
}
hold_node_down() { HOLD_NODE=$(event_node "vhidctl keyboard") && shift_down; }
# hold_start [WAIT_MS]: alice holds shift; returns once the kernel has it down
# and evtest records the node's events in $T/ev.log. WAIT_MS is vhidctl's wait
# for a reader (default 30000; 0.1.0's vhidd never saw one under its unit)
hold_start() {
	HOLD_NODE=
	alice vhidctl key --down --wait "${1:-30000}" shift >"$T/hold.log" 2>&1 &
	HOLDER=$!
	wait_for 30 hold_node_down || return 1
	: >"$T/ev.log"
	evtest "$HOLD_NODE" >"$T/ev.log" 2>&1 &
	wait_for 10 grep -q '^Testing' "$T/ev.log"
}
# whether shift was released on the node while evtest watched it
hold_released() { grep -q 'code 42 (KEY_LEFTSHIFT), value 0' "$T/ev.log"; }
hold_stop() {
	[ -n "${HOLDER:-}" ] && { kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null; }
	HOLDER=
	# its keyboard is gone before the next one is made
	wait_for 10 sh -c '! grep -q "N: Name=\"vhidctl keyboard\"" /proc/bus/input/devices'
}
