"""Frame sources: a webcam, a video file, an image, and the generated demo feed.

All share :class:`~camera_app.capture.base.FrameSource`; build one from a spec string with
:func:`~camera_app.capture.open.open_source` (``camera:N``, ``demo``, or a path).
"""

from camera_app.capture.base import (
    RESOLUTIONS,
    BaseSource,
    EndOfStream,
    FrameSource,
    SourceError,
    resolution_size,
)
from camera_app.capture.open import open_source

__all__ = [
    "RESOLUTIONS",
    "BaseSource",
    "EndOfStream",
    "FrameSource",
    "SourceError",
    "open_source",
    "resolution_size",
]
