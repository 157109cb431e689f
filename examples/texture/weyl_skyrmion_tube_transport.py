"""Skyrmion tubes in a Weyl semimetal: the Boltzmann transport of dilute tubes, summed over the
pocket's k_z slices (docs/textures.md "Tubes along z").

weyl_lattice (t = 1, m = 1, k0 = pi/2) with an isolated Neel skyrmion tube along z (radius 10,
exchange J = 0.1 coupling to the spin sigma): far from it the exchange J z.sigma moves the nodes to
cos k_z = -J, and the beam starts about the upper node (0, 0, acos(-J)) at energy 0.25. A tube
conserves k_z: bzint finds the pocket's extent along k_z, runs the beam in each slice (slices = 8:
7 with carriers) and sums their 2D conductivities over k_z/2pi. The left panel draws each slice's
sigma_xx n_i and Hall sigma_yx n_i against k_z, the right one each slice's Hall angle and the
tubes' (the sum's): the slices' skew changes sign across the pocket, so the tubes' Hall angle is
much smaller than the slices'. The numbers are the upper node's pocket alone: the lower node's
(k = [0, 0, -acos(-J)/2pi]) adds its own.

    python3 examples/texture/weyl_skyrmion_tube_transport.py [build/bzint] [out.png] [--packets P]
"""
import math
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import print_tensor, run, save_figure, script_arguments  # noqa: E402

J, MU = 0.1, 0.25


def run_file(packets):
    node = math.acos(-J) / (2 * math.pi)  # the upper node's k_z, reduced
    return f"""[model]
name = "weyl_lattice"
t = 1.0
m = 1.0
k0 = {math.pi / 2}
[texture]
kind = "skyrmion"
exchange = {J}
radius = 10.0
[task]
kind = "trajectories"
band = "upper"
k = [[0, 0, {node}]]
dt = 0.1
steps = 4000
samples = 20
[task.beam]
energy = {MU}
direction = [1, 0]
centre = [-30, 0]
width = 40
packets = {packets}
refine = 20
slices = 8
"""


def main():
    bzint, png, packets = script_arguments("texture_weyl_skyrmion_tube_transport.png", "--packets", 129)
    with tempfile.TemporaryDirectory() as out:
        doc = run(bzint, run_file(packets), "weyl_skyrmion_tubes", out)
    r, e = doc["results"], doc["errors"]
    kz, extent = np.array(r["slice_kz"]), r["pocket_kz_extent"]
    sigma, sigma_error = np.array(r["conductivity_times_density_by_slice"]), np.array(e["conductivity_times_density_by_slice"])
    angle, angle_error = np.array(r["hall_angle"]), np.array(e["hall_angle"])
    print(f"the pocket spans k_z in [{extent[0]:.5f}, {extent[1]:.5f}] 1/a; {len(kz)} slices, "
          f"{len(r['packet_slice'])} packets in all")
    print_tensor("tubes", doc, "conductivity_times_density")
    print_tensor("tubes", doc, "resistivity_per_density")
    print(f"tubes' Hall angle {r['tube_hall_angle']:.4f} +- {e['tube_hall_angle']:.1g} rad; the slices' from "
          f"{angle.min():.3f} to {angle.max():.3f}")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    for (i, j), label, colour in (((0, 0), "σ_xx(k_z) n_i", "tab:blue"), ((1, 0), "σ_yx(k_z) n_i (Hall)", "tab:red")):
        ax.errorbar(kz, sigma[:, i, j], yerr=sigma_error[:, i, j], fmt="o-", ms=3, capsize=2, color=colour, label=label)
    for x in extent:
        ax.axvline(x, color="black", lw=1, ls=":")
    ax.set_xlabel("k_z (1/a); dotted: the pocket's ends")
    ax.set_ylabel("each slice's conductivity × density ((e²/h)/a²)")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.errorbar(kz, angle, yerr=angle_error, fmt="o", ms=3, capsize=2, color="tab:red", label="each slice's Hall angle")
    t, te = r["tube_hall_angle"], e["tube_hall_angle"]
    ax.axhspan(t - te, t + te, color="tab:purple", alpha=0.25)
    ax.axhline(t, color="tab:purple", lw=1, ls="--", label="the tubes' (the sum over k_z)")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("k_z (1/a)")
    ax.set_ylabel("Hall angle (rad)")
    ax.set_title(f"skyrmion tubes (R = 10, J = {J}) in weyl_lattice, μ = {MU}", fontsize=9)
    ax.legend(fontsize=8)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
