"""A test frame with one face and its landmarks, for the warp and smoothing kernel cases.

An adult public-domain portrait (assets/faces) scaled so the face is about 42% of the
frame height (as in the demo feed), centred on a grey frame of the size asked for, with
its MediaPipe landmarks cached in tests/data/landmarks (made by tests/data/make_landmarks.py,
so the benchmark needs no tracker).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from effects.face import FaceTrack

REPO = Path(__file__).resolve().parents[2]
FACE = "nasa_astronaut_eileen_collins"
FACE_HEIGHT_FRACTION = 0.42


def face_scene(height: int, width: int) -> tuple[np.ndarray, FaceTrack]:
    """An (height, width, 3) uint8 RGB frame and the FaceTrack of its face."""
    image_path = REPO / "assets" / "faces" / f"{FACE}.jpg"
    landmarks_path = REPO / "tests" / "data" / "landmarks" / f"{FACE}.npy"
    bgr = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
    if bgr is None or not landmarks_path.exists():
        raise FileNotFoundError(f"kernel benchmark scene: expected {image_path} and {landmarks_path} (a source checkout)")
    track = FaceTrack.from_landmarks(np.load(landmarks_path))
    scale = FACE_HEIGHT_FRACTION * height / track.box.height
    cx, cy = track.box.center
    # Scale about the face centre and move it to the frame centre, in one affine map.
    m = np.array([[scale, 0.0, width / 2 - scale * cx], [0.0, scale, height / 2 - scale * cy]])
    frame = cv2.warpAffine(bgr, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                           borderValue=(96, 96, 96))
    return np.ascontiguousarray(frame[:, :, ::-1]), track.transformed(m)
