"""Age estimates for the faces of one still image (used by ``age estimate`` and ``age eval``).

The faces' landmarks come from a detector the caller passes in (a callable from an
RGB image to a list of (478, 3) landmark arrays in pixels), so this package never
depends on the tracker that produces them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from age_estimation.align import align_face
from age_estimation.calibration import AgeCalibration
from age_estimation.prediction import AgePrediction, AgePredictor

LandmarkDetector = Callable[[np.ndarray], Sequence[np.ndarray]]


@dataclass(frozen=True, slots=True)
class FaceEstimate:
    """One face: its landmark bounding box in pixels (x0, y0, x1, y1), the raw and the reported prediction.

    ``prediction`` is ``raw`` mapped through the calibration when one was given, else ``raw``.
    """

    box_px: tuple[float, float, float, float]
    raw: AgePrediction
    prediction: AgePrediction

    @property
    def area_px(self) -> float:
        x0, y0, x1, y1 = self.box_px
        return (x1 - x0) * (y1 - y0)


def estimate_faces(
    rgb: np.ndarray,
    faces: Sequence[np.ndarray],
    model: AgePredictor,
    calibration: AgeCalibration | None = None,
) -> list[FaceEstimate]:
    """Align every face, run the model once on the batch, and return one estimate per face in order."""
    if not faces:
        return []
    chips = np.stack([align_face(rgb, landmarks) for landmarks in faces])
    raws = model.predict(chips)
    estimates = []
    for landmarks, raw in zip(faces, raws):
        xy = np.asarray(landmarks)[:, :2]
        box = (float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max()))
        reported = calibration.apply(raw) if calibration is not None else raw
        estimates.append(FaceEstimate(box, raw, reported))
    return estimates
