"""Scoring from plain arrays: every figure against a direct computation, groups, the unrounded threshold."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_eval import dataset

from age_estimation.scores import (
    ALL,
    ALL_MINORS,
    CURVE_AGES_YEARS,
    MAX_GROUP_VALUES,
    EvalArrays,
    ScoringError,
    ScoringOptions,
    score,
)


def test_figures_agree_with_a_direct_computation() -> None:
    arrays = dataset(np.random.default_rng(1))
    scores = score(arrays, ScoringOptions(resamples=200, seed=3, challenge_age_years=24.3))
    true, est = arrays.true_years, arrays.estimate_years
    found = np.isfinite(est)
    assert scores.images == true.size and scores.faces == found.sum()
    assert scores.detection.value == pytest.approx(found.mean()) and scores.detection.n == true.size
    t, e = true[found], est[found]
    assert scores.mae[ALL].value == pytest.approx(np.abs(e - t).mean())
    band = (t >= 16) & (t < 18)
    assert scores.bias["16-17"].value == pytest.approx((e - t)[band].mean())
    assert scores.bias["16-17"].n == band.sum()
    # The curve: every half year from 18 to 40, plus the current setting, in order.
    ages = [p.challenge_age_years for p in scores.curve]
    assert ages == sorted(set(CURVE_AGES_YEARS) | {24.3})
    point = scores.current
    assert point.challenge_age_years == 24.3
    minors = t < 18
    assert point.minors_passed[ALL_MINORS].count == (e[minors] >= 24.3).sum()
    assert point.minors_passed["13-15"].n == ((t >= 13) & (t < 16)).sum()
    assert point.adults_challenged.count == (e[~minors] < 24.3).sum()
    for figure in (scores.mae[ALL], scores.bias["16-17"], point.minors_passed[ALL_MINORS]):
        low, high = figure.ci95  # type: ignore[misc]
        assert low <= figure.value <= high  # type: ignore[operator]
    # Minors passed never rises, adults challenged never falls, as the challenge age goes up.
    passed = [p.minors_passed[ALL_MINORS].value for p in scores.curve]
    challenged = [p.adults_challenged.value for p in scores.curve]
    assert passed == sorted(passed, reverse=True) and challenged == sorted(challenged)


def test_per_group_figures_are_the_groups_own() -> None:
    arrays = dataset(np.random.default_rng(2))
    scores = score(arrays, ScoringOptions(resamples=200))
    assert [(g.column, g.value) for g in scores.groups] == [
        ("source", "alpha"), ("source", "beta"), ("source", "gamma"), ("gender", "female"), ("gender", "male")
    ]
    for g in scores.groups:
        member = arrays.groups[g.column] == g.value
        t, e = arrays.true_years[member], arrays.estimate_years[member]
        ok = np.isfinite(e)
        assert g.detection.n == member.sum() and g.detection.count == ok.sum()
        assert g.mae.value == pytest.approx(np.abs(e[ok] - t[ok]).mean())
        assert g.minors_passed.count == ((t < 18) & (e >= 25)).sum()
        assert g.adults_challenged.n == ((t >= 18) & ok).sum()
        others = ~member & np.isfinite(arrays.estimate_years)
        assert g.mae_without_years == pytest.approx(np.abs(arrays.estimate_years[others] - arrays.true_years[others]).mean())
    # The noisier source is visibly worse: its interval does not overlap the better one's.
    alpha, beta = scores.groups[0].mae.ci95, scores.groups[1].mae.ci95
    assert alpha[1] < beta[0]  # type: ignore[index]


def test_the_unrounded_estimate_is_compared_with_the_challenge_age() -> None:
    # 24.983 prints as 25.0 but is below 25: possibly under 18, so a minor there is not passed.
    arrays = EvalArrays(np.array([16.0, 16.0, 30.0, 30.0]), np.array([24.983, 25.0, 24.9999, 25.0001]))
    point = score(arrays, ScoringOptions(resamples=100)).at(25.0)
    assert point.minors_passed[ALL_MINORS].count == 1  # only the 25.0
    assert point.adults_challenged.count == 1  # only the 24.9999


def test_a_column_with_too_many_values_is_skipped_not_tabled() -> None:
    rng = np.random.default_rng(3)
    n = 60
    arrays = EvalArrays(rng.uniform(5, 60, n), rng.uniform(5, 60, n), {"person": np.array([f"p{i}" for i in range(n)])})
    scores = score(arrays, ScoringOptions(resamples=100))
    assert scores.groups == () and scores.skipped_columns == (("person", n),)
    assert n > MAX_GROUP_VALUES


def test_same_seed_same_intervals_other_seed_other_intervals() -> None:
    arrays = dataset(np.random.default_rng(4))
    a = score(arrays, ScoringOptions(resamples=300, seed=9))
    b = score(arrays, ScoringOptions(resamples=300, seed=9))
    c = score(arrays, ScoringOptions(resamples=300, seed=10))
    assert a.to_dict() == b.to_dict()
    assert a.mae[ALL].bootstrap_ci95 != c.mae[ALL].bootstrap_ci95
    assert a.mae[ALL].value == c.mae[ALL].value


def test_an_empty_band_has_no_figures() -> None:
    arrays = EvalArrays(np.array([30.0, 40.0, 50.0]), np.array([31.0, np.nan, 47.0]))
    scores = score(arrays, ScoringOptions(resamples=100))
    assert scores.mae["0-12"].value is None and scores.mae["0-12"].n == 0 and scores.mae["0-12"].ci95 is None
    assert scores.current.minors_passed[ALL_MINORS].value is None
    assert scores.faces == 2 and scores.detection.value == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: EvalArrays(np.zeros(3), np.zeros(4)), "expected 1-D true_years and estimate_years of one length"),
        (lambda: EvalArrays(np.array([1.0, np.nan]), np.zeros(2)), "true_years: expected finite ages"),
        (lambda: EvalArrays(np.zeros(2), np.zeros(2), {"g": np.array(["a"])}), r"groups\['g'\]: expected shape"),
        (lambda: EvalArrays(np.zeros(2), np.zeros(2), {}, "source"), "strata_column: 'source' is not one of the group columns"),
        (lambda: ScoringOptions(resamples=50), "resamples: expected at least 100"),
        (lambda: ScoringOptions(challenge_age_years=17.0), "challenge_age_years: expected 18 to 40"),
    ],
)
def test_bad_arrays_and_options_are_refused(make: object, message: str) -> None:
    with pytest.raises(ScoringError, match=message):
        make()  # type: ignore[operator]
