#!/usr/bin/env python3
"""A tight-binding model of many orbitals in bzint: 32 copies of the QWZ (Chern) model as one
64-orbital model, copy c's levels raised by 0.1·c, run by bzint's run-time-sized N-band engine
(docs/wannier.md, "Any number of Wannier functions").

usage: .venv/bin/python examples/python/many_orbitals.py OUTDIR [COPIES]

Decoupled, the copies' Hall conductivities add: σ_xy(μ) = Σ_c σ_1(μ − 0.1c), with σ_1 from the
2-orbital model at the shifted levels; the script prints both and their difference. Coupled on
site (0.05, orbital by orbital between neighbouring copies), the bands hybridise and σ_xy(μ)
changes; both curves go to OUTDIR/many_orbitals_sigma.png.
"""
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import bzint  # noqa: E402

S0 = np.eye(2)
SX = np.array([[0, 1], [1, 0]], complex)
SY = np.array([[0, -1j], [1j, 0]])
SZ = np.diag([1.0, -1.0])


def qwz_hoppings(m):
    """H(k) = sin kx σx + sin ky σy + (m + cos kx + cos ky) σz as {R: H(R)}, H(k) = Σ_R e^{ik·R} H(R)."""
    h = {(0, 0): m * SZ.astype(complex)}
    h[(1, 0)] = 0.5 * SZ - 0.5j * SX
    h[(-1, 0)] = h[(1, 0)].conj().T
    h[(0, 1)] = 0.5 * SZ - 0.5j * SY
    h[(0, -1)] = h[(0, 1)].conj().T
    return h


def stacked(one, copies, shift, coupling):
    """`copies` copies of a model as one: copy c raised by c·shift, neighbours coupled on site."""
    w = next(iter(one.values())).shape[0]
    W = copies * w
    many = {}
    for R, h in one.items():
        H = np.kron(np.eye(copies), h)
        if R == (0, 0):
            H += np.kron(np.diag(shift * np.arange(copies)), np.eye(w))
            for c in range(copies - 1):
                for m in range(w):
                    t = coupling * np.exp(1j * (c + m))
                    H[c * w + m, (c + 1) * w + m] = t
                    H[(c + 1) * w + m, c * w + m] = np.conj(t)
        many[R] = H
    assert many[(0, 0)].shape == (W, W)
    return many


def sigma_xy(model, mu, n, out):
    r = bzint.run({"model": model, "mesh": {"n": [n, n, 1]}, "task": {"kind": "ahc", "mu": list(mu), "T": 0.05}},
                  out=out, progress=False)
    s = r.results["sigma"][:, 2] / bzint.E2_OVER_H_ANGSTROM_S_PER_CM
    return s, r.errors["sigma"][:, 2] / bzint.E2_OVER_H_ANGSTROM_S_PER_CM, r.timing


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    copies = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    os.makedirs(outdir, exist_ok=True)
    lattice = np.eye(2)
    one = qwz_hoppings(-1.0)  # C = ±1 for 0 < |m| < 2
    mu = np.linspace(-3.0, 3.0 + 0.1 * (copies - 1), 121)
    n = 48

    many = bzint.TightBinding(lattice, stacked(one, copies, 0.1, 0.0))
    start = time.perf_counter()
    s_many, e_many, timing = sigma_xy(many, mu, n, outdir)
    wall = time.perf_counter() - start
    shifted = np.unique(np.round(np.subtract.outer(mu, 0.1 * np.arange(copies)).ravel(), 12))
    s_one, _, _ = sigma_xy(bzint.TightBinding(lattice, one), shifted, n, outdir)
    want = np.array([sum(np.interp(m - 0.1 * c, shifted, s_one) for c in range(copies)) for m in mu])
    print(f"{2 * copies} orbitals, {n}² mesh: {timing['kpoints']} k-points in {wall:.2f} s "
          f"({timing['kpoints'] / wall:.0f} k-points/s)")
    print(f"decoupled: largest |σ_xy − Σ_c σ_1(μ − 0.1c)| = {np.abs(s_many - want).max():.2e} e²/h "
          f"(σ_xy up to {np.abs(want).max():.2f} e²/h; error estimate up to {e_many.max():.1e})")

    s_coupled, e_coupled, _ = sigma_xy(bzint.TightBinding(lattice, stacked(one, copies, 0.1, 0.05)), mu, n, outdir)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(mu, s_many, "C0", label="decoupled copies")
    ax.plot(mu, want, "k:", lw=1, label="Σ_c σ_1(μ − 0.1c)")
    ax.fill_between(mu, s_coupled - e_coupled, s_coupled + e_coupled, color="C1", alpha=0.3, lw=0)
    ax.plot(mu, s_coupled, "C1", label="coupled (0.05)")
    ax.set_xlabel("μ")
    ax.set_ylabel("σ_xy (e²/h)")
    ax.set_title(f"{copies} QWZ copies as one {2 * copies}-orbital model (T = 0.05, {n}² mesh)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(outdir, "many_orbitals_sigma.png")
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=120)
    os.replace(tmp, path)  # atomically
    print(path)


if __name__ == "__main__":
    main()
