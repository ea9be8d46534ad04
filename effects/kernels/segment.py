"""Kernels of the segmentation ops: the person over a new backdrop, and hair dye.

``backdrop``: ``frame = backdrop + (frame - backdrop) * keep`` per pixel, in place, ``keep`` the
feathered person mask (1 = the person's own pixel stays).

``dye``: the dyed colour of a pixel is the dye colour scaled by
``k = clip(1 + SHADE_GAIN (luma / ref_luma - 1), 0, SHADE_MAX)``, ``ref_luma`` the hair's median luma, so strands and shading keep their relative light; where
that would pass 1 (a highlight brighter than the hair's median), the excess lifts every channel
towards white, so highlights stay highlights. ``out = src + (dyed - src) * alpha * opacity``.
Luma is 0.3 R + 0.59 G + 0.11 B on [0, 1] values.
"""

from __future__ import annotations

import numpy as np

from effects.backend import njit
from effects.kernels.pixel import to_u8

SHADE_GAIN = 0.7  # how much of the hair's relative light (luma / ref_luma - 1) the dye keeps
SHADE_MAX = 3.0



@njit(cache=True, fastmath=False)
def backdrop_nb(frame: np.ndarray, backdrop: np.ndarray, keep: np.ndarray) -> None:
    """frame = backdrop + (frame - backdrop) * keep, in place: where keep is 1 (the person) the
    pixel is not touched, where it is 0 the backdrop's is copied; only the rim does arithmetic."""
    h, w = frame.shape[0], frame.shape[1]
    for y in range(h):
        for x in range(w):
            k = keep[y, x]
            if k >= 1.0:
                continue
            if k <= 0.0:
                for c in range(3):
                    frame[y, x, c] = backdrop[y, x, c]
                continue
            for c in range(3):  # between the two values, so in [0, 255]: no clamp
                b = float(backdrop[y, x, c])
                frame[y, x, c] = np.uint8(int(b + (float(frame[y, x, c]) - b) * k + 0.5))


def backdrop_np(frame: np.ndarray, backdrop: np.ndarray, keep: np.ndarray) -> None:
    """NumPy reference of backdrop_nb."""
    b = backdrop.astype(np.float64)
    v = b + (frame.astype(np.float64) - b) * keep.astype(np.float64)[..., None]
    frame[...] = np.clip(np.floor(v + 0.5), 0, 255).astype(np.uint8)


@njit(cache=True, fastmath=False)
def dye_nb(src: np.ndarray, alpha: np.ndarray, color: np.ndarray, ref_luma: float, opacity: float,
           out: np.ndarray) -> None:
    """Hair dye of ``color`` (3 floats in [0, 1]) where ``alpha`` > 0; see the module notes."""
    h, w = src.shape[0], src.shape[1]
    inv = 1.0 / 255.0
    cr, cg, cb = color[0], color[1], color[2]
    for y in range(h):
        for x in range(w):
            a = alpha[y, x] * opacity
            if a <= 0.0:
                out[y, x, 0] = src[y, x, 0]
                out[y, x, 1] = src[y, x, 1]
                out[y, x, 2] = src[y, x, 2]
                continue
            sr = src[y, x, 0] * inv
            sg = src[y, x, 1] * inv
            sb = src[y, x, 2] * inv
            k = min(SHADE_MAX, max(0.0, 1.0 + SHADE_GAIN * ((0.3 * sr + 0.59 * sg + 0.11 * sb) / ref_luma - 1.0)))
            dr = cr * k
            dg = cg * k
            db = cb * k
            over = max(dr, max(dg, db)) - 1.0
            if over > 0.0:
                dr = min(1.0, dr + over * (1.0 - cr))
                dg = min(1.0, dg + over * (1.0 - cg))
                db = min(1.0, db + over * (1.0 - cb))
            out[y, x, 0] = to_u8((sr + (dr - sr) * a) * 255.0)
            out[y, x, 1] = to_u8((sg + (dg - sg) * a) * 255.0)
            out[y, x, 2] = to_u8((sb + (db - sb) * a) * 255.0)


def dye_np(src: np.ndarray, alpha: np.ndarray, color: np.ndarray, ref_luma: float, opacity: float,
           out: np.ndarray) -> None:
    """NumPy reference of dye_nb."""
    s = src.astype(np.float64) / 255.0
    c = color.astype(np.float64)
    k = np.clip(1.0 + SHADE_GAIN * ((s @ np.array([0.3, 0.59, 0.11])) / ref_luma - 1.0), 0.0, SHADE_MAX)
    d = c[None, None, :] * k[..., None]
    over = d.max(axis=-1, keepdims=True) - 1.0
    d = np.where(over > 0.0, np.minimum(1.0, d + over * (1.0 - c)), d)
    a = (alpha.astype(np.float64) * opacity)[..., None]
    res = np.clip(np.floor((s + (d - s) * a) * 255.0 + 0.5), 0, 255).astype(np.uint8)
    out[...] = np.where(a > 0.0, res, src)
