"""Constant-rate video from frames that arrive when they are ready.

A recording's container has one frame rate, but live frames come at their capture times:
when processing is slower than the camera, some never arrive (the camera's mailbox kept
only the newest), and a video that wrote each frame once would play too fast.
``ConstantRateTimeline`` maps each frame's ``timestamp_ms`` to a slot of the nominal rate
(slot k is at first timestamp + k / fps, nearest slot wins) and says how to fill the slots:

- the previous frame is repeated over the slots no frame landed on (it was on screen then);
- a frame that lands on a slot already written (frames faster than the rate) is dropped;
- a gap longer than ``max_hold_ms`` (a stalled camera) is held for ``max_hold_ms`` only and
  the timeline moves on from there, so one picture does not fill the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class FrameTimingError(ValueError):
    """Timestamps that do not increase, or bad options."""


@dataclass(frozen=True, slots=True)
class Placement:
    """For one frame: write the previous frame ``repeat_previous`` more times, then this one
    (``write``) or not at all."""

    repeat_previous: int
    write: bool


class ConstantRateTimeline:
    def __init__(self, fps: float, max_hold_ms: int = 2000) -> None:
        if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 240:
            raise FrameTimingError(f"fps: expected a number in (0, 240], found {fps!r}")
        if isinstance(max_hold_ms, bool) or not isinstance(max_hold_ms, int) or max_hold_ms < 0:
            raise FrameTimingError(f"max_hold_ms: expected an int >= 0, found {max_hold_ms!r}")
        self.fps = float(fps)
        self.max_hold_slots = math.ceil(max_hold_ms * self.fps / 1000.0)
        self._origin_ms: float | None = None
        self._last_ms: int | None = None
        self._next_slot = 0  # the first slot not written yet

    def place(self, timestamp_ms: int) -> Placement:
        if isinstance(timestamp_ms, bool) or not isinstance(timestamp_ms, int):
            raise FrameTimingError(f"timestamp_ms: expected an int, found {timestamp_ms!r}")
        if self._last_ms is not None and timestamp_ms <= self._last_ms:
            raise FrameTimingError(f"timestamp {timestamp_ms} ms does not follow {self._last_ms} ms")
        self._last_ms = timestamp_ms
        if self._origin_ms is None:
            self._origin_ms = float(timestamp_ms)
        slot = math.floor((timestamp_ms - self._origin_ms) * self.fps / 1000.0 + 0.5)
        if slot < self._next_slot:
            return Placement(0, False)
        held = slot - self._next_slot
        if held > self.max_hold_slots:
            self._origin_ms += (held - self.max_hold_slots) * 1000.0 / self.fps
            held = self.max_hold_slots
        self._next_slot += held + 1
        return Placement(held, True)
