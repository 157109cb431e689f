"""The charge a skyrmion binds in a Chern insulator, as a map: exact lattice against the
semiclassics (docs/textures.md "The exact lattice reference").

qwz (u = -1, mu = 0 in its gap, T = 0.1) with one skyrmion (radius 16) per 32 x 32 cells,
J = 0.4. Runs bzint's task texture_lattice (kernel polynomial method, every cell) and task
texture_density (Eqs. 23 and 28 of the kinetic-equation paper) at every cell, and draws the
density's change from the ferromagnetic background (one electron per cell) for both and their
difference.

    python3 examples/texture/skyrmion_density_map.py [build/bzint] [out.png]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import exact_and_semiclassical, qwz_skyrmion_lattice, save_figure  # noqa: E402

L = 32


def main():
    bzint = sys.argv[1] if len(sys.argv) > 1 else "build/bzint"
    png = sys.argv[2] if len(sys.argv) > 2 else "texture_skyrmion_density_map.png"
    cells = [[x, y, 0] for x in range(L) for y in range(L)]
    with tempfile.TemporaryDirectory() as out:
        exact, semi = exact_and_semiclassical(bzint, qwz_skyrmion_lattice(L), L, cells, [0.0], 0.1, 2, 96, out, "map",
                                              bound_charge=True)
    background = exact["results"]["density"][0][0]  # the cell at the origin: outside the skyrmion
    n_exact = np.array([d[0] for d in exact["results"]["density"]]).reshape(L, L).T - background
    n_semi = np.array([d[0] for d in semi["results"]["density"]]).reshape(L, L).T - background
    print(f"bound charge per skyrmion: exact {exact['results']['bound_charge'][0]:+.5f} "
          f"± {exact['errors']['bound_charge'][0]:.1e} (T = 0.1: thermal pairs across the gap included); "
          f"semiclassical sum over the cells {n_semi.sum():+.5f}")
    print(f"largest |delta n|: {abs(n_exact).max():.4f}; largest |semiclassical - exact|: {abs(n_semi - n_exact).max():.2e}")
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.7))
    scale = abs(n_exact).max()
    for ax, data, title in ((axes[0], n_exact, "exact lattice (kernel polynomial method)"),
                            (axes[1], n_semi, "semiclassical, Eqs. 23, 28"),
                            (axes[2], n_semi - n_exact, "semiclassical - exact")):
        lim = scale if ax is not axes[2] else abs(data).max()
        im = ax.imshow(data, origin="lower", cmap="RdBu_r", vmin=-lim, vmax=lim, extent=(-0.5, L - 0.5, -0.5, L - 0.5))
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x (lattice constants)")
        fig.colorbar(im, ax=ax, shrink=0.85)
    axes[0].set_ylabel("y (lattice constants)")
    fig.suptitle(f"density change around a skyrmion (electrons per cell): qwz, u = -1, J = 0.4, L = {L}, "
                 f"$\\mu$ = 0 (gap), T = 0.1", fontsize=10)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
