"""The person mask as ops and the classifier see it, and the hair region derived from it.

A person segmenter (``camera_app.tracking.segmenter.PersonSegmenter`` in the app) is anything
with ``person_mask(rgb) -> (H, W) float32 in [0, 1]`` (1 = the person). ``effects/`` never loads
the model: the engine is given a segmenter and computes the mask once per frame, before any op
runs, when an op of the stack needs it (``Op.needs_person_mask``); the classifier is given the
same kind of object and reads the hair region of the reference faces through ``hair_region``,
the function the ``hair_colour`` op uses, so the two measure the same pixels.

``check_person_mask`` is the one validator of a mask: a NaN, an infinity, a value outside
[0, 1] or the wrong shape raises ``PersonMaskError``; a mask never reaches an op unchecked.

The hair region of a face (no hair model is vendorable; the blind spots are in
``effects.classify.person_rules``): the person mask inside an ellipse around the head (HAIR_WIDTH times the face
oval's width, from HAIR_ABOVE face heights above the oval's top down to HAIR_BELOW of the
way down the oval), minus the face
oval grown by HAIR_FACE_MARGIN of the eye distance, and minus pixels of the face's own colour
(the forehead above the oval, the ears). Grey or white hair on pale skin, and skin-coloured
hair, are partly lost; hair below the jaw (long hair on the
shoulders) does not; a hat counts as hair.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from effects.face import FaceTrack
from effects.regions import FACE_OVAL

HAIR_WIDTH = 1.45  # the hair zone's width, in face-oval widths
HAIR_ABOVE = 0.45  # how far above the face oval's top it reaches, in face-oval heights
HAIR_BELOW = 0.7  # and down to this far down the face oval (the jaw and neck are left out)
HAIR_FACE_MARGIN = 0.06  # the face oval is grown by this fraction of the eye distance before it is cut out
# A pixel whose colour is within SKIN_NEAR_DE of the face's median colour (CIELAB, L* at half
# weight) is skin (forehead above the oval, ears), beyond SKIN_FAR_DE hair; smooth in between.
SKIN_NEAR_DE = 8.0
SKIN_FAR_DE = 20.0


class PersonMaskError(ValueError):
    """A person mask is not an (H, W) array of finite values in [0, 1] matching its frame."""


@runtime_checkable
class PersonSegmenter(Protocol):
    """Gives the person mask of one RGB uint8 frame: (H, W) float32, 1 = the person."""

    def person_mask(self, rgb: np.ndarray) -> np.ndarray: ...


def check_person_mask(mask: object, shape: tuple[int, ...]) -> np.ndarray:
    """``mask`` as a C-contiguous float32 array of shape ``shape[:2]`` with values in [0, 1];
    anything else (NaN included) raises PersonMaskError saying what was found."""
    if not isinstance(mask, np.ndarray) or mask.shape != tuple(shape[:2]):
        found = f"{mask.shape} {mask.dtype}" if isinstance(mask, np.ndarray) else type(mask).__name__
        raise PersonMaskError(f"person mask: expected a {tuple(shape[:2])} float array, found {found}")
    values = np.ascontiguousarray(mask, dtype=np.float32)
    if not np.all(np.isfinite(values)):
        raise PersonMaskError(f"person mask: {int(np.count_nonzero(~np.isfinite(values)))} values are NaN or infinite")
    if values.size and (float(values.min()) < 0.0 or float(values.max()) > 1.0):
        raise PersonMaskError(f"person mask: expected values in [0, 1], found [{values.min():g}, {values.max():g}]")
    return values


def hair_region(person: np.ndarray, track: FaceTrack, rgb: np.ndarray) -> np.ndarray:
    """The soft hair region (float32, frame-sized) of one face: the person mask in the zone
    around and above the head, without the face oval and without pixels of the face's skin colour."""
    return hair_regions(person, (track,), rgb)


def _hair_in_box(person: np.ndarray, track: FaceTrack, rgb: np.ndarray) -> tuple[int, int, int, int, np.ndarray] | None:
    """One face's hair region inside its zone's box: (y0, y1, x0, x1, values), or None for an
    empty box (only the box is worked on; the rest of the frame is 0)."""
    h, w = person.shape[:2]
    oval = track.xy[list(FACE_OVAL)].astype(np.float64)
    x0, y0 = oval.min(axis=0)
    x1, y1 = oval.max(axis=0)
    face_w, face_h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    top = y0 - HAIR_ABOVE * face_h
    bottom = y0 + HAIR_BELOW * face_h
    centre = ((x0 + x1) / 2.0, (top + y1) / 2.0)
    axes = (HAIR_WIDTH * face_w / 2.0, (y1 - top) / 2.0)
    bx0, bx1 = max(0, int(centre[0] - axes[0]) - 2), min(w, int(np.ceil(centre[0] + axes[0])) + 2)
    by0, by1 = max(0, int(top) - 2), min(h, int(np.ceil(bottom)) + 1)
    if bx1 - bx0 < 2 or by1 - by0 < 2:
        return None
    box_h, box_w = by1 - by0, bx1 - bx0
    shift = 4
    zone = np.zeros((box_h, box_w), np.uint8)
    cv2.ellipse(zone, (int(round((centre[0] - bx0) * 16)), int(round((centre[1] - by0) * 16))),
                (int(round(axes[0] * 16)), int(round(axes[1] * 16))), 0.0, 0.0, 360.0, 255, -1, cv2.LINE_AA, shift)
    face = np.zeros((box_h, box_w), np.uint8)
    cv2.fillPoly(face, [np.round((oval - [bx0, by0]) * (1 << shift)).astype(np.int32)], 255, cv2.LINE_AA, shift)
    crop = rgb[by0:by1, bx0:bx1]
    lab = cv2.cvtColor(crop.astype(np.float32) * np.float32(1.0 / 255.0), cv2.COLOR_RGB2Lab)
    skin_pixels = lab[face > 127]
    grow = max(1, int(round(HAIR_FACE_MARGIN * track.interocular_px)))
    face = cv2.dilate(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    keep = (zone.astype(np.float32) / 255.0) * (1.0 - face.astype(np.float32) / 255.0)
    if skin_pixels.shape[0] >= 20:
        skin = np.median(skin_pixels, axis=0)
        d = np.sqrt(0.5 * (lab[..., 0] - skin[0]) ** 2 + (lab[..., 1] - skin[1]) ** 2 + (lab[..., 2] - skin[2]) ** 2)
        t = np.clip((d - SKIN_NEAR_DE) / (SKIN_FAR_DE - SKIN_NEAR_DE), 0.0, 1.0)
        keep *= t * t * (3.0 - 2.0 * t)
    return by0, by1, bx0, bx1, keep * person[by0:by1, bx0:bx1]


def hair_regions(person: np.ndarray, tracks: tuple[FaceTrack, ...] | list[FaceTrack], rgb: np.ndarray) -> np.ndarray:
    """The union (pixel-wise maximum) of the hair regions of ``tracks``: one frame-sized array,
    each face's box merged into it."""
    out = np.zeros(person.shape[:2], np.float32)
    for track in tracks:
        box = _hair_in_box(person, track, rgb)
        if box is not None:
            y0, y1, x0, x1, values = box
            np.maximum(out[y0:y1, x0:x1], values, out=out[y0:y1, x0:x1])
    return out
