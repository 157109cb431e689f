#!/usr/bin/env python3
"""A PythTB model in bzint: PythTB's own Haldane example, its Chern number from both codes, and
bzint's Hall conductivity σ_xy(μ) over 601 Fermi levels in one pass.

usage: .venv/bin/python examples/python/pythtb_haldane.py OUTDIR
(needs PythTB: .venv/bin/python -m pip install pythtb; the README's first command installs it)

Writes OUTDIR/pythtb_haldane_sigma.png: σ_xy(μ) in e²/h with the bands' edges. The model is
PythTB's haldane.py (Δ = 0.2, t = −1, t2 = 0.15 e^{iπ/2}); bzint runs it as a Wannier model, a
2D model being a 3D one of unit height (1 Å): σ_xy in e²/h is sigma[:, 2] / E2_OVER_H_ANGSTROM_S_PER_CM.
"""
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pythtb  # noqa: E402

import bzint  # noqa: E402


def pythtb_haldane():
    lat = [[1.0, 0.0], [0.5, np.sqrt(3.0) / 2.0]]
    orb = [[1.0 / 3.0, 1.0 / 3.0], [2.0 / 3.0, 2.0 / 3.0]]
    m = pythtb.tb_model(2, 2, lat, orb)
    delta, t, t2 = 0.2, -1.0, 0.15 * np.exp(0.5j * np.pi)
    m.set_onsite([-delta, delta])
    for i, j, R in [(0, 1, [0, 0]), (1, 0, [1, 0]), (1, 0, [0, 1])]:
        m.set_hop(t, i, j, R)
    for i, j, R in [(0, 0, [1, 0]), (1, 1, [1, -1]), (1, 1, [0, 1])]:
        m.set_hop(t2, i, j, R)
    for i, j, R in [(1, 1, [1, 0]), (0, 0, [1, -1]), (0, 0, [0, 1])]:
        m.set_hop(t2.conjugate(), i, j, R)
    return m


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    m = pythtb_haldane()
    model = bzint.from_pythtb(m)

    start = time.perf_counter()
    w = pythtb.wf_array(m, [100, 100])
    w.solve_on_grid([0.0, 0.0])
    c_pythtb = w.berry_flux([0]) / (2 * np.pi)
    t_pythtb = time.perf_counter() - start
    start = time.perf_counter()
    chern = bzint.run({"model": model, "mesh": {"n": [100, 100, 1]}, "task": {"kind": "chern"}}, progress=False)
    t_bzint = time.perf_counter() - start
    print(f"Chern number of the lower band on 100²: PythTB {c_pythtb:+.6f} ({t_pythtb:.2f} s), "
          f"bzint {chern.results['chern_fhs'][0][0]:+.6f} (link method) and {chern.results['chern'][0][0]:+.6f} "
          f"± {chern.errors['chern'][0][0]:.1e} (curvature integral) ({t_bzint:.3f} s)")

    mu = np.linspace(-3.5, 3.5, 601)
    r = bzint.run({"title": "pythtb_haldane", "model": model, "mesh": {"n": [300, 300, 1]},
                   "task": {"kind": "ahc", "mu": mu, "T": 0.01}}, out=outdir)
    sigma = r.results["sigma"][:, 2] / bzint.E2_OVER_H_ANGSTROM_S_PER_CM
    error = r.errors["sigma"][:, 2] / bzint.E2_OVER_H_ANGSTROM_S_PER_CM
    print(f"sigma_xy(mu = 0) = {sigma[300]:+.6f} ± {error[300]:.1e} e^2/h (-C: the gap); "
          f"{r.timing['kpoints']} k-points in {r.timing['seconds']:.2f} s")

    k = np.stack(np.meshgrid(np.linspace(0, 1, 120), np.linspace(0, 1, 120)), -1).reshape(-1, 2)
    e = bzint.bands(model, np.c_[k, np.zeros(len(k))])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.fill_between(mu, sigma - error, sigma + error, color="C0", alpha=0.3, lw=0)
    ax.plot(mu, sigma, "C0", label="bzint")
    for edge in (e[:, 0].min(), e[:, 0].max(), e[:, 1].min(), e[:, 1].max()):
        ax.axvline(edge, color="k", lw=0.5, ls=":")
    ax.axhline(-c_pythtb, color="C3", lw=0.8, ls="--", label=f"−C (PythTB) = {-c_pythtb:+.0f}")
    ax.set_xlabel("μ")
    ax.set_ylabel("σ_xy (e²/h)")
    ax.set_title("PythTB's Haldane model in bzint (T = 0.01, 300² mesh)")
    ax.legend()
    fig.tight_layout()
    path = os.path.join(outdir, "pythtb_haldane_sigma.png")
    fig.savefig(path, dpi=120)
    print(path)


if __name__ == "__main__":
    main()
