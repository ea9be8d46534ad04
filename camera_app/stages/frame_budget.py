"""The run-time frame budget of the effects: an effect that keeps blowing it is turned off.

The preview must stay live whatever effect a creator shipped. ``FrameBudget`` watches the
CPU time each effect took on each frame (``EffectStack.apply(effect_timings_ms=...)``: the
thread's CPU time, not the wall clock, so a machine busy with other programs does not turn
effects off). Once the
effects together took more than ``budget_ms`` on ``OVER_FRAMES`` of the last ``WINDOW``
frames (after ``WARMUP_FRAMES``, which include Numba's compilation), the effect that took the
most time over that window is turned off for the rest of the session, with a notice; the
window starts again, so a second costly effect goes the same way. A single frame over
``HARD_FACTOR`` times the budget (after the warm-up) is evidence enough: its costliest effect
goes at once, so a two-second frame freezes the preview once, not ten times. Offline rendering has no
budget (``ChainOptions.frame_budget_ms`` None): there a slow frame only makes it take longer.
"""

from __future__ import annotations

from collections import deque

WARMUP_FRAMES = 3
WINDOW = 10
OVER_FRAMES = 8
HARD_FACTOR = 10.0


class FrameBudget:
    """Tracks per-effect frame times against ``budget_ms`` and names the effects to turn off."""

    def __init__(self, budget_ms: float) -> None:
        if not budget_ms > 0:
            raise ValueError(f"FrameBudget.budget_ms: expected > 0, found {budget_ms!r}")
        self.budget_ms = float(budget_ms)
        self.dropped: dict[str, float] = {}  # effect id -> its mean ms per frame when turned off
        self._seen = 0
        self._window: deque[dict[str, float]] = deque(maxlen=WINDOW)

    def record(self, effect_ms: dict[str, float]) -> str | None:
        """Add one frame's times; returns the id of an effect to turn off now, or None."""
        self._seen += 1
        if self._seen <= WARMUP_FRAMES:
            return None
        self._window.append(dict(effect_ms))
        if sum(effect_ms.values()) > HARD_FACTOR * self.budget_ms:
            return self._drop_worst([effect_ms])
        over = sum(1 for frame in self._window if sum(frame.values()) > self.budget_ms)
        if over < OVER_FRAMES:
            return None
        return self._drop_worst(list(self._window))

    def _drop_worst(self, frames: list[dict[str, float]]) -> str:
        totals: dict[str, float] = {}
        for frame in frames:
            for ident, ms in frame.items():
                totals[ident] = totals.get(ident, 0.0) + ms
        worst = max(totals, key=lambda ident: totals[ident])
        self.dropped[worst] = totals[worst] / len(frames)
        self._window.clear()
        return worst

    def notice(self, ident: str) -> str:
        return (f'effect "{ident}" was turned off: it took {self.dropped[ident]:.0f} ms per frame on this device, '
                f"more than the frame budget of {self.budget_ms:.0f} ms, and would freeze the preview")
