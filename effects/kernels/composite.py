"""Compositing kernels: an affine-mapped RGBA sticker ("over"), and particles (sprites, "screen").

Sprites are premultiplied (colour channels already multiplied by alpha, so bilinear
sampling has no dark fringes at transparent edges) and packed into one uint32 per texel
(``pack_rgba``: R | G<<8 | B<<16 | A<<24, 8 bits each): one load per texel. Sampling is
bilinear with weights quantised to 1/256 of a texel, texels outside the sprite transparent. A frame pixel (x, y) has its centre at (x, y), a sprite
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
from effects.backend import njit
from effects.kernels.pixel import to_u8

PART_COLS = 6


@njit(cache=True, fastmath=False, inline="always")
def _span(a: float, b: float, lo: float, hi: float, first: int, last: int) -> tuple[int, int]:
    """A range [s0, s1) inside [first, last) holding every integer j with lo < a + b*j < hi
    (a conservative superset; empty as s0 == s1)."""
    if b == 0.0:
        if lo < a < hi:
            return first, last
        return first, first
    j0 = (lo - a) / b
    j1 = (hi - a) / b
    if j0 > j1:
        j0, j1 = j1, j0
    s0 = min(max(first, int(math.floor(j0))), last)
    s1 = min(last, int(math.ceil(j1)) + 1)
    return s0, max(s0, s1)


_LO = np.uint64(0x000000FF000000FF)


@njit(cache=True, fastmath=False, inline="always")
def _spread(p: np.uint32) -> np.uint64:
    """Channels 0 and 2 of a packed texel in two 32-bit lanes of a uint64."""
    q = np.uint64(p)
    return (q | (q << np.uint64(16))) & _LO


@njit(cache=True, fastmath=False, inline="always")
def _bilinear_packed(sprite: np.ndarray, ufx: int, vfx: int) -> tuple[float, float, float, float]:
    """(r, g, b, a) 0..255 at 16.16 fixed-point sprite coordinates; weights in 1/256 texel,
    texels outside the sprite transparent. (sticker_nb spells the same steps out inline:
    through this helper its loop ran at half the speed.)"""
    sh, sw = sprite.shape[0], sprite.shape[1]
    u0 = ufx >> 16
    v0 = vfx >> 16
    if 0 <= u0 and u0 + 1 < sw and 0 <= v0 and v0 + 1 < sh:
        p00 = sprite[v0, u0]
        p01 = sprite[v0, u0 + 1]
        p10 = sprite[v0 + 1, u0]
        p11 = sprite[v0 + 1, u0 + 1]
    else:
        p00 = _packed(sprite, v0, u0)
        p01 = _packed(sprite, v0, u0 + 1)
        p10 = _packed(sprite, v0 + 1, u0)
        p11 = _packed(sprite, v0 + 1, u0 + 1)
    if (p00 | p01 | p10 | p11) == 0:
        return 0.0, 0.0, 0.0, 0.0
    fu = np.uint64((ufx >> 8) & 255)
    fv = np.uint64((vfx >> 8) & 255)
    gu = np.uint64(256) - fu
    gv = np.uint64(256) - fv
    w00 = gu * gv
    w01 = fu * gv
    w10 = gu * fv
    w11 = fu * fv
    rb = _spread(p00) * w00 + _spread(p01) * w01 + _spread(p10) * w10 + _spread(p11) * w11
    e = np.uint32(8)
    ga = _spread(p00 >> e) * w00 + _spread(p01 >> e) * w01 + _spread(p10 >> e) * w10 + _spread(p11 >> e) * w11
    half = np.uint64(32768)
    lane = np.uint64(0xFFFFFFFF)
    sixteen = np.uint64(16)
    thirty_two = np.uint64(32)
    r = float(((rb & lane) + half) >> sixteen)
    b = float(((rb >> thirty_two) + half) >> sixteen)
    g = float(((ga & lane) + half) >> sixteen)
    a = float(((ga >> thirty_two) + half) >> sixteen)
    return r, g, b, a


@njit(cache=True, fastmath=False)
def sticker_nb(
    dst: np.ndarray, oy: int, ox: int, sprite: np.ndarray, inv: np.ndarray,
    occlusion: np.ndarray, use_occlusion: bool, opacity: float, out: np.ndarray,
) -> None:
    """Composite the packed sprite over the ROI ``dst`` whose top-left pixel is frame (ox, oy).

    Sprite coordinates step along a row in 16.16 fixed point (the row start rounded down,
    the step rounded); bilinear weights are quantised to 1/256 of a texel and the four
    texels are weighted two channels at a time in 32-bit lanes of a uint64 (exact integer
    sums, then rounded).
    """
    h, w = dst.shape[0], dst.shape[1]
    sh, sw = sprite.shape[0], sprite.shape[1]
    half = np.uint64(32768)
    lane = np.uint64(0xFFFFFFFF)
    du = int(round(inv[0] * 65536.0))
    dv = int(round(inv[3] * 65536.0))
    for i in range(h):
        y = float(oy + i)
        au = inv[0] * ox + inv[1] * y + inv[2]
        av = inv[3] * ox + inv[4] * y + inv[5]
        j0, j1 = _span(au, inv[0], -1.0, float(sw), 0, w)
        k0, k1 = _span(av, inv[3], -1.0, float(sh), j0, j1)
        ufx0 = int(math.floor(au * 65536.0))
        vfx0 = int(math.floor(av * 65536.0))
        for j in range(0, k0):
            out[i, j, 0] = dst[i, j, 0]
            out[i, j, 1] = dst[i, j, 1]
            out[i, j, 2] = dst[i, j, 2]
        for j in range(k1, w):
            out[i, j, 0] = dst[i, j, 0]
            out[i, j, 1] = dst[i, j, 1]
            out[i, j, 2] = dst[i, j, 2]
        for j in range(k0, k1):
            ufx = ufx0 + j * du
            vfx = vfx0 + j * dv
            u0 = ufx >> 16
            v0 = vfx >> 16
            if 0 <= u0 and u0 + 1 < sw and 0 <= v0 and v0 + 1 < sh:
                p00 = sprite[v0, u0]
                p01 = sprite[v0, u0 + 1]
                p10 = sprite[v0 + 1, u0]
                p11 = sprite[v0 + 1, u0 + 1]
            else:
                p00 = _packed(sprite, v0, u0)
                p01 = _packed(sprite, v0, u0 + 1)
                p10 = _packed(sprite, v0 + 1, u0)
                p11 = _packed(sprite, v0 + 1, u0 + 1)
            if (p00 | p01 | p10 | p11) == 0:
                out[i, j, 0] = dst[i, j, 0]
                out[i, j, 1] = dst[i, j, 1]
                out[i, j, 2] = dst[i, j, 2]
                continue
            fu = np.uint64((ufx >> 8) & 255)
            fv = np.uint64((vfx >> 8) & 255)
            gu = np.uint64(256) - fu
            gv = np.uint64(256) - fv
            w00 = gu * gv
            w01 = fu * gv
            w10 = gu * fv
            w11 = fu * fv
            rb = _spread(p00) * w00 + _spread(p01) * w01 + _spread(p10) * w10 + _spread(p11) * w11
            ga = (_spread(p00 >> np.uint32(8)) * w00 + _spread(p01 >> np.uint32(8)) * w01
                  + _spread(p10 >> np.uint32(8)) * w10 + _spread(p11 >> np.uint32(8)) * w11)
            r = float(np.int64(((rb & lane) + half) >> np.uint64(16)))
            b = float(np.int64(((rb >> np.uint64(32)) + half) >> np.uint64(16)))
            g = float(np.int64(((ga & lane) + half) >> np.uint64(16)))
            a = float(np.int64(((ga >> np.uint64(32)) + half) >> np.uint64(16)))
            k = opacity
            if use_occlusion:
                k = opacity * (1.0 - occlusion[i, j])
            if a <= 0.0 or k <= 0.0:
                out[i, j, 0] = dst[i, j, 0]
                out[i, j, 1] = dst[i, j, 1]
                out[i, j, 2] = dst[i, j, 2]
                continue
            keep = 1.0 - a * k * (1.0 / 255.0)  # >= 0, and the sum below is >= 0
            out[i, j, 0] = np.uint8(min(dst[i, j, 0] * keep + r * k + 0.5, 255.0))
            out[i, j, 1] = np.uint8(min(dst[i, j, 1] * keep + g * k + 0.5, 255.0))
            out[i, j, 2] = np.uint8(min(dst[i, j, 2] * keep + b * k + 0.5, 255.0))


@njit(cache=True, fastmath=False, inline="always")
def _packed(sprite: np.ndarray, v: int, u: int) -> np.uint32:
    if 0 <= v < sprite.shape[0] and 0 <= u < sprite.shape[1]:
        return sprite[v, u]
    return np.uint32(0)


def pack_rgba(premultiplied: np.ndarray) -> np.ndarray:
    """(h, w) uint32 texels R | G << 8 | B << 16 | A << 24 from a premultiplied float sprite
    (colour 0..255, alpha 0..1), the format sticker_nb and sticker_np read."""
    q = np.clip(np.floor(premultiplied * np.array([1, 1, 1, 255], np.float32) + 0.5), 0, 255).astype(np.uint32)
    packed = q[..., 0] | (q[..., 1] << 8) | (q[..., 2] << 16) | (q[..., 3] << 24)
    return np.ascontiguousarray(packed)


def unpack_rgba(packed: np.ndarray) -> np.ndarray:
    """(h, w, 4) float64 (colour 0..255 premultiplied, alpha 0..255) from packed texels."""
    p = packed.astype(np.uint32)
    return np.stack([(p >> s) & 255 for s in (0, 8, 16, 24)], axis=-1).astype(np.float64)



def sticker_np(
    dst: np.ndarray, oy: int, ox: int, sprite: np.ndarray, inv: np.ndarray,
    occlusion: np.ndarray, use_occlusion: bool, opacity: float, out: np.ndarray,
) -> None:
    """NumPy reference of sticker_nb (``sprite`` packed by pack_rgba; weights in 1/256 texel)."""
    h, w = dst.shape[:2]
    sh, sw = sprite.shape[:2]
    y = (oy + np.arange(h, dtype=np.float64))[:, None]
    j = np.arange(w, dtype=np.int64)[None, :]
    ufx = np.floor((inv[0] * ox + inv[1] * y + inv[2]) * 65536.0).astype(np.int64) + j * int(round(inv[0] * 65536.0))
    vfx = np.floor((inv[3] * ox + inv[4] * y + inv[5]) * 65536.0).astype(np.int64) + j * int(round(inv[3] * 65536.0))
    inside = (ufx > -65536) & (vfx > -65536) & (ufx < sw * 65536) & (vfx < sh * 65536)
    ufx = np.where(inside, ufx, -5 * 65536)
    vfx = np.where(inside, vfx, -5 * 65536)
    s = _bilinear_packed_np(sprite, ufx, vfx)
    k = np.full((h, w), float(opacity))
    if use_occlusion:
        k = k * (1.0 - occlusion.astype(np.float64))
    a = s[..., 3]
    live = inside & (k > 0.0) & (a > 0.0)
    keep = 1.0 - a * k / 255.0
    d = dst.astype(np.float64)
    res = d * keep[..., None] + s[..., :3] * k[..., None]
    res = np.clip(np.floor(res + 0.5), 0, 255).astype(np.uint8)
    out[...] = np.where(live[..., None], res, dst)


@njit(cache=True, fastmath=False)
def particles_nb(frame: np.ndarray, sprite: np.ndarray, parts: np.ndarray, tint: np.ndarray) -> None:
    """Screen-blend each particle's packed sprite onto ``frame`` in place (see the module notes)."""
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
        lr = tint[0] * alpha * (1.0 / 255.0)
        lg = tint[1] * alpha * (1.0 / 255.0)
        lb = tint[2] * alpha * (1.0 / 255.0)
        for y in range(y0, y1):
            dy = y - cy
            for x in range(x0, x1):
                dx = x - cx
                u = cu + k * (cs * dx + sn * dy)
                v = cv + k * (-sn * dx + cs * dy)
                if u <= -1.0 or v <= -1.0 or u >= sw or v >= sh:
                    continue
                r, g, b, a = _bilinear_packed(sprite, int(math.floor(u * 65536.0)), int(math.floor(v * 65536.0)))
                if a <= 0.0:
                    continue
                frame[y, x, 0] = _screen(frame[y, x, 0], r * lr)
                frame[y, x, 1] = _screen(frame[y, x, 1], g * lg)
                frame[y, x, 2] = _screen(frame[y, x, 2], b * lb)


@njit(cache=True, fastmath=False, inline="always")
def _screen(d: np.uint8, light: float) -> np.uint8:
    if light <= 0.0:
        return d
    return to_u8(255.0 - (255.0 - d) * (1.0 - light))


def _bilinear_packed_np(sprite: np.ndarray, ufx: np.ndarray, vfx: np.ndarray) -> np.ndarray:
    """NumPy form of _bilinear_packed: (..., 4) float64 samples, 0..255."""
    sh, sw = sprite.shape[:2]
    u0, v0 = ufx >> 16, vfx >> 16
    fu = ((ufx >> 8) & 255).astype(np.float64)[..., None]
    fv = ((vfx >> 8) & 255).astype(np.float64)[..., None]
    tex = np.zeros((sh + 2, sw + 2, 4), np.float64)
    tex[1:-1, 1:-1] = unpack_rgba(sprite)
    iu0, iu1 = np.clip(u0 + 1, 0, sw + 1), np.clip(u0 + 2, 0, sw + 1)
    iv0, iv1 = np.clip(v0 + 1, 0, sh + 1), np.clip(v0 + 2, 0, sh + 1)
    total = (tex[iv0, iu0] * (256 - fu) * (256 - fv) + tex[iv0, iu1] * fu * (256 - fv)
             + tex[iv1, iu0] * (256 - fu) * fv + tex[iv1, iu1] * fu * fv)
    return np.floor((total + 32768.0) / 65536.0)


def particles_np(frame: np.ndarray, sprite: np.ndarray, parts: np.ndarray, tint: np.ndarray) -> None:
    """NumPy reference of particles_nb (``sprite`` packed by pack_rgba)."""
    h, w = frame.shape[:2]
    sh, sw = sprite.shape[:2]
    cu, cv = (sw - 1) * 0.5, (sh - 1) * 0.5
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
        ufx = np.floor(np.where(inside, u, -5.0) * 65536.0).astype(np.int64)
        vfx = np.floor(np.where(inside, v, -5.0) * 65536.0).astype(np.int64)
        s = _bilinear_packed_np(sprite, ufx, vfx)
        light = s[..., :3] * (tint * (alpha / 255.0))
        view = frame[y0:y1, x0:x1]
        d = view.astype(np.float64)
        res = np.clip(np.floor(255.0 - (255.0 - d) * (1.0 - light) + 0.5), 0, 255).astype(np.uint8)
        view[...] = np.where((light > 0.0) & (s[..., 3:] > 0.0), res, view)
