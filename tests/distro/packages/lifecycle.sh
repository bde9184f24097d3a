#!/bin/bash
# lifecycle.sh - systemctl reload, kill -HUP, restart, stop and kill -9 each
# keep a member's access (or restore it: the socket stays, so the next client
# starts vhidd again) and keep the socket's owner and mode; a held key is
# released when the daemon goes away.
. "$(dirname "$0")/lib.sh"
ensure_installed || { fail lifecycle.install "$(tail -3 "$T/apt.log")"; finish; }

uses_vhid() { alice vhidctl key --wait 1 a >"$T/use.log" 2>&1; }
perms_ok() {
	[ "$(stat_of /run/vhid)" = "750 vhidd:vhid" ] &&
		[ "$(stat_of /run/vhid/vhidd.sock)" = "660 vhidd:vhid" ]
}

if uses_vhid; then pass lifecycle.before; else fail lifecycle.before "alice: $(cat "$T/use.log")"; fi
for action in reload hup restart stop kill9; do
	old=$(daemon_pid)
	reloads=$(journalctl -u vhidd -o cat | grep -c 'policy reloaded')
	hold_start || fail "lifecycle.$action.held" "shift never went down: $(cat "$T/hold.log")"
	case $action in
	reload) systemctl reload vhidd ;;
	hup) kill -HUP "$old" ;;
	restart) systemctl restart vhidd ;;
	stop) systemctl stop vhidd.service ;;
	kill9) kill -9 "$old" ;;
	esac
	case $action in
	reload | hup)
		check "lifecycle.$action.reloaded" "vhidd logged no reload ($reloads before)" \
			wait_for 10 sh -c "[ \$(journalctl -u vhidd -o cat | grep -c 'policy reloaded') -gt $reloads ]"
		check "lifecycle.$action.same-daemon" "pid $old became $(daemon_pid)" \
			test "$(daemon_pid)" = "$old"
		check "lifecycle.$action.still-held" "shift was released" shift_down
		;;
	*)
		# restart and stop: vhidd released it before exiting; kill -9: the
		# kernel's input core releases what a vanishing device held
		check "lifecycle.$action.released" "no release of shift: $(tail -3 "$T/ev.log")" \
			wait_for 30 hold_released
		;;
	esac
	check "lifecycle.$action.perms" "/run/vhid $(stat_of /run/vhid), socket $(stat_of /run/vhid/vhidd.sock)" perms_ok
	if wait_for 30 uses_vhid; then
		pass "lifecycle.$action.access"
	else
		fail "lifecycle.$action.access" "alice after $action: $(cat "$T/use.log")"
	fi
	check "lifecycle.$action.running" "vhidd is $(systemctl is-active vhidd.service) after $action" \
		systemctl -q is-active vhidd.service
	hold_stop
done
finish
