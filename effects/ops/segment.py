"""Ops on the person mask: ``background`` (blur, an image or a colour behind the person) and
``hair_colour`` (dye in the hair region, keeping highlights).

Both read ``OpContext.person_mask``, which the engine fills from its person segmenter
(``effects.segmentation``); without it they raise ``OpParamError`` rather than guess a mask.
The person's own pixels are untouched by ``background``: only the pixels the mask gives to the
background change, across an edge feathered by ``feather`` (a fraction of the frame's shorter
side) after the mask's rim is narrowed to ``EDGE`` (so the old background does not show as a
halo). The blur is a normalised one: the person is left out of the average (``blur(frame *
bg) / blur(bg)``), so no halo of the person's colours spreads into the blurred background.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np

from effects import backend
from effects.asset_files import IMAGE_SUFFIXES, read_rgba_image, resolve_asset
from effects.face import FaceTrack
from effects.kernels.segment import backdrop_nb, backdrop_np, dye_nb, dye_np
from effects.ops.base import Op, OpContext, Param, register_op
from effects.ops.values import OpParamError, color01
from effects.segmentation import hair_regions

STRENGTH = Param("strength", "float", 1.0, 0.0, 1.0, doc="0 = no change, 1 = the full effect")
MODES = ("blur", "image", "colour")
BLUR_MAX_SIDE_FRACTION = 0.04  # blur sigma at blur = 1, as a fraction of the frame's shorter side
BLUR_WORK_SIDE_PX = 180  # the background is blurred at about this shorter side (then resized)
KEEP_FULL_SIDE_PX = 540  # frames with a shorter side this long or more feather the edge at half size
# The background op's edge: mask values up to EDGE[0] are background, from EDGE[1] the person;
# the refined mask's soft rim holds some of the old background (a light halo over a new one).
EDGE = (0.3, 0.8)
MIN_REF_LUMA = 0.04  # the hair's median luma is taken as at least this (black hair still dyes)


def person_mask_of(op: Op, ctx: OpContext) -> np.ndarray:
    if ctx.person_mask is None:
        raise OpParamError(f"{op.name}: needs the frame's person mask (OpContext.person_mask): "
                           "the stack must be built with a person segmenter")
    return ctx.person_mask


def _feathered(mask: np.ndarray, feather: float, side_px: int | None = None) -> np.ndarray:
    """``mask`` blurred by ``feather`` times ``side_px`` (default: the mask's shorter side)."""
    sigma = feather * (side_px if side_px is not None else min(mask.shape[:2]))
    if sigma < 0.3:
        return mask
    return np.asarray(cv2.GaussianBlur(mask, (0, 0), sigma), np.float32)


def _shrink_factor(h: int, w: int, side_px: int) -> int:
    """The whole factor that brings the shorter side of (h, w) down towards ``side_px`` (1 at most
    that size): area-averaging by a whole factor is OpenCV's fast path."""
    return max(1, min(h, w) // side_px)


def _shrunk(image: np.ndarray, k: int) -> np.ndarray:
    h, w = image.shape[:2]
    return image if k == 1 else cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA)


def keep_mask(person: np.ndarray, feather: float, strength: float) -> np.ndarray:
    """How much of each pixel's own colour stays (1 = the person's pixel): the person mask's rim
    narrowed to ``EDGE``, feathered by ``feather`` of the shorter side, scaled by ``strength``.
    Frames with a shorter side of ``KEEP_FULL_SIDE_PX`` or more work at half size (the person
    mask holds no finer detail there: the segmenter's own is about 640 px wide) and resize once."""
    h, w = person.shape[:2]
    k = 2 if min(h, w) >= KEEP_FULL_SIDE_PX else 1
    edge = _shrunk(person, k) - np.float32(EDGE[0])
    edge *= np.float32(1.0 / (EDGE[1] - EDGE[0]))
    np.clip(edge, 0.0, 1.0, out=edge)
    keep = _feathered(edge, feather, min(h, w) // k)
    if strength < 1.0:
        keep = keep * np.float32(strength) + np.float32(1.0 - strength)
    if k > 1:
        keep = cv2.resize(keep, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.ascontiguousarray(keep, dtype=np.float32)


def blurred_background(rgb: np.ndarray, person: np.ndarray, blur: float) -> np.ndarray:
    """The frame blurred with the person left out of the average (normalised convolution), worked
    out at about ``BLUR_WORK_SIDE_PX`` on the shorter side and resized to the frame (a strong
    blur holds no detail a smaller picture loses)."""
    h, w = rgb.shape[:2]
    k = _shrink_factor(h, w, BLUR_WORK_SIDE_PX)
    weight = np.float32(1.0 + 1e-4) - _shrunk(person, k)
    small = _shrunk(rgb, k).astype(np.float32)
    sigma = max(0.5, blur * BLUR_MAX_SIDE_FRACTION * min(small.shape[:2]))
    num = cv2.GaussianBlur(small * weight[..., None], (0, 0), sigma)
    den = cv2.GaussianBlur(weight, (0, 0), sigma)[..., None]
    out = np.clip(num / den + 0.5, 0.0, 255.0).astype(np.uint8)
    return np.ascontiguousarray(cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR))


def cover(image: np.ndarray, h: int, w: int) -> np.ndarray:
    """``image`` scaled to cover (h, w) and centre-cropped."""
    ih, iw = image.shape[:2]
    scale = max(h / ih, w / iw)
    sw, sh = max(w, int(np.ceil(iw * scale))), max(h, int(np.ceil(ih * scale)))
    resized = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    y0, x0 = (sh - h) // 2, (sw - w) // 2
    return np.ascontiguousarray(resized[y0:y0 + h, x0:x0 + w])


@register_op
class Background(Op):
    """Blur the background, or put an image or a colour behind the person."""

    name: ClassVar[str] = "background"
    needs_person_mask: ClassVar[bool] = True
    params: ClassVar[tuple[Param, ...]] = (
        Param("mode", "str", "blur", choices=MODES, doc="blur the background, or replace it with an image or a colour"),
        Param("blur", "float", 0.5, 0.0, 1.0, doc="blur mode: how strong the blur is"),
        Param("image", "asset", "", choices=IMAGE_SUFFIXES, doc="image mode: the picture behind the person"),
        Param("color", "color", (40, 120, 60), doc="colour mode: the colour behind the person"),
        Param("feather", "float", 0.004, 0.0, 0.05, doc="edge softness, fraction of the frame's shorter side"),
        STRENGTH,
    )

    def __init__(self, **values: object) -> None:
        super().__init__(**values)
        if self.values["mode"] == "image" and not self.values["image"]:
            raise OpParamError(f"{self.name}: mode 'image' needs an image file (image = \"....png\")")
        self._images: dict[tuple[Path, int, int], np.ndarray] = {}

    def _image(self, ctx: OpContext, h: int, w: int) -> np.ndarray:
        if ctx.asset_root is None:
            raise OpParamError(f"{self.name}: image: reading {self.values['image']!r} needs the effect folder "
                               "(OpContext.asset_root), found none")
        key = (ctx.asset_root, h, w)
        if key not in self._images:
            rgba = read_rgba_image(resolve_asset(ctx.asset_root, self.values["image"], field="image"), field="image")
            self._images.clear()
            self._images[key] = cover(np.ascontiguousarray(rgba[..., :3]), h, w)
        return self._images[key]

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        person = person_mask_of(self, ctx)
        if self.strength <= 0.0:
            return
        h, w = frame.shape[:2]
        mode = self.values["mode"]
        if mode == "blur":
            backdrop = blurred_background(frame, person, self.values["blur"])
        elif mode == "image":
            backdrop = self._image(ctx, h, w)
        else:
            backdrop = np.empty_like(frame)
            backdrop[...] = np.array(self.values["color"], np.uint8)
        keep = keep_mask(person, self.values["feather"], self.strength)
        backend.pick(backdrop_nb, backdrop_np)(frame, backdrop, keep)


@register_op
class HairColour(Op):
    """Dye the hair a colour, keeping its shading and highlights.

    The hair is the person mask around and above each face, without the face and its skin
    colour (``effects.segmentation.hair_region``)."""

    name: ClassVar[str] = "hair_colour"
    needs_person_mask: ClassVar[bool] = True
    params: ClassVar[tuple[Param, ...]] = (
        Param("color", "color", doc="the dye colour (the hair's median light takes this colour)"),
        Param("opacity", "float", 0.7, 0.0, 1.0, doc="how much of the dye shows"),
        Param("feather", "float", 0.006, 0.0, 0.05, doc="edge softness, fraction of the frame's shorter side"),
        STRENGTH,
    )

    def apply_into(self, frame: np.ndarray, tracks: Sequence[FaceTrack], ctx: OpContext) -> None:
        person = person_mask_of(self, ctx)
        opacity = self.values["opacity"] * self.strength
        if opacity <= 0.0 or not tracks:
            return
        hair = hair_regions(person, tuple(tracks), frame)
        rows, cols = np.flatnonzero(hair.any(axis=1)), np.flatnonzero(hair.any(axis=0))
        if rows.size == 0:
            return
        # Work in the hair's box, grown by the feather's reach.
        h, w = hair.shape
        pad = int(np.ceil(3.0 * self.values["feather"] * min(h, w))) + 1
        y0, y1 = max(0, int(rows[0]) - pad), min(h, int(rows[-1]) + pad + 1)
        x0, x1 = max(0, int(cols[0]) - pad), min(w, int(cols[-1]) + pad + 1)
        alpha = np.ascontiguousarray(_feathered(hair[y0:y1, x0:x1], self.values["feather"], min(h, w)))
        view = frame[y0:y1, x0:x1]
        inside = alpha > 0.5
        if not inside.any():
            return
        luma = view[inside].astype(np.float64) @ np.array([0.3, 0.59, 0.11]) / 255.0
        ref = max(MIN_REF_LUMA, float(np.median(luma)))
        color = np.ascontiguousarray(color01(self.values["color"]), dtype=np.float64)
        # The dye reads a copy of the hair's box and writes into the frame's.
        backend.pick(dye_nb, dye_np)(view.copy(), alpha, color, ref, float(opacity), view)
