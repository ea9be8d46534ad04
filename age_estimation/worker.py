"""Age estimation off the frame path: a worker thread fed through a one-slot mailbox.

The frame thread calls ``submit(rgb, tracks, timestamp_ms)`` on every frame. It only
decides which tracks are due (each track at most once per ``cadence_ms``; a new track
at once), and, when one is, leaves a reference to the read-only frame and the tracks'
landmarks in the mailbox, replacing any job the worker has not started yet (the
replaced job's tracks are carried into the new one with the new landmarks). That is
a few dictionary operations: it never waits for the model.

The worker thread aligns the chips, runs the model on all due faces in one batch,
applies the calibration when one is configured, feeds the per-track aggregator and
publishes a fresh, immutable snapshot of the signals; ``latest(track_id)`` reads that
snapshot without a lock. Tracks not seen by ``submit`` for ``forget_after_ms`` are
forgotten on both sides.

If the model raises, the worker stops and the next ``submit`` raises
``AgeEstimatorError`` carrying the cause: failures are never swallowed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType

import numpy as np

from age_estimation.aggregate import AgeAggregator, AggregatorOptions, AgeSignal
from age_estimation.align import N_LANDMARKS, AlignmentError, align_face
from age_estimation.calibration import AgeCalibration
from age_estimation.prediction import AgePredictor

TrackLandmarks = tuple[int, np.ndarray]


class AgeEstimatorError(RuntimeError):
    """Bad input on the frame path, use outside start()/close(), or the worker failed."""


@dataclass(frozen=True, slots=True)
class AgeEstimatorOptions:
    """``cadence_ms``: how often one track is estimated; ``max_faces``: faces per batch (the rest wait their turn)."""

    cadence_ms: int = 300
    max_faces: int = 4
    aggregator: AggregatorOptions = field(default_factory=AggregatorOptions)
    calibration: AgeCalibration | None = None

    def __post_init__(self) -> None:
        for name in ("cadence_ms", "max_faces"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise AgeEstimatorError(f"AgeEstimatorOptions.{name}: expected an int >= 1, found {value!r}")
        if not isinstance(self.aggregator, AggregatorOptions):
            raise AgeEstimatorError(
                f"AgeEstimatorOptions.aggregator: expected AggregatorOptions, found {type(self.aggregator).__name__}"
            )
        if self.calibration is not None and not isinstance(self.calibration, AgeCalibration):
            raise AgeEstimatorError(
                f"AgeEstimatorOptions.calibration: expected AgeCalibration or None, found {type(self.calibration).__name__}"
            )


@dataclass(frozen=True, slots=True)
class AgeEstimatorStats:
    """Counters since start. ``worker_ms`` is time spent aligning and running the model."""

    jobs_submitted: int
    jobs_replaced: int
    jobs_done: int
    faces_estimated: int
    alignment_failures: int
    worker_ms: float
    last_latency_ms: float


@dataclass(frozen=True, slots=True)
class _Job:
    rgb: np.ndarray
    tracks: tuple[TrackLandmarks, ...]
    timestamp_ms: int
    forget: frozenset[int]
    submitted_s: float


_EMPTY: Mapping[int, AgeSignal] = MappingProxyType({})


class AgeEstimator:
    """``with AgeEstimator(model, options) as est: est.submit(rgb, tracks, ts); est.latest(track_id)``.

    ``model`` is anything with ``predict(chips) -> list[AgePrediction]`` (an ``AgeModel``
    or a test double); its lifetime stays with the caller.
    """

    def __init__(self, model: AgePredictor, options: AgeEstimatorOptions | None = None) -> None:
        self.options = options or AgeEstimatorOptions()
        self._model = model
        # Frame-thread state.
        self._next_due_ms: dict[int, int] = {}
        self._last_seen_ms: dict[int, int] = {}
        self._last_sweep_ms: int | None = None
        # Shared state, guarded by _cond.
        self._cond = threading.Condition()
        self._pending: _Job | None = None
        self._busy = False
        self._stopping = False
        self._jobs_submitted = 0
        self._jobs_replaced = 0
        # Worker-thread state.
        self._aggregator = AgeAggregator(self.options.aggregator)
        self._jobs_done = 0
        self._faces = 0
        self._align_failures = 0
        self._worker_ms = 0.0
        self._last_latency_ms = 0.0
        # Published by the worker, read lock-free.
        self._signals: Mapping[int, AgeSignal] = _EMPTY
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> AgeEstimator:
        if self._thread is not None:
            raise AgeEstimatorError("AgeEstimator.start: already started")
        self._thread = threading.Thread(target=self._run, name="safelens-age-worker", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the worker (a job in progress finishes; a pending one is dropped) and forget every track."""
        with self._cond:
            self._stopping = True
            self._pending = None
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._signals = _EMPTY
        self._aggregator = AgeAggregator(self.options.aggregator)
        self._next_due_ms.clear()
        self._last_seen_ms.clear()

    def __enter__(self) -> AgeEstimator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- frame path ----------------------------------------------------------------------

    def submit(self, rgb: np.ndarray, tracks: Sequence[TrackLandmarks], timestamp_ms: int) -> bool:
        """Offer a frame; returns True when a job for the worker was posted. Never waits for the model.

        ``rgb`` must be a read-only (H, W, 3) uint8 array (the worker reads it later
        without a copy); ``tracks`` holds (track_id, (478, 3) landmarks in pixels).
        """
        if self._failure is not None:
            raise AgeEstimatorError(f"the age worker stopped after an error: {self._failure!r}") from self._failure
        if self._thread is None or self._stopping:
            raise AgeEstimatorError("AgeEstimator.submit: not running (use it as a context manager or call start())")
        _check_frame(rgb)
        if not isinstance(timestamp_ms, int) or isinstance(timestamp_ms, bool):
            raise AgeEstimatorError(f"timestamp_ms: expected an int, found {timestamp_ms!r}")
        cadence = self.options.cadence_ms
        present: dict[int, np.ndarray] = {}
        due: dict[int, np.ndarray] = {}
        for track_id, landmarks in tracks:
            _check_landmarks(track_id, landmarks)
            if landmarks.flags.writeable:
                landmarks = landmarks.copy()
            present[track_id] = landmarks
            self._last_seen_ms[track_id] = timestamp_ms
            if timestamp_ms >= self._next_due_ms.get(track_id, timestamp_ms):
                due[track_id] = landmarks
        forget = self._sweep(timestamp_ms)
        if not due and not forget:
            return False
        with self._cond:
            replaced = self._pending
            if replaced is not None:
                self._jobs_replaced += 1
                forget |= replaced.forget
                for track_id, _ in replaced.tracks:
                    if track_id in present and track_id not in due:
                        due[track_id] = present[track_id]
            chosen = list(due.items())[: self.options.max_faces]
            for track_id, _ in chosen:
                self._next_due_ms[track_id] = timestamp_ms + cadence
            self._pending = _Job(rgb, tuple(chosen), timestamp_ms, frozenset(forget), time.perf_counter())
            self._jobs_submitted += 1
            self._cond.notify()
        return True

    def _sweep(self, timestamp_ms: int) -> set[int]:
        """Tracks not seen for forget_after_ms, checked at most once per cadence."""
        if self._last_sweep_ms is not None and timestamp_ms - self._last_sweep_ms < self.options.cadence_ms:
            return set()
        self._last_sweep_ms = timestamp_ms
        limit = self.options.aggregator.forget_after_ms
        stale = {tid for tid, seen in self._last_seen_ms.items() if timestamp_ms - seen >= limit}
        for tid in stale:
            del self._last_seen_ms[tid]
            self._next_due_ms.pop(tid, None)
        return stale

    def latest(self, track_id: int) -> AgeSignal | None:
        """The newest aggregated signal for a track, or None when it has none (yet, or any more)."""
        return self._signals.get(track_id)

    def signals(self) -> Mapping[int, AgeSignal]:
        """A read-only snapshot of every track's signal."""
        return self._signals

    @property
    def stats(self) -> AgeEstimatorStats:
        with self._cond:
            return AgeEstimatorStats(
                jobs_submitted=self._jobs_submitted,
                jobs_replaced=self._jobs_replaced,
                jobs_done=self._jobs_done,
                faces_estimated=self._faces,
                alignment_failures=self._align_failures,
                worker_ms=self._worker_ms,
                last_latency_ms=self._last_latency_ms,
            )

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until no job is pending or running (for tools and tests; never on the frame path)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while (self._pending is not None or self._busy) and self._failure is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return self._failure is None

    # -- worker --------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                job = self._pending
                self._pending = None
                self._busy = True
            assert job is not None
            try:
                self._process(job)
            except Exception as exc:  # reported to the frame thread by the next submit()
                self._failure = exc
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
                return
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _process(self, job: _Job) -> None:
        started = time.perf_counter()
        aggregator = self._aggregator
        for track_id in job.forget:
            aggregator.forget(track_id)
        ids: list[int] = []
        chips: list[np.ndarray] = []
        failures = 0
        for track_id, landmarks in job.tracks:
            try:
                chips.append(align_face(job.rgb, landmarks))
            except AlignmentError:
                failures += 1
                continue
            ids.append(track_id)
        if chips:
            predictions = self._model.predict(np.stack(chips))
            if len(predictions) != len(chips):
                raise AgeEstimatorError(f"the age model returned {len(predictions)} predictions for {len(chips)} chips")
            calibration = self.options.calibration
            for track_id, prediction in zip(ids, predictions):
                if calibration is not None:
                    prediction = calibration.apply(prediction)
                aggregator.add(track_id, job.timestamp_ms, prediction)
        aggregator.forget_stale(job.timestamp_ms)
        snapshot = {tid: s for tid in aggregator.track_ids if (s := aggregator.signal(tid)) is not None}
        self._signals = MappingProxyType(snapshot)
        finished = time.perf_counter()
        with self._cond:
            self._jobs_done += 1
            self._faces += len(chips)
            self._align_failures += failures
            self._worker_ms += (finished - started) * 1000.0
            self._last_latency_ms = (finished - job.submitted_s) * 1000.0


def _check_frame(rgb: np.ndarray) -> None:
    if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        found = f"{rgb.shape} {rgb.dtype}" if isinstance(rgb, np.ndarray) else type(rgb).__name__
        raise AgeEstimatorError(f"rgb: expected an (H, W, 3) uint8 array, found {found}")
    if rgb.flags.writeable:
        raise AgeEstimatorError(
            "rgb: expected a read-only array (the worker reads it later without a copy; "
            "set rgb.flags.writeable = False or pass Frame.pixels), found a writeable one"
        )


def _check_landmarks(track_id: int, landmarks: np.ndarray) -> None:
    if not isinstance(track_id, int) or isinstance(track_id, bool):
        raise AgeEstimatorError(f"tracks: expected int track ids, found {track_id!r}")
    if not isinstance(landmarks, np.ndarray) or landmarks.ndim != 2 or landmarks.shape[0] != N_LANDMARKS:
        found = landmarks.shape if isinstance(landmarks, np.ndarray) else type(landmarks).__name__
        raise AgeEstimatorError(f"tracks[{track_id}]: expected ({N_LANDMARKS}, 3) landmarks in pixels, found {found}")
