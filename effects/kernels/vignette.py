"""Vignette: darken towards the corners.

The normalised distance of pixel (x, y) from the frame centre is
``d = sqrt(((x - cx) / (w/2))^2 + ((y - cy) / (h/2))^2) / sqrt(2)`` (0 at the centre, 1 in
the corners, an ellipse that follows the frame's aspect ratio). The gain is
``1 - depth * smoothstep(radius, radius + softness, d)`` where depth = amount * strength;
pixels with d <= radius keep their exact value (each row copies that span directly).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_INV_SQRT2 = 1.0 / math.sqrt(2.0)


@njit(cache=True, fastmath=False)
def vignette_nb(src: np.ndarray, depth: float, radius: float, softness: float, out: np.ndarray) -> None:
    """out = src * gain(x, y), see the module notes."""
    h, w = src.shape[0], src.shape[1]
    cx = (w - 1) * 0.5
    cy = (h - 1) * 0.5
    ax = 2.0 / w
    ay = 2.0 / h
    r_px = radius / _INV_SQRT2  # radius in the un-normalised distance
    for y in range(h):
        ny = (y - cy) * ay
        ny2 = ny * ny
        # columns strictly inside the radius: gain exactly 1
        rem = r_px * r_px - ny2
        x_lo = w
        x_hi = -1
        if rem > 0.0:
            half = np.sqrt(rem) / ax
            x_lo = max(int(np.ceil(cx - half)) + 1, 0)
            x_hi = min(int(np.floor(cx + half)) - 1, w - 1)
        for x in range(w):
            if x_lo <= x <= x_hi:
                out[y, x, 0] = src[y, x, 0]
                out[y, x, 1] = src[y, x, 1]
                out[y, x, 2] = src[y, x, 2]
                continue
            nx = (x - cx) * ax
            d = np.sqrt(nx * nx + ny2) * _INV_SQRT2
            t = (d - radius) / softness
            if t <= 0.0:
                g = 1.0
            elif t >= 1.0:
                g = 1.0 - depth
            else:
                g = 1.0 - depth * (t * t * (3.0 - 2.0 * t))
            out[y, x, 0] = np.uint8(src[y, x, 0] * g + 0.5)
            out[y, x, 1] = np.uint8(src[y, x, 1] * g + 0.5)
            out[y, x, 2] = np.uint8(src[y, x, 2] * g + 0.5)


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
