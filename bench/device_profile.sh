#!/usr/bin/env bash
# Nsight Compute's counters for the kernels whose predicted rates rest on assumptions
# (docs/performance.md "Roofline per kernel", last paragraph): per kernel, its time, DRAM bytes
# read and written, FP64 instructions (DADD, DMUL, DFMA), local-memory bytes (spills and
# run-time-indexed arrays) and the active warps, for
#   1. one Fermi scan of haldane `ahc` on 2048² (the keyed kernel, the sort, the segment sums), in
#      one chunk: BZINT_CUDA_CHUNK fixes the chunk, which is otherwise sized by time, and ncu's
#      replays make every chunk look slow,
#   2. the first launch of the two-band line kernel (qwz, DPA, 1 000 lines),
#   2b. the first launch of the exact-reservoir line kernel (qwz, 1 000 lines, 128 steps a period,
#       so that ncu's replays of it end in seconds; a whole run at the default steps took 31 s),
#   3. the first launch of the N-band keyed kernel of the Wannier scan of bcc Fe (8³), given Fe_hr.dat.
# Each profile is cut at 40 s. CSV to OUT/ncu_<case>.csv.
#
#   bench/device_profile.sh BZINT OUT_DIR [Fe_hr.dat]
set -uo pipefail
bzint=$1
out=$2
fe=${3:+$(cd "$(dirname "$3")" && pwd)/$(basename "$3")}
metrics=gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum
metrics+=,sm__sass_thread_inst_executed_op_dadd_pred_on.sum,sm__sass_thread_inst_executed_op_dmul_pred_on.sum
metrics+=,sm__sass_thread_inst_executed_op_dfma_pred_on.sum
metrics+=,l1tex__t_bytes_pipe_lsu_mem_local_op_ld.sum,l1tex__t_bytes_pipe_lsu_mem_local_op_st.sum
metrics+=,sm__warps_active.avg.pct_of_peak_sustained_active,launch__registers_per_thread,launch__grid_size,launch__block_size
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
# profile CASE RUN_FILE_TEXT [NCU_OPTIONS...]
profile() {
  local name=$1 text=$2
  shift 2
  printf 'title = "%s"\n%s' "$name" "$text" >"$tmp/$name.toml"
  # --log-file sends ncu's report alone to the CSV, bzint's output elsewhere (the 2026-12-04 files
  # had both). -k: ncu may outlive a plain SIGTERM.
  timeout -k 5 40 env BZINT_CUDA_CHUNK=4194304 ncu --csv --print-units base --metrics "$metrics" --log-file "$out/ncu_$name.csv" "$@" \
    "$bzint" run "$tmp/$name.toml" --backend cuda --out "$tmp/out" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
    { echo "ncu $name: failed"; tail -5 "$tmp/$name.err"; rc=1; }
  echo "ncu $name: $(grep -c gpu__time_duration "$out/ncu_$name.csv") kernel launches profiled"
}
profile haldane_ahc '[model]
name = "haldane"
M = 0.2
[mesh]
n = [2048, 2048]
[task]
kind = "ahc"
mu = 0.0
' --launch-count 40
profile lines_dpa '[model]
name = "qwz"
u = -1.0
[mesh]
n = [1, 1000]
[field]
E = [0.05]
direction = 1
[dissipation]
kind = "dpa"
gamma = 0.05
[task]
kind = "dc_current"
T = 0.1
mu = 0.0
' --kernel-name regex:lines --launch-count 1
profile lines_exact '[model]
name = "qwz"
u = -1.0
[mesh]
n = [1, 1000]
[field]
E = [0.05]
direction = 1
[dissipation]
kind = "exact"
gamma = 0.05
[task]
kind = "dc_current"
T = 0.1
mu = 0.0
steps = 128
' --kernel-name regex:exact_lines --launch-count 1
if [ -n "$fe" ]; then
  profile wannier_fe "[model]
name = \"wannier\"
hr = \"$fe\"
lattice = [[1.435, 1.435, -1.435], [-1.435, 1.435, 1.435], [1.435, -1.435, 1.435]]
[mesh]
n = [8, 8, 8]
[task]
kind = \"ahc\"
mu = 9.1839
T = 0.02
" --kernel-name regex:keyed --launch-count 1
fi
exit $rc
