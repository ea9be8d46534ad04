"""The live preview: the frame's pixels in a GPU texture, fitted inside the widget or filling it.

The texture is created once per frame size and reused: every frame is copied in with
``blit_buffer`` (``textures_created`` counts creations so tests can check it). The picture
keeps its aspect ratio on resize: fitted inside, letterboxed on black (the desktop layout), or
filling the widget with the overflow cut off (``fill``: a phone's full-screen preview; the
label is then kept inside the part shown, see ``visible_frame_rect``).

A horizontal swipe across the preview calls ``on_swipe(+1)`` (finger to the left: the next
effect) or ``on_swipe(-1)``, as on a phone's camera.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from collections.abc import Callable

from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.uix.stencilview import StencilView

SWIPE_DP = 48  # the shortest horizontal travel that counts as a swipe


def fit_inside(frame_w: int, frame_h: int, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """The largest rectangle of the frame's aspect ratio centred inside (x, y, w, h)."""
    if frame_w <= 0 or frame_h <= 0 or w <= 0 or h <= 0:
        return (x, y, 0.0, 0.0)
    scale = min(w / frame_w, h / frame_h)
    fw, fh = frame_w * scale, frame_h * scale
    return (x + (w - fw) / 2.0, y + (h - fh) / 2.0, fw, fh)


def fill_cover(frame_w: int, frame_h: int, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """The smallest rectangle of the frame's aspect ratio centred on (x, y, w, h) that covers it."""
    if frame_w <= 0 or frame_h <= 0 or w <= 0 or h <= 0:
        return (x, y, 0.0, 0.0)
    scale = max(w / frame_w, h / frame_h)
    fw, fh = frame_w * scale, frame_h * scale
    return (x + (w - fw) / 2.0, y + (h - fh) / 2.0, fw, fh)


class Preview(StencilView):
    def __init__(self, on_swipe: Callable[[int], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fill = False
        self.on_swipe = on_swipe
        self.texture: Texture | None = None
        self.textures_created = 0
        self.frames_shown = 0
        self.frame_size: tuple[int, int] = (0, 0)
        with self.canvas:
            Color(0.0, 0.0, 0.0, 1)
            self._backdrop = Rectangle(pos=self.pos, size=self.size)
            Color(1, 1, 1, 1)
            self._picture = Rectangle(pos=self.pos, size=(0, 0))
        self.bind(pos=self._layout, size=self._layout)

    @property
    def picture_rect(self) -> tuple[float, float, float, float]:
        """Where the frame is drawn (x, y, w, h), in window coordinates (origin bottom-left);
        with ``fill`` it overflows the widget, which clips it."""
        return (fill_cover if self.fill else fit_inside)(*self.frame_size, *self.pos, *self.size)

    def set_fill(self, fill: bool) -> None:
        if fill != self.fill:
            self.fill = fill
            self._layout()

    def window_to_frame(self, x: float, y: float) -> tuple[float, float]:
        """A window position as a frame pixel position (origin top-left)."""
        px, py, pw, ph = self.picture_rect
        fw, fh = self.frame_size
        return ((x - px) * fw / pw, (py + ph - y) * fh / ph)

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos) and self.on_swipe is not None:
            touch.ud["preview_swipe_from"] = touch.pos
            return True
        return bool(super().on_touch_down(touch))

    def on_touch_up(self, touch: Any) -> bool:
        start = touch.ud.get("preview_swipe_from")
        if start is None or self.on_swipe is None:
            return bool(super().on_touch_up(touch))
        dx, dy = touch.x - start[0], touch.y - start[1]
        if abs(dx) >= dp(SWIPE_DP) and abs(dx) > 2 * abs(dy):
            self.on_swipe(+1 if dx < 0 else -1)
        return True

    def frame_to_window(self, x: float, y: float) -> tuple[float, float]:
        """A frame pixel position (origin top-left) in window coordinates."""
        px, py, pw, ph = self.picture_rect
        fw, fh = self.frame_size
        return (px + x * pw / fw, py + ph - y * ph / fh)

    def show(self, pixels: np.ndarray) -> None:
        """Copy an (H, W, 3) uint8 RGB frame into the texture (created only when the size changes)."""
        h, w = int(pixels.shape[0]), int(pixels.shape[1])
        if self.texture is None or self.frame_size != (w, h):
            self.texture = Texture.create(size=(w, h), colorfmt="rgb", bufferfmt="ubyte")
            self.texture.flip_vertical()  # rows come top first
            self.textures_created += 1
            self.frame_size = (w, h)
            self._picture.texture = self.texture
            self._layout()
        data = pixels if pixels.flags.c_contiguous else np.ascontiguousarray(pixels)
        self.texture.blit_buffer(data.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        self.frames_shown += 1
        self.canvas.ask_update()

    def clear(self) -> None:
        self.frame_size = (0, 0)
        self._layout()

    def _layout(self, *_: Any) -> None:
        self._backdrop.pos, self._backdrop.size = self.pos, self.size
        x, y, w, h = self.picture_rect
        self._picture.pos, self._picture.size = (x, y), (w, h)
