#!/bin/bash
# source-install.sh - the README's "Use it" source install, word for word, on
# a system without the package: the ```sh block of "## Use it" that runs
# "meson install", run by root in a copy of
# $SRC with USER=alice (so "$USER" is the user who will use vhid). Then vhid
# in use by alice, everything under /usr/local.
. "$(dirname "$0")/lib.sh"
[ -d "${SRC:-}" ] || { skip source-install "no SRC directory"; finish; }
dpkg-query -W vhid >/dev/null 2>&1 && { skip source-install "the vhid package is installed"; finish; }
cp -r "$SRC" "$T/src"
rm -rf "$T/src/build"
awk '/^## / { use = /^## Use it/ } use && /^```sh/ { on = 1; b = ""; next }
	on && /^```/ { if (b ~ /meson install/) { printf "%s", b; exit } on = 0; next }
	on { b = b $0 "\n" }' "$T/src/README.md" >"$T/readme.sh"
echo "source-install: the README's commands:"
sed 's/^/source-install:   /' "$T/readme.sh"
(cd "$T/src" && USER=alice bash -e "$T/readme.sh") >"$T/install.log" 2>&1
rc=$?
check source-install.commands "exit $rc: $(tail -5 "$T/install.log" | tr '\n' ' ')" test $rc = 0

check source-install.unit-path "ExecStart: $(systemctl show -P ExecStart vhidd.service | head -c 120)" \
	sh -c 'systemctl show -P ExecStart vhidd.service | grep -q "path=/usr/local/sbin/vhidd"'
check source-install.policy "no /usr/local/etc/vhid/vhidd.conf" test -f /usr/local/etc/vhid/vhidd.conf
check source-install.library "vhidctl: $(ldd /usr/local/bin/vhidctl | grep 'not found')" \
	sh -c '! ldd /usr/local/bin/vhidctl | grep -q "not found"'
check source-install.user "no user vhidd in group vhid" test "$(id -gn vhidd 2>/dev/null)" = vhid
check source-install.uhid-node "/dev/uhid is $(stat_of /dev/uhid)" test "$(stat_of /dev/uhid)" = "600 vhidd:root"
check source-install.member "alice is not in vhid" sh -c 'id -nG alice | grep -qw vhid'
for u in vhidd.socket vhidd.service; do
	check "source-install.active.$u" "$u is $(systemctl is-active $u)" systemctl -q is-active $u
done
alice vhidctl doctor >"$T/doctor.log" 2>&1
check source-install.doctor "doctor: $(grep -E '^FAIL|checks passed' "$T/doctor.log" | tr '\n' ' ')" \
	grep -q ' checks passed, 0 failed$' "$T/doctor.log"
alice vhidctl status >"$T/status.log" 2>&1
check source-install.policy-read "status: $(grep policy "$T/status.log")" \
	grep -q 'policy *\/usr\/local\/etc\/vhid\/vhidd.conf' "$T/status.log"
if command -v libinput >/dev/null && libinput_start; then
	alice vhidctl type --wait 30000 --layout us "Hello vhid 42" >"$T/type.log" 2>&1
	check source-install.type "libinput read '$(libinput_text)'" wait_for 10 typed_is "Hello vhid 42"
fi
finish
