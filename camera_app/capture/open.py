"""Build a frame source from its spec string (``camera:N``, ``demo``, or a path).

It lives apart from ``base.py`` so that the source classes depend on the base and this module
depends on them, with no import loop.
"""

from __future__ import annotations

from pathlib import Path

from camera_app.capture.base import IMAGE_SUFFIXES, VIDEO_SUFFIXES, BaseSource, SourceError, resolution_size
from camera_app.capture.camera import CameraOptions, CameraSource
from camera_app.capture.demo import DemoOptions, DemoSource
from camera_app.capture.framed import FramedSource
from camera_app.capture.image import ImageSource
from camera_app.capture.video import VideoOptions, VideoSource


def open_source(
    spec: str,
    *,
    resolution: str = "720p",
    seed: int = 0,
    paced: bool = True,
    loop: bool = False,
    max_frames: int | None = None,
    frame_size: tuple[int, int] | None = None,
) -> BaseSource:
    """Build (not yet open) the source named by ``spec``.

    ``spec`` is ``camera:N`` (a webcam index), ``demo`` (the generated feed), or a path to a
    video or an image file (chosen by suffix). ``resolution`` sizes the demo feed and the camera
    request; ``seed`` makes the demo deterministic; ``paced`` plays videos and the demo at their
    frame rate (off for rendering); ``loop`` restarts a video at its end; ``max_frames`` ends
    an image or demo stream after that many frames (they are endless otherwise). ``frame_size``
    (width, height): a phone's front camera: the demo is drawn at that size, any other source
    is centre-cropped to its aspect and scaled to it (the description says so).
    """
    source = _open(spec, resolution=resolution, seed=seed, paced=paced, loop=loop, max_frames=max_frames,
                   frame_size=frame_size)
    if frame_size is None or isinstance(source, DemoSource):
        return source
    return FramedSource(source, frame_size)


def _open(spec: str, *, resolution: str, seed: int, paced: bool, loop: bool, max_frames: int | None,
          frame_size: tuple[int, int] | None) -> BaseSource:
    if not isinstance(spec, str) or not spec.strip():
        raise SourceError(f"source {spec!r}: expected camera:N, demo, or a video or image path")
    spec = spec.strip()
    width, height = resolution_size(resolution)
    if spec == "demo":
        return DemoSource(DemoOptions(resolution=resolution, seed=seed, paced=paced, max_frames=max_frames,
                                      size=frame_size))
    if spec.startswith("camera:"):
        index_text = spec.removeprefix("camera:")
        if not (index_text.isascii() and index_text.isdigit()):
            raise SourceError(f"source {spec!r}: expected camera:N with N a camera index >= 0, found {index_text!r}")
        return CameraSource(CameraOptions(index=int(index_text), width=width, height=height))
    path = Path(spec).expanduser()
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return ImageSource(path, max_frames=max_frames)
    if suffix in VIDEO_SUFFIXES:
        return VideoSource(VideoOptions(path=path, paced=paced, loop=loop))
    raise SourceError(
        f"source {spec!r}: expected camera:N, demo, an image ({', '.join(sorted(IMAGE_SUFFIXES))}) "
        f"or a video ({', '.join(sorted(VIDEO_SUFFIXES))})"
    )
