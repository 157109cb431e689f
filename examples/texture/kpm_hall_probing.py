"""The kernel polynomial Hall conductivity's trace: plain random-phase vectors against probing
(docs/textures.md "The Hall conductivity by the kernel polynomial method", "The trace").

The box of skyrmion_lattice_hall_kpm.toml: qwz (u = -1) with four skyrmions (period 8, J = 0.4) on a
16 x 16 box, 512 orbitals, 2 x 2 twists, eta = 0.3, T = 0.1, at mu = -1, 0, 1. Its exact trace (every
orbital) is the reference. Against it, for seeds 1-6 (1-3 at 256 vectors):
- trace = "stochastic" with 16, 64 and 256 random-phase vectors per twist;
- trace = "probing" with probing_distance d = 2, 4, 8 and 2 draws: 2 d^2 colours x 2 = 16, 64 and 256
  start vectors per twist, the same work.
Left: the rms deviation from the exact trace over seeds and levels, and the mean reported standard
error, against the start vectors per twist. Right: each run's deviation over its reported standard
error (a calibrated error puts ~2/3 of them within 1; a seed's three levels share its vectors, so
they move together).

    python3 examples/texture/kpm_hall_probing.py [build/bzint] [out.png]

About 9 minutes on two cores (the exact trace alone about 70 s).
"""
import math
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import lattice_hall, qwz_skyrmion_lattice, save_figure  # noqa: E402

ETA, T, MU = 0.3, 0.1, "[-1.0, 0.0, 1.0]"
SEEDS = {16: range(1, 7), 64: range(1, 7), 256: range(1, 4)}
PLAIN = (16, 64, 256)  # random vectors per twist
DISTANCES = (2, 4, 8)  # 2 orbitals x d^2 colours x 2 draws = the same counts


def main():
    bzint = sys.argv[1] if len(sys.argv) > 1 else "build/bzint"
    png = sys.argv[2] if len(sys.argv) > 2 else "texture_kpm_hall_probing.png"
    model = qwz_skyrmion_lattice(8)
    base = f'method = "kpm"\nbroadening = {ETA}\n'
    with tempfile.TemporaryDirectory() as out:
        exact = lattice_hall(bzint, model, 16, 2, MU, T, out, "exact", base + 'trace = "exact"\n')["results"]["sigma_xy"]
        runs = {"stochastic": [], "probing": []}
        for n, d in zip(PLAIN, DISTANCES):
            for kind, extra in (("stochastic", f"random_vectors = {n}\n"),
                                ("probing", f'trace = "probing"\nprobing_distance = [{d}, {d}]\n')):
                docs = [lattice_hall(bzint, model, 16, 2, MU, T, out, f"{kind}_{n}_{seed}", base + extra + f"seed = {seed}\n")["results"]
                        for seed in SEEDS[n]]
                runs[kind].append(docs)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    for kind, colour in (("stochastic", "C0"), ("probing", "C1")):
        rms, se, z = [], [], []
        for docs in runs[kind]:
            dev = [r["sigma_xy"][j] - exact[j] for r in docs for j in range(3)]
            err = [r["sigma_xy_stochastic_error"][j] for r in docs for j in range(3)]
            rms.append(math.sqrt(sum(x * x for x in dev) / len(dev)))
            se.append(sum(err) / len(err))
            z.append([a / b for a, b in zip(dev, err)])
        label = "random-phase vectors" if kind == "stochastic" else "probing, d = 2, 4, 8"
        left.loglog(PLAIN, rms, "o-", color=colour, label=f"{label}: rms deviation")
        left.loglog(PLAIN, se, "s--", color=colour, mfc="none", label=f"{label}: reported standard error")
        for i, (n, zs) in enumerate(zip(PLAIN, z)):
            shift = 1.06 if kind == "probing" else 0.94
            right.semilogx([n * shift] * len(zs), zs, "o", ms=3, color=colour, label=label if i == 0 else None)
        for n, a, b in zip(PLAIN, rms, se):
            print(f"{kind:10s} {n:4d} vectors per twist: rms deviation {a:.4f}, mean standard error {b:.4f} e^2/h")
    left.set_xlabel("start vectors per twist")
    left.set_ylabel("$\\sigma_{xy}$ error ($e^2/h$)")
    left.set_title(f"qwz skyrmions on a 16 x 16 box, $\\eta$ = {ETA}, T = {T}", fontsize=10)
    left.legend(fontsize=7)
    right.axhspan(-1, 1, color="0.9")
    right.axhline(0.0, color="0.6", lw=0.8)
    right.set_xlabel("start vectors per twist")
    right.set_ylabel("deviation / reported standard error")
    right.set_title("6 seeds (3 at 256) x 3 levels per point", fontsize=10)
    right.legend(fontsize=7)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
