#!/bin/sh
# compat-host.sh SRCDIR VHIDD VHIDCTL - protocol 1.x across releases, on the host (no uhid):
# vhidctl and libvhid of v0.1.0 (built from git history by scripts/build-release.sh) against
# this vhidd, and this vhidctl and libvhid against the v0.1.0 vhidd. Each pairing works, or
# fails with the documented message. $VHID_TEST_WRAPPER (valgrind) wraps this vhidd. TAP.
set -u
SRC=$1 NEW_VHIDD=$2 NEW_VHIDCTL=$3
n=0 failed=0
ok() { # 0|1 NAME [DETAIL]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; printf '%s\n' "${3:-}" | sed 's/^/# /'; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

NEWV=$("$NEW_VHIDCTL" -V | sed 's/^vhidctl //')
OLD=$("$SRC/scripts/build-release.sh" v0.1.0) || { echo "1..1"; echo "not ok 1 - build v0.1.0"; exit 1; }
D=$(mktemp -d /tmp/vhid-compat-XXXXXX)
chmod 755 "$D"
# a copy uid 65534 can run (the cache is in root's home); LD_LIBRARY_PATH beats its RUNPATH
mkdir "$D/old"
cp "$OLD/build/vhidd/vhidd" "$OLD/build/vhidctl/vhidctl" "$OLD/build/libvhid/libvhid.so.0" "$D/old/"
chmod -R a+rX "$D/old"
OLD_VHIDD=$D/old/vhidd OLD_VHIDCTL=$D/old/vhidctl
# the same for this vhidctl: the build tree may lie under a directory only root can enter
mkdir "$D/new"
cp "$NEW_VHIDCTL" "$(dirname "$NEW_VHIDCTL")/../libvhid/libvhid.so.1" "$D/new/"
chmod -R a+rX "$D/new"
printf 'allow-groups = 0\nallow-users = 65534\nlease-ms = 2000\n' >"$D/vhidd.conf"
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$D"' EXIT
echo "1..16"

start() { # VHIDD [WRAPPER]: start it on $D/s.sock and wait for its ready line
	rm -f "$D/ready"
	mkfifo "$D/ready"
	$2 "$1" -s "$D/s.sock" -c "$D/vhidd.conf" --uhid /nonexistent/uhid -l "$D/vhidd.log" -q \
		--ready-fd 3 3>"$D/ready" 2>>"$D/stderr" &
	DAEMON=$!
	PIDS="$PIDS $DAEMON"
	read -r _ <"$D/ready"
	chmod 666 "$D/s.sock"
}
stop() { kill "$DAEMON"; wait "$DAEMON"; STOPPED=$?; }
run() { # WHO BINARY ARGS...: output in $OUT (stdout) and $ERR, status in $RC
	who=$1 bin=$2
	shift 2
	case $bin in "$D"/old/*) export LD_LIBRARY_PATH="$D/old" ;; *) unset LD_LIBRARY_PATH ;; esac
	if [ "$who" = nobody ]; then
		[ "$bin" = "$NEW_VHIDCTL" ] && { bin=$D/new/vhidctl; export LD_LIBRARY_PATH="$D/new"; }
		set -- setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" -s "$D/s.sock" "$@"
	else
		set -- "$bin" -s "$D/s.sock" "$@"
	fi
	OUT=$("$@" 2>"$D/err")
	RC=$?
	ERR=$(cat "$D/err")
}
has() { printf '%s' "$1" | grep -qF -- "$2"; }
as_root() { [ "$(id -u)" = 0 ]; }

# ---- this vhidd, the 0.1.0 client ----------------------------------------------------
start "$NEW_VHIDD" "${VHID_TEST_WRAPPER:-}"
"$NEW_VHIDCTL" -s "$D/s.sock" log -f >/dev/null 2>&1 & # a root client nobody else may see
PIDS="$PIDS $!"
# connected once vhidd logged its HELLO (bounded only against a hang: a slow build is slow)
for _ in $(seq 200); do grep -q "(vhidctl log, pid $!," "$D/vhidd.log" && break; sleep 0.1; done
run root "$OLD_VHIDCTL" version
ok $(has "$OUT" "vhidd $NEWV (protocol 1)" && [ $RC = 0 ]; echo $?) "old.version.names.new.vhidd" "$RC $OUT $ERR"
run root "$OLD_VHIDCTL" status --json
ok $(has "$OUT" '"uid": 0' && [ $RC = 0 ]; echo $?) "old.status.as.root.sees.all" "$RC $OUT $ERR"
if as_root; then
	run nobody "$OLD_VHIDCTL" status --json
	# its ALL is answered as USER: works, and root's follower is not in it
	ok $([ $RC = 0 ] && has "$OUT" '"daemon": {' && ! has "$OUT" '"uid": 0'; echo $?) \
		"old.status.as.user.shows.own.clients.only" "$RC $OUT $ERR"
else
	skip "old.status.as.user.shows.own.clients.only" "not root"
fi
run root "$OLD_VHIDCTL" key a
ok $([ $RC = 1 ] && has "$ERR" "cannot create the keyboard: The kernel has no uhid"; echo $?) \
	"old.key.fails.with.documented.message" "$RC $ERR"
run root "$OLD_VHIDCTL" log
ok $([ $RC = 0 ] && has "$OUT" "(protocol 1.2, version number 200) starting"; echo $?) \
	"old.log.reads.file" "$RC $OUT $ERR"
run root "$OLD_VHIDCTL" version
ok $(grep -q "hello (protocol 1.0)" "$D/vhidd.log"; echo $?) "new.vhidd.logs.old.client.as.1.0"
stop
ok $(! grep -q "protocol violation" "$D/vhidd.log"; echo $?) "old.client.no.violation" \
	"$(grep violation "$D/vhidd.log")"
ok $([ "$STOPPED" = 0 ]; echo $?) "new.vhidd.exit.0" "exit $STOPPED: $(tail -20 "$D/stderr")"

# ---- the 0.1.0 vhidd, this client ----------------------------------------------------
rm -f "$D/vhidd.log"
start "$OLD_VHIDD" ""
run root "$NEW_VHIDCTL" version
ok $([ $RC = 0 ] && has "$OUT" "vhidd 0.1.0 (protocol 1.0)" &&
	has "$OUT" "in use: protocol 1.0, capabilities apple-translation absolute lease status-all"
	echo $?) "new.version.names.old.vhidd.and.protocol.1.0" "$RC $OUT $ERR"
run root "$NEW_VHIDCTL" log
ok $([ $RC = 0 ] && has "$ERR" "vhidd 0.1.0 speaks protocol 1.0 and lacks 'log' (GET_LOG), which vhid_client_get_log needs; this libvhid speaks 1.2; reading the journal or log file instead" &&
	has "$OUT" "listening on"; echo $?) "new.log.falls.back.with.enocap.message" "$RC $OUT $ERR"
run root "$NEW_VHIDCTL" status --json
ok $([ $RC = 0 ] && has "$OUT" '"version": "0.1.0"'; echo $?) "new.status.as.root" "$RC $OUT $ERR"
if as_root; then
	run nobody "$NEW_VHIDCTL" status
	ok $([ $RC = 0 ] && has "$OUT" "vhidd        0.1.0"; echo $?) "new.status.as.user" "$RC $OUT $ERR"
else
	skip "new.status.as.user" "not root"
fi
run root "$NEW_VHIDCTL" key a
ok $([ $RC = 1 ] && has "$ERR" "cannot create the keyboard: The kernel has no uhid"; echo $?) \
	"new.key.fails.with.documented.message" "$RC $ERR"
run root "$NEW_VHIDCTL" doctor
ok $(has "$OUT" "PASS versions: libvhid $NEWV (protocol 1.2), vhidd 0.1.0 (protocol 1.0); in use: 1.0,"; echo $?) \
	"new.doctor.reports.protocol.in.use" "$OUT"
stop
ok $(! grep -q "protocol violation" "$D/vhidd.log"; echo $?) "new.client.no.violation" \
	"$(grep violation "$D/vhidd.log")"
ok $(grep -q "hello (protocol 1)" "$D/vhidd.log"; echo $?) "old.vhidd.accepts.1.1.hello"
exit $failed
