"""Vignette: darken towards the corners.

The normalised distance of pixel (x, y) from the frame centre is
``d = sqrt(((x - cx) / (w/2))^2 + ((y - cy) / (h/2))^2) / sqrt(2)`` (0 at the centre, 1 in
the corners, an ellipse that follows the frame's aspect ratio). The gain is
``1 - depth * smoothstep(radius, radius + softness, d)`` where depth = amount * strength.

The gain only depends on the frame size and the parameters, so the Numba path computes it
once (``gain_map_nb``: 15-bit fixed point, upper half only since the map is symmetric, the
three channels side by side) and each frame is one multiply-and-shift per byte
(``vignette_nb``), a loop the compiler vectorises. The NumPy reference computes the
float gain every time; the two agree within a grey level.
"""

from __future__ import annotations

import math

import numpy as np
from effects.backend import njit

_INV_SQRT2 = 1.0 / math.sqrt(2.0)


GAIN_BITS = 15
GAIN_ONE = 1 << GAIN_BITS


@njit(cache=True, fastmath=False)
def gain_map_nb(depth: float, radius: float, softness: float, gain: np.ndarray, height: int) -> None:
    """Fill ``gain`` ((ceil(h/2), w*3) uint16) with the fixed-point gain (1.0 = GAIN_ONE) of the
    upper half of an (h, w) frame, repeated for the 3 channels; the lower half mirrors it."""
    rows, n = gain.shape[0], gain.shape[1]
    w = n // 3
    cx = (w - 1) * 0.5
    cy = (height - 1) * 0.5
    ax = 2.0 / w
    ay = 2.0 / height
    for y in range(rows):
        ny = (y - cy) * ay
        for x in range(w):
            nx = (x - cx) * ax
            d = np.sqrt(nx * nx + ny * ny) * _INV_SQRT2
            t = (d - radius) / softness
            if t <= 0.0:
                g = 1.0
            elif t >= 1.0:
                g = 1.0 - depth
            else:
                g = 1.0 - depth * (t * t * (3.0 - 2.0 * t))
            q = np.uint16(int(g * GAIN_ONE + 0.5))
            gain[y, 3 * x] = q
            gain[y, 3 * x + 1] = q
            gain[y, 3 * x + 2] = q


@njit(cache=True, fastmath=False)
def vignette_nb(src: np.ndarray, gain: np.ndarray, out: np.ndarray) -> None:
    """out = round(src * gain) with the half-height fixed-point map of gain_map_nb (C-contiguous arrays)."""
    h = src.shape[0]
    n = src.shape[1] * 3
    s2 = src.reshape(h, n)
    o2 = out.reshape(h, n)
    half = np.int64(GAIN_ONE >> 1)
    for y in range(h):
        gy = y if y < gain.shape[0] else h - 1 - y
        grow = gain[gy]
        srow = s2[y]
        orow = o2[y]
        for i in range(n):
            orow[i] = np.uint8((np.int64(srow[i]) * np.int64(grow[i]) + half) >> GAIN_BITS)


def gain_rows(height: int) -> int:
    """Rows of the half-height gain map."""
    return (height + 1) // 2


def gain_np(height: int, width: int, depth: float, radius: float, softness: float) -> np.ndarray:
    """The (h, w) float64 gain map of the vignette."""
    cy, cx = (height - 1) * 0.5, (width - 1) * 0.5
    ny = ((np.arange(height) - cy) * (2.0 / height))[:, None]
    nx = ((np.arange(width) - cx) * (2.0 / width))[None, :]
    d = np.sqrt(nx * nx + ny * ny) * _INV_SQRT2
    t = np.clip((d - radius) / softness, 0.0, 1.0)
    return 1.0 - depth * (t * t * (3.0 - 2.0 * t))


def vignette_np(src: np.ndarray, depth: float, radius: float, softness: float, out: np.ndarray) -> None:
    """NumPy reference of vignette_nb."""
    g = gain_np(src.shape[0], src.shape[1], depth, radius, softness)
    out[...] = np.floor(src.astype(np.float64) * g[..., None] + 0.5).astype(np.uint8)
