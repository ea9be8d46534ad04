"""The live preview: the frame's pixels in a GPU texture, fitted inside the widget.

The texture is created once per frame size and reused: every frame is copied in with
``blit_buffer`` (``textures_created`` counts creations so tests can check it). The picture
keeps its aspect ratio on resize (fitted inside, letterboxed on black), so the disclosure
label drawn into the frame is always fully visible.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.widget import Widget


def fit_inside(frame_w: int, frame_h: int, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """The largest rectangle of the frame's aspect ratio centred inside (x, y, w, h)."""
    if frame_w <= 0 or frame_h <= 0 or w <= 0 or h <= 0:
        return (x, y, 0.0, 0.0)
    scale = min(w / frame_w, h / frame_h)
    fw, fh = frame_w * scale, frame_h * scale
    return (x + (w - fw) / 2.0, y + (h - fh) / 2.0, fw, fh)


class Preview(Widget):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
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
        """Where the frame is drawn (x, y, w, h), in window coordinates (origin bottom-left)."""
        return fit_inside(*self.frame_size, *self.pos, *self.size)

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
