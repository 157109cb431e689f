#!/usr/bin/env python3
"""Paired benchmark: two builds of bzint_bench (before and after a change) run alternately in
one session on this machine, so that both see the same load (this shared machine's timings
drift by up to 50 % between runs). Reports each benchmark's median rate per side and their ratio.

    bench/paired.py --before OLD/bzint_bench --after build/bzint_bench \
        --filter 'fe_wannier/cpu/fft' --repeats 5 --threads 1 --out bench/results/X.json

Standard library only. The counter compared is kpoints_per_second (items per second where a
benchmark has no such counter), or the one --counter names (e.g. moment_sites_per_second)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime, timezone


def run_once(binary, pattern, threads, counter=None):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([binary, f"--benchmark_filter={pattern}", "--benchmark_format=json"],
                         env=env, check=True, capture_output=True, text=True).stdout
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        rate = b.get(counter) if counter else b.get("kpoints_per_second", b.get("items_per_second"))
        if rate is not None:
            rates[b["name"]] = float(rate)
    return rates


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--filter", required=True)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--label-before", default="before")
    p.add_argument("--label-after", default="after")
    p.add_argument("--counter", help="the benchmark counter to compare (default kpoints_per_second)")
    p.add_argument("--out")
    a = p.parse_args()
    samples = {"before": {}, "after": {}}
    for _ in range(a.repeats):  # alternate, so that a slow spell hits both sides
        for side, binary in (("before", a.before), ("after", a.after)):
            for name, rate in run_once(binary, a.filter, a.threads, a.counter).items():
                samples[side].setdefault(name, []).append(rate)
    rows = []
    for name in sorted(set(samples["before"]) & set(samples["after"])):
        b, f = statistics.median(samples["before"][name]), statistics.median(samples["after"][name])
        rows.append({"benchmark": name, "before_median": b, "after_median": f, "ratio": f / b,
                     "before": samples["before"][name], "after": samples["after"][name]})
        print(f"{name}: {a.label_before} {b:.4g}/s, {a.label_after} {f:.4g}/s, ratio {f / b:.2f} "
              f"(medians of {a.repeats}, {a.threads} thread(s))")
    if not rows:
        sys.exit("no benchmark matched in both builds")
    if a.out:
        doc = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "threads": a.threads,
               "repeats": a.repeats, "filter": a.filter, "before": a.label_before, "after": a.label_after,
               "rate": a.counter or "k-points per second", "results": rows}
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
