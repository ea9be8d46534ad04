"""Person segmentation with MediaPipe's selfie model: the only module that runs a TFLite model.

``PersonSegmenter`` turns an RGB frame into a person mask (``effects.segmentation``'s
Protocol)::

    with PersonSegmenter(SegmenterOptions(running_mode="video")) as seg:
        mask = seg.person_mask(rgb)   # (H, W) float32 in [0, 1], 1 = the person

The vendored ``selfie_segmentation.tflite`` (hash-checked by ``camera_app.models``) carries no
metadata, so MediaPipe's tasks ``ImageSegmenter`` gets its input normalisation wrong (NaN or 0
masks); OpenCV's TFLite reader runs it here with the normalisation done by hand: the frame
resized to 256x256, RGB scaled to [0, 1], NCHW. The output is one sigmoid channel.

Edges: the 256x256 mask is refined by a fast guided filter (He and Sun) on the grey frame, so
its edges follow the picture's: the filter's linear coefficients come from box means on the grey
frame shrunk to ``working_side_px`` (its longer side), are resized to ``detail_side_px``, and
there give ``mask = a * grey + b``; that mask is resized once to the frame. (A colour guide at
full resolution, the first version, cost about four times as much and matched the hand masks no
better.) In VIDEO mode the refined mask (at the detail size) is smoothed over time (exponential
moving average with weight ``temporal_smoothing`` on the previous mask, reset when the frame
size changes), so a still person's edge does not crawl under sensor noise; with
``model_interval`` n > 1 the model runs on every n-th frame only and the frames between reuse its
output, refined on their own pixels (``LIVE_OPTIONS``, the effect stage's, uses 3: the model is most of the cost).
The model's 256x256 input is area-averaged from the frame in two steps (a whole factor first,
OpenCV's fast path). IMAGE mode keeps no history (the classifier and thumbnails: the same picture
always gives the same mask).

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
    working_side_px: int = 320  # the guided filter's coefficients are computed at this longer side at most
    guide_radius_px: int = 4  # at the working size
    detail_side_px: int = 640  # the mask follows the grey frame at this longer side at most, then is resized
    guide_eps: float = 1e-3
    model_interval: int = 1  # VIDEO: run the model on every n-th frame (the refinement runs on each)

    def __post_init__(self) -> None:
        if self.running_mode not in ("video", "image"):
            raise SegmenterError(f"running_mode: expected 'video' or 'image', found {self.running_mode!r}")
        if not 0.0 <= self.temporal_smoothing <= 0.95:
            raise SegmenterError(f"temporal_smoothing: expected a number in [0, 0.95], found {self.temporal_smoothing}")
        if not 64 <= self.working_side_px <= self.detail_side_px <= 4096:
            raise SegmenterError("working_side_px, detail_side_px: expected 64 <= working <= detail <= 4096, "
                                 f"found {self.working_side_px}, {self.detail_side_px}")
        if not 1 <= self.model_interval <= 8:
            raise SegmenterError(f"model_interval: expected 1-8, found {self.model_interval}")
        if not 1 <= self.guide_radius_px <= 64 or not 0.0 < self.guide_eps <= 1.0:
            raise SegmenterError("guide_radius_px: expected 1-64 and guide_eps in (0, 1]")


# The live preview's segmenter (the effect stage's, and the bench's measure of it): the model on
# every third frame, the refinement and smoothing on each.
LIVE_OPTIONS = SegmenterOptions(running_mode="video", model_interval=3)


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
        small = _model_input(rgb)
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
        grey = _shrunk(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), opts.detail_side_px)
        a, b = self._coefficients(grey, low)
        if a.shape != grey.shape:
            size = (grey.shape[1], grey.shape[0])
            a = cv2.resize(a, size, interpolation=cv2.INTER_LINEAR)
            b = cv2.resize(b, size, interpolation=cv2.INTER_LINEAR)
        refined = np.asarray(a * (grey.astype(np.float32) * np.float32(1.0 / 255.0)) + b, np.float32)
        if opts.running_mode == "video":
            # Smoothed after the refinement: the guide's sensor noise moves the edge too.
            if self._previous is not None and self._previous_shape == rgb.shape:
                refined = np.asarray(cv2.addWeighted(self._previous, opts.temporal_smoothing, refined,
                                                     1.0 - opts.temporal_smoothing, 0.0), np.float32)
            self._previous, self._previous_shape = refined, rgb.shape
        if refined.shape != (h, w):
            refined = np.asarray(cv2.resize(refined, (w, h), interpolation=cv2.INTER_LINEAR), np.float32)
        if not np.all(np.isfinite(refined)):
            raise SegmenterError("the refined person mask has NaN or infinite values")
        try:
            return check_person_mask(np.clip(refined, 0.0, 1.0), rgb.shape)
        except PersonMaskError as exc:
            raise SegmenterError(str(exc)) from exc

    def _coefficients(self, grey: np.ndarray, low: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The guided filter's linear coefficients (mask = a * grey + b) at the working size: He
        and Sun's fast guided filter, its box means on the grey guide shrunk to ``working_side_px``."""
        opts = self.options
        small = _shrunk(grey, opts.working_side_px)
        guide = small.astype(np.float32) * np.float32(1.0 / 255.0)
        mask = cv2.resize(low, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
        k = (2 * opts.guide_radius_px + 1,) * 2

        def mean(x: np.ndarray) -> np.ndarray:
            return np.asarray(cv2.boxFilter(x, cv2.CV_32F, k, borderType=cv2.BORDER_REFLECT), np.float32)

        mean_i, mean_p = mean(guide), mean(mask)
        var = mean(guide * guide) - mean_i * mean_i
        a = (mean(guide * mask) - mean_i * mean_p) / (var + np.float32(opts.guide_eps))
        b = mean_p - a * mean_i
        return mean(a), mean(b)


def _shrunk(image: np.ndarray, side_px: int) -> np.ndarray:
    """``image`` area-averaged so that its longer side is at most ``side_px``."""
    h, w = image.shape[:2]
    scale = side_px / max(h, w)
    if scale >= 1.0:
        return image
    return cv2.resize(image, (max(1, int(round(w * scale))), max(1, int(round(h * scale)))),
                      interpolation=cv2.INTER_AREA)


def _model_input(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` area-averaged to the model's 256x256: first by a whole factor (OpenCV's fast
    path), then the rest of the way."""
    h, w = rgb.shape[:2]
    k = max(1, min(h, w) // MODEL_SIDE_PX)
    if k > 1:
        rgb = cv2.resize(rgb, (w // k, h // k), interpolation=cv2.INTER_AREA)
    return cv2.resize(rgb, (MODEL_SIDE_PX, MODEL_SIDE_PX), interpolation=cv2.INTER_AREA)


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
