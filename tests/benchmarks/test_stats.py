"""Summary statistics used by every report."""

from __future__ import annotations

import pytest

from benchmarks.soak import growth_mb_per_min
from benchmarks.stats import over_budget, percentile, summarize


def test_percentile_interpolates_between_order_statistics() -> None:
    values = [10.0, 1.0, 4.0, 2.0, 3.0]  # sorted: 1 2 3 4 10
    assert percentile(values, 50) == 3.0
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 10.0
    assert percentile(values, 95) == pytest.approx(4.0 + 0.8 * 6.0)
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_summarize_and_frames_over_budget() -> None:
    s = summarize([5.0, 7.0, 40.0, 6.0])
    assert s == {"n": 4, "mean": 14.5, "median": 6.5, "p95": pytest.approx(35.05), "p99": pytest.approx(39.01),
                 "min": 5.0, "max": 40.0}
    assert summarize([]) == {"n": 0}
    assert over_budget([5.0, 16.7, 16.71, 40.0], 16.7) == 2


def test_memory_growth_is_the_least_squares_slope_per_minute() -> None:
    times = [0.0, 10.0, 20.0, 30.0]
    assert growth_mb_per_min(times, [100.0, 100.5, 101.0, 101.5]) == pytest.approx(3.0)
    assert growth_mb_per_min(times, [100.0, 100.0, 100.0, 100.0]) == 0.0
    assert growth_mb_per_min([1.0], [5.0]) == 0.0
