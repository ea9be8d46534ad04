"""The face type every stage shares: one ``FaceTrack`` per tracked face.

Landmarks are MediaPipe Face Landmarker's 478 points converted to pixels of the
frame they were found in (x, y in pixels; z scaled by the frame width, as
MediaPipe does, so all three axes share a unit). Everything downstream (effect
ops, the classifier, age alignment, the overlay) reads only this type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

N_LANDMARKS = 478

# Landmarks used for head roll when no transformation matrix is known.
_RIGHT_EYE_OUTER = 33  # subject's right eye, appears on the image left
_LEFT_EYE_OUTER = 263


class FaceTrackError(ValueError):
    """A FaceTrack was built from values of the wrong shape, type or range."""


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box in pixels: x0 <= x1, y0 <= y1."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        values = (self.x0, self.y0, self.x1, self.y1)
        if not all(math.isfinite(v) for v in values):
            raise FaceTrackError(f"Box: expected finite coordinates, found {values}")
        if self.x1 < self.x0 or self.y1 < self.y0:
            raise FaceTrackError(f"Box: expected x0 <= x1 and y0 <= y1, found {values}")

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def center(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)

    def intersects(self, other: Box) -> bool:
        return not (
            other.x0 >= self.x1 or other.x1 <= self.x0 or other.y0 >= self.y1 or other.y1 <= self.y0
        )

    def expanded(self, margin_px: float) -> Box:
        return Box(self.x0 - margin_px, self.y0 - margin_px, self.x1 + margin_px, self.y1 + margin_px)


@dataclass(frozen=True, slots=True)
class HeadPose:
    """Head rotation in degrees, signs as seen in an unmirrored image (x right, y down):

    - ``yaw_deg`` > 0: the face turns toward the image right (its nose moves right);
    - ``pitch_deg`` > 0: the face tilts down (chin toward the chest);
    - ``roll_deg``: the angle of the line from the subject's right eye to its left eye in
      image coordinates, so > 0 is a clockwise tilt on screen. ``from_matrix`` and
      ``FaceTrack.from_landmarks`` (eye line) agree on it.
    """

    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0

    @classmethod
    def from_matrix(cls, matrix: np.ndarray) -> HeadPose:
        """Euler angles from MediaPipe's 4x4 facial transformation matrix (rotation part)."""
        m = np.asarray(matrix, dtype=np.float64)
        if m.shape != (4, 4) or not np.all(np.isfinite(m)):
            raise FaceTrackError(f"HeadPose: expected a finite 4x4 matrix, found shape {m.shape}")
        r = m[:3, :3]
        scale = np.linalg.norm(r[:, 0])
        if scale <= 0:
            raise FaceTrackError("HeadPose: the transformation matrix has no rotation part")
        r = r / scale
        pitch = math.degrees(math.atan2(r[2, 1], r[2, 2]))
        yaw = math.degrees(math.asin(max(-1.0, min(1.0, -r[2, 0]))))
        # MediaPipe's model space has y up; the image has y down, which mirrors the roll sign.
        roll = -math.degrees(math.atan2(r[1, 0], r[0, 0]))
        return cls(yaw_deg=yaw, pitch_deg=pitch, roll_deg=roll)


@dataclass(frozen=True, slots=True)
class FaceTrack:
    """One tracked face in one frame.

    ``landmarks_px`` is a read-only (478, 3) float32 array in pixels. ``box`` is the
    landmark bounding box. ``track_id`` stays the same for the same face across frames.
    """

    track_id: int
    landmarks_px: np.ndarray
    box: Box
    pose: HeadPose = HeadPose()
    blendshapes: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not isinstance(self.track_id, int) or isinstance(self.track_id, bool) or self.track_id < 0:
            raise FaceTrackError(f"FaceTrack.track_id: expected an int >= 0, found {self.track_id!r}")
        lm = self.landmarks_px
        if not isinstance(lm, np.ndarray):
            raise FaceTrackError(f"FaceTrack.landmarks_px: expected a numpy array, found {type(lm).__name__}")
        if lm.shape != (N_LANDMARKS, 3) or lm.dtype != np.float32:
            raise FaceTrackError(
                f"FaceTrack.landmarks_px: expected ({N_LANDMARKS}, 3) float32, found {lm.shape} {lm.dtype}"
            )
        if not np.all(np.isfinite(lm)):
            raise FaceTrackError("FaceTrack.landmarks_px: expected finite values, found NaN or inf")
        if lm.flags.writeable:
            lm = lm.copy()
            lm.flags.writeable = False
            object.__setattr__(self, "landmarks_px", lm)
        if not isinstance(self.box, Box):
            raise FaceTrackError(f"FaceTrack.box: expected a Box, found {type(self.box).__name__}")
        for name, value in self.blendshapes.items():
            if not (isinstance(value, float) and 0.0 <= value <= 1.0):
                raise FaceTrackError(f"FaceTrack.blendshapes[{name!r}]: expected a float in [0, 1], found {value!r}")
        if not isinstance(self.blendshapes, MappingProxyType):
            object.__setattr__(self, "blendshapes", MappingProxyType(dict(self.blendshapes)))

    @classmethod
    def from_landmarks(
        cls,
        landmarks_px: np.ndarray,
        track_id: int = 0,
        pose: HeadPose | None = None,
        blendshapes: Mapping[str, float] | None = None,
    ) -> FaceTrack:
        """Build a track from landmarks alone: the box is their bounds; without a pose,
        roll comes from the line through the outer eye corners."""
        lm = np.ascontiguousarray(landmarks_px, dtype=np.float32)
        if lm.shape != (N_LANDMARKS, 3):
            raise FaceTrackError(f"FaceTrack.landmarks_px: expected ({N_LANDMARKS}, 3), found {lm.shape}")
        xy = lm[:, :2]
        box = Box(float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max()))
        if pose is None:
            dx, dy = xy[_LEFT_EYE_OUTER] - xy[_RIGHT_EYE_OUTER]
            pose = HeadPose(roll_deg=math.degrees(math.atan2(float(dy), float(dx))))
        return cls(track_id=track_id, landmarks_px=lm, box=box, pose=pose, blendshapes=blendshapes or {})

    @property
    def xy(self) -> np.ndarray:
        """The (478, 2) pixel positions."""
        return self.landmarks_px[:, :2]

    @property
    def interocular_px(self) -> float:
        """Distance between the outer eye corners, the unit for face-relative sizes."""
        return float(np.linalg.norm(self.xy[_LEFT_EYE_OUTER] - self.xy[_RIGHT_EYE_OUTER]))

    @property
    def face_width_px(self) -> float:
        """Width across the face oval at the cheekbones (landmarks 234 and 454)."""
        return float(np.linalg.norm(self.xy[454] - self.xy[234]))

    def transformed(self, matrix_2x3: np.ndarray, track_id: int | None = None) -> FaceTrack:
        """The same face after an affine image transform (used by the demo feed and tests)."""
        m = np.asarray(matrix_2x3, dtype=np.float64)
        xy1 = np.concatenate([self.xy.astype(np.float64), np.ones((N_LANDMARKS, 1))], axis=1)
        new_xy = xy1 @ m.T
        scale = math.sqrt(abs(np.linalg.det(m[:, :2])))
        lm = np.concatenate([new_xy, self.landmarks_px[:, 2:3] * scale], axis=1).astype(np.float32)
        return FaceTrack.from_landmarks(
            lm, track_id=self.track_id if track_id is None else track_id, blendshapes=self.blendshapes
        )
