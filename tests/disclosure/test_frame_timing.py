"""disclosure.frame_timing: frames placed on a constant rate by their timestamps."""

from __future__ import annotations

import pytest

from disclosure.frame_timing import ConstantRateTimeline, FrameTimingError, Placement


def _counts(timeline: ConstantRateTimeline, timestamps: list[int]) -> list[int]:
    """How many video frames each input frame ends up as (its own write plus the repeats of it
    written before the next frame; the last frame counts once)."""
    shown = [0] * len(timestamps)
    last = None
    for i, ts in enumerate(timestamps):
        p = timeline.place(ts)
        if last is not None:
            shown[last] += p.repeat_previous
        if p.write:
            shown[i] += 1
            last = i
    return shown


def test_at_the_nominal_rate_every_frame_is_written_once() -> None:
    timeline = ConstantRateTimeline(30.0)
    assert _counts(timeline, [1000 + round(i * 1000 / 30) for i in range(60)]) == [1] * 60


def test_half_rate_frames_are_each_held_for_two_slots() -> None:
    counts = _counts(ConstantRateTimeline(30.0), [round(i * 1000 / 15) for i in range(30)])
    assert counts[:-1] == [2] * 29 and counts[-1] == 1  # 59 frames: 2 s at 30 fps
    assert sum(counts) == 59


def test_irregular_processing_keeps_real_time() -> None:
    """A slow, uneven worker: after 3 s of capture time the video holds 3 s of frames."""
    timestamps = [0, 40, 150, 180, 400, 433, 700, 1000, 1033, 1500, 2200, 2233, 2900, 3000]
    counts = _counts(ConstantRateTimeline(30.0), timestamps)
    assert sum(counts) == 91  # slots 0..90: 3000 ms at 30 fps, plus the slot of the first frame
    assert counts[timestamps.index(1500)] == 21  # 1500 -> 2200 ms is 21 slots


# Twice the rate: every other frame lands on a slot already written (nearest slot wins).
FAST = [0, 10, 33, 45, 67, 80, 100, 110]


def test_frames_faster_than_the_rate_are_dropped() -> None:
    timeline = ConstantRateTimeline(30.0)
    placements = [timeline.place(ts) for ts in FAST]
    assert [p.write for p in placements] == [True, False, True, False, True, False, True, False]
    assert all(p.repeat_previous == 0 for p in placements)


def test_a_long_stall_is_held_for_max_hold_only() -> None:
    timeline = ConstantRateTimeline(30.0, max_hold_ms=1000)
    assert timeline.place(0) == Placement(0, True)
    assert timeline.place(10_000) == Placement(30, True)  # 1 s held, not 10 s
    assert timeline.place(10_033) == Placement(0, True)  # and the timeline goes on from there
    assert timeline.place(10_100) == Placement(1, True)


def test_bad_input_is_refused() -> None:
    timeline = ConstantRateTimeline(30.0)
    timeline.place(100)
    with pytest.raises(FrameTimingError, match="timestamp 100 ms does not follow 100 ms"):
        timeline.place(100)
    with pytest.raises(FrameTimingError, match=r"timestamp_ms: expected an int, found 1\.5"):
        timeline.place(1.5)  # type: ignore[arg-type]
    with pytest.raises(FrameTimingError, match=r"fps: expected a number in \(0, 240\], found 0"):
        ConstantRateTimeline(0)
    with pytest.raises(FrameTimingError, match="max_hold_ms: expected an int >= 0, found -1"):
        ConstantRateTimeline(30.0, max_hold_ms=-1)
