#!/bin/bash
# install.sh - the packages as a user installs them (apt install ./*.deb), then
# what they set up, and vhid in use by a member (alice) and a non-member (bob).
. "$(dirname "$0")/lib.sh"

if install_debs; then
	pass install.apt
else
	fail install.apt "apt-get install failed: $(tail -3 "$T/apt.log" | tr '\n' ' ')"
	finish
fi
for p in vhid libvhid-dev; do
	check "install.package.$p" "$p not installed" dpkg-query -W "$p"
done
check install.library "vhidctl cannot find a library: $(ldd /usr/bin/vhidctl | grep 'not found')" \
	sh -c '! ldd /usr/bin/vhidctl | grep -q "not found"'

# sysusers: user vhidd, primary group vhid, no login
check install.user "no user vhidd with primary group vhid: $(id vhidd 2>&1)" \
	test "$(id -gn vhidd 2>/dev/null)" = vhid
check install.group.system "group vhid is not a system group" \
	test "$(getent group vhid | cut -d: -f3)" -lt 1000
# udev: only vhidd may open /dev/uhid
check install.uhid-node "/dev/uhid is $(stat_of /dev/uhid), want 600 vhidd:root" \
	test "$(stat_of /dev/uhid)" = "600 vhidd:root"
# systemd: both units enabled and active
for u in vhidd.socket vhidd.service; do
	check "install.enabled.$u" "$u is $(systemctl is-enabled $u)" systemctl -q is-enabled $u
	check "install.active.$u" "$u is $(systemctl is-active $u)" systemctl -q is-active $u
done
check install.socket-dir "/run/vhid is $(stat_of /run/vhid), want 750 vhidd:vhid" \
	test "$(stat_of /run/vhid)" = "750 vhidd:vhid"
check install.socket "/run/vhid/vhidd.sock is $(stat_of /run/vhid/vhidd.sock), want 660 vhidd:vhid" \
	test "$(stat_of /run/vhid/vhidd.sock)" = "660 vhidd:vhid"
pid=$(daemon_pid)
check install.daemon.user "vhidd (pid $pid) runs as $(ps -o user= -p "$pid")" \
	test "$(ps -o user=,group= -p "$pid" | tr -s ' ')" = "vhidd vhid"
check install.daemon.no-capabilities "vhidd's capabilities: $(grep Cap /proc/$pid/status | tr '\n' ' ')" \
	sh -c "grep -E '^Cap(Prm|Eff|Bnd|Amb):' /proc/$pid/status | grep -vq '0000000000000000\$' && exit 1; exit 0"
check install.conffile "/etc/vhid/vhidd.conf is not a conffile of vhid" \
	sh -c 'dpkg-query -W -f="\${Conffiles}" vhid | grep -q " /etc/vhid/vhidd.conf "'

# a member: doctor all PASS, then type text that libinput reads back
usermod -aG vhid alice
alice vhidctl doctor >"$T/doctor.log" 2>&1
check install.doctor.member "doctor: $(grep -E '^FAIL|checks passed' "$T/doctor.log" | tr '\n' ' ')" \
	grep -q ' checks passed, 0 failed$' "$T/doctor.log"
grep -q '^PASS readers' "$T/doctor.log" && pass install.doctor.readers ||
	fail install.doctor.readers "$(grep readers "$T/doctor.log")"
if command -v libinput >/dev/null && libinput_start; then
	text="Hello vhid 42"
	alice vhidctl type --wait 30000 --layout us "$text" >"$T/type.log" 2>&1
	rc=$?
	check install.type.exit "vhidctl type exit $rc: $(cat "$T/type.log")" test $rc = 0
	check install.type.reader-seen "vhidctl type saw no reader: $(cat "$T/type.log")" \
		sh -c "! grep -q 'no program opened' '$T/type.log'"
	wait_for 10 typed_is "$text"
	got=$(libinput_text)
	check install.type.libinput "libinput read '$got', want '$text'" test "$got" = "$text"
else
	skip install.type "libinput debug-events unavailable"
fi
alice vhidctl status >"$T/status.log" 2>&1
check install.status.readers "status: $(grep readers "$T/status.log")" grep -q 'readers *counted' "$T/status.log"

# a non-member: the documented denial, and doctor's fix
bob vhidctl key a >"$T/bob.log" 2>&1
rc=$?
check install.nonmember.denied "bob: exit $rc: $(cat "$T/bob.log")" test $rc = 4 -o $rc = 3
bob vhidctl doctor >"$T/bob-doctor.log" 2>&1
check install.nonmember.doctor-fix "bob's doctor: $(grep -A1 '^FAIL' "$T/bob-doctor.log" | tr '\n' ' ')" \
	grep -q 'usermod -aG vhid' "$T/bob-doctor.log"
finish
