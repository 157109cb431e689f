"""The semiclassical density of a skyrmion lattice against the exact lattice reference
(docs/textures.md "The exact lattice reference").

For qwz (u = -1) with one skyrmion per L x L cells (radius L/2, J = 0.4, T = 0.1), runs bzint's
task texture_lattice (kernel polynomial method; no gradient expansion) and task texture_density
(the gradient expansion's Eqs. 23 and 28, and the density without them) along the line y = L/2
from the cell's edge to the skyrmion's centre, and plots the largest difference on that line
against L, with the rate fitted over the largest sizes. With `qwz_pair` as the third argument, the
same for the four-band qwz_pair (u1 = -1, u2 = 1.2, g = 0.2; the N-band forms of Eqs. 23, 28).

    python3 examples/texture/lattice_convergence.py [build/bzint] [out.png] [qwz | qwz_pair]
"""
import math
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_text import QWZ, QWZ_PAIR, exact_and_semiclassical, qwz_skyrmion_lattice, save_figure  # noqa: E402

# Per model: its [model] body, the sizes L, and the levels (in the gap, in the upper band).
MODELS = {"qwz": (QWZ, [8, 12, 16, 24, 32, 48, 64, 96, 128], [0.0, 0.8]),
          "qwz_pair": (QWZ_PAIR, [8, 12, 16, 24, 32, 48, 64, 96, 128], [0.0, 1.0])}


def positions(L):
    step = max(1, L // 16)
    return [[x, L // 2, 0] for x in range(0, L // 2 + 1, step)]


def twists(L):
    """Even, and at least 48 / L: the box's spectrum then samples the zone at least 48 x 48 times."""
    return max(2, 2 * (32 // L))


def densities(bzint, model, L, levels, out):
    return exact_and_semiclassical(bzint, qwz_skyrmion_lattice(L, model), L, positions(L), levels, 0.1, twists(L), 128, out,
                                   str(L))


def rate(sizes, errors):
    """The exponent p of error ~ L^-p by least squares in log-log over the given points."""
    xs = [math.log(L) for L in sizes]
    ys = [math.log(e) for e in errors]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return -sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main():
    bzint = sys.argv[1] if len(sys.argv) > 1 else "build/bzint"
    png = sys.argv[2] if len(sys.argv) > 2 else "texture_lattice_convergence.png"
    name = sys.argv[3] if len(sys.argv) > 3 else "qwz"
    if name not in MODELS:
        sys.exit(f"model '{name}' is not one of {', '.join(MODELS)}")
    model, SIZES, LEVELS = MODELS[name]
    errors = {(j, kind): [] for j in range(len(LEVELS)) for kind in ("corrected", "plain")}
    line = None
    with tempfile.TemporaryDirectory() as out:
        for L in SIZES:
            exact, semi = densities(bzint, model, L, LEVELS, out)
            ne, ns, nu = exact["results"]["density"], semi["results"]["density"], semi["results"]["density_uncorrected"]
            worst_estimate = max(max(e) for e in exact["errors"]["density"]) + max(max(e) for e in semi["errors"]["density"])
            for j in range(len(LEVELS)):
                errors[(j, "corrected")].append(max(abs(ns[a][j] - ne[a][j]) for a in range(len(ne))))
                errors[(j, "plain")].append(max(abs(nu[a][j] - ne[a][j]) for a in range(len(ne))))
            print(f"L = {L:3d}: max |n_sc - n_exact| = " +
                  ", ".join(f"{errors[(j, 'corrected')][-1]:.2e} (mu = {mu}; without Eqs. 23, 28: "
                            f"{errors[(j, 'plain')][-1]:.2e})" for j, mu in enumerate(LEVELS)) +
                  f"; both sides' own estimates <= {worst_estimate:.1e}")
            if L == 32:
                line = ([p[0] for p in exact["results"]["r"]], ne, ns, nu)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    x, ne, ns, nu = line
    for j, mu in enumerate(LEVELS):
        c = f"C{j}"
        left.plot(x, [n[j] for n in ne], "o", color=c, ms=4, label=f"exact lattice, $\\mu$ = {mu}")
        left.plot(x, [n[j] for n in ns], "-", color=c, label="semiclassical, Eqs. 23, 28")
        left.plot(x, [n[j] for n in nu], ":", color=c, label="without the gradient corrections")
    left.set_xlabel("x (lattice constants; centre at 16)")
    left.set_ylabel("density (electrons per cell)")
    left.set_title(f"{name}, L = 32, along y = L/2", fontsize=10)
    left.legend(fontsize=7)
    tail = SIZES.index(32)
    for j, mu in enumerate(LEVELS):
        for kind, style, name in (("corrected", "o-", "Eqs. 23, 28"), ("plain", "x:", "uncorrected")):
            e = errors[(j, kind)]
            p = rate(SIZES[tail:], e[tail:])
            right.loglog(SIZES, e, style, color=f"C{j}", ms=4, label=f"{name}, $\\mu$ = {mu}: $L^{{-{p:.2f}}}$")
    right.loglog(SIZES, [0.3 / L for L in SIZES], "-", color="0.7", lw=0.8, label="$L^{-1}$, $L^{-2}$")
    right.loglog(SIZES, [2.0 / L ** 2 for L in SIZES], "-", color="0.7", lw=0.8)
    right.set_xlabel("skyrmion-lattice period L (lattice constants)")
    right.set_ylabel("max |n_semiclassical - n_exact|")
    right.legend(fontsize=7)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
