"""The local orbital magnetisation of a skyrmion lattice and the current it binds, as maps
(docs/textures.md "The magnetisation current").

qwz (u = -1.2) with the skyrmion lattice of skyrmion_current.toml (L = 160, R = 80, J = 0.5), mu in
a band (1.0, T = 0.05), on a grid of positions over one cell. Runs bzint's task texture_current at
every position and draws two panels over M(r)'s colour map: its current -curl M as arrows (the
equilibrium current to first order), and Eq. 30's current (what the paper's continuity equation
fixes, which differs by a divergence-free part: docs/textures.md "What Eq. 30's current is").

    python3 examples/texture/skyrmion_magnetisation_map.py [build/bzint] [out.png] [--points N]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import run, save_figure, script_arguments  # noqa: E402

L, MU = 160.0, 1.0


def main():
    bzint, png, n = script_arguments("texture_skyrmion_magnetisation_map.png", "--points", 24)
    step = L / n
    xs = (np.arange(n) + 0.5) * step  # cell-centred grid, the skyrmion's centre at (L/2, L/2)
    positions = ", ".join(f"[{x:.6g}, {y:.6g}, 0]" for y in xs for x in xs)
    text = (f'[model]\nname = "qwz"\nu = -1.2\n[mesh]\nn = [96, 96]\n[texture]\nkind = "skyrmion_lattice"\nexchange = 0.5\n'
            f'period = {L}\nradius = 80.0\nhelicity = 1.5707963267948966\n[task]\nkind = "texture_current"\nmu = {MU}\n'
            f'T = 0.05\nr = [{positions}]\n')
    with tempfile.TemporaryDirectory() as out:
        doc = run(bzint, text, "skyrmion_magnetisation_map", out)
    r = doc["results"]

    def grid(key, c=None):  # [y][x] of the only level
        values = [p[0] if c is None else p[0][c] for p in r[key]]
        return np.array(values).reshape(n, n)

    M = grid("magnetisation")
    jm = (grid("magnetisation_current", 0), grid("magnetisation_current", 1))
    j30 = (grid("current", 0), grid("current", 1))
    error = max(doc["errors"]["magnetisation"][a][0] for a in range(n * n))
    print(f"M from {M.min():.4e} to {M.max():.4e} e/hbar x energy (largest error estimate {error:.1e}); "
          f"largest |-curl M| {np.hypot(*jm).max():.3e}, largest |Eq. 30| {np.hypot(*j30).max():.3e} "
          "particles per (hbar/energy) per a")
    X, Y = np.meshgrid(xs, xs)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
    for ax, (jx, jy), title in ((axes[0], jm, "magnetisation current -curl M"), (axes[1], j30, "Eq. 30's current")):
        image = ax.imshow(M, origin="lower", extent=(0, L, 0, L), cmap="viridis", interpolation="bilinear")
        ax.quiver(X, Y, jx, jy, color="white", scale=None)
        ax.set_title(f"{title}, mu = {MU:g} (arrows); M (colour)", fontsize=9)
        ax.set_xlabel("x (a)")
        ax.set_ylabel("y (a)")
        fig.colorbar(image, ax=ax, label="M (e/hbar x energy)")
    save_figure(fig, png)


if __name__ == "__main__":
    main()
