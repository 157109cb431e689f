"""The second Chern number of the lattice Dirac model across its mass (docs/second-chern.md).

Runs bzint's task second_chern for qhz at masses from -5.5 to 5.5 on 16^4 points and plots the
integral and the lattice method (an integer: half the square of c1 minus the zeros of a
section), with their error estimates, against the closed form
C2(m) = sum over K in {0, pi}^4 with m + sum(cos K) < 0 of prod(cos K).

    python3 examples/second_chern/phase_diagram.py [build/bzint] [out.png]
"""
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def closed_form(m):
    total = 0.0
    for K in itertools.product((1.0, -1.0), repeat=4):
        if m + sum(K) < 0:
            total += math.prod(K)
    return total


def run(bzint, m, out):
    subprocess.run([bzint, "run", os.path.join(HERE, "qhz.toml"), "--set", f"model.m={m}", "--set",
                    "task.n=[16, 16, 16, 16]", "--set", "task.lattice=true", "--set", f"title=qhz_m{m:+.2f}", "--out",
                    out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, f"qhz_m{m:+.2f}.json")) as f:
        doc = json.load(f)
    return doc["results"], doc["errors"]


def main():
    bzint = sys.argv[1] if len(sys.argv) > 1 else "build/bzint"
    png = sys.argv[2] if len(sys.argv) > 2 else "second_chern_phase_diagram.png"
    masses = [-5.5 + 0.5 * i for i in range(23) if abs(-5.5 + 0.5 * i) not in (0.0, 2.0, 4.0)]
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for m in masses:
            r, e = run(bzint, m, out)
            rows.append((m, r["second_chern"], e["second_chern"], r["second_chern_lattice"], e["second_chern_lattice"]))
            print(f"m = {m:+.2f}: C2 = {r['second_chern']:+.6f} ± {e['second_chern']:.1e} (integral), "
                  f"{r['second_chern_lattice']:+.4f} ± {e['second_chern_lattice']:.1e} (lattice); closed form {closed_form(m):+.0f}")
    fine = [-6 + 0.01 * i for i in range(1201)]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(fine, [closed_form(m) for m in fine], color="0.6", lw=1.5, label="closed form (degree of $\\hat d$)")
    ax.errorbar([r[0] for r in rows], [r[1] for r in rows], yerr=[r[2] for r in rows], fmt="o", ms=4,
                label="integral of tr $F\\wedge F/8\\pi^2$")
    ax.errorbar([r[0] for r in rows], [r[3] for r in rows], yerr=[r[4] for r in rows], fmt="x", ms=5,
                label="lattice method ($\\frac{1}{2}c_1^2 - c_2$)")
    ax.set_xlabel("mass $m$ (hopping units)")
    ax.set_ylabel("second Chern number $C_2$")
    ax.set_title("qhz lattice Dirac model, $16^4$ points")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(png, dpi=130)
    print("wrote", png)


if __name__ == "__main__":
    main()
