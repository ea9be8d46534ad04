"""The one frame type that flows through the pipeline."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from effects.face import FaceTrack


class FrameError(ValueError):
    """A Frame was built from values of the wrong shape, type or range."""


@dataclass(frozen=True, slots=True)
class Frame:
    """RGB uint8 pixels (H, W, 3), read-only, with their position in the stream and the faces in them.

    ``landmarks_predicted``: the tracks were predicted from an earlier frame's (the tracker's
    landmark schedule, ``camera_app.tracking.schedule``) rather than detected in this one."""

    pixels: np.ndarray
    index: int
    timestamp_ms: int
    tracks: tuple[FaceTrack, ...] = ()
    landmarks_predicted: bool = False

    def __post_init__(self) -> None:
        px = self.pixels
        if not isinstance(px, np.ndarray) or px.ndim != 3 or px.shape[2] != 3 or px.dtype != np.uint8:
            found = f"{px.shape} {px.dtype}" if isinstance(px, np.ndarray) else type(px).__name__
            raise FrameError(f"Frame.pixels: expected an (H, W, 3) uint8 RGB array, found {found}")
        if px.shape[0] < 1 or px.shape[1] < 1:
            raise FrameError(f"Frame.pixels: expected a non-empty image, found {px.shape}")
        if px.flags.writeable or not px.flags.c_contiguous:
            # Own a private read-only copy so no one can change a frame after the fact;
            # producers that hand over a read-only contiguous array avoid the copy.
            px = np.array(px, copy=True, order="C")
            px.flags.writeable = False
            object.__setattr__(self, "pixels", px)
        if isinstance(self.index, bool) or not isinstance(self.index, int) or self.index < 0:
            raise FrameError(f"Frame.index: expected an int >= 0, found {self.index!r}")
        if isinstance(self.timestamp_ms, bool) or not isinstance(self.timestamp_ms, int) or self.timestamp_ms < 0:
            raise FrameError(f"Frame.timestamp_ms: expected an int >= 0, found {self.timestamp_ms!r}")
        if not isinstance(self.tracks, tuple) or not all(isinstance(t, FaceTrack) for t in self.tracks):
            raise FrameError("Frame.tracks: expected a tuple of FaceTrack")
        if not isinstance(self.landmarks_predicted, bool):
            raise FrameError(f"Frame.landmarks_predicted: expected True or False, found {self.landmarks_predicted!r}")

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    def with_tracks(self, tracks: tuple[FaceTrack, ...], predicted: bool = False) -> Frame:
        return dataclasses.replace(self, tracks=tracks, landmarks_predicted=predicted)

    def with_pixels(self, pixels: np.ndarray) -> Frame:
        return dataclasses.replace(self, pixels=pixels)
