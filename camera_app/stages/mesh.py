"""A stage that draws the tracked face mesh, so a person can check the landmarks by eye.

Thin translucent tesselation, brighter feature contours and irises, the face box and the
track id with the head pose. Antialiased lines at sub-pixel precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from camera_app.frame import Frame
from camera_app.tracking.tracker import mesh_connections
from effects.face import FaceTrack

_SHIFT = 4  # sub-pixel bits for cv2 drawing
_ONE = 1 << _SHIFT


@dataclass(frozen=True, slots=True)
class MeshOverlayOptions:
    """Colours are RGB. ``mesh_alpha`` in [0, 1] is the tesselation's opacity."""

    mesh_rgb: tuple[int, int, int] = (200, 200, 200)
    contour_rgb: tuple[int, int, int] = (60, 230, 90)
    iris_rgb: tuple[int, int, int] = (80, 170, 255)
    box_rgb: tuple[int, int, int] = (255, 200, 40)
    mesh_alpha: float = 0.45
    draw_box: bool = True


class MeshOverlay:
    """Pipeline stage ``mesh_overlay``: draws every track of the frame (frames without faces pass)."""

    name = "mesh_overlay"

    def __init__(self, options: MeshOverlayOptions | None = None) -> None:
        self.options = options or MeshOverlayOptions()
        tesselation, contours = mesh_connections()
        self._tesselation = np.array(tesselation, dtype=np.int32)
        self._contours = np.array(contours, dtype=np.int32)
        iris = [(469, 470), (470, 471), (471, 472), (472, 469), (474, 475), (475, 476), (476, 477), (477, 474)]
        self._irises = np.array(iris, dtype=np.int32)

    def __enter__(self) -> MeshOverlay:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def take_notices(self) -> list[str]:
        return []  # nothing to tell the user

    def process(self, frame: Frame) -> Frame:
        if not frame.tracks:
            return frame
        o = self.options
        base = frame.pixels
        mesh = base.copy()
        for track in frame.tracks:
            _lines(mesh, track, self._tesselation, o.mesh_rgb, 1)
        out = cv2.addWeighted(mesh, o.mesh_alpha, base, 1.0 - o.mesh_alpha, 0.0)
        thickness = max(1, int(round(frame.height / 540)))
        for track in frame.tracks:
            _lines(out, track, self._contours, o.contour_rgb, thickness)
            _lines(out, track, self._irises, o.iris_rgb, thickness)
            if o.draw_box:
                _box_and_label(out, track, o.box_rgb, thickness)
        return frame.with_pixels(out)


def _lines(image: np.ndarray, track: FaceTrack, edges: np.ndarray, rgb: tuple[int, int, int], thickness: int) -> None:
    xy = np.rint(track.xy * _ONE).astype(np.int32)
    segments = xy[edges]  # (E, 2, 2)
    cv2.polylines(image, list(segments), isClosed=False, color=rgb, thickness=thickness,
                  lineType=cv2.LINE_AA, shift=_SHIFT)


def _box_and_label(image: np.ndarray, track: FaceTrack, rgb: tuple[int, int, int], thickness: int) -> None:
    b = track.box
    p0 = (int(round(b.x0)), int(round(b.y0)))
    p1 = (int(round(b.x1)), int(round(b.y1)))
    cv2.rectangle(image, p0, p1, rgb, thickness, cv2.LINE_AA)
    p = track.pose
    label = f"#{track.track_id} yaw {p.yaw_deg:+.0f} pitch {p.pitch_deg:+.0f} roll {p.roll_deg:+.0f}"
    scale = max(0.4, image.shape[0] / 1400)
    org = (p0[0], max(12, p0[1] - 6))
    cv2.putText(image, label, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.putText(image, label, org, cv2.FONT_HERSHEY_SIMPLEX, scale, rgb, thickness, cv2.LINE_AA)
