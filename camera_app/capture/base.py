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
