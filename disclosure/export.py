"""Exports that leave the app: a snapshot (PNG/JPEG) or a recording (MP4), label burned in, signed.

When an appearance-altering effect is active, its label is drawn into the exported pixels
(every frame of a recording) with the same overlay as the live view, so it survives any
re-encoding that strips metadata. Every export is then signed (``provenance.py``) and gets
a JSON sidecar. Everything is atomic: until the signed file replaces the target, all data
lives in dot-named temporary files in the target's folder, removed on any failure.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from disclosure.atomic import ExportError, check_folder, discard_temporary, temporary_path
from disclosure.frame_timing import ConstantRateTimeline, FrameTimingError, Placement
from disclosure.labels import Label
from disclosure.overlay import DisclosureOverlay
from disclosure.provenance import Origin, ProvenanceSigner, SignedExport, mime_for
from effects.classification import ClassificationResult
from effects.face import Box

SNAPSHOT_SUFFIXES = (".png", ".jpg", ".jpeg")


def _check_rgb(target: Path, rgb: np.ndarray) -> None:
    if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        found = f"{rgb.shape} {rgb.dtype}" if isinstance(rgb, np.ndarray) else type(rgb).__name__
        raise ExportError(f"{target}: expected an (H, W, 3) uint8 RGB frame, found {found}")


def _burns(target: Path, label: Label | None, overlay: DisclosureOverlay | None) -> bool:
    """Whether the label goes into the pixels: yes for appearance labels (which then need an
    overlay), no for playful name chips and for no label."""
    if label is None or not label.altering:
        return False
    if overlay is None:
        raise ExportError(f"{target}: an appearance-altering export needs a DisclosureOverlay to burn its label in")
    return True


def _bgr_with_label(
    rgb: np.ndarray, label: Label | None, overlay: DisclosureOverlay | None, boxes: Sequence[Box], burn: bool
) -> np.ndarray:
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)  # a new array: the caller's pixels stay as they are
    if burn:
        assert label is not None and overlay is not None
        overlay.draw_into(bgr[:, :, ::-1], label, boxes)  # an RGB view of the BGR copy
    return bgr


def write_snapshot(
    rgb: np.ndarray,
    target: Path,
    signer: ProvenanceSigner,
    results: Sequence[ClassificationResult] = (),
    label: Label | None = None,
    overlay: DisclosureOverlay | None = None,
    face_boxes: Sequence[Box] = (),
    origin: Origin | None = None,
    jpeg_quality: int = 92,
) -> SignedExport:
    """Write one picture (``.png``, ``.jpg`` or ``.jpeg``) with the label burned in, signed."""
    if target.suffix.lower() not in SNAPSHOT_SUFFIXES:
        raise ExportError(f"{target}: expected a snapshot suffix {', '.join(SNAPSHOT_SUFFIXES)}, found {target.suffix or 'none'!r}")
    if not 1 <= jpeg_quality <= 100:
        raise ExportError(f"{target}: expected jpeg_quality in [1, 100], found {jpeg_quality}")
    _check_rgb(target, rgb)
    check_folder(target)
    burn = _burns(target, label, overlay)
    bgr = _bgr_with_label(rgb, label, overlay, face_boxes, burn)
    params = [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality] if mime_for(target) == "image/jpeg" else []
    ok, encoded = cv2.imencode(target.suffix.lower(), bgr, params)
    if not ok:
        raise ExportError(f"{target}: OpenCV could not encode the picture")
    return signer.sign(io.BytesIO(encoded.tobytes()), target, results, label, burn, origin)


@dataclass(frozen=True, slots=True)
class Mp4RecorderOptions:
    """``target``: the .mp4 to make; ``fps``: its frame rate; ``results``/``label``: the
    active effects and their label (burned into every frame when appearance-altering, unless
    ``label_drawn_upstream`` says the frames already show it: then no overlay is needed and the
    manifest still records the label as burned in)."""

    target: Path
    fps: float
    results: tuple[ClassificationResult, ...] = ()
    label: Label | None = None
    origin: Origin | None = None
    label_drawn_upstream: bool = False  # the frames already carry the label (a pipeline stage drew it)
    max_hold_ms: int = 2000  # with timestamps: the longest gap filled by repeating a frame

    def __post_init__(self) -> None:
        if self.target.suffix.lower() != ".mp4":
            raise ExportError(f"{self.target}: expected a .mp4 target, found {self.target.suffix or 'no suffix'!r}")
        if not (isinstance(self.fps, (int, float)) and 0 < self.fps <= 240):
            raise ExportError(f"{self.target}: expected fps in (0, 240], found {self.fps!r}")
        if isinstance(self.max_hold_ms, bool) or not isinstance(self.max_hold_ms, int) or self.max_hold_ms < 0:
            raise ExportError(f"{self.target}: expected max_hold_ms an int >= 0, found {self.max_hold_ms!r}")


class Mp4Recorder:
    """Records frames to an MP4 (OpenCV ``mp4v``), burning the label into each, and signs it on close.

    Frames written with their ``timestamp_ms`` are placed on the video's constant rate
    (``frame_timing.ConstantRateTimeline``: gaps repeat the previous frame, frames faster than
    the rate are dropped), so a live recording plays at real speed however slowly frames were
    processed; without timestamps each frame is one frame of the video.

    Use as a context manager: leaving the block normally closes and signs; an exception aborts
    (no file is left). ``close`` returns the :class:`SignedExport`.
    """

    def __init__(self, options: Mp4RecorderOptions, signer: ProvenanceSigner, overlay: DisclosureOverlay | None) -> None:
        check_folder(options.target)
        self.options = options
        self._signer = signer
        self._overlay = overlay
        upstream = options.label_drawn_upstream and options.label is not None and options.label.altering
        self._burn = False if upstream else _burns(options.target, options.label, overlay)
        self._burned_in = upstream or self._burn
        self._raw = temporary_path(options.target, suffix=".mp4")  # OpenCV picks the container from the suffix
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None
        self.frames_written = 0  # frames in the video (repeats included)
        self.frames_dropped = 0  # frames given with a timestamp that no slot of the rate needed
        self._timeline: ConstantRateTimeline | None = None
        self._timed: bool | None = None  # whether this recording's frames come with timestamps
        self._last_bgr: np.ndarray | None = None
        self.result: SignedExport | None = None

    @property
    def burns_label(self) -> bool:
        """Whether the recorder draws the label itself."""
        return self._burn

    def write(self, rgb: np.ndarray, face_boxes: Sequence[Box] = (), timestamp_ms: int | None = None) -> None:
        """Add a frame; with ``timestamp_ms`` (for every frame of the recording or none) it is placed
        by its time, so it may be dropped or the previous frame repeated before it."""
        target = self.options.target
        _check_rgb(target, rgb)
        placement = self._place(timestamp_ms)
        if not placement.write:
            self.frames_dropped += 1
            return
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        if self._writer is None:
            if self.result is not None:
                raise ExportError(f"{target}: the recording is already closed")
            writer = cv2.VideoWriter(str(self._raw), cv2.VideoWriter.fourcc(*"mp4v"), float(self.options.fps), size)
            if not writer.isOpened():
                writer.release()
                discard_temporary(self._raw)
                raise ExportError(f"{target}: OpenCV cannot open an mp4v encoder")
            self._writer, self._size = writer, size
        elif size != self._size:
            assert self._size is not None
            raise ExportError(
                f"{target}: frame {self.frames_written} is {size[0]}x{size[1]}, expected "
                f"{self._size[0]}x{self._size[1]} like the first frame"
            )
        if self._overlay is not None and self.frames_written == 0:
            self._overlay.reset()  # a new stream: the label starts at its preferred corner
        if self._last_bgr is not None:
            for _ in range(placement.repeat_previous):
                self._writer.write(self._last_bgr)
            self.frames_written += placement.repeat_previous
        bgr = _bgr_with_label(rgb, self.options.label, self._overlay, face_boxes, self._burn)
        self._writer.write(bgr)
        self._last_bgr = bgr
        self.frames_written += 1

    def _place(self, timestamp_ms: int | None) -> Placement:
        timed = timestamp_ms is not None
        if self._timed is None:
            self._timed = timed
            if timed:
                self._timeline = ConstantRateTimeline(self.options.fps, self.options.max_hold_ms)
        elif timed != self._timed:
            raise ExportError(f"{self.options.target}: frame {self.frames_written + self.frames_dropped}: "
                              f"expected {'a' if self._timed else 'no'} timestamp like the first frame")
        if self._timeline is None or timestamp_ms is None:
            return Placement(0, True)
        try:
            return self._timeline.place(timestamp_ms)
        except FrameTimingError as exc:
            raise ExportError(f"{self.options.target}: {exc}") from None

    def close(self) -> SignedExport:
        """Finish the video, check it, sign it into the target and write the sidecar."""
        target = self.options.target
        if self.result is not None:
            return self.result
        if self._writer is None:
            raise ExportError(f"{target}: no frames were recorded")
        self._writer.release()
        self._writer = None
        try:
            counted = _frame_count(self._raw)
            if counted != self.frames_written:
                raise ExportError(
                    f"{target}: the encoder wrote {counted} of {self.frames_written} frames (disk full?)"
                )
            with open(self._raw, "rb") as raw:
                self.result = self._signer.sign(
                    raw, target, self.options.results, self.options.label, self._burned_in, self.options.origin
                )
        except OSError as exc:
            raise ExportError(f"{target}: reading the recorded video failed: {exc}") from exc
        finally:
            discard_temporary(self._raw)
        return self.result

    def abort(self) -> None:
        """Stop without a file: the temporary video is removed, the target is untouched."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self._last_bgr = None
        discard_temporary(self._raw)

    def __enter__(self) -> Mp4Recorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _frame_count(path: Path) -> int:
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            return 0
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()
