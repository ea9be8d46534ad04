"""Calibration figures are out-of-sample: a face's held-out estimate never depends on its own label."""

from __future__ import annotations

import numpy as np
import pytest

from age_estimation.calibration import CalibrationError, fit_calibration
from age_estimation.crossval import fold_ids, held_out_estimates


def test_folds_are_balanced_within_each_stratum() -> None:
    strata = np.array(["a"] * 23 + ["b"] * 11)
    ids = fold_ids(strata.size, strata, folds=5, seed=0)
    for name in ("a", "b"):
        sizes = np.bincount(ids[strata == name], minlength=5)
        assert sizes.max() - sizes.min() <= 1
    assert np.bincount(ids).max() - np.bincount(ids).min() <= 1
    assert np.array_equal(ids, fold_ids(strata.size, strata, folds=5, seed=0))


def test_a_faces_held_out_estimate_ignores_its_own_label() -> None:
    rng = np.random.default_rng(0)
    raw = rng.uniform(5, 70, 100)
    true = raw - 4 + rng.normal(0, 3, 100)
    base = held_out_estimates(raw, true, folds=5, seed=1)
    ids = fold_ids(100, None, 5, 1)
    for face in (0, 17, 63):
        changed = true.copy()
        changed[face] += 40.0
        again = held_out_estimates(raw, changed, folds=5, seed=1)
        assert again[face] == base[face]  # its own label is never used for it
        same_fold = ids == ids[face]
        assert np.array_equal(again[same_fold], base[same_fold])  # nor for its fold
        assert not np.array_equal(again[~same_fold], base[~same_fold])  # but it is for the others
        train = ids != ids[face]
        assert base[face] == pytest.approx(fit_calibration(raw[train], true[train]).map_years(raw[face]))


def test_held_out_figures_are_not_the_optimistic_in_sample_ones() -> None:
    # 100 faces, a model 4 years high with 6 years of noise: the map fitted on all of them
    # scores better on them than maps that never saw the face, every time.
    gaps = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        true = rng.uniform(8, 60, 100)
        raw = true + 4 + rng.normal(0, 6, 100)
        cal = fit_calibration(raw, true)
        in_sample = np.abs(np.interp(raw, cal.raw_years, cal.calibrated_years) - true).mean()
        held_out = np.abs(held_out_estimates(raw, true, seed=seed) - true).mean()
        gaps.append(held_out - in_sample)
    assert min(gaps) > 0 and np.mean(gaps) > 0.2


def test_faces_without_an_estimate_stay_without() -> None:
    raw = np.array([10.0, np.nan, 20, 30, 40, 50, 60, 15, 25, 35, 45, 55])
    out = held_out_estimates(raw, raw + 1.0, folds=5)
    assert np.isnan(out[1]) and np.isfinite(np.delete(out, 1)).all()


def test_too_few_faces_for_the_folds() -> None:
    with pytest.raises(CalibrationError, match="expected at least 10 faces with an estimate for 5 folds, found 4"):
        held_out_estimates(np.array([1.0, 2, 3, 4]), np.array([1.0, 2, 3, 4]))
