"""The optional monotone calibration map: isotonic fit, piecewise-linear use, JSON round trip."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from age_faces import peaked

from age_estimation.calibration import (
    SCHEMA,
    AgeCalibration,
    CalibrationError,
    fit_calibration,
    isotonic_fit,
)
from age_estimation.prediction import CLASS_AGES_YEARS


def _brute_force_isotonic(y: np.ndarray) -> np.ndarray:
    """Least-squares non-decreasing fit over a coarse grid of candidate values (small n only)."""
    grid = np.unique(np.round(np.concatenate([y, [np.mean(y[i:j]) for i in range(len(y)) for j in range(i + 1, len(y) + 1)]]), 6))
    best, best_cost = None, np.inf
    for combo in itertools.combinations_with_replacement(grid, len(y)):
        cost = float(np.sum((np.array(combo) - y) ** 2))
        if cost < best_cost:
            best, best_cost = np.array(combo), cost
    assert best is not None
    return best


def test_pool_adjacent_violators_on_a_small_example() -> None:
    xs, ys, counts = isotonic_fit(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 3.0, 2.0, 5.0]))
    assert xs.tolist() == [1.0, 2.5, 4.0]
    assert ys.tolist() == [1.0, 2.5, 5.0]
    assert counts.tolist() == [1, 2, 1]


@pytest.mark.parametrize("seed", range(5))
def test_isotonic_fit_is_the_least_squares_monotone_fit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.permutation(5).astype(float)  # unsorted input
    y = np.round(rng.uniform(0, 10, size=5), 1)
    _, ys, counts = isotonic_fit(x, y)
    fitted = np.repeat(ys, counts)  # the fit at the data points, in order of x
    y = y[np.argsort(x)]
    assert np.all(np.diff(fitted) >= -1e-12)
    assert np.sum((fitted - y) ** 2) == pytest.approx(np.sum((_brute_force_isotonic(y) - y) ** 2), abs=1e-9)


def test_ties_in_the_raw_estimates_are_pooled() -> None:
    xs, ys, _ = isotonic_fit(np.array([5.0, 5.0, 9.0]), np.array([2.0, 4.0, 10.0]))
    assert xs.tolist() == [5.0, 9.0] and ys.tolist() == [3.0, 10.0]


def test_a_monotone_relation_is_recovered() -> None:
    raw = np.array([10.0, 20.0, 25.0, 30.0, 50.0])
    cal = fit_calibration(raw, raw - 5.0)
    assert cal.map_years(22.5) == pytest.approx(17.5)
    assert cal.map_years(0.0) == pytest.approx(5.0)  # flat beyond the fitted range
    assert cal.map_years(80.0) == pytest.approx(45.0)
    assert cal.raw_threshold(18.0) == pytest.approx(23.0)
    assert cal.raw_threshold(4.0) == -np.inf and cal.raw_threshold(46.0) == np.inf


def test_identity_map_changes_nothing_but_the_flag() -> None:
    cal = AgeCalibration((0.0, 80.0), (0.0, 80.0), samples=2)
    raw = peaked(17.0, sigma_years=3.0)
    out = cal.apply(raw)
    assert out.calibrated and not raw.calibrated
    assert out.expected_years == pytest.approx(raw.expected_years)
    assert out.p_under_18 == pytest.approx(raw.p_under_18)
    assert out.p_under_13 == pytest.approx(raw.p_under_13)
    with pytest.raises(CalibrationError, match="already calibrated"):
        cal.apply(out)


def test_correcting_an_over_estimate_moves_the_probabilities_with_it() -> None:
    # A model that says 22 for 16-year-olds: map raw 22 -> 16 (a shift of 6 years).
    cal = AgeCalibration((0.0, 86.0), (-6.0, 80.0), samples=100)
    raw = peaked(22.0, sigma_years=3.0)
    out = cal.apply(raw)
    assert out.expected_years == pytest.approx(raw.expected_years - 6.0)
    # P(calibrated age < 18) is the raw mass below 24.
    assert out.p_under_18 == pytest.approx(float(raw.probabilities[CLASS_AGES_YEARS < 24.0].sum()))
    assert out.p_under_18 > raw.p_under_18 + 0.3
    assert out.low_years == pytest.approx(raw.low_years - 6.0) and out.high_years == pytest.approx(raw.high_years - 6.0)


def test_json_round_trip(tmp_path: Path) -> None:
    cal = fit_calibration(np.array([8.0, 14.0, 21.0, 35.0, 60.0]), np.array([6.0, 12.0, 15.0, 33.0, 58.0]))
    path = tmp_path / "cal.json"
    cal.save(path)
    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA and data["schema_version"] == 1 and data["samples"] == 5
    assert AgeCalibration.load(path) == cal


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", r"cal.json: not valid JSON \(line 1"),
        ("[]", "cal.json: expected a JSON object, found list"),
        ('{"schema": "other"}', "cal.json: field 'schema': expected 'safelens.age-calibration', found 'other'"),
        (f'{{"schema": "{SCHEMA}", "schema_version": 2}}', "cal.json: field 'schema_version': expected 1, found 2"),
        (
            f'{{"schema": "{SCHEMA}", "schema_version": 1, "samples": 3, "raw_years": [1, 2], "calibrated_years": [5, 4]}}',
            "cal.json: field 'calibrated_years': expected non-decreasing values",
        ),
        (
            f'{{"schema": "{SCHEMA}", "schema_version": 1, "samples": 3, "raw_years": [2, 1], "calibrated_years": [4, 5]}}',
            "cal.json: field 'raw_years': expected strictly increasing values",
        ),
        (
            f'{{"schema": "{SCHEMA}", "schema_version": 1, "samples": 3, "raw_years": ["a"], "calibrated_years": [4]}}',
            "cal.json: field 'raw_years': expected a list of numbers",
        ),
    ],
)
def test_bad_files_are_refused_with_file_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cal.json"
    path.write_text(content)
    with pytest.raises(CalibrationError, match=message):
        AgeCalibration.load(path)


def test_missing_file_and_too_little_data(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="nope.json: cannot read the calibration"):
        AgeCalibration.load(tmp_path / "nope.json")
    with pytest.raises(CalibrationError, match="expected at least 2 faces with different estimates, found 1 faces"):
        fit_calibration(np.array([20.0]), np.array([18.0]))
