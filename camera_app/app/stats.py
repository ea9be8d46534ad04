"""Frame-rate and frame-time statistics for the HUD, over a short sliding window.

``frame_ms`` is what one frame costs to process: landmarks plus every stage (capture is
left out: for a paced source it is mostly waiting for the next frame). ``fps`` counts
frames delivered over the last ``window_s`` seconds of the clock given to ``add``; of the frames
with faces in that window, ``landmarks_detected`` had their landmarks detected and
``landmarks_predicted`` predicted (the tracker's landmark schedule).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

CAPTURE_KEY = "capture"
DEFAULT_BUDGET_MS = 1000.0 / 30.0


@dataclass(frozen=True, slots=True)
class StatsSnapshot:
    """What the HUD shows. ``over_budget``: frames in the window slower than the budget."""

    fps: float
    frame_ms: float  # median over the window
    frame_p95_ms: float
    budget_ms: float
    over_budget: int
    frames: int
    stages_ms: Mapping[str, float] = field(default_factory=dict)  # median per stage
    landmarks_detected: int = 0
    landmarks_predicted: int = 0

    @property
    def load(self) -> float:
        """Median frame time as a share of the budget (1.0 = exactly on budget)."""
        return self.frame_ms / self.budget_ms if self.budget_ms > 0 else 0.0


class FrameStats:
    """Not thread-safe: one owner (the worker adds, then hands out snapshots)."""

    def __init__(self, budget_ms: float = DEFAULT_BUDGET_MS, window_s: float = 2.0) -> None:
        if not budget_ms > 0:
            raise ValueError(f"FrameStats.budget_ms: expected > 0, found {budget_ms!r}")
        if not window_s > 0:
            raise ValueError(f"FrameStats.window_s: expected > 0, found {window_s!r}")
        self.budget_ms = float(budget_ms)
        self.window_s = float(window_s)
        self._times_s: deque[float] = deque()
        self._frame_ms: deque[float] = deque()
        self._stages: deque[Mapping[str, float]] = deque()
        self._landmarks: deque[str | None] = deque()  # "detected", "predicted" or None (no face)

    def add(self, now_s: float, timings_ms: Mapping[str, float], landmarks: str | None = None) -> None:
        """One frame: its step times, and whether its landmarks were "detected" or "predicted"
        (None: no face)."""
        self._times_s.append(now_s)
        self._landmarks.append(landmarks)
        self._frame_ms.append(sum(ms for key, ms in timings_ms.items() if key != CAPTURE_KEY))
        self._stages.append(dict(timings_ms))
        while self._times_s and now_s - self._times_s[0] > self.window_s:
            self._times_s.popleft()
            self._frame_ms.popleft()
            self._stages.popleft()
            self._landmarks.popleft()

    def reset(self) -> None:
        self._times_s.clear()
        self._frame_ms.clear()
        self._stages.clear()
        self._landmarks.clear()

    def snapshot(self) -> StatsSnapshot:
        n = len(self._times_s)
        if n == 0:
            return StatsSnapshot(0.0, 0.0, 0.0, self.budget_ms, 0, 0)
        span = self._times_s[-1] - self._times_s[0]
        fps = (n - 1) / span if n >= 2 and span > 0 else 0.0
        ordered = sorted(self._frame_ms)
        stages: dict[str, list[float]] = {}
        for timing in self._stages:
            for key, ms in timing.items():
                stages.setdefault(key, []).append(ms)
        return StatsSnapshot(
            fps=fps,
            frame_ms=_median(ordered),
            frame_p95_ms=ordered[min(n - 1, int(round(0.95 * (n - 1))))],
            budget_ms=self.budget_ms,
            over_budget=sum(ms > self.budget_ms for ms in ordered),
            frames=n,
            stages_ms={key: _median(sorted(values)) for key, values in stages.items()},
            landmarks_detected=sum(kind == "detected" for kind in self._landmarks),
            landmarks_predicted=sum(kind == "predicted" for kind in self._landmarks),
        )


def _median(ordered: list[float]) -> float:
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0
