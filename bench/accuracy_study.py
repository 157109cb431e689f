#!/usr/bin/env python3
"""The convergence studies behind docs/accuracy.md: the error estimate against the actual error.

  mesh     dirac2d box (closed forms of tests/test_ahc.cpp), μ in the gap and in the bands at T = 0,
           meshes 60²…1200²; weyl_lattice σ_xy = (π − k0)/π at T = 0 on meshes 32²·64 … 140³
  tolerance the same box at T = 0 in a band with [task] rtol = 3e-2, 1e-2, 3e-3 from 60², 90², 120², 150², 240²: the
           converged result's error against its tolerance and its estimate
  window   landau_zener dc_current, DPA (2Γ = 0.01, 0.005) and RTA (τ = 50), T = 0.01, E = 0.02…2,
           windows 5…40, against the same run at window 320

usage: bench/accuracy_study.py BUILD_DIR [mesh|tolerance|window] > table.md
writes bench/results/<cores>core-<date>-accuracy-<study>.json. Needs python3 and the built bzint.
"""
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile

BZINT = os.path.abspath(os.path.join(sys.argv[1] if len(sys.argv) > 1 else "build", "bzint"))
STUDIES = sys.argv[2:] or ["mesh", "window"]


def run(text):
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "r.toml"), "w") as f:
            f.write('title = "r"\n' + text)
        subprocess.run([BZINT, "run", "r.toml"], cwd=d, check=True, capture_output=True)
        return json.load(open(os.path.join(d, "r.json")))


def gap_box(v, m, kcut):
    a = v * kcut
    return -(1 if m > 0 else -1) / math.pi * math.atan(a * a / (abs(m) * math.sqrt(2 * a * a + m * m)))


def mesh_study():
    rows = []
    for n in [60, 90, 120, 150, 240, 300, 480, 600, 900, 1200]:
        for m, mu in [(0.5, 0.0), (0.5, 0.8), (0.5, 2.0), (-0.3, -0.9)]:
            d = run(f"[model]\nname='dirac2d'\nv=1.0\nm={m}\nkcut=10.0\n[mesh]\nn=[{n},{n}]\n[task]\nkind='ahc'\nmu=[{mu}]\n")
            exact = gap_box(1, m, 10) + (0 if abs(mu) < abs(m) else 0.5 * ((1 if m > 0 else -1) - m / abs(mu)))
            got = d["results"]["sigma_xy"][0]
            rows.append({"case": "dirac2d gap" if abs(mu) < abs(m) else "dirac2d band, T = 0", "mesh": n, "m": m, "mu": mu,
                         "value": got, "actual": abs(got - exact), "estimate": d["errors"]["sigma_xy"][0]})
    for n, nz in [(32, 64), (64, 128), (64, 256), (100, 300), (128, 512), (60, 60), (80, 80), (140, 140), (100, 100)]:
        d = run(f"[model]\nname='weyl_lattice'\nt=0.8\nm=1.4\nk0=0.9\nb0=0.0\n[mesh]\nn=[{n},{n},{nz}]\n[task]\nkind='ahc'\nmu=[0.0]\n")
        got = d["results"]["sigma"][0][2]
        rows.append({"case": "weyl_lattice T = 0", "mesh": f"{n}x{n}x{nz}", "value": got,
                     "actual": abs(got - (math.pi - 0.9) / math.pi), "estimate": d["errors"]["sigma"][0][2]})
    return rows


def tolerance_study():
    """Runs with [task] rtol at T = 0 in a band (where one estimate alone can miss): the final
    result's actual error against the tolerance and against its estimate."""
    rows = []
    for m, mu in [(0.5, 0.8), (0.5, 2.0), (-0.3, -0.9)]:
        exact = gap_box(1, m, 10) + 0.5 * ((1 if m > 0 else -1) - m / abs(mu))
        for n in [60, 90, 120, 150, 240]:
            for rtol in [3e-2, 1e-2, 3e-3]:
                d = run(f"[model]\nname='dirac2d'\nv=1.0\nm={m}\nkcut=10.0\n[mesh]\nn=[{n},{n}]\n"
                        f"[task]\nkind='ahc'\nmu=[{mu}]\nrtol={rtol}\n")
                got = d["results"]["sigma_xy"][0]
                rows.append({"case": f"dirac2d band, T = 0, rtol = {rtol}", "mesh": n, "m": m, "mu": mu, "value": got,
                             "actual": abs(got - exact), "estimate": d["errors"]["sigma_xy"][0],
                             "allowed": 1e-10 + rtol * abs(got), "passes": len(d["convergence"]["passes"]),
                             "converged": d["convergence"]["converged"]})
    return rows


def window_study():
    fields = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
    rows = []
    for diss in ['kind="dpa"\ngamma=0.005', 'kind="rta"\ntau1=50.0', 'kind="dpa"\ngamma=0.0025']:
        def lz(window):
            return run(f'[model]\nname="landau_zener"\n[field]\nE={fields}\n[dissipation]\n{diss}\n'
                       f'[task]\nkind="dc_current"\nT=0.01\nwindow={window}\n')
        ref = lz(320)["results"]["J"]
        for window in [5, 8, 10, 15, 20, 30, 40]:
            d = lz(window)
            for i, E in enumerate(fields):
                got = d["results"]["J"][i]
                rows.append({"case": diss.replace("\n", " "), "E": E, "window": window, "value": got,
                             "actual": abs(got - ref[i]), "estimate": d["errors"]["J"][i]})
    return rows


def main():
    for study in STUDIES:
        rows = {"mesh": mesh_study, "tolerance": tolerance_study, "window": window_study}[study]()
        print(f"\n## {study}\n\n| case | bounded | estimate / actual (min, median) |\n|---|---|---|")
        for case in dict.fromkeys(r["case"] for r in rows):
            sel = [r for r in rows if r["case"] == case]
            ratios = sorted(r["estimate"] / r["actual"] for r in sel if r["actual"] > 0)
            bounded = sum(r["estimate"] >= r["actual"] for r in sel)
            met = f", tolerance met in {sum(r['actual'] <= r['allowed'] for r in sel)}" if "allowed" in sel[0] else ""
            print(f"| {case} | {bounded} of {len(sel)}{met} | {ratios[0]:.3g}, {ratios[len(ratios) // 2]:.3g} |")
        name = f"{os.cpu_count()}core-{datetime.date.today().isoformat()}-accuracy-{study}.json"
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", name), "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
