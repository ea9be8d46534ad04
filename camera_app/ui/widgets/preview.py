"""The live preview: the frame's pixels in a GPU texture, fitted inside the widget or filling it.

The picture keeps its aspect ratio on resize: fitted inside, letterboxed on black (the desktop
layout), or filling the widget with the overflow cut off (``fill``: a phone's full-screen
preview; the label is then kept inside the part shown, see ``visible_frame_rect``).

The display path is lean because every pass over the window's pixels counts where OpenGL is
software (Mesa's llvmpipe renders a 1280x800 window in several ms per pass):

- the overflow of ``fill`` is cut off with texture coordinates (only the part shown is drawn),
  not with a stencil, which would cost two more passes over the widget per frame;
- black is drawn only in the letterbox bars, not under the picture;
- frames go into a small ring of textures (``TEXTURE_RING``), created once per frame size and
  reused (``textures_created`` counts creations so tests can check it): a frame is copied into a
  texture the previous frames do not read, so the copy does not wait for them to be drawn;

A horizontal swipe across the preview calls ``on_swipe(+1)`` (finger to the left: the next
effect) or ``on_swipe(-1)``, as on a phone's camera.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from collections.abc import Callable

from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.uix.widget import Widget

SWIPE_DP = 48  # the shortest horizontal travel that counts as a swipe
TEXTURE_RING = 3  # textures the frames rotate through


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


class Preview(Widget):
    def __init__(self, on_swipe: Callable[[int], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fill = False
        self.on_swipe = on_swipe
        self.texture: Texture | None = None  # the one shown
        self._ring: list[Texture] = []
        self._next = 0
        self.textures_created = 0
        self.frames_shown = 0
        self.frame_size: tuple[int, int] = (0, 0)
        self._tex_coords: tuple[float, ...] = (0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0)
        with self.canvas:
            Color(0.0, 0.0, 0.0, 1)
            self._bars = (Rectangle(pos=self.pos, size=self.size), Rectangle(pos=self.pos, size=(0, 0)))
            Color(1, 1, 1, 1)
            self._picture = Rectangle(pos=self.pos, size=(0, 0))
        self.bind(pos=self._layout, size=self._layout)

    @property
    def picture_rect(self) -> tuple[float, float, float, float]:
        """Where the frame lies (x, y, w, h), in window coordinates (origin bottom-left); with
        ``fill`` it overflows the widget, and only the part inside the widget is drawn."""
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

    def show(self, pixels: np.ndarray) -> float:
        """Copy an (H, W, 3) uint8 RGB frame into the next texture of the ring (created only when
        the size changes) and show it; the time the copy took, in ms."""
        h, w = int(pixels.shape[0]), int(pixels.shape[1])
        if not self._ring or self.frame_size != (w, h):
            self._ring = [Texture.create(size=(w, h), colorfmt="rgb", bufferfmt="ubyte") for _ in range(TEXTURE_RING)]
            for texture in self._ring:
                texture.flip_vertical()  # rows come top first
            self.textures_created += 1
            self.frame_size = (w, h)
            self._layout()
        texture = self._ring[self._next]
        self._next = (self._next + 1) % len(self._ring)
        data = pixels if pixels.flags.c_contiguous else np.ascontiguousarray(pixels)
        started = time.perf_counter()
        texture.blit_buffer(data.tobytes(), colorfmt="rgb", bufferfmt="ubyte")  # frames are read-only: Kivy takes only writable buffers
        upload_ms = (time.perf_counter() - started) * 1000.0
        self.texture = texture
        self._picture.texture = texture
        self._picture.tex_coords = self._tex_coords
        self.frames_shown += 1
        self.canvas.ask_update()
        return upload_ms

    def clear(self) -> None:
        self.frame_size = (0, 0)
        self._layout()

    def _layout(self, *_: Any) -> None:
        x, y, w, h = self.pos[0], self.pos[1], self.size[0], self.size[1]
        px, py, pw, ph = self.picture_rect
        if self.frame_size == (0, 0) or pw <= 0 or ph <= 0:
            self._set_bars((x, y, w, h), (x, y, 0, 0))
            self._picture.size = (0, 0)
            return
        # The part of the picture inside the widget, and which part of the frame that is.
        x0, y0, x1, y1 = max(px, x), max(py, y), min(px + pw, x + w), min(py + ph, y + h)
        u0, u1 = (x0 - px) / pw, (x1 - px) / pw
        top, bottom = (py + ph - y1) / ph, (py + ph - y0) / ph  # frame rows, 0 at the top
        self._tex_coords = (u0, bottom, u1, bottom, u1, top, u0, top)  # the texture is flipped
        self._picture.pos, self._picture.size = (x0, y0), (max(0.0, x1 - x0), max(0.0, y1 - y0))
        self._picture.tex_coords = self._tex_coords
        if x1 - x0 < w - 0.5:  # bars left and right
            self._set_bars((x, y, x0 - x, h), (x1, y, x + w - x1, h))
        else:  # bars below and above (empty when the picture fills the widget)
            self._set_bars((x, y, w, y0 - y), (x, y1, w, y + h - y1))

    def _set_bars(self, a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> None:
        for bar, (bx, by, bw, bh) in zip(self._bars, (a, b), strict=True):
            bar.pos, bar.size = (bx, by), (max(0.0, bw), max(0.0, bh))
