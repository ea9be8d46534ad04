"""Evaluation of the age estimator on a labelled folder of images.

Labels are a CSV with columns ``path,age`` (path relative to the folder or absolute;
age in years). For every image: read it (an unreadable or missing file is counted
with a message, never fatal), find faces with the detector passed in, estimate the
largest face. Then: detection rate, mean absolute error overall and per age band,
signed bias per band (estimate - true; positive = over-estimates), and the under-18
decision at each challenge age: a face is "possibly under 18" when its estimate is
below the challenge age, so a minor "passes as an adult" when the estimate is at or
above it, and an adult is "flagged" when it is below.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from age_estimation.calibration import AgeCalibration
from age_estimation.prediction import AgePrediction, AgePredictor
from age_estimation.still import LandmarkDetector, estimate_faces

# Age bands (lower bound inclusive, upper bound exclusive), labelled by whole years.
BANDS: tuple[tuple[str, float, float], ...] = (
    ("0-12", 0.0, 13.0),
    ("13-17", 13.0, 18.0),
    ("18-24", 18.0, 25.0),
    ("25-39", 25.0, 40.0),
    ("40+", 40.0, math.inf),
)
CHALLENGE_AGES: tuple[int, ...] = (18, 21, 23, 25, 28)
ADULT_AGE_YEARS = 18.0
MAX_LABEL_AGE_YEARS = 130.0


class EvaluationError(ValueError):
    """The labels file is missing or malformed (the message names file, line and field)."""


@dataclass(frozen=True, slots=True)
class LabelledImage:
    path: Path
    label: str
    age_years: float
    line: int


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


@dataclass(frozen=True, slots=True)
class BandStats:
    band: str
    faces: int
    mae_years: float | None
    bias_years: float | None


@dataclass(frozen=True, slots=True)
class ThresholdStats:
    """At one challenge age: minors passed as adults and adults flagged as possibly under 18."""

    challenge_age_years: int
    minors: int
    minors_passed: int
    adults: int
    adults_flagged: int

    @property
    def minors_passed_share(self) -> float | None:
        return self.minors_passed / self.minors if self.minors else None

    @property
    def adults_flagged_share(self) -> float | None:
        return self.adults_flagged / self.adults if self.adults else None


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    images: int
    unreadable: int
    no_face: int
    faces: int
    mae_years: float | None
    bias_years: float | None
    bands: tuple[BandStats, ...]
    thresholds: tuple[ThresholdStats, ...]
    ms_per_face: float | None
    ms_per_image_detection: float | None
    calibrated: bool
    results: tuple[ImageResult, ...]

    @property
    def detection_rate(self) -> float | None:
        readable = self.images - self.unreadable
        return (self.faces / readable) if readable else None

    def to_dict(self) -> dict[str, object]:
        rows = []
        for r in self.results:
            row = asdict(r)
            row.pop("raw")
            rows.append(row)
        return {
            "images": self.images,
            "unreadable": self.unreadable,
            "no_face": self.no_face,
            "faces": self.faces,
            "detection_rate": self.detection_rate,
            "mae_years": self.mae_years,
            "bias_years": self.bias_years,
            "bands": [asdict(b) for b in self.bands],
            "thresholds": [
                {
                    **asdict(t),
                    "minors_passed_share": t.minors_passed_share,
                    "adults_flagged_share": t.adults_flagged_share,
                    "minors_passed_ci95": wilson_interval(t.minors_passed, t.minors),
                    "adults_flagged_ci95": wilson_interval(t.adults_flagged, t.adults),
                }
                for t in self.thresholds
            ],
            "ms_per_face": self.ms_per_face,
            "ms_per_image_detection": self.ms_per_image_detection,
            "calibrated": self.calibrated,
            "results": rows,
        }


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval for k successes out of n (95 % by default); None when n is 0."""
    if n == 0:
        return None
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def read_labels(csv_path: Path, root: Path) -> list[LabelledImage]:
    """Rows of ``path,age``; a relative path is taken inside ``root``."""
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise EvaluationError(f"{csv_path}: cannot read the labels ({exc.strerror})") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "path" not in header or "age" not in header:
        raise EvaluationError(f"{csv_path}: line 1: expected the columns 'path' and 'age', found {header}")
    labels: list[LabelledImage] = []
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        path_text, age_text = row.get("path", ""), row.get("age", "")
        if not path_text:
            raise EvaluationError(f"{csv_path}: line {line}: field 'path': expected a file path, found nothing")
        try:
            age = float(age_text)
        except ValueError:
            raise EvaluationError(f"{csv_path}: line {line}: field 'age': expected a number of years, found {age_text!r}") from None
        if not (0.0 <= age <= MAX_LABEL_AGE_YEARS):
            raise EvaluationError(
                f"{csv_path}: line {line}: field 'age': expected 0 to {MAX_LABEL_AGE_YEARS:g} years, found {age_text!r}"
            )
        path = Path(path_text)
        labels.append(LabelledImage(path if path.is_absolute() else root / path, path_text, age, line))
    if not labels:
        raise EvaluationError(f"{csv_path}: expected at least one labelled image, found none")
    return labels


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
    labels: Sequence[LabelledImage],
    detect: LandmarkDetector,
    model: AgePredictor,
    calibration: AgeCalibration | None = None,
    on_image: Callable[[ImageResult], None] | None = None,
) -> EvaluationReport:
    """Run detector and model over the labelled images and summarise."""
    results: list[ImageResult] = []
    detect_s = 0.0
    age_s = 0.0
    for item in labels:
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
                estimates = estimate_faces(rgb, faces, model)
                age_s += time.perf_counter() - t1
                largest = max(estimates, key=lambda e: e.area_px)
                result = result_for(item.label, item.age_years, len(faces), largest.raw, calibration)
        results.append(result)
        if on_image is not None:
            on_image(result)
    faces_estimated = sum(r.faces_found for r in results if r.status == "ok")
    readable = sum(1 for r in results if r.status != "unreadable")
    return summarise(
        results,
        ms_per_face=age_s * 1000.0 / faces_estimated if faces_estimated else None,
        ms_per_image_detection=detect_s * 1000.0 / readable if readable else None,
        calibrated=calibration is not None,
    )


def result_for(
    label: str, age_years: float, faces_found: int, raw: AgePrediction, calibration: AgeCalibration | None
) -> ImageResult:
    shown = calibration.apply(raw) if calibration is not None else raw
    return ImageResult(
        label,
        age_years,
        "ok",
        "",
        faces_found,
        estimate_years=shown.expected_years,
        low_years=shown.low_years,
        high_years=shown.high_years,
        p_under_18=shown.p_under_18,
        p_under_13=shown.p_under_13,
        raw=raw,
    )


def recalibrated(report: EvaluationReport, calibration: AgeCalibration) -> EvaluationReport:
    """The same images scored with a calibration applied to the raw predictions (no model run)."""
    results = [
        result_for(r.label, r.age_years, r.faces_found, r.raw, calibration) if r.raw is not None else r
        for r in report.results
    ]
    return summarise(results, report.ms_per_face, report.ms_per_image_detection, calibrated=True)


def summarise(
    results: Sequence[ImageResult],
    ms_per_face: float | None,
    ms_per_image_detection: float | None,
    calibrated: bool,
) -> EvaluationReport:
    ok = [r for r in results if r.status == "ok" and r.estimate_years is not None]
    true = np.array([r.age_years for r in ok], dtype=np.float64)
    est = np.array([r.estimate_years for r in ok], dtype=np.float64)
    err = est - true
    bands = []
    for name, lo, hi in BANDS:
        mask = (true >= lo) & (true < hi)
        n = int(mask.sum())
        bands.append(
            BandStats(name, n, float(np.abs(err[mask]).mean()) if n else None, float(err[mask].mean()) if n else None)
        )
    minors = true < ADULT_AGE_YEARS
    thresholds = tuple(
        ThresholdStats(
            challenge_age_years=c,
            minors=int(minors.sum()),
            minors_passed=int((est[minors] >= c).sum()),
            adults=int((~minors).sum()),
            adults_flagged=int((est[~minors] < c).sum()),
        )
        for c in CHALLENGE_AGES
    )
    return EvaluationReport(
        images=len(results),
        unreadable=sum(1 for r in results if r.status == "unreadable"),
        no_face=sum(1 for r in results if r.status == "no_face"),
        faces=len(ok),
        mae_years=float(np.abs(err).mean()) if ok else None,
        bias_years=float(err.mean()) if ok else None,
        bands=tuple(bands),
        thresholds=thresholds,
        ms_per_face=ms_per_face,
        ms_per_image_detection=ms_per_image_detection,
        calibrated=calibrated,
        results=tuple(results),
    )


def calibration_pairs(report: EvaluationReport) -> tuple[np.ndarray, np.ndarray]:
    """(raw estimate, labelled age) for every estimated face, to fit a calibration on."""
    ok = [r for r in report.results if r.raw is not None]
    return (
        np.array([r.raw.expected_years for r in ok if r.raw is not None], dtype=np.float64),
        np.array([r.age_years for r in ok], dtype=np.float64),
    )
