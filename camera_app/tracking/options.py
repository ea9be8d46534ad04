"""The face tracker's options and its error type (``camera_app.tracking.tracker`` re-exports both)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from camera_app.tracking.schedule import DEFAULT_MAX_INTERVAL, DEFAULT_SCHEDULE, SCHEDULES, Schedule

RunningMode = Literal["video", "image"]


class TrackerError(RuntimeError):
    """The tracker was given bad options or input, or used after close."""


@dataclass(frozen=True, slots=True)
class FaceTrackerOptions:
    """How to track.

    ``max_faces``: faces per frame (>= 1). ``running_mode``: ``"video"`` (``track`` uses
    MediaPipe's tracking between frames; timestamps must strictly increase) or ``"image"``
    (every frame detected from scratch). ``min_*_confidence`` in [0, 1] as in MediaPipe.
    ``model_path``: a face_landmarker.task file; ``None`` uses the vendored, hash-checked one.
    ``iou_match``: the box overlap above which a face keeps the id of a face in an earlier
    frame; ``keep_missing_frames``: how many frames an unseen face's id is remembered.
    ``blendshapes``: score expressions; ``head_pose``: yaw and pitch from MediaPipe's facial
    transformation matrix (only the mesh overlay shows them; without it a track's pose is the
    roll of its eye line, which is all the effects use). ``schedule``: ``"every"`` detects every
    frame, ``"predict"`` (VIDEO mode) detects a frame then predicts up to ``max_interval - 1``
    frames from it with optical flow (``camera_app.tracking.schedule``), ``"async"`` (VIDEO
    mode) predicts every frame and detects every ``max_interval``-th one on a worker thread
    (``camera_app.tracking.async_detection``).
    """

    max_faces: int = 2
    running_mode: RunningMode = "video"
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    model_path: Path | None = None
    iou_match: float = 0.3
    keep_missing_frames: int = 15
    blendshapes: bool = False
    head_pose: bool = False
    schedule: Schedule = DEFAULT_SCHEDULE
    max_interval: int = DEFAULT_MAX_INTERVAL

    def __post_init__(self) -> None:
        if isinstance(self.max_faces, bool) or not isinstance(self.max_faces, int) or self.max_faces < 1:
            raise TrackerError(f"FaceTrackerOptions.max_faces: expected an int >= 1, found {self.max_faces!r}")
        if self.running_mode not in ("video", "image"):
            raise TrackerError(
                f"FaceTrackerOptions.running_mode: expected 'video' or 'image', found {self.running_mode!r}"
            )
        for name in ("min_detection_confidence", "min_presence_confidence", "min_tracking_confidence", "iou_match"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise TrackerError(f"FaceTrackerOptions.{name}: expected a number in [0, 1], found {value!r}")
        if isinstance(self.keep_missing_frames, bool) or not isinstance(self.keep_missing_frames, int) or (
            self.keep_missing_frames < 0
        ):
            raise TrackerError(
                f"FaceTrackerOptions.keep_missing_frames: expected an int >= 0, found {self.keep_missing_frames!r}"
            )
        for name in ("blendshapes", "head_pose"):
            if not isinstance(getattr(self, name), bool):
                raise TrackerError(f"FaceTrackerOptions.{name}: expected True or False, found {getattr(self, name)!r}")
        if self.schedule not in SCHEDULES:
            raise TrackerError(
                f"FaceTrackerOptions.schedule: expected one of {', '.join(SCHEDULES)}, found {self.schedule!r}"
            )
        if isinstance(self.max_interval, bool) or not isinstance(self.max_interval, int) or not (
                1 <= self.max_interval <= 30):
            raise TrackerError(f"FaceTrackerOptions.max_interval: expected an int in [1, 30], found {self.max_interval!r}")
