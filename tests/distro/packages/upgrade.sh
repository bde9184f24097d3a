#!/bin/bash
# upgrade.sh - from the previous release's packages ($PREV_DEBS, made by
# scripts/deb-previous.sh) to this tree's ($DEBS), as apt does it: the edited
# policy stays, vhidd restarts (now as user vhidd), a held key is released,
# and members keep their access.
. "$(dirname "$0")/lib.sh"
[ -d "${PREV_DEBS:-}" ] || { skip upgrade "no PREV_DEBS directory"; finish; }

if install_debs "$PREV_DEBS"; then pass upgrade.install-previous; else
	fail upgrade.install-previous "$(tail -3 "$T/apt.log")"; finish; fi
prev=$(dpkg-query -W -f='${Version}' vhid)
usermod -aG vhid alice
check upgrade.previous-works "alice cannot use vhid $prev" alice vhidctl key --wait 1 a
# the admin's edit: a lease the daemon reports back
sed -i 's/^#lease-ms = 3000$/lease-ms = 2500/' /etc/vhid/vhidd.conf
# restart, not reload: 0.1.0's reload re-owned /run/vhid to root (issue 9, defect 2)
systemctl restart vhidd
# 0.1.0's vhidd cannot count readers under its own unit (issue 9, defect 3):
# its vhidctl would wait the whole --wait before pressing
hold_start 1000 || fail upgrade.held "shift never went down: $(cat "$T/hold.log")"
holder=$HOLDER
old=$(daemon_pid)

if install_debs "$DEBS"; then pass upgrade.apt; else
	fail upgrade.apt "$(tail -5 "$T/apt.log")"; finish; fi
new=$(dpkg-query -W -f='${Version}' vhid)
echo "upgrade: $prev -> $new"
check upgrade.version "still $prev" test "$new" != "$prev"
check upgrade.conffile "the edit is gone: $(grep lease-ms /etc/vhid/vhidd.conf)" \
	grep -qx 'lease-ms = 2500' /etc/vhid/vhidd.conf
check upgrade.restarted "vhidd pid $old is still the daemon" \
	wait_for 30 sh -c "p=\$(systemctl show -P MainPID vhidd.service); [ \"\$p\" != 0 ] && [ \"\$p\" != $old ]"
check upgrade.daemon-user "vhidd runs as $(ps -o user= -p "$(daemon_pid)")" \
	test "$(ps -o user= -p "$(daemon_pid)")" = vhidd
check upgrade.released "no release of shift: $(tail -3 "$T/ev.log")" wait_for 30 hold_released
check upgrade.perms "/run/vhid $(stat_of /run/vhid), socket $(stat_of /run/vhid/vhidd.sock)" \
	sh -c '[ "$(stat -c "%a %U:%G" /run/vhid)" = "750 vhidd:vhid" ] &&
		[ "$(stat -c "%a %U:%G" /run/vhid/vhidd.sock)" = "660 vhidd:vhid" ]'
check upgrade.access "alice cannot use vhid after the upgrade" wait_for 30 alice vhidctl key --wait 1 a
alice vhidctl status >"$T/status.log" 2>&1
check upgrade.policy-read "status: $(grep lease "$T/status.log")" grep -q 'lease *2500 ms' "$T/status.log"
alice vhidctl doctor >"$T/doctor.log" 2>&1
check upgrade.doctor "doctor: $(grep -E '^FAIL|checks passed' "$T/doctor.log" | tr '\n' ' ')" \
	grep -q ' checks passed, 0 failed$' "$T/doctor.log"
# what the previous release's holder did: its own code, so reported, not judged
if [ -n "${holder:-}" ]; then
	if kill -0 "$holder" 2>/dev/null; then
		echo "upgrade: the $prev holder still runs; $(grep -c '^N: Name="vhidctl keyboard"' /proc/bus/input/devices) vhidctl keyboards"
		hold_stop
	else
		wait "$holder"
		HOLDER=
		echo "upgrade: the $prev holder exited $?: $(tail -2 "$T/hold.log" | tr '\n' ' ')"
	fi
fi
finish
