"""Scalar helpers the Numba kernels share (inlined into each kernel that calls them)."""

from __future__ import annotations

import numpy as np

from effects.backend import njit


@njit(cache=True, fastmath=False, inline="always")
def to_u8(v: float) -> np.uint8:
    """``v`` (0-255 scale) rounded half up and clamped to a uint8."""
    v += 0.5
    if v <= 0.0:
        return np.uint8(0)
    if v >= 255.0:
        return np.uint8(255)
    return np.uint8(int(v))
