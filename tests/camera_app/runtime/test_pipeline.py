"""Pipeline: stage order, timings, notices, overlap of tracking with stages, bounded queue, errors."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from camera_app.frame import Frame
from camera_app.runtime.pipeline import Pipeline, PipelineError, PipelineOptions
from camera_app.capture.base import BaseSource, EndOfStream, SourceError


class CountingSource(BaseSource):
    """``n`` small frames whose pixel value is the frame number; optionally fails at ``fail_at``."""

    description = "counting"
    fps = 30.0

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        super().__init__()
        self.n = n
        self.fail_at = fail_at
        self.reads = 0

    def _open(self) -> None:
        self.reads = 0

    def _next_pixels(self) -> tuple[np.ndarray, int]:
        if self.reads == self.fail_at:
            raise SourceError("counting: camera unplugged")
        if self.reads >= self.n:
            raise EndOfStream("counting: done")
        self.reads += 1
        return np.full((4, 4, 3), self.reads - 1, np.uint8), self.reads * 33

    def _close(self) -> None:
        pass


class Quiet:
    """Stages with nothing to tell the user."""

    def take_notices(self) -> list[str]:
        return []


class AddStage(Quiet):
    def __init__(self, name: str, amount: int) -> None:
        self.name = name
        self.amount = amount

    def process(self, frame: Frame) -> Frame:
        return frame.with_pixels(frame.pixels + np.uint8(self.amount))


class TimesTwo(Quiet):
    name = "times_two"

    def process(self, frame: Frame) -> Frame:
        return frame.with_pixels(frame.pixels * np.uint8(2))


def test_stages_run_in_order_with_timings() -> None:
    pipeline = Pipeline(None, [AddStage("add_one", 1), TimesTwo()])
    with CountingSource(3) as source:
        results = list(pipeline.run(source))
    assert [int(r.output.pixels[0, 0, 0]) for r in results] == [2, 4, 6]  # (n + 1) * 2, not n * 2 + 1
    assert [int(r.input.pixels[0, 0, 0]) for r in results] == [0, 1, 2]
    assert list(results[0].timings_ms) == ["capture", "add_one", "times_two"]
    assert all(v >= 0 for r in results for v in r.timings_ms.values())


def test_notices_come_from_take_notices() -> None:
    class Blocked:
        name = "glam"

        def process(self, frame: Frame) -> Frame:
            return frame  # leaves the frame unchanged and says why

        def take_notices(self) -> list[str]:
            return ["effect glam blocked: not for this profile"]

    class Chatty:
        name = "chatty"

        def __init__(self) -> None:
            self.pending: list[str] = []

        def process(self, frame: Frame) -> Frame:
            if frame.index == 1:
                self.pending.append("age check running")
            return frame

        def take_notices(self) -> list[str]:
            taken, self.pending = self.pending, []
            return taken

    pipeline = Pipeline(None, [Blocked(), AddStage("add", 3), Chatty()])
    with CountingSource(2) as source:
        results = list(pipeline.run(source))
    assert results[0].notices == ("effect glam blocked: not for this profile",)
    assert results[1].notices == ("effect glam blocked: not for this profile", "age check running")
    assert int(results[1].output.pixels[0, 0, 0]) == 4  # the skipped stage passed the frame on


def test_tracker_runs_on_the_worker_while_stages_run_on_the_caller() -> None:
    """Frame n's stages must be able to wait for frame n+1's tracking: that is the overlap."""
    tracking_next = threading.Event()
    threads: dict[str, set[str]] = {"tracker": set(), "stage": set()}

    class Tracker:
        def track(self, frame: Frame) -> Frame:
            threads["tracker"].add(threading.current_thread().name)
            if frame.index == 1:
                tracking_next.set()
            return frame

    class WaitsForOverlap(Quiet):
        name = "waits"

        def process(self, frame: Frame) -> Frame:
            threads["stage"].add(threading.current_thread().name)
            if frame.index == 0:
                assert tracking_next.wait(timeout=10), "frame 1 was not tracked while frame 0 was in the stages"
            return frame

    with CountingSource(3) as source:
        results = list(Pipeline(Tracker(), [WaitsForOverlap()]).run(source))
    assert len(results) == 3
    assert "landmarks" in results[0].timings_ms
    assert threads["stage"] == {threading.current_thread().name}
    assert threads["tracker"] == {"safelens-capture"}


def test_the_worker_never_runs_far_ahead() -> None:
    source = CountingSource(1000)
    seen = []
    with source:
        for result in Pipeline(None, [], PipelineOptions(queue_size=2)).run(source):
            seen.append((result.input.index, source.reads))
            if len(seen) == 20:
                break
    # Reads ahead of the consumer: at most the queue (2) plus the one frame the worker holds.
    assert max(reads - (index + 1) for index, reads in seen) <= 3


def test_breaking_out_stops_the_worker() -> None:
    source = CountingSource(10_000)
    with source:
        for result in Pipeline(None, []).run(source):
            if result.input.index == 5:
                break
    assert not any(t.name == "safelens-capture" and t.is_alive() for t in threading.enumerate())
    assert source.reads < 20


def test_a_source_error_arrives_after_the_good_frames() -> None:
    got = []
    with CountingSource(10, fail_at=4) as source:
        with pytest.raises(SourceError, match="counting: camera unplugged"):
            for result in Pipeline(None, []).run(source):
                got.append(result.input.index)
    assert got == [0, 1, 2, 3]


def test_a_stage_error_propagates() -> None:
    class Broken(Quiet):
        name = "broken"

        def process(self, frame: Frame) -> Frame:
            raise ValueError("bug in stage")

    with CountingSource(3) as source:
        with pytest.raises(ValueError, match="bug in stage"):
            list(Pipeline(None, [Broken()]).run(source))


def test_process_one_frame_synchronously() -> None:
    frame = Frame(np.zeros((4, 4, 3), np.uint8), 0, 0)
    result = Pipeline(None, [AddStage("add", 5)]).process(frame)
    assert int(result.output.pixels[0, 0, 0]) == 5
    assert list(result.timings_ms) == ["add"]


def test_stage_names_must_be_unique_and_not_reserved() -> None:
    with pytest.raises(PipelineError, match="stage name 'a' is used twice"):
        Pipeline(None, [AddStage("a", 1), AddStage("a", 2)])
    with pytest.raises(PipelineError, match="stage name 'capture' is used twice .or is reserved."):
        Pipeline(None, [AddStage("capture", 1)])
    with pytest.raises(PipelineError, match="expected an object with a non-empty str 'name'"):
        Pipeline(None, [object()])  # type: ignore[list-item]
    with pytest.raises(PipelineError, match="queue_size: expected an int >= 1, found 0"):
        PipelineOptions(queue_size=0)


def test_a_stage_must_return_a_frame() -> None:
    class ReturnsArray(Quiet):
        name = "array"

        def process(self, frame: Frame) -> Frame:
            return frame.pixels  # type: ignore[return-value]

    with pytest.raises(PipelineError, match="stage 'array': process.. returned ndarray, expected Frame"):
        Pipeline(None, [ReturnsArray()]).process(Frame(np.zeros((2, 2, 3), np.uint8), 0, 0))


def test_queue_depth_shows_frames_waiting_for_the_stages_and_is_zero_when_not_running() -> None:
    pipeline = Pipeline(None, [], PipelineOptions(queue_size=2))
    assert pipeline.queue_depth == 0
    with CountingSource(6) as source:
        frames = pipeline.run(source)
        next(frames)
        # The worker fills the bounded queue while the consumer holds on to the first frame.
        deadline = time.monotonic() + 5.0
        while pipeline.queue_depth < 2 and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        assert pipeline.queue_depth == 2
        frames.close()
    assert pipeline.queue_depth == 0
