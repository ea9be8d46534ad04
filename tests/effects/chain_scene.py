"""A fixed two-face scene for whole-stack pixel checks (``test_inplace_chain.py``).

Two of the library portraits side by side (450x275), each with its cached landmarks moved to
its place, so every built-in effect runs on two faces of one frame, as in a group shot.
"""

from __future__ import annotations

import cv2
import numpy as np
from library_faces import portrait

from effects.face import FaceTrack

SCENE_FACES = ("us_congress_S000480", "nasa_astronaut_eileen_collins")


def two_face_scene() -> tuple[np.ndarray, tuple[FaceTrack, ...]]:
    """The (275, 450, 3) frame and its two face tracks (track ids 0 and 1)."""
    parts = [portrait(stem) for stem in SCENE_FACES]
    rgb = np.ascontiguousarray(np.concatenate([p[0] for p in parts], axis=1))
    tracks = []
    x = 0
    for i, (image, track) in enumerate(parts):
        tracks.append(track.transformed(np.array([[1.0, 0.0, float(x)], [0.0, 1.0, 0.0]]), track_id=i))
        x += image.shape[1]
    return rgb, tuple(tracks)


class SceneSegmenter:
    """A fixed person mask for the scene, from its face tracks (no model: the pixels a golden holds
    must not depend on a model's arithmetic): around each face an ellipse 1.5 times the face's
    width, from well above the brow down to the frame's bottom edge, softened over a few pixels."""

    def __init__(self, tracks: tuple[FaceTrack, ...]) -> None:
        self.tracks = tracks

    def person_mask(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        mask = np.zeros((h, w), np.float32)
        for track in self.tracks:
            xy = track.landmarks_px[:, :2]
            (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
            centre = (int(round((x0 + x1) / 2)), int(round(y1)))
            axes = (int(round(0.75 * (x1 - x0))), int(round(1.6 * (y1 - y0))))
            cv2.ellipse(mask, centre, axes, 0.0, 0.0, 360.0, 1.0, -1)
            mask[int(round(y1)):, max(0, centre[0] - axes[0]):centre[0] + axes[0]] = 1.0
        return cv2.GaussianBlur(mask, (0, 0), 2.0)
