#!/usr/bin/env python3
"""The Haldane phase diagram: the lower band's Chern number over (phi, M/t2).

usage: haldane_phase_diagram.py BZINT OUTDIR [N]

Runs `bzint run examples/haldane/chern.toml --set model.phi=.. --set model.M=..` on an
N x N grid (default 25) and writes OUTDIR/haldane_phase_diagram.png with the analytic
boundaries |M| = 3√3 |t2 sin φ| drawn over it.
"""
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bzint, outdir = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    here = os.path.dirname(os.path.abspath(__file__))
    run_file = os.path.join(here, "haldane", "chern.toml")
    t2 = 0.1
    phis = np.linspace(-np.pi, np.pi, n)
    Ms = np.linspace(-1.0, 1.0, n) * 6 * t2  # M in units of t2 from −6 to 6
    C = np.zeros((n, n))
    tmp = os.path.join(outdir, "phase_diagram_runs")
    for i, M in enumerate(Ms):
        for j, phi in enumerate(phis):
            out = subprocess.run([bzint, "run", run_file, "--backend", "cpu", "--out", tmp,
                                  "--set", f"model.t2={t2}", "--set", f"model.phi={phi!r}",
                                  "--set", f"model.M={M!r}", "--set", "mesh.n=[48,48]"],
                                 capture_output=True, text=True)
            if out.returncode != 0:  # a gap closing on the mesh: no Chern number there
                C[i, j] = np.nan
                continue
            with open(out.stdout.strip()) as f:
                C[i, j] = json.load(f)["results"]["chern_fhs"][0]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    m = ax.pcolormesh(phis, Ms / t2, C, cmap="RdBu_r", vmin=-1.5, vmax=1.5, shading="auto")
    fine = np.linspace(-np.pi, np.pi, 400)
    for s in (1, -1):
        ax.plot(fine, s * 3 * np.sqrt(3) * np.sin(fine), "k--", lw=1)
    ax.set_xlabel("phi")
    ax.set_ylabel("M / t2")
    ax.set_title("Haldane model: Chern number of the lower band (t2 = 0.1)")
    plt.colorbar(m, ax=ax, label="C_lower (link method)")
    fig.tight_layout()
    path = os.path.join(outdir, "haldane_phase_diagram.png")
    fig.savefig(path, dpi=120)
    print(path)


if __name__ == "__main__":
    main()
