"""The headless frame pipeline: source -> tracker -> stages, one frame in, one frame out.

How to plug in a stage (effects, policy gate, disclosure overlay, landmark overlay, ...):

1. Write an object with a ``name: str`` attribute (unique in the pipeline; it is the key of
   the stage's timing) and ``process(frame: Frame) -> Frame``. ``frame.tracks`` already holds
   the faces of this frame. Return a new Frame (``frame.with_pixels(out)``) or the same one;
   never modify ``frame.pixels`` (it is read-only anyway).
2. Give it ``take_notices() -> Sequence[str]``: the one way a stage tells the user something
   ("effect glam blocked: ..."). The pipeline calls it after each ``process`` and adds what it
   returns (clear the list when taken; a stage with nothing to say returns ``[]``). Notices end
   up in :attr:`ProcessedFrame.notices`, which the CLI prints and the app shows.
3. Any other exception from a stage propagates to the caller: a broken stage is a bug.
   The tracker is different: a landmarker that raises on a frame (MediaPipe on a strange
   picture) does not stop the stream. That frame goes on without faces and with a notice;
   only ``PipelineOptions.max_tracker_failures`` failures in a row end the run with a
   :class:`PipelineError` (a tracker that never works is not worth a silent stream).
4. Build the pipeline with the stages in order: ``Pipeline(tracker, [effect, overlay])``.
   The app may swap them between frames with :meth:`Pipeline.set_stages`.

Stateful stages are built from an ``...Options`` dataclass and usable as context managers;
the pipeline does not open or close them (nor the tracker, nor the source): their owner does.

Threading in :meth:`Pipeline.run`: a worker thread reads frame n+1 from the source and finds
its landmarks (MediaPipe releases the GIL) while the calling thread runs the stages on frame
n. Stages therefore always run on the thread that iterates ``run``; the tracker always runs
on the worker. The queue between them is bounded (``PipelineOptions.queue_size``), so a slow
stage slows capture down instead of piling up frames; a live camera drops frames in its own
one-slot mailbox instead.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from camera_app.frame import Frame
from camera_app.capture.base import EndOfStream, FrameSource

CAPTURE = "capture"
LANDMARKS = "landmarks"


class PipelineError(RuntimeError):
    """The pipeline was built or used the wrong way (duplicate stage names, bad options)."""


@runtime_checkable
class Stage(Protocol):
    """One processing step after face tracking. See the module docstring for how to plug in."""

    name: str

    def process(self, frame: Frame) -> Frame: ...

    def take_notices(self) -> Sequence[str]: ...


@runtime_checkable
class Tracker(Protocol):
    """Adds face tracks to a frame (``camera_app.tracking.tracker.FaceTracker`` is the real one)."""

    def track(self, frame: Frame) -> Frame: ...


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """``queue_size``: frames captured and tracked ahead of the stages (>= 1).
    ``stop_timeout_s``: how long closing ``run`` waits for the worker thread.
    ``max_tracker_failures``: consecutive frames the tracker may fail on (each goes on without
    faces, with a notice) before the run ends with a PipelineError (>= 1)."""

    queue_size: int = 2
    stop_timeout_s: float = 5.0
    max_tracker_failures: int = 30

    def __post_init__(self) -> None:
        if isinstance(self.queue_size, bool) or not isinstance(self.queue_size, int) or self.queue_size < 1:
            raise PipelineError(f"PipelineOptions.queue_size: expected an int >= 1, found {self.queue_size!r}")
        if not self.stop_timeout_s > 0:
            raise PipelineError(f"PipelineOptions.stop_timeout_s: expected > 0, found {self.stop_timeout_s!r}")
        n = self.max_tracker_failures
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise PipelineError(f"PipelineOptions.max_tracker_failures: expected an int >= 1, found {n!r}")


@dataclass(frozen=True, slots=True)
class ProcessedFrame:
    """One frame after the pipeline.

    ``output``: the frame after all stages (its ``tracks`` are the tracker's).
    ``input``: the frame as captured, with the tracks (before any stage).
    ``timings_ms``: wall time per step, keys ``capture``, ``landmarks`` and each stage name,
    in pipeline order (``capture`` is absent for :meth:`Pipeline.process`).
    ``notices``: text to show to the user, e.g. ``"effect glam blocked: ..."``.
    """

    output: Frame
    input: Frame
    timings_ms: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    notices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Captured:
    frame: Frame
    capture_ms: float
    landmarks_ms: float | None
    notices: tuple[str, ...] = ()


class _End:
    """Put on the queue by the worker after the last frame."""


class Pipeline:
    """A tracker (or ``None`` for no landmarks) followed by an ordered list of stages."""

    def __init__(
        self,
        tracker: Tracker | None,
        stages: Sequence[Stage] = (),
        options: PipelineOptions | None = None,
    ) -> None:
        self.tracker = tracker
        self.options = options or PipelineOptions()
        self._stages: tuple[Stage, ...] = ()
        self._stages_lock = threading.Lock()
        self._mailbox: queue.Queue[_Captured | _End | BaseException] | None = None
        self._tracker_failures = 0  # consecutive
        self.tracker_failures_total = 0
        self.set_stages(stages)

    @property
    def queue_depth(self) -> int:
        """Frames captured and tracked, waiting for the stages of a running ``run`` (0 when none runs)."""
        mailbox = self._mailbox
        return mailbox.qsize() if mailbox is not None else 0

    @property
    def stages(self) -> tuple[Stage, ...]:
        return self._stages

    def set_stages(self, stages: Sequence[Stage]) -> None:
        """Replace the stages; takes effect from the next frame the stages run on."""
        stages = tuple(stages)
        names: set[str] = {CAPTURE, LANDMARKS}
        for stage in stages:
            name = getattr(stage, "name", None)
            if not isinstance(name, str) or not name or not callable(getattr(stage, "process", None)) \
                    or not callable(getattr(stage, "take_notices", None)):
                raise PipelineError(
                    f"stage {stage!r}: expected an object with a non-empty str 'name', a process(frame) method "
                    "and a take_notices() method"
                )
            if name in names:
                raise PipelineError(f"stage name {name!r} is used twice (or is reserved); stage names must be unique")
            names.add(name)
        with self._stages_lock:
            self._stages = stages

    def process(self, frame: Frame) -> ProcessedFrame:
        """Track and process one frame on the calling thread (no capture step).

        Do not call while a ``run`` of the same pipeline is being iterated: both use the tracker.
        """
        start = time.perf_counter()
        tracked, notices = self._track(frame)
        landmarks_ms = (time.perf_counter() - start) * 1000.0 if self.tracker is not None else None
        return self._run_stages(_Captured(tracked, capture_ms=-1.0, landmarks_ms=landmarks_ms, notices=notices))

    def _track(self, frame: Frame) -> tuple[Frame, tuple[str, ...]]:
        """The frame with its faces; on a tracker error the frame without faces and a notice
        (PipelineError after ``max_tracker_failures`` in a row)."""
        if self.tracker is None:
            return frame, ()
        try:
            tracked = self.tracker.track(frame)
        except Exception as exc:  # reported per frame; the stream goes on (see the module docstring)
            self._tracker_failures += 1
            self.tracker_failures_total += 1
            limit = self.options.max_tracker_failures
            if self._tracker_failures >= limit:
                raise PipelineError(
                    f"face tracking failed on {self._tracker_failures} frames in a row "
                    f"(limit {limit}); last error: {type(exc).__name__}: {exc}"
                ) from exc
            notice = (f"face tracking failed on frame {frame.index} ({type(exc).__name__}: {exc}); "
                      "the frame is shown without faces")
            return frame, (notice,)
        self._tracker_failures = 0
        return tracked, ()

    def run(self, source: FrameSource) -> Generator[ProcessedFrame, None, None]:
        """Yield processed frames until the source ends (``EndOfStream``), overlapping
        capture + tracking of the next frame with the stages of this one.

        The source is opened if needed but not closed. A ``SourceError`` (or any error) of the
        source or tracker is raised here, on the calling thread, after the frames before it.
        Stopping early (``break``, ``close()`` on the generator) stops and joins the worker.
        """
        source.open()
        self._tracker_failures = 0
        mailbox: queue.Queue[_Captured | _End | BaseException] = queue.Queue(maxsize=self.options.queue_size)
        self._mailbox = mailbox
        stop = threading.Event()
        worker = threading.Thread(
            target=self._capture_loop, args=(source, mailbox, stop), name="safelens-capture", daemon=True
        )
        worker.start()
        try:
            while True:
                item = mailbox.get()
                if isinstance(item, _End):
                    return
                if isinstance(item, BaseException):
                    raise item
                yield self._run_stages(item)
        finally:
            stop.set()
            _drain(mailbox)
            worker.join(self.options.stop_timeout_s)
            _drain(mailbox)
            if self._mailbox is mailbox:
                self._mailbox = None

    def _capture_loop(
        self,
        source: FrameSource,
        mailbox: queue.Queue[_Captured | _End | BaseException],
        stop: threading.Event,
    ) -> None:
        item: _Captured | _End | BaseException
        while not stop.is_set():
            try:
                start = time.perf_counter()
                frame = source.read()
                captured = time.perf_counter()
                landmarks_ms: float | None = None
                frame, notices = self._track(frame)
                if self.tracker is not None:
                    landmarks_ms = (time.perf_counter() - captured) * 1000.0
                item = _Captured(frame, (captured - start) * 1000.0, landmarks_ms, notices)
            except EndOfStream:
                item = _End()
            except BaseException as exc:  # handed to the consumer thread, which re-raises it
                item = exc
            while not stop.is_set():
                try:
                    mailbox.put(item, timeout=0.05)
                    break
                except queue.Full:
                    continue
            if not isinstance(item, _Captured):
                return

    def _run_stages(self, captured: _Captured) -> ProcessedFrame:
        timings: dict[str, float] = {}
        if captured.capture_ms >= 0:
            timings[CAPTURE] = captured.capture_ms
        if captured.landmarks_ms is not None:
            timings[LANDMARKS] = captured.landmarks_ms
        notices: list[str] = list(captured.notices)
        with self._stages_lock:
            stages = self._stages
        frame = captured.frame
        for stage in stages:
            start = time.perf_counter()
            frame = stage.process(frame)
            timings[stage.name] = (time.perf_counter() - start) * 1000.0
            notices.extend(str(n) for n in stage.take_notices())
            if not isinstance(frame, Frame):
                raise PipelineError(f"stage {stage.name!r}: process() returned {type(frame).__name__}, expected Frame")
        return ProcessedFrame(
            output=frame, input=captured.frame, timings_ms=MappingProxyType(timings), notices=tuple(notices)
        )


def _drain(mailbox: queue.Queue[_Captured | _End | BaseException]) -> None:
    while True:
        try:
            mailbox.get_nowait()
        except queue.Empty:
            return
