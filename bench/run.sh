#!/usr/bin/env bash
# Runs every throughput benchmark and writes bench/results/<host>-<date>-<suite>.json with the
# commit, date and device in its context, and <host>-<date>-summary.md (rates, counted FP64
# rates and their fraction of the measured peak). Usage: bench/run.sh [BUILD_DIR] [extra benchmark flags];
# BZINT_BENCH_TAG=x appends -x to the names (several runs on one day).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
name="$(nproc)core-$(date +%F)"
device=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr ' ' '_' || true)
[ -n "$device" ] && name="${device}-${name}"
[ -n "${BZINT_BENCH_TAG:-}" ] && name="${name}-${BZINT_BENCH_TAG}"
mkdir -p bench/results
outs=()
for b in bzint_bench bzint_bench_qme bzint_bench_disorder; do
  out="bench/results/${name}-${b#bzint_}.json"
  "$build/$b" --benchmark_min_time=0.3 \
    --benchmark_context=commit="$(git rev-parse --short HEAD)" \
    --benchmark_context=date="$(date -u +%FT%TZ)" \
    --benchmark_context=device="${device:-none (CPU only)}" \
    --benchmark_out="$out" --benchmark_out_format=json "$@"
  echo "$out"
  outs+=("$out")
done
# Rates against the measured FP64 peak of this run (peak/fp64/cpu in bzint_bench).
/usr/bin/python3 bench/summarize.py "${outs[@]}" > "bench/results/${name}-summary.md"
echo "bench/results/${name}-summary.md"
