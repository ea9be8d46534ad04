"""Per-thread scratch buffers that live from frame to frame.

A kernel's temporaries of a few hundred kilobytes, allocated anew on every frame, are mapped
and faulted in by the allocator each time (large blocks come from ``mmap``); kept in a buffer
per thread (the app's processing worker, a bench, a test) they cost nothing after the first
frame. ``thread_buffer`` hands out a 1-D array of at least ``n`` items, grown when needed;
the contents are whatever the last user left there.
"""

from __future__ import annotations

import threading

import numpy as np

_local = threading.local()


def thread_buffer(key: str, n: int, dtype: type[np.generic]) -> np.ndarray:
    """This thread's buffer ``key`` of at least ``n`` items of ``dtype`` (1-D, C-contiguous)."""
    buffers: dict[str, np.ndarray] | None = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    buf = buffers.get(key)
    if buf is None or buf.size < n or buf.dtype != dtype:
        buf = buffers[key] = np.empty(max(int(n), 1), dtype)
    return buf
