"""The capture controls: a shutter button (photo) and a record button (video)."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line, RoundedRectangle
from kivy.metrics import dp
from kivy.properties import BooleanProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

from camera_app.ui import theme


class ShutterButton(ButtonBehavior, Widget):
    """A white ring around a white disc, like a phone camera's shutter."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(size_hint=(None, None), size=(dp(74), dp(74)), **kwargs)
        self.bind(pos=self._redraw, size=self._redraw, state=self._redraw)
        self._redraw()

    def _redraw(self, *_: Any) -> None:
        self.canvas.clear()
        inset = dp(9) if self.state == "normal" else dp(12)
        with self.canvas:
            Color(1, 1, 1, 1)
            Line(circle=(self.center_x, self.center_y, self.width / 2 - dp(2)), width=dp(3))
            Color(1, 1, 1, 0.96 if self.state == "normal" else 0.75)
            Ellipse(pos=(self.x + inset, self.y + inset), size=(self.width - 2 * inset, self.height - 2 * inset))


class RecordButton(ButtonBehavior, Widget):
    """A ring with a red dot; while recording, the dot becomes a rounded square."""

    recording = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(size_hint=(None, None), size=(dp(56), dp(56)), **kwargs)
        self.bind(pos=self._redraw, size=self._redraw, state=self._redraw, recording=self._redraw)
        self._redraw()

    def _redraw(self, *_: Any) -> None:
        self.canvas.clear()
        with self.canvas:
            Color(1, 1, 1, 0.9)
            Line(circle=(self.center_x, self.center_y, self.width / 2 - dp(2)), width=dp(2.4))
            Color(rgba=theme.RECORD if self.state == "normal" else (0.8, 0.18, 0.15, 1))
            if self.recording:
                side = dp(20)
                RoundedRectangle(pos=(self.center_x - side / 2, self.center_y - side / 2), size=(side, side), radius=[dp(5)])
            else:
                d = self.width - dp(16)
                Ellipse(pos=(self.center_x - d / 2, self.center_y - d / 2), size=(d, d))
