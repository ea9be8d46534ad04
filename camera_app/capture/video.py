"""A video file as a stream, paced at its frame rate (live preview) or as fast as it decodes.

The frame size the container states is checked against the source pixel budget
(``camera_app.capture.image_file.MAX_SOURCE_PIXELS``) before any frame is decoded. FFmpeg's
own log lines ("moov atom not found") are silenced (``OPENCV_FFMPEG_LOGLEVEL``, unless the
environment sets it): a damaged file ends in one ``SourceError`` that names it instead.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from camera_app.capture.base import BaseSource, EndOfStream, SourceError
from camera_app.capture.image_file import MAX_SOURCE_PIXELS

FALLBACK_FPS = 30.0  # used (and shown in the description) when the file states no usable rate
# Ending before this share of the stated frame count means the file is damaged (counts from
# container headers can be a little off, so a short shortfall is not an error).
TRUNCATED_FRACTION = 0.95


@dataclass(frozen=True, slots=True)
class VideoOptions:
    """``paced``: ``read`` waits until the frame's time (like a player); off for rendering.
    ``loop``: start again at the end (timestamps keep increasing)."""

    path: Path
    paced: bool = True
    loop: bool = False


class VideoSource(BaseSource):
    """Frames of a video file decoded with OpenCV; RGB, timestamps from the frame rate."""

    def __init__(self, options: VideoOptions) -> None:
        super().__init__()
        self.options = options
        self.path = Path(options.path)
        self.description = f"video {self.path}"
        self.fps = FALLBACK_FPS
        self.frame_count = 0  # as stated by the file (0 when unknown)
        self._cap: cv2.VideoCapture | None = None
        self._frame_no = 0  # frames delivered, over all loops
        self._frames_this_pass = 0
        self._start_s = 0.0

    def _open(self) -> None:
        if not self.path.exists():
            raise SourceError(f"video {self.path}: file not found")
        if not self.path.is_file():
            raise SourceError(f"video {self.path}: not a file")
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # read by OpenCV when it opens a file
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"video {self.path}: cannot be opened (corrupt, truncated, or not a video)")
        width, height = cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)
        if math.isfinite(width) and math.isfinite(height) and width * height > MAX_SOURCE_PIXELS:
            cap.release()
            raise SourceError(
                f"video {self.path}: frames of {int(width)}x{int(height)} px are over the limit of "
                f"{MAX_SOURCE_PIXELS / 1e6:.0f} megapixels; scale the video down (to 3840x2160, say) and try again"
            )
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        if math.isfinite(fps) and 1.0 <= fps <= 240.0:
            self.fps = fps
        else:
            self.description = f"video {self.path} (no usable frame rate; assuming {FALLBACK_FPS:g} fps)"
        count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.frame_count = int(count) if math.isfinite(count) and count > 0 else 0
        self._cap = cap
        self._frame_no = 0
        self._frames_this_pass = 0
        self._start_s = time.monotonic()

    def _decode(self) -> np.ndarray | None:
        assert self._cap is not None
        try:
            ok, bgr = self._cap.read()
        except cv2.error as exc:
            raise SourceError(f"video {self.path}: decoding failed at frame {self._frames_this_pass}: {exc}") from exc
        if not ok or bgr is None:
            return None
        if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
            raise SourceError(
                f"video {self.path}: frame {self._frames_this_pass} decoded as {bgr.shape} {bgr.dtype}, "
                "expected (H, W, 3) uint8"
            )
        return bgr

    def _next_pixels(self) -> tuple[np.ndarray, int]:
        bgr = self._decode()
        if bgr is None:
            if self._frames_this_pass == 0:
                raise SourceError(f"video {self.path}: no frame could be decoded (corrupt or empty video)")
            if self.frame_count and self._frames_this_pass < TRUNCATED_FRACTION * self.frame_count - 1:
                raise SourceError(
                    f"video {self.path}: decoding stopped after {self._frames_this_pass} of the "
                    f"{self.frame_count} frames the file states (truncated or corrupt)"
                )
            if self.options.loop:
                assert self._cap is not None
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                self._frames_this_pass = 0
                bgr = self._decode()
                if bgr is None:
                    raise SourceError(f"video {self.path}: cannot seek back to the first frame to loop")
            else:
                raise EndOfStream(f"{self.description}: ended after {self._frame_no} frames")
        n = self._frame_no
        if self.options.paced:
            wait_s = self._start_s + n / self.fps - time.monotonic()
            if wait_s > 0:
                time.sleep(wait_s)
        self._frame_no = n + 1
        self._frames_this_pass += 1
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        return rgb, int(round(n * 1000.0 / self.fps))

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
