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
from matplotlib.ticker import MaxNLocator  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import run, save_figure, script_arguments, skyrmion_beam  # noqa: E402

ENERGY, PACKETS = 1.1, 65  # near the skyrmion's largest Hall angle (skyrmion_hall_angle.py)


def tensor(doc, key):
    return np.array(doc["results"][key]), np.array(doc["errors"][key])


def show(name, doc, key):
    value, error = tensor(doc, key)
    rows = "; ".join(", ".join(f"{v:.4f} ± {e:.1g}" for v, e in zip(vr, er)) for vr, er in zip(value, error))
    print(f"{name} {key}: [[{rows}]] {doc['units'][key].split(',')[0]}")


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
                show(name, doc, key)

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

    field = np.linspace(0, 2 * np.pi, 361)
    unit = np.array([np.cos(field), np.sin(field)])
    curves = (("skyrmions", docs["skyrmion"], "conductivity_times_density", "C0", "-"),
              ("antiskyrmions, randomly oriented", docs["antiskyrmion"], "conductivity_times_density", "C2", "--"),
              ("antiskyrmions, aligned", docs["antiskyrmion"], "aligned_conductivity_times_density", "C3", "-"))
    for label, doc, key, colour, line in curves:
        sigma, _ = tensor(doc, key)
        j = sigma @ unit
        right.plot(j[0], j[1], line, color=colour, label=label)
        right.plot(*(sigma @ [1.0, 0.0]), "o", color=colour, ms=4)  # E along x
    right.plot(0, 0, "k+")
    right.set_aspect("equal")
    right.xaxis.set_major_locator(MaxNLocator(5))
    right.set_xlabel("j_x n_i  ((e²/h)/L² per unit E)")
    right.set_ylabel("j_y n_i  ((e²/h)/L² per unit E)")
    right.set_title("current for a unit field in every direction (dots: E along x)")
    right.legend(fontsize=7, loc="lower left")
    save_figure(fig, png)


if __name__ == "__main__":
    main()
