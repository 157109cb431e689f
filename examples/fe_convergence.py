#!/usr/bin/env python3
"""The bcc Fe AHC convergence table of docs/wannier.md.

usage: fe_convergence.py BZINT OUTDIR [MESH ...]

Runs examples/wannier/fe_ahc.toml (FFT interpolation, 1001 levels over E_F ± 1 eV, T = 0.01 eV)
at each mesh N³ (default 50 100 200), without and with adaptive refinement (|Ω| > 2000 Å²,
m = 4; m = 2 at 200³), and appends one row per run to OUTDIR/fe_convergence.csv:
mesh, refine, refined points, σ_yz, σ_zx, σ_xy at E_F (S/cm), seconds, k-points/s.
Finished rows are kept: rerunning skips them.
"""
import csv
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    bzint, outdir = sys.argv[1], sys.argv[2]
    meshes = [int(m) for m in sys.argv[3:]] or [50, 100, 200]
    os.makedirs(outdir, exist_ok=True)
    table = os.path.join(outdir, "fe_convergence.csv")
    done = set()
    if os.path.exists(table):
        with open(table) as f:
            done = {(r["mesh"], r["refine"]) for r in csv.DictReader(f)}
    else:
        with open(table, "w") as f:
            f.write("mesh,refine,refined_points,sigma_yz,sigma_zx,sigma_xy,seconds,kpoints_per_second\n")
    for n in meshes:
        for refine in ("none", "2000/4" if n < 200 else "2000/2"):
            if (str(n), refine) in done:
                continue
            sets = ["--set", f"mesh.n=[{n},{n},{n}]", "--set", "task.T=0.01",
                    "--set", "task.mu={from = 8.1839, to = 10.1839, count = 1001}"]
            if refine != "none":
                thr, m = refine.split("/")
                sets += ["--set", f"task.refine={{threshold = {thr}.0, m = {m}}}"]
            run_dir = os.path.join(outdir, f"fe_{n}_{refine.replace('/', '_')}")
            out = subprocess.run([bzint, "run", os.path.join(HERE, "wannier", "fe_ahc.toml"), "--backend", "cpu",
                                  "--out", run_dir] + sets, capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"mesh {n}, refine {refine}: {out.stderr}")
            with open(out.stdout.strip()) as f:
                doc = json.load(f)
            r = doc["results"]
            j = r["mu"].index(min(r["mu"], key=lambda x: abs(x - 9.1839)))
            s = r["sigma"][j]
            with open(table, "a") as f:
                f.write(f"{n},{refine},{r.get('refinement', {}).get('refined_points', 0)},{s[0]:.2f},{s[1]:.2f},{s[2]:.2f},"
                        f"{doc['timing']['seconds']:.1f},{doc['timing']['kpoints_per_second']:.0f}\n")
            print(f"mesh {n}³ refine {refine}: sigma(E_F) = {s} S/cm, {doc['timing']['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
