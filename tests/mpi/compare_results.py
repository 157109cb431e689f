#!/usr/bin/env python3
"""Compares the "results" of two bzint JSON outputs number by number.

Usage: compare_results.py A.json B.json TOL
Passes when every number agrees to TOL relative to the largest magnitude in A's results
(the ranks test: 2 ranks against 1 to 1e-13, host/ranks.hpp).
"""
import json
import sys


def numbers(x, path="results"):
    if isinstance(x, dict):
        for k in sorted(x):
            yield from numbers(x[k], f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from numbers(v, f"{path}[{i}]")
    elif isinstance(x, str):
        return  # paths of side files (sweep logs) name each run's own folder
    elif isinstance(x, bool) or x is None:
        yield path, x
    else:
        yield path, float(x)


def main():
    a_path, b_path, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
    a = list(numbers(json.load(open(a_path))["results"]))
    b = list(numbers(json.load(open(b_path))["results"]))
    if [p for p, _ in a] != [p for p, _ in b]:
        sys.exit(f"{a_path} and {b_path} have different result layouts")
    scale = max([abs(v) for _, v in a if isinstance(v, float)] + [1e-300])
    worst, where = 0.0, None
    for (p, x), (_, y) in zip(a, b):
        if isinstance(x, float) and isinstance(y, float):
            d = abs(x - y) / scale
            if d > worst:
                worst, where = d, p
        elif x != y:
            sys.exit(f"{p}: {x!r} vs {y!r}")
    print(f"{len(a)} values, largest difference {worst:.3g} of the scale {scale:.6g}" + (f" at {where}" if where else ""))
    if worst > tol:
        sys.exit(f"difference {worst:.3g} > {tol:g}")


if __name__ == "__main__":
    main()
