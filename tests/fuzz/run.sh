#!/usr/bin/env bash
# Fuzzes the Wannier90 readers with libFuzzer under AddressSanitizer and UBSan (clang).
# Usage: tests/fuzz/run.sh [seconds (default 60)]. New crash inputs land in build-fuzz/;
# add any interesting find to tests/wannier_corpus/ (the unit tests replay the corpus).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
mkdir -p build-fuzz/corpus
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I host tests/fuzz/fuzz_wannier.cpp host/wannier/tb_model.cpp -lfmt -o build-fuzz/fuzz_wannier
cp tests/wannier_corpus/* build-fuzz/corpus/
build-fuzz/fuzz_wannier build-fuzz/corpus -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 \
  -artifact_prefix=build-fuzz/
