"""The transport of dilute aligned antiskyrmions against skyrmions, from beams of wave packets sent
from many directions (docs/textures.md "Aligned scatterers").

dirac2d (v = 1, m = 0.5) with the isolated Neel skyrmion of skyrmion_beam.toml (R = 10, J = 0.3),
and the same with winding -1: an antiskyrmion, whose in-plane angle turns against the position's.
A rotation of positions and spins together, the symmetry of dirac2d, leaves a skyrmion as it is
but turns an antiskyrmion's helicity by twice the angle, so its cross-sections depend on the
direction of incidence (period pi). bzint runs the beam from D directions (default 32) and gives
both the direction-averaged transport (conductivity_times_density: randomly oriented scatterers)
and, from the whole collision kernel, that of scatterers all in the given orientation
(aligned_conductivity_times_density). The left panel draws each direction's transport and skew
cross-sections; the right one the current times the scatterers' density, j n_i = (sigma n_i) E, for
a unit field E turning through every direction: a circle turned by the Hall angle for isotropic
transport, an ellipse for aligned antiskyrmions.

    python3 examples/texture/aligned_antiskyrmion_transport.py [build/bzint] [out.png] [--directions D]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import plot_currents, print_tensor, run, save_figure, script_arguments, skyrmion_beam  # noqa: E402

ENERGY, PACKETS = 1.1, 65  # near the skyrmion's largest Hall angle (skyrmion_hall_angle.py)


def main():
    bzint, png, directions = script_arguments("texture_aligned_antiskyrmion_transport.png", "--directions", 32)
    beam = f"directions = {directions}\ntarget = [0, 0]\n"
    docs = {}
    with tempfile.TemporaryDirectory() as out:
        for name, winding in (("skyrmion", 1), ("antiskyrmion", -1)):
            docs[name] = run(bzint, skyrmion_beam(ENERGY, PACKETS, beam, f"winding = {winding}\n"), name, out)
    for name, doc in docs.items():
        for warning in doc["warnings"]:
            print(f"{name}: warning: {warning}")
        if "aligned_conductivity_times_density" not in doc["results"]:
            sys.exit(f"{name}: no aligned transport (at least 16 directions; the warnings say why)")
        for key in ("conductivity_times_density", "aligned_conductivity_times_density", "aligned_resistivity_per_density"):
            if key in doc["results"]:
                print_tensor(name, doc, key)

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
    for name, doc, style in (("skyrmion", docs["skyrmion"], "o"), ("antiskyrmion", docs["antiskyrmion"], "s")):
        r, e = doc["results"], doc["errors"]
        angle = np.mod(np.array(r["incidence_angle"]), 2 * np.pi)
        order = np.argsort(angle)
        for key, colour in (("transport_cross_section_by_direction", "C0"), ("skew_cross_section_by_direction", "C3")):
            left.errorbar(angle[order], np.array(r[key])[order], yerr=np.array(e[key])[order], fmt=style + "-", ms=3,
                          color=colour, mfc="white" if name == "antiskyrmion" else colour,
                          label=f"{name}: {'sigma_tr' if 'transport' in key else 'sigma_perp'}")
    left.axhline(0, color="grey", lw=0.5)
    left.set_xlabel("incidence angle (rad)")
    left.set_ylabel("cross-section (L)")
    left.set_title(f"beams at energy {ENERGY} (the parameters' unit), {directions} directions")
    left.legend(fontsize=7)

    plot_currents(right, (
        ("skyrmions", docs["skyrmion"]["results"]["conductivity_times_density"], "C0", "-"),
        ("antiskyrmions, randomly oriented", docs["antiskyrmion"]["results"]["conductivity_times_density"], "C2", "--"),
        ("antiskyrmions, aligned", docs["antiskyrmion"]["results"]["aligned_conductivity_times_density"], "C3", "-")))
    save_figure(fig, png)


if __name__ == "__main__":
    main()
