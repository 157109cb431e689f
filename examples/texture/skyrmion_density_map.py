"""The charge a skyrmion binds in a Chern insulator, as a map: exact lattice against the
semiclassics (docs/textures.md "The exact lattice reference").

qwz (u = -1, mu = 0 in its gap, T = 0.1) with one skyrmion (radius L/2) per L x L cells, J = 0.4.
Runs bzint's task texture_lattice (kernel polynomial method) and task texture_density (Eqs. 23 and
28 of the kinetic-equation paper) at every cell, and draws the density's change from the
ferromagnetic background (one electron per cell) for both and their difference.

- default: L = 32, every orbital's own recursion, with the box's bound charge;
- --probing: L = 64, where each orbital's own recursion would take some 9 minutes (predicted) on 2
  cores; the whole box's map (map = true) with density_trace = "probing" (colours 8 cells apart, 4
  draws per twist), and a fourth panel, the probing's standard error: the semiclassical error left
  at this size stands well above the probing's noise.

    python3 examples/texture/skyrmion_density_map.py [build/bzint] [out.png] [--probing]
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


def main():
    probing = "--probing" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "--probing"]
    bzint = args[0] if len(args) > 0 else "build/bzint"
    png = args[1] if len(args) > 1 else ("texture_skyrmion_density_map_probing.png" if probing else "texture_skyrmion_density_map.png")
    L = 64 if probing else 32
    cells = [[x, y, 0] for x in range(L) for y in range(L)]
    with tempfile.TemporaryDirectory() as out:
        exact, semi = exact_and_semiclassical(bzint, qwz_skyrmion_lattice(L), L, cells, [0.0], 0.1, 2, 96, out, "map",
                                              bound_charge=not probing, probing_distance=8 if probing else None)

    def grid(doc, key):
        return np.array([d[0] for d in doc["results"][key]]).reshape(L, L).T

    background = exact["results"]["density"][0][0]  # the cell at the origin: outside the skyrmion
    n_exact, n_semi = grid(exact, "density") - background, grid(semi, "density") - background
    difference = n_semi - n_exact
    if not probing:
        print(f"bound charge per skyrmion: exact {exact['results']['bound_charge'][0]:+.5f} "
              f"± {exact['errors']['bound_charge'][0]:.1e} electrons (T = 0.1: thermal pairs across the gap included); "
              f"semiclassical sum over the cells {n_semi.sum():+.5f} electrons")
    print(f"largest |delta n|: {abs(n_exact).max():.4f} electrons per cell; largest |semiclassical - exact|: "
          f"{abs(difference).max():.2e} electrons per cell")
    scale = abs(n_exact).max()
    panels = [(n_exact, "exact lattice, densities probed" if probing else "exact lattice (kernel polynomial method)", scale,
               "RdBu_r"),
              (n_semi, "semiclassical, Eqs. 23, 28", scale, "RdBu_r"),
              (difference, "semiclassical - exact", abs(difference).max(), "RdBu_r")]
    if probing:
        se = grid(exact, "density_stochastic_error")
        print(f"probing's standard error: mean {se.mean():.1e}, largest {se.max():.1e} electrons per cell "
              f"({exact['results']['density_draws']} draws x {exact['results']['probing_colours']} colours per twist)")
        panels.append((se, "probing's standard error", None, "viridis"))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.9 * len(panels), 3.7))
    for ax, (data, title, lim, cmap) in zip(axes, panels):
        im = ax.imshow(data, origin="lower", cmap=cmap, vmin=None if lim is None else -lim, vmax=lim,
                       extent=(-0.5, L - 0.5, -0.5, L - 0.5))
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("x (lattice constants)")
        fig.colorbar(im, ax=ax, shrink=0.85)
    axes[0].set_ylabel("y (lattice constants)")
    fig.suptitle(f"density change around a skyrmion (electrons per cell): qwz, u = -1, J = 0.4, L = {L}, "
                 f"$\\mu$ = 0 (gap), T = 0.1" + ("; exact map by probing (d = 8)" if probing else ""), fontsize=10)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
