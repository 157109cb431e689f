"""Tubes along z at a temperature: the thermal average of a Weyl pocket's tube conductivity, each
energy's the sum over its own pocket's k_z slices (docs/textures.md "Tubes along z", "At a
temperature").

Runs examples/texture/weyl_tube_thermal_transport.toml (weyl_lattice t = 1, m = 0, k0 = pi/2 about
its node, a weak round gaussian tube along z, mu = 0.05, k_B T = 0.005, 21 energies: the lowest,
0, is the node's, where the pocket has no carriers). The left panel draws each energy's tube
sigma_xx n_i against the isotropic Weyl cone's closed form (5/32) e^4/(pi^1.5 A^2 w), the window's
weight -df/de, and the thermal average with its estimate; the right one each energy's slices'
sigma(k_z) n_i over its own pocket (its extent pi/2 -+ asin e grows with the energy).

    python3 examples/texture/weyl_tube_thermal_transport.py [build/bzint] [out.png] [--energies N]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import print_tensor, run, save_figure, script_arguments  # noqa: E402

A, W, MU, T = 1e-5, 5.0, 0.05, 0.005  # the run file's tube and window


def run_file(energies):
    """The example's run file without its title line (run_text.run writes its own), with `energies`
    in its [task.beam] (the last table)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weyl_tube_thermal_transport.toml")
    with open(path) as f:
        return "".join(line for line in f if not line.startswith("title =")) + f"energies = {energies}\n"


def main():
    bzint, png, energies = script_arguments("texture_weyl_tube_thermal_transport.png", "--energies", 21)
    with tempfile.TemporaryDirectory() as out:
        doc = run(bzint, run_file(energies), "weyl_tube_thermal", out)
    r, e = doc["results"], doc["errors"]
    energy = np.array(r["beam_energy"])
    each, each_error = np.array(r["conductivity_times_density_by_energy"]), np.array(e["conductivity_times_density_by_energy"])
    sigma, sigma_error = r["conductivity_times_density"][0][0], e["conductivity_times_density"][0][0]
    print(f"{len(energy)} energies with carriers, {len(r['packet_energy'])} packets in all; pocket_bottom = "
          f"{r['pocket_bottom']:.3g} ± {e['pocket_bottom']:.1g} (the node)")
    print_tensor("tubes at T", doc, "conductivity_times_density")
    print_tensor("tubes at T", doc, "resistivity_per_density")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    fine = np.linspace(0, energy.max(), 300)
    ax.plot(fine, 5 / 32 * fine ** 4 / (np.pi ** 1.5 * A * A * W), color="grey", lw=1,
            label="isotropic Weyl cone, (5/32) ε⁴/(π^1.5 A² w)")
    ax.errorbar(energy, each[:, 0, 0], yerr=each_error[:, 0, 0], fmt="o", ms=3, capsize=2, color="tab:blue",
                label="each energy's tubes, σ_xx(ε) n_i")
    ax.axhspan(sigma - sigma_error, sigma + sigma_error, color="tab:purple", alpha=0.25)
    ax.axhline(sigma, color="tab:purple", ls="--", lw=1, label=f"thermal average at k_B T = {T}")
    ax.set_xlabel("energy ε (μ = 0.05; the node at 0)")
    ax.set_ylabel("σ_xx n_i ((e²/h)/a³)")
    weight = ax.twinx()
    weight.fill_between(fine, 1 / (4 * T * np.cosh((fine - MU) / (2 * T)) ** 2), color="grey", alpha=0.15)
    weight.set_ylabel("−∂f/∂ε (grey)")
    ax.legend(fontsize=8, loc="upper left")
    ax = axes[1]
    colours = plt.cm.viridis(np.linspace(0, 1, len(energy)))
    for j, colour in enumerate(colours):
        slices = np.array(r["conductivity_times_density_by_slice"][j])
        ax.plot(r["slice_kz"][j], slices[:, 0, 0], "o-", ms=2, lw=1, color=colour)
    ax.set_yscale("log")
    ax.set_xlabel("k_z (1/a): each energy's slices (dark: low, light: high)")
    ax.set_ylabel("each slice's σ_xx n_i ((e²/h)/a²)")
    save_figure(fig, png)


if __name__ == "__main__":
    main()
