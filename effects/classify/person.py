"""Measures that need the person mask: the hair's colour, and the person against the background.

Only when the classifier was given a person segmenter (the one the effect under test was built
with: ``SpecEffect.segmenter``): the mask of the reference photo is computed once by it and the
hair region taken by ``effects.segmentation.hair_regions`` - the very pixels the ``hair_colour``
op dyes. Without a segmenter these metrics are absent (an effect that needs one cannot be built
without it, so nothing is hidden by their absence).

hair.de                 CIEDE2000 between the mean CIELAB colour of the hair region before and
                        after (before: the input carried onto the output by the flow)
hair.lightness_after    L*, C*ab and h_ab (degrees) of the hair's mean colour after
hair.chroma_after
hair.hue_after
hair.share              the hair region's area over the face oval's (how much hair was seen)
person.pixel_de         median per-pixel CIEDE2000 on the person (mask >= PERSON_IN, shrunk by
                        PERSON_MARGIN_IOD), hair and overlays left out: is the person unchanged?
outside.pixel_de        median per-pixel CIEDE2000 outside the person (mask <= PERSON_OUT, grown
                        away by PERSON_MARGIN_IOD): did what is behind them change?
outside.detail_loss     loss of fine detail there (as ``texture.background``, on this region):
                        a blur behind the person
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from effects.classify.colour import ciede2000, detail_loss, lab_chroma_hue
from effects.classify.reference import ReferenceFace
from effects.face import FaceTrack
from effects.masks import region_mask
from effects.segmentation import hair_regions

PERSON_IN = 0.9
PERSON_OUT = 0.1
PERSON_MARGIN_IOD = 0.15
HAIR_IN = 0.5
MIN_HAIR_PIXELS = 200


def _shrink(mask: np.ndarray, px: int) -> np.ndarray:
    if px <= 0:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.erode(mask.astype(np.uint8), kernel) > 0


def _median_de(lab_a: np.ndarray, lab_b: np.ndarray, mask: np.ndarray) -> float:
    sub = mask[::2, ::2]
    if sub.sum() < 25:
        return math.nan
    return float(np.median(ciede2000(lab_a[::2, ::2][sub], lab_b[::2, ::2][sub])))


def person_measures(face: ReferenceFace, person: np.ndarray, lab: tuple[np.ndarray, np.ndarray],
                    log_lum: tuple[np.ndarray, np.ndarray], overlay: np.ndarray, iod: float) -> dict[str, float]:
    """The metrics of the module notes for one reference face and its person mask; ``lab`` and
    ``log_lum``: CIELAB and log luminance of the input carried by the flow, and of the output."""
    lab_moved, lab_out = lab
    track: FaceTrack = face.track
    hair = hair_regions(person, (track,), face.rgb) >= HAIR_IN
    hair &= ~overlay
    values: dict[str, float] = {}
    face_px = float(region_mask(face.rgb.shape, track, ["face"], feather_px=0.0).full(face.rgb.shape).sum())
    values["hair.share"] = float(hair.sum()) / max(face_px, 1.0)
    if int(hair.sum()) >= MIN_HAIR_PIXELS:
        before = lab_moved[hair].mean(axis=0)
        after = lab_out[hair].mean(axis=0)
        values["hair.de"] = float(ciede2000(before[None], after[None])[0])
        chroma, hue = lab_chroma_hue(after)
        values["hair.lightness_after"] = float(after[0])
        values["hair.chroma_after"] = float(chroma)
        values["hair.hue_after"] = float(hue)
    else:
        for key in ("hair.de", "hair.lightness_after", "hair.chroma_after", "hair.hue_after"):
            values[key] = math.nan
    margin = max(1, int(round(PERSON_MARGIN_IOD * iod)))
    on_person = _shrink(person >= PERSON_IN, margin) & ~hair & ~overlay
    outside = _shrink(person <= PERSON_OUT, margin) & ~overlay
    values["person.pixel_de"] = _median_de(lab_moved, lab_out, on_person)
    values["outside.pixel_de"] = _median_de(lab_moved, lab_out, outside)
    values["outside.detail_loss"] = detail_loss(log_lum[0], log_lum[1], outside, max(1.0, 0.02 * iod))
    return values
