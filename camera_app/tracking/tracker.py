"""Face tracking with MediaPipe Face Landmarker: the only module that imports mediapipe.

``FaceTracker`` turns frames into frames with :class:`~effects.face.FaceTrack` s::

    with FaceTracker(FaceTrackerOptions(max_faces=2)) as tracker:
        frame = tracker.track(frame)          # VIDEO mode: timestamps must strictly increase
        faces = tracker.detect(rgb_array)     # IMAGE mode: one still picture, no history

``detect`` matches the landmark-detector Protocol of ``effects/`` (``detect(rgb) ->
list[FaceTrack]``), so the effect classifier can take a tracker as its detector.
MediaPipe results become FaceTracks in :func:`_to_tracks`, and nowhere else. In VIDEO mode
with ``schedule="predict"`` (the default) ``track`` runs MediaPipe on some frames and predicts
the others (``camera_app.tracking.schedule``); ``Frame.landmarks_predicted`` says which, and
``detected_frames`` / ``predicted_frames`` count them over the tracker's life. With
``schedule="async"`` the detections run on a worker thread beside the frames and are brought
forward to the frame they arrive on (``camera_app.tracking.async_detection``); there
``detected_frames`` counts MediaPipe's results, and frames with a result brought forward count
as predicted.

A tracker may be called from any one thread at a time (the pipeline calls ``track`` on its
capture worker); MediaPipe releases the GIL while it runs.

Creating a landmarker makes MediaPipe and TensorFlow Lite log informational lines
(``W0000 ... Feedback manager requires a model with a single signature inference``) straight
to file descriptor 2, where no environment variable of this MediaPipe version silences them.
They are filtered out around the creation only (``camera_app.tracking.native_stderr``); any other
line written then is passed on, and failures are raised as Python exceptions anyway.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision
from mediapipe.tasks.python.vision import face_landmarker

from camera_app.frame import Frame
from camera_app.models import model_path
from camera_app.tracking.async_detection import AsyncDetections
from camera_app.tracking.native_stderr import filtered_stderr
from camera_app.tracking.options import FaceTrackerOptions, RunningMode, TrackerError
from camera_app.tracking.schedule import LandmarkPredictor
from camera_app.tracking.track_ids import TrackIds, with_id
from effects.face import N_LANDMARKS, FaceTrack, HeadPose

__all__ = ["FaceTracker", "FaceTrackerOptions", "TrackerError", "INFORMATIONAL_LOG_LINES", "connection_lists",
           "mesh_connections"]

# What landmarker creation logs on fd 2 that says nothing wrong (MediaPipe 0.10 / 1.x, TFLite).
# glog-style lines are "<severity><mmdd> <time> <thread> <file>:<line>] <text>"; every info
# (I) line is informational, warnings only these known ones.
_GLOG_PREFIX = r"[IW]\d{4} [\d:.]+ +\d+ "
INFORMATIONAL_LOG_LINES: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in (
    r"WARNING: Logging before InitGoogle\(\) is written to STDERR",
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"INFO: Created TensorFlow Lite XNNPACK delegate for CPU\.",
    r"I\d{4} [\d:.]+ +\d+ .*",
    _GLOG_PREFIX + r"face_landmarker_graph\.cc:\d+\] Sets FaceBlendshapesGraph acceleration to xnnpack by default\.",
    _GLOG_PREFIX + r"inference_feedback_manager\.cc:\d+\] Feedback manager requires a model with a single signature "
    r"inference\. Disabling support for feedback tensors\.",
))


def _failure(message: str) -> TrackerError:
    return TrackerError(f"FaceTracker.track: {message}")


class FaceTracker:
    """MediaPipe Face Landmarker with track ids that stay with a face across frames."""

    def __init__(self, options: FaceTrackerOptions | None = None) -> None:
        self.options = options or FaceTrackerOptions()
        path = self.options.model_path
        self._model = str(path if path is not None else model_path("face_landmarker"))
        if path is not None and not Path(path).is_file():
            raise TrackerError(f"FaceTrackerOptions.model_path: file {path} does not exist")
        self._video: vision.FaceLandmarker | None = None
        self._image: vision.FaceLandmarker | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._last_timestamp_ms = -1
        self._ids = TrackIds(self.options.iou_match, self.options.keep_missing_frames)
        self._blendshapes = self.options.blendshapes
        self._head_pose = self.options.head_pose
        video = self.options.running_mode == "video"
        predicting = self.options.schedule == "predict" and video
        self._predictor = LandmarkPredictor(self.options.max_interval) if predicting else None
        self._async = (AsyncDetections(self.options.max_interval, self._ids, self._detect, self._prepare, _failure)
                       if self.options.schedule == "async" and video else None)
        self.detected_frames = 0
        self.predicted_frames = 0

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> FaceTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Join the detection worker (``"async"``) and release MediaPipe (an unclosed landmarker
        raises at interpreter exit)."""
        with self._lock:
            self._closed = True
            if self._async is not None:
                self._async.close()
            for landmarker in (self._video, self._image):
                if landmarker is not None:
                    landmarker.close()
            self._video = self._image = None

    def reset(self) -> None:
        """Start a new stream: forget track ids and timestamps (e.g. after switching source)."""
        with self._lock:
            if self._async is not None:
                self._async.reset()  # waits for a detection in flight: it uses the landmarker
            if self._video is not None:
                self._video.close()
                self._video = None
            self._last_timestamp_ms = -1
            self._ids.reset()
            if self._predictor is not None:
                self._predictor.reset()

    def set_blendshapes(self, on: bool) -> None:
        """Score expressions from the next frame on (or stop): the landmarkers are made again
        (track ids and timestamps carry on)."""
        self._set_outputs(on, self._head_pose)

    def set_head_pose(self, on: bool) -> None:
        """Compute yaw and pitch (the facial transformation matrix) from the next frame on, or stop."""
        self._set_outputs(self._blendshapes, on)

    def _set_outputs(self, blendshapes: bool, head_pose: bool) -> None:
        with self._lock:
            if (blendshapes, head_pose) == (self._blendshapes, self._head_pose):
                return
            self._blendshapes, self._head_pose = blendshapes, head_pose
            if self._async is not None:
                self._async.reset()
            for landmarker in (self._video, self._image):
                if landmarker is not None:
                    landmarker.close()
            self._video = self._image = None
            if self._predictor is not None:
                self._predictor.reset()  # the next frame is detected, with the new outputs

    @property
    def blendshapes(self) -> bool:
        return self._blendshapes

    @property
    def head_pose(self) -> bool:
        return self._head_pose

    def _landmarker(self, mode: RunningMode) -> vision.FaceLandmarker:
        if self._closed:
            raise TrackerError("FaceTracker: used after close()")
        current = self._video if mode == "video" else self._image
        if current is not None:
            return current
        o = self.options
        with filtered_stderr(INFORMATIONAL_LOG_LINES):
            created = vision.FaceLandmarker.create_from_options(
                vision.FaceLandmarkerOptions(
                    base_options=BaseOptions(model_asset_path=self._model),
                    running_mode=vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE,
                    num_faces=o.max_faces,
                    min_face_detection_confidence=float(o.min_detection_confidence),
                    min_face_presence_confidence=float(o.min_presence_confidence),
                    min_tracking_confidence=float(o.min_tracking_confidence),
                    output_face_blendshapes=self._blendshapes,
                    output_facial_transformation_matrixes=self._head_pose,
                )
            )
        if mode == "video":
            self._video = created
        else:
            self._image = created
        return created

    # -- use -------------------------------------------------------------------------------

    def track(self, frame: Frame) -> Frame:
        """The frame with its faces as tracks; ids follow faces from the previous frames."""
        if not isinstance(frame, Frame):
            raise TrackerError(f"FaceTracker.track: expected a Frame, found {type(frame).__name__}")
        with self._lock:
            if self._closed:
                raise TrackerError("FaceTracker: used after close()")
            if self.options.running_mode == "video" and frame.timestamp_ms <= self._last_timestamp_ms:
                raise TrackerError(
                    f"FaceTracker.track: frame {frame.index} has timestamp {frame.timestamp_ms} ms, expected more "
                    f"than the previous {self._last_timestamp_ms} ms (VIDEO mode); call reset() for a new stream"
                )
            if self._async is not None:
                step = self._async.track(frame)
                self._last_timestamp_ms = frame.timestamp_ms
                self.detected_frames += step.detections
                self.predicted_frames += step.predicted
                return frame.with_tracks(step.tracks, predicted=step.predicted)
            if self._predictor is not None:
                predicted = self._predictor.predict(frame.pixels)
                if predicted is not None:
                    # MediaPipe's own tracking is not told about this frame: its next detection
                    # follows from the last frame it saw, as after a dropped frame.
                    self._last_timestamp_ms = frame.timestamp_ms
                    self._ids.moved(predicted.tracks)
                    self.predicted_frames += 1
                    return frame.with_tracks(predicted.tracks, predicted=True)
            tracks = tuple(self._ids.assign(self._detect(frame)))
            if self._predictor is not None:
                self._predictor.detected(frame.pixels, tracks)
            self.detected_frames += 1
        return frame.with_tracks(tracks)

    def _detect(self, frame: Frame) -> list[FaceTrack]:
        image = _mp_image(frame.pixels)
        if self.options.running_mode == "video":
            faces = _run(self._landmarker("video"), image, frame.timestamp_ms)
            self._last_timestamp_ms = frame.timestamp_ms
        else:
            faces = _run(self._landmarker("image"), image, None)
        return _to_tracks(faces, frame.width, frame.height)

    def _prepare(self, frame: Frame) -> Callable[[], list[FaceTrack]]:
        """A VIDEO-mode detection of ``frame`` to run on another thread (a Frame's pixels are
        read-only, so the worker copies them into MediaPipe's image itself)."""
        landmarker, pixels = self._landmarker("video"), frame.pixels
        timestamp_ms, width, height = frame.timestamp_ms, frame.width, frame.height
        return lambda: _to_tracks(_run(landmarker, _mp_image(pixels), timestamp_ms), width, height)

    def detect(self, rgb: np.ndarray) -> list[FaceTrack]:
        """Faces in one still RGB uint8 image (IMAGE mode), ids 0, 1, ... by size."""
        if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            found = f"{rgb.shape} {rgb.dtype}" if isinstance(rgb, np.ndarray) else type(rgb).__name__
            raise TrackerError(f"FaceTracker.detect: expected an (H, W, 3) uint8 RGB array, found {found}")
        with self._lock:
            faces = _run(self._landmarker("image"), _mp_image(rgb), None)
        tracks = _to_tracks(faces, rgb.shape[1], rgb.shape[0])
        tracks.sort(key=lambda t: -t.box.width * t.box.height)
        return [with_id(t, i) for i, t in enumerate(tracks)]

def mesh_connections() -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """MediaPipe's (tesselation, contours) edge lists as index pairs, for drawing the mesh."""
    c = vision.FaceLandmarksConnections
    tesselation = tuple((e.start, e.end) for e in c.FACE_LANDMARKS_TESSELATION)
    contours = tuple((e.start, e.end) for e in c.FACE_LANDMARKS_CONTOURS)
    return tesselation, contours


def connection_lists() -> dict[str, tuple[tuple[int, int], ...]]:
    """MediaPipe's named feature connection lists (checked against effects' stored copies)."""
    c = vision.FaceLandmarksConnections
    names = ("FACE_OVAL", "LIPS", "LEFT_EYE", "RIGHT_EYE", "LEFT_EYEBROW", "RIGHT_EYEBROW", "LEFT_IRIS",
             "RIGHT_IRIS", "NOSE")
    return {n: tuple((e.start, e.end) for e in getattr(c, f"FACE_LANDMARKS_{n}")) for n in names}


# -- the one conversion from MediaPipe results to FaceTracks ---------------------------------


def _mp_image(rgb: np.ndarray) -> mp.Image:
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


@dataclass(frozen=True, slots=True)
class _RawFace:
    """One face as MediaPipe gives it: (478, 3) float32 normalised landmarks, the 4x4 facial
    transformation matrix (None unless asked for) and the blendshape scores (empty unless asked for)."""

    landmarks: np.ndarray
    matrix: np.ndarray | None
    scores: dict[str, float]


def _run(landmarker: vision.FaceLandmarker, image: mp.Image, timestamp_ms: int | None) -> list[_RawFace]:
    """Run the landmarker on one image (``timestamp_ms`` None: IMAGE mode).

    MediaPipe's Python result turns every landmark into a Python object (about 1 ms a face);
    where this MediaPipe's C result layout is the one checked at import (``_C_LAYOUT_OK``),
    the C result is read straight into arrays instead, and released at once.
    """
    lib = getattr(landmarker, "_lib", None)
    if not _C_LAYOUT_OK or lib is None or not hasattr(image, "_image_ptr"):
        result = landmarker.detect(image) if timestamp_ms is None else landmarker.detect_for_video(image, timestamp_ms)
        return _faces_of(result)
    result_c = face_landmarker.MpFaceLandmarkerResultC()
    handle, pointer = landmarker._handle, image._image_ptr  # noqa: SLF001 - checked layout, pinned MediaPipe
    if timestamp_ms is None:
        lib.MpFaceLandmarkerDetectImage(handle, pointer, None, ctypes.byref(result_c))
    else:
        lib.MpFaceLandmarkerDetectForVideo(handle, pointer, None, timestamp_ms, ctypes.byref(result_c))
    try:
        return _faces_of_c(result_c)
    finally:
        lib.MpFaceLandmarkerCloseResult(ctypes.byref(result_c))


def _c_layout_ok() -> bool:
    """Whether MediaPipe's C landmark is x, y, z float32 at offsets 0, 4, 8 of a 4-byte-aligned record."""
    c = getattr(face_landmarker, "landmark_c_lib", None)
    record = getattr(c, "MpNormalizedLandmarkC", None)
    if record is None or not hasattr(face_landmarker, "MpFaceLandmarkerResultC"):
        return False
    fields = dict((name, kind) for name, kind, *_ in record._fields_)
    return (all(fields.get(axis) is ctypes.c_float for axis in "xyz")
            and (record.x.offset, record.y.offset, record.z.offset) == (0, 4, 8) and ctypes.sizeof(record) % 4 == 0)


_C_LAYOUT_OK = _c_layout_ok()
_C_RECORD_FLOATS = ctypes.sizeof(face_landmarker.landmark_c_lib.MpNormalizedLandmarkC) // 4 if _C_LAYOUT_OK else 0


def _faces_of_c(result_c: Any) -> list[_RawFace]:
    faces: list[_RawFace] = []
    for i in range(result_c.face_landmarks_count):
        landmarks_c = result_c.face_landmarks[i]
        n = int(landmarks_c.landmarks_count)
        if n != N_LANDMARKS:
            raise TrackerError(f"MediaPipe returned {n} landmarks for a face, expected {N_LANDMARKS}")
        floats = (ctypes.c_float * (n * _C_RECORD_FLOATS)).from_address(ctypes.addressof(landmarks_c.landmarks.contents))
        records = np.ctypeslib.as_array(floats).reshape(n, _C_RECORD_FLOATS)  # a view: copied below
        matrix = (result_c.facial_transformation_matrixes[i].to_numpy()
                  if i < result_c.facial_transformation_matrixes_count else None)
        scores: dict[str, float] = {}
        if i < result_c.face_blendshapes_count:
            categories = result_c.face_blendshapes[i]
            for j in range(categories.categories_count):
                c = categories.categories[j]
                scores[(c.category_name or b"").decode("utf-8")] = min(1.0, max(0.0, float(c.score)))
        faces.append(_RawFace(records[:, :3].copy(), matrix, scores))
    return faces


def _faces_of(result: vision.FaceLandmarkerResult) -> list[_RawFace]:
    """The same from MediaPipe's Python result (any MediaPipe version)."""
    matrices: Sequence[np.ndarray] = result.facial_transformation_matrixes or []
    blendshapes = result.face_blendshapes or []
    faces: list[_RawFace] = []
    for i, landmarks in enumerate(result.face_landmarks):
        if len(landmarks) != N_LANDMARKS:
            raise TrackerError(f"MediaPipe returned {len(landmarks)} landmarks for a face, expected {N_LANDMARKS}")
        faces.append(_RawFace(
            np.array([(p.x, p.y, p.z) for p in landmarks], dtype=np.float32),
            np.asarray(matrices[i]) if i < len(matrices) else None,
            {c.category_name: min(1.0, max(0.0, float(c.score))) for c in blendshapes[i]} if i < len(blendshapes) else {},
        ))
    return faces


def _to_tracks(faces: Sequence[_RawFace], width: int, height: int) -> list[FaceTrack]:
    """Raw faces -> FaceTracks with provisional id 0 (ids are assigned by the caller).

    Landmarks: x * width, y * height, z * width (MediaPipe's z shares x's scale). Box: the
    landmark bounds. Pose: from the facial transformation matrix when there is one, else the
    eye line's roll. Blendshapes: name -> score, clipped to [0, 1] (the model's sigmoid outputs
    can be off by float rounding).
    """
    scale = np.array([width, height, width], dtype=np.float32)
    return [
        FaceTrack.from_landmarks(face.landmarks * scale, track_id=0,
                                 pose=HeadPose.from_matrix(face.matrix) if face.matrix is not None else None,
                                 blendshapes=face.scores)
        for face in faces
    ]
