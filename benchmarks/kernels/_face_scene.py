"""A test frame with one face and its landmarks, for the warp and smoothing kernel cases.

An adult public-domain portrait (assets/faces) scaled so the face is about 42% of the
frame height (as in the demo feed), centred on a grey frame of the size asked for. Its
MediaPipe landmarks ship with the benchmarks (``_data/<face>.landmarks.npy``: (478, 3)
float32 pixels of the image as loaded, a copy of the cache tests/data/make_landmarks.py
made), so the kernel cases need neither the tracker nor the tests folder.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from effects.face import FaceTrack

REPO = Path(__file__).resolve().parents[2]
FACE = "nasa_astronaut_eileen_collins"
FACE_IMAGE = REPO / "assets" / "faces" / f"{FACE}.jpg"
FACE_LANDMARKS = Path(__file__).resolve().parent / "_data" / f"{FACE}.landmarks.npy"
FACE_HEIGHT_FRACTION = 0.42


def face_scene(height: int, width: int) -> tuple[np.ndarray, FaceTrack]:
    """An (height, width, 3) uint8 RGB frame and the FaceTrack of its face."""
    bgr = cv2.imread(str(FACE_IMAGE), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f"kernel benchmark scene: expected the face image {FACE_IMAGE}, found none")
    if not FACE_LANDMARKS.is_file():
        raise FileNotFoundError(f"kernel benchmark scene: expected the landmarks {FACE_LANDMARKS}, found none")
    landmarks = np.load(FACE_LANDMARKS, allow_pickle=False)
    if landmarks.shape != (478, 3) or landmarks.dtype != np.float32:
        raise ValueError(f"{FACE_LANDMARKS}: expected (478, 3) float32 landmarks, found {landmarks.shape} {landmarks.dtype}")
    track = FaceTrack.from_landmarks(landmarks)
    scale = FACE_HEIGHT_FRACTION * height / track.box.height
    cx, cy = track.box.center
    # Scale about the face centre and move it to the frame centre, in one affine map.
    m = np.array([[scale, 0.0, width / 2 - scale * cx], [0.0, scale, height / 2 - scale * cy]])
    frame = cv2.warpAffine(bgr, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                           borderValue=(96, 96, 96))
    return np.ascontiguousarray(frame[:, :, ::-1]), track.transformed(m)
