#!/usr/bin/env bash
# Outputs: the folder is checked before any work, writes are atomic, a full disk is an error with
# its own exit status (4) that leaves nothing half-written, one run at a time holds an output
# prefix, and a failed run leaves no checkpoint behind.
source "$(dirname "$0")/lib.sh"
: "${FAULT_LIB:?}"

write_run ahc 'title = "ahc"
[model]
name = "haldane"
M = 0.2
[mesh]
n = [64, 64]
[task]
kind = "ahc"
mu = {from = -3, to = 3, count = 61}
T = 0.05'

# --out that cannot hold outputs: exit 2 up front, naming --out.
touch "$TMP/a_file"
expect_rc 2 "--out is a file" -- "$BZINT" run "$TMP/ahc.toml" --out "$TMP/a_file" && expect_err "--out is a file" "--out .*a_file: (exists and is not a folder|cannot create the folder)"
expect_rc 2 "--out under a file" -- "$BZINT" run "$TMP/ahc.toml" --out "$TMP/a_file/sub" && expect_err "--out under a file" "--out .*cannot create the folder"
expect_rc 2 "--out empty" -- "$BZINT" run "$TMP/ahc.toml" --out "" && expect_err "--out empty" "--out: the folder name is empty"
expect_rc 2 "--out read-only" -- "$BZINT" run "$TMP/ahc.toml" --out /proc/bzint_out && expect_err "--out read-only" "--out /proc/bzint_out: cannot create the folder"

# An output name already taken by a folder: refused before the computation.
mkdir -p "$TMP/taken/ahc.json"
expect_rc 2 "output name taken by a folder" -- "$BZINT" run "$TMP/ahc.toml" --out "$TMP/taken" && expect_err "taken" "ahc.json is not a regular file"

# --set: a top-level key, and one value only.
expect_rc 0 "--set title" -- "$BZINT" run "$TMP/ahc.toml" --out "$TMP/o" --set title=renamed --set mesh.n=[8,8]
[ -e "$TMP/o/renamed.json" ] || fail "--set title=renamed did not name the outputs"
expect_rc 2 "--set two values" -- "$BZINT" run "$TMP/ahc.toml" --out "$TMP/o" --set "model.t2=0.1
M=5" && expect_err "--set two values" "the value must be one TOML value"

# Writing to a full standard output is an error, not a cut text.
expect_rc 4 "keys > /dev/full" -- sh -c "\"$BZINT\" keys > /dev/full" && expect_err "stdout full" "cannot write to standard output"

# A run file that is not a short text: refused before reading it all.
expect_rc 2 "run file /dev/zero" -- "$BZINT" run /dev/zero --out "$TMP/o" && expect_err "run file /dev/zero" "larger than 4 MiB"
expect_rc 2 "run file is a folder" -- "$BZINT" run "$TMP" --out "$TMP/o" && expect_err "run file is a folder" "is a folder"

# --threads: absurd counts are clamped with a note, nonsense is refused.
expect_rc 0 "--threads 100000" -- "$BZINT" run "$TMP/ahc.toml" --out "$TMP/o" --threads 100000 && expect_err "--threads 100000" "note: --threads 100000 is more than the [0-9]+ CPUs"
expect_rc 2 "--threads 0" -- "$BZINT" run "$TMP/ahc.toml" --out "$TMP/o" --threads 0 && expect_err "--threads 0" "--threads 0: must be at least 1"

# Disk full while writing the results: exit 4, the reason named, nothing partial in place, the
# previous results untouched, and the run's checkpoint kept: --resume then writes the results
# without computing again.
for after in 0 8192; do
    cp "$TMP/o/ahc.json" "$TMP/previous.json"
    cp "$TMP/o/ahc_sigma.csv" "$TMP/previous.csv"
    expect_rc 4 "disk full in the JSON after $after bytes" -- env LD_PRELOAD="$FAULT_LIB" BZINT_FAULT_PATH=ahc.json BZINT_FAULT_AFTER=$after \
        "$BZINT" run "$TMP/ahc.toml" --out "$TMP/o" && expect_err "disk full JSON" "cannot write .*ahc.json.*No space left on device"
    cmp -s "$TMP/o/ahc.json" "$TMP/previous.json" || fail "disk full after $after bytes: the previous JSON was changed"
    cmp -s "$TMP/o/ahc_sigma.csv" "$TMP/previous.csv" || fail "disk full after $after bytes: the previous CSV was changed"
    [ -e "$TMP/o/ahc.checkpoint/input.json" ] || fail "disk full after $after bytes: the resumable checkpoint was removed"
    expect_rc 0 "resume after the disk was full ($after)" -- "$BZINT" run "$TMP/ahc.toml" --out "$TMP/o" --resume
    [ -e "$TMP/o/ahc.checkpoint" ] && fail "the checkpoint outlived a completed run"
done
expect_rc 4 "disk full in a CSV" -- env LD_PRELOAD="$FAULT_LIB" BZINT_FAULT_PATH=_sigma.csv "$BZINT" run "$TMP/ahc.toml" --out "$TMP/fresh" && expect_err "disk full CSV" "No space left on device"
[ -e "$TMP/fresh/ahc.json" ] && fail "disk full in a CSV: a JSON was written without its table"
ls "$TMP/o" "$TMP/fresh" | grep -q '\.tmp\.' && fail "temporary files were left behind"
[ -e "$TMP/o/ahc.lock" ] && fail "the lock file was left behind"

# Disk full in a sweep log: exit 4 at the first row (not a silent loss of the log).
write_run lz 'title = "lz"
[model]
name = "landau_zener"
[field]
E = [0.5, 1.0]
[dissipation]
kind = "rta"
tau1 = 5.0
[task]
kind = "dc_current"
window = 5.0
steps = 4000'
expect_rc 4 "disk full in the sweep log" -- env LD_PRELOAD="$FAULT_LIB" BZINT_FAULT_PATH=lz_sweep.jsonl "$BZINT" run "$TMP/lz.toml" --out "$TMP/s" && expect_err "sweep log" "lz_sweep.jsonl.*No space left on device"

# A finished sweep's log is replaced by a fresh run; an interrupted one (no completion mark) is not.
expect_rc 0 "sweep" -- "$BZINT" run "$TMP/lz.toml" --out "$TMP/s"
expect_rc 0 "sweep again" -- "$BZINT" run "$TMP/lz.toml" --out "$TMP/s"
head -n -1 "$TMP/s/lz_sweep.jsonl" > "$TMP/cut" && cp "$TMP/cut" "$TMP/s/lz_sweep.jsonl"
expect_rc 2 "fresh run over an interrupted sweep" -- "$BZINT" run "$TMP/lz.toml" --out "$TMP/s" && expect_err "interrupted sweep" "holds the rows of an interrupted sweep: add --resume"
expect_rc 0 "resume of the interrupted sweep" -- "$BZINT" run "$TMP/lz.toml" --out "$TMP/s" --resume
tail -n 1 "$TMP/s/lz_sweep.jsonl" | grep -q '"complete":true' || fail "the resumed sweep's log is not marked complete"

# A rejected run leaves an existing sweep log as it was.
expect_rc 0 "sweep" -- "$BZINT" run "$TMP/lz.toml" --out "$TMP/s"
cp "$TMP/s/lz_sweep.jsonl" "$TMP/log_before"
expect_rc 2 "rejected sweep" -- "$BZINT" run "$TMP/lz.toml" --out "$TMP/s" --set dissipation.tau1=-1
cmp -s "$TMP/s/lz_sweep.jsonl" "$TMP/log_before" || fail "a rejected run changed the sweep log"

# A run that ends with exit 3 (a degenerate point on the mesh: qwz at u = -2 closes its gap at
# Γ, a mesh point) leaves no checkpoint folder behind.
write_run gapless 'title = "gapless"
[model]
name = "qwz"
u = -2.0
[mesh]
n = [64, 64]
[task]
kind = "ahc"
mu = 0.0'
expect_rc 3 "non-finite result" -- "$BZINT" run "$TMP/gapless.toml" --out "$TMP/g" && expect_err "non-finite" "mesh point 0 .*k = \(0, 0, 0\)"
[ -e "$TMP/g/gapless.checkpoint" ] && fail "exit 3 left its checkpoint folder"

# Bad input found during the run (here after the intrinsic scans) leaves no checkpoint behind:
# the same command gives the same message again.
write_run box 'title = "box"
[model]
name = "ti_surface"
kcut = 2.0
[mesh]
n = [40, 40]
[disorder]
u0 = 0.5
[task]
kind = "disorder_ahe"
mu = 5.0'
for attempt in 1 2; do
    expect_rc 2 "contour leaves the box, run $attempt" -- "$BZINT" run "$TMP/box.toml" --out "$TMP/b" && expect_err "contour" "the Fermi contour at mu = 5 is cut by the k-box"
done
[ -e "$TMP/b/box.checkpoint" ] && fail "bad input found during the run left a checkpoint folder"

# Two runs on the same output prefix: the second is refused naming the first; the first's files
# are not touched by it.
write_run long 'title = "long"
[model]
name = "haldane"
[mesh]
n = [100000, 100000]
[task]
kind = "ahc"
mu = 0.0'
"$BZINT" run "$TMP/long.toml" --out "$TMP/c" 2>"$TMP/first_err" &
first=$!
if wait_for "$TMP/c/long.lock" 10; then
    expect_rc 2 "second run on the same prefix" -- "$BZINT" run "$TMP/long.toml" --out "$TMP/c" && expect_err "second run" "another bzint run \(pid $first on .*\) is writing the outputs"
else
    fail "the first run took no lock"
fi
kill -INT $first
wait $first
rc=$?
[ "$rc" -eq 130 ] || fail "the first run ended with $rc after SIGINT, expected 130"
[ -e "$TMP/c/long.checkpoint/input.json" ] || fail "the first run's checkpoint is missing"
# A fresh run over an interrupted one is refused (its saved work is not discarded silently).
expect_rc 2 "fresh run over a checkpoint" -- "$BZINT" run "$TMP/long.toml" --out "$TMP/c" && expect_err "fresh run over a checkpoint" "holds the saved state of an interrupted run: add --resume"

finish
