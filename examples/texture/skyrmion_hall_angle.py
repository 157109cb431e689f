"""The Hall angle of dilute skyrmions against the carriers' energy, from beams of wave packets
(docs/textures.md "A beam of packets and its cross-sections").

dirac2d (v = 1, m = 0.5) with the isolated Neel skyrmion of skyrmion_beam.toml (R = 10, J = 0.3):
far from it the upper band starts at m + J = 0.8. At each energy a beam of packets of the upper
band crosses the skyrmion (task trajectories with [task] beam); bzint reports the transport and
skew cross-sections and the Hall angle atan2(skew, transport) of dilute, independent skyrmions in
Boltzmann theory, each with its error estimate (drawn as error bars), and the resistivity they give
per skyrmion (rho_xx/n_i and the topological Hall rho_yx/n_i, in h/e^2 times L^2, at T = 0 with the
beam's energy as the Fermi energy). The skew comes from the texture's Berry curvature alone (the
band energy is mirror-symmetric).

    python3 examples/texture/skyrmion_hall_angle.py [build/bzint] [out.png] [--packets P]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import run, save_figure, script_arguments, skyrmion_beam  # noqa: E402

ENERGIES = [0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.3, 1.4, 1.6, 2.0]


def main():
    bzint, png, packets = script_arguments("texture_skyrmion_hall_angle.png", "--packets", 129)
    keys = ("transport_cross_section", "skew_cross_section", "hall_angle")
    value = {k: [] for k in keys}
    error = {k: [] for k in keys}
    with tempfile.TemporaryDirectory() as out:
        for e in ENERGIES:
            doc = run(bzint, skyrmion_beam(e, packets), f"beam_{e:g}", out)
            for k in keys:
                value[k].append(doc["results"][k])
                error[k].append(doc["errors"][k])
            for k, (i, j) in (("rho_xx", (0, 0)), ("rho_yx", (1, 0))):
                value.setdefault(k, []).append(doc["results"]["resistivity_per_density"][i][j])
                error.setdefault(k, []).append(doc["errors"]["resistivity_per_density"][i][j])
            print(f"energy {e:g}: sigma_tr = {value[keys[0]][-1]:.4f} +- {error[keys[0]][-1]:.1e} L, "
                  f"sigma_perp = {value[keys[1]][-1]:.4f} +- {error[keys[1]][-1]:.1e} L, "
                  f"Hall angle = {value[keys[2]][-1]:.4f} +- {error[keys[2]][-1]:.1e} rad, "
                  f"rho_xx/n_i = {value['rho_xx'][-1]:.3f} +- {error['rho_xx'][-1]:.1e}, "
                  f"rho_yx/n_i = {value['rho_yx'][-1]:.4f} +- {error['rho_yx'][-1]:.1e} (h/e^2) L^2 "
                  f"({len(doc['results']['impact_parameter'])} packets)")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for k, label in ((keys[0], "transport σ_tr"), (keys[1], "skew σ_⊥")):
        axes[0].errorbar(ENERGIES, value[k], yerr=error[k], fmt="o-", ms=3, capsize=2, label=label)
    axes[0].axhline(0.0, color="grey", lw=0.5)
    axes[0].set_xlabel("energy of the packets (band edge 0.8)")
    axes[0].set_ylabel("cross-section (L)")
    axes[0].legend(fontsize=8)
    axes[1].errorbar(ENERGIES, value[keys[2]], yerr=error[keys[2]], fmt="o-", ms=3, capsize=2, color="tab:red")
    axes[1].axhline(0.0, color="grey", lw=0.5)
    axes[1].set_xlabel("energy of the packets (band edge 0.8)")
    axes[1].set_ylabel("Hall angle θ_H (rad)")
    axes[1].set_title("dilute skyrmions (R = 10, J = 0.3) on dirac2d (m = 0.5)", fontsize=9)
    for k, label in (("rho_xx", "ρ_xx/n_i"), ("rho_yx", "ρ_yx/n_i (topological Hall)")):
        axes[2].errorbar(ENERGIES, value[k], yerr=error[k], fmt="o-", ms=3, capsize=2, label=label)
    axes[2].axhline(0.0, color="grey", lw=0.5)
    axes[2].set_xlabel("Fermi energy (band edge 0.8)")
    axes[2].set_ylabel("resistivity per skyrmion ((h/e²) L²)")
    axes[2].set_yscale("symlog", linthresh=1.0)
    axes[2].legend(fontsize=8)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
