#!/usr/bin/env bash
# The one-shot device check (docs/device-check.md): on a GPU machine with CUDA, CMake and ninja
# but no -dev packages and no network, unpack the bundle of scripts/device-bundle.sh into a
# private prefix, configure against that prefix only (CMAKE_IGNORE_PREFIX_PATH=/usr), build for
# sm_90 with every core, run the device tests, compute-sanitizer's memcheck on them when it is
# installed, and the CUDA benchmarks. Logs, the benchmark JSON, the kernel-resource table and a
# summary with each step's time and status go to OUT_DIR.
#
#   scripts/device-check.sh OUT_DIR              on the GPU machine
#   scripts/device-check.sh OUT_DIR --emulated   the dry run: the emulated build, no GPU needed
#
# BZINT_DEVICE_BUNDLE names another bundle folder (default: device-bundle beside scripts/).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1" || exit 2
out=$(cd "$1" && pwd)
mode=${2:-gpu}
bundle=${BZINT_DEVICE_BUNDLE:-$root/device-bundle}
work=$(mktemp -d)
prefix=$work/prefix
build=$work/build
jobs=$(nproc)
t0=$(date +%s)
status=0
: >"$out/summary.txt"
note() { echo "[$(($(date +%s) - t0)) s] $*" | tee -a "$out/summary.txt"; }
# step NAME TIMEOUT_S COMMAND...: runs it with its output in OUT/NAME.log; records time and status.
step() {
  local name=$1 limit=$2 s rc
  shift 2
  s=$(date +%s)
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  rc=$?
  note "$name: exit $rc in $(($(date +%s) - s)) s"
  [ $rc -eq 0 ] || status=1
  return $rc
}

note "bzint $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '(no git)'), mode $mode, $jobs cores"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$out/device.txt" 2>&1
command -v nvcc >/dev/null && nvcc --version | tail -2 >>"$out/device.txt"

# 1. The bundle, unpacked into the private prefix (never over /): a .deb is an ar archive.
ls "$bundle"/debs/*.deb >/dev/null 2>&1 || { note "no bundle at $bundle/debs: run scripts/device-bundle.sh first"; exit 2; }
mkdir -p "$prefix"
for deb in "$bundle"/debs/*.deb; do
  member=$(ar t "$deb" | grep '^data\.tar')
  case $member in
    *.xz) ar p "$deb" "$member" | tar -xJ -C "$prefix" ;;
    *.zst) ar p "$deb" "$member" | tar --zstd -x -C "$prefix" ;;
    *) ar p "$deb" "$member" | tar -xz -C "$prefix" ;;
  esac || { note "could not unpack $deb"; exit 2; }
done
lib=$prefix/usr/lib/x86_64-linux-gnu
# pkg-config files name /usr: point them at the prefix.
sed -i -E "s#^(prefix|exec_prefix|libdir|includedir)=/usr#\1=$prefix/usr#" "$lib"/pkgconfig/*.pc "$prefix"/usr/share/pkgconfig/*.pc 2>/dev/null
export PKG_CONFIG_LIBDIR=$lib/pkgconfig:$prefix/usr/share/pkgconfig
export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
note "bundle unpacked: $(ls "$bundle"/debs/*.deb | wc -l) packages"

# 2. Configure against the prefix only, and build.
cmake_args=(-S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH="$prefix/usr" -DCMAKE_IGNORE_PREFIX_PATH=/usr
  -DPKG_CONFIG_EXECUTABLE="$prefix/usr/bin/pkgconf" -DBZINT_MPI=OFF)
if [ "$mode" = --emulated ]; then
  cmake_args+=(-DBZINT_CUDA_EMULATION=ON)
else
  # The resource budget is checked as a step below, so that a change in code generation does not
  # stop the build and lose the device time.
  cmake_args+=(-DBZINT_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DBZINT_KERNEL_BUDGET=OFF)
fi
step configure 120 cmake "${cmake_args[@]}" || { cat "$out/configure.log" | tail -30; exit 1; }
step build 330 cmake --build "$build" -j "$jobs" || { tail -30 "$out/build.log"; exit 1; }
if [ -d "$build/ptxas" ]; then
  python3 "$root/scripts/kernel_resources.py" table "$build/ptxas" >"$out/kernel_resources.md"
  step kernel-budget 30 python3 "$root/scripts/kernel_resources.py" check "$build/ptxas" "$root/kernels/resource_budget.json"
fi

# 3. The device tests: on a GPU none may skip (a skip means no usable device).
step ctest-device 180 ctest --test-dir "$build" -L device --output-on-failure -j 4
grep -E "tests passed|tests failed" "$out/ctest-device.log" | tee -a "$out/summary.txt"
if grep -q "Skipped\|Not Run" "$out/ctest-device.log"; then
  note "device tests skipped: see ctest-device.log"
  status=1
fi

# 4. compute-sanitizer's memcheck on the device tests that run the kernels (slow: a subset).
if [ "$mode" != --emulated ] && command -v compute-sanitizer >/dev/null; then
  step memcheck 120 compute-sanitizer --tool memcheck --error-exitcode 1 "$build/tests/bzint_device_tests" \
    --gtest_filter='Backends.*:DeviceChunks.TwoDimensional*:DeviceLines.EveryDissipation*'
else
  note "memcheck: skipped (emulated build, or compute-sanitizer not installed)"
fi

# 5. The CUDA benchmarks (/cuda/ rows beside the CPU ones of the same sizes).
# The dry run's emulated device is a correctness tool: only small meshes, to show the step works.
if [ -x "$build/bzint_bench" ]; then
  if [ "$mode" = --emulated ]; then
    filter='^ahc/haldane/cuda-emulated/'
    export BZINT_BENCH_MAX_LOG2=15
  else
    filter='^ahc/.*/(cpu|cuda)/'
  fi
  step bench 120 "$build/bzint_bench" --benchmark_filter="$filter" --benchmark_min_time=0.2 \
    --benchmark_out="$out/bench.json" --benchmark_out_format=json
fi
note "done: status $status, $(($(date +%s) - t0)) s in all"
rm -rf "$work"
exit $status
