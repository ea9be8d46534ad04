"""Posterize with optional comic ink edges.

The luma Y (Rec. 601 weights), smoothed by a 5x5 binomial filter so sensor noise and
fine texture do not speckle the bands, is quantised to ``levels`` values through a
256-entry table, and the colour keeps its hue: each channel becomes
``Yq + (c - Y) * SATURATION`` (Y unsmoothed here). Quantising the luma rather than each channel
gives flat tone bands without the false colours (green skin) of per-channel
posterization, and the saturation boost gives the bright colours of a comic. With
edges on, the Sobel gradient of the smoothed luma (in [0, 1]) is measured at every pixel (border pixels repeat); its magnitude, divided by 4 so a full black
to white step reads 1, turns into ink coverage with a smoothstep between ``edge_lo``
and ``edge_hi``. The result is mixed with the input by ``strength``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


SATURATION = 1.25


def level_table(levels: int) -> np.ndarray:
    """float64 (256,) table: each luma value to the nearest of ``levels`` evenly spaced values."""
    v = np.arange(256, dtype=np.float64)
    return np.floor(v / 255.0 * (levels - 1) + 0.5) / (levels - 1) * 255.0


@njit(cache=True, fastmath=False)
def smooth_luma_nb(src: np.ndarray, luma: np.ndarray) -> None:
    """luma[0] = the luma in [0, 1] blurred by a 5x5 binomial filter (borders repeat); luma[1] is scratch."""
    h, w = src.shape[0], src.shape[1]
    raw = luma[0]
    tmp = luma[1]
    for y in range(h):
        for x in range(w):
            raw[y, x] = np.float32((0.299 * src[y, x, 0] + 0.587 * src[y, x, 1] + 0.114 * src[y, x, 2]) * (1.0 / 255.0))
    for y in range(h):
        for x in range(w):
            a = raw[y, max(x - 2, 0)] + raw[y, min(x + 2, w - 1)]
            b = raw[y, max(x - 1, 0)] + raw[y, min(x + 1, w - 1)]
            tmp[y, x] = np.float32((a + 4.0 * b + 6.0 * raw[y, x]) * 0.0625)
    for y in range(h):
        y2m = max(y - 2, 0)
        y1m = max(y - 1, 0)
        y1p = min(y + 1, h - 1)
        y2p = min(y + 2, h - 1)
        for x in range(w):
            a = tmp[y2m, x] + tmp[y2p, x]
            b = tmp[y1m, x] + tmp[y1p, x]
            raw[y, x] = np.float32((a + 4.0 * b + 6.0 * tmp[y, x]) * 0.0625)


@njit(cache=True, fastmath=False)
def posterize_nb(
    src: np.ndarray,
    table: np.ndarray,
    edges: bool,
    edge_lo: float,
    edge_hi: float,
    ink: np.ndarray,
    strength: float,
    luma: np.ndarray,
    out: np.ndarray,
) -> None:
    """out = mix(src, ink-over-posterized(src), strength); ``luma`` is (2, h, w) float32 scratch."""
    h, w = src.shape[0], src.shape[1]
    smooth_luma_nb(src, luma)
    lu = luma[0]
    span = edge_hi - edge_lo
    for y in range(h):
        ym = max(y - 1, 0)
        yp = min(y + 1, h - 1)
        for x in range(w):
            k = 0.0
            if edges:
                xm = max(x - 1, 0)
                xp = min(x + 1, w - 1)
                gx = (lu[ym, xp] + 2.0 * lu[y, xp] + lu[yp, xp]) - (lu[ym, xm] + 2.0 * lu[y, xm] + lu[yp, xm])
                gy = (lu[yp, xm] + 2.0 * lu[yp, x] + lu[yp, xp]) - (lu[ym, xm] + 2.0 * lu[ym, x] + lu[ym, xp])
                mag = np.sqrt(gx * gx + gy * gy) * 0.25
                t = (mag - edge_lo) / span
                if t > 0.0:
                    k = 1.0 if t >= 1.0 else t * t * (3.0 - 2.0 * t)
            lum = 0.299 * src[y, x, 0] + 0.587 * src[y, x, 1] + 0.114 * src[y, x, 2]
            yq = table[int(lu[y, x] * 255.0 + 0.5)]
            for c in range(3):
                s = np.float64(src[y, x, c])
                p = yq + (s - lum) * SATURATION
                p = min(max(p, 0.0), 255.0)
                p += (ink[c] - p) * k
                v = s + (p - s) * strength + 0.5
                out[y, x, c] = np.uint8(min(max(v, 0.0), 255.0))


def _binomial5(a: np.ndarray) -> np.ndarray:
    """5x5 binomial blur with repeated borders, in float32 steps like smooth_luma_nb."""
    a = a.astype(np.float32)
    p = np.pad(a, ((0, 0), (2, 2)), mode="edge").astype(np.float64)
    w = a.shape[1]
    t = ((p[:, 0:w] + p[:, 4:w + 4]) + 4.0 * (p[:, 1:w + 1] + p[:, 3:w + 3]) + 6.0 * p[:, 2:w + 2]) * 0.0625
    p = np.pad(t.astype(np.float32), ((2, 2), (0, 0)), mode="edge").astype(np.float64)
    h = a.shape[0]
    out = ((p[0:h] + p[4:h + 4]) + 4.0 * (p[1:h + 1] + p[3:h + 3]) + 6.0 * p[2:h + 2]) * 0.0625
    return out.astype(np.float32).astype(np.float64)


def posterize_np(
    src: np.ndarray,
    table: np.ndarray,
    edges: bool,
    edge_lo: float,
    edge_hi: float,
    ink: np.ndarray,
    strength: float,
    luma: np.ndarray,
    out: np.ndarray,
) -> None:
    """NumPy reference of posterize_nb (``luma`` is unused scratch, kept for the same signature)."""
    s = src.astype(np.float64)
    y = 0.299 * s[..., 0] + 0.587 * s[..., 1] + 0.114 * s[..., 2]
    lum = _binomial5(y / 255.0)
    yq = table[np.floor(lum * 255.0 + 0.5).astype(np.int64)]
    p = np.clip(yq[..., None] + (s - y[..., None]) * SATURATION, 0.0, 255.0)
    if edges:
        pad = np.pad(lum, 1, mode="edge")
        tl, tc, tr = pad[:-2, :-2], pad[:-2, 1:-1], pad[:-2, 2:]
        ml, mr = pad[1:-1, :-2], pad[1:-1, 2:]
        bl, bc, br = pad[2:, :-2], pad[2:, 1:-1], pad[2:, 2:]
        gx = (tr + 2.0 * mr + br) - (tl + 2.0 * ml + bl)
        gy = (bl + 2.0 * bc + br) - (tl + 2.0 * tc + tr)
        mag = np.sqrt(gx * gx + gy * gy) * 0.25
        t = np.clip((mag - edge_lo) / (edge_hi - edge_lo), 0.0, 1.0)
        k = (t * t * (3.0 - 2.0 * t))[..., None]
        p = p + (ink.astype(np.float64) - p) * k
    out[...] = np.clip(np.floor(s + (p - s) * strength + 0.5), 0, 255).astype(np.uint8)
