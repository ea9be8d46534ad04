"""Per-track temporal aggregation of per-frame age predictions.

Each track keeps only the predictions of the last ``window_ms`` (privacy: nothing
older is held), and a track not seen for ``forget_after_ms`` is dropped entirely. The
aggregate is robust to a single bad frame:

- the estimate is the median of the per-frame expectations,
- the spread is their interquartile range (how much the estimate moves between frames),
- the range (low, high) is the median of the per-frame 10th / 90th percentiles of the
  model's class distribution (how unsure the model is on a typical frame),
- P(age < 18) and P(age < 13) are trimmed means of the per-frame probability masses
  (with 3 or more samples the highest and lowest values, at least 20 % from each end,
  are left out).

With a cadence of ~300 ms the default window holds ~5 samples; a signal is ``steady``
once it has ``steady_samples`` of them (about one second after the face appears).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from age_estimation.prediction import AgePrediction


class AggregateError(ValueError):
    """Options out of range, or samples that go back in time for a track."""


@dataclass(frozen=True, slots=True)
class AggregatorOptions:
    window_ms: int = 1500
    forget_after_ms: int = 3000
    steady_samples: int = 3

    def __post_init__(self) -> None:
        for name in ("window_ms", "forget_after_ms", "steady_samples"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise AggregateError(f"AggregatorOptions.{name}: expected an int >= 1, found {value!r}")


@dataclass(frozen=True, slots=True)
class AgeSignal:
    """The aggregated age of one tracked face. Ages in years, probabilities in [0, 1]."""

    track_id: int
    estimate_years: float
    low_years: float
    high_years: float
    spread_years: float
    samples: int
    p_under_18: float
    p_under_13: float
    last_timestamp_ms: int
    steady: bool
    calibrated: bool

    def possibly_under(self, challenge_age_years: float) -> bool:
        """Whether the face should be treated as possibly under 18 at this challenge age.

        The rule of a "challenge 25" policy: an estimate below the challenge age (which
        sits above 18 to absorb the model's error) means the person may be a minor.
        """
        if not isinstance(challenge_age_years, (int, float)) or isinstance(challenge_age_years, bool):
            raise AggregateError(f"challenge_age_years: expected a number, found {challenge_age_years!r}")
        return self.estimate_years < float(challenge_age_years)


@dataclass(frozen=True, slots=True)
class _Sample:
    timestamp_ms: int
    prediction: AgePrediction


def trimmed_mean(values: np.ndarray) -> float:
    """Mean after dropping max(1, floor(20 %)) values from each end when there are 3 or more."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    if v.size >= 3:
        cut = max(1, int(math.floor(0.2 * v.size)))
        v = v[cut : v.size - cut]
    return float(v.mean())


def summarise(track_id: int, samples: list[_Sample], steady_samples: int) -> AgeSignal:
    expected = np.array([s.prediction.expected_years for s in samples])
    q25, q75 = np.percentile(expected, [25.0, 75.0])
    return AgeSignal(
        track_id=track_id,
        estimate_years=float(np.median(expected)),
        low_years=float(np.median([s.prediction.low_years for s in samples])),
        high_years=float(np.median([s.prediction.high_years for s in samples])),
        spread_years=float(q75 - q25),
        samples=len(samples),
        p_under_18=trimmed_mean(np.array([s.prediction.p_under_18 for s in samples])),
        p_under_13=trimmed_mean(np.array([s.prediction.p_under_13 for s in samples])),
        last_timestamp_ms=samples[-1].timestamp_ms,
        steady=len(samples) >= steady_samples,
        calibrated=all(s.prediction.calibrated for s in samples),
    )


class AgeAggregator:
    """Sliding windows of predictions, one per track id. Not thread-safe: one owner."""

    def __init__(self, options: AggregatorOptions | None = None) -> None:
        self.options = options or AggregatorOptions()
        self._windows: dict[int, deque[_Sample]] = {}
        self._signals: dict[int, AgeSignal] = {}

    @property
    def track_ids(self) -> tuple[int, ...]:
        return tuple(self._windows)

    def add(self, track_id: int, timestamp_ms: int, prediction: AgePrediction) -> AgeSignal:
        """Record one prediction and return the track's updated signal."""
        if not isinstance(timestamp_ms, int) or isinstance(timestamp_ms, bool):
            raise AggregateError(f"timestamp_ms: expected an int, found {timestamp_ms!r}")
        window = self._windows.get(track_id)
        if window is None:
            window = deque()
            self._windows[track_id] = window
        elif window and timestamp_ms < window[-1].timestamp_ms:
            raise AggregateError(
                f"track {track_id}: timestamp_ms {timestamp_ms} is earlier than its last sample at {window[-1].timestamp_ms}"
            )
        window.append(_Sample(timestamp_ms, prediction))
        oldest_kept = timestamp_ms - self.options.window_ms
        while window[0].timestamp_ms <= oldest_kept:
            window.popleft()
        signal = summarise(track_id, list(window), self.options.steady_samples)
        self._signals[track_id] = signal
        return signal

    def signal(self, track_id: int) -> AgeSignal | None:
        return self._signals.get(track_id)

    def forget(self, track_id: int) -> None:
        self._windows.pop(track_id, None)
        self._signals.pop(track_id, None)

    def forget_stale(self, now_ms: int) -> list[int]:
        """Drop every track whose newest sample is ``forget_after_ms`` or more before ``now_ms``; returns their ids."""
        stale = [
            tid for tid, window in self._windows.items() if now_ms - window[-1].timestamp_ms >= self.options.forget_after_ms
        ]
        for tid in stale:
            self.forget(tid)
        return stale
