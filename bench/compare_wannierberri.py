#!/usr/bin/env python3
"""bzint against WannierBerri on the same task: the anomalous Hall conductivity of bcc Fe from
../shared/data/wannier/Fe_hr.dat on the same Γ-centred n³ grid, at the same Fermi levels, at
T = 0, without symmetry or refinement, one thread each. Prints σ from both, their largest
difference, and each code's k-points per second of the scan (reading the file excluded).

Installs nothing: it runs where `import wannierberri` works (e.g. `pip install wannierberri`
into a virtual environment of your own) and exits 0 with a note where it does not.

    python3 bench/compare_wannierberri.py [--bzint build/bzint] [--n 40] [--levels 1000]
                                          [--hr PATH] [--out FILE.json]

Conventions: both report the pseudovector (σ_yz, σ_zx, σ_xy); WannierBerri's AHC is in S/m
(divided by 100 here), bzint's in S/cm (docs/conventions.md)."""
import os

# One thread for numpy's BLAS and anything else WannierBerri may start, before numpy loads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FE_LATTICE = [[1.435, 1.435, -1.435], [-1.435, 1.435, 1.435], [1.435, -1.435, 1.435]]  # Å, rows
FE_FERMI = 9.1839  # eV


def run_bzint(binary, hr, n, mu, workdir):
    """σ (levels × 3, S/cm) and the scan's k-points per second from bzint's own timing."""
    mu_list = ", ".join(repr(float(m)) for m in mu)
    run_file = Path(workdir) / "fe_ahc.toml"
    run_file.write_text(
        'title = "fe_ahc"\n[model]\nname = "wannier"\n'
        f'hr = "{hr}"\nlattice = {FE_LATTICE}\n'
        f"[mesh]\nn = [{n}, {n}, {n}]\n"
        f'[task]\nkind = "ahc"\nT = 0\nmu = [{mu_list}]\n')
    out = Path(workdir) / "bzint"
    subprocess.run([binary, "run", str(run_file), "--threads", "1", "--backend", "cpu", "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    doc = json.loads((out / "fe_ahc.json").read_text())
    return doc["results"]["sigma"], doc["timing"]["kpoints_per_second"]


def run_wannierberri(wberri, hr, n, mu, workdir):
    """σ (levels × 3, S/cm) and the scan's k-points per second (the run() call alone, after a
    warm-up run on a 2³ grid so that numba's compilation is not counted)."""
    import numpy as np
    from wannierberri.system.system_hr import get_system_hr

    seedname = str(hr)[: -len("_hr.dat")]
    lattice = np.array(FE_LATTICE)
    with open(hr) as f:
        f.readline()
        num_wann = int(f.readline())
    system = get_system_hr(seedname, wannier_centers_cart=np.zeros((num_wann, 3)), real_lattice=lattice)
    calc = wberri.calculators.static.AHC(Efermi=np.array(mu), tetra=False, kwargs_formula={"external_terms": False})

    def scan(points):
        grid = wberri.Grid(system, NKFFT=points, NKdiv=1, use_symmetry=False)
        return wberri.run(system, grid=grid, calculators={"ahc": calc}, parallel=False, use_irred_kpt=False,
                          symmetrize=False, adpt_num_iter=0, fout_name=str(Path(workdir) / "wberri"))

    scan(2)
    start = time.perf_counter()
    result = scan(n)
    seconds = time.perf_counter() - start
    sigma = np.asarray(result.results["ahc"].data) / 100.0  # S/m → S/cm
    return sigma.tolist(), n ** 3 / seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bzint", default=str(ROOT / "build" / "bzint"), help="the bzint command-line program")
    p.add_argument("--hr", default=str(ROOT.parent / "shared" / "data" / "wannier" / "Fe_hr.dat"))
    p.add_argument("--n", type=int, default=40, help="grid points per axis (Γ-centred n³)")
    p.add_argument("--levels", type=int, default=1000, help="Fermi levels over E_F ± 1 eV")
    p.add_argument("--out", help="write the comparison as JSON")
    a = p.parse_args()
    try:
        import wannierberri as wberri
    except ImportError:
        print("WannierBerri is not importable here: nothing compared (pip install wannierberri in an environment of "
              "your own and run this script with its python)")
        return 0
    if not Path(a.hr).is_file():
        sys.exit(f"{a.hr}: no such file (--hr)")
    if not Path(a.bzint).is_file():
        sys.exit(f"{a.bzint}: no such program (--bzint; build bzint first)")
    hr = Path(a.hr).resolve()
    mu = [FE_FERMI - 1.0 + 2.0 * i / (a.levels - 1) for i in range(a.levels)]
    with tempfile.TemporaryDirectory() as tmp:
        # WannierBerri reads `seedname`_hr.dat: give it the file under that name.
        link = Path(tmp) / "Fe_hr.dat"
        link.symlink_to(hr)
        s_b, rate_b = run_bzint(a.bzint, hr, a.n, mu, tmp)
        s_w, rate_w = run_wannierberri(wberri, link, a.n, mu, tmp)
    scale = max(abs(x) for row in s_w for x in row)
    diff = max(abs(x - y) for rb, rw in zip(s_b, s_w) for x, y in zip(rb, rw))
    at = min(range(len(mu)), key=lambda i: abs(mu[i] - FE_FERMI))
    print(f"bcc Fe, {a.n}³ Γ-centred grid, {a.levels} levels over E_F ± 1 eV, T = 0, no symmetry, one thread each")
    print(f"σ at μ = {mu[at]:.4f} eV (S/cm): bzint {s_b[at]}, WannierBerri {wberri.__version__} {s_w[at]}")
    print(f"largest |σ_bzint − σ_WannierBerri| over all levels and components: {diff:.3g} S/cm "
          f"({diff / scale:.3g} of max |σ|)")
    print(f"k-points per second: bzint {rate_b:.4g}, WannierBerri {rate_w:.4g}, ratio {rate_b / rate_w:.3g}")
    if a.out:
        doc = {"n": a.n, "levels": a.levels, "wannierberri": wberri.__version__, "max_abs_difference_S_per_cm": diff,
               "relative_difference": diff / scale, "kpoints_per_second": {"bzint": rate_b, "wannierberri": rate_w},
               "ratio": rate_b / rate_w, "sigma_at_fermi_S_per_cm": {"bzint": s_b[at], "wannierberri": s_w[at]}}
        tmp = Path(a.out + ".tmp")
        tmp.write_text(json.dumps(doc, indent=1) + "\n")
        os.replace(tmp, a.out)  # atomically
    return 0


if __name__ == "__main__":
    sys.exit(main())
