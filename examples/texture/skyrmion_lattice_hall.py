"""The exact Hall conductivity of a skyrmion lattice against the uniform ferromagnet, across the
spectrum (docs/textures.md "The exact lattice reference", sigma_xy).

qwz (u = -1) with one skyrmion of radius 4 per 8 x 8 cells (J = 0.4, Bloch), on a box of one period:
task texture_lattice with hall = true gives sigma_xy(mu) by the Kubo formula on the twisted
boundary conditions (the Fermi-sea Berry curvature of the superlattice's bands), with its error
estimate, on 32 x 32 and 64 x 64 twists. Beside it the uniform exchange field J z (the skyrmion's far
field), which is qwz at u = -1 + J: task ahc on a 512 x 512 mesh (a 1 x 1 box is task ahc on its
twists, tests/test_texture_lattice_hall.cpp), and the difference, the texture's own part. In the gap of the uniform model both are -C = -1; in the bands the superlattice's minibands
anticross at mu and the twist sums converge slowly (the error bars). T = 0.2.

    python3 examples/texture/skyrmion_lattice_hall.py [build/bzint] [out.png]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import lattice_hall, qwz_skyrmion_lattice, run, save_figure  # noqa: E402

T = 0.2
LEVELS = "{from = -3.2, to = 3.2, count = 17}"  # at most 17 levels


def hall(bzint, model, box, twists, out, title):
    doc = lattice_hall(bzint, model, box, twists, LEVELS, T, out, title)
    return doc["results"]["mu"], doc["results"]["sigma_xy"], doc["errors"]["sigma_xy"]


def main():
    bzint = sys.argv[1] if len(sys.argv) > 1 else "build/bzint"
    png = sys.argv[2] if len(sys.argv) > 2 else "texture_skyrmion_lattice_hall.png"
    with tempfile.TemporaryDirectory() as out:
        ahc = run(bzint, f'[model]\nname = "qwz"\nu = -0.6\n[mesh]\nn = [512, 512]\n[task]\nkind = "ahc"\n'
                         f"mu = {LEVELS}\nT = {T}\n", "uniform", out)
        mu, uniform = ahc["results"]["mu"], ahc["results"]["sigma_xy"]
        textured = {n: hall(bzint, qwz_skyrmion_lattice(8), 8, n, out, f"skyrmion_{n}") for n in (32, 64)}
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot(mu, uniform, "-", color="0.4", label="uniform J z (task ahc, 512$^2$)")
    for n, style in ((32, "s"), (64, "o")):
        _, sigma, err = textured[n]
        left.errorbar(mu, sigma, yerr=err, fmt=style, ms=3, capsize=2, label=f"skyrmion lattice, 8 x 8 box, {n}$^2$ twists")
    left.set_xlabel("$\\mu$ (qwz energy unit)")
    left.set_ylabel("$\\sigma_{xy}$ ($e^2/h$)")
    left.set_title(f"qwz u = -1, J = 0.4, T = {T}", fontsize=10)
    left.legend(fontsize=7)
    _, sigma, err = textured[64]
    right.errorbar(mu, [s - u for s, u in zip(sigma, uniform)], yerr=err, fmt="o", ms=3, capsize=2)
    right.axhline(0.0, color="0.7", lw=0.8)
    right.set_xlabel("$\\mu$")
    right.set_ylabel("$\\sigma_{xy}$(skyrmions) $-$ $\\sigma_{xy}$(uniform)")
    right.set_title("the texture's part (64$^2$ twists)", fontsize=10)
    save_figure(fig, png)
    for m, s, e, u in zip(mu, sigma, err, uniform):
        print(f"mu = {m:5.2f}: skyrmions {s:8.4f} +- {e:.4f}, uniform {u:8.4f}")


if __name__ == "__main__":
    main()
