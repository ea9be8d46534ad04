"""Per-track temporal aggregation: robust to one bad frame, fresh per track, forgetful."""

from __future__ import annotations

import numpy as np
import pytest
from age_faces import peaked

from age_estimation.aggregate import AgeAggregator, AggregateError, AggregatorOptions, trimmed_mean


def test_estimate_is_the_median_and_spread_the_iqr() -> None:
    agg = AgeAggregator(AggregatorOptions(window_ms=10_000))
    ages = [30.0, 32.0, 28.0, 31.0, 29.0]
    for i, age in enumerate(ages):
        signal = agg.add(7, i * 300, peaked(age))
    expected = [peaked(a).expected_years for a in ages]
    assert signal.estimate_years == pytest.approx(np.median(expected))
    q25, q75 = np.percentile(expected, [25, 75])
    assert signal.spread_years == pytest.approx(q75 - q25)
    assert signal.samples == 5 and signal.steady and signal.track_id == 7
    assert signal.last_timestamp_ms == 1200


def test_one_outlier_frame_does_not_flip_the_estimate() -> None:
    agg = AgeAggregator()
    for i in range(4):
        agg.add(1, i * 300, peaked(30.0))
    before = agg.signal(1)
    assert before is not None and not before.possibly_under(25)
    # One frame where the model sees a child (motion blur, odd light, ...).
    after = agg.add(1, 1200, peaked(8.0, sigma_years=1.0))
    assert after.estimate_years == pytest.approx(before.estimate_years, abs=0.01)
    assert not after.possibly_under(25)
    assert after.p_under_18 < 0.05  # trimmed: the outlier's P(<18) ~ 1 is left out
    assert after.p_under_13 < 0.05


def test_a_sustained_change_does_move_the_estimate() -> None:
    agg = AgeAggregator()
    for i in range(5):
        agg.add(1, i * 300, peaked(30.0))
    for i in range(5, 10):
        signal = agg.add(1, i * 300, peaked(12.0))
    assert signal.estimate_years == pytest.approx(peaked(12.0).expected_years, abs=0.01)
    assert signal.possibly_under(25) and signal.p_under_18 > 0.9


def test_window_keeps_only_recent_samples() -> None:
    agg = AgeAggregator(AggregatorOptions(window_ms=1500))
    for i in range(10):
        signal = agg.add(3, i * 300, peaked(40.0))
    # Samples at 1500..2700 ms: the one at exactly now - window (1200 ms) is dropped.
    assert signal.samples == 5


def test_steadies_within_a_second_at_a_300_ms_cadence() -> None:
    agg = AgeAggregator()
    steady = [agg.add(1, t, peaked(35.0)).steady for t in (0, 300, 600, 900)]
    assert steady == [False, False, True, True]


def test_new_track_starts_fresh() -> None:
    agg = AgeAggregator()
    for i in range(5):
        agg.add(1, i * 300, peaked(45.0))
    fresh = agg.add(2, 1500, peaked(10.0))
    assert fresh.samples == 1 and not fresh.steady
    assert fresh.estimate_years == pytest.approx(peaked(10.0).expected_years)
    old = agg.signal(1)
    assert old is not None and old.samples == 5  # the other track is untouched


def test_tracks_not_seen_are_forgotten() -> None:
    agg = AgeAggregator(AggregatorOptions(forget_after_ms=3000))
    agg.add(1, 0, peaked(45.0))
    agg.add(2, 2000, peaked(20.0))
    assert agg.forget_stale(2999) == []
    assert agg.forget_stale(3000) == [1]
    assert agg.signal(1) is None and agg.track_ids == (2,)
    # The id coming back later is a new track with no history.
    again = agg.add(1, 3100, peaked(60.0))
    assert again.samples == 1


def test_time_going_backwards_is_refused() -> None:
    agg = AgeAggregator()
    agg.add(1, 1000, peaked(30.0))
    with pytest.raises(AggregateError, match="track 1: timestamp_ms 900 is earlier than its last sample at 1000"):
        agg.add(1, 900, peaked(30.0))


def test_bad_options_are_refused() -> None:
    with pytest.raises(AggregateError, match="AggregatorOptions.window_ms: expected an int >= 1, found 0"):
        AggregatorOptions(window_ms=0)


def test_possibly_under_is_the_challenge_rule() -> None:
    agg = AgeAggregator()
    signal = agg.add(1, 0, peaked(22.0))
    assert signal.possibly_under(25) and signal.possibly_under(23)
    assert not signal.possibly_under(18) and not signal.possibly_under(21)
    with pytest.raises(AggregateError, match="challenge_age_years: expected a number, found '25'"):
        signal.possibly_under("25")  # type: ignore[arg-type]


def test_trimmed_mean() -> None:
    assert trimmed_mean(np.array([0.5])) == 0.5
    assert trimmed_mean(np.array([0.0, 1.0])) == 0.5
    assert trimmed_mean(np.array([0.0, 0.1, 1.0])) == pytest.approx(0.1)
    assert trimmed_mean(np.array([0.0, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 1.0])) == pytest.approx(0.2)
