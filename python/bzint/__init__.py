"""bzint from Python: every task from a dict with the run file's sections and keys.

    import bzint
    r = bzint.run({"model": {"name": "haldane", "M": 0.2},
                   "mesh": {"n": [200, 200]},
                   "task": {"kind": "ahc", "mu": {"from": -3, "to": 3, "count": 601}}})
    r.results["sigma_xy"]        # numpy array, units in r.units
    r.errors["sigma_xy"]         # its error estimate (docs/accuracy.md)

The spec is validated by the same code as a run file, with the same messages (docs/run-file.md
lists every key); the numbers are bitwise those of `bzint run` on the same input. See
docs/python.md.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from typing import Any, Callable, Mapping, Optional, Union

import numpy as np

from . import _bzint
from .errors import InputError, NonFiniteError, NotConvergedError, ResultWarning, WriteError
from .models import E2_OVER_H_ANGSTROM_S_PER_CM, TightBinding, from_hr, from_pythtb, from_tbmodels
from .progress import _ProgressBar
from .result import Result

__all__ = ["run", "Result", "band_geometry", "bands", "berry_curvature", "orbital_moment", "TightBinding",
           "from_pythtb", "from_tbmodels", "from_hr", "E2_OVER_H_ANGSTROM_S_PER_CM", "InputError", "NonFiniteError",
           "WriteError", "NotConvergedError", "ResultWarning"]

def _with_model_files(spec: Mapping[str, Any], folder: str) -> Mapping[str, Any]:
    """The spec with a TightBinding model written as <title>_tb.dat into folder (bzint/models.py)."""
    model = spec.get("model") if isinstance(spec, Mapping) else None
    if not isinstance(model, TightBinding):
        return spec
    os.makedirs(folder, exist_ok=True)
    title = spec.get("title", "spec")
    return {**spec, "model": model.model(os.path.join(folder, f"{title}_tb.dat"))}


def _plain(node: Any) -> Any:
    """A spec with numpy arrays and scalars as lists and Python numbers."""
    if isinstance(node, Mapping):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, np.ndarray):
        return node.tolist()
    if isinstance(node, np.generic):
        return node.item()
    if isinstance(node, (list, tuple)):
        return [_plain(v) for v in node]
    return node


ProgressCallback = Callable[[str, int, int, str, bool], None]


def run(spec: Mapping[str, Any], *, backend: str = "auto", threads: Optional[int] = None,
        out: Optional[str] = None, resume: bool = False,
        progress: Union[bool, ProgressCallback] = True) -> Result:
    """Runs the task that `spec` describes and returns its Result.

    spec     a dict with exactly the run file's sections and keys (docs/run-file.md), e.g.
             {"model": {"name": "qwz", "u": -1}, "mesh": {"n": [100, 100]},
              "task": {"kind": "chern"}}; numpy arrays are accepted where lists are, and
             spec["model"] may be a TightBinding (bzint/models.py). Relative paths are
             relative to the working folder.
    backend  "auto" (CUDA when a device is present), "cpu" or "cuda".
    threads  CPU threads (default: OMP_NUM_THREADS, else every CPU this process may use).
    out      a folder: writes exactly the CLI's files there (<title>.json and CSV tables) and
             keeps a checkpoint there if the run is interrupted; resume=True continues it.
    progress True: a progress bar (tqdm when installed, else a line on stderr) for runs longer
             than a second; False: none; or a callable(what, done, total, unit, finished),
             called about once a second from the computing threads.

    Warnings (ResultWarning) say where a result may be wrong. Raises InputError (a ValueError)
    for bad input before any work, NonFiniteError naming the
    k-point, WriteError, NotConvergedError (with .result) when a tolerance was not met, and
    KeyboardInterrupt on Ctrl-C (within a second; with out=, finished work is kept for resume).
    The GIL is released while the task runs.
    """
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise InputError(f"threads={threads!r}: must be a positive integer or None")
    bar = _ProgressBar() if progress is True else None
    report = bar if bar is not None else (progress if callable(progress) else None)
    with tempfile.TemporaryDirectory(prefix="bzint-") as scratch:
        plain = _plain(_with_model_files(spec, out if out is not None else scratch))
        try:
            text = _bzint.run(plain, backend, threads or 0, out if out is not None else "", out is not None, resume,
                              report)
        except KeyboardInterrupt:
            if out is None:
                raise
            raise KeyboardInterrupt(f"interrupted; finished work is saved in {out}: call bzint.run again with the same "
                                    "spec and resume=True to continue") from None
        finally:
            if bar is not None:
                bar.close()
    result = Result(json.loads(text), plain)
    for w in result.warnings:
        warnings.warn(w, ResultWarning, stacklevel=2)
    conv = result.document.get("convergence")
    if conv is not None and not conv.get("converged", True):
        raise NotConvergedError(f"not converged: {conv.get('reason', '')}", result)
    return result


def band_geometry(model: Mapping[str, Any], k, *, backend: str = "auto") -> dict:
    """Per-k band geometry of `model` at the points k, as numpy arrays.

    model    a spec's model dict, e.g. {"name": "haldane", "M": 0.2} (docs/run-file.md [model]),
             or a TightBinding (from_pythtb, from_tbmodels; a Wannier model: k has 3 coordinates).
    k        array (n, d): reduced coordinates of the reciprocal basis on a lattice model (k =
             sum_i k_i b_i), Cartesian k in 1/length unit on a continuum model; d the model's
             dimension (a single point (d,) is taken as (1, d)).
    Returns {"energy": (n, B), "v": (n, B, 3), "omega": (n, B, 3), "m": (n, B, 3), "units": {...}}
    for the model's B bands in ascending energy: energies, band velocities ∂ε/∂k, Berry curvature
    Ω_n (the pseudovector [yz, zx, xy]) and orbital moments; "units" names the unit of each, those
    of task berry (docs/conventions.md).
    The points are computed in parallel on the chosen backend with the GIL released. Raises
    NonFiniteError naming the point where bands touch.
    """
    points = np.ascontiguousarray(np.atleast_2d(np.asarray(k, dtype=float)))
    if points.ndim != 2:
        raise InputError(f"k: an array (n, d) of points; got shape {np.shape(k)}")
    with tempfile.TemporaryDirectory(prefix="bzint-") as scratch:
        spec = _with_model_files({"model": model}, scratch)
        return _bzint.band_geometry(_plain(spec["model"]), points, backend)


def bands(model: Mapping[str, Any], k, *, backend: str = "auto") -> np.ndarray:
    """Band energies (n, B) at the points k (see band_geometry)."""
    return band_geometry(model, k, backend=backend)["energy"]


def berry_curvature(model: Mapping[str, Any], k, *, backend: str = "auto") -> np.ndarray:
    """Berry curvature Ω_n (n, B, 3) at the points k (see band_geometry); in 2D, [..., 2] is Ω_xy."""
    return band_geometry(model, k, backend=backend)["omega"]


def orbital_moment(model: Mapping[str, Any], k, *, backend: str = "auto") -> np.ndarray:
    """Orbital magnetic moments m_n (n, B, 3) at the points k (see band_geometry)."""
    return band_geometry(model, k, backend=backend)["m"]
