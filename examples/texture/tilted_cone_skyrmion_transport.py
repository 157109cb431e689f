"""The transport of dilute aligned skyrmions in a tilted Dirac cone, an anisotropic band, from beams
of wave packets sent from many directions (docs/textures.md "Aligned scatterers").

tilted_dirac (v = 1, Delta = 0.5) with the isolated Neel skyrmion of skyrmion_beam.toml (R = 10,
J = 0.3), untilted (t = 0: dirac2d's band, isotropic) and tilted (t = 0.3 along x: the contour at
the beam's energy is an egg, its radius of curvature changing with the velocity's direction). bzint
heads every packet of a beam along its direction (on the tilted band its momentum's ray from k_0 is
turned to find where the velocity is along d) and weighs each direction of the collision kernel by
the contour's radius of curvature there (contour_curvature_radius). The left panel draws each
direction's transport and skew cross-sections and that radius; the right one the current times
the scatterers' density, j n_i = (sigma n_i) E, for a unit field E turning through every direction:
a circle turned by the Hall angle on the isotropic band, an ellipse on the tilted one, and beside
it the circle of the isotropic band's formula from the averaged cross-sections
(conductivity_times_density), which does not hold on the tilted band: its estimate, widened by the
contour's anisotropy, says so.

    python3 examples/texture/tilted_cone_skyrmion_transport.py [build/bzint] [out.png] [--directions D]
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

ENERGY, PACKETS, TILT = 1.1, 65, 0.3


def tilted(tilt):
    """skyrmion_beam's run file with tilted_dirac (t = tilt, v = 1, Delta = 0.5) for dirac2d."""
    return f'name = "tilted_dirac"\nt = {tilt}\nv = 1.0\nDelta = 0.5\n'


def main():
    bzint, png, directions = script_arguments("texture_tilted_cone_skyrmion_transport.png", "--directions", 32)
    beam = f"directions = {directions}\ntarget = [0, 0]\n"
    docs = {}
    with tempfile.TemporaryDirectory() as out:
        for name, tilt in (("untilted", 0.0), ("tilted", TILT)):
            dirac2d = 'name = "dirac2d"\nv = 1.0\nm = 0.5\n'
            text = skyrmion_beam(ENERGY, PACKETS, beam)
            if dirac2d not in text:
                sys.exit("run_text.skyrmion_beam's model is no longer dirac2d (v = 1, m = 0.5): update this script")
            text = text.replace(dirac2d, tilted(tilt))
            docs[name] = run(bzint, text, name, out)
    for name, doc in docs.items():
        for warning in doc["warnings"]:
            print(f"{name}: warning: {warning}")
        if "aligned_conductivity_times_density" not in doc["results"]:
            sys.exit(f"{name}: no aligned transport (at least 16 directions; the warnings say why)")
        r, e = doc["results"], doc["errors"]
        radius, transport = np.array(r["contour_curvature_radius"]), np.array(r["transport_cross_section_by_direction"])
        print(f"{name}: contour_anisotropy {r['contour_anisotropy']:.3f} (1); contour_curvature_radius from "
              f"{radius.min():.3f} to {radius.max():.3f} 1/L (estimates up to {np.max(e['contour_curvature_radius']):.1g}); "
              f"transport_cross_section_by_direction from {transport.min():.3f} to {transport.max():.3f} L")
        for key in ("conductivity_times_density", "aligned_conductivity_times_density", "aligned_resistivity_per_density"):
            if key in doc["results"]:
                print_tensor(name, doc, key)

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))
    radius_axis = left.twinx()
    for name, style in (("untilted", "o"), ("tilted", "s")):
        r, e = docs[name]["results"], docs[name]["errors"]
        angle = np.mod(np.array(r["incidence_angle"]), 2 * np.pi)
        order = np.argsort(angle)
        fill = "white" if name == "tilted" else None
        for key, colour in (("transport_cross_section_by_direction", "C0"), ("skew_cross_section_by_direction", "C3")):
            left.errorbar(angle[order], np.array(r[key])[order], yerr=np.array(e[key])[order], fmt=style + "-", ms=3,
                          color=colour, mfc=fill or colour,
                          label=f"{name}: {'sigma_tr' if 'transport' in key else 'sigma_perp'}")
        radius_axis.plot(angle[order], np.array(r["contour_curvature_radius"])[order], style + ":", ms=3, color="C2",
                         mfc=fill or "C2", label=f"{name}: R")
    left.axhline(0, color="grey", lw=0.5)
    left.set_xlabel("velocity's angle, the incidence angle (rad)")
    left.set_ylabel("cross-section (L)")
    radius_axis.set_ylabel("contour's radius of curvature R (1/L)", color="C2")
    left.set_title(f"beams at energy {ENERGY} (the parameters' unit), {directions} directions")
    left.legend(fontsize=7, loc="upper left")
    radius_axis.legend(fontsize=7, loc="upper right")

    aligned, isotropic = "aligned_conductivity_times_density", "conductivity_times_density"
    plot_currents(right, (
        ("untilted (isotropic)", docs["untilted"]["results"][aligned], "C0", "-"),
        (f"tilted t = {TILT}, aligned kernel", docs["tilted"]["results"][aligned], "C3", "-"),
        (f"tilted t = {TILT}, isotropic formula", docs["tilted"]["results"][isotropic], "C2", "--")))
    save_figure(fig, png)


if __name__ == "__main__":
    main()
