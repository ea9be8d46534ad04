"""Kernel comparisons: every ``benchmarks/kernels/*.py`` module's cases, timed three ways.

Each case has a Numba kernel, its NumPy reference and (usually) the closest OpenCV call,
bound to identical prepared inputs. Every callable runs once untimed (JIT, caches), then the
three are timed in turns (numba, numpy, opencv, numba, ...) so a burst of load from another
process hits all three alike. The slow NumPy references stop early once they have used
their time budget (at least ``MIN_REPEATS`` runs each).
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import benchmarks.kernels as kernels_pkg
from benchmarks.kernels import KernelCase
from benchmarks.stats import percentile

MIN_REPEATS = 3
NUMPY_BUDGET_S = 1.5


class KernelBenchError(RuntimeError):
    """A kernel module is malformed (no ``cases``, or cases of the wrong type)."""


@dataclass(slots=True)
class KernelTiming:
    """Raw timings (ms) of one case at one frame size."""

    name: str
    module: str
    resolution: str
    opencv_calls: str
    numba_ms: list[float] = field(default_factory=list)
    numpy_ms: list[float] = field(default_factory=list)
    opencv_ms: list[float] = field(default_factory=list)

    def ratio(self, other: list[float]) -> float | None:
        """median(numba) / median(other), or None when ``other`` was not measured."""
        if not other or not self.numba_ms:
            return None
        base = percentile(other, 50.0)
        return percentile(self.numba_ms, 50.0) / base if base > 0 else None


def kernel_modules() -> list[str]:
    """The names of the comparison modules in ``benchmarks/kernels``, sorted."""
    return sorted(
        f"{kernels_pkg.__name__}.{m.name}"
        for m in pkgutil.iter_modules(kernels_pkg.__path__)
        if not m.name.startswith("_")
    )


def load_cases(module_name: str, height: int, width: int) -> list[KernelCase]:
    module = importlib.import_module(module_name)
    make = getattr(module, "cases", None)
    if not callable(make):
        raise KernelBenchError(f"{module_name}: expected a function cases(height, width) -> list[KernelCase]")
    cases = list(make(height, width))
    for case in cases:
        if not isinstance(case, KernelCase):
            raise KernelBenchError(f"{module_name}.cases: expected KernelCase items, found {type(case).__name__}")
    return cases


def _time_once(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def time_case(case: KernelCase, module: str, resolution: str, repeats: int) -> KernelTiming:
    """Warm each callable once, then time them in turns ``repeats`` times."""
    timing = KernelTiming(case.name, module, resolution, case.opencv_calls)
    case.numba()
    case.numpy()
    if case.opencv is not None:
        case.opencv()
    numpy_spent_s = 0.0
    for i in range(repeats):
        timing.numba_ms.append(_time_once(case.numba))
        if i < MIN_REPEATS or numpy_spent_s < NUMPY_BUDGET_S:
            ms = _time_once(case.numpy)
            numpy_spent_s += ms / 1000.0
            timing.numpy_ms.append(ms)
        if case.opencv is not None:
            timing.opencv_ms.append(_time_once(case.opencv))
    return timing
