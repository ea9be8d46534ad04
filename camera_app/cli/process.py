"""What a ``safelens`` command guards for its whole process: its output streams and its signals.

- **Streams**: standard output and error are wrapped while a command runs. Every character that
  could drive a terminal (C0/C1 controls except newline, tab and carriage return; format
  characters such as bidirectional overrides; line and paragraph separators) is written as a
  ``\\uXXXX`` escape, which keeps JSON output valid and decoding to the same text. A write that
  fails (``> /dev/full``, a closed pipe) raises ``OutputStreamError`` instead of a traceback.
- **Signals**: SIGTERM and SIGHUP stop a command like Ctrl-C does (``CommandStopped`` is a
  ``KeyboardInterrupt``), so the same clean-up runs: writers abort and remove their temporary
  files. A second signal during that clean-up is ignored.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TextIO

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e"
                     r"\u2060-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
STOP_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


class OutputStreamError(Exception):
    """Standard output or error cannot be written (a full disk, a closed pipe)."""


class CommandStopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived; handled like Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code > 0xFFFF:  # a JSON-compatible surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every character that could drive a terminal written as an escape."""
    return _UNSAFE.sub(_escape, text)


class GuardedStream:
    """A text stream that escapes unsafe characters and turns write errors into ``OutputStreamError``."""

    def __init__(self, inner: TextIO, name: str) -> None:
        self._inner = inner
        self._name = name

    def write(self, text: str) -> int:
        try:
            return self._inner.write(terminal_safe(text))
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self._inner.flush()
        except OSError as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: OSError) -> OutputStreamError:
        _silence(self._inner)
        return OutputStreamError(f"cannot write to standard {self._name} ({exc.strerror or exc})")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _silence(stream: TextIO) -> None:
    """Point a failed stream's descriptor at /dev/null, so the interpreter's final flush of
    what is still buffered cannot fail a second time."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(null, fd)
    except OSError:
        pass
    finally:
        os.close(null)


def _stop(signum: int, frame: FrameType | None) -> None:
    for s in STOP_SIGNALS:  # the clean-up the exception triggers must not be cut short
        signal.signal(s, signal.SIG_IGN)
    raise CommandStopped(signum)


@contextmanager
def guarded_process() -> Iterator[None]:
    """Guard the streams and the stop signals for the duration of a command (restored after)."""
    saved_streams = sys.stdout, sys.stderr
    saved_handlers: dict[int, Any] = {}
    sys.stdout = GuardedStream(saved_streams[0], "output")
    sys.stderr = GuardedStream(saved_streams[1], "error")
    try:
        for s in STOP_SIGNALS:
            try:
                saved_handlers[s] = signal.signal(s, _stop)
            except ValueError:  # not the main thread: the caller keeps its own handling
                break
        yield
    finally:
        for s, handler in saved_handlers.items():
            signal.signal(s, handler)
        sys.stdout, sys.stderr = saved_streams
