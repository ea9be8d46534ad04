"""Soft masks of named landmark regions, computed only inside a face-sized ROI.

``region_mask`` fills each named region's polygons with the even-odd rule (so the
"skin" region has holes for the eyes, brows, lips and nostrils), takes the union of
the regions, grows (``dilate_px`` > 0) or shrinks (< 0) it, and softens its edge over
``feather_px``. The result is a ``RegionMask``: a float32 alpha in [0, 1] for the
pixels of ``roi`` only, so ops touch a few hundred thousand pixels at 720p or 1080p
instead of the whole frame.

Geometry: pixel (row i, column j) has its centre at (x=j, y=i), as in OpenCV; the
landmarks of a ``FaceTrack`` are in the same pixel units. The filled region is grown or
shrunk by a disc of radius ``round(dilate_px)`` (morphological dilation or erosion; from
6 px on, a regular octagon of that radius: see ``_disc_morphology``), then
its edge is softened by two box blurs of half-width h = floor(feather_px / 4 + 1/2): the alpha
ramps from 1 to 0 across about ``feather_px``, centred on the dilated edge. A pixel's
alpha only depends on pixels within 2h of it (a square), so every pixel farther than
``reach_px = g + 2h * sqrt(2)`` from the region has alpha exactly 0 (g: how far the region
grew, ``round(dilate_px)``, or the octagon's corner radius 1.083 x that; 0 when it shrank),
which is what "pixels outside the region do not change" relies on, and every pixel more
than 2h * sqrt(2) inside the dilated region has alpha exactly 1. The ROI covers the
whole reach (plus ``margin_px`` if asked), clipped to the frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from effects.face import FaceTrack
from effects.regions import region

_SHIFT = 4  # fixed-point bits for cv2.fillPoly: polygons rasterised at 1/16 px precision
_ONE = 1 << _SHIFT


class MaskError(ValueError):
    """region_mask was called with arguments of the wrong shape, type or range."""


Roi = tuple[int, int, int, int]  # (y0, y1, x0, x1), half-open, inside the frame


@dataclass(frozen=True, slots=True)
class RegionMask:
    """A soft mask for the pixels ``frame[y0:y1, x0:x1]`` where ``roi == (y0, y1, x0, x1)``.

    ``alpha`` is float32 of shape (y1 - y0, x1 - x0) with values in [0, 1]; pixels of the
    frame outside ``roi`` have alpha 0. The ROI may be empty (the face is off-frame).
    """

    alpha: np.ndarray
    roi: Roi
    reach_px: float

    @property
    def is_empty(self) -> bool:
        y0, y1, x0, x1 = self.roi
        return y1 <= y0 or x1 <= x0 or not bool(np.any(self.alpha > 0.0))

    def full(self, frame_shape: tuple[int, ...]) -> np.ndarray:
        """The alpha pasted into a zero float32 array of the frame's (h, w): for tests and overlays."""
        h, w = int(frame_shape[0]), int(frame_shape[1])
        out = np.zeros((h, w), np.float32)
        y0, y1, x0, x1 = self.roi
        out[y0:y1, x0:x1] = self.alpha
        return out


def _check_frame_shape(frame_shape: object) -> tuple[int, int]:
    if not isinstance(frame_shape, tuple) or len(frame_shape) not in (2, 3):
        raise MaskError(f"region_mask: frame_shape: expected a (h, w) or (h, w, c) tuple, found {frame_shape!r}")
    h, w = frame_shape[0], frame_shape[1]
    for name, v in (("height", h), ("width", w)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v <= 0:
            raise MaskError(f"region_mask: frame_shape {name}: expected an int > 0, found {v!r}")
    return int(h), int(w)


def _check_px(name: str, value: object, allow_negative: bool) -> float:
    if not isinstance(value, (int, float, np.floating, np.integer)) or isinstance(value, bool):
        raise MaskError(f"region_mask: {name}: expected a number of pixels, found {value!r}")
    v = float(value)
    if not math.isfinite(v) or (v < 0.0 and not allow_negative):
        expected = "a finite number" if allow_negative else "a finite number >= 0"
        raise MaskError(f"region_mask: {name}: expected {expected}, found {value!r}")
    return v


def region_polygons(track: FaceTrack, regions: Sequence[str]) -> list[list[np.ndarray]]:
    """Per region, its polygons as (n, 2) float32 pixel arrays (unknown names raise RegionError)."""
    if isinstance(regions, str) or not isinstance(regions, Sequence) or len(regions) == 0:
        raise MaskError(f"region_mask: regions: expected a non-empty list of region names, found {regions!r}")
    xy = track.xy
    return [[xy[list(poly)] for poly in region(name).polygons] for name in regions]


def clip_roi(y0: float, y1: float, x0: float, x1: float, h: int, w: int) -> Roi:
    """A float box rounded outwards to whole pixels and clipped to an (h, w) frame."""
    iy0 = min(max(int(math.floor(y0)), 0), h)
    iy1 = min(max(int(math.ceil(y1)) + 1, iy0), h)
    ix0 = min(max(int(math.floor(x0)), 0), w)
    ix1 = min(max(int(math.ceil(x1)) + 1, ix0), w)
    return iy0, iy1, ix0, ix1


def _rasterise(polys_by_region: list[list[np.ndarray]], oy: int, ox: int, hh: int, ww: int) -> np.ndarray:
    """Union over regions of the even-odd fill of each region's polygons, as a uint8 0/1 image."""
    union = np.zeros((hh, ww), np.uint8)
    scratch = np.zeros((hh, ww), np.uint8)
    one = np.empty((hh, ww), np.uint8)  # one buffer for every polygon (a 1080p face's is 200 KB)
    offset = np.array([ox, oy], np.float64)
    for polys in polys_by_region:
        scratch.fill(0)
        for poly in polys:
            pts = np.round((poly.astype(np.float64) - offset) * _ONE).astype(np.int32)
            one.fill(0)
            cv2.fillPoly(one, [pts], 1, lineType=cv2.LINE_8, shift=_SHIFT)
            np.bitwise_xor(scratch, one, out=scratch)
        np.bitwise_or(union, scratch, out=union)
    return union


def feather_halfwidth(feather_px: float) -> int:
    """Half-width of each of the two box passes that soften the edge (0: a hard edge)."""
    return 0 if feather_px <= 0.0 else max(1, int(math.floor(feather_px / 4.0 + 0.5)))


# Above this radius a disc is grown or shrunk through a Euclidean distance transform (cost
# independent of the radius) instead of morphology (cost ~ area x radius): a 0.5 iod dilation
# of a face filling a 1080p frame took 17 s per frame with the disc, a creator's denial of service.
DISC_MORPHOLOGY_MAX_PX = 16
# From this radius on the disc is a regular octagon: a square then a diamond (3x3 crosses),
# both cheap in OpenCV, about 5x faster than the elliptic element at 10 px (0.14 vs 0.75 ms on
# the 1080p skin mask). Its edge is within 8% of the radius of the disc's and the feather blurs
# the difference away: glam at 1080p changed by 2 grey levels on 265 of 6.2 M values, none more.
OCTAGON_MIN_PX = 6
_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def _disc_morphology(inside: np.ndarray, d: int, grow: bool) -> np.ndarray:
    """``inside`` (0/1 uint8) dilated (``grow``) or eroded by a disc of radius d <= DISC_MORPHOLOGY_MAX_PX.

    From OCTAGON_MIN_PX on, the disc is the octagon square(a) + diamond(d - a) with
    a = 0.414 d: radius d along the axes and the diagonals alike, reaching 1.083 d at its corners
    (``grown_px``).
    """
    op = cv2.dilate if grow else cv2.erode
    if d < OCTAGON_MIN_PX:
        return np.asarray(op(inside, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * d + 1, 2 * d + 1))))
    a = int(round(0.414 * d))
    square = op(inside, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * a + 1, 2 * a + 1)))
    return np.asarray(op(square, _CROSS, iterations=d - a))


def grown_px(dilate_px: float) -> float:
    """How far ``_disc_morphology`` may move the edge outwards for ``dilate_px`` (0 when shrinking)."""
    d = int(round(dilate_px))
    if d <= 0:
        return 0.0
    if OCTAGON_MIN_PX <= d <= DISC_MORPHOLOGY_MAX_PX:
        a = int(round(0.414 * d))
        return math.hypot(d, a)
    return float(d)


def _soft_edge(inside: np.ndarray, dilate_px: float, feather_px: float) -> np.ndarray:
    """Alpha from ``inside`` (0/1 uint8): grown or shrunk by a disc of |dilate_px|, then two box blurs."""
    d = int(round(abs(dilate_px)))
    if 0 < d <= DISC_MORPHOLOGY_MAX_PX:
        inside = _disc_morphology(inside, d, dilate_px > 0)
    elif d > DISC_MORPHOLOGY_MAX_PX:
        if dilate_px > 0:  # distance of every outside pixel to the region: keep those within d
            dist = cv2.distanceTransform((inside == 0).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            inside = (dist <= d).astype(np.uint8)
        else:  # distance of every inside pixel to the outside: keep those further than d
            dist = cv2.distanceTransform(inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
            inside = (dist > d).astype(np.uint8)
    alpha = inside.astype(np.float32)
    half = feather_halfwidth(feather_px)
    if half > 0:
        size = (2 * half + 1, 2 * half + 1)
        cv2.blur(alpha, size, dst=alpha, borderType=cv2.BORDER_REPLICATE)
        cv2.blur(alpha, size, dst=alpha, borderType=cv2.BORDER_REPLICATE)
        # Float rounding leaves values a hair off 0 and 1: snap them so "outside" is exactly 0.
        alpha[alpha < 1e-6] = 0.0
        alpha[alpha > 1.0 - 1e-6] = 1.0
    return alpha


def region_mask(
    frame_shape: tuple[int, ...],
    track: FaceTrack,
    regions: Sequence[str],
    feather_px: float,
    dilate_px: float = 0.0,
    *,
    margin_px: float = 0.0,
) -> RegionMask:
    """The soft mask of the union of ``regions`` of one face (see the module notes).

    ``margin_px`` widens the ROI (not the mask) for ops that read neighbours, e.g. filters.
    """
    h, w = _check_frame_shape(frame_shape)
    if not isinstance(track, FaceTrack):
        raise MaskError(f"region_mask: track: expected a FaceTrack, found {type(track).__name__}")
    feather = _check_px("feather_px", feather_px, allow_negative=False)
    dilate = _check_px("dilate_px", dilate_px, allow_negative=True)
    margin = _check_px("margin_px", margin_px, allow_negative=False)
    polys_by_region = region_polygons(track, regions)
    pts = np.concatenate([p for polys in polys_by_region for p in polys])
    half = feather_halfwidth(feather)
    grown = grown_px(dilate)
    reach = max(0.0, (grown if dilate > 0 else float(round(dilate))) + 2 * half * math.sqrt(2.0))
    pad = max(grown, abs(round(dilate))) + 2 * half + 2.0
    lo = pts.min(axis=0)
    hi = pts.max(axis=0)
    # Work box: the region plus its reach, limited to the frame grown by the pad so that
    # distances near the frame border still see the part of the region beyond it.
    ipad = int(math.ceil(pad))
    wy0 = max(int(math.floor(lo[1] - pad)), -ipad)
    wx0 = max(int(math.floor(lo[0] - pad)), -ipad)
    wy1 = min(int(math.ceil(hi[1] + pad)) + 1, h + ipad)
    wx1 = min(int(math.ceil(hi[0] + pad)) + 1, w + ipad)
    roi = clip_roi(lo[1] - reach - margin - 1, hi[1] + reach + margin + 1,
                   lo[0] - reach - margin - 1, hi[0] + reach + margin + 1, h, w)
    y0, y1, x0, x1 = roi
    if wy1 <= wy0 or wx1 <= wx0 or y1 <= y0 or x1 <= x0:
        return RegionMask(np.zeros((max(y1 - y0, 0), max(x1 - x0, 0)), np.float32), roi, reach)
    inside = _rasterise(polys_by_region, wy0, wx0, wy1 - wy0, wx1 - wx0)
    soft = _soft_edge(inside, dilate, feather)
    alpha = np.zeros((y1 - y0, x1 - x0), np.float32)
    # Paste the part of the work box that falls inside the ROI.
    sy0, sy1 = max(y0, wy0), min(y1, wy1)
    sx0, sx1 = max(x0, wx0), min(x1, wx1)
    if sy1 > sy0 and sx1 > sx0:
        alpha[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = soft[sy0 - wy0:sy1 - wy0, sx0 - wx0:sx1 - wx0]
    return RegionMask(alpha, roi, reach)
