"""Compositing kernels: an affine-mapped RGBA sticker ("over"), and particles (sprites, "screen").

Sprites are premultiplied float32 (h, w, 4) arrays: colour channels in 0..255 already
multiplied by alpha, alpha in 0..1. Premultiplied bilinear sampling has no dark
fringes at transparent edges. A frame pixel (x, y) has its centre at (x, y), a sprite
texel (u, v) at (u, v); texels outside the sprite are transparent.

``sticker``: ``inv`` (6 numbers) maps a frame pixel to sprite coordinates,
``u = inv[0] x + inv[1] y + inv[2]``, ``v = inv[3] x + inv[4] y + inv[5]``. Coverage is
``alpha * opacity * (1 - occlusion)``; ``out = dst * (1 - coverage) + colour * opacity * (1 - occlusion)``.

``particles``: each row of ``parts`` is (cx, cy, size_px, cos, sin, alpha): the sprite
scaled to ``size_px`` wide, rotated, centred on (cx, cy); its colour times ``tint`` and
alpha lightens the frame with the screen blend ``out = 1 - (1 - dst)(1 - light)``.
Particles are drawn in order.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

PART_COLS = 6


@njit(cache=True, fastmath=False, inline="always")
def _texel(sprite: np.ndarray, v: int, u: int, c: int) -> float:
    if 0 <= v < sprite.shape[0] and 0 <= u < sprite.shape[1]:
        return sprite[v, u, c]
    return 0.0


@njit(cache=True, fastmath=False, inline="always")
def _sample(sprite: np.ndarray, u: float, v: float, c: int) -> float:
    u0 = int(math.floor(u))
    v0 = int(math.floor(v))
    fu = u - u0
    fv = v - v0
    a = _texel(sprite, v0, u0, c) + (_texel(sprite, v0, u0 + 1, c) - _texel(sprite, v0, u0, c)) * fu
    b = _texel(sprite, v0 + 1, u0, c) + (_texel(sprite, v0 + 1, u0 + 1, c) - _texel(sprite, v0 + 1, u0, c)) * fu
    return a + (b - a) * fv


@njit(cache=True, fastmath=False)
def sticker_nb(
    dst: np.ndarray, oy: int, ox: int, sprite: np.ndarray, inv: np.ndarray,
    occlusion: np.ndarray, use_occlusion: bool, opacity: float, out: np.ndarray,
) -> None:
    """Composite the sprite over the ROI ``dst`` whose top-left pixel is frame (ox, oy)."""
    h, w = dst.shape[0], dst.shape[1]
    sh, sw = sprite.shape[0], sprite.shape[1]
    for i in range(h):
        y = float(oy + i)
        for j in range(w):
            x = float(ox + j)
            u = inv[0] * x + inv[1] * y + inv[2]
            v = inv[3] * x + inv[4] * y + inv[5]
            r0 = dst[i, j, 0]
            g0 = dst[i, j, 1]
            b0 = dst[i, j, 2]
            k = opacity
            if use_occlusion:
                k = opacity * (1.0 - occlusion[i, j])
            if u <= -1.0 or v <= -1.0 or u >= sw or v >= sh or k <= 0.0:
                out[i, j, 0] = r0
                out[i, j, 1] = g0
                out[i, j, 2] = b0
                continue
            a = _sample(sprite, u, v, 3) * k
            if a <= 0.0:
                out[i, j, 0] = r0
                out[i, j, 1] = g0
                out[i, j, 2] = b0
                continue
            keep = 1.0 - a
            out[i, j, 0] = _u8(r0 * keep + _sample(sprite, u, v, 0) * k)
            out[i, j, 1] = _u8(g0 * keep + _sample(sprite, u, v, 1) * k)
            out[i, j, 2] = _u8(b0 * keep + _sample(sprite, u, v, 2) * k)


@njit(cache=True, fastmath=False, inline="always")
def _u8(v: float) -> np.uint8:
    v += 0.5
    if v <= 0.0:
        return np.uint8(0)
    if v >= 255.0:
        return np.uint8(255)
    return np.uint8(int(v))


def _sample_np(sprite: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear samples (..., 4) with transparent texels outside the sprite."""
    sh, sw = sprite.shape[:2]
    pad = np.zeros((sh + 2, sw + 2, 4), np.float64)
    pad[1:-1, 1:-1] = sprite
    u0 = np.floor(u).astype(np.int64)
    v0 = np.floor(v).astype(np.int64)
    fu = (u - u0)[..., None]
    fv = (v - v0)[..., None]
    # indices into pad (shifted by one); clip keeps far-away coordinates on the zero border
    iu0 = np.clip(u0 + 1, 0, sw + 1)
    iu1 = np.clip(u0 + 2, 0, sw + 1)
    iv0 = np.clip(v0 + 1, 0, sh + 1)
    iv1 = np.clip(v0 + 2, 0, sh + 1)
    a = pad[iv0, iu0] + (pad[iv0, iu1] - pad[iv0, iu0]) * fu
    b = pad[iv1, iu0] + (pad[iv1, iu1] - pad[iv1, iu0]) * fu
    return a + (b - a) * fv


def sticker_np(
    dst: np.ndarray, oy: int, ox: int, sprite: np.ndarray, inv: np.ndarray,
    occlusion: np.ndarray, use_occlusion: bool, opacity: float, out: np.ndarray,
) -> None:
    """NumPy reference of sticker_nb."""
    h, w = dst.shape[:2]
    sh, sw = sprite.shape[:2]
    y = (oy + np.arange(h, dtype=np.float64))[:, None]
    x = (ox + np.arange(w, dtype=np.float64))[None, :]
    u = inv[0] * x + inv[1] * y + inv[2]
    v = inv[3] * x + inv[4] * y + inv[5]
    inside = (u > -1.0) & (v > -1.0) & (u < sw) & (v < sh)
    s = _sample_np(sprite.astype(np.float64), np.where(inside, u, -5.0), np.where(inside, v, -5.0))
    k = np.full((h, w), float(opacity))
    if use_occlusion:
        k = k * (1.0 - occlusion.astype(np.float64))
    k = np.where(inside & (k > 0.0), k, 0.0)
    a = s[..., 3] * k
    d = dst.astype(np.float64)
    res = d * (1.0 - a[..., None]) + s[..., :3] * k[..., None]
    res = np.clip(np.floor(res + 0.5), 0, 255).astype(np.uint8)
    out[...] = np.where((a > 0.0)[..., None], res, dst)


@njit(cache=True, fastmath=False)
def particles_nb(frame: np.ndarray, sprite: np.ndarray, parts: np.ndarray, tint: np.ndarray) -> None:
    """Screen-blend each particle's sprite onto ``frame`` in place (see the module notes)."""
    h, w = frame.shape[0], frame.shape[1]
    sh, sw = sprite.shape[0], sprite.shape[1]
    cu = (sw - 1) * 0.5
    cv = (sh - 1) * 0.5
    for p in range(parts.shape[0]):
        cx, cy, size, cs, sn, alpha = parts[p, 0], parts[p, 1], parts[p, 2], parts[p, 3], parts[p, 4], parts[p, 5]
        if size <= 0.0 or alpha <= 0.0:
            continue
        k = sw / size  # sprite texels per frame pixel
        reach = 0.5 * size * 1.4142136 * max(1.0, sh / sw) + 1.0
        y0 = max(int(math.floor(cy - reach)), 0)
        y1 = min(int(math.ceil(cy + reach)) + 1, h)
        x0 = max(int(math.floor(cx - reach)), 0)
        x1 = min(int(math.ceil(cx + reach)) + 1, w)
        for y in range(y0, y1):
            dy = y - cy
            for x in range(x0, x1):
                dx = x - cx
                u = cu + k * (cs * dx + sn * dy)
                v = cv + k * (-sn * dx + cs * dy)
                if u <= -1.0 or v <= -1.0 or u >= sw or v >= sh:
                    continue
                for c in range(3):
                    light = _sample(sprite, u, v, c) * tint[c] * alpha * (1.0 / 255.0)
                    if light > 0.0:
                        d = frame[y, x, c]
                        frame[y, x, c] = _u8(255.0 - (255.0 - d) * (1.0 - light))


def particles_np(frame: np.ndarray, sprite: np.ndarray, parts: np.ndarray, tint: np.ndarray) -> None:
    """NumPy reference of particles_nb."""
    h, w = frame.shape[:2]
    sh, sw = sprite.shape[:2]
    cu, cv = (sw - 1) * 0.5, (sh - 1) * 0.5
    spr = sprite.astype(np.float64)
    for cx, cy, size, cs, sn, alpha in parts:
        if size <= 0.0 or alpha <= 0.0:
            continue
        k = sw / size
        reach = 0.5 * size * 1.4142136 * max(1.0, sh / sw) + 1.0
        y0, y1 = max(math.floor(cy - reach), 0), min(math.ceil(cy + reach) + 1, h)
        x0, x1 = max(math.floor(cx - reach), 0), min(math.ceil(cx + reach) + 1, w)
        if y1 <= y0 or x1 <= x0:
            continue
        dy = (np.arange(y0, y1) - cy)[:, None]
        dx = (np.arange(x0, x1) - cx)[None, :]
        u = cu + k * (cs * dx + sn * dy)
        v = cv + k * (-sn * dx + cs * dy)
        inside = (u > -1.0) & (v > -1.0) & (u < sw) & (v < sh)
        s = _sample_np(spr, np.where(inside, u, -5.0), np.where(inside, v, -5.0))
        light = s[..., :3] * tint * alpha / 255.0
        view = frame[y0:y1, x0:x1]
        d = view.astype(np.float64)
        res = np.clip(np.floor(255.0 - (255.0 - d) * (1.0 - light) + 0.5), 0, 255).astype(np.uint8)
        view[...] = np.where(light > 0.0, res, view)
