"""The three adult faces the built-in library is rendered on (goldens, smoke tests).

All three are colour photos of adults with cached MediaPipe landmarks
(tests/data/landmarks). The larger pictures are cropped around the face and scaled
to the 225x275 size of the congress portrait, so every golden image is small and the
face fills it the same way.
"""

from __future__ import annotations

import cv2
import numpy as np
from landmark_faces import load_face

from effects.face import FaceTrack

WIDTH, HEIGHT = 225, 275
LIBRARY_FACES = ("us_congress_S000480", "nasa_astronaut_eileen_collins", "usnavy_grace_hopper")


def portrait(stem: str) -> tuple[np.ndarray, FaceTrack]:
    """The face ``stem`` as a 225x275 portrait (face box about 45% of the height) and its track."""
    rgb, track = load_face(stem)
    if rgb.shape[:2] == (HEIGHT, WIDTH):
        return rgb, track
    crop_h = track.box.height / 0.45
    crop_w = crop_h * WIDTH / HEIGHT
    cx, cy = track.box.center
    x0, y0 = int(round(cx - crop_w / 2)), int(round(cy - crop_h * 0.48))
    w, h = int(round(crop_w)), int(round(crop_h))
    pad = max(0, -x0, -y0, x0 + w - rgb.shape[1], y0 + h - rgb.shape[0])
    padded = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    crop = np.ascontiguousarray(padded[y0 + pad : y0 + pad + h, x0 + pad : x0 + pad + w])
    out = cv2.resize(crop, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
    sx, sy = WIDTH / w, HEIGHT / h  # pixel centres map as x' = sx * (x + 0.5) - 0.5
    m = np.array([[sx, 0.0, (sx - 1) / 2 - sx * x0], [0.0, sy, (sy - 1) / 2 - sy * y0]])
    return np.ascontiguousarray(out), track.transformed(m)
