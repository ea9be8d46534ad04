"""Colour kernels for region ops: tint with a blend mode, and whitening (teeth, eye whites).

Both work on an ROI of the frame: ``src`` and ``out`` are (h, w, 3) uint8 views of
the same size (they may be the same memory: each pixel is read before it is
written), ``alpha`` is the region's (h, w) float32 soft mask in [0, 1]. A pixel
with alpha 0 keeps its exact value. Channel values are worked on in [0, 1].

Blend modes (base ``s`` = the pixel, blend ``c`` = the colour), as in the W3C
compositing spec: normal c; multiply s*c; screen 1-(1-s)(1-c); overlay
(s < .5 ? 2sc : 1-2(1-s)(1-c)); soft_light (the W3C formula); color (the hue and
saturation of c with the luminosity of s, Lum = .3r + .59g + .11b).
"""

from __future__ import annotations

import numpy as np
from effects.backend import njit
from effects.kernels.pixel import to_u8

MODES: tuple[str, ...] = ("normal", "multiply", "screen", "overlay", "soft_light", "color")
MODE_INDEX: dict[str, int] = {name: i for i, name in enumerate(MODES)}

# Whitening: how far the lightness is lifted towards white and how much colour is removed
# at amount 1, and the gate that keeps dark (mouth cavity) and red (gums, tongue, lips) pixels.
WHITEN_LIFT = 0.45
WHITEN_DESATURATE = 0.8
WHITEN_DARK = (0.18, 0.45)
WHITEN_RED = (0.12, 0.3)


@njit(cache=True, fastmath=False, inline="always")
def _soft_light_1(s: float, c: float) -> float:
    if c <= 0.5:
        return s - (1.0 - 2.0 * c) * s * (1.0 - s)
    if s <= 0.25:
        d = ((16.0 * s - 12.0) * s + 4.0) * s
    else:
        d = np.sqrt(s)
    return s + (2.0 * c - 1.0) * (d - s)


@njit(cache=True, fastmath=False, inline="always")
def _blend_1(s: float, c: float, mode: int) -> float:
    if mode == 0:
        return c
    if mode == 1:
        return s * c
    if mode == 2:
        return 1.0 - (1.0 - s) * (1.0 - c)
    if mode == 3:
        if s < 0.5:
            return 2.0 * s * c
        return 1.0 - 2.0 * (1.0 - s) * (1.0 - c)
    return _soft_light_1(s, c)


@njit(cache=True, fastmath=False)
def tint_nb(
    src: np.ndarray, alpha: np.ndarray, color: np.ndarray, mode: int, opacity: float, out: np.ndarray
) -> None:
    """out = src + (blend(src, color) - src) * alpha * opacity, per pixel of the ROI."""
    h, w = src.shape[0], src.shape[1]
    inv = 1.0 / 255.0
    cr, cg, cb = color[0], color[1], color[2]
    lum_c = 0.3 * cr + 0.59 * cg + 0.11 * cb
    for y in range(h):
        for x in range(w):
            a = alpha[y, x] * opacity
            r0 = src[y, x, 0]
            g0 = src[y, x, 1]
            b0 = src[y, x, 2]
            if a <= 0.0:
                out[y, x, 0] = r0
                out[y, x, 1] = g0
                out[y, x, 2] = b0
                continue
            sr = r0 * inv
            sg = g0 * inv
            sb = b0 * inv
            if mode == 5:
                # SetLum(c, Lum(s)) then ClipColor
                d = (0.3 * sr + 0.59 * sg + 0.11 * sb) - lum_c
                br = cr + d
                bg = cg + d
                bb = cb + d
                lum = 0.3 * br + 0.59 * bg + 0.11 * bb
                lo = min(br, min(bg, bb))
                hi = max(br, max(bg, bb))
                if lo < 0.0:
                    k = lum / (lum - lo)
                    br = lum + (br - lum) * k
                    bg = lum + (bg - lum) * k
                    bb = lum + (bb - lum) * k
                if hi > 1.0:
                    k = (1.0 - lum) / (hi - lum)
                    br = lum + (br - lum) * k
                    bg = lum + (bg - lum) * k
                    bb = lum + (bb - lum) * k
            else:
                br = _blend_1(sr, cr, mode)
                bg = _blend_1(sg, cg, mode)
                bb = _blend_1(sb, cb, mode)
            out[y, x, 0] = to_u8((sr + (br - sr) * a) * 255.0)
            out[y, x, 1] = to_u8((sg + (bg - sg) * a) * 255.0)
            out[y, x, 2] = to_u8((sb + (bb - sb) * a) * 255.0)



def _blend_np(s: np.ndarray, c: np.ndarray, mode: int) -> np.ndarray:
    """Blend of base s (..., 3) with colour c (3,), both in [0, 1]."""
    if mode == 0:
        return np.broadcast_to(c, s.shape).copy()
    if mode == 1:
        return s * c
    if mode == 2:
        return 1.0 - (1.0 - s) * (1.0 - c)
    if mode == 3:
        return np.where(s < 0.5, 2.0 * s * c, 1.0 - 2.0 * (1.0 - s) * (1.0 - c))
    if mode == 4:
        d = np.where(s <= 0.25, ((16.0 * s - 12.0) * s + 4.0) * s, np.sqrt(s))
        dark = s - (1.0 - 2.0 * c) * s * (1.0 - s)
        light = s + (2.0 * c - 1.0) * (d - s)
        return np.where(c <= 0.5, dark, light)
    weights = np.array([0.3, 0.59, 0.11])
    d = s @ weights - c @ weights
    b = c + d[..., None]
    lum = b @ weights
    lo = b.min(axis=-1)
    hi = b.max(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        k_lo = np.where(lo < 0.0, lum / (lum - lo), 1.0)
        b = lum[..., None] + (b - lum[..., None]) * k_lo[..., None]
        k_hi = np.where(hi > 1.0, (1.0 - lum) / (hi - lum), 1.0)
        b = lum[..., None] + (b - lum[..., None]) * k_hi[..., None]
    return b


def tint_np(src: np.ndarray, alpha: np.ndarray, color: np.ndarray, mode: int, opacity: float, out: np.ndarray) -> None:
    """NumPy reference of tint_nb."""
    s = src.astype(np.float64) / 255.0
    b = _blend_np(s, color.astype(np.float64), mode)
    a = (alpha.astype(np.float64) * opacity)[..., None]
    res = np.clip(np.floor((s + (b - s) * a) * 255.0 + 0.5), 0, 255).astype(np.uint8)
    out[...] = np.where(a > 0.0, res, src)


@njit(cache=True, fastmath=False, inline="always")
def _smoothstep(e0: float, e1: float, v: float) -> float:
    t = (v - e0) / (e1 - e0)
    if t <= 0.0:
        return 0.0
    if t >= 1.0:
        return 1.0
    return t * t * (3.0 - 2.0 * t)


@njit(cache=True, fastmath=False)
def whiten_nb(src: np.ndarray, alpha: np.ndarray, amount: float, out: np.ndarray) -> None:
    """Lift lightness and remove colour (yellow) where the mask is, sparing dark and red pixels."""
    h, w = src.shape[0], src.shape[1]
    inv = 1.0 / 255.0
    for y in range(h):
        for x in range(w):
            a = alpha[y, x] * amount
            r0 = src[y, x, 0]
            g0 = src[y, x, 1]
            b0 = src[y, x, 2]
            if a <= 0.0:
                out[y, x, 0] = r0
                out[y, x, 1] = g0
                out[y, x, 2] = b0
                continue
            sr = r0 * inv
            sg = g0 * inv
            sb = b0 * inv
            lum = 0.299 * sr + 0.587 * sg + 0.114 * sb
            red = sr - max(sg, sb)
            gate = _smoothstep(WHITEN_DARK[0], WHITEN_DARK[1], lum) * (1.0 - _smoothstep(WHITEN_RED[0], WHITEN_RED[1], red))
            k = a * gate
            lifted = lum + (1.0 - lum) * WHITEN_LIFT
            keep = 1.0 - WHITEN_DESATURATE
            tr = lifted + (sr - lum) * keep
            tg = lifted + (sg - lum) * keep
            tb = lifted + (sb - lum) * keep
            out[y, x, 0] = to_u8((sr + (tr - sr) * k) * 255.0)
            out[y, x, 1] = to_u8((sg + (tg - sg) * k) * 255.0)
            out[y, x, 2] = to_u8((sb + (tb - sb) * k) * 255.0)


def _smoothstep_np(e0: float, e1: float, v: np.ndarray) -> np.ndarray:
    t = np.clip((v - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def whiten_np(src: np.ndarray, alpha: np.ndarray, amount: float, out: np.ndarray) -> None:
    """NumPy reference of whiten_nb."""
    s = src.astype(np.float64) / 255.0
    lum = s @ np.array([0.299, 0.587, 0.114])
    red = s[..., 0] - np.maximum(s[..., 1], s[..., 2])
    gate = _smoothstep_np(*WHITEN_DARK, lum) * (1.0 - _smoothstep_np(*WHITEN_RED, red))
    a = alpha.astype(np.float64) * amount
    k = (a * gate)[..., None]
    lifted = (lum + (1.0 - lum) * WHITEN_LIFT)[..., None]
    target = lifted + (s - lum[..., None]) * (1.0 - WHITEN_DESATURATE)
    res = np.clip(np.floor((s + (target - s) * k) * 255.0 + 0.5), 0, 255).astype(np.uint8)
    out[...] = np.where((a > 0.0)[..., None], res, src)
