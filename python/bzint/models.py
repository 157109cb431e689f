"""Models from Python: tight-binding arrays, PythTB and TBmodels models, Wannier90 files.

A TightBinding is run as a Wannier model: bzint writes it as a Wannier90 seedname_tb.dat (with
its lattice and, when given, the orbital positions) and reads it back through the same reader and
checks as any Wannier90 file (Hermiticity, counts; docs/wannier.md). With `out=` the file is
written there (<title>_tb.dat), so the run can be repeated with `bzint run`; otherwise into a
temporary folder that goes with the call.

Conventions (docs/conventions.md, Wannier90's): H(k) = Σ_R e^{ik·R} H(R), H_mn(R) = ⟨0m|H|Rn⟩,
R = Σ_i n_i A_i; no orbital-position phases in H(k). Orbital positions, when given, enter the
Berry curvature and orbital moments as Wannier centres ([model] orbital_positions = true), which
is PythTB's convention 1 and TBmodels' convention 1 for those quantities. Lengths in Å, energies in
the model's unit (eV for Wannier90 files).

A Wannier model is three-dimensional: a 2D model is embedded with A3 = (0, 0, 1) Å (a 1D one with
A2 = (0, 1, 0) Å as well), meshes take n = [n1, n2, 1], k-points three reduced coordinates, and the
Hall conductivity is a 3D one in S/cm: σ_xy of the 2D model in e²/h is sigma[..., 2] / 3874.045865
(e²/(h Å) in S/cm), as for `bzint export-hr`'s files.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

import numpy as np

from . import _bzint

E2_OVER_H_ANGSTROM_S_PER_CM = 3874.045865  # e²/(h · 1 Å) in S/cm: a 2D model's σ in e²/h from sigma


class TightBinding:
    """A tight-binding model from arrays.

    lattice    (d, d): the Bravais vectors A_i as rows, in Å; d = 1, 2 or 3.
    hoppings   {R: H(R)} for every cell R (a tuple of d integers) with H(R) an (N, N) complex
               matrix, H_mn(R) = ⟨0m|H|Rn⟩; both R and −R (H(−R) = H(R)†, which bzint checks) and
               the on-site block R = 0.
    positions  (N, d) orbital positions in reduced coordinates (fractions of the A_i), or None.
    """

    def __init__(self, lattice, hoppings: Mapping[Any, Any], positions=None):
        lat = np.asarray(lattice, dtype=float)
        if lat.ndim != 2 or lat.shape[0] != lat.shape[1] or lat.shape[0] not in (1, 2, 3):
            raise _bzint.InputError(f"TightBinding lattice: a (d, d) array of Bravais vectors (rows, Å), d = 1, 2 or 3; "
                                    f"got shape {lat.shape}")
        if abs(np.linalg.det(lat)) <= 1e-12:
            raise _bzint.InputError("TightBinding lattice: the Bravais vectors are linearly dependent")
        d = lat.shape[0]
        if not hoppings:
            raise _bzint.InputError("TightBinding hoppings: empty; give {R: H(R)} including R = 0")
        cells, blocks = [], []
        for R, block in hoppings.items():
            cell = tuple(int(x) for x in np.atleast_1d(R))
            if len(cell) != d or not np.array_equal(np.atleast_1d(R), cell):
                raise _bzint.InputError(f"TightBinding hoppings: key {R!r} is not a cell of {d} integers")
            cells.append(cell)
            blocks.append(np.atleast_2d(np.asarray(block, dtype=complex)))
        n = blocks[0].shape[0]
        for cell, b in zip(cells, blocks):
            if b.shape != (n, n):
                raise _bzint.InputError(f"TightBinding hoppings[{cell}]: shape {b.shape}; every H(R) is ({n}, {n})")
        if len(set(cells)) != len(cells):
            raise _bzint.InputError("TightBinding hoppings: a cell appears twice")
        self.lattice = lat
        self.cells = np.array(cells, dtype=np.int64).reshape(len(cells), d)
        self.hoppings = np.ascontiguousarray(np.stack(blocks))
        self.positions = None
        if positions is not None:
            pos = np.asarray(positions, dtype=float).reshape(n, -1)
            if pos.shape != (n, d):
                raise _bzint.InputError(f"TightBinding positions: shape {np.shape(positions)}; expected ({n}, {d})")
            self.positions = pos

    @property
    def dim(self) -> int:
        return self.lattice.shape[0]

    @property
    def num_orbitals(self) -> int:
        return self.hoppings.shape[1]

    def write_tb(self, path: str, header: str = "bzint.TightBinding") -> None:
        """Writes the model as a Wannier90 seedname_tb.dat (atomically)."""
        d = self.dim
        lattice = np.eye(3)
        lattice[:d, :d] = self.lattice
        cells = np.zeros((len(self.cells), 3), dtype=np.int64)
        cells[:, :d] = self.cells
        tau = None
        if self.positions is not None:
            tau = np.ascontiguousarray(self.positions @ lattice[:d, :])  # Cartesian, Å
        _bzint.write_tb(path, np.ascontiguousarray(lattice), np.ascontiguousarray(cells), self.hoppings, tau, header)

    def model(self, path: str, **options) -> dict:
        """Writes the tb.dat file at `path` and returns the spec's model dict that reads it
        (options: further [model] keys, e.g. interpolation = "direct")."""
        self.write_tb(path)
        return {"name": "wannier", "tb": os.path.abspath(path), "orbital_positions": self.positions is not None, **options}

    def __repr__(self) -> str:
        return f"<bzint.TightBinding {self.dim}D, {self.num_orbitals} orbitals, {len(self.cells)} cells>"


def from_pythtb(model) -> TightBinding:
    """A PythTB tb_model (fully periodic: dim_k == dim_r; spinless or spinful) as a TightBinding.

    PythTB's set_hop(amp, i, j, R) is ⟨φ_i(0)|H|φ_j(R)⟩ = amp, its conjugate added for −R; its
    orbitals become the positions (so Berry curvatures agree with PythTB's convention 1)."""
    if model._dim_k != model._dim_r:
        raise _bzint.InputError(f"from_pythtb: a model periodic in {model._dim_k} of its {model._dim_r} directions; "
                                "only fully periodic models (dim_k == dim_r) are Brillouin-zone integrals")
    ns, norb, d = int(model._nspin), int(model._norb), int(model._dim_r)
    blocks: dict = {}

    def add(cell, i, j, amp):
        b = blocks.setdefault(cell, np.zeros((norb * ns, norb * ns), dtype=complex))
        b[i * ns:(i + 1) * ns, j * ns:(j + 1) * ns] += np.asarray(amp, dtype=complex).reshape(ns, ns)

    for i in range(norb):
        add((0,) * d, i, i, model._site_energies[i])
    for amp, i, j, R in model._hoppings:
        cell = tuple(int(x) for x in np.atleast_1d(R)) if d else ()
        add(cell, i, j, amp)
        add(tuple(-x for x in cell), j, i, np.conj(np.asarray(amp, dtype=complex).reshape(ns, ns)).T)
    positions = np.repeat(np.asarray(model._orb, dtype=float).reshape(norb, d), ns, axis=0)
    return TightBinding(np.asarray(model._lat, dtype=float), blocks, positions)


def from_tbmodels(model) -> TightBinding:
    """A TBmodels Model as a TightBinding. TBmodels keeps one of each pair ±R and builds
    H(k) = Σ_R hop[R] e^{2πik·R} + h.c.: here H(R) = hop[R] + hop[−R]†."""
    d = int(model.dim)

    def dense(h):
        return np.asarray(h.toarray() if hasattr(h, "toarray") else h, dtype=complex)

    hop = {tuple(int(x) for x in R): dense(h) for R, h in model.hop.items()}
    blocks: dict = {}
    for R, h in hop.items():
        for cell, b in ((R, h), (tuple(-x for x in R), h.conj().T)):
            blocks[cell] = blocks.get(cell, 0) + b
    return TightBinding(np.asarray(model.uc, dtype=float).reshape(d, d), blocks,
                        np.asarray(model.pos, dtype=float).reshape(-1, d))


def from_hr(path: Optional[str] = None, *, lattice=None, tb: Optional[str] = None, **options) -> dict:
    """The spec's model dict of Wannier90 files: from_hr("seed_hr.dat", lattice=[[..], [..], [..]])
    (Å) or from_hr(tb="seed_tb.dat"); options are further [model] keys (docs/run-file.md), e.g.
    orbital_positions=True or position_matrix=True with a tb.dat."""
    if (path is None) == (tb is None):
        raise _bzint.InputError("from_hr: give exactly one of a seedname_hr.dat path (with lattice=) and tb=")
    model: dict = {"name": "wannier", **options}
    if path is not None:
        model["hr"] = os.path.abspath(path)
    else:
        model["tb"] = os.path.abspath(tb)
    if lattice is not None:
        model["lattice"] = np.asarray(lattice, dtype=float).tolist()
    return model
