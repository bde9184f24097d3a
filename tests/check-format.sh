#!/bin/sh
# check-format.sh - every C file git tracks is formatted as .clang-format says.
# Prints "format: N passed, M failed" (one line per file that is not).
cd "$(dirname "$0")/.." || exit 1
command -v clang-format >/dev/null || { echo "format: clang-format missing (apt-get install clang-format)"; exit 1; }
p=0 f=0
for file in $(git ls-files '*.c' '*.h'); do
	if clang-format --style=file "$file" | cmp -s - "$file"; then
		p=$((p + 1))
	else
		f=$((f + 1))
		echo "FAIL format.$file: run clang-format -i $file"
	fi
done
echo "format: $p passed, $f failed"
[ $f -eq 0 ]
