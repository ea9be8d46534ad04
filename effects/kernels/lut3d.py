"""Applying a 3D colour LUT to uint8 RGB with trilinear interpolation.

A LUT is a table ``table[r, g, b] -> (R, G, B)`` on an N x N x N grid over the input
domain ``[domain_min, domain_max]`` per channel (values in [0, 1]). An input value
v in 0..255 maps to the grid coordinate ``t = clip((v/255 - min) / (max - min), 0, 1) * (N-1)``;
the output is the trilinear interpolation of the 8 surrounding grid points, mixed
with the input by ``weight = strength * alpha`` (alpha per pixel for a masked
scope, or 1 everywhere). Output values are clipped to [0, 1] on the grid first.

The Numba kernel uses a prepared form: since 8-bit red takes only 256 values, the
interpolation along red is done once per LUT into ``rex[r, ig, ib]`` (256 x N x N),
leaving a bilinear step per pixel. Trilinear interpolation is separable, so this is
the same function; the NumPy reference interpolates the original table directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(frozen=True, slots=True)
class PreparedLut:
    """Per-channel grid index/weight tables and the red-expanded table, for lut_nb."""

    size: int
    rex: np.ndarray  # float32 (256 * N * N * 3,), values 0..255
    g_index: np.ndarray  # int32 (256,)
    g_weight: np.ndarray  # float32 (256,)
    b_index: np.ndarray
    b_weight: np.ndarray


def grid_coords(size: int, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """For each 8-bit value: the lower grid index (0..N-2) and the weight of the upper one."""
    v = np.arange(256, dtype=np.float64) / 255.0
    t = np.clip((v - lo) / (hi - lo), 0.0, 1.0) * (size - 1)
    index = np.minimum(np.floor(t), size - 2).astype(np.int32)
    return index, (t - index)


def prepare_lut(table: np.ndarray, domain_min: tuple[float, float, float], domain_max: tuple[float, float, float]) -> PreparedLut:
    """The prepared form of an (N, N, N, 3) [r, g, b] table for lut_nb."""
    n = table.shape[0]
    tab = np.clip(table.astype(np.float64), 0.0, 1.0) * 255.0
    ri, rw = grid_coords(n, domain_min[0], domain_max[0])
    gi, gw = grid_coords(n, domain_min[1], domain_max[1])
    bi, bw = grid_coords(n, domain_min[2], domain_max[2])
    rex = tab[ri] * (1.0 - rw)[:, None, None, None] + tab[ri + 1] * rw[:, None, None, None]
    return PreparedLut(
        size=n,
        rex=np.ascontiguousarray(rex.astype(np.float32).reshape(-1)),
        g_index=gi,
        g_weight=gw.astype(np.float32),
        b_index=bi,
        b_weight=bw.astype(np.float32),
    )


@njit(cache=True, fastmath=False)
def lut_nb(
    src: np.ndarray,
    rex: np.ndarray,
    n: int,
    g_index: np.ndarray,
    g_weight: np.ndarray,
    b_index: np.ndarray,
    b_weight: np.ndarray,
    alpha: np.ndarray,
    use_alpha: bool,
    strength: float,
    out: np.ndarray,
) -> None:
    """out = src + (LUT(src) - src) * strength * (alpha if use_alpha else 1), per pixel."""
    h, w = src.shape[0], src.shape[1]
    s_r = n * n * 3
    s_g = n * 3
    k = np.float32(strength)
    for y in range(h):
        for x in range(w):
            r = src[y, x, 0]
            g = src[y, x, 1]
            b = src[y, x, 2]
            a = k
            if use_alpha:
                a = k * alpha[y, x]
                if a <= 0.0:
                    out[y, x, 0] = r
                    out[y, x, 1] = g
                    out[y, x, 2] = b
                    continue
            base = r * s_r + g_index[g] * s_g + b_index[b] * 3
            fg = g_weight[g]
            fb = b_weight[b]
            for c in range(3):
                o = base + c
                c00 = rex[o]
                c10 = rex[o + s_g]
                c01 = rex[o + 3]
                c11 = rex[o + s_g + 3]
                v0 = c00 + (c10 - c00) * fg
                v1 = c01 + (c11 - c01) * fg
                v = v0 + (v1 - v0) * fb
                sv = np.float32(src[y, x, c])
                res = sv + (v - sv) * a + np.float32(0.5)
                if res >= 255.0:
                    out[y, x, c] = 255
                elif res <= 0.0:
                    out[y, x, c] = 0
                else:
                    out[y, x, c] = np.uint8(res)


def lut_np(
    src: np.ndarray,
    table: np.ndarray,
    domain_min: tuple[float, float, float],
    domain_max: tuple[float, float, float],
    alpha: np.ndarray | None,
    strength: float,
    out: np.ndarray,
) -> None:
    """NumPy reference: trilinear interpolation of the original (N, N, N, 3) table."""
    n = table.shape[0]
    tab = np.clip(table.astype(np.float64), 0.0, 1.0) * 255.0
    idx = []
    wts = []
    for c in range(3):
        i, f = grid_coords(n, domain_min[c], domain_max[c])
        v = src[..., c]
        idx.append(i[v])
        wts.append(f[v][..., None])
    ir, ig, ib = idx
    fr, fg, fb = wts
    res = np.zeros(src.shape, np.float64)
    for dr, wr in ((0, 1.0 - fr), (1, fr)):
        for dg, wg in ((0, 1.0 - fg), (1, fg)):
            for db, wb in ((0, 1.0 - fb), (1, fb)):
                res += tab[ir + dr, ig + dg, ib + db] * (wr * wg * wb)
    s = src.astype(np.float64)
    weight = strength if alpha is None else (strength * alpha.astype(np.float64))[..., None]
    out[...] = np.clip(np.floor(s + (res - s) * weight + 0.5), 0, 255).astype(np.uint8)
