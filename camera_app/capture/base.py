"""The one interface every frame source shares, its typed signals, and ``open_source``.

A source is opened, read frame by frame, and closed (or used as a context manager)::

    with open_source("demo", resolution="720p", seed=3) as source:
        while True:
            try:
                frame = source.read()
            except EndOfStream:
                break

``read`` never returns ``None``: it returns a :class:`~camera_app.frame.Frame` (RGB uint8,
no tracks yet, ``index`` counting from 0, ``timestamp_ms`` strictly increasing), raises
:class:`EndOfStream` when there are no more frames, or raises :class:`SourceError` with a
message naming the source and what went wrong (missing file, corrupt video, camera gone).
"""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from camera_app.frame import Frame

# Output sizes (width, height) of the named resolutions, landscape.
RESOLUTIONS: dict[str, tuple[int, int]] = {
    "480p": (854, 480),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
}

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"})


class SourceError(RuntimeError):
    """A source cannot deliver frames: missing or unreadable file, bad spec, camera gone."""


class EndOfStream(Exception):
    """The source has no more frames (end of a video, a non-looping image, a closed camera)."""


@runtime_checkable
class FrameSource(Protocol):
    """What the pipeline, the CLI and the app need from a source of frames."""

    description: str
    fps: float  # nominal frames per second (pacing, recorders); 0 when unknown

    def open(self) -> None: ...

    def read(self) -> Frame: ...

    def close(self) -> None: ...

    def __enter__(self) -> FrameSource: ...

    def __exit__(self, *exc: object) -> None: ...


class BaseSource(abc.ABC):
    """Shared plumbing: the context manager, open/closed state and frame numbering.

    Subclasses implement ``_open``, ``_next_pixels`` (return RGB pixels and a timestamp in
    ms, or raise EndOfStream / SourceError) and ``_close``. ``read`` wraps the pixels in a
    Frame and checks that timestamps strictly increase.
    """

    description: str = "source"
    fps: float = 0.0

    def __init__(self) -> None:
        self._opened = False
        self._index = 0
        self._last_timestamp_ms = -1

    def open(self) -> None:
        if not self._opened:
            self._open()
            self._opened = True

    def read(self) -> Frame:
        if not self._opened:
            raise SourceError(f"{self.description}: read() before open(); use the source as a context manager")
        pixels, timestamp_ms = self._next_pixels()
        if timestamp_ms <= self._last_timestamp_ms:
            # Sources must never go back in time: the tracker's VIDEO mode requires it.
            raise SourceError(
                f"{self.description}: timestamp {timestamp_ms} ms does not follow {self._last_timestamp_ms} ms"
            )
        frame = Frame(pixels=pixels, index=self._index, timestamp_ms=timestamp_ms)
        self._index += 1
        self._last_timestamp_ms = timestamp_ms
        return frame

    def close(self) -> None:
        if self._opened:
            self._opened = False
            self._close()

    def __enter__(self) -> BaseSource:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def frames_read(self) -> int:
        return self._index

    @abc.abstractmethod
    def _open(self) -> None: ...

    @abc.abstractmethod
    def _next_pixels(self) -> tuple[np.ndarray, int]: ...

    @abc.abstractmethod
    def _close(self) -> None: ...


def resolution_size(resolution: str) -> tuple[int, int]:
    """(width, height) of ``480p``, ``720p`` or ``1080p``."""
    try:
        return RESOLUTIONS[resolution]
    except KeyError:
        raise SourceError(
            f"resolution {resolution!r}: expected one of {', '.join(RESOLUTIONS)}"
        ) from None


def open_source(
    spec: str,
    *,
    resolution: str = "720p",
    seed: int = 0,
    paced: bool = True,
    loop: bool = False,
    max_frames: int | None = None,
) -> BaseSource:
    """Build (not yet open) the source named by ``spec``.

    ``spec`` is ``camera:N`` (a webcam index), ``demo`` (the generated feed), or a path to a
    video or an image file (chosen by suffix). ``resolution`` sizes the demo feed and the camera
    request; ``seed`` makes the demo deterministic; ``paced`` plays videos and the demo at their
    frame rate (off for rendering); ``loop`` restarts a video at its end; ``max_frames`` ends
    an image or demo stream after that many frames (they are endless otherwise).
    """
    if not isinstance(spec, str) or not spec.strip():
        raise SourceError(f"source {spec!r}: expected camera:N, demo, or a video or image path")
    spec = spec.strip()
    width, height = resolution_size(resolution)
    if spec == "demo":
        from camera_app.capture.demo import DemoOptions, DemoSource

        return DemoSource(DemoOptions(resolution=resolution, seed=seed, paced=paced, max_frames=max_frames))
    if spec.startswith("camera:"):
        from camera_app.capture.camera import CameraOptions, CameraSource

        index_text = spec.removeprefix("camera:")
        if not index_text.isdigit():
            raise SourceError(f"source {spec!r}: expected camera:N with N a camera index >= 0, found {index_text!r}")
        return CameraSource(CameraOptions(index=int(index_text), width=width, height=height))
    path = Path(spec).expanduser()
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        from camera_app.capture.image import ImageSource

        return ImageSource(path, max_frames=max_frames)
    if suffix in VIDEO_SUFFIXES:
        from camera_app.capture.video import VideoOptions, VideoSource

        return VideoSource(VideoOptions(path=path, paced=paced, loop=loop))
    raise SourceError(
        f"source {spec!r}: expected camera:N, demo, an image ({', '.join(sorted(IMAGE_SUFFIXES))}) "
        f"or a video ({', '.join(sorted(VIDEO_SUFFIXES))})"
    )
