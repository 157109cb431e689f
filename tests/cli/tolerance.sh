#!/usr/bin/env bash
# Tolerances: a tolerance that the caps do not allow reaching writes the best result with its
# estimate and exits with its own status (5), saying which quantity fell short; one that is met
# exits 0. Run files whose mesh has no coarser sub-mesh cannot be given a tolerance (exit 2).
source "$(dirname "$0")/lib.sh"

write_run weyl 'title = "weyl"
[model]
name = "weyl_lattice"
k0 = 0.9
[mesh]
n = [16, 16, 16]
[task]
kind = "ahc"
mu = 0.0
T = 0.05
rtol = 1e-6
max_points = 40000'
expect_rc 5 "tolerance not reached within max_points" -- "$BZINT" run "$TMP/weyl.toml" --out "$TMP/o"
expect_err "not converged" "bzint: not converged: sigma.* above \[task\] max_points = 40000"
grep -q '"converged": false' "$TMP/o/weyl.json" || fail "the best result was not written with converged = false"
grep -q '"errors"' "$TMP/o/weyl.json" || fail "the best result was written without its error estimate"

expect_rc 0 "a reachable tolerance" -- "$BZINT" run "$TMP/weyl.toml" --out "$TMP/o2" --set task.rtol=0.2 --set task.max_points=10000000
grep -q '"converged": true' "$TMP/o2/weyl.json" || fail "converged = true missing"

expect_rc 2 "tolerance without a sub-mesh" -- "$BZINT" run "$TMP/weyl.toml" --out "$TMP/o3" --set mesh.n=[17,17,17]
expect_err "tolerance without a sub-mesh" "rtol/atol need an error estimate"
[ -e "$TMP/o3/weyl.json" ] && fail "bad input wrote an output"
finish
