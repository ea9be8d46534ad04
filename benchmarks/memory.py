"""Memory figures: the process's resident set now and at its peak, and traced allocations."""

from __future__ import annotations

import resource
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

_STATUS = Path("/proc/self/status")


def current_rss_mb() -> float:
    """Resident set size now, in MiB (from /proc; the peak where /proc is absent)."""
    try:
        for line in _STATUS.read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024.0, 2)
    except OSError:
        pass
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """The process's peak resident set size so far (``getrusage``), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return round(peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0, 2)


def traced_peak_mb(body: Callable[[], None]) -> tuple[float, float]:
    """Run ``body`` under tracemalloc: (peak, still allocated at the end) of Python and NumPy
    allocations in MiB. Slow: never around timed code."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        body()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    mib = 1024.0 * 1024.0
    return round((peak - base) / mib, 2), round((current - base) / mib, 2)
