"""Adult public-domain faces with cached MediaPipe landmarks (tests/data/landmarks, made by
tests/data/make_landmarks.py), so effect tests run without MediaPipe."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from effects.face import FaceTrack

REPO = Path(__file__).resolve().parents[2]
LANDMARKS_DIR = REPO / "tests" / "data" / "landmarks"
FACES_DIR = REPO / "assets" / "faces"

ADULT_FACES = (
    "nasa_astronaut_eileen_collins",
    "usnavy_grace_hopper",
    "fsaowi_LC-USF33-012762_elderly_man",
)


def load_face(stem: str) -> tuple[np.ndarray, FaceTrack]:
    """The RGB image and its FaceTrack."""
    bgr = cv2.imread(str(FACES_DIR / f"{stem}.jpg"), cv2.IMREAD_COLOR)
    assert bgr is not None, stem
    lm = np.load(LANDMARKS_DIR / f"{stem}.npy")
    return np.ascontiguousarray(bgr[:, :, ::-1]), FaceTrack.from_landmarks(lm)


def resized(rgb: np.ndarray, track: FaceTrack, scale: float) -> tuple[np.ndarray, FaceTrack]:
    """Image and landmarks scaled together (pixel centres stay on integer coordinates)."""
    h, w = rgb.shape[:2]
    nw, nh = round(w * scale), round(h * scale)
    sx, sy = nw / w, nh / h
    out = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    m = np.array([[sx, 0.0, (sx - 1) / 2], [0.0, sy, (sy - 1) / 2]])
    return np.ascontiguousarray(out), track.transformed(m)


def on_canvas(rgb: np.ndarray, track: FaceTrack, height: int = 720, width: int = 1280) -> tuple[np.ndarray, FaceTrack]:
    """The face scaled so it is about 40% of the canvas height, pasted on a grey 720p canvas."""
    scale = 0.4 * height / track.box.height
    img, tr = resized(rgb, track, scale)
    canvas = np.full((height, width, 3), 96, np.uint8)
    cy, cx = (tr.box.y0 + tr.box.y1) / 2, (tr.box.x0 + tr.box.x1) / 2
    dy, dx = int(height / 2 - cy), int(width / 2 - cx)
    h, w = img.shape[:2]
    ys0, xs0 = max(0, -dy), max(0, -dx)
    ys1, xs1 = min(h, height - dy), min(w, width - dx)
    canvas[ys0 + dy:ys1 + dy, xs0 + dx:xs1 + dx] = img[ys0:ys1, xs0:xs1]
    return canvas, tr.transformed(np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]]))
