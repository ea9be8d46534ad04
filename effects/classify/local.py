"""Makeup measured where it is applied: the changed part of cheeks, lids, lips, brows, lash line.

A region's mean colour dilutes a local change: a blush over a third of the cheek moves
the cheek's mean by a third of its colour. Here every pixel of a region is compared
with the same place on the input (the input carried onto the output by the optical
flow), and the region's value is the 90th percentile (LOCAL_PERCENTILE) of the per-pixel
CIEDE2000: the change of the most-changed tenth of the region. Makeup covering a tenth
of a region or more reads at its own strength (a blush of dE 5 over 40% of the cheek
reads 5, where the cheek's mean moves by 2); a few stray pixels (the rim of a particle,
an edge the flow missed by a pixel) do not move it. (A change-weighted mean,
sum(dE^2) / sum(dE), was tried first: a handful of glitter pixels at dE 30 lifted it
to 3 on a cheek where 0.3% of the pixels changed.) The flow keeps edges aligned well
enough for this: warps up to 25% read at most about 1 here (see the dose-response data,
``camera_app.creator.dose_response``).

local.<r>        90th percentile of the per-pixel dE in region <r>
local.<r>.dL     median L* change of that most-changed tenth (< 0: darker, eyeliner, brow pencil)
local.<r>.share  share of the region's pixels that changed by LOCAL_CHANGED_DE or more

On the broad regions (cheeks, eyelids, lips: blush, shadow, lipstick are spread colour)
both pictures first go through a median filter BROAD_MEDIAN_IOD wide: a thin sharp stroke
crossing a cheek (a cat's whiskers) or a speck of glitter vanishes, a blush stays whole.
(A Gaussian blur was tried first: six whiskers still read 4.3 on the cheeks.) The lash
line and brows, where makeup is a stroke, are read pixel by pixel.

Regions: ``cheeks``, ``eyelids``, ``lips`` and ``brows`` (the mesh regions of
``effects.regions``, brows grown by BROW_GROW_IOD to see a redrawn brow shape) and
``lash_line`` (a band of LASH_BAND_IOD above each upper lid line and a wing past the
outer corner, where eyeliner and lash darkening sit). Overlay pixels (and a rim around
them) are left out, and a region under an overlay (sunglasses over the lids) is not read.
Inside a cartoon warp (eyes +50%) the flow pairs pixels around the
eyes too loosely for this (the brows read 3.6): the rule does not read makeup there.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from effects.classify.colour import ciede2000, srgb_to_lab
from effects.face import FaceTrack
from effects.masks import region_mask
from effects.regions import LEFT_UPPER_LID, RIGHT_UPPER_LID

LOCAL_REGIONS: tuple[str, ...] = ("cheeks", "eyelids", "lips", "brows", "lash_line")
LOCAL_CHANGED_DE = 3.0
BROAD_REGIONS = ("cheeks", "eyelids", "lips")
BROAD_MEDIAN_IOD = 0.08
LOCAL_PERCENTILE = 90.0
BROW_GROW_IOD = 0.03
LASH_BAND_IOD = 0.06
_WING_IOD = 0.08
_MIN_PIXELS = 20
# As for the tone regions (``measure``): a region whose surroundings (grown by a tenth of the
# eye distance) are more than a fifth under an overlay is hidden (tinted lenses are only
# partly detected as new content, next to the frames that are).
_HIDDEN_REACH_IOD = 0.1
_MAX_HIDDEN = 0.2


def lash_line_mask(shape: tuple[int, ...], track: FaceTrack, iod: float) -> np.ndarray:
    """A band from each upper lid line up to LASH_BAND_IOD above it, with a wing past the outer corner."""
    mask = np.zeros(shape[:2], np.uint8)
    xy = track.xy.astype(np.float64)
    thickness = max(2, int(round(LASH_BAND_IOD * iod)))
    for lid in (RIGHT_UPPER_LID, LEFT_UPPER_LID):
        pts = xy[list(lid)]
        outward = pts[-1] - pts[-2]
        outward /= max(float(np.hypot(*outward)), 1e-9)
        line = np.concatenate([pts, (pts[-1] + outward * _WING_IOD * iod)[None, :]])
        # Shifted up by half a band so the band lies on the lid above the lashes.
        up = np.array([0.0, -0.5 * thickness])
        poly = np.round((line + up) * 16).astype(np.int32)
        cv2.polylines(mask, [poly], False, 1, thickness=thickness, lineType=cv2.LINE_8, shift=4)
    return mask > 0


def _region(shape: tuple[int, ...], track: FaceTrack, name: str, iod: float) -> np.ndarray:
    if name == "lash_line":
        return lash_line_mask(shape, track, iod)
    grow = BROW_GROW_IOD * iod if name == "brows" else 0.0
    return region_mask(shape, track, [name], feather_px=0.0, dilate_px=grow).full(shape) > 0.5


def pixel_de(lab_moved: np.ndarray, lab_out: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel (dE, dL) over ``mask``, output against the input carried onto it by the flow."""
    before, after = lab_moved[mask], lab_out[mask]
    return ciede2000(before, after), after[:, 0] - before[:, 0]


def _broad(rgb_moved: np.ndarray, rgb_out: np.ndarray, halo: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Both pictures in Lab after a median filter of ``size`` px (odd) per channel; new content
    (with its rim) is replaced by the input first, so it does not spread into its neighbours."""
    out = rgb_out.copy()
    out[halo] = rgb_moved[halo]
    return srgb_to_lab(cv2.medianBlur(rgb_moved, size)), srgb_to_lab(cv2.medianBlur(out, size))


def local_changes(
    track_out: FaceTrack, rgb_moved: np.ndarray, rgb_out: np.ndarray, lab_moved: np.ndarray, lab_out: np.ndarray,
    overlay: np.ndarray, halo: np.ndarray, iod: float,
) -> dict[str, float]:
    """The ``local.*`` metrics of the module notes (NaN where a region has too few visible
    pixels, or lies under an overlay: ``local.<r>.hidden`` is then 1)."""
    values: dict[str, float] = {}
    shape = rgb_out.shape
    soft_moved, soft_out = _broad(rgb_moved, rgb_out, halo, max(3, int(round(BROAD_MEDIAN_IOD * iod)) | 1))
    reach = np.ones((2 * int(_HIDDEN_REACH_IOD * iod) + 1,) * 2, np.uint8)
    for name in LOCAL_REGIONS:
        region = _region(shape, track_out, name, iod)
        mask = region & ~halo
        grown = cv2.dilate(region.astype(np.uint8), reach) > 0
        hidden = bool(grown.any()) and float((grown & overlay).sum()) / float(grown.sum()) > _MAX_HIDDEN
        weighted = dl = share = math.nan
        if int(mask.sum()) >= _MIN_PIXELS and not hidden:
            before, after = (soft_moved, soft_out) if name in BROAD_REGIONS else (lab_moved, lab_out)
            de, d_l = pixel_de(before, after, mask)
            top = de >= np.percentile(de, LOCAL_PERCENTILE)
            weighted = float(np.percentile(de, LOCAL_PERCENTILE))
            dl = float(np.median(d_l[top]))
            share = float(np.count_nonzero(de >= LOCAL_CHANGED_DE)) / de.size
        values[f"local.{name}"] = weighted
        values[f"local.{name}.dL"] = dl
        values[f"local.{name}.share"] = share
        values[f"local.{name}.hidden"] = 1.0 if hidden else 0.0
    return values
