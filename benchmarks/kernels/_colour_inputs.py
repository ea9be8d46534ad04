"""Shared inputs of the colour, LUT, style and sticker kernel comparisons.

A real photograph (a public-domain portrait from assets/faces) scaled to cover the
frame, so value-dependent kernels (LUT gathers, gates) see natural colours, and
soft elliptical masks the size a region has on a face filling about half the frame
height (the size of the ROIs the ops work in).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np

PHOTO = Path(__file__).resolve().parents[2] / "assets" / "faces" / "nasa_astronaut_eileen_collins.jpg"


@cache
def photo_frame(height: int, width: int) -> np.ndarray:
    """An (h, w, 3) uint8 RGB frame: the photo scaled to cover it, centre-cropped (read-only)."""
    bgr = cv2.imread(str(PHOTO), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(PHOTO)
    scale = max(height / bgr.shape[0], width / bgr.shape[1])
    big = cv2.resize(bgr, (int(np.ceil(bgr.shape[1] * scale)), int(np.ceil(bgr.shape[0] * scale))),
                     interpolation=cv2.INTER_CUBIC)
    y0 = (big.shape[0] - height) // 2
    x0 = (big.shape[1] - width) // 2
    rgb = np.ascontiguousarray(big[y0:y0 + height, x0:x0 + width, ::-1])
    rgb.flags.writeable = False
    return rgb


def face_roi(height: int, width: int, frac_h: float, frac_w: float) -> tuple[int, int, int, int]:
    """A centred ROI (y0, y1, x0, x1) of the given fractions of the frame's height and width."""
    rh, rw = max(2, int(height * frac_h)), max(2, int(width * frac_w))
    y0, x0 = (height - rh) // 2, (width - rw) // 2
    return y0, y0 + rh, x0, x0 + rw


def soft_ellipse(h: int, w: int, feather_frac: float = 0.2) -> np.ndarray:
    """A float32 (h, w) mask: 1 inside an inscribed ellipse, falling to 0 at its edge, 0 in the corners."""
    yy = (np.arange(h, dtype=np.float32) - (h - 1) / 2) / (h / 2)
    xx = (np.arange(w, dtype=np.float32) - (w - 1) / 2) / (w / 2)
    d = np.sqrt(yy[:, None] ** 2 + xx[None, :] ** 2)
    t = np.clip((1.0 - d) / feather_frac, 0.0, 1.0)
    return np.ascontiguousarray((t * t * (3.0 - 2.0 * t)).astype(np.float32))
