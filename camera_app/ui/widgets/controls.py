"""The capture controls: a shutter button (tap: photo, hold: video) and a record button (video)."""

from __future__ import annotations

from typing import Any

from collections.abc import Callable

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, RoundedRectangle
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

from camera_app.ui import theme

HOLD_S = 0.35  # a press this long on the shutter records instead of taking a photo


class ShutterButton(Widget):
    """A white ring around a white disc, like a phone camera's shutter: a tap takes a photo
    (``on_photo``); pressing for ``hold_s`` starts a video (``on_hold``) that lasts until the
    finger lifts (``on_release_hold``). While recording, the disc turns red and a ring around
    it fills with ``progress`` (the share of the longest clip used)."""

    recording = BooleanProperty(False)
    progress = NumericProperty(0.0)
    pressed = BooleanProperty(False)

    def __init__(self, on_photo: Callable[[], None], on_hold: Callable[[], None],
                 on_release_hold: Callable[[], None], hold_s: float = HOLD_S, **kwargs: Any) -> None:
        super().__init__(size_hint=(None, None), size=(dp(76), dp(76)), **kwargs)
        self.on_photo, self.on_hold, self.on_release_hold = on_photo, on_hold, on_release_hold
        self.hold_s = hold_s
        self._hold_event: Any = None
        self.holding = False
        self.bind(pos=self._redraw, size=self._redraw, pressed=self._redraw, recording=self._redraw,
                  progress=self._redraw)
        self._redraw()

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos) or self.disabled:
            return bool(super().on_touch_down(touch))
        touch.grab(self)
        self.pressed = True
        self._hold_event = Clock.schedule_once(self._held, self.hold_s)
        return True

    def _held(self, dt: float) -> None:
        self._hold_event = None
        self.holding = True
        self.on_hold()

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return bool(super().on_touch_up(touch))
        touch.ungrab(self)
        self.pressed = False
        if self._hold_event is not None:
            self._hold_event.cancel()
            self._hold_event = None
            self.on_photo()
        elif self.holding:
            self.holding = False
            self.on_release_hold()
        return True

    def _redraw(self, *_: Any) -> None:
        self.canvas.clear()
        inset = dp(12) if self.pressed else dp(9)
        cx, cy, r = self.center_x, self.center_y, self.width / 2 - dp(2)
        with self.canvas:
            Color(1, 1, 1, 1)
            Line(circle=(cx, cy, r), width=dp(3))
            if self.recording:
                Color(rgba=theme.RECORD)
                Line(circle=(cx, cy, r, 0, max(1.0, 360.0 * min(1.0, self.progress))), width=dp(4))
                Ellipse(pos=(self.x + inset + dp(6), self.y + inset + dp(6)),
                        size=(self.width - 2 * inset - dp(12), self.height - 2 * inset - dp(12)))
            else:
                Color(1, 1, 1, 0.75 if self.pressed else 0.96)
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
