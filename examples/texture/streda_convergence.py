"""The exact lattice's Streda response against the semiclassical one (docs/textures.md "A uniform
B_z: the magnetic torus").

With one flux quantum through an L x L box (B_z = 2 pi / L^2), runs bzint's task texture_lattice
with streda = true (kernel polynomial method: the density with and without the field, no
gradient expansion) and sets beside it
- for uniform qwz (u = -1): task streda's dn/dB (Eq. 45's Berry and orbital-moment terms);
- for qwz with a skyrmion lattice of period L (radius L/2, J = 0.4): the change of task
  texture_density's density (Eqs. 23 and 28 with a(r) of the field) over B_z / 2 pi, along the line
  y = L/2 from the cell's edge to the skyrmion's centre.
Plots the line at L = 32 and the largest difference against L, with the rates fitted over the
largest sizes. T = 0.1 throughout.

    python3 examples/texture/streda_convergence.py [build/bzint] [out.png]
"""
import math
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lattice_convergence import rate  # noqa: E402
from run_text import qwz_skyrmion_lattice, run, save_figure  # noqa: E402

SIZES = [8, 16, 32, 64, 128]
LEVELS = [0.0, 0.8]  # in the gap, in the upper band
UNIFORM_LEVELS = [0.0, 0.8, 1.5]
T = 0.1


def field(L):
    return f"B = {2 * math.pi / L ** 2!r}\n"


def exact_streda(bzint, model, L, positions, levels, out, tag):
    return run(bzint, model + field(L) + f"""[task]
kind = "texture_lattice"
box = [{L}, {L}]
twists = [{max(2, 64 // L)}, {max(2, 64 // L)}]
method = "kpm"
bound_charge = false
streda = true
mu = {levels}
T = {T}
r = {positions}
""", f"exact_{tag}", out)


def texture_line(bzint, L, out):
    """The exact and semiclassical local Streda responses along y = L/2, [position][level]."""
    positions = [[x, L // 2, 0] for x in range(0, L // 2 + 1, max(1, L // 16))]
    model = qwz_skyrmion_lattice(L)
    exact = exact_streda(bzint, model, L, positions, LEVELS, out, f"texture_{L}")
    semi_task = f"""[mesh]
n = [128, 128]
[task]
kind = "texture_density"
mu = {LEVELS}
T = {T}
r = {positions}
"""
    with_field = run(bzint, model + field(L) + semi_task, f"semiclassical_B_{L}", out)["results"]["density"]
    without = run(bzint, model + semi_task, f"semiclassical_0_{L}", out)["results"]["density"]
    B = 2 * math.pi / L ** 2
    semi = [[(with_field[a][j] - without[a][j]) * 2 * math.pi / B for j in range(len(LEVELS))] for a in range(len(positions))]
    return [p[0] for p in positions], exact["results"]["streda_local"], semi


def main():
    bzint = sys.argv[1] if len(sys.argv) > 1 else "build/bzint"
    png = sys.argv[2] if len(sys.argv) > 2 else "texture_streda_convergence.png"
    uniform_model = '[model]\nname = "qwz"\nu = -1.0\n[texture]\nkind = "uniform"\nexchange = 0.0\ndirection = [0, 0, 1]\n'
    texture_errors = {j: [] for j in range(len(LEVELS))}
    uniform_errors = {j: [] for j in range(len(UNIFORM_LEVELS))}
    line = None
    with tempfile.TemporaryDirectory() as out:
        # dn_dB is in e/h = 1/2pi (hbar = e = 1), so its number is 2 pi dn/dB.
        dn_dB = run(bzint, f'[model]\nname = "qwz"\nu = -1.0\n[mesh]\nn = [256, 256]\n[task]\nkind = "streda"\n'
                           f"mu = {UNIFORM_LEVELS}\nT = {T}\n", "semiclassical_uniform", out)["results"]["dn_dB"]
        for L in SIZES:
            x, exact, semi = texture_line(bzint, L, out)
            for j in range(len(LEVELS)):
                texture_errors[j].append(max(abs(exact[a][j] - semi[a][j]) for a in range(len(x))))
            uniform = exact_streda(bzint, uniform_model, L, [[0, 0, 0]], UNIFORM_LEVELS, out, f"uniform_{L}")
            for j in range(len(UNIFORM_LEVELS)):
                uniform_errors[j].append(abs(uniform["results"]["streda_local"][0][j] - dn_dB[j]))
            print(f"L = {L:3d} (B_z = {2 * math.pi / L ** 2:.3g}): texture " +
                  ", ".join(f"mu = {mu}: {texture_errors[j][-1]:.2e}" for j, mu in enumerate(LEVELS)) + "; uniform " +
                  ", ".join(f"mu = {mu}: {uniform_errors[j][-1]:.2e}" for j, mu in enumerate(UNIFORM_LEVELS)))
            if L == 32:
                line = (x, exact, semi)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    x, exact, semi = line
    for j, mu in enumerate(LEVELS):
        left.plot(x, [e[j] for e in exact], "o", color=f"C{j}", ms=4, label=f"exact lattice, $\\mu$ = {mu}")
        left.plot(x, [s[j] for s in semi], "-", color=f"C{j}", label="semiclassical, Eqs. 23, 28")
    left.set_xlabel("x (lattice constants; centre at 16)")
    left.set_ylabel("$(n_B - n_0)/(B_z/2\\pi)$")
    left.set_title("skyrmion lattice, L = 32, one flux quantum per period", fontsize=10)
    left.legend(fontsize=7)
    tail = SIZES.index(32)
    for j, mu in enumerate(LEVELS):
        p = rate(SIZES[tail:], texture_errors[j][tail:])
        right.loglog(SIZES, texture_errors[j], "o-", color=f"C{j}", ms=4, label=f"texture, $\\mu$ = {mu}: $L^{{-{p:.2f}}}$")
    for j, mu in enumerate(UNIFORM_LEVELS):
        if mu == 0.0:
            continue  # in the gap both are 1 - 7e-4 and agree to 1e-8: no rate to fit
        p = rate(SIZES[tail:], uniform_errors[j][tail:])
        right.loglog(SIZES, uniform_errors[j], "x:", color=f"C{j + 2}", ms=5,
                     label=f"uniform vs task streda, $\\mu$ = {mu}: $L^{{-{p:.2f}}}$")
    right.loglog(SIZES, [3.0 / L ** 2 for L in SIZES], "-", color="0.7", lw=0.8, label="$L^{-2} \\propto B_z$")
    right.set_xlabel("L (box and texture period; $B_z = 2\\pi/L^2$)")
    right.set_ylabel("max |semiclassical - exact|")
    right.legend(fontsize=7)
    save_figure(fig, png)


if __name__ == "__main__":
    main()
