"""Region colour ops: ``region_tint`` (make-up, lip and iris colour, tan), ``whiten`` and ``eyeliner``.

Each op works per face inside the ROI of a feathered region mask (effects.masks),
so pixels outside the region and its feather keep their exact value; the frame is changed
in place, ROI by ROI. Sizes are
fractions of the face's inter-ocular distance (``*_iod``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import cv2
import numpy as np

from effects import backend
from effects.face import FaceTrack
from effects.kernels.blend import MODE_INDEX, MODES, tint_nb, tint_np, whiten_nb, whiten_np
from effects.masks import clip_roi, region_mask
from effects.ops.base import Op, OpContext, Param, register_op
from effects.ops.values import OpParamError, check_frame, color01
from effects.regions import LEFT_UPPER_LID, RIGHT_UPPER_LID

STRENGTH = Param("strength", "float", 1.0, 0.0, 1.0, doc="0 = no change, 1 = the full effect")

WING_ANGLE_DEG = 22.0  # the wing rises this much above the line from inner to outer corner
# Iris regions are drawn as discs (centre landmark, radius from the 4-point ring) clipped to
# the eye opening, so a tint never spills onto the lid that covers part of the iris.
IRISES: dict[str, tuple[tuple[int, tuple[int, ...], str], ...]] = {
    "right_iris": ((468, (469, 470, 471, 472), "right_eye"),),
    "left_iris": ((473, (474, 475, 476, 477), "left_eye"),),
}
IRISES["irises"] = IRISES["right_iris"] + IRISES["left_iris"]
Roi = tuple[int, int, int, int]


def tint_roi(out: np.ndarray, roi: tuple[int, int, int, int], alpha: np.ndarray, color: np.ndarray, mode: str,
             opacity: float) -> None:
    """Tint ``out[roi]`` in place through the selected kernel."""
    y0, y1, x0, x1 = roi
    view = out[y0:y1, x0:x1]
    kernel = backend.pick(tint_nb, tint_np)
    kernel(view, alpha, color, MODE_INDEX[mode], float(opacity), view)


def iris_mask(frame_shape: tuple[int, ...], track: FaceTrack, name: str, feather_px: float) -> tuple[Roi, np.ndarray]:
    """Soft discs of the irises of ``name`` times the soft eye opening, in the eyes' ROI."""
    parts = IRISES[name]
    eyes = region_mask(frame_shape, track, [eye for _, _, eye in parts], feather_px=max(1.0, 0.5 * feather_px))
    y0, y1, x0, x1 = eyes.roi
    discs = np.zeros(eyes.alpha.shape, np.float32)
    yy = np.arange(y0, y1, dtype=np.float32)[:, None]
    xx = np.arange(x0, x1, dtype=np.float32)[None, :]
    half = max(0.5, feather_px / 2.0)
    for centre, ring, _ in parts:
        c = track.xy[centre]
        radius = float(np.mean(np.hypot(*(track.xy[list(ring)] - c).T)))
        dist = np.sqrt((xx - c[0]) ** 2 + (yy - c[1]) ** 2)
        t = np.clip((radius + half - dist) / (2.0 * half), 0.0, 1.0)
        np.maximum(discs, t * t * (3.0 - 2.0 * t), out=discs)
    return eyes.roi, discs * eyes.alpha


def union_masks(parts: Sequence[tuple[Roi, np.ndarray]]) -> tuple[Roi, np.ndarray]:
    """The pixel-wise maximum of soft masks given on different ROIs, on the ROI covering them all."""
    live = [(r, a) for r, a in parts if a.size]
    if not live:
        return (0, 0, 0, 0), np.zeros((0, 0), np.float32)
    if len(live) == 1:
        return live[0]
    y0 = min(r[0] for r, _ in live)
    y1 = max(r[1] for r, _ in live)
    x0 = min(r[2] for r, _ in live)
    x1 = max(r[3] for r, _ in live)
    alpha = np.zeros((y1 - y0, x1 - x0), np.float32)
    for (a0, a1, b0, b1), a in live:
        view = alpha[a0 - y0:a1 - y0, b0 - x0:b1 - x0]
        np.maximum(view, a, out=view)
    return (y0, y1, x0, x1), alpha


@register_op
class RegionTint(Op):
    """Colour a landmark region with a blend mode: lips, cheeks (blush), eyelids (shadow), irises, skin."""

    name: ClassVar[str] = "region_tint"
    params: ClassVar[tuple[Param, ...]] = (
        Param("regions", "regions", doc="landmark regions to colour"),
        Param("color", "color", doc="the tint colour"),
        Param("mode", "str", "soft_light", choices=MODES, doc="blend mode"),
        Param("opacity", "float", 0.5, 0.0, 1.0, doc="how much of the blended colour shows"),
        Param("feather_iod", "float", 0.05, 0.0, 1.0, doc="edge softness, fraction of the eye distance"),
        Param("dilate_iod", "float", 0.0, -0.5, 0.5, doc="grow (+) or shrink (-) the region"),
        STRENGTH,
    )

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        opacity = self.values["opacity"] * self.strength
        if opacity <= 0.0:
            return
        color = color01(self.values["color"])
        regions = self.values["regions"]
        plain = [r for r in regions if r not in IRISES]
        irises = [r for r in regions if r in IRISES]
        for track in tracks:
            iod = track.interocular_px
            feather = self.values["feather_iod"] * iod
            parts: list[tuple[Roi, np.ndarray]] = []
            if plain:
                mask = region_mask(out.shape, track, plain, feather_px=feather, dilate_px=self.values["dilate_iod"] * iod)
                parts.append((mask.roi, mask.alpha))
            parts.extend(iris_mask(out.shape, track, name, feather) for name in irises)
            roi, alpha = union_masks(parts)
            if alpha.size and float(alpha.max()) > 0.0:
                tint_roi(out, roi, alpha, color, self.values["mode"], opacity)


@register_op
class Whiten(Op):
    """Lift and neutralise bright, non-red pixels of a region: teeth whitening, brighter eye whites."""

    name: ClassVar[str] = "whiten"
    params: ClassVar[tuple[Param, ...]] = (
        Param("regions", "regions", ("teeth",), doc="landmark regions to whiten"),
        Param("amount", "float", 0.5, 0.0, 1.0, doc="how far towards clean white"),
        Param("feather_iod", "float", 0.02, 0.0, 1.0, doc="edge softness, fraction of the eye distance"),
        STRENGTH,
    )

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        amount = self.values["amount"] * self.strength
        if amount <= 0.0:
            return
        kernel = backend.pick(whiten_nb, whiten_np)
        for track in tracks:
            mask = region_mask(out.shape, track, self.values["regions"],
                               feather_px=self.values["feather_iod"] * track.interocular_px)
            if mask.is_empty:
                continue
            y0, y1, x0, x1 = mask.roi
            view = out[y0:y1, x0:x1]
            kernel(view, mask.alpha, float(amount), view)


def _face_up(track: FaceTrack) -> np.ndarray:
    """Unit vector pointing up the face in image coordinates (perpendicular to the eye line)."""
    ex = track.xy[263].astype(np.float64) - track.xy[33].astype(np.float64)
    ex /= max(float(np.hypot(*ex)), 1e-6)
    return np.array([ex[1], -ex[0]])


def liner_polygon(track: FaceTrack, lid: tuple[int, ...], width_px: float, wing_px: float) -> np.ndarray:
    """Outline of one eye's liner: along the lash line, thickening towards the outer corner, then a wing."""
    pts = track.xy[list(lid)].astype(np.float64)
    up = _face_up(track)
    n = len(pts)
    t = np.linspace(0.0, 1.0, n)
    thickness = width_px * (0.3 + 0.7 * t**0.8)
    lower = pts - up * (0.2 * width_px)  # cover the lash line itself
    upper = pts + up[None, :] * thickness[:, None]
    outward = pts[-1] - pts[0]
    outward /= max(float(np.hypot(*outward)), 1e-6)
    a = math.radians(WING_ANGLE_DEG)
    wing_dir = outward * math.cos(a) + up * math.sin(a)
    wing_dir /= float(np.hypot(*wing_dir))
    tip = pts[-1] + wing_dir * (wing_px + 0.3 * width_px)
    return np.concatenate([lower, tip[None, :], upper[::-1]], axis=0)


@register_op
class Eyeliner(Op):
    """A soft line along each upper lash line with an optional wing at the outer corner."""

    name: ClassVar[str] = "eyeliner"
    params: ClassVar[tuple[Param, ...]] = (
        Param("color", "color", (24, 18, 20), doc="liner colour"),
        Param("width_iod", "float", 0.03, 0.005, 0.2, doc="line thickness at the outer corner"),
        Param("wing_iod", "float", 0.06, 0.0, 0.4, doc="wing length beyond the outer corner"),
        Param("opacity", "float", 0.85, 0.0, 1.0, doc="how opaque the liner is"),
        STRENGTH,
    )

    def mask(self, frame_shape: tuple[int, ...], track: FaceTrack) -> tuple[tuple[int, int, int, int], np.ndarray]:
        """The liner's ROI and soft coverage (float32 in [0, 1]) for one face."""
        iod = track.interocular_px
        width = self.values["width_iod"] * iod
        wing = self.values["wing_iod"] * iod
        polys = [liner_polygon(track, lid, width, wing) for lid in (RIGHT_UPPER_LID, LEFT_UPPER_LID)]
        sigma = max(0.35, 0.18 * width)
        pad = 3.0 * sigma + 2.0
        pts = np.concatenate(polys)
        h, w = frame_shape[0], frame_shape[1]
        roi = clip_roi(pts[:, 1].min() - pad, pts[:, 1].max() + pad, pts[:, 0].min() - pad, pts[:, 0].max() + pad, h, w)
        y0, y1, x0, x1 = roi
        if y1 <= y0 or x1 <= x0:
            return roi, np.zeros((max(y1 - y0, 0), max(x1 - x0, 0)), np.float32)
        canvas = np.zeros((y1 - y0, x1 - x0), np.uint8)
        shift = 4
        for poly in polys:
            fixed = np.round((poly - [x0, y0]) * (1 << shift)).astype(np.int32)
            cv2.fillPoly(canvas, [fixed], 255, lineType=cv2.LINE_AA, shift=shift)
        hard = canvas.astype(np.float32) * np.float32(1.0 / 255.0)
        alpha = np.asarray(cv2.GaussianBlur(hard, (0, 0), sigma, borderType=cv2.BORDER_CONSTANT), np.float32)
        return roi, alpha

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        out = check_frame(self.name, frame)
        opacity = self.values["opacity"] * self.strength
        if opacity <= 0.0:
            return
        color = color01(self.values["color"])
        for track in tracks:
            roi, alpha = self.mask(out.shape, track)
            if alpha.size:
                tint_roi(out, roi, alpha, color, "normal", opacity)
