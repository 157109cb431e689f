"""The progress bar of bzint.run (docs/python.md, "Progress and warnings")."""

import sys

class _ProgressBar:
    """The command line's progress report as a tqdm bar when tqdm is installed, else as one line
    on sys.stderr rewritten in place. Reports start after a second of work (host/progress.hpp),
    so short runs show nothing; each stage (a refinement, a tolerance pass) gets its own bar."""

    def __init__(self):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        self._tqdm = tqdm
        self._bar = None
        self._stage = None
        self._printed = False

    def __call__(self, what: str, done: int, total: int, unit: str, finished: bool) -> None:
        if (what, total) != self._stage:
            self.close()
            self._stage = (what, total)
            if self._tqdm is not None:
                self._bar = self._tqdm(total=total, desc=what, unit=unit)
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
        else:
            share = 100.0 * done / total if total > 0 else 100.0
            print(f"\r[bzint] {what}: {done}/{total} {unit} ({share:.1f}%)", end="", file=sys.stderr, flush=True)
            self._printed = True
        if finished:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._printed:
            print(file=sys.stderr, flush=True)
            self._printed = False
        self._stage = None
