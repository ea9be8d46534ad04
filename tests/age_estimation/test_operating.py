"""The recommended challenge age is the one a brute-force search over the curve finds."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_eval import SOURCES, Source, dataset

from age_estimation.intervals import resample_counts, wilson_interval
from age_estimation.operating import recommend
from age_estimation.scores import ALL_MINORS, CURVE_AGES_YEARS, EvalArrays, ScoringOptions, score


def _upper_bound(arrays: EvalArrays, age: float, options: ScoringOptions) -> float:
    """The upper bound of minors passed at one age, one resample at a time (no shared machinery but the draws)."""
    true, est = arrays.true_years, arrays.estimate_years
    minors = (true < 18) & np.isfinite(est)
    passed = minors & (est >= age)
    counts = resample_counts(true.size, arrays.groups.get("source"), options.resamples, options.seed)
    shares = []
    for row in counts:
        drawn = np.repeat(np.arange(true.size), row.astype(int))
        if minors[drawn].any():
            shares.append(passed[drawn].sum() / minors[drawn].sum())
    upper = float(np.quantile(shares, 0.975))
    k, n = int(passed.sum()), int(minors.sum())
    if min(k, n - k) < 10:
        upper = max(upper, wilson_interval(k, n)[1])  # type: ignore[index]
    return upper


@pytest.mark.parametrize(("seed", "target"), [(0, 0.05), (1, 0.10), (2, 0.02)])
def test_recommendation_matches_a_brute_force_search(seed: int, target: float) -> None:
    bigger = tuple(Source(s.name, s.faces * 2, s.error_sd_years, s.bias_years) for s in SOURCES)
    arrays = dataset(np.random.default_rng(seed), bigger, gender=False)
    options = ScoringOptions(resamples=300, seed=seed)
    found = recommend(score(arrays, options), target)
    brute = next((age for age in CURVE_AGES_YEARS if _upper_bound(arrays, age, options) <= target), None)
    assert found.point is not None and brute is not None
    assert found.point.challenge_age_years == brute
    # Just below it, the target is not met.
    assert _upper_bound(arrays, brute - 0.5, options) > target


def test_no_recommendation_when_no_age_meets_the_target() -> None:
    arrays = EvalArrays(np.array([15.0, 16.0, 17.0, 30.0, 40.0]), np.array([45.0, 50.0, 44.0, 30.0, 41.0]))
    found = recommend(score(arrays, ScoringOptions(resamples=100)), 0.05)
    assert found.point is None and "even at challenge age 40" in found.reason
    assert found.to_dict()["challenge_age_years"] is None


def test_a_set_without_minors_recommends_nothing() -> None:
    arrays = EvalArrays(np.array([30.0, 40.0]), np.array([28.0, 41.0]))
    found = recommend(score(arrays, ScoringOptions(resamples=100)), 0.05)
    assert found.point is None and found.reason == "the set has no minor with an estimate"


def test_zero_minors_passed_on_a_small_set_does_not_meet_a_tight_target() -> None:
    # 20 minors, none passed at any age: Wilson's upper bound (16 %) still misses a 5 % target.
    true = np.concatenate([np.full(20, 15.0), np.full(20, 40.0)])
    est = np.concatenate([np.full(20, 10.0), np.full(20, 40.0)])
    scores = score(EvalArrays(true, est), ScoringOptions(resamples=100))
    assert scores.at(18.0).minors_passed[ALL_MINORS].count == 0
    assert recommend(scores, 0.05).point is None
    assert recommend(scores, 0.20).point.challenge_age_years == 18.0  # type: ignore[union-attr]
