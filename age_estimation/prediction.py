"""What the age model says about one face chip: the 81-class distribution and its summary.

Kept apart from ``model.py`` so that aggregation, calibration, evaluation and test
doubles can build and read predictions without loading onnxruntime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

# The age of each of the model's 81 classes, in years: 0.25 (a baby), then 1 .. 80.
CLASS_AGES_YEARS = np.concatenate([[0.25], np.arange(1, 81, dtype=np.float64)])
CLASS_AGES_YEARS.flags.writeable = False
N_CLASSES = 81

# Quantiles of the class distribution reported with every prediction.
RANGE_QUANTILES = (0.1, 0.9)
# The model's distribution is often much narrower than its real error (its mean absolute
# error is about 6 years on 1,056 labelled faces), so a reported range never spans less
# than this many years on either side of the estimate.
MIN_HALF_RANGE_YEARS = 5.0


class PredictionError(ValueError):
    """A probability vector that is not a distribution over the 81 age classes."""


def _mass_below(probabilities: np.ndarray, age_years: float) -> float:
    """Probability that the age is below ``age_years`` (classes whose age is < the limit)."""
    return float(probabilities[CLASS_AGES_YEARS < age_years].sum())


def _quantile(cdf: np.ndarray, q: float) -> float:
    """The class age where the cumulative distribution first reaches ``q``."""
    index = int(np.searchsorted(cdf, q - 1e-9, side="left"))
    return float(CLASS_AGES_YEARS[min(index, N_CLASSES - 1)])


@dataclass(frozen=True, slots=True)
class AgePrediction:
    """One face, one frame. Ages in years; probabilities in [0, 1].

    ``expected_years`` is the expectation over the classes (the point estimate);
    ``low_years``/``high_years`` are the 10th and 90th percentiles of the class
    distribution, widened to at least ``MIN_HALF_RANGE_YEARS`` either side of the
    estimate (not below 0); ``probabilities`` is the read-only (81,) distribution itself.
    ``calibrated`` says whether a calibration map was applied.
    """

    expected_years: float
    low_years: float
    high_years: float
    mode_years: float
    p_under_18: float
    p_under_13: float
    probabilities: np.ndarray
    calibrated: bool = False


def prediction_from_probabilities(probabilities: np.ndarray) -> AgePrediction:
    """Summarise one (81,) distribution from the model."""
    p = np.asarray(probabilities)
    if p.shape != (N_CLASSES,):
        raise PredictionError(f"probabilities: expected shape ({N_CLASSES},), found {p.shape}")
    if not np.issubdtype(p.dtype, np.floating) or not np.all(np.isfinite(p)):
        raise PredictionError(f"probabilities: expected finite floats, found dtype {p.dtype}")
    p = p.astype(np.float64)
    total = float(p.sum())
    if np.any(p < -1e-6) or abs(total - 1.0) > 1e-3:
        raise PredictionError(f"probabilities: expected non-negative values summing to 1, found sum {total:.6f}")
    p = np.clip(p, 0.0, None) / max(total, 1e-12)
    p.flags.writeable = False
    cdf = np.cumsum(p)
    expected = float(p @ CLASS_AGES_YEARS)
    return AgePrediction(
        expected_years=expected,
        low_years=max(0.0, min(_quantile(cdf, RANGE_QUANTILES[0]), expected - MIN_HALF_RANGE_YEARS)),
        high_years=max(_quantile(cdf, RANGE_QUANTILES[1]), expected + MIN_HALF_RANGE_YEARS),
        mode_years=float(CLASS_AGES_YEARS[int(np.argmax(p))]),
        p_under_18=_mass_below(p, 18.0),
        p_under_13=_mass_below(p, 13.0),
        probabilities=p,
    )


class AgePredictor(Protocol):
    """Anything that turns a batch of (N, 64, 64, 3) uint8 RGB chips into N predictions."""

    def predict(self, chips: np.ndarray) -> list[AgePrediction]: ...
