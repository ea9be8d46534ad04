"""Face geometry from landmarks: feature sizes relative to the eye distance.

Every measure is a length in units of ``iod`` = the distance between the centroids of
the two eye contours (not the outer eye corners: an eye-enlarging warp moves the
corners outward but leaves the eye centres in place, so the unit stays put while the
eye grows). Areas enter as square roots, so every measure is a length and a change of
``+10%`` means "10% bigger", the same scale as an op's ``scale = 1.10``.

=============  ====================================================================
``eyes``       sqrt(polygon area of the eye contour) / iod, mean of both eyes
``nose``       nose width: distance between the alar landmarks 64 and 294 / iod
``lips``       lip fullness: (area inside the outer lip line - area inside the inner
               line) / mouth width (corners 61 and 291) / iod, the mean lip thickness:
               plumper lips grow it, a narrower lower face does not
``jaw``        jaw width: distance between jaw landmarks 172 and 397 / iod
``face_width`` cheek-to-cheek width: landmarks 234 and 454 / iod
``face_oval``  sqrt(area of the face oval) / iod
``chin``       chin height: lower-lip bottom (17) to chin tip (152) / iod
=============  ====================================================================

A change is ``measure(after) / measure(before) - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from effects.regions import FACE_OVAL, LEFT_EYE, LIPS_INNER, LIPS_OUTER, RIGHT_EYE

GEOMETRY_METRICS: tuple[str, ...] = ("eyes", "nose", "lips", "jaw", "face_width", "face_oval", "chin")

# The landmarks each measure reads (so an untrusted landmark voids only the measures using it).
USES: Mapping[str, tuple[int, ...]] = {
    "eyes": LEFT_EYE + RIGHT_EYE,
    "nose": (64, 294) + LEFT_EYE + RIGHT_EYE,
    "lips": LIPS_OUTER + LIPS_INNER + (61, 291) + LEFT_EYE + RIGHT_EYE,
    "jaw": (172, 397) + LEFT_EYE + RIGHT_EYE,
    "face_width": (234, 454) + LEFT_EYE + RIGHT_EYE,
    "face_oval": FACE_OVAL + LEFT_EYE + RIGHT_EYE,
    "chin": (17, 152) + LEFT_EYE + RIGHT_EYE,
}


def polygon_area(points: np.ndarray) -> float:
    """Area of a simple polygon given as (n, 2) vertices (shoelace formula)."""
    x = points[:, 0].astype(np.float64)
    y = points[:, 1].astype(np.float64)
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def eye_distance(xy: np.ndarray) -> float:
    """The distance between the centroids of the two eye contours, in pixels."""
    left = xy[list(LEFT_EYE)].mean(axis=0)
    right = xy[list(RIGHT_EYE)].mean(axis=0)
    return float(np.linalg.norm(left - right))


def _dist(xy: np.ndarray, a: int, b: int) -> float:
    return float(np.linalg.norm(xy[a] - xy[b]))


def measures(xy: np.ndarray) -> dict[str, float]:
    """The GEOMETRY_METRICS of one face's (478, 2) landmark positions."""
    iod = eye_distance(xy)
    if iod <= 0.0:
        return {name: math.nan for name in GEOMETRY_METRICS}
    eyes = (math.sqrt(polygon_area(xy[list(LEFT_EYE)])) + math.sqrt(polygon_area(xy[list(RIGHT_EYE)]))) / 2.0
    lip_area = polygon_area(xy[list(LIPS_OUTER)]) - polygon_area(xy[list(LIPS_INNER)])
    return {
        "eyes": eyes / iod,
        "nose": _dist(xy, 64, 294) / iod,
        "lips": max(lip_area, 0.0) / max(_dist(xy, 61, 291), 1e-9) / iod,
        "jaw": _dist(xy, 172, 397) / iod,
        "face_width": _dist(xy, 234, 454) / iod,
        "face_oval": math.sqrt(polygon_area(xy[list(FACE_OVAL)])) / iod,
        "chin": _dist(xy, 17, 152) / iod,
    }


def changes(before: np.ndarray, after: np.ndarray, trusted: np.ndarray | None = None) -> dict[str, float]:
    """Relative change of each measure; NaN where a landmark it uses is not trusted."""
    m0 = measures(before)
    m1 = measures(after)
    out: dict[str, float] = {}
    for name in GEOMETRY_METRICS:
        if trusted is not None and not bool(np.all(trusted[list(USES[name])])):
            out[name] = math.nan
        elif m0[name] > 0.0:
            out[name] = m1[name] / m0[name] - 1.0
        else:
            out[name] = math.nan
    return out
