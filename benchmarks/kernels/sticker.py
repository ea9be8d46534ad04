"""Sticker and particle compositing against NumPy and OpenCV.

OpenCV counterparts: for a sticker, cv2.warpAffine of the premultiplied RGBA sprite
(bilinear, transparent border) into the sticker's bounding box, then the "over" blend
with cv2.split/merge/multiply/add; for particles, the same warp per particle into its
own box and the screen blend with cv2 arithmetic.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from benchmarks.kernels import KernelCase
from benchmarks.kernels._colour_inputs import photo_frame
from effects.kernels.composite import particles_nb, particles_np, sticker_nb, sticker_np
from effects.ops.sprite_assets import MipSprite, sparkle_sprite

_ROLL_DEG = 12.0
_OPACITY = 1.0


def _test_sprite(size: int) -> np.ndarray:
    """A premultiplied disc with a soft edge and a colour gradient, like sticker art."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    c = (size - 1) / 2
    d = np.hypot(xx - c, yy - c) / (size / 2)
    a = np.clip((1.0 - d) / 0.05, 0.0, 1.0)
    out = np.empty((size, size, 4), np.float32)
    out[..., 0] = 255.0 * (xx / size) * a
    out[..., 1] = 128.0 * a
    out[..., 2] = 255.0 * (yy / size) * a
    out[..., 3] = a
    return out


def _placement(height: int, width: int, sprite: np.ndarray, width_px: float) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    sh, sw = sprite.shape[:2]
    s = width_px / sw
    t = math.radians(_ROLL_DEG)
    a = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]]) * s
    centre = np.array([width / 2.0, height * 0.3])
    m = np.concatenate([a, (centre - a @ np.array([(sw - 1) / 2, (sh - 1) / 2]))[:, None]], axis=1)
    corners = np.array([[-0.5, -0.5], [sw - 0.5, -0.5], [sw - 0.5, sh - 0.5], [-0.5, sh - 0.5]]) @ a.T + m[:, 2]
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    roi = (max(int(lo[1]) - 1, 0), min(int(hi[1]) + 2, height), max(int(lo[0]) - 1, 0), min(int(hi[0]) + 2, width))
    return m, roi


def _sticker_cv(frame: np.ndarray, sprite: np.ndarray, m: np.ndarray, roi: tuple[int, int, int, int]) -> np.ndarray:
    y0, y1, x0, x1 = roi
    shifted = m.copy()
    shifted[:, 2] -= (x0, y0)
    warped = cv2.warpAffine(sprite, shifted, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    r, g, b, a = cv2.split(warped)
    keep = cv2.subtract(1.0, a)
    dst = frame[y0:y1, x0:x1].astype(np.float32)
    res = cv2.add(cv2.multiply(dst, cv2.merge([keep, keep, keep])), cv2.merge([r, g, b]))
    return cv2.convertScaleAbs(res)


def _particles_cv(out: np.ndarray, sprite: np.ndarray, parts: np.ndarray, tint: np.ndarray) -> np.ndarray:
    """Screen-blend every particle into ``out`` in place."""
    sh, sw = sprite.shape[:2]
    rgb = np.ascontiguousarray(sprite[..., :3])
    for cx, cy, size, cs, sn, alpha in parts:
        k = size / sw
        a = np.array([[cs, -sn], [sn, cs]]) * k
        reach = 0.5 * size * 1.4142136 + 1.0
        y0, y1 = max(int(cy - reach), 0), min(int(cy + reach) + 2, out.shape[0])
        x0, x1 = max(int(cx - reach), 0), min(int(cx + reach) + 2, out.shape[1])
        m = np.concatenate([a, (np.array([cx - x0, cy - y0]) - a @ np.array([(sw - 1) / 2, (sh - 1) / 2]))[:, None]], axis=1)
        light = cv2.warpAffine(rgb, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        light = cv2.multiply(light, tuple(float(v) * alpha / 255.0 for v in tint) + (0.0,))
        inv = cv2.subtract(255.0, out[y0:y1, x0:x1].astype(np.float32))
        res = cv2.subtract(255.0, cv2.multiply(inv, cv2.subtract(1.0, light)))
        out[y0:y1, x0:x1] = cv2.convertScaleAbs(res)
    return out


def cases(height: int, width: int) -> list[KernelCase]:
    frame = photo_frame(height, width)
    found: list[KernelCase] = []
    face_width = 0.45 * height  # a face filling about 60% of the frame height
    mip = MipSprite(_test_sprite(1024))
    sprite = mip.for_width(face_width)
    packed = mip.packed_for_width(face_width)
    m, roi = _placement(height, width, sprite, face_width)
    y0, y1, x0, x1 = roi
    dst = np.ascontiguousarray(frame[y0:y1, x0:x1])
    out = np.empty_like(dst)
    mi = np.linalg.inv(m[:, :2])
    inv = np.concatenate([mi, (-mi @ m[:, 2])[:, None]], axis=1).reshape(-1)
    no_mask = np.zeros((1, 1), np.float32)
    found.append(KernelCase(
        name=f"sticker {x1 - x0}x{y1 - y0} box, rolled {_ROLL_DEG:g} deg",
        numba=_bind(sticker_nb, dst, y0, x0, packed, inv, no_mask, False, _OPACITY, out),
        numpy=_bind(sticker_np, dst, y0, x0, packed, inv, no_mask, False, _OPACITY, out),
        opencv=_bind(_sticker_cv, frame, sprite, m, roi),
        opencv_calls="cv2.warpAffine (INTER_LINEAR, transparent border) + cv2.split/merge/multiply/add/subtract + cv2.convertScaleAbs",
    ))

    rng = np.random.default_rng(5)
    n = 28
    sizes = rng.uniform(0.04, 0.09, n) * height
    angles = rng.uniform(0, 2 * math.pi, n)
    parts = np.stack([rng.uniform(0.2, 0.8, n) * width, rng.uniform(0.1, 0.6, n) * height, sizes,
                      np.cos(angles), np.sin(angles), rng.uniform(0.3, 1.0, n)], axis=1)
    sparkle_mip = MipSprite(sparkle_sprite())
    sparkle = sparkle_mip.packed_for_width(float(sizes.max()))
    sparkle_float = sparkle_mip.for_width(float(sizes.max()))
    tint = np.array([1.0, 0.92, 0.66])
    work = frame.copy()
    work_cv = frame.copy()
    found.append(KernelCase(
        name=f"particles x{n}",
        numba=_bind(particles_nb, work, sparkle, parts, tint),
        numpy=_bind(particles_np, work, sparkle, parts, tint),
        opencv=_bind(_particles_cv, work_cv, sparkle_float, parts, tint * 255.0),
        opencv_calls="per particle: cv2.warpAffine + cv2.multiply/subtract + cv2.convertScaleAbs (screen blend)",
    ))
    return found


def _bind(fn: Any, *args: Any) -> Any:
    return lambda: fn(*args)
