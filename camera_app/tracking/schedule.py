"""Landmark scheduling: which frames the landmarker runs on, and the landmarks of the others.

MediaPipe's landmarker costs several milliseconds a frame; a face between two frames mostly
moves rigidly. With ``FaceTrackerOptions.schedule = "predict"`` the tracker detects a frame and
then *predicts* the next ones here (``"async"`` predicts every frame here and runs the
detections beside them: ``camera_app.tracking.async_detection``):

1. the region around the detected faces is turned into a small grey image (scaled so the
   inter-ocular distance is about 64 px, its mean brightness normalised so auto-exposure
   changes do not read as motion); the region is fixed at each detection, with a margin for
   the motion until the next one;
2. pyramidal Lucas-Kanade optical flow (``cv2.calcOpticalFlowPyrLK``) follows a few dozen
   well-textured, rigid mesh points of each face (eye corners, brows, nose, cheeks, forehead,
   chin) from the previous frame, checked forward and backward;
3. a similarity transform (``cv2.estimateAffinePartial2D`` with RANSAC) is fitted to the
   points that followed, and moves the whole 478-point mesh (x, y; z scaled with it).

The tracker detects again (:class:`Prediction` is ``None``) when the fit is poor (too few
points followed, too few RANSAC inliers, a high residual), when motion is fast (large shift,
turn or zoom since the previous frame), after ``max_interval - 1`` predicted frames in a row,
and on every frame without a face (so a face entering is found at once; one entering beside a
tracked face is found at the next scheduled detection, at most ``max_interval - 1`` frames later).
Expressions (blendshapes) and yaw/pitch are those of the last detection.

NumPy and OpenCV only; MediaPipe stays in ``tracker.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from effects.face import N_LANDMARKS, FaceTrack, HeadPose

Schedule = Literal["every", "predict", "async"]
SCHEDULES: tuple[Schedule, ...] = ("every", "predict", "async")
# Chosen from `safelens bench`'s landmarks part: predicted frames are as close to the ground
# truth as detected ones at 3 and at 6; 3 keeps mouth and eyelids (which a rigid fit does not
# move) at most two frames behind. "predict" over "async": both have the same landmark error and
# jitter, and "async" cuts the tracker's wall time per frame at p95 (1.7-2.1 ms instead of
# 8.1-10.7 at 1080p, load ~4), but in the pipelined bench on two cores the glam frame time is set
# by the effect stage on the frame thread, which "async"'s third busy thread (the detection
# worker) slows: frame-time medians 0-3 ms higher at 720p, p95 no better, and 0.4-0.7 ms more
# CPU a frame (2026-12-07, loads 4-10; see DESIGN.md). "async" pays where cores outnumber the
# busy threads or the tracker is the bottleneck.
DEFAULT_SCHEDULE: Schedule = "predict"
DEFAULT_MAX_INTERVAL = 3

# Mesh points that move with the skull and sit on texture (eye corners, brows, nose bridge and
# wings, cheeks, forehead, chin), not on the mouth or eyelids, and inside the face oval so the
# background never drags them.
ANCHORS: tuple[int, ...] = (
    33, 133, 263, 362,            # eye corners
    70, 105, 107, 300, 334, 336,  # brows
    6, 168, 197, 195, 5, 4, 1,    # nose bridge and tip
    98, 327, 64, 294,             # nose wings
    50, 280, 117, 346, 123, 352,  # cheeks
    151, 9, 108, 337,             # forehead
    199, 175, 18,                 # chin
)
WORK_IOD_PX = 64.0  # the inter-ocular distance in the grey image optical flow runs on
REGION_MARGIN = 0.35  # of the faces' box size, on each side of it
LK_WINDOW = (15, 15)
LK_LEVELS = 3
FB_MAX_PX = 0.5  # forward-backward disagreement (work pixels) above which a point is dropped
MIN_FOLLOWED = 0.6  # share of anchors that must follow
MIN_INLIERS = 0.7  # share of followed anchors the fit must explain
MAX_RESIDUAL_IOD = 0.02  # median fit residual of the inliers, in inter-ocular distances
FAST_SHIFT_IOD = 0.25  # per-frame shift of the face centre, in inter-ocular distances
FAST_TURN_DEG = 4.0
FAST_ZOOM = 0.05


@dataclass(frozen=True, slots=True)
class Prediction:
    """Predicted tracks for one frame, and how well the fit explained the followed points."""

    tracks: tuple[FaceTrack, ...]
    inlier_share: float
    residual_iod: float
    moves: tuple[np.ndarray, ...] = ()  # per face (in ``tracks`` order), the 2x3 frame-pixel map applied


@dataclass(frozen=True, slots=True)
class Region:
    """Where flow runs: frame pixels [x0, x1) x [y0, y1), scaled by ``scale`` (work px per frame px)."""

    x0: int
    y0: int
    x1: int
    y1: int
    scale: float

    @classmethod
    def around(cls, tracks: tuple[FaceTrack, ...], width: int, height: int) -> Region | None:
        if not tracks:
            return None
        x0 = min(t.box.x0 for t in tracks)
        y0 = min(t.box.y0 for t in tracks)
        x1 = max(t.box.x1 for t in tracks)
        y1 = max(t.box.y1 for t in tracks)
        margin = REGION_MARGIN * max(x1 - x0, y1 - y0)
        iod = min(t.interocular_px for t in tracks)
        scale = min(1.0, WORK_IOD_PX / max(iod, 1.0))
        region = cls(max(0, int(x0 - margin)), max(0, int(y0 - margin)), min(width, int(math.ceil(x1 + margin))),
                     min(height, int(math.ceil(y1 + margin))), scale)
        return region if region.x1 - region.x0 >= 16 and region.y1 - region.y0 >= 16 else None

    def grey(self, rgb: np.ndarray) -> np.ndarray:
        """The region of ``rgb`` as a small grey image, mean brightness normalised to 128."""
        grey = cv2.cvtColor(rgb[self.y0:self.y1, self.x0:self.x1], cv2.COLOR_RGB2GRAY)
        size = (max(1, round((self.x1 - self.x0) * self.scale)), max(1, round((self.y1 - self.y0) * self.scale)))
        # Halve with a Gaussian pyramid, then the rest bilinearly: anti-aliased at a tenth of
        # the cost of OpenCV's area resampling by a fractional factor.
        while grey.shape[1] >= 2 * size[0] and grey.shape[0] >= 2 * size[1]:
            grey = cv2.pyrDown(grey)
        if (grey.shape[1], grey.shape[0]) != size:
            grey = cv2.resize(grey, size, interpolation=cv2.INTER_LINEAR)
        mean = float(cv2.mean(grey)[0])
        return cv2.convertScaleAbs(grey, alpha=128.0 / mean) if mean > 1.0 else grey

    def to_work(self, xy: np.ndarray) -> np.ndarray:
        return ((xy - (self.x0, self.y0)) * self.scale).astype(np.float32)

    def to_frame(self, matrix: np.ndarray) -> np.ndarray:
        """A 2x3 map between work images as the same map between frames."""
        full = matrix.astype(np.float64).copy()
        offset = np.array([self.x0, self.y0], dtype=np.float64)
        full[:, 2] = full[:, 2] / self.scale + offset - full[:, :2] @ offset
        return full


class LandmarkPredictor:
    """Follows the faces of the last detected (or predicted) frame into the next one."""

    def __init__(self, max_interval: int) -> None:
        self.max_interval = max_interval
        self._grey: np.ndarray | None = None
        self._region: Region | None = None
        self._tracks: tuple[FaceTrack, ...] = ()
        self._since_detection = 0

    def reset(self) -> None:
        self._grey = self._region = None
        self._tracks = ()
        self._since_detection = 0

    def detected(self, rgb: np.ndarray, tracks: tuple[FaceTrack, ...]) -> None:
        """``rgb`` was detected and has these faces: predictions start from it."""
        self._region = Region.around(tracks, rgb.shape[1], rgb.shape[0])
        self._grey = self._region.grey(rgb) if self._region is not None else None
        self._tracks = tracks
        self._since_detection = 0

    def due(self) -> bool:
        """Whether the next frame must be detected whatever the flow says."""
        return self._grey is None or not self._tracks or self._since_detection + 1 >= self.max_interval

    def predict(self, rgb: np.ndarray) -> Prediction | None:
        """The faces in ``rgb`` (the frame after the last one seen), or None: detect this frame."""
        region = self._region
        if self.due() or self._grey is None or region is None:
            return None
        grey = region.grey(rgb)
        ids = np.asarray(ANCHORS)
        before = np.concatenate([region.to_work(t.xy[ids]) for t in self._tracks])
        points = before.reshape(-1, 1, 2)
        after, ok, _ = cv2.calcOpticalFlowPyrLK(self._grey, grey, points, points.copy(), winSize=LK_WINDOW,
                                                maxLevel=LK_LEVELS)
        back, ok_back, _ = cv2.calcOpticalFlowPyrLK(grey, self._grey, after, points.copy(), winSize=LK_WINDOW,
                                                    maxLevel=LK_LEVELS)
        fb_error = np.linalg.norm(back.reshape(-1, 2) - before, axis=1)
        good = (ok.ravel() == 1) & (ok_back.ravel() == 1) & (fb_error < FB_MAX_PX)
        after = after.reshape(-1, 2)
        out: list[FaceTrack] = []
        moves: list[np.ndarray] = []
        inlier_shares, residuals = [], []
        for k, track in enumerate(self._tracks):
            span = slice(k * len(ids), (k + 1) * len(ids))
            moved = _fit(before[span], after[span], good[span], track, region)
            if moved is None:
                return None
            new_track, full, inlier_share, residual_iod = moved
            out.append(new_track)
            moves.append(full)
            inlier_shares.append(inlier_share)
            residuals.append(residual_iod)
        self._grey, self._tracks = grey, tuple(out)
        self._since_detection += 1
        return Prediction(self._tracks, min(inlier_shares), max(residuals), tuple(moves))


def _fit(before: np.ndarray, after: np.ndarray, good: np.ndarray, track: FaceTrack,
         region: Region) -> tuple[FaceTrack, np.ndarray, float, float] | None:
    """One face moved by the similarity fitted to its followed anchors, and that similarity as
    a 2x3 map of frame pixels (None: detect instead)."""
    if good.mean() < MIN_FOLLOWED:
        return None
    iod_work = track.interocular_px * region.scale
    src, dst = before[good], after[good]
    matrix, inliers = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC,
                                                  ransacReprojThreshold=max(0.5, 0.03 * iod_work))
    if matrix is None or inliers is None:
        return None
    inlier = inliers.ravel() == 1
    inlier_share = float(inlier.mean())
    if inlier_share < MIN_INLIERS:
        return None
    fitted = src[inlier] @ matrix[:, :2].T + matrix[:, 2]
    residual_iod = float(np.median(np.linalg.norm(fitted - dst[inlier], axis=1))) / max(iod_work, 1e-6)
    zoom = math.hypot(matrix[0, 0], matrix[1, 0])
    turn_deg = math.degrees(math.atan2(matrix[1, 0], matrix[0, 0]))
    centre = src.mean(axis=0)
    shift_iod = float(np.linalg.norm(centre @ matrix[:, :2].T + matrix[:, 2] - centre)) / max(iod_work, 1e-6)
    if (residual_iod > MAX_RESIDUAL_IOD or shift_iod > FAST_SHIFT_IOD or abs(turn_deg) > FAST_TURN_DEG
            or abs(zoom - 1.0) > FAST_ZOOM):
        return None
    full = region.to_frame(matrix)
    return moved_track(track, full), full, inlier_share, residual_iod


def moved_track(track: FaceTrack, full: np.ndarray) -> FaceTrack:
    """``track`` moved by the similarity ``full`` (2x3, frame pixels): x, y mapped, z scaled by
    its zoom, the roll turned by its angle; id, yaw, pitch and expressions kept."""
    zoom = math.hypot(full[0, 0], full[1, 0])
    turn_deg = math.degrees(math.atan2(full[1, 0], full[0, 0]))
    lm = track.landmarks_px.astype(np.float64)
    moved = np.empty((N_LANDMARKS, 3), dtype=np.float32)
    moved[:, :2] = lm[:, :2] @ full[:, :2].T + full[:, 2]
    moved[:, 2] = lm[:, 2] * zoom
    p = track.pose
    pose = HeadPose(yaw_deg=p.yaw_deg, pitch_deg=p.pitch_deg, roll_deg=p.roll_deg + turn_deg)
    return FaceTrack.from_landmarks(moved, track_id=track.track_id, pose=pose, blendshapes=track.blendshapes)
