"""The live preview: the frame's pixels in a GPU texture, fitted inside the widget or filling it.

The picture keeps its aspect ratio on resize: fitted inside, letterboxed on black (the desktop
layout), or filling the widget with the overflow cut off (``fill``: a phone's full-screen
preview; the label is then kept inside the part shown, see ``visible_frame_rect``).

The display path is lean because every pass over the window's pixels counts where OpenGL is
software (Mesa's llvmpipe renders a 1280x800 window in several ms per pass):

- the overflow of ``fill`` is cut off with texture coordinates (only the part shown is drawn),
  not with a stencil, which would cost two more passes over the widget per frame;
- black is drawn only in the letterbox bars, not under the picture, and the picture is drawn
  without blending (it is opaque; blending would read every pixel under it);
- where OpenGL is software, a frame shown near its size is sampled nearest, not linear
  (``picture_geometry.sampling``);
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

from kivy.graphics import Callback, Color, Rectangle
from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.uix.widget import Widget

from camera_app.ui.widgets.picture_geometry import FULL_FRAME, drawn_parts, fill_cover, fit_inside, sampling

SWIPE_DP = 48  # the shortest horizontal travel that counts as a swipe
TEXTURE_RING = 3  # textures the frames rotate through


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
        self.software_gl = False  # set by the app once the renderer is known (ui/frame_pacing.py)
        self.filter = "linear"  # the ring's texture filter (``picture_geometry.sampling``)
        self._tex_coords: tuple[float, ...] = FULL_FRAME
        with self.canvas:
            Color(0.0, 0.0, 0.0, 1)
            self._bars = (Rectangle(pos=self.pos, size=self.size), Rectangle(pos=self.pos, size=(0, 0)))
            Color(1, 1, 1, 1)
            Callback(lambda _: glDisable(GL_BLEND))  # the frame is opaque: no read of what lies under it
            self._picture = Rectangle(pos=self.pos, size=(0, 0))
            Callback(lambda _: glEnable(GL_BLEND))
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
        drawn = drawn_parts(self.picture_rect, (*self.pos, *self.size), self.frame_size != (0, 0))
        self._tex_coords = drawn.tex_coords
        self._picture.pos, self._picture.size = drawn.picture[:2], drawn.picture[2:]
        self._picture.tex_coords = drawn.tex_coords
        for bar, rect in zip(self._bars, drawn.bars, strict=True):
            bar.pos, bar.size = rect[:2], rect[2:]
        self.filter = sampling(self.frame_size[0], self.picture_rect[2], self.software_gl)
        for texture in self._ring:
            if texture.min_filter != self.filter:
                texture.mag_filter = texture.min_filter = self.filter
