#!/bin/bash
# remove-purge.sh - apt remove stops vhidd (its devices go, no key left held)
# and keeps the policy; purge removes what the package made but the system
# user and group, which Debian keeps.
. "$(dirname "$0")/lib.sh"
ensure_installed || { fail remove.install "$(tail -3 "$T/apt.log")"; finish; }
echo "# edited by remove-purge.sh" >>/etc/vhid/vhidd.conf
hold_start || fail remove.held "shift never went down: $(cat "$T/hold.log")"

if apt-get remove -y -q vhid >"$T/apt.log" 2>&1; then pass remove.apt; else
	fail remove.apt "$(tail -3 "$T/apt.log")"; finish; fi
check remove.stopped "vhidd still runs: $(pgrep -a vhidd)" wait_for 30 sh -c '! pgrep -x vhidd >/dev/null'
for u in vhidd.socket vhidd.service; do
	check "remove.inactive.$u" "$u is $(systemctl is-active $u)" sh -c "! systemctl -q is-active $u"
done
check remove.socket-gone "/run/vhid/vhidd.sock is still there" test ! -e /run/vhid/vhidd.sock
check remove.released "no release of shift: $(tail -3 "$T/ev.log")" wait_for 30 hold_released
check remove.devices-gone "uhid devices left: $(ls /sys/devices/virtual/misc/uhid/ 2>/dev/null | grep -v -e power -e uevent -e dev -e subsystem)" \
	wait_for 30 sh -c '! ls /sys/devices/virtual/misc/uhid/ 2>/dev/null | grep -q ":"'
check remove.uhid-node "/dev/uhid is $(stat_of /dev/uhid), want 600 root:root" \
	wait_for 10 sh -c '[ "$(stat -c "%a %U:%G" /dev/uhid)" = "600 root:root" ]'
check remove.conffile-kept "the edited policy is gone" grep -q 'edited by remove-purge' /etc/vhid/vhidd.conf

if apt-get purge -y -q vhid >"$T/apt.log" 2>&1; then pass purge.apt; else
	fail purge.apt "$(tail -3 "$T/apt.log")"; finish; fi
check purge.conffile "/etc/vhid remains: $(ls -A /etc/vhid 2>&1)" test ! -e /etc/vhid
check purge.run-dir "/run/vhid remains" test ! -e /run/vhid
left=$(find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled -name 'vhidd*' 2>/dev/null)
check purge.unit-links "left: $left" test -z "$left"
check purge.user-kept "user vhidd was removed (Debian keeps system users)" id vhidd
check purge.group-kept "group vhid was removed (Debian keeps system groups)" getent group vhid
check purge.dpkg "dpkg still knows vhid: $(dpkg-query -W -f='${db:Status-Abbrev}' vhid 2>&1)" \
	sh -c 's=$(dpkg-query -W -f="\${db:Status-Status}" vhid 2>/dev/null); [ -z "$s" ] || [ "$s" = not-installed ]'
finish
