"""A camera-like source: pre-rendered demo frames stored as YUV, converted to RGB per frame.

A real camera hands over finished frames, usually as YUV 4:2:0 (NV12 on Android and iOS,
I420 from many webcams); what a frame costs the app before the tracker is the conversion to
RGB, not drawing it. The demo feed (``capture/demo.py``) draws every frame, which costs
2-6 ms of CPU per frame that no camera spends. :class:`ReplaySource` draws ``loop_frames``
demo frames once, when it is opened, keeps them as YUV 4:2:0, and on every ``read`` converts
one back to RGB with OpenCV (``COLOR_YUV2RGB_NV12`` or ``_I420``): the cost a camera frame has.

The stored frames are played forwards then backwards (0, 1, ..., n-1, n-2, ..., 1, 0, 1, ...),
so the motion never jumps at the loop's seam (a jump would look like a new face to a
tracker). :meth:`ReplaySource.demo_frame_no` says which demo frame a read frame shows, so the
demo's known camera motion still gives the ground truth of every frame.

Memory: a 4:2:0 frame is 1.5 bytes per pixel: 1.4 MB at 720p, 3.1 MB at 1080p. The default
120 frames (4 s of the demo's hand-held motion; one forward-and-back cycle is 238 frames, about
the bench's 240 measured frames) hold 166 MB at 720p and 373 MB at 1080p.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from camera_app.capture.base import BaseSource, EndOfStream, SourceError
from camera_app.capture.demo import DemoOptions, DemoSource

YUV_LAYOUTS = ("nv12", "i420")
DEFAULT_LOOP_FRAMES = 120
MAX_LOOP_FRAMES = 1000
_TO_YUV = cv2.COLOR_RGB2YUV_I420  # OpenCV has no RGB -> NV12; I420's planes are interleaved below
_TO_RGB = {"nv12": cv2.COLOR_YUV2RGB_NV12, "i420": cv2.COLOR_YUV2RGB_I420}


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    """``demo``: the feed to pre-render (its ``fps``, ``paced`` and ``max_frames`` apply to the
    replay; its ``prefetch`` is ignored). ``loop_frames``: demo frames stored, 2 to 1000.
    ``layout``: ``nv12`` (a phone camera's) or ``i420``."""

    demo: DemoOptions = field(default_factory=DemoOptions)
    loop_frames: int = DEFAULT_LOOP_FRAMES
    layout: str = "nv12"

    def __post_init__(self) -> None:
        if not isinstance(self.demo, DemoOptions):
            raise SourceError(f"ReplayOptions.demo: expected DemoOptions, found {type(self.demo).__name__}")
        if (isinstance(self.loop_frames, bool) or not isinstance(self.loop_frames, int)
                or not 2 <= self.loop_frames <= MAX_LOOP_FRAMES):
            raise SourceError(f"ReplayOptions.loop_frames: expected an int in [2, {MAX_LOOP_FRAMES}], "
                              f"found {self.loop_frames!r}")
        if self.layout not in YUV_LAYOUTS:
            raise SourceError(f"ReplayOptions.layout: expected one of {', '.join(YUV_LAYOUTS)}, found {self.layout!r}")


def rgb_to_yuv420(rgb: np.ndarray, layout: str) -> np.ndarray:
    """An (H, W, 3) RGB frame (even H and W) as one (H * 3 / 2, W) uint8 YUV 4:2:0 buffer."""
    height, width = rgb.shape[:2]
    if height % 2 or width % 2:
        raise SourceError(f"YUV 4:2:0 needs an even frame size, found {width}x{height}")
    i420 = cv2.cvtColor(rgb, _TO_YUV)
    if layout == "i420":
        return i420
    quarter = (height // 2) * (width // 2)
    chroma = i420[height:].reshape(-1)
    nv12 = np.empty_like(i420)
    nv12[:height] = i420[:height]
    uv = nv12[height:].reshape(-1)
    uv[0::2] = chroma[:quarter]  # U
    uv[1::2] = chroma[quarter:]  # V
    return nv12


def yuv420_to_rgb(yuv: np.ndarray, layout: str) -> np.ndarray:
    """The RGB frame of a YUV 4:2:0 buffer from :func:`rgb_to_yuv420` (a new array)."""
    return cv2.cvtColor(yuv, _TO_RGB[layout])


class ReplaySource(BaseSource):
    """Camera-like frames of the demo feed (see the module docstring)."""

    def __init__(self, options: ReplayOptions | None = None) -> None:
        super().__init__()
        self.options = options or ReplayOptions()
        demo = self.options.demo
        self.fps = float(demo.fps)
        self._demo = DemoSource(DemoOptions(
            resolution=demo.resolution, seed=demo.seed, fps=demo.fps, paced=False, face=demo.face,
            face_height_fraction=demo.face_height_fraction, noise_sigma=demo.noise_sigma, prefetch=False,
            size=demo.size))
        self.size = self._demo.size
        self.description = (f"replay of {self._demo.description}: {self.options.loop_frames} frames as "
                            f"{self.options.layout.upper()}")
        self._frames: list[np.ndarray] = []
        self._frame_no = 0
        self._start_s = 0.0

    @property
    def stored_bytes(self) -> int:
        """Memory held by the stored YUV frames (0 before ``open``)."""
        return sum(f.nbytes for f in self._frames)

    def demo_frame_no(self, frame_no: int) -> int:
        """The demo frame shown as frame ``frame_no`` of this source (forwards, then backwards)."""
        n = self.options.loop_frames
        k = frame_no % (2 * n - 2)
        return k if k < n else 2 * n - 2 - k

    def timestamp_ms(self, frame_no: int) -> int:
        return int(round(frame_no * 1000.0 / self.fps))

    def _open(self) -> None:
        with self._demo:
            self._frames = [rgb_to_yuv420(self._demo.render(k), self.options.layout)
                            for k in range(self.options.loop_frames)]
        self._frame_no = 0
        self._start_s = time.monotonic()

    def _close(self) -> None:
        self._frames = []

    def _next_pixels(self) -> tuple[np.ndarray, int]:
        n = self._frame_no
        limit = self.options.demo.max_frames
        if limit is not None and n >= limit:
            raise EndOfStream(f"{self.description}: ended after {n} frames")
        if self.options.demo.paced:
            wait_s = self._start_s + n / self.fps - time.monotonic()
            if wait_s > 0:
                time.sleep(wait_s)
        pixels = yuv420_to_rgb(self._frames[self.demo_frame_no(n)], self.options.layout)
        self._frame_no = n + 1
        pixels.flags.writeable = False
        return pixels, self.timestamp_ms(n)
