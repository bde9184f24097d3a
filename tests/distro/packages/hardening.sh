#!/bin/bash
# hardening.sh - systemd-analyze security of the installed vhidd.service:
# prints the score and every item still counted as exposed; PASS at <= 2.5.
. "$(dirname "$0")/lib.sh"
ensure_installed || { fail hardening.install "$(tail -3 "$T/apt.log")"; finish; }
systemd-analyze security --no-pager vhidd.service >"$T/security.log" 2>&1
score=$(sed -n 's/.*Overall exposure level for vhidd.service: \([0-9.]*\).*/\1/p' "$T/security.log")
echo "hardening: systemd-analyze security vhidd.service: ${score:-?}"
grep '✗' "$T/security.log" | sed 's/^/hardening:   /'
if [ -z "$score" ]; then
	fail hardening.score "no score: $(tail -3 "$T/security.log")"
else
	check hardening.score "exposure $score > 2.5" awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'
fi
finish
