#!/usr/bin/env bash
# CUDA compiler launcher (CMAKE_CUDA_COMPILER_LAUNCHER): runs the compile command with ptxas's
# resource report (-Xptxas -v) and writes that report to DIR/<object>.ptxas (DIR: the first
# argument), keeping it off the console. scripts/kernel_resources.py reads those files.
set -uo pipefail
dir=$1
shift
object=compile
prev=
for a in "$@"; do
  [ "$prev" = "-o" ] && object=$(basename "$a")
  prev=$a
done
mkdir -p "$dir"
tmp=$(mktemp)
"$@" -Xptxas -v 2>"$tmp"
rc=$?
grep -E "^ptxas info|bytes stack frame" "$tmp" >"$dir/$object.ptxas"
grep -vE "^ptxas info|bytes stack frame" "$tmp" >&2
rm -f "$tmp"
exit $rc
