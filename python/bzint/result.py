"""bzint.Result: the output document of a run with its numbers as numpy arrays."""

import json
import os
from typing import Any

import numpy as np


def _numeric(node: Any) -> bool:
    """Whether a JSON list holds numbers only, at any depth (a null, "no estimate", does not)."""
    if isinstance(node, list):
        return all(_numeric(v) for v in node)
    return isinstance(node, (int, float)) and not isinstance(node, bool)


def _arrays(node: Any) -> Any:
    """A JSON value with its numeric lists as numpy arrays (dicts stay dicts; a list holding a null
    stays a list, with None: no NaN stands in for it)."""
    if isinstance(node, dict):
        return {k: _arrays(v) for k, v in node.items()}
    if isinstance(node, list):
        if _numeric(node):
            try:
                return np.asarray(node, dtype=float)
            except ValueError:  # ragged
                pass
        return [_arrays(v) for v in node]
    return node


class Result:
    """The outcome of bzint.run: the CLI's output document, with its numbers as numpy arrays.

    results  dict of arrays (and nested dicts), the keys and shapes of the JSON's "results"
             (the table in docs/python.md: levels first, then bands, then Cartesian components)
    errors   dict of the same keys and shapes: the error estimates (docs/accuracy.md), or None
    units    dict: the unit of each quantity
    warnings list of str: what the CLI prints as warnings
    timing, backend, spec, document (the whole JSON document as a dict)
    """

    def __init__(self, document: dict, spec: dict):
        self.document = document
        self.spec = spec
        self.results = _arrays(document["results"])
        self.errors = _arrays(document.get("errors"))
        self.units = document["units"]
        self.warnings = list(document.get("warnings", []))
        self.timing = document["timing"]
        self.backend = document["backend"]

    def to_json(self, path: str) -> None:
        """Writes the output document, the content of `bzint run`'s <title>.json, to path (atomically)."""
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.document, f, indent=2)
        os.replace(tmp, path)

    def __repr__(self) -> str:
        keys = ", ".join(self.results)
        return f"<bzint.Result {self.document['task']} on {self.backend}: {keys}>"
