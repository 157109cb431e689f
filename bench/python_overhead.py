#!/usr/bin/env python3
"""What the Python package costs beside the command line (docs/performance.md):

  import     `import bzint` in a fresh interpreter (median of 10)
  per_call   bzint.run of an 8x8 `chern` (median over 1000 calls after 50 warm-up calls) and of
             bzint.bands on one point; the same 8x8 `chern` as a whole `bzint run` process
  memory     the process's resident memory after 200 and after 2000 such calls (a leak grows it)
  vs_cli     a short Fermi scan (haldane ahc, 400^2, 1000 levels, T = 0.01) and a 10x longer one:
             bzint.run with out= against `bzint run` of the same spec as TOML (median of 7,
             alternated)

usage: PYTHONPATH=build/python bench/python_overhead.py [BUILD_DIR] > summary.md
  (or .venv/bin/python with the package installed); writes
  bench/results/<cores>core-<date>-python-overhead.json (BZINT_BENCH_TAG=x appends -x).
"""
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import bzint

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
BZINT = os.path.abspath(os.path.join(BUILD, "bzint"))

TINY = {"title": "tiny", "model": {"name": "haldane"}, "mesh": {"n": [8, 8]}, "task": {"kind": "chern"}}
TINY_TOML = 'title = "tiny"\n[model]\nname = "haldane"\n[mesh]\nn = [8, 8]\n[task]\nkind = "chern"\n'


def scan(n):
    spec = {"title": "scan", "model": {"name": "haldane"}, "mesh": {"n": [n, n]},
            "task": {"kind": "ahc", "mu": {"from": -3.0, "to": 3.0, "count": 1000}, "T": 0.01}}
    toml = (f'title = "scan"\n[model]\nname = "haldane"\n[mesh]\nn = [{n}, {n}]\n[task]\nkind = "ahc"\n'
            'mu = {from = -3.0, to = 3.0, count = 1000}\nT = 0.01\n')
    return spec, toml


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main():
    results = {}
    env = dict(os.environ)
    imports = timed(lambda: subprocess.run([sys.executable, "-c", "import bzint"], check=True, env=env), 10)
    results["import_s"] = statistics.median(imports)
    for _ in range(50):
        bzint.run(TINY, backend="cpu", progress=False)
    calls = timed(lambda: bzint.run(TINY, backend="cpu", progress=False), 1000)
    results["per_call_chern8_ms"] = 1e3 * statistics.median(calls)
    results["per_call_chern8_max_ms"] = 1e3 * max(calls)
    point = timed(lambda: bzint.bands({"name": "haldane"}, [[0.1, 0.2]], backend="cpu"), 1000)
    results["per_call_bands_ms"] = 1e3 * statistics.median(point)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tiny.toml")
        with open(path, "w") as f:
            f.write(TINY_TOML)
        cli = timed(lambda: subprocess.run([BZINT, "run", path, "--backend", "cpu", "--out", tmp], check=True,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), 30)
        results["cli_chern8_ms"] = 1e3 * statistics.median(cli)
    for _ in range(200):
        bzint.run(TINY, backend="cpu", progress=False)
    results["rss_after_200_mib"] = rss_mib()
    for _ in range(1800):
        bzint.run(TINY, backend="cpu", progress=False)
    results["rss_after_2000_mib"] = rss_mib()
    for n in (400, 1265):
        spec, toml = scan(n)
        py, cl = [], []
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "scan.toml")
            with open(path, "w") as f:
                f.write(toml)
            for _ in range(7):
                t0 = time.perf_counter()
                bzint.run(spec, backend="cpu", out=os.path.join(tmp, "py"), progress=False)
                py.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                subprocess.run([BZINT, "run", path, "--backend", "cpu", "--out", os.path.join(tmp, "cli")], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                cl.append(time.perf_counter() - t0)
        results[f"scan{n}_python_s"] = statistics.median(py)
        results[f"scan{n}_cli_s"] = statistics.median(cl)
    cores = os.cpu_count()
    date = datetime.date.today().isoformat()
    tag = os.environ.get("BZINT_BENCH_TAG")
    name = f"{cores}core-{date}-python-overhead{'-' + tag if tag else ''}.json"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "results", name), "w") as f:
        json.dump({"commit": commit, "cores": cores, "python": sys.version.split()[0], **results}, f, indent=2)
    print("| what | measured |\n|---|---|")
    print(f"| `import bzint` (fresh interpreter) | {results['import_s'] * 1e3:.0f} ms |")
    print(f"| bzint.run, 8×8 chern (median of 1000 calls; max) | {results['per_call_chern8_ms']:.2f} ms "
          f"({results['per_call_chern8_max_ms']:.2f} ms) |")
    print(f"| bzint.bands, one point | {results['per_call_bands_ms']:.3f} ms |")
    print(f"| `bzint run`, the same 8×8 chern, whole process | {results['cli_chern8_ms']:.1f} ms |")
    print(f"| resident memory after 200 / 2000 calls | {results['rss_after_200_mib']:.1f} / "
          f"{results['rss_after_2000_mib']:.1f} MiB |")
    for n in (400, 1265):
        print(f"| haldane ahc {n}², 1000 levels, T = 0.01, with outputs: Python / CLI | "
              f"{results[f'scan{n}_python_s']:.3f} s / {results[f'scan{n}_cli_s']:.3f} s |")
    print(f"\n({name}, commit {commit})")


if __name__ == "__main__":
    main()
