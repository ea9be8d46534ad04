"""Summary statistics of timings: the median and tail percentiles every report uses."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation between order statistics."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile: expected q in [0, 100], found {q!r}")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    frac = pos - lo
    return ordered[lo] * (1.0 - frac) + ordered[hi] * frac


def summarize(values_ms: Sequence[float]) -> dict[str, float | int]:
    """``n``, ``mean``, ``median``, ``p95``, ``p99``, ``min`` and ``max`` of timings in ms
    (rounded to microseconds). An empty list gives ``{"n": 0}``."""
    if not values_ms:
        return {"n": 0}
    return {
        "n": len(values_ms),
        "mean": _r(sum(values_ms) / len(values_ms)),
        "median": _r(percentile(values_ms, 50.0)),
        "p95": _r(percentile(values_ms, 95.0)),
        "p99": _r(percentile(values_ms, 99.0)),
        "min": _r(min(values_ms)),
        "max": _r(max(values_ms)),
    }


def over_budget(values_ms: Sequence[float], budget_ms: float) -> int:
    """How many frames took longer than the budget."""
    return sum(1 for v in values_ms if v > budget_ms)


def _r(value: float) -> float:
    return round(float(value), 3)
