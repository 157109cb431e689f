#!/usr/bin/env python3
"""The N-band engine's time per k-point against the number of orbitals N, with the N³ law
through the N = 16 point: from a bzint_bench JSON holding the ahc/nband_scaling benchmarks.

    build/bzint_bench --benchmark_filter=nband_scaling --benchmark_out=X.json --benchmark_out_format=json
    python3 bench/plot_nband_scaling.py X.json docs/figures/nband_scaling.png"""
import json
import os
import sys

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b["name"].startswith("ahc/nband_scaling/")]
    if not rows:
        sys.exit(f"{sys.argv[1]}: no ahc/nband_scaling benchmark")
    n = [int(b["orbitals"]) for b in rows]
    us = [1e6 / b["kpoints_per_second"] for b in rows]
    ref = dict(zip(n, us)).get(16, us[0])
    ref_n = 16 if 16 in n else n[0]
    fig, ax = plt.subplots(figsize=(5, 3.6))
    ax.loglog(n, us, "o-", label="bzint, one thread (ahc, 1000 levels, FFT;\ncompiled sizes to 16, run-time-sized above)")
    ax.loglog(n, [ref * (x / ref_n) ** 3 for x in n], "--", color="gray", label="∝ N³ through N = 16")
    ax.set_xlabel("orbitals N")
    ax.set_ylabel("time per k-point (µs)")
    ax.set_xticks(n)
    ax.set_xticklabels([str(x) for x in n])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    tmp = sys.argv[2] + ".tmp.png"
    fig.savefig(tmp, dpi=120)
    os.replace(tmp, sys.argv[2])  # atomically


if __name__ == "__main__":
    main()
