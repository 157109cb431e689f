#!/usr/bin/env bash
# SIGINT and SIGTERM stop every long task: each run below is started, interrupted once its
# progress shows it is computing, and must end with status 130 (and, where the task reduces a
# mesh, a checkpoint to resume). The seconds from the signal to the exit are printed (the
# benchmark's numbers are in docs/performance.md); a run that has not ended after 10 s is a hang.
source "$(dirname "$0")/lib.sh"
: "${FAULT_LIB:?}"
export BZINT_PROGRESS_SECONDS=0.2

huge2='[mesh]
n = [1000000, 1000000]'
write_run ahc "title = \"ahc\"
[model]
name = \"haldane\"
$huge2
[task]
kind = \"ahc\"
mu = {from = -3, to = 3, count = 1000}
T = 0.01"
interrupt ahc INT 130 "$TMP/ahc.toml"
[ -e "$TMP/out_ahc/ahc.checkpoint/input.json" ] || fail "ahc: no checkpoint after SIGINT"
grep -q "about .* in all" "$TMP/err_ahc" || fail "ahc: no estimate of the whole run's time: $(cat "$TMP/err_ahc")"
interrupt ahc_term TERM 130 "$TMP/ahc.toml"

write_run chern "title = \"chern\"
[model]
name = \"weyl_lattice\"
[mesh]
n = [20000, 20000, 64]
[task]
kind = \"chern\""
interrupt chern INT 130 "$TMP/chern.toml"

write_run streda "title = \"streda\"
[model]
name = \"qwz\"
$huge2
[task]
kind = \"streda\"
mu = 0.1
T = 0.05
B = [0.01]"
interrupt streda INT 130 "$TMP/streda.toml"

write_run spin "title = \"spin\"
[model]
name = \"ti_surface\"
$huge2
[task]
kind = \"spin_density\"
mu = 0.8
T = 0.05
tau = 2.0
E = [0.01, 0.0]"
interrupt spin_density INT 130 "$TMP/spin.toml"

write_run hybrid "title = \"hybrid\"
[model]
name = \"qwz\"
$huge2
[field]
E = [0.01, 0.02]
[task]
kind = \"hybrid_current\"
mu = 0.0"
interrupt hybrid_current INT 130 "$TMP/hybrid.toml"

write_run disorder "title = \"disorder\"
[model]
name = \"qwz\"
u = -1.5
[mesh]
n = [60000, 60000]
[disorder]
u0 = 0.5
[task]
kind = \"disorder_ahe\"
mu = 1.2"
interrupt disorder_ahe INT 130 "$TMP/disorder.toml"

write_run dc_lattice "title = \"dc_lattice\"
[model]
name = \"qwz\"
[mesh]
n = [1, 1000000]
[field]
E = 0.05
[dissipation]
kind = \"dpa\"
gamma = 0.01
[task]
kind = \"dc_current\"
T = 0.01"
interrupt dc_current_lattice INT 130 "$TMP/dc_lattice.toml"
[ -e "$TMP/out_dc_current_lattice/dc_lattice.checkpoint/input.json" ] || fail "dc_current lattice: no checkpoint after SIGINT"

write_run dc_small_field "title = \"dc_small\"
[model]
name = \"landau_zener\"
[field]
E = 1e-4
[dissipation]
kind = \"rta\"
tau1 = 50.0
[task]
kind = \"dc_current\"
window = 30.0"
interrupt dc_current_small_field TERM 130 "$TMP/dc_small_field.toml"
grep -q "dc_current E = 0.0001" "$TMP/err_dc_current_small_field" || fail "dc_current: no progress inside the field"

write_run berry "title = \"berry\"
[model]
name = \"qwz_pair\"
[task]
kind = \"berry\"
plane = {origin = [0, 0], e1 = [1, 0], e2 = [0, 1], n = [1000, 1000]}"
interrupt berry_map INT 130 "$TMP/berry.toml"

write_run bands "title = \"bands\"
[model]
name = \"qwz_pair\"
[task]
kind = \"bands\"
path = [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0]]
n = 333333"
interrupt bands INT 130 "$TMP/bands.toml"

# The exact lattice reference keeps no intermediate state: the message says there is nothing to
# resume (not "--resume"), for its kernel-polynomial jobs and its dense twists.
write_run lattice_kpm 'title = "lattice_kpm"
[model]
name = "qwz"
[texture]
kind = "skyrmion_lattice"
exchange = 0.4
period = 64.0
radius = 32.0
[task]
kind = "texture_lattice"
box = [64, 64]
twists = [8, 8]
method = "kpm"
bound_charge = true
mu = 0.0
T = 0.05'
interrupt lattice_kpm INT 130 "$TMP/lattice_kpm.toml" &&
    { grep -q "saved nothing to resume" "$TMP/err_lattice_kpm" || fail "lattice_kpm: $(tail -c 300 "$TMP/err_lattice_kpm")"; }

# A Wannier model by FFT interpolation (chunk transforms and reductions).
write_run export 'title = "weyl"
[model]
name = "weyl_lattice"
b0 = 0.3'
"$BZINT" export-hr "$TMP/export.toml" --out "$TMP" >/dev/null || fail "export-hr"
write_run wannier "title = \"wannier\"
[model]
name = \"wannier\"
tb = \"$TMP/weyl_tb.dat\"
[mesh]
n = [4000, 4000, 4000]
[task]
kind = \"ahc\"
mu = 0.0"
interrupt wannier_fft INT 130 "$TMP/wannier.toml"

# A checkpoint that cannot be saved on the interruption: exit 4, and the message says the work
# since the last save is lost.
interrupt ahc_save_fails INT 4 "$TMP/ahc.toml" LD_PRELOAD="$FAULT_LIB" BZINT_FAULT_PATH=reduce_ &&
    { grep -q "work since the last saved checkpoint is lost" "$TMP/err_ahc_save_fails" || fail "ahc_save_fails: $(cat "$TMP/err_ahc_save_fails")"; }

finish
