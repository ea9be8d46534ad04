"""Kernel comparisons: each Numba kernel against its NumPy reference and the closest OpenCV call.

Each module here exposes ``cases(height, width) -> list[KernelCase]``; the bench command
(``safelens bench``) discovers the modules, warms the JIT, times every callable on the same
inputs and reports medians, p95 and the ratios numba/opencv and numba/numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class KernelCase:
    """One kernel measured three ways on identical prepared inputs.

    ``numba``, ``numpy`` and ``opencv`` are zero-argument callables (inputs bound in);
    ``opencv_calls`` names the OpenCV functions the comparison uses, for the report.
    """

    name: str
    numba: Callable[[], Any]
    numpy: Callable[[], Any]
    opencv: Callable[[], Any] | None
    opencv_calls: str
