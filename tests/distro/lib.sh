# lib.sh - the distro tier's shell library. A test starts with
#     . /host/lib.sh
# and prints PASS/FAIL lines through it; it runs as root in a fresh boot of the
# group's image (tests of a group run in name order in the same boot).
#
# Results:   pass NAME | fail NAME WHY... | check NAME CMD... | finish
# Users:     as_user USER CMD...  (alice = uid 1000, bob = uid 1001)
# Waiting:   wait_until SECONDS WHAT CMD...  (deadline scaled by VHID_TIME_FACTOR)
# Cleanup:   on_exit CMD...  (run in reverse order when the test exits)
# Build tree (run.sh --build DIR): need_build, VHIDD, VHIDCTL, VHID_HOLD,
#            vhidd_start_root, hold_devices KIND...
# Desktop:   session_start wayland|x11 [USER], client_start, client_text,
#            client_pointer, session_stop, compositor_has_open NODE..., gate_start [USER]
# Packages (run.sh --debs DIR [--prev-debs DIR]): need_debs, install_debs [DIR],
#            ensure_installed, purge_vhid, daemon_pid, stat_of, journal_count REGEX
# Keys:      libinput_start, libinput_text LAYOUT [VARIANT], typist_start [NAME CMD...],
#            typist_line CMD..., typist_type LAYOUT TEXT, typist_stop, event_node NAME,
#            key_down NODE KEY, keyboard_with KEY [NOT-NODE], hold_start [WAIT_MS
#            [VHIDCTL]], hold_watch [NOT-SYSFS], hold_released, hold_term, hold_stop
#
# shellcheck shell=bash disable=SC2034 # variables are for the tests

VHID_HOST=${VHID_HOST:-/host}
VHID_TIME_FACTOR=${VHID_TIME_FACTOR:-1}
LIB=$VHID_HOST/lib
_failed=0
_cleanups=()

# ---- results ----------------------------------------------------------------------

pass() { echo "PASS $1"; }

fail() { # NAME WHY...
	local n=$1
	shift
	echo "FAIL $n: $*"
	_failed=1
}

# check NAME CMD...: PASS when CMD succeeds, else FAIL with the end of its output
check() {
	local n=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$n"
	else
		fail "$n" "'$*' failed: $(echo "$out" | tail -3 | tr '\n' ' ')"
	fi
}

# finish: end the test; its exit status says whether anything failed
finish() { exit $_failed; }

# ---- cleanup ------------------------------------------------------------------------

on_exit() { _cleanups+=("$*"); }

# a failed test leaves what the logs said in its output (tests.log on the host)
_dump_logs() {
	local f
	for f in /tmp/vhidd.log /tmp/vhid-hold.*.log /tmp/vhid-gate.log \
		/tmp/vhid-session.log /tmp/vhid-compositor.log "$CLIENT_LOG" /tmp/apt.log \
		/tmp/hold.log /tmp/ev.log /tmp/session.err /tmp/libinput.log; do
		[ -s "$f" ] || continue
		echo "--- $f (last 15 lines)"
		tail -15 "$f"
	done
	[ -n "${SESSION_KIND:-}" ] && { echo "--- session log"; session_log | tail -15; }
	journalctl -q -u vhidd.service -o short-monotonic 2>/dev/null | tail -25 >/tmp/vhidd.journal
	[ -s /tmp/vhidd.journal ] && { echo "--- vhidd.service's journal"; cat /tmp/vhidd.journal; }
}

_run_cleanups() {
	local i
	[ $_failed = 1 ] && _dump_logs
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[i]}" >/dev/null 2>&1; done
}
trap _run_cleanups EXIT

# ---- time -----------------------------------------------------------------------------

# scaled SECONDS: a deadline for a slow machine (VHID_TIME_FACTOR, default 1)
scaled() { awk -v s="$1" -v f="$VHID_TIME_FACTOR" 'BEGIN { printf "%d", s * f + 0.5 }'; }

# wait_until SECONDS WHAT CMD...: poll CMD until it succeeds. The deadline only
# bounds a failure: a passing wait returns as soon as CMD does. On timeout it
# prints "timed out after Ns waiting for WHAT" on stderr and returns 1.
wait_until() {
	local secs what=$2 end
	secs=$(scaled "$1")
	shift 2
	end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		if [ $SECONDS -ge $end ]; then
			echo "timed out after ${secs}s waiting for $what" >&2
			return 1
		fi
		sleep 0.1
	done
}

# ---- users ------------------------------------------------------------------------------

uid_of() { id -u "$1"; }

# as_user USER CMD...: run CMD as USER with a login-like environment (its groups
# as /etc/group says now, its home, and its session's runtime dir when it has one)
as_user() {
	local u=$1 uid
	shift
	uid=$(uid_of "$u")
	runuser -u "$u" -- env -i HOME="$(getent passwd "$u" | cut -d: -f6)" USER="$u" \
		LOGNAME="$u" LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin \
		XDG_RUNTIME_DIR="/run/user/$uid" ${WAYLAND_DISPLAY:+WAYLAND_DISPLAY=$WAYLAND_DISPLAY} \
		${DISPLAY:+DISPLAY=$DISPLAY} "$@"
}

# ---- the build tree (run.sh --build DIR) --------------------------------------------

VHIDD=$VHID_HOST/build/vhidd/vhidd
VHIDCTL=$VHID_HOST/build/vhidctl/vhidctl
VHID_HOLD=$VHID_HOST/build/tests/distro/vhid-hold

# need_build: a test that uses the build tree's binaries ends here without them
need_build() {
	[ -x "$VHIDCTL" ] && return
	fail build "no build tree in $VHID_HOST/build (run.sh --build DIR)"
	finish
}

# vhidd_start_root [ARGS...]: vhidd from the build tree as root, the way the
# README runs it; returns once it listens (--ready-fd), stopped on exit. The
# shipped 71-vhid-power-switch.rules goes in first, as every install has it:
# without it logind opens each new vhid keyboard to look at its keys, and that
# open, slow under TCG, was counted as the desktop's (desktop group, bookworm)
vhidd_start_root() {
	local fifo=/tmp/vhidd.ready
	if [ ! -e /etc/udev/rules.d/71-vhid-power-switch.rules ]; then
		cp "$VHID_HOST/contrib/udev/71-vhid-power-switch.rules" /etc/udev/rules.d/
		on_exit rm -f /etc/udev/rules.d/71-vhid-power-switch.rules
		udevadm control --reload
	fi
	rm -f "$fifo" && mkfifo "$fifo"
	"$VHIDD" --ready-fd 3 "$@" 3>"$fifo" >/tmp/vhidd.log 2>&1 &
	VHIDD_PID=$!
	on_exit "kill $VHIDD_PID; wait $VHIDD_PID"
	if ! timeout "$(scaled 30)" head -c1 "$fifo" >/dev/null; then
		fail vhidd.start "vhidd did not get ready: $(tail -3 /tmp/vhidd.log)"
		finish
	fi
}

_lines_ge() { [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ]; } # FILE REGEX N

# hold_devices KIND...: vhid devices that stay until the test ends (vhid-hold);
# sets HELD (the /dev/input/eventN nodes, in order)
hold_devices() {
	local log=/tmp/vhid-hold.$$.log n=$#
	(sleep infinity | "$VHID_HOLD" "$@" >"$log" 2>&1) &
	on_exit "pkill -P $!; kill $!"
	wait_until 30 "vhid-hold $*" _lines_ge "$log" '^READY' "$n" ||
		{ fail hold "vhid-hold $*: $(tail -3 "$log")"; finish; }
	HELD=$(awk '/^READY/ { print $3 }' "$log")
	udevadm settle
}

# ---- desktop ---------------------------------------------------------------------------
# A real seat session on VT 1 through logind (PAMName=login), as a display
# manager would start it: weston (DRM backend on virtio-gpu, pixman rendering) or
# Xorg (modesetting, libinput driver). The client (wev or xev) runs as the same
# user and logs every event to CLIENT_LOG. QEMU's PS/2 keyboard and mouse are
# always there, so the seat has both capabilities before any vhid device comes:
# the client holds its wl_keyboard and focus already when a vhid keyboard appears.

SESSION_UNIT=vhid-session
CLIENT_UNIT=vhid-client
CLIENT_LOG=/tmp/vhid-client.log

_session_unit() { # KIND USER EXEC...
	local kind=$1 user=$2
	shift 2
	cat <<-EOF
		[Unit]
		Description=vhid distro tier: $kind session of $user on tty1
		After=systemd-user-sessions.service
		[Service]
		User=$user
		PAMName=login
		TTYPath=/dev/tty1
		StandardInput=tty
		StandardOutput=file:/tmp/vhid-session.log
		StandardError=inherit
		TTYReset=yes
		TTYVHangup=yes
		UtmpIdentifier=tty1
		UtmpMode=user
		Environment=XDG_SESSION_TYPE=$kind XDG_SESSION_CLASS=user XDG_SEAT=seat0 XDG_VTNR=1
		ExecStart=$*
	EOF
}

# session_start wayland|x11 [USER]: start the session and wait until it accepts
# clients; sets SESSION_KIND, SESSION_USER, COMPOSITOR_PID and WAYLAND_DISPLAY or DISPLAY
session_start() {
	local kind=$1 user=${2:-alice} uid start=$SECONDS
	SESSION_KIND=$kind SESSION_USER=$user
	uid=$(uid_of "$user")
	case $kind in
	wayland)
		# kiosk-shell: every client is fullscreen and focused, so the pointer is over
		# it wherever it starts (like xev's full-screen window under X)
		_session_unit wayland "$user" /usr/bin/weston --backend=drm-backend.so --use-pixman \
			--shell=kiosk-shell.so --socket=wayland-0 --idle-time=0 \
			--log=/tmp/vhid-compositor.log
		;;
	x11)
		mkdir -p /etc/X11/xorg.conf.d
		cp "$LIB/xorg-vhid.conf" /etc/X11/xorg.conf.d/10-vhid-distro.conf
		_session_unit x11 "$user" /usr/lib/xorg/Xorg :0 vt1 -keeptty -nolisten tcp -noreset \
			-s 0 -dpms
		;;
	*) fail session "unknown session kind $kind"; return 1 ;;
	esac >/run/systemd/system/$SESSION_UNIT.service
	systemctl daemon-reload
	on_exit session_stop
	systemctl start $SESSION_UNIT || { fail session "cannot start the $kind session"; return 1; }
	COMPOSITOR_PID=$(systemctl show -p MainPID --value $SESSION_UNIT)
	if [ "$kind" = wayland ]; then
		# the socket's whole path, as the session's own XDG_RUNTIME_DIR would give
		# it: root's tests have no runtime directory of alice's, and libvhid asks
		# the compositor about its seats (libvhid/wayland.c)
		export WAYLAND_DISPLAY=/run/user/$uid/wayland-0
		# 180 s: under stress-ng with two guests on 2 cores a trixie guest took
		# 220 s to boot and weston more than 60 s to make its socket (2026-12-03)
		wait_until 180 "weston's socket" test -S "/run/user/$uid/wayland-0"
	else
		export DISPLAY=:0
		wait_until 180 "the X server" as_user "$user" xdpyinfo
	fi || { fail session "$kind session: $(session_log | tail -5 | tr '\n' ' ')"; return 1; }
	echo "session: $kind of $user ready after $((SECONDS - start)) s"
}

# the compositor's (or X server's) log file
compositor_log_file() {
	if [ "$SESSION_KIND" = wayland ]; then echo /tmp/vhid-compositor.log
	else echo "$(getent passwd "$SESSION_USER" | cut -d: -f6)/.local/share/xorg/Xorg.0.log"; fi
}

# what the compositor or X server said, and what the session unit printed
session_log() { cat "$(compositor_log_file)" /tmp/vhid-session.log 2>/dev/null; }

# client_start: wev (wayland) or xev (x11) as the session's user, line-buffered
# into CLIENT_LOG; returns once it has keyboard focus
client_start() {
	local cmd=(stdbuf -oL wev) ready='wl_keyboard\] enter' start=$SECONDS
	if [ "$SESSION_KIND" = x11 ]; then
		# no border (xev's default is 2 pixels): the window's coordinates are the
		# screen's, as wev's fullscreen surface's are
		cmd=(stdbuf -oL xev -bw 0 -geometry 1280x800+0+0)
		ready='^FocusIn|^MapNotify'
	fi
	: >"$CLIENT_LOG"
	systemd-run --quiet --unit=$CLIENT_UNIT --uid="$SESSION_USER" \
		-p StandardOutput="file:$CLIENT_LOG" -p StandardError=inherit \
		--setenv=XDG_RUNTIME_DIR="/run/user/$(uid_of "$SESSION_USER")" \
		--setenv=${WAYLAND_DISPLAY:+WAYLAND_DISPLAY=$WAYLAND_DISPLAY}${DISPLAY:+DISPLAY=$DISPLAY} \
		--setenv=LANG=C.UTF-8 "${cmd[@]}" ||
		{ fail client "cannot start ${cmd[*]}"; return 1; }
	wait_until 180 "${cmd[2]} to get focus" grep -Eq "$ready" "$CLIENT_LOG" ||
		{ fail client "${cmd[2]}: $(tail -5 "$CLIENT_LOG" | tr '\n' ' ')"; return 1; }
	echo "client: ${cmd[2]} ready after $((SECONDS - start)) s"
}

# session_stop: the client, the session and its unit (registered by session_start)
session_stop() {
	systemctl stop $CLIENT_UNIT $SESSION_UNIT 2>/dev/null
	rm -f /run/systemd/system/$SESSION_UNIT.service /etc/X11/xorg.conf.d/10-vhid-distro.conf
	systemctl daemon-reload
	unset WAYLAND_DISPLAY DISPLAY
}

# client_text: the text the client received so far (decoded, exact)
client_text() { python3 "$LIB/decode.py" "$SESSION_KIND" text "$CLIENT_LOG"; }

# client_pointer: the pointer events the client received, one per line:
# "motion X Y", "button left pressed", "axis vertical -15.00" (decode.py)
client_pointer() { python3 "$LIB/decode.py" "$SESSION_KIND" pointer "$CLIENT_LOG"; }

# client_has_text TEXT: whether the client received exactly TEXT
client_has_text() { [ "$(client_text)" = "$1" ]; }

# vhid_nodes: the event nodes of every uhid input device the desktop uses
# (udev tagged them keyboard, mouse or tablet)
vhid_nodes() {
	local n
	for n in /sys/devices/virtual/misc/uhid/*/input/input*/event*; do
		[ -e "$n" ] || continue
		udevadm info -q property "$n" |
			grep -Eq '^ID_INPUT_(KEYBOARD|MOUSE|TABLET)=1' && echo "/dev/input/${n##*/}"
	done
}

# compositor_has_open NODE...: whether the compositor (or X server) holds every
# NODE open; false when there is none
compositor_has_open() {
	local n fds
	[ $# -gt 0 ] || return 1
	fds=$(ls -l "/proc/$COMPOSITOR_PID/fd" 2>/dev/null)
	for n in "$@"; do
		echo "$fds" | grep -q -- "-> $n\$" || return 1
	done
}

# shellcheck disable=SC2046 # one word per node
compositor_has_vhid_nodes() { compositor_has_open $(vhid_nodes); }

# gate_start [USER]: a socket in front of vhidd (GATE_SOCKET) that holds each
# connection's first input report until the compositor has added every vhid node
# (lib/gate.py). vhidctl's own wait for a reader ends too early (issue 10: udev and
# logind open the node first); until it waits for the desktop, desktop tests send
# through the gate. It connects to vhidd as root, or as USER (the session's user
# can read what it watches: the compositor's fds and log).
gate_start() {
	local as=()
	[ -n "${1:-}" ] && as=(as_user "$1")
	GATE_SOCKET=/tmp/vhid-gate.sock
	rm -f "$GATE_SOCKET" /tmp/vhid-gate.log
	install -m 644 "$LIB/gate.py" /tmp/vhid-gate.py
	"${as[@]}" env VHID_GATE_PID="$COMPOSITOR_PID" VHID_GATE_KIND="$SESSION_KIND" \
		VHID_GATE_LOG="$(compositor_log_file)" python3 -u /tmp/vhid-gate.py "$GATE_SOCKET" \
		"${VHID_SOCKET:-/run/vhid/vhidd.sock}" "$(scaled 4)" >/tmp/vhid-gate.log 2>&1 &
	on_exit "kill $!"
	wait_until 30 "the gate's socket" grep -q listening /tmp/vhid-gate.log
	chmod 666 "$GATE_SOCKET"
}

# ---- packages (run.sh --debs DIR, --prev-debs DIR) ----------------------------------
# The .debs as apt installs them, offline: the image carries their dependencies.

DEBS=$VHID_HOST/debs
PREV_DEBS=$VHID_HOST/prev-debs
export DEBIAN_FRONTEND=noninteractive

# need_debs [DIR]: a test of the packages ends here without them
need_debs() {
	local d=${1:-$DEBS}
	ls "$d"/*.deb >/dev/null 2>&1 && return
	fail debs "no .deb in $d (run.sh --debs DIR / --prev-debs DIR)"
	finish
}

# install_debs [DIR]: apt install ./*.deb (no -dbgsym), keeping edited conffiles as
# an admin would answer dpkg's question; apt's output in /tmp/apt.log
install_debs() {
	local d=${1:-$DEBS} debs
	debs=$(ls "$d"/*.deb | grep -v -- -dbgsym_)
	# shellcheck disable=SC2086 # one word per package
	apt-get install -y -q -o Dpkg::Options::=--force-confold $debs >/tmp/apt.log 2>&1
}

# ensure_installed: this tree's packages, and alice in group vhid (earlier tests of
# the group normally did both already)
ensure_installed() {
	dpkg-query -W -f='${db:Status-Status}' vhid 2>/dev/null | grep -qx installed ||
		install_debs || { fail install "apt: $(tail -3 /tmp/apt.log | tr '\n' ' ')"; finish; }
	id -nG alice | grep -qw vhid || usermod -aG vhid alice
}

# purge_vhid: no vhid package at all (an earlier group of the same boot may have
# left some); dpkg ignores what is not installed
purge_vhid() {
	dpkg --purge vhid python3-vhid libvhid-dev libvhid1 libvhid0 >/tmp/purge.log 2>&1
}

daemon_pid() { systemctl show -P MainPID vhidd.service; }
stat_of() { stat -c '%a %U:%G' "$1" 2>/dev/null; }
# journal_count REGEX: how many of vhidd.service's journal lines match
journal_count() { journalctl -q -u vhidd.service -o cat | grep -c -- "$1"; }

# ---- keys as the kernel and libinput see them ----------------------------------------

# libinput_start: `libinput debug-events` over every input device (root may read
# keys) appending to /tmp/libinput.log (a test may empty it between steps);
# returns once it has listed the devices
libinput_start() {
	: >/tmp/libinput.log
	stdbuf -oL libinput debug-events --show-keycodes >>/tmp/libinput.log 2>&1 &
	on_exit "kill $!"
	wait_until 30 "libinput debug-events" grep -q DEVICE_ADDED /tmp/libinput.log
}

# libinput_text LAYOUT [VARIANT]: the text libinput's keys make on that layout
# (lib/decode.py: xkbcommon and the locale's Compose table, as a compositor)
libinput_text() { python3 "$LIB/decode.py" libinput text /tmp/libinput.log "$@"; }

# A typist read back by libinput: a program of alice's with one keyboard, made
# once, that reads `vhidctl session --ack`'s commands and answers them: by
# default that session itself, or (typist_start NAME CMD...) another program
# such as lib/pysession.py, whose keyboard is called NAME. Typing starts only once
# libinput has added the keyboard (keys sent before libinput opened the device are
# not read). Needs libinput_start first.
# typist_start [NAME CMD...]: sets TYPIST (its pid); typist_stop: end of input ends
# it (its exit status); typist_type LAYOUT TEXT: types TEXT on LAYOUT ("us" or
# "us dvorak") and waits until libinput read exactly that, else returns 1 with
# what it read in TYPIST_WHY (call it in this shell, not in $(...): it counts the
# typist's lines)
typist_start() {
	local name="vhid keyboard" cmd=(vhidctl session --ack)
	[ $# -ge 2 ] && name=$1 && shift && cmd=("$@")
	rm -f /tmp/session.in
	mkfifo /tmp/session.in
	as_user alice "${cmd[@]}" </tmp/session.in >/tmp/session.out 2>/tmp/session.err &
	TYPIST=$! TYPIST_LINES=0
	exec 7>/tmp/session.in
	on_exit "exec 7>&-"
	wait_until 30 "the typist's keyboard in libinput" \
		grep -q "DEVICE_ADDED.*$name" /tmp/libinput.log || return 1
	# 5 ms after each key: libinput debug-events, the reader here, shares one emulated
	# CPU with everything else and was seen to stall long enough to lose a run of a
	# dozen characters to its 64-event buffer (SYN_DROPPED) at libvhid's default pace;
	# what this checks is exactness, not speed (docs/BENCHMARKS.md measures that)
	typist_line typedelay 5
}
typist_stop() {
	exec 7>&-
	wait "$TYPIST"
}
# typist_line CMD...: one command; returns once the typist answered it
typist_line() {
	echo "$*" >&7
	TYPIST_LINES=$((TYPIST_LINES + 1))
	wait_until 30 "the typist's answer to line $TYPIST_LINES" \
		grep -qE "^(ok|error) $TYPIST_LINES( |\$)" /tmp/session.out
}
# shellcheck disable=SC2086 # LAYOUT: a layout and maybe a variant, one word each
typist_type() {
	: >/tmp/libinput.log
	# the typist answers each line once done: decode after that, not on every poll
	# (each decode starts python and compiles a keymap, slow under TCG)
	typist_line layout $1 && typist_line "type $2"
	wait_until 10 "libinput to read '$2'" sh -c \
		"[ \"\$(python3 $LIB/decode.py libinput text /tmp/libinput.log $1)\" = \"\$0\" ]" "$2" && return
	TYPIST_WHY="libinput read '$(libinput_text $1)' ($(grep -c KEYBOARD_KEY /tmp/libinput.log) key"
	TYPIST_WHY+=" events, $(grep -c SYN_DROPPED /tmp/libinput.log) SYN_DROPPED; the typist: "
	TYPIST_WHY+="$(tail -n 2 /tmp/session.out /tmp/session.err | tr '\n' ' '))"
	return 1
}

# event_node NAME: the event node of the input device called NAME (the newest)
event_node() {
	awk -v n="N: Name=\"$1\"" '$0 == n { f = 1 } f && /^H: / {
		for (i = 2; i <= NF; i++) if ($i ~ /^event[0-9]+$/) node = "/dev/input/" $i
	} /^$/ { f = 0 } END { if (node) print node; else exit 1 }' /proc/bus/input/devices
}

# key_down NODE KEY: whether the kernel has KEY (KEY_LEFTSHIFT) down on NODE now
key_down() {
	evtest --query "$1" EV_KEY "$2"
	[ $? = 10 ]
}

# vhidctl's keyboards: vhid's default name since the standby keyboard (DESIGN.md
# §9), "vhidctl keyboard" in 0.1.0 (the upgrade group runs it)
VHIDCTL_KEYBOARD='^N: Name="vhid(ctl)? keyboard"$'
# keyboard_with KEY [NOT-NODE]: the node of a vhidctl keyboard (other than
# NOT-NODE) that has KEY down now; false if none
keyboard_with() {
	local n
	for n in $(awk -v k="$VHIDCTL_KEYBOARD" '/^N: / { f = ($0 ~ k) } f && /^H: / {
		for (i = 2; i <= NF; i++) if ($i ~ /^event[0-9]+$/) print "/dev/input/" $i }' \
		/proc/bus/input/devices); do
		[ "$n" != "${2:-}" ] && key_down "$n" "$1" && echo "$n" && return
	done
	return 1
}

# A held key, watched on the kernel's side: alice's `vhidctl key --down shift`,
# read by evtest on its node (/tmp/ev.log) from the moment it appears, as a
# desktop would read it. The holder waits for that reader before it presses:
# vhidd counts a reader only once its open has held still for a settle, so a
# poll that opens and closes (evtest --query) never counts as one. libinput
# cannot judge a hold: it ignores a key that was down before it opened the device.
_hold_down() { HOLD_NODE=$(keyboard_with KEY_LEFTSHIFT); }
# vhidctl_keyboards: "SYSFS NODE" for each vhidctl keyboard, read from /proc,
# which opens no node
vhidctl_keyboards() {
	awk -v k="$VHIDCTL_KEYBOARD" '/^I: / { f = 0; s = "" } /^N: / { f = ($0 ~ k) }
	f && /^S: Sysfs=/ { s = substr($2, 7) } f && /^H: / {
		for (i = 2; i <= NF; i++) if ($i ~ /^event[0-9]+$/) print s, "/dev/input/" $i }' \
		/proc/bus/input/devices
}
# _hold_find [NOT-SYSFS]: sets HOLD_SYS and HOLD_NODE to a vhidctl keyboard other
# than NOT-SYSFS (a new device has a new input number even when it gets the old
# one's event node)
_hold_find() {
	local s n
	while read -r s n; do
		[ "$s" != "${1:-}" ] && { HOLD_SYS=$s HOLD_NODE=$n; return 0; }
	done < <(vhidctl_keyboards)
	return 1
}
# hold_watch [NOT-SYSFS]: finds the holder's (new) keyboard, reads it with evtest
# and waits for shift down on it
hold_watch() {
	HOLD_NODE= HOLD_SYS=
	wait_until 30 "a vhidctl keyboard" _hold_find "${1:-}" || return 1
	: >/tmp/ev.log
	evtest "$HOLD_NODE" >/tmp/ev.log 2>&1 &
	on_exit "kill $! 2>/dev/null"
	wait_until 10 "evtest on $HOLD_NODE" grep -q '^Testing' /tmp/ev.log &&
		wait_until 60 "shift down on $HOLD_NODE" key_down "$HOLD_NODE" KEY_LEFTSHIFT
}
# hold_start [WAIT_MS] [VHIDCTL]: sets HOLDER (its pid), HOLD_SYS and HOLD_NODE
hold_start() {
	as_user alice "${2:-vhidctl}" key --down --wait "${1:-30000}" shift >/tmp/hold.log 2>&1 &
	HOLDER=$!
	on_exit hold_stop
	hold_watch
}
# hold_released: whether shift went up on HOLD_NODE while evtest watched it
hold_released() { grep -q 'code 42 (KEY_LEFTSHIFT), value 0' /tmp/ev.log; }
# hold_term: SIGTERM to the holder's vhidctl itself (HOLDER is the subshell around
# runuser, which would leave vhidctl running if it alone were killed)
hold_term() { pkill -TERM -u alice -f 'vhidctl key --down'; }
# hold_stop: end the holder; shift is up on every keyboard before the next holder
# (its keyboard stays as vhidd's standby keyboard, DESIGN.md §9, and the next
# holder may take it)
_no_shift() { ! keyboard_with KEY_LEFTSHIFT >/dev/null; }
hold_stop() {
	[ -n "${HOLDER:-}" ] && { hold_term; wait "$HOLDER" 2>/dev/null; }
	HOLDER=
	wait_until 10 "shift up on every vhidctl keyboard" _no_shift
}
