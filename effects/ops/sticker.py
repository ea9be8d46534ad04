"""Sticker and particle ops: ``sticker`` (an RGBA image on a face) and ``particles`` (sparkles).

A sticker's centre sits on its anchor plus ``offset_fw`` (in face widths, along the
face's own axes: x along the eye line, y down the face), it is ``width_fw`` face widths
wide and turns with the head's roll (the eye line) when ``rotate_with_roll`` is on.
With ``occlude_by_face`` the face oval hides the sticker (ears or a hat brim behind
the head). Only the sticker's bounding box is touched (in place, like the particles).

Particles are seeded: the same seed and frame index give the same picture. Each
particle orbits slowly and twinkles; positions are in face units for ``head`` and
``face`` (so they follow the head) and in frame units for ``frame``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from effects import backend
from effects.asset_files import IMAGE_SUFFIXES
from effects.face import FaceTrack
from effects.kernels.composite import particles_nb, particles_np, sticker_nb, sticker_np
from effects.masks import clip_roi, region_mask
from effects.ops.base import Op, OpContext, Param, register_op
from effects.ops.colour import STRENGTH
from effects.ops.values import OpParamError, check_frame, color01
from effects.ops.sprite_assets import ANCHORS, MipSprite, anchor_point, face_axes, load_sprite, sparkle_sprite

OCCLUSION_FEATHER_FW = 0.02  # soft edge of the face oval that hides a sticker, in face widths
_NO_MASK = np.zeros((1, 1), np.float32)
FPS = 30.0  # particle motion is defined per second of a 30 fps stream
HALO_BELOW_RAD = 0.45  # the head halo reaches this far below the horizontal on both sides


def _sprites_for(op: Op, cache: dict[Path, MipSprite], ctx: OpContext, field: str) -> MipSprite:
    if ctx.asset_root is None:
        raise OpParamError(f"{op.name}: {field}: reading {op.values[field]!r} needs the effect folder "
                           "(OpContext.asset_root), found none")
    sprite = cache.get(ctx.asset_root)
    if sprite is None:
        sprite = load_sprite(ctx.asset_root, op.values[field], field)
        cache[ctx.asset_root] = sprite
    return sprite


def sticker_placement(track: FaceTrack, sprite_w: int, sprite_h: int, anchor: int | str, width_fw: float,
                      offset_fw: tuple[float, float], rotate: bool) -> tuple[np.ndarray, np.ndarray]:
    """(forward 2x3 sprite->frame matrix for a sprite of the given size, its 4 frame corners)."""
    fw = track.face_width_px
    ax, ay = face_axes(track)
    centre = anchor_point(track, anchor) + ax * (offset_fw[0] * fw) + ay * (offset_fw[1] * fw)
    if not rotate:
        ax, ay = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    scale = width_fw * fw / sprite_w
    m = np.empty((2, 3))
    m[:, 0] = ax * scale
    m[:, 1] = ay * scale
    m[:, 2] = centre - m[:, :2] @ np.array([(sprite_w - 1) / 2.0, (sprite_h - 1) / 2.0])
    corners = np.array([[-0.5, -0.5], [sprite_w - 0.5, -0.5], [sprite_w - 0.5, sprite_h - 0.5], [-0.5, sprite_h - 0.5]])
    return m, corners @ m[:, :2].T + m[:, 2]


def _inverse(m: np.ndarray) -> np.ndarray:
    a = m[:, :2]
    ai = np.linalg.inv(a)
    return np.concatenate([ai, (-ai @ m[:, 2])[:, None]], axis=1).reshape(-1)


@register_op
class Sticker(Op):
    """An RGBA image anchored to a face, scaled by face width, turning with head roll."""

    name: ClassVar[str] = "sticker"
    params: ClassVar[tuple[Param, ...]] = (
        Param("image", "asset", choices=IMAGE_SUFFIXES, doc="RGBA PNG in the effect folder"),
        Param("anchor", "landmark", "forehead", choices=ANCHORS, doc="landmark index or named anchor"),
        Param("width_fw", "float", 1.0, 0.05, 5.0, doc="sticker width in face widths"),
        Param("offset_fw", "vec2", (0.0, 0.0), -5.0, 5.0, doc="[dx, dy] from the anchor, in face widths"),
        Param("rotate_with_roll", "bool", True, doc="turn with the head's tilt"),
        Param("occlude_by_face", "bool", False, doc="the face oval hides the sticker"),
        STRENGTH,
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self._sprites: dict[Path, MipSprite] = {}

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        if self.strength <= 0.0 or not tracks:
            return
        mip = _sprites_for(self, self._sprites, ctx, "image")
        kernel = backend.pick(sticker_nb, sticker_np)
        h, w = out.shape[:2]
        v = self.values
        for track in tracks:
            width_px = v["width_fw"] * track.face_width_px
            sprite = mip.packed_for_width(width_px)
            sh, sw = sprite.shape[:2]
            m, corners = sticker_placement(track, sw, sh, v["anchor"], v["width_fw"], v["offset_fw"],
                                           v["rotate_with_roll"])
            lo = corners.min(axis=0)
            hi = corners.max(axis=0)
            y0, y1, x0, x1 = clip_roi(lo[1] - 1, hi[1] + 1, lo[0] - 1, hi[0] + 1, h, w)
            if y1 <= y0 or x1 <= x0:
                continue
            occl = _NO_MASK
            if v["occlude_by_face"]:
                occl = self._occlusion(out.shape, track, (y0, y1, x0, x1))
            view = out[y0:y1, x0:x1]
            kernel(view, y0, x0, sprite, _inverse(m), occl, bool(v["occlude_by_face"]), self.strength, view)

    @staticmethod
    def _occlusion(shape: tuple[int, ...], track: FaceTrack, roi: tuple[int, int, int, int]) -> np.ndarray:
        """The soft face oval on the sticker's ROI (0 where the face is absent)."""
        y0, y1, x0, x1 = roi
        out = np.zeros((y1 - y0, x1 - x0), np.float32)
        mask = region_mask(shape, track, ["face"], feather_px=OCCLUSION_FEATHER_FW * track.face_width_px)
        m0, m1, n0, n1 = mask.roi
        a0, a1, b0, b1 = max(y0, m0), min(y1, m1), max(x0, n0), min(x1, n1)
        if a1 > a0 and b1 > b0:
            out[a0 - y0:a1 - y0, b0 - x0:b1 - x0] = mask.alpha[a0 - m0:a1 - m0, b0 - n0:b1 - n0]
        return out


@register_op
class Particles(Op):
    """Seeded sparkles that twinkle and drift around the head, over the face or across the frame."""

    name: ClassVar[str] = "particles"
    params: ClassVar[tuple[Param, ...]] = (
        Param("count", "int", 24, 1, 400, doc="particles per face (or per frame for region frame)"),
        Param("seed", "int", 0, 0, 2**31 - 1, doc="the pattern; the frame index animates it"),
        Param("color", "color", (255, 236, 170), doc="tint of the sparkles"),
        Param("size_iod", "float", 0.45, 0.02, 3.0, doc="sparkle size, fraction of the eye distance"),
        Param("region", "str", "head", choices=("head", "face", "frame"), doc="where particles live"),
        Param("image", "asset", "", choices=IMAGE_SUFFIXES,
              doc="optional sprite (RGBA PNG); a built-in sparkle when empty"),
        STRENGTH,
    )

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        n = self.values["count"]
        rng = np.random.default_rng(self.values["seed"])
        # per particle: base angle, radius, angular speed, twinkle frequency and phase, size, spin
        self._angle = rng.uniform(0.0, 2.0 * math.pi, n)
        self._radius = np.sqrt(rng.uniform(0.0, 1.0, n))
        self._speed = rng.uniform(-0.25, 0.25, n)
        self._freq = rng.uniform(0.35, 0.9, n)
        self._phase = rng.uniform(0.0, 1.0, n)
        self._size = rng.uniform(0.55, 1.0, n)
        self._spin = rng.uniform(-0.6, 0.6, n)
        self._uv = rng.uniform(0.0, 1.0, (n, 2))
        self._sprites: dict[Path, MipSprite] = {}
        self._builtin = MipSprite(sparkle_sprite())

    def positions(self, track: FaceTrack | None, shape: tuple[int, ...], frame_index: int) -> np.ndarray:
        """The (count, 6) particle rows (cx, cy, size_px, cos, sin, alpha) at ``frame_index``."""
        t = frame_index / FPS
        twinkle = 0.5 - 0.5 * np.cos(2.0 * math.pi * (self._freq * t + self._phase))
        alpha = (0.2 + 0.8 * twinkle) * self.strength
        spin = self._spin * t + self._angle
        region = self.values["region"]
        if region == "frame" or track is None:
            h, w = shape[0], shape[1]
            unit = 0.045 * min(h, w) * self.values["size_iod"] / 0.45
            drift = (self._uv[:, 1] - 0.02 * t * (0.5 + self._size)) % 1.0
            cx, cy = self._uv[:, 0] * w, drift * h
        else:
            fw = track.face_width_px
            unit = self.values["size_iod"] * track.interocular_px
            ax, ay = face_axes(track)
            if region == "head":
                # a halo over the top and sides of the head: angles wrap within the upper arc
                lo, span = -math.pi - HALO_BELOW_RAD, math.pi + 2.0 * HALO_BELOW_RAD
                angle = lo + (self._angle / (2.0 * math.pi) * span + self._speed * t) % span
                centre = anchor_point(track, "head_top") * 0.45 + anchor_point(track, "chin") * 0.55
                r = 0.7 + 0.3 * self._radius
                px = np.cos(angle) * r * 0.85 * fw
                py = np.sin(angle) * r * 1.1 * fw
            else:
                angle = self._angle + self._speed * t
                centre = (anchor_point(track, "forehead") + anchor_point(track, "chin")) / 2.0
                px = np.cos(angle) * self._radius * 0.45 * fw
                py = np.sin(angle) * self._radius * 0.62 * fw
            pos = centre[None, :] + px[:, None] * ax[None, :] + py[:, None] * ay[None, :]
            cx, cy = pos[:, 0], pos[:, 1]
        size = unit * self._size * (0.6 + 0.4 * twinkle)
        return np.stack([cx, cy, size, np.cos(spin), np.sin(spin), alpha], axis=1)

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        if self.strength <= 0.0:
            return
        frame_wide = self.values["region"] == "frame"
        if not tracks and not frame_wide:
            return
        mip = self._builtin if not self.values["image"] else _sprites_for(self, self._sprites, ctx, "image")
        tint = color01(self.values["color"])
        kernel = backend.pick(particles_nb, particles_np)
        for track in ([None] if frame_wide else list(tracks)):
            parts = self.positions(track, out.shape, ctx.frame_index)
            sprite = mip.packed_for_width(float(parts[:, 2].max()))
            kernel(out, sprite, np.ascontiguousarray(parts), tint)
