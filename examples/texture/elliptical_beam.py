"""A beam of wave packets sent at an elliptical scatterer from 32 directions, and the transport
cross-section averaged over them (docs/textures.md "Directions of incidence").

Massless dirac2d (v = 1; packets of the upper band at energy 1, so p = 1) with an elliptical
gaussian bump U = A exp(-x^2/2a^2 - y^2/2c^2) (A = 0.02, a = 6, c = 3), read from a table that this
script writes. Task trajectories with [task] beam turns the beam about the bump's centre
(`directions = 32`, `target`): each direction gives its own cross-sections, and their average is a
randomly oriented bump's, which the Boltzmann resistivity of dilute bumps takes. The first-order
closed form sigma_tr(phi) = pi^(3/2) A^2 a^2 c^2 / (2 p^2 v^2 s^3), s^2 = a^2 sin^2 phi + c^2 cos^2 phi
(tests/test_packet_beam.cpp derives it) is drawn beside the beams'.

    python3 examples/texture/elliptical_beam.py [build/bzint] [out.png] [--directions D]
"""
import os
import sys
import tempfile

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import run, save_figure, script_arguments  # noqa: E402

A, A_X, A_Y = 0.02, 6.0, 3.0  # amplitude and the widths along x and y
PERIOD, SPACING = 160.0, 0.5  # the table's cell (the bump's images are 160 apart) and grid


def write_bump(path):
    """The bump on the table's grid, each point at its nearest image of the centre (0, 0)."""
    g = np.arange(0.0, PERIOD, SPACING)
    x, y = np.meshgrid(g, g)
    xs, ys = x - PERIOD * np.round(x / PERIOD), y - PERIOD * np.round(y / PERIOD)
    u = A * np.exp(-xs ** 2 / (2 * A_X ** 2) - ys ** 2 / (2 * A_Y ** 2))
    np.savetxt(path, np.column_stack([x.ravel(), y.ravel(), u.ravel()]), fmt="%.17g", header="x y U")


def beam(table, directions):
    return f"""[model]
name = "dirac2d"
v = 1.0
m = 0.0
[texture]
kind = "uniform"
exchange = 0.0
direction = [0, 0, 1]
potential = "table"
potential_file = "{table}"
potential_period = [{PERIOD}, {PERIOD}]
[task]
kind = "trajectories"
band = "upper"
dt = 0.1
steps = 1200
samples = 4
[task.beam]
energy = 1.0
direction = [1, 0]
centre = [-50, 0]
width = 60
packets = 65
directions = {directions}
target = [0, 0]
"""


def closed(phi):
    s = np.sqrt(A_X ** 2 * np.sin(phi) ** 2 + A_Y ** 2 * np.cos(phi) ** 2)
    return np.pi ** 1.5 * A ** 2 * A_X ** 2 * A_Y ** 2 / (2 * s ** 3)


def main():
    bzint, png, directions = script_arguments("texture_elliptical_beam.png", "--directions", 32)
    with tempfile.TemporaryDirectory() as out:
        table = os.path.join(out, "bump.dat")
        write_bump(table)
        doc = run(bzint, beam(table, directions), "elliptical_beam", out)
    r, e = doc["results"], doc["errors"]
    phi = np.array(r["incidence_angle"])
    tr = np.array(r["transport_cross_section_by_direction"])
    fine = np.linspace(-np.pi, np.pi, 721)
    print(f"transport cross-section averaged over {directions} directions: {r['transport_cross_section']:.5e} "
          f"+- {e['transport_cross_section']:.1e} L (first order, over all angles: {closed(fine[:-1]).mean():.5e} L)")
    print(f"along x: {tr[0]:.5e} L (first order {closed(0.0):.5e}); along y: {tr[directions // 4]:.5e} L "
          f"(first order {closed(np.pi / 2):.5e})")
    rho = r["resistivity_per_density"]
    print(f"resistivity per bump density: rho_xx/n_i = {rho[0][0]:.5e} +- {e['resistivity_per_density'][0][0]:.1e} "
          f"(h/e^2) L^2")
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(fine, closed(fine), "-", color="grey", lw=1, label="first order in A (closed form)")
    ax.errorbar(phi, tr, yerr=e["transport_cross_section_by_direction"], fmt="o", ms=4, capsize=2,
                label="beams of packets")
    ax.axhline(r["transport_cross_section"], color="tab:red", ls="--", lw=1,
               label=f"average over {directions} directions")
    ax.set_xlabel("incidence angle φ (rad)")
    ax.set_ylabel("transport cross-section σ_tr (L)")
    ax.set_title(f"elliptical gaussian bump (A = {A}, widths {A_X:g} × {A_Y:g}) on massless dirac2d", fontsize=9)
    ax.legend(fontsize=8)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
