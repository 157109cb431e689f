#!/usr/bin/env python3
"""Summary of one bench/run.sh run: every benchmark's rate, its counted FP64 rate and that rate
as a fraction of the machine's measured FP64 rate (benchmark peak/fp64/cpu of the same run).

usage: summarize.py RESULT.json [RESULT.json ...] > SUMMARY.md
"""
import json
import sys


def main():
    runs = [json.load(open(p)) for p in sys.argv[1:]]
    peak = None
    for r in runs:
        for b in r["benchmarks"]:
            if b["name"].startswith("peak/fp64/cpu"):
                peak = b["fp64_flops_per_second"]
    ctx = runs[0]["context"]
    print(f"# bzint benchmarks, {ctx.get('date', '?')}, commit {ctx.get('commit', '?')}, device: {ctx.get('device', '?')}")
    print()
    print(f"Host: {ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz; measured FP64 rate of this "
          f"build (mul + add, all threads): {peak / 1e9:.1f} Gflop/s" if peak else "no peak/fp64 benchmark in these files")
    print()
    print("| benchmark | rate | counted FP64 rate | fraction of measured peak | peak RSS (MiB) |")
    print("|---|---|---|---|---|")
    for r in runs:
        for b in r["benchmarks"]:
            if b.get("error_occurred") or b["name"].startswith("peak/"):
                continue
            rate = next((f"{b[k]:.3g} {k.replace('_per_second', '/s')}" for k in
                         ("kpoints_per_second", "ksteps_per_second", "solution_steps_per_second", "points_per_second",
                          "mesh_points_per_second") if k in b), "")
            flops = b.get("fp64_flops_per_second")
            frac = f"{flops / peak:.1%}" if flops and peak else ""
            fl = f"{flops / 1e9:.2f} Gflop/s" if flops else ""
            rss = f"{b['peak_rss_MiB']:.0f}" if "peak_rss_MiB" in b else ""
            print(f"| {b['name']} | {rate} | {fl} | {frac} | {rss} |")


if __name__ == "__main__":
    main()
