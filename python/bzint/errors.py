"""The exceptions and warnings of bzint (docs/python.md, "Errors"): each maps an exit status of
the command line."""

from typing import TYPE_CHECKING

from . import _bzint

if TYPE_CHECKING:
    from .result import Result

InputError = _bzint.InputError
InputError.__doc__ = "Bad input, found before any work; the message names the key and the valid choices."
NonFiniteError = _bzint.NonFiniteError
NonFiniteError.__doc__ = "A result was not finite; the message names the k-point."
WriteError = _bzint.WriteError
WriteError.__doc__ = "An output or checkpoint could not be written (with out=); names the file and the reason."
for _e in (InputError, NonFiniteError, WriteError):
    _e.__module__ = "bzint"


class ResultWarning(UserWarning):
    """A result that may be wrong (its estimate above 1 % of it, a band touching near the mesh, ...):
    the text names the quantity and the setting to change; the command line prints the same."""


class NotConvergedError(RuntimeError):
    """[task] rtol/atol were not met within max_points or max_seconds (the CLI's exit status 5).

    `result` holds the best result, with its error estimates; with out= it was written.
    """

    def __init__(self, message: str, result: "Result"):
        super().__init__(message)
        self.result = result
