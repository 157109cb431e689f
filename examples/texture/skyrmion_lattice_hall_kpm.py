"""The Hall conductivity of a large skyrmion box by the kernel polynomial method against the dense
solver (docs/textures.md "The Hall conductivity by the kernel polynomial method").

qwz (u = -1) with skyrmions of radius 4 per 8 x 8 cells (J = 0.4, Bloch) at T = 0.2:
- a 32 x 32 box (16 skyrmions, 2048 orbitals, beyond the dense solver's 800) on 2 x 2 twists, by the
  Kubo-Bastin formula with a Lorentzian broadening eta = 0.2, its trace over 16 random-phase vectors
  per twist (method = "kpm"), for two seeds;
- one skyrmion's 8 x 8 box on the 8 x 8 twists that the large box's 2 x 2 fold onto, by the dense
  solver with the same eta: the same quantity exactly, up to the random trace's noise;
- the same dense box without broadening (the clean Kubo formula), to show what eta changes.
Left: sigma_xy(mu) of the three (seed 1); right: the kernel polynomial result minus the dense one at
the same eta for both seeds, with the trace's reported standard error.

    python3 examples/texture/skyrmion_lattice_hall_kpm.py [build/bzint] [out.png]
"""
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import lattice_hall, qwz_skyrmion_lattice, save_figure  # noqa: E402

T = 0.2
ETA = 0.2
LEVELS = "{from = -3.2, to = 3.2, count = 17}"  # at most 17 levels


def main():
    bzint = sys.argv[1] if len(sys.argv) > 1 else "build/bzint"
    png = sys.argv[2] if len(sys.argv) > 2 else "texture_skyrmion_lattice_hall_kpm.png"
    model = qwz_skyrmion_lattice(8)
    with tempfile.TemporaryDirectory() as out:
        kpm, kpm2 = (lattice_hall(bzint, model, 32, 2, LEVELS, T, out, f"kpm_32_seed_{seed}",
                                  f'method = "kpm"\nbroadening = {ETA}\nrandom_vectors = 16\nseed = {seed}\n') for seed in (1, 2))
        dense = lattice_hall(bzint, model, 8, 8, LEVELS, T, out, "dense_8", f"broadening = {ETA}\n")
        clean = lattice_hall(bzint, model, 8, 8, LEVELS, T, out, "clean_8")
    mu = kpm["results"]["mu"]
    s_kpm, e_kpm = kpm["results"]["sigma_xy"], kpm["errors"]["sigma_xy"]
    se = kpm["results"]["sigma_xy_stochastic_error"]
    s_dense, s_clean = dense["results"]["sigma_xy"], clean["results"]["sigma_xy"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot(mu, s_clean, "-", color="0.6", label="8 x 8 box, 8$^2$ twists, dense, $\\eta$ = 0")
    left.plot(mu, s_dense, "s-", ms=3, color="C1", label=f"8 x 8 box, 8$^2$ twists, dense, $\\eta$ = {ETA}")
    left.errorbar(mu, s_kpm, yerr=e_kpm, fmt="o", ms=3, capsize=2, color="C0",
                  label=f"32 x 32 box, 2$^2$ twists, kpm, $\\eta$ = {ETA}, 16 vectors")
    left.set_xlabel("$\\mu$ (qwz energy unit)")
    left.set_ylabel("$\\sigma_{xy}$ ($e^2/h$)")
    left.set_title(f"qwz u = -1, skyrmions J = 0.4 per 8 x 8, T = {T}", fontsize=10)
    left.legend(fontsize=7)
    for doc, shift, label in ((kpm, -0.03, "seed 1"), (kpm2, 0.03, "seed 2")):
        r = doc["results"]
        right.errorbar([m + shift for m in mu], [a - b for a, b in zip(r["sigma_xy"], s_dense)], yerr=r["sigma_xy_stochastic_error"],
                       fmt="o", ms=3, capsize=2, label=label)
    right.legend(fontsize=7)
    right.axhline(0.0, color="0.7", lw=0.8)
    right.set_xlabel("$\\mu$")
    right.set_ylabel("kpm $-$ dense, same $\\eta$ ($e^2/h$)")
    right.set_title("the random trace's noise, two seeds (bars: one standard error)", fontsize=10)
    save_figure(fig, png)
    print(f"moments {kpm['results']['hall_moments']}, series bound {kpm['results']['hall_series_error']:.2g}")
    for m, a, e, s, a2, b, c in zip(mu, s_kpm, e_kpm, se, kpm2["results"]["sigma_xy"], s_dense, s_clean):
        print(f"mu = {m:5.2f}: kpm {a:8.4f} +- {e:.4f} (trace {s:.4f}; seed 2: {a2:8.4f}), dense {b:8.4f}, clean {c:8.4f}")


if __name__ == "__main__":
    main()
