"""CPU pinning for device profiles: run a measurement on a subset of the machine's cores.

``os.sched_setaffinity(0, ...)`` on Linux pins only the calling thread, and threads that
already exist (MediaPipe's, onnxruntime's, the pipeline's worker) keep their own mask. So
:func:`pinned` sets the mask of every thread of the process (``/proc/self/task``) and of
threads started meanwhile (they inherit their creator's mask), and restores each thread's
previous mask afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

_TASKS = Path("/proc/self/task")


def thread_ids() -> list[int]:
    """Kernel ids of this process's threads (the process id alone where /proc is absent)."""
    try:
        return sorted(int(p.name) for p in _TASKS.iterdir())
    except OSError:
        return [os.getpid()]


def _set_all(cpus: Sequence[int]) -> dict[int, set[int]]:
    before: dict[int, set[int]] = {}
    for tid in thread_ids():
        try:
            before[tid] = os.sched_getaffinity(tid)
            os.sched_setaffinity(tid, cpus)
        except (ProcessLookupError, PermissionError):
            continue  # the thread ended in between
    return before


@contextmanager
def pinned(cpus: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Run the body with every thread of this process allowed only on ``cpus``."""
    chosen = tuple(sorted(set(cpus)))
    if not chosen:
        raise ValueError("pinned: expected at least one CPU")
    before = _set_all(chosen)
    try:
        yield chosen
    finally:
        full = set().union(*before.values()) if before else set(chosen)
        for tid in thread_ids():
            try:
                os.sched_setaffinity(tid, before.get(tid, full))
            except (ProcessLookupError, PermissionError):
                continue
