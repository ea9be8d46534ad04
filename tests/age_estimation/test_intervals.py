"""Bootstrap and Wilson intervals: the resampling scheme, the vectorised ratios, and coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest
from synthetic_eval import SOURCES, dataset, draw

from age_estimation.intervals import FEW_EVENTS, Figure, ratio_figures, resample_counts, wilson_interval
from age_estimation.scores import ALL, ALL_MINORS, ScoringOptions, score


def test_wilson_interval() -> None:
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 5)  # type: ignore[misc]
    assert low == 0.0 and high == pytest.approx(0.4345, abs=1e-3)
    low, high = wilson_interval(5, 10)  # type: ignore[misc]
    assert low == pytest.approx(1 - high) and math.isclose(high, 0.7634, abs_tol=1e-3)


def test_resamples_keep_every_stratum_size_and_repeat_with_the_seed() -> None:
    strata = np.array(["a"] * 7 + ["b"] * 3 + ["c"] * 12)
    counts = resample_counts(strata.size, strata, resamples=500, seed=4)
    assert counts.shape == (500, 22)
    for name, size in (("a", 7), ("b", 3), ("c", 12)):
        assert np.all(counts[:, strata == name].sum(axis=1) == size)
    assert np.array_equal(counts, resample_counts(strata.size, strata, resamples=500, seed=4))
    assert not np.array_equal(counts, resample_counts(strata.size, strata, resamples=500, seed=5))
    # Uniform draws: each item is drawn once per resample on average.
    assert counts.mean(axis=0) == pytest.approx(np.ones(22), abs=0.15)


def test_ratio_figures_match_a_loop_over_the_resamples() -> None:
    rng = np.random.default_rng(0)
    n = 40
    values = np.stack([rng.normal(3.0, 2.0, n), (rng.random(n) < 0.3).astype(float)], axis=1)
    members = np.stack([rng.random(n) < 0.7, rng.random(n) < 0.5], axis=1)
    counts = resample_counts(n, None, resamples=300, seed=1)
    figures = ratio_figures(counts, values, members, np.array([False, True]))
    for k, figure in enumerate(figures):
        assert figure.n == members[:, k].sum()
        assert figure.value == pytest.approx(values[members[:, k], k].mean())
        per_resample = [np.repeat(values[:, k], row.astype(int))[np.repeat(members[:, k], row.astype(int))].mean() for row in counts]
        assert figure.bootstrap_ci95 == pytest.approx(tuple(np.quantile(per_resample, [0.025, 0.975])))
    assert figures[0].count is None and figures[0].wilson_ci95 is None
    share = figures[1]
    assert share.count == int(values[members[:, 1], 1].sum())
    assert share.wilson_ci95 == wilson_interval(share.count, share.n)  # type: ignore[arg-type]


def test_a_share_with_few_events_takes_wilsons_interval_too() -> None:
    none_passed = Figure(0.0, 60, 0, (0.0, 0.0), wilson_interval(0, 60))
    assert none_passed.few_events and none_passed.widened
    assert none_passed.ci95 == (0.0, pytest.approx(0.0602, abs=1e-3))  # 0 of 60 still allows ~6 %
    many = Figure(0.5, 200, 100, (0.44, 0.56), wilson_interval(100, 200))
    assert not many.few_events and many.ci95 == (0.44, 0.56)
    assert Figure(0.045, 200, FEW_EVENTS - 1, (0.02, 0.07), wilson_interval(FEW_EVENTS - 1, 200)).few_events
    assert not Figure(0.05, 200, FEW_EVENTS, (0.02, 0.08), wilson_interval(FEW_EVENTS, 200)).few_events
    assert Figure(0.96, 200, 200 - FEW_EVENTS + 1, (0.93, 0.99), None).few_events  # few on the other side


def _truth() -> dict[str, float]:
    """Each figure on a sample 4,000 times the design's size, with the design's mix of sources."""
    rng = np.random.default_rng(12345)
    parts = [draw(rng, s, s.faces * 4000) for s in SOURCES]
    true = np.concatenate([p[0] for p in parts])
    est = np.concatenate([p[1] for p in parts])
    found = np.isfinite(est)
    t, e = true[found], est[found]
    minor, late_teen = t < 18, (t >= 16) & (t < 18)
    return {
        "detection": found.mean(),
        "mae": np.abs(e - t).mean(),
        "bias 16-17": (e - t)[late_teen].mean(),
        "minors passed": (e[minor] >= 25).mean(),
        "16-17 passed": (e[late_teen] >= 25).mean(),
        "adults challenged": (e[~minor] < 25).mean(),
    }


def test_intervals_cover_the_truth_at_about_the_nominal_rate() -> None:
    truth = _truth()
    covered = {name: 0 for name in truth}
    runs = 200
    rng = np.random.default_rng(2024)
    for run in range(runs):
        scores = score(dataset(rng, gender=False), ScoringOptions(resamples=1000, seed=run))
        point = scores.at(25.0)
        figures = {
            "detection": scores.detection,
            "mae": scores.mae[ALL],
            "bias 16-17": scores.bias["16-17"],
            "minors passed": point.minors_passed[ALL_MINORS],
            "16-17 passed": point.minors_passed["16-17"],
            "adults challenged": point.adults_challenged,
        }
        for name, figure in figures.items():
            low, high = figure.ci95  # type: ignore[misc]
            covered[name] += low <= truth[name] <= high
    rates = {name: count / runs for name, count in covered.items()}
    assert all(0.90 <= rate <= 0.985 for rate in rates.values()), rates
