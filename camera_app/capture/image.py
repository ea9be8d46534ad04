"""A still image as a stream: the same picture, frame after frame."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from camera_app.capture.base import BaseSource, EndOfStream, SourceError
from camera_app.capture.image_file import read_image_rgb


class ImageSource(BaseSource):
    """Repeats one image at ``fps`` (timestamps advance as for a video); ends after
    ``max_frames`` frames when given, else never. ``paced`` waits for each frame's time."""

    def __init__(self, path: Path, *, fps: float = 30.0, max_frames: int | None = None, paced: bool = False) -> None:
        super().__init__()
        if max_frames is not None and (isinstance(max_frames, bool) or not isinstance(max_frames, int) or max_frames < 0):
            raise SourceError(f"image {path}: max_frames: expected None or an int >= 0, found {max_frames!r}")
        if not 1.0 <= fps <= 240.0:
            raise SourceError(f"image {path}: fps: expected a number in [1, 240], found {fps!r}")
        self.path = Path(path)
        self.fps = float(fps)
        self.max_frames = max_frames
        self.paced = paced
        self.description = f"image {self.path}"
        self._pixels: np.ndarray | None = None
        self._frame_no = 0
        self._start_s = 0.0

    def _open(self) -> None:
        self._pixels, composited = read_image_rgb(self.path)
        if composited:
            self.description = f"image {self.path} (transparent areas shown on grey)"
        self._frame_no = 0
        self._start_s = time.monotonic()

    def _next_pixels(self) -> tuple[np.ndarray, int]:
        assert self._pixels is not None
        n = self._frame_no
        if self.max_frames is not None and n >= self.max_frames:
            raise EndOfStream(f"{self.description}: ended after {n} frames")
        if self.paced:
            wait_s = self._start_s + n / self.fps - time.monotonic()
            if wait_s > 0:
                time.sleep(wait_s)
        self._frame_no = n + 1
        return self._pixels, int(round(n * 1000.0 / self.fps))

    def _close(self) -> None:
        self._pixels = None
