#!/usr/bin/env bash
# Fuzzes a reader with libFuzzer under AddressSanitizer and UBSan (clang).
# Usage: tests/fuzz/run.sh wannier|run_file [seconds (default 60)]. Crash inputs land in
# build-fuzz/; add any interesting find to tests/wannier_corpus/ or tests/run_file_corpus/ (the unit
# tests replay both corpora).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/../.."
target=${1:?wannier or run_file}
seconds=${2:-60}
mkdir -p build-fuzz/corpus_"$target"
case "$target" in
  wannier)
    clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      -I host tests/fuzz/fuzz_wannier.cpp host/wannier/tb_model.cpp host/stop.cpp -lfmt -o build-fuzz/fuzz_wannier
    cp tests/wannier_corpus/* build-fuzz/corpus_wannier/
    max_len=4096 ;;
  run_file)
    # The whole core, instrumented: the validation reaches the models, tasks and engine.
    cmake -S . -B build-fuzz/core -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_C_COMPILER=clang -DBZINT_CUDA=OFF -DBZINT_MPI=OFF -DBZINT_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
    cmake --build build-fuzz/core --target fuzz_run_file
    cp build-fuzz/core/fuzz_run_file build-fuzz/
    for f in examples/*/*.toml tests/bad_input/*.toml tests/run_file_corpus/*; do
      cp "$f" "build-fuzz/corpus_run_file/$(echo "$f" | tr / _)"
    done
    max_len=8192 ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
build-fuzz/fuzz_"$target" build-fuzz/corpus_"$target" -max_total_time="$seconds" -max_len=$max_len -rss_limit_mb=4096 \
  -timeout=10 -artifact_prefix=build-fuzz/ -print_final_stats=1
