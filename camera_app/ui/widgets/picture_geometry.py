"""Where the preview draws a frame, as plain numbers (no Kivy): fitted inside the widget
(letterboxed) or covering it (``fill``, the overflow cut off), the part of the picture inside
the widget with the texture coordinates that show it, and the black bars beside it.

Rectangles are (x, y, w, h) in window pixels, origin bottom-left as in Kivy; frame rows count
from the top (the texture is flipped vertically, row 0 at v = 0).
"""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[float, float, float, float]
FULL_FRAME = (0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0)  # the whole flipped texture
NEAREST_FROM_SCALE = 0.75  # shown at least this large, nearest sampling keeps text and edges legible


def sampling(frame_w: int, picture_w: float, software: bool) -> str:
    """The texture filter for a frame ``frame_w`` wide drawn ``picture_w`` wide: ``nearest``
    where OpenGL is software and the picture is shown near its size or larger (a 720p frame in
    the desktop window is drawn at 0.81x), else ``linear``. Measured with Mesa's llvmpipe on a
    1034x582 picture: nearest sampling costs the renderer 2.2-2.6 ms less per frame than
    linear; a frame shrunk further (1080p at 0.54x) would drop whole rows and columns, so it
    stays linear."""
    if software and frame_w > 0 and picture_w / frame_w >= NEAREST_FROM_SCALE:
        return "nearest"
    return "linear"


def _scaled(frame_w: int, frame_h: int, x: float, y: float, w: float, h: float, cover: bool) -> Rect:
    """The frame's aspect ratio centred on (x, y, w, h): inside it, or covering it."""
    if frame_w <= 0 or frame_h <= 0 or w <= 0 or h <= 0:
        return (x, y, 0.0, 0.0)
    scale = (max if cover else min)(w / frame_w, h / frame_h)
    fw, fh = frame_w * scale, frame_h * scale
    return (x + (w - fw) / 2.0, y + (h - fh) / 2.0, fw, fh)


def fit_inside(frame_w: int, frame_h: int, x: float, y: float, w: float, h: float) -> Rect:
    """The largest rectangle of the frame's aspect ratio centred inside (x, y, w, h)."""
    return _scaled(frame_w, frame_h, x, y, w, h, cover=False)


def fill_cover(frame_w: int, frame_h: int, x: float, y: float, w: float, h: float) -> Rect:
    """The smallest rectangle of the frame's aspect ratio centred on (x, y, w, h) that covers it."""
    return _scaled(frame_w, frame_h, x, y, w, h, cover=True)


@dataclass(frozen=True, slots=True)
class Drawn:
    """What the preview draws: ``picture`` (the part of the frame inside the widget) with
    ``tex_coords`` (u, v of its bottom-left, bottom-right, top-right, top-left corners), and
    two black ``bars`` covering the rest of the widget (empty when the picture fills it)."""

    picture: Rect
    tex_coords: tuple[float, ...]
    bars: tuple[Rect, Rect]


def drawn_parts(picture: Rect, widget: Rect, has_frame: bool) -> Drawn:
    """The picture (``fit_inside`` or ``fill_cover``) clipped to the widget."""
    x, y, w, h = widget
    px, py, pw, ph = picture
    if not has_frame or pw <= 0 or ph <= 0:
        return Drawn((x, y, 0.0, 0.0), FULL_FRAME, ((x, y, w, h), (x, y, 0.0, 0.0)))
    x0, y0, x1, y1 = max(px, x), max(py, y), min(px + pw, x + w), min(py + ph, y + h)
    u0, u1 = (x0 - px) / pw, (x1 - px) / pw
    top, bottom = (py + ph - y1) / ph, (py + ph - y0) / ph  # frame rows, 0 at the top
    shown = (x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))
    if x1 - x0 < w - 0.5:  # bars left and right
        bars = ((x, y, max(0.0, x0 - x), h), (x1, y, max(0.0, x + w - x1), h))
    else:  # bars below and above (empty when the picture fills the widget)
        bars = ((x, y, w, max(0.0, y0 - y)), (x, y1, w, max(0.0, y + h - y1)))
    return Drawn(shown, (u0, bottom, u1, bottom, u1, top, u0, top), bars)
