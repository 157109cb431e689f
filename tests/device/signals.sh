#!/usr/bin/env bash
# SIGINT and SIGTERM on the CUDA backend (tests/cli/signals.sh for the CPU): the mesh reductions
# and the lattice lines of dc_current stop with status 130, the reductions leaving a checkpoint.
# The N-band and exact-reservoir lines run for seconds inside one launch on a GPU: their kernels
# watch for the stop (kernels/device_stop.cuh), and the time printed for them is the stop's
# latency on that device (the house rule: within a second).
# Without a device the test skips (ctest's SKIP_REGULAR_EXPRESSION); the emulated build runs it.
source "$SRC/tests/cli/lib.sh"
export BZINT_PROGRESS_SECONDS=0.2
export BZINT_RUN_OPTIONS="--backend cuda"

write_run probe "[model]
name = \"haldane\"
[mesh]
n = [8, 8]
[task]
kind = \"ahc\"
mu = 0.0"
if ! "$BZINT" run "$TMP/probe.toml" --backend cuda --out "$TMP/probe" >/dev/null 2>"$TMP/err"; then
    grep -q "no CUDA device is present" "$TMP/err" && { cat "$TMP/err"; exit 0; }
    fail "probe: $(cat "$TMP/err")"
fi

write_run ahc "title = \"ahc\"
[model]
name = \"haldane\"
[mesh]
n = [1000000, 1000000]
[task]
kind = \"ahc\"
mu = {from = -3, to = 3, count = 1000}
T = 0.01"
interrupt ahc INT 130 "$TMP/ahc.toml"
[ -e "$TMP/out_ahc/ahc.checkpoint/input.json" ] || fail "ahc: no checkpoint after SIGINT"
interrupt ahc_term TERM 130 "$TMP/ahc.toml"

write_run chern "title = \"chern\"
[model]
name = \"qwz_pair\"
[mesh]
n = [30000, 30000]
[task]
kind = \"chern\""
interrupt chern INT 130 "$TMP/chern.toml"

write_run dc "title = \"dc\"
[model]
name = \"qwz\"
u = -1.0
[mesh]
n = [1, 20000]
[field]
E = {from = 0.01, to = 0.1, count = 10}
direction = 1
[dissipation]
kind = \"dpa\"
gamma = 0.05
[task]
kind = \"dc_current\"
mu = 0.0
steps = 20000"
# The emulator runs the first launch (all 20 000 lines at one E) for minutes before its first
# progress line: after 3 s the run is inside that launch (on a device, inside it or past it, with
# nine values of E to go).
INTERRUPT_WAIT_S=3 interrupt dc INT 130 "$TMP/dc.toml"

# SIGINT during one launch of a line kernel: 4 000 lines at E = 0.05 of MODEL with DISSIPATION
# (each given as run-file lines).
interrupt_lines() {
    local name=$1 model=$2 dissipation=$3
    write_run "$name" "title = \"$name\"
[model]
$model
[mesh]
n = [1, 4000]
[field]
E = [0.05]
direction = 1
[dissipation]
$dissipation
[task]
kind = \"dc_current\"
T = 0.1
mu = 0.0"
    # No progress line comes before the launch ends (~4 s for the N-band lines and ~15 s for the
    # exact reservoir's on the H200, minutes on the emulator): after 3 s the run is inside it.
    INTERRUPT_WAIT_S=3 interrupt "$name" INT 130 "$TMP/$name.toml"
}
interrupt_lines dc_nband 'name = "qwz_pair"' 'kind = "rta"
tau1 = 10.0'
interrupt_lines dc_exact 'name = "qwz"
u = -1.0' 'kind = "exact"
gamma = 0.05'

finish
