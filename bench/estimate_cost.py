#!/usr/bin/env python3
"""The cost of the error estimates (docs/accuracy.md) without a tolerance: the same run files
timed with a build from before the estimates and with this one, alternating old and new runs
so that both see the same machine (paired in one run). Whole processes, median of REPEAT runs:
wall time and CPU time (user + system).

usage: bench/estimate_cost.py OLD_BZINT NEW_BZINT [REPEAT] > summary.md
writes bench/results/<cores>core-<date>-estimate-cost.json (BZINT_BENCH_TAG=x appends -x);
BZINT_BENCH_ONLY=text runs only the cases whose name contains it.
The old binary is any bzint built before the estimates, e.g. from commit 129e8e8:
  git worktree add /tmp/old 129e8e8 && cmake -S /tmp/old -B /tmp/old/build -G Ninja \\
    -DCMAKE_BUILD_TYPE=Release -DBZINT_CUDA=OFF && cmake --build /tmp/old/build --target bzint
Run files that the old build does not know (the estimates' keys) are not used: the cases below
are valid for both.
"""
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

OLD, NEW = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
REPEAT = int(sys.argv[3]) if len(sys.argv) > 3 else 5

CASES = {
    "haldane ahc 2000^2, T = 0, 1 level": """[model]\nname = "haldane"\n[mesh]\nn = [2000, 2000]
[task]\nkind = "ahc"\nmu = 0.0\n""",
    "haldane ahc 2000^2, T = 0.01, 1000 levels": """[model]\nname = "haldane"\n[mesh]\nn = [2000, 2000]
[task]\nkind = "ahc"\nmu = {from = -3, to = 3, count = 1000}\nT = 0.01\n""",
    "weyl_lattice cme 160^3, T = 0.05, 200 levels": """[model]\nname = "weyl_lattice"\nb0 = 0.3\n[mesh]\nn = [160, 160, 160]
[task]\nkind = "cme"\nmu = {from = -1, to = 1, count = 200}\nT = 0.05\n""",
    "qwz_pair ahc 1000^2 (4 bands), T = 0": """[model]\nname = "qwz_pair"\n[mesh]\nn = [1000, 1000]
[task]\nkind = "ahc"\nmu = {from = -2, to = 2, count = 41}\n""",
    "landau_zener dc_current DPA, 10 fields, window 30": """[model]\nname = "landau_zener"
[field]\nE = {from = 0.1, to = 1.0, count = 10}\n[dissipation]\nkind = "dpa"\ngamma = 0.005
[task]\nkind = "dc_current"\nT = 0.01\nwindow = 30.0\n""",
    "qwz dc_current DPA lattice 1x256 lines": """[model]\nname = "qwz"\nu = -1.0\n[mesh]\nn = [1, 256]
[field]\nE = [0.05, 0.1]\ndirection = 1\n[dissipation]\nkind = "dpa"\ngamma = 0.1\n[task]\nkind = "dc_current"\nT = 0.0\n""",
}


def timed(binary, path, out):
    """Wall time and CPU time (user + system of the process and its threads) of one run. On a
    shared machine the wall time of a 2-thread run varies by ±10 % with the neighbours' load; the
    CPU time, the work done, is the steadier measure of what the estimates add."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, "run", path, "--out", out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, text) in enumerate(CASES.items()):
            if os.environ.get("BZINT_BENCH_ONLY", "") not in name:
                continue
            path = os.path.join(tmp, f"case{i}.toml")
            with open(path, "w") as f:
                f.write(f'title = "case{i}"\n' + text)
            old, new = [], []
            for r in range(REPEAT):  # alternate, so drifts in the machine's load hit both alike
                for binary, times in ((OLD, old), (NEW, new)) if r % 2 == 0 else ((NEW, new), (OLD, old)):
                    out = os.path.join(tmp, f"out{i}_{r}_{len(times)}_{os.path.basename(os.path.dirname(binary))}")
                    times.append(timed(binary, path, out))
            med = lambda runs, i: statistics.median(t[i] for t in runs)
            row = {"case": name, "old_s": med(old, 0), "new_s": med(new, 0), "old_cpu_s": med(old, 1),
                   "new_cpu_s": med(new, 1), "old_all": old, "new_all": new}
            row["ratio"] = row["new_s"] / row["old_s"]
            row["cpu_ratio"] = row["new_cpu_s"] / row["old_cpu_s"]
            results.append(row)
            print(f"| {name} | {row['old_s']:.3f} | {row['new_s']:.3f} | {row['ratio']:.3f} | {row['old_cpu_s']:.3f} | "
                  f"{row['new_cpu_s']:.3f} | {row['cpu_ratio']:.3f} |", flush=True)
    tag = os.environ.get("BZINT_BENCH_TAG")
    stamp = datetime.date.today().isoformat()
    name = f"{os.cpu_count()}core-{stamp}-estimate-cost" + (f"-{tag}" if tag else "") + ".json"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", name)
    with open(path, "w") as f:
        json.dump({"old": OLD, "new": NEW, "repeat": REPEAT, "cases": results}, f, indent=1)
    print(f"\nwritten {path}", file=sys.stderr)


if __name__ == "__main__":
    print("| case | wall before (s) | wall with (s) | ratio | CPU before (s) | CPU with (s) | CPU ratio |\n"
          "|---|---|---|---|---|---|---|")
    main()
