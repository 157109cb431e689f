"""Models from Python (bzint/models.py) against the built-in models and against PythTB and TBmodels
themselves: their bands, Chern numbers and Berry curvature (docs/python.md)."""

import os
import subprocess

import numpy as np
import pytest

import bzint

pythtb = pytest.importorskip("pythtb")
tbmodels = pytest.importorskip("tbmodels")

CLI = os.environ.get("BZINT_CLI", "bzint")
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
pytestmark = pytest.mark.filterwarnings("ignore::bzint.ResultWarning")

# The Haldane model of PythTB's own example (haldane.py): Δ = 0.2, t = −1, t2 = 0.15 e^{iπ/2}.
LATTICE = [[1.0, 0.0], [0.5, np.sqrt(3.0) / 2.0]]
ORBITALS = [[1.0 / 3.0, 1.0 / 3.0], [2.0 / 3.0, 2.0 / 3.0]]
DELTA, T, T2 = 0.2, -1.0, 0.15 * np.exp(0.5j * np.pi)
NEXT = [(0, 0, [1, 0]), (1, 1, [1, -1]), (1, 1, [0, 1])]  # t2 bonds (also spinful below)
# Every bond (amplitude, i, j, R) once: ⟨i, 0|H|j, R⟩ = amplitude, both codes adding the conjugate.
BONDS = ([(T, i, j, R) for i, j, R in [(0, 1, [0, 0]), (1, 0, [1, 0]), (1, 0, [0, 1])]]
         + [(T2, i, j, R) for i, j, R in NEXT]
         + [(T2.conjugate(), i, j, R) for i, j, R in [(1, 1, [1, 0]), (0, 0, [1, -1]), (0, 0, [0, 1])]])


def pythtb_haldane():
    m = pythtb.tb_model(2, 2, LATTICE, ORBITALS)
    m.set_onsite([-DELTA, DELTA])
    for amplitude, i, j, R in BONDS:
        m.set_hop(amplitude, i, j, R)
    return m


def tbmodels_haldane():
    m = tbmodels.Model(on_site=[-DELTA, DELTA], pos=ORBITALS, uc=LATTICE, occ=1)
    for amplitude, i, j, R in BONDS:
        m.add_hop(amplitude, i, j, R)
    return m


def three(k2):
    """2D reduced k-points as the 3D ones of the embedded Wannier model."""
    return np.c_[k2, np.zeros(len(k2))]


K = np.random.default_rng(3).uniform(0, 1, size=(40, 2))


def test_pythtb_bands_and_its_chern_number():
    m = pythtb_haldane()
    tb = bzint.from_pythtb(m)
    assert tb.num_orbitals == 2 and tb.dim == 2
    want = np.array([m.solve_one(k) for k in K])
    np.testing.assert_allclose(bzint.bands(tb, three(K), backend="cpu"), want, rtol=0, atol=1e-12)
    # PythTB's Chern number of the lower band: the Berry flux of its wf_array (Fukui et al.).
    w = pythtb.wf_array(m, [48, 48])
    w.solve_on_grid([0.0, 0.0])
    c_pythtb = w.berry_flux([0]) / (2 * np.pi)
    r = bzint.run({"model": tb, "mesh": {"n": [48, 48, 1]}, "task": {"kind": "chern"}}, backend="cpu", progress=False)
    assert round(c_pythtb) == -1
    assert r.results["chern_fhs"][0][0] == pytest.approx(c_pythtb, abs=1e-9)
    # The Hall conductivity in the gap: −C e²/h (docs/conventions.md), in S/cm for the 1 Å slab.
    s = bzint.run({"model": tb, "mesh": {"n": [96, 96, 1]}, "task": {"kind": "ahc", "mu": 0.0}}, backend="cpu",
                  progress=False)
    assert s.results["sigma"][0][2] / bzint.E2_OVER_H_ANGSTROM_S_PER_CM == pytest.approx(-c_pythtb, abs=2e-3)


def test_pythtb_berry_curvature_per_plaquette():
    # PythTB's Berry phase of each small plaquette of a 60² grid (berry_flux, individual_phases)
    # against bzint's Ω_xy at the plaquette's centre times its area: the same to the midpoint rule's
    # O(h²) (measured 4.2e-3 of the largest flux at 60²), and the same total, −2π.
    m = pythtb_haldane()
    n = 60
    w = pythtb.wf_array(m, [n + 1, n + 1])
    w.solve_on_grid([0.0, 0.0])
    flux = w.berry_flux([0], individual_phases=True)  # (n, n)
    centres = (np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), axis=-1).reshape(-1, 2) + 0.5) / n
    omega = bzint.berry_curvature(bzint.from_pythtb(m), three(centres), backend="cpu")[:, 0, 2]
    area = abs(np.linalg.det(2 * np.pi * np.linalg.inv(np.array(LATTICE)).T)) / n**2  # BZ area / n², 1/Å²
    ours = (omega * area).reshape(n, n)
    assert np.abs(ours - flux).max() < 1e-2 * np.abs(flux).max()
    assert np.sum(ours) / (2 * np.pi) == pytest.approx(np.sum(flux) / (2 * np.pi), abs=2e-3)


def test_a_spinful_pythtb_model():
    # nspin = 2: scalar hoppings are spin-independent, the on-site terms a + b·σ differ per orbital
    # and a spin-orbit-like hopping iλσz; bands of the 4 orbitals against PythTB's to 1e-12.
    m = pythtb.tb_model(2, 2, LATTICE, ORBITALS, nspin=2)
    m.set_onsite([[-0.2, 0.0, 0.0, 0.3], [0.2, 0.1, 0.0, 0.0]])
    for i, j, R in [(0, 1, [0, 0]), (1, 0, [1, 0]), (1, 0, [0, 1])]:
        m.set_hop(T, i, j, R)
    for i, j, R in NEXT:
        m.set_hop([0.0, 0.0, 0.0, 0.05j], i, j, R)
    tb = bzint.from_pythtb(m)
    assert tb.num_orbitals == 4
    want = np.array([m.solve_one(k) for k in K])
    np.testing.assert_allclose(bzint.bands(tb, three(K), backend="cpu"), want, rtol=0, atol=1e-12)


def test_tbmodels_bands_and_the_same_model_as_pythtbs():
    m = tbmodels_haldane()
    tb = bzint.from_tbmodels(m)
    want = m.eigenval(K)
    np.testing.assert_allclose(bzint.bands(tb, three(K), backend="cpu"), want, rtol=0, atol=1e-12)
    a = bzint.band_geometry(tb, three(K), backend="cpu")
    b = bzint.band_geometry(bzint.from_pythtb(pythtb_haldane()), three(K), backend="cpu")
    for q in ("energy", "v", "omega", "m"):
        np.testing.assert_allclose(a[q], b[q], rtol=0, atol=1e-12 * (1 + np.abs(b[q]).max()), err_msg=q)


def test_built_in_models_round_trip_through_their_files(tmp_path):
    # bzint export-hr writes the built-in Haldane model (examples/wannier/haldane_export.toml) as
    # hr.dat and tb.dat; read back from Python (from_hr) its band geometry is the built-in's to 1e-12.
    export = os.path.join(EXAMPLES, "wannier", "haldane_export.toml")
    subprocess.run([CLI, "export-hr", export, "--out", str(tmp_path)], check=True, capture_output=True)
    built_in = bzint.band_geometry({"name": "haldane", "t2": 0.15, "phi": 1.0, "M": 0.2}, K, backend="cpu")
    for model in (bzint.from_hr(tb=str(tmp_path / "haldane_export_tb.dat"), orbital_positions=True),
                  bzint.from_hr(str(tmp_path / "haldane_export_hr.dat"),
                                lattice=[[1.0, 0.0, 0.0], [0.5, np.sqrt(3) / 2, 0.0], [0.0, 0.0, 1.0]])):
        g = bzint.band_geometry(model, three(K), backend="cpu")
        np.testing.assert_allclose(g["energy"], built_in["energy"], rtol=0, atol=1e-12)
        if model.get("orbital_positions"):
            np.testing.assert_allclose(g["omega"], built_in["omega"], rtol=0, atol=1e-12 * np.abs(built_in["omega"]).max())


def test_a_tight_binding_model_from_arrays(tmp_path):
    # The two-band chain-of-Dirac-points model of QWZ written by hand: H(R = ±x) = (σz ∓ iσx)/2,
    # H(±y) = (σz ∓ iσy)/2, H(0) = u σz — bzint's qwz (docs/conventions.md) on the unit square.
    sx, sy, sz = np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])
    u = -1.2
    hop = {(0, 0): u * sz, (1, 0): (sz - 1j * sx) / 2, (-1, 0): (sz + 1j * sx) / 2,
           (0, 1): (sz - 1j * sy) / 2, (0, -1): (sz + 1j * sy) / 2}
    tb = bzint.TightBinding(np.eye(2), hop)
    built_in = bzint.band_geometry({"name": "qwz", "u": u}, K, backend="cpu")
    g = bzint.band_geometry(tb, three(K), backend="cpu")
    np.testing.assert_allclose(g["energy"], built_in["energy"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(g["omega"], built_in["omega"], rtol=0, atol=1e-12 * np.abs(built_in["omega"]).max())
    # With out= the model's file is written beside the outputs, so the CLI can repeat the run.
    out = tmp_path / "out"
    r = bzint.run({"title": "qwz_tb", "model": tb, "mesh": {"n": [40, 40, 1]}, "task": {"kind": "chern"}},
                  backend="cpu", out=str(out), progress=False)
    assert (out / "qwz_tb_tb.dat").is_file() and (out / "qwz_tb.json").is_file()
    assert r.results["chern_fhs"][0][0] == pytest.approx(1.0, abs=1e-9)  # QWZ lower band, −2 < u < 0: +1


def test_bad_tight_binding_input():
    with pytest.raises(bzint.InputError, match="linearly dependent"):
        bzint.TightBinding([[1, 0], [2, 0]], {(0, 0): [[0.0]]})
    with pytest.raises(bzint.InputError, match="shape"):
        bzint.TightBinding(np.eye(2), {(0, 0): np.zeros((2, 2)), (1, 0): np.zeros((3, 3))})
    with pytest.raises(bzint.InputError, match="not a cell"):
        bzint.TightBinding(np.eye(2), {(0, 0, 0): np.zeros((2, 2))})
    # A missing −R partner is found by the Wannier reader's Hermiticity check, naming R.
    lonely = bzint.TightBinding(np.eye(2), {(0, 0): np.zeros((1, 1)), (1, 0): np.ones((1, 1))})
    with pytest.raises(bzint.InputError, match="Hermitian|-1|−R"):
        bzint.bands(lonely, [[0.1, 0.2, 0.0]])


def test_repeated_runs_of_a_model_do_not_keep_it():
    # Each run of a TightBinding loads a Wannier model (8 orbitals, 343 cells: 0.35 MB of H(R)); the
    # engine's registration ends with the run, so 50 more runs leave the resident memory where 10 did
    # (before, every model stayed, with its interpolation tables: +85 MB).
    rng = np.random.default_rng(5)
    cells = [(a, b, c) for a in range(-3, 4) for b in range(-3, 4) for c in range(-3, 4)]
    hop = {}
    for R in cells:
        if R in hop:
            continue
        h = 0.1 * (rng.normal(size=(8, 8)) + 1j * rng.normal(size=(8, 8)))
        if R == (0, 0, 0):
            h = h + h.conj().T
        hop[R], hop[tuple(-x for x in R)] = h, h.conj().T
    tb = bzint.TightBinding(np.eye(3), hop)
    spec = {"model": tb, "mesh": {"n": [2, 2, 2]}, "task": {"kind": "ahc", "mu": 0.0}}

    def rss_mib():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024.0

    for _ in range(10):
        bzint.run(spec, backend="cpu", progress=False)
    before = rss_mib()
    for _ in range(50):
        bzint.run(spec, backend="cpu", progress=False)
    assert rss_mib() - before < 6.0
