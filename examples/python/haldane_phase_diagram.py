#!/usr/bin/env python3
"""The Haldane phase diagram from Python: the lower band's Chern number over (phi, M/t2).

usage: .venv/bin/python examples/python/haldane_phase_diagram.py OUTDIR [N]

Calls bzint.run on an N x N grid (default 25) of the task of examples/haldane/chern.toml, as a
dict, and writes OUTDIR/haldane_phase_diagram.png with the analytic boundaries
|M| = 3√3 |t2 sin φ| drawn over it. Where the bands touch on the mesh (on a boundary) there is
no Chern number and bzint raises NonFiniteError: those cells are left blank. Near the boundaries
the Berry-curvature integral is not resolved by the 48² mesh and bzint warns (the link-method
number plotted is still an integer); the script counts those warnings.
"""
import os
import sys
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import bzint  # noqa: E402


def chern_lower(t2, phi, M):
    """The lower band's link-method Chern number, and whether bzint warned."""
    spec = {"title": "haldane_chern",
            "model": {"name": "haldane", "t2": t2, "phi": phi, "M": M},
            "mesh": {"n": [48, 48]},
            "task": {"kind": "chern"}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bzint.ResultWarning)
        try:
            r = bzint.run(spec, backend="cpu", progress=False)
        except bzint.NonFiniteError:  # the bands touch at a mesh point
            return np.nan, False
    return r.results["chern_fhs"][0], bool(caught)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    os.makedirs(outdir, exist_ok=True)
    t2 = 0.1
    phis = np.linspace(-np.pi, np.pi, n)
    Ms = np.linspace(-1.0, 1.0, n) * 6 * t2  # M in units of t2 from −6 to 6
    runs = [[chern_lower(t2, phi, M) for phi in phis] for M in Ms]
    C = np.array([[c for c, _ in row] for row in runs])
    warned = sum(w for row in runs for _, w in row)
    print(f"{n * n} points: {np.isnan(C).sum()} with touching bands, {warned} with a curvature integral "
          "the mesh does not resolve (near the boundaries)")
    fig, ax = plt.subplots(figsize=(6, 4.5))
    m = ax.pcolormesh(phis, Ms / t2, C, cmap="RdBu_r", vmin=-1.5, vmax=1.5, shading="auto", edgecolors="face")
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
