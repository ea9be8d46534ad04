"""A fixed two-face scene for whole-stack pixel checks (``test_inplace_chain.py``).

Two of the library portraits side by side (450x275), each with its cached landmarks moved to
its place, so every built-in effect runs on two faces of one frame, as in a group shot.
"""

from __future__ import annotations

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
