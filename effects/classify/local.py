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

Regions: ``cheeks``, ``eyelids``, ``lips`` and ``brows`` (the mesh regions of
``effects.regions``, brows grown by BROW_GROW_IOD to see a redrawn brow shape) and
``lash_line`` (a band of LASH_BAND_IOD above each upper lid line and a wing past the
outer corner, where eyeliner and lash darkening sit). Overlay pixels (and a rim around
them) are left out. Inside a cartoon warp (eyes +50%) the flow pairs pixels around the
eyes too loosely for this (the brows read 3.6): the rule does not read makeup there.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from effects.classify.colour import ciede2000
from effects.face import FaceTrack
from effects.masks import region_mask
from effects.regions import LEFT_UPPER_LID, RIGHT_UPPER_LID

LOCAL_REGIONS: tuple[str, ...] = ("cheeks", "eyelids", "lips", "brows", "lash_line")
LOCAL_CHANGED_DE = 3.0
LOCAL_PERCENTILE = 90.0
BROW_GROW_IOD = 0.03
LASH_BAND_IOD = 0.06
_WING_IOD = 0.08
_MIN_PIXELS = 20


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


def local_changes(
    shape: tuple[int, ...], track_out: FaceTrack, lab_moved: np.ndarray, lab_out: np.ndarray,
    excluded: np.ndarray, iod: float,
) -> dict[str, float]:
    """The ``local.*`` metrics of the module notes (NaN where a region has too few visible pixels)."""
    values: dict[str, float] = {}
    for name in LOCAL_REGIONS:
        mask = _region(shape, track_out, name, iod) & ~excluded
        weighted = dl = share = math.nan
        if int(mask.sum()) >= _MIN_PIXELS:
            de, d_l = pixel_de(lab_moved, lab_out, mask)
            top = de >= np.percentile(de, LOCAL_PERCENTILE)
            weighted = float(np.percentile(de, LOCAL_PERCENTILE))
            dl = float(np.median(d_l[top]))
            share = float(np.count_nonzero(de >= LOCAL_CHANGED_DE)) / de.size
        values[f"local.{name}"] = weighted
        values[f"local.{name}.dL"] = dl
        values[f"local.{name}.share"] = share
    return values
