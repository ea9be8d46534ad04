"""Sprites for the sticker and particle ops: loading effect images, mip levels, the built-in sparkle,
and where a face's anchors are.

A sprite is premultiplied float32 (h, w, 4): colour 0..255 times alpha, alpha 0..1. Big
art drawn onto a small face is first reduced with area averaging to the mip level just
above the size it will appear at, so bilinear sampling never skips texels (no shimmer).
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from effects.asset_files import read_rgba_image, resolve_asset
from effects.face import FaceTrack
from effects.kernels.composite import pack_rgba

ANCHORS: tuple[str, ...] = ("forehead", "nose_tip", "eyes", "chin", "head_top")
_FOREHEAD, _NOSE_TIP, _CHIN, _TOP = 151, 1, 152, 10
_RIGHT_IRIS, _LEFT_IRIS = 468, 473
HEAD_TOP_ABOVE_FOREHEAD = 0.4  # skull top above landmark 10, in face heights (10 to 152)
MIN_MIP_PX = 8


def premultiplied(rgba: np.ndarray) -> np.ndarray:
    """uint8 RGBA -> premultiplied float32 (colour 0..255 times alpha, alpha 0..1)."""
    out = rgba.astype(np.float32)
    out[..., 3] *= np.float32(1.0 / 255.0)
    out[..., :3] *= out[..., 3:4]
    return out


class MipSprite:
    """A premultiplied sprite and its successive halvings."""

    def __init__(self, sprite: np.ndarray) -> None:
        levels = [np.ascontiguousarray(sprite, dtype=np.float32)]
        while min(levels[-1].shape[:2]) >= 2 * MIN_MIP_PX:
            top = levels[-1]
            size = (max(1, top.shape[1] // 2), max(1, top.shape[0] // 2))
            levels.append(np.ascontiguousarray(cv2.resize(top, size, interpolation=cv2.INTER_AREA)))
        self.levels = tuple(levels)
        self.packed = tuple(pack_rgba(level) for level in levels)

    @property
    def width(self) -> int:
        return int(self.levels[0].shape[1])

    @property
    def height(self) -> int:
        return int(self.levels[0].shape[0])

    def level_for(self, width_px: float) -> int:
        """Index of the smallest level still at least ``width_px`` wide (0 when upscaling)."""
        chosen = 0
        for i, level in enumerate(self.levels[1:], start=1):
            if level.shape[1] < width_px:
                break
            chosen = i
        return chosen

    def for_width(self, width_px: float) -> np.ndarray:
        """The float premultiplied level to draw ``width_px`` wide."""
        return self.levels[self.level_for(width_px)]

    def packed_for_width(self, width_px: float) -> np.ndarray:
        """The same level packed for the sticker kernel (see effects.kernels.composite.pack_rgba)."""
        return self.packed[self.level_for(width_px)]


def load_sprite(asset_root: Path, relative_path: str, field: str) -> MipSprite:
    """Read an effect's RGBA image (safe path, size limits) as a mip-mapped premultiplied sprite."""
    path = resolve_asset(asset_root, relative_path, field=field)
    return MipSprite(premultiplied(read_rgba_image(path, field=field)))


def sparkle_sprite(size_px: int = 64) -> np.ndarray:
    """A white four-pointed sparkle with a soft glow and short diagonal rays, premultiplied."""
    c = (size_px - 1) / 2.0
    yy, xx = np.mgrid[0:size_px, 0:size_px].astype(np.float64)
    x = (xx - c) / c
    y = (yy - c) / c
    r = np.hypot(x, y)
    glow = np.exp(-((r / 0.2) ** 2)) * 0.95 + np.exp(-((r / 0.55) ** 2)) * 0.35

    def ray(along: np.ndarray, across: np.ndarray, length: float) -> np.ndarray:
        t = np.clip(np.abs(along) / length, 0.0, 1.0)
        width = 0.02 + 0.1 * (1.0 - t) ** 2
        return np.exp(-((across / width) ** 2)) * (1.0 - t) ** 1.5

    s = math.sqrt(0.5)
    rays = np.maximum(ray(x, y, 1.0), ray(y, x, 1.0))
    diag = np.maximum(ray((x + y) * s, (x - y) * s, 0.5), ray((x - y) * s, (x + y) * s, 0.5)) * 0.6
    alpha = np.clip(np.maximum(glow, np.maximum(rays, diag)), 0.0, 1.0).astype(np.float32)
    out = np.empty((size_px, size_px, 4), np.float32)
    out[..., :3] = (255.0 * alpha)[..., None]
    out[..., 3] = alpha
    return out


def face_axes(track: FaceTrack) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors along the eye line (image right for an upright face) and down the face."""
    ex = track.xy[263].astype(np.float64) - track.xy[33].astype(np.float64)
    ex /= max(float(np.hypot(*ex)), 1e-6)
    return ex, np.array([-ex[1], ex[0]])


def anchor_point(track: FaceTrack, anchor: int | str) -> np.ndarray:
    """The pixel position of a landmark index or a named anchor."""
    xy = track.xy.astype(np.float64)
    if isinstance(anchor, int):
        return xy[anchor].copy()
    if anchor == "forehead":
        return xy[_FOREHEAD].copy()
    if anchor == "nose_tip":
        return xy[_NOSE_TIP].copy()
    if anchor == "chin":
        return xy[_CHIN].copy()
    if anchor == "eyes":
        return (xy[_RIGHT_IRIS] + xy[_LEFT_IRIS]) / 2.0
    if anchor == "head_top":
        _, down = face_axes(track)
        face_height = float(np.hypot(*(xy[_CHIN] - xy[_TOP])))
        return xy[_TOP] - down * (HEAD_TOP_ABOVE_FOREHEAD * face_height)
    raise ValueError(f"anchor: expected a landmark index or one of {ANCHORS}, found {anchor!r}")
