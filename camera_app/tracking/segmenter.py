"""Person segmentation with MediaPipe's selfie model: the only module that runs a TFLite model.

``PersonSegmenter`` turns an RGB frame into a person mask (``effects.segmentation``'s
Protocol)::

    with PersonSegmenter(SegmenterOptions(running_mode="video")) as seg:
        mask = seg.person_mask(rgb)   # (H, W) float32 in [0, 1], 1 = the person

The vendored ``selfie_segmentation.tflite`` (hash-checked by ``camera_app.models``) carries no
metadata, so MediaPipe's tasks ``ImageSegmenter`` gets its input normalisation wrong (NaN or 0
masks); OpenCV's TFLite reader runs it here with the normalisation done by hand: the frame
resized to 256x256, RGB scaled to [0, 1], NCHW. The output is one sigmoid channel.

Edges: the 256x256 mask is refined by a guided filter on the frame (edges follow the picture's
edges) at a working size whose longer side is at most ``working_side_px``, then resized to the
frame. In VIDEO mode the refined mask (at the working size) is smoothed over time (exponential
moving average with weight ``temporal_smoothing`` on the previous mask, reset when the frame
size changes), so a still person's edge does not crawl under sensor noise; with
``model_interval`` n > 1 the model runs on every n-th frame only and the frames between reuse
its output, refined on their own pixels (the effect stage uses 2: the model is most of the cost). IMAGE mode keeps no history (the
classifier and thumbnails: the same picture always gives the same mask).

A mask with a NaN or a value outside [0, 1] is never returned: ``SegmenterError``.
One net serves one thread at a time (a lock guards it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

import cv2
import numpy as np

from camera_app.models import model_path
from effects.segmentation import PersonMaskError, check_person_mask

MODEL_SIDE_PX = 256
RunningMode = Literal["video", "image"]


class SegmenterError(RuntimeError):
    """The segmenter was given bad options or input, or its model gave an unusable mask."""


@dataclass(frozen=True, slots=True)
class SegmenterOptions:
    running_mode: RunningMode = "image"
    temporal_smoothing: float = 0.6  # VIDEO: weight of the previous mask in [0, 0.95]
    working_side_px: int = 480  # the guided filter runs at this longer side at most
    guide_radius_px: int = 6  # at the working size
    guide_eps: float = 1e-3
    model_interval: int = 1  # VIDEO: run the model on every n-th frame (the refinement runs on each)

    def __post_init__(self) -> None:
        if self.running_mode not in ("video", "image"):
            raise SegmenterError(f"running_mode: expected 'video' or 'image', found {self.running_mode!r}")
        if not 0.0 <= self.temporal_smoothing <= 0.95:
            raise SegmenterError(f"temporal_smoothing: expected a number in [0, 0.95], found {self.temporal_smoothing}")
        if not 64 <= self.working_side_px <= 4096:
            raise SegmenterError(f"working_side_px: expected 64-4096, found {self.working_side_px}")
        if not 1 <= self.model_interval <= 8:
            raise SegmenterError(f"model_interval: expected 1-8, found {self.model_interval}")
        if not 1 <= self.guide_radius_px <= 64 or not 0.0 < self.guide_eps <= 1.0:
            raise SegmenterError("guide_radius_px: expected 1-64 and guide_eps in (0, 1]")


class PersonSegmenter:
    """The vendored selfie segmentation model behind ``person_mask``."""

    def __init__(self, options: SegmenterOptions | None = None) -> None:
        self.options = options or SegmenterOptions()
        path = model_path("selfie_segmentation")
        try:
            self._net = cv2.dnn.readNetFromTFLite(str(path))
        except cv2.error as exc:
            raise SegmenterError(f"{path}: OpenCV cannot read the segmentation model ({exc})") from exc
        self._lock = threading.Lock()
        self._previous: np.ndarray | None = None
        self._previous_shape: tuple[int, ...] = ()
        self._low: np.ndarray | None = None  # VIDEO: the model's last output, reused between runs
        self._frames_since_model = 0
        self._closed = False

    def __enter__(self) -> PersonSegmenter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        self.reset()

    def reset(self) -> None:
        """Forget the previous mask (a new stream starts)."""
        self._previous, self._low = None, None

    def low_res_mask(self, rgb: np.ndarray) -> np.ndarray:
        """The model's 256x256 person confidence for ``rgb``, before smoothing and refinement."""
        if self._closed:
            raise SegmenterError("person_mask: the segmenter is closed")
        if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            found = f"{rgb.shape} {rgb.dtype}" if isinstance(rgb, np.ndarray) else type(rgb).__name__
            raise SegmenterError(f"person_mask: expected an (H, W, 3) uint8 RGB frame, found {found}")
        small = cv2.resize(rgb, (MODEL_SIDE_PX, MODEL_SIDE_PX), interpolation=cv2.INTER_AREA)
        blob = np.ascontiguousarray((small.astype(np.float32) * np.float32(1.0 / 255.0)).transpose(2, 0, 1)[None])
        with self._lock:
            self._net.setInput(blob)
            out = np.asarray(self._net.forward(), np.float32)
        if out.size != MODEL_SIDE_PX * MODEL_SIDE_PX or not np.all(np.isfinite(out)):
            raise SegmenterError(f"the segmentation model gave an unusable output ({out.shape}, "
                                 f"{int(np.count_nonzero(~np.isfinite(out)))} non-finite values)")
        return np.clip(out.reshape(MODEL_SIDE_PX, MODEL_SIDE_PX), 0.0, 1.0)

    def person_mask(self, rgb: np.ndarray) -> np.ndarray:
        """The refined person mask of ``rgb``: (H, W) float32 in [0, 1]."""
        opts = self.options
        low = self._low
        if (opts.running_mode == "video" and low is not None and self._previous_shape == rgb.shape
                and self._frames_since_model < opts.model_interval - 1):
            self._frames_since_model += 1
        else:
            low = self.low_res_mask(rgb)
            if opts.running_mode == "video":  # IMAGE mode keeps nothing: one serves every thread
                self._low, self._frames_since_model = low, 0
        h, w = rgb.shape[:2]
        scale = min(1.0, opts.working_side_px / max(h, w))
        size = (max(1, int(round(w * scale))), max(1, int(round(h * scale))))
        guide = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else rgb
        coarse = cv2.resize(low, size, interpolation=cv2.INTER_LINEAR)
        refined = np.asarray(cv2.ximgproc.guidedFilter(guide, coarse, opts.guide_radius_px,
                                                       opts.guide_eps * 255.0 ** 2), np.float32)
        if opts.running_mode == "video":
            # Smoothed after the refinement: the guide's sensor noise moves the edge too.
            if self._previous is not None and self._previous_shape == rgb.shape:
                keep = np.float32(opts.temporal_smoothing)
                refined = keep * self._previous + (np.float32(1.0) - keep) * refined
            self._previous, self._previous_shape = refined, rgb.shape
        if size != (w, h):
            refined = np.asarray(cv2.resize(refined, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)
        if not np.all(np.isfinite(refined)):
            raise SegmenterError("the refined person mask has NaN or infinite values")
        try:
            return check_person_mask(np.clip(refined, 0.0, 1.0), rgb.shape)
        except PersonMaskError as exc:
            raise SegmenterError(str(exc)) from exc


_shared: PersonSegmenter | None = None
_shared_lock = threading.Lock()


def image_segmenter() -> PersonSegmenter:
    """The process's IMAGE-mode segmenter (no history, so one serves every still-picture caller:
    the classifier, thumbnails, the creator check), made on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PersonSegmenter(SegmenterOptions(running_mode="image"))
        return _shared
