"""The charge a large skyrmion binds in a Chern insulator, as a map: the exact lattice with its
densities probed against the semiclassics (docs/textures.md "The exact lattice reference").

qwz (u = -1, mu = 0 in its gap, T = 0.1) with one skyrmion (radius 32) per 64 x 64 cells, J = 0.4:
twice skyrmion_density_map.py's, where each orbital's own recursion would take some 9 minutes (predicted) on
2 cores. Runs task texture_lattice on the whole box (map = true) with density_trace = "probing"
(colours 8 cells apart, 4 draws per twist) and task texture_density (Eqs. 23 and 28) at every cell,
and draws the density's change from the ferromagnetic background for both, their difference and
the probing's standard error: the semiclassical error left at this size stands well above the
probing's noise.

    python3 examples/texture/skyrmion_density_map_probing.py [build/bzint] [out.png]
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

L = 64


def main():
    bzint = sys.argv[1] if len(sys.argv) > 1 else "build/bzint"
    png = sys.argv[2] if len(sys.argv) > 2 else "texture_skyrmion_density_map_probing.png"
    cells = [[x, y, 0] for x in range(L) for y in range(L)]
    with tempfile.TemporaryDirectory() as out:
        exact, semi = exact_and_semiclassical(bzint, qwz_skyrmion_lattice(L), L, cells, [0.0], 0.1, 2, 96, out, "map_probing",
                                              probing_distance=8)
    def grid(doc, key):
        return np.array([d[0] for d in doc["results"][key]]).reshape(L, L).T

    background = exact["results"]["density"][0][0]  # the cell at the origin: outside the skyrmion
    n_exact, n_semi = grid(exact, "density") - background, grid(semi, "density") - background
    se = grid(exact, "density_stochastic_error")
    difference = n_semi - n_exact
    print(f"largest |delta n|: {abs(n_exact).max():.4f} electrons per cell; largest |semiclassical - exact|: "
          f"{abs(difference).max():.2e} electrons per cell; "
          f"probing's standard error: mean {se.mean():.1e}, largest {se.max():.1e} electrons per cell "
          f"({exact['results']['density_draws']} draws x {exact['results']['probing_colours']} colours per twist)")
    fig, axes = plt.subplots(1, 4, figsize=(15.5, 3.7))
    scale = abs(n_exact).max()
    for ax, data, title, lim, cmap in (
            (axes[0], n_exact, "exact lattice, densities probed", scale, "RdBu_r"),
            (axes[1], n_semi, "semiclassical, Eqs. 23, 28", scale, "RdBu_r"),
            (axes[2], difference, "semiclassical - exact", abs(difference).max(), "RdBu_r"),
            (axes[3], se, "probing's standard error", None, "viridis")):
        im = ax.imshow(data, origin="lower", cmap=cmap, vmin=None if lim is None else -lim, vmax=lim,
                       extent=(-0.5, L - 0.5, -0.5, L - 0.5))
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x (lattice constants)")
        fig.colorbar(im, ax=ax, shrink=0.85)
    axes[0].set_ylabel("y (lattice constants)")
    fig.suptitle(f"density change around a skyrmion (electrons per cell): qwz, u = -1, J = 0.4, L = {L}, "
                 f"$\\mu$ = 0 (gap), T = 0.1; exact map by probing (d = 8)", fontsize=10)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
