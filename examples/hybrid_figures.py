#!/usr/bin/env python3
"""Figures of task hybrid_current (docs/hybrid.md).

usage: hybrid_figures.py BZINT OUTDIR

Runs examples/hybrid/*.toml into OUTDIR and writes
  qwz_hybrid_vs_qme.png: Hall and longitudinal conductivity J/E of the small-gap QWZ insulator
      (u = −1.8, μ in the gap, τ = 20, T = 0.01) from the hybridised bands, and from the
      density-matrix steady states with RTA and DPA at the same τ;
  dirac_valley_hall.png: J_y/E of one gapped Dirac cone against E/E_th (E_th = m²/v);
  qwz_hybrid_vs_qme.csv: the numbers of the first figure.
"""
import json
import math
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def run(bzint, name, outdir):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hybrid", name + ".toml")
    out = subprocess.run([bzint, "run", path, "--backend", "cpu", "--out", outdir], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{path}: {out.stderr}")
    with open(out.stdout.strip()) as f:
        return json.load(f)["results"]


def main():
    bzint, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    hyb = run(bzint, "qwz_hall", outdir)
    rta = run(bzint, "qwz_hall_rta", outdir)
    dpa = run(bzint, "qwz_hall_dpa", outdir)
    E = hyb["E"]
    # σ in e²/h: hybrid_current reports it; dc_current's J (ħ = e = 1) gives 2π J/E.
    s_h = [[hyb["sigma"][i][0][a] for i in range(len(E))] for a in (0, 1)]
    s_r = [[2 * math.pi * rta["J"][i][a] / E[i] for i in range(len(E))] for a in (0, 1)]
    s_d = [[2 * math.pi * dpa["J"][i][a] / E[i] for i in range(len(E))] for a in (0, 1)]
    with open(os.path.join(outdir, "qwz_hybrid_vs_qme.csv"), "w") as f:
        f.write("# QWZ u=-1.8, mu=0, T=0.01, tau=20: J/E in e^2/h (x: along E, y: Hall)\n")
        f.write("E,hybrid_xx,hybrid_yx,rta_xx,rta_yx,dpa_xx,dpa_yx\n")
        for i, e in enumerate(E):
            f.write(f"{e:.6g},{s_h[0][i]:.8g},{s_h[1][i]:.8g},{s_r[0][i]:.8g},{s_r[1][i]:.8g},{s_d[0][i]:.8g},{s_d[1][i]:.8g}\n")
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for s, label, style in ((s_h, "hybridised bands", "o-"), (s_r, "QME, RTA", "s--"), (s_d, "QME, DPA", "^:")):
        ax[0].plot(E, s[1], style, label=label)
        ax[1].plot(E, s[0], style, label=label)
    ax[0].set_ylabel(r"$\sigma_{yx} = J_y/E$ ($e^2/h$)")
    ax[1].set_ylabel(r"$\sigma_{xx} = J_x/E$ ($e^2/h$)")
    for a in ax:
        a.set_xscale("log")
        a.set_xlabel("E (u = −1.8: gap 0.4 at Γ)")
        a.legend()
    fig.suptitle(r"QWZ insulator, $\mu$ in the gap, $\tau = 20$, $T = 0.01$")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "qwz_hybrid_vs_qme.png"), dpi=120)

    dv = run(bzint, "dirac_valley_hall", outdir)
    Eth = 0.1 ** 2 / 1.0
    x = [e / Eth for e in dv["E"]]
    y = [dv["sigma"][i][0][1] for i in range(len(x))]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(x, y, "o-")
    ax.set_xscale("log")
    ax.set_xlabel(r"$E/E_{th}$,  $E_{th} = m^2/v$")
    ax.set_ylabel(r"$J_y/E$ ($e^2/h$)")
    ax.set_title("one gapped Dirac cone, μ in the gap")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "dirac_valley_hall.png"), dpi=120)


if __name__ == "__main__":
    main()
