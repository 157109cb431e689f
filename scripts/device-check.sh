#!/usr/bin/env bash
# The one-shot device check (docs/device-check.md): on a GPU machine with CUDA, CMake and ninja
# but no -dev packages and no network, unpack the bundle of scripts/device-bundle.sh into a
# private prefix, configure against that prefix only (CMAKE_IGNORE_PREFIX_PATH=/usr), build for
# sm_90 with every core, run the device tests, compute-sanitizer's memcheck on them when it is
# installed, the CUDA benchmarks and the whole-run rates of bench/device_rates.py. Logs, the
# benchmark JSON, the kernel-resource table and a summary with each step's time and status go to
# OUT_DIR. The whole check keeps within BZINT_CHECK_BUDGET seconds (default 560: one device
# command is at most 600): each step's limit shrinks to what is left, and a step with under 15 s
# left is skipped, so that the summary is always written.
#
#   scripts/device-check.sh OUT_DIR              on the GPU machine
#   scripts/device-check.sh OUT_DIR --emulated   the dry run: the emulated build, no GPU needed
#
# BZINT_DEVICE_BUNDLE names another bundle folder (default: device-bundle beside scripts/);
# BZINT_CHECK_TESTS_ONLY=1 builds only bzint and the device tests and stops after them (a rerun
# after a fix); BZINT_CHECK_TESTS=REGEX runs only the device tests it matches (none matched is a
# failure); BZINT_CHECK_COMMIT=HASH names the tree's commit in the summary.
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
budget=${BZINT_CHECK_BUDGET:-560}
status=0
: >"$out/summary.txt"
note() { echo "[$(($(date +%s) - t0)) s] $*" | tee -a "$out/summary.txt"; }
# step NAME TIMEOUT_S COMMAND...: runs it with its output in OUT/NAME.log; records time and status.
# The limit is cut to the check's remaining budget; with under 15 s left the step is skipped.
step() {
  local name=$1 limit=$2 s rc left
  shift 2
  s=$(date +%s)
  left=$((budget - (s - t0)))
  if [ $left -lt 15 ]; then
    note "$name: skipped, ${left} s of the budget left"
    status=1
    return 1
  fi
  [ $limit -le $left ] || limit=$left
  timeout -k 5 "$limit" "$@" >"$out/$name.log" 2>&1
  rc=$?
  note "$name: exit $rc in $(($(date +%s) - s)) s"
  [ $rc -eq 0 ] || status=1
  return $rc
}

# The device tool's copy of the tree may carry older git metadata than the tree itself:
# BZINT_CHECK_COMMIT names the commit the tree is.
note "bzint ${BZINT_CHECK_COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '(no git)')}, mode $mode, $jobs cores"
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
# The dry run's device is the emulated variant: its command line, device tests (label `emulated`)
# and, with no nvcc backend beside it, the benchmarks (CMakeLists.txt).
cli=bzint
device_label=device
if [ "$mode" = --emulated ]; then
  cmake_args+=(-DBZINT_CUDA=OFF -DBZINT_CUDA_EMULATION=ON)
  cli=bzint_emulated
  device_label=emulated
else
  # The resource budget is checked as a step below, so that a change in code generation does not
  # stop the build and lose the device time.
  cmake_args+=(-DBZINT_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DBZINT_KERNEL_BUDGET=OFF)
fi
step configure 120 cmake "${cmake_args[@]}" || { cat "$out/configure.log" | tail -30; exit 1; }
# Only what the device steps run: the CPU-only test binary is CI's, not the device's.
device_tests=bzint_device_tests
[ "$mode" = --emulated ] && device_tests=bzint_device_tests_emulated
targets=("$cli" "$device_tests" bzint_bench bzint_bench_textures)
[ "${BZINT_CHECK_TESTS_ONLY:-0}" = 1 ] && targets=("$cli" "$device_tests")
step build 330 cmake --build "$build" -j "$jobs" --target "${targets[@]}" ||
  { tail -30 "$out/build.log"; exit 1; }
if [ -d "$build/ptxas" ]; then
  python3 "$root/scripts/kernel_resources.py" table "$build/ptxas" >"$out/kernel_resources.md"
  step kernel-budget 30 python3 "$root/scripts/kernel_resources.py" check "$build/ptxas" "$root/kernels/resource_budget.json"
fi

# 3. The device tests: on a GPU none may skip (a skip means no usable device).
step ctest-device 180 ctest --test-dir "$build" -L "$device_label" ${BZINT_CHECK_TESTS:+-R "$BZINT_CHECK_TESTS"} --no-tests=error --output-on-failure -j 8
grep -E "tests passed|tests failed" "$out/ctest-device.log" | tee -a "$out/summary.txt"
if grep -q "Skipped\|Not Run" "$out/ctest-device.log"; then
  note "device tests skipped: see ctest-device.log"
  status=1
fi

# A rerun after a fix to the tests needs no measurements: BZINT_CHECK_TESTS_ONLY=1 ends here.
if [ "${BZINT_CHECK_TESTS_ONLY:-0}" = 1 ]; then
  note "done (tests only): status $status, $(($(date +%s) - t0)) s in all"
  rm -rf "$work"
  exit $status
fi

# 4. The CUDA benchmarks (/cuda/ rows beside the CPU ones of the same sizes): Fermi scans, then the
# texture integrals and the second Chern number (CPU rows only at sizes that end in seconds).
# The dry run's emulated device is a correctness tool: only small meshes, to show the step works.
if [ "$mode" = --emulated ]; then
  filter='^ahc/haldane/cuda-emulated/'
  texture_filter='BM_(second_chern/cuda/16|texture_density/cuda/64)'
  export BZINT_BENCH_MAX_LOG2=15
else
  filter='^ahc/(haldane|weyl_lattice)/(cpu|cuda)/levels'
  texture_filter='BM_[a-z_]+/cuda/|BM_(second_chern/cpu/16|phase_plane/cpu/(256|1024)|texture_density/(table_)?cpu/(64|256)|texture_density/table_cuda/(256|1024)|texture_current/cpu/64|packet_steps/(dirac2d|qwz_pair)_cuda/4096)'
fi
step bench 120 "$build/bzint_bench" --benchmark_filter="$filter" --benchmark_min_time=0.1 \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json
step bench-textures 90 "$build/bzint_bench_textures" --benchmark_filter="$texture_filter" --benchmark_min_time=0.1 \
  --benchmark_out="$out/bench_textures.json" --benchmark_out_format=json

# 5. Whole runs of the kernels the benchmarks leave out (N-band scan, Chern, the three line
# kernels, Wannier Fe when the bundle holds Fe_hr.dat) on both backends, against the predicted rates.
rates_args=("$build/$cli" "$out")
[ -f "$bundle/data/Fe_hr.dat" ] && rates_args+=(--fe "$bundle/data/Fe_hr.dat")
[ "$mode" = --emulated ] && rates_args+=(--small)
left=$((budget - ($(date +%s) - t0)))
step rates 110 python3 "$root/bench/device_rates.py" "${rates_args[@]}" --deadline $((left < 110 ? left - 15 : 95))
cat "$out/rates.log" >>"$out/summary.txt"

# 6. compute-sanitizer's memcheck on the device tests that run the kernels (slow: a subset), last,
# so that it takes only what the budget leaves. The table textures' test is in it: their splines'
# coefficients are the one array a texture kernel reads through a pointer in its terms, and a host
# pointer there would read wrong memory only on a GPU (the emulated build cannot tell).
if [ "$mode" != --emulated ] && command -v compute-sanitizer >/dev/null; then
  step memcheck 120 compute-sanitizer --tool memcheck --error-exitcode 1 "$build/tests/bzint_device_tests" \
    --gtest_filter='Backends.*:DeviceChunks.TwoDimensional*:DeviceLines.EveryDissipation*:DeviceTextures.Tables*'
  # Its exit status mixes memory errors with test failures: the sanitizer's own count says which.
  grep "ERROR SUMMARY" "$out/memcheck.log" | tee -a "$out/summary.txt"
else
  note "memcheck: skipped (emulated build, or compute-sanitizer not installed)"
fi

# 7. Nsight Compute's counters (time, DRAM bytes, FP64 and local-memory traffic per kernel) for the
# scan, line and Wannier kernels whose predictions rest on assumptions (bench/device_profile.sh).
if [ "$mode" != --emulated ] && command -v ncu >/dev/null; then
  profile_args=("$build/bzint" "$out")
  [ -f "$bundle/data/Fe_hr.dat" ] && profile_args+=("$bundle/data/Fe_hr.dat")
  step profile 130 bash "$root/bench/device_profile.sh" "${profile_args[@]}"
else
  note "profile: skipped (emulated build, or ncu not installed)"
fi
note "done: status $status, $(($(date +%s) - t0)) s in all"
rm -rf "$work"
exit $status
