#!/bin/sh
# check-symbols.sh LIBVHID_SO LIBVHID_SYM VHID_H
#
# libvhid's ABI in three checks, as TAP:
#  1. the .so defines exactly the symbols listed under global: in the map
#  2. the map lists exactly the functions declared in vhid.h
#  3. every exported symbol has the version VHID_1.0
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 LIBVHID_SO LIBVHID_SYM VHID_H" >&2
	exit 2
fi
so=$1
map=$2
header=$3
version=VHID_1.0
NM=${NM:-nm}
LC_ALL=C
export LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-symbols.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

failed=0
n=0
echo "1..3"

# ok/not ok with a description
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

# print the differences of two sorted name lists as TAP comments; 0 when equal
compare() { # file-a label-a file-b label-b
	comm -23 "$1" "$3" >"$tmp/only-a"
	comm -13 "$1" "$3" >"$tmp/only-b"
	sed "s/^/# in $2 but not in $4: /" "$tmp/only-a"
	sed "s/^/# in $4 but not in $2: /" "$tmp/only-b"
	[ ! -s "$tmp/only-a" ] && [ ! -s "$tmp/only-b" ]
}

# Remove /* */ comments (also across lines) and // comments.
strip_comments() {
	awk '
	{
		line = $0
		out = ""
		while (length(line) > 0) {
			if (incomment) {
				i = index(line, "*/")
				if (i == 0) {
					line = ""
					break
				}
				line = substr(line, i + 2)
				incomment = 0
				continue
			}
			i = index(line, "/*")
			j = index(line, "//")
			if (j > 0 && (i == 0 || j < i)) {
				out = out substr(line, 1, j - 1)
				line = ""
				break
			}
			if (i == 0) {
				out = out line
				line = ""
				break
			}
			out = out substr(line, 1, i - 1) " "
			line = substr(line, i + 2)
			incomment = 1
		}
		print out
	}' "$1"
}

# ---- the .so ---------------------------------------------------------------

if ! "$NM" -D --defined-only "$so" >"$tmp/nm" 2>"$tmp/nm.err"; then
	sed 's/^/# /' "$tmp/nm.err"
	echo "# $NM -D --defined-only $so failed"
	result 1 "libvhid.so exports exactly the symbols of the map"
	result 1 "the map lists exactly the functions of vhid.h"
	result 1 "every exported symbol is versioned $version"
	exit 1
fi
# "ADDR TYPE NAME[@@VERSION]" (undefined-address lines have no ADDR); skip version
# nodes, which nm lists as absolute symbols named like the node itself
awk '{ name = $NF; type = $(NF - 1)
	if (type == "A" && name !~ /@/) next
	print name }' "$tmp/nm" >"$tmp/exported-versioned"
sed 's/@.*//' "$tmp/exported-versioned" | sort -u >"$tmp/exported"

# ---- the map ---------------------------------------------------------------

strip_comments "$map" | tr ';{}' '\n\n\n' | awk '
	{
		gsub(/^[ \t]+|[ \t]+$/, "")
		if ($0 == "") next
		if ($0 ~ /^global:/) { global = 1; sub(/^global:[ \t]*/, ""); if ($0 == "") next }
		if ($0 ~ /^local:/) { global = 0; next }
		if (global && $0 ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print
		else if (global) print "?" $0
	}' | sort -u >"$tmp/map"
if [ ! -s "$tmp/map" ]; then
	echo "# no names under global: in $map"
fi

# ---- the header ------------------------------------------------------------

# Function declarations at file scope: a vhid_ name immediately followed by "(".
# Preprocessor lines and struct/enum/union bodies (function pointer members) are
# skipped; "extern \"C\" {" opens no body.
strip_comments "$header" | awk '
	/^[ \t]*#/ { next }
	{
		line = $0
		if (depth == 0) {
			rest = line
			while (match(rest, /vhid_[a-z0-9_]+[(]/)) {
				before = RSTART > 1 ? substr(rest, RSTART - 1, 1) : " "
				name = substr(rest, RSTART, RLENGTH - 1)
				if (before !~ /[A-Za-z0-9_]/)
					print name
				rest = substr(rest, RSTART + RLENGTH)
			}
		}
		if (depth > 0 || line ~ /(struct|enum|union)[^;]*[{]/) {
			opens = gsub(/[{]/, "{", line)
			closes = gsub(/[}]/, "}", line)
			depth += opens - closes
			if (depth < 0) depth = 0
		}
	}' | sort -u >"$tmp/header"
if [ ! -s "$tmp/header" ]; then
	echo "# no function declarations found in $header"
fi

# ---- the checks ------------------------------------------------------------

compare "$tmp/exported" "$(basename "$so")" "$tmp/map" "$(basename "$map")" && [ -s "$tmp/map" ]
result $? "$(basename "$so") exports exactly the global: names of $(basename "$map")"

compare "$tmp/header" "$(basename "$header")" "$tmp/map" "$(basename "$map")" && [ -s "$tmp/header" ]
result $? "$(basename "$map") lists exactly the functions declared in $(basename "$header")"

grep -v "@@$version\$" "$tmp/exported-versioned" >"$tmp/unversioned"
sed "s/^/# not versioned $version: /" "$tmp/unversioned"
[ ! -s "$tmp/unversioned" ] && [ -s "$tmp/exported-versioned" ]
result $? "every symbol $(basename "$so") exports is versioned $version"

exit $failed
