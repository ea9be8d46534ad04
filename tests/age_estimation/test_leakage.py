"""The training-data check: a group of near-exact estimates is named; ordinary errors are not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from synthetic_eval import SOURCES, Source, dataset

from age_estimation.leakage import CHANCE_IN_WINDOW, binomial_upper_tail, leakage_check
from age_estimation.report_groups import leakage_warnings
from age_estimation.scores import ScoringOptions, score

LEAKED = (*SOURCES, Source("delta", 150, 4.0, leaked=0.25))


@pytest.mark.parametrize(("k", "n", "p"), [(0, 10, 0.3), (3, 10, 0.3), (10, 10, 0.3), (11, 10, 0.3), (5, 40, 1 / 11)])
def test_binomial_tail_is_the_sum_of_the_probabilities(k: int, n: int, p: float) -> None:
    expected = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))
    assert binomial_upper_tail(k, n, p) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_errors_spread_over_years_are_not_suspicious() -> None:
    rng = np.random.default_rng(0)
    for seed_sd in (2.0, 5.0, 9.0):  # even a good model (sd 2 years) stays near chance
        true = rng.integers(3, 76, 2000).astype(float)
        check = leakage_check(true, true + rng.normal(0.0, seed_sd, true.size))
        assert not check.suspicious
        assert check.near <= 3 * check.expected_near + 5
    assert CHANCE_IN_WINDOW == pytest.approx(1 / 11)


def test_a_planted_group_of_near_exact_estimates_is_named() -> None:
    scores = score(dataset(np.random.default_rng(5), LEAKED), ScoringOptions(resamples=200))
    flagged = [(g.column, g.value) for g in scores.groups if g.flagged]
    assert flagged == [("source", "delta")]  # not the genders that happen to hold its faces
    delta = next(g for g in scores.groups if g.value == "delta")
    assert delta.leakage.near >= 25 and delta.leakage.near > 5 * delta.leakage.expected_near
    genders = [g for g in scores.groups if g.column == "gender"]
    assert any(g.leakage.suspicious for g in genders)  # on their own they look suspicious ...
    warnings = "\n".join(leakage_warnings(scores))
    assert warnings.startswith("WARNING: source 'delta': ")  # ... but the warning names the source
    assert "gender" not in warnings
    assert "on the other faces" in warnings and "Evaluate without them" in warnings


def test_without_a_source_column_the_whole_set_is_warned_about() -> None:
    arrays = dataset(np.random.default_rng(6), LEAKED, gender=False)
    plain = type(arrays)(arrays.true_years, arrays.estimate_years)
    scores = score(plain, ScoringOptions(resamples=200))
    assert scores.groups == () and scores.leakage.suspicious
    assert "A 'source' column in the labels would show" in "\n".join(leakage_warnings(scores))


def test_a_clean_set_warns_about_nothing() -> None:
    scores = score(dataset(np.random.default_rng(7)), ScoringOptions(resamples=200))
    assert not scores.leakage.suspicious and not any(g.flagged for g in scores.groups)
    assert leakage_warnings(scores) == []
