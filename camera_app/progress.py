"""A one-line progress bar on stderr, for long commands (render, age eval, bench, bundled results)."""

from __future__ import annotations

import sys
import time
from typing import Any


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int | None, label: str, stream: Any = None) -> None:
        self.total = total
        self.label = label
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
        if self._tty:
            self.stream.write("\r" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
