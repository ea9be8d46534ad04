"""Running the age estimator over a labelled folder of images (the scoring is in ``scores``).

For every labelled image: read it (an unreadable or missing file is counted with a
message, never fatal), find faces with the detector passed in, estimate the largest
face. The run keeps each image's raw prediction (to fit or cross-validate a calibration
without running the model again) and the estimate reported (calibrated when a map was
given), unrounded. ``EvaluationRun.arrays`` turns the readable images into the plain
arrays that ``scores.score`` works on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from age_estimation.calibration import AgeCalibration
from age_estimation.labels import SOURCE_COLUMN, EvaluationError, LabelSet
from age_estimation.prediction import AgePrediction, AgePredictor
from age_estimation.scores import MAX_GROUP_VALUES, EvalArrays
from age_estimation.still import LandmarkDetector, estimate_faces


@dataclass(frozen=True, slots=True)
class ImageResult:
    """One labelled image. ``status`` is "ok", "unreadable" or "no_face"; ages are None unless "ok"."""

    label: str
    age_years: float
    status: str
    message: str
    faces_found: int
    estimate_years: float | None = None
    low_years: float | None = None
    high_years: float | None = None
    p_under_18: float | None = None
    p_under_13: float | None = None
    raw: AgePrediction | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "age_years": self.age_years,
            "status": self.status,
            "message": self.message,
            "faces_found": self.faces_found,
            "estimate_years": self.estimate_years,
            "raw_estimate_years": None if self.raw is None else self.raw.expected_years,
            "low_years": self.low_years,
            "high_years": self.high_years,
            "p_under_18": self.p_under_18,
            "p_under_13": self.p_under_13,
        }


@dataclass(frozen=True, slots=True)
class EvaluationRun:
    labels: LabelSet
    results: tuple[ImageResult, ...]
    ms_per_face: float | None
    ms_per_image_detection: float | None
    calibrated: bool

    @property
    def unreadable(self) -> int:
        return sum(1 for r in self.results if r.status == "unreadable")

    @property
    def no_face(self) -> int:
        return sum(1 for r in self.results if r.status == "no_face")

    def arrays(self, group_by: Sequence[str] | None = None, raw: bool = False) -> EvalArrays:
        """The readable images as arrays; groups are ``group_by`` (default: every extra label column).

        ``raw`` gives the model's uncalibrated estimates instead of the reported ones. A
        column named in ``group_by`` must exist and have at most MAX_GROUP_VALUES values.
        """
        columns = self.labels.group_columns if group_by is None else tuple(group_by)
        readable = [(image, r) for image, r in zip(self.labels.images, self.results) if r.status != "unreadable"]
        groups: dict[str, np.ndarray] = {}
        for column in columns:
            if column not in self.labels.group_columns:
                raise EvaluationError(
                    f"group column {column!r}: not in the labels (extra columns: {list(self.labels.group_columns)})"
                )
            values = np.array([image.column(column) for image, _ in readable], dtype=str)
            if group_by is not None and np.unique(values).size > MAX_GROUP_VALUES:
                raise EvaluationError(
                    f"group column {column!r}: expected at most {MAX_GROUP_VALUES} distinct values, found {np.unique(values).size}"
                )
            groups[column] = values

        def estimate(r: ImageResult) -> float:
            value = (r.raw.expected_years if r.raw is not None else None) if raw else r.estimate_years
            return np.nan if value is None else value

        return EvalArrays(
            true_years=np.array([r.age_years for _, r in readable], dtype=np.float64),
            estimate_years=np.array([estimate(r) for _, r in readable], dtype=np.float64),
            groups=groups,
            strata_column=SOURCE_COLUMN if SOURCE_COLUMN in groups else None,
        )


def read_rgb(path: Path) -> tuple[np.ndarray | None, str]:
    """The image as RGB uint8, or None and the reason it cannot be read."""
    if not path.is_file():
        return None, f"{path}: file not found"
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        return None, f"{path}: cannot read ({exc.strerror})"
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if bgr is None:
        return None, f"{path}: not an image OpenCV can decode"
    return np.ascontiguousarray(bgr[:, :, ::-1]), ""


def evaluate(
    labels: LabelSet,
    detect: LandmarkDetector,
    model: AgePredictor,
    calibration: AgeCalibration | None = None,
    on_image: Callable[[ImageResult], None] | None = None,
) -> EvaluationRun:
    """Run detector and model over the labelled images (in label order)."""
    results: list[ImageResult] = []
    detect_s = 0.0
    age_s = 0.0
    for item in labels.images:
        rgb, problem = read_rgb(item.path)
        if rgb is None:
            result = ImageResult(item.label, item.age_years, "unreadable", problem, 0)
        else:
            t0 = time.perf_counter()
            faces = list(detect(rgb))
            t1 = time.perf_counter()
            detect_s += t1 - t0
            if not faces:
                result = ImageResult(item.label, item.age_years, "no_face", f"{item.path}: no face found", 0)
            else:
                estimates = estimate_faces(rgb, faces, model, calibration)
                age_s += time.perf_counter() - t1
                largest = max(estimates, key=lambda e: e.area_px)
                shown = largest.prediction
                result = ImageResult(
                    item.label, item.age_years, "ok", "", len(faces),
                    estimate_years=shown.expected_years, low_years=shown.low_years, high_years=shown.high_years,
                    p_under_18=shown.p_under_18, p_under_13=shown.p_under_13, raw=largest.raw,
                )
        results.append(result)
        if on_image is not None:
            on_image(result)
    faces_estimated = sum(r.faces_found for r in results if r.status == "ok")
    readable = sum(1 for r in results if r.status != "unreadable")
    return EvaluationRun(
        labels=labels,
        results=tuple(results),
        ms_per_face=age_s * 1000.0 / faces_estimated if faces_estimated else None,
        ms_per_image_detection=detect_s * 1000.0 / readable if readable else None,
        calibrated=calibration is not None,
    )
