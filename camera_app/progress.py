"""A one-line progress bar on stderr, for long commands (render, age eval, bench, bundled results, audits)."""

from __future__ import annotations

import sys
import time
from typing import Any


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal).

    With ``unit`` (e.g. "effects") the line also shows the rate per minute and, with a total,
    the time left at that rate (the rate counts only this run's items: ``skipped`` ones, such
    as work a resumed run finds done, move the bar without speeding up the estimate).
    """

    def __init__(self, total: int | None, label: str, stream: Any = None, unit: str | None = None) -> None:
        self.total = total
        self.label = label
        self.unit = unit
        self.skipped = 0
        self.stream = stream or sys.stderr
        self.count = 0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_print = 0.0
        self._start = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        done = self.total is not None and self.count >= self.total
        if not done and now - self._last_print < (0.1 if self._tty else 2.0):
            return
        self._last_print = now
        self._write()

    def _write(self) -> None:
        elapsed = time.monotonic() - self._start
        if self.total:
            frac = min(1.0, self.count / self.total)
            bar = "#" * int(frac * 30)
            text = f"{self.label} [{bar:<30}] {self.count}/{self.total} {elapsed:5.1f}s"
        else:
            text = f"{self.label} {self.count} {elapsed:5.1f}s"
        if self.unit is not None:
            text += self._rate(elapsed)
        if self._tty:
            self.stream.write("\r" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _rate(self, elapsed: float) -> str:
        worked = self.count - self.skipped
        if worked <= 0 or elapsed <= 0:
            return f"  - {self.unit}/min"
        per_min = 60.0 * worked / elapsed
        text = f"  {per_min:.1f} {self.unit}/min"
        if self.total:
            left = max(0, self.total - self.count) * elapsed / worked
            hours, rest = divmod(int(left), 3600)
            text += f"  ETA {hours}:{rest // 60:02d}:{rest % 60:02d}"
        return text

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
