"""The Boltzmann transport of dilute skyrmions at a temperature, from beams of wave packets at the
thermal window's energies (docs/textures.md "The transport at T > 0").

dirac2d (v = 1, m = 0.5) with the isolated Neel skyrmion of skyrmion_beam.toml (R = 10, J = 0.3):
far from it the upper band starts at m + J = 0.8. With [task.beam] temperature = k_B T the beam's
energy is the chemical potential mu, and bzint runs the beam at 21 energies mu + k_B T x_j
(|x_j| <= 10): each gives the T = 0 conductivity sigma(e) n_i of dilute skyrmions, and their
average against -df/de is sigma(T) n_i; rho(T)/n_i is its inverse (not the average of the
energies' resistivities). The left panel draws sigma_xx(e) n_i and the Hall part sigma_yx(e) n_i
with the thermal weight and the averages (bands: their error estimates); the right one the
topological Hall resistivity per skyrmion rho_yx(e)/n_i of each energy against rho_yx(T)/n_i.

With --mu 1.0 the window (0.6 to 1.4) reaches below the band's bottom, 0.8: bzint finds the
pocket's bottom, runs no beam at the energies at or below it (no carriers: sigma = 0 there), and
the figure marks it (dotted).

    python3 examples/texture/thermal_skyrmion_transport.py [build/bzint] [out.png] [--packets P] [--mu MU]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import run, save_figure, script_arguments, skyrmion_beam  # noqa: E402

KT = 0.04  # with mu = 1.3, mu - 10 k_B T = 0.9 stays above the band's bottom, 0.8


def chemical_potential():
    """--mu MU (default 1.3), taken out of the command line."""
    if "--mu" not in sys.argv:
        return 1.3
    i = sys.argv.index("--mu")
    mu = float(sys.argv[i + 1])
    del sys.argv[i:i + 2]
    return mu


def main():
    MU = chemical_potential()
    bzint, png, packets = script_arguments("texture_thermal_skyrmion_transport.png", "--packets", 129)
    with tempfile.TemporaryDirectory() as out:
        doc = run(bzint, skyrmion_beam(MU, packets, f"temperature = {KT}\n"), "thermal_beam", out)
    r, e = doc["results"], doc["errors"]
    energy, weight = np.array(r["beam_energy"]), np.array(r["thermal_weight"])
    sigma, sigma_error = np.array(r["conductivity_times_density_by_energy"]), np.array(e["conductivity_times_density_by_energy"])
    rho, rho_error = np.array(r["resistivity_per_density_by_energy"]), np.array(e["resistivity_per_density_by_energy"])
    thermal, thermal_error = np.array(r["conductivity_times_density"]), np.array(e["conductivity_times_density"])
    rho_t, rho_t_error = np.array(r["resistivity_per_density"]), np.array(e["resistivity_per_density"])
    middle = int(np.argmin(np.abs(energy - MU)))  # mu itself
    print(f"mu = {MU} and k_B T = {KT} (energy unit of dirac2d), {len(energy)} energies, "
          f"{len(r['packet_energy'])} packets in all")
    bottom = r.get("pocket_bottom")
    if bottom is not None:
        print(f"the window reaches the pocket's bottom {bottom:.6g} +- {e['pocket_bottom']:.1e}: "
              f"its energies below it (weight {r['thermal_weight_below_bottom']:.4f}) have no carriers")
    for name, (i, j) in (("xx", (0, 0)), ("yx", (1, 0))):
        print(f"sigma_{name} n_i = {thermal[i, j]:.5g} +- {thermal_error[i, j]:.1e} (e^2/h) / L^2 at T "
              f"(at T = 0: {sigma[middle, i, j]:.5g} +- {sigma_error[middle, i, j]:.1e}); "
              f"rho_{name}/n_i = {rho_t[i, j]:.5g} +- {rho_t_error[i, j]:.1e} (h/e^2) L^2 at T "
              f"(at T = 0: {rho[middle, i, j]:.5g} +- {rho_error[middle, i, j]:.1e})")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    for (i, j), label, colour in (((0, 0), "σ_xx(ε) n_i", "tab:blue"), ((1, 0), "σ_yx(ε) n_i (Hall)", "tab:red")):
        ax.errorbar(energy, sigma[:, i, j], yerr=sigma_error[:, i, j], fmt="o", ms=3, capsize=2, color=colour, label=label)
        ax.axhspan(thermal[i, j] - thermal_error[i, j], thermal[i, j] + thermal_error[i, j], color=colour, alpha=0.25)
        ax.axhline(thermal[i, j], color=colour, lw=1, ls="--")
    ax.set_xlabel(f"energy ε (μ = {MU}, k_B T = {KT})")
    ax.set_ylabel("conductivity × density ((e²/h)/L²); dashed: at T")
    ax.legend(fontsize=8, loc="center left")
    twin = ax.twinx()
    twin.plot(energy, weight / (energy[1] - energy[0]), color="grey", lw=1)
    twin.set_ylabel("−∂f/∂ε (grey)")
    twin.set_ylim(bottom=0)
    if bottom is not None:
        for a in axes:
            a.axvline(bottom, color="black", lw=1, ls=":", label="the pocket's bottom (no carriers below)")
            a.set_xlim(MU - 10 * KT - KT, MU + 10 * KT + KT)
    ax = axes[1]
    ax.errorbar(energy, rho[:, 1, 0], yerr=rho_error[:, 1, 0], fmt="o", ms=3, capsize=2, color="tab:red",
                label="ρ_yx(ε)/n_i, each energy at T = 0")
    ax.axhspan(rho_t[1, 0] - rho_t_error[1, 0], rho_t[1, 0] + rho_t_error[1, 0], color="tab:red", alpha=0.25)
    ax.axhline(rho_t[1, 0], color="tab:red", lw=1, ls="--", label="ρ_yx(T)/n_i = inverse of σ(T) n_i")
    ax.set_xlabel("energy ε")
    ax.set_ylabel("topological Hall resistivity per skyrmion ((h/e²) L²)")
    ax.set_title("dilute skyrmions (R = 10, J = 0.3) on dirac2d (m = 0.5)", fontsize=9)
    ax.legend(fontsize=8)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
