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
from effects.backend import njit


SATURATION = 1.25


def level_table(levels: int) -> np.ndarray:
    """float64 (256,) table: each luma value to the nearest of ``levels`` evenly spaced values."""
    v = np.arange(256, dtype=np.float64)
    return np.floor(v / 255.0 * (levels - 1) + 0.5) / (levels - 1) * 255.0


@njit(cache=True, fastmath=False)
def _raw_luma_row_nb(s: np.ndarray, raw: np.ndarray) -> None:
    """raw[x] = the luma in [0, 1] (float32) of the flat RGB row s."""
    for x in range(raw.shape[0]):
        raw[x] = np.float32((0.299 * s[3 * x] + 0.587 * s[3 * x + 1] + 0.114 * s[3 * x + 2]) * (1.0 / 255.0))


@njit(cache=True, fastmath=False)
def _blur_row_nb(raw: np.ndarray, tmp: np.ndarray) -> None:
    """tmp = raw blurred along the row by [1 4 6 4 1] / 16 (ends repeat), in float32 steps."""
    w = raw.shape[0]
    for x in range(min(2, w)):
        a = raw[max(x - 2, 0)] + raw[min(x + 2, w - 1)]
        b = raw[max(x - 1, 0)] + raw[min(x + 1, w - 1)]
        tmp[x] = np.float32((a + 4.0 * b + 6.0 * raw[x]) * 0.0625)
    inner = tmp[2:]
    for x in range(w - 4):  # 2 <= x + 2 < w - 2: no clamping, vectorised
        a = raw[x] + raw[x + 4]
        b = raw[x + 1] + raw[x + 3]
        inner[x] = np.float32((a + 4.0 * b + 6.0 * raw[x + 2]) * 0.0625)
    for x in range(max(w - 2, 2), w):
        a = raw[max(x - 2, 0)] + raw[min(x + 2, w - 1)]
        b = raw[max(x - 1, 0)] + raw[min(x + 1, w - 1)]
        tmp[x] = np.float32((a + 4.0 * b + 6.0 * raw[x]) * 0.0625)


@njit(cache=True, fastmath=False)
def _blur_column_nb(t2m: np.ndarray, t1m: np.ndarray, t0: np.ndarray, t1p: np.ndarray, t2p: np.ndarray,
                    lu: np.ndarray) -> None:
    """lu = five row-blurred rows blurred across by [1 4 6 4 1] / 16, in float32 steps."""
    for x in range(lu.shape[0]):
        a = t2m[x] + t2p[x]
        b = t1m[x] + t1p[x]
        lu[x] = np.float32((a + 4.0 * b + 6.0 * t0[x]) * 0.0625)


@njit(cache=True, fastmath=False)
def _ink_row_nb(up: np.ndarray, mid: np.ndarray, down: np.ndarray, edge_lo: float, span: float, k: np.ndarray) -> None:
    """k[x] = ink coverage from the Sobel magnitude of the smoothed luma (ends repeat)."""
    w = mid.shape[0]
    for x in (0, w - 1):
        xm = max(x - 1, 0)
        xp = min(x + 1, w - 1)
        gx = (up[xp] + 2.0 * mid[xp] + down[xp]) - (up[xm] + 2.0 * mid[xm] + down[xm])
        gy = (down[xm] + 2.0 * down[x] + down[xp]) - (up[xm] + 2.0 * up[x] + up[xp])
        t = min(max((np.sqrt(gx * gx + gy * gy) * 0.25 - edge_lo) / span, 0.0), 1.0)
        k[x] = t * t * (3.0 - 2.0 * t)
    inner = k[1:]
    for x in range(w - 2):  # pixel x + 1: neighbours x and x + 2, no clamping, vectorised
        gx = (up[x + 2] + 2.0 * mid[x + 2] + down[x + 2]) - (up[x] + 2.0 * mid[x] + down[x])
        gy = (down[x] + 2.0 * down[x + 1] + down[x + 2]) - (up[x] + 2.0 * up[x + 1] + up[x + 2])
        t = min(max((np.sqrt(gx * gx + gy * gy) * 0.25 - edge_lo) / span, 0.0), 1.0)
        inner[x] = t * t * (3.0 - 2.0 * t)


@njit(cache=True, fastmath=False)
def posterize_nb(
    src: np.ndarray,
    table: np.ndarray,
    edges: bool,
    edge_lo: float,
    edge_hi: float,
    ink: np.ndarray,
    strength: float,
    out: np.ndarray,
) -> None:
    """out = mix(src, ink-over-posterized(src), strength); C-contiguous (h, w, 3) uint8 arrays.

    One pass down the picture: each source row's luma is blurred along the row into a ring
    of five rows, each smoothed row (blurred across those five) into a ring of three, and
    each output row is made as soon as the smoothed rows above and below it exist, so the
    working rows stay in cache. The arithmetic is the same, step for step, as a pass per
    stage over the whole frame.
    """
    h, w = src.shape[0], src.shape[1]
    rows_in = src.reshape(h, w * 3)
    rows_out = out.reshape(h, w * 3)
    raw = np.empty(w, np.float32)
    tmp = np.empty((5, w), np.float32)  # row-blurred luma of rows r, slot r % 5
    lum = np.empty((3, w), np.float32)  # smoothed luma of rows q, slot q % 3
    k = np.zeros(w, np.float64)
    yq = np.empty(w, np.float64)
    span = edge_hi - edge_lo
    sat = SATURATION
    ink_r, ink_g, ink_b = ink[0], ink[1], ink[2]
    tmp_done = -1
    lum_done = -1
    for y in range(h):
        while lum_done < min(y + 1, h - 1):
            q = lum_done + 1
            while tmp_done < min(q + 2, h - 1):
                row = tmp_done + 1
                _raw_luma_row_nb(rows_in[row], raw)
                _blur_row_nb(raw, tmp[row % 5])
                tmp_done = row
            _blur_column_nb(tmp[max(q - 2, 0) % 5], tmp[max(q - 1, 0) % 5], tmp[q % 5], tmp[min(q + 1, h - 1) % 5],
                            tmp[min(q + 2, h - 1) % 5], lum[q % 3])
            lum_done = q
        mid = lum[y % 3]
        if edges:
            _ink_row_nb(lum[max(y - 1, 0) % 3], mid, lum[min(y + 1, h - 1) % 3], edge_lo, span, k)
        for x in range(w):
            yq[x] = table[int(mid[x] * 255.0 + 0.5)]
        s = rows_in[y]
        o = rows_out[y]
        for x in range(w):
            r = np.float64(s[3 * x])
            g = np.float64(s[3 * x + 1])
            b = np.float64(s[3 * x + 2])
            lm = 0.299 * r + 0.587 * g + 0.114 * b
            kx = k[x]
            pr = min(max(yq[x] + (r - lm) * sat, 0.0), 255.0)
            pg = min(max(yq[x] + (g - lm) * sat, 0.0), 255.0)
            pb = min(max(yq[x] + (b - lm) * sat, 0.0), 255.0)
            pr += (ink_r - pr) * kx
            pg += (ink_g - pg) * kx
            pb += (ink_b - pb) * kx
            o[3 * x] = np.uint8(min(max(r + (pr - r) * strength + 0.5, 0.0), 255.0))
            o[3 * x + 1] = np.uint8(min(max(g + (pg - g) * strength + 0.5, 0.0), 255.0))
            o[3 * x + 2] = np.uint8(min(max(b + (pb - b) * strength + 0.5, 0.0), 255.0))


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
    out: np.ndarray,
) -> None:
    """NumPy reference of posterize_nb."""
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
