#!/bin/sh
# post-install.sh SYSUSERS_CONF TMPFILES_CONF LIBDIR - run by `meson install`. Into a
# DESTDIR (a package build) it does nothing: the package's maintainer scripts
# do this. On the running system it does what a package would, because meson
# itself runs none of it (Debian 12's meson 1.0 runs no ldconfig either).
set -u
[ -n "${DESTDIR:-}" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "vhid: not root, so not run: ldconfig, systemd-sysusers $1," \
		"systemd-tmpfiles --create $2, udevadm control --reload, systemctl daemon-reload" >&2
	exit 0
fi
run() { "$@" || echo "vhid: '$*' failed (exit $?)" >&2; }
# the library in <prefix>/lib/<multiarch> is found only once ld.so.cache has it
command -v ldconfig >/dev/null && run ldconfig
ldconfig -p 2>/dev/null | grep -q " => $3/libvhid\.so\." ||
	echo "vhid: the loader does not search $3: add it to /etc/ld.so.conf.d/ and run ldconfig" >&2
[ -d /run/systemd/system ] || { echo "vhid: systemd is not running: start vhidd yourself" >&2; exit 0; }
run systemd-sysusers "$1"
run systemd-tmpfiles --create "$2"
# the udev rule names the user sysusers just created; apply it to a loaded uhid
run udevadm control --reload
modprobe uhid 2>/dev/null
run udevadm trigger --action=change --settle --subsystem-match=misc --sysname-match=uhid
run systemctl daemon-reload
