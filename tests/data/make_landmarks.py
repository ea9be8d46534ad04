"""One-off: cache MediaPipe Face Landmarker landmarks (pixels) for a few adult public-domain faces.

Run from the repository root: ``.venv/bin/python tests/data/make_landmarks.py``. It writes
``tests/data/landmarks/<face stem>.npy``, (478, 3) float32 in pixels of the image as loaded
(x = normalised x * width, y = normalised y * height, z = normalised z * width), so the
effect tests do not need MediaPipe. Regenerate only when the model or the faces change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions
from mediapipe.tasks.python.vision import FaceLandmarker, FaceLandmarkerOptions, RunningMode

REPO = Path(__file__).resolve().parents[2]
FACES = (
    "nasa_astronaut_eileen_collins.jpg",
    "usnavy_grace_hopper.jpg",
    "fsaowi_LC-USF33-012762_elderly_man.jpg",
    "us_congress_S000480.jpg",
    "fsaowi_LC-USW3-042236_woman.jpg",
)


def main() -> int:
    out_dir = REPO / "tests" / "data" / "landmarks"
    out_dir.mkdir(parents=True, exist_ok=True)
    options = FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(REPO / "assets" / "models" / "face_landmarker.task")),
        running_mode=RunningMode.IMAGE,
        num_faces=1,
    )
    with FaceLandmarker.create_from_options(options) as landmarker:
        for name in FACES:
            bgr = cv2.imread(str(REPO / "assets" / "faces" / name), cv2.IMREAD_COLOR)
            if bgr is None:
                print(f"{name}: cannot read", file=sys.stderr)
                return 1
            h, w = bgr.shape[:2]
            rgb = np.ascontiguousarray(bgr[:, :, ::-1])
            result = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
            if not result.face_landmarks:
                print(f"{name}: no face found", file=sys.stderr)
                return 1
            lm = np.array([(p.x * w, p.y * h, p.z * w) for p in result.face_landmarks[0]], np.float32)
            np.save(out_dir / (Path(name).stem + ".npy"), lm)
            print(f"{name}: {lm.shape} x {lm[:, 0].min():.0f}..{lm[:, 0].max():.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
