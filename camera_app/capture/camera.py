"""A webcam read by OpenCV on its own thread, through a one-slot mailbox.

The capture thread always keeps only the newest frame: when the consumer is slower than the
camera, older frames are dropped (and counted in ``dropped_frames``) instead of queueing up,
so the preview never lags behind. Device problems never raise on the capture thread: a
camera that cannot be opened, or that stops delivering frames, makes the next ``read`` raise
a :class:`SourceError` saying so. The app may then call :meth:`CameraSource.reconnect`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

from camera_app.capture.base import BaseSource, EndOfStream, SourceError


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the source uses (tests pass a fake)."""

    def isOpened(self) -> bool: ...  # noqa: N802 (OpenCV's name)

    def read(self) -> tuple[bool, Any]: ...

    def set(self, prop: int, value: float) -> bool: ...

    def release(self) -> None: ...


@dataclass(frozen=True, slots=True)
class CameraOptions:
    """``index``: the camera number (``camera:N``). ``width``/``height``/``fps``: what to ask
    the camera for (it may deliver something else). ``read_timeout_s``: how long ``read``
    waits for a frame before calling the camera gone. ``max_failed_reads``: consecutive
    failed grabs after which the camera counts as disconnected."""

    index: int = 0
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    read_timeout_s: float = 3.0
    max_failed_reads: int = 5

    def __post_init__(self) -> None:
        if isinstance(self.index, bool) or not isinstance(self.index, int) or self.index < 0:
            raise SourceError(f"CameraOptions.index: expected an int >= 0, found {self.index!r}")
        if not self.read_timeout_s > 0:
            raise SourceError(f"CameraOptions.read_timeout_s: expected > 0, found {self.read_timeout_s!r}")
        if isinstance(self.max_failed_reads, bool) or not isinstance(self.max_failed_reads, int) or (
            self.max_failed_reads < 1
        ):
            raise SourceError(f"CameraOptions.max_failed_reads: expected an int >= 1, found {self.max_failed_reads!r}")


def _opencv_capture(index: int) -> Capture:
    return cv2.VideoCapture(index)


class CameraSource(BaseSource):
    """A live camera (see the module docstring). ``capture_factory`` builds the capture
    object from the index; the default is ``cv2.VideoCapture``."""

    def __init__(self, options: CameraOptions | None = None,
                 capture_factory: Callable[[int], Capture] = _opencv_capture) -> None:
        super().__init__()
        self.options = options or CameraOptions()
        self.description = f"camera:{self.options.index}"
        self.fps = float(self.options.fps)
        self._factory = capture_factory
        self._cond = threading.Condition()
        self._slot: tuple[np.ndarray, int] | None = None
        self._error: SourceError | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dropped = 0
        self._captured = 0
        self._epoch_s = time.monotonic()  # timestamps count from the first open, across reconnects
        self._last_capture_ms = -1

    @property
    def dropped_frames(self) -> int:
        """Frames the camera delivered that were replaced by a newer one before being read."""
        with self._cond:
            return self._dropped

    @property
    def captured_frames(self) -> int:
        with self._cond:
            return self._captured

    def _open(self) -> None:
        self._start_thread()

    def _close(self) -> None:
        self._stop_thread()

    def reconnect(self) -> None:
        """Release the device and open it again (after a SourceError from ``read``)."""
        if not self._opened:
            raise SourceError(f"{self.description}: reconnect() on a source that is not open")
        self._stop_thread()
        self._start_thread()

    def _start_thread(self) -> None:
        with self._cond:
            self._slot = None
            self._error = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._capture_loop, args=(self._stop,),
                                        name=f"safelens-{self.description}", daemon=True)
        self._thread.start()

    def _stop_thread(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.options.read_timeout_s + 2.0)
            self._thread = None

    def _fail(self, message: str) -> None:
        with self._cond:
            self._error = SourceError(f"{self.description}: {message}")
            self._cond.notify_all()

    def _capture_loop(self, stop: threading.Event) -> None:
        o = self.options
        # OpenCV logs every backend it tries for a missing camera; the SourceError says it once.
        log_level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        try:
            cap = self._factory(o.index)
        except cv2.error as exc:
            self._fail(f"cannot be opened ({exc})")
            return
        finally:
            cv2.utils.logging.setLogLevel(log_level)
        try:
            if not cap.isOpened():
                self._fail("cannot be opened: no such camera, or it is busy or not permitted")
                return
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, float(o.width))
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, float(o.height))
            cap.set(cv2.CAP_PROP_FPS, float(o.fps))
            failed = 0
            while not stop.is_set():
                ok, bgr = cap.read()
                if not ok or bgr is None:
                    failed += 1
                    if failed >= o.max_failed_reads:
                        self._fail(f"stopped delivering frames after {failed} failed reads (disconnected?)")
                        return
                    time.sleep(0.01)
                    continue
                failed = 0
                if not (isinstance(bgr, np.ndarray) and bgr.ndim == 3 and bgr.shape[2] == 3 and bgr.dtype == np.uint8):
                    found = f"{bgr.shape} {bgr.dtype}" if isinstance(bgr, np.ndarray) else type(bgr).__name__
                    self._fail(f"delivered a frame of {found}, expected (H, W, 3) uint8")
                    return
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                rgb.flags.writeable = False
                self._post(rgb)
        finally:
            cap.release()

    def _post(self, rgb: np.ndarray) -> None:
        timestamp_ms = int((time.monotonic() - self._epoch_s) * 1000.0)
        timestamp_ms = max(timestamp_ms, self._last_capture_ms + 1)  # two grabs in one ms: keep order
        self._last_capture_ms = timestamp_ms
        with self._cond:
            if self._slot is not None:
                self._dropped += 1
            self._slot = (rgb, timestamp_ms)
            self._captured += 1
            self._cond.notify_all()

    def _next_pixels(self) -> tuple[np.ndarray, int]:
        deadline = time.monotonic() + self.options.read_timeout_s
        with self._cond:
            while self._slot is None:
                if self._error is not None:
                    raise self._error
                if self._stop.is_set():
                    raise EndOfStream(f"{self.description}: closed")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SourceError(
                        f"{self.description}: no frame for {self.options.read_timeout_s:g} s (camera stalled?)"
                    )
                self._cond.wait(remaining)
            pixels, timestamp_ms = self._slot
            self._slot = None
        return pixels, timestamp_ms
