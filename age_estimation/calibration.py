"""An optional monotone calibration map from the model's raw estimate to a corrected age.

The operator fits it on a labelled set of their own (``safelens age eval ...
--fit-calibration OUT.json``); the estimator applies it only when configured. The map
is an isotonic (non-decreasing) regression of true age on raw estimate, fitted with
the pool-adjacent-violators algorithm, and used as a piecewise-linear function through
the fitted block means, flat beyond the fitted range.

Applying it to a prediction maps the point estimate and the range quantiles through
the map (quantiles commute with a monotone map), and turns "P(age < 18)" into the
model's probability mass below the raw age that the map sends to 18, so the
probabilities describe the same corrected scale as the estimate.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from age_estimation.prediction import CLASS_AGES_YEARS, AgePrediction

SCHEMA = "safelens.age-calibration"
SCHEMA_VERSION = 1


class CalibrationError(ValueError):
    """A calibration cannot be fitted, read or applied (the message names file and field)."""


@dataclass(frozen=True, slots=True)
class AgeCalibration:
    """Knots of the piecewise-linear map: ``raw_years`` strictly increasing, ``calibrated_years`` non-decreasing."""

    raw_years: tuple[float, ...]
    calibrated_years: tuple[float, ...]
    samples: int

    def __post_init__(self) -> None:
        _check_knots(self.raw_years, self.calibrated_years, "AgeCalibration")
        if not isinstance(self.samples, int) or isinstance(self.samples, bool) or self.samples < 1:
            raise CalibrationError(f"AgeCalibration.samples: expected an int >= 1, found {self.samples!r}")

    def map_years(self, raw_years: float) -> float:
        """The calibrated age for a raw estimate."""
        return float(np.interp(raw_years, self.raw_years, self.calibrated_years))

    def raw_threshold(self, calibrated_years: float) -> float:
        """The smallest raw age the map sends to ``calibrated_years`` or above (-inf / +inf when none / all)."""
        xs = np.asarray(self.raw_years)
        ys = np.asarray(self.calibrated_years)
        if calibrated_years <= ys[0]:
            return -math.inf
        if calibrated_years > ys[-1]:
            return math.inf
        # First knot at or above the target; the crossing lies on the segment before it.
        k = int(np.searchsorted(ys, calibrated_years, side="left"))
        y0, y1 = float(ys[k - 1]), float(ys[k])
        x0, x1 = float(xs[k - 1]), float(xs[k])
        return x0 + (calibrated_years - y0) / (y1 - y0) * (x1 - x0)

    def apply(self, prediction: AgePrediction) -> AgePrediction:
        """The prediction on the calibrated scale (its ``probabilities`` stay the model's raw distribution)."""
        if prediction.calibrated:
            raise CalibrationError("AgeCalibration.apply: the prediction is already calibrated")
        p = prediction.probabilities
        return dataclasses.replace(
            prediction,
            expected_years=self.map_years(prediction.expected_years),
            low_years=self.map_years(prediction.low_years),
            high_years=self.map_years(prediction.high_years),
            mode_years=self.map_years(prediction.mode_years),
            p_under_18=float(p[CLASS_AGES_YEARS < self.raw_threshold(18.0)].sum()),
            p_under_13=float(p[CLASS_AGES_YEARS < self.raw_threshold(13.0)].sum()),
            calibrated=True,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema": SCHEMA,
                "schema_version": SCHEMA_VERSION,
                "samples": self.samples,
                "raw_years": list(self.raw_years),
                "calibrated_years": list(self.calibrated_years),
            },
            indent=2,
        )

    def save(self, path: Path) -> None:
        try:
            path.write_text(self.to_json() + "\n", encoding="utf-8")
        except OSError as exc:
            raise CalibrationError(f"{path}: cannot write the calibration ({exc.strerror})") from exc

    @classmethod
    def load(cls, path: Path) -> AgeCalibration:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CalibrationError(f"{path}: cannot read the calibration ({exc.strerror})") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CalibrationError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        if not isinstance(data, dict):
            raise CalibrationError(f"{path}: expected a JSON object, found {type(data).__name__}")
        if data.get("schema") != SCHEMA:
            raise CalibrationError(f"{path}: field 'schema': expected {SCHEMA!r}, found {data.get('schema')!r}")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise CalibrationError(
                f"{path}: field 'schema_version': expected {SCHEMA_VERSION}, found {data.get('schema_version')!r}"
            )
        for name in ("raw_years", "calibrated_years"):
            values = data.get(name)
            if not isinstance(values, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
            ):
                raise CalibrationError(f"{path}: field {name!r}: expected a list of numbers, found {values!r:.80}")
        samples = data.get("samples")
        if not isinstance(samples, int) or isinstance(samples, bool) or samples < 1:
            raise CalibrationError(f"{path}: field 'samples': expected an int >= 1, found {samples!r}")
        raw = tuple(float(v) for v in data["raw_years"])
        calibrated = tuple(float(v) for v in data["calibrated_years"])
        _check_knots(raw, calibrated, str(path))
        return cls(raw, calibrated, samples)


def _check_knots(raw: tuple[float, ...], calibrated: tuple[float, ...], where: str) -> None:
    if len(raw) != len(calibrated) or len(raw) < 1:
        raise CalibrationError(
            f"{where}: expected raw_years and calibrated_years of one length >= 1, found {len(raw)} and {len(calibrated)}"
        )
    if not all(math.isfinite(v) for v in raw + calibrated):
        raise CalibrationError(f"{where}: expected finite ages, found NaN or inf")
    if any(b <= a for a, b in zip(raw, raw[1:])):
        raise CalibrationError(f"{where}: field 'raw_years': expected strictly increasing values")
    if any(b < a for a, b in zip(calibrated, calibrated[1:])):
        raise CalibrationError(f"{where}: field 'calibrated_years': expected non-decreasing values (a monotone map)")


def isotonic_fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The least-squares non-decreasing fit of y on x as blocks: (mean x, mean y, points) per block.

    Equal x values are pooled first; then adjacent blocks whose means decrease are
    merged (pool adjacent violators). The fit is constant (the block's mean y) over the
    points of a block, in order of x; each block becomes one knot of the calibration map
    at its mean x, so mean x is strictly increasing and mean y too.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    unique_x, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.zeros(unique_x.size)
    np.add.at(sums, inverse, y)
    # Blocks as parallel stacks: weight, sum of x*w, sum of y*w.
    weights: list[float] = []
    x_sums: list[float] = []
    y_sums: list[float] = []
    for ux, w, s in zip(unique_x, counts.astype(np.float64), sums):
        weights.append(float(w))
        x_sums.append(float(ux) * float(w))
        y_sums.append(float(s))
        while len(weights) > 1 and y_sums[-2] / weights[-2] >= y_sums[-1] / weights[-1]:
            w_last, xs_last, ys_last = weights.pop(), x_sums.pop(), y_sums.pop()
            weights[-1] += w_last
            x_sums[-1] += xs_last
            y_sums[-1] += ys_last
    w_arr = np.array(weights)
    return np.array(x_sums) / w_arr, np.array(y_sums) / w_arr, w_arr.astype(np.int64)


def fit_calibration(raw_years: np.ndarray, true_years: np.ndarray) -> AgeCalibration:
    """Fit the monotone map on pairs of (raw model estimate, labelled age)."""
    raw = np.asarray(raw_years, dtype=np.float64)
    true = np.asarray(true_years, dtype=np.float64)
    if raw.ndim != 1 or raw.shape != true.shape:
        raise CalibrationError(f"fit_calibration: expected two 1-D arrays of one length, found {raw.shape} and {true.shape}")
    if raw.size < 2 or np.unique(raw).size < 2:
        raise CalibrationError(f"fit_calibration: expected at least 2 faces with different estimates, found {raw.size} faces")
    if not (np.all(np.isfinite(raw)) and np.all(np.isfinite(true))):
        raise CalibrationError("fit_calibration: expected finite ages, found NaN or inf")
    xs, ys, _ = isotonic_fit(raw, true)
    return AgeCalibration(tuple(float(v) for v in xs), tuple(float(v) for v in ys), int(raw.size))
