"""Filter what native code writes to file descriptor 2 during one call.

Native libraries (MediaPipe's C++ graph, TensorFlow Lite) log straight to fd 2, past
Python's ``sys.stderr`` and past any setting Python can reach. ``filtered_stderr(known)``
points fd 2 at a pipe for the duration of a ``with`` block, then puts it back and writes
every captured line that none of the ``known`` patterns matches (so real warnings and
errors stay visible, only later). A thread drains the pipe while the block runs, so a
chatty library never blocks on a full pipe. Nothing is written to disk.

fd 2 belongs to the whole process: blocks are serialised by one lock, and anything another
thread writes to stderr meanwhile is captured and re-emitted (delayed, not lost). Keep the
blocks short (creating a model, not running it).
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

_LOCK = threading.Lock()
_STDERR_FD = 2


@contextmanager
def filtered_stderr(known: Sequence[re.Pattern[str]]) -> Iterator[None]:
    """Drop the lines written to fd 2 inside the block that match one of ``known`` (``fullmatch``)."""
    with _LOCK:
        try:
            saved = os.dup(_STDERR_FD)
        except OSError:  # no usable fd 2 (a detached process): nothing to filter
            saved = -1
        if saved < 0:
            yield
            return
        read_end, write_end = os.pipe()
        captured: list[bytes] = []
        reader = threading.Thread(target=_drain, args=(read_end, captured), name="safelens-stderr-filter", daemon=True)
        reader.start()
        _flush_python_stderr()
        os.dup2(write_end, _STDERR_FD)
        os.close(write_end)
        try:
            yield
        finally:
            _flush_python_stderr()
            os.dup2(saved, _STDERR_FD)  # closes the pipe's last write end: the reader sees EOF
            os.close(saved)
            reader.join()
            os.close(read_end)
            kept = unknown_lines(b"".join(captured).decode("utf-8", errors="replace"), known)
            if kept:
                os.write(_STDERR_FD, "".join(line + "\n" for line in kept).encode("utf-8"))


def unknown_lines(text: str, known: Sequence[re.Pattern[str]]) -> list[str]:
    """The lines of ``text`` that no pattern of ``known`` matches in full."""
    return [line for line in text.splitlines() if not any(p.fullmatch(line) for p in known)]


def _drain(fd: int, into: list[bytes]) -> None:
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        into.append(chunk)


def _flush_python_stderr() -> None:
    stream = sys.stderr
    if stream is not None:
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken: nothing buffered can be saved
            pass
