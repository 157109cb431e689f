#!/usr/bin/env python3
"""The RTA/DPA paper's Figs. 1–3 from bzint's dc_current outputs.

usage: qme_figures.py BZINT OUTDIR

Runs the run files examples/landau_zener/{rta,dpa}_tauinv_*.toml, exact_tauinv_0.02.toml,
dpa_occupations.toml and lz_probability.toml into OUTDIR and writes fig1_rta.png (J_RTA vs
E/E_th, with the wide-range inset and P_LZ), fig1b_rta_split.png (intra/inter at
τ⁻¹ = 0.02δ), fig2_occupations.png (upper-band occupation vs κ), fig3_dpa.png (J_DPA, J_RTA and
the exact reservoir at τ⁻¹ = 0.02δ) and exact_comparison.csv (|J_DPA − J_exact|,
|J_RTA − J_exact| and J/E of each, per field).
"""
import glob
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def run(bzint, path, outdir):
    out = subprocess.run([bzint, "run", path, "--backend", "cpu", "--out", outdir], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{path}: {out.stderr}")
    with open(out.stdout.strip()) as f:
        return json.load(f)


def current_axes(ax, title):
    """Labels, legend and title shared by the current-vs-field figures."""
    ax.set_xlabel("E / E_th")
    ax.set_ylabel("J [e δ / ħ]")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title, fontsize=9)


def log_inset(ax, curves, title, xlog=False):
    """A log-scale inset with (E, J, style) curves."""
    ins = ax.inset_axes([0.58, 0.12, 0.38, 0.38])
    for E, J, style in curves:
        ins.plot(E, np.abs(J), style, ms=2)
    ins.set_yscale("log")
    if xlog:
        ins.set_xscale("log")
    ins.set_title(title, fontsize=7)
    ins.tick_params(labelsize=6)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bzint, outdir = sys.argv[1], sys.argv[2]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "landau_zener")
    rta, dpa = {}, {}
    for path in sorted(glob.glob(os.path.join(here, "rta_tauinv_*.toml")) + glob.glob(os.path.join(here, "dpa_tauinv_*.toml"))):
        doc = run(bzint, path, outdir)
        inv = float(path.rsplit("_", 1)[1][:-5])
        (rta if "/rta_" in path else dpa)[inv] = doc["results"]
    lz = run(bzint, os.path.join(here, "lz_probability.toml"), outdir)["results"]
    exact = run(bzint, os.path.join(here, "exact_tauinv_0.02.toml"), outdir)["results"]
    occ = run(bzint, os.path.join(here, "dpa_occupations.toml"), outdir)

    # Fig. 1(a): J_RTA, main panel E ≤ E_th and the wide range inset; P_LZ dotted.
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for inv, r in sorted(rta.items()):
        E = np.array(r["E"])
        ax.plot(E, r["J"], label=f"RTA, 1/τ = {inv}δ")
    ax.plot(lz["E"], np.array(lz["lz_probability"]) * max(max(r["J"]) for r in rta.values()) / 1.0, "k:",
            label="P_LZ (scaled)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.1 * max(max(np.array(r["J"])[np.array(r["E"]) <= 1]) for r in rta.values()))
    current_axes(ax, "Fig. 1(a): RTA current, T = 0.01δ (linear at low E: metallic)")
    log_inset(ax, [(r["E"], r["J"], "-") for _, r in sorted(rta.items())], "wide range")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "fig1_rta.png"), dpi=120)

    # Fig. 1(b): intra/inter split at 1/τ = 0.02δ.
    r = rta[0.02]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(r["E"], r["J"], "k-", label="J_RTA")
    ax.plot(r["E"], r["J_intra"], "--", label="J_intra")
    ax.plot(r["E"], r["J_inter"], ":", label="J_inter (linear at low E)")
    ax.set_xlim(0, 1)
    ax.set_xlabel("E / E_th")
    ax.set_ylabel("J [e δ / ħ]")
    ax.legend()
    ax.set_title("Fig. 1(b): RTA intra/interband split, 1/τ = 0.02δ", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "fig1b_rta_split.png"), dpi=120)

    # Fig. 2: upper-band occupation along κ.
    fig, ax = plt.subplots(figsize=(6, 4.5))
    import csv

    with open(os.path.join(outdir, "lz_dpa_occupations_occupations.csv")) as f:
        rows = np.array([list(map(float, l)) for l in csv.reader(x for x in f if not x.startswith("#"))
                         if l and l[0] != "E"])
    for E in sorted(set(rows[:, 0])):
        sel = rows[:, 0] == E
        ax.plot(rows[sel, 1], rows[sel, 3], label=f"E = {E:g} E_th")
    ax.set_xlabel("κ(t) = k − E t  [δ/v]")
    ax.set_ylabel("upper-band occupation")
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 1)
    ax.invert_xaxis()
    ax.legend()
    ax.set_title("Fig. 2: DPA occupation, 1/τ = 2Γ = 0.02δ, T = 0.01δ", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "fig2_occupations.png"), dpi=120)

    # Fig. 3: J_DPA for several 1/τ and J_RTA at 0.02δ; log inset.
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for inv, d in sorted(dpa.items()):
        ax.plot(d["E"], d["J"], label=f"DPA, 1/τ = {inv}δ")
    ax.plot(rta[0.02]["E"], rta[0.02]["J"], "k--", label="RTA, 1/τ = 0.02δ")
    ax.plot(exact["E"], exact["J"], "ko", ms=3, label="exact reservoir, 1/τ = 0.02δ")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.1 * max(np.array(rta[0.02]["J"])[np.array(rta[0.02]["E"]) <= 1]))
    current_axes(ax, "Fig. 3: DPA current (no linear term) vs RTA and the exact reservoir")
    log_inset(ax, [(dpa[0.02]["E"], dpa[0.02]["J"], "-"), (rta[0.02]["E"], rta[0.02]["J"], "k--"),
                   (exact["E"], exact["J"], "ko")], "log-log, 1/τ = 0.02δ", xlog=True)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "fig3_dpa.png"), dpi=120)
    # The DPA and the RTA against the exact reservoir on the exact run's fields.
    Ex = np.array(exact["E"])
    Jx = np.array(exact["J"])
    Jd = np.interp(Ex, dpa[0.02]["E"], dpa[0.02]["J"])
    Jr = np.interp(Ex, rta[0.02]["E"], rta[0.02]["J"])
    on_grid = np.isin(np.round(Ex, 12), np.round(np.array(dpa[0.02]["E"]), 12))
    with open(os.path.join(outdir, "exact_comparison.csv"), "w") as f:
        f.write("# Landau-Zener, v = delta = 1, T = 0.01, 1/tau = 2 Gamma = 0.02; J in e delta/hbar, E in E_th\n")
        f.write("E,J_exact,J_dpa,J_rta,abs_dpa_minus_exact,abs_rta_minus_exact,J_over_E_exact,J_over_E_dpa,J_over_E_rta\n")
        for e, x, d, r in zip(Ex, Jx, Jd, Jr):
            f.write(f"{e:.6g},{x:.9e},{d:.9e},{r:.9e},{abs(d - x):.3e},{abs(r - x):.3e},{x / e:.4e},{d / e:.4e},{r / e:.4e}\n")
    i = int(np.argmax(np.abs(Jd - Jx)))
    print(f"max |J_dpa - J_exact| = {np.max(np.abs(Jd - Jx)):.3e} at E = {Ex[i]:.3g} E_th; "
          f"max |J_rta - J_exact| = {np.max(np.abs(Jr - Jx)):.3e}; interpolated fields: {int((~on_grid).sum())}")
    for name in ("fig1_rta", "fig1b_rta_split", "fig2_occupations", "fig3_dpa"):
        print(os.path.join(outdir, name + ".png"))


if __name__ == "__main__":
    main()
