#!/usr/bin/env python3
"""Measured rates of whole bzint runs on the CUDA and the CPU backend, set beside the rates that
docs/performance.md "Roofline per kernel" predicts for the code as built. One case per kernel
family that the Fermi-scan benchmarks (bzint_bench) do not time: the N-band scan, the two-band and
N-band Chern plaquettes, the three density-matrix line kernels and, given Fe_hr.dat, the Wannier
scan. Each case runs on the device at a size that fills it and on the CPU (every core) at a size
that ends in seconds; the rate is items per second of the run's own timing (timing.seconds of its
JSON: the whole task, copies and host folds included, start-up and file output excluded).

Items: k-points for scans, plaquettes for Chern numbers (one per mesh point), and for the lines
lines x steps of the reported trajectory (the step-halving error estimate's extra run is work the
item count leaves out, and the prediction counts every RK4 step of the kernel: these rates
understate the solver's by up to 1.5x against the prediction).

usage: bench/device_rates.py BZINT OUT_DIR [--fe PATH/Fe_hr.dat] [--small] [--deadline SECONDS]
  --small     tiny meshes (the emulated build's dry run: shows the script works, measures nothing)
  --deadline  stop starting cases after this many seconds (each case also has its own limit)
Writes OUT_DIR/rates.json and prints a markdown table.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# (name, run file, device size, CPU size, item, predicted H200 rate range as built (items/s), row)
QWZ = '[model]\nname = "qwz"\nu = -1.0\n'
QWZ_PAIR = '[model]\nname = "qwz_pair"\nu1 = -1.0\nu2 = 1.2\ng = 0.2\n'
LINES = '[field]\nE = [0.05]\ndirection = 1\n[task]\nkind = "dc_current"\nT = 0.1\nmu = 0.0\n'
CASES = [
    ("nband_scan_qwz_pair_ahc", QWZ_PAIR + '[task]\nkind = "ahc"\nmu = 0.0\nT = 0.0\n',
     [2048, 2048], [512, 512], "k-points", (0.5e9, 0.9e9), "N-band scan NBandScanFn<QwzPair>"),
    ("chern_qwz", QWZ + '[task]\nkind = "chern"\n', [4096, 4096], [1024, 1024], "plaquettes", (0.8e9, 1.8e9),
     "Chern ChernFn qwz"),
    ("chern_qwz_pair", QWZ_PAIR + '[task]\nkind = "chern"\n', [1024, 1024], [256, 256], "plaquettes",
     (0.25e9, 0.45e9), "NBandChernFn<QwzPair>"),
    ("lines_two_band_dpa_1000", QWZ + '[dissipation]\nkind = "dpa"\ngamma = 0.05\n' + LINES, [1, 1000], [1, 1000],
     "k·steps", (1e8, 2e8), "two_band_lines_kernel, 1 000 lines"),
    ("lines_two_band_dpa_32768", QWZ + '[dissipation]\nkind = "dpa"\ngamma = 0.05\n' + LINES, [1, 32768], [1, 4096],
     "k·steps", (5.2e9, 7.3e9), "two_band_lines_kernel, 32 768 lines (as built, near the roofline from ~34 k lines)"),
    ("lines_nband_qwz_pair_rta", QWZ_PAIR + '[dissipation]\nkind = "rta"\ntau1 = 10.0\n' + LINES, [1, 1000],
     [1, 256], "k·steps", (1e6, 4e6), "nband_lines_kernel<4, QwzPair>, 1 000 lines"),
    ("lines_exact_qwz", QWZ + '[dissipation]\nkind = "exact"\ngamma = 0.05\n' + LINES, [1, 1000], [1, 256],
     "k·steps", (5e6, 15e6), "exact_lines_kernel<2>, 1 000 lines"),
]
FE = ('[model]\nname = "wannier"\nhr = "{hr}"\nlattice = [[1.435, 1.435, -1.435], [-1.435, 1.435, 1.435], '
      '[1.435, -1.435, 1.435]]\n[task]\nkind = "ahc"\nmu = 9.1839\nT = 0.02\n')


def mesh_toml(n):
    return "[mesh]\nn = [" + ", ".join(str(x) for x in n) + "]\n"


def run_case(bzint, tmp, name, text, n, backend, limit):
    path = os.path.join(tmp, f"{name}_{backend}.toml")
    with open(path, "w") as f:
        f.write(f'title = "{name}_{backend}"\n' + text + mesh_toml(n))
    out = os.path.join(tmp, "out")
    cmd = [bzint, "run", path, "--backend", backend, "--out", out]
    if backend == "cpu":
        cmd += ["--threads", str(os.cpu_count())]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return {"backend": backend, "mesh": n, "error": f"over {limit} s"}
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        return {"backend": backend, "mesh": n, "error": f"exit {p.returncode}: {p.stderr[-400:]}"}
    with open(os.path.join(out, f"{name}_{backend}.json")) as f:
        doc = json.load(f)
    seconds = doc["timing"]["seconds"]
    items = doc["timing"]["kpoints"]
    steps = doc.get("results", {}).get("steps")
    if steps:  # lines: lines x steps of the reported trajectory
        items = n[0] * n[1] * (steps[0] if isinstance(steps, list) else steps)
    return {"backend": backend, "mesh": n, "seconds": seconds, "wall_s": wall, "items": items,
            "rate": items / seconds if seconds > 0 else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bzint")
    ap.add_argument("out")
    ap.add_argument("--fe")
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--deadline", type=float, default=100.0)
    args = ap.parse_args()
    cases = list(CASES)
    if args.fe:
        cases.append(("wannier_fe_ahc", FE.format(hr=os.path.abspath(args.fe)), [32, 32, 32], [16, 16, 16],
                      "k-points", (1.05e5, 1.05e5), "NBandScanFn<Wannier<16>> Fe, direct sum (H200 column)"))
    t0 = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bzint_rates_") as tmp:
        for name, text, n_dev, n_cpu, item, predicted, row in cases:
            if args.small:  # 3D meshes and the lines' line counts shrink further
                cap = 8 if len(n_dev) == 3 else 64
                n_dev = [min(x, cap) for x in n_dev]
                n_cpu = [min(x, cap // 2) for x in n_cpu]
                if item == "k·steps":
                    n_dev, n_cpu = [1, 16], [1, 8]
            r = {"case": name, "row": row, "item": item, "predicted_h200": list(predicted), "runs": []}
            for backend, n in (("cuda", n_dev), ("cpu", n_cpu)):
                left = args.deadline - (time.perf_counter() - t0)
                if left < 5:
                    r["runs"].append({"backend": backend, "mesh": n, "error": "deadline"})
                    continue
                r["runs"].append(run_case(args.bzint, tmp, name, text, n, backend, min(60.0, left)))
            rows.append(r)
    result = {"cpus": os.cpu_count(), "cases": rows}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "rates.json"), "w") as f:
        json.dump(result, f, indent=1)
    print("| case | item | device mesh | device rate | predicted H200 | CPU mesh | CPU rate |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        d, c = r["runs"]

        def show(x):
            return x.get("error", "")[:60] if "rate" not in x else f"{x['rate']:.3g}/s ({x['seconds']:.3g} s)"

        lo, hi = r["predicted_h200"]
        print(f"| {r['case']} | {r['item']} | {d['mesh']} | {show(d)} | {lo:.2g}–{hi:.2g}/s | {c['mesh']} | {show(c)} |")
    return 0 if all("rate" in x for r in rows for x in r["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
