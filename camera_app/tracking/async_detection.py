"""The ``"async"`` landmark schedule: MediaPipe runs beside the frames instead of in their way.

With ``schedule="predict"`` every ``max_interval``-th frame waits for a full detection (about
7 ms), so that wait sets the frame time's p95 however cheap the predicted frames are. Here
every frame with a tracked face is predicted (``camera_app.tracking.schedule``), and every
``max_interval``-th one, frame k, is also *submitted* to a detection worker thread (MediaPipe
releases the GIL, so the detection overlaps the next frames and the stages). Its result is
taken on frame n = k + ``lag`` (``max_interval - 1``, at least 1: the frame before the next
submission), waiting for it only if it is not done by then, and brought forward to frame n by
the flow fits accumulated from k to n (one similarity per face, composed frame by frame); it
takes the ids of the predicted faces and re-seeds the prediction. So a result is never shown
stale, MediaPipe's error rather than the flow's drift is what the next predictions start from,
and which frame takes which result does not depend on thread timing (a render is repeatable).

The frame is detected at once, on the caller's thread, when there is no face to predict (the
first frame, a face lost) and when the flow fit is poor or the motion fast (as with
``"predict"``); a pending detection is waited for first, so MediaPipe sees its VIDEO-mode
timestamps in increasing order and runs one frame at a time. A detection that does not find
the predicted faces (one entered or left) is not forwarded: the next frame is detected at once.

A failure in the worker is raised as a :class:`~camera_app.tracking.tracker.TrackerError` by
the ``track`` call that collects it (the pipeline then goes on without faces for that frame,
as for any tracker failure). NumPy and the standard library only; the tracker hands in the
MediaPipe calls.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from camera_app.frame import Frame
from camera_app.tracking.schedule import LandmarkPredictor, moved_track
from camera_app.tracking.track_ids import TrackIds
from effects.face import FaceTrack

MATCH_IOD = 0.5  # a detected face matches a predicted one whose eye centre is this close (inter-ocular distances)

DetectNow = Callable[[Frame], list[FaceTrack]]
"""Detect a frame on the calling thread (tracks with id 0)."""
Prepare = Callable[[Frame], Callable[[], list[FaceTrack]]]
"""Take what a detection of a frame needs (on the calling thread) and return the call that
runs it (on the worker)."""
Failure = Callable[[str], Exception]
"""The error to raise for a failed detection, from its message."""


@dataclass(frozen=True, slots=True)
class Step:
    """One frame's faces (ids assigned) and where they came from."""

    tracks: tuple[FaceTrack, ...]
    predicted: bool  # moved by optical flow (a prediction, or a detection brought forward)
    detections: int  # MediaPipe results taken on this frame (0 or 1)


@dataclass(slots=True)
class _Pending:
    future: Future[list[FaceTrack]]
    frame_index: int
    tracks: tuple[FaceTrack, ...]  # the faces predicted on the submitted frame, in the predictor's order
    moves: list[np.ndarray]  # per face, the 3x3 map from the submitted frame to the current one
    age: int = 0  # frames predicted since the submitted one


class AsyncDetections:
    """Predicts every frame, detects on a worker every ``max_interval`` frames, forwards the results."""

    def __init__(self, max_interval: int, ids: TrackIds, detect_now: DetectNow, prepare: Prepare,
                 failure: Failure) -> None:
        self.max_interval = max_interval
        self.lag = max(1, max_interval - 1)
        self._ids = ids
        self._detect_now = detect_now
        self._prepare = prepare
        self._failure = failure
        # A safety bound only: predictions are re-seeded every max_interval frames.
        self._predictor = LandmarkPredictor(2 * max_interval + 1)
        self._worker: ThreadPoolExecutor | None = None
        self._pending: _Pending | None = None
        self._since_detection = 0  # frames since the last detection was run or submitted

    def track(self, frame: Frame) -> Step:
        prediction = self._predictor.predict(frame.pixels)
        if prediction is None:
            self.settle()
            tracks = tuple(self._ids.assign(self._detect_now(frame)))
            self._predictor.detected(frame.pixels, tracks)
            self._since_detection = 0
            return Step(tracks, predicted=False, detections=1)
        self._ids.moved(prediction.tracks)
        tracks, detections = prediction.tracks, 0
        pending = self._pending
        if pending is not None:
            pending.moves = [_as3(move) @ acc for move, acc in zip(prediction.moves, pending.moves, strict=True)]
            pending.age += 1
            if pending.age >= self.lag:
                self._pending = None
                detections = 1
                forwarded = _forward(self._result(pending), pending)
                if forwarded is None:
                    self._predictor.reset()  # the faces changed: detect the next frame at once
                else:
                    tracks = tuple(self._ids.assign(forwarded))
                    self._predictor.detected(frame.pixels, tracks)
        self._since_detection += 1
        if self._pending is None and self._since_detection >= self.max_interval and tracks:
            self._submit(frame, tracks)
        return Step(tracks, predicted=True, detections=detections)

    def _submit(self, frame: Frame, tracks: tuple[FaceTrack, ...]) -> None:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="safelens-landmarks")
        job = self._prepare(frame)
        self._pending = _Pending(self._worker.submit(job), frame.index, tracks, [np.eye(3) for _ in tracks])
        self._since_detection = 0

    def _result(self, pending: _Pending) -> list[FaceTrack]:
        try:
            return pending.future.result()
        except Exception as exc:
            self._predictor.reset()
            raise self._failure(f"the landmark detection of frame {pending.frame_index} failed on its worker "
                                f"({type(exc).__name__}: {exc})") from exc

    def settle(self) -> None:
        """Wait for a pending detection and drop it (before a detection now, a reset or a close)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.future.exception()  # waits; a failure of a dropped result is of no use to anyone

    def reset(self) -> None:
        self.settle()
        self._predictor.reset()
        self._since_detection = 0

    def close(self) -> None:
        """Drop a pending detection and join the worker."""
        self.settle()
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None


def _as3(move: np.ndarray) -> np.ndarray:
    return np.vstack([move.astype(np.float64), (0.0, 0.0, 1.0)])


def _forward(detected: list[FaceTrack], pending: _Pending) -> list[FaceTrack] | None:
    """The faces detected on the submitted frame, moved to the current one by the flow fit of
    the predicted face each matches (None: they are not the predicted faces)."""
    if len(detected) != len(pending.tracks):
        return None
    out: list[FaceTrack] = []
    free = list(range(len(pending.tracks)))
    for face in detected:
        centre = _eye_centre(face)
        distances = [float(np.linalg.norm(centre - _eye_centre(pending.tracks[i]))) for i in free]
        best = int(np.argmin(distances))
        i = free[best]
        if distances[best] > MATCH_IOD * max(pending.tracks[i].interocular_px, 1.0):
            return None
        free.pop(best)
        out.append(moved_track(face, pending.moves[i][:2]))
    return out


def _eye_centre(track: FaceTrack) -> np.ndarray:
    xy = track.xy
    return np.asarray((xy[33] + xy[263]) / 2.0, dtype=np.float64)

