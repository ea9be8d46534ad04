"""Frames of a phone's front camera from any source: the centre of each frame, cropped to the
camera's aspect and scaled to its size (a landscape webcam or video seen through a portrait
phone). ``description`` says what is done, for the HUD."""

from __future__ import annotations

import cv2
import numpy as np

from camera_app.capture.base import BaseSource, SourceError


def centre_crop_box(width: int, height: int, aspect_w: int, aspect_h: int) -> tuple[int, int, int, int]:
    """The largest (x, y, w, h) of aspect ``aspect_w:aspect_h`` centred in a ``width`` x ``height`` frame."""
    if width * aspect_h > height * aspect_w:  # too wide: keep the full height
        w = max(1, round(height * aspect_w / aspect_h))
        return ((width - w) // 2, 0, w, height)
    h = max(1, round(width * aspect_h / aspect_w))
    return (0, (height - h) // 2, width, h)


def crop_to(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``pixels`` centre-cropped to ``size``'s aspect and resized to ``size`` (width, height)."""
    height, width = pixels.shape[:2]
    x, y, w, h = centre_crop_box(width, height, *size)
    crop = pixels[y:y + h, x:x + w]
    if (w, h) == size:
        return np.ascontiguousarray(crop)
    shrink = w > size[0]
    return cv2.resize(crop, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


class FramedSource(BaseSource):
    """``inner``'s frames cropped and scaled to ``size`` (width, height)."""

    def __init__(self, inner: BaseSource, size: tuple[int, int]) -> None:
        super().__init__()
        if size[0] < 16 or size[1] < 16:
            raise SourceError(f"framed source: expected a size of at least 16x16 px, found {size[0]}x{size[1]}")
        self.inner = inner
        self.size = size
        self.fps = inner.fps
        self.description = f"{inner.description}, cropped to {size[0]}x{size[1]}"

    def _open(self) -> None:
        self.inner.open()
        self.fps = self.inner.fps

    def _next_pixels(self) -> tuple[np.ndarray, int]:
        frame = self.inner.read()
        height, width = frame.pixels.shape[:2]
        if (width, height) != self.size:
            _, _, w, h = centre_crop_box(width, height, *self.size)
            self.description = (f"{self.inner.description}: centre {w}x{h} of {width}x{height}, "
                                f"{'as is' if (w, h) == self.size else 'scaled'} to {self.size[0]}x{self.size[1]}")
        pixels = crop_to(frame.pixels, self.size)
        pixels.flags.writeable = False
        return pixels, frame.timestamp_ms

    def _close(self) -> None:
        self.inner.close()
